//! The stub: the only code of ours inside a guest's address space.
//!
//! Each guest address space is a host process that holds the guest's mappings and two
//! pages at a fixed address near the top of the address space: the stub's code, and an
//! orders page telling it which mmap/munmap/mprotect calls to make. Both are read-only
//! to the guest and the stub uses no stack and writes no memory: results come back in
//! registers. The stub only runs when the kernel points a stopped thread at it and
//! resumes it with PTRACE_CONT; guest code always runs under PTRACE_SYSEMU, so a guest
//! that jumps into the stub still has every system call stopped.

use std::os::fd::RawFd;

use crate::error::{HostError, HostResult};
use crate::physmem::{PhysMem, FRAME_SIZE};
use crate::ptrace::{self, Exit, Regs, Resume, StopReason, Stopped, WaitOutcome};
use crate::ptrace::{USER_CS, USER_DS, USER_EFLAGS};

/// Bytes of the stub area: one code page and one orders page.
pub const STUB_AREA_BYTES: u64 = 2 * FRAME_SIZE;

/// Orders the stub can take in one run (64-byte records in one page).
pub const ORDERS_PER_RUN: usize = (FRAME_SIZE / 64) as usize;

/// End of the host's default user address space with 4-level paging: the stub's setup
/// unmaps everything between the stub area and here.
const HOST_USER_TOP: u64 = 0x7fff_ffff_f000;

/// Offset of the batch entry point in the stub code (the setup code sits at 0).
const STUB_EXEC_OFFSET: u64 = 0x40;

/// Offset of the parking loop in the stub code.
const STUB_PARK_OFFSET: u64 = 0x80;

/// Where the stub area may go, most Linux-like first: the guest sees everything below it
/// as its user address space, so the highest address that is free in the kernel wins.
const STUB_CANDIDATES: [u64; 4] = [
    0x7fff_ffe0_0000,
    0x7ffe_0000_0000,
    0x7ff0_0000_0000,
    0x7f00_0000_0000,
];

std::arch::global_asm!(
    ".pushsection .text.kernel_stub,\"ax\",@progbits",
    ".p2align 12",
    ".globl kernel_stub_start",
    "kernel_stub_start:",
    // Setup, entered once by jmp from the freshly forked child: r12 = stub base,
    // r13 = end of the stub area, r14 = bytes from there to the host's user top.
    "mov eax, 11",
    "xor edi, edi",
    "mov rsi, r12",
    "syscall",
    "mov eax, 11",
    "mov rdi, r13",
    "mov rsi, r14",
    "syscall",
    "int3",
    ".org kernel_stub_start + 0x40",
    // Batch entry: r15 = first order, r14 = orders left. Stops at the first failure
    // with the error in rax and r14 still counting the failed order.
    "2:",
    "test r14, r14",
    "jz 3f",
    "mov rax, [r15]",
    "mov rdi, [r15 + 8]",
    "mov rsi, [r15 + 16]",
    "mov rdx, [r15 + 24]",
    "mov r10, [r15 + 32]",
    "mov r8, [r15 + 40]",
    "mov r9, [r15 + 48]",
    "syscall",
    "cmp rax, -4095",
    "jae 3f",
    "add r15, 64",
    "dec r14",
    "jmp 2b",
    "3:",
    "int3",
    // A parking place for a thread being handed between tracers: it never leaves
    // here by itself, so it runs no guest code while no one traces it.
    ".org kernel_stub_start + 0x80",
    "4:",
    "pause",
    "jmp 4b",
    ".globl kernel_stub_end",
    "kernel_stub_end:",
    ".popsection",
);

extern "C" {
    static kernel_stub_start: u8;
    static kernel_stub_end: u8;
}

/// Where the stub area sits, chosen once at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StubLayout {
    base: u64,
}

