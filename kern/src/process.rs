//! The life of a process: fork, exit, and reaping by wait4.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::cputime::Usage;
use crate::errno::{Errno, KResult};
use crate::kernel::Kernel;
use crate::signal;
use arch_um::ptrace::Regs;

use crate::task::{ExitStatus, HostLoan, Pid, Process, Task};
use crate::waitq::{Requeue, WakeCell};

/// The pid of init, which adopts orphans.
pub const INIT_PID: Pid = 1;

/// What `clone` asked for beyond a new process.
#[derive(Clone, Copy, Debug, Default)]
pub struct ForkArgs {
    /// New stack pointer for the child, or 0 to share the parent's value.
    pub stack: u64,
    /// Store the child's tid here in the parent (CLONE_PARENT_SETTID).
    pub parent_tid: Option<u64>,
    /// Store the child's tid here in the child (CLONE_CHILD_SETTID).
    pub child_tid: Option<u64>,
    /// The child's clear_child_tid (CLONE_CHILD_CLEARTID).
    pub clear_tid: Option<u64>,
    /// The child's FS base (CLONE_SETTLS).
    pub tls: Option<u64>,
    /// The parent waits until the child execs or exits (CLONE_VFORK).
    pub vfork: bool,
    /// The child shares the parent's memory (CLONE_VM, with CLONE_VFORK only): it runs
    /// on the parent's own host thread, lent until it execs or exits.
    pub share_vm: bool,
}

/// Creates a child process of `parent`: a copy-on-write copy of its address space (or,
/// with `share_vm`, the address space itself and the parent's host thread), its
/// descriptors and dispositions, runnable on this CPU. Returns the child's pid.
pub fn fork(k: &Arc<Kernel>, parent: &mut Task, args: ForkArgs) -> KResult<Pid> {
    let parent_mm = parent.mm();
    let (child_mm, host, host_regs) = if args.share_vm {
        lend_host(parent)?
    } else {
        let t = parent.host.take().expect("fork runs at a syscall stop");
        let (back, forked) = parent_mm.fork(t);
        parent.host = back;
        // The stub ran on the parent's thread and clobbered its registers.
        parent.host_regs = Default::default();
        let (child_mm, host) = forked?;
        let host_regs = host.regs().map_err(|_| Errno::EAGAIN)?;
        (Arc::new(child_mm), host, host_regs)
    };

    let pid = k.alloc_pid();
    let pp = &parent.process;
    let cwd = pp.cwd.lock().clone();
    let child = Arc::new(Process::new(pid, pp.pid, child_mm, cwd));
    copy_process_state(pp, &child);
    if args.share_vm {
        child.share_mm_from_now();
    }

    let mut regs = parent.regs;
    regs.rax = 0;
    if args.stack != 0 {
        regs.rsp = args.stack;
    }
    if let Some(tls) = args.tls {
        regs.fs_base = tls;
    }

    let cell = WakeCell::new(
        Arc::downgrade(k) as std::sync::Weak<dyn Requeue>,
        parent.cpu,
    );
    let mut task = Task::new(child.clone(), host, regs, cell);
    task.host_regs = host_regs;
    task.borrowed_host = parent.lent_host.clone();
    task.sigmask = parent.sigmask;
    task.altstack = parent.altstack;
    task.cpu = parent.cpu;
    task.clear_child_tid = args.clear_tid.unwrap_or(0);

    // A bad address for either tid is not clone's failure: Linux ignores the put_user
    // (kernel_clone, schedule_tail), and the child exists either way.
    let tid_bytes = pid.to_le_bytes();
    if let Some(addr) = args.child_tid {
        let _ = child.mm().write(addr, &tid_bytes);
    }
    if let Some(addr) = args.parent_tid {
        let _ = parent_mm.write(addr, &tid_bytes);
    }
    if args.vfork {
        *child.vfork_parent.lock() = Some(parent.cell.clone());
    }

    // New work goes to the least loaded CPU; the child then belongs to that CPU's
    // tracer, so it is handed over stopped. A child on a lent host thread stays with
    // the tracer of that thread.
    task.affinity = parent.affinity;
    let target = k
        .cpus
        .least_loaded_in(smp::VcpuId(parent.cpu), task.affinity)
        .0;
    if target != parent.cpu && task.borrowed_host.is_none() {
        if let Err(e) = task.migrate(target) {
            log::warn!("pid {pid}: cannot move to vcpu{target}: {e}");
        }
    }

    pp.children.lock().push(pid);
    k.add_process(child);
    k.requeue(Box::new(task));
    Ok(pid)
}

