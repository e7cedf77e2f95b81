//! Signal frames: the `rt_sigframe` a handler runs on, the alternate signal stack it may
//! run on, and `rt_sigreturn`, in Linux's x86_64 layout.
//!
//! A frame is, from the new stack pointer up: the return address (`sa_restorer`), a
//! `ucontext` (flags, link, `uc_stack`, the `sigcontext` registers, the old mask), the
//! `siginfo`, and, 64-byte aligned above them, the FPU state. Where the host has XSAVE the
//! FPU state is the whole XSAVE area (x87, SSE, AVX, AVX-512 ...) with the `_fpx_sw_bytes`
//! in its software-reserved bytes and `FP_XSTATE_MAGIC2` after it, as Linux's
//! `copy_fpstate_to_sigframe` writes it; elsewhere it is the 512-byte FXSAVE area.
//! (arch/x86/kernel/signal.c, arch/x86/kernel/fpu/signal.c.)

use std::sync::OnceLock;

use arch_um::ptrace::{USER_CS, USER_DS};

use crate::errno::{Errno, KResult};
use crate::signal::{bit, SigInfo, UNBLOCKABLE};
use crate::task::{SigAction, Task};

/// `ss_flags`: the thread is running on the alternate stack now.
pub const SS_ONSTACK: u32 = 1;
/// `ss_flags`: no alternate stack.
pub const SS_DISABLE: u32 = 2;
/// `ss_flags`: the alternate stack is disarmed while a handler runs on it.
pub const SS_AUTODISARM: u32 = 1 << 31;
/// The smallest alternate stack sigaltstack(2) takes (x86's MINSIGSTKSZ).
pub const MINSIGSTKSZ: u64 = 2048;

const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTORER: u64 = 0x0400_0000;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;

/// Return address, ucontext (304 bytes) and siginfo (128 bytes).
const FRAME_BYTES: u64 = 8 + 304 + 128;
/// Offsets inside the frame (the ucontext starts after the return address).
const UC_FLAGS_AT: usize = 8;
const UC_STACK_AT: usize = 24;
const SIGCONTEXT_AT: usize = 48;
const SIGMASK_AT: usize = 304;
const SIGINFO_AT: usize = 312;
/// The x86_64 ABI's red zone below the stack pointer, which a frame must not touch.
const REDZONE: u64 = 128;
/// The 32-bit user code segment (`__USER32_CS`), which a handler may return to.
const USER32_CS: u64 = 0x23;
const FXSAVE_BYTES: usize = 512;
/// UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, and the same without XSAVE.
const UC_FLAGS_XSTATE: u64 = 0x7;
const UC_FLAGS_FXSAVE: u64 = 0x6;

/// `_fpx_sw_bytes`, in the FXSAVE area's software-reserved bytes (from offset 464).
const SW_BYTES_AT: usize = 464;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
/// The XSAVE header's feature bitmap (XSTATE_BV), right after the FXSAVE area.
const XSTATE_BV_AT: usize = 512;
/// x87 and SSE: the state an FXSAVE area holds.
const XFEATURES_LEGACY: u64 = 0x3;

/// The host's XSAVE layout for guests, once a stop has shown it (`None`: the host has no
/// XSAVE, and frames carry FXSAVE state).
static XSTATE: OnceLock<Option<XstateLayout>> = OnceLock::new();

/// What the host's XSAVE area for user space looks like.
#[derive(Clone, Copy, Debug)]
struct XstateLayout {
    /// Its size in bytes.
    bytes: usize,
    /// The state components it may hold (`xfeatures` of the software bytes).
    features: u64,
}

impl XstateLayout {
    /// The layout a `PTRACE_GETREGSET NT_X86_XSTATE` buffer shows: ptrace puts the
    /// enabled features (XCR0) in the first software-reserved bytes (asm/user.h).
    fn of(area: &[u8]) -> XstateLayout {
        XstateLayout {
            bytes: area.len(),
            features: word64(area, SW_BYTES_AT),
        }
    }

    /// Writes the `_fpx_sw_bytes` a signal frame's XSAVE area carries over what ptrace
    /// left in the software-reserved bytes: FP_XSTATE_MAGIC1, the size with MAGIC2, the
    /// features, the size.
    fn write_sw_bytes(&self, area: &mut [u8]) {
        let sw = &mut area[SW_BYTES_AT..FXSAVE_BYTES];
        sw.fill(0);
        sw[0..4].copy_from_slice(&FP_XSTATE_MAGIC1.to_le_bytes());
        sw[4..8].copy_from_slice(&(self.bytes as u32 + 4).to_le_bytes());
        sw[8..16].copy_from_slice(&self.features.to_le_bytes());
        sw[16..20].copy_from_slice(&(self.bytes as u32).to_le_bytes());
    }
}

