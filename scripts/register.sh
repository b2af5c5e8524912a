#!/usr/bin/env bash
# Registers the built plugin in the isolated nu config under target/nu-home.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$NU_HOME/nushell"
[ -x "$PLUGIN_BIN" ] || { echo "no plugin at $PLUGIN_BIN: run scripts/setup.sh" >&2; exit 1; }
# No --no-config-file: with it, nu 0.115 ignores --plugin-config ("Plugin registry file not
# set"). XDG_CONFIG_HOME keeps the config isolated anyway.
XDG_CONFIG_HOME="$NU_HOME" "$NU_BIN" \
  --plugin-config "$NU_HOME/nushell/plugin.msgpackz" -c "plugin add '$PLUGIN_BIN'"
