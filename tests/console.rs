//! The console: a real terminal (tmux) driving busybox init's shell through the kernel's
//! line discipline (echo, ^C, ^Z and job control, a full-screen editor, halt, the host
//! terminal restored); piped input read as typed lines with end of file; and the ways the
//! kernel is stopped from outside (SIGKILL must leave no guest process behind, SIGTERM must
//! halt in order).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::*;

/// The prompt of busybox init's login shell on the test image (PS1 from /etc/profile), as
/// a terminal shows it once trailing blanks are trimmed.
const PROMPT: &str = "root@kernel-guest:/#";

/// How often the tests look again for what they wait for.
const POLL: Duration = Duration::from_millis(50);

/// Generous limit for a step that takes milliseconds when all is well (the host may be busy
/// with other test binaries).
const STEP: Duration = Duration::from_secs(5);

/// Polls `probe` every [`POLL`] until it returns something or `limit` passes.
fn poll<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if start.elapsed() >= limit {
            return None;
        }
        thread::sleep(POLL);
    }
}

/// Text with the console's output newline mapping (ONLCR: "\r\n") undone.
fn unix_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "\n")
}

/// Whether `text` has a line that is exactly `line` (after ONLCR is undone).
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim_end_matches('\r') == line)
}

/// A file's contents in an ext2 image, read with debugfs.
fn debugfs_cat(image: &Path, path: &str) -> String {
    let out = Command::new("debugfs")
        .arg("-R")
        .arg(format!("cat {path}"))
        .arg(image)
        .output()
        .expect("run debugfs (run-tests installs e2fsprogs)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A path quoted for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

// ---- a kernel with a pipe on its stdin, watched while it runs ----

/// The kernel running in a session of its own (like common's `run_in_session`), its stdin a
/// pipe the test writes to, its stdout and stderr collected as they come so the test can
/// wait for text. Dropping it unfinished kills the kernel and whatever its session holds.
struct LiveKernel {
    child: Child,
    /// The session id: the kernel's pid.
    sid: i32,
    stdin: Option<ChildStdin>,
    out: Arc<Mutex<Vec<u8>>>,
    err: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    finished: bool,
}

/// How a [`LiveKernel`] ended.
struct Finished {
    output: Output,
    /// It did not exit within the limit and was killed.
    hung: bool,
    /// Processes of its session still alive after the grace period (killed since).
    leftovers: Vec<HostProcess>,
    /// From [`LiveKernel::finish`] being called to the kernel's exit.
    waited: Duration,
}

impl LiveKernel {
    fn start(args: &[&str]) -> LiveKernel {
        let mut cmd = Command::new("setsid");
        // As in common: setsid execs the kernel in place, so its pid is the session id.
        cmd.arg("--")
            .arg(KERNEL)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let sid = child.id() as i32;
        let out = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(child.stdout.take().expect("stdout pipe"), out.clone()),
            collect(child.stderr.take().expect("stderr pipe"), err.clone()),
        ];
        let stdin = child.stdin.take();
        LiveKernel {
            child,
            sid,
            stdin,
            out,
            err,
            readers,
            finished: false,
        }
    }

    /// Writes `text` to the kernel's stdin (the console's input).
    fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is still open");
        if let Err(e) = stdin
            .write_all(text.as_bytes())
            .and_then(|()| stdin.flush())
        {
            panic!(
                "writing {text:?} to the kernel's stdin: {e}\n{}",
                self.describe()
            );
        }
    }

    /// Closes the kernel's stdin: the console sees end of input.
    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// What the kernel printed on stdout so far, ONLCR undone.
    fn stdout_so_far(&self) -> String {
        unix_text(&self.out.lock().unwrap())
    }

    /// Waits until stdout contains `needle`; panics after `limit`.
    fn wait_for_stdout(&self, needle: &str, limit: Duration) {
        let found = poll(limit, || {
            self.stdout_so_far().contains(needle).then_some(())
        });
        assert!(
            found.is_some(),
            "no {needle:?} on the kernel's stdout within {limit:?}\n{}",
            self.describe()
        );
    }

    /// The live processes of the kernel's session other than the kernel: its guests.
    fn guests(&self) -> Vec<HostProcess> {
        session_processes(self.sid)
            .into_iter()
            .filter(|p| p.pid != self.sid)
            .collect()
    }

    /// Sends `signal` (a name such as TERM) to the kernel's pid.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.sid.to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {} failed", self.sid);
    }

    /// The kernel's exit, within `limit` (else it is killed and `hung` is set); then what
    /// its session left behind, and everything it printed.
    fn finish(mut self, limit: Duration) -> Finished {
        let start = Instant::now();
        let (status, hung) = wait_with_limit(&mut self.child, limit);
        let waited = start.elapsed();
        let leftovers = reap_session(self.sid);
        self.finished = true;
        self.stdin = None;
        // Only processes of the session hold the pipes, and they are gone by now.
        let readers = std::mem::take(&mut self.readers);
        let joined = poll(Duration::from_secs(3), || {
            readers.iter().all(JoinHandle::is_finished).then_some(())
        });
        assert!(
            joined.is_some(),
            "the kernel's output pipes are still open: a process outside its session holds them"
        );
        let output = Output {
            status,
            stdout: self.out.lock().unwrap().clone(),
            stderr: self.err.lock().unwrap().clone(),
        };
        Finished {
            output,
            hung,
            leftovers,
            waited,
        }
    }

    fn describe(&self) -> String {
        format!(
            "--- stdout so far ---\n{}--- stderr so far ---\n{}--- end ---",
            self.stdout_so_far(),
            unix_text(&self.err.lock().unwrap())
        )
    }
}

