#!/usr/bin/env bash
# Installs the pinned nu binary from the npm registry into the cache, once.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -x "$NU_BIN" ] && "$NU_BIN" --version | grep -qx "$NU_VERSION"; then exit 0; fi
echo "installing nushell@$NU_VERSION into $NU_PREFIX" >&2
mkdir -p "$NU_PREFIX"
npm install --silent --prefix "$NU_PREFIX" "nushell@$NU_VERSION" >&2
"$NU_BIN" --version | grep -qx "$NU_VERSION"
