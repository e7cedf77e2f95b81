//! Signals: pending sets, default actions, handler frames and sigreturn.
//!
//! Signals are delivered when a task is about to re-enter guest code: a handler gets an
//! `rt_sigframe` on the guest stack in Linux's x86_64 layout (see [`crate::sigframe`]),
//! and `rt_sigreturn` reads it back. A task waiting in a syscall is woken to notice a
//! signal, and its syscall then fails with EINTR or restarts, as Linux decides.

use std::sync::Arc;

use crate::errno::{Errno, KResult};
use crate::kernel::Kernel;
use crate::task::{ExitStatus, JobReport, Pid, Process, SigAction, Task, NSIG};

/// SIGHUP.
pub const SIGHUP: i32 = 1;
/// SIGINT.
pub const SIGINT: i32 = 2;
/// SIGKILL.
pub const SIGKILL: i32 = 9;
/// SIGSEGV.
pub const SIGSEGV: i32 = 11;
/// SIGPIPE.
pub const SIGPIPE: i32 = 13;
/// SIGCHLD.
pub const SIGCHLD: i32 = 17;
/// SIGCONT.
pub const SIGCONT: i32 = 18;
/// SIGSTOP.
pub const SIGSTOP: i32 = 19;

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

const SA_NOCLDSTOP: u64 = 0x1;
const SA_NOCLDWAIT: u64 = 0x2;

/// `si_code` of a signal sent by kill(2).
pub const SI_USER: i32 = 0;
/// `si_code` of a signal sent by sigqueue(3) (rt_sigqueueinfo with a value).
pub const SI_QUEUE: i32 = -1;
/// `si_code` of a signal sent by tkill/tgkill.
pub const SI_TKILL: i32 = -6;
/// `si_code` of a signal the kernel sends.
pub const SI_KERNEL: i32 = 0x80;
/// SIGCHLD codes.
pub const CLD_EXITED: i32 = 1;
/// The child was killed by a signal.
pub const CLD_KILLED: i32 = 2;
/// The child was killed and dumped core.
pub const CLD_DUMPED: i32 = 3;

/// The mask bit of signal `sig`.
pub fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Signals that cannot be caught, blocked or ignored.
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// What a signal carries (the fields of `siginfo_t` the kernel fills).
///
/// Linux keeps 48 bytes of a siginfo (the header and a 32-byte union) and copies them
/// out as they are. The union's members share their first bytes: pid and uid (or a
/// fault's address), then si_value (or SIGCHLD's si_status), then the rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigInfo {
    /// Signal number.
    pub signo: i32,
    /// `si_errno`: zero for the kernel's own signals, whatever rt_sigqueueinfo's sender
    /// wrote otherwise.
    pub errno: i32,
    /// `si_code`.
    pub code: i32,
    /// Sender's pid (kill, SIGCHLD's child).
    pub pid: Pid,
    /// Sender's uid.
    pub uid: u32,
    /// SIGCHLD's exit status or signal.
    pub status: i32,
    /// Fault address for SIGSEGV, SIGBUS.
    pub addr: u64,
    /// `si_value` of a queued signal (sigqueue's `sival_int` or `sival_ptr`).
    pub value: u64,
    /// The union's last 16 bytes as rt_sigqueueinfo's sender wrote them (the kernel's
    /// own signals, which would put si_utime/si_stime or si_addr_lsb there, leave them
    /// zero).
    pub rest: [u8; 16],
}

/// The bytes of a `siginfo_t` Linux keeps: the 16-byte header and the 32-byte union.
const SIGINFO_KEPT: usize = 48;

// The generic codes Linux knows run from SI_DETHREAD up to SI_USER, and SI_ASYNCNL
// stands apart.
const SI_DETHREAD: i32 = -7;
const SI_ASYNCNL: i32 = -60;

