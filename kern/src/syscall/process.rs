//! Process syscalls: ids, exit, execve, thread-area setup, scheduling queries.

use std::sync::atomic::Ordering;

use super::{Args, Ctx};
use crate::cputime::Usage;
use crate::errno::{Errno, KResult};
use crate::exec;
use crate::process::{wait_child, ForkArgs, WaitFor, WaitOptions, Waited};
use crate::signal::{self, Restart};
use crate::task::{ExitStatus, JobReport};

/// Most argv or envp entries execve reads (Linux's MAX_ARG_STRINGS).
const MAX_ARG_STRINGS: usize = 0x7fff_ffff;

/// exit(2). With one thread per process this ends the process, as exit_group does.
pub fn sys_exit(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.exit_with(ExitStatus::Code(a[0] as i32 & 0xff));
    Ok(0)
}

/// exit_group(2).
pub fn sys_exit_group(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.exit_with(ExitStatus::Code(a[0] as i32 & 0xff));
    Ok(0)
}

/// getpid(2).
pub fn sys_getpid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.pid as i64)
}

/// getppid(2).
pub fn sys_getppid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.ppid() as i64)
}

/// gettid(2).
pub fn sys_gettid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.tid as i64)
}

/// getpgrp(2).
pub fn sys_getpgrp(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    Ok(cx.task.process.pgid.load(Ordering::Relaxed) as i64)
}

/// getpgid(2).
pub fn sys_getpgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    Ok(target(cx, a[0])?.pgid.load(Ordering::Relaxed) as i64)
}

/// getsid(2).
pub fn sys_getsid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    Ok(target(cx, a[0])?.sid.load(Ordering::Relaxed) as i64)
}

/// setpgid(2): the caller or one of its children, within the caller's session. The
/// checks come in Linux's order: EINVAL for a negative group, ESRCH for a process that
/// is neither, EPERM for a child in another session, EACCES for one that has exec'd,
/// EPERM for a session leader and for a group the session does not have.
pub fn sys_setpgid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let pid = match a[0] as i32 {
        0 => cx.task.process.pid,
        p => p,
    };
    let pgid = match a[1] as i32 {
        0 => pid,
        g => g,
    };
    if pgid < 0 {
        return Err(Errno::EINVAL);
    }

    let p = target(cx, pid as u64)?;
    let me = &cx.task.process;
    let sid = p.sid.load(Ordering::Relaxed);
    if p.pid != me.pid {
        if p.ppid() != me.pid {
            return Err(Errno::ESRCH);
        }
        if sid != me.sid.load(Ordering::Relaxed) {
            return Err(Errno::EPERM);
        }
        if p.execed.load(Ordering::Relaxed) {
            return Err(Errno::EACCES);
        }
    }
    if p.pid == sid {
        return Err(Errno::EPERM);
    }

    // Joining a group needs the group to exist in the caller's session (a zombie member
    // keeps it alive, as on Linux); only a new group of one's own can be made from nothing.
    if pgid != p.pid {
        let exists = cx.k.processes().iter().any(|q| {
            q.pgid.load(Ordering::Relaxed) == pgid && q.sid.load(Ordering::Relaxed) == sid
        });
        if !exists {
            return Err(Errno::EPERM);
        }
    }
    p.pgid.store(pgid, Ordering::Relaxed);
    Ok(0)
}

/// setsid(2): EPERM for a group leader, as Linux.
pub fn sys_setsid(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    let p = &cx.task.process;
    if p.pgid.load(Ordering::Relaxed) == p.pid {
        return Err(Errno::EPERM);
    }
    p.pgid.store(p.pid, Ordering::Relaxed);
    p.sid.store(p.pid, Ordering::Relaxed);
    Ok(p.pid as i64)
}

/// The process `pid` names for calls that take 0 as "the caller". A zombie still counts
/// until it is reaped, and a negative pid names no process (ESRCH), as on Linux.
fn target(cx: &Ctx, pid: u64) -> KResult<std::sync::Arc<crate::task::Process>> {
    match pid as i32 {
        0 => Ok(cx.task.process.clone()),
        p => cx.k.process(p).ok_or(Errno::ESRCH),
    }
}

fn own_pid(cx: &Ctx, pid: u64) -> KResult<()> {
    target(cx, pid).map(|_| ())
}

