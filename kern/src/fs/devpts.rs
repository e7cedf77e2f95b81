//! devpts: the pseudo-terminal slaves as `/dev/pts/N`, beside `/dev/pts/ptmx`.
//!
//! One instance for the whole machine, as Linux's without `newinstance`: every mount
//! shows the same pty table. A slave's node exists from the open of `/dev/ptmx` that
//! made it until its master closes.

use std::sync::{Arc, Weak};

use super::{DirEntry, FileSystem, FileType, FsStats, Inode, SetAttr, Stat};
use crate::device::mkdev;
use crate::errno::{Errno, KResult};
use crate::pty::{Pty, PtyTable, PTMX_DEV, PTS_MAJOR};

/// Device number of the devpts instance (an anonymous one, as Linux gives it).
const DEVPTS_DEV: u64 = mkdev(0, 19);
/// `DEVPTS_SUPER_MAGIC`.
const DEVPTS_MAGIC: u64 = 0x1cd1;
/// Inode numbers: the root, `ptmx`, then slave N at N + 3, as Linux numbers them.
const ROOT_INO: u64 = 1;
const PTMX_INO: u64 = 2;
const FIRST_SLAVE_INO: u64 = 3;

/// The devpts file system over a machine's pty table.
pub struct DevPts {
    table: Arc<PtyTable>,
}

impl DevPts {
    /// A devpts showing the ptys of `table`.
    pub fn new(table: Arc<PtyTable>) -> Arc<DevPts> {
        Arc::new(DevPts { table })
    }
}

impl FileSystem for DevPts {
    fn root(&self) -> Arc<dyn Inode> {
        Arc::new(PtsDir {
            table: self.table.clone(),
        })
    }

    fn stats(&self) -> FsStats {
        FsStats {
            fs_type: DEVPTS_MAGIC,
            block_size: 4096,
            name_max: 255,
            ..FsStats::default()
        }
    }

    fn type_name(&self) -> &'static str {
        "devpts"
    }
}

/// The root directory, the only one.
struct PtsDir {
    table: Arc<PtyTable>,
}

/// `ptmx` (mode 000, as devpts's default `ptmxmode`) or slave N.
enum PtsNode {
    Ptmx,
    Slave {
        index: u32,
        pty: Weak<Pty>,
        /// The attributes when looked up, for a node whose pty has gone since.
        attrs: crate::pty::NodeAttrs,
    },
}

