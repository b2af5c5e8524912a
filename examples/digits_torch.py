"""The PyTorch-Python counterpart of examples/digits.nu: scikit-learn's 8x8 digits, an MLP and a
small CNN trained with the same mini-batch loop as `nutorch nn fit` (torch_model.fit).

  $TORCH_PY examples/digits_torch.py [CSV] [--threads 1] [--mlp-epochs 30] [--cnn-epochs 30] [--lr 0.003]

CSV: default $NUTORCH_CACHE/data/digits.csv, else ~/.cache/nutorch/data/digits.csv (written by
scripts/fetch-digits.sh: header p0..p63,label; a CSV without the header is read too).

The definitions digits.nu follows:
  X = pixels / 16 (float32 [1797, 64]); y = label (int64 [1797])
  split: torch.manual_seed(0); perm = torch.randperm(1797); test = perm[:359] (int(0.2 * 1797)),
         train = perm[359:], rows taken in perm order (X[perm[...]])
  MLP: torch.manual_seed(0), then Sequential(Linear(64, 64), ReLU, Linear(64, 10)) on X
  CNN: torch.manual_seed(0), then Sequential(Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2),
       Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(128, 64), ReLU,
       Linear(64, 10)) on X.reshape(N, 1, 8, 8)
  each: AdamW(lr 0.003, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01), cross-entropy,
        fit(epochs, batch_size 32, shuffle, seed 0, validation = the test set)
  accuracy: model.eval(); (model(X_test).argmax(1) == y_test).float().mean()
  seconds_per_epoch: wall time of fit (validation included) / epochs
Prints one row per epoch, then one JSON line:
  {"mlp": {"accuracy", "seconds_per_epoch", "epochs", "loss", "val_loss", "losses"}, "cnn": {...}, "threads", "n_train", "n_test"}
"""
import argparse
import csv
import importlib.util
import json
import os
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "torch_model", os.path.join(HERE, "..", "nutorch-nn", "tests", "python", "torch_model.py")
)
tm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tm)

MLP = {
    "type": "Sequential",
    "layers": [
        {"type": "Linear", "in_features": 64, "out_features": 64, "bias": True},
        {"type": "ReLU"},
        {"type": "Linear", "in_features": 64, "out_features": 10, "bias": True},
    ],
}


def conv(i, o):
    return {
        "type": "Conv2d", "in_channels": i, "out_channels": o, "kernel_size": [3, 3], "stride": [1, 1],
        "padding": [1, 1], "dilation": [1, 1], "groups": 1, "bias": True,
    }


POOL = {"type": "MaxPool2d", "kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0]}
CNN = {
    "type": "Sequential",
    "layers": [
        conv(1, 16), {"type": "ReLU"}, POOL,
        conv(16, 32), {"type": "ReLU"}, POOL,
        {"type": "Flatten", "start_dim": 1, "end_dim": -1},
        {"type": "Linear", "in_features": 32 * 2 * 2, "out_features": 64, "bias": True},
        {"type": "ReLU"},
        {"type": "Linear", "in_features": 64, "out_features": 10, "bias": True},
    ],
}


def default_csv():
    cache = os.environ.get("NUTORCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nutorch"
    )
    return os.path.join(cache, "data", "digits.csv")


def read_digits(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    if rows and rows[0][0].strip() == "p0":
        rows = rows[1:]
    data = torch.tensor([[float(v) for v in r] for r in rows], dtype=torch.float64)
    X = (data[:, :64] / 16).to(torch.float32)
    y = data[:, 64].to(torch.int64)
    return X, y


def train(name, spec, Xtr, ytr, Xte, yte, epochs, lr, batch_size, device="cpu"):
    torch.manual_seed(0)
    model = tm.build_model(spec).to(device)
    Xtr, ytr, Xte, yte = Xtr.to(device), ytr.to(device), Xte.to(device), yte.to(device)
    opt = tm.build_optimizer({"type": "AdamW", "lr": lr, "weight_decay": 0.01}, model.parameters())

    def show(row):
        print(
            f"{name} epoch {row['epoch']:3d}  loss {row['loss']:.6f}  val_loss {row['val_loss']:.6f}"
            f"  val_accuracy {row['val_accuracy']:.4f}",
            flush=True,
        )

    t0 = time.perf_counter()
    history = tm.fit(
        model, opt, Xtr, ytr, loss="cross-entropy", epochs=epochs, batch_size=batch_size, shuffle=True,
        seed=0, val_x=Xte, val_y=yte, on_epoch=show,
    )
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    return {
        "accuracy": acc,
        "seconds_per_epoch": seconds / epochs,
        "epochs": epochs,
        "loss": history[-1]["loss"],
        "val_loss": history[-1]["val_loss"],
        "losses": [row["loss"] for row in history],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", default=default_csv())
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mlp-epochs", type=int, default=30)
    ap.add_argument("--cnn-epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    X, y = read_digits(args.csv)
    n = X.shape[0]
    torch.manual_seed(0)
    perm = torch.randperm(n)
    n_test = int(0.2 * n)
    test, tr = perm[:n_test], perm[n_test:]
    Xtr, ytr, Xte, yte = X[tr], y[tr], X[test], y[test]

    summary = {"threads": args.threads, "device": args.device, "n_train": int(tr.shape[0]), "n_test": n_test}
    summary["mlp"] = train("mlp", MLP, Xtr, ytr, Xte, yte, args.mlp_epochs, args.lr, args.batch_size, args.device)
    img = lambda t: t.reshape(-1, 1, 8, 8)  # noqa: E731
    summary["cnn"] = train("cnn", CNN, img(Xtr), ytr, img(Xte), yte, args.cnn_epochs, args.lr, args.batch_size, args.device)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
