#!/usr/bin/env bash
# Installs PyTorch (the libtorch nutorch links against, and the torch that makes golden values)
# into a virtual environment in the cache. Does nothing when it is already there.
set -euo pipefail
source "$(dirname "$0")/env.sh"
stamp="$TORCH_VENV/.nutorch-complete"
# expecttest: what torch.testing._internal (PyTorch's OpInfo sample inputs, which the OpInfo
# goldens replay) imports; added to venvs made before it was needed.
if [ -f "$stamp" ]; then
  "$TORCH_PY" -c "import expecttest" 2>/dev/null || "$TORCH_PY" -m pip install --quiet "expecttest==0.3.0"
  exit 0
fi
echo "installing torch==$TORCH_VERSION into $TORCH_VENV (about 4.6 GB, once)" >&2
rm -rf "$TORCH_VENV"
python3 -m venv "$TORCH_VENV"
"$TORCH_PY" -m pip install --quiet "torch==$TORCH_VERSION" numpy safetensors "expecttest==0.3.0"
"$TORCH_PY" -c "import torch; assert torch.__version__.startswith('$TORCH_VERSION'), torch.__version__"
touch "$stamp"
