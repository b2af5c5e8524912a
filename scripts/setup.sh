#!/usr/bin/env bash
# One command from a fresh clone to the main job: installs what is missing (PyTorch into a
# cache outside the clone, the pinned nu), builds the plugin (release), registers it in an
# isolated nu config (never your ~/.config/nushell), then runs the demo through nu.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
scripts/prepare.sh
echo "building nu_plugin_nutorch (release)" >&2
cargo build --release -p nu_plugin_nutorch
scripts/register.sh
echo "running the demo: scripts/nu examples/demo.nu $*" >&2
exec scripts/nu examples/demo.nu "$@"
