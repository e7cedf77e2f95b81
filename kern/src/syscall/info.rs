//! Time and system information: clocks, uname, sysinfo, getrandom, resource limits.

use super::{Args, Ctx};
use crate::cputime::{self, CpuClockId};
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

/// Nanoseconds on guest clock `clock`; EINVAL for clocks Linux does not have and for
/// the CPU clock of a process or thread that does not exist.
fn clock_now(cx: &Ctx, clock: u64) -> KResult<u64> {
    if let Some(id) = CpuClockId::decode(clock as i32) {
        return cpu_clock_now(cx, id);
    }
    match clock {
        // REALTIME, REALTIME_COARSE, TAI (which ignores leap seconds we do not track).
        0 | 5 | 11 => Ok(arch_um::host::realtime_ns()),
        // MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME: time since boot.
        1 | 4 | 6 | 7 => Ok(uptime_ns()),
        _ => Err(Errno::EINVAL),
    }
}

/// The reading of a CPU-time clock. A thread clock names a thread of the caller's group
/// (here only the caller: a process has one thread); a process clock names any process,
/// a zombie included, as on Linux.
fn cpu_clock_now(cx: &Ctx, id: CpuClockId) -> KResult<u64> {
    let (me, my_tid) = (cx.task.process.pid, cx.task.tid);
    let own = match (id.thread, id.pid) {
        (_, 0) => true,
        (true, tid) if tid == my_tid => true,
        (true, _) => return Err(Errno::EINVAL),
        (false, pid) => pid == me,
    };
    if own {
        return Ok(id.read(cx.task.own_usage().times));
    }
    let p = cx.k.process(id.pid).ok_or(Errno::EINVAL)?;
    Ok(id.read(p.usage().times))
}

/// clock_gettime(2).
pub fn sys_clock_gettime(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ns = clock_now(cx, a[0])?;
    cx.write_bytes(a[1], &timespec(ns))?;
    Ok(0)
}

/// clock_getres(2): nanosecond resolution on every clock, CPU clocks included (Linux
/// gives its tick for the user-time and profiling CPU clocks; these count nanoseconds).
/// A CPU clock of no process is EINVAL, which clock_getcpuclockid(3) turns into ESRCH.
pub fn sys_clock_getres(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    clock_now(cx, a[0])?;
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

    // A thread's CPU clock cannot be slept on: Linux has no sleep for the fixed
    // CLOCK_THREAD_CPUTIME_ID (EOPNOTSUPP; glibc says EINVAL without asking) and refuses
    // the per-thread ids (EINVAL). A process's CPU clock is slept on as if it were wall
    // time, which it is not: the gap is in the table.
    const CLOCK_THREAD_CPUTIME_ID: u64 = 3;
    if a[0] == CLOCK_THREAD_CPUTIME_ID {
        return Err(Errno::EOPNOTSUPP);
    }
    if CpuClockId::decode(a[0] as i32).is_some_and(|id| id.thread) {
        return Err(Errno::EINVAL);
    }
    let now = clock_now(cx, a[0])?;
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

/// times(2): the caller's and its reaped children's CPU times, in clock ticks, and the
/// ticks since boot.
pub fn sys_times(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    let ticks = cputime::ticks(uptime_ns());
    if a[0] != 0 {
        let own = cx.task.own_usage().times;
        let children = cx.task.process.times.children().times;
        cx.write_bytes(a[0], &cputime::tms(own, children))?;
    }
    Ok(ticks as i64)
}

/// getrusage(2): CPU times and the resident peak of the caller (RUSAGE_SELF, and
/// RUSAGE_THREAD for its one thread) or of its reaped children (RUSAGE_CHILDREN).
pub fn sys_getrusage(cx: &mut Ctx, a: &Args) -> KResult<i64> {
    const RUSAGE_SELF: i32 = 0;
    const RUSAGE_CHILDREN: i32 = -1;
    const RUSAGE_THREAD: i32 = 1;

    let usage = match a[0] as i32 {
        RUSAGE_SELF | RUSAGE_THREAD => cx.task.own_usage(),
        RUSAGE_CHILDREN => cx.task.process.times.children(),
        _ => return Err(Errno::EINVAL),
    };
    cx.write_bytes(a[1], &usage.to_rusage())?;
    Ok(0)
}
