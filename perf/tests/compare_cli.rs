//! `perf compare` end to end on synthetic runs: the binary, its exit status and its report.
//! Nothing is booted or measured.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A run in the JSON form `perf run` writes, with getppid and read results on two columns.
fn run_json(getppid_kernel: &[f64], read_kernel: &[f64]) -> Value {
    let stats = |samples: &[f64]| {
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        json!({
            "status": "ok",
            "samples": samples,
            "median": s[s.len() / 2],
            "min": s[0],
            "max": s[s.len() - 1],
            "noise_pct": 100.0 * (s[s.len() - 1] - s[0]) / 2.0 / s[s.len() / 2],
        })
    };
    json!({
        "schema": 1,
        "date": "2025-01-01T00:00:00Z",
        "git": { "rev": "0123456789abcdef", "short": "0123456789", "dirty": false },
        "machine": { "cpu_model": "synthetic", "cores": 2, "kernel": "6.1", "hostname": "test" },
        "settings": {
            "rounds": 3, "round_ms": 50, "boot_rounds": 3, "pin_cpu": 0,
            "kernel_binary": "target/release/kernel", "uml_version": null
        },
        "duration_s": 100.0,
        "benchmarks": [
            {
                "name": "syscall_getppid", "title": "getppid", "unit": "us/call",
                "better": "lower", "threshold_pct": 10.0,
                "results": {
                    "native-1cpu": stats(&[0.24, 0.25, 0.24]),
                    "kernel-1cpu": stats(getppid_kernel),
                    "uml-1cpu": { "status": "skipped", "reason": "not installed" }
                }
            },
            {
                "name": "file_read_seq", "title": "read", "unit": "MiB/s",
                "better": "higher", "threshold_pct": 20.0,
                "results": {
                    "native-1cpu": stats(&[7000.0, 7100.0, 6900.0]),
                    "kernel-1cpu": stats(read_kernel),
                }
            },
            {
                "name": "fork_exit_wait", "title": "fork", "unit": "us/iteration",
                "better": "lower", "threshold_pct": 20.0,
                "results": {
                    "kernel-1cpu": { "status": "unsupported", "reason": "fork: ENOSYS" }
                }
            }
        ]
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

fn perf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perf"))
        .args(args)
        .output()
        .unwrap()
}

const GETPPID: [f64; 3] = [10.0, 10.3, 9.9];
const READ: [f64; 3] = [2200.0, 2250.0, 2180.0];

#[test]
fn a_run_compared_with_itself_passes() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let out = perf(&["compare", &a, &a]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("no regression"), "{text}");
}

#[test]
fn three_times_slower_fails_naming_the_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let slow: Vec<f64> = GETPPID.iter().map(|v| v * 3.0).collect();
    let b = write(dir.path(), "b.json", &run_json(&slow, &READ));
    let out = perf(&["compare", &a, &b]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("regression: syscall_getppid on kernel-1cpu"),
        "{text}"
    );
    assert!(!text.contains("regression: file_read_seq"), "{text}");
}

#[test]
fn a_third_of_the_throughput_fails_too() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let slow: Vec<f64> = READ.iter().map(|v| v / 3.0).collect();
    let b = write(dir.path(), "b.json", &run_json(&GETPPID, &slow));
    let out = perf(&["compare", &a, &b]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("regression: file_read_seq on kernel-1cpu"),
        "{text}"
    );
}

#[test]
fn a_faster_kernel_passes() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let fast: Vec<f64> = GETPPID.iter().map(|v| v / 2.0).collect();
    let b = write(dir.path(), "b.json", &run_json(&fast, &READ));
    let out = perf(&["compare", &a, &b]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn unreadable_input_is_an_error_not_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let bad = write(dir.path(), "bad.json", &json!({"not": "a run"}));
    assert_eq!(perf(&["compare", &a, &bad]).status.code(), Some(2));
    assert_eq!(
        perf(&["compare", &a, "/nonexistent.json"]).status.code(),
        Some(2)
    );
}

#[test]
fn show_prints_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &run_json(&GETPPID, &READ));
    let out = perf(&["show", "--markdown", &a]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // 10.0 / 0.24: the kernel is 41.7 times slower than native at getppid.
    assert!(
        text.contains("| syscall_getppid") && text.contains("x41.7"),
        "{text}"
    );
    assert!(
        text.contains("fork_exit_wait on kernel-1cpu: fork: ENOSYS"),
        "{text}"
    );
}