/// A vfork child that shares memory runs on its parent's host thread: the parent's own
/// host process holds the one address space, exactly as Linux shares it, and the parent
/// (waiting until the child execs or exits) needs neither meanwhile. Its FPU state is
/// kept aside for it, and its registers are written back whole when it runs again.
fn lend_host(
    parent: &mut Task,
) -> KResult<(Arc<crate::mm::AddressSpace>, arch_um::ptrace::Stopped, Regs)> {
    let host = parent.host.take().expect("fork runs at a syscall stop");
    let fpu = match host.xstate() {
        Ok(Some(area)) => Ok(area),
        Ok(None) => host.fpregs().map(|fx| fx.to_vec()),
        Err(e) => Err(e),
    };
    let fpu = match fpu {
        Ok(fpu) => fpu,
        Err(_) => {
            parent.host = Some(host);
            return Err(Errno::EAGAIN);
        }
    };

    parent.lent_fpu = Some(fpu);
    parent.lent_host = Some(HostLoan::default());
    let host_regs = std::mem::take(&mut parent.host_regs);
    Ok((parent.mm(), host, host_regs))
}

/// Takes back the host thread a vfork parent lent its child, once the child has given it
/// back (exec or exit), with the parent's own FPU state; its registers are written whole
/// on the next entry to the guest. Returns false while the thread is still lent.
pub fn reclaim_host(task: &mut Task) -> bool {
    let Some(loan) = task.lent_host.as_ref() else {
        return true;
    };
    if !loan.is_back() {
        return false;
    }

    task.host = loan.take();
    task.lent_host = None;
    task.host_regs = Regs::default();
    let fpu = task.lent_fpu.take().unwrap_or_default();
    if let Some(host) = task.host.as_mut() {
        let restored = match <&[u8; 512]>::try_from(fpu.as_slice()) {
            Ok(fx) => host.set_fpregs(fx),
            Err(_) => host.set_xstate(&fpu),
        };
        if let Err(e) = restored {
            log::warn!("pid {}: FPU state lost over vfork: {e}", task.tid);
        }
    }
    true
}

fn copy_process_state(parent: &Process, child: &Process) {
    *child.files.lock() = parent.files.lock().clone();
    child
        .umask
        .store(parent.umask.load(Ordering::Relaxed), Ordering::Relaxed);
    child
        .pgid
        .store(parent.pgid.load(Ordering::Relaxed), Ordering::Relaxed);
    child
        .sid
        .store(parent.sid.load(Ordering::Relaxed), Ordering::Relaxed);
    *child.comm.lock() = parent.comm.lock().clone();
    *child.exe.lock() = parent.exe.lock().clone();
    *child.arg_ranges.lock() = *parent.arg_ranges.lock();
    *child.sigactions.lock() = *parent.sigactions.lock();
    *child.rlimits.lock() = *parent.rlimits.lock();
    *child.creds.lock() = parent.creds.lock().clone();
    *child.root.lock() = parent.root.lock().clone();
}

/// Ends the process of `task` with `status`: frees its memory and descriptors, hands
/// its children to init and tells its parent. The machine halts when init ends.
pub fn exit(k: &Kernel, task: &mut Task, status: ExitStatus) {
    let p = task.process.clone();
    let status = without_unwritten_core(&p, status);

    // The host thread is the address space's process: releasing the address space kills
    // and reaps it, once, with its last user. A vfork child gives back the host thread it
    // borrowed instead.
    match task.borrowed_host.take() {
        Some(loan) => loan.give_back(task.host.take()),
        None => task.host = None,
    }
    drop(p.release_mm());
    *p.files.lock() = Default::default();
    k.locks.release_all(p.pid);
    p.cells.lock().retain(|c| !Arc::ptr_eq(c, &task.cell));
    release_vfork_parent(&p);

    if p.pid == INIT_PID {
        log::info!("init exited: {status:?}; halting");
        k.halt(status);
        return;
    }

    reparent_children(k, &p);
    *p.exit_status.lock() = Some(status);

    let parent = k.process(p.ppid());
    if parent.as_deref().is_some_and(signal::parent_autoreaps) {
        reap(k, &p);
        if let Some(parent) = parent {
            parent.child_wait.wake_all();
        }
        return;
    }
    signal::notify_parent(k, &p, status);
}

