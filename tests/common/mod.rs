//! Shared support for the integration tests: the guest programs, the root image, booting the
//! kernel with a time limit, running the same programs natively, and the check that no host
//! process outlives a kernel.
//!
//! # The root image
//!
//! [`guest`] builds, once per test binary and cached across runs, a directory under
//! `CARGO_TARGET_TMPDIR` named after a hash of everything that goes into it (the C sources in
//! `tests/guest/`, `tests/mkroot.sh`, this file, the host's busybox). It holds:
//!
//! * `extra/bin/NAME` and `extra/bin/NAME-pie`: every `tests/guest/NAME.c` built with
//!   `gcc -O2 -static` and with `-static-pie`;
//! * `extra/bin/notelf`, `extra/bin/empty`, `extra/bin/badscript`, `extra/bin/script`: files
//!   for exec's error paths (see [`FIXTURE_FILES`]);
//! * `extra/ktest/`: the fixture tree the guest programs are pointed at (`data`, `link`,
//!   `dir/{a,b,c}`), usable natively at its host path and in the guest at `/ktest`;
//! * `root.img`: `tests/mkroot.sh root.img extra`, the busybox root with all of the above.
//!
//! # Leftover processes
//!
//! The kernel runs each guest address space as a host process forked from itself (which then
//! moves to a process group of its own). Every boot starts the kernel through `setsid`, so the
//! kernel leads a new session whose id is its pid, and every process it forks, however deep
//! and whatever process group it moves to, stays in that session unless it calls setsid
//! itself. Once the kernel has exited, any live process still in that session is a leak. Zombies
//! do not count (they have exited; on a machine whose pid 1 does not reap, orphaned zombies
//! linger forever). A leak fails the boot, and the leftover processes are killed by pid.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::collections::hash_map::DefaultHasher;
use std::ffi::OsStr;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A boot that takes longer than this has hung: it is killed and the test fails.
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a kernel's processes may take to go away after it has exited (they get SIGKILL
/// from PR_SET_PDEATHSIG and PTRACE_O_EXITKILL, which is asynchronous).
const LEFTOVER_GRACE: Duration = Duration::from_secs(3);

/// The kernel binary under test (the release build when run by `run-tests`).
pub const KERNEL: &str = env!("CARGO_BIN_EXE_kernel");

/// The repository root.
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Environment the kernel gives init (kern::boot::spawn_init), given to native runs too.
pub const INIT_ENV: [(&str, &str); 2] = [("HOME", "/"), ("TERM", "linux")];

/// Where the fixture tree is in the guest.
pub const GUEST_FIXTURE: &str = "/ktest";

/// The 64 bytes of the fixture's `data` file.
pub const FIXTURE_DATA: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";

/// Extra files in the image's /bin: name, contents, mode.
pub const FIXTURE_FILES: [(&str, &str, u32); 4] = [
    // Executable, but neither ELF nor `#!`: exec must fail with ENOEXEC.
    ("notelf", "this is not an ELF file\n", 0o755),
    // Executable and empty: ENOEXEC too.
    ("empty", "", 0o755),
    // A script whose interpreter does not exist: ENOENT.
    ("badscript", "#!/nope/sh\necho unreachable\n", 0o755),
    // A working script.
    ("script", "#!/bin/sh\necho \"script ran: $0 $*\"\n", 0o755),
];

/// The built guest programs and root image.
pub struct Guest {
    /// The cache directory holding everything below.
    pub dir: PathBuf,
    /// The root file system image.
    pub image: PathBuf,
    /// Host directory of the guest programs (copied to /bin in the image).
    pub bin: PathBuf,
    /// Host path of the fixture tree (copied to /ktest in the image); canonical.
    pub fixture: PathBuf,
}

impl Guest {
    /// `ubd0r=IMAGE`: the shared image, read-only, as tests boot it side by side (a
    /// test that writes the root makes a private image).
    pub fn ubd0(&self) -> String {
        format!("ubd0r={}", self.image.display())
    }

    /// Host path of guest program `name` (`basic`, `basic-pie`, ...).
    pub fn program(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// A private copy of the root image in a new temporary directory, for tests that damage
    /// or write the image. Removed when the returned guard is dropped.
    pub fn private_image(&self, tag: &str) -> TempImage {
        let dir = temp_dir(&format!("img-{tag}"));
        let path = dir.path.join("root.img");
        fs::copy(&self.image, &path).expect("copy the root image");
        TempImage { _dir: dir, path }
    }
}

/// An image file in a directory of its own, removed on drop.
pub struct TempImage {
    _dir: TempDir,
    /// The image.
    pub path: PathBuf,
}

impl TempImage {
    /// `ubd0=PATH`.
    pub fn ubd0(&self) -> String {
        format!("ubd0={}", self.path.display())
    }

