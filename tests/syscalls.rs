//! System calls against Linux: each guest program in tests/guest/ runs natively and as init,
//! with the same arguments and environment, and both runs must pass their own checks and
//! print the same lines.
//!
//! One test per group of checks, so a kernel bug fails (or is ignored for) one group only.

mod common;

use std::process::Output;
use std::sync::OnceLock;

use common::*;

/// Runs `program` natively (on the host copy of the fixture tree) and in the kernel (on
/// /ktest), with `args` after the fixture directory; `guest_extra` goes to the guest run only.
fn both(program: &str, args: &[&str], guest_extra: &[&str]) -> (Output, Output) {
    let g = guest();
    let fixture = g.fixture.to_str().expect("UTF-8 fixture path");
    let mut native_args = vec![fixture];
    native_args.extend_from_slice(args);
    let native = run_native(program, &native_args);

    let mut guest_args = vec![GUEST_FIXTURE];
    guest_args.extend_from_slice(args);
    guest_args.extend_from_slice(guest_extra);
    let guest = run_init(&format!("/bin/{program}"), &guest_args);
    (native, guest)
}

/// Both runs pass, print "ok" for every group, and agree.
fn assert_all_ok(program: &str, groups: &[&str], guest_extra: &[&str]) {
    let (native, guest) = both(program, groups, guest_extra);
    let mut expected: String = groups.iter().map(|g| format!("ok {g}\n")).collect();
    expected.push_str("ok\n");

    assert_eq!(
        stdout(&native),
        expected,
        "native run of {program} {groups:?}\n{}",
        describe(&native)
    );
    assert_eq!(code(&native), 0, "native\n{}", describe(&native));
    assert_eq!(
        stdout(&guest),
        expected,
        "guest run of {program} {groups:?}\n{}",
        describe(&guest)
    );
    assert_eq!(code(&guest), 0, "guest\n{}", describe(&guest));
    assert_no_panic(&guest);
}

/// Both runs exit 0 and print the same lines (for checks whose right answer is whatever
/// Linux does).
fn assert_same_as_native(program: &str, groups: &[&str]) {
    let (native, guest) = both(program, groups, &[]);
    assert_eq!(code(&native), 0, "native\n{}", describe(&native));
    assert!(
        stdout(&native).ends_with("ok\n"),
        "native\n{}",
        describe(&native)
    );
    assert_eq!(
        stdout(&guest),
        stdout(&native),
        "the guest differs from Linux\nguest {}\nnative {}",
        describe(&guest),
        describe(&native)
    );
    assert_eq!(code(&guest), 0, "guest\n{}", describe(&guest));
    assert_no_panic(&guest);
}

// ---- basic.c: the first system calls, with Linux's results and errnos ----

