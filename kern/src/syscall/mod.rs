//! The syscall layer: one table from number to handler and support status, one place
//! that writes `-errno` back, and one module per syscall family.
//!
//! Handlers are `sys_<linux name>(cx, args)`: they decode the raw arguments, check them
//! and call the subsystem. Unknown and unsupported calls return ENOSYS (or the errno the
//! table lists) and are logged once per number.

pub mod abi;
mod cred;
mod fs;
mod info;
mod mm;
mod mount;
mod path;
mod poll;
mod process;
mod signal;
pub mod strace;
mod table;

use std::sync::Arc;

use crate::errno::{Errno, KResult};
use crate::kernel::Kernel;
use crate::mm::AddressSpace;
use crate::printk::WarnOnce;
use crate::signal::Restart;
use crate::task::{ExitStatus, Task};
use crate::waitq::WaitQueue;

pub use info::{RELEASE, VERSION};
pub use table::{render_markdown, support_table, Support};

/// The six raw argument registers of a system call.
pub type Args = [u64; 6];

/// A syscall handler: the raw arguments in, the return value or an errno out.
pub type Handler = fn(&mut Ctx, &Args) -> KResult<i64>;

/// What the CPU does after a stop has been handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Resume the task.
    Continue,
    /// The syscall waits: park the task; the syscall runs again when it is woken.
    Block,
    /// The task gives up the CPU to the next queued task (sched_yield, preemption).
    Yield,
    /// The task's thread group is gone with this status.
    Exit(ExitStatus),
}

/// What a handler works with: the kernel, the calling task, and what to do after.
pub struct Ctx<'a> {
    /// The machine.
    pub k: &'a Arc<Kernel>,
    /// The calling task.
    pub task: &'a mut Task,
    /// Set by exit calls.
    exit: Option<ExitStatus>,
    /// Set by calls that replace the registers (execve): the return value is not
    /// written to rax.
    regs_replaced: bool,
    /// Set by calls that must wait, with how a signal interrupts them.
    block: Option<Restart>,
    /// Set by sched_yield.
    yield_now: bool,
}

impl Ctx<'_> {
    /// The caller's address space.
    pub fn mm(&self) -> Arc<AddressSpace> {
        self.task.mm()
    }

    /// Reads a NUL-terminated path from the guest (EFAULT, ENAMETOOLONG).
    pub fn read_path(&self, addr: u64) -> KResult<Vec<u8>> {
        self.mm().read_cstr(addr, crate::fs::vfs::PATH_MAX)
    }

    /// Reads `len` bytes of guest memory (EFAULT if any of it is not readable).
    ///
    /// The buffer grows as the reading goes, so that a length the guest made up (up to
    /// 2 GiB for a write or a writev) costs host memory only for what its guest
    /// memory really holds; a host allocation that fails is ENOMEM, not an abort.
    pub fn read_bytes(&self, addr: u64, len: usize) -> KResult<Vec<u8>> {
        const STEP: usize = 1 << 20;

        let mm = self.mm();
        let mut buf = Vec::new();
        while buf.len() < len {
            let at = buf.len();
            let n = (len - at).min(STEP);
            let va = addr.checked_add(at as u64).ok_or(Errno::EFAULT)?;
            buf.try_reserve(n).map_err(|_| Errno::ENOMEM)?;
            buf.resize(at + n, 0);
            mm.read(va, &mut buf[at..])?;
        }
        Ok(buf)
    }

    /// Writes bytes to guest memory.
    pub fn write_bytes(&self, addr: u64, data: &[u8]) -> KResult<()> {
        self.mm().write(addr, data)
    }

    /// Reads up to `max` bytes, stopping at a NUL (which is not included). Unlike a path,
    /// a missing NUL is fine: the caller wants a bounded name.
    pub fn read_bytes_upto_nul(&self, addr: u64, max: usize) -> KResult<Vec<u8>> {
        match self.mm().read_cstr(addr, max) {
            Err(Errno::ENAMETOOLONG) => self.read_bytes(addr, max),
            other => other,
        }
    }

    /// Reads a little-endian u64 from guest memory.
    pub fn read_u64(&self, addr: u64) -> KResult<u64> {
        let mut b = [0; 8];
        self.mm().read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Ends the thread group with `status` once the handler returns.
    pub fn exit_with(&mut self, status: ExitStatus) {
        self.exit = Some(status);
    }

    /// Marks the registers as replaced: the return value is not written back.
    pub fn replace_regs(&mut self) {
        self.regs_replaced = true;
    }

    /// Makes the call wait on `queue`: the task is parked, and the call runs again when
    /// the queue is woken. Call it under the lock that guards the awaited condition, after
    /// checking it, so that no wake-up is lost. Returns the value handlers return.
    pub fn wait_on(&mut self, queue: &WaitQueue, restart: Restart) -> KResult<i64> {
        queue.register(&self.task.cell);
        self.block = Some(restart);
        Ok(0)
    }

    /// Gives the CPU to the next queued task once the call returns.
    pub fn yield_cpu(&mut self) {
        self.yield_now = true;
    }

    /// Makes the call wait for a wake-up that something else arranged (a timer).
    pub fn wait(&mut self, restart: Restart) -> KResult<i64> {
        self.block = Some(restart);
        Ok(0)
    }
}

static UNKNOWN: WarnOnce = WarnOnce::new();

