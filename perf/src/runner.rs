//! Running one system (the host, the kernel, User-Mode Linux) under a deadline.
//!
//! Every launch gets its own process group, so when it overruns its deadline, or is done (a
//! boot that reached its prompt), the whole group is killed: the kernel's guest processes and
//! UML's helper processes go with it, and no run can hang the suite.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// What a launch left behind.
#[derive(Debug)]
pub struct Captured {
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// How the main process ended; `None` when it was killed by us.
    pub status: Option<ExitStatus>,
    /// The deadline passed first.
    pub timed_out: bool,
    /// When `stop_when` matched stdout, the time from spawn to the bytes that matched.
    pub matched_after: Option<Duration>,
}

impl Captured {
    /// The last `n` non-empty lines of stdout (the console) and of stderr (the system's own
    /// log), for error messages.
    pub fn tail(&self, n: usize) -> String {
        let last = |text: &str| -> String {
            let lines: Vec<String> = text
                .lines()
                .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c.is_control()))
                .filter(|l| !l.is_empty() && !l.starts_with("@pbench"))
                .map(|l| l.chars().take(160).collect())
                .collect();
            lines[lines.len().saturating_sub(n)..].join(" | ")
        };
        match (last(&self.stdout), last(&self.stderr)) {
            (o, e) if o.is_empty() && e.is_empty() => "no output".into(),
            (o, e) if e.is_empty() => format!("console: {o}"),
            (o, e) if o.is_empty() => format!("log: {e}"),
            (o, e) => format!("console: {o}; log: {e}"),
        }
    }
}

/// Given all of stdout so far, says whether the run has shown what it was waiting for.
pub type StopWhen = dyn Fn(&[u8]) -> bool;

/// How often the main process is checked for having exited while its pipes stay open.
const POLL: Duration = Duration::from_millis(20);

/// How long what a finished process left behind may keep its output pipes open.
const GRACE: Duration = Duration::from_millis(300);

enum Chunk {
    Out(Instant, Vec<u8>),
    Err(Vec<u8>),
    OutEof,
    ErrEof,
}

/// Runs `cmd` in a new process group until it exits, `timeout` passes, or `stop_when` (given
/// all of stdout so far) says yes. The group is killed in the last two cases. With
/// `keep_stdin_open`, stdin is a pipe that stays open and silent (a console waiting for
/// typing); otherwise it is /dev/null.
pub fn run(
    cmd: Command,
    timeout: Duration,
    keep_stdin_open: bool,
    stop_when: Option<&StopWhen>,
) -> Result<Captured> {
    run_then(cmd, timeout, keep_stdin_open, stop_when, &mut |_| {})
}

