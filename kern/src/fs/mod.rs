//! The virtual file system: the inode interface every file system implements, and the
//! block-device interface file systems are mounted on.
//!
//! File systems hand out `Arc<dyn Inode>`; open files, path walk and mounts are built on
//! top of this interface in `vfs` and never look inside a particular file system.

pub mod anon;
pub mod devfs;
pub mod devpts;
pub mod ext2;
pub mod file;
pub mod procfs;
pub mod sysfs;
pub mod tmpfs;
pub mod vfs;

use std::any::Any;
use std::sync::Arc;

use crate::errno::{Errno, KResult};

/// Size of a guest page and of the unit the page cache works in.
pub const PAGE_SIZE: usize = 4096;

/// A random-access block device (a `ubd` over a host file, or memory in tests).
///
/// Offsets and lengths are in bytes; a driver may require nothing about alignment.
pub trait BlockDevice: Send + Sync {
    /// Reads `buf.len()` bytes at byte offset `off`; EIO on a host error or a short read.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<()>;

    /// Writes `buf` at byte offset `off`; EROFS when the device is read-only.
    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<()>;

    /// Size of the device in bytes.
    fn size_bytes(&self) -> u64;

    /// Makes earlier writes durable on the host.
    fn flush(&self) -> KResult<()>;

    /// A short name for log lines (`ubda`).
    fn name(&self) -> &str;
}

/// Checks a single name a file system is asked to create, remove or rename: ENOENT when
/// empty, ENAMETOOLONG past 255 bytes, EINVAL for a '/' or a NUL (the path walk never
/// passes those; a damaged caller must not write them to disk).
pub fn check_name(name: &[u8]) -> KResult<()> {
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    if name.len() > vfs::NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if name.contains(&b'/') || name.contains(&0) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Whether `name` is "." or "..".
pub fn is_dot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

/// The name checks every rename makes, as Linux's do_renameat2: dot entries can be
/// neither renamed (EBUSY) nor renamed over (EBUSY, or EEXIST with RENAME_NOREPLACE).
pub fn check_rename_names(old: &[u8], new: &[u8], flags: u32) -> KResult<()> {
    const RENAME_NOREPLACE: u32 = 1;

    if is_dot(old) {
        return Err(Errno::EBUSY);
    }
    if is_dot(new) {
        let noreplace = flags & RENAME_NOREPLACE != 0;
        return Err(if noreplace {
            Errno::EEXIST
        } else {
            Errno::EBUSY
        });
    }
    check_name(old)?;
    check_name(new)
}

/// The type bits of an inode's mode (`S_IFMT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A regular file (`S_IFREG`).
    Regular,
    /// A directory (`S_IFDIR`).
    Directory,
    /// A symbolic link (`S_IFLNK`).
    Symlink,
    /// A character device (`S_IFCHR`).
    CharDevice,
    /// A block device (`S_IFBLK`).
    BlockDevice,
    /// A named pipe (`S_IFIFO`).
    Fifo,
    /// A Unix socket (`S_IFSOCK`).
    Socket,
}

impl FileType {
    /// The `S_IFMT` bits for this type.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Fifo => 0o010000,
            FileType::CharDevice => 0o020000,
            FileType::Directory => 0o040000,
            FileType::BlockDevice => 0o060000,
            FileType::Regular => 0o100000,
            FileType::Symlink => 0o120000,
            FileType::Socket => 0o140000,
        }
    }

    /// The type named by the `S_IFMT` bits of `mode`, if any.
    pub fn from_mode(mode: u32) -> Option<FileType> {
        Some(match mode & 0o170000 {
            0o010000 => FileType::Fifo,
            0o020000 => FileType::CharDevice,
            0o040000 => FileType::Directory,
            0o060000 => FileType::BlockDevice,
            0o100000 => FileType::Regular,
            0o120000 => FileType::Symlink,
            0o140000 => FileType::Socket,
            _ => return None,
        })
    }

    /// The `d_type` value getdents64 reports (`DT_REG` and friends).
    pub fn dirent_type(self) -> u8 {
        match self {
            FileType::Fifo => 1,
            FileType::CharDevice => 2,
            FileType::Directory => 4,
            FileType::BlockDevice => 6,
            FileType::Regular => 8,
            FileType::Symlink => 10,
            FileType::Socket => 12,
        }
    }
}

/// A point in time as the stat family reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timespec {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Nanoseconds within the second.
    pub nsec: i64,
}

/// What `stat` reports about an inode; the syscall layer fills the guest's layout from it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stat {
    /// Device number of the file system holding the inode.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Type and permission bits (`st_mode`).
    pub mode: u32,
    /// Hard link count.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number for character and block devices.
    pub rdev: u64,
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// Allocated 512-byte sectors.
    pub blocks: u64,
    /// Last access.
    pub atime: Timespec,
    /// Last modification of the contents.
    pub mtime: Timespec,
    /// Last change of the inode.
    pub ctime: Timespec,
}

/// One directory entry, as `Inode::read_dir` yields it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Inode number of the entry.
    pub ino: u64,
    /// The entry's type, when the file system records it.
    pub file_type: Option<FileType>,
    /// The name, without a terminating NUL.
    pub name: Vec<u8>,
}

