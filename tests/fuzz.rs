//! Bad guest input, the calls that broke the kernel: each group of
//! tests/guest/fuzzcases.c is one, reduced to the call and its arguments, and must come
//! back with Linux's answer, panic nowhere, leave no host process behind
//! (common::try_boot checks that) and leave an image `e2fsck -fn` finds clean.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

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
}
