#!/usr/bin/env python3
"""Golden cases for every op of nutorch's catalog, computed with PyTorch.

Run with the torch the setup installs:
    "$(grep NUTORCH_PYTHON .cargo/config.toml | cut -d'"' -f2)" scripts/gen_goldens.py
It writes nu_plugin_nutorch/tests/golden/ops.json: for each case the op, its arguments (by
PyTorch name; tensors as dtype, shape and flat values), and what PyTorch gives (values, dtype
and shape; a record or list of them; a plain value; an error; or, for random ops, shape, dtype
and range). JSON has no NaN or infinities: they are written as the strings "nan", "inf",
"-inf". nu_plugin_nutorch/tests/golden.rs replays every case through the plugin.
"""
import importlib
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import torch  # noqa: E402

from goldens import framework  # noqa: E402

MODULES = ["creation", "windows", "pointwise", "binary", "reduction", "shape", "indexing", "sorting", "linalg", "fft", "nn", "loss", "masked", "dtype_ops", "autograd", "inplace", "special"]


def main():
    torch.set_default_dtype(torch.float32)
    for name in MODULES:
        if (pathlib.Path(framework.__file__).parent / f"cases_{name}.py").exists():
            importlib.import_module(f"goldens.cases_{name}")
    cases, missing = framework.build()
    out = framework.ROOT / "nu_plugin_nutorch" / "tests" / "golden" / "ops.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"torch": torch.__version__, "cases": cases}, separators=(",", ":"), allow_nan=False)
    # One case per line keeps diffs readable.
    text = text.replace(',{"op":', ',\n{"op":')
    out.write_text(text + "\n")
    ops = {c["op"] for c in cases}
    print(f"{len(cases)} cases for {len(ops)} ops -> {out.relative_to(framework.ROOT)}")
    if missing:
        print(f"ops without cases ({len(missing)}): {' '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