/// set_tid_address(2).
pub fn sys_set_tid_address(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    cx.task.clear_child_tid = a[0];
    Ok(cx.task.tid as i64)
}

/// set_robust_list(2).
pub fn sys_set_robust_list(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    // sizeof(struct robust_list_head) on x86_64.
    if a[1] != 24 {
        return Err(Errno::EINVAL);
    }
    cx.task.robust_list = a[0];
    Ok(0)
}

/// arch_prctl(2): the FS and GS bases.
pub fn sys_arch_prctl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const ARCH_SET_GS: u64 = 0x1001;
    const ARCH_SET_FS: u64 = 0x1002;
    const ARCH_GET_FS: u64 = 0x1003;
    const ARCH_GET_GS: u64 = 0x1004;

    let (code, addr) = (a[0], a[1]);
    let top = cx.mm().task_top();
    match code {
        ARCH_SET_FS | ARCH_SET_GS if addr >= top => Err(Errno::EPERM),
        ARCH_SET_FS => {
            cx.task.regs.fs_base = addr;
            Ok(0)
        }
        ARCH_SET_GS => {
            cx.task.regs.gs_base = addr;
            Ok(0)
        }
        ARCH_GET_FS => cx
            .write_bytes(addr, &cx.task.regs.fs_base.to_le_bytes())
            .map(|_| 0),
        ARCH_GET_GS => cx
            .write_bytes(addr, &cx.task.regs.gs_base.to_le_bytes())
            .map(|_| 0),
        _ => Err(Errno::EINVAL),
    }
}

/// execve(2).
pub fn sys_execve(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let path = cx.read_path(a[0])?;
    let argv = read_str_array(cx, a[1])?;
    let envp = read_str_array(cx, a[2])?;

    exec::execve(cx, &path, argv, envp)?;
    cx.replace_regs();
    Ok(0)
}

