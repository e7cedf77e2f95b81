//! sysfs: a minimal, read-only `/sys`.
//!
//! Only what programs commonly probe is here: the CPU masks under
//! `/sys/devices/system/cpu` (glibc's `get_nprocs` reads `online`), and the empty
//! `/sys/kernel` and `/sys/fs` that other file systems are mounted on. The tree is a
//! fixed table; the inodes are indices into it.

use std::any::Any;
use std::sync::Arc;

use super::{DirEntry, FileSystem, FileType, FsStats, Inode, Stat, Timespec};
use crate::errno::{Errno, KResult};

/// The magic number statfs reports for sysfs (`SYSFS_MAGIC`).
pub const SYSFS_MAGIC: u64 = 0x6265_6572;

/// What a node of the tree is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    /// A file holding the CPU range `0-N`; all three masks are the same here, since
    /// CPUs never go offline.
    CpuRange,
}

/// One node: its name, its parent's index, and what it is.
struct NodeDef {
    name: &'static str,
    parent: usize,
    kind: Kind,
}

/// The tree, parents before children; index 0 is the root.
const NODES: [NodeDef; 9] = [
    NodeDef {
        name: "",
        parent: 0,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "devices",
        parent: 0,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "fs",
        parent: 0,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "kernel",
        parent: 0,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "system",
        parent: 1,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "cpu",
        parent: 4,
        kind: Kind::Dir,
    },
    NodeDef {
        name: "online",
        parent: 5,
        kind: Kind::CpuRange,
    },
    NodeDef {
        name: "possible",
        parent: 5,
        kind: Kind::CpuRange,
    },
    NodeDef {
        name: "present",
        parent: 5,
        kind: Kind::CpuRange,
    },
];

/// The size every sysfs attribute reports in stat (one page), as on Linux.
const ATTR_SIZE: u64 = 4096;

/// The sysfs instance.
pub struct SysFs {
    shared: Arc<Shared>,
}

/// What every inode of one sysfs shares.
struct Shared {
    ncpus: usize,
    dev: u64,
    /// Mount time, which Linux shows as the times of sysfs nodes.
    created: Timespec,
}

impl SysFs {
    /// A sysfs for a machine with `ncpus` CPUs (at least one is assumed), reporting `dev`
    /// as its `st_dev`.
    pub fn new(ncpus: usize, dev: u64) -> Arc<SysFs> {
        let ns = arch_um::host::realtime_ns();
        let created = Timespec {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as i64,
        };
        Arc::new(SysFs {
            shared: Arc::new(Shared {
                ncpus: ncpus.max(1),
                dev,
                created,
            }),
        })
    }
}

impl FileSystem for SysFs {
    fn root(&self) -> Arc<dyn Inode> {
        Arc::new(SysInode {
            shared: self.shared.clone(),
            index: 0,
        })
    }

    fn stats(&self) -> FsStats {
        FsStats {
            fs_type: SYSFS_MAGIC,
            block_size: 4096,
            name_max: 255,
            ..FsStats::default()
        }
    }

    fn type_name(&self) -> &'static str {
        "sysfs"
    }
}

/// A node of the tree.
struct SysInode {
    shared: Arc<Shared>,
    index: usize,
}

impl SysInode {
    fn def(&self) -> &'static NodeDef {
        &NODES[self.index]
    }

    fn node(&self, index: usize) -> Arc<dyn Inode> {
        Arc::new(SysInode {
            shared: self.shared.clone(),
            index,
        })
    }

    /// Indices of this node's children, in listing order.
    fn children(&self) -> impl Iterator<Item = usize> + '_ {
        (1..NODES.len()).filter(move |&i| NODES[i].parent == self.index)
    }

    fn file_type_of(index: usize) -> FileType {
        match NODES[index].kind {
            Kind::Dir => FileType::Directory,
            Kind::CpuRange => FileType::Regular,
        }
    }

    fn content(&self) -> KResult<Vec<u8>> {
        match self.def().kind {
            Kind::Dir => Err(Errno::EISDIR),
            Kind::CpuRange => Ok(match self.shared.ncpus {
                1 => b"0\n".to_vec(),
                n => format!("0-{}\n", n - 1).into_bytes(),
            }),
        }
    }
}

impl Inode for SysInode {
    fn stat(&self) -> KResult<Stat> {
        let is_dir = self.def().kind == Kind::Dir;
        let subdirs = self
            .children()
            .filter(|&i| NODES[i].kind == Kind::Dir)
            .count();
        let t = self.shared.created;
        Ok(Stat {
            dev: self.shared.dev,
            ino: self.index as u64 + 1,
            mode: if is_dir { 0o040755 } else { 0o100444 },
            nlink: if is_dir { 2 + subdirs as u32 } else { 1 },
            size: if is_dir { 0 } else { ATTR_SIZE },
            blksize: 4096,
            atime: t,
            mtime: t,
            ctime: t,
            ..Stat::default()
        })
    }