impl StubLayout {
    /// Reserves the stub area in the kernel's own address space, so that nothing the
    /// kernel maps later can sit where every child process puts its stub.
    pub fn reserve() -> HostResult<StubLayout> {
        for base in STUB_CANDIDATES {
            // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping; we get a
            // fresh inaccessible range or an error.
            let p = unsafe {
                libc::mmap(
                    base as *mut libc::c_void,
                    STUB_AREA_BYTES as usize,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
                    -1,
                    0,
                )
            };
            if p as u64 == base {
                return Ok(StubLayout { base });
            }
        }
        Err(HostError {
            errno: libc::EEXIST,
            op: "reserve the stub area",
        })
    }

    /// The first address above guest user space: the stub's code page.
    pub fn base(&self) -> u64 {
        self.base
    }

    fn orders_addr(&self) -> u64 {
        self.base + FRAME_SIZE
    }

    /// Where a thread waits, spinning in the stub, while it changes tracers.
    pub fn park_addr(&self) -> u64 {
        self.base + STUB_PARK_OFFSET
    }
}

/// Copies the stub's code into the frame at physical offset `code_off`.
pub fn install_code(physmem: &PhysMem, code_off: u64) {
    // SAFETY: both symbols are defined by the global_asm block above, in one section,
    // start before end; the bytes between them are our own read-only code.
    let code = unsafe {
        let start = &raw const kernel_stub_start;
        let end = &raw const kernel_stub_end;
        std::slice::from_raw_parts(start, end.offset_from(start) as usize)
    };
    assert!(code.len() as u64 <= FRAME_SIZE);

    physmem.zero(code_off, FRAME_SIZE as usize);
    physmem.write(code_off, code);
}

/// One host memory operation the stub performs in a guest address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapOp {
    /// Map `len` bytes of physical memory at `phys_off` to `addr` with `prot`.
    Map {
        /// Guest virtual address, page-aligned.
        addr: u64,
        /// Length in bytes, page-aligned.
        len: u64,
        /// PROT_* bits.
        prot: u32,
        /// Offset of the first frame in physical memory.
        phys_off: u64,
    },
    /// Unmap a range.
    Unmap {
        /// Guest virtual address, page-aligned.
        addr: u64,
        /// Length in bytes.
        len: u64,
    },
    /// Change the protection of a mapped range.
    Protect {
        /// Guest virtual address, page-aligned.
        addr: u64,
        /// Length in bytes.
        len: u64,
        /// PROT_* bits.
        prot: u32,
    },
}

impl MapOp {
    fn encode(&self, fd: RawFd) -> [u64; 8] {
        match *self {
            MapOp::Map {
                addr,
                len,
                prot,
                phys_off,
            } => {
                // MAP_POPULATE fills the host page table at once: every frame we map is
                // one the guest is about to touch, and a host fault per page costs more.
                let flags = (libc::MAP_SHARED | libc::MAP_FIXED | libc::MAP_POPULATE) as u64;
                let nr = libc::SYS_mmap as u64;
                [nr, addr, len, prot as u64, flags, fd as u64, phys_off, 0]
            }
            MapOp::Unmap { addr, len } => [libc::SYS_munmap as u64, addr, len, 0, 0, 0, 0, 0],
            MapOp::Protect { addr, len, prot } => [
                libc::SYS_mprotect as u64,
                addr,
                len,
                prot as u64,
                0,
                0,
                0,
                0,
            ],
        }
    }
}

/// Why a stub run did not complete.
#[derive(Debug)]
pub enum StubError {
    /// The host refused order `index` with this host errno; the thread is still stopped.
    Refused {
        /// Which order failed.
        index: usize,
        /// The host's errno.
        errno: i32,
        /// The thread, back in a ptrace-stop.
        stopped: Stopped,
    },
    /// The process is gone (killed from outside, or the kernel killed it).
    Gone(Exit),
    /// A ptrace call failed.
    Host(HostError),
}

/// The host process that holds one guest address space.
#[derive(Debug)]
pub struct StubProcess {
    pid: ptrace::HostTid,
    layout: StubLayout,
    orders_off: u64,
    physmem_fd: RawFd,
}

