//! Host services the kernel needs besides memory and tracing: files behind block
//! devices, the console's file descriptors, clocks, randomness, exiting.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::{HostError, HostResult};

/// A host file backing a block device.
pub struct HostFile {
    file: File,
    len_bytes: u64,
    writable: bool,
}

fn io_error(op: &'static str, e: io::Error) -> HostError {
    HostError {
        errno: e.raw_os_error().unwrap_or(libc::EIO),
        op,
    }
}

impl HostFile {
    /// Opens `path` read-write, or read-only when `read_only` is set or the file is not
    /// writable to us.
    pub fn open(path: &Path, read_only: bool) -> HostResult<HostFile> {
        let rw = if read_only {
            Err(io::ErrorKind::PermissionDenied.into())
        } else {
            OpenOptions::new().read(true).write(true).open(path)
        };
        let (file, writable) = match rw {
            Ok(f) => (f, true),
            Err(_) => (File::open(path).map_err(|e| io_error("open", e))?, false),
        };

        let meta = file.metadata().map_err(|e| io_error("stat", e))?;
        if meta.is_dir() {
            return Err(HostError {
                errno: libc::EISDIR,
                op: "open",
            });
        }
        Ok(HostFile {
            file,
            len_bytes: meta.len(),
            writable,
        })
    }

    /// Takes the host's advisory lock on the file for as long as it stays open (and not
    /// one moment past the kernel's death): exclusive when it is writable, shared when
    /// not, so two kernels never write one image, nor one write while another reads, as
    /// UML's ubd locks its backing files. `Ok(false)`: another process holds it.
    pub fn try_lock(&self) -> HostResult<bool> {
        let taken = if self.writable {
            self.file.try_lock()
        } else {
            self.file.try_lock_shared()
        };
        match taken {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error("flock", e)),
        }
    }

    /// Size in bytes when opened.
    pub fn len_bytes(&self) -> u64 {
        self.len_bytes
    }

    /// Whether writes are possible.
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Reads exactly `buf.len()` bytes at `off`.
    pub fn read_exact_at(&self, off: u64, buf: &mut [u8]) -> HostResult<()> {
        self.file
            .read_exact_at(buf, off)
            .map_err(|e| io_error("pread", e))
    }

    /// Writes all of `buf` at `off`.
    pub fn write_all_at(&self, off: u64, buf: &[u8]) -> HostResult<()> {
        self.file
            .write_all_at(buf, off)
            .map_err(|e| io_error("pwrite", e))
    }

    /// Flushes the file's data to the host's storage.
    pub fn sync_data(&self) -> HostResult<()> {
        self.file.sync_data().map_err(|e| io_error("fdatasync", e))
    }
}

/// Writes all of `buf` to host file descriptor `fd` (1 or 2: the console and the log).
pub fn write_fd(fd: i32, buf: &[u8]) -> HostResult<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &buf[done..];

        // SAFETY: rest is a valid readable slice for its length.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            let e = HostError::last("write");
            if e.errno == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        done += n as usize;
    }
    Ok(())
}

/// Reads from host file descriptor `fd` into `buf`; 0 means end of file.
pub fn read_fd(fd: i32, buf: &mut [u8]) -> HostResult<usize> {
    loop {
        // SAFETY: buf is a valid writable slice for its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = HostError::last("read");
        if e.errno != libc::EINTR {
            return Err(e);
        }
    }
}

/// Whether host descriptor `fd` is a terminal.
pub fn is_tty(fd: i32) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// The terminal size of host descriptor `fd` as (rows, cols), if it is a terminal.
pub fn window_size(fd: i32) -> Option<(u16, u16)> {
    // SAFETY: winsize is plain data, filled by the ioctl.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };

    // SAFETY: TIOCGWINSZ writes one winsize to the pointer.
    let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_row != 0).then_some((ws.ws_row, ws.ws_col))
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    // SAFETY: timespec is plain data, filled by clock_gettime.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };

    // SAFETY: a valid clock id and out-pointer.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Host monotonic time in nanoseconds.
pub fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// Host wall-clock time in nanoseconds since the epoch.
pub fn realtime_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME)
}

