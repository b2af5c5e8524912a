"""PyTorch's default initialisation of a model spec, for the init parity tests.

Usage: init_check.py SPEC.json OUT.safetensors SEED
SPEC.json: a layer/model spec (or {"spec": <spec>, ...}).
Runs torch.manual_seed(SEED); model = build_model(spec) and writes model.state_dict() under its
own names (parameters and buffers, float32; BatchNorm's num_batches_tracked int64).
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_model as tm  # noqa: E402


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    doc = tm.read_json(argv[1])
    spec = doc["spec"] if "spec" in doc and "type" not in doc else doc
    torch.manual_seed(int(argv[3]))
    model = tm.build_model(spec)
    save_file(tm.state_dict(model), argv[2])


if __name__ == "__main__":
    main(sys.argv)
