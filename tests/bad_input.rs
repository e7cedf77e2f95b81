//! Bad input: a command line the kernel cannot use, a disk it cannot mount, an init it cannot
//! run. Each must end promptly with one clear line on stderr that names the fault, exit
//! status 2 for a command-line error and 1 for a boot error, no panic, and no host process
//! left behind (every boot checks that, see common::try_boot).

mod common;

use std::io::Write;

use common::*;

/// Exit status for a command line the kernel cannot use.
const EXIT_USAGE: i32 = 2;
/// Exit status for a machine that cannot boot.
const EXIT_BOOT: i32 = 1;

/// Asserts `out` failed with `status` and exactly one stderr line, which contains every one
/// of `names`; returns that line.
fn assert_one_line_error(out: &std::process::Output, status: i32, names: &[&str]) -> String {
    assert_no_panic(out);
    assert_eq!(code(out), status, "{}", describe(out));
    assert_eq!(stdout(out), "", "{}", describe(out));
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "want exactly one line on stderr\n{}",
        describe(out)
    );
    let line = lines[0];
    for name in names {
        assert!(
            line.contains(name),
            "the message does not name {name:?}: {line:?}"
        );
    }
    line.to_string()
}

/// A command-line error: one line, starting `kernel: `, exit 2.
fn usage_error(args: &[&str], names: &[&str]) {
    let out = boot(args);
    let line = assert_one_line_error(&out, EXIT_USAGE, names);
    assert!(line.starts_with("kernel: "), "{line:?}");
}

/// A boot error under `quiet`: the one line is the error, exit 1.
fn boot_error(args: &[&str], names: &[&str]) -> String {
    let mut all = vec!["quiet"];
    all.extend_from_slice(args);
    let out = boot(&all);
    let line = assert_one_line_error(&out, EXIT_BOOT, names);
    assert!(line.contains("error: "), "{line:?}");
    line
}

// ---- the command line ----

#[test]
fn an_unknown_option_is_named() {
    usage_error(
        &[&guest().ubd0(), "bogus=1"],
        &["'bogus=1'", "unknown option"],
    );
}

#[test]
fn a_bad_memory_size_is_named() {
    usage_error(&[&guest().ubd0(), "mem=12Q"], &["'mem=12Q'"]);
    usage_error(&[&guest().ubd0(), "mem=1K"], &["'mem=1K'"]);
}

#[test]
fn zero_cpus_is_refused() {
    usage_error(&[&guest().ubd0(), "ncpus=0"], &["'ncpus=0'"]);
    usage_error(&[&guest().ubd0(), "ncpus=65"], &["'ncpus=65'"]);
}

#[test]
fn a_relative_init_is_refused() {
    usage_error(
        &[&guest().ubd0(), "init=relative/path"],
        &["'init=relative/path'"],
    );
    usage_error(&[&guest().ubd0(), "init="], &["'init='"]);
}

#[test]
fn a_root_without_its_disk_is_refused() {
    usage_error(
        &[&guest().ubd0(), "root=/dev/ubdb"],
        &["root=/dev/ubdb", "ubd1="],
    );
}

#[test]
fn a_repeated_option_is_named() {
    usage_error(
        &[&guest().ubd0(), "ncpus=1", "ncpus=2"],
        &["'ncpus=2'", "'ncpus=1'"],
    );
}

// ---- the disk ----

#[test]
fn a_missing_image_file_is_named() {
    let dir = temp_dir("missing");
    let path = dir.path.join("no-such.img");
    let ubd0 = format!("ubd0={}", path.display());
    boot_error(
        &[&ubd0, "init=/bin/true"],
        &["ubda", &path.display().to_string(), "No such file"],
    );
}

/// A second kernel on an image another one has open read-write is refused before it
/// touches it, read-write or read-only, and the image is clean and bootable afterwards.
#[test]
fn an_image_in_use_by_another_kernel_is_refused() {
    let img = guest().private_image("in-use");
    let ubd0 = img.ubd0();
    let first = {
        let ubd0 = ubd0.clone();
        std::thread::spawn(move || {
            boot(&[
                &ubd0,
                "quiet",
                "init=/bin/sh",
                "--",
                "-c",
                "sleep 3; echo first-done",
            ])
        })
    };
    // Long enough for the first kernel to have opened its disk on a loaded host.
    std::thread::sleep(std::time::Duration::from_millis(1500));

    let name = img.path.display().to_string();
    boot_error(
        &[&ubd0, "init=/bin/true"],
        &["ubda", &name, "in use by another kernel"],
    );
    let ubd0r = format!("ubd0r={name}");
    boot_error(
        &[&ubd0r, "init=/bin/true"],
        &["ubda", &name, "in use by another kernel"],
    );

    let out = first.join().expect("the first kernel's thread");
    assert_eq!(stdout(&out), "first-done\n", "{}", describe(&out));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_fsck_clean(&img.path);
    let again = boot(&[&ubd0, "quiet", "init=/bin/true"]);
    assert_eq!(code(&again), 0, "{}", describe(&again));
}

