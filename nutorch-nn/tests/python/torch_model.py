"""The PyTorch side of nutorch-nn's models: torch.nn models, optimizers, schedulers and losses built
from the same JSON specs the Rust side writes, and the fit loop nutorch-nn implements.

Spec forms (serde, tag "type"; a missing field takes PyTorch's default):
  {"type": "Linear", "in_features": 13, "out_features": 64, "bias": true}
  {"type": "Conv1d"|"Conv2d", "in_channels", "out_channels", "kernel_size": [3, 3], "stride": [1, 1],
   "padding": [1, 1], "dilation": [1, 1], "groups": 1, "bias": true}   (1 entry per list for Conv1d)
  {"type": "ConvTranspose2d", ... the same, "output_padding": [0, 0]}
  {"type": "MaxPool2d"|"AvgPool2d", "kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0]}
  {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]}
  {"type": "BatchNorm1d"|"BatchNorm2d", "num_features", "eps", "momentum", "affine", "track_running_stats"}
  {"type": "LayerNorm", "normalized_shape": [8], "eps", "elementwise_affine"}
  {"type": "GroupNorm", "num_groups", "num_channels", "eps", "affine"}
  {"type": "Dropout", "p": 0.5}   {"type": "Embedding", "num_embeddings", "embedding_dim", "padding_idx": null}
  {"type": "Flatten", "start_dim": 1, "end_dim": -1}
  {"type": "ReLU"} {"type": "LeakyReLU", "negative_slope"} {"type": "GELU", "approximate": "none"|"tanh"}
  {"type": "SiLU"} {"type": "Tanh"} {"type": "Sigmoid"} {"type": "Softmax", "dim": -1} {"type": "LogSoftmax", "dim": -1}
  {"type": "Sequential", "layers": [...]}          state-dict names "0.weight", nested "1.0.weight"
  {"type": "SimpleNN", "input", "hidden", "output"}  fc1 (Linear), relu, fc2 (Linear)
Optimizers: SGD, Adam, AdamW, RMSprop; schedulers: StepLR, CosineAnnealingLR (see build_optimizer,
build_scheduler). Losses by name: cross-entropy, nll, mse, l1, smooth-l1, huber, bce, bce-with-logits.

Import it by path from anywhere:
  spec = importlib.util.spec_from_file_location("torch_model", PATH); m = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(m)
"""
import json

import torch
import torch.nn.functional as F
from torch import nn

CLASSIFICATION_LOSSES = ("cross-entropy", "nll")


def _t(v):
    """A JSON list as a tuple (what torch.nn takes for sizes); ints, strings and None unchanged."""
    return tuple(v) if isinstance(v, (list, tuple)) else v


class SimpleNN(nn.Module):
    """nutorch-nn's SimpleNN: fc1 (Linear), ReLU, fc2 (Linear); names fc1.weight, fc1.bias, fc2.weight, fc2.bias."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def build_model(spec):
    """A torch.nn.Module for a layer/model spec (dict, or a JSON string); the same state-dict names
    as nutorch-nn. Parameters are initialised by torch.nn's defaults, drawing from the global RNG
    in construction order (the order of the layers)."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    t = spec["type"]
    g = spec.get
    if t == "Linear":
        return nn.Linear(spec["in_features"], spec["out_features"], bias=g("bias", True))
    if t in ("Conv1d", "Conv2d", "ConvTranspose2d"):
        one = 1 if t == "Conv1d" else (1, 1)
        zero = 0 if t == "Conv1d" else (0, 0)
        kw = dict(
            stride=_t(g("stride", one)),
            padding=_t(g("padding", zero)),
            dilation=_t(g("dilation", one)),
            groups=g("groups", 1),
            bias=g("bias", True),
        )
        cls = {"Conv1d": nn.Conv1d, "Conv2d": nn.Conv2d, "ConvTranspose2d": nn.ConvTranspose2d}[t]
        if t == "ConvTranspose2d":
            kw["output_padding"] = _t(g("output_padding", zero))
        return cls(spec["in_channels"], spec["out_channels"], _t(spec["kernel_size"]), **kw)
    if t in ("MaxPool2d", "AvgPool2d"):
        cls = nn.MaxPool2d if t == "MaxPool2d" else nn.AvgPool2d
        return cls(_t(spec["kernel_size"]), stride=_t(g("stride")), padding=_t(g("padding", 0)))
    if t == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(_t(spec["output_size"]))
    if t in ("BatchNorm1d", "BatchNorm2d"):
        cls = nn.BatchNorm1d if t == "BatchNorm1d" else nn.BatchNorm2d
        return cls(
            spec["num_features"],
            eps=g("eps", 1e-5),
            momentum=g("momentum", 0.1),
            affine=g("affine", True),
            track_running_stats=g("track_running_stats", True),
        )
    if t == "LayerNorm":
        return nn.LayerNorm(
            _t(spec["normalized_shape"]),
            eps=g("eps", 1e-5),
            elementwise_affine=g("elementwise_affine", True),
            bias=g("bias", True),
        )
    if t == "GroupNorm":
        return nn.GroupNorm(spec["num_groups"], spec["num_channels"], eps=g("eps", 1e-5), affine=g("affine", True))
    if t == "Dropout":
        return nn.Dropout(g("p", 0.5))
    if t == "Embedding":
        return nn.Embedding(spec["num_embeddings"], spec["embedding_dim"], padding_idx=g("padding_idx"))
    if t == "Flatten":
        return nn.Flatten(g("start_dim", 1), g("end_dim", -1))
    if t == "ReLU":
        return nn.ReLU()
    if t == "LeakyReLU":
        return nn.LeakyReLU(g("negative_slope", 0.01))
    if t == "GELU":
        return nn.GELU(approximate=g("approximate", "none"))
    if t == "SiLU":
        return nn.SiLU()
    if t == "Tanh":
        return nn.Tanh()
    if t == "Sigmoid":
        return nn.Sigmoid()
    if t == "Softmax":
        return nn.Softmax(dim=g("dim", -1))
    if t == "LogSoftmax":
        return nn.LogSoftmax(dim=g("dim", -1))
    if t == "Sequential":
        return nn.Sequential(*[build_model(layer) for layer in spec["layers"]])
    if t == "SimpleNN":
        return SimpleNN(spec["input"], spec["hidden"], spec["output"])
    raise ValueError(f"unknown layer type {t!r}")


