//! The busybox userland: a shell script run as init by the kernel prints byte-for-byte
//! what the same script prints in a chroot of the same image on the host, and a file
//! system workload leaves an image e2fsck finds clean with the right contents.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{describe, guest, temp_dir, try_boot};

const USERLAND: &str = include_str!("scripts/userland.sh");

/// Extracts the image's tree into `dir` with debugfs.
fn extract(image: &Path, dir: &Path) {
    let out = Command::new("debugfs")
        .arg("-R")
        .arg(format!("rdump / {}", dir.display()))
        .arg(image)
        .output()
        .expect("run debugfs");
    assert!(
        out.status.success(),
        "debugfs rdump failed: {}",
        describe(&out)
    );
}

fn run_in_kernel(image: &str, script: &str) -> std::process::Output {
    let args = ["quiet", image, "init=/bin/sh", "--", "-c", script];
    match try_boot(&args, Duration::from_secs(240)) {
        Ok(out) => out,
        Err(hung) => panic!("the kernel hung:\n{}", describe(&hung.output)),
    }
}

#[test]
fn shell_script_prints_what_linux_prints() {
    let img = guest().private_image("userland");
    let kernel = run_in_kernel(&img.ubd0(), USERLAND);
    assert!(
        kernel.status.success(),
        "script failed in the kernel:\n{}",
        describe(&kernel)
    );

    let dir = temp_dir("userland-chroot");
    let root = dir.path.join("root");
    std::fs::create_dir_all(&root).unwrap();
    extract(&guest().image, &root);

    // The kernel mounts devtmpfs on /dev by itself; the chroot borrows the host's /dev.
    let bind = Command::new("mount")
        .arg("--bind")
        .arg("/dev")
        .arg(root.join("dev"))
        .output();
    assert!(
        bind.is_ok_and(|o| o.status.success()),
        "cannot bind-mount /dev into the chroot"
    );
    let native = Command::new("/usr/sbin/chroot")
        .arg(&root)
        .args(["/bin/sh", "-c", USERLAND])
        .env_clear()
        .envs([("HOME", "/"), ("TERM", "linux")])
        .output()
        .expect("run the script in a chroot");
    let _ = Command::new("umount").arg(root.join("proc")).output();
    let _ = Command::new("umount").arg(root.join("dev")).output();
    assert!(
        native.status.success(),
        "script failed natively:\n{}",
        describe(&native)
    );

    let k = String::from_utf8_lossy(&kernel.stdout);
    let n = String::from_utf8_lossy(&native.stdout);
    assert!(
        k.contains("gzip round trip ok") && k.ends_with("done\n"),
        "incomplete run:\n{k}"
    );
    assert_eq!(k, n, "the kernel's output differs from Linux's");
}

/// Thousands of files created, renamed, truncated and deleted in nested directories,
/// one big enough for double-indirect blocks: after the kernel halts, e2fsck reports no
/// error and debugfs reads back what the guest left.
#[test]
fn file_system_workload_leaves_a_clean_image() {
    let script = r#"
        set -e
        cd /root
        for d in 0 1 2 3 4 5 6 7 8 9; do
            mkdir -p w/$d/sub
            i=0
            while [ $i -lt 200 ]; do
                echo "file $d/$i" > w/$d/f$i
                i=$((i + 1))
            done
        done
        for d in 0 1 2 3 4; do
            i=0
            while [ $i -lt 200 ]; do
                mv w/$d/f$i w/$d/sub/r$i
                i=$((i + 2))
            done
        done
        for d in 5 6 7; do rm w/$d/f1*; done
        mv w/8 w/9/moved
        echo "keep me" > w/0/truncated; truncate -s 3 w/0/truncated
        dd if=/dev/zero of=w/big bs=4096 count=2000 2>/dev/null
        printf 'tail-marker' >> w/big
        truncate -s 8192 w/0/sparse
        mv w/0/sub/r0 w/0/f1
        sync
        echo workload-done
    "#;
    let img = guest().private_image("fsck");
    let out = run_in_kernel(&img.ubd0(), script);
    assert!(out.status.success(), "workload failed:\n{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("workload-done"));

    common::assert_fsck_clean(&img.path);

    let cat = |path: &str| {
        let out = Command::new("debugfs")
            .arg("-R")
            .arg(format!("cat {path}"))
            .arg(&img.path)
            .output()
            .unwrap();
        out.stdout
    };
    assert_eq!(cat("/root/w/0/sub/r4"), b"file 0/4\n");
    assert_eq!(cat("/root/w/9/moved/f17"), b"file 8/17\n");
    assert_eq!(cat("/root/w/0/truncated"), b"kee");
    assert_eq!(cat("/root/w/0/f1"), b"file 0/0\n");
    assert_eq!(cat("/root/w/5/f2"), b"file 5/2\n");
    assert!(cat("/root/w/5/f10").is_empty(), "deleted file still there");

    let big = cat("/root/w/big");
    assert_eq!(big.len(), 2000 * 4096 + 11);
    assert!(big.ends_with(b"tail-marker"));
    assert_eq!(cat("/root/w/0/sparse"), vec![0u8; 8192]);
}
