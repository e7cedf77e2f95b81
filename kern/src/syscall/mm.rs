//! Memory syscalls: brk and the mmap family.

use std::sync::Arc;

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::fs::file::FileKind;
use crate::fs::FileType;
use crate::mm::{page_down, page_up, Backing, Prot, Vma, PAGE_SIZE};

const MAP_SHARED: u64 = 0x01;
const MAP_PRIVATE: u64 = 0x02;
const MAP_SHARED_VALIDATE: u64 = 0x03;
const MAP_TYPE: u64 = 0x0f;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_GROWSDOWN: u64 = 0x100;
const MAP_POPULATE: u64 = 0x8000;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;

/// Flags mmap knows; MAP_SHARED_VALIDATE rejects any other.
const MAP_KNOWN: u64 = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE
    | 0x100 /* GROWSDOWN */ | 0x800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */
    | 0x2000 /* LOCKED */ | 0x4000 /* NORESERVE */ | 0x8000 /* POPULATE */
    | 0x1_0000 /* NONBLOCK */ | 0x2_0000 /* STACK */ | 0x4_0000 /* HUGETLB */;

const PROT_MASK: u64 = 0x7;
/// mprotect: the change reaches down to the start of a MAP_GROWSDOWN area.
const PROT_GROWSDOWN: u64 = 0x0100_0000;
/// mprotect: the same upwards; no x86 area grows up, so it is always EINVAL.
const PROT_GROWSUP: u64 = 0x0200_0000;

/// brk(2): returns the new break, or the old one if it cannot move.
pub fn sys_brk(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    Ok(cx.mm().brk(a[0]) as i64)
}

/// mmap(2).
pub fn sys_mmap(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (addr, len, prot, flags, fd, off) = (a[0], a[1], a[2], a[3], a[4] as i32, a[5]);
    let mm = cx.mm();

    let len = checked_len(len)?;
    // mmap ignores protection bits it does not know (only mprotect refuses them).
    let prot = prot & PROT_MASK;
    if off % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL);
    }
    match flags & MAP_TYPE {
        MAP_SHARED | MAP_PRIVATE => {}
        MAP_SHARED_VALIDATE if flags & !MAP_KNOWN == 0 => {}
        MAP_SHARED_VALIDATE => return Err(Errno::EOPNOTSUPP),
        _ => return Err(Errno::EINVAL),
    }
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    if fixed && addr % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL);
    }
    if off.checked_add(len).is_none() {
        return Err(Errno::EOVERFLOW);
    }

    let shared = flags & MAP_TYPE != MAP_PRIVATE;
    let backing = if flags & MAP_ANONYMOUS != 0 || maps_dev_zero(cx, fd) {
        // A shared mapping cannot grow: its pages are shared with other processes.
        if shared && flags & MAP_GROWSDOWN != 0 {
            return Err(Errno::EINVAL);
        }
        Backing::Anon
    } else {
        file_backing(cx, fd, off, len, prot, flags)?
    };

    let start = if fixed {
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        if end > mm.task_top() {
            return Err(Errno::ENOMEM);
        }
        if flags & MAP_FIXED_NOREPLACE != 0
            && flags & MAP_FIXED == 0
            && !mm.vmas().iter().all(|v| v.end <= addr || v.start >= end)
        {
            return Err(Errno::EEXIST);
        }
        addr
    } else {
        // Gap: MAP_32BIT is not looked at; Linux would place the area below 2 GiB.
        mm.find_free(page_down(addr), len)?
    };

    let name = match &backing {
        Backing::File { .. } => file_name(cx, fd),
        Backing::Anon => None,
    };
    let vma = Vma {
        start,
        end: start + len,
        prot: Prot(prot as u32),
        backing,
        shared,
        name,
        grows_down: flags & MAP_GROWSDOWN != 0,
    };
    mm.map_fixed(vma);
    if flags & MAP_POPULATE != 0 {
        mm.populate(start, start + len);
    }
    Ok(start as i64)
}

/// Whether `fd` is /dev/zero, whose mappings are anonymous memory.
fn maps_dev_zero(cx: &Ctx, fd: i32) -> bool {
    let Ok(f) = cx.task.process.files.lock().get(fd) else {
        return false;
    };
    matches!(f.kind, FileKind::Char(_))
        && f.inode
            .stat()
            .is_ok_and(|s| s.rdev == crate::device::mkdev(1, 5))
}

fn checked_len(len: u64) -> KResult<u64> {
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    page_up(len).filter(|&l| l < (1 << 47)).ok_or(Errno::ENOMEM)
}

/// The backing of a file mapping, with do_mmap's checks in its order: write access for
/// a writable shared mapping, read access for any, then whether the file can be mapped
/// at all.
fn file_backing(cx: &Ctx, fd: i32, off: u64, len: u64, prot: u64, flags: u64) -> KResult<Backing> {
    let f = cx.task.process.files.lock().get(fd)?;
    let shared = flags & MAP_TYPE != MAP_PRIVATE;
    if shared && prot & Prot::WRITE.0 as u64 != 0 && !f.writable() {
        return Err(Errno::EACCES);
    }
    if !f.readable() {
        return Err(Errno::EACCES);
    }
    if !matches!(f.kind, FileKind::Inode) || f.inode.file_type() != FileType::Regular {
        return Err(Errno::ENODEV);
    }
    if flags & MAP_GROWSDOWN != 0 {
        return Err(Errno::EINVAL);
    }
    if crate::fs::procfs::is_proc_inode(&*f.inode) {
        return Err(Errno::EIO);
    }

    // The whole area maps the file: a page wholly past its end (now or after a
    // truncation) raises SIGBUS when touched.
    Ok(Backing::File {
        inode: f.inode.clone(),
        offset: off,
        file_len: len,
        writable: f.writable(),
    })
}

