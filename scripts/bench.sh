#!/usr/bin/env bash
# Benchmarks behind BENCHMARKS.md, side by side in one run on this machine.
# Needs scripts/setup.sh first (release plugin registered, torch venv).
#   scripts/bench.sh            # everything
#   scripts/bench.sh nn         # only the training comparisons
#   scripts/bench.sh values     # only tovalue/fromvalue against the protocol floor
#   scripts/bench.sh calls      # only the per-call cost of small commands against the call floor
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
what="${1:-all}"
export NUTORCH_STORE_DIR="$(mktemp -d)"
# The plugin writes its tensors as nu stops it: give it that moment before the store goes.
trap 'sleep 2; rm -rf "$NUTORCH_STORE_DIR"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo build --release -q -p nu_plugin_nutorch -p nutorch-examples --example train_blobs
cargo build --release -q -p nutorch-store --example store_bench
scripts/register.sh >/dev/null

if [ "$what" = all ] || [ "$what" = nn ]; then
  echo "== training the seed's network, 1 thread (PyTorch-Python vs nutorch-nn from Rust) =="
  for n in 300 30000; do
    "$TORCH_PY" "$NUTORCH_ROOT/../shared/reference/simple_nn.py" 1000 "$n" 1 | sed 's/^/python: /'
    target/release/examples/train_blobs --epochs 1000 --n "$n" --threads 1 --time --init randn | sed 's/^/rust:   /'
  done
  echo "== the same from nu: the fused command and the step-by-step script =="
  scripts/bench_nn.sh 3
  echo "== nn fit of users' models: digits MLP and CNN against the same PyTorch loop =="
  scripts/bench_fit.sh 3
fi

if [ "$what" = all ] || [ "$what" = store ]; then
  echo "== store: 1 GiB spill/reload next to dd, first access after restart =="
  target/release/examples/store_bench "$NUTORCH_ROOT/target" 1024
  echo "== plugin calls: floor, small ops, and the idle spill's cost to a burst =="
  scripts/nu examples/bench_calls.nu
fi

if [ "$what" = all ] || [ "$what" = calls ]; then
  echo "== per call: sin, add, tovalue of small tensors against nutorch version, interleaved medians =="
  scripts/nu examples/bench_per_call.nu --rounds 7 --calls 200
fi

if [ "$what" = all ] || [ "$what" = values ]; then
  echo "== tovalue / fromvalue against the protocol floor (nutorch protocol-floor), 10^2..10^7 elements =="
  scripts/nu examples/bench_values.nu target/bench
fi
