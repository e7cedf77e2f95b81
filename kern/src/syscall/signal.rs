//! Signal syscalls: dispositions and masks are kept; delivery comes with the signals
//! work (until then a guest's only signals are the faults that kill it).

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::task::{SigAction, NSIG};

const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;
/// Signals that can never be blocked or caught.
const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// rt_sigaction(2).
pub fn sys_rt_sigaction(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (sig, act, oact, size) = (a[0], a[1], a[2], a[3]);
    if size != 8 || sig == 0 || sig > NSIG as u64 {
        return Err(Errno::EINVAL);
    }
    if act != 0 && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(Errno::EINVAL);
    }

    let new = if act != 0 {
        let b = cx.read_bytes(act, 32)?;
        let word = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        Some(SigAction { handler: word(0), flags: word(1), restorer: word(2),
                         mask: word(3) & !UNBLOCKABLE })
    } else {
        None
    };

    let mut actions = cx.task.process.sigactions.lock();
    let slot = &mut actions[sig as usize - 1];
    if oact != 0 {
        let mut b = [0u8; 32];
        for (i, w) in [slot.handler, slot.flags, slot.restorer, slot.mask].iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        cx.write_bytes(oact, &b)?;
    }
    if let Some(n) = new {
        *slot = n;
    }
    Ok(0)
}

/// rt_sigprocmask(2).
pub fn sys_rt_sigprocmask(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const SIG_BLOCK: u64 = 0;
    const SIG_UNBLOCK: u64 = 1;
    const SIG_SETMASK: u64 = 2;

    let (how, set, oset, size) = (a[0], a[1], a[2], a[3]);
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let new = if set != 0 { Some(cx.read_u64(set)?) } else { None };
    if new.is_some() && how > SIG_SETMASK {
        return Err(Errno::EINVAL);
    }

    let old = cx.task.sigmask;
    if oset != 0 {
        cx.write_bytes(oset, &old.to_le_bytes())?;
    }
    if let Some(s) = new {
        let mask = match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            _ => s,
        };
        cx.task.sigmask = mask & !UNBLOCKABLE;
    }
    Ok(0)
}

/// sigaltstack(2): no alternate stack is in use yet; the old one reads as disabled.
pub fn sys_sigaltstack(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const SS_DISABLE: u32 = 2;

    if a[1] != 0 {
        let mut b = [0u8; 24];
        b[8..12].copy_from_slice(&SS_DISABLE.to_le_bytes());
        cx.write_bytes(a[1], &b)?;
    }
    if a[0] != 0 {
        cx.read_bytes(a[0], 24)?;
    }
    Ok(0)
}