fn file_name(cx: &Ctx, fd: i32) -> Option<Arc<str>> {
    let f = cx.task.process.files.lock().get(fd).ok()?;
    Some(Arc::from(
        String::from_utf8_lossy(&f.location.path()).as_ref(),
    ))
}

/// munmap(2).
pub fn sys_munmap(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (addr, len) = (a[0], a[1]);
    if addr % PAGE_SIZE != 0 || len == 0 {
        return Err(Errno::EINVAL);
    }
    let end = page_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(Errno::EINVAL)?;
    cx.mm().unmap(addr, end)?;
    Ok(0)
}

/// mprotect(2).
pub fn sys_mprotect(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (mut addr, len, prot) = (a[0], a[1], a[2]);
    if addr % PAGE_SIZE != 0
        || prot & !(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP) != 0
        || prot & (PROT_GROWSDOWN | PROT_GROWSUP) == PROT_GROWSDOWN | PROT_GROWSUP
    {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let end = page_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(Errno::ENOMEM)?;
    if prot & (PROT_GROWSDOWN | PROT_GROWSUP) != 0 {
        let vmas = cx.mm().vmas();
        let vma = vmas
            .iter()
            .find(|v| v.start <= addr && addr < v.end)
            .ok_or(Errno::ENOMEM)?;
        if prot & PROT_GROWSUP != 0 || !vma.grows_down {
            return Err(Errno::EINVAL);
        }
        addr = vma.start;
    }
    cx.mm()
        .protect(addr, end, Prot((prot & PROT_MASK) as u32))?;
    Ok(0)
}

/// madvise(2): MADV_DONTNEED drops pages; the other advice is accepted and ignored.
pub fn sys_madvise(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const MADV_DONTNEED: u64 = 4;
    const MADV_FREE: u64 = 8;
    const KNOWN: [u64; 16] = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20];

    let (addr, len, advice) = (a[0], a[1], a[2]);
    if addr % PAGE_SIZE != 0 || !KNOWN.contains(&advice) {
        return Err(Errno::EINVAL);
    }
    let end = page_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(Errno::EINVAL)?;
    if advice == MADV_DONTNEED || advice == MADV_FREE {
        cx.mm().discard(addr, end)?;
    }
    Ok(0)
}

/// mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE, MREMAP_FIXED).
pub fn sys_mremap(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const MREMAP_MAYMOVE: u64 = 1;
    const MREMAP_FIXED: u64 = 2;
    const MREMAP_DONTUNMAP: u64 = 4;

    let (old, old_len, new_len, flags, new_addr) = (a[0], a[1], a[2], a[3], a[4]);
    if old % PAGE_SIZE != 0
        || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
        || flags & MREMAP_DONTUNMAP != 0
        || (flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0)
    {
        return Err(Errno::EINVAL);
    }
    let new_len = checked_len(new_len).map_err(|_| Errno::EINVAL)?;
    let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
    if old_len == 0 {
        // Duplicating a shared mapping (old_len 0) is not supported.
        return Err(Errno::EINVAL);
    }

    let mm = cx.mm();
    let fixed = if flags & MREMAP_FIXED != 0 {
        let end = new_addr.checked_add(new_len).ok_or(Errno::EINVAL)?;
        let overlaps = new_addr < old.saturating_add(old_len) && old < end;
        if new_addr % PAGE_SIZE != 0 || overlaps || end > mm.task_top() {
            return Err(Errno::EINVAL);
        }
        Some(new_addr)
    } else {
        None
    };
    Ok(mm.remap(old, old_len, new_len, flags & MREMAP_MAYMOVE != 0, fixed)? as i64)
}

/// msync(2): writes back the pages shared file mappings in the range changed (for
/// MS_ASYNC too: there is no flusher to leave them to), and with MS_SYNC makes the files
/// durable as fsync does. MS_INVALIDATE has nothing to do: mappings share the cached
/// pages.
pub fn sys_msync(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const MS_ASYNC: u64 = 1;
    const MS_INVALIDATE: u64 = 2;
    const MS_SYNC: u64 = 4;

    let (addr, len, flags) = (a[0], a[1], a[2]);
    if addr % PAGE_SIZE != 0
        || flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || flags & (MS_ASYNC | MS_SYNC) == (MS_ASYNC | MS_SYNC)
    {
        return Err(Errno::EINVAL);
    }
    let end = page_up(len)
        .and_then(|l| addr.checked_add(l))
        .ok_or(Errno::ENOMEM)?;
    let vmas = cx.mm().vmas();
    let mut at = addr;
    while at < end {
        match vmas.iter().find(|v| v.start <= at && at < v.end) {
            Some(v) => at = v.end,
            None => return Err(Errno::ENOMEM),
        }
    }

    let files = cx.mm().sync_range(addr, end)?;
    if flags & MS_SYNC != 0 {
        for inode in files {
            inode.sync()?;
        }
    }
    Ok(0)
}