/// CPU time the whole kernel process has used, in nanoseconds.
pub fn process_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU time host process `pid` has used so far (user and system, on the host), in
/// nanoseconds: the scheduler's own runtime sum, read through the process's CPU clock.
///
/// One clock_gettime, and exact: the clock adds the slice the process is running now,
/// where /proc/PID/schedstat lags until its next switch and costs an open, a read and a
/// close, and /proc/PID/stat counts 10 ms ticks. The host lets any process read another's
/// process clock (only thread clocks are private to their group). ESRCH-like errors
/// (EINVAL from the host) once the process is gone.
pub fn process_cpu_ns_of(pid: i32) -> HostResult<u64> {
    // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) of the uapi: the inverted pid above
    // three bits that say "per process, scheduler runtime".
    const CPUCLOCK_SCHED: libc::clockid_t = 2;
    let clock = (!pid << 3) | CPUCLOCK_SCHED;

    // SAFETY: timespec is plain data, filled by clock_gettime.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };

    // SAFETY: a clock id and a valid out-pointer; a bad id only fails with EINVAL.
    if unsafe { libc::clock_gettime(clock, &mut ts) } < 0 {
        return Err(HostError::last("clock_gettime"));
    }
    Ok(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// Fills `buf` with random bytes from the host.
pub fn random_bytes(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];

        // SAFETY: rest is a valid writable slice for its length.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n > 0 {
            done += n as usize;
        }
    }
}

/// The host's name, for the boot log.
pub fn host_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|s| s.into_string().ok())
        .unwrap_or_default()
}

/// Ends the kernel process with `code`, without running destructors: guests are already
/// gone and block devices flushed by the time the kernel calls this.
pub fn exit(code: i32) -> ! {
    restore_terminal();

    // SAFETY: exit_group ends every thread; nothing of ours runs after it.
    unsafe { libc::_exit(code) }
}

/// Sleeps the calling host thread for `ns` nanoseconds.
pub fn sleep_ns(ns: u64) {
    std::thread::sleep(std::time::Duration::from_nanos(ns));
}

/// The host's auxv entry `kind` (AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ), which the guest
/// is handed too: it runs on the same processor.
pub fn auxv_value(kind: u64) -> u64 {
    // SAFETY: getauxval only reads the process's saved auxv.
    unsafe { libc::getauxval(kind) }
}

/// What the host says about its first CPU, for the guest's /proc/cpuinfo: the guest
/// runs on the same processor.
#[derive(Clone, Debug, Default)]
pub struct CpuInfo {
    /// `vendor_id`.
    pub vendor: String,
    /// `cpu family`.
    pub family: u32,
    /// `model`.
    pub model: u32,
    /// `stepping`.
    pub stepping: u32,
    /// `cpuid level`.
    pub cpuid_level: u32,
    /// `cache size` in KiB.
    pub cache_kb: u32,
    /// `model name`.
    pub model_name: String,
    /// `flags`.
    pub flags: String,
    /// `cpu MHz`.
    pub mhz: f64,
}

/// Reads the host's /proc/cpuinfo; fields it lacks stay empty or zero.
pub fn cpu_info() -> CpuInfo {
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let mut info = CpuInfo::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let num = || value.parse().unwrap_or(0);
        match key {
            "vendor_id" => info.vendor = value.to_string(),
            "cpu family" => info.family = num(),
            "model" => info.model = num(),
            "stepping" => info.stepping = num(),
            "cpuid level" => info.cpuid_level = num(),
            "cache size" => info.cache_kb = value.trim_end_matches(" KB").parse().unwrap_or(0),
            "model name" => info.model_name = value.to_string(),
            "flags" => info.flags = value.to_string(),
            "cpu MHz" => info.mhz = value.parse().unwrap_or(0.0),
            _ => {}
        }
    }
    info
}

/// The host terminal's settings before the kernel put it in raw mode, to restore on
/// every way out.
static SAVED_TERMIOS: std::sync::Mutex<Option<libc::termios>> = std::sync::Mutex::new(None);

/// Puts host descriptor `fd` (a terminal) in raw mode, remembering the old settings:
/// every key, ^C included, then reaches the console's line discipline.
pub fn enter_raw_mode(fd: i32) -> HostResult<()> {
    // SAFETY: termios is plain data, filled by tcgetattr.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };

    // SAFETY: a valid descriptor and out-pointer.
    if unsafe { libc::tcgetattr(fd, &mut t) } < 0 {
        return Err(HostError::last("tcgetattr"));
    }
    if let Ok(mut saved) = SAVED_TERMIOS.lock() {
        *saved = Some(t);
    }

    let mut raw = t;
    // SAFETY: cfmakeraw edits the struct we own.
    unsafe { libc::cfmakeraw(&mut raw) };
    // SAFETY: a valid descriptor and settings.
    if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &raw) } < 0 {
        return Err(HostError::last("tcsetattr"));
    }
    Ok(())
}