/// Linux sets the core bit of a wait status only when it wrote a core file, and with a zero
/// RLIMIT_CORE it writes none (core_pattern pipes aside). No core file is written here
/// either way; the bit follows the limit, as a dump to a file would.
fn without_unwritten_core(p: &Process, status: ExitStatus) -> ExitStatus {
    const RLIMIT_CORE: usize = 4;
    match status {
        ExitStatus::Signal(s) if s & signal::CORE_FLAG != 0 => {
            if p.rlimits.lock()[RLIMIT_CORE].0 == 0 {
                ExitStatus::Signal(s & !signal::CORE_FLAG)
            } else {
                status
            }
        }
        other => other,
    }
}

/// Wakes a vfork parent: its child has exec'd or exited.
pub fn release_vfork_parent(p: &Process) {
    if let Some(cell) = p.vfork_parent.lock().take() {
        cell.wake();
    }
}

fn reparent_children(k: &Kernel, p: &Process) {
    let orphans = std::mem::take(&mut *p.children.lock());
    if orphans.is_empty() {
        return;
    }
    let Some(init) = k.process(INIT_PID) else {
        return;
    };

    let mut zombie = false;
    for pid in orphans {
        if let Some(c) = k.process(pid) {
            c.ppid.store(INIT_PID, Ordering::Relaxed);
            zombie |= c.is_zombie();
        }
        init.children.lock().push(pid);
    }
    if zombie {
        init.child_wait.wake_all();
    }
}

fn reap(k: &Kernel, child: &Process) {
    k.remove_process(child.pid);
    if let Some(parent) = k.process(child.ppid()) {
        parent.children.lock().retain(|&c| c != child.pid);
    }
}

/// Which children a wait4 or waitid call is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// Any child.
    Any,
    /// The child with this pid.
    Pid(Pid),
    /// Any child in this process group.
    Group(Pid),
}

/// The outcome of a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited {
    /// A child ended and was reaped (unless WNOWAIT): its pid, status, and what it and
    /// its reaped children used.
    Child(Pid, ExitStatus, Usage),
    /// A child stopped or continued (WUNTRACED, WCONTINUED).
    Job(Pid, crate::task::JobReport),
    /// Children exist, none has news, and the caller said WNOHANG.
    Nothing,
    /// Children exist and none has news: wait on `child_wait`.
    Block,
}

/// What a wait asks about besides ended children.
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitOptions {
    /// WNOHANG.
    pub nohang: bool,
    /// WNOWAIT: leave the child to be waited for again.
    pub keep: bool,
    /// WUNTRACED: report stopped children.
    pub stopped: bool,
    /// WCONTINUED: report continued children.
    pub continued: bool,
}

/// Looks for an ended (or, as asked, stopped or continued) child of `p` that `which`
/// covers; reaps an ended one unless `keep`. ECHILD when no child matches at all.
pub fn wait_child(k: &Kernel, p: &Process, which: WaitFor, opts: WaitOptions) -> KResult<Waited> {
    let WaitOptions { nohang, keep, .. } = opts;
    // The pids first: the process table comes before a process's locks in the order.
    let pids = p.children.lock().clone();
    let children: Vec<Arc<Process>> = pids.iter().filter_map(|&pid| k.process(pid)).collect();

    let mut any = false;
    for c in &children {
        let matches = match which {
            WaitFor::Any => true,
            WaitFor::Pid(pid) => c.pid == pid,
            WaitFor::Group(g) => c.pgid.load(Ordering::Relaxed) == g,
        };
        if !matches {
            continue;
        }
        any = true;

        let status = *c.exit_status.lock();
        if let Some(status) = status {
            // The child's times and its reaped children's go to the parent when it is
            // reaped by a wait, and only then (an autoreaped child's are lost, as on
            // Linux since 2.6.9; getrusage(2) NOTES).
            let usage = c.usage_with_children();
            if !keep {
                p.times.add_child(usage);
                reap(k, c);
            }
            return Ok(Waited::Child(c.pid, status, usage));
        }

        let mut report = c.job_report.lock();
        let wanted = match *report {
            Some(crate::task::JobReport::Stopped(_)) => opts.stopped,
            Some(crate::task::JobReport::Continued) => opts.continued,
            None => false,
        };
        if wanted {
            let r = if keep { *report } else { report.take() };
            if let Some(r) = r {
                return Ok(Waited::Job(c.pid, r));
            }
        }
    }

    match (any, nohang) {
        (false, _) => Err(Errno::ECHILD),
        (true, true) => Ok(Waited::Nothing),
        (true, false) => Ok(Waited::Block),
    }
}
