//! The out-of-memory killer: when a fault finds no free frame and the page cache has
//! nothing left to give back, one process is killed so that the rest of the machine goes
//! on, as Linux's OOM killer does.
//!
//! The victim is the process with the most resident pages, never init. While a victim is
//! dying (its frames come back when its CPU tears it down) no other is chosen: the
//! faulting task yields and retries its access.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use crate::kernel::Kernel;
use crate::mm::PAGE_SIZE;
use crate::signal::{self, SigInfo, SI_KERNEL};
use crate::task::{Pid, Process};

const SIGKILL: i32 = 9;

/// What the faulting task does after the killer ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OomAction {
    /// Another process was killed or is dying: yield, then retry the access.
    Retry,
    /// The faulting process itself was chosen: it dies by SIGKILL.
    Die,
    /// Nothing may be killed (init alone holds the memory): the access fails with SIGBUS.
    Fail,
}

/// The victim being torn down, so that one exhaustion kills one process, not one per
/// faulting task.
pub struct OomState {
    dying: AtomicI32,
}

impl OomState {
    /// No victim yet.
    pub const fn new() -> OomState {
        OomState {
            dying: AtomicI32::new(0),
        }
    }
}

impl Default for OomState {
    fn default() -> Self {
        OomState::new()
    }
}

/// Memory is exhausted under a fault of process `faulting`: picks and kills a victim
/// unless one is still dying.
pub fn out_of_memory(k: &Kernel, faulting: &Arc<Process>) -> OomAction {
    let dying = k.oom.dying.load(Ordering::Acquire);
    if dying != 0 && k.process(dying).is_some_and(|p| !p.is_zombie()) {
        return if dying == faulting.pid {
            OomAction::Die
        } else {
            OomAction::Retry
        };
    }

    let Some((victim, pages)) = choose_victim(k) else {
        return OomAction::Fail;
    };

    let comm = String::from_utf8_lossy(&victim.comm.lock()).into_owned();
    log::error!(
        "Out of memory: Killed process {} ({comm}) anon-rss:{}kB (faulting pid {})",
        victim.pid,
        pages * PAGE_SIZE as usize / 1024,
        faulting.pid
    );
    k.oom.dying.store(victim.pid, Ordering::Release);
    let info = SigInfo {
        signo: SIGKILL,
        code: SI_KERNEL,
        ..SigInfo::default()
    };
    signal::send(&victim, info);

    if victim.pid == faulting.pid {
        OomAction::Die
    } else {
        OomAction::Retry
    }
}

/// The live process other than init with the most resident pages.
fn choose_victim(k: &Kernel) -> Option<(Arc<Process>, usize)> {
    let mut best: Option<(Arc<Process>, usize)> = None;
    for p in k.processes() {
        if p.pid == INIT || p.is_zombie() {
            continue;
        }
        let Some(mm) = p.mm_if_live() else { continue };
        let pages = mm.resident_pages();
        if best.as_ref().is_none_or(|(_, most)| pages > *most) {
            best = Some((p, pages));
        }
    }
    best
}

const INIT: Pid = 1;
