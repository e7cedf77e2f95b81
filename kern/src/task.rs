//! Tasks and processes.
//!
//! A [`Process`] is a thread group: an address space, descriptors, a working directory.
//! A [`Task`] is one guest thread: its registers and the host thread that runs it. The
//! virtual CPU running a task owns it outright; what others may look at or change is in
//! the process, behind locks.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;

use arch_um::ptrace::{Regs, Stopped};
use parking_lot::Mutex;

use crate::fs::file::FdTable;
use crate::fs::vfs::Location;
use crate::mm::AddressSpace;

/// A guest process id.
pub type Pid = i32;

/// The number of signals (1..=64).
pub const NSIG: usize = 64;

/// A signal's disposition as rt_sigaction stores it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    /// `sa_handler` (0 = SIG_DFL, 1 = SIG_IGN, or an address).
    pub handler: u64,
    /// `sa_flags`.
    pub flags: u64,
    /// `sa_restorer`.
    pub restorer: u64,
    /// `sa_mask`.
    pub mask: u64,
}

/// How a process ended, as wait4 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// exit(code).
    Code(i32),
    /// Killed by a signal.
    Signal(i32),
}

impl ExitStatus {
    /// The status a host shell would see for the same end (128+N for a signal).
    pub fn host_code(self) -> i32 {
        match self {
            ExitStatus::Code(c) => c & 0xff,
            ExitStatus::Signal(s) => 128 + s,
        }
    }
}

/// A thread group.
pub struct Process {
    /// Process id (the id of its first thread).
    pub pid: Pid,
    /// Parent's pid.
    pub ppid: AtomicI32,
    /// Process group id.
    pub pgid: AtomicI32,
    /// Session id.
    pub sid: AtomicI32,
    /// The address space; replaced at execve, released at exit.
    mm: Mutex<Option<Arc<AddressSpace>>>,
    /// Descriptor table.
    pub files: Mutex<FdTable>,
    /// Working directory.
    pub cwd: Mutex<Location>,
    /// File mode creation mask.
    pub umask: AtomicU32,
    /// The command name (`comm`), at most 15 bytes.
    pub comm: Mutex<Vec<u8>>,
    /// Signal dispositions, index = signal number - 1.
    pub sigactions: Mutex<[SigAction; NSIG]>,
    /// Resource limits as (soft, hard), by RLIMIT_* number.
    pub rlimits: Mutex<[(u64, u64); RLIM_NLIMITS]>,
}

/// Number of resource limits Linux defines.
pub const RLIM_NLIMITS: usize = 16;

/// "No limit".
pub const RLIM_INFINITY: u64 = u64::MAX;

/// Linux's defaults for init (INIT_RLIMITS), with 1024 files and an 8 MiB stack.
pub const DEFAULT_RLIMITS: [(u64, u64); RLIM_NLIMITS] = [
    (RLIM_INFINITY, RLIM_INFINITY), // CPU
    (RLIM_INFINITY, RLIM_INFINITY), // FSIZE
    (RLIM_INFINITY, RLIM_INFINITY), // DATA
    (8 << 20, RLIM_INFINITY),       // STACK
    (0, RLIM_INFINITY),             // CORE
    (RLIM_INFINITY, RLIM_INFINITY), // RSS
    (4096, 4096),                   // NPROC
    (1024, 4096),                   // NOFILE
    (8 << 20, 8 << 20),             // MEMLOCK
    (RLIM_INFINITY, RLIM_INFINITY), // AS
    (RLIM_INFINITY, RLIM_INFINITY), // LOCKS
    (4096, 4096),                   // SIGPENDING
    (819_200, 819_200),             // MSGQUEUE
    (0, 0),                         // NICE
    (0, 0),                         // RTPRIO
    (RLIM_INFINITY, RLIM_INFINITY), // RTTIME
];

impl Process {
    /// A process with `pid`, running in `mm`, starting in `cwd`.
    pub fn new(pid: Pid, ppid: Pid, mm: Arc<AddressSpace>, cwd: Location) -> Process {
        Process {
            pid,
            ppid: AtomicI32::new(ppid),
            pgid: AtomicI32::new(pid),
            sid: AtomicI32::new(pid),
            mm: Mutex::new(Some(mm)),
            files: Mutex::new(FdTable::default()),
            cwd: Mutex::new(cwd),
            umask: AtomicU32::new(0o022),
            comm: Mutex::new(Vec::new()),
            sigactions: Mutex::new([SigAction::default(); NSIG]),
            rlimits: Mutex::new(DEFAULT_RLIMITS),
        }
    }

    /// The current address space.
    ///
    /// Preconditions: the process has not exited (only a live task asks).
    pub fn mm(&self) -> Arc<AddressSpace> {
        self.mm.lock().clone().expect("a live process has an address space")
    }

    /// Installs a new address space (execve), returning the old one.
    pub fn replace_mm(&self, mm: Arc<AddressSpace>) -> Option<Arc<AddressSpace>> {
        self.mm.lock().replace(mm)
    }

    /// Drops the address space at exit; its host process dies with the last user.
    pub fn release_mm(&self) -> Option<Arc<AddressSpace>> {
        self.mm.lock().take()
    }

    /// The parent's pid.
    pub fn ppid(&self) -> Pid {
        self.ppid.load(Ordering::Relaxed)
    }
}

/// One guest thread, owned by the virtual CPU that runs it.
pub struct Task {
    /// Thread id.
    pub tid: Pid,
    /// Its thread group.
    pub process: Arc<Process>,
    /// The guest's registers, read once at each stop.
    pub regs: Regs,
    /// The registers as the host thread has them, to write back only what changed.
    pub host_regs: Regs,
    /// The host thread, while it is in a ptrace-stop.
    pub host: Option<Stopped>,
    /// `set_tid_address`: cleared and futex-woken at exit.
    pub clear_child_tid: u64,
    /// `set_robust_list` head.
    pub robust_list: u64,
    /// Blocked signals.
    pub sigmask: u64,
    /// The virtual CPU running it.
    pub cpu: usize,
}

impl Task {
    /// A task for the first thread of `process`, stopped in `host` with `regs`.
    pub fn new(process: Arc<Process>, host: Stopped, regs: Regs) -> Task {
        Task {
            tid: process.pid,
            process,
            regs,
            host_regs: Regs::default(),
            host: Some(host),
            clear_child_tid: 0,
            robust_list: 0,
            sigmask: 0,
            cpu: 0,
        }
    }

    /// The process's address space.
    pub fn mm(&self) -> Arc<AddressSpace> {
        self.process.mm()
    }
}
