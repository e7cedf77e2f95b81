//! The name space: creating, linking, renaming and removing names, and changing what
//! an inode says about itself (mode, owner, times, size).

use std::sync::atomic::Ordering;

use super::fs::{resolve_at, resolve_parent_at};
use super::{Args, Ctx};
use crate::cred::{MAY_EXEC, MAY_WRITE};
use crate::errno::{Errno, KResult};
use crate::fs::vfs::Location;
use crate::fs::{FileType, NewInode, SetAttr, Timespec};

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_REMOVEDIR: u64 = 0x200;
const AT_SYMLINK_FOLLOW: u64 = 0x400;
const AT_EMPTY_PATH: u64 = 0x1000;

/// The sticky bit: in such a directory only a file's owner may remove or rename it.
const S_ISVTX: u32 = 0o1000;

fn fd_arg(v: u64) -> i32 {
    v as i32
}

/// The current time as an inode timestamp.
pub fn now() -> Timespec {
    let ns = arch_um::host::realtime_ns();
    Timespec {
        sec: (ns / 1_000_000_000) as i64,
        nsec: (ns % 1_000_000_000) as i64,
    }
}

/// An attribute change that only sets ctime to now (the base of every change).
pub fn now_attr() -> SetAttr {
    SetAttr {
        ctime: Some(now()),
        ..SetAttr::default()
    }
}

/// Checks that the caller may add or remove names in `dir`.
fn may_change_dir(cx: &Ctx, dir: &Location) -> KResult<()> {
    let st = dir.inode().stat()?;
    cx.task.process.creds.lock().may(&st, MAY_WRITE | MAY_EXEC)
}

/// Checks the sticky-bit rule for removing `victim_uid`'s entry from `dir`.
fn may_delete(cx: &Ctx, dir: &Location, victim_uid: u32) -> KResult<()> {
    may_change_dir(cx, dir)?;
    let st = dir.inode().stat()?;
    let creds = cx.task.process.creds.lock();
    if st.mode & S_ISVTX != 0 && !creds.owns(victim_uid) && creds.fsuid != st.uid {
        return Err(Errno::EPERM);
    }
    Ok(())
}

fn new_inode(cx: &Ctx, mode: u32, rdev: u64) -> NewInode {
    let umask = cx.task.process.umask.load(Ordering::Relaxed);
    let creds = cx.task.process.creds.lock();
    let perm = mode & 0o7777 & !umask;
    NewInode {
        mode: (mode & 0o170000) | perm,
        uid: creds.fsuid,
        gid: creds.fsgid,
        rdev,
        now: now(),
    }
}

/// Creates a non-directory node at `path` (mknod) and returns where.
pub fn create_at(cx: &Ctx, dirfd: i32, path: &[u8], mode: u32, rdev: u64) -> KResult<Location> {
    let (dir, name) = resolve_parent_at(cx, dirfd, path)?;
    create_in(cx, &dir, &name, mode, rdev)
}

/// Creates a non-directory node named `name` in `dir` (open's O_CREAT, mknod) and
/// returns where.
pub fn create_in(cx: &Ctx, dir: &Location, name: &[u8], mode: u32, rdev: u64) -> KResult<Location> {
    if name.is_empty() || name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    may_change_dir(cx, dir)?;

    let inode = dir.inode().create(name, new_inode(cx, mode, rdev))?;
    Ok(dir.child(name, inode))
}

/// Makes an unnamed regular file for open(2)'s O_TMPFILE in the directory `dir`, which
/// the caller must be allowed to change, as Linux's vfs_tmpfile.
pub fn create_unnamed_in(cx: &Ctx, dir: &Location, mode: u32) -> KResult<Location> {
    may_change_dir(cx, dir)?;

    let mode = FileType::Regular.mode_bits() | (mode & 0o7777);
    let inode = dir.inode().tmpfile(new_inode(cx, mode, 0))?;
    // Linux's d_path shows such a file as "#ino" in its directory.
    let name = format!("#{}", inode.stat()?.ino);
    Ok(dir.child(name.as_bytes(), inode))
}