/// Parses a slave's name: a decimal number as devpts writes them (no sign, no leading
/// zeros).
fn parse_index(name: &[u8]) -> Option<u32> {
    if name.is_empty() || (name.len() > 1 && name[0] == b'0') {
        return None;
    }
    if !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

impl Inode for PtsDir {
    fn stat(&self) -> KResult<Stat> {
        Ok(Stat {
            dev: DEVPTS_DEV,
            ino: ROOT_INO,
            mode: 0o040755,
            nlink: 2,
            blksize: 4096,
            ..Stat::default()
        })
    }

    fn file_type(&self) -> FileType {
        FileType::Directory
    }

    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        Err(Errno::EISDIR)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        if name == b"." || name == b".." {
            return Ok(Arc::new(PtsDir {
                table: self.table.clone(),
            }));
        }
        if name == b"ptmx" {
            return Ok(Arc::new(PtsNode::Ptmx));
        }
        let index = parse_index(name).ok_or(Errno::ENOENT)?;
        let pty = self.table.get(index).ok_or(Errno::ENOENT)?;
        if !pty.master_open() {
            return Err(Errno::ENOENT);
        }
        Ok(Arc::new(PtsNode::Slave {
            index,
            pty: Arc::downgrade(&pty),
            attrs: pty.node_attrs(),
        }))
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let dir = |name: &[u8]| DirEntry {
            ino: ROOT_INO,
            file_type: Some(FileType::Directory),
            name: name.to_vec(),
        };
        let entry = match pos {
            0 => (dir(b"."), 1),
            1 => (dir(b".."), 2),
            2 => {
                let ptmx = DirEntry {
                    ino: PTMX_INO,
                    file_type: Some(FileType::CharDevice),
                    name: b"ptmx".to_vec(),
                };
                (ptmx, FIRST_SLAVE_INO)
            }
            // Past ptmx, a position is the inode number of the next slave to show.
            p => {
                let from = u32::try_from(p - FIRST_SLAVE_INO).unwrap_or(u32::MAX);
                let Some(pty) = self.table.visible_from(from) else {
                    return Ok(None);
                };
                let ino = pty.index() as u64 + FIRST_SLAVE_INO;
                let slave = DirEntry {
                    ino,
                    file_type: Some(FileType::CharDevice),
                    name: pty.index().to_string().into_bytes(),
                };
                (slave, ino + 1)
            }
        };
        Ok(Some(entry))
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    // Nothing but the kernel makes or removes names here: Linux's devpts has no such
    // operations, which the VFS answers with EACCES for a create and EPERM otherwise.
    fn create(&self, _name: &[u8], _new: super::NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EACCES)
    }

    fn mkdir(&self, _name: &[u8], _new: super::NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EPERM)
    }

    fn symlink(
        &self,
        _name: &[u8],
        _target: &[u8],
        _new: super::NewInode,
    ) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EPERM)
    }

    fn link(&self, _name: &[u8], _target: &Arc<dyn Inode>) -> KResult<()> {
        Err(Errno::EPERM)
    }

    fn unlink(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }

    fn rmdir(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }

    fn rename(
        &self,
        _old_name: &[u8],
        _new_dir: &Arc<dyn Inode>,
        _new_name: &[u8],
        _flags: u32,
    ) -> KResult<()> {
        Err(Errno::EPERM)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Inode for PtsNode {
    fn stat(&self) -> KResult<Stat> {
        let chr = FileType::CharDevice.mode_bits();
        let st = match self {
            PtsNode::Ptmx => Stat {
                ino: PTMX_INO,
                mode: chr,
                rdev: PTMX_DEV,
                ..Stat::default()
            },
            PtsNode::Slave { index, pty, attrs } => {
                let a = pty.upgrade().map_or(*attrs, |p| p.node_attrs());
                Stat {
                    ino: *index as u64 + FIRST_SLAVE_INO,
                    mode: chr | a.mode,
                    uid: a.uid,
                    gid: a.gid,
                    rdev: mkdev(PTS_MAJOR, *index),
                    atime: a.born,
                    mtime: a.born,
                    ctime: a.born,
                    ..Stat::default()
                }
            }
        };
        Ok(Stat {
            dev: DEVPTS_DEV,
            nlink: 1,
            blksize: 1024,
            ..st
        })
    }

    fn file_type(&self) -> FileType {
        FileType::CharDevice
    }

    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn lookup(&self, _name: &[u8]) -> KResult<Arc<dyn Inode>> {
        Err(Errno::ENOTDIR)
    }

    fn read_dir(&self, _pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        Err(Errno::ENOTDIR)
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    fn set_attr(&self, attr: SetAttr) -> KResult<()> {
        if attr.size.is_some() {
            return Err(Errno::EINVAL);
        }
        // Times are the pair's birth and stay so; owner and mode are the pty's.
        match self {
            PtsNode::Slave { pty, .. } => {
                if let Some(p) = pty.upgrade() {
                    p.set_node_attrs(attr.mode, attr.uid, attr.gid);
                }
                Ok(())
            }
            PtsNode::Ptmx => Ok(()),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(root: &Arc<dyn Inode>) -> Vec<String> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((e, next)) = root.read_dir(pos).unwrap() {
            out.push(String::from_utf8(e.name).unwrap());
            pos = next;
        }
        out
    }

    #[test]
    fn lists_and_stats_the_slaves() {
        let table = PtyTable::new();
        let fs = DevPts::new(table.clone());
        let root = fs.root();
        assert_eq!(names(&root), [".", "..", "ptmx"]);

        use crate::pty::tests_support::{create, open_slave};
        let mut masters: Vec<_> = (0..3).map(|_| create(&table)).collect();
        // Slave 1 stays open, but its node goes with its master.
        let slave = open_slave(&masters[1]);
        drop(masters.remove(1));
        assert_eq!(names(&root), [".", "..", "ptmx", "0", "2"]);
        assert_eq!(root.lookup(b"1").err(), Some(Errno::ENOENT));
        drop(slave);

        let st = root.lookup(b"2").unwrap().stat().unwrap();
        assert_eq!(st.mode, 0o020620);
        assert_eq!(st.rdev, mkdev(136, 2));
        assert_eq!(st.ino, 5);
        assert_eq!(st.uid, 1000);
        assert_eq!(root.lookup(b"02").err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(b"-1").err(), Some(Errno::ENOENT));
        assert_eq!(root.lookup(b"99999999999").err(), Some(Errno::ENOENT));
        let ptmx = root.lookup(b"ptmx").unwrap().stat().unwrap();
        assert_eq!((ptmx.mode, ptmx.rdev), (0o020000, mkdev(5, 2)));
    }
}
