//! The mmap family beyond the first calls: mremap and msync, natively and in the kernel.

mod common;

use common::{describe, run_init, run_native};

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
