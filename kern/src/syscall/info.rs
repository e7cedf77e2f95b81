//! Time and system information: clocks, uname, sysinfo, getrandom, resource limits.

use super::{Args, Ctx};
use crate::errno::{Errno, KResult};
use crate::mm::PAGE_SIZE;
use crate::printk::uptime_ns;
use crate::task::RLIM_NLIMITS;

/// The release uname reports: a Linux version glibc accepts, marked as ours.
pub const RELEASE: &str = "6.1.0-kernel";
/// The version string uname reports.
pub const VERSION: &str = concat!("#1 SMP kernel ", env!("CARGO_PKG_VERSION"));

const NS: u64 = 1_000_000_000;

fn timespec(ns: u64) -> [u8; 16] {
    let mut b = [0; 16];
    b[..8].copy_from_slice(&(ns / NS).to_le_bytes());
    b[8..].copy_from_slice(&(ns % NS).to_le_bytes());
    b
}

/// Nanoseconds on guest clock `clock`; EINVAL for clocks Linux does not have.
fn clock_now(clock: u64) -> KResult<u64> {
    match clock {
        // REALTIME, REALTIME_COARSE, TAI (which ignores leap seconds we do not track).
        0 | 5 | 11 => Ok(arch_um::host::realtime_ns()),
        // MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME: time since boot.
        1 | 4 | 6 | 7 => Ok(uptime_ns()),
        // PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID: per-task accounting comes with the
        // scheduler; until then the kernel's own CPU time stands in.
        2 | 3 => Ok(arch_um::host::process_cpu_ns()),
        _ => Err(Errno::EINVAL),
    }
}

/// clock_gettime(2).
pub fn sys_clock_gettime(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ns = clock_now(a[0])?;
    cx.write_bytes(a[1], &timespec(ns))?;
    Ok(0)
}

/// clock_getres(2): nanosecond resolution on every clock.
pub fn sys_clock_getres(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    clock_now(a[0])?;
    if a[1] != 0 {
        cx.write_bytes(a[1], &timespec(1))?;
    }
    Ok(0)
}

/// gettimeofday(2).
pub fn sys_gettimeofday(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ns = arch_um::host::realtime_ns();
    if a[0] != 0 {
        let mut b = [0; 16];
        b[..8].copy_from_slice(&(ns / NS).to_le_bytes());
        b[8..].copy_from_slice(&(ns % NS / 1000).to_le_bytes());
        cx.write_bytes(a[0], &b)?;
    }
    if a[1] != 0 {
        cx.write_bytes(a[1], &[0; 8])?;
    }
    Ok(0)
}

/// time(2).
pub fn sys_time(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let secs = arch_um::host::realtime_ns() / NS;
    if a[0] != 0 {
        cx.write_bytes(a[0], &secs.to_le_bytes())?;
    }
    Ok(secs as i64)
}

/// nanosleep(2): the task is parked until a timer wakes it.
pub fn sys_nanosleep(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ns = read_timespec(cx, a[0])?;
    sleep(cx, ns)
}

/// clock_nanosleep(2), relative or absolute (TIMER_ABSTIME).
pub fn sys_clock_nanosleep(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const TIMER_ABSTIME: u64 = 1;

    let now = clock_now(a[0])?;
    let t = read_timespec(cx, a[2])?;
    let ns = if a[1] & TIMER_ABSTIME != 0 {
        t.saturating_sub(now)
    } else {
        t
    };
    sleep(cx, ns)
}

/// Parks the caller until `ns` from its first call have passed.
fn sleep(cx: &mut Ctx, ns: u64) -> KResult<i64> {
    let now = uptime_ns();
    let deadline = *cx.task.deadline_ns.get_or_insert(now.saturating_add(ns));
    if now >= deadline {
        return Ok(0);
    }
    crate::waitq::Timers::get().wake_at(deadline, &cx.task.cell);
    cx.wait(crate::signal::Restart::Never)
}

/// Reads a `struct timespec` as nanoseconds; EINVAL when it is not normalised.
pub fn read_timespec(cx: &Ctx, addr: u64) -> KResult<u64> {
    let b = cx.read_bytes(addr, 16)?;
    let sec = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
    let nsec = i64::from_le_bytes(b[8..].try_into().unwrap_or_default());
    if sec < 0 || !(0..NS as i64).contains(&nsec) {
        return Err(Errno::EINVAL);
    }
    Ok((sec as u64).saturating_mul(NS).saturating_add(nsec as u64))
}