macro_rules! basic {
    ($($name:ident: $group:literal $(, ignore = $why:literal)?;)*) => {$(
        #[test]
        $(#[ignore = $why])?
        fn $name() {
            assert_all_ok("basic", &[$group], &[]);
        }
    )*};
}

basic! {
    basic_open_errors_and_descriptors: "open";
    basic_close_and_dup: "close";
    basic_lseek_and_pread: "lseek";
    basic_fstat_and_stat: "fstat";
    basic_getdents64: "getdents";
    basic_brk_grows_and_shrinks: "brk";
    basic_mmap_munmap_mprotect: "mmap";
    basic_uname_is_linux: "uname";
    basic_getpid: "getpid";
    basic_getrandom: "getrandom";
    basic_clock_gettime_monotonic: "clock";
    basic_readlink: "readlink";
    basic_getcwd_and_chdir: "getcwd";
    basic_prlimit64_rlimit_stack: "prlimit";
    basic_empty_path_is_enoent: "empty_path";
    basic_lseek_seek_data_and_seek_hole: "lseek_data_hole";
    basic_mmap_ignores_unknown_prot_bits: "mmap_prot";
    basic_mmap_of_dev_zero: "mmap_dev_zero";
}

#[test]
fn basic_every_group_in_one_static_pie_run() {
    let groups = [
        "open",
        "close",
        "lseek",
        "fstat",
        "getdents",
        "brk",
        "mmap",
        "uname",
        "getpid",
        "getrandom",
        "clock",
        "readlink",
        "getcwd",
        "prlimit",
    ];
    assert_all_ok("basic-pie", &groups, &[]);
}

#[test]
fn basic_fails_when_the_fixture_is_wrong() {
    // The checks can fail: pointed at the wrong directory, they must say so.
    let out = run_init("/bin/basic", &["/etc", "lseek", "readlink"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL lseek: ") && text.contains("FAIL readlink: "),
        "{text}"
    );
    assert!(text.ends_with("FAIL\n"), "{text}");
}

// ---- cputime.c: CPU time accounting ----

macro_rules! cputime {
    ($($(#[$doc:meta])* $name:ident: $group:literal;)*) => {$(
        $(#[$doc])*
        #[test]
        fn $name() {
            assert_all_ok("cputime", &[$group], &[]);
        }
    )*};
}

cputime! {
    /// Burning 200 ms of CPU time shows in getrusage (RUSAGE_SELF and RUSAGE_THREAD, mostly
    /// user time), times() and both CPU clocks, within the wall time; the clocks never go
    /// back.
    cputime_own_time_in_every_interface: "self";
    /// A getppid loop spends a good share of its time in the kernel (system time).
    cputime_syscalls_are_system_time: "syscall_time";
    /// A child's time (with its own reaped children's) is reported by wait4 and joins
    /// RUSAGE_CHILDREN and cutime/cstime when it is reaped, not before.
    cputime_reaped_children_add_to_the_parent: "children";
    /// waitid's raw rusage argument, with WNOWAIT and without; only the reaping counts.
    cputime_waitid_reports_rusage: "waitid_rusage";
    /// Autoreaped children (SIGCHLD ignored, SA_NOCLDWAIT) do not count, as since 2.6.9.
    cputime_autoreaped_children_do_not_count: "autoreap";
    /// CPU clocks: 1 ns resolution, clock_getcpuclockid and pthread_getcpuclockid ids,
    /// another process's clock (a zombie's too), EINVAL/ESRCH once reaped, the VIRT and
    /// PROF flavours, and no sleeping on a thread clock.
    cputime_cpu_clocks_of_self_and_others: "clocks";
    /// EINVAL for bad `who`s, EFAULT for bad buffers of getrusage, times and wait4.
    cputime_errors: "errors";
    /// ru_maxrss is a high-water mark in KiB: it grows with touched memory, survives
    /// munmap and execve, and a reaped child's peak is RUSAGE_CHILDREN's and wait4's.
    cputime_maxrss_high_water_mark: "maxrss";
    /// /proc/PID/stat utime, stime, cutime and cstime, another process's line, and
    /// /proc/stat's CPU lines that grow with busy time and wall time.
    cputime_proc_stat_fields: "proc";
}

#[test]
fn cputime_every_group_in_one_static_pie_run() {
    let groups = [
        "self",
        "syscall_time",
        "children",
        "waitid_rusage",
        "autoreap",
        "clocks",
        "errors",
        "maxrss",
        "proc",
    ];
    assert_all_ok("cputime-pie", &groups, &[]);
}

// ---- efault.c: bad pointers give EFAULT, and the program lives on ----

/// The kernel's stub area (`stub at 0x...` in the boot log): mapped in every guest's host
/// process, but not part of the guest's address space, so it must be as bad as any hole.
fn stub_addresses() -> &'static [String] {
    static ADDRS: OnceLock<Vec<String>> = OnceLock::new();
    ADDRS.get_or_init(|| {
        let out = boot_root(&["init=/bin/true"]);
        let log = stderr(&out);
        let at = log
            .find("stub at 0x")
            .unwrap_or_else(|| panic!("no stub address\n{log}"));
        let hex: String = log[at + 10..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let base = u64::from_str_radix(&hex, 16).expect("stub address");
        vec![
            "--also".into(),
            format!("{base:#x}"),
            format!("{:#x}", base + 4096),
        ]
    })
}

fn efault(group: &str) {
    let extra: Vec<&str> = stub_addresses().iter().map(String::as_str).collect();
    assert_all_ok("efault", &[group], &extra);
}

macro_rules! efault {
    ($($name:ident: $group:literal $(, ignore = $why:literal)?;)*) => {$(
        #[test]
        $(#[ignore = $why])?
        fn $name() {
            efault($group);
        }
    )*};
}

efault! {
    efault_read: "read";
    efault_write: "write";
    efault_openat: "openat";
    efault_stat: "stat";
    efault_uname: "uname";
    efault_clock_gettime: "clock_gettime";
    efault_getcwd: "getcwd";
    efault_readlink: "readlink";
    efault_getrlimit_setrlimit_prlimit64: "rlimit";
}

#[test]
fn efault_every_group_in_one_static_pie_run() {
    let groups = [
        "read",
        "write",
        "openat",
        "stat",
        "uname",
        "clock_gettime",
        "getcwd",
        "readlink",
    ];
    let extra: Vec<&str> = stub_addresses().iter().map(String::as_str).collect();
    assert_all_ok("efault-pie", &groups, &extra);
}

// Buffers that start valid and run into a hole: Linux's answer depends on the file, so the
// guest must print exactly what the native run printed.

#[test]
fn half_valid_write_to_dev_null() {
    assert_same_as_native("efault", &["half_write_null"]);
}

#[test]
fn half_valid_write_to_stdout() {
    assert_same_as_native("efault", &["half_write_stdout"]);
}

#[test]
fn half_valid_read_from_a_file() {
    assert_same_as_native("efault", &["half_read_file"]);
}

#[test]
fn half_valid_readv_from_a_file() {
    assert_same_as_native("efault", &["half_readv_file"]);
}

#[test]
fn half_valid_path() {
    assert_same_as_native("efault", &["half_path"]);
}

// ---- pty.c: pseudo-terminals, /dev/ptmx and devpts, printed as Linux shows them ----

macro_rules! pty {
    ($($name:ident: $group:literal $(, ignore = $why:literal)?;)*) => {$(
        #[test]
        $(#[ignore = $why])?
        fn $name() {
            assert_same_as_native("pty", &[$group]);
        }
    )*};
}

pty! {
    pty_open_unlock_ptsname_and_nodes: "open";
    pty_termios_defaults_and_window_size: "termios";
    pty_canonical_lines_echo_and_output_processing: "canon";
    pty_raw_mode_vmin_and_vtime: "raw";
    pty_poll_and_select_on_both_ends: "poll";
    pty_controlling_terminal_signals_and_hang_up: "ctty";
    pty_slave_close_gives_master_eio: "slave_close";
    pty_bad_ioctls_and_pointers: "errors";
    pty_busybox_stty_and_tty_on_a_slave: "busybox";
}

#[test]
fn pty_every_group_in_one_run() {
    assert_same_as_native("pty", &[]);
}

/// devpts as busybox sees it: mounted at boot and listed in /proc/mounts, mountable again,
/// and /dev/ptmx a character device 5:2.
#[test]
fn devpts_mount_and_nodes_from_busybox() {
    let script = "mount -t proc proc /proc; grep -c '^devpts /dev/pts devpts ' /proc/mounts; \
                  stat -c '%F %t:%T %a' /dev/ptmx /dev/pts/ptmx; \
                  mount -t devpts devpts /mnt && ls /mnt; \
                  grep -c ' /mnt devpts ' /proc/mounts; umount /mnt; \
                  grep -c devpts /proc/filesystems";
    let out = run_init("/bin/sh", &["-c", script]);
    assert_eq!(
        stdout(&out),
        "1\ncharacter special file 5:2 666\ncharacter special file 5:2 0\nptmx\n1\n1\n",
        "{}",
        describe(&out)
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_panic(&out);
}

// ---- proc.c, sig.c, fd.c, vfs.c: one syscall family each, in a scratch directory ----

/// Where the family programs work in the guest: /tmp on the ext2 root of a private image.
const GUEST_SCRATCH: &str = "/tmp/scratch";

/// Runs `program` with `groups` natively, in a fresh host directory, and in the kernel on a
/// private copy of the root image (these programs write files), in /tmp/scratch with
/// `--guest` (for the checks that only hold on the guest's own file systems).
fn both_in_scratch(program: &str, groups: &[&str]) -> (Output, Output) {
    let scratch = temp_dir(&format!("scratch-{program}"));
    // Canonical, as the programs compare getcwd() with paths they build from it.
    let path = scratch.path.canonicalize().expect("canonical scratch path");
    let path = path.to_str().expect("UTF-8 scratch path");
    let mut native_args = vec![path];
    native_args.extend_from_slice(groups);
    let native = run_native(program, &native_args);

    let image = guest().private_image(program);
    let ubd0 = image.ubd0();
    let init = format!("init=/bin/{program}");
    let mut args = vec![
        ubd0.as_str(),
        "quiet",
        init.as_str(),
        "--",
        GUEST_SCRATCH,
        "--guest",
    ];
    args.extend_from_slice(groups);
    let guest = boot(&args);
    (native, guest)
}

/// Both runs of `program` print "ok" for every group in `groups` and exit 0.
fn assert_family_ok(program: &str, groups: &[&str]) {
    let (native, guest) = both_in_scratch(program, groups);
    let mut expected: String = groups.iter().map(|g| format!("ok {g}\n")).collect();
    expected.push_str("ok\n");
    assert_eq!(
        stdout(&native),
        expected,
        "native run of {program} {groups:?}\n{}",
        describe(&native)
    );
    assert_eq!(code(&native), 0, "native\n{}", describe(&native));
    assert_eq!(
        stdout(&guest),
        expected,
        "guest run of {program} {groups:?}\n{}",
        describe(&guest)
    );
    assert_eq!(code(&guest), 0, "guest\n{}", describe(&guest));
    assert_no_panic(&guest);
}

/// One test per group of a family program: `name: "group"` lines, with `ignore = "why"`
/// for the groups a kernel bug fails today.
macro_rules! family {
    ($program:literal:
     $($(#[$doc:meta])* $name:ident: $group:literal $(, ignore = $why:literal)?;)*) => {$(
        $(#[$doc])*
        #[test]
        $(#[ignore = $why])?
        fn $name() {
            assert_family_ok($program, &[$group]);
        }
    )*};
}

// proc.c: processes.

family! { "proc":
    /// fork, vfork and clone(SIGCHLD) return 0 in the child and its pid in the parent;
    /// a clone with another exit signal is waited for with __WALL.
    proc_fork_vfork_and_clone: "fork";
    /// execve passes argv and envp as given, closes close-on-exec descriptors only, runs a
    /// `#!` script with its interpreter's argument, and fails with ENOENT, ENOTDIR, EACCES
    /// and ENOEXEC where Linux does.
    proc_execve_arguments_cloexec_scripts_and_errors: "exec";
    /// wait4 statuses: exit codes (low 8 bits), terminating signals without the core bit,
    /// SIGQUIT/SIGSEGV/SIGABRT with it when a core may be written; waitid's CLD_DUMPED.
    proc_wait_status_exit_signal_and_core: "wait_status";
    /// With RLIMIT_CORE 0 no core is written and the core bit stays clear.
    proc_core_bit_clear_with_a_zero_core_limit: "core_limit";
    /// WNOHANG reports nothing for a running child (waitid zeroes siginfo), ECHILD with no
    /// children, EINVAL for bad options and idtypes.
    proc_wnohang_echild_and_bad_options: "wnohang";
    /// WUNTRACED and WCONTINUED report a SIGSTOP/SIGTSTP stop and a SIGCONT once each,
    /// through wait4 and waitid, and SIGKILL ends a stopped child.
    proc_wuntraced_and_wcontinued: "stop_cont";
    /// waitid with WNOWAIT reports a zombie and leaves it to be reaped later.
    proc_waitid_wnowait_leaves_the_zombie: "wnowait";
    /// An orphan is re-parented to init (the test itself in the guest) or, natively, to
    /// the test as a child subreaper, which can then reap it.
    proc_orphans_go_to_init: "orphan";
    /// setsid, setpgid, getpgid and getsid, with their EPERM, ESRCH and EINVAL cases.
    proc_process_groups_and_sessions: "session";
    /// setpgid on a child that has exec'd is EACCES.
    proc_setpgid_after_exec_is_eacces: "setpgid_exec";
    /// setresuid/setresgid/setgroups as root, then permission checks as uid 1000: EACCES
    /// on a 0600 root file, EPERM for chmod, chown, kill of root's process and regaining
    /// root once the saved uid is gone.
    proc_credentials_and_permission_checks: "cred";
    /// A vfork child shares its parent's memory until it exits or execs; posix_spawn
    /// reports an exec failure through it.
    proc_vfork_shares_memory: "vfork_shares";
}

/// Every proc group that passes, in one static-pie run.
#[test]
fn proc_every_passing_group_in_one_static_pie_run() {
    let groups = [
        "fork",
        "exec",
        "wait_status",
        "core_limit",
        "wnohang",
        "stop_cont",
        "wnowait",
        "orphan",
        "session",
        "setpgid_exec",
        "vfork_shares",
        "cred",
    ];
    assert_family_ok("proc-pie", &groups);
}

// sig.c: signals.

family! { "sig":
    /// rt_sigaction returns the old action exactly as set, drops SIGKILL/SIGSTOP from
    /// sa_mask, and refuses bad sizes, numbers and pointers.
    sig_rt_sigaction_old_and_new_values: "sigaction";
    /// SIGKILL and SIGSTOP can be neither caught, ignored nor blocked.
    sig_sigkill_and_sigstop_are_not_catchable: "uncatchable";
    /// SIGCHLD, SIGWINCH, SIGURG and SIGCONT are ignored by default; SIG_IGN discards a
    /// pending signal; an ignored SIGCHLD reaps children (wait gives ECHILD).
    sig_default_ignore_and_discarding: "default_ignore";
    /// Blocked signals stay pending (standard ones merged, real-time ones queued) and are
    /// delivered on unblocking; rt_sigprocmask's EINVAL cases.
    sig_sigprocmask_and_sigpending: "mask";
    /// SA_SIGINFO: si_signo, si_code (SI_USER, SI_TKILL), si_pid and si_uid of kill,
    /// tgkill and raise; ESRCH and EINVAL of kill and tgkill.
    sig_siginfo_fields: "siginfo";
    /// rt_sigqueueinfo and rt_tgsigqueueinfo deliver the siginfo as written (si_value,
    /// si_pid, si_uid), queue real-time signals with their values for sigtimedwait,
    /// refuse a forged si_code to another process, and have Linux's errnos.
    sig_rt_sigqueueinfo: "sigqueue";
    /// A pipe read interrupted by a handler restarts with SA_RESTART and fails with EINTR
    /// without it.
    sig_sa_restart_and_eintr: "restart";
    /// sigsuspend waits with a temporary mask, returns EINTR and restores the mask.
    sig_sigsuspend: "sigsuspend";
    /// rt_sigtimedwait times out with EAGAIN, takes pending signals with their siginfo, is
    /// woken by a signal sent while it waits, and checks its timeout first.
    sig_sigtimedwait: "sigtimedwait";
    /// SIGCHLD carries CLD_EXITED, CLD_STOPPED, CLD_CONTINUED and CLD_KILLED; SA_NOCLDSTOP
    /// silences stops.
    sig_sigchld_codes: "sigchld";
    /// kill(-pgid), kill(0) and kill(-1) (from an unprivileged uid, so it reaches only its
    /// own processes), ESRCH for an empty group and EPERM across users.
    sig_kill_process_groups_and_all: "killpg";
    /// General and SSE registers, MXCSR and the x87 control word survive a handler that
    /// wrecks them.
    sig_frame_preserves_registers_and_fpu: "frame";
    /// A handler starts with the default MXCSR, not the interrupted code's.
    sig_handler_starts_with_default_fpu_state: "frame_fpu_reset";
    /// sigreturn restores what the handler left in its ucontext: a new rip (skipping a
    /// faulting instruction), a changed register and a changed signal mask.
    sig_sigreturn_restores_the_edited_ucontext: "sigreturn";
    /// The mask during a handler (the signal itself unless SA_NODEFER, plus sa_mask),
    /// SA_RESETHAND, and handlers inherited by fork.
    sig_handler_mask_nodefer_and_resethand: "handler_flags";
    /// sigaltstack: Linux's errnos, SA_ONSTACK handlers and nested frames on the stack,
    /// SS_ONSTACK and EPERM inside them, uc_stack, SS_AUTODISARM, edits through uc_stack,
    /// inheritance by fork, and SS_DISABLE.
    sig_sigaltstack: "altstack";
    /// A frame too big for the alternate stack kills with SIGSEGV.
    sig_sigaltstack_overflow_is_sigsegv: "altstack_overflow";
    /// The frame carries the whole XSAVE state with Linux's magic numbers: ymm0-15 and
    /// zmm16 survive a handler that wrecks them, the handler starts with clear AVX
    /// registers, and its edit of the saved ymm5 is what comes back.
    sig_frame_carries_avx_state: "xstate";
}

/// Every sig group that passes, in one static-pie run.
#[test]
fn sig_every_passing_group_in_one_static_pie_run() {
    let groups = [
        "sigaction",
        "uncatchable",
        "default_ignore",
        "mask",
        "siginfo",
        "restart",
        "sigsuspend",
        "sigtimedwait",
        "sigchld",
        "killpg",
        "frame",
        "frame_fpu_reset",
        "sigreturn",
        "handler_flags",
        "sigqueue",
        "altstack",
        "altstack_overflow",
        "xstate",
    ];
    assert_family_ok("sig-pie", &groups);
}

// fd.c: file descriptors.

family! { "fd":
    /// dup, dup2 and dup3: lowest free numbers, shared offsets, O_CLOEXEC, EINVAL for
    /// dup3 onto itself, EBADF for bad numbers.
    fd_dup_dup2_dup3: "dup";
    /// fcntl F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL with O_APPEND and
    /// O_NONBLOCK (the access mode cannot change), EINVAL and EBADF.
    fd_fcntl_descriptor_and_status_flags: "fcntl";
    /// POSIX record locks between a parent and its children: F_GETLK, F_SETLK (EAGAIN),
    /// splitting, read locks, F_SETLKW waiting, release on any close.
    fd_record_locks_between_processes: "locks";
    /// pipe2 flags, EAGAIN when empty or full (64 KiB), FIONREAD, EPIPE with SIGPIPE, EOF.
    fd_pipes_nonblocking_epipe_and_fionread: "pipe";
    /// Writes of PIPE_BUF bytes from two writers are never interleaved.
    fd_pipe_buf_writes_are_atomic: "pipe_atomic";
    /// mkfifo and open: O_NONBLOCK readers open, lone O_NONBLOCK writers get ENXIO,
    /// O_RDWR never waits and polls as both ends, ESPIPE, EOF when the writer leaves, no
    /// POLLHUP for a lone non-blocking reader before a writer came.
    fd_fifo_open_semantics: "fifo";
    /// A blocking FIFO reader waits for a writer, and a writer for a reader, even one that
    /// comes and goes before the waiting open runs again.
    fd_fifo_blocking_open_sees_a_brief_writer: "fifo_blocking_open";
    /// F_GETPIPE_SZ and F_SETPIPE_SZ: power-of-two pages, the capacity a full pipe holds,
    /// EBUSY, EINVAL, EBADF, EPERM past 1 MiB without CAP_SYS_RESOURCE.
    fd_pipe_size: "pipe_size";
    /// poll and ppoll on pipes and files: POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL,
    /// timeouts, wake-ups, EFAULT and EINVAL.
    fd_poll_and_ppoll_readiness: "poll";
    /// A poll after nanosleep(0) still waits its whole timeout.
    fd_poll_after_a_zero_nanosleep: "poll_after_zero_sleep";
    /// select and pselect6: readiness, timeouts (and the time left written back), EBADF
    /// and EINVAL.
    fd_select_and_pselect6: "select";
    /// readv, writev, pread64 and pwrite64: offsets, holes, IOV_MAX, EFAULT, ESPIPE.
    fd_readv_writev_pread_pwrite: "rw";
    /// pwrite on an O_APPEND file appends (Linux's documented quirk).
    fd_pwrite_with_o_append_appends: "pwrite_append";
    /// sendfile file to pipe and file to file, with and without an offset pointer.
    fd_sendfile: "sendfile";
    /// lseek: ESPIPE on pipes, EINVAL for bad whence and negative results, EBADF.
    fd_lseek_errors: "lseek";
    /// EBADF from every descriptor call for a closed and a negative descriptor, and for
    /// the wrong direction.
    fd_ebadf_everywhere: "ebadf";
}

/// Every fd group that passes, in one static-pie run.
#[test]
fn fd_every_passing_group_in_one_static_pie_run() {
    let groups = [
        "dup",
        "fcntl",
        "locks",
        "pipe",
        "pipe_atomic",
        "fifo",
        "poll",
        "poll_after_zero_sleep",
        "select",
        "rw",
        "fifo_blocking_open",
        "pipe_size",
        "sendfile",
        "pwrite_append",
        "lseek",
        "ebadf",
    ];
    assert_family_ok("fd-pie", &groups);
}

// vfs.c: the file system.

family! { "vfs":
    /// write, truncate (grow with zeros, shrink), ftruncate (EINVAL read-only), unlink of
    /// an open file, and the errnos of each.
    vfs_create_truncate_unlink: "files";
    /// rename over files and empty directories, across directories, onto itself and a
    /// hard link of itself; ENOTEMPTY, EISDIR, ENOTDIR, EINVAL; RENAME_NOREPLACE and
    /// RENAME_EXCHANGE.
    vfs_rename_and_renameat2: "rename";
    /// mkdir and rmdir: EEXIST, ENOTEMPTY, ENOTDIR, EINVAL for ".", EBUSY for "/";
    /// unlink of "/", "." and ".." is EISDIR.
    vfs_mkdir_rmdir: "dirs";
    /// link, symlink, readlink, dangling links, loops (ELOOP, 40 links allowed),
    /// ENAMETOOLONG, ENOTDIR, EISDIR.
    vfs_links_and_name_errors: "links";
    /// chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat and the umask.
    vfs_modes_owners_and_umask: "perms";
    /// chown of a set-uid executable clears S_ISUID and S_ISGID, even as root.
    vfs_chown_clears_setuid_bits: "chown_clears_suid";
    /// utimensat with times, UTIME_OMIT, UTIME_NOW, NULL, AT_SYMLINK_NOFOLLOW; futimens;
    /// a write moves mtime.
    vfs_utimensat: "times";
    /// mknod of a FIFO, a character device (which works as /dev/null), regular files;
    /// EEXIST, EPERM for a directory, EINVAL for a bad type.
    vfs_mknod: "mknod";
    /// statx agrees with stat, follows links unless AT_SYMLINK_NOFOLLOW, takes
    /// AT_EMPTY_PATH.
    vfs_statx_fields: "statx";
    /// statx refuses the reserved mask bit and FORCE_SYNC with DONT_SYNC.
    vfs_statx_bad_flags: "statx_flags";
    /// access and faccessat2 as root: any x bit for X_OK, AT_EACCESS,
    /// AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, EINVAL.
    vfs_access_and_faccessat2: "access";
    /// getdents64 with a small buffer lists every entry once with the right d_type.
    vfs_getdents64_names_and_types: "getdents";
    /// statfs and fstatfs agree; in the guest the root is ext2 (0xEF53) and a tmpfs
    /// mount is tmpfs (0x01021994).
    vfs_statfs_magic_numbers: "statfs";
    /// chdir, fchdir, getcwd, relative paths, a removed working directory.
    vfs_chdir_fchdir_getcwd: "cwd";
    /// getcwd in a removed directory is ENOENT.
    vfs_getcwd_of_a_removed_directory: "cwd_removed";
    /// chroot: the new root, ".." at the root, ENOTDIR, ENOENT, EPERM for non-root.
    vfs_chroot: "chroot";
    /// open with O_EXCL (not through symlinks), O_TRUNC, O_DIRECTORY, O_NOFOLLOW,
    /// O_APPEND, O_CREAT on a directory.
    vfs_open_flags: "open_flags";
    /// O_CREAT through dangling symlinks (chains too) creates the final target, but not
    /// with O_NOFOLLOW (ELOOP) or O_EXCL (EEXIST); O_CREAT|O_DIRECTORY is EINVAL, O_CREAT
    /// on a directory EISDIR; the creator may write a file whatever mode it gave.
    vfs_open_creat_through_links_and_with_o_directory: "open_edge";
    /// O_TMPFILE: EINVAL without write access or with O_CREAT; an unnamed file (umask
    /// applied, no directory entry), or EOPNOTSUPP; ENOENT and ENOTDIR.
    vfs_o_tmpfile: "tmpfile";
}

/// Every vfs group that passes, in one static-pie run.
#[test]
fn vfs_every_passing_group_in_one_static_pie_run() {
    let groups = [
        "files",
        "rename",
        "dirs",
        "links",
        "perms",
        "chown_clears_suid",
        "times",
        "mknod",
        "statx",
        "access",
        "getdents",
        "statfs",
        "cwd",
        "chroot",
        "open_flags",
        "tmpfile",
        "statx_flags",
        "cwd_removed",
        "open_edge",
    ];
    assert_family_ok("vfs-pie", &groups);
}
