#!/usr/bin/env bash
# On the GPU machine: state that must survive a plugin restart on CUDA, through the real nu,
# next to PyTorch-Python without a restart: the CUDA generator's stream after manual_seed, and a
# view of a CUDA tensor still aliasing its base; then how a CUDA tensor displays.
#   scripts/gpu/restart_check.sh [BUNDLE_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$here/.device}"
python="${NUTORCH_PYTHON:-python3}"
echo "pytorch:"
"$python" -c '
import torch
torch.manual_seed(1)
a = torch.randn(3, device="cuda"); b = torch.randn(3, device="cuda")
x = torch.arange(6.0, device="cuda").reshape(2, 3); v = x.view(6); v.mul_(10)
print({"first": a.tolist(), "second": b.tolist(), "x": x.tolist()})
print(repr(x.T * 2))'
echo "nutorch (plugin stopped between the draws and before the in-place write):"
scripts/gpu/nu.sh "$bundle" -c '
nutorch manual_seed 1 | ignore
let first = (nutorch randn 3 --device cuda | nutorch tovalue)
let x = (nutorch arange 6 --dtype float32 --device cuda | nutorch reshape 2 3); let v = ($x | nutorch view 6)
let pid = (plugin list | where name == nutorch | get pid.0)
plugin stop nutorch
let second = (nutorch randn 3 --device cuda | nutorch tovalue)
$v | nutorch mul_ 10 | ignore
print ({first: $first, second: $second, x: ($x | nutorch tovalue), restarted: ($pid != (plugin list | where name == nutorch | get pid.0)), device: $x.device} | to json -r)
print ($x.T | nutorch mul 2)'
