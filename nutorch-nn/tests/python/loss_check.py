"""PyTorch's value and gradient of one loss, for the loss parity tests.

Usage: loss_check.py CONFIG.json IN.safetensors OUT.safetensors
CONFIG: {"loss": <name, as torch_model.loss_fn takes it>, "options": {...}} (label_smoothing, beta,
delta; "weight" as a list of numbers).
IN: "output" (floating), "target".
Runs loss = torch_model.loss_fn(name, options)(output, target); loss.backward().
OUT: "loss" (0-d, the output's dtype), "grad" (of the output).
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
    cfg = tm.read_json(argv[1])
    tensors = tm.load_tensors(argv[2])
    out = tensors["output"].detach().clone().requires_grad_(True)
    loss = tm.loss_fn(cfg["loss"], cfg.get("options"))(out, tensors["target"])
    loss.backward()
    save_file({"loss": loss.detach().contiguous(), "grad": out.grad.contiguous()}, argv[3])


if __name__ == "__main__":
    main(sys.argv)
