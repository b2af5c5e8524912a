"""Reference for the optimizer tests.

Usage: optim_steps.py OUT.safetensors [steps]
A Linear(4, 3) on 32 random points with F.cross_entropy; for each optimizer configuration the
parameters after each of `steps` steps of loss.backward(); opt.step(); opt.zero_grad().
"""
import sys
import torch
import torch.nn.functional as F
from torch import nn
from safetensors.torch import save_file

steps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.set_num_threads(1)
torch.manual_seed(1)
X = torch.randn(32, 4)
y = torch.randint(0, 3, (32,))
init = nn.Linear(4, 3)
result = {"X": X, "y": y, "init.weight": init.weight.detach().clone(), "init.bias": init.bias.detach().clone()}

configs = {
    "sgd_momentum_wd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
    "adam_wd": lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}
for name, make in configs.items():
    layer = nn.Linear(4, 3)
    with torch.no_grad():
        layer.weight.copy_(init.weight)
        layer.bias.copy_(init.bias)
    opt = make(layer.parameters())
    for step in range(1, steps + 1):
        loss = F.cross_entropy(layer(X), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        result[f"{name}.{step}.weight"] = layer.weight.detach().clone()
        result[f"{name}.{step}.bias"] = layer.bias.detach().clone()
save_file(result, sys.argv[1])
