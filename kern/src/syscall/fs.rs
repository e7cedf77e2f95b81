//! File syscalls: descriptors, reads and writes, paths, stat, directories, ioctl.

use std::sync::Arc;

use super::{Args, Ctx};
use crate::cred::{MAY_READ, MAY_WRITE};
use crate::errno::{Errno, KResult};
use crate::fs::anon::AnonInode;
use crate::fs::file::{self, FileKind, OpenFile};
use crate::fs::vfs::Location;
use crate::fs::{FileType, SetAttr, Stat};
use crate::pipe::{Pipe, PipeEnd, WriteOutcome};
use crate::signal::{self, Restart, SigInfo};

/// `AT_FDCWD`: resolve relative to the working directory.
const AT_FDCWD: i32 = -100;
/// Do not follow a final symlink.
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
/// An empty path names the descriptor itself.
const AT_EMPTY_PATH: u64 = 0x1000;
/// faccessat: check with effective ids.
const AT_EACCESS: u64 = 0x200;

/// Most bytes one read or write moves (Linux's MAX_RW_COUNT).
const MAX_RW_COUNT: usize = 0x7fff_f000;
/// Chunk in which file data is staged between the file system and guest memory.
const RW_CHUNK: usize = 256 << 10;
/// Most entries in a readv/writev vector (UIO_MAXIOV).
const UIO_MAXIOV: u64 = 1024;

fn fd_arg(v: u64) -> i32 {
    v as i32
}

fn file(cx: &Ctx, fd: i32) -> KResult<Arc<OpenFile>> {
    cx.task.process.files.lock().get(fd)
}

/// The location relative paths start from: the working directory or `dirfd`'s.
pub(super) fn start_dir(cx: &Ctx, dirfd: i32) -> KResult<Location> {
    if dirfd == AT_FDCWD {
        return Ok(cx.task.process.cwd.lock().clone());
    }
    let f = file(cx, dirfd)?;
    if !f.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    Ok(f.location.clone())
}

/// Resolves `path` as the calling process sees the tree: from its root and working
/// directory (or `dirfd`), with its search permissions.
pub fn resolve_at(cx: &Ctx, dirfd: i32, path: &[u8], follow: bool) -> KResult<Location> {
    // An empty path is ENOENT whatever dirfd is (AT_EMPTY_PATH is handled before).
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let root = cx.task.process.root.lock().clone();
    let start = if path.first() == Some(&b'/') {
        root.clone()
    } else {
        start_dir(cx, dirfd)?
    };
    let creds = cx.task.process.creds.lock().clone();
    cx.k.vfs
        .resolve_as(&root, &start, path, follow, Some(&creds))
}

/// Resolves the parent directory of `path` and its last component, as the caller sees
/// the tree, and checks that the caller may change that directory.
pub fn resolve_parent_at(cx: &Ctx, dirfd: i32, path: &[u8]) -> KResult<(Location, Vec<u8>)> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let root = cx.task.process.root.lock().clone();
    let start = if path.first() == Some(&b'/') {
        root.clone()
    } else {
        start_dir(cx, dirfd)?
    };
    let creds = cx.task.process.creds.lock().clone();
    let (dir, name) =
        cx.k.vfs
            .resolve_parent_as(&root, &start, path, Some(&creds))?;
    Ok((dir, name))
}

// ---- open and close ----

/// open(2).
pub fn sys_open(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    do_openat(cx, AT_FDCWD, a[0], a[1] as u32, a[2] as u32)
}

/// openat(2).
pub fn sys_openat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    do_openat(cx, fd_arg(a[0]), a[1], a[2] as u32, a[3] as u32)
}

/// creat(2): open with O_CREAT|O_WRONLY|O_TRUNC.
pub fn sys_creat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let flags = file::O_CREAT | file::O_WRONLY | file::O_TRUNC;
    do_openat(cx, AT_FDCWD, a[0], flags, a[1] as u32)
}

fn do_openat(cx: &mut Ctx, dirfd: i32, path_addr: u64, flags: u32, mode: u32) -> KResult<i64> {
    // open(2) drops what O_PATH does not take (O_CREAT, O_TMPFILE...), as Linux's
    // build_open_how; openat2 would refuse them.
    let flags = if flags & file::O_PATH != 0 {
        flags & (file::O_PATH | file::O_DIRECTORY | file::O_NOFOLLOW | file::O_CLOEXEC)
    } else {
        flags
    };
    check_open_flags(flags)?;
    let path = cx.read_path(path_addr)?;

    let f = if flags & file::O_TMPFILE_BIT != 0 {
        open_tmpfile_at(cx, dirfd, &path, flags, mode)?
    } else {
        let (loc, created) = if flags & file::O_CREAT != 0 {
            create_or_find_at(cx, dirfd, &path, flags, mode)?
        } else {
            let follow = flags & file::O_NOFOLLOW == 0;
            (resolve_at(cx, dirfd, &path, follow)?, false)
        };
        if loc.inode().file_type() == FileType::Fifo && flags & file::O_PATH == 0 {
            return open_fifo(cx, loc, flags);
        }
        // Whoever made the file may use it whatever its mode (Linux's FMODE_CREATED).
        open_checked(cx, loc, flags, !created)?
    };

    install_open(cx, f, flags)
}

