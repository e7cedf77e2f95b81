//! Host threads for virtual CPUs, pinned to host CPUs, and IPIs between them.

use std::thread::JoinHandle;

use crate::error::{HostError, HostResult};

/// The host CPUs this process may run on.
pub fn host_cpus() -> usize {
    core_affinity::get_core_ids()
        .map(|ids| ids.len())
        .unwrap_or(1)
        .max(1)
}

/// Starts a host thread named `name` pinned to host CPU `cpu % host_cpus()`.
pub fn spawn_pinned<F>(name: String, cpu: usize, body: F) -> HostResult<JoinHandle<()>>
where
    F: FnOnce() + Send + 'static,
{
    let ids = core_affinity::get_core_ids().unwrap_or_default();
    let core = (!ids.is_empty()).then(|| ids[cpu % ids.len()]);

    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            if let Some(core) = core {
                core_affinity::set_for_current(core);
            }
            body();
        })
        .map_err(|e| HostError {
            errno: e.raw_os_error().unwrap_or(libc::EAGAIN),
            op: "spawn",
        })
}

/// The calling thread's host thread id, the target of IPIs.
pub fn current_tid() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::gettid() }
}

/// The host signal that carries IPIs between virtual CPUs and preemption ticks: a
/// real-time signal glibc leaves free.
pub fn ipi_signal() -> i32 {
    libc::SIGRTMIN() + 3
}

extern "C" fn on_ipi(_sig: libc::c_int) {
    // Nothing to do: the signal's only job is to make the CPU's blocking wait return
    // EINTR, after which the CPU looks at what it was asked.
}

/// Installs the IPI handler for the whole process. Without SA_RESTART, so that a vCPU
/// blocked waiting for its guest returns EINTR when kicked.
pub fn install_ipi_handler() -> HostResult<()> {
    // SAFETY: sigaction is plain data; the handler is an extern "C" fn that does
    // nothing, which is async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_ipi as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        if libc::sigaction(ipi_signal(), &sa, std::ptr::null_mut()) < 0 {
            return Err(HostError::last("sigaction"));
        }
    }
    Ok(())
}

/// Sends an IPI to the host thread `tid` of this process.
pub fn send_ipi(tid: i32) {
    // SAFETY: tgkill to a thread of our own process with our IPI signal, whose handler
    // does nothing.
    unsafe {
        libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, ipi_signal());
    }
}

/// A per-thread timer that sends the calling thread IPIs at a fixed period while armed:
/// the preemption tick of a virtual CPU.
pub struct TickTimer {
    id: libc::timer_t,
}

// SAFETY: a timer id is a kernel handle that may be used from any thread.
unsafe impl Send for TickTimer {}
// SAFETY: timer_settime on one id from several threads is safe for the host.
unsafe impl Sync for TickTimer {}

impl TickTimer {
    /// A disarmed timer that will signal the calling thread.
    pub fn for_current_thread() -> HostResult<TickTimer> {
        // SAFETY: sigevent is plain data; SIGEV_THREAD_ID with our own tid is valid.
        unsafe {
            let mut sev: libc::sigevent = std::mem::zeroed();
            sev.sigev_notify = libc::SIGEV_THREAD_ID;
            sev.sigev_signo = ipi_signal();
            sev.sigev_notify_thread_id = libc::gettid();

            let mut id: libc::timer_t = std::mem::zeroed();
            if libc::timer_create(libc::CLOCK_MONOTONIC, &mut sev, &mut id) < 0 {
                return Err(HostError::last("timer_create"));
            }
            Ok(TickTimer { id })
        }
    }

    /// Fires every `period_ns` from now on; 0 disarms.
    pub fn set_period(&self, period_ns: u64) {
        let ts = libc::timespec {
            tv_sec: (period_ns / 1_000_000_000) as i64,
            tv_nsec: (period_ns % 1_000_000_000) as i64,
        };
        let spec = libc::itimerspec {
            it_interval: ts,
            it_value: ts,
        };

        // SAFETY: a valid timer id and itimerspec.
        unsafe { libc::timer_settime(self.id, 0, &spec, std::ptr::null_mut()) };
    }
}

impl Drop for TickTimer {
    fn drop(&mut self) {
        // SAFETY: deleting our own timer once.
        unsafe { libc::timer_delete(self.id) };
    }
}

/// Pins host process (or thread) `tid` to host CPU `cpu % host_cpus()`: a guest runs on
/// the host CPU of the virtual CPU that traces it.
pub fn pin_host_task(tid: i32, cpu: usize) {
    let ids = core_affinity::get_core_ids().unwrap_or_default();
    if ids.is_empty() {
        return;
    }
    let core = ids[cpu % ids.len()].id;

    // SAFETY: cpu_set_t is plain data, filled by CPU_SET, passed by pointer with its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}