/// uname(2).
pub fn sys_uname(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let host = cx.k.hostname.lock().clone();
    let fields: [&[u8]; 6] = [
        b"Linux",
        &host,
        RELEASE.as_bytes(),
        VERSION.as_bytes(),
        b"x86_64",
        b"(none)",
    ];

    let mut b = [0u8; 6 * 65];
    for (i, f) in fields.iter().enumerate() {
        let n = f.len().min(64);
        b[i * 65..i * 65 + n].copy_from_slice(&f[..n]);
    }
    cx.write_bytes(a[0], &b)?;
    Ok(0)
}

/// sethostname(2).
pub fn sys_sethostname(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let len = a[1] as usize;
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    let name = cx.read_bytes(a[0], len)?;
    *cx.k.hostname.lock() = name;
    Ok(0)
}

/// sysinfo(2), from the kernel's own accounting.
pub fn sys_sysinfo(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let frames = &cx.k.mem.frames;
    let page = crate::mm::PAGE_SIZE;
    let mut b = [0u8; 112];
    let mut put = |off: usize, v: u64, len: usize| {
        b[off..off + len].copy_from_slice(&v.to_le_bytes()[..len]);
    };
    put(0, uptime_ns() / NS, 8);
    put(32, frames.total() as u64 * page, 8);
    put(40, frames.free() as u64 * page, 8);
    put(80, 1, 2);
    put(104, 1, 4);
    cx.write_bytes(a[0], &b)?;
    Ok(0)
}

/// getrandom(2).
pub fn sys_getrandom(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const GRND_ALL: u64 = 0x7;
    const MAX: usize = 33_554_431;
    const PAGE_BYTES: usize = PAGE_SIZE as usize;

    if a[2] & !GRND_ALL != 0 || a[2] & 0x6 == 0x6 {
        return Err(Errno::EINVAL);
    }

    // A page at a time, as Linux copies: a buffer that runs into a hole gets what fits
    // before it (EFAULT if nothing does), and a bad 32 MiB buffer costs one page of
    // randomness, not 32 MiB of it.
    let (addr, len) = (a[0], (a[1] as usize).min(MAX));
    let mut page = [0u8; PAGE_BYTES];
    let mut done = 0;
    while done < len {
        let at = addr.wrapping_add(done as u64);
        let n = (PAGE_BYTES - at as usize % PAGE_BYTES).min(len - done);
        arch_um::host::random_bytes(&mut page[..n]);
        if cx.write_bytes(at, &page[..n]).is_err() {
            return if done == 0 {
                Err(Errno::EFAULT)
            } else {
                Ok(done as i64)
            };
        }
        done += n;
    }
    Ok(done as i64)
}

/// prlimit64(2) on the caller.
pub fn sys_prlimit64(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let (pid, res, new, old) = (a[0] as i32, a[1] as usize, a[2], a[3]);
    if pid != 0 && pid != cx.task.process.pid {
        return Err(Errno::ESRCH);
    }
    rlimit(cx, res, new, old)
}

/// getrlimit(2): unlike prlimit64, the buffer is required.
pub fn sys_getrlimit(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[1] == 0 {
        return Err(Errno::EFAULT);
    }
    rlimit(cx, a[0] as usize, 0, a[1])
}

/// setrlimit(2).
pub fn sys_setrlimit(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    if a[1] == 0 {
        return Err(Errno::EFAULT);
    }
    rlimit(cx, a[0] as usize, a[1], 0)
}

fn rlimit(cx: &Ctx, res: usize, new: u64, old: u64) -> KResult<i64> {
    if res >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }

    let wanted = if new != 0 {
        let cur = cx.read_u64(new)?;
        let max = cx.read_u64(new + 8)?;
        if cur > max {
            return Err(Errno::EINVAL);
        }
        Some((cur, max))
    } else {
        None
    };

    let mut limits = cx.task.process.rlimits.lock();
    if old != 0 {
        let (cur, max) = limits[res];
        let mut b = [0; 16];
        b[..8].copy_from_slice(&cur.to_le_bytes());
        b[8..].copy_from_slice(&max.to_le_bytes());
        cx.write_bytes(old, &b)?;
    }
    if let Some(l) = wanted {
        limits[res] = l;
    }
    Ok(0)
}

/// times(2): CPU accounting comes with the scheduler; the clock part is real.
pub fn sys_times(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ticks = uptime_ns() / (NS / 100);
    if a[0] != 0 {
        cx.write_bytes(a[0], &[0; 32])?;
    }
    Ok(ticks as i64)
}

/// getrusage(2): zeros until per-task accounting exists.
pub fn sys_getrusage(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let who = a[0] as i32;
    if !matches!(who, 0 | -1 | 1) {
        return Err(Errno::EINVAL);
    }
    cx.write_bytes(a[1], &[0; 144])?;
    Ok(0)
}
