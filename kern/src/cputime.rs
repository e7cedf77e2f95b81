//! CPU time accounting: what times(2), getrusage(2), the CPU clocks and /proc report.
//!
//! A task's user time is the CPU time of the host processes that ran its guest code,
//! read from the host on demand, never per stop: exec replaces the host process and fork
//! makes a new one, so a process keeps the time of those that went away
//! ([`RetiredSpaces`]). Its system time is the kernel's own time on its stops (syscall
//! emulation, faults, stub runs): one monotonic clock read when a stop arrives and one
//! when the task goes back to guest code, summed per process ([`ProcessTimes`]).
//!
//! What the host spends on a tracee's behalf inside the tracee (its side of a ptrace stop,
//! the stub's host calls) is in the tracee's host CPU time, so it shows as user time; the
//! kernel's wait for a stub run shows as system time as well. Both are a few
//! microseconds per stop.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

/// Ticks per second of `clock_t` values (times(2), /proc): Linux's `USER_HZ`.
pub const USER_HZ: u64 = 100;

const NS_PER_SEC: u64 = 1_000_000_000;

/// Nanoseconds per `clock_t` tick.
pub const NS_PER_TICK: u64 = NS_PER_SEC / USER_HZ;

/// Bytes of a `struct rusage` on x86_64.
pub const RUSAGE_BYTES: usize = 144;

/// Bytes of a `struct tms` on x86_64.
pub const TMS_BYTES: usize = 32;

/// User and system CPU time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Time running guest code.
    pub user_ns: u64,
    /// Time the kernel spent on the task's stops.
    pub sys_ns: u64,
}

impl CpuTimes {
    /// Both summed, field by field.
    pub fn plus(self, other: CpuTimes) -> CpuTimes {
        CpuTimes {
            user_ns: self.user_ns.saturating_add(other.user_ns),
            sys_ns: self.sys_ns.saturating_add(other.sys_ns),
        }
    }

    /// User and system time together, as the scheduler-runtime clocks count.
    pub fn total_ns(self) -> u64 {
        self.user_ns.saturating_add(self.sys_ns)
    }
}

/// Nanoseconds as `clock_t` ticks, truncated as Linux's `nsec_to_clock_t`.
pub fn ticks(ns: u64) -> u64 {
    ns / NS_PER_TICK
}

/// What getrusage reports of a process, or of its reaped children together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// CPU time.
    pub times: CpuTimes,
    /// The largest resident set, in pages (a high-water mark, never summed).
    pub maxrss_pages: u64,
}

impl Usage {
    /// The usage of two sets of processes together: times add, the peak is the larger.
    pub fn merge(self, other: Usage) -> Usage {
        Usage {
            times: self.times.plus(other.times),
            maxrss_pages: self.maxrss_pages.max(other.maxrss_pages),
        }
    }

    /// The `struct rusage` of this usage. Only the times and `ru_maxrss` are kept; the
    /// fault, block I/O, message, signal and context-switch counts read zero.
    pub fn to_rusage(self) -> [u8; RUSAGE_BYTES] {
        let mut b = [0u8; RUSAGE_BYTES];
        b[..16].copy_from_slice(&timeval(self.times.user_ns));
        b[16..32].copy_from_slice(&timeval(self.times.sys_ns));
        let maxrss_kb = self
            .maxrss_pages
            .saturating_mul(crate::mm::PAGE_SIZE / 1024);
        b[32..40].copy_from_slice(&maxrss_kb.to_le_bytes());
        b
    }
}

/// A `struct timeval`, microseconds truncated as Linux's `ns_to_kernel_old_timeval`.
fn timeval(ns: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&(ns / NS_PER_SEC).to_le_bytes());
    b[8..].copy_from_slice(&(ns % NS_PER_SEC / 1000).to_le_bytes());
    b
}

/// The `struct tms` of times(2): own and children's user and system time, in ticks.
pub fn tms(own: CpuTimes, children: CpuTimes) -> [u8; TMS_BYTES] {
    let fields = [own.user_ns, own.sys_ns, children.user_ns, children.sys_ns];
    let mut b = [0u8; TMS_BYTES];
    for (chunk, ns) in b.chunks_exact_mut(8).zip(fields) {
        chunk.copy_from_slice(&ticks(ns).to_le_bytes());
    }
    b
}

/// A process's system time and what its reaped children used.
#[derive(Debug, Default)]
pub struct ProcessTimes {
    /// Kernel time on the process's stops, added by the CPU that runs its task.
    sys_ns: AtomicU64,
    /// Reaped children with their own reaped children (Linux's `cutime`, `cstime`,
    /// `cmaxrss`), added at wait.
    children: Mutex<Usage>,
}

impl ProcessTimes {
    /// Adds `ns` of kernel time.
    pub fn add_sys(&self, ns: u64) {
        self.sys_ns.fetch_add(ns, Ordering::Relaxed);
    }