    fn file_type(&self) -> FileType {
        Self::file_type_of(self.index)
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let content = self.content()?;
        let Ok(start) = usize::try_from(off) else {
            return Ok(0);
        };
        let Some(rest) = content.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        if self.def().kind != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        match name {
            b"." => Ok(self.node(self.index)),
            b".." => Ok(self.node(self.def().parent)),
            _ => {
                let found = self.children().find(|&i| NODES[i].name.as_bytes() == name);
                found.map(|i| self.node(i)).ok_or(Errno::ENOENT)
            }
        }
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        if self.def().kind != Kind::Dir {
            return Err(Errno::ENOTDIR);
        }
        let entry = |index: usize, name: &str| DirEntry {
            ino: index as u64 + 1,
            file_type: Some(Self::file_type_of(index)),
            name: name.as_bytes().to_vec(),
        };

        let found = match pos {
            0 => Some(entry(self.index, ".")),
            1 => Some(entry(self.def().parent, "..")),
            _ => {
                let nth = usize::try_from(pos - 2).unwrap_or(usize::MAX);
                self.children().nth(nth).map(|i| entry(i, NODES[i].name))
            }
        };
        Ok(found.map(|e| (e, pos + 1)))
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(root: &Arc<dyn Inode>, path: &str) -> KResult<Arc<dyn Inode>> {
        let mut at = root.clone();
        for name in path.split('/').filter(|c| !c.is_empty()) {
            at = at.lookup(name.as_bytes())?;
        }
        Ok(at)
    }

    fn list(dir: &Arc<dyn Inode>) -> Vec<String> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some((e, next)) = dir.read_dir(pos).unwrap() {
            out.push(String::from_utf8(e.name).unwrap());
            pos = next;
        }
        out
    }

    fn read(root: &Arc<dyn Inode>, path: &str) -> String {
        let f = walk(root, path).ok().unwrap();
        let mut buf = [0u8; 64];
        let n = f.read_at(0, &mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn tree_lists_the_standard_directories() {
        let fs = SysFs::new(4, 0x16);
        let root = fs.root();
        assert_eq!(list(&root), [".", "..", "devices", "fs", "kernel"]);
        assert_eq!(
            list(&walk(&root, "devices").ok().unwrap()),
            [".", "..", "system"]
        );
        assert_eq!(
            list(&walk(&root, "devices/system/cpu").ok().unwrap()),
            [".", "..", "online", "possible", "present"]
        );
        assert_eq!(list(&walk(&root, "kernel").ok().unwrap()), [".", ".."]);
        assert_eq!(list(&walk(&root, "fs").ok().unwrap()), [".", ".."]);

        let st = root.stat().unwrap();
        assert_eq!((st.mode, st.nlink, st.ino, st.dev), (0o040755, 5, 1, 0x16));
        assert_eq!(fs.stats().fs_type, SYSFS_MAGIC);
        assert_eq!(fs.type_name(), "sysfs");
    }

    #[test]
    fn cpu_masks_name_every_cpu() {
        let root = SysFs::new(4, 0).root();
        for f in ["online", "possible", "present"] {
            assert_eq!(read(&root, &format!("devices/system/cpu/{f}")), "0-3\n");
        }
        let one = SysFs::new(1, 0).root();
        assert_eq!(read(&one, "devices/system/cpu/online"), "0\n");
        let none = SysFs::new(0, 0).root();
        assert_eq!(read(&none, "devices/system/cpu/online"), "0\n");

        let f = walk(&root, "devices/system/cpu/online").ok().unwrap();
        let st = f.stat().unwrap();
        assert_eq!((st.mode, st.size, st.nlink), (0o100444, 4096, 1));
        let mut buf = [0u8; 8];
        assert_eq!(f.read_at(2, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"3\n");
        assert_eq!(f.read_at(4, &mut buf).unwrap(), 0);
        assert_eq!(f.read_at(u64::MAX, &mut buf).unwrap(), 0);
    }

    #[test]
    fn dots_missing_names_and_wrong_types() {
        let root = SysFs::new(2, 0).root();
        let cpu = walk(&root, "devices/system/cpu").ok().unwrap();
        let up = |d: &Arc<dyn Inode>| d.lookup(b"..").ok().unwrap().stat().unwrap().ino;
        assert_eq!(
            up(&cpu),
            walk(&root, "devices/system")
                .ok()
                .unwrap()
                .stat()
                .unwrap()
                .ino
        );
        assert_eq!(up(&root), 1);
        assert_eq!(cpu.read_dir(1).unwrap().unwrap().0.ino, 5);
        assert!(cpu.read_dir(u64::MAX).unwrap().is_none());

        assert_eq!(walk(&root, "nope").err(), Some(Errno::ENOENT));
        assert_eq!(
            walk(&root, "devices/system/cpu/online/x").err(),
            Some(Errno::ENOTDIR)
        );
        let online = walk(&root, "devices/system/cpu/online").ok().unwrap();
        assert_eq!(online.read_dir(0).err(), Some(Errno::ENOTDIR));
        assert_eq!(online.read_link().err(), Some(Errno::EINVAL));
        let mut buf = [0u8; 4];
        assert_eq!(cpu.read_at(0, &mut buf).err(), Some(Errno::EISDIR));
        assert_eq!(online.write_at(0, b"0").err(), Some(Errno::EROFS));
    }
}