/// mkdir(2).
pub fn sys_mkdir(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    mkdir_at(cx, AT_FDCWD, a[0], a[1] as u32)
}

/// mkdirat(2).
pub fn sys_mkdirat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    mkdir_at(cx, fd_arg(a[0]), a[1], a[2] as u32)
}

fn mkdir_at(cx: &Ctx, dirfd: i32, path: u64, mode: u32) -> KResult<i64> {
    let path = cx.read_path(path)?;
    let (dir, name) = resolve_parent_at(cx, dirfd, &path)?;
    if name.is_empty() || name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    may_change_dir(cx, &dir)?;

    let mode = FileType::Directory.mode_bits() | (mode & 0o1777);
    dir.inode().mkdir(&name, new_inode(cx, mode, 0))?;
    Ok(0)
}

/// mknod(2).
pub fn sys_mknod(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    mknod_at(cx, AT_FDCWD, a[0], a[1] as u32, a[2])
}

/// mknodat(2).
pub fn sys_mknodat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    mknod_at(cx, fd_arg(a[0]), a[1], a[2] as u32, a[3])
}

fn mknod_at(cx: &Ctx, dirfd: i32, path: u64, mode: u32, dev: u64) -> KResult<i64> {
    let path = cx.read_path(path)?;
    let ty = match FileType::from_mode(mode) {
        None if mode & 0o170000 == 0 => FileType::Regular,
        Some(t @ (FileType::Regular | FileType::Fifo | FileType::Socket)) => t,
        Some(t @ (FileType::CharDevice | FileType::BlockDevice)) => {
            if !cx.task.process.creds.lock().is_root() {
                return Err(Errno::EPERM);
            }
            t
        }
        // Directories are made by mkdir only.
        Some(FileType::Directory) => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };

    // The device number arrives in the old 16-bit-friendly encoding of dev_t.
    let (major, minor) = (
        ((dev >> 8) & 0xfff) as u32,
        ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32,
    );
    let rdev = crate::device::mkdev(major, minor);
    create_at(cx, dirfd, &path, ty.mode_bits() | (mode & 0o7777), rdev)?;
    Ok(0)
}

/// symlink(2).
pub fn sys_symlink(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    symlink_at(cx, a[0], AT_FDCWD, a[1])
}

/// symlinkat(2).
pub fn sys_symlinkat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    symlink_at(cx, a[0], fd_arg(a[1]), a[2])
}

fn symlink_at(cx: &Ctx, target: u64, dirfd: i32, path: u64) -> KResult<i64> {
    let target = cx.read_path(target)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let path = cx.read_path(path)?;
    let (dir, name) = resolve_parent_at(cx, dirfd, &path)?;
    may_change_dir(cx, &dir)?;

    let mode = FileType::Symlink.mode_bits() | 0o777;
    let mut new = new_inode(cx, mode, 0);
    new.mode = mode;
    dir.inode().symlink(&name, &target, new)?;
    Ok(0)
}

/// link(2).
pub fn sys_link(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    link_at(cx, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

/// linkat(2).
pub fn sys_linkat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    link_at(cx, fd_arg(a[0]), a[1], fd_arg(a[2]), a[3], a[4])
}

fn link_at(cx: &Ctx, olddir: i32, old: u64, newdir: i32, new: u64, flags: u64) -> KResult<i64> {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = cx.read_path(old)?;
    let new = cx.read_path(new)?;

    // Gap: AT_EMPTY_PATH (an empty `old` naming `olddir` itself) gives ENOENT, and so
    // does a /proc/self/fd link to an O_TMPFILE file (not a magic link here); file
    // systems refuse links to an inode with none left, so such a file stays unnamed.
    let target = resolve_at(cx, olddir, &old, flags & AT_SYMLINK_FOLLOW != 0)?;
    if target.inode().file_type() == FileType::Directory {
        return Err(Errno::EPERM);
    }
    let (dir, name) = resolve_parent_at(cx, newdir, &new)?;
    may_change_dir(cx, &dir)?;
    dir.inode().link(&name, target.inode())?;
    Ok(0)
}

/// unlink(2).
pub fn sys_unlink(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    remove_at(cx, AT_FDCWD, a[0], false)
}

/// rmdir(2).
pub fn sys_rmdir(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    remove_at(cx, AT_FDCWD, a[0], true)
}

/// unlinkat(2).
pub fn sys_unlinkat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[2] & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    remove_at(cx, fd_arg(a[0]), a[1], a[2] & AT_REMOVEDIR != 0)
}