    /// The system time so far.
    pub fn sys_ns(&self) -> u64 {
        self.sys_ns.load(Ordering::Relaxed)
    }

    /// What the reaped children used.
    pub fn children(&self) -> Usage {
        *self.children.lock()
    }

    /// Adds the usage of a child that has just been reaped.
    pub fn add_child(&self, usage: Usage) {
        let mut c = self.children.lock();
        *c = c.merge(usage);
    }
}

/// What the address spaces a process had before its current one used: the host CPU
/// time of their host processes and their resident high-water mark. Kept beside the
/// address space, under its lock, so that a reader sees either the old space with the
/// old totals or the new one with the new totals, never a mix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetiredSpaces {
    /// Host CPU time of host processes that went away.
    pub cpu_ns: u64,
    /// The largest resident set any of them had, in pages.
    pub peak_pages: u64,
}

impl RetiredSpaces {
    /// Takes in a space that goes away, with what its host process and page table say.
    pub fn retire(&mut self, cpu_ns: u64, peak_pages: u64) {
        self.cpu_ns = self.cpu_ns.saturating_add(cpu_ns);
        self.peak_pages = self.peak_pages.max(peak_pages);
    }
}

/// Where a task's kernel time began: the stop it is handling, or the moment its CPU
/// picked it up. The CPU running the task owns it.
#[derive(Clone, Copy, Debug, Default)]
pub struct KernelClock {
    since_ns: u64,
}

impl KernelClock {
    /// The task enters the kernel at `now_ns` (a stop, or its CPU taking it up).
    pub fn start(&mut self, now_ns: u64) {
        self.since_ns = now_ns;
    }

    /// The task leaves the kernel at `now_ns` (back to guest code, or off its CPU):
    /// returns the kernel time since [`KernelClock::start`], to add to the process.
    pub fn stop(&mut self, now_ns: u64) -> u64 {
        let ns = self.pending(now_ns);
        self.since_ns = now_ns;
        ns
    }

    /// Kernel time not yet added: what the task's own syscall adds to what it reports.
    pub fn pending(&self, now_ns: u64) -> u64 {
        now_ns.saturating_sub(self.since_ns)
    }
}

/// What a CPU-time clock counts (the low two bits of its id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuClockKind {
    /// User and system time (`CPUCLOCK_PROF`).
    Prof,
    /// User time (`CPUCLOCK_VIRT`).
    Virt,
    /// Scheduler runtime (`CPUCLOCK_SCHED`): user and system time here too.
    Sched,
}

/// A CPU-time clock, as a `clockid_t` names one: CLOCK_PROCESS_CPUTIME_ID,
/// CLOCK_THREAD_CPUTIME_ID, or the negative ids clock_getcpuclockid(3) and
/// pthread_getcpuclockid(3) make from a pid or a tid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuClockId {
    /// The process or thread; 0 is the caller.
    pub pid: i32,
    /// A thread's clock rather than its whole process's.
    pub thread: bool,
    /// What it counts.
    pub kind: CpuClockKind,
}

impl CpuClockId {
    /// The CPU clock `clock` names, or `None` when it names no CPU clock (a fixed clock
    /// such as CLOCK_MONOTONIC, or a file descriptor's dynamic clock).
    pub fn decode(clock: i32) -> Option<CpuClockId> {
        const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        const PERTHREAD: i32 = 4;

        let sched = |thread| CpuClockId {
            pid: 0,
            thread,
            kind: CpuClockKind::Sched,
        };
        match clock {
            CLOCK_PROCESS_CPUTIME_ID => return Some(sched(false)),
            CLOCK_THREAD_CPUTIME_ID => return Some(sched(true)),
            c if c >= 0 => return None,
            _ => {}
        }

        // include/linux/posix-timers.h: the inverted pid above three bits, the third
        // "per thread", the low two what is counted (3 is CLOCKFD, a descriptor's clock).
        let kind = match clock & 3 {
            0 => CpuClockKind::Prof,
            1 => CpuClockKind::Virt,
            2 => CpuClockKind::Sched,
            _ => return None,
        };
        Some(CpuClockId {
            pid: !(clock >> 3),
            thread: clock & PERTHREAD != 0,
            kind,
        })
    }

