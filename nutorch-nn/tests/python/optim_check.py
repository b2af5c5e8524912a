"""PyTorch's optimizer (and scheduler) on a small model, full batch, for the optimizer parity tests.

Usage: optim_check.py CONFIG.json IN.safetensors OUT.safetensors
CONFIG: {"model": <spec>, "optimizer": <spec>, "loss": "mse"|"cross-entropy"|..., "loss_options": {}
(optional), "steps": 20, "scheduler": <spec or null>, "seed": <int or null> (optional: torch.manual_seed
before the first step, for Dropout)}.
IN: the model's state dict under its own names, "x", "y".
Runs `steps` times, in train mode: opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward();
opt.step(); scheduler.step() if a scheduler.
OUT: the final state dict (own names); "losses" float64 [steps] (the loss of each step, before its
update); "lrs" float64 [steps] (the learning rate each step used); and the optimizer's state after
the last step as "opt.<param name>.<key>" (momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq,
square_avg, grad_avg, step; step as a float32 scalar, as PyTorch keeps it).
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_model as tm  # noqa: E402


def optimizer_state(model, opt):
    out = {}
    for name, p in model.named_parameters():
        for key, v in opt.state.get(p, {}).items():
            if torch.is_tensor(v):
                out[f"opt.{name}.{key}"] = v.detach().contiguous().clone()
            elif v is not None:
                out[f"opt.{name}.{key}"] = torch.tensor(float(v))
    return out


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    cfg = tm.read_json(argv[1])
    tensors = tm.load_tensors(argv[2])
    model = tm.load_state(tm.build_model(cfg["model"]), tensors)
    model.train()
    x = tm.cast_like_model(model, tensors["x"])
    y = tm.cast_like_model(model, tensors["y"])
    opt = tm.build_optimizer(cfg["optimizer"], model.parameters())
    sched = tm.build_scheduler(cfg.get("scheduler"), opt)
    lf = tm.loss_fn(cfg.get("loss", "mse"), cfg.get("loss_options"))
    if cfg.get("seed") is not None:
        torch.manual_seed(int(cfg["seed"]))
    losses, lrs = [], []
    for _ in range(int(cfg.get("steps", 20))):
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        loss = lf(model(x), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    result = tm.state_dict(model)
    result["losses"] = tm.f64(losses)
    result["lrs"] = tm.f64(lrs)
    result.update(optimizer_state(model, opt))
    save_file(result, argv[3])


if __name__ == "__main__":
    main(sys.argv)
