//! Signal syscalls: dispositions, masks, sending, waiting and returning from handlers.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::signal::{self, DefaultAction, Restart, SigInfo, UNBLOCKABLE};
use crate::task::{Process, SigAction, NSIG};

const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;

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
        let word =
            |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        Some(SigAction {
            handler: word(0),
            flags: word(1),
            restorer: word(2),
            mask: word(3) & !UNBLOCKABLE,
        })
    } else {
        None
    };

    let mut actions = cx.task.process.sigactions.lock();
    let slot = &mut actions[sig as usize - 1];
    if oact != 0 {
        let mut b = [0u8; 32];
        for (i, w) in [slot.handler, slot.flags, slot.restorer, slot.mask]
            .iter()
            .enumerate()
        {
            b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        cx.write_bytes(oact, &b)?;
    }
    if let Some(n) = new {
        *slot = n;
    }
    drop(actions);
    // A signal that is now ignored is thrown away even when pending and blocked (Linux's
    // do_sigaction); sent later while blocked, it is queued again.
    if let Some(n) = new {
        let ignored = n.handler == 1
            || (n.handler == 0
                && matches!(
                    signal::default_action(sig as i32),
                    DefaultAction::Ignore | DefaultAction::Continue
                ));
        if ignored {
            let b = signal::bit(sig as i32);
            cx.task.pending.discard(b);
            cx.task.process.pending.lock().discard(b);
        }
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
    let new = if set != 0 {
        Some(cx.read_u64(set)?)
    } else {
        None
    };
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

/// sigaltstack(2): sets and reports the calling thread's alternate signal stack. The new
/// one is read before anything changes and the old one written only on success, as Linux.
pub fn sys_sigaltstack(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (new_at, old_at) = (a[0], a[1]);
    let new: Option<[u8; 24]> = match new_at {
        0 => None,
        at => Some(
            cx.read_bytes(at, 24)?
                .try_into()
                .map_err(|_| Errno::EFAULT)?,
        ),
    };

    let sp = cx.task.regs.rsp;
    let old = cx.task.altstack.to_bytes(sp);
    if let Some(new) = new {
        cx.task.altstack.set(&new, sp)?;
    }
    if old_at != 0 {
        cx.write_bytes(old_at, &old)?;
    }
    Ok(0)
}

/// kill(2): to a process, a process group (0 = the caller's, -N = group N), or every
/// process but init and the caller (-1).
pub fn sys_kill(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (pid, sig) = (a[0] as i32, a[1] as i32);
    let me = cx.task.process.clone();
    let targets: Vec<_> = match pid {
        p if p > 0 => cx.k.process(p).into_iter().collect(),
        0 | -1 | i32::MIN => {
            let group = me.pgid.load(Ordering::Relaxed);
            let all = cx.k.processes().into_iter();
            if pid == -1 {
                all.filter(|p| p.pid != 1 && p.pid != me.pid).collect()
            } else {
                all.filter(|p| p.pgid.load(Ordering::Relaxed) == group)
                    .collect()
            }
        }
        p => {
            let all = cx.k.processes().into_iter();
            all.filter(|q| q.pgid.load(Ordering::Relaxed) == -p)
                .collect()
        }
    };
    let live: Vec<_> = targets
        .into_iter()
        .filter(|p| !p.is_zombie() || pid > 0)
        .collect();
    // Linux looks for the targets first: a bad signal to nobody is ESRCH.
    if live.is_empty() {
        return Err(Errno::ESRCH);
    }
    if sig != 0 && !signal::valid(sig) {
        return Err(Errno::EINVAL);
    }
    let allowed: Vec<_> = live.iter().filter(|p| may_signal(&me, p, sig)).collect();
    // Linux: one target refused is EPERM; a group refused as a whole is EPERM too, but
    // kill(-1) with every process refused still succeeds.
    if allowed.is_empty() && pid != -1 {
        return Err(Errno::EPERM);
    }

    if sig != 0 {
        let info = SigInfo {
            signo: sig,
            code: signal::SI_USER,
            pid: me.pid,
            uid: me.creds.lock().uid,
            ..SigInfo::default()
        };
        for p in allowed {
            signal::send(p, info);
        }
    }
    Ok(0)
}

/// Linux's check_kill_permission: root may signal anyone; others need their real or
/// effective uid to be the target's real or saved uid; SIGCONT within a session is free.
fn may_signal(me: &Process, target: &Process, sig: i32) -> bool {
    const SIGCONT: i32 = 18;
    if me.pid == target.pid {
        return true;
    }
    let (uid, euid) = {
        let c = me.creds.lock();
        (c.uid, c.euid)
    };
    if euid == 0 {
        return true;
    }
    if sig == SIGCONT && me.sid.load(Ordering::Relaxed) == target.sid.load(Ordering::Relaxed) {
        return true;
    }
    let (tuid, tsuid) = {
        let c = target.creds.lock();
        (c.uid, c.suid)
    };
    [uid, euid].iter().any(|&u| u == tuid || u == tsuid)
}

/// tgkill(2): one thread is one process until threads land.
pub fn sys_tgkill(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (tgid, tid, sig) = (a[0] as i32, a[1] as i32, a[2] as i32);
    if tgid <= 0 || tid <= 0 || tgid != tid {
        return Err(if tgid <= 0 || tid <= 0 {
            Errno::EINVAL
        } else {
            Errno::ESRCH
        });
    }
    thread_kill(cx, tid, sig)
}

/// tkill(2).
pub fn sys_tkill(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (tid, sig) = (a[0] as i32, a[1] as i32);
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    thread_kill(cx, tid, sig)
}

fn thread_kill(cx: &mut Ctx, tid: i32, sig: i32) -> KResult<i64> {
    // A zombie (a thread group leader not yet reaped) still takes signals, and drops
    // them, as on Linux. The target is looked for before the signal is checked.
    let p = cx.k.process(tid).ok_or(Errno::ESRCH)?;
    if sig != 0 && !signal::valid(sig) {
        return Err(Errno::EINVAL);
    }
    if !may_signal(&cx.task.process, &p, sig) {
        return Err(Errno::EPERM);
    }
    if sig != 0 {
        let info = SigInfo {
            signo: sig,
            code: signal::SI_TKILL,
            pid: cx.task.process.pid,
            uid: cx.task.process.creds.lock().uid,
            ..SigInfo::default()
        };
        signal::send(&p, info);
    }
    Ok(0)
}

/// rt_sigqueueinfo(2): sends a signal with a siginfo the caller wrote (sigqueue(3) fills
/// in SI_QUEUE, its pid and uid and a value) to a process. No process groups: a pid of 0
/// or less names no process (ESRCH).
pub fn sys_rt_sigqueueinfo(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (pid, sig) = (a[0] as i32, a[1] as i32);
    let info = read_queued_info(cx, a[2], sig)?;
    check_not_forged(cx, &info, pid)?;

    let p = cx.k.process(pid).ok_or(Errno::ESRCH)?;
    queue_to(cx, &p, info)
}

/// rt_tgsigqueueinfo(2): rt_sigqueueinfo to one thread, which is one process until
/// threads land.
pub fn sys_rt_tgsigqueueinfo(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (tgid, tid, sig) = (a[0] as i32, a[1] as i32, a[2] as i32);
    let info = read_queued_info(cx, a[3], sig)?;
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    check_not_forged(cx, &info, tid)?;

    let p =
        cx.k.process(tid)
            .filter(|p| p.pid == tgid)
            .ok_or(Errno::ESRCH)?;
    queue_to(cx, &p, info)
}

/// Reads the siginfo of rt_(tg)sigqueueinfo (EFAULT, E2BIG), for signal `sig`.
fn read_queued_info(cx: &Ctx, addr: u64, sig: i32) -> KResult<SigInfo> {
    let mut bytes = [0u8; 128];
    cx.mm().read(addr, &mut bytes)?;
    SigInfo::from_user(&bytes, sig)
}

/// Not even root may pass a signal off as the kernel's (si_code >= 0) or as a
/// kill/tgkill (whose sender the kernel fills in) to another thread: EPERM. To itself a
/// thread may send anything.
fn check_not_forged(cx: &Ctx, info: &SigInfo, target_tid: i32) -> KResult<()> {
    let forged = info.code >= 0 || info.code == signal::SI_TKILL;
    if forged && target_tid != cx.task.tid {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// Queues `info` to `p` once the signal and the caller's right to send it are checked;
/// signal 0 only checks. The siginfo goes as the sender wrote it: Linux does not fill in
/// the pid or uid of a code it let through.
///
/// Gap: no RLIMIT_SIGPENDING, so a real-time signal always queues; Linux fails with
/// EAGAIN past the limit.
fn queue_to(cx: &Ctx, p: &Arc<Process>, info: SigInfo) -> KResult<i64> {
    let sig = info.signo;
    if sig != 0 && !signal::valid(sig) {
        return Err(Errno::EINVAL);
    }
    // Credentials matter only for codes a user may send (Linux's si_fromuser).
    if info.code <= 0 && !may_signal(&cx.task.process, p, sig) {
        return Err(Errno::EPERM);
    }
    if sig != 0 {
        signal::send(p, info);
    }
    Ok(0)
}

/// rt_sigreturn(2).
pub fn sys_rt_sigreturn(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    if crate::sigframe::sigreturn(cx.task).is_err() {
        // A frame the guest wrecked: Linux kills with SIGSEGV.
        cx.exit_with(crate::task::ExitStatus::Signal(
            signal::SIGSEGV | signal::CORE_FLAG,
        ));
    }
    cx.replace_regs();
    Ok(0)
}

/// rt_sigsuspend(2): waits with a temporary mask until a signal runs a handler.
pub fn sys_rt_sigsuspend(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[1] != 8 {
        return Err(Errno::EINVAL);
    }
    let mask = cx.read_u64(a[0])?;

    // A re-run after a signal that was dropped keeps the mask saved the first time.
    let old = cx.task.sigmask;
    cx.task.saved_sigmask.get_or_insert(old);
    cx.task.sigmask = mask & !UNBLOCKABLE;
    cx.wait(Restart::Never)
}

/// pause(2).
pub fn sys_pause(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    cx.wait(Restart::Never)
}

/// rt_sigpending(2).
pub fn sys_rt_sigpending(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[1] > 8 {
        return Err(Errno::EINVAL);
    }
    let set = cx.task.pending.mask() | cx.task.process.pending.lock().mask();
    cx.write_bytes(a[0], &set.to_le_bytes()[..a[1] as usize])?;
    Ok(0)
}

/// rt_sigtimedwait(2): takes a pending signal of the set, waiting for one if needed.
pub fn sys_rt_sigtimedwait(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (set_addr, info_addr, timeout, size) = (a[0], a[1], a[2], a[3]);
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let set = cx.read_u64(set_addr)? & !UNBLOCKABLE;
    // Linux checks the timeout before it looks for a signal.
    let timeout_ns = if timeout != 0 {
        Some(super::info::read_timespec(cx, timeout)?)
    } else {
        None
    };

    let taken = match cx.task.pending.take(set) {
        Some(i) => Some(i),
        None => cx.task.process.pending.lock().take(set),
    };
    if let Some(info) = taken {
        if info_addr != 0 {
            cx.write_bytes(info_addr, &info.to_bytes())?;
        }
        return Ok(info.signo as i64);
    }

    if let Some(ns) = timeout_ns {
        let now = crate::printk::uptime_ns();
        let deadline = *cx.task.deadline_ns.get_or_insert(now.saturating_add(ns));
        if now >= deadline {
            return Err(Errno::EAGAIN);
        }
        crate::waitq::Timers::get().wake_at(deadline, &cx.task.cell);
    }
    cx.wait(Restart::Never)
}