impl StubProcess {
    /// Starts an empty address space: a host child holding only the stub, traced by the
    /// calling thread, returned stopped at the end of the stub's setup.
    ///
    /// Preconditions: the stub code is installed at `code_off` ([`install_code`]), and
    /// `orders_off` is a frame owned by this address space for its whole life.
    pub fn spawn(
        physmem: &PhysMem,
        layout: StubLayout,
        code_off: u64,
        orders_off: u64,
    ) -> HostResult<(StubProcess, Stopped)> {
        let mut sync = [0; 2];

        // SAFETY: sync is a valid two-int array for pipe2 to fill.
        if unsafe { libc::pipe2(sync.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
            return Err(HostError::last("pipe2"));
        }

        let child = ChildSetup {
            sync_rd: sync[0],
            layout,
            code_off,
            orders_off,
            physmem_fd: physmem.raw_fd(),
        };

        // SAFETY: the child runs only async-signal-safe raw system calls before it
        // leaves our code for the stub (see ChildSetup::run), which a fork from a
        // multi-threaded process permits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            child.run();
        }

        // SAFETY: closing the read end we no longer need; the child holds its own copy.
        unsafe { libc::close(sync[0]) };
        if pid < 0 {
            // SAFETY: our write end, unused.
            unsafe { libc::close(sync[1]) };
            return Err(HostError::last("fork"));
        }

        let seized = ptrace::seize(pid);

        // SAFETY: writing one byte from a local to our pipe, then closing it. The child
        // waits for it so that the stub's first int3 finds it traced. An IPI may cut the
        // write short (EINTR), so it is retried.
        unsafe {
            while libc::write(sync[1], [1u8].as_ptr().cast(), 1) < 0
                && nix::errno::Errno::last_raw() == libc::EINTR
            {}
            libc::close(sync[1]);
        }
        let running = match seized {
            Ok(r) => r,
            Err(e) => {
                ptrace::kill_and_reap(pid);
                return Err(e);
            }
        };

        let stub = StubProcess {
            pid,
            layout,
            orders_off,
            physmem_fd: physmem.raw_fd(),
        };
        match wait_for_trap(running) {
            Ok(stopped) => Ok((stub, stopped)),
            Err(StubError::Gone(Exit::Code(errno))) => Err(HostError {
                errno,
                op: "stub setup",
            }),
            Err(StubError::Gone(Exit::Signal(_))) => Err(HostError {
                errno: libc::ECHILD,
                op: "stub setup",
            }),
            Err(StubError::Host(e)) => {
                ptrace::kill_and_reap(pid);
                Err(e)
            }
            Err(StubError::Refused { stopped, .. }) => {
                stopped.kill();
                Err(HostError {
                    errno: libc::EPROTO,
                    op: "stub setup",
                })
            }
        }
    }

    /// The host pid of the process.
    pub fn pid(&self) -> ptrace::HostTid {
        self.pid
    }

    /// Runs `ops` in this address space on the stopped thread `t` of it, then returns
    /// the thread stopped again. The thread's registers are clobbered: the caller owns
    /// the guest's registers and writes them back before resuming guest code.
    pub fn run(
        &self,
        physmem: &PhysMem,
        mut t: Stopped,
        ops: &[MapOp],
    ) -> Result<Stopped, StubError> {
        for (chunk_no, chunk) in ops.chunks(ORDERS_PER_RUN).enumerate() {
            let mut bytes = Vec::with_capacity(chunk.len() * 64);
            for op in chunk {
                for word in op.encode(self.physmem_fd) {
                    bytes.extend_from_slice(&word.to_le_bytes());
                }
            }
            physmem.write(self.orders_off, &bytes);

            let regs = self.batch_regs(t.regs().map_err(StubError::Host)?, chunk.len());
            t.set_regs(&regs).map_err(StubError::Host)?;

            let running = t.resume(Resume::Continue, 0).map_err(StubError::Host)?;
            t = wait_for_trap(running)?;

            let after = t.regs().map_err(StubError::Host)?;
            if after.r14 != 0 {
                let index = chunk_no * ORDERS_PER_RUN + chunk.len() - after.r14 as usize;
                let errno = -(after.rax as i64) as i32;
                return Err(StubError::Refused {
                    index,
                    errno,
                    stopped: t,
                });
            }
        }
        Ok(t)
    }

