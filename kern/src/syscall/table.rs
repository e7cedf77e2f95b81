//! The syscall table: number to handler and how completely Linux's call is emulated.

use std::sync::OnceLock;

use super::abi::nr;
use super::{cred, fs, info, mm, mount, path, poll, process, signal, Handler};
use crate::errno::Errno;

/// How completely a syscall is emulated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// As Linux does it.
    Full,
    /// Works, with the listed gap.
    Partial(&'static str),
    /// Refused with this errno, for this reason.
    Unsupported(Errno, &'static str),
}

struct Entry {
    nr: u64,
    handler: Option<Handler>,
    support: Support,
}

macro_rules! full {
    ($nr:ident, $h:path) => {
        Entry {
            nr: nr::$nr,
            handler: Some($h),
            support: Support::Full,
        }
    };
}

macro_rules! partial {
    ($nr:ident, $h:path, $why:expr) => {
        Entry {
            nr: nr::$nr,
            handler: Some($h),
            support: Support::Partial($why),
        }
    };
}

macro_rules! refused {
    ($nr:ident, $errno:ident, $why:expr) => {
        Entry {
            nr: nr::$nr,
            handler: None,
            support: Support::Unsupported(Errno::$errno, $why),
        }
    };
}

static TABLE: &[Entry] = &[
    // Files.
    full!(READ, fs::sys_read),
    full!(WRITE, fs::sys_write),
    full!(READV, fs::sys_readv),
    full!(WRITEV, fs::sys_writev),
    full!(PREAD64, fs::sys_pread64),
    full!(PWRITE64, fs::sys_pwrite64),
    full!(OPEN, fs::sys_open),
    full!(OPENAT, fs::sys_openat),
    full!(CREAT, fs::sys_creat),
    full!(CLOSE, fs::sys_close),
    full!(LSEEK, fs::sys_lseek),
    full!(SENDFILE, fs::sys_sendfile),
    full!(DUP, fs::sys_dup),
    full!(DUP2, fs::sys_dup2),
    full!(DUP3, fs::sys_dup3),
    partial!(
        FCNTL,
        fs::sys_fcntl,
        "no leases or notifications; OFD locks act per process; no per-user pipe limits"
    ),
    partial!(
        IOCTL,
        fs::sys_ioctl,
        "terminals (console, pty) and pty masters, FIONREAD, FIOCLEX; no TIOCPKT, TIOCSTI"
    ),
    full!(STAT, fs::sys_stat),
    full!(LSTAT, fs::sys_lstat),
    full!(FSTAT, fs::sys_fstat),
    full!(NEWFSTATAT, fs::sys_newfstatat),
    partial!(STATX, fs::sys_statx, "basic fields only, no birth time"),
    full!(ACCESS, fs::sys_access),
    full!(FACCESSAT, fs::sys_faccessat),
    full!(FACCESSAT2, fs::sys_faccessat2),
    full!(GETCWD, fs::sys_getcwd),
    full!(CHDIR, fs::sys_chdir),
    full!(FCHDIR, fs::sys_fchdir),
    full!(READLINK, fs::sys_readlink),
    full!(READLINKAT, fs::sys_readlinkat),
    full!(UMASK, fs::sys_umask),
    full!(GETDENTS64, fs::sys_getdents64),
    full!(MKDIR, path::sys_mkdir),
    full!(MKDIRAT, path::sys_mkdirat),
    full!(MKNOD, path::sys_mknod),
    full!(MKNODAT, path::sys_mknodat),
    full!(SYMLINK, path::sys_symlink),
    full!(SYMLINKAT, path::sys_symlinkat),
    full!(LINK, path::sys_link),
    partial!(
        LINKAT,
        path::sys_linkat,
        "AT_EMPTY_PATH gives ENOENT; an O_TMPFILE file cannot be given a name"
    ),
    full!(UNLINK, path::sys_unlink),
    full!(UNLINKAT, path::sys_unlinkat),
    full!(RMDIR, path::sys_rmdir),
    full!(RENAME, path::sys_rename),
    full!(RENAMEAT, path::sys_renameat),
    partial!(RENAMEAT2, path::sys_renameat2, "RENAME_WHITEOUT is refused"),
    full!(CHMOD, path::sys_chmod),
    full!(FCHMOD, path::sys_fchmod),
    full!(FCHMODAT, path::sys_fchmodat),
    full!(CHOWN, path::sys_chown),
    full!(LCHOWN, path::sys_lchown),
    full!(FCHOWN, path::sys_fchown),
    full!(FCHOWNAT, path::sys_fchownat),
    full!(UTIMENSAT, path::sys_utimensat),
    full!(TRUNCATE, path::sys_truncate),
    full!(FTRUNCATE, path::sys_ftruncate),
    full!(FSYNC, path::sys_fsync),
    full!(FDATASYNC, path::sys_fsync),
    full!(SYNC, path::sys_sync),
    partial!(SYNCFS, path::sys_syncfs, "syncs every file system"),
    full!(CHROOT, path::sys_chroot),
    partial!(
        MOUNT,
        mount::sys_mount,
        "proc, sysfs, devtmpfs, devpts and tmpfs; no bind mounts"
    ),
    full!(UMOUNT2, mount::sys_umount2),
    full!(STATFS, mount::sys_statfs),
    full!(FSTATFS, mount::sys_fstatfs),
    full!(PIPE, fs::sys_pipe),
    full!(PIPE2, fs::sys_pipe2),
    full!(POLL, poll::sys_poll),
    full!(PPOLL, poll::sys_ppoll),
    full!(SELECT, poll::sys_select),
    full!(PSELECT6, poll::sys_pselect6),
    // Memory.
    full!(BRK, mm::sys_brk),
    partial!(
        MMAP,
        mm::sys_mmap,
        "a truncation leaves pages already mapped in place (no SIGBUS on them); \
         MAP_32BIT is ignored"
    ),
    full!(MUNMAP, mm::sys_munmap),
    full!(MPROTECT, mm::sys_mprotect),
    partial!(MADVISE, mm::sys_madvise, "only DONTNEED and FREE act"),
    partial!(
        MREMAP,
        mm::sys_mremap,
        "no MREMAP_DONTUNMAP; old_len 0 refused"
    ),
    full!(MSYNC, mm::sys_msync),
    // Processes.
    full!(EXIT, process::sys_exit),
    full!(EXIT_GROUP, process::sys_exit_group),
    partial!(EXECVE, process::sys_execve, "static executables only"),
    full!(GETPID, process::sys_getpid),
    full!(GETPPID, process::sys_getppid),
    full!(GETTID, process::sys_gettid),
    full!(GETUID, cred::sys_getuid),
    full!(GETEUID, cred::sys_geteuid),
    full!(GETGID, cred::sys_getgid),
    full!(GETEGID, cred::sys_getegid),
    full!(GETRESUID, cred::sys_getresuid),
    full!(GETRESGID, cred::sys_getresgid),
    full!(SETUID, cred::sys_setuid),
    full!(SETGID, cred::sys_setgid),
    full!(SETREUID, cred::sys_setreuid),
    full!(SETREGID, cred::sys_setregid),
    full!(SETRESUID, cred::sys_setresuid),
    full!(SETRESGID, cred::sys_setresgid),
    full!(SETFSUID, cred::sys_setfsuid),
    full!(SETFSGID, cred::sys_setfsgid),
    full!(GETGROUPS, cred::sys_getgroups),
    full!(SETGROUPS, cred::sys_setgroups),
    full!(GETPGRP, process::sys_getpgrp),
    full!(GETPGID, process::sys_getpgid),
    full!(GETSID, process::sys_getsid),
    full!(SETPGID, process::sys_setpgid),
    full!(SETSID, process::sys_setsid),
    full!(SET_TID_ADDRESS, process::sys_set_tid_address),
    partial!(
        SET_ROBUST_LIST,
        process::sys_set_robust_list,
        "list not walked at exit"
    ),
    partial!(ARCH_PRCTL, process::sys_arch_prctl, "FS and GS bases only"),
    partial!(
        PRCTL,
        process::sys_prctl,
        "PR_SET_NAME and PR_GET_NAME only"
    ),
    full!(SCHED_YIELD, process::sys_sched_yield),
    partial!(
        SCHED_GETAFFINITY,
        process::sys_sched_getaffinity,
        "other tasks: online CPUs"
    ),
    partial!(
        SCHED_SETAFFINITY,
        process::sys_sched_setaffinity,
        "the caller only"
    ),
    full!(GETCPU, process::sys_getcpu),
    full!(REBOOT, process::sys_reboot),
    refused!(
        RSEQ,
        ENOSYS,
        "restartable sequences: glibc runs without them"
    ),
    full!(FORK, process::sys_fork),
    full!(VFORK, process::sys_vfork),
    partial!(
        CLONE,
        process::sys_clone,
        "new processes only; threads are refused"
    ),
    refused!(CLONE3, ENOSYS, "glibc falls back to clone"),
    partial!(
        WAIT4,
        process::sys_wait4,
        "rusage has the CPU times and ru_maxrss; the other counts read zero"
    ),
    partial!(
        WAITID,
        process::sys_waitid,
        "no P_PIDFD (no pidfds); rusage as wait4's"
    ),
    // Signals.
    full!(RT_SIGACTION, signal::sys_rt_sigaction),
    full!(RT_SIGPROCMASK, signal::sys_rt_sigprocmask),
    full!(SIGALTSTACK, signal::sys_sigaltstack),
    full!(KILL, signal::sys_kill),
    full!(TKILL, signal::sys_tkill),
    full!(TGKILL, signal::sys_tgkill),
    partial!(
        RT_SIGQUEUEINFO,
        signal::sys_rt_sigqueueinfo,
        "no RLIMIT_SIGPENDING: never EAGAIN"
    ),
    partial!(
        RT_TGSIGQUEUEINFO,
        signal::sys_rt_tgsigqueueinfo,
        "no RLIMIT_SIGPENDING: never EAGAIN"
    ),
    full!(RT_SIGRETURN, signal::sys_rt_sigreturn),
    full!(RT_SIGSUSPEND, signal::sys_rt_sigsuspend),
    full!(PAUSE, signal::sys_pause),
    full!(RT_SIGPENDING, signal::sys_rt_sigpending),
    full!(RT_SIGTIMEDWAIT, signal::sys_rt_sigtimedwait),
    // Time and system information.
    full!(CLOCK_GETTIME, info::sys_clock_gettime),
    full!(CLOCK_GETRES, info::sys_clock_getres),
    full!(GETTIMEOFDAY, info::sys_gettimeofday),
    full!(TIME, info::sys_time),
    partial!(
        NANOSLEEP,
        info::sys_nanosleep,
        "the remaining time is not written back"
    ),
    partial!(
        CLOCK_NANOSLEEP,
        info::sys_clock_nanosleep,
        "no remaining time written; a process CPU-time clock is slept on as wall time"
    ),
    full!(UNAME, info::sys_uname),
    full!(SETHOSTNAME, info::sys_sethostname),
    partial!(SYSINFO, info::sys_sysinfo, "memory and uptime only"),
    full!(GETRANDOM, info::sys_getrandom),
    partial!(
        PRLIMIT64,
        info::sys_prlimit64,
        "limits are stored, not enforced"
    ),
    partial!(
        GETRLIMIT,
        info::sys_getrlimit,
        "limits are stored, not enforced"
    ),
    partial!(
        SETRLIMIT,
        info::sys_setrlimit,
        "limits are stored, not enforced"
    ),
    full!(TIMES, info::sys_times),
    partial!(
        GETRUSAGE,
        info::sys_getrusage,
        "CPU times and ru_maxrss; fault, I/O, signal and context-switch counts read zero"
    ),
];

/// Syscall numbers run to about 470; the index is a flat array over them.
const INDEX_LEN: usize = 512;

fn index() -> &'static [Option<u16>; INDEX_LEN] {
    static INDEX: OnceLock<[Option<u16>; INDEX_LEN]> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut idx = [None; INDEX_LEN];
        for (i, e) in TABLE.iter().enumerate() {
            idx[e.nr as usize] = Some(i as u16);
        }
        idx
    })
}

