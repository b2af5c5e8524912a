#!/usr/bin/env bash
# `nutorch nn fit` against the same PyTorch-Python loop, side by side on this machine, one torch
# thread each: examples/digits.nu (MLP and CNN on scikit-learn's digits, mini-batches of 32,
# AdamW, validation every epoch) against examples/digits_torch.py, which shares its split,
# initial weights and batches; then the step-by-step loop with nn objects (examples/bench_steps.nu).
# Runs alternate so both see the same load. Needs scripts/setup.sh done.
#   scripts/bench_fit.sh [RUNS] [DEVICE]      (default 3, cpu)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
runs="${1:-3}"
device="${2:-cpu}"
[ -x "$PLUGIN_BIN" ] || { echo "no release plugin: scripts/setup.sh" >&2; exit 1; }
scripts/register.sh >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
    "$TORCH_PY" examples/digits_torch.py --threads 1 --device "$device" | tail -n 1 \
        | "$TORCH_PY" -c 'import json,sys; d=json.load(sys.stdin); s, a = "seconds_per_epoch", "accuracy"; print("python  " + "  ".join("%s: %.1f ms/epoch acc %.4f" % (k, d[k][s] * 1e3, d[k][a]) for k in ("mlp", "cnn")))'
    scripts/nu examples/digits.nu --threads 1 --quiet --device "$device" --out "$out" | tail -n 1 \
        | "$TORCH_PY" -c 'import json,sys; d=json.load(sys.stdin); m, s, a = "model", "seconds_per_epoch", "accuracy"; print("nu      " + "  ".join("%s: %.1f ms/epoch acc %.4f" % (r[m], r[s] * 1e3, r[a]) for r in d))'
done
scripts/nu examples/bench_steps.nu
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
