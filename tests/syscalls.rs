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
