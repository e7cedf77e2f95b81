//! Waiting on several descriptors: poll, ppoll, select, pselect6.

use std::sync::Arc;

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::fs::file::{FileKind, OpenFile};
use crate::pipe::events::*;
use crate::printk::uptime_ns;
use crate::signal::{Restart, UNBLOCKABLE};
use crate::waitq::Timers;

/// Events every file reports whether asked or not.
const ALWAYS: u16 = POLLERR | POLLHUP | POLLNVAL;

/// The events `f` has now, and registers the caller to hear of changes when `register`.
fn poll_file(cx: &Ctx, f: &OpenFile, register: bool) -> u16 {
    match &f.kind {
        FileKind::Inode => POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM,
        FileKind::Char(dev) => {
            if let (true, Some(q)) = (register, dev.read_wait()) {
                q.register(&cx.task.cell);
            }
            dev.poll()
        }
        FileKind::Pipe(end) => {
            // A FIFO opened O_RDWR hears of both data and room.
            if register && end.reads() {
                end.pipe.read_wait.register(&cx.task.cell);
            }
            if register && end.write {
                end.pipe.write_wait.register(&cx.task.cell);
            }
            end.poll()
        }
    }
}

fn lookup(cx: &Ctx, fd: i32) -> Option<Arc<OpenFile>> {
    cx.task.process.files.lock().get(fd).ok()
}

/// Starts or continues a timed wait: the first call fixes the deadline. Returns false
/// when it has passed.
fn arm_timeout(cx: &mut Ctx, timeout_ns: Option<u64>) -> bool {
    let Some(ns) = timeout_ns else { return true };
    let now = uptime_ns();
    let deadline = *cx.task.deadline_ns.get_or_insert(now.saturating_add(ns));
    if now >= deadline {
        return false;
    }
    Timers::get().wake_at(deadline, &cx.task.cell);
    true
}

/// Sets a temporary signal mask for the wait (ppoll, pselect6), kept across re-runs.
fn set_wait_mask(cx: &mut Ctx, mask: Option<u64>) {
    if let Some(mask) = mask {
        let old = cx.task.sigmask;
        cx.task.saved_sigmask.get_or_insert(old);
        cx.task.sigmask = mask & !UNBLOCKABLE;
    }
}

/// The restored mask after a wait that ended without a signal.
fn end_wait_mask(cx: &mut Ctx) {
    if let Some(old) = cx.task.saved_sigmask.take() {
        cx.task.sigmask = old;
    }
}

/// poll(2).
pub fn sys_poll(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ms = a[2] as i32;
    let timeout = (ms >= 0).then(|| ms as u64 * 1_000_000);
    do_poll(cx, a[0], a[1], timeout, None)
}

/// ppoll(2).
pub fn sys_ppoll(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let timeout = if a[2] != 0 {
        Some(super::info::read_timespec(cx, a[2])?)
    } else {
        None
    };
    let mask = read_sigmask(cx, a[3], a[4])?;
    do_poll(cx, a[0], a[1], timeout, mask)
}

fn read_sigmask(cx: &Ctx, addr: u64, size: u64) -> KResult<Option<u64>> {
    if addr == 0 {
        return Ok(None);
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    cx.read_u64(addr).map(Some)
}

fn do_poll(
    cx: &mut Ctx,
    fds: u64,
    nfds: u64,
    timeout: Option<u64>,
    mask: Option<u64>,
) -> KResult<i64> {
    // nfds is an unsigned int to Linux: the upper half of the register is not looked at.
    let nfds = u64::from(nfds as u32);
    // RLIMIT_NOFILE is stored as the guest set it; Linux's never exceeds nr_open (2^20).
    let limit = cx.task.process.rlimits.lock()[7].0.min(1 << 20);
    if nfds > limit {
        return Err(Errno::EINVAL);
    }
    let mut raw = cx.read_bytes(fds, nfds as usize * 8)?;
    set_wait_mask(cx, mask);

    let wait = timeout != Some(0);
    let mut ready = 0;
    for rec in raw.chunks_exact_mut(8) {
        let fd = i32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]);
        let events = u16::from_le_bytes([rec[4], rec[5]]);
        let revents = if fd < 0 {
            0
        } else {
            match lookup(cx, fd) {
                Some(f) => poll_file(cx, &f, wait) & (events | ALWAYS),
                None => POLLNVAL,
            }
        };
        rec[6..8].copy_from_slice(&revents.to_le_bytes());
        ready += (revents != 0) as i64;
    }

    if ready == 0 && wait && arm_timeout(cx, timeout) {
        return cx.wait(Restart::Never);
    }
    end_wait_mask(cx);
    cx.write_bytes(fds, &raw)?;
    Ok(ready)
}

