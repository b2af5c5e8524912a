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
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import torch  # noqa: E402

from goldens import framework  # noqa: E402

MODULES = ["creation", "windows", "pointwise", "binary", "reduction", "shape", "indexing", "sorting", "linalg", "fft", "nn", "loss", "masked", "dtype_ops", "autograd", "inplace", "special"]


# Dtypes whose every value (complex64: each part) is a float32: written with the fewest digits that give the same
# float32 back (0.65725565, not 0.6572556495666504), which keeps the file small.
SINGLE = {"float32", "float16", "bfloat16", "complex64"}


def shortest_f32(v):
    if not isinstance(v, float):
        return v
    exact = struct.pack("<f", v)
    for digits in range(6, 10):
        short = float(f"{v:.{digits}g}")
        if struct.pack("<f", short) == exact:
            return short
    return v


def shortest_floats(x):
    """x with the values of its float32 (and half precision) tensors written shortest."""
    if isinstance(x, dict):
        if x.get("dtype") in SINGLE and isinstance(x.get("values"), list):
            return {**x, "values": [shortest_f32(v) for v in x["values"]]}
        return {k: shortest_floats(v) for k, v in x.items()}
    if isinstance(x, list):
        return [shortest_floats(v) for v in x]
    return x


def main():
    torch.set_default_dtype(torch.float32)
    for name in MODULES:
        if (pathlib.Path(framework.__file__).parent / f"cases_{name}.py").exists():
            importlib.import_module(f"goldens.cases_{name}")
    cases, missing = framework.build()
    out = framework.ROOT / "nu_plugin_nutorch" / "tests" / "golden" / "ops.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"torch": torch.__version__, "cases": [shortest_floats(c) for c in cases]}, separators=(",", ":"), allow_nan=False)
    # One case per line keeps diffs readable.
    text = text.replace(',{"op":', ',\n{"op":')
    out.write_text(text + "\n")
    ops = {c["op"] for c in cases}
    print(f"{len(cases)} cases for {len(ops)} ops -> {out.relative_to(framework.ROOT)}")
    if missing:
        print(f"ops without cases ({len(missing)}): {' '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
