//! Typed ptrace: the only file that names raw ptrace requests.
//!
//! A traced guest thread is either [`Running`] or [`Stopped`]. Registers and signal
//! information can be read only from a `Stopped` handle, and resuming consumes it, so
//! the kernel cannot touch a thread that is running guest code.

use crate::error::{HostError, HostResult};

const PTRACE_SYSEMU: libc::c_uint = 31;
const PTRACE_EVENT_STOP: i32 = 128;

/// The options every tracee is seized with.
///
/// EXITKILL: a kernel that dies for any reason takes its guests with it, so no guest
/// process outlives the kernel on the host. TRACESYSGOOD: syscall stops are told apart
/// from a real SIGTRAP by bit 7 of the stop signal.
/// TRACEFORK: a process the stub forks (a guest's fork) is traced from its first
/// instruction by the same tracer, never running untraced.
const SEIZE_OPTIONS: libc::c_ulong = (libc::PTRACE_O_EXITKILL
    | libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACEFORK) as libc::c_ulong;

/// The event a stub's fork reports (`PTRACE_EVENT_FORK`).
pub const EVENT_FORK: i32 = 1;

/// A host thread id of a traced guest thread.
pub type HostTid = i32;

/// The host's 64-bit user code segment (`__USER_CS`). A guest may switch its thread to
/// 32-bit code (`__USER32_CS`, 0x23) with a far jump; code of ours that runs on the
/// thread (the stub, the parking loop) must be entered with this one.
pub const USER_CS: u64 = 0x33;

/// The host's user data and stack segment (`__USER_DS`).
pub const USER_DS: u64 = 0x2b;

/// The flags our code runs with (IF and the reserved bit): none of the guest's, so that
/// a guest's trap flag cannot single-step it.
pub const USER_EFLAGS: u64 = 0x202;

/// The general-purpose registers of a stopped thread (`struct user_regs_struct`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Regs {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbp: u64,
    pub rbx: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub orig_rax: u64,
    pub rip: u64,
    pub cs: u64,
    pub eflags: u64,
    pub rsp: u64,
    pub ss: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub ds: u64,
    pub es: u64,
    pub fs: u64,
    pub gs: u64,
}

const _: () = assert!(size_of::<Regs>() == size_of::<libc::user_regs_struct>());

/// Why a tracee stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// It entered a system call (PTRACE_SYSEMU: the call has not run and will not).
    Syscall,
    /// A signal is about to be delivered to it (a fault, or a host signal).
    Signal(i32),
    /// A ptrace event or group stop (PTRACE_EVENT_STOP after PTRACE_INTERRUPT).
    Event(i32),
}

/// How a traced thread ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status (only the stub's setup can do this).
    Code(i32),
    /// A host signal killed it (SIGKILL from the kernel, or a fault we did not catch).
    Signal(i32),
}

/// What a fault signal says (`siginfo_t` fields the kernel needs).
#[derive(Clone, Copy, Debug, Default)]
pub struct FaultInfo {
    /// The signal number.
    pub signo: i32,
    /// The signal's `si_code` (SEGV_MAPERR, SEGV_ACCERR, SI_KERNEL, ...).
    pub code: i32,
    /// The faulting address for SIGSEGV and SIGBUS.
    pub addr: u64,
}

/// A traced thread that is running (or may be): it can only be waited for or interrupted.
#[derive(Debug)]
pub struct Running {
    tid: HostTid,
}

/// A traced thread in a ptrace-stop.
#[derive(Debug)]
pub struct Stopped {
    tid: HostTid,
    reason: StopReason,
}

/// The outcome of waiting for a running tracee.
#[derive(Debug)]
pub enum WaitOutcome {
    /// It stopped and is ours to inspect.
    Stopped(Stopped),
    /// It is gone.
    Exited(Exit),
}

/// How to resume a stopped tracee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Run guest code; stop at its next system call without running it.
    Sysemu,
    /// Run with system calls executing on the host: only for the stub's code.
    Continue,
}

/// `struct ptrace_peeksiginfo_args` of the uapi header.
#[repr(C)]
struct PeekSiginfoArgs {
    off: u64,
    flags: u32,
    nr: i32,
}

/// The regset of the XSAVE state (elf.h), for PTRACE_GETREGSET and PTRACE_SETREGSET.
const NT_X86_XSTATE: usize = 0x202;