/// File-system-wide figures for `statfs`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsStats {
    /// The file system's magic number (`EXT2_SUPER_MAGIC` = 0xEF53).
    pub fs_type: u64,
    /// Block size in bytes.
    pub block_size: u64,
    /// Total data blocks.
    pub blocks: u64,
    /// Free blocks.
    pub blocks_free: u64,
    /// Free blocks available to unprivileged users.
    pub blocks_avail: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub files_free: u64,
    /// Longest file name.
    pub name_max: u64,
}

/// Attribute changes for [`Inode::set_attr`]: `None` leaves a field alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct SetAttr {
    /// New permission bits (the type bits are kept).
    pub mode: Option<u32>,
    /// New owner.
    pub uid: Option<u32>,
    /// New group.
    pub gid: Option<u32>,
    /// New size: truncate or extend with zeros.
    pub size: Option<u64>,
    /// New access time.
    pub atime: Option<Timespec>,
    /// New modification time.
    pub mtime: Option<Timespec>,
    /// New change time (set by the VFS on every change, as Linux's `inode_set_ctime`).
    pub ctime: Option<Timespec>,
}

/// Who creates a new inode and with what mode, for the create calls.
#[derive(Clone, Copy, Debug)]
pub struct NewInode {
    /// Type and permission bits, umask already applied.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number for device nodes, else 0.
    pub rdev: u64,
    /// The creation time for atime, mtime and ctime.
    pub now: Timespec,
}

/// An inode of some file system.
///
/// Operations a file system does not support return the errno Linux returns for them
/// (for example EROFS for writes on a read-only mount, ENOTDIR for `lookup` on a file).
pub trait Inode: Send + Sync {
    /// The inode's metadata.
    fn stat(&self) -> KResult<Stat>;

    /// The inode's type.
    fn file_type(&self) -> FileType;

    /// Reads at byte offset `off` into `buf`; returns the bytes read, 0 at end of file.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize>;

    /// Writes `buf` at byte offset `off`; returns the bytes written.
    fn write_at(&self, _off: u64, _buf: &[u8]) -> KResult<usize> {
        Err(Errno::EROFS)
    }

    /// Finds `name` in this directory; ENOTDIR when this is not a directory, ENOENT when
    /// there is no such entry.
    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>>;

    /// The directory entry at position `pos` and the position of the next one, or `None`
    /// at the end. Positions are opaque cookies the file system chooses (getdents64 hands
    /// them to the guest as `d_off`); 0 is the first entry.
    fn read_dir(&self, pos: u64) -> KResult<Option<(DirEntry, u64)>>;

    /// The target of a symbolic link; EINVAL when this is not a symlink.
    fn read_link(&self) -> KResult<Vec<u8>>;

    /// Creates a non-directory inode (regular file, device node, fifo, socket) named
    /// `name` in this directory; EEXIST if the name is taken.
    fn create(&self, _name: &[u8], _new: NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EROFS)
    }

    /// Creates a regular file with no name and no links in this directory (open(2)'s
    /// O_TMPFILE), freed when its last user lets go; EOPNOTSUPP on a file system without
    /// such files, as Linux's vfs_tmpfile.
    fn tmpfile(&self, _new: NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EOPNOTSUPP)
    }

    /// Creates a directory named `name` in this directory.
    fn mkdir(&self, _name: &[u8], _new: NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EROFS)
    }

    /// Creates a symbolic link `name` → `target` in this directory.
    fn symlink(&self, _name: &[u8], _target: &[u8], _new: NewInode) -> KResult<Arc<dyn Inode>> {
        Err(Errno::EROFS)
    }

    /// Adds a hard link `name` in this directory to `target`; EXDEV when `target` is on
    /// another file system, EPERM for a directory.
    fn link(&self, _name: &[u8], _target: &Arc<dyn Inode>) -> KResult<()> {
        Err(Errno::EROFS)
    }

    /// Removes the non-directory entry `name`; EISDIR for a directory.
    fn unlink(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EROFS)
    }

    /// Removes the empty directory `name`; ENOTEMPTY when it is not empty.
    fn rmdir(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EROFS)
    }

    /// Moves entry `old_name` of this directory to `new_name` in `new_dir`, replacing
    /// what is there as rename(2) allows. `flags` are renameat2's RENAME_NOREPLACE (1)
    /// and RENAME_EXCHANGE (2). EXDEV across file systems.
    fn rename(
        &self,
        _old_name: &[u8],
        _new_dir: &Arc<dyn Inode>,
        _new_name: &[u8],
        _flags: u32,
    ) -> KResult<()> {
        Err(Errno::EROFS)
    }

    /// Changes attributes (chmod, chown, truncate, utimensat).
    fn set_attr(&self, _attr: SetAttr) -> KResult<()> {
        Err(Errno::EROFS)
    }

    /// Writes this inode's dirty data and metadata to its device (fsync).
    fn sync(&self) -> KResult<()> {
        Ok(())
    }

    /// The concrete type, for a file system to recognise its own inodes (link, rename).
    fn as_any(&self) -> &dyn Any;
}

/// A mounted file system.
pub trait FileSystem: Send + Sync {
    /// The root directory.
    fn root(&self) -> Arc<dyn Inode>;

    /// Figures for statfs.
    fn stats(&self) -> FsStats;

    /// The name `/proc/mounts` shows (`ext2`).
    fn type_name(&self) -> &'static str;

    /// Writes back everything dirty.
    fn sync(&self) -> KResult<()> {
        Ok(())
    }
}