def build_optimizer(spec, params):
    """A torch.optim optimizer for an optimizer spec; missing fields take PyTorch's defaults."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    t = spec["type"]
    g = spec.get
    params = list(params)
    if t == "SGD":
        return torch.optim.SGD(
            params,
            lr=g("lr", 1e-3),
            momentum=g("momentum", 0),
            dampening=g("dampening", 0),
            nesterov=g("nesterov", False),
            weight_decay=g("weight_decay", 0),
        )
    if t in ("Adam", "AdamW"):
        cls = torch.optim.Adam if t == "Adam" else torch.optim.AdamW
        return cls(
            params,
            lr=g("lr", 1e-3),
            betas=tuple(g("betas", (0.9, 0.999))),
            eps=g("eps", 1e-8),
            weight_decay=g("weight_decay", 0 if t == "Adam" else 1e-2),
            amsgrad=g("amsgrad", False),
        )
    if t == "RMSprop":
        return torch.optim.RMSprop(
            params,
            lr=g("lr", 1e-2),
            alpha=g("alpha", 0.99),
            eps=g("eps", 1e-8),
            weight_decay=g("weight_decay", 0),
            momentum=g("momentum", 0),
            centered=g("centered", False),
        )
    raise ValueError(f"unknown optimizer type {t!r}")


def build_scheduler(spec, opt):
    """A torch.optim.lr_scheduler for a scheduler spec, or None for None."""
    if spec is None:
        return None
    if isinstance(spec, str):
        spec = json.loads(spec)
    t = spec["type"]
    if t == "StepLR":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=spec["step_size"], gamma=spec.get("gamma", 0.1))
    if t == "CosineAnnealingLR":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=spec["T_max"], eta_min=spec.get("eta_min", 0))
    raise ValueError(f"unknown scheduler type {t!r}")


def loss_name(name):
    """The canonical loss name: lower case, '-' for '_' ("cross_entropy" -> "cross-entropy")."""
    if isinstance(name, dict):
        name = name.get("name", name.get("type"))
    return str(name).lower().replace("_", "-")


def loss_fn(name, options=None):
    """loss(output, target) -> scalar tensor (mean reduction) for a loss name and its options:
    cross-entropy (label_smoothing, weight), nll (weight), mse, l1, smooth-l1 (beta), huber (delta),
    bce (weight), bce-with-logits (weight, pos_weight). `name` may also be a dict {"name": ..., options}."""
    if isinstance(name, dict):
        options = {**{k: v for k, v in name.items() if k not in ("name", "type")}, **(options or {})}
    name = loss_name(name)
    o = dict(options or {})

    def tensor_opt(key, like):
        v = o.get(key)
        return None if v is None else torch.as_tensor(v, dtype=like.dtype, device=like.device)

    if name == "cross-entropy":
        return lambda out, y: F.cross_entropy(
            out, y, weight=tensor_opt("weight", out), label_smoothing=o.get("label_smoothing", 0.0)
        )
    if name == "nll":
        return lambda out, y: F.nll_loss(out, y, weight=tensor_opt("weight", out))
    if name == "mse":
        return lambda out, y: F.mse_loss(out, y)
    if name == "l1":
        return lambda out, y: F.l1_loss(out, y)
    if name == "smooth-l1":
        return lambda out, y: F.smooth_l1_loss(out, y, beta=o.get("beta", 1.0))
    if name == "huber":
        return lambda out, y: F.huber_loss(out, y, delta=o.get("delta", 1.0))
    if name == "bce":
        return lambda out, y: F.binary_cross_entropy(out, y, weight=tensor_opt("weight", out))
    if name == "bce-with-logits":
        return lambda out, y: F.binary_cross_entropy_with_logits(
            out, y, weight=tensor_opt("weight", out), pos_weight=tensor_opt("pos_weight", out)
        )
    raise ValueError(f"unknown loss {name!r}")


def fit(
    model,
    opt,
    X,
    y,
    loss="cross-entropy",
    loss_options=None,
    epochs=1,
    batch_size=32,
    shuffle=True,
    seed=None,
    scheduler=None,
    val_x=None,
    val_y=None,
    on_epoch=None,
):
    """nutorch-nn's fit loop, exactly:

    if seed is not None: torch.manual_seed(seed)            (once, at the start)
    each epoch:
      model.train()
      order = torch.randperm(N) if shuffle else torch.arange(N)
      batches of batch_size rows in that order, the last one smaller (batch_size None: one batch of N)
      per batch: out = model(X[idx]); l = loss(out, y[idx]); opt.zero_grad(); l.backward(); opt.step()
      loss = sum(l.item() * rows) / N                       (float64 sum over the batches)
      with validation data: model.eval(); with torch.no_grad(): out = model(val_x);
        val_loss = loss(out, val_y).item();
        val_accuracy = (out.argmax(1) == val_y).float().mean().item()   (cross-entropy and nll only)
      scheduler.step() if a scheduler
    Returns a list with one dict per epoch: {"epoch" (1-based), "loss", "lr" (the learning rate of
    the first parameter group during the epoch), and "val_loss", "val_accuracy" where computed}.
    `on_epoch(row)` is called after each epoch."""
    lf = loss if callable(loss) else loss_fn(loss, loss_options)
    classification = (not callable(loss)) and loss_name(loss) in CLASSIFICATION_LOSSES
    n = X.shape[0]
    bs = n if batch_size is None else int(batch_size)
    if bs <= 0:
        raise ValueError("batch_size must be positive")
    if seed is not None:
        torch.manual_seed(seed)
    history = []
    for epoch in range(1, epochs + 1):
        lr = opt.param_groups[0]["lr"]
        model.train()
        order = torch.randperm(n) if shuffle else torch.arange(n)
        total = 0.0
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            out = model(X[idx])
            l = lf(out, y[idx])
            opt.zero_grad()
            l.backward()
            opt.step()
            total += l.item() * idx.shape[0]
        row = {"epoch": epoch, "loss": total / n, "lr": lr}
        if val_x is not None and val_y is not None:
            model.eval()
            with torch.no_grad():
                out = model(val_x)
                row["val_loss"] = lf(out, val_y).item()
                if classification and not val_y.is_floating_point():
                    row["val_accuracy"] = (out.argmax(1) == val_y).float().mean().item()
        if scheduler is not None:
            scheduler.step()
        history.append(row)
        if on_epoch is not None:
            on_epoch(row)
    return history


# ---- helpers for the check scripts ---------------------------------------------------------------


def load_tensors(path):
    """A safetensors file's tensors as fresh (aligned, contiguous, writable) copies: tensors read by
    safetensors can sit at unaligned addresses, where CPU kernels may take other vector paths and
    round differently from tensors allocated by torch."""
    from safetensors.torch import load_file

    return {k: v.clone(memory_format=torch.contiguous_format) for k, v in load_file(path).items()}


def read_json(path):
    with open(path) as f:
        return json.load(f)


def state_dict(model, prefix=""):
    """The model's state dict as plain tensors (detached, contiguous copies; safetensors-ready)."""
    return {prefix + k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}


