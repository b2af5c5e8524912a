"""PyTorch's run of nutorch-nn's fit loop (torch_model.fit), for the mini-batch parity tests.

Usage: fit_check.py CONFIG.json IN.safetensors OUT.safetensors
CONFIG: {"model": <spec>, "optimizer": <spec>, "loss": "cross-entropy"|..., "loss_options": {}
(optional), "epochs": 5, "batch_size": 32 (null: full batch), "shuffle": true, "seed": 0 or null,
"scheduler": <spec or null>}.
IN: the model's state dict under its own names, "x", "y", optional "val_x", "val_y".
OUT: "loss" float64 [epochs]; "val_loss" float64 [epochs] and, for cross-entropy/nll,
"val_accuracy" float64 [epochs] when validation data was given; "lr" float64 [epochs] (the
learning rate during each epoch); the final state dict (own names).
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
    model = tm.load_state(tm.build_model(cfg["model"]), tensors)
    x = tm.cast_like_model(model, tensors["x"])
    y = tm.cast_like_model(model, tensors["y"])
    vx = tm.cast_like_model(model, tensors.get("val_x"))
    vy = tm.cast_like_model(model, tensors.get("val_y"))
    opt = tm.build_optimizer(cfg["optimizer"], model.parameters())
    sched = tm.build_scheduler(cfg.get("scheduler"), opt)
    history = tm.fit(
        model,
        opt,
        x,
        y,
        loss=cfg.get("loss", "cross-entropy"),
        loss_options=cfg.get("loss_options"),
        epochs=int(cfg.get("epochs", 1)),
        batch_size=cfg.get("batch_size", 32),
        shuffle=bool(cfg.get("shuffle", True)),
        seed=cfg.get("seed"),
        scheduler=sched,
        val_x=vx,
        val_y=vy,
    )
    result = tm.state_dict(model)
    result["loss"] = tm.f64([r["loss"] for r in history])
    result["lr"] = tm.f64([r["lr"] for r in history])
    for key in ("val_loss", "val_accuracy"):
        if history and key in history[0]:
            result[key] = tm.f64([r[key] for r in history])
    save_file(result, argv[3])


if __name__ == "__main__":
    main(sys.argv)
