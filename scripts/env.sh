# Shared locations for nutorch's scripts. Source it; it only sets variables.
# The cache lives outside the clone so later clones and CI runs reuse it.
NUTORCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NUTORCH_CACHE="${NUTORCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutorch}"
TORCH_VERSION=2.11.0
NU_VERSION=0.115.1
# Python virtual environment holding PyTorch (libtorch for the build, torch for goldens).
TORCH_VENV="$NUTORCH_CACHE/torch-$TORCH_VERSION"
TORCH_PY="$TORCH_VENV/bin/python"
# The pinned nu from the npm registry.
NU_PREFIX="$NUTORCH_CACHE/nu-$NU_VERSION"
NU_BIN="$NU_PREFIX/node_modules/.bin/nu"
# Isolated nu config: never the user's ~/.config/nushell.
NU_HOME="$NUTORCH_ROOT/target/nu-home"
PLUGIN_BIN="$NUTORCH_ROOT/target/release/nu_plugin_nutorch"
export NUTORCH_ROOT NUTORCH_CACHE TORCH_VERSION NU_VERSION TORCH_VENV TORCH_PY NU_PREFIX NU_BIN NU_HOME PLUGIN_BIN