    /// Makes a copy of this address space as a new host process (a guest's fork or a
    /// fresh one for execve): the stub runs `pre` (write-protecting pages for
    /// copy-on-write), then forks. The child shares every mapping as it then is (shared
    /// file mappings of physical memory, so the same frames) and is traced by the calling
    /// thread from birth; `empty` unmaps everything of the guest's in it, then the child
    /// runs `child_first` (mapping its own copies of pages). Returns the parent and the
    /// child, both stopped.
    ///
    /// Preconditions: `t` is a stopped thread of this process; `child_orders_off` is a
    /// frame owned by the child's address space.
    pub fn fork(
        &self,
        physmem: &PhysMem,
        t: Stopped,
        pre: &[MapOp],
        child_first: &[MapOp],
        empty: bool,
        child_orders_off: u64,
    ) -> Result<(Stopped, StubProcess, Stopped), StubError> {
        // CLONE_PARENT keeps every address-space process a child of the kernel.
        let clone = [
            libc::SYS_clone as u64,
            (libc::CLONE_PARENT | libc::SIGCHLD) as u64,
            0,
            0,
            0,
            0,
            0,
            0,
        ];
        let mut orders = Vec::new();
        for op in pre {
            orders.push(op.encode(self.physmem_fd));
        }
        orders.push(clone);

        let (parent, pid) = self.run_raw(physmem, t, &orders)?;
        let child = StubProcess {
            pid,
            layout: self.layout,
            orders_off: child_orders_off,
            physmem_fd: self.physmem_fd,
        };
        let stopped = match wait_first_stop(ptrace::attached(pid)) {
            Ok(s) => s,
            Err(e) => {
                ptrace::kill_and_reap(pid);
                return Err(e);
            }
        };

        // The child still reads the parent's orders page: its last order, written there,
        // maps its own (the stub reads nothing from the page after that order).
        let mut first = Vec::new();
        if empty {
            first.push(MapOp::Unmap {
                addr: 0,
                len: self.layout.base,
            });
        }
        first.extend_from_slice(child_first);
        first.push(MapOp::Map {
            addr: self.layout.orders_addr(),
            len: FRAME_SIZE,
            prot: libc::PROT_READ as u32,
            phys_off: child_orders_off,
        });
        let encoded: Vec<[u64; 8]> = first.iter().map(|op| op.encode(self.physmem_fd)).collect();
        match self.run_raw(physmem, stopped, &encoded) {
            Ok((stopped, _)) => Ok((parent, child, stopped)),
            Err(e) => {
                ptrace::kill_and_reap(pid);
                Err(e)
            }
        }
    }

    /// Runs encoded orders from this process's orders page on `t` (which may be a
    /// just-forked child still mapping it), passing over the fork event. Returns the
    /// thread stopped again and the pid of a child forked by the last order, if any.
    fn run_raw(
        &self,
        physmem: &PhysMem,
        mut t: Stopped,
        orders: &[[u64; 8]],
    ) -> Result<(Stopped, i32), StubError> {
        assert!(orders.len() <= ORDERS_PER_RUN);
        let bytes: Vec<u8> = orders
            .iter()
            .flatten()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        physmem.write(self.orders_off, &bytes);

        let regs = self.batch_regs(t.regs().map_err(StubError::Host)?, orders.len());
        t.set_regs(&regs).map_err(StubError::Host)?;

        let (mut forked, mut faults) = (0, 0);
        let mut running = t.resume(Resume::Continue, 0).map_err(StubError::Host)?;
        loop {
            let stopped = wait_first_stop(running)?;
            match stopped.reason() {
                StopReason::Event(ptrace::EVENT_FORK) => {
                    forked = stopped.event_msg().map_err(StubError::Host)? as i32;
                    running = stopped
                        .resume(Resume::Continue, 0)
                        .map_err(StubError::Host)?;
                }
                StopReason::Signal(libc::SIGTRAP) => {
                    t = stopped;
                    break;
                }
                reason if too_many_faults(reason, &mut faults) => {
                    if forked != 0 {
                        ptrace::kill_and_reap(forked);
                    }
                    return Err(stub_fault(stopped));
                }
                _ => {
                    running = stopped
                        .resume(Resume::Continue, 0)
                        .map_err(StubError::Host)?
                }
            }
        }

        let after = t.regs().map_err(StubError::Host)?;
        if after.r14 != 0 {
            if forked != 0 {
                ptrace::kill_and_reap(forked);
            }
            let index = orders.len() - after.r14 as usize;
            let errno = -(after.rax as i64) as i32;
            return Err(StubError::Refused {
                index,
                errno,
                stopped: t,
            });
        }
        Ok((t, forked))
    }