/// A thread's alternate signal stack (sigaltstack(2)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AltStack {
    /// Lowest address.
    pub sp: u64,
    /// Size in bytes; 0 when there is none.
    pub size: u64,
    /// The flags it was set with (SS_AUTODISARM, or SS_ONSTACK as some programs pass).
    pub flags: u32,
}

impl AltStack {
    /// Whether `sp` is inside the stack (Linux's `__on_sig_stack`, stacks growing down).
    fn contains(&self, sp: u64) -> bool {
        sp > self.sp && sp - self.sp <= self.size
    }

    /// Whether a handler at `sp` runs on the stack; with SS_AUTODISARM never, since the
    /// stack is disarmed while a handler uses it (`on_sig_stack`).
    pub fn on(&self, sp: u64) -> bool {
        self.flags & SS_AUTODISARM == 0 && self.contains(sp)
    }

    /// The `ss_flags` sigaltstack(2) reports at `sp`: SS_DISABLE, SS_ONSTACK or 0, plus
    /// SS_AUTODISARM when it was set with it.
    pub fn reported_flags(&self, sp: u64) -> u32 {
        let mode = if self.size == 0 {
            SS_DISABLE
        } else if self.on(sp) {
            SS_ONSTACK
        } else {
            0
        };
        mode | (self.flags & SS_AUTODISARM)
    }

    /// The `stack_t` sigaltstack(2) reports for it at `sp`: `ss_sp`, `ss_flags`,
    /// `ss_size`.
    pub fn to_bytes(self, sp: u64) -> [u8; 24] {
        self.stack_t(self.reported_flags(sp))
    }

    /// The `stack_t` a frame's `uc_stack` holds: the flags as they were set, not as
    /// sigaltstack(2) reports them (Linux's `__save_altstack`).
    fn saved_bytes(self) -> [u8; 24] {
        self.stack_t(self.flags)
    }

    fn stack_t(self, flags: u32) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.sp.to_le_bytes());
        b[8..12].copy_from_slice(&flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.size.to_le_bytes());
        b
    }

    /// Applies a guest `stack_t` (`do_sigaltstack`) with the thread's stack pointer at
    /// `sp`: EPERM while running on the current stack, EINVAL for a bad mode, ENOMEM
    /// for a stack smaller than MINSIGSTKSZ.
    pub fn set(&mut self, new: &[u8; 24], sp: u64) -> KResult<()> {
        let word = |at: usize| u64::from_le_bytes(new[at..at + 8].try_into().unwrap_or_default());
        let (ss_sp, flags, ss_size) = (word(0), word(8) as u32, word(16));

        if self.on(sp) {
            return Err(Errno::EPERM);
        }
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE {
            return Err(Errno::EINVAL);
        }

        *self = if mode == SS_DISABLE {
            AltStack {
                sp: 0,
                size: 0,
                flags,
            }
        } else if ss_size < MINSIGSTKSZ {
            return Err(Errno::ENOMEM);
        } else {
            AltStack {
                sp: ss_sp,
                size: ss_size,
                flags,
            }
        };
        Ok(())
    }
}

