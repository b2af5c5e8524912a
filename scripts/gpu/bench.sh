#!/usr/bin/env bash
# On the GPU machine: the GPU rows of BENCHMARKS.md, nutorch through the real nu next to
# PyTorch-Python, alternating, in one run. Needs the bundle of scripts/gpu/pack_nu.sh.
#   scripts/gpu/bench.sh [BUNDLE_DIR] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$here/.device}"
runs="${2:-1}"
python="${NUTORCH_PYTHON:-python3}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$python" -c 'import torch; print("torch", torch.__version__)'
cd "$here"
for _ in $(seq "$runs"); do
    "$python" examples/bench_gpu.py cuda
    scripts/gpu/nu.sh "$bundle" examples/bench_gpu.nu --device cuda
    NUTORCH_CUDA_GRAPHS=0 scripts/gpu/nu.sh "$bundle" examples/bench_gpu.nu --device cuda --only-training
done
echo "per call on CUDA tensors against the bare call floor:"
scripts/gpu/nu.sh "$bundle" examples/bench_per_call.nu --device cuda --rounds 7 --calls 200
echo "digits MLP and CNN, nn fit against the same PyTorch loop (30 epochs each):"
"$python" examples/digits_torch.py "$bundle/digits.csv" --device cuda 2>&1 | tail -n 4
scripts/gpu/nu.sh "$bundle" examples/digits.nu --device cuda --csv "$bundle/digits.csv" --out /tmp/digits --quiet 2>&1 | head -n 8
