//! Open files and per-process descriptor tables.

use std::sync::Arc;

use parking_lot::Mutex;

use super::vfs::Location;
use super::{FileType, Inode};
use crate::device::CharDevice;
use crate::errno::{Errno, KResult};
use crate::pipe::PipeEnd;

/// `O_ACCMODE` and the access modes.
pub const O_ACCMODE: u32 = 3;
/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 2;
/// Create the file if missing.
pub const O_CREAT: u32 = 0o100;
/// With O_CREAT: fail if it exists.
pub const O_EXCL: u32 = 0o200;
/// Do not make the terminal the controlling terminal.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate to zero length.
pub const O_TRUNC: u32 = 0o1000;
/// Writes go to the end.
pub const O_APPEND: u32 = 0o2000;
/// Non-blocking I/O.
pub const O_NONBLOCK: u32 = 0o4000;
/// Must be a directory.
pub const O_DIRECTORY: u32 = 0o200000;
/// Do not follow a final symlink.
pub const O_NOFOLLOW: u32 = 0o400000;
/// Close on exec.
pub const O_CLOEXEC: u32 = 0o2000000;
/// A path-only descriptor.
pub const O_PATH: u32 = 0o10000000;
/// The bit of its own that O_TMPFILE adds to O_DIRECTORY (`__O_TMPFILE`).
pub const O_TMPFILE_BIT: u32 = 0o20000000;
/// An unnamed file in the directory the path names.
pub const O_TMPFILE: u32 = O_TMPFILE_BIT | O_DIRECTORY;
/// Large-file flag, always on for 64-bit.
pub const O_LARGEFILE: u32 = 0o100000;

/// Status flags F_SETFL may change.
pub const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK;

/// The most descriptors a process may hold (RLIMIT_NOFILE's default soft limit).
pub const NR_OPEN_DEFAULT: usize = 1024;

/// What an open file reads and writes.
#[derive(Clone)]
pub enum FileKind {
    /// A file, directory or symlink (O_PATH) of a file system.
    Inode,
    /// A character device.
    Char(Arc<dyn CharDevice>),
    /// One end of a pipe.
    Pipe(Arc<PipeEnd>),
}

/// An open file description, shared by descriptors made by dup and fork.
pub struct OpenFile {
    /// Where it was opened, for getcwd-style reporting and fchdir.
    pub location: Location,
    /// The inode it names.
    pub inode: Arc<dyn Inode>,
    /// How reads and writes are served.
    pub kind: FileKind,
    /// Access mode and status flags (O_APPEND, O_NONBLOCK, ...).
    flags: Mutex<u32>,
    /// The file position; guarded by its mutex across a whole read or write so that
    /// concurrent users of one description see atomic updates, as Linux's f_pos_lock.
    pub pos: Mutex<u64>,
}

impl OpenFile {
    /// An open file description with `flags` (creation flags already applied).
    pub fn new(location: Location, inode: Arc<dyn Inode>, kind: FileKind, flags: u32) -> OpenFile {
        let keep = flags & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        OpenFile {
            location,
            inode,
            kind,
            flags: Mutex::new(keep),
            pos: Mutex::new(0),
        }
    }

    /// Access mode and status flags.
    pub fn flags(&self) -> u32 {
        *self.flags.lock()
    }

    /// Replaces the status flags F_SETFL may change.
    pub fn set_status_flags(&self, flags: u32) {
        let mut f = self.flags.lock();
        *f = (*f & !SETFL_MASK) | (flags & SETFL_MASK);
    }

    /// Whether the description was opened for reading.
    pub fn readable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_RDONLY | O_RDWR)
    }

    /// Whether the description was opened for writing.
    pub fn writable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.inode.file_type() == FileType::Directory
    }
}

#[derive(Clone)]
struct FdEntry {
    file: Arc<OpenFile>,
    cloexec: bool,
}

/// A process's descriptor table.
#[derive(Clone, Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
}

impl FdTable {
    /// The open file behind `fd`; EBADF if there is none.
    pub fn get(&self, fd: i32) -> KResult<Arc<OpenFile>> {
        let slot = usize::try_from(fd).ok().and_then(|i| self.slots.get(i));
        slot.and_then(|s| s.as_ref())
            .map(|e| e.file.clone())
            .ok_or(Errno::EBADF)
    }

    /// Installs `file` at the lowest free descriptor at or above `min`; EMFILE when the
    /// table is full.
    pub fn install(&mut self, min: usize, file: Arc<OpenFile>, cloexec: bool) -> KResult<i32> {
        let free = (min..NR_OPEN_DEFAULT).find(|&i| self.slots.get(i).is_none_or(|s| s.is_none()));
        let fd = free.ok_or(Errno::EMFILE)?;
        self.install_at(fd, file, cloexec);
        Ok(fd as i32)
    }

    /// Installs `file` at `fd`, returning what was there (dup2 semantics).
    pub fn install_at(
        &mut self,
        fd: usize,
        file: Arc<OpenFile>,
        cloexec: bool,
    ) -> Option<Arc<OpenFile>> {
        if self.slots.len() <= fd {
            self.slots.resize(fd + 1, None);
        }
        let old = self.slots[fd].replace(FdEntry { file, cloexec });
        old.map(|e| e.file)
    }

    /// Closes `fd`; EBADF if it was not open.
    pub fn close(&mut self, fd: i32) -> KResult<Arc<OpenFile>> {
        let slot = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i));
        let entry = slot.and_then(|s| s.take()).ok_or(Errno::EBADF)?;
        Ok(entry.file)
    }

    /// The close-on-exec flag of `fd`.
    pub fn cloexec(&self, fd: i32) -> KResult<bool> {
        let slot = usize::try_from(fd).ok().and_then(|i| self.slots.get(i));
        slot.and_then(|s| s.as_ref())
            .map(|e| e.cloexec)
            .ok_or(Errno::EBADF)
    }

    /// Sets the close-on-exec flag of `fd`.
    pub fn set_cloexec(&mut self, fd: i32, on: bool) -> KResult<()> {
        let slot = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i));
        let entry = slot.and_then(|s| s.as_mut()).ok_or(Errno::EBADF)?;
        entry.cloexec = on;
        Ok(())
    }

    /// Closes every close-on-exec descriptor (at execve).
    pub fn close_on_exec(&mut self) {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|e| e.cloexec) {
                *slot = None;
            }
        }
    }

    /// Descriptors in use, in order, for /proc/PID/fd.
    pub fn open_fds(&self) -> Vec<i32> {
        let used = self.slots.iter().enumerate().filter(|(_, s)| s.is_some());
        used.map(|(i, _)| i as i32).collect()
    }
}