/// Whether the kernel has the host terminal in raw mode: lines it writes there then
/// need a carriage return of their own.
pub fn terminal_is_raw() -> bool {
    SAVED_TERMIOS.lock().map(|s| s.is_some()).unwrap_or(false)
}

/// Restores the host terminal's settings if the kernel changed them. Safe to call from
/// a signal handler's thread and more than once.
pub fn restore_terminal() {
    let saved = match SAVED_TERMIOS.try_lock() {
        Ok(mut s) => s.take(),
        Err(_) => None,
    };
    if let Some(t) = saved {
        // SAFETY: restoring settings read from the same descriptor earlier.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
    }
}

static SHUTDOWN_PIPE: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

extern "C" fn on_shutdown_signal(sig: libc::c_int) {
    let fd = SHUTDOWN_PIPE.load(std::sync::atomic::Ordering::Relaxed);
    let b = sig as u8;
    // SAFETY: write(2) is async-signal-safe; one byte from the stack to our pipe.
    unsafe { libc::write(fd, (&raw const b).cast(), 1) };
}

/// Calls `f(signal)` on a thread of its own when the host sends the kernel SIGTERM,
/// SIGINT, SIGHUP or SIGQUIT, so that the kernel can shut down in order instead of
/// dying with the terminal left raw, and `resized()` on SIGWINCH.
pub fn on_host_signals<F, R>(f: F, resized: R) -> HostResult<()>
where
    F: Fn(i32) + Send + 'static,
    R: Fn() + Send + 'static,
{
    let mut fds = [0; 2];
    // SAFETY: fds is a valid two-int array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(HostError::last("pipe2"));
    }
    SHUTDOWN_PIPE.store(fds[1], std::sync::atomic::Ordering::Relaxed);

    let rd = fds[0];
    std::thread::Builder::new()
        .name("host-signals".into())
        .spawn(move || {
            let mut b = [0u8; 1];
            while let Ok(1) = read_fd(rd, &mut b) {
                if b[0] as i32 == libc::SIGWINCH {
                    resized();
                } else {
                    f(b[0] as i32);
                }
            }
        })
        .map_err(|_| HostError {
            errno: libc::EAGAIN,
            op: "spawn",
        })?;

    for sig in [
        libc::SIGTERM,
        libc::SIGINT,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGWINCH,
    ] {
        // SAFETY: sigaction is plain data; the handler only writes to a pipe.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_shutdown_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_RESTART;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
    Ok(())
}

/// Kills every child process of the kernel with SIGKILL and reaps them all: no guest
/// process of a halted machine may outlive it into the next boot. Returns how many were
/// still alive (not zombies).
pub fn kill_and_reap_children() -> usize {
    let me = std::process::id() as i32;
    let mut killed = 0;

    // A child's parent is recorded in the fourth field of /proc/PID/stat, after the
    // command name in parentheses (which may itself hold spaces and parentheses).
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let mut fields = stat.rsplit_once(')').map_or("", |f| f.1).split_whitespace();
            let state = fields.next();
            let ppid = fields.next().and_then(|p| p.parse::<i32>().ok());
            if ppid == Some(me) {
                // SAFETY: SIGKILL to a child of ours that we have not reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };

                // A zombie was killed already and only waits for its reaper.
                if state != Some("Z") {
                    killed += 1;
                }
            }
        }
    }

    loop {
        let mut status = 0;

        // SAFETY: status is a valid out-pointer.
        let r = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if r < 0 && nix::errno::Errno::last_raw() == libc::EINTR {
            continue;
        }
        if r < 0 {
            return killed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_process_cpu_clock_reads_its_runtime() {
        // A child that spins for 50 ms of its own CPU time and then waits to be killed.
        // SAFETY: the child only spins on clock_gettime and pauses; no locks are taken.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            while process_cpu_ns() < 50_000_000 {}
            loop {
                // SAFETY: pause has no arguments.
                unsafe { libc::pause() };
            }
        }
        assert!(pid > 0, "fork failed");

        let mut seen = 0;
        let start = monotonic_ns();
        while seen < 50_000_000 && monotonic_ns() - start < 10_000_000_000 {
            seen = process_cpu_ns_of(pid).expect("a live child's clock");
        }
        kill_and_reap_child(pid);
        assert!(seen >= 50_000_000, "the child's clock stayed at {seen} ns");

        // Reaped: the clock is gone with it.
        assert_eq!(
            process_cpu_ns_of(pid).map_err(|e| e.errno),
            Err(libc::EINVAL)
        );
    }

    fn kill_and_reap_child(pid: i32) {
        let mut status = 0;
        // SAFETY: a child of ours, killed and reaped once.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, &mut status, 0);
        }
    }
}