/// Like [`run`], but once `stop_when` matches, `then` is called with the process group's id
/// while the whole group is still alive (to measure it at rest, say) before it is killed.
pub fn run_then(
    mut cmd: Command,
    timeout: Duration,
    keep_stdin_open: bool,
    stop_when: Option<&StopWhen>,
    then: &mut dyn FnMut(i32),
) -> Result<Captured> {
    cmd.process_group(0)
        .stdin(if keep_stdin_open {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let stdin: Option<ChildStdin> = child.stdin.take();

    let (tx, rx) = mpsc::channel();
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let tx_out = tx.clone();
    let readers = [
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = tx_out.send(Chunk::Out(Instant::now(), buf[..n].to_vec()));
            }
            let _ = tx_out.send(Chunk::OutEof);
        }),
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = tx.send(Chunk::Err(buf[..n].to_vec()));
            }
            let _ = tx.send(Chunk::ErrEof);
        }),
    ];

    let deadline = start + timeout;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let (mut out_open, mut err_open) = (true, true);
    let mut matched_after = None;
    let mut timed_out = false;
    let mut exited = false;
    // Once the main process has exited, whatever it left holding the pipes gets a moment to
    // flush, and is then killed with the group.
    let mut grace_until: Option<Instant> = None;
    while out_open || err_open {
        let now = Instant::now();
        let end = grace_until.map_or(deadline, |g| g.min(deadline));
        if now >= end {
            timed_out = now >= deadline;
            break;
        }
        match rx.recv_timeout((end - now).min(POLL)) {
            Ok(Chunk::Out(at, bytes)) => {
                stdout.extend_from_slice(&bytes);
                if let Some(stop) = stop_when {
                    if stop(&stdout) {
                        matched_after = Some(at.duration_since(start));
                        then(child.id() as i32);
                        break;
                    }
                }
            }
            Ok(Chunk::Err(bytes)) => stderr.extend_from_slice(&bytes),
            Ok(Chunk::OutEof) => out_open = false,
            Ok(Chunk::ErrEof) => err_open = false,
            Err(_) => {}
        }
        if !exited && has_exited(&child)? {
            exited = true;
            grace_until = Some(Instant::now() + GRACE);
        }
    }
    // Both pipes closed: the process is exiting. Give it what is left of the deadline.
    while !exited && !timed_out && matched_after.is_none() {
        if has_exited(&child)? {
            exited = true;
        } else if Instant::now() >= deadline {
            timed_out = true;
        } else {
            thread::sleep(Duration::from_millis(2));
        }
    }

    kill_group(&child);
    drop(stdin);
    let last = child.wait().context("reaping the benchmark process")?;
    let status = exited.then_some(last);
    // The group is dead, so the pipes are closed and the readers end.
    for r in readers {
        let _ = r.join();
    }
    while let Ok(chunk) = rx.try_recv() {
        match chunk {
            Chunk::Out(_, b) if matched_after.is_none() => stdout.extend_from_slice(&b),
            Chunk::Err(b) => stderr.extend_from_slice(&b),
            _ => {}
        }
    }
    Ok(Captured {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        status,
        timed_out,
        matched_after,
    })
}

/// True once the child has exited, without reaping it: until it is reaped its pid, and so the
/// id of the process group it leads, cannot be reused, which keeps [`kill_group`] aimed at
/// our own processes only.
fn has_exited(child: &Child) -> Result<bool> {
    let pid = Pid::from_raw(child.id() as i32);
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    match waitid(Id::Pid(pid), flags) {
        Ok(WaitStatus::StillAlive) => Ok(false),
        Ok(_) => Ok(true),
        Err(e) => Err(e).context("waitid on the benchmark process"),
    }
}

/// Kills the process group the child leads (it was started with `process_group(0)` and is not
/// reaped yet), which takes any processes it left behind with it. Errors (the group is already
/// gone) are fine.
fn kill_group(child: &Child) {
    let _ = killpg(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
}

/// CPU time used so far by the system started as `root`, in seconds: every live process in a
/// process group of `root` or of one of its descendants (the kernel puts its guests' host
/// processes in a group of their own, and a guest orphan is re-parented away from the tree
/// but keeps its group). Each counts its own user and system time (all its threads) plus
/// that of the children it reaped, so a process that came and went is counted once.
pub fn system_cpu_seconds(root: i32) -> f64 {
    let procs = host_processes();

    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(procs.iter().filter(|p| p.ppid == parent).map(|p| p.pid));
        i += 1;
    }
    let groups: Vec<i32> = procs
        .iter()
        .filter(|p| tree.contains(&p.pid))
        .map(|p| p.pgrp)
        .collect();

    // proc(5) counts in clock ticks, USER_HZ, which Linux fixes at 100 on x86_64 whatever
    // the kernel's own tick rate (sysconf(_SC_CLK_TCK) reports the same constant).
    let ticks: u64 = procs
        .iter()
        .filter(|p| groups.contains(&p.pgrp))
        .map(|p| p.ticks)
        .sum();
    ticks as f64 / 100.0
}

/// What [`system_cpu_seconds`] needs of one host process.
#[derive(Debug, PartialEq)]
struct HostProcess {
    pid: i32,
    ppid: i32,
    pgrp: i32,
    /// utime + stime + cutime + cstime.
    ticks: u64,
}

fn host_processes() -> Vec<HostProcess> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| parse_stat(&stat))
        .collect()
}

