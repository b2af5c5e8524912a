#!/usr/bin/env bash
# Packs the pinned nu, the release plugin (stripped) and the digits CSV, compressed, for the GPU
# machine, so that GPU runs go through the real nu as users' do. Needs scripts/setup.sh done.
#
#   scripts/gpu/pack_nu.sh [BUNDLE_DIR]     (default: .device in this checkout, ignored by git)
#
# Then, on the GPU machine: scripts/gpu/nu.sh [BUNDLE_DIR] -c '…' | file.nu [args]
set -euo pipefail
source "$(dirname "$0")/../env.sh"
bundle="${1:-$NUTORCH_ROOT/.device}"
mkdir -p "$bundle"
cd "$NUTORCH_ROOT"
cargo build --release -q -p nu_plugin_nutorch
real_nu="$(ls "$NU_PREFIX"/node_modules/@nushell/*/bin/nu | head -n1)"
xz -6 -c "$real_nu" > "$bundle/nu.xz"
strip -o "$bundle/nu_plugin_nutorch" target/release/nu_plugin_nutorch
xz -6 -f "$bundle/nu_plugin_nutorch"
cp "$("$NUTORCH_ROOT/scripts/fetch-digits.sh")" "$bundle/digits.csv"
du -sh "$bundle"/nu.xz "$bundle"/nu_plugin_nutorch.xz "$bundle"/digits.csv