impl SigInfo {
    /// The `siginfo_t` bytes the guest sees.
    pub fn to_bytes(self) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[0..4].copy_from_slice(&self.signo.to_le_bytes());
        b[4..8].copy_from_slice(&self.errno.to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        b[16..20].copy_from_slice(&self.pid.to_le_bytes());
        b[20..24].copy_from_slice(&self.uid.to_le_bytes());
        b[24..32].copy_from_slice(&self.value.to_le_bytes());
        b[32..48].copy_from_slice(&self.rest);

        // Members that overlay those bytes; only the signals that use them set them.
        if self.addr != 0 {
            b[16..24].copy_from_slice(&self.addr.to_le_bytes());
        }
        if self.status != 0 {
            b[24..28].copy_from_slice(&self.status.to_le_bytes());
        }
        b
    }

    /// The siginfo a process sends with rt_sigqueueinfo, as Linux takes it: the first
    /// 48 bytes as written but for si_signo, which becomes `signo`. E2BIG for a si_code
    /// whose layout Linux does not know when the bytes past those 48 are not all zero
    /// (it could not pass them on).
    pub fn from_user(bytes: &[u8; 128], signo: i32) -> KResult<SigInfo> {
        let code = i32_at(bytes, 8);
        let tail = &bytes[SIGINFO_KEPT..];
        if !known_layout(signo, code) && tail.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }

        let mut rest = [0; 16];
        rest.copy_from_slice(&bytes[32..48]);
        Ok(SigInfo {
            signo,
            errno: i32_at(bytes, 4),
            code,
            pid: i32_at(bytes, 16),
            uid: i32_at(bytes, 20) as u32,
            value: u64::from_le_bytes(bytes[24..32].try_into().unwrap_or_default()),
            rest,
            ..SigInfo::default()
        })
    }
}

fn i32_at(bytes: &[u8], off: usize) -> i32 {
    i32::from_le_bytes(bytes[off..off + 4].try_into().unwrap_or_default())
}

/// Whether Linux knows which union member `code` uses with `signo` (its
/// known_siginfo_layout): the generic codes, SI_KERNEL, and the positive codes up to
/// the number each signal defines (NSIGILL and the like; other signals share SIGPOLL's).
fn known_layout(signo: i32, code: i32) -> bool {
    const NSIGPOLL: i32 = 6;

    if code == SI_KERNEL {
        return true;
    }
    if code > SI_USER {
        let limit = match signo {
            4 => 11,       // SIGILL
            8 => 15,       // SIGFPE
            SIGSEGV => 10, // SIGSEGV
            7 => 5,        // SIGBUS
            5 => 6,        // SIGTRAP
            SIGCHLD => 6,  // SIGCHLD
            31 => 2,       // SIGSYS
            _ => NSIGPOLL, // SIGPOLL and every signal without codes of its own
        };
        return code <= limit;
    }
    code >= SI_DETHREAD || code == SI_ASYNCNL
}

/// Signals waiting for delivery. Standard signals do not queue: a second one while the
/// first is pending is merged; real-time signals queue in order.
#[derive(Clone, Debug, Default)]
pub struct SigPending {
    queue: Vec<SigInfo>,
}

impl SigPending {
    /// Adds a signal.
    pub fn add(&mut self, info: SigInfo) {
        let realtime = info.signo >= 32;
        if !realtime && self.queue.iter().any(|i| i.signo == info.signo) {
            return;
        }
        self.queue.push(info);
    }

    /// The set of pending signal numbers as a mask.
    pub fn mask(&self) -> u64 {
        self.queue.iter().fold(0, |m, i| m | bit(i.signo))
    }

    /// Removes and returns the lowest-numbered pending signal in `allowed`.
    pub fn take(&mut self, allowed: u64) -> Option<SigInfo> {
        let ready = self.mask() & allowed;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as i32 + 1;
        let pos = self.queue.iter().position(|i| i.signo == sig)?;
        Some(self.queue.remove(pos))
    }

    /// Drops every pending signal in `mask` (a stop cancels SIGCONT and vice versa).
    pub fn discard(&mut self, mask: u64) {
        self.queue.retain(|i| bit(i.signo) & mask == 0);
    }
}

/// What the default action of a signal does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// End the process.
    Terminate,
    /// End the process and report a core dump.
    Core,
    /// Nothing.
    Ignore,
    /// Stop the process (job control).
    Stop,
    /// Continue a stopped process.
    Continue,
}