fn ptrace_raw(req: libc::c_uint, tid: HostTid, addr: usize, data: usize) -> HostResult<i64> {
    // SAFETY: every caller passes a request with the addr/data meaning ptrace(2) gives
    // it, and data points to memory of the size that request writes or reads.
    let r = unsafe { libc::ptrace(req, tid, addr, data) };
    if r < 0 {
        Err(HostError::last("ptrace"))
    } else {
        Ok(r)
    }
}

/// Seizes a tracee another thread detached parked, stops it, and waits for the stop.
pub fn adopt(tid: HostTid) -> HostResult<Stopped> {
    let mut running = seize(tid)?;
    running.interrupt()?;
    loop {
        match running.wait() {
            Ok(WaitOutcome::Stopped(s)) => return Ok(s),
            Ok(WaitOutcome::Exited(_)) => {
                return Err(HostError {
                    errno: libc::ESRCH,
                    op: "adopt",
                })
            }
            Err((r, e)) if e.errno == libc::EINTR => running = r,
            Err((_, e)) => return Err(e),
        }
    }
}

/// A handle on a new tracee that was auto-attached (a stub's fork), to wait for its
/// first stop.
pub fn attached(tid: HostTid) -> Running {
    Running { tid }
}

/// Seizes `tid`, which must be a child process of the calling thread's process.
///
/// The tracee keeps running; it stops at its first signal or ptrace event.
pub fn seize(tid: HostTid) -> HostResult<Running> {
    ptrace_raw(libc::PTRACE_SEIZE, tid, 0, SEIZE_OPTIONS as usize)?;
    Ok(Running { tid })
}

impl Running {
    /// The host thread id.
    pub fn tid(&self) -> HostTid {
        self.tid
    }

    /// Waits until the tracee stops or ends. EINTR (an IPI) is returned as an error
    /// along with the handle, so the caller can handle the IPI and wait again.
    pub fn wait(self) -> Result<WaitOutcome, (Running, HostError)> {
        let mut status = 0;

        // SAFETY: status is a valid out-pointer for the duration of the call.
        let r = unsafe { libc::waitpid(self.tid, &mut status, libc::__WALL) };
        if r < 0 {
            let err = HostError::last("waitpid");
            return Err((self, err));
        }

        Ok(decode_status(self.tid, status))
    }

    /// Asks the tracee to stop (PTRACE_INTERRUPT); `wait` then reports the stop.
    pub fn interrupt(&self) -> HostResult<()> {
        ptrace_raw(libc::PTRACE_INTERRUPT, self.tid, 0, 0).map(|_| ())
    }
}

fn decode_status(tid: HostTid, status: i32) -> WaitOutcome {
    if libc::WIFEXITED(status) {
        return WaitOutcome::Exited(Exit::Code(libc::WEXITSTATUS(status)));
    }
    if libc::WIFSIGNALED(status) {
        return WaitOutcome::Exited(Exit::Signal(libc::WTERMSIG(status)));
    }

    let sig = libc::WSTOPSIG(status);
    let event = status >> 16;
    let reason = if sig == libc::SIGTRAP | 0x80 {
        StopReason::Syscall
    } else if event != 0 {
        StopReason::Event(event)
    } else {
        StopReason::Signal(sig)
    };
    WaitOutcome::Stopped(Stopped { tid, reason })
}

impl Stopped {
    /// The host thread id.
    pub fn tid(&self) -> HostTid {
        self.tid
    }

    /// Why it stopped.
    pub fn reason(&self) -> StopReason {
        self.reason
    }

    /// The message of a ptrace event stop (a new child's pid for PTRACE_EVENT_FORK).
    pub fn event_msg(&self) -> HostResult<u64> {
        let mut msg: libc::c_ulong = 0;
        let p = &mut msg as *mut libc::c_ulong as usize;
        ptrace_raw(libc::PTRACE_GETEVENTMSG, self.tid, 0, p)?;
        Ok(msg)
    }

    /// Whether this is a group-stop or PTRACE_INTERRUPT stop rather than a signal.
    pub fn is_event_stop(&self) -> bool {
        self.reason == StopReason::Event(PTRACE_EVENT_STOP)
    }

    /// Reads the general-purpose registers.
    pub fn regs(&self) -> HostResult<Regs> {
        let mut regs = Regs::default();
        let p = &mut regs as *mut Regs as usize;
        ptrace_raw(libc::PTRACE_GETREGS, self.tid, 0, p)?;
        Ok(regs)
    }

