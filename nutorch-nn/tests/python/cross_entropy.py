"""Reference for the cross-entropy test.

Usage: cross_entropy.py OUT.safetensors
Random float32 and float64 logits (few classes, and 40 classes) and int64 targets; F.cross_entropy's value and its gradient
with respect to the logits.
"""
import sys
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
result = {}
cases = [("f32", torch.float32, 64, 5), ("f64", torch.float64, 7, 3), ("wide", torch.float32, 50, 40)]
for name, dtype, n, c in cases:
    logits = (torch.randn(n, c, dtype=dtype) * 3).requires_grad_()
    targets = torch.randint(0, c, (n,))
    loss = F.cross_entropy(logits, targets)
    loss.backward()
    result[name + ".logits"] = logits.detach()
    result[name + ".targets"] = targets
    result[name + ".loss"] = loss.detach().reshape(1)
    result[name + ".grad"] = logits.grad
save_file(result, sys.argv[1])
