#!/usr/bin/env bash
# Training speed side by side, on this machine, one torch thread each:
#   - PyTorch-Python: the seed's simple_nn.py (its own timer: the training loop only);
#   - `nutorch nn train` from nu with the release plugin, timing the train call only
#     (same data, same torch.randn weights, same 1000 epochs of full-batch SGD; the loss
#     printed is the last epoch's, as the script prints it);
#   - the step-by-step examples/simple_nn.nu (one plugin call per op), in ms per epoch.
# Runs alternate so that both see the same machine load. Usage:
#   scripts/bench_nn.sh [RUNS]          (default 5; needs scripts/setup.sh done)
#   NUTORCH_REFERENCE=path/to/simple_nn.py scripts/bench_nn.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
runs="${1:-5}"
reference="${NUTORCH_REFERENCE:-$NUTORCH_ROOT/../shared/reference/simple_nn.py}"
[ -f "$reference" ] || { echo "no reference script at $reference (set NUTORCH_REFERENCE)" >&2; exit 1; }
[ -x "$PLUGIN_BIN" ] || { echo "no release plugin: cargo build --release -p nu_plugin_nutorch && scripts/register.sh" >&2; exit 1; }
scripts/register.sh >/dev/null

fused() {
    scripts/nu -c "
        let data = (nutorch blobs --n $1 --seed 42)
        let model = (nutorch nn simple-nn 2 20 3 --init randn)
        let start = (date now)
        let losses = (nutorch nn train \$model \$data.X \$data.y --epochs 1000 --lr 0.1 --record-every 1 --threads 1 --quiet)
        let s = (((date now) - \$start | into int) / 1e9)
        print \$'nutorch nn train: epochs=1000 n=$1 loss=(\$losses | last | get loss | math round --precision 4) train_s=(\$s | math round --precision 4) us_per_epoch=(\$s * 1e3 | math round --precision 1)'
    "
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 300 30000; do
    for _ in $(seq "$runs"); do
        echo -n "python  "; "$TORCH_PY" "$reference" 1000 "$n" 1
        echo -n "nu      "; fused "$n"
    done
done
echo "step by step (examples/simple_nn.nu, 300 epochs, n=300):"
for _ in $(seq "$runs"); do
    scripts/nu examples/simple_nn.nu --epochs 300 --record-every 1000 | tail -n 1
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