def load_state(model, tensors):
    """Loads the model's state from `tensors` (a dict that may hold other entries too): the model is
    first cast to the floating dtype found there, then loaded strictly, except that a missing
    BatchNorm `num_batches_tracked` is allowed (it stays 0)."""
    names = set(model.state_dict().keys())
    own = {k: v for k, v in tensors.items() if k in names}
    floating = [v.dtype for v in own.values() if v.is_floating_point()]
    if floating:
        model.to(floating[0])
    missing = [k for k in names - own.keys() if not k.endswith("num_batches_tracked")]
    if missing:
        raise KeyError(f"state dict lacks {sorted(missing)} (has {sorted(own)})")
    model.load_state_dict(own, strict=False)
    return model


def cast_like_model(model, t):
    """A floating tensor in the model's floating dtype; others unchanged."""
    if t is None or not t.is_floating_point():
        return t
    for p in list(model.parameters()) + list(model.buffers()):
        if p.is_floating_point():
            return t.to(p.dtype)
    return t


def f64(values):
    return torch.tensor([float("nan") if v is None else v for v in values], dtype=torch.float64)


__all__ = [
    "SimpleNN",
    "build_model",
    "build_optimizer",
    "build_scheduler",
    "loss_fn",
    "loss_name",
    "fit",
    "CLASSIFICATION_LOSSES",
    "load_tensors",
    "read_json",
    "state_dict",
    "load_state",
    "cast_like_model",
    "f64",
]