    /// The registers that run a batch of `orders` orders: the guest's `regs` with the
    /// stub's entry point, orders and count, and 64-bit segments and clean flags. A
    /// guest that switched its thread to 32-bit code would otherwise run the stub there,
    /// at a truncated address, faulting forever.
    fn batch_regs(&self, regs: Regs, orders: usize) -> Regs {
        Regs {
            rip: self.layout.base + STUB_EXEC_OFFSET,
            r15: self.layout.orders_addr(),
            r14: orders as u64,
            cs: USER_CS,
            ss: USER_DS,
            eflags: USER_EFLAGS,
            ..regs
        }
    }

    /// Kills the host process (its other threads die with it); reaping happens in the
    /// background.
    pub fn kill(&self) {
        ptrace::kill_async(self.pid);
    }
}

/// Waits for the next stop of a tracee, retrying after IPIs.
fn wait_first_stop(mut running: ptrace::Running) -> Result<Stopped, StubError> {
    loop {
        match running.wait() {
            Ok(WaitOutcome::Stopped(s)) => return Ok(s),
            Ok(WaitOutcome::Exited(exit)) => return Err(StubError::Gone(exit)),
            Err((r, e)) if e.errno == libc::EINTR => running = r,
            Err((_, e)) => return Err(StubError::Host(e)),
        }
    }
}

/// Fault signals a stub run may see before it gives up. One can be the guest's own, left
/// queued behind the stop the run started from, and is passed over; the same fault again
/// and again is the stub's, which would repeat forever.
const STUB_FAULTS_PASSED: u32 = 3;

/// Counts the faults (signals an instruction raises, not ones sent) a stub run meets;
/// true once there were more than it passes over.
fn too_many_faults(reason: StopReason, faults: &mut u32) -> bool {
    if matches!(
        reason,
        StopReason::Signal(libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE)
    ) {
        *faults += 1;
    }
    *faults > STUB_FAULTS_PASSED
}

/// The error for a stub run that keeps faulting: a broken invariant of ours, logged with
/// where.
fn stub_fault(stopped: Stopped) -> StubError {
    let rip = stopped.regs().map(|r| r.rip).unwrap_or_default();
    log::error!("stub run faulted: {:?} at {rip:#x}", stopped.reason());
    StubError::Host(HostError {
        errno: libc::EFAULT,
        op: "stub run faulted",
    })
}

/// Waits for the stub's closing int3, passing over any other signal the host sends.
fn wait_for_trap(mut running: ptrace::Running) -> Result<Stopped, StubError> {
    let mut faults = 0;
    loop {
        let outcome = match running.wait() {
            Ok(o) => o,
            Err((r, e)) if e.errno == libc::EINTR => {
                running = r;
                continue;
            }
            Err((_, e)) => return Err(StubError::Host(e)),
        };

        let stopped = match outcome {
            WaitOutcome::Exited(exit) => return Err(StubError::Gone(exit)),
            WaitOutcome::Stopped(s) => s,
        };
        match stopped.reason() {
            StopReason::Signal(libc::SIGTRAP) => return Ok(stopped),
            reason if too_many_faults(reason, &mut faults) => return Err(stub_fault(stopped)),
            _ => {}
        }

        // A host signal that is not ours (or a group stop): drop it and go on.
        running = stopped
            .resume(Resume::Continue, 0)
            .map_err(StubError::Host)?;
    }
}