/// The fields of a /proc/PID/stat line: proc(5) puts pid and the command name (which may
/// hold spaces and parentheses) first, then state, ppid, pgrp, ..., with the four times as
/// the 14th to 17th fields.
fn parse_stat(stat: &str) -> Option<HostProcess> {
    let (head, rest) = stat.rsplit_once(')')?;
    let pid = head.split_whitespace().next()?.parse().ok()?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| fields.get(i)?.parse::<i64>().ok();
    Some(HostProcess {
        pid,
        ppid: num(1)? as i32,
        pgrp: num(2)? as i32,
        ticks: (11..15).map(num).sum::<Option<i64>>()? as u64,
    })
}

/// True when the console shows a shell prompt: the last, unfinished line holds `# ` or `$ `
/// (a prompt is printed without a newline, so kernel messages never look like one).
pub fn looks_like_prompt(console: &[u8]) -> bool {
    let last = match console.iter().rposition(|&b| b == b'\n') {
        Some(i) => &console[i + 1..],
        None => console,
    };
    last.windows(2).any(|w| w == b"# " || w == b"$ ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_detection() {
        assert!(looks_like_prompt(
            b"Welcome\r\n\r\nroot@kernel-guest:/# \x1b[6n"
        ));
        assert!(looks_like_prompt(b"booting\n~ $ "));
        assert!(!looks_like_prompt(b"root@kernel-guest:/# \n"));
        assert!(!looks_like_prompt(b"can't fork\n"));
    }

    #[test]
    fn captures_output_and_status() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let c = run(cmd, Duration::from_secs(10), false, None).unwrap();
        assert_eq!(c.stdout, "out\n");
        assert_eq!(c.stderr, "err\n");
        assert_eq!(c.status.unwrap().code(), Some(3));
        assert!(!c.timed_out);
    }

    #[test]
    fn deadline_kills_the_whole_group() {
        let mut cmd = Command::new("sh");
        // The grandchild holds stdout open: only killing the group ends the run.
        cmd.args(["-c", "sleep 30 & echo started; wait"]);
        let t = Instant::now();
        let c = run(cmd, Duration::from_millis(300), false, None).unwrap();
        assert!(c.timed_out);
        assert!(c.status.is_none());
        assert_eq!(c.stdout, "started\n");
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_leftover_holding_the_pipes_does_not_hold_up_the_run() {
        let mut cmd = Command::new("sh");
        // The main process exits at once; its background child keeps stdout open.
        cmd.args(["-c", "sleep 30 & echo bye; exit 4"]);
        let t = Instant::now();
        let c = run(cmd, Duration::from_secs(20), false, None).unwrap();
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        assert!(!c.timed_out);
        assert_eq!(c.status.unwrap().code(), Some(4));
        assert_eq!(c.stdout, "bye\n");
    }

    #[test]
    fn stat_fields_are_read_after_the_command_name() {
        let stat = "42 (a (b) c) S 1 77 77 0 -1 4194560 10 0 0 0 5 7 2 1 20 0 1 0";
        let want = HostProcess {
            pid: 42,
            ppid: 1,
            pgrp: 77,
            ticks: 15,
        };
        assert_eq!(parse_stat(stat), Some(want));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn a_spinning_descendant_is_measured_busy_and_a_sleeping_system_idle() {
        let measure = |script: &str| {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", script]);
            let mut used = None;
            let mut then = |pgid: i32| {
                let t0 = system_cpu_seconds(pgid);
                thread::sleep(Duration::from_millis(500));
                used = Some(system_cpu_seconds(pgid) - t0);
            };
            let c = run_then(
                cmd,
                Duration::from_secs(10),
                true,
                Some(&looks_like_prompt),
                &mut then,
            )
            .unwrap();
            assert!(c.matched_after.is_some());
            used.unwrap()
        };
        // A child in a group of its own spins: its time counts though the leader sleeps.
        let busy = measure("printf '$ '; setsid timeout 3 sh -c 'while :; do :; done' & sleep 30");
        let idle = measure("printf '$ '; sleep 30");
        assert!(busy > 0.1, "a spinning child used only {busy} s of 0.5 s");
        assert!(idle < 0.05, "a sleeping group used {idle} s");
    }

    #[test]
    fn stop_when_matches() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "printf 'boot\\n$ '; sleep 30"]);
        let c = run(cmd, Duration::from_secs(10), true, Some(&looks_like_prompt)).unwrap();
        assert!(c.matched_after.is_some());
        assert!(!c.timed_out);
    }
}