fn remove_at(cx: &Ctx, dirfd: i32, path: u64, dir_wanted: bool) -> KResult<i64> {
    let path = cx.read_path(path)?;
    // A path that is only slashes names the root, which is no entry of a directory.
    if !path.is_empty() && path.iter().all(|&c| c == b'/') {
        return Err(if dir_wanted {
            Errno::EBUSY
        } else {
            Errno::EISDIR
        });
    }
    let (dir, name) = resolve_parent_at(cx, dirfd, &path)?;
    // A last component that is no name ("." or ".."): Linux's answers by call.
    let not_a_name = match name.as_slice() {
        b"." => Some(if dir_wanted {
            Errno::EINVAL
        } else {
            Errno::EISDIR
        }),
        b".." => Some(if dir_wanted {
            Errno::ENOTEMPTY
        } else {
            Errno::EISDIR
        }),
        _ => None,
    };
    if let Some(e) = not_a_name {
        return Err(e);
    }

    let victim = dir.inode().lookup(&name)?;
    may_delete(cx, &dir, victim.stat()?.uid)?;
    if cx.k.vfs.is_mount_point(&dir, &name) {
        return Err(Errno::EBUSY);
    }
    if dir_wanted {
        dir.inode().rmdir(&name)?;
    } else {
        dir.inode().unlink(&name)?;
    }
    Ok(0)
}

/// rename(2).
pub fn sys_rename(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    rename_at(cx, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

/// renameat(2).
pub fn sys_renameat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    rename_at(cx, fd_arg(a[0]), a[1], fd_arg(a[2]), a[3], 0)
}

/// renameat2(2): RENAME_NOREPLACE and RENAME_EXCHANGE; RENAME_WHITEOUT is refused.
pub fn sys_renameat2(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const RENAME_NOREPLACE: u64 = 1;
    const RENAME_EXCHANGE: u64 = 2;

    let flags = a[4];
    if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0 || flags == 3 {
        return Err(Errno::EINVAL);
    }
    rename_at(cx, fd_arg(a[0]), a[1], fd_arg(a[2]), a[3], flags as u32)
}

fn rename_at(cx: &Ctx, olddir: i32, old: u64, newdir: i32, new: u64, flags: u32) -> KResult<i64> {
    let old = cx.read_path(old)?;
    let new = cx.read_path(new)?;
    let (odir, oname) = resolve_parent_at(cx, olddir, &old)?;
    let (ndir, nname) = resolve_parent_at(cx, newdir, &new)?;
    for n in [&oname, &nname] {
        if n.as_slice() == b"." || n.as_slice() == b".." || n.is_empty() {
            return Err(Errno::EBUSY);
        }
    }

    let victim = odir.inode().lookup(&oname)?;
    may_delete(cx, &odir, victim.stat()?.uid)?;
    may_change_dir(cx, &ndir)?;
    if cx.k.vfs.is_mount_point(&odir, &oname) || cx.k.vfs.is_mount_point(&ndir, &nname) {
        return Err(Errno::EBUSY);
    }
    odir.inode().rename(&oname, ndir.inode(), &nname, flags)?;
    Ok(0)
}

// ---- attributes ----

fn attr_target(cx: &Ctx, dirfd: i32, path: u64, flags: u64) -> KResult<Location> {
    let path = cx.read_path(path)?;
    if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        return fd_location(cx, dirfd);
    }
    resolve_at(cx, dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)
}

