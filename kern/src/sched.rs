//! What a virtual CPU does: run its tasks, one ptrace stop at a time.
//!
//! A task runs guest code under PTRACE_SYSEMU until it stops; the stop is a system
//! call to emulate, a fault to serve, or a host signal. Between stops the CPU delivers
//! signals, writes back registers that changed and runs the stub for memory changes
//! the stop decided. A task whose syscall must wait is parked and the CPU moves on.

use std::sync::Arc;

use arch_um::host::monotonic_ns;
use arch_um::ptrace::{Exit, FaultInfo, Regs, Resume, Running, StopReason, Stopped, WaitOutcome};
use arch_um::HostError;
use smp::VcpuId;

use crate::kernel::Kernel;
use crate::mm::space::HostFault;
use crate::mm::FaultOutcome;
use crate::oom::{self, OomAction};
use crate::printk::{uptime_ns, RateLimit};
use crate::process;
use crate::signal::{self, Delivery, SigInfo};
use crate::syscall::{self, Flow};
use crate::task::{ExitStatus, Task};

const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
const SIGBUS: i32 = 7;
const BUS_ADRERR: i32 = 2;
const SI_KERNEL: i32 = 0x80;

/// The body of virtual CPU `cpu`: runs queued tasks until the machine halts.
pub fn cpu_loop(k: Arc<Kernel>, cpu: VcpuId) {
    log::debug!("vcpu{}: online", cpu.0);

    loop {
        let next = match k.cpus.queue(cpu).try_pop() {
            Some(t) => Some(t),
            None => {
                // Nothing here: ask a busy CPU for a task before sleeping.
                k.cpus.request_work(cpu);
                k.cpus.idle_wait(cpu)
            }
        };
        let Some(mut task) = next else { break };
        if let Some(tid) = task.adopt.take() {
            adopt(&mut task, tid, cpu);
        }
        give_work(&k, cpu);

        k.cpus.set_busy(cpu, true);
        let ran = run(&k, task);
        k.cpus.set_busy(cpu, false);
        match ran {
            Ran::Parked(task) => {
                let cell = task.cell.clone();
                if let Some(task) = cell.park(task) {
                    k.cpus.push(cpu, task);
                }
            }
            // A task that moved itself (sched_setaffinity) goes to its new CPU.
            Ran::Yielded(task) => {
                let to = VcpuId(task.cpu);
                k.cpus.push(to, task);
            }
            Ran::Exited => {}
        }
    }
}

/// Hands a queued task to a CPU that asked for work, if the task may run there.
pub fn give_work(k: &Kernel, cpu: VcpuId) {
    let Some(idle) = k.cpus.take_work_request(cpu) else {
        return;
    };
    let stolen = k
        .cpus
        .queue(cpu)
        .steal(|t| t.may_run_on(idle.0) && t.adopt.is_none());
    if let Some(mut task) = stolen {
        match task.migrate(idle.0) {
            Ok(()) => k.cpus.push(idle, task),
            Err(e) => {
                // A host signal pending (a fault behind a preemption) is routine: the
                // task stays and this CPU handles the fault first.
                if e.errno == crate::errno::Errno::EAGAIN as i32 {
                    log::debug!("pid {}: stays on vcpu{}: {e}", task.tid, cpu.0);
                } else {
                    log::warn!("pid {}: cannot move to vcpu{}: {e}", task.tid, idle.0);
                }
                k.cpus.push(cpu, task);
            }
        }
    }
}

/// Becomes the tracer of a task another CPU handed over, and moves its host process to
/// this CPU's host CPU.
fn adopt(task: &mut Task, tid: arch_um::ptrace::HostTid, cpu: VcpuId) {
    arch_um::thread::pin_host_task(tid, cpu.0);
    match arch_um::ptrace::adopt(tid) {
        Ok(stopped) => {
            task.host = Some(stopped);
            task.host_regs = Default::default();
        }
        // The run that follows finds no host thread and ends the task.
        Err(e) => log::warn!("vcpu{}: cannot adopt pid {}: {e}", cpu.0, task.tid),
    }
}