    /// Overwrites bytes at `offset`.
    pub fn patch(&self, offset: u64, bytes: &[u8]) {
        use std::os::unix::fs::FileExt;
        let f = fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .expect("open image");
        f.write_all_at(bytes, offset).expect("patch image");
    }
}

/// A directory removed (with its contents) on drop.
pub struct TempDir {
    /// The directory.
    pub path: PathBuf,
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A fresh, empty directory under the target's temporary directory, removed on drop.
pub fn temp_dir(tag: &str) -> TempDir {
    TempDir {
        path: fresh_dir(tag),
    }
}

/// A fresh, empty directory under the target's temporary directory, kept.
fn fresh_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// The guest programs and the root image, built on first use.
pub fn guest() -> &'static Guest {
    static GUEST: OnceLock<Guest> = OnceLock::new();
    GUEST.get_or_init(build_guest)
}

fn guest_sources() -> Vec<PathBuf> {
    let dir = Path::new(REPO).join("tests/guest");
    let mut sources: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("read tests/guest").path())
        .filter(|p| p.extension() == Some(OsStr::new("c")))
        .collect();
    sources.sort();
    assert!(
        !sources.is_empty(),
        "no guest programs in {}",
        dir.display()
    );
    sources
}

fn build_guest() -> Guest {
    let sources = guest_sources();
    let mkroot = Path::new(REPO).join("tests/mkroot.sh");

    // Everything that goes into the image decides its name, the headers the programs
    // include too.
    let dir = Path::new(REPO).join("tests/guest");
    let mut headers: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("read tests/guest").path())
        .filter(|p| p.extension() == Some(OsStr::new("h")))
        .collect();
    headers.sort();
    let mut h = DefaultHasher::new();
    for path in sources.iter().chain(&headers).chain([&mkroot]) {
        path.file_name().hash(&mut h);
        fs::read(path).expect("read a guest input").hash(&mut h);
    }
    include_str!("mod.rs").hash(&mut h);
    if let Ok(meta) = fs::metadata("/bin/busybox") {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = root.join(format!("guest-{:016x}", h.finish()));

    if !dir.join("ready").exists() {
        let tmp = fresh_dir("guest-build");
        populate(&tmp, &sources, &mkroot);
        fs::write(tmp.join("ready"), b"").expect("mark the build complete");
        // Another test binary may have won the race: then use its build.
        if fs::rename(&tmp, &dir).is_err() {
            let _ = fs::remove_dir_all(&tmp);
            assert!(
                dir.join("ready").exists(),
                "cannot move the guest build to {}",
                dir.display()
            );
        }
        remove_stale_builds(root, &dir);
    }

    let fixture = dir
        .join("extra/ktest")
        .canonicalize()
        .expect("canonical fixture path");
    Guest {
        image: dir.join("root.img"),
        bin: dir.join("extra/bin"),
        fixture,
        dir,
    }
}