fn fd_location(cx: &Ctx, fd: i32) -> KResult<Location> {
    if fd == AT_FDCWD {
        return Ok(cx.task.process.cwd.lock().clone());
    }
    let f = cx.task.process.files.lock().get(fd)?;
    let mut loc = f.location.clone();
    loc.set_inode(f.inode.clone());
    Ok(loc)
}

fn chmod_loc(cx: &Ctx, loc: &Location, mode: u32) -> KResult<i64> {
    let st = loc.inode().stat()?;
    let creds = cx.task.process.creds.lock().clone();
    if !creds.owns(st.uid) {
        return Err(Errno::EPERM);
    }

    // A non-root owner outside the file's group loses set-group-id, as Linux.
    let mut mode = mode & 0o7777;
    if !creds.is_root() && !creds.in_group(st.gid) {
        mode &= !0o2000;
    }
    loc.inode().set_attr(SetAttr {
        mode: Some(mode),
        ..now_attr()
    })?;
    Ok(0)
}

/// chmod(2).
pub fn sys_chmod(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = attr_target(cx, AT_FDCWD, a[0], 0)?;
    chmod_loc(cx, &loc, a[1] as u32)
}

/// fchmod(2).
pub fn sys_fchmod(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = fd_location(cx, fd_arg(a[0]))?;
    chmod_loc(cx, &loc, a[1] as u32)
}

/// fchmodat(2).
pub fn sys_fchmodat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = attr_target(cx, fd_arg(a[0]), a[1], 0)?;
    chmod_loc(cx, &loc, a[2] as u32)
}

fn chown_loc(cx: &Ctx, loc: &Location, uid: u32, gid: u32) -> KResult<i64> {
    let st = loc.inode().stat()?;
    let creds = cx.task.process.creds.lock().clone();
    let uid = (uid != u32::MAX).then_some(uid);
    let gid = (gid != u32::MAX).then_some(gid);

    // Only root gives files away; an owner may change the group to one of its own.
    let changes_owner = uid.is_some_and(|u| u != st.uid);
    let group_ok = gid.is_none_or(|g| g == st.gid || creds.in_group(g));
    if !creds.is_root() && (changes_owner || !creds.owns(st.uid) || !group_ok) {
        return Err(Errno::EPERM);
    }

    // A change of owner clears set-user-id and set-group-id on non-directories.
    let mut attr = SetAttr {
        uid,
        gid,
        ..now_attr()
    };
    if FileType::from_mode(st.mode) != Some(FileType::Directory) && st.mode & 0o6000 != 0 {
        attr.mode = Some(st.mode & 0o1777);
    }
    loc.inode().set_attr(attr)?;
    Ok(0)
}

/// chown(2).
pub fn sys_chown(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = attr_target(cx, AT_FDCWD, a[0], 0)?;
    chown_loc(cx, &loc, a[1] as u32, a[2] as u32)
}

/// lchown(2).
pub fn sys_lchown(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = attr_target(cx, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW)?;
    chown_loc(cx, &loc, a[1] as u32, a[2] as u32)
}

/// fchown(2).
pub fn sys_fchown(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let loc = fd_location(cx, fd_arg(a[0]))?;
    chown_loc(cx, &loc, a[1] as u32, a[2] as u32)
}

/// fchownat(2).
pub fn sys_fchownat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[4] & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let loc = attr_target(cx, fd_arg(a[0]), a[1], a[4])?;
    chown_loc(cx, &loc, a[2] as u32, a[3] as u32)
}