/// The default action of `sig` (signal(7)).
pub fn default_action(sig: i32) -> DefaultAction {
    match sig {
        3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31 => DefaultAction::Core,
        17 | 23 | 28 => DefaultAction::Ignore,
        18 => DefaultAction::Continue,
        19..=22 => DefaultAction::Stop,
        _ => DefaultAction::Terminate,
    }
}

fn action_of(process: &Process, sig: i32) -> SigAction {
    process.sigactions.lock()[sig as usize - 1]
}

/// Sends `info` to `process`: queued (an ignored signal is thrown away when it is
/// delivered, since it may be blocked now and fetched by sigtimedwait, as Linux keeps
/// it), and its tasks are woken so that a waiting syscall notices.
pub fn send(process: &Arc<Process>, info: SigInfo) {
    if process.is_zombie() {
        return;
    }

    {
        let mut pending = process.pending.lock();
        if info.signo == SIGCONT {
            pending.discard(bit(19) | bit(20) | bit(21) | bit(22));
        } else if default_action(info.signo) == DefaultAction::Stop {
            pending.discard(bit(SIGCONT));
        }
        pending.add(info);
    }

    // SIGCONT acts when sent, not when delivered: a stopped process runs nothing that
    // could take it.
    if info.signo == SIGCONT && process.stopped.lock().take().is_some() {
        *process.job_report.lock() = Some(JobReport::Continued);
        let k = KERNEL.read().as_ref().and_then(|w| w.upgrade());
        if let Some(k) = k {
            notify_parent_job(&k, process, CLD_CONTINUED, SIGCONT);
        }
        process.cont_wait.wake_all();
    }
    process.wake_tasks();
}

/// Sends `sig` to every process of process group `pgrp`, from the kernel (the console's
/// signal keys).
pub fn signal_group(k: &Kernel, pgrp: i32, sig: i32) {
    let info = SigInfo {
        signo: sig,
        code: SI_KERNEL,
        ..SigInfo::default()
    };
    for p in k.processes() {
        if p.pgid.load(std::sync::atomic::Ordering::Relaxed) == pgrp {
            send(&p, info);
        }
    }
}

/// The running kernel, for signal paths that start without one (a SIGCONT sent from
/// anywhere). Replaced at each boot: reboot runs a fresh kernel in the same process.
pub static KERNEL: parking_lot::RwLock<Option<std::sync::Weak<Kernel>>> =
    parking_lot::const_rwlock(None);

/// SIGCHLD codes for job control.
pub const CLD_STOPPED: i32 = 5;
/// The child continued.
pub const CLD_CONTINUED: i32 = 6;

/// Stops `process` by job control with `sig`: its parent hears of it (SIGCHLD with
/// CLD_STOPPED unless SA_NOCLDSTOP, and wait4's WUNTRACED).
pub fn stop_process(k: &Kernel, process: &Arc<Process>, sig: i32) {
    *process.stopped.lock() = Some(sig);
    *process.job_report.lock() = Some(JobReport::Stopped(sig));
    notify_parent_job(k, process, CLD_STOPPED, sig);
}

fn notify_parent_job(k: &Kernel, child: &Process, code: i32, sig: i32) {
    let Some(parent) = k.process(child.ppid()) else {
        return;
    };
    let act = action_of(&parent, SIGCHLD);
    if act.flags & SA_NOCLDSTOP == 0 {
        let info = SigInfo {
            signo: SIGCHLD,
            code,
            pid: child.pid,
            status: sig,
            ..SigInfo::default()
        };
        send(&parent, info);
    }
    parent.child_wait.wake_all();
}

/// Whether SIGKILL waits for the process (which then must not stay stopped).
pub fn kill_pending(task: &Task) -> bool {
    (task.pending.mask() | task.process.pending.lock().mask()) & bit(SIGKILL) != 0
}

/// The signals `task` could take now: pending, and not blocked.
pub fn deliverable(task: &Task) -> u64 {
    let pending = task.pending.mask() | task.process.pending.lock().mask();
    pending & !(task.sigmask & !UNBLOCKABLE)
}

