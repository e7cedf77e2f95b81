//! What a virtual CPU does: run its tasks, one ptrace stop at a time.
//!
//! A task runs guest code under PTRACE_SYSEMU until it stops; the stop is a system
//! call to emulate, a fault to serve, or a host signal. Between stops the CPU writes
//! back registers that changed and runs the stub for memory changes the stop decided.

use std::sync::Arc;

use arch_um::ptrace::{Exit, Resume, Running, StopReason, Stopped, WaitOutcome};
use arch_um::HostError;
use smp::VcpuId;

use crate::kernel::Kernel;
use crate::mm::space::HostFault;
use crate::mm::FaultOutcome;
use crate::syscall::{self, Flow};
use crate::task::{ExitStatus, Task};

const SIGTRAP: i32 = 5;
const SIGKILL: i32 = 9;
const SIGSEGV: i32 = 11;
const SIGBUS: i32 = 7;
const SI_KERNEL: i32 = 0x80;

/// The body of virtual CPU `cpu`: runs queued tasks until the machine halts.
pub fn cpu_loop(k: Arc<Kernel>, cpu: VcpuId) {
    log::debug!("vcpu{}: online", cpu.0);

    while let Some(task) = k.cpus.queue(cpu).pop_wait() {
        let status = run(&k, task);
        log::debug!("vcpu{}: task ended: {status:?}", cpu.0);
    }
}

/// What ended a task's run on this CPU.
#[derive(Debug)]
pub enum Ended {
    /// The thread group is gone with this status.
    Exited(ExitStatus),
}

/// Runs `task` until it exits.
pub fn run(k: &Arc<Kernel>, mut task: Box<Task>) -> Ended {
    let status = loop {
        let running = match enter_guest(&mut task) {
            Ok(r) => r,
            Err(e) => break lost_host(&task, e),
        };

        let stopped = match wait(running) {
            Ok(s) => s,
            Err(exit) => break host_exit_status(&task, exit),
        };

        match handle_stop(k, &mut task, stopped) {
            Flow::Continue => {}
            Flow::Exit(status) => break status,
        }
    };

    finish(k, &mut task, status);
    Ended::Exited(status)
}

/// Makes the memory changes decided at the last stop, writes back changed registers
/// and resumes guest code.
fn enter_guest(task: &mut Task) -> Result<Running, HostError> {
    let mut t = task.host.take().expect("a task enters the guest from a ptrace-stop");

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
        t.set_regs(&task.regs)?;
        task.host_regs = task.regs;
    }
    t.resume(Resume::Sysemu, 0)
}

fn stub_failure(e: arch_um::stub::StubError) -> HostError {
    use arch_um::stub::StubError;

    match e {
        StubError::Refused { index, errno, stopped } => {
            log::error!("stub refused order {index}: host errno {errno}");
            stopped.kill();
            HostError { errno, op: "stub" }
        }
        StubError::Gone(exit) => {
            log::warn!("address-space process vanished: {exit:?}");
            HostError { errno: 3, op: "stub" }
        }
        StubError::Host(e) => e,
    }
}

/// Waits for the next stop of a running task.
fn wait(mut running: Running) -> Result<Stopped, Exit> {
    loop {
        match running.wait() {
            Ok(WaitOutcome::Stopped(s)) => return Ok(s),
            Ok(WaitOutcome::Exited(e)) => return Err(e),
            Err((r, e)) if e.errno == 4 => running = r,
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
        StopReason::Signal(sig) => handle_signal(task, sig, info),
        // A group stop or interrupt: nothing for the guest to see.
        StopReason::Event(_) => Flow::Continue,
    }
}

/// A host signal stopped the guest: a fault to serve, or a guest error to punish.
fn handle_signal(task: &mut Task, sig: i32, info: Option<arch_um::ptrace::FaultInfo>)
    -> Flow
{
    let Some(info) = info else { return Flow::Continue };

    match sig {
        SIGSEGV if info.code != SI_KERNEL => {
            let how = if info.code == 2 { HostFault::Protection } else { HostFault::NotMapped };
            match task.mm().fault(info.addr, how) {
                FaultOutcome::Mapped => Flow::Continue,
                FaultOutcome::Signal { signo, code } => {
                    log::info!("pid {}: {} at {:#x} (ip {:#x}, code {code})", task.tid,
                               signal_name(signo), info.addr, task.regs.rip);
                    Flow::Exit(ExitStatus::Signal(signo))
                }
            }
        }
        // Guest errors (a general protection fault, an illegal instruction, a divide
        // by zero, a breakpoint): the guest's default action is to die by the signal.
        // Signal handlers come with the signals work; until then there is no handler.
        4 | 5 | 7 | 8 | 11 => {
            log::info!("pid {}: {} (ip {:#x})", task.tid, signal_name(sig), task.regs.rip);
            Flow::Exit(ExitStatus::Signal(sig))
        }
        // Any other host signal is not the guest's: the kernel's own IPIs and terminal
        // signals are not forwarded.
        _ => Flow::Continue,
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        4 => "SIGILL",
        SIGTRAP => "SIGTRAP",
        SIGBUS => "SIGBUS",
        8 => "SIGFPE",
        SIGSEGV => "SIGSEGV",
        _ => "signal",
    }
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

/// Releases what the task held; the machine halts when init ends.
fn finish(k: &Arc<Kernel>, task: &mut Task, status: ExitStatus) {
    // The host thread is the address space's process: releasing the address space
    // kills and reaps it, once, with its last user.
    task.host = None;
    drop(task.process.release_mm());
    *task.process.files.lock() = Default::default();

    if task.process.pid == 1 {
        log::info!("init exited: {status:?}; halting");
        k.halt(status);
    }
}