/// utimensat(2): UTIME_NOW and UTIME_OMIT as Linux; a NULL path with a descriptor is
/// futimens.
pub fn sys_utimensat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;

    let (dirfd, path, times, flags) = (fd_arg(a[0]), a[1], a[2], a[3]);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let loc = if path == 0 {
        fd_location(cx, dirfd)?
    } else {
        attr_target(cx, dirfd, path, flags)?
    };

    let now = now();
    let mut set = [Some(now), Some(now)];
    let mut explicit = false;
    if times != 0 {
        let b = cx.read_bytes(times, 32)?;
        for (i, slot) in set.iter_mut().enumerate() {
            let sec = i64::from_le_bytes(b[i * 16..i * 16 + 8].try_into().unwrap_or_default());
            let nsec =
                i64::from_le_bytes(b[i * 16 + 8..i * 16 + 16].try_into().unwrap_or_default());
            *slot = match nsec {
                UTIME_OMIT => None,
                UTIME_NOW => Some(now),
                n if (0..1_000_000_000).contains(&n) => {
                    explicit = true;
                    Some(Timespec { sec, nsec: n })
                }
                _ => return Err(Errno::EINVAL),
            };
        }
    }

    // Explicit times need ownership; "now" is also allowed with write permission.
    let st = loc.inode().stat()?;
    let creds = cx.task.process.creds.lock().clone();
    if !creds.owns(st.uid) && (explicit || creds.may(&st, MAY_WRITE).is_err()) {
        return Err(if explicit {
            Errno::EPERM
        } else {
            Errno::EACCES
        });
    }
    loc.inode().set_attr(SetAttr {
        atime: set[0],
        mtime: set[1],
        ..now_attr()
    })?;
    Ok(0)
}

/// truncate(2).
pub fn sys_truncate(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let loc = resolve_at(cx, AT_FDCWD, &path, true)?;
    let st = loc.inode().stat()?;
    cx.task.process.creds.lock().may(&st, MAY_WRITE)?;
    truncate_loc(cx, &loc, a[1] as i64)
}

/// ftruncate(2).
pub fn sys_ftruncate(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = cx.task.process.files.lock().get(fd_arg(a[0]))?;
    if !f.writable() {
        return Err(Errno::EINVAL);
    }
    let mut loc = f.location.clone();
    loc.set_inode(f.inode.clone());
    truncate_loc(cx, &loc, a[1] as i64)
}

fn truncate_loc(cx: &Ctx, loc: &Location, len: i64) -> KResult<i64> {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    match loc.inode().file_type() {
        FileType::Directory => return Err(Errno::EISDIR),
        FileType::Regular => {}
        _ => return Err(Errno::EINVAL),
    }
    let t = now();
    let attr = SetAttr {
        size: Some(len as u64),
        mtime: Some(t),
        ctime: Some(t),
        ..Default::default()
    };
    cx.k.mem
        .resize_file(loc.inode(), || loc.inode().set_attr(attr))?;
    Ok(0)
}

// ---- durability ----

/// fsync(2) and fdatasync(2).
pub fn sys_fsync(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = cx.task.process.files.lock().get(fd_arg(a[0]))?;
    // Pages shared mappings changed go to the file first.
    cx.k.mem.write_back_file(&f.inode)?;
    f.inode.sync()?;
    Ok(0)
}

/// sync(2): every mounted file system.
pub fn sys_sync(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    // Pages shared mappings changed go to their files first.
    let _ = cx.k.mem.write_back_all();
    let _ = cx.k.vfs.root_fs().sync();
    for m in cx.k.vfs.mounts() {
        let _ = m.fs.sync();
    }
    Ok(0)
}

/// syncfs(2): the descriptor's file system; all of them, for simplicity and safety.
pub fn sys_syncfs(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.task.process.files.lock().get(fd_arg(a[0]))?;
    sys_sync(cx, a)
}

/// chroot(2).
pub fn sys_chroot(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let loc = resolve_at(cx, AT_FDCWD, &path, true)?;
    if loc.inode().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if !cx.task.process.creds.lock().is_root() {
        return Err(Errno::EPERM);
    }
    *cx.task.process.root.lock() = loc;
    Ok(0)
}
