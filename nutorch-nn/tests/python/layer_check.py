"""PyTorch's forward and backward of one layer (or model) spec, for the per-layer parity tests.

Usage: layer_check.py SPEC.json IN.safetensors OUT.safetensors train|eval
SPEC.json: {"spec": <layer spec>, "seed": <int or null>} (a bare layer spec is taken too, seed null).
IN: "input", "upstream" (the gradient to back-propagate) and the model's state dict under its own
names (a missing BatchNorm num_batches_tracked is allowed). The model is cast to the state's
floating dtype; a floating input to the model's.
Runs: model.train() or model.eval(); torch.manual_seed(seed) if seed is not null, right before
the forward; output = model(input); (output * upstream).sum().backward().
OUT: "output"; "grad.input" (floating input only); "grad.<param>" for each parameter (zeros when
no gradient reached it); "after.<buffer>" for each buffer after the forward (BatchNorm's
running_mean, running_var, num_batches_tracked).
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_model as tm  # noqa: E402


def main(argv):
    if len(argv) != 5 or argv[4] not in ("train", "eval"):
        sys.exit(__doc__)
    torch.set_num_threads(1)
    doc = tm.read_json(argv[1])
    spec, seed = (doc["spec"], doc.get("seed")) if "spec" in doc and "type" not in doc else (doc, None)
    tensors = tm.load_tensors(argv[2])
    model = tm.load_state(tm.build_model(spec), tensors)
    model.train(argv[4] == "train")
    x = tm.cast_like_model(model, tensors["input"]).detach().clone()
    if x.is_floating_point():
        x.requires_grad_(True)
    if seed is not None:
        torch.manual_seed(int(seed))
    out = model(x)
    upstream = tensors["upstream"].to(out.dtype)
    (out * upstream).sum().backward()
    result = {"output": out.detach().contiguous()}
    if x.is_floating_point():
        result["grad.input"] = x.grad.detach().contiguous()
    for name, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        result[f"grad.{name}"] = g.detach().contiguous().clone()
    for name, b in model.named_buffers():
        result[f"after.{name}"] = b.detach().contiguous().clone()
    save_file(result, argv[3])


if __name__ == "__main__":
    main(sys.argv)