/// Reads a NULL-terminated array of string pointers (argv, envp); NULL is empty.
fn read_str_array(cx: &Ctx, addr: u64) -> KResult<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }

    let mut total = 0usize;
    for i in 0..MAX_ARG_STRINGS {
        let p = cx.read_u64(addr + 8 * i as u64)?;
        if p == 0 {
            break;
        }

        let s = cx
            .mm()
            .read_cstr(p, exec::MAX_ARG_STRLEN)
            .map_err(|e| match e {
                Errno::ENAMETOOLONG => Errno::E2BIG,
                e => e,
            })?;
        total += s.len() + 1 + 8;
        if total > exec::MAX_ARG_BYTES {
            return Err(Errno::E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

/// prctl(2): the name calls; others are refused with EINVAL.
pub fn sys_prctl(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;

    match a[0] {
        PR_SET_NAME => {
            let mut name = cx.read_bytes_upto_nul(a[1], 16)?;
            name.truncate(15);
            *cx.task.process.comm.lock() = name;
            Ok(0)
        }
        PR_GET_NAME => {
            let mut name = cx.task.process.comm.lock().clone();
            name.resize(16, 0);
            cx.write_bytes(a[1], &name)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// sched_yield(2): the next queued task of this CPU runs first.
pub fn sys_sched_yield(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    cx.yield_cpu();
    Ok(0)
}

/// The online CPUs as a mask.
fn online_mask(cx: &Ctx) -> u64 {
    let n = cx.k.cpus.count();
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// sched_getaffinity(2) for the caller: the CPUs it may run on.
pub fn sys_sched_getaffinity(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let target = a[0] as i32;
    if target != 0 && target != cx.task.tid {
        // Another task's mask lives on the CPU that runs it; report the online set.
        own_pid(cx, a[0])?;
    }
    let len = a[1] as usize;
    if len < 8 || len % 8 != 0 {
        return Err(Errno::EINVAL);
    }

    let mask = if target == 0 || target == cx.task.tid {
        cx.task.affinity & online_mask(cx)
    } else {
        online_mask(cx)
    };
    cx.write_bytes(a[2], &mask.to_le_bytes())?;
    Ok(8)
}

/// sched_setaffinity(2) for the caller: it moves to an allowed CPU if it is not on one.
pub fn sys_sched_setaffinity(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let target = a[0] as i32;
    if target != 0 && target != cx.task.tid {
        own_pid(cx, a[0])?;
        return Err(Errno::EPERM);
    }
    let len = (a[1] as usize).min(8);
    let mut raw = [0u8; 8];
    raw[..len].copy_from_slice(&cx.read_bytes(a[2], len)?);
    let mask = u64::from_le_bytes(raw) & online_mask(cx);
    if mask == 0 {
        return Err(Errno::EINVAL);
    }

    cx.task.affinity = mask;
    if !cx.task.may_run_on(cx.task.cpu) {
        let to = cx.k.cpus.least_loaded_in(smp::VcpuId(cx.task.cpu), mask).0;
        if let Err(e) = cx.task.migrate(to) {
            log::warn!("pid {}: cannot move to vcpu{to}: {e}", cx.task.tid);
            return Err(Errno::EAGAIN);
        }
        cx.yield_cpu();
    }
    Ok(0)
}

/// getcpu(2): the calling task's virtual CPU and node 0.
pub fn sys_getcpu(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let cpu = cx.task.cpu as u32;
    if a[0] != 0 {
        cx.write_bytes(a[0], &cpu.to_le_bytes())?;
    }
    if a[1] != 0 {
        cx.write_bytes(a[1], &0u32.to_le_bytes())?;
    }
    Ok(0)
}

const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_PARENT: u64 = 0x8000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// fork(2).
pub fn sys_fork(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    clone_process(cx, SIGCHLD_FLAG, ForkArgs::default())
}

/// vfork(2): a fork whose parent waits until the child execs or exits.
pub fn sys_vfork(cx: &mut Ctx, _a: &Args) -> KResult<i64> {
    clone_process(
        cx,
        CLONE_VM | CLONE_VFORK | SIGCHLD_FLAG,
        ForkArgs::default(),
    )
}

const SIGCHLD_FLAG: u64 = 17;

/// clone(2): new processes; new threads come later.
pub fn sys_clone(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    // x86_64 order: flags, stack, parent_tid, child_tid, tls.
    let (flags, stack, ptid, ctid, tls) = (a[0], a[1], a[2], a[3], a[4]);
    let args = ForkArgs {
        stack,
        parent_tid: (flags & CLONE_PARENT_SETTID != 0).then_some(ptid),
        child_tid: (flags & CLONE_CHILD_SETTID != 0).then_some(ctid),
        clear_tid: (flags & CLONE_CHILD_CLEARTID != 0).then_some(ctid),
        tls: (flags & CLONE_SETTLS != 0).then_some(tls),
        ..ForkArgs::default()
    };
    clone_process(cx, flags, args)
}

fn clone_process(cx: &mut Ctx, flags: u64, mut args: ForkArgs) -> KResult<i64> {
    // A vfork parent runs again here once its child has let go of it (and of its host
    // thread, when they shared memory).
    if let Some(child) = cx.task.vfork_child {
        let waiting =
            cx.k.process(child)
                .is_some_and(|c| c.vfork_parent.lock().is_some());
        if waiting || !crate::process::reclaim_host(cx.task) {
            return cx.wait(Restart::Killable);
        }
        cx.task.vfork_child = None;
        return Ok(child as i64);
    }

    if flags & (CLONE_THREAD | CLONE_SIGHAND) != 0 || flags & (CLONE_FS | CLONE_FILES) != 0 {
        return Err(Errno::ENOSYS);
    }
    // CLONE_VM without CLONE_VFORK is a thread in all but name: two host threads in one
    // address space, which needs threads. With CLONE_VFORK the parent waits, so the
    // child can run on the parent's own host thread.
    if flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0 {
        return Err(Errno::ENOSYS);
    }
    if flags & CLONE_PARENT != 0 && cx.task.process.pid == crate::process::INIT_PID {
        return Err(Errno::EINVAL);
    }
    // The host refuses an FS base outside user space (PTRACE_SETREGS: EIO), which would
    // cost the child its host thread; Linux refuses it first (do_arch_prctl_64: EPERM).
    if args.tls.is_some_and(|tls| tls >= cx.mm().task_top()) {
        return Err(Errno::EPERM);
    }

    args.vfork = flags & CLONE_VFORK != 0;
    args.share_vm = args.vfork && flags & CLONE_VM != 0;
    let pid = crate::process::fork(cx.k, cx.task, args)?;
    if args.vfork {
        cx.task.vfork_child = Some(pid);
        return cx.wait(Restart::Killable);
    }
    Ok(pid as i64)
}

const WNOHANG: u64 = 1;
const WUNTRACED: u64 = 2;
const WEXITED: u64 = 4;
const WCONTINUED: u64 = 8;
const WNOWAIT: u64 = 0x0100_0000;
const WAIT_THREAD_FLAGS: u64 = 0x2000_0000 | 0x4000_0000 | 0x8000_0000;

/// wait4(2).
pub fn sys_wait4(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (pid, wstatus, options, rusage) = (a[0] as i32, a[1], a[2], a[3]);
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WAIT_THREAD_FLAGS) != 0 {
        return Err(Errno::EINVAL);
    }
    let which = match pid {
        i32::MIN => return Err(Errno::ESRCH),
        -1 => WaitFor::Any,
        0 => WaitFor::Group(cx.task.process.pgid.load(Ordering::Relaxed)),
        p if p < 0 => WaitFor::Group(-p),
        p => WaitFor::Pid(p),
    };

    let p = cx.task.process.clone();
    p.child_wait.register(&cx.task.cell);
    let opts = WaitOptions {
        nohang: options & WNOHANG != 0,
        keep: false,
        stopped: options & WUNTRACED != 0,
        continued: options & WCONTINUED != 0,
    };
    let waited = wait_child(cx.k, &p, which, opts)?;
    let (pid, word) = match waited {
        Waited::Child(pid, status, _) => (pid, status.wait_status()),
        Waited::Job(pid, JobReport::Stopped(sig)) => (pid, (sig << 8) | 0x7f),
        Waited::Job(pid, JobReport::Continued) => (pid, 0xffff),
        Waited::Nothing => return Ok(0),
        Waited::Block => return cx.wait(Restart::IfSaRestart),
    };
    if wstatus != 0 {
        cx.write_bytes(wstatus, &word.to_le_bytes())?;
    }
    if rusage != 0 {
        cx.write_bytes(rusage, &child_usage(cx, waited).to_rusage())?;
    }
    Ok(pid as i64)
}

/// What a wait reports in its rusage: the child's own usage with its reaped children's
/// (Linux's RUSAGE_BOTH), for an ended child as it was at its end, for a stopped or
/// continued one as it is now.
fn child_usage(cx: &Ctx, waited: Waited) -> Usage {
    match waited {
        Waited::Child(_, _, usage) => usage,
        Waited::Job(pid, _) => {
            cx.k.process(pid)
                .map_or(Usage::default(), |c| c.usage_with_children())
        }
        Waited::Nothing | Waited::Block => Usage::default(),
    }
}

/// waitid(2).
pub fn sys_waitid(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const P_ALL: u64 = 0;
    const P_PID: u64 = 1;
    const P_PGID: u64 = 2;

    let (idtype, id, infop, options, rusage) = (a[0], a[1] as i32, a[2], a[3], a[4]);
    let known = WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WAIT_THREAD_FLAGS;
    if options & !known != 0 || options & (WEXITED | WUNTRACED | WCONTINUED) == 0 {
        return Err(Errno::EINVAL);
    }
    let which = match idtype {
        P_ALL => WaitFor::Any,
        P_PID if id > 0 => WaitFor::Pid(id),
        P_PGID if id > 0 => WaitFor::Group(id),
        P_PGID if id == 0 => WaitFor::Group(cx.task.process.pgid.load(Ordering::Relaxed)),
        _ => return Err(Errno::EINVAL),
    };
    let p = cx.task.process.clone();
    p.child_wait.register(&cx.task.cell);
    let opts = WaitOptions {
        nohang: options & WNOHANG != 0,
        keep: options & WNOWAIT != 0,
        stopped: options & WUNTRACED != 0,
        continued: options & WCONTINUED != 0,
    };
    if options & WEXITED == 0 {
        // Only job-control reports are wanted: an ended child is not one.
        return match wait_child(cx.k, &p, which, opts)? {
            waited @ Waited::Job(pid, r) => {
                write_rusage(cx, rusage, waited)?;
                if infop != 0 {
                    cx.write_bytes(infop, &job_siginfo(pid, r))?;
                }
                Ok(0)
            }
            Waited::Block | Waited::Child(..) if !opts.nohang => cx.wait(Restart::IfSaRestart),
            _ => Ok(0),
        };
    }

    match wait_child(cx.k, &p, which, opts)? {
        waited @ Waited::Child(pid, status, _) => {
            write_rusage(cx, rusage, waited)?;
            if infop != 0 {
                cx.write_bytes(infop, &child_siginfo(pid, status))?;
            }
            Ok(0)
        }
        waited @ Waited::Job(pid, r) => {
            write_rusage(cx, rusage, waited)?;
            if infop != 0 {
                cx.write_bytes(infop, &job_siginfo(pid, r))?;
            }
            Ok(0)
        }
        Waited::Nothing => {
            if infop != 0 {
                cx.write_bytes(infop, &[0; 128])?;
            }
            Ok(0)
        }
        Waited::Block => cx.wait(Restart::IfSaRestart),
    }
}

/// waitid's fifth argument, which glibc never passes: the raw call fills a rusage for a
/// reported child, before the siginfo.
fn write_rusage(cx: &Ctx, addr: u64, waited: Waited) -> KResult<()> {
    if addr == 0 {
        return Ok(());
    }
    cx.write_bytes(addr, &child_usage(cx, waited).to_rusage())
}

fn job_siginfo(pid: i32, r: JobReport) -> [u8; 128] {
    let (code, value) = match r {
        JobReport::Stopped(sig) => (signal::CLD_STOPPED, sig),
        JobReport::Continued => (signal::CLD_CONTINUED, signal::SIGCONT),
    };
    let mut b = [0u8; 128];
    b[0..4].copy_from_slice(&signal::SIGCHLD.to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    b[16..20].copy_from_slice(&pid.to_le_bytes());
    b[24..28].copy_from_slice(&value.to_le_bytes());
    b
}

fn child_siginfo(pid: i32, status: ExitStatus) -> [u8; 128] {
    let (code, value) = match status {
        ExitStatus::Code(c) => (signal::CLD_EXITED, c),
        ExitStatus::Signal(s) if s & signal::CORE_FLAG != 0 => {
            (signal::CLD_DUMPED, s & !signal::CORE_FLAG)
        }
        ExitStatus::Signal(s) => (signal::CLD_KILLED, s),
    };
    let mut b = [0u8; 128];
    b[0..4].copy_from_slice(&signal::SIGCHLD.to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    b[16..20].copy_from_slice(&pid.to_le_bytes());
    b[24..28].copy_from_slice(&value.to_le_bytes());
    b
}

/// reboot(2): power off and halt stop the machine (init's shutdown actions have run by
/// then, as busybox halt does them first); restart halts too, with a log line, since a
/// reboot within the same kernel process is not there yet. CAD switches are accepted.
pub fn sys_reboot(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const MAGIC1: u64 = 0xfee1_dead;
    const MAGIC2: [u64; 4] = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
    const CMD_RESTART: u32 = 0x0123_4567;
    const CMD_HALT: u32 = 0xcdef_0123;
    const CMD_POWER_OFF: u32 = 0x4321_fedc;
    const CMD_CAD_ON: u32 = 0x89ab_cdef;
    const CMD_CAD_OFF: u32 = 0;

    if a[0] as u32 as u64 != MAGIC1 || !MAGIC2.contains(&(a[1] as u32 as u64)) {
        return Err(Errno::EINVAL);
    }
    if cx.task.process.creds.lock().euid != 0 {
        return Err(Errno::EPERM);
    }

    match a[2] as u32 {
        CMD_CAD_ON | CMD_CAD_OFF => Ok(0),
        CMD_RESTART => {
            log::info!("reboot: Restarting system");
            cx.k.restart();
            cx.exit_with(ExitStatus::Code(0));
            Ok(0)
        }
        CMD_POWER_OFF | CMD_HALT => {
            log::info!(
                "reboot: {}",
                if a[2] as u32 == CMD_POWER_OFF {
                    "Power down"
                } else {
                    "System halted"
                }
            );
            cx.k.halt(ExitStatus::Code(0));
            cx.exit_with(ExitStatus::Code(0));
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}
