"""Reference for the model-file tests, both ways.

Usage: io_check.py RUST_MODEL.safetensors X.safetensors OUT_DIR
1. Reads the model file nutorch-nn's save_model wrote: safetensors.torch.load_file for the tensors,
   the architecture from its metadata ("nutorch.spec", a layer spec as JSON), builds the torch.nn
   model with torch_model.build_model and loads the tensors with load_state_dict(strict=True);
   writes model.eval()'s output on X["x"] to OUT_DIR/rust_model_outputs.safetensors ("output").
2. torch.manual_seed(5), a fresh torch.nn model of the same architecture, one train-mode forward on
   X["x"] without gradients (so that BatchNorm buffers move), then save_file(model.state_dict()) with
   no metadata to OUT_DIR/torch_model.safetensors and its eval-mode output on X["x"] to
   OUT_DIR/torch_model_outputs.safetensors ("output").
"""
import json
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_model as tm  # noqa: E402


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    model_path, x_path, out_dir = argv[1:4]
    x = tm.load_tensors(x_path)["x"]
    with safe_open(model_path, framework="pt") as f:
        meta = f.metadata()
    assert meta.get("format") == "pt", meta
    spec = json.loads(meta["nutorch.spec"])
    model = tm.build_model(spec)
    model.load_state_dict(load_file(model_path), strict=True)
    model.eval()
    with torch.no_grad():
        out = model(x)
    save_file({"output": out.contiguous()}, os.path.join(out_dir, "rust_model_outputs.safetensors"))

    torch.manual_seed(5)
    theirs = tm.build_model(spec)
    theirs.train()
    with torch.no_grad():
        theirs(x)
    save_file(tm.state_dict(theirs), os.path.join(out_dir, "torch_model.safetensors"))
    theirs.eval()
    with torch.no_grad():
        out = theirs(x)
    save_file({"output": out.contiguous()}, os.path.join(out_dir, "torch_model_outputs.safetensors"))


if __name__ == "__main__":
    main(sys.argv)