fn entry(nr: u64) -> Option<&'static Entry> {
    let i = (*index().get(usize::try_from(nr).ok()?)?)?;
    Some(&TABLE[i as usize])
}

/// The handler for `nr`, if it has one.
pub fn lookup(nr: u64) -> Option<(Handler, Support)> {
    let e = entry(nr)?;
    e.handler.map(|h| (h, e.support))
}

/// The errno and reason for a listed but refused syscall.
pub fn unsupported(nr: u64) -> Option<(Errno, &'static str)> {
    match entry(nr)?.support {
        Support::Unsupported(errno, why) => Some((errno, why)),
        _ => None,
    }
}

/// Every listed syscall with its support status, in table order.
pub fn support_table() -> impl Iterator<Item = (u64, Support)> {
    TABLE.iter().map(|e| (e.nr, e.support))
}

/// The support table as Markdown, for `kern/SYSCALLS.md`: every x86_64 syscall with
/// what the kernel does with it.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Syscall support\n\nGenerated from `kern/src/syscall/table.rs` by \
         `UPDATE_SYSCALLS_MD=1 cargo test -p kern syscalls_md`; do not edit by hand.\n\n\
         Calls not listed return ENOSYS and log a warning once per number.\n\n\
         | nr | syscall | status | notes |\n|---:|---|---|---|\n",
    );
    let mut rows: Vec<_> = TABLE.iter().collect();
    rows.sort_by_key(|e| e.nr);

    for e in rows {
        let name = super::abi::name(e.nr).unwrap_or("?");
        let (status, note) = match e.support {
            Support::Full => ("full".to_string(), String::new()),
            Support::Partial(why) => ("partial".to_string(), why.to_string()),
            Support::Unsupported(errno, why) => (format!("refused ({errno})"), why.to_string()),
        };
        out.push_str(&format!("| {} | `{name}` | {status} | {note} |\n", e.nr));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscalls_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/SYSCALLS.md");
        let want = render_markdown();
        if std::env::var_os("UPDATE_SYSCALLS_MD").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "kern/SYSCALLS.md is stale: run with UPDATE_SYSCALLS_MD=1"
        );
    }

    #[test]
    fn every_entry_is_listed_once_and_has_a_name() {
        let mut seen = std::collections::HashSet::new();
        for e in TABLE {
            assert!(seen.insert(e.nr), "syscall {} listed twice", e.nr);
            assert!(
                super::super::abi::name(e.nr).is_some(),
                "no name for {}",
                e.nr
            );
            assert_eq!(
                e.handler.is_none(),
                matches!(e.support, Support::Unsupported(..))
            );
        }
    }
}