fn dequeue(task: &mut Task) -> Option<SigInfo> {
    let allowed = !(task.sigmask & !UNBLOCKABLE);
    if let Some(info) = task.pending.take(allowed) {
        return Some(info);
    }
    task.process.pending.lock().take(allowed)
}

/// How a syscall that waited reacts to a signal that runs a handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Restarted after the handler if it has SA_RESTART, else EINTR (read, wait4).
    IfSaRestart,
    /// Always EINTR after a handler (pause, sigsuspend, poll, nanosleep).
    Never,
    /// Not interrupted by signals at all, only ended by SIGKILL (a vfork parent).
    Killable,
}

/// What delivery decided for the task.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Run guest code; `handler` says whether a handler frame was set up.
    Run {
        /// A handler runs first.
        handler: bool,
    },
    /// The process ends with this status.
    Exit(ExitStatus),
    /// The process was stopped by job control: park until SIGCONT.
    Stopped,
}

/// Delivers pending signals to `task` before it returns to guest code. `interrupted`
/// names the restart class of a waiting syscall the signal interrupts, if any.
pub fn deliver(k: &Kernel, task: &mut Task, interrupted: Option<Restart>) -> Delivery {
    while let Some(info) = dequeue(task) {
        let sig = info.signo;
        let act = action_of(&task.process, sig);

        match act.handler {
            SIG_IGN if bit(sig) & UNBLOCKABLE == 0 => continue,
            SIG_DFL => match default_action(sig) {
                DefaultAction::Ignore | DefaultAction::Continue => continue,
                DefaultAction::Stop => {
                    let process = task.process.clone();
                    stop_process(k, &process, sig);
                    return Delivery::Stopped;
                }
                DefaultAction::Terminate => return Delivery::Exit(ExitStatus::Signal(sig)),
                DefaultAction::Core => {
                    return Delivery::Exit(ExitStatus::Signal(sig | CORE_FLAG));
                }
            },
            _ => {}
        }

        if sig == SIGKILL || sig == SIGSTOP {
            return Delivery::Exit(ExitStatus::Signal(SIGKILL));
        }
        let restart = interrupted.map(|kind| kind == Restart::IfSaRestart);
        return match crate::sigframe::setup(task, info, act, restart) {
            Ok(()) => Delivery::Run { handler: true },
            // A frame that cannot be written kills the process with SIGSEGV, as Linux's
            // force_sigsegv.
            Err(_) => Delivery::Exit(ExitStatus::Signal(SIGSEGV)),
        };
    }

    if interrupted.is_none() {
        if let Some(mask) = task.saved_sigmask.take() {
            task.sigmask = mask;
        }
    }
    Delivery::Run { handler: false }
}

/// Bit set in an [`ExitStatus::Signal`] value when the default action dumps core.
pub const CORE_FLAG: i32 = 0x80;

/// Tells the parent of `child` that it ended: SIGCHLD (unless the parent asked not to
/// be told), and a wake-up of its wait4.
pub fn notify_parent(k: &Kernel, child: &Process, status: ExitStatus) {
    let Some(parent) = k.process(child.ppid()) else {
        return;
    };

    let (code, value) = match status {
        ExitStatus::Code(c) => (CLD_EXITED, c),
        ExitStatus::Signal(s) if s & CORE_FLAG != 0 => (CLD_DUMPED, s & !CORE_FLAG),
        ExitStatus::Signal(s) => (CLD_KILLED, s),
    };
    let info = SigInfo {
        signo: SIGCHLD,
        code,
        pid: child.pid,
        status: value,
        ..SigInfo::default()
    };
    send(&parent, info);
    parent.child_wait.wake_all();
}

/// Whether the parent has said its children need no reaping (SIGCHLD ignored or
/// SA_NOCLDWAIT): they then vanish at exit instead of becoming zombies.
pub fn parent_autoreaps(parent: &Process) -> bool {
    let act = action_of(parent, SIGCHLD);
    act.handler == SIG_IGN || act.flags & SA_NOCLDWAIT != 0
}