/// Puts a handler frame for `info` on the guest stack (the alternate one where the action
/// asks for it and the thread is not on it already) and points the registers at the
/// handler. `interrupted_rax` is the syscall result the frame saves: EINTR, or the
/// syscall number again with `rip` back over the instruction when it restarts.
///
/// Preconditions: the task is stopped (its host thread is there to read the FPU from).
pub fn setup(task: &mut Task, info: SigInfo, act: SigAction, restart: Option<bool>) -> KResult<()> {
    if act.flags & SA_RESTORER == 0 {
        return Err(Errno::EFAULT);
    }

    // An interrupted syscall either returns EINTR from the handler's point of view or
    // is issued again after it: rip back over the syscall instruction, rax the number.
    match restart {
        Some(true) if act.flags & SA_RESTART != 0 => {
            task.regs.rip -= 2;
            task.regs.rax = task.regs.orig_rax;
        }
        Some(_) => task.regs.rax = Errno::EINTR.as_ret() as u64,
        None => {}
    }

    let fpu = saved_fpu(task)?;
    let (fp_addr, frame) = place(task, act, fpu.len() as u64)?;

    let old_mask = task.saved_sigmask.take().unwrap_or(task.sigmask);
    let uc_flags = if fpu.len() > FXSAVE_BYTES {
        UC_FLAGS_XSTATE
    } else {
        UC_FLAGS_FXSAVE
    };
    let mut f = vec![0u8; FRAME_BYTES as usize];
    put(&mut f, 0, act.restorer);
    put(&mut f, UC_FLAGS_AT, uc_flags);
    f[UC_STACK_AT..UC_STACK_AT + 24].copy_from_slice(&task.altstack.saved_bytes());
    write_sigcontext(&mut f[SIGCONTEXT_AT..SIGMASK_AT], task, fp_addr);
    put(&mut f, SIGMASK_AT, old_mask);
    f[SIGINFO_AT..SIGINFO_AT + 128].copy_from_slice(&info.to_bytes());

    let mm = task.mm();
    mm.write(fp_addr, &fpu)?;
    mm.write(frame, &f)?;
    if task.altstack.flags & SS_AUTODISARM != 0 {
        task.altstack = AltStack {
            flags: SS_DISABLE,
            ..AltStack::default()
        };
    }
    reset_fpu(task, &fpu)?;

    let r = &mut task.regs;
    r.rip = act.handler;
    r.rsp = frame;
    r.rdi = info.signo as u64;
    r.rsi = frame + SIGINFO_AT as u64;
    r.rdx = frame + UC_FLAGS_AT as u64;
    r.rax = 0;
    // The handler starts with the direction and trap flags clear, as Linux's, and in
    // 64-bit code whatever the thread ran (setup_rt_frame's __USER_CS and __USER_DS).
    r.eflags &= !(0x400 | 0x100);
    r.cs = USER_CS;
    r.ss = USER_DS;

    let mut mask = task.sigmask | act.mask;
    if act.flags & SA_NODEFER == 0 {
        mask |= bit(info.signo);
    }
    task.sigmask = mask & !UNBLOCKABLE;
    if act.flags & SA_RESETHAND != 0 {
        task.process.sigactions.lock()[info.signo as usize - 1] = SigAction::default();
    }
    Ok(())
}

/// Where the FPU area and the frame go (`get_sigframe`): below the red zone, or at the
/// top of the alternate stack. A frame that would overflow the alternate stack gets
/// EFAULT, which kills the process with SIGSEGV, as on Linux.
fn place(task: &Task, act: SigAction, fpu_bytes: u64) -> KResult<(u64, u64)> {
    let alt = task.altstack;
    let nested = alt.on(task.regs.rsp);
    let mut sp = task.regs.rsp.wrapping_sub(REDZONE);

    let mut entering = false;
    if act.flags & SA_ONSTACK != 0 && alt.reported_flags(sp) & !SS_AUTODISARM == 0 {
        sp = alt.sp.wrapping_add(alt.size);
        entering = true;
    }

    let fp_addr = sp.wrapping_sub(fpu_bytes) & !63;
    let frame = (fp_addr.wrapping_sub(FRAME_BYTES) & !15).wrapping_sub(8);
    if (nested || entering) && !alt.contains(frame) {
        return Err(Errno::EFAULT);
    }
    Ok((fp_addr, frame))
}

/// The interrupted FPU state as the frame stores it: the XSAVE area and MAGIC2, or the
/// FXSAVE area.
fn saved_fpu(task: &Task) -> KResult<Vec<u8>> {
    let Some(host) = task.host.as_ref() else {
        return Ok(vec![0; FXSAVE_BYTES]);
    };

    let xstate = host.xstate().map_err(|_| Errno::EFAULT)?;
    let _ = XSTATE.set(xstate.as_deref().map(XstateLayout::of));
    match xstate {
        Some(mut area) => {
            XstateLayout::of(&area).write_sw_bytes(&mut area);
            area.extend_from_slice(&FP_XSTATE_MAGIC2.to_le_bytes());
            Ok(area)
        }
        None => Ok(host.fpregs().map_err(|_| Errno::EFAULT)?.to_vec()),
    }
}

