#!/usr/bin/env bash
# Proves the regression check end to end with a real slower build: the kernel built with
# the `syscall-delay` feature (20 µs spun in every syscall) against the normal build.
# Exits 0 when the comparison of the normal build with itself passes and the delayed
# build is reported as a regression in the syscall benchmarks.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=${TMPDIR:-/tmp}/perf-delay-check
mkdir -p "$work"
benches=syscall_getppid,pipe_roundtrip

cargo build --release --quiet --bin kernel
cargo build --release --quiet --bin kernel --features syscall-delay --target-dir "$work/target"

perf() { cargo run --quiet -p perf --release -- "$@"; }
perf run --no-uml --bench "$benches" --out "$work/a.json"
perf run --no-uml --bench "$benches" --out "$work/a2.json"
perf run --no-uml --bench "$benches" --kernel "$work/target/release/kernel" --out "$work/slow.json"

perf compare "$work/a.json" "$work/a2.json"
if perf compare "$work/a.json" "$work/slow.json"; then
    echo "delay-check: the delayed build was NOT reported as a regression" >&2
    exit 1
fi
echo "delay-check: ok (no regression against itself; the delayed build regressed)"
