//! Mounting: mount, umount2, statfs and fstatfs.

use std::sync::Arc;

use super::fs::resolve_at;
use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::fs::vfs::Location;
use crate::fs::{FileSystem, FileType, FsStats};

const AT_FDCWD: i32 = -100;
/// mount(2) flags that only change an existing mount, which is accepted and ignored.
const MS_REMOUNT: u64 = 0x20;
const MS_BIND: u64 = 0x1000;
const MNT_FORCE: u64 = 1;
const MNT_DETACH: u64 = 2;
const MNT_EXPIRE: u64 = 4;
const UMOUNT_NOFOLLOW: u64 = 8;

/// mount(2): the kernel's own file systems (proc, sysfs, devtmpfs, tmpfs).
pub fn sys_mount(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (source, target, fstype, flags) = (a[0], a[1], a[2], a[3]);
    if !cx.task.process.creds.lock().is_root() {
        return Err(Errno::EPERM);
    }

    let target = cx.read_path(target)?;
    let loc = resolve_at(cx, AT_FDCWD, &target, true)?;
    if loc.inode().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if flags & MS_REMOUNT != 0 {
        return Ok(0);
    }
    if flags & MS_BIND != 0 {
        return Err(Errno::EINVAL);
    }

    let fstype = cx.read_bytes_upto_nul(fstype, 64)?;
    let source = if source != 0 {
        cx.read_bytes_upto_nul(source, 256)?
    } else {
        fstype.clone()
    };
    let fs = cx.k.new_fs(&fstype)?;
    cx.k.vfs.mount(&loc.path(), fs, &source);
    log::info!(
        "mount: {} on {}",
        String::from_utf8_lossy(&fstype),
        String::from_utf8_lossy(&loc.path())
    );
    Ok(0)
}

/// umount2(2).
pub fn sys_umount2(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let flags = a[1];
    if flags & !(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    if !cx.task.process.creds.lock().is_root() {
        return Err(Errno::EPERM);
    }

    let path = cx.read_path(a[0])?;
    let loc = resolve_at(cx, AT_FDCWD, &path, flags & UMOUNT_NOFOLLOW == 0)?;

    // The root file system is busy while anything runs; `umount -r` then remounts it
    // read-only instead, which the final sync at halt stands for.
    if loc.path() == b"/" {
        return Err(Errno::EBUSY);
    }
    let fs = cx.k.vfs.umount(&loc.path())?;
    // Pages shared mappings changed go to their files first.
    let _ = cx.k.mem.write_back_all();
    fs.sync()?;
    Ok(0)
}

fn statfs_bytes(st: &FsStats) -> [u8; 120] {
    let mut b = [0u8; 120];
    let words = [
        st.fs_type,
        st.block_size,
        st.blocks,
        st.blocks_free,
        st.blocks_avail,
        st.files,
        st.files_free,
        0,
        st.name_max,
        st.block_size,
        0,
    ];
    for (i, w) in words.iter().enumerate() {
        b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    b
}

fn fs_stats(cx: &Ctx, loc: &Location) -> FsStats {
    let fs: Arc<dyn FileSystem> = cx.k.vfs.fs_of(loc);
    fs.stats()
}

/// statfs(2).
pub fn sys_statfs(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let loc = resolve_at(cx, AT_FDCWD, &path, true)?;
    cx.write_bytes(a[1], &statfs_bytes(&fs_stats(cx, &loc)))?;
    Ok(0)
}

/// fstatfs(2).
pub fn sys_fstatfs(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = cx.task.process.files.lock().get(a[0] as i32)?;
    cx.write_bytes(a[1], &statfs_bytes(&fs_stats(cx, &f.location)))?;
    Ok(0)
}
