//! Bad guest input: random system calls with bad arguments (tests/guest/fuzz.c as init)
//! must leave the kernel standing. Each boot must end by itself with status 0, print
//! the fuzzer's "survived" and "sanity ok" lines, panic nowhere, leave no host process
//! behind (common::try_boot checks that) and leave an image `e2fsck -fn` finds clean.
//!
//! The calls the fuzzer found that broke the kernel are kept, reduced, in
//! tests/guest/fuzzcases.c, one group (and one test here) each.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::*;

/// Workers the fuzzer forks; each makes its own stream of calls.
const WORKERS: u32 = 4;

/// Boots a private image with `init=/bin/fuzz -- SEED CALLS WORKERS 0 DEADLINE` on
/// `ncpus` vCPUs and checks that the kernel survived it. The fuzzer's own deadline for
/// its workers is two thirds of the boot's `limit`, so that a task stuck in the kernel
/// is reported by the guest before the boot is killed.
fn fuzz(seed: u64, calls: u64, ncpus: u32, limit: Duration) {
    let img = guest().private_image(&format!("fuzz-{seed}-{ncpus}"));
    let ubd0 = img.ubd0();
    let ncpus_arg = format!("ncpus={ncpus}");
    let (seed_arg, calls_arg) = (seed.to_string(), calls.to_string());
    let deadline_s = limit.as_secs() * 2 / 3;
    let (workers_arg, deadline_arg) = (WORKERS.to_string(), deadline_s.to_string());
    let args = [
        ubd0.as_str(),
        "quiet",
        &ncpus_arg,
        "init=/bin/fuzz",
        "--",
        &seed_arg,
        &calls_arg,
        &workers_arg,
        "0",
        &deadline_arg,
    ];
    let out = try_boot(&args, limit).unwrap_or_else(|hung| {
        panic!(
            "the kernel hung under fuzz seed {seed} (ncpus={ncpus}): killed after {:?}\n{}",
            hung.after,
            describe(&hung.output)
        )
    });

    assert_no_panic(&out);
    // The executors write random memory, which may hold any of these words: only whole
    // lines count, and these two hold numbers no executor has seen.
    let text = stdout(&out);
    let survived = format!(
        "fuzz: {WORKERS} workers, {} syscalls, survived",
        calls * u64::from(WORKERS)
    );
    let sanity = format!("sanity ok (seed {seed})");
    for line in [&survived, &sanity] {
        assert!(
            text.lines().any(|l| l == line),
            "seed {seed} ncpus={ncpus}: no {line:?}\n{}",
            describe(&out)
        );
    }
    assert_eq!(
        code(&out),
        0,
        "seed {seed} ncpus={ncpus}\n{}",
        describe(&out)
    );
    assert_image_clean(&img.path);
}

/// `e2fsck -fn IMAGE` finds nothing to fix.
fn assert_image_clean(image: &Path) {
    let fsck = Command::new("e2fsck")
        .arg("-fn")
        .arg(image)
        .env("PATH", "/usr/sbin:/sbin:/usr/bin:/bin")
        .output()
        .expect("run e2fsck (run-tests installs e2fsprogs)");
    assert!(
        fsck.status.success(),
        "e2fsck found errors in {}:\n{}",
        image.display(),
        describe(&fsck)
    );
}

/// How long a quick fuzz boot may take: it takes 3 to 6 seconds, two at a time on two
/// host CPUs.
const QUICK_LIMIT: Duration = Duration::from_secs(60);

/// Calls per worker in a quick boot.
const QUICK_CALLS: u64 = 8000;

macro_rules! quick {
    ($($name:ident: seed $seed:literal, ncpus $ncpus:literal;)*) => {$(
        #[test]
        fn $name() {
            fuzz($seed, QUICK_CALLS, $ncpus, QUICK_LIMIT);
        }
    )*};
}

quick! {
    fuzz_seed_1_on_one_cpu: seed 1, ncpus 1;
    fuzz_seed_2_on_one_cpu: seed 2, ncpus 1;
    fuzz_seed_3_on_one_cpu: seed 3, ncpus 1;
    fuzz_seed_1_on_two_cpus: seed 1, ncpus 2;
    fuzz_seed_2_on_two_cpus: seed 2, ncpus 2;
    fuzz_seed_3_on_two_cpus: seed 3, ncpus 2;
}

/// Many seeds, many calls: `cargo test --release --test fuzz -- --ignored`. About 35
/// seconds a boot on two host CPUs.
#[test]
#[ignore = "soak: 40 boots of 4 x 50000 random syscalls, about 25 minutes"]
fn fuzz_soak() {
    for seed in 100..120 {
        for ncpus in [1, 2] {
            fuzz(seed, 50_000, ncpus, Duration::from_secs(300));
        }
    }
}

// ---- fuzzcases.c: the calls the fuzzer found, reduced ----

/// Runs fuzzcases GROUP on a private image; it must print "ok GROUP" and "ok", exit 0,
/// and leave the image clean.
fn case(group: &str) -> Output {
    let img = guest().private_image(&format!("fuzzcase-{group}"));
    let ubd0 = img.ubd0();
    let out = boot(&[&ubd0, "quiet", "init=/bin/fuzzcases", "--", group]);
    assert_no_panic(&out);
    assert_eq!(
        stdout(&out),
        format!("ok {group}\nok\n"),
        "fuzzcases {group}\n{}",
        describe(&out)
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_image_clean(&img.path);
    out
}

macro_rules! cases {
    ($($name:ident: $group:literal;)*) => {$(
        #[test]
        fn $name() {
            case($group);
        }
    )*};
}

cases! {
    populate_of_a_huge_range_returns_at_once: "populate";
    mremap_with_a_wrapping_old_len_is_einval: "mremap_wrap";
    writev_of_huge_buffers_is_efault: "writev_huge";
    clone_with_a_kernel_half_tls_is_eperm: "clone_tls";
    an_unlinked_fifo_is_freed_at_its_last_close: "fifo_unlinked";
    getrandom_into_a_bad_buffer_is_efault_at_once: "getrandom_bad";
    a_thread_in_32_bit_code_faults_and_takes_signals_like_any: "compat_mode";
}
