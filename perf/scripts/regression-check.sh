#!/usr/bin/env bash
# End-to-end check of the regression detection: measure the kernel, measure a slower kernel
# binary, and expect `perf compare` to fail naming what got slower.
#
#   perf/scripts/regression-check.sh SLOW_KERNEL [BASE_KERNEL]
#
# SLOW_KERNEL: a kernel binary built with an artificial delay (or perf/scripts/hogged-kernel.sh).
# BASE_KERNEL: the reference binary (default: the workspace's, built by perf run).
# PERF_CHECK_BENCH: the benchmarks to run (default: the ones that work without fork).
# Exits 0 when the slower kernel was flagged, 1 when it was not.
set -euo pipefail
slow=${1:?usage: perf/scripts/regression-check.sh SLOW_KERNEL [BASE_KERNEL]}
base=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${PERF_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/perf-check.XXXXXX")}
mkdir -p "$out"
bench=${PERF_CHECK_BENCH:-syscall_getppid,anon_first_touch,file_read_seq,cpu_bound_ncpus1}
common=(--bench "$bench" --columns native-1cpu,kernel-1cpu,native,kernel --no-uml)

cd "$root"
perf() { cargo run -q -p perf --release -- "$@"; }
echo "== A: the reference kernel" >&2
perf run "${common[@]}" ${base:+--kernel "$base"} --out "$out/A.json" >"$out/A.txt"
echo "== A again: a run compared with itself must pass" >&2
perf compare "$out/A.json" "$out/A.json" >/dev/null
echo "== B: the slower kernel ($slow)" >&2
perf run "${common[@]}" --kernel "$slow" --out "$out/B.json" >"$out/B.txt"
echo "== perf compare A B" >&2
rc=0
perf compare "$out/A.json" "$out/B.json" || rc=$?
case $rc in
    1) echo "regression-check: ok: the slower kernel was flagged (results in $out)" >&2 ;;
    0) echo "regression-check: FAILED: the slower kernel was not flagged (results in $out)" >&2
       exit 1 ;;
    *) echo "regression-check: perf compare failed (exit $rc)" >&2
       exit "$rc" ;;
esac
