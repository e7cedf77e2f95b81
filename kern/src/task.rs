//! Tasks and processes.
//!
//! A [`Process`] is a thread group: an address space, descriptors, a working directory.
//! A [`Task`] is one guest thread: its registers and the host thread that runs it. The
//! virtual CPU running a task owns it outright; what others may look at or change is in
//! the process, behind locks.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;

use arch_um::ptrace::{Regs, Stopped};
use parking_lot::Mutex;

use crate::cputime::{CpuTimes, KernelClock, ProcessTimes, RetiredSpaces, Usage};
use crate::cred::Creds;
use crate::fs::file::FdTable;
use crate::fs::vfs::Location;
use crate::mm::AddressSpace;
use crate::signal::{Restart, SigPending};
use crate::waitq::{WaitQueue, WakeCell};

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

/// A job-control change wait4 reports with WUNTRACED or WCONTINUED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobReport {
    /// Stopped by this signal.
    Stopped(i32),
    /// Continued by SIGCONT.
    Continued,
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
    /// The status word wait4 reports (`WIFEXITED`/`WIFSIGNALED` encoding; a signal value
    /// carries the core-dump bit 0x80 already).
    pub fn wait_status(self) -> i32 {
        match self {
            ExitStatus::Code(c) => (c & 0xff) << 8,
            ExitStatus::Signal(s) => s,
        }
    }

    /// The status a host shell would see for the same end (128+N for a signal).
    pub fn host_code(self) -> i32 {
        match self {
            ExitStatus::Code(c) => c & 0xff,
            ExitStatus::Signal(s) => 128 + (s & 0x7f),
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
    /// The process has called execve since it was forked (Linux clears PF_FORKNOEXEC):
    /// its parent may no longer move it to another group (setpgid's EACCES).
    pub execed: AtomicBool,
    /// The address space; replaced at execve, released at exit.
    mm: Mutex<MmSlot>,
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
    /// Signals sent to the process as a whole.
    pub pending: Mutex<SigPending>,
    /// Children, live and zombie, by pid.
    pub children: Mutex<Vec<Pid>>,
    /// How the process ended, once it has: it is a zombie until its parent reaps it.
    pub exit_status: Mutex<Option<ExitStatus>>,
    /// Woken when a child exits (wait4 waits here).
    pub child_wait: WaitQueue,
    /// The wake cells of the process's tasks, to interrupt their waits with signals.
    pub cells: Mutex<Vec<Arc<WakeCell>>>,
    /// The path of the running program, for /proc/PID/exe.
    pub exe: Mutex<Vec<u8>>,
    /// Where argv and envp lie in the initial stack, for /proc/PID/cmdline and environ.
    pub arg_ranges: Mutex<[u64; 4]>,
    /// Kernel uptime at creation, for /proc/PID/stat.
    pub start_ns: u64,
    /// A vfork parent waiting for this child to exec or exit.
    pub vfork_parent: Mutex<Option<Arc<WakeCell>>>,
    /// The stop signal, while the process is stopped by job control.
    pub stopped: Mutex<Option<i32>>,
    /// Woken when the process continues (SIGCONT) or is killed.
    pub cont_wait: WaitQueue,
    /// A stop or continue not yet reported to wait4 (WUNTRACED, WCONTINUED).
    pub job_report: Mutex<Option<JobReport>>,
    /// User and group ids.
    pub creds: Mutex<Creds>,
    /// The root directory (chroot).
    pub root: Mutex<Location>,
    /// System time, and what reaped children used.
    pub times: ProcessTimes,
}

/// A process's address space and what the ones before it used.
struct MmSlot {
    /// The current one; `None` once the process has exited.
    mm: Option<Arc<AddressSpace>>,
    /// CPU time and resident peak of the address spaces execve and exit let go of.
    retired: RetiredSpaces,
    /// What `mm`'s host process had used when this process began to share it (a vfork
    /// child on its parent's host thread): only the rest is this process's.
    shared_from_ns: u64,
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

impl MmSlot {
    /// Adds what the current address space used to the retired totals, before it goes.
    /// Its host process is stopped (or gone), so its CPU time is final.
    fn retire_current(&mut self) {
        if let Some(mm) = &self.mm {
            let peak = mm.peak_resident_pages() as u64;
            let used = mm.host_cpu_ns().saturating_sub(self.shared_from_ns);
            self.retired.retire(used, peak);
        }
        self.shared_from_ns = 0;
    }
}

impl Process {
    /// A process with `pid`, running in `mm`, starting in `cwd`, which is also its root
    /// until it chroots (fork copies the parent's root after).
    pub fn new(pid: Pid, ppid: Pid, mm: Arc<AddressSpace>, cwd: Location) -> Process {
        Process {
            pid,
            ppid: AtomicI32::new(ppid),
            pgid: AtomicI32::new(pid),
            sid: AtomicI32::new(pid),
            execed: AtomicBool::new(false),
            mm: Mutex::new(MmSlot {
                mm: Some(mm),
                retired: RetiredSpaces::default(),
                shared_from_ns: 0,
            }),
            files: Mutex::new(FdTable::default()),
            cwd: Mutex::new(cwd.clone()),
            umask: AtomicU32::new(0o022),
            comm: Mutex::new(Vec::new()),
            sigactions: Mutex::new([SigAction::default(); NSIG]),
            rlimits: Mutex::new(DEFAULT_RLIMITS),
            pending: Mutex::new(SigPending::default()),
            children: Mutex::new(Vec::new()),
            exit_status: Mutex::new(None),
            child_wait: WaitQueue::default(),
            cells: Mutex::new(Vec::new()),
            exe: Mutex::new(Vec::new()),
            arg_ranges: Mutex::new([0; 4]),
            start_ns: crate::printk::uptime_ns(),
            vfork_parent: Mutex::new(None),
            stopped: Mutex::new(None),
            cont_wait: WaitQueue::default(),
            job_report: Mutex::new(None),
            creds: Mutex::new(Creds::default()),
            root: Mutex::new(cwd.clone()),
            times: ProcessTimes::default(),
        }
    }

    /// The current address space.
    ///
    /// Preconditions: the process has not exited (only a live task asks).
    pub fn mm(&self) -> Arc<AddressSpace> {
        self.mm
            .lock()
            .mm
            .clone()
            .expect("a live process has an address space")
    }

    /// Counts only the CPU time the address space's host process uses from now on as
    /// this process's: it shares the space (and its host thread) with a vfork parent,
    /// whose time the rest is.
    pub fn share_mm_from_now(&self) {
        let mut slot = self.mm.lock();
        slot.shared_from_ns = slot.mm.as_ref().map_or(0, |mm| mm.host_cpu_ns());
    }

    /// Installs a new address space (execve), returning the old one, whose CPU time and
    /// resident peak the process keeps.
    pub fn replace_mm(&self, mm: Arc<AddressSpace>) -> Option<Arc<AddressSpace>> {
        let mut slot = self.mm.lock();
        slot.retire_current();
        slot.mm.replace(mm)
    }

    /// Drops the address space at exit, keeping what it used; its host process dies with
    /// the last user.
    pub fn release_mm(&self) -> Option<Arc<AddressSpace>> {
        let mut slot = self.mm.lock();
        slot.retire_current();
        slot.mm.take()
    }

    /// What the process itself has used: the host CPU time of its address spaces, past and
    /// present, as user time, the kernel's time on its stops as system time, and its
    /// largest resident set.
    pub fn usage(&self) -> Usage {
        // The host is asked outside the lock: the clone keeps the host process, and so
        // its clock, alive even if an execve retires it meanwhile.
        let (mm, retired, shared_from_ns) = {
            let slot = self.mm.lock();
            (slot.mm.clone(), slot.retired, slot.shared_from_ns)
        };
        let (cpu_ns, peak_pages) = mm.map_or((0, 0), |mm| {
            let used = mm.host_cpu_ns().saturating_sub(shared_from_ns);
            (used, mm.peak_resident_pages() as u64)
        });

        Usage {
            times: CpuTimes {
                user_ns: retired.cpu_ns.saturating_add(cpu_ns),
                sys_ns: self.times.sys_ns(),
            },
            maxrss_pages: retired.peak_pages.max(peak_pages),
        }
    }

    /// Its own usage with that of its reaped children (Linux's RUSAGE_BOTH, which wait4
    /// reports for a child).
    pub fn usage_with_children(&self) -> Usage {
        self.usage().merge(self.times.children())
    }

    /// The parent's pid.
    pub fn ppid(&self) -> Pid {
        self.ppid.load(Ordering::Relaxed)
    }

    /// The address space, if the process has not exited.
    pub fn mm_if_live(&self) -> Option<Arc<AddressSpace>> {
        self.mm.lock().mm.clone()
    }

    /// Whether the process has exited.
    pub fn is_zombie(&self) -> bool {
        self.exit_status.lock().is_some()
    }

    /// Wakes every task of the process, and interrupts those running guest code, so
    /// that waits and guests notice a new signal.
    pub fn wake_tasks(&self) {
        for cell in self.cells.lock().iter() {
            cell.wake_and_kick();
        }
    }
}

/// A host thread on loan from a vfork parent to its child (CLONE_VM | CLONE_VFORK): the
/// child runs in the parent's own host process, and puts the thread back here when it
/// execs or exits. Both tasks stay on the CPU whose thread traces it.
#[derive(Clone, Default)]
pub struct HostLoan(Arc<Mutex<Option<Option<Stopped>>>>);

impl HostLoan {
    /// The child is done with the thread (`None` if it died under it).
    pub fn give_back(&self, host: Option<Stopped>) {
        *self.0.lock() = Some(host);
    }

    /// Whether the child has given the thread back.
    pub fn is_back(&self) -> bool {
        self.0.lock().is_some()
    }

    /// The thread given back, for the parent.
    pub fn take(&self) -> Option<Stopped> {
        self.0.lock().take().flatten()
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
    /// Signals sent to this thread alone (tkill, faults).
    pub pending: SigPending,
    /// Its wake-up handle, registered on wait queues while it waits.
    pub cell: Arc<WakeCell>,
    /// The syscall it stopped at waits; when the task runs again the syscall runs again,
    /// unless a signal interrupts it, which this says how to treat.
    pub blocked: Option<Restart>,
    /// Deadline of the current timed wait, in kernel uptime, set when it first waits and
    /// dropped when the call ends without waiting again (`sched::finish_wait`).
    pub deadline_ns: Option<u64>,
    /// Bytes a blocking write has already moved, so that a restarted write goes on where
    /// it left off.
    pub progress: usize,
    /// The process was stopped (job control) during the current timed wait, so the
    /// watchdog does not take a wait that ends late for a lost wake-up.
    pub stopped_in_wait: bool,
    /// The alternate signal stack (sigaltstack(2)); fork copies it, execve clears it.
    pub altstack: crate::sigframe::AltStack,
    /// The mask to restore after sigsuspend's handler, if sigsuspend set one.
    pub saved_sigmask: Option<u64>,
    /// The child of a vfork this task waits for.
    pub vfork_child: Option<Pid>,
    /// The host thread this vfork parent lent its memory-sharing child, given back here.
    pub lent_host: Option<HostLoan>,
    /// This task's FPU state while its host thread is lent (XSAVE or FXSAVE layout).
    pub lent_fpu: Option<Vec<u8>>,
    /// The loan of the parent's host thread this vfork child runs on.
    pub borrowed_host: Option<HostLoan>,
    /// The FIFO end an open(2) holds while it waits for a partner.
    pub fifo_end: Option<Arc<crate::pipe::PipeEnd>>,
    /// A host thread another CPU detached for this one to seize: the task is moving.
    pub adopt: Option<arch_um::ptrace::HostTid>,
    /// The CPUs the task may run on (sched_setaffinity), one bit each.
    pub affinity: u64,
    /// Where the kernel time not yet added to the process began.
    pub kernel_clock: KernelClock,
}

impl Task {
    /// A task for the first thread of `process`, stopped in `host` with `regs`, woken
    /// through `cell`.
    pub fn new(process: Arc<Process>, host: Stopped, regs: Regs, cell: Arc<WakeCell>) -> Task {
        process.cells.lock().push(cell.clone());
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
            pending: SigPending::default(),
            cell,
            blocked: None,
            deadline_ns: None,
            progress: 0,
            stopped_in_wait: false,
            altstack: Default::default(),
            saved_sigmask: None,
            vfork_child: None,
            lent_host: None,
            lent_fpu: None,
            borrowed_host: None,
            fifo_end: None,
            adopt: None,
            affinity: u64::MAX,
            kernel_clock: KernelClock::default(),
        }
    }

    /// Whether the task may run on CPU `cpu`.
    pub fn may_run_on(&self, cpu: usize) -> bool {
        cpu < 64 && self.affinity & (1 << cpu) != 0
    }

    /// Hands the task to CPU `cpu`: its host thread is detached, held stopped, for
    /// that CPU's thread to seize before it runs the task.
    pub fn migrate(&mut self, cpu: usize) -> Result<(), arch_um::HostError> {
        // A host thread on loan between a vfork parent and child belongs to this CPU's
        // tracer until it is given back.
        if self.lent_host.is_some() || self.borrowed_host.is_some() {
            return Err(arch_um::HostError {
                errno: crate::errno::Errno::EAGAIN as i32,
                op: "move a task whose host thread is on loan",
            });
        }
        if let Some(host) = self.host.take() {
            let park = self.mm().stub_park_addr();
            match host.detach_parked(park) {
                Ok(tid) => self.adopt = Some(tid),
                Err((host, e)) => {
                    // It stays here; its registers may point at the parking loop now.
                    self.host = Some(host);
                    self.host_regs = Regs::default();
                    return Err(e);
                }
            }
        }
        self.cpu = cpu;
        self.cell.set_cpu(cpu);
        Ok(())
    }

    /// The process's address space.
    pub fn mm(&self) -> Arc<AddressSpace> {
        self.process.mm()
    }

    /// Adds the kernel time since the task's last stop (or since its CPU took it up) to
    /// its process: the task goes back to guest code or off the CPU at `now_ns`.
    pub fn leave_kernel(&mut self, now_ns: u64) {
        let ns = self.kernel_clock.stop(now_ns);
        self.process.times.add_sys(ns);
    }

    /// What the task's process has used, as the task sees it from inside a syscall: with
    /// the kernel time of the current stop, not yet added.
    pub fn own_usage(&self) -> Usage {
        let mut usage = self.process.usage();
        let now = arch_um::host::monotonic_ns();
        usage.times.sys_ns = usage
            .times
            .sys_ns
            .saturating_add(self.kernel_clock.pending(now));
        usage
    }
}