impl Drop for LiveKernel {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = reap_session(self.sid);
        }
    }
}

/// Appends everything `pipe` delivers to `into`, on a thread of its own.
fn collect(
    mut pipe: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<Vec<u8>>>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}

/// Waits for `child`, killing it once `limit` has passed; true when it was killed.
fn wait_with_limit(child: &mut Child, limit: Duration) -> (ExitStatus, bool) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the kernel") {
            return (status, false);
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            return (child.wait().expect("reap the killed kernel"), true);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Asserts the kernel exited by itself with `expected`, leaving no process behind.
fn assert_exit(done: &Finished, expected: i32) {
    assert!(
        !done.hung,
        "the kernel did not exit within its time limit (killed)\n{}",
        describe(&done.output)
    );
    assert!(
        done.leftovers.is_empty(),
        "the kernel left host processes behind: {:?} (killed now)\n{}",
        done.leftovers,
        describe(&done.output)
    );
    assert_eq!(
        code(&done.output),
        expected,
        "exit status\n{}",
        describe(&done.output)
    );
    assert_no_panic(&done.output);
}

// ---- a real terminal: tmux ----

/// A tmux server on a socket of its own, running one session (`main`) with one pane; the
/// server is killed on drop, whatever happened.
struct Tmux {
    socket: String,
    /// The socket file, which the server leaves behind.
    socket_path: Option<PathBuf>,
}