#[test]
fn no_disk_at_all_is_named() {
    boot_error(&["init=/bin/true"], &["root device", "ubda"]);
}

#[test]
fn a_directory_as_image_is_refused() {
    let dir = temp_dir("dir-image");
    let ubd0 = format!("ubd0={}", dir.path.display());
    boot_error(
        &[&ubd0, "init=/bin/true"],
        &["ubda", &dir.path.display().to_string()],
    );
}

#[test]
fn an_image_of_random_bytes_is_not_ext2() {
    let dir = temp_dir("random");
    let path = dir.path.join("random.img");
    let mut bytes = vec![0u8; 1 << 20];
    // Deterministic noise (xorshift), with the magic's place made not to match by chance.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in bytes.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    bytes[1080] = 0x12;
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("write image");
    let ubd0 = format!("ubd0={}", path.display());
    boot_error(
        &[&ubd0, "init=/bin/true"],
        &["cannot mount root", "not an ext2 file system"],
    );
}

#[test]
fn an_empty_image_is_too_small() {
    let dir = temp_dir("empty");
    let path = dir.path.join("empty.img");
    std::fs::write(&path, b"").expect("write image");
    let ubd0 = format!("ubd0={}", path.display());
    boot_error(
        &[&ubd0, "init=/bin/true"],
        &["cannot mount root", "too small"],
    );
}

#[test]
fn a_superblock_without_its_magic_is_refused() {
    let img = guest().private_image("magic");
    img.patch(1080, &[0, 0]);
    boot_error(
        &[&img.ubd0(), "init=/bin/true"],
        &["cannot mount root", "magic"],
    );
}

#[test]
fn a_superblock_with_zero_blocks_per_group_is_refused() {
    let img = guest().private_image("bpg");
    img.patch(1024 + 32, &[0, 0, 0, 0]);
    boot_error(
        &[&img.ubd0(), "init=/bin/true"],
        &["cannot mount root", "blocks per group"],
    );
}

#[test]
fn a_truncated_image_is_refused() {
    let img = guest().private_image("truncated");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&img.path)
        .and_then(|f| f.set_len(8 << 20))
        .expect("truncate image");
    boot_error(
        &[&img.ubd0(), "init=/bin/true"],
        &["cannot mount root", "too small"],
    );
}

#[test]
fn the_error_ends_a_full_boot_log() {
    // Without quiet the boot log comes first, and the error is its last line, the only one.
    let img = guest().private_image("loud");
    img.patch(1080, &[0, 0]);
    let out = boot(&[&img.ubd0(), "init=/bin/true"]);
    assert_no_panic(&out);
    assert_eq!(code(&out), EXIT_BOOT, "{}", describe(&out));
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{}", describe(&out));
    assert_eq!(
        err.lines().last(),
        errors.first().copied(),
        "{}",
        describe(&out)
    );
    assert!(err.contains("Kernel command line:"), "{}", describe(&out));
}

// ---- init ----

#[test]
fn an_init_that_does_not_exist_is_named() {
    boot_error(&[&guest().ubd0(), "init=/nope"], &["/nope", "ENOENT"]);
    boot_error(
        &[&guest().ubd0(), "init=/nope/deeper"],
        &["/nope/deeper", "ENOENT"],
    );
}

#[test]
fn a_directory_as_init_is_refused() {
    boot_error(&[&guest().ubd0(), "init=/etc"], &["/etc", "EACCES"]);
}

#[test]
fn a_file_that_is_not_executable_is_refused() {
    // /etc/passwd: mode 0644, neither ELF nor #!.
    boot_error(
        &[&guest().ubd0(), "init=/etc/passwd"],
        &["/etc/passwd", "EACCES"],
    );
}

#[test]
fn an_executable_that_is_neither_elf_nor_script_is_refused() {
    boot_error(
        &[&guest().ubd0(), "init=/bin/notelf"],
        &["/bin/notelf", "ENOEXEC"],
    );
    boot_error(
        &[&guest().ubd0(), "init=/bin/empty"],
        &["/bin/empty", "ENOEXEC"],
    );
}

#[test]
fn a_script_whose_interpreter_is_missing_is_refused() {
    boot_error(
        &[&guest().ubd0(), "init=/bin/badscript"],
        &["/bin/badscript", "ENOENT"],
    );
}

#[test]
fn a_path_through_a_file_is_not_a_directory() {
    boot_error(
        &[&guest().ubd0(), "init=/etc/passwd/x"],
        &["/etc/passwd/x", "ENOTDIR"],
    );
}
