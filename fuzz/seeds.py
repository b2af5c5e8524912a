"""Writes the fuzz targets' seed inputs into fuzz/corpus/ (run once with the torch venv's
Python; the fuzzer grows the corpus from these)."""
import io
import os

import numpy as np
import torch
from safetensors.torch import save

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def npy(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


arrays = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
    "i64": np.array([1, -2, 3], dtype=np.int64),
    "bool": np.array([True, False]),
    "f16": np.array([0.5, 2.0], dtype=np.float16),
    "c64": np.array([1 + 2j], dtype=np.complex64),
    "fortran": np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
}
for name, a in arrays.items():
    put("load_file", f"npy_{name}", b"\x00" + npy(a))
b = io.BytesIO()
np.savez(b, x=arrays["f32"], y=arrays["i64"])
put("load_file", "npz", b"\x01" + b.getvalue())
tensors = {"w": torch.randn(3, 2), "b": torch.zeros(3, dtype=torch.bfloat16), "m": torch.tensor([True, False])}
put("load_file", "safetensors", b"\x02" + save(tensors))

meta = {"format": "nutorch-tensor-1", "dtype": "float32", "device": "cpu", "requires_grad": "false"}
put("store_reload", "float32", save({"data": torch.arange(4, dtype=torch.float32)}, metadata=meta))
put("store_reload", "grad", save({"data": torch.ones(2), "grad": torch.ones(2)}, metadata={**meta, "requires_grad": "true"}))

# fromvalue: first byte the dtype, then the value grammar of nu_plugin_nutorch::fuzzing.
put("fromvalue", "list", bytes([0, 5, 3, 0, 1, 0, 2, 0, 3]))
put("fromvalue", "nested", bytes([3, 5, 2, 5, 2, 0, 1, 0, 2, 5, 2, 0, 3, 0, 4]))
put("fromvalue", "table", bytes([0, 7, 2, 0, 0, 5, 1, 1, 0]))
put("fromvalue", "range", bytes([5, 8, 130, 1, 140, 1]))