/// Emulates the system call `task` stopped at.
pub fn dispatch(k: &Arc<Kernel>, task: &mut Task) -> Flow {
    #[cfg(feature = "syscall-delay")]
    {
        let start = crate::printk::uptime_ns();
        while crate::printk::uptime_ns() - start < 20_000 {
            std::hint::spin_loop();
        }
    }

    let r = task.regs;
    let nr = r.orig_rax;
    let args: Args = [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9];
    if !from_syscall_instruction(&r) {
        return compat_call(task, nr);
    }

    let trace = k
        .config
        .strace
        .then(|| strace::begin(nr, args, &*task.mm()));

    task.cell.arm();
    crate::procinfo::set_current(task.process.pid);
    let mut cx = Ctx {
        k,
        task,
        exit: None,
        regs_replaced: false,
        block: None,
        yield_now: false,
    };
    let result = match table::lookup(nr) {
        Some((handler, _)) => handler(&mut cx, &args),
        None => unknown(&cx, nr),
    };
    let (exit, regs_replaced, block, yield_now) =
        (cx.exit, cx.regs_replaced, cx.block, cx.yield_now);

    if let (Some(restart), Ok(_), None) = (block, &result, exit) {
        task.blocked = Some(restart);

        // A signal that came before the wait began (sigsuspend's whole point, or one the
        // new mask unblocks) must end it: the park then returns at once.
        let interrupts = restart != Restart::Killable || crate::signal::kill_pending(task);
        if interrupts && crate::signal::deliverable(task) != 0 {
            task.cell.wake();
        }
        return Flow::Block;
    }
    // Not waiting (any more): a deadline or partial progress set by this run must not
    // carry over to the next call, which would otherwise end at once (a zero nanosleep
    // left a deadline in the past for the poll after it).
    crate::sched::finish_wait(task);

    // The one place an errno becomes the guest's -errno.
    let ret = result.unwrap_or_else(Errno::as_ret);
    if !regs_replaced {
        task.regs.rax = ret as u64;
    }

    if let Some(pending) = trace {
        print_trace(task, pending, ret, exit);
    }
    match exit {
        Some(status) => Flow::Exit(status),
        None if yield_now => Flow::Yield,
        None => Flow::Continue,
    }
}

/// Whether a syscall stop came from the `syscall` instruction: it leaves the return
/// address in rcx and the flags in r11, and Linux's entry code takes the saved ip and
/// flags from those very registers, so they agree at every such stop. `int $0x80`, the
/// 32-bit ABI, leaves rcx and r11 as the program had them. (A program that makes them
/// agree before an `int $0x80` only gets its call taken as the 64-bit one it spells.)
fn from_syscall_instruction(r: &arch_um::ptrace::Regs) -> bool {
    r.rcx == r.rip && r.r11 == r.eflags
}

/// A 32-bit system call (`int $0x80` from 64-bit code): there is no 32-bit ABI here, so
/// it fails with ENOSYS rather than running the 64-bit call of the same number (32-bit
/// exit is 64-bit write). Warns once per number.
fn compat_call(task: &mut Task, nr: u64) -> Flow {
    static COMPAT: WarnOnce = WarnOnce::new();

    if COMPAT.first(nr) {
        log::warn!(
            "pid {}: 32-bit system call {nr} (int $0x80) returns ENOSYS: no 32-bit ABI",
            task.tid
        );
    }
    crate::sched::finish_wait(task);
    task.regs.rax = Errno::ENOSYS.as_ret() as u64;
    Flow::Continue
}

fn unknown(cx: &Ctx, nr: u64) -> KResult<i64> {
    let name = abi::name(nr).unwrap_or("?");
    let tid = cx.task.tid;

    // A call the table lists as refused is a known gap and says so at info level; one
    // it does not list at all is news, and warns.
    match table::unsupported(nr) {
        Some((errno, why)) => {
            if UNKNOWN.first(nr) {
                log::info!("pid {tid}: syscall {nr} ({name}) returns {errno}: {why}");
            }
            Err(errno)
        }
        None => {
            if UNKNOWN.first(nr) {
                log::warn!("pid {tid}: unknown syscall {nr} ({name}) returns ENOSYS");
            }
            Err(Errno::ENOSYS)
        }
    }
}

fn print_trace(task: &Task, pending: strace::Pending, ret: i64, exit: Option<ExitStatus>) {
    let pid = task.tid;
    let line = match exit {
        None => format!("[pid {pid}] {}\n", pending.finish(ret, &*task.mm())),
        Some(status) => format!(
            "[pid {pid}] {}\n[pid {pid}] +++ {} +++\n",
            pending.finish_no_return(),
            strace::exit_note(status)
        ),
    };
    let _ = arch_um::host::write_fd(2, line.as_bytes());
}

impl strace::GuestReader for AddressSpace {
    fn read_bytes(&self, addr: u64, max_len: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; max_len];
        self.read(addr, &mut buf).ok().map(|_| buf)
    }

    fn read_cstr(&self, addr: u64, max_len: usize) -> Option<Vec<u8>> {
        match AddressSpace::read_cstr(self, addr, max_len) {
            Ok(s) => Some(s),
            Err(Errno::ENAMETOOLONG) => {
                AddressSpace::read_cstr(self, addr, max_len * 4)
                    .ok()
                    .map(|mut s| {
                        s.truncate(max_len);
                        s
                    })
            }
            Err(_) => None,
        }
    }
}
