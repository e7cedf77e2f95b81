//! Booting: init runs and its output, status, arguments and environment are right; the boot
//! log says what was booted; `quiet`, `strace` and `ncpus=` do what they say. Also tests of
//! the test support itself (hang detection, leftover detection), since every other test
//! relies on them.

mod common;

use std::time::Duration;

use common::*;

#[test]
fn busybox_echo_prints_its_line_and_exits_0() {
    let out = run_init("/bin/busybox", &["echo", "hello from the guest"]);
    assert_eq!(stdout(&out), "hello from the guest\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_panic(&out);
}

#[test]
fn cat_prints_the_image_hostname() {
    let out = run_init("/bin/cat", &["/etc/hostname"]);
    assert_eq!(stdout(&out), "kernel-guest\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn init_exit_status_is_the_kernel_exit_status() {
    let out = run_init("/bin/sh", &["-c", "exit 7"]);
    assert_eq!(code(&out), 7, "{}", describe(&out));
    assert_eq!(stdout(&out), "", "{}", describe(&out));

    let out = run_init("/bin/sh", &["-c", "echo partial; exit 255"]);
    assert_eq!(code(&out), 255, "{}", describe(&out));
    assert_eq!(stdout(&out), "partial\n", "{}", describe(&out));

    let out = run_init("/bin/false", &[]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
}

#[test]
fn a_null_dereference_kills_init_with_sigsegv_and_the_kernel_exits_139() {
    // The same program natively, to be sure it really faults (and is not, say, a trap).
    let native = run_native("segv", &[]);
    assert_eq!(code(&native), 128 + 11, "native run\n{}", describe(&native));
    assert_eq!(stdout(&native), "before\n");

    let out = boot_root(&["init=/bin/segv"]);
    assert_eq!(code(&out), 139, "{}", describe(&out));
    assert_eq!(stdout(&out), "before\n", "{}", describe(&out));
    assert_no_panic(&out);

    let pie = run_init("/bin/segv-pie", &[]);
    assert_eq!(code(&pie), 139, "static-pie\n{}", describe(&pie));
}

#[test]
fn a_shell_killing_itself_with_sigsegv_exits_139() {
    let out = run_init(
        "/bin/sh",
        &["-c", "echo dying; kill -SEGV $$; echo survived"],
    );
    assert_eq!(code(&out), 139, "{}", describe(&out));
    assert_eq!(stdout(&out), "dying\n", "{}", describe(&out));
}

#[test]
fn init_exiting_ends_the_machine_and_its_other_processes() {
    // A child still sleeping when init exits must not keep the kernel up, nor outlive it
    // as a host process (boot checks that no host process is left).
    let start = std::time::Instant::now();
    let out = run_init("/bin/sh", &["-c", "sleep 30 & echo started"]);
    assert_eq!(stdout(&out), "started\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_pipeline_runs() {
    let out = run_init(
        "/bin/sh",
        &["-c", "echo piped | cat; ls /ktest/dir | wc -l"],
    );
    assert_eq!(stdout(&out), "piped\n3\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_shell_script_runs_through_its_interpreter() {
    let out = run_init("/bin/script", &["one", "two words"]);
    assert_eq!(
        stdout(&out),
        "script ran: /bin/script one two words\n",
        "{}",
        describe(&out)
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn the_boot_log_names_memory_the_disk_the_root_fs_and_init() {
    let g = guest();
    let out = boot_root(&["mem=64M", "init=/bin/true"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let log = stderr(&out);
    let image = g.image.display().to_string();

    let expect = [
        "Kernel command line: ".to_string(),
        "Memory: 65536K physical memory".to_string(),
        format!("ubda: 65536 KiB, {image} (read-only)"),
        "VFS: Mounted root (ext2 filesystem)".to_string(),
        "smp: 1 virtual CPU(s)".to_string(),
        "Run /bin/true as init process".to_string(),
        "reboot: System halted".to_string(),
    ];
    let mut at = 0;
    for want in &expect {
        // In this order, each on a line of its own with a timestamp.
        let found = log[at..].find(want.as_str());
        assert!(
            found.is_some(),
            "boot log lacks (or misorders) {want:?}\n{log}"
        );
        at += found.unwrap_or(0) + want.len();
    }
    for line in log.lines() {
        assert!(
            line.starts_with('[') && line.contains("] "),
            "unstamped log line {line:?}"
        );
    }
    assert!(
        log.contains("mem=64M") && log.contains("init=/bin/true"),
        "the command line is not logged\n{log}"
    );
}

#[test]
fn quiet_leaves_only_warnings_on_stderr() {
    let out = boot_root(&["quiet", "init=/bin/busybox", "--", "echo", "still here"]);
    assert_eq!(stdout(&out), "still here\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        non_warning_lines(&out),
        Vec::<String>::new(),
        "{}",
        describe(&out)
    );

    // And without quiet, the same boot does log (so the check above can fail).
    let loud = boot_root(&["init=/bin/busybox", "--", "echo", "still here"]);
    assert!(non_warning_lines(&loud).len() >= 5, "{}", describe(&loud));
}

#[test]
fn strace_prints_each_call_with_its_result() {
    let out = boot_root(&["quiet", "strace", "init=/bin/hello"]);
    assert_eq!(stdout(&out), "hello strace\n", "{}", describe(&out));
    assert_eq!(code(&out), 3, "{}", describe(&out));

    let log = stderr(&out);
    let lines: Vec<&str> = log.lines().collect();
    let expected = [
        r#"[pid 1] openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3"#,
        r#"[pid 1] read(3, "kernel-guest\n", 64) = 13"#,
        "[pid 1] close(3) = 0",
        r#"[pid 1] write(1, "hello strace\n", 13) = 13"#,
        "[pid 1] exit_group(3) = ?",
        "[pid 1] +++ exited with 3 +++",
    ];
    let mut last = None;
    for want in expected {
        let at = lines.iter().position(|l| *l == want);
        assert!(at.is_some(), "strace lacks the line {want:?}\n{log}");
        assert!(at > last, "strace line {want:?} is out of order\n{log}");
        last = at;
    }
    // The exit is the end.
    assert_eq!(
        lines.last().copied(),
        Some("[pid 1] +++ exited with 3 +++"),
        "{log}"
    );
    // Every line is a traced call, or a (timestamped) warning.
    for line in &lines {
        assert!(
            line.starts_with("[pid 1] ") || line.contains("warning:"),
            "unexpected line {line:?}\n{log}"
        );
    }
    // The calls glibc's start-up makes are traced too, with decoded arguments.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[pid 1] brk(NULL) = 0x")),
        "{log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("[pid 1] arch_prctl(ARCH_SET_FS, 0x")),
        "{log}"
    );
}

#[test]
fn without_strace_there_are_no_trace_lines() {
    let out = boot_root(&["init=/bin/hello"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(!stderr(&out).contains("[pid "), "{}", describe(&out));
}

#[test]
fn two_virtual_cpus_boot() {
    let out = boot_root(&["ncpus=2", "init=/bin/busybox", "--", "echo", "smp ok"]);
    assert_eq!(stdout(&out), "smp ok\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("smp: 2 virtual CPU(s)"),
        "{}",
        describe(&out)
    );

    let out = boot_root(&["ncpus=4", "quiet", "init=/bin/sh", "--", "-c", "exit 5"]);
    assert_eq!(code(&out), 5, "{}", describe(&out));
}

/// Seconds in one of busybox time's lines (`user\t0m 0.29s`).
fn time_line_secs(report: &str, label: &str) -> Option<f64> {
    let line = report.lines().find(|l| l.starts_with(label))?;
    let (min, sec) = line[label.len()..].trim().split_once('m')?;
    let sec = sec.trim().strip_suffix('s')?;
    Some(min.parse::<f64>().ok()? * 60.0 + sec.parse::<f64>().ok()?)
}

#[test]
fn busybox_time_shows_the_cpu_time_of_a_busy_command() {
    // The program burns 300 ms of its own CPU clock; time reports what wait4 says of it
    // (on the console, which is the guest's stdout and stderr both).
    let out = run_init("/bin/sh", &["-c", "time /bin/cputime --burn 300"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report = stdout(&out);
    let (real, user, sys) = (
        time_line_secs(&report, "real"),
        time_line_secs(&report, "user"),
        time_line_secs(&report, "sys"),
    );
    let (Some(real), Some(user), Some(sys)) = (real, user, sys) else {
        panic!("no time report:\n{}", describe(&out));
    };
    assert!(user >= 0.2 && user + sys <= 1.0, "{}", describe(&out));
    assert!(real + 0.02 >= user + sys, "{}", describe(&out));
}

#[test]
fn busybox_top_shows_a_busy_cpu_and_the_process_that_keeps_it_busy() {
    // Two samples a second apart while a program burns CPU time on the one CPU: the CPU line
    // is mostly user time, and the program has a good share of it.
    let script = "mount -t proc proc /proc; /bin/cputime --burn 3000 & \
                  top -b -n 2 -d 1; kill $!";
    let out = run_init("/bin/sh", &["-c", script]);
    let text = stdout(&out);
    let second = text.rsplit("CPU:").next().unwrap_or("");
    let usr: u32 = second
        .split_whitespace()
        .next()
        .and_then(|w| w.strip_suffix('%'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no CPU line:\n{}", describe(&out)));
    assert!(usr >= 50, "user {usr}%\n{}", describe(&out));

    let burner = second
        .lines()
        .find(|l| l.contains("/bin/cputime --burn"))
        .unwrap_or_else(|| panic!("the program is not listed:\n{}", describe(&out)));
    let pct: Vec<u32> = burner
        .split_whitespace()
        .filter_map(|w| w.strip_suffix('%')?.parse().ok())
        .collect();
    // The columns are %VSZ then %CPU.
    assert!(
        pct.len() == 2 && pct[1] >= 20,
        "{burner}\n{}",
        describe(&out)
    );
}

#[test]
fn words_after_the_separator_reach_init_unchanged() {
    let words = [
        "plain",
        "two words",
        "'single quotes'",
        "\"double quotes\"",
        "--x",
        "--",
        "-c",
        "",
        "quiet",
        "init=/bin/sh",
        "ncpus=0",
        "$HOME",
        "*",
        "back\\slash",
        "tab\there",
        "new\nline",
        "caf\u{e9}",
    ];
    let out = run_init("/bin/auxv_layout", &words);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);

    let mut expected = vec![
        format!("argc={}", words.len() + 1),
        "argv[0]=\"/bin/auxv_layout\"".to_string(),
    ];
    for (i, w) in words.iter().enumerate() {
        expected.push(format!("argv[{}]={}", i + 1, escape(w)));
    }
    let got: Vec<&str> = text.lines().take(expected.len()).collect();
    assert_eq!(got, expected, "{}", describe(&out));

    // Init's environment is exactly HOME=/ and TERM=linux.
    assert!(
        text.contains("envc=2\nenvp[0]=\"HOME=/\"\nenvp[1]=\"TERM=linux\"\n"),
        "{text}"
    );
}

/// auxv_layout's escaping: printable ASCII but `"` and `\` as is, the rest as `\xNN`.
fn escape(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Runs auxv_layout's check mode natively and in the kernel with the same argv and envp and
/// asserts the outputs are the same, and that it passed.
fn auxv_layout_matches_native(program: &str) {
    let args = ["first", "with space", "", "--dashes", "last"];
    let native = run_native(program, &args);
    assert_eq!(code(&native), 0, "native run\n{}", describe(&native));
    assert!(
        stdout(&native).ends_with("result: PASS\n"),
        "{}",
        describe(&native)
    );

    let guest = run_init(&format!("/bin/{program}"), &args);
    assert_eq!(
        stdout(&guest),
        stdout(&native),
        "guest and native differ\nguest {}\nnative {}",
        describe(&guest),
        describe(&native)
    );
    assert_eq!(code(&guest), 0, "{}", describe(&guest));
}

#[test]
fn auxv_layout_matches_native_static() {
    auxv_layout_matches_native("auxv_layout");
}

#[test]
fn auxv_layout_matches_native_static_pie() {
    auxv_layout_matches_native("auxv_layout-pie");
}

// ---- the test support itself ----

#[test]
fn support_a_hang_is_detected_and_killed_without_leftovers() {
    let start = std::time::Instant::now();
    let ubd0 = guest().ubd0();
    let result = try_boot(
        &[
            &ubd0,
            "quiet",
            "init=/bin/sh",
            "--",
            "-c",
            "echo spinning; while :; do :; done",
        ],
        Duration::from_secs(2),
    );
    // try_boot itself asserts that killing the kernel took its guest with it.
    let hung = result.expect_err("an endless loop must count as a hang");
    assert_eq!(hung.after, Duration::from_secs(2));
    assert_eq!(
        stdout(&hung.output),
        "spinning\n",
        "{}",
        describe(&hung.output)
    );
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn support_a_leftover_process_is_detected() {
    // A session leader that exits and leaves a child behind: the check must see it.
    let run = run_in_session(
        "sh",
        &["-c", "sleep 60 & echo started"],
        Duration::from_secs(10),
    );
    assert_eq!(stdout(&run.output), "started\n");
    assert!(!run.hung);
    assert_eq!(run.leftovers.len(), 1, "leftovers: {:?}", run.leftovers);
    let left = &run.leftovers[0];
    assert_eq!(left.comm, "sleep");
    assert_eq!(left.sid, run.sid);
    // It was killed.
    std::thread::sleep(Duration::from_millis(100));
    assert!(session_processes(run.sid).is_empty());

    // And a clean run has none.
    let clean = run_in_session("sh", &["-c", "echo clean"], Duration::from_secs(10));
    assert!(clean.leftovers.is_empty(), "{:?}", clean.leftovers);
}

/// `int $0x80` (the 32-bit ABI) fails with ENOSYS and a warning instead of running the
/// 64-bit call of the same number (i386 exit is x86_64 write); natively it would exit.
#[test]
fn a_32_bit_system_call_fails_with_enosys() {
    let out = run_init("/bin/int80", &[]);
    assert_eq!(
        stdout(&out),
        "int80 exit: -38\ngetpid after: ok\n",
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("32-bit system call 1 (int $0x80) returns ENOSYS"),
        "{}",
        describe(&out)
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
}
