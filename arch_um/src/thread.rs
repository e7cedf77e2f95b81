//! Host threads for virtual CPUs, pinned to host CPUs, and IPIs between them.

use std::thread::JoinHandle;

use crate::error::{HostError, HostResult};

/// The host CPUs this process may run on.
pub fn host_cpus() -> usize {
    core_affinity::get_core_ids().map(|ids| ids.len()).unwrap_or(1).max(1)
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
        .map_err(|e| HostError { errno: e.raw_os_error().unwrap_or(libc::EAGAIN), op: "spawn" })
}

/// The calling thread's host thread id, the target of IPIs.
pub fn current_tid() -> i32 {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::gettid() }
}