    /// Writes the general-purpose registers.
    pub fn set_regs(&mut self, regs: &Regs) -> HostResult<()> {
        let p = regs as *const Regs as usize;
        ptrace_raw(libc::PTRACE_SETREGS, self.tid, 0, p).map(|_| ())
    }

    /// Writes `rax` alone (PTRACE_POKEUSER): a syscall's result, the one register most
    /// stops change, for less than the whole set costs.
    pub fn set_rax(&mut self, rax: u64) -> HostResult<()> {
        const RAX_OFFSET: usize = std::mem::offset_of!(Regs, rax);
        ptrace_raw(libc::PTRACE_POKEUSER, self.tid, RAX_OFFSET, rax as usize).map(|_| ())
    }

    /// The FPU and SSE state in FXSAVE layout (`struct user_fpregs_struct`, 512 bytes),
    /// as a signal frame stores it.
    pub fn fpregs(&self) -> HostResult<[u8; 512]> {
        let mut buf = [0u8; 512];
        ptrace_raw(
            libc::PTRACE_GETFPREGS,
            self.tid,
            0,
            buf.as_mut_ptr() as usize,
        )?;
        Ok(buf)
    }

    /// Restores the FPU and SSE state from FXSAVE layout.
    pub fn set_fpregs(&mut self, buf: &[u8; 512]) -> HostResult<()> {
        ptrace_raw(libc::PTRACE_SETFPREGS, self.tid, 0, buf.as_ptr() as usize).map(|_| ())
    }

