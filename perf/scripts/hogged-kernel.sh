#!/bin/sh
# A stand-in for "a slower kernel", for trying the regression check without a patched build:
# runs the kernel named by $PERF_REAL_KERNEL (default: the workspace's release build) with a
# busy loop beside it on the same CPUs, so every benchmark in it gets roughly half the CPU.
# perf runs each launch in its own process group and kills the group when the kernel is done,
# which takes the busy loop with it.
#
#   cargo run -p perf --release -- run --kernel perf/scripts/hogged-kernel.sh ...
here=$(cd "$(dirname "$0")" && pwd)
kernel=${PERF_REAL_KERNEL:-${CARGO_TARGET_DIR:-$here/../../target}/release/kernel}
sh -c 'while :; do :; done' &
exec "$kernel" "$@"