impl Tmux {
    /// Starts the server with `command` in a detached 160x50 pane that stays (dead) after
    /// the command exits, so that its screen can still be shown.
    fn start(command: &str) -> Tmux {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let mut tmux = Tmux {
            socket: format!("kernel-console-test-{}-{n}", std::process::id()),
            socket_path: None,
        };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            "160",
            "-y",
            "50",
            command,
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed:\n{}",
            describe(&out)
        );
        let path = tmux.checked(&["display-message", "-p", "#{socket_path}"]);
        tmux.socket_path = Some(PathBuf::from(path.trim()));
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("run tmux (run-tests installs it)")
    }

    fn checked(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed:\n{}",
            describe(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys by tmux name (`Enter`, `C-c`, `Escape`, ...).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.checked(&args);
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        self.checked(&["send-keys", "-t", "main", "-l", text]);
    }

    /// The visible screen, wrapped lines joined.
    fn screen(&self) -> String {
        self.checked(&["capture-pane", "-p", "-J", "-t", "main"])
    }

    /// The history and the visible screen, wrapped lines joined.
    fn everything(&self) -> String {
        self.checked(&["capture-pane", "-p", "-J", "-S", "-", "-t", "main"])
    }

    fn format(&self, what: &str) -> String {
        self.checked(&["display-message", "-p", "-t", "main", what])
            .trim()
            .to_string()
    }

    /// The pid of the pane's process, which leads the pane's session.
    fn pane_pid(&self) -> i32 {
        let pid = self.format("#{pane_pid}");
        pid.parse()
            .unwrap_or_else(|_| panic!("bad pane pid {pid:?}"))
    }

    /// The cursor's column.
    fn cursor_x(&self) -> usize {
        let x = self.format("#{cursor_x}");
        x.parse().unwrap_or_else(|_| panic!("bad cursor_x {x:?}"))
    }

    /// Waits until `ready` holds of the visible screen; panics with the screen after `limit`.
    fn wait_screen(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        poll(limit, || {
            let screen = self.screen();
            ready(&screen).then_some(screen)
        })
        .unwrap_or_else(|| panic!("{what}: not seen within {limit:?}\n{}", self.dump()))
    }

    /// Waits until the shell shows its prompt with nothing typed after it.
    fn wait_prompt(&self, what: &str, limit: Duration) {
        self.wait_screen(what, limit, |s| last_nonblank(s) == PROMPT);
    }

    /// The pane's contents, for failure messages.
    fn dump(&self) -> String {
        format!(
            "--- tmux pane ---\n{}--- end of pane ---",
            self.everything()
        )
    }

    /// Types `cmd` at the prompt and presses Enter, waits until the line is echoed and the
    /// prompt is back, and returns what the command printed in between.
    fn run_command(&self, cmd: &str) -> String {
        let echoed = format!("{PROMPT} {cmd}");
        let count = |text: &str| text.lines().filter(|l| l.trim_end() == echoed).count();
        let before = count(&self.everything());
        self.type_text(cmd);
        self.keys(&["Enter"]);
        let everything = poll(STEP, || {
            let all = self.everything();
            (count(&all) > before && last_nonblank(&all) == PROMPT).then_some(all)
        })
        .unwrap_or_else(|| {
            panic!(
                "`{cmd}` did not return to the prompt within {STEP:?}\n{}",
                self.dump()
            )
        });
        output_after(&everything, &echoed)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn last_nonblank(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
}

/// The lines between the last line equal to `echoed` and the final prompt line.
fn output_after(text: &str, echoed: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let last = lines.iter().rposition(|l| !l.is_empty()).unwrap_or(0);
    let start = lines
        .iter()
        .rposition(|l| *l == echoed)
        .map_or(0, |i| i + 1);
    lines[start..last.max(start)].join("\n")
}

/// Guest processes appear as host processes in the pane's session: waits until there are
/// more than `baseline` of them, then a moment more for the new one to settle (exec, its
/// own process group, the terminal's foreground).
fn wait_new_process(tmux: &Tmux, sid: i32, baseline: usize, what: &str) {
    let found = poll(STEP, || {
        (session_processes(sid).len() > baseline).then_some(())
    });
    assert!(
        found.is_some(),
        "{what}: no new guest process within {STEP:?}\n{}",
        tmux.dump()
    );
    thread::sleep(Duration::from_millis(300));
}

/// Drives busybox init's shell on a real terminal: echo, ^C, ^Z with jobs and fg, vi,
/// halt; then the host terminal's settings must be what they were and the image clean.
#[test]
fn interactive_shell_on_a_real_terminal() {
    const NOTE: &str = "written in busybox vi through the console";

    let img = guest().private_image("console-tmux");
    let dir = temp_dir("console-tmux");
    let file = |name: &str| dir.path.join(name);
    let q = |p: PathBuf| sh_quote(&p.display().to_string());
    let script = format!(
        "stty -g > {before}\n\
         {kernel} ncpus=2 quiet {ubd0}\n\
         echo $? > {status}\n\
         stty -g > {after}\n\
         : > {done}\n",
        before = q(file("stty-before")),
        kernel = sh_quote(KERNEL),
        ubd0 = sh_quote(&img.ubd0()),
        status = q(file("status")),
        after = q(file("stty-after")),
        done = q(file("done")),
    );
    std::fs::write(file("run.sh"), script).expect("write the pane's script");
    let tmux = Tmux::start(&format!("bash --noprofile --norc {}", q(file("run.sh"))));
    let sid = tmux.pane_pid();

    // Boot to busybox init's shell.
    tmux.wait_prompt("the shell prompt after boot", Duration::from_secs(15));
    assert!(
        file("stty-before").exists(),
        "the pane's script did not record stty -g"
    );

    // Echo and a command's output.
    assert_eq!(tmux.run_command("echo hello"), "hello", "{}", tmux.dump());

    // ^C interrupts the foreground job, quickly, and the shell sees it killed by SIGINT.
    let idle = session_processes(sid).len();
    tmux.type_text("sleep 100");
    tmux.keys(&["Enter"]);
    wait_new_process(&tmux, sid, idle, "sleep 100");
    let pressed = Instant::now();
    tmux.keys(&["C-c"]);
    tmux.wait_prompt("the prompt after ^C", STEP);
    let took = pressed.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "^C took {took:?} to end sleep 100"
    );
    let screen = tmux.everything();
    assert!(
        output_after(&screen, &format!("{PROMPT} sleep 100")).contains("^C"),
        "^C was not echoed as ^C\n{}",
        tmux.dump()
    );
    assert_eq!(
        tmux.run_command("echo $?"),
        "130",
        "status after ^C\n{}",
        tmux.dump()
    );

    // ^Z stops the foreground job; jobs lists it; fg continues it to its end.
    let idle = session_processes(sid).len();
    tmux.type_text("sleep 2");
    tmux.keys(&["Enter"]);
    wait_new_process(&tmux, sid, idle, "sleep 2");
    tmux.keys(&["C-z"]);
    // Well within the two seconds the sleep would take if ^Z did nothing.
    tmux.wait_prompt("the prompt after ^Z", STEP);
    let stopped = output_after(&tmux.everything(), &format!("{PROMPT} sleep 2"));
    assert!(
        stopped.contains("Stopped") && stopped.contains("sleep 2"),
        "^Z did not report the job stopped: {stopped:?}\n{}",
        tmux.dump()
    );
    let jobs = tmux.run_command("jobs");
    assert!(
        jobs.contains("[1]+") && jobs.contains("Stopped") && jobs.contains("sleep 2"),
        "jobs does not list the stopped sleep: {jobs:?}\n{}",
        tmux.dump()
    );
    assert!(
        tmux.run_command("fg").contains("sleep 2"),
        "fg\n{}",
        tmux.dump()
    );
    assert_eq!(tmux.run_command("echo fg=$?"), "fg=0", "{}", tmux.dump());
    assert_eq!(
        tmux.run_command("jobs"),
        "",
        "a job is left after fg\n{}",
        tmux.dump()
    );

    // A full-screen editor: busybox vi in raw mode, insert, Escape, :wq.
    tmux.type_text("vi /root/note.txt");
    tmux.keys(&["Enter"]);
    tmux.wait_screen("vi's empty buffer", STEP, |s| {
        s.lines().filter(|l| l.trim_end() == "~").count() >= 3
    });
    tmux.keys(&["i"]);
    tmux.type_text(NOTE);
    tmux.wait_screen("the typed text in vi", STEP, |s| has_line(s, NOTE));
    let end = poll(STEP, || (tmux.cursor_x() == NOTE.len()).then_some(()));
    assert!(
        end.is_some(),
        "vi's cursor is not after the text\n{}",
        tmux.dump()
    );
    tmux.keys(&["Escape"]);
    // Leaving insert mode moves the cursor back onto the last character.
    let left = poll(STEP, || (tmux.cursor_x() == NOTE.len() - 1).then_some(()));
    assert!(
        left.is_some(),
        "vi did not leave insert mode on Escape\n{}",
        tmux.dump()
    );
    tmux.type_text(":");
    tmux.wait_screen("vi's : prompt", STEP, |s| last_nonblank(s) == ":");
    tmux.type_text("wq");
    tmux.keys(&["Enter"]);
    tmux.wait_prompt("the prompt after :wq", STEP);
    assert_eq!(
        tmux.run_command("cat /root/note.txt"),
        NOTE,
        "{}",
        tmux.dump()
    );

    // halt ends the kernel with status 0 and gives the terminal back as it was.
    tmux.type_text("halt");
    tmux.keys(&["Enter"]);
    let done = poll(Duration::from_secs(20), || {
        file("done").exists().then_some(())
    });
    assert!(
        done.is_some(),
        "the kernel did not exit after halt\n{}",
        tmux.dump()
    );
    let read = |name: &str| std::fs::read_to_string(file(name)).unwrap_or_default();
    assert_eq!(
        read("status").trim(),
        "0",
        "the kernel's exit status after halt\n{}",
        tmux.dump()
    );
    let (before, after) = (read("stty-before"), read("stty-after"));
    assert!(
        !before.trim().is_empty(),
        "no stty -g from before the kernel"
    );
    assert_eq!(
        before,
        after,
        "the kernel left the terminal's settings changed\n{}",
        tmux.dump()
    );
    assert_no_leftovers(sid);
    drop(tmux);

    common::assert_fsck_clean(&img.path);
    assert_eq!(debugfs_cat(&img.path, "/root/note.txt").trim_end(), NOTE);
}

/// Lines piped into the console are typed input for busybox init's shell; poweroff halts.
#[test]
fn piped_lines_drive_the_default_init_to_poweroff() {
    let img = guest().private_image("console-piped");
    let ubd0 = img.ubd0();
    let mut k = LiveKernel::start(&["quiet", &ubd0]);
    k.send("echo piped-ok\nmkdir /root/x && echo made\npoweroff\n");
    k.close_stdin();
    let done = k.finish(BOOT_TIMEOUT);
    assert_exit(&done, 0);
    let out = unix_text(&done.output.stdout);
    // The input is echoed too: the whole lines prove the commands ran.
    assert!(
        has_line(&out, "piped-ok"),
        "no output of echo\n{}",
        describe(&done.output)
    );
    assert!(
        has_line(&out, "made"),
        "no output of mkdir && echo\n{}",
        describe(&done.output)
    );
    assert!(
        done.waited < Duration::from_secs(20),
        "poweroff took {:?}",
        done.waited
    );

    common::assert_fsck_clean(&img.path);
    let stat = Command::new("debugfs")
        .arg("-R")
        .arg("stat /root/x")
        .arg(&img.path)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&stat.stdout).contains("Type: directory"),
        "/root/x is not in the image\n{}",
        describe(&stat)
    );
}