/// The flag checks of Linux's build_open_flags, made before the path is read.
fn check_open_flags(flags: u32) -> KResult<()> {
    // O_CREAT|O_DIRECTORY once made regular files; since Linux 6.4 it is refused, which
    // also keeps O_CREAT away from O_TMPFILE (which holds O_DIRECTORY).
    let creat_dir = file::O_CREAT | file::O_DIRECTORY;
    if flags & creat_dir == creat_dir {
        return Err(Errno::EINVAL);
    }

    // O_TMPFILE is O_DIRECTORY plus a bit of its own, so that a kernel without it opens
    // the directory; both bits must come, with write access.
    if flags & file::O_TMPFILE_BIT != 0 {
        let writes = matches!(flags & file::O_ACCMODE, file::O_WRONLY | file::O_RDWR);
        if flags & file::O_TMPFILE != file::O_TMPFILE || !writes {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

/// Resolves `path` for open(2) with O_CREAT, making a regular file with `mode` where
/// nothing is (the target of a dangling final symlink too); EEXIST with O_EXCL when
/// something is, EISDIR when it is a directory. Says whether it made the file.
fn create_or_find_at(
    cx: &Ctx,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
) -> KResult<(Location, bool)> {
    use crate::fs::vfs::Creation;

    // O_EXCL never follows a final symlink, even a dangling one.
    let excl = flags & file::O_EXCL != 0;
    let follow = flags & file::O_NOFOLLOW == 0 && !excl;
    let root = cx.task.process.root.lock().clone();
    let start = if path.first() == Some(&b'/') {
        root.clone()
    } else {
        start_dir(cx, dirfd)?
    };
    let creds = cx.task.process.creds.lock().clone();

    // Another process may make the name between the look-up and the create; then the
    // look-up runs again and finds it (a few times at most, as it may go again).
    for _ in 0..4 {
        let found =
            cx.k.vfs
                .resolve_creation_as(&root, &start, path, follow, Some(&creds));
        match found? {
            Creation::Exists(_) if excl => return Err(Errno::EEXIST),
            Creation::Exists(loc) if loc.inode().file_type() == FileType::Directory => {
                return Err(Errno::EISDIR);
            }
            Creation::Exists(loc) => return Ok((loc, false)),
            Creation::Missing(dir, name) => {
                let mode = FileType::Regular.mode_bits() | (mode & 0o7777);
                match super::path::create_in(cx, &dir, &name, mode, 0) {
                    Err(Errno::EEXIST) if !excl => continue,
                    other => return other.map(|loc| (loc, true)),
                }
            }
        }
    }
    Err(Errno::EEXIST)
}

/// Opens a new unnamed file for open(2)'s O_TMPFILE in the directory `path` names, as
/// Linux's do_tmpfile: ENOTDIR unless it is a directory, EOPNOTSUPP when its file system
/// has no such files. Its creator may use it whatever its mode, as with O_CREAT.
fn open_tmpfile_at(cx: &Ctx, dirfd: i32, path: &[u8], flags: u32, mode: u32) -> KResult<OpenFile> {
    let dir = resolve_at(cx, dirfd, path, flags & file::O_NOFOLLOW == 0)?;
    if dir.inode().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    let loc = super::path::create_unnamed_in(cx, &dir, mode)?;
    let inode = loc.inode().clone();
    Ok(OpenFile::new(loc, inode, FileKind::Inode, flags))
}

/// Opens a named FIFO: a reader waits for a writer and a writer for a reader, unless
/// O_NONBLOCK (then a lone writer gets ENXIO) or O_RDWR (which never waits). A partner
/// that opens and closes again while the open waits still ends the wait, as Linux's
/// wait_for_partner: it waits for the partners' open count to move.
fn open_fifo(cx: &mut Ctx, loc: Location, flags: u32) -> KResult<i64> {
    let st = loc.inode().stat()?;
    let access = flags & file::O_ACCMODE;
    let mask = match access {
        file::O_RDONLY => MAY_READ,
        file::O_WRONLY => MAY_WRITE,
        _ => MAY_READ | MAY_WRITE,
    };
    cx.task.process.creds.lock().may(&st, mask)?;

    let pipe = cx.k.fifo_pipe(loc.inode())?;
    let nonblock = flags & file::O_NONBLOCK != 0;
    let (write, rdwr) = (access != file::O_RDONLY, access == file::O_RDWR);

    // An open that waited runs again with the end it opened then, which is what lets
    // partners see it (unless the name now leads to another FIFO).
    let end = match cx.task.fifo_end.take() {
        Some(end) if Arc::ptr_eq(&end.pipe, &pipe) => end,
        _ => {
            if nonblock && write && !rdwr && !pipe.has_partner(true) {
                return Err(Errno::ENXIO);
            }
            Arc::new(pipe.open_end(write, rdwr))
        }
    };
    if !nonblock && !rdwr {
        // Registered before the check, so that a partner opening in between wakes us.
        let q = if write {
            &pipe.write_wait
        } else {
            &pipe.read_wait
        };
        q.register(&cx.task.cell);
        if !end.partner_came() {
            cx.task.fifo_end = Some(end);
            return cx.wait(Restart::IfSaRestart);
        }
    }

    let inode = loc.inode().clone();
    let f = OpenFile::new(loc, inode, FileKind::Pipe(end), flags);
    install_open(cx, f, flags)
}

/// Opens the inode at `loc` with `flags`, checking what Linux checks at open.
pub fn open_location(cx: &Ctx, loc: Location, flags: u32) -> KResult<OpenFile> {
    open_checked(cx, loc, flags, true)
}

/// [`open_location`], with the permission check only when `check_access` is set.
fn open_checked(cx: &Ctx, loc: Location, flags: u32, check_access: bool) -> KResult<OpenFile> {
    let inode = loc.inode().clone();
    let ty = inode.file_type();
    let wants_write = matches!(flags & file::O_ACCMODE, file::O_WRONLY | file::O_RDWR)
        || flags & file::O_TRUNC != 0;

    if flags & file::O_PATH != 0 {
        return Ok(OpenFile::new(loc, inode, FileKind::Inode, flags));
    }
    if ty == FileType::Symlink {
        return Err(Errno::ELOOP);
    }
    if flags & file::O_DIRECTORY != 0 && ty != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if flags & file::O_ACCMODE == 3 {
        return Err(Errno::EINVAL);
    }

    let st = inode.stat()?;
    let mut mask = 0;
    if matches!(flags & file::O_ACCMODE, file::O_RDONLY | file::O_RDWR) {
        mask |= MAY_READ;
    }
    if wants_write {
        mask |= MAY_WRITE;
    }
    if check_access {
        cx.task.process.creds.lock().may(&st, mask)?;
    }

    let kind = match ty {
        FileType::CharDevice => {
            let dev = with_caller(cx, |caller| cx.k.devices.open(st.rdev, flags, caller))?;
            FileKind::Char(dev)
        }
        FileType::Directory if wants_write => return Err(Errno::EISDIR),
        FileType::Regular if flags & file::O_TRUNC != 0 && wants_write => {
            cx.k.mem.resize_file(&inode, || {
                inode.set_attr(SetAttr {
                    size: Some(0),
                    ..super::path::now_attr()
                })
            })?;
            FileKind::Inode
        }
        FileType::Regular | FileType::Directory => FileKind::Inode,
        FileType::BlockDevice | FileType::Fifo | FileType::Socket => return Err(Errno::ENXIO),
        FileType::Symlink => return Err(Errno::ELOOP),
    };
    Ok(OpenFile::new(loc, inode, kind, flags))
}

/// Runs `f` with the calling process as a device driver sees it.
fn with_caller<R>(cx: &Ctx, f: impl FnOnce(&crate::device::Caller) -> R) -> R {
    use std::sync::atomic::Ordering::Relaxed;

    let p = &cx.task.process;
    let mm = cx.mm();
    let (uid, gid) = {
        let creds = p.creds.lock();
        (creds.fsuid, creds.fsgid)
    };
    let caller = crate::device::Caller {
        mm: &mm,
        pgid: p.pgid.load(Relaxed),
        sid: p.sid.load(Relaxed),
        pid: p.pid,
        uid,
        gid,
    };
    f(&caller)
}

/// close(2). Closing any descriptor of a file drops the process's locks on it, as
/// POSIX record locks do.
pub fn sys_close(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = cx.task.process.files.lock().close(fd_arg(a[0]))?;
    let key = Arc::as_ptr(&f.inode) as *const () as usize;
    cx.k.locks.of(key).unlock(cx.task.process.pid, 0, u64::MAX);
    Ok(0)
}

// ---- reading and writing ----

/// read(2).
pub fn sys_read(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    read_into_guest(cx, &f, a[1], a[2] as usize, None)
}

/// pread64(2).
pub fn sys_pread64(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    let off = i64::try_from(a[3]).map_err(|_| Errno::EINVAL)?;
    seekable(&f)?;
    read_into_guest(cx, &f, a[1], a[2] as usize, Some(off as u64))
}

/// write(2).
pub fn sys_write(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    write_from_guest(cx, &f, a[1], a[2] as usize, None)
}

/// pwrite64(2).
pub fn sys_pwrite64(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    let off = i64::try_from(a[3]).map_err(|_| Errno::EINVAL)?;
    seekable(&f)?;
    write_from_guest(cx, &f, a[1], a[2] as usize, Some(off as u64))
}

fn seekable(f: &OpenFile) -> KResult<()> {
    match f.kind {
        FileKind::Char(_) | FileKind::Pipe(_) => Err(Errno::ESPIPE),
        FileKind::Inode => Ok(()),
    }
}

/// readv(2).
pub fn sys_readv(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    let iov = read_iovec(cx, a[1], a[2])?;

    // Pipes and devices may wait; a read that waits runs again from the start, so they
    // fill only the first buffer (a short read, which readv allows).
    if !matches!(f.kind, FileKind::Inode) {
        let Some(&(base, len)) = iov.iter().find(|(_, len)| *len > 0) else {
            return Ok(0);
        };
        return read_into_guest(cx, &f, base, len, None);
    }

    let mut total = 0i64;
    for (base, len) in iov {
        let n = match read_into_guest(cx, &f, base, len, None) {
            Ok(n) => n,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        total += n;
        if (n as usize) < len {
            break;
        }
    }
    Ok(total)
}

/// writev(2).
pub fn sys_writev(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    let iov = read_iovec(cx, a[1], a[2])?;

    // Gather first, so that one writev is one write to the device: a console line
    // built by printf arrives whole.
    let mut data = Vec::new();
    for (base, len) in iov {
        data.extend_from_slice(&cx.read_bytes(base, len)?);
    }
    write_bytes(cx, &f, &data, None)
}

fn read_iovec(cx: &Ctx, addr: u64, count: u64) -> KResult<Vec<(u64, usize)>> {
    if count > UIO_MAXIOV {
        return Err(Errno::EINVAL);
    }

    let raw = cx.read_bytes(addr, count as usize * 16)?;
    let mut iov = Vec::with_capacity(count as usize);
    let mut total: u64 = 0;
    for rec in raw.chunks_exact(16) {
        let base = u64::from_le_bytes(rec[..8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(rec[8..].try_into().unwrap_or_default());
        total = total.checked_add(len).ok_or(Errno::EINVAL)?;
        if len > isize::MAX as u64 || total > isize::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        iov.push((base, len as usize));
    }

    // Linux's import_iovec: the whole transfer is at most MAX_RW_COUNT bytes, and the
    // buffers past that are cut short (after the EINVAL checks, which see them whole).
    let mut left = MAX_RW_COUNT;
    for (_, len) in iov.iter_mut() {
        *len = (*len).min(left);
        left -= *len;
    }
    Ok(iov)
}

fn read_into_guest(
    cx: &mut Ctx,
    f: &OpenFile,
    buf: u64,
    count: usize,
    at: Option<u64>,
) -> KResult<i64> {
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    let count = count.min(MAX_RW_COUNT);
    let nonblock = f.flags() & file::O_NONBLOCK != 0;

    match &f.kind {
        FileKind::Char(dev) => {
            if let Some(sig) = background_access(cx, dev.as_ref(), false) {
                return sig;
            }
            // Register before trying, so that input arriving in between wakes us.
            if let (Some(q), false) = (dev.read_wait(), nonblock) {
                q.register(&cx.task.cell);
            }
            let mut data = vec![0; count.min(RW_CHUNK)];
            let got = match dev.read(&mut data, nonblock) {
                Err(Errno::EAGAIN) if !nonblock && dev.read_wait().is_some() => {
                    // A terminal's VTIME bounds the wait; past it the read takes what
                    // there is.
                    let Some(ns) = dev.read_timeout_ns() else {
                        return cx.wait(Restart::IfSaRestart);
                    };
                    let now = crate::printk::uptime_ns();
                    let deadline = *cx.task.deadline_ns.get_or_insert(now.saturating_add(ns));
                    if now < deadline {
                        crate::waitq::Timers::get().wake_at(deadline, &cx.task.cell);
                        return cx.wait(Restart::IfSaRestart);
                    }
                    dev.read_expired(&mut data)
                }
                other => other,
            };
            let n = got?;
            cx.write_bytes(buf, &data[..n])?;
            Ok(n as i64)
        }
        FileKind::Pipe(end) => {
            if !nonblock {
                end.pipe.read_wait.register(&cx.task.cell);
            }
            match end.pipe.read(count) {
                Err(Errno::EAGAIN) if !nonblock => cx.wait(Restart::IfSaRestart),
                Err(e) => Err(e),
                Ok(data) => {
                    // The bytes left the pipe; a bad buffer loses them, as on Linux.
                    cx.write_bytes(buf, &data)?;
                    Ok(data.len() as i64)
                }
            }
        }
        FileKind::Inode if f.is_dir() => Err(Errno::EISDIR),
        FileKind::Inode => read_file(cx, f, buf, count, at),
    }
}

/// Job control: a background process touching its terminal gets SIGTTIN or SIGTTOU
/// sent to its group and waits (the stop takes it), or EIO when it ignores or blocks
/// the signal. `None` when the access may go ahead.
fn background_access(
    cx: &mut Ctx,
    dev: &dyn crate::device::CharDevice,
    write: bool,
) -> Option<KResult<i64>> {
    use std::sync::atomic::Ordering::Relaxed;

    let p = cx.task.process.clone();
    let (pgid, sid) = (p.pgid.load(Relaxed), p.sid.load(Relaxed));
    let sig = dev.background_signal(pgid, sid, write)?;

    let handler = p.sigactions.lock()[sig as usize - 1].handler;
    if handler == 1 || cx.task.sigmask & signal::bit(sig) != 0 {
        return if write { None } else { Some(Err(Errno::EIO)) };
    }
    let info = SigInfo {
        signo: sig,
        code: signal::SI_KERNEL,
        ..SigInfo::default()
    };
    for q in cx.k.processes() {
        if q.pgid.load(Relaxed) == pgid {
            signal::send(&q, info);
        }
    }
    Some(cx.wait(Restart::IfSaRestart))
}

fn read_file(cx: &Ctx, f: &OpenFile, buf: u64, count: usize, at: Option<u64>) -> KResult<i64> {
    let mut pos = f.pos.lock();
    let mut off = at.unwrap_or(*pos);
    let mut done = 0;

    while done < count {
        let mut data = vec![0; (count - done).min(RW_CHUNK)];
        let n = cx.k.mem.read_file(&f.inode, off, &mut data)?;
        if n == 0 {
            break;
        }

        // Only what reached the guest is consumed from the file, as Linux's copy to a
        // buffer that runs into a hole.
        let copied = write_partial(cx, buf + done as u64, &data[..n]);
        done += copied;
        off += copied as u64;
        if copied < n {
            if done == 0 {
                return Err(Errno::EFAULT);
            }
            break;
        }
    }
    if at.is_none() {
        *pos = off;
    }
    Ok(done as i64)
}

/// Copies as much of `data` to guest memory at `addr` as is writable, a page at a time;
/// returns how much went.
fn write_partial(cx: &Ctx, addr: u64, data: &[u8]) -> usize {
    if cx.write_bytes(addr, data).is_ok() {
        return data.len();
    }
    let mut done = 0;
    while done < data.len() {
        let at = addr + done as u64;
        let n = ((4096 - at % 4096) as usize).min(data.len() - done);
        if cx.write_bytes(at, &data[done..done + n]).is_err() {
            break;
        }
        done += n;
    }
    done
}

fn write_from_guest(
    cx: &mut Ctx,
    f: &OpenFile,
    buf: u64,
    count: usize,
    at: Option<u64>,
) -> KResult<i64> {
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    // A sink (/dev/null) takes a write without looking at the buffer, as Linux's.
    if let FileKind::Char(dev) = &f.kind {
        if dev.is_sink() {
            return Ok(count.min(MAX_RW_COUNT) as i64);
        }
    }
    let data = cx.read_bytes(buf, count.min(MAX_RW_COUNT))?;
    write_bytes(cx, f, &data, at)
}

/// Writes `data` to `f`. A pipe write that must wait parks the task; when it runs
/// again, `task.progress` says how much of `data` already went in.
fn write_bytes(cx: &mut Ctx, f: &OpenFile, data: &[u8], at: Option<u64>) -> KResult<i64> {
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    match &f.kind {
        FileKind::Char(dev) => {
            if let Some(r) = background_access(cx, dev.as_ref(), true) {
                return r;
            }
            write_char(cx, f, dev.as_ref(), data)
        }
        FileKind::Pipe(end) => write_pipe(cx, f, end, data),
        FileKind::Inode => {
            // O_APPEND wins over pwrite's offset too, as Linux's generic_write_checks
            // (pwrite(2), BUGS); the file position still moves only for write.
            let mut pos = f.pos.lock();
            let off = match at {
                _ if f.flags() & file::O_APPEND != 0 => f.inode.stat()?.size,
                Some(off) => off,
                None => *pos,
            };
            let old_size = f.inode.stat()?.size;
            let n = f.inode.write_at(off, data)?;
            cx.k.mem.file_written(&f.inode, off, &data[..n], old_size);
            if at.is_none() {
                *pos = off + n as u64;
            }
            Ok(n as i64)
        }
    }
}

/// Writes to a character device. A device that takes part and then has no room (a pty
/// whose other side is not reading) parks the task as a pipe does; `task.progress` says
/// how much of `data` went already when it runs again.
fn write_char(
    cx: &mut Ctx,
    f: &OpenFile,
    dev: &dyn crate::device::CharDevice,
    data: &[u8],
) -> KResult<i64> {
    let nonblock = f.flags() & file::O_NONBLOCK != 0;
    let mut done = cx.task.progress.min(data.len());
    loop {
        if let (Some(q), false) = (dev.write_wait(), nonblock) {
            q.register(&cx.task.cell);
        }
        match dev.write(&data[done..]) {
            Ok(n) if n > 0 && done + n < data.len() => done += n,
            Ok(n) => {
                cx.task.progress = 0;
                return Ok((done + n) as i64);
            }
            Err(Errno::EAGAIN) if dev.write_wait().is_some() && !nonblock => {
                cx.task.progress = done;
                return cx.wait(Restart::IfSaRestart);
            }
            Err(e) => {
                cx.task.progress = 0;
                return if done > 0 { Ok(done as i64) } else { Err(e) };
            }
        }
    }
}

fn write_pipe(cx: &mut Ctx, f: &OpenFile, end: &PipeEnd, data: &[u8]) -> KResult<i64> {
    let nonblock = f.flags() & file::O_NONBLOCK != 0;
    let mut done = cx.task.progress.min(data.len());

    loop {
        if !nonblock {
            end.pipe.write_wait.register(&cx.task.cell);
        }
        match end.pipe.write(&data[done..], data.len()) {
            WriteOutcome::Broken => {
                cx.task.progress = 0;
                let info = SigInfo {
                    signo: signal::SIGPIPE,
                    code: signal::SI_USER,
                    pid: cx.task.process.pid,
                    ..SigInfo::default()
                };
                cx.task.pending.add(info);
                return if done > 0 {
                    Ok(done as i64)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            WriteOutcome::Wrote(n) => {
                done += n;
                if done == data.len() {
                    cx.task.progress = 0;
                    return Ok(done as i64);
                }
            }
            WriteOutcome::Full if nonblock => {
                return if done > 0 {
                    Ok(done as i64)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            WriteOutcome::Full => {
                cx.task.progress = done;
                return cx.wait(Restart::IfSaRestart);
            }
        }
    }
}

/// sendfile(2): copies between descriptors through a kernel buffer.
pub fn sys_sendfile(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (out_fd, in_fd, off_ptr, count) = (fd_arg(a[0]), fd_arg(a[1]), a[2], a[3] as usize);
    let out = file(cx, out_fd)?;
    let inp = file(cx, in_fd)?;
    if !out.writable() || !inp.readable() {
        return Err(Errno::EBADF);
    }
    if !matches!(inp.kind, FileKind::Inode) || inp.is_dir() {
        return Err(Errno::EINVAL);
    }

    let explicit = if off_ptr != 0 {
        let off = cx.read_u64(off_ptr)? as i64;
        if off < 0 {
            return Err(Errno::EINVAL);
        }
        Some(off as u64)
    } else {
        None
    };

    let mut off = explicit.unwrap_or_else(|| *inp.pos.lock());
    let mut done = 0usize;
    let count = count.min(MAX_RW_COUNT);
    while done < count {
        let mut data = vec![0; (count - done).min(RW_CHUNK)];
        let n = cx.k.mem.read_file(&inp.inode, off, &mut data)?;
        if n == 0 {
            break;
        }

        let w = match write_bytes(cx, &out, &data[..n], None) {
            Ok(w) => w as usize,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += w;
        off += w as u64;
        if w < n {
            break;
        }
    }

    match explicit {
        Some(_) => cx.write_bytes(off_ptr, &off.to_le_bytes())?,
        None => *inp.pos.lock() = off,
    }
    Ok(done as i64)
}

/// lseek(2).
pub fn sys_lseek(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const SEEK_SET: u64 = 0;
    const SEEK_CUR: u64 = 1;
    const SEEK_END: u64 = 2;

    let f = file(cx, fd_arg(a[0]))?;
    let (off, whence) = (a[1] as i64, a[2]);
    if let FileKind::Pipe(_) = f.kind {
        return Err(Errno::ESPIPE);
    }
    if let FileKind::Char(_) = f.kind {
        // Memory devices accept any seek and stay where they are; the console is a tty.
        let is_tty = f.inode.stat()?.rdev >> 8 == 5;
        return if is_tty { Err(Errno::ESPIPE) } else { Ok(0) };
    }

    const SEEK_DATA: u64 = 3;
    const SEEK_HOLE: u64 = 4;

    let mut pos = f.pos.lock();
    if whence == SEEK_DATA || whence == SEEK_HOLE {
        // Holes are not tracked: all of a file is data, and its end is the one hole.
        let size = f.inode.stat()?.size as i64;
        if off < 0 || off >= size {
            return Err(Errno::ENXIO);
        }
        let at = if whence == SEEK_DATA { off } else { size };
        *pos = at as u64;
        return Ok(at);
    }
    let base = match whence {
        SEEK_SET => 0,
        SEEK_CUR => *pos as i64,
        SEEK_END => f.inode.stat()?.size as i64,
        _ => return Err(Errno::EINVAL),
    };
    let new = base
        .checked_add(off)
        .filter(|&p| p >= 0)
        .ok_or(Errno::EINVAL)?;
    *pos = new as u64;
    Ok(new)
}

// ---- descriptors ----

/// dup(2).
pub fn sys_dup(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let mut files = cx.task.process.files.lock();
    let f = files.get(fd_arg(a[0]))?;
    Ok(files.install(0, f, false)? as i64)
}

/// dup2(2).
pub fn sys_dup2(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (old, new) = (fd_arg(a[0]), fd_arg(a[1]));
    let mut files = cx.task.process.files.lock();
    let f = files.get(old)?;
    if old == new {
        return Ok(new as i64);
    }
    install_at(&mut files, new, f, false)
}

/// dup3(2).
pub fn sys_dup3(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (old, new, flags) = (fd_arg(a[0]), fd_arg(a[1]), a[2] as u32);
    if flags & !file::O_CLOEXEC != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    let mut files = cx.task.process.files.lock();
    let f = files.get(old)?;
    install_at(&mut files, new, f, flags & file::O_CLOEXEC != 0)
}

fn install_at(files: &mut file::FdTable, fd: i32, f: Arc<OpenFile>, cloexec: bool) -> KResult<i64> {
    let slot = usize::try_from(fd)
        .ok()
        .filter(|&i| i < file::NR_OPEN_DEFAULT);
    let slot = slot.ok_or(Errno::EBADF)?;
    files.install_at(slot, f, cloexec);
    Ok(fd as i64)
}

/// fcntl(2): descriptor flags, status flags, duplication, record locks and pipe sizes.
pub fn sys_fcntl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const F_DUPFD: u64 = 0;
    const F_GETFD: u64 = 1;
    const F_SETFD: u64 = 2;
    const F_GETFL: u64 = 3;
    const F_SETFL: u64 = 4;
    const F_DUPFD_CLOEXEC: u64 = 1030;
    const FD_CLOEXEC: u64 = 1;

    let fd = fd_arg(a[0]);
    let mut files = cx.task.process.files.lock();
    let f = files.get(fd)?;
    match a[1] {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = usize::try_from(a[2] as i32).map_err(|_| Errno::EINVAL)?;
            if min >= file::NR_OPEN_DEFAULT {
                return Err(Errno::EINVAL);
            }
            Ok(files.install(min, f, a[1] == F_DUPFD_CLOEXEC)? as i64)
        }
        F_GETFD => Ok(if files.cloexec(fd)? {
            FD_CLOEXEC as i64
        } else {
            0
        }),
        F_SETFD => {
            files.set_cloexec(fd, a[2] & FD_CLOEXEC != 0)?;
            Ok(0)
        }
        F_GETFL => Ok((f.flags() | file::O_LARGEFILE) as i64),
        F_SETFL => {
            f.set_status_flags(a[2] as u32);
            Ok(0)
        }
        F_GETLK | F_SETLK | F_SETLKW | F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW => {
            drop(files);
            record_lock(cx, &f, a[1], a[2])
        }
        F_SETPIPE_SZ | F_GETPIPE_SZ => {
            drop(files);
            pipe_size(cx, &f, a[1], a[2] as u32)
        }
        _ => Err(Errno::EINVAL),
    }
}

const F_SETPIPE_SZ: u64 = 1031;
const F_GETPIPE_SZ: u64 = 1032;

/// fcntl's F_GETPIPE_SZ and F_SETPIPE_SZ (whose `size` Linux takes as an unsigned int);
/// EBADF for anything but a pipe or FIFO.
fn pipe_size(cx: &Ctx, f: &OpenFile, cmd: u64, size: u32) -> KResult<i64> {
    let FileKind::Pipe(end) = &f.kind else {
        return Err(Errno::EBADF);
    };
    if cmd == F_GETPIPE_SZ {
        return Ok(end.pipe.capacity() as i64);
    }

    // CAP_SYS_RESOURCE comes with euid 0, as every capability here.
    let privileged = cx.task.process.creds.lock().euid == 0;
    let capacity = end.pipe.set_capacity(size as usize, privileged)?;
    Ok(capacity as i64)
}

const F_GETLK: u64 = 5;
const F_SETLK: u64 = 6;
const F_SETLKW: u64 = 7;
const F_OFD_GETLK: u64 = 36;
const F_OFD_SETLK: u64 = 37;
const F_OFD_SETLKW: u64 = 38;

/// fcntl's record locks on `f` with the `struct flock` at `arg`. Open-file-description
/// locks are treated as process locks.
fn record_lock(cx: &mut Ctx, f: &OpenFile, cmd: u64, arg: u64) -> KResult<i64> {
    use crate::flock::{LockType, RecordLock};
    const F_RDLCK: i16 = 0;
    const F_WRLCK: i16 = 1;
    const F_UNLCK: i16 = 2;

    // struct flock: l_type (i16), l_whence (i16), pad, l_start (i64), l_len (i64),
    // l_pid (i32).
    let b = cx.read_bytes(arg, 32)?;
    let kind = i16::from_le_bytes([b[0], b[1]]);
    let whence = i16::from_le_bytes([b[2], b[3]]);
    let start = i64::from_le_bytes(b[8..16].try_into().unwrap_or_default());
    let len = i64::from_le_bytes(b[16..24].try_into().unwrap_or_default());

    let base = match whence {
        0 => 0,
        1 => *f.pos.lock() as i64,
        2 => f.inode.stat()?.size as i64,
        _ => return Err(Errno::EINVAL),
    };
    let mut from = base.checked_add(start).ok_or(Errno::EOVERFLOW)?;
    let mut to = if len == 0 {
        i64::MAX
    } else {
        from.checked_add(len).ok_or(Errno::EOVERFLOW)?
    };
    if len < 0 {
        (from, to) = (to, from);
    }
    if from < 0 {
        return Err(Errno::EINVAL);
    }
    let (from, to) = (
        from as u64,
        if to == i64::MAX { u64::MAX } else { to as u64 },
    );

    let pid = cx.task.process.pid;
    let key = Arc::as_ptr(&f.inode) as *const () as usize;
    let locks = cx.k.locks.of(key);
    let lock_kind = match kind {
        F_RDLCK => Some(LockType::Read),
        F_WRLCK => Some(LockType::Write),
        F_UNLCK => None,
        _ => return Err(Errno::EINVAL),
    };

    if matches!(cmd, F_GETLK | F_OFD_GETLK) {
        let want = RecordLock {
            kind: lock_kind.unwrap_or(LockType::Write),
            start: from,
            end: to,
            pid,
        };
        let mut out = b.clone();
        match locks.conflict(&want) {
            None => out[0..2].copy_from_slice(&F_UNLCK.to_le_bytes()),
            Some(l) => {
                let t = if l.kind == LockType::Write {
                    F_WRLCK
                } else {
                    F_RDLCK
                };
                out[0..2].copy_from_slice(&t.to_le_bytes());
                out[2..4].copy_from_slice(&0i16.to_le_bytes());
                out[8..16].copy_from_slice(&(l.start as i64).to_le_bytes());
                let len = if l.end == u64::MAX {
                    0
                } else {
                    (l.end - l.start) as i64
                };
                out[16..24].copy_from_slice(&len.to_le_bytes());
                out[24..28].copy_from_slice(&l.pid.to_le_bytes());
            }
        }
        cx.write_bytes(arg, &out)?;
        return Ok(0);
    }

    let Some(kind) = lock_kind else {
        locks.unlock(pid, from, to);
        return Ok(0);
    };
    if (kind == LockType::Read && !f.readable()) || (kind == LockType::Write && !f.writable()) {
        return Err(Errno::EBADF);
    }

    let wait = matches!(cmd, F_SETLKW | F_OFD_SETLKW);
    if wait {
        locks.released.register(&cx.task.cell);
    }
    match locks.lock(RecordLock {
        kind,
        start: from,
        end: to,
        pid,
    }) {
        Err(Errno::EAGAIN) if wait => cx.wait(Restart::IfSaRestart),
        other => other.map(|_| 0),
    }
}

/// ioctl(2): passed to the device; pipes and files answer FIONREAD and FIOCLEX.
pub fn sys_ioctl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const FIONREAD: u32 = 0x541b;
    const FIONCLEX: u32 = 0x5450;
    const FIOCLEX: u32 = 0x5451;
    const TIOCGPTPEER: u32 = 0x5441;

    let fd = fd_arg(a[0]);
    let f = file(cx, fd)?;
    let cmd = a[1] as u32;
    match (cmd, &f.kind) {
        (FIOCLEX | FIONCLEX, _) => {
            cx.task
                .process
                .files
                .lock()
                .set_cloexec(fd, cmd == FIOCLEX)?;
            Ok(0)
        }
        (TIOCGPTPEER, FileKind::Char(dev)) if dev.peer_path().is_some() => {
            open_peer(cx, dev.peer_path().unwrap_or_default(), a[2] as u32)
        }
        (_, FileKind::Char(dev)) => with_caller(cx, |caller| dev.ioctl(cmd, a[2], caller)),
        (FIONREAD, FileKind::Pipe(end)) => {
            cx.write_bytes(a[2], &(end.pipe.available() as i32).to_le_bytes())?;
            Ok(0)
        }
        (FIONREAD, FileKind::Inode) if !f.is_dir() => {
            let left = f.inode.stat()?.size.saturating_sub(*f.pos.lock());
            cx.write_bytes(a[2], &(left.min(i32::MAX as u64) as i32).to_le_bytes())?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}

/// TIOCGPTPEER: opens a pty master's slave, at `path`, with open(2) `flags`.
fn open_peer(cx: &mut Ctx, path: Vec<u8>, flags: u32) -> KResult<i64> {
    let allowed = file::O_ACCMODE | file::O_NOCTTY | file::O_NONBLOCK | file::O_CLOEXEC;
    let flags = flags & allowed;
    let loc = cx.k.vfs.resolve(&cx.k.vfs.root(), &path, true)?;
    let f = open_location(cx, loc, flags)?;
    install_open(cx, f, flags)
}

// ---- pipes and polling ----

/// pipe(2).
pub fn sys_pipe(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    make_pipe(cx, a[0], 0)
}

/// pipe2(2).
pub fn sys_pipe2(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    make_pipe(cx, a[0], a[1] as u32)
}

fn make_pipe(cx: &mut Ctx, fds_addr: u64, flags: u32) -> KResult<i64> {
    const O_DIRECT: u32 = 0o40000;
    if flags & !(file::O_CLOEXEC | file::O_NONBLOCK | O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }

    let (r, w) = Pipe::new();
    let inode = AnonInode::new(FileType::Fifo);
    let loc = cx.k.vfs.root();
    let status = flags & file::O_NONBLOCK;
    let rf = OpenFile::new(
        loc.clone(),
        inode.clone(),
        FileKind::Pipe(Arc::new(r)),
        file::O_RDONLY | status,
    );
    let wf = OpenFile::new(
        loc,
        inode,
        FileKind::Pipe(Arc::new(w)),
        file::O_WRONLY | status,
    );

    let cloexec = flags & file::O_CLOEXEC != 0;
    let mut files = cx.task.process.files.lock();
    let rfd = files.install(0, Arc::new(rf), cloexec)?;
    let wfd = match files.install(0, Arc::new(wf), cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = files.close(rfd);
            return Err(e);
        }
    };
    drop(files);

    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&rfd.to_le_bytes());
    out[4..].copy_from_slice(&wfd.to_le_bytes());
    if let Err(e) = cx.write_bytes(fds_addr, &out) {
        let mut files = cx.task.process.files.lock();
        let _ = files.close(rfd);
        let _ = files.close(wfd);
        return Err(e);
    }
    Ok(0)
}

// ---- stat ----

/// Linux's x86_64 `struct stat`.
fn stat_bytes(st: &Stat) -> [u8; 144] {
    let mut b = [0u8; 144];
    let mut put = |off: usize, v: u64, len: usize| {
        b[off..off + len].copy_from_slice(&v.to_le_bytes()[..len]);
    };
    put(0, st.dev, 8);
    put(8, st.ino, 8);
    put(16, st.nlink as u64, 8);
    put(24, st.mode as u64, 4);
    put(28, st.uid as u64, 4);
    put(32, st.gid as u64, 4);
    put(40, st.rdev, 8);
    put(48, st.size, 8);
    put(56, st.blksize as u64, 8);
    put(64, st.blocks, 8);
    put(72, st.atime.sec as u64, 8);
    put(80, st.atime.nsec as u64, 8);
    put(88, st.mtime.sec as u64, 8);
    put(96, st.mtime.nsec as u64, 8);
    put(104, st.ctime.sec as u64, 8);
    put(112, st.ctime.nsec as u64, 8);
    b
}

fn stat_at(cx: &Ctx, dirfd: i32, path_addr: u64, flags: u64) -> KResult<Stat> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = cx.read_path(path_addr)?;
    if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        return if dirfd == AT_FDCWD {
            cx.task.process.cwd.lock().inode().stat()
        } else {
            file(cx, dirfd)?.inode.stat()
        };
    }
    let loc = resolve_at(cx, dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?;
    loc.inode().stat()
}

/// stat(2).
pub fn sys_stat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let st = stat_at(cx, AT_FDCWD, a[0], 0)?;
    cx.write_bytes(a[1], &stat_bytes(&st))?;
    Ok(0)
}

/// lstat(2).
pub fn sys_lstat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let st = stat_at(cx, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW)?;
    cx.write_bytes(a[1], &stat_bytes(&st))?;
    Ok(0)
}

/// fstat(2).
pub fn sys_fstat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let st = file(cx, fd_arg(a[0]))?.inode.stat()?;
    cx.write_bytes(a[1], &stat_bytes(&st))?;
    Ok(0)
}

/// newfstatat(2).
pub fn sys_newfstatat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let st = stat_at(cx, fd_arg(a[0]), a[1], a[3])?;
    cx.write_bytes(a[2], &stat_bytes(&st))?;
    Ok(0)
}

/// statx(2): the basic fields, all reported in the mask.
pub fn sys_statx(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const STATX_BASIC_STATS: u32 = 0x7ff;
    /// A mask bit kept for a future extension of `struct statx`.
    const STATX_RESERVED: u32 = 0x8000_0000;
    /// AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC.
    const AT_STATX_SYNC_TYPE: u64 = 0x6000;

    // Linux's do_statx checks the mask, then the sync type, before the path; stat_at
    // refuses any other unknown flag.
    let (flags, mask) = (a[2] as u32 as u64, a[3] as u32);
    if mask & STATX_RESERVED != 0 || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE {
        return Err(Errno::EINVAL);
    }

    // The sync type only asks about caching remote attributes, which has no meaning here.
    let st = stat_at(cx, fd_arg(a[0]), a[1], flags & !AT_STATX_SYNC_TYPE)?;

    let mut b = [0u8; 256];
    let mut put = |off: usize, v: u64, len: usize| {
        b[off..off + len].copy_from_slice(&v.to_le_bytes()[..len]);
    };
    put(0, STATX_BASIC_STATS as u64, 4);
    put(4, st.blksize as u64, 4);
    put(16, st.nlink as u64, 4);
    put(20, st.uid as u64, 4);
    put(24, st.gid as u64, 4);
    put(28, st.mode as u64, 2);
    put(32, st.ino, 8);
    put(40, st.size, 8);
    put(48, st.blocks, 8);
    for (off, t) in [(64, st.atime), (96, st.ctime), (112, st.mtime)] {
        put(off, t.sec as u64, 8);
        put(off + 8, t.nsec as u64, 4);
    }
    put(128, (st.rdev >> 8) & 0xfff, 4);
    put(132, (st.rdev & 0xff) | ((st.rdev >> 12) & !0xff), 4);
    put(136, (st.dev >> 8) & 0xfff, 4);
    put(140, (st.dev & 0xff) | ((st.dev >> 12) & !0xff), 4);

    cx.write_bytes(a[4], &b)?;
    Ok(0)
}

// ---- paths ----

/// access(2).
pub fn sys_access(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    access_at(cx, AT_FDCWD, a[0], a[1], 0)
}

/// faccessat(2).
pub fn sys_faccessat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    access_at(cx, fd_arg(a[0]), a[1], a[2], 0)
}

/// faccessat2(2).
pub fn sys_faccessat2(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    access_at(cx, fd_arg(a[0]), a[1], a[2], a[3])
}

fn access_at(cx: &Ctx, dirfd: i32, path: u64, mode: u64, flags: u64) -> KResult<i64> {
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let st = stat_at(cx, dirfd, path, flags & !AT_EACCESS)?;

    // access(2) checks with the real ids, faccessat with AT_EACCESS with the effective.
    let mut creds = cx.task.process.creds.lock().clone();
    if flags & AT_EACCESS == 0 {
        creds.fsuid = creds.uid;
        creds.fsgid = creds.gid;
    }
    creds.may(&st, mode as u32)?;
    Ok(0)
}

/// getcwd(2): ENOENT once the working directory has been removed, as Linux (whose
/// dentry is then unhashed; a removed directory here is one with no links left).
pub fn sys_getcwd(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let root = cx.task.process.root.lock().clone();
    let cwd = cx.task.process.cwd.lock().clone();
    if cwd.inode().stat().is_ok_and(|st| st.nlink == 0) {
        return Err(Errno::ENOENT);
    }

    let mut path = cwd.path_from(&root);
    path.push(0);
    if (a[1] as usize) < path.len() {
        return Err(Errno::ERANGE);
    }
    cx.write_bytes(a[0], &path)?;
    Ok(path.len() as i64)
}

/// chdir(2).
pub fn sys_chdir(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let loc = resolve_at(cx, AT_FDCWD, &path, true)?;
    if loc.inode().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    *cx.task.process.cwd.lock() = loc;
    Ok(0)
}

/// fchdir(2).
pub fn sys_fchdir(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    if !f.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    *cx.task.process.cwd.lock() = f.location.clone();
    Ok(0)
}

/// readlink(2).
pub fn sys_readlink(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    readlink_at(cx, AT_FDCWD, a[0], a[1], a[2])
}

/// readlinkat(2).
pub fn sys_readlinkat(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    readlink_at(cx, fd_arg(a[0]), a[1], a[2], a[3])
}

fn readlink_at(cx: &Ctx, dirfd: i32, path: u64, buf: u64, size: u64) -> KResult<i64> {
    if size as i32 <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = cx.read_path(path)?;
    let loc = resolve_at(cx, dirfd, &path, false)?;
    if loc.inode().file_type() != FileType::Symlink {
        return Err(Errno::EINVAL);
    }

    let target = loc.inode().read_link()?;
    let n = target.len().min(size as usize);
    cx.write_bytes(buf, &target[..n])?;
    Ok(n as i64)
}

/// umask(2).
pub fn sys_umask(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let old = cx
        .task
        .process
        .umask
        .swap(a[0] as u32 & 0o777, std::sync::atomic::Ordering::Relaxed);
    Ok(old as i64)
}

// ---- directories ----

/// getdents64(2).
pub fn sys_getdents64(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let f = file(cx, fd_arg(a[0]))?;
    if !f.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    let (buf, count) = (a[1], a[2] as usize);

    let mut pos = f.pos.lock();
    let mut out = Vec::new();
    let mut next = *pos;
    while let Some((entry, after)) = f.inode.read_dir(next)? {
        let reclen = (19 + entry.name.len() + 1).next_multiple_of(8);
        if out.len() + reclen > count {
            if out.is_empty() {
                return Err(Errno::EINVAL);
            }
            break;
        }

        let start = out.len();
        out.resize(start + reclen, 0);
        let rec = &mut out[start..];
        rec[0..8].copy_from_slice(&entry.ino.to_le_bytes());
        rec[8..16].copy_from_slice(&after.to_le_bytes());
        rec[16..18].copy_from_slice(&(reclen as u16).to_le_bytes());
        rec[18] = entry.file_type.map_or(0, FileType::dirent_type);
        rec[19..19 + entry.name.len()].copy_from_slice(&entry.name);
        next = after;
    }

    cx.write_bytes(buf, &out)?;
    *pos = next;
    Ok(out.len() as i64)
}

/// Installs an opened file at the lowest free descriptor, close-on-exec as open(2)'s
/// `flags` say; returns the descriptor.
fn install_open(cx: &mut Ctx, f: OpenFile, flags: u32) -> KResult<i64> {
    let cloexec = flags & file::O_CLOEXEC != 0;
    let fd = cx
        .task
        .process
        .files
        .lock()
        .install(0, Arc::new(f), cloexec)?;
    Ok(fd as i64)
}
