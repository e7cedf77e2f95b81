//! The kernel log: `[    0.001234] message` lines on the host's stderr.
//!
//! Built on the `log` facade. Levels follow the kernel's `loglevel=`: 4 shows warnings
//! and errors (what `quiet` leaves), 6 adds the boot log (info), 7 debug, 8 trace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use log::{Level, LevelFilter, Log, Metadata, Record};
use parking_lot::Mutex;

struct Printk {
    boot_ns: u64,
    /// Serialises whole lines so that CPUs logging at once do not interleave.
    line: Mutex<()>,
}

static PRINTK: OnceLock<Printk> = OnceLock::new();

/// Installs the kernel log with the kernel's `loglevel` (0 to 8).
pub fn init(loglevel: u8) {
    let printk = PRINTK.get_or_init(|| Printk {
        boot_ns: arch_um::host::monotonic_ns(),
        line: Mutex::new(()),
    });
    let _ = log::set_logger(printk);
    log::set_max_level(level_filter(loglevel));
}

fn level_filter(loglevel: u8) -> LevelFilter {
    match loglevel {
        0..=3 => LevelFilter::Error,
        4..=5 => LevelFilter::Warn,
        6 => LevelFilter::Info,
        7 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

/// Nanoseconds since the kernel started logging (its boot clock).
pub fn uptime_ns() -> u64 {
    let boot = PRINTK.get().map_or(0, |p| p.boot_ns);
    arch_um::host::monotonic_ns().saturating_sub(boot)
}

impl Log for Printk {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }

        let ns = uptime_ns();
        let prefix = match record.level() {
            Level::Error => "error: ",
            Level::Warn => "warning: ",
            _ => "",
        };
        // A terminal in raw mode does not turn a newline into a line start.
        let eol = if arch_um::host::terminal_is_raw() {
            "\r\n"
        } else {
            "\n"
        };
        let text = format!(
            "[{:5}.{:06}] {prefix}{}{eol}",
            ns / 1_000_000_000,
            ns % 1_000_000_000 / 1000,
            record.args()
        );

        let _line = self.line.lock();
        let _ = arch_um::host::write_fd(2, text.as_bytes());
    }

    fn flush(&self) {}
}

/// A once-per-key warning gate: the first call for each key in a set says yes.
///
/// Unknown syscalls and fallbacks warn once per number, not once per call, so a guest
/// cannot flood the log.
pub struct WarnOnce {
    seen: [AtomicU64; 8],
}

impl WarnOnce {
    /// A gate with nothing seen, for keys 0..512.
    pub const fn new() -> WarnOnce {
        WarnOnce {
            seen: [const { AtomicU64::new(0) }; 8],
        }
    }

    /// Whether this is the first time `key` is seen; keys past 511 share one slot.
    pub fn first(&self, key: u64) -> bool {
        let k = key.min(511) as usize;
        let bit = 1u64 << (k % 64);
        self.seen[k / 64].fetch_or(bit, Ordering::Relaxed) & bit == 0
    }
}

impl Default for WarnOnce {
    fn default() -> Self {
        WarnOnce::new()
    }
}

/// A time gate for warnings that may repeat: yes at most once per interval, so that a
/// guest that keeps triggering one cannot flood the log.
pub struct RateLimit {
    interval_ns: u64,
    last_ns: AtomicU64,
}

impl RateLimit {
    /// A gate that opens at most once every `interval_ns` of uptime.
    pub const fn new(interval_ns: u64) -> RateLimit {
        RateLimit {
            interval_ns,
            last_ns: AtomicU64::new(0),
        }
    }

    /// Whether a warning may be logged now.
    pub fn allow(&self) -> bool {
        let now = uptime_ns().max(1);
        let last = self.last_ns.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < self.interval_ns {
            return false;
        }
        self.last_ns
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }
}

#[cfg(test)]
mod rate_tests {
    use super::RateLimit;

    #[test]
    fn a_rate_limit_opens_once_per_interval() {
        let hour = RateLimit::new(3_600_000_000_000);
        assert!(hour.allow());
        assert!(!hour.allow());
        assert!(!hour.allow());

        let none = RateLimit::new(0);
        assert!(none.allow());
        assert!(none.allow());
    }
}
