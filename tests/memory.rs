//! The mmap family beyond the first calls: mremap and msync, natively and in the kernel.

mod common;

use common::{assert_no_panic, boot_root, code, describe, run_init, run_native, stderr, stdout};

#[test]
fn mremap_grows_moves_and_shrinks_like_linux() {
    let native = run_native("mremap", &[]);
    let guest = run_init("/bin/mremap", &[]);
    assert!(native.status.success(), "native\n{}", describe(&native));
    assert!(guest.status.success(), "guest\n{}", describe(&guest));

    let out = String::from_utf8_lossy(&native.stdout);
    assert!(
        out.contains("moved: yes, data kept") && !out.contains(": bad"),
        "native: {out}"
    );
    assert_eq!(
        guest.stdout,
        native.stdout,
        "the guest differs from Linux\n{}",
        describe(&guest)
    );
}

/// munmap and mprotect of ranges that run past the top of user space (where the stub
/// lives) fail with Linux's errnos, and the process goes on.
#[test]
fn unmapping_past_the_top_of_user_space_fails_as_on_linux() {
    let native = run_native("mmtop", &[]);
    let guest = run_init("/bin/mmtop", &[]);
    assert!(native.status.success(), "native\n{}", describe(&native));
    assert!(guest.status.success(), "guest\n{}", describe(&guest));
    assert!(String::from_utf8_lossy(&native.stdout).contains("still alive 2"));
    assert_eq!(
        guest.stdout,
        native.stdout,
        "the guest differs from Linux\n{}",
        describe(&guest)
    );
}

/// Copy-on-write over 64 MiB: after fork, parent and child write at random at the same
/// time, each with its own seed, and each finds exactly its own writes (checksums equal to
/// Linux's).
#[test]
fn copy_on_write_keeps_parent_and_child_apart_over_64_mib() {
    let native = run_native("cow64", &[]);
    let guest = run_init("/bin/cow64", &[]);
    assert!(native.status.success(), "native\n{}", describe(&native));
    assert!(guest.status.success(), "guest\n{}", describe(&guest));
    assert!(String::from_utf8_lossy(&native.stdout).contains("child ok, parent ok"));
    assert_eq!(
        guest.stdout,
        native.stdout,
        "the guest differs from Linux\n{}",
        describe(&guest)
    );
}

/// Shared writable file mappings on the ext2 root: coherent with read(2) and write(2)
/// and across fork, written back by msync and munmap, SIGBUS past the end of the file,
/// Linux's errnos, MAP_POPULATE and MAP_GROWSDOWN; the same lines as natively.
#[test]
fn shared_file_mappings_behave_like_linux() {
    let dir = common::temp_dir("mmap-shared");
    let native = run_native("mmap_shared", &[dir.path.to_str().unwrap()]);
    assert!(native.status.success(), "native\n{}", describe(&native));
    assert!(String::from_utf8_lossy(&native.stdout).ends_with("all ok\n"));

    // The guest writes files, so it gets an image of its own.
    let img = common::guest().private_image("mmap-shared");
    let ubd0 = img.ubd0();
    let guest = common::boot(&[&ubd0, "quiet", "init=/bin/mmap_shared", "--", "/root"]);
    assert_eq!(
        common::stdout(&guest),
        common::stdout(&native),
        "the guest differs from Linux\n{}",
        describe(&guest)
    );
    assert!(guest.status.success(), "guest\n{}", describe(&guest));
    common::assert_no_panic(&guest);
    common::assert_fsck_clean(&img.path);
}

