//! Anonymous inodes: what fstat sees on a pipe (pipefs in Linux).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{DirEntry, FileType, Inode, Stat, Timespec};
use crate::errno::{Errno, KResult};

/// The device number of the pipe file system (an anonymous device, as Linux's).
const PIPEFS_DEV: u64 = 0x0c;

/// An inode that exists only as long as its open files: a pipe's.
pub struct AnonInode {
    ino: u64,
    file_type: FileType,
    created: Timespec,
}

impl AnonInode {
    /// A fresh anonymous inode of `file_type`, with its own inode number.
    pub fn new(file_type: FileType) -> Arc<AnonInode> {
        static NEXT: AtomicU64 = AtomicU64::new(1000);

        let ns = arch_um::host::realtime_ns();
        let created = Timespec {
            sec: (ns / 1_000_000_000) as i64,
            nsec: (ns % 1_000_000_000) as i64,
        };
        Arc::new(AnonInode {
            ino: NEXT.fetch_add(1, Ordering::Relaxed),
            file_type,
            created,
        })
    }

    /// The inode number, shown as `pipe:[N]` in /proc/PID/fd.
    pub fn ino(&self) -> u64 {
        self.ino
    }
}

impl Inode for AnonInode {
    fn stat(&self) -> KResult<Stat> {
        Ok(Stat {
            dev: PIPEFS_DEV,
            ino: self.ino,
            mode: self.file_type.mode_bits() | 0o600,
            nlink: 1,
            blksize: 4096,
            atime: self.created,
            mtime: self.created,
            ctime: self.created,
            ..Stat::default()
        })
    }

    fn file_type(&self) -> FileType {
        self.file_type
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

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