/// `reboot` runs busybox init's shutdown, then the same kernel process boots the image
/// again: the second boot sees what the first wrote, none of the first boot's guest
/// processes is left on the host, and `halt` then ends the kernel with status 0.
#[test]
fn reboot_boots_again_in_the_same_process() {
    const BANNER: &str = "Welcome to kernel-guest";

    let img = guest().private_image("console-reboot");
    let ubd0 = img.ubd0();
    let mut k = LiveKernel::start(&["quiet", "ncpus=2", &ubd0]);
    k.send("echo kept > /root/before-reboot && echo first-boot-wrote\n");
    k.wait_for_stdout("first-boot-wrote\n", BOOT_TIMEOUT);
    let first: Vec<i32> = k.guests().iter().map(|p| p.pid).collect();
    assert!(
        !first.is_empty(),
        "no guest processes on the host\n{}",
        k.describe()
    );

    k.send("reboot\n");
    let second = poll(BOOT_TIMEOUT, || {
        (k.stdout_so_far().matches(BANNER).count() >= 2).then_some(())
    });
    assert!(second.is_some(), "no second boot\n{}", k.describe());
    k.send("cat /root/before-reboot && echo second-boot-read\n");
    k.wait_for_stdout("second-boot-read\n", BOOT_TIMEOUT);
    let now: Vec<i32> = k.guests().iter().map(|p| p.pid).collect();
    let survivors: Vec<&i32> = now.iter().filter(|p| first.contains(p)).collect();
    assert!(
        survivors.is_empty(),
        "host processes of the first boot survived the reboot: {survivors:?}\n{}",
        k.describe()
    );

    k.send("halt\n");
    k.close_stdin();
    let done = k.finish(BOOT_TIMEOUT);
    assert_exit(&done, 0);
    let out = unix_text(&done.output.stdout);
    assert!(has_line(&out, "kept"), "{}", describe(&done.output));
    assert!(
        out.contains("Requesting system reboot") && out.contains("Requesting system halt"),
        "busybox init's shutdown did not run both times\n{}",
        describe(&done.output)
    );
    common::assert_fsck_clean(&img.path);
}