/// Removes guest builds other than `keep` (from older sources) and abandoned scratch
/// directories, once they are an hour old: a run of other sources may still use a newer one.
fn remove_stale_builds(root: &Path, keep: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with("guest-") || name.starts_with("img-");
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if ours && old && path != keep {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Builds the guest programs, fixtures and image into `dir`.
fn populate(dir: &Path, sources: &[PathBuf], mkroot: &Path) {
    let extra = dir.join("extra");
    let bin = extra.join("bin");
    fs::create_dir_all(&bin).expect("create extra/bin");

    for src in sources {
        let name = src
            .file_stem()
            .and_then(OsStr::to_str)
            .expect("guest source name");
        for (suffix, flag) in [("", "-static"), ("-pie", "-static-pie")] {
            let out = bin.join(format!("{name}{suffix}"));
            let result = Command::new("gcc")
                .args(["-O2", "-Wall", flag, "-o"])
                .arg(&out)
                .arg(src)
                .output()
                .expect("run gcc (run-tests installs it)");
            assert!(
                result.status.success(),
                "gcc {flag} {} failed:\n{}",
                src.display(),
                String::from_utf8_lossy(&result.stderr)
            );
        }
    }

    for (name, contents, mode) in FIXTURE_FILES {
        let path = bin.join(name);
        fs::write(&path, contents).expect("write a fixture file");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    }

    let fixture = extra.join("ktest");
    fs::create_dir_all(fixture.join("dir")).expect("create the fixture tree");
    fs::write(fixture.join("data"), FIXTURE_DATA).expect("write ktest/data");
    fs::set_permissions(fixture.join("data"), fs::Permissions::from_mode(0o644))
        .expect("chmod ktest/data");
    symlink("data", fixture.join("link")).expect("create ktest/link");
    for name in ["a", "b", "c"] {
        fs::write(fixture.join("dir").join(name), b"").expect("write ktest/dir/*");
    }

    let image = dir.join("root.img");
    let result = Command::new("bash")
        .arg(mkroot)
        .arg(&image)
        .arg(&extra)
        .stdin(Stdio::null())
        .output()
        .expect("run tests/mkroot.sh");
    assert!(
        result.status.success() && image.exists(),
        "tests/mkroot.sh failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

// ---- running things ----

/// A run that did not end within its time limit (it was killed).
#[derive(Debug)]
pub struct Hung {
    /// The time limit.
    pub after: Duration,
    /// What it printed before it was killed.
    pub output: Output,
}

/// Boots the kernel with exactly `args`; fails the test if it hangs (more than
/// [`BOOT_TIMEOUT`]) or leaves a host process behind.
pub fn boot(args: &[&str]) -> Output {
    match try_boot(args, BOOT_TIMEOUT) {
        Ok(out) => out,
        Err(hung) => panic!(
            "kernel {args:?} hung: killed after {:?}\n{}",
            hung.after,
            describe(&hung.output)
        ),
    }
}

/// Boots the shared root image with `args` after `ubd0=`.
pub fn boot_root(args: &[&str]) -> Output {
    let ubd0 = guest().ubd0();
    let mut all = vec![ubd0.as_str()];
    all.extend_from_slice(args);
    boot(&all)
}

/// Boots the shared image quietly with `init` and its arguments.
pub fn run_init(init: &str, init_args: &[&str]) -> Output {
    let init = format!("init={init}");
    let mut args = vec!["quiet", init.as_str(), "--"];
    args.extend_from_slice(init_args);
    boot_root(&args)
}

/// Boots the kernel with `args`, killing it after `limit`. Either way it checks that no host
/// process of the kernel's survives it (and panics if one does).
pub fn try_boot(args: &[&str], limit: Duration) -> Result<Output, Hung> {
    let done = run_in_session(KERNEL, args, limit);
    assert!(
        done.leftovers.is_empty(),
        "the kernel (pid {}) left host processes behind: {:?} \
            (killed now)\n{}",
        done.sid,
        done.leftovers,
        describe(&done.output)
    );
    if done.hung {
        Err(Hung {
            after: limit,
            output: done.output,
        })
    } else {
        Ok(done.output)
    }
}

/// How a program run in a session of its own ended.
pub struct SessionRun {
    /// Its status and what it printed.
    pub output: Output,
    /// It was killed at its time limit.
    pub hung: bool,
    /// The session id (the program's pid).
    pub sid: i32,
    /// Processes of the session still alive after the program ended and the grace period
    /// passed; they have been killed since.
    pub leftovers: Vec<HostProcess>,
}

/// Runs `program` in a new session, killing it after `limit`, then finds (and kills) what it
/// left behind. [`try_boot`] is this with the kernel; tests of the leftover check itself call
/// it with other programs.
pub fn run_in_session(program: &str, args: &[&str], limit: Duration) -> SessionRun {
    // `setsid` (util-linux) calls setsid(2) and execs the program in place: Command's child is
    // not a process-group leader, so setsid never needs to fork, and the program's pid is the
    // session's id.
    let mut cmd = Command::new("setsid");
    cmd.arg("--").arg(program).args(args);
    let (mut r, sid) = spawn(cmd);
    let (status, hung) = wait_for(&mut r.child, limit);
    // Leftovers first: they may hold the output pipes open, so the pipes are read after.
    let leftovers = reap_session(sid);
    let output = Output {
        status,
        stdout: join_pipe(r.out),
        stderr: join_pipe(r.err),
    };
    SessionRun {
        output,
        hung,
        sid,
        leftovers,
    }
}

/// Runs guest program `name` natively, as init would be run: argv[0] is `/bin/NAME`, the
/// environment is exactly [`INIT_ENV`], the working directory is `/`.
pub fn run_native(name: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(guest().program(name));
    cmd.arg0(format!("/bin/{name}"))
        .args(args)
        .env_clear()
        .current_dir("/");
    // A process group of its own, in the test's session: the test (its parent) is then
    // outside the group but inside the session, so the group is not orphaned, and Linux
    // does not discard the SIGTSTP the job-control tests send. Under a runner whose own
    // group is orphaned (CI starts it without a terminal) it would be.
    cmd.process_group(0);
    for (k, v) in INIT_ENV {
        cmd.env(k, v);
    }
    let (mut r, _) = spawn(cmd);
    let (status, hung) = wait_for(&mut r.child, BOOT_TIMEOUT);
    let output = Output {
        status,
        stdout: join_pipe(r.out),
        stderr: join_pipe(r.err),
    };
    assert!(!hung, "native {name} {args:?} hung\n{}", describe(&output));
    output
}

/// Reads a child's stdout or stderr to the end on a thread of its own.
fn reader(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

struct Running {
    child: Child,
    out: JoinHandle<Vec<u8>>,
    err: JoinHandle<Vec<u8>>,
}

fn spawn(mut cmd: Command) -> (Running, i32) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let pid = child.id() as i32;
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    (Running { child, out, err }, pid)
}

/// Waits for `child`, killing it (SIGKILL) once `limit` has passed; true when it was killed.
fn wait_for(child: &mut Child, limit: Duration) -> (ExitStatus, bool) {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait().expect("wait for a child") {
            Some(status) => return (status, false),
            None if start.elapsed() >= limit => {
                let _ = child.kill();
                return (child.wait().expect("reap the killed child"), true);
            }
            None => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
        }
    }
}

/// The rest of a pipe's contents. Only processes of the session could still hold it open, and
/// those are gone by now; a process that escaped the session (by calling setsid itself) and
/// kept the pipe is a leak too, and fails here rather than hanging the test.
fn join_pipe(h: JoinHandle<Vec<u8>>) -> Vec<u8> {
    let start = Instant::now();
    while !h.is_finished() {
        assert!(
            start.elapsed() < LEFTOVER_GRACE,
            "a process outside the kernel's session \
                still holds its output open: a leaked host process"
        );
        thread::sleep(Duration::from_millis(1));
    }
    h.join().expect("pipe reader")
}

// ---- leftover processes ----

/// A host process, from /proc/PID/stat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostProcess {
    /// Its pid.
    pub pid: i32,
    /// Its parent's pid.
    pub ppid: i32,
    /// Its process group.
    pub pgid: i32,
    /// Its session.
    pub sid: i32,
    /// Its state letter (R, S, D, Z, ...).
    pub state: char,
    /// Its command name.
    pub comm: String,
}

/// Every process on the host, from /proc.
pub fn host_processes() -> Vec<HostProcess> {
    let mut all = Vec::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return all;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        // The process may be gone by now.
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if let Some(p) = parse_stat(pid, &stat) {
            all.push(p);
        }
    }
    all
}

/// Parses /proc/PID/stat: `pid (comm) state ppid pgrp session ...`; comm may hold spaces
/// and parentheses, so it ends at the last ')'.
fn parse_stat(pid: i32, stat: &str) -> Option<HostProcess> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    let pgid = rest.next()?.parse().ok()?;
    let sid = rest.next()?.parse().ok()?;
    Some(HostProcess {
        pid,
        ppid,
        pgid,
        sid,
        state,
        comm,
    })
}

