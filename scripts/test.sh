#!/usr/bin/env bash
# The test command: installs what is missing (as setup.sh does, without the demo), then runs
# every test of the workspace. Extra arguments go to cargo test.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
scripts/prepare.sh
exec cargo test --workspace "$@"