extern "C" {
    static __rseq_offset: isize;
    static __rseq_size: libc::c_uint;
}

/// The signature glibc registers its rseq areas with (RSEQ_SIG on x86).
const RSEQ_SIG: u32 = 0x5305_3053;
const RSEQ_FLAG_UNREGISTER: i32 = 1;

/// Unregisters the calling thread's rseq area, if glibc registered one.
///
/// # Safety
/// Runs after fork in the child: only raw system calls.
unsafe fn unregister_rseq() -> bool {
    // SAFETY: glibc defines both symbols; __rseq_size is 0 when rseq is not in use.
    let (offset, size) = unsafe { (__rseq_offset, __rseq_size) };
    if size == 0 {
        return true;
    }

    let tp: u64;
    // SAFETY: on x86_64 glibc keeps the thread pointer at fs:0.
    unsafe { std::arch::asm!("mov {}, fs:0", out(reg) tp, options(nostack, readonly)) };
    let area = (tp as i64 + offset as i64) as u64;

    // The length must be the one registered: glibc uses at least 32 bytes.
    [size.max(32), size].iter().any(|&len| {
        // SAFETY: unregistering our own area; the kernel only checks the arguments.
        let r = unsafe { libc::syscall(libc::SYS_rseq, area, len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) };
        r == 0
    })
}

/// What the forked child needs, copied before the fork so it allocates nothing.
struct ChildSetup {
    sync_rd: RawFd,
    layout: StubLayout,
    code_off: u64,
    orders_off: u64,
    physmem_fd: RawFd,
}

impl ChildSetup {
    /// Runs in the child: only raw system calls, then a jump into the stub, which
    /// unmaps everything the kernel's image left in this process.
    fn run(&self) -> ! {
        let fail = |step: i32| -> ! {
            // SAFETY: _exit is async-signal-safe and ends the child.
            unsafe { libc::_exit(step) }
        };

        // SAFETY: each call below is a raw system call on values owned by this child;
        // none allocates or takes a lock, as required after fork in a threaded process.
        unsafe {
            // A guest must not outlive the thread that traces it, nor take terminal
            // signals meant for the kernel.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            libc::setpgid(0, 0);

            let mut byte = 0u8;
            if libc::read(self.sync_rd, (&raw mut byte).cast(), 1) != 1 {
                fail(libc::EPIPE);
            }

            // The host kernel writes the current CPU into a registered rseq area on every
            // return to user space; the child inherited the forking thread's, which is
            // about to be unmapped, and that write would then fault.
            if !unregister_rseq() {
                fail(libc::EINVAL);
            }

            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());

            // The guest gets no host descriptor but physical memory, which the stub's
            // orders name.
            let fd = self.physmem_fd as libc::c_uint;
            if fd > 0 {
                libc::syscall(libc::SYS_close_range, 0, fd - 1, 0);
            }
            libc::syscall(libc::SYS_close_range, fd + 1, u32::MAX, 0);

            let base = self.layout.base;
            let flags = libc::MAP_SHARED | libc::MAP_FIXED;
            let code = libc::mmap(
                base as *mut _,
                FRAME_SIZE as usize,
                libc::PROT_READ | libc::PROT_EXEC,
                flags,
                self.physmem_fd,
                self.code_off as i64,
            );
            let orders = libc::mmap(
                self.layout.orders_addr() as *mut _,
                FRAME_SIZE as usize,
                libc::PROT_READ,
                flags,
                self.physmem_fd,
                self.orders_off as i64,
            );
            if code == libc::MAP_FAILED || orders == libc::MAP_FAILED {
                fail(libc::ENOMEM);
            }

            let end = base + STUB_AREA_BYTES;
            std::arch::asm!(
                "jmp {entry}",
                entry = in(reg) base,
                in("r12") base,
                in("r13") end,
                in("r14") HOST_USER_TOP - end,
                options(noreturn),
            );
        }
    }
}
