//! devtmpfs: a fixed `/dev` with the devices the kernel has drivers for.

use std::sync::Arc;

use super::{DirEntry, FileSystem, FileType, FsStats, Inode, Stat};
use crate::device::mkdev;
use crate::errno::{Errno, KResult};

/// A node's device number as (major, minor); none for a directory.
type DevNum = Option<(u32, u32)>;

/// The nodes of `/dev`: name, mode, device number. `pts` is where devpts is mounted.
const NODES: [(&str, u32, DevNum); 10] = [
    ("console", 0o600, Some((5, 1))),
    ("full", 0o666, Some((1, 7))),
    ("null", 0o666, Some((1, 3))),
    ("ptmx", 0o666, Some((5, 2))),
    ("pts", 0o755, None),
    ("random", 0o666, Some((1, 8))),
    ("tty", 0o666, Some((5, 0))),
    // The current virtual terminal, which is the console here (there is one).
    ("tty0", 0o620, Some((4, 0))),
    ("urandom", 0o666, Some((1, 9))),
    ("zero", 0o666, Some((1, 5))),
];

/// Device number of the devtmpfs instance (an anonymous block device, as Linux gives
/// pseudo file systems).
const DEVFS_DEV: u64 = mkdev(0, 5);

/// The device file system.
pub struct DevFs {
    root: Arc<DevDir>,
}

impl DevFs {
    /// A devtmpfs with the standard nodes.
    pub fn new() -> Arc<DevFs> {
        Arc::new(DevFs {
            root: Arc::new(DevDir),
        })
    }
}

impl FileSystem for DevFs {
    fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }

    fn stats(&self) -> FsStats {
        FsStats {
            fs_type: 0x0102_1994,
            block_size: 4096,
            name_max: 255,
            ..FsStats::default()
        }
    }

    fn type_name(&self) -> &'static str {
        "devtmpfs"
    }
}

struct DevDir;

struct DevNode {
    index: usize,
}

impl Inode for DevDir {
    fn stat(&self) -> KResult<Stat> {
        Ok(Stat {
            dev: DEVFS_DEV,
            ino: 1,
            mode: 0o040755,
            // Its own `.`, its entry in the parent, and `pts/..`.
            nlink: 3,
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
        if name == b".." || name == b"." {
            return Ok(Arc::new(DevDir));
        }
        let index = NODES
            .iter()
            .position(|n| n.0.as_bytes() == name)
            .ok_or(Errno::ENOENT)?;
        Ok(Arc::new(DevNode { index }))
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        let entry = match pos {
            0 => DirEntry {
                ino: 1,
                file_type: Some(FileType::Directory),
                name: b".".to_vec(),
            },
            1 => DirEntry {
                ino: 1,
                file_type: Some(FileType::Directory),
                name: b"..".to_vec(),
            },
            p => {
                let Some(node) = NODES.get(p as usize - 2) else {
                    return Ok(None);
                };
                let ino = p;
                DirEntry {
                    ino,
                    file_type: Some(node_type(node.2)),
                    name: node.0.as_bytes().to_vec(),
                }
            }
        };
        Ok(Some((entry, pos + 1)))
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A character device node, or (no device number) an empty directory.
fn node_type(dev: DevNum) -> FileType {
    match dev {
        Some(_) => FileType::CharDevice,
        None => FileType::Directory,
    }
}

impl DevNode {
    fn is_dir(&self) -> bool {
        NODES[self.index].2.is_none()
    }
}

impl Inode for DevNode {
    fn stat(&self) -> KResult<Stat> {
        let (_, perm, dev) = NODES[self.index];
        let ty = node_type(dev);
        Ok(Stat {
            dev: DEVFS_DEV,
            ino: self.index as u64 + 2,
            mode: ty.mode_bits() | perm,
            nlink: if self.is_dir() { 2 } else { 1 },
            rdev: dev.map_or(0, |(major, minor)| mkdev(major, minor)),
            blksize: 4096,
            ..Stat::default()
        })
    }

    fn file_type(&self) -> FileType {
        node_type(NODES[self.index].2)
    }

    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        Err(if self.is_dir() {
            Errno::EISDIR
        } else {
            Errno::EINVAL
        })
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        match (self.is_dir(), name) {
            (false, _) => Err(Errno::ENOTDIR),
            (true, b".") => Ok(Arc::new(DevNode { index: self.index })),
            (true, b"..") => Ok(Arc::new(DevDir)),
            (true, _) => Err(Errno::ENOENT),
        }
    }

    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>> {
        if !self.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let (name, ino): (&[u8], u64) = match pos {
            0 => (b".", self.index as u64 + 2),
            1 => (b"..", 1),
            _ => return Ok(None),
        };
        let entry = DirEntry {
            ino,
            file_type: Some(FileType::Directory),
            name: name.to_vec(),
        };
        Ok(Some((entry, pos + 1)))
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
