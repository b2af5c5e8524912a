#!/usr/bin/env bash
# On the GPU machine: runs the test binaries that scripts/gpu/pack.sh packed, on CUDA.
#
#   scripts/gpu/run.sh [BUNDLE_DIR] [TORCH_LIB]
#
# BUNDLE_DIR: what pack.sh wrote (default: .device in this checkout). TORCH_LIB: the directory
# holding libtorch's shared libraries (default: $TORCH_LIB, else the GPU machine's
# /opt/torch/.venv/lib/python3.12/site-packages/torch/lib).
# The binaries look for their data (goldens, Python helpers) under the path they were built
# at (BUNDLE_DIR/built_at), so that path is linked to this checkout first when it is absent.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$(cd "${1:-$here/.device}" && pwd)" || exit 2
torch_lib="${2:-${TORCH_LIB:-/opt/torch/.venv/lib/python3.12/site-packages/torch/lib}}"
built_at="$(cat "$bundle/built_at")"
if [ "$here" != "$built_at" ] && [ ! -e "$built_at" ]; then mkdir -p "$(dirname "$built_at")"; ln -s "$here" "$built_at"; fi
export LD_LIBRARY_PATH="$torch_lib"
export NUTORCH_TEST_DEVICE="${NUTORCH_TEST_DEVICE:-cuda}"
export NUTORCH_PYTHON="${NUTORCH_PYTHON:-python3}"
[ -d "$bundle/bin" ] || tar -C "$bundle" -xJf "$bundle/bins.tar.xz"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
status=0
while read -r name crate_dir; do
  echo "=== $name (in $crate_dir)"
  (cd "$here/$crate_dir" && "$bundle/bin/$name" --test-threads 4) || status=1
done < "$bundle/manifest"
exit $status