/// The end of piped input is end of file on the console: a shell reading it exits.
#[test]
fn end_of_piped_input_ends_the_shell_and_the_kernel() {
    let ubd0 = guest().ubd0();
    let mut k = LiveKernel::start(&["quiet", &ubd0, "init=/bin/sh"]);
    k.send("echo one\n");
    k.close_stdin();
    let done = k.finish(BOOT_TIMEOUT);
    assert_exit(&done, 0);
    let out = unix_text(&done.output.stdout);
    assert!(
        has_line(&out, "one"),
        "the line did not run\n{}",
        describe(&done.output)
    );
    assert!(
        done.waited < Duration::from_secs(10),
        "the shell took {:?} to see the end",
        done.waited
    );
}

/// SIGKILL gives the kernel no chance to clean up: its guests must still all die
/// (PTRACE_O_EXITKILL, PR_SET_PDEATHSIG).
#[test]
fn sigkill_of_the_kernel_leaves_no_guest_process() {
    let img = guest().private_image("console-kill9");
    let ubd0 = img.ubd0();
    let mut k = LiveKernel::start(&[
        "quiet",
        "ncpus=2",
        &ubd0,
        "init=/bin/sh",
        "--",
        "-c",
        "sleep 100 & sleep 100 & yes > /dev/null & wait",
    ]);
    // The shell, two sleeps and yes.
    let running = poll(Duration::from_secs(15), || {
        let guests = k.guests();
        (guests.len() >= 4).then_some(guests)
    });
    let guests = running.unwrap_or_else(|| {
        panic!(
            "the guests did not start: {:?}\n{}",
            k.guests(),
            k.describe()
        )
    });

    k.child.kill().expect("SIGKILL the kernel");
    let status = k.child.wait().expect("reap the kernel");
    assert_eq!(
        exit_code(status),
        128 + 9,
        "the kernel was not killed by SIGKILL"
    );

    let gone = poll(Duration::from_secs(2), || {
        k.guests().is_empty().then_some(())
    });
    let left = k.guests();
    assert!(
        gone.is_some(),
        "guest processes outlived the SIGKILLed kernel by 2 s: {left:?} (of {guests:?})"
    );
    // Nothing else of the session either (the drop's reaping would hide it).
    assert_no_leftovers(k.sid);
}

/// A host SIGTERM halts the machine in order: file systems synced, exit status 143.
#[test]
fn host_sigterm_halts_in_order_with_status_143() {
    let img = guest().private_image("console-sigterm");
    let ubd0 = img.ubd0();
    let mut k = LiveKernel::start(&["quiet", &ubd0]);
    k.wait_for_stdout(&format!("{PROMPT} "), Duration::from_secs(15));
    // A file written just before the signal must be on the image after the halt. The
    // echoed input shows the unexpanded $((...)): its value proves the line ran.
    k.send("echo term-marker > /root/term.txt && echo wrote-$((6 * 7))\n");
    k.wait_for_stdout("wrote-42", STEP);

    // stdin stays open: only the signal can end the kernel.
    k.signal("TERM");
    let done = k.finish(Duration::from_secs(10));
    assert_exit(&done, 143);
    assert!(
        done.waited < Duration::from_secs(5),
        "SIGTERM took {:?} to halt",
        done.waited
    );

    common::assert_fsck_clean(&img.path);
    assert_eq!(debugfs_cat(&img.path, "/root/term.txt"), "term-marker\n");
}