/// The handler starts with the initial FPU state (control word 0x37f, MXCSR 0x1f80,
/// every register clear, AVX and up in their initial state), as Linux's
/// `fpu__clear_user_states`; the interrupted state waits in the frame.
fn reset_fpu(task: &mut Task, saved: &[u8]) -> KResult<()> {
    let Some(host) = task.host.as_mut() else {
        return Ok(());
    };

    let mut init = vec![0u8; saved.len().max(FXSAVE_BYTES)];
    init[0..2].copy_from_slice(&0x037f_u16.to_le_bytes());
    init[24..28].copy_from_slice(&0x1f80_u32.to_le_bytes());
    // MXCSR_MASK is the CPU's, read-only.
    init[28..32].copy_from_slice(&saved[28..32]);

    if saved.len() > FXSAVE_BYTES {
        // Drop MAGIC2; an XSTATE_BV of x87 and SSE alone puts everything else in its
        // initial state.
        init.truncate(saved.len() - 4);
        put(&mut init, XSTATE_BV_AT, XFEATURES_LEGACY);
        host.set_xstate(&init).map_err(|_| Errno::EFAULT)
    } else {
        let legacy: &[u8; FXSAVE_BYTES] =
            init[..FXSAVE_BYTES].try_into().map_err(|_| Errno::EFAULT)?;
        host.set_fpregs(legacy).map_err(|_| Errno::EFAULT)
    }
}