/// How a task's turn on the CPU ended.
pub enum Ran {
    /// It waits: park it.
    Parked(Box<Task>),
    /// It gave up the CPU or was preempted: queue it again.
    Yielded(Box<Task>),
    /// Its process ended.
    Exited,
}

/// Runs `task` until it waits, yields or its process ends. Its time here, outside guest
/// code, is its system time.
pub fn run(k: &Arc<Kernel>, mut task: Box<Task>) -> Ran {
    task.kernel_clock.start(monotonic_ns());
    let flow = run_until_event(k, &mut task);
    // Before an exit makes the process a zombie, whose times its parent then reads.
    task.leave_kernel(monotonic_ns());
    match flow {
        Flow::Continue | Flow::Block => Ran::Parked(task),
        Flow::Yield => Ran::Yielded(task),
        Flow::Exit(status) => {
            process::exit(k, &mut task, status);
            Ran::Exited
        }
    }
}

fn run_until_event(k: &Arc<Kernel>, task: &mut Task) -> Flow {
    if stays_stopped(task) {
        task.stopped_in_wait = true;
        return Flow::Block;
    }
    if task.blocked.is_some() {
        match resume_blocked(k, task) {
            Flow::Continue => {}
            other => return other,
        }
    }

    loop {
        match signal::deliver(k, task, None) {
            Delivery::Exit(status) => return Flow::Exit(status),
            Delivery::Stopped if stays_stopped(task) => return Flow::Block,
            _ => {}
        }

        let running = match enter_guest(task) {
            Ok(r) => r,
            Err(e) => return Flow::Exit(lost_host(task, e)),
        };
        // One clock read each way is all the accounting a stop costs: the task's system
        // time and the CPU's guest and kernel time come from the same two readings.
        let cpu = VcpuId(task.cpu);
        let entered_at = monotonic_ns();
        task.leave_kernel(entered_at);
        k.cpus.set_in_guest(cpu, true, entered_at);

        let waited = wait(k, task, running);
        let stopped_at = monotonic_ns();
        k.cpus.set_in_guest(cpu, false, stopped_at);
        task.kernel_clock.start(stopped_at);

        let (stopped, preempted) = match waited {
            Ok(s) => s,
            Err(exit) => return Flow::Exit(host_exit_status(task, exit)),
        };

        match handle_stop(k, task, stopped) {
            Flow::Continue if preempted => return Flow::Yield,
            Flow::Continue => {}
            other => return other,
        }
    }
}

/// Whether the task's process is stopped by job control (and not being killed): then
/// it waits for SIGCONT, registered on the process's continue queue.
fn stays_stopped(task: &Task) -> bool {
    if task.process.stopped.lock().is_none() || signal::kill_pending(task) {
        return false;
    }
    task.cell.arm();
    task.process.cont_wait.register(&task.cell);

    // SIGCONT may have come between the check and the registration.
    task.process.stopped.lock().is_some()
}

/// A parked task runs again: its syscall runs again, or a signal interrupts it.
fn resume_blocked(k: &Arc<Kernel>, task: &mut Task) -> Flow {
    let Some(kind) = task.blocked.take() else {
        return Flow::Continue;
    };

    let pending = signal::deliverable(task);
    let killed = pending & signal::bit(SIGKILL) != 0;
    if pending != 0 && (kind != signal::Restart::Killable || killed) {
        // Bytes already moved are the call's result; a signal does not undo them.
        let interrupted = if task.progress > 0 {
            task.regs.rax = task.progress as u64;
            None
        } else {
            Some(kind)
        };
        let partial = interrupted.is_none();

        match signal::deliver(k, task, interrupted) {
            Delivery::Exit(status) => return Flow::Exit(status),
            // Stopped inside a wait: the call runs again once the process continues.
            Delivery::Stopped => {
                task.stopped_in_wait = true;
                task.blocked = Some(kind);
                return Flow::Block;
            }
            Delivery::Run { handler: true } => {
                finish_wait(task);
                return Flow::Continue;
            }
            Delivery::Run { handler: false } if partial => {
                finish_wait(task);
                return Flow::Continue;
            }
            // The signal was dropped (ignored by now): the call goes on waiting.
            Delivery::Run { handler: false } => {}
        }
    }

    // The re-run ends the wait itself unless it waits again (dispatch calls finish_wait).
    syscall::dispatch(k, task)
}