/// The live (not zombie) processes of session `sid`.
pub fn session_processes(sid: i32) -> Vec<HostProcess> {
    host_processes()
        .into_iter()
        .filter(|p| p.sid == sid && !matches!(p.state, 'Z' | 'X'))
        .collect()
}

/// SIGKILLs each process, by pid. Only ever called with processes of a session this module
/// started.
fn kill_all(procs: &[HostProcess]) {
    for p in procs {
        let _ = Command::new("kill")
            .args(["-KILL", &p.pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Waits up to the grace period for session `sid` to empty. Returns what was still alive
/// after it, killed.
pub fn reap_session(sid: i32) -> Vec<HostProcess> {
    let start = Instant::now();
    loop {
        let left = session_processes(sid);
        if left.is_empty() {
            return left;
        }
        if start.elapsed() > LEFTOVER_GRACE {
            kill_all(&left);
            return left;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Panics if any live process is still in session `sid` (after the grace period).
pub fn assert_no_leftovers(sid: i32) {
    let left = reap_session(sid);
    assert!(
        left.is_empty(),
        "processes left behind in session {sid}: {left:?}"
    );
}

// ---- looking at results ----

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, or 128 + signal for a process killed by a signal (as a shell reports it).
pub fn code(o: &Output) -> i32 {
    exit_code(o.status)
}

/// See [`code`].
pub fn exit_code(s: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
}

/// `e2fsck -fn IMAGE` must find nothing to fix.
pub fn assert_fsck_clean(image: &Path) {
    let fsck = Command::new("e2fsck")
        .arg("-fn")
        .arg(image)
        .output()
        .expect("run e2fsck (run-tests installs e2fsprogs)");
    assert!(
        fsck.status.success(),
        "e2fsck found errors in {}:\n{}",
        image.display(),
        describe(&fsck)
    );
}

/// Status, stdout and stderr, for assertion messages.
pub fn describe(o: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}--- stderr ---\n{}--- end ---",
        o.status,
        stdout(o),
        stderr(o)
    )
}

/// Asserts no Rust panic text reached stderr.
pub fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "the kernel panicked\n{}",
        describe(o)
    );
}

/// The lines of the boot log that are not warnings (`quiet` must leave none).
pub fn non_warning_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| !l.contains("warning:"))
        .map(str::to_string)
        .collect()
}