fn put(buf: &mut [u8], off: usize, v: u64) {
    buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

fn word32(buf: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(buf[off..off + 4].try_into().unwrap_or_default())
}

fn word64(buf: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(buf[off..off + 8].try_into().unwrap_or_default())
}

/// The order of registers in `struct sigcontext`.
fn sigcontext_regs(r: &arch_um::ptrace::Regs) -> [u64; 18] {
    [
        r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rdi, r.rsi, r.rbp, r.rbx, r.rdx,
        r.rax, r.rcx, r.rsp, r.rip, r.eflags,
    ]
}

fn write_sigcontext(sc: &mut [u8], task: &Task, fp_addr: u64) {
    for (i, v) in sigcontext_regs(&task.regs).iter().enumerate() {
        put(sc, i * 8, *v);
    }
    let segs = (task.regs.cs & 0xffff) | (task.regs.ss & 0xffff) << 48;
    put(sc, 144, segs);
    put(sc, 184, fp_addr);
}

/// rt_sigreturn(2): restores the registers, mask, FPU state and alternate stack a
/// handler frame saved. An error means a frame the guest wrecked: SIGSEGV.
pub fn sigreturn(task: &mut Task) -> KResult<()> {
    let entry_sp = task.regs.rsp;
    let frame = entry_sp.wrapping_sub(8);
    let mm = task.mm();
    let mut uc = [0u8; 304];
    mm.read(frame + UC_FLAGS_AT as u64, &mut uc)?;

    let sc = |i: usize| word64(&uc, 40 + i * 8);
    let r = &mut task.regs;
    [
        r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rdi, r.rsi, r.rbp, r.rbx, r.rdx,
        r.rax, r.rcx, r.rsp, r.rip,
    ] = std::array::from_fn(sc);

    // Only the flags user code may change come back (Linux's FIX_EFLAGS).
    const FIX_EFLAGS: u64 = 0x40dd5;
    r.eflags = (r.eflags & !FIX_EFLAGS) | (sc(17) & FIX_EFLAGS);
    r.orig_rax = u64::MAX;

    // The code segment comes back, so a handler may return to 32-bit code; any other
    // than the two user ones would fault at Linux's iret (SIGSEGV). A bad stack segment
    // is repaired, as Linux does without UC_STRICT_RESTORE_SS.
    let segs = sc(18);
    r.cs = match (segs & 0xffff) | 3 {
        cs @ (USER_CS | USER32_CS) => cs,
        _ => return Err(Errno::EFAULT),
    };
    r.ss = USER_DS;

    task.sigmask = word64(&uc, 296) & !UNBLOCKABLE;

    let fp_addr = sc(23);
    if fp_addr != 0 {
        restore_fpu(task, fp_addr)?;
    }

    // The handler may have changed the alternate stack through uc_stack; a change
    // sigaltstack(2) would refuse is ignored, as Linux's restore_altstack does. Linux
    // judges "on the stack" by the handler's stack pointer, not the restored one, so a
    // handler running on the alternate stack cannot change it this way.
    let stack: [u8; 24] = uc[16..40].try_into().map_err(|_| Errno::EFAULT)?;
    let _ = task.altstack.set(&stack, entry_sp);
    Ok(())
}

/// Loads the FPU state of the frame at `fp_addr`: the whole XSAVE area when its
/// software bytes and MAGIC2 say it is one (Linux's `check_xstate_in_sigframe`),
/// otherwise the FXSAVE part with the rest in its initial state. The host refuses a
/// header the guest broke, and that is a bad frame.
fn restore_fpu(task: &mut Task, fp_addr: u64) -> KResult<()> {
    let mm = task.mm();
    let mut legacy = [0u8; FXSAVE_BYTES];
    mm.read(fp_addr, &mut legacy)?;
    let Some(host) = task.host.as_mut() else {
        return Ok(());
    };

    let layout = match XSTATE.get() {
        Some(known) => *known,
        None => host
            .xstate()
            .map_err(|_| Errno::EFAULT)?
            .as_deref()
            .map(XstateLayout::of),
    };
    let Some(layout) = layout else {
        return host.set_fpregs(&legacy).map_err(|_| Errno::EFAULT);
    };
    let host_bytes = layout.bytes;

    let mut area = vec![0u8; host_bytes];
    area[..FXSAVE_BYTES].copy_from_slice(&legacy);
    let xstate_bytes = word32(&legacy, SW_BYTES_AT + 16) as usize;
    let full = word32(&legacy, SW_BYTES_AT) == FP_XSTATE_MAGIC1
        && xstate_bytes > XSTATE_BV_AT + 64
        && xstate_bytes <= host_bytes
        && word32(&legacy, SW_BYTES_AT + 4) as usize == xstate_bytes + 4;
    let mut magic2 = [0u8; 4];
    if full
        && mm.read(fp_addr + xstate_bytes as u64, &mut magic2).is_ok()
        && u32::from_le_bytes(magic2) == FP_XSTATE_MAGIC2
    {
        mm.read(fp_addr, &mut area[..xstate_bytes])?;
        // XRSTOR faults on a component the CPU does not have; of the rest, only those
        // the frame says it holds are loaded and the others start afresh.
        let bv = word64(&area, XSTATE_BV_AT);
        if bv & !layout.features != 0 {
            return Err(Errno::EFAULT);
        }
        let features = word64(&legacy, SW_BYTES_AT + 8);
        put(&mut area, XSTATE_BV_AT, bv & features);
    } else {
        put(&mut area, XSTATE_BV_AT, XFEATURES_LEGACY);
    }
    host.set_xstate(&area).map_err(|_| Errno::EFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guest `stack_t`.
    fn stack_t(sp: u64, flags: u32, size: u64) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&sp.to_le_bytes());
        b[8..12].copy_from_slice(&flags.to_le_bytes());
        b[16..24].copy_from_slice(&size.to_le_bytes());
        b
    }

    #[test]
    fn sigaltstack_checks_like_linux() {
        let mut alt = AltStack::default();
        assert_eq!(alt.reported_flags(0x1000), SS_DISABLE);

        assert_eq!(alt.set(&stack_t(0x10000, 0, 1024), 0), Err(Errno::ENOMEM));
        assert_eq!(alt.set(&stack_t(0x10000, 4, 8192), 0), Err(Errno::EINVAL));
        assert_eq!(alt.set(&stack_t(0x10000, 0, 8192), 0), Ok(()));
        assert_eq!(alt.reported_flags(0x12000), SS_ONSTACK);
        assert_eq!(
            alt.reported_flags(0x10000),
            0,
            "the lowest byte is not inside"
        );
        assert_eq!(alt.reported_flags(0x20000), 0);

        // Running on it: no change allowed.
        assert_eq!(
            alt.set(&stack_t(0, SS_DISABLE, 0), 0x11000),
            Err(Errno::EPERM)
        );
        assert_eq!(alt.set(&stack_t(0, SS_DISABLE, 0), 0x90000), Ok(()));
        assert_eq!(alt.size, 0);

        // SS_AUTODISARM: never "on" it, so it can be changed from a handler.
        let auto = SS_AUTODISARM;
        assert_eq!(alt.set(&stack_t(0x10000, auto, 8192), 0), Ok(()));
        assert_eq!(alt.reported_flags(0x11000), SS_AUTODISARM);
        assert_eq!(alt.set(&stack_t(0x40000, 0, 8192), 0x11000), Ok(()));
    }
}
