#!/usr/bin/env bash
# On the GPU machine: the nu and plugin that scripts/gpu/pack_nu.sh packed, with the plugin
# registered in a config under /tmp and libtorch from the machine's torch. Arguments go to nu.
#
#   scripts/gpu/nu.sh [BUNDLE_DIR] -c 'nutorch devices'
#   scripts/gpu/nu.sh .device examples/digits.nu --device cuda --csv .device/digits.csv
#
# TORCH_LIB: libtorch's shared libraries (default: the GPU machine's
# /opt/torch/.venv/lib/python3.12/site-packages/torch/lib).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$here/.device"
if [ $# -gt 0 ] && [ -d "$1" ]; then bundle="$(cd "$1" && pwd)"; shift; fi
export LD_LIBRARY_PATH="${TORCH_LIB:-/opt/torch/.venv/lib/python3.12/site-packages/torch/lib}"
# NVLink multicast stays off on these machines.
export NCCL_NVLS_ENABLE=0
home=/tmp/nutorch-gpu-home
mkdir -p "$home/nushell"
[ -x "$home/nu" ] || { xz -dc "$bundle/nu.xz" > "$home/nu"; chmod +x "$home/nu"; }
[ -x "$home/nu_plugin_nutorch" ] || { xz -dc "$bundle/nu_plugin_nutorch.xz" > "$home/nu_plugin_nutorch"; chmod +x "$home/nu_plugin_nutorch"; }
export XDG_CONFIG_HOME="$home" NUTORCH_STORE_DIR="${NUTORCH_STORE_DIR:-$home/store}"
[ -f "$home/nushell/plugin.msgpackz" ] ||
  "$home/nu" --plugin-config "$home/nushell/plugin.msgpackz" -c "plugin add '$home/nu_plugin_nutorch'"
exec "$home/nu" --plugin-config "$home/nushell/plugin.msgpackz" "$@"