/// select(2).
pub fn sys_select(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let timeout = if a[4] != 0 {
        let b = cx.read_bytes(a[4], 16)?;
        let sec = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
        let usec = i64::from_le_bytes(b[8..].try_into().unwrap_or_default());
        // Linux carries whole seconds out of tv_usec before it checks the time.
        let sec = sec.saturating_add(usec / 1_000_000);
        let nsec = (usec % 1_000_000) * 1000;
        if sec < 0 || nsec < 0 {
            return Err(Errno::EINVAL);
        }
        Some((sec as u64).saturating_mul(1_000_000_000) + nsec as u64)
    } else {
        None
    };
    let left = (a[4] != 0).then_some((a[4], true));
    do_select(cx, a[0], [a[1], a[2], a[3]], timeout, None, left)
}

/// pselect6(2).
pub fn sys_pselect6(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let timeout = if a[4] != 0 {
        Some(super::info::read_timespec(cx, a[4])?)
    } else {
        None
    };

    // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
    let mask = if a[5] != 0 {
        let ss = cx.read_u64(a[5])?;
        let len = cx.read_u64(a[5] + 8)?;
        read_sigmask(cx, ss, len)?
    } else {
        None
    };
    let left = (a[4] != 0).then_some((a[4], false));
    do_select(cx, a[0], [a[1], a[2], a[3]], timeout, mask, left)
}

/// `left_at` is where the caller's timeout lies (and whether it is a timeval rather than a
/// timespec): Linux writes the time left back there when the call returns.
fn do_select(
    cx: &mut Ctx,
    nfds: u64,
    sets: [u64; 3],
    timeout: Option<u64>,
    mask: Option<u64>,
    left_at: Option<(u64, bool)>,
) -> KResult<i64> {
    let nfds = i32::try_from(nfds).map_err(|_| Errno::EINVAL)?;
    let limit = cx.task.process.rlimits.lock()[7].0.min(1 << 20) as i32;
    if !(0..=limit).contains(&nfds) {
        return Err(Errno::EINVAL);
    }
    let bytes = (nfds as usize).div_ceil(64) * 8;

    let mut input = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
    for (set, addr) in input.iter_mut().zip(sets) {
        if addr != 0 {
            *set = cx.read_bytes(addr, bytes)?;
        }
    }
    set_wait_mask(cx, mask);

    let wait = timeout != Some(0);
    let mut out = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
    let mut ready = 0;
    for fd in 0..nfds {
        let (byte, bit) = (fd as usize / 8, 1u8 << (fd % 8));
        let wanted: Vec<bool> = input.iter().map(|s| s[byte] & bit != 0).collect();
        if !wanted.iter().any(|&w| w) {
            continue;
        }

        let Some(f) = lookup(cx, fd) else {
            end_wait_mask(cx);
            return Err(Errno::EBADF);
        };
        let ev = poll_file(cx, &f, wait);
        let hits = [
            ev & (POLLIN | POLLHUP | POLLERR) != 0,
            ev & (POLLOUT | POLLERR) != 0,
            ev & POLLPRI != 0,
        ];
        for i in 0..3 {
            if wanted[i] && hits[i] {
                out[i][byte] |= bit;
                ready += 1;
            }
        }
    }

    let mut left_ns = timeout;
    if ready == 0 && wait {
        if arm_timeout(cx, timeout) {
            return cx.wait(Restart::Never);
        }
        left_ns = Some(0);
    } else if let (Some(deadline), Some(_)) = (cx.task.deadline_ns, timeout) {
        left_ns = Some(deadline.saturating_sub(uptime_ns()));
    }
    end_wait_mask(cx);
    for (set, addr) in out.iter().zip(sets) {
        if addr != 0 {
            cx.write_bytes(addr, set)?;
        }
    }
    if let (Some((addr, timeval)), Some(ns)) = (left_at, left_ns) {
        let sub = if timeval {
            (ns % 1_000_000_000) / 1000
        } else {
            ns % 1_000_000_000
        };
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&(ns / 1_000_000_000).to_le_bytes());
        b[8..].copy_from_slice(&sub.to_le_bytes());
        // Linux ignores a timeout it cannot write back (one in read-only memory).
        let _ = cx.write_bytes(addr, &b);
    }
    Ok(ready)
}
