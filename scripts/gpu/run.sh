#!/usr/bin/env bash
# On the GPU machine: runs the packed test binaries with the device set to CUDA.
# The binaries look for their data (goldens, Python helpers) under the path they were built
# at, so that path is linked to this checkout first.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
built_at="${NUTORCH_BUILT_AT:-/work/main}"
if [ "$here" != "$built_at" ] && [ ! -e "$built_at" ]; then mkdir -p "$(dirname "$built_at")"; ln -s "$here" "$built_at"; fi
export LD_LIBRARY_PATH="${TORCH_LIB:-/opt/torch/.venv/lib/python3.12/site-packages/torch/lib}"
export NUTORCH_TEST_DEVICE="${NUTORCH_TEST_DEVICE:-cuda}"
export NUTORCH_PYTHON="${NUTORCH_PYTHON:-python3}"
[ -d "$here/.device/bin" ] || tar -C "$here/.device" -xJf "$here/.device/bins.tar.xz"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
status=0
while read -r name manifest; do
  dir="$(dirname "$manifest")"
  echo "=== $name (in $dir)"
  (cd "$dir" && "$here/.device/bin/$name" --test-threads 4) || status=1
done < "$here/.device/manifest"
exit $status