/// The number of signals, for range checks.
pub fn valid(sig: i32) -> bool {
    (1..=NSIG as i32).contains(&sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_signals_merge_and_realtime_queue() {
        let mut p = SigPending::default();
        let int = SigInfo {
            signo: SIGINT,
            ..Default::default()
        };
        let rt = SigInfo {
            signo: 40,
            ..Default::default()
        };
        p.add(int);
        p.add(int);
        p.add(rt);
        p.add(rt);
        assert_eq!(p.mask(), bit(SIGINT) | bit(40));
        assert_eq!(p.take(u64::MAX).map(|i| i.signo), Some(SIGINT));
        assert_eq!(p.take(u64::MAX).map(|i| i.signo), Some(40));
        assert_eq!(p.take(u64::MAX).map(|i| i.signo), Some(40));
        assert_eq!(p.take(u64::MAX), None);
    }

    #[test]
    fn blocked_signals_stay_pending() {
        let mut p = SigPending::default();
        p.add(SigInfo {
            signo: SIGPIPE,
            ..Default::default()
        });
        assert_eq!(p.take(!bit(SIGPIPE)), None);
        assert!(p.take(u64::MAX).is_some());
    }

    #[test]
    fn a_queued_siginfo_keeps_the_48_bytes_linux_keeps() {
        let mut raw = [0u8; 128];
        for (i, b) in raw[..48].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        raw[8..12].copy_from_slice(&SI_QUEUE.to_le_bytes());
        // Padding after si_code, which the guest never sees filled.
        raw[12..16].fill(0);

        let info = SigInfo::from_user(&raw, 10).unwrap();
        assert_eq!(info.signo, 10);
        let out = info.to_bytes();
        assert_eq!(out[0..4], 10i32.to_le_bytes());
        assert_eq!(out[4..48], raw[4..48]);
        assert!(out[48..].iter().all(|&b| b == 0));
    }

    #[test]
    fn unknown_codes_with_bytes_past_48_are_e2big() {
        let mut raw = [0u8; 128];
        let set_code = |raw: &mut [u8; 128], code: i32| {
            raw[8..12].copy_from_slice(&code.to_le_bytes());
        };
        set_code(&mut raw, -50);
        assert!(SigInfo::from_user(&raw, 10).is_ok());
        raw[100] = 1;
        assert_eq!(SigInfo::from_user(&raw, 10), Err(Errno::E2BIG));

        // Known layouts: the generic codes, SI_KERNEL, each signal's own codes.
        for (sig, code) in [
            (10, SI_QUEUE),
            (10, SI_TKILL),
            (10, SI_KERNEL),
            (SIGCHLD, 6),
        ] {
            set_code(&mut raw, code);
            assert!(SigInfo::from_user(&raw, sig).is_ok(), "{sig} {code}");
        }
        for (sig, code) in [(SIGCHLD, 7), (SIGSEGV, 11), (10, 7), (10, -8)] {
            set_code(&mut raw, code);
            assert_eq!(
                SigInfo::from_user(&raw, sig),
                Err(Errno::E2BIG),
                "{sig} {code}"
            );
        }
    }

    #[test]
    fn kernel_siginfo_puts_each_member_in_its_place() {
        let fault = SigInfo {
            signo: SIGSEGV,
            code: 1,
            addr: 0x1122_3344_5566_7788,
            ..SigInfo::default()
        };
        assert_eq!(
            fault.to_bytes()[16..24],
            0x1122_3344_5566_7788u64.to_le_bytes()
        );

        let child = SigInfo {
            signo: SIGCHLD,
            code: CLD_EXITED,
            pid: 7,
            uid: 8,
            status: 3,
            ..SigInfo::default()
        };
        let b = child.to_bytes();
        assert_eq!(b[16..20], 7i32.to_le_bytes());
        assert_eq!(b[20..24], 8u32.to_le_bytes());
        assert_eq!(b[24..28], 3i32.to_le_bytes());
    }

    #[test]
    fn defaults_follow_signal_7() {
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGSEGV), DefaultAction::Core);
        assert_eq!(default_action(SIGHUP), DefaultAction::Terminate);
        assert_eq!(default_action(20), DefaultAction::Stop);
    }
}
