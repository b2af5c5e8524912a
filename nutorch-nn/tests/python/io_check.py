"""Reference for the save/load tests, both ways.

Usage: io_check.py RUST_MODEL.safetensors X.safetensors OUT_DIR
1. Reads the model nutorch-nn saved with safetensors.torch.load_file, builds a PyTorch
   SimpleNN from the sizes in its metadata, load_state_dict(strict=True), and writes its
   logits and predictions on X to OUT_DIR/rust_model_outputs.safetensors.
2. Writes a PyTorch SimpleNN(2, 7, 4) (seed 5) with save_file(state_dict) and no metadata to
   OUT_DIR/torch_model.safetensors, and its logits/predictions on X to
   OUT_DIR/torch_model_outputs.safetensors.
"""
import os
import sys
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from common import SimpleNN

model_path, x_path, out_dir = sys.argv[1:4]
X = load_file(x_path)["X"]

state = load_file(model_path)
with safe_open(model_path, framework="pt") as f:
    meta = f.metadata()
assert meta["kind"] == "SimpleNN", meta
model = SimpleNN(int(meta["input"]), int(meta["hidden"]), int(meta["output"]))
model.load_state_dict(state, strict=True)
with torch.no_grad():
    logits = model(X)
save_file({"logits": logits, "pred": logits.argmax(1)}, os.path.join(out_dir, "rust_model_outputs.safetensors"))

torch.manual_seed(5)
theirs = SimpleNN(2, 7, 4)
save_file(theirs.state_dict(), os.path.join(out_dir, "torch_model.safetensors"))
with torch.no_grad():
    logits = theirs(X)
save_file({"logits": logits, "pred": logits.argmax(1)}, os.path.join(out_dir, "torch_model_outputs.safetensors"))