    /// The whole extended FPU state (x87, SSE, AVX, AVX-512, ...) in XSAVE standard
    /// format, as `PTRACE_GETREGSET NT_X86_XSTATE` gives it (its first software-reserved
    /// bytes, at 464, hold the enabled features, XCR0). `None` when the host has no XSAVE.
    pub fn xstate(&self) -> HostResult<Option<Vec<u8>>> {
        // Larger than any x86 XSAVE layout the host kernel lets a task use without
        // asking for permission first (AMX tiles need arch_prctl, which guests lack).
        let mut buf = vec![0u8; 16 * 1024];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let p = &mut iov as *mut libc::iovec as usize;
        match ptrace_raw(libc::PTRACE_GETREGSET, self.tid, NT_X86_XSTATE, p) {
            Ok(_) => {
                buf.truncate(iov.iov_len);
                Ok(Some(buf))
            }
            // No XSAVE on this CPU (or a kernel without the regset).
            Err(e) if e.errno == libc::ENODEV || e.errno == libc::EINVAL => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Loads extended FPU state in XSAVE standard format. The host checks the header
    /// (features it does not offer, reserved bits) and refuses a bad one with EINVAL.
    pub fn set_xstate(&mut self, buf: &[u8]) -> HostResult<()> {
        let mut iov = libc::iovec {
            iov_base: buf.as_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        let p = &mut iov as *mut libc::iovec as usize;
        ptrace_raw(libc::PTRACE_SETREGSET, self.tid, NT_X86_XSTATE, p).map(|_| ())
    }

    /// The signal information of a signal-delivery stop.
    pub fn fault_info(&self) -> HostResult<FaultInfo> {
        // SAFETY: siginfo_t is plain data; all-zero is a valid value.
        let mut si: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let p = &mut si as *mut libc::siginfo_t as usize;
        ptrace_raw(libc::PTRACE_GETSIGINFO, self.tid, 0, p)?;

        // SAFETY: si_addr reads the union as the fault layout; for other signals the
        // value is meaningless but still initialised (we zeroed the struct).
        let addr = unsafe { si.si_addr() } as u64;
        Ok(FaultInfo {
            signo: si.si_signo,
            code: si.si_code,
            addr,
        })
    }

    /// Resumes the tracee, delivering host signal `sig` (0 suppresses the stop's signal).
    pub fn resume(self, how: Resume, sig: i32) -> HostResult<Running> {
        let req = match how {
            Resume::Sysemu => PTRACE_SYSEMU,
            Resume::Continue => libc::PTRACE_CONT,
        };
        ptrace_raw(req, self.tid, 0, sig as usize)?;
        Ok(Running { tid: self.tid })
    }

    /// Detaches from the tracee so that another thread can seize it, without it ever
    /// running guest code untraced: it is pointed at `park_rip` (a loop in the stub) and
    /// sent SIGSTOP before the detach. The caller keeps the guest's registers. Returns its
    /// id.
    ///
    /// A tracee with a host signal pending is refused (EAGAIN) and stays stopped with this
    /// tracer: a fault's SIGSEGV is queued behind the PTRACE_INTERRUPT stop that
    /// preempted it, and once detached the host would deliver it with no tracer to
    /// intercept it and kill the process.
    pub fn detach_parked(mut self, park_rip: u64) -> Result<HostTid, (Stopped, HostError)> {
        match self.has_pending_signal() {
            Ok(false) => {}
            Ok(true) => {
                let e = HostError {
                    errno: libc::EAGAIN,
                    op: "detach: signal pending",
                };
                return Err((self, e));
            }
            Err(e) => return Err((self, e)),
        }
        if let Err(e) = self.park_and_detach(park_rip) {
            return Err((self, e));
        }
        Ok(self.tid)
    }

    fn park_and_detach(&mut self, park_rip: u64) -> HostResult<()> {
        let mut regs = self.regs()?;
        regs.rip = park_rip;
        regs.cs = USER_CS;
        regs.ss = USER_DS;
        regs.eflags = USER_EFLAGS;
        // No syscall restart may move it off the parking loop.
        regs.orig_rax = u64::MAX;
        self.set_regs(&regs)?;

        // SAFETY: SIGSTOP to our own stopped tracee, delivered once it is detached.
        unsafe { libc::syscall(libc::SYS_tgkill, self.tid, self.tid, libc::SIGSTOP) };
        ptrace_raw(libc::PTRACE_DETACH, self.tid, 0, 0)?;
        Ok(())
    }

    /// Whether a host signal waits in the tracee's private or shared queue.
    pub fn has_pending_signal(&self) -> HostResult<bool> {
        for flags in [0, libc::PTRACE_PEEKSIGINFO_SHARED] {
            let args = PeekSiginfoArgs {
                off: 0,
                flags,
                nr: 1,
            };
            // SAFETY: siginfo_t is plain data; all-zero is a valid value.
            let mut si: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let a = &args as *const PeekSiginfoArgs as usize;
            let n = ptrace_raw(
                libc::PTRACE_PEEKSIGINFO,
                self.tid,
                a,
                &mut si as *mut libc::siginfo_t as usize,
            )?;
            if n > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Kills the tracee with SIGKILL and reaps it.
    pub fn kill(self) {
        kill_and_reap(self.tid);
    }
}

/// Kills the host process `tid` with SIGKILL and leaves the reaping to a thread of its
/// own, so that the caller does not wait for the host to tear the process down.
pub fn kill_async(tid: HostTid) {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::{Mutex, OnceLock};

    static REAPER: OnceLock<Mutex<Sender<HostTid>>> = OnceLock::new();
    let tx = REAPER.get_or_init(|| {
        let (tx, rx) = channel::<HostTid>();
        let spawned = std::thread::Builder::new()
            .name("reaper".into())
            .spawn(move || {
                for pid in rx {
                    reap(pid);
                }
            });
        if spawned.is_err() {
            log::warn!("no reaper thread: killed processes are reaped at exit");
        }
        Mutex::new(tx)
    });

    // SAFETY: SIGKILL to a process we created and have not reaped yet.
    unsafe { libc::kill(tid, libc::SIGKILL) };
    if let Ok(tx) = tx.lock() {
        let _ = tx.send(tid);
    }
}

/// Waits until `tid` has exited (a stop reported before the kill landed may come
/// first).
fn reap(tid: HostTid) {
    loop {
        let mut status = 0;

        // SAFETY: status is a valid out-pointer.
        let r = unsafe { libc::waitpid(tid, &mut status, libc::__WALL) };
        if r < 0 && nix::errno::Errno::last_raw() == libc::EINTR {
            continue;
        }
        if r < 0 || libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            return;
        }
    }
}

/// Kills the host thread `tid` with SIGKILL and reaps it, whatever state it is in.
pub fn kill_and_reap(tid: HostTid) {
    // SAFETY: plain syscalls on a pid that we created and have not reaped, so the pid
    // cannot have been reused by another process.
    unsafe {
        libc::kill(tid, libc::SIGKILL);
    }
    reap(tid);
}