    /// The clock's reading for a task or process that has used `t`.
    pub fn read(self, t: CpuTimes) -> u64 {
        match self.kind {
            CpuClockKind::Virt => t.user_ns,
            CpuClockKind::Prof | CpuClockKind::Sched => t.total_ns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_truncate_to_hundredths() {
        assert_eq!(ticks(0), 0);
        assert_eq!(ticks(9_999_999), 0);
        assert_eq!(ticks(10_000_000), 1);
        assert_eq!(ticks(1_234_567_890), 123);
    }

    #[test]
    fn rusage_layout_is_linux_x86_64() {
        let u = Usage {
            times: CpuTimes {
                user_ns: 1_500_002_999,
                sys_ns: 250_000_000,
            },
            maxrss_pages: 300,
        };
        let b = u.to_rusage();
        let word = |i: usize| i64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
        // ru_utime, ru_stime as (seconds, microseconds), truncated.
        assert_eq!((word(0), word(1)), (1, 500_002));
        assert_eq!((word(2), word(3)), (0, 250_000));
        // ru_maxrss in KiB, then every count zero.
        assert_eq!(word(4), 1200);
        assert!((5..18).all(|i| word(i) == 0));
    }

    #[test]
    fn tms_holds_own_then_children_ticks() {
        let own = CpuTimes {
            user_ns: 200_000_000,
            sys_ns: 15_000_000,
        };
        let children = CpuTimes {
            user_ns: 1_000_000_000,
            sys_ns: 9_000_000,
        };
        let b = tms(own, children);
        let word = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap());
        assert_eq!([word(0), word(1), word(2), word(3)], [20, 1, 100, 0]);
    }

    #[test]
    fn merged_usage_adds_times_and_keeps_the_larger_peak() {
        let a = Usage {
            times: CpuTimes {
                user_ns: 5,
                sys_ns: 7,
            },
            maxrss_pages: 40,
        };
        let b = Usage {
            times: CpuTimes {
                user_ns: u64::MAX,
                sys_ns: 1,
            },
            maxrss_pages: 10,
        };
        let m = a.merge(b);
        assert_eq!(m.times.user_ns, u64::MAX, "saturates");
        assert_eq!(m.times.sys_ns, 8);
        assert_eq!(m.maxrss_pages, 40);
        assert_eq!(m.times.total_ns(), u64::MAX);
    }

    #[test]
    fn children_accumulate_over_reaps() {
        let p = ProcessTimes::default();
        let child = |user_ns, maxrss_pages| Usage {
            times: CpuTimes { user_ns, sys_ns: 1 },
            maxrss_pages,
        };
        p.add_child(child(100, 8));
        p.add_child(child(50, 3));
        let want = Usage {
            times: CpuTimes {
                user_ns: 150,
                sys_ns: 2,
            },
            maxrss_pages: 8,
        };
        assert_eq!(p.children(), want);
    }

    #[test]
    fn retired_spaces_sum_time_and_keep_the_peak() {
        let mut r = RetiredSpaces::default();
        r.retire(300, 50);
        r.retire(200, 20);
        assert_eq!(
            r,
            RetiredSpaces {
                cpu_ns: 500,
                peak_pages: 50
            }
        );
    }

    #[test]
    fn cpu_clock_ids_decode_as_glibc_makes_them() {
        let id = |pid: i32, thread, kind| CpuClockId { pid, thread, kind };
        // The fixed ids.
        assert_eq!(
            CpuClockId::decode(2),
            Some(id(0, false, CpuClockKind::Sched))
        );
        assert_eq!(
            CpuClockId::decode(3),
            Some(id(0, true, CpuClockKind::Sched))
        );
        assert_eq!(CpuClockId::decode(1), None);
        // clock_getcpuclockid(1234): MAKE_PROCESS_CPUCLOCK(1234, CPUCLOCK_SCHED).
        assert_eq!(
            CpuClockId::decode((!1234 << 3) | 2),
            Some(id(1234, false, CpuClockKind::Sched))
        );
        // pthread_getcpuclockid: MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED).
        assert_eq!(
            CpuClockId::decode((!77 << 3) | 4 | 2),
            Some(id(77, true, CpuClockKind::Sched))
        );
        // The caller's user-time clock, and a descriptor's clock (not a CPU clock).
        assert_eq!(
            CpuClockId::decode(-7),
            Some(id(0, false, CpuClockKind::Virt))
        );
        assert_eq!(
            CpuClockId::decode(-8),
            Some(id(0, false, CpuClockKind::Prof))
        );
        assert_eq!(CpuClockId::decode((!3 << 3) | 3), None);
    }

    #[test]
    fn cpu_clocks_count_what_their_kind_says() {
        let t = CpuTimes {
            user_ns: 30,
            sys_ns: 12,
        };
        let read = |kind| {
            let id = CpuClockId {
                pid: 0,
                thread: false,
                kind,
            };
            id.read(t)
        };
        assert_eq!(read(CpuClockKind::Virt), 30);
        assert_eq!(read(CpuClockKind::Prof), 42);
        assert_eq!(read(CpuClockKind::Sched), 42);
    }

    #[test]
    fn kernel_clock_counts_each_interval_once() {
        let mut c = KernelClock::default();
        c.start(1_000);
        assert_eq!(c.pending(1_400), 400);
        assert_eq!(c.stop(1_500), 500);
        // Back from the guest: only the new stop's time counts.
        c.start(9_000);
        assert_eq!(c.stop(9_020), 20);
        // A clock read out of order never goes negative.
        assert_eq!(c.stop(8_000), 0);
    }
}