/// How late past its deadline a timed wait may end before the watchdog calls it a lost
/// wake-up. Generous: a loaded 2-core host with 8 virtual CPUs runs late by tens of ms.
const LATE_WAKEUP_NS: u64 = 1_000_000_000;

/// Ends the task's current wait, however it ended (the call finished, on its first run or
/// a re-run, or a signal interrupted it): what the wait kept across re-runs (deadline,
/// bytes moved, a FIFO end) is dropped, so that the next call starts afresh.
pub(crate) fn finish_wait(task: &mut Task) {
    static LATE: RateLimit = RateLimit::new(1_000_000_000);

    if let Some(deadline) = task.deadline_ns {
        let late = uptime_ns().saturating_sub(deadline);
        if late > LATE_WAKEUP_NS && !task.stopped_in_wait && LATE.allow() {
            log::warn!(
                "watchdog: pid {} woke {} ms past its deadline (a lost wake-up?)",
                task.tid,
                late / 1_000_000
            );
        }
    }

    task.deadline_ns = None;
    task.stopped_in_wait = false;
    task.progress = 0;
    task.fifo_end = None;
}

/// Makes the memory changes decided at the last stop, writes back changed registers
/// and resumes guest code.
fn enter_guest(task: &mut Task) -> Result<Running, HostError> {
    // No host thread means it died under a stub run (killed from outside).
    let Some(mut t) = task.host.take() else {
        return Err(HostError {
            errno: 3,
            op: "enter guest",
        });
    };

    let mm = task.mm();
    match mm.flush(t) {
        Ok((stopped, ran)) => {
            t = stopped;
            if ran {
                // The stub clobbered every register.
                task.host_regs = Default::default();
            }
        }
        Err(e) => return Err(stub_failure(e)),
    }

    if task.regs != task.host_regs {
        let only_rax = Regs {
            rax: task.regs.rax,
            ..task.host_regs
        } == task.regs;
        if only_rax {
            t.set_rax(task.regs.rax)?;
        } else {
            t.set_regs(&task.regs)?;
        }
        task.host_regs = task.regs;
    }
    t.resume(Resume::Sysemu, 0)
}

fn stub_failure(e: arch_um::stub::StubError) -> HostError {
    use arch_um::stub::StubError;

    match e {
        StubError::Refused {
            index,
            errno,
            stopped,
        } => {
            log::error!("stub refused order {index}: host errno {errno}");
            drop(stopped);
            HostError { errno, op: "stub" }
        }
        StubError::Gone(exit) => {
            log::warn!("address-space process vanished: {exit:?}");
            HostError {
                errno: 3,
                op: "stub",
            }
        }
        StubError::Host(e) => e,
    }
}

/// Waits for the next stop of a running task. An IPI or the preemption tick interrupts
/// the wait: then the guest is stopped with PTRACE_INTERRUPT if a queued task is owed
/// the CPU (the second value says so) or a signal waits for it.
fn wait(k: &Kernel, task: &Task, mut running: Running) -> Result<(Stopped, bool), Exit> {
    let mut preempt = false;
    loop {
        match running.wait() {
            Ok(WaitOutcome::Stopped(s)) => return Ok((s, preempt)),
            Ok(WaitOutcome::Exited(e)) => return Err(e),
            Err((r, e)) if e.errno == 4 => {
                running = r;
                if k.is_halting() {
                    return Err(Exit::Signal(SIGKILL));
                }
                give_work(k, VcpuId(task.cpu));
                let owed = k.cpus.should_preempt(VcpuId(task.cpu));
                if owed || signal::deliverable(task) != 0 {
                    preempt |= owed;
                    let _ = running.interrupt();
                }
            }
            Err((_, e)) => {
                log::error!("waiting for a guest failed: {e}");
                return Err(Exit::Signal(SIGKILL));
            }
        }
    }
}