/// A file written only through a shared mapping (never msync'd or unmapped: the
/// process just exits, and then the machine halts) is on the image afterwards, byte for
/// byte, and e2fsck finds the image clean.
#[test]
fn shared_mapping_writes_reach_the_image() {
    const SIZE: usize = 300 * 1024 + 123;
    let img = common::guest().private_image("mmap-writeback");
    let ubd0 = img.ubd0();
    let size = SIZE.to_string();
    let out = common::boot(&[
        &ubd0,
        "quiet",
        "init=/bin/mmap_shared",
        "--",
        "/root",
        "write",
        &size,
    ]);
    assert!(out.status.success(), "guest\n{}", describe(&out));
    assert_eq!(common::stdout(&out), format!("wrote {SIZE} bytes\n"));
    common::assert_fsck_clean(&img.path);

    let dir = common::temp_dir("mmap-writeback-dump");
    let dumped = dir.path.join("big.dat");
    let dump = std::process::Command::new("debugfs")
        .arg("-R")
        .arg(format!("dump /root/big.dat {}", dumped.display()))
        .arg(&img.path)
        .output()
        .expect("run debugfs (run-tests installs e2fsprogs)");
    assert!(dump.status.success(), "debugfs\n{}", describe(&dump));
    let data = std::fs::read(&dumped).expect("read the dumped file");
    // The pattern of mmap_shared.c.
    let want: Vec<u8> = (0..SIZE as u64)
        .map(|i| (i * 31 + i / 4096) as u8)
        .collect();
    assert_eq!(data.len(), want.len(), "size of /root/big.dat");
    let first_bad = data.iter().zip(&want).position(|(a, b)| a != b);
    assert_eq!(first_bad, None, "/root/big.dat differs from the pattern");
}

/// A process that touches twice `mem=` is killed by the OOM killer (SIGKILL, logged), and
/// the shell that started it goes on: init is never the victim.
#[test]
fn a_process_wanting_twice_mem_is_oom_killed_and_the_shell_goes_on() {
    let script = "/bin/oomhog 128; echo \"hog status $?\"; \
                  echo pipe-works | cat; /bin/oomhog 8; echo shell-alive";
    let out = boot_root(&["quiet", "mem=64M", "init=/bin/sh", "--", "-c", script]);
    let text = stdout(&out);
    assert!(
        text.contains("hog status 137"),
        "the hog was not killed by SIGKILL\n{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("Out of memory: Killed process"),
        "no OOM report in the log\n{}",
        describe(&out)
    );
    for line in ["pipe-works", "oomhog: got all 8 MiB", "shell-alive"] {
        assert!(
            text.contains(line),
            "no {line:?} after the kill\n{}",
            describe(&out)
        );
    }
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_panic(&out);
}

/// /proc/PID/smaps_rollup of a running shell: every resident page is counted once in the
/// shared/private, clean/dirty split, and its own stack and heap make it hold anonymous
/// pages; smaps lists the areas maps does, in the same order.
#[test]
fn smaps_rollup_adds_up() {
    let script = "mount -t proc proc /proc; cat /proc/self/smaps_rollup; \
                  grep -c . /proc/self/maps; grep -c VmFlags /proc/self/smaps";
    let out = boot_root(&["quiet", "init=/bin/sh", "--", "-c", script]);
    let text = stdout(&out);
    let kb = |label: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{label}:")))
            .and_then(|v| v.trim().strip_suffix(" kB"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {label} line\n{}", describe(&out)))
    };
    let split: u64 = [
        "Shared_Clean",
        "Shared_Dirty",
        "Private_Clean",
        "Private_Dirty",
    ]
    .iter()
    .map(|l| kb(l))
    .sum();
    assert_eq!(kb("Rss"), split, "{}", describe(&out));
    assert!(kb("Anonymous") > 0, "{}", describe(&out));
    assert!(kb("Pss") <= kb("Rss"), "{}", describe(&out));
    assert_eq!(
        kb("Pss"),
        kb("Pss_Anon") + kb("Pss_File"),
        "{}",
        describe(&out)
    );

    // Areas in maps and VmFlags lines in smaps, each counted by a grep reading its own
    // files: the same program, so the same areas.
    let counts: Vec<u64> = text
        .lines()
        .rev()
        .take(2)
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(counts.len(), 2, "{}", describe(&out));
    assert!(
        counts[0] >= 5 && counts[0] == counts[1],
        "{}",
        describe(&out)
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
}