fn handle_stop(k: &Arc<Kernel>, task: &mut Task, stopped: Stopped) -> Flow {
    let regs = match stopped.regs() {
        Ok(r) => r,
        Err(e) => return Flow::Exit(lost_host(task, e)),
    };
    task.regs = regs;
    task.host_regs = regs;

    let reason = stopped.reason();
    let info = match reason {
        StopReason::Signal(_) => stopped.fault_info().ok(),
        _ => None,
    };
    task.host = Some(stopped);

    match reason {
        StopReason::Syscall => syscall::dispatch(k, task),
        StopReason::Signal(sig) => handle_signal(k, task, sig, info),
        // A group stop or interrupt: nothing for the guest to see.
        StopReason::Event(_) => Flow::Continue,
    }
}

/// A host signal stopped the guest: a fault to serve, or a guest error that becomes
/// the guest's own signal.
fn handle_signal(k: &Kernel, task: &mut Task, sig: i32, info: Option<FaultInfo>) -> Flow {
    let Some(info) = info else {
        return Flow::Continue;
    };

    let (signo, code, addr) = match sig {
        SIGSEGV if info.code != SI_KERNEL => {
            let how = if info.code == 2 {
                HostFault::Protection
            } else {
                HostFault::NotMapped
            };
            log::trace!(
                "pid {}: fault at {:#x} ({how:?}, ip {:#x}, sp {:#x})",
                task.tid,
                info.addr,
                task.regs.rip,
                task.regs.rsp
            );
            match task.mm().fault(info.addr, how) {
                FaultOutcome::Mapped => return Flow::Continue,
                // The access runs again once memory is back (or the process is gone).
                FaultOutcome::OutOfMemory => match oom::out_of_memory(k, &task.process) {
                    OomAction::Retry => return Flow::Yield,
                    OomAction::Die => return Flow::Exit(ExitStatus::Signal(SIGKILL)),
                    OomAction::Fail => (SIGBUS, BUS_ADRERR, info.addr),
                },
                FaultOutcome::Signal { signo, code } => (signo, code, info.addr),
            }
        }
        // Guest errors: a general protection fault, an illegal instruction, a divide by
        // zero, a breakpoint, a bus error.
        4 | 5 | 7 | 8 | 11 => (sig, info.code, info.addr),
        // Any other host signal is not the guest's: the kernel's own IPIs and terminal
        // signals are not forwarded.
        _ => return Flow::Continue,
    };

    log::debug!(
        "pid {}: signal {signo} at {addr:#x} (ip {:#x})",
        task.tid,
        task.regs.rip
    );
    task.pending.add(SigInfo {
        signo,
        code,
        addr,
        ..SigInfo::default()
    });

    // A fault the guest blocks or ignores cannot be survived: Linux kills with it.
    let blocked = task.sigmask & signal::bit(signo) != 0;
    let ignored = task.process.sigactions.lock()[signo as usize - 1].handler == 1;
    if blocked || ignored {
        return Flow::Exit(ExitStatus::Signal(signo | signal::CORE_FLAG));
    }
    Flow::Continue
}

fn lost_host(task: &Task, e: HostError) -> ExitStatus {
    log::warn!("pid {}: lost its host thread: {e}", task.tid);
    ExitStatus::Signal(SIGKILL)
}

fn host_exit_status(task: &Task, exit: Exit) -> ExitStatus {
    log::warn!("pid {}: host thread ended under us: {exit:?}", task.tid);
    match exit {
        Exit::Signal(s) => ExitStatus::Signal(s),
        Exit::Code(_) => ExitStatus::Signal(SIGKILL),
    }
}
