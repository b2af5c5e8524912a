"""PyTorch's own repr strings for the display tests.

Run with the torch that scripts/prepare.sh installs:
    $NUTORCH_PYTHON scripts/gen_repr_goldens.py > tests/golden/repr.json

Each case describes a tensor by how it is built (`spec`, which nutorch-core's test builds
with tch in the same steps) and, where nutorch's commands can build it, by the nu pipeline
(`nu`, which the end-to-end test runs); `repr` is what `repr(t)` gives in PyTorch.

spec: `data` (nested lists; "inf", "-inf", "nan", "-0.0" as strings) or `arange`
({n, scale, offset}: arange(n) * scale + offset in float64, then reshaped to `shape`);
`imag` (data of the same shape: complex(data, imag) in float64); the base tensor is int64
for integer data, bool for bools, float64 otherwise; then `dtype` (t.to(dtype)),
`requires_grad` (t.requires_grad_()) and `op` ("mul2": t * 2, "sum": t.sum(), "mean": t.mean()).
"""
import json
import math

import torch

SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan, "-0.0": -0.0}


def py_values(data):
    if isinstance(data, list):
        return [py_values(x) for x in data]
    return SPECIAL.get(data, data) if isinstance(data, str) else data


def leaves(data):
    if isinstance(data, list):
        for x in data:
            yield from leaves(x)
    else:
        yield data


def base_kind(data):
    values = list(leaves(data))
    if values and all(isinstance(v, bool) for v in values):
        return torch.bool
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return torch.int64
    return torch.float64


def build(spec):
    if "arange" in spec:
        a = spec["arange"]
        t = torch.arange(a["n"], dtype=torch.float64) * a["scale"] + a["offset"]
        t = t.reshape(spec["shape"])
    else:
        t = torch.tensor(py_values(spec["data"]), dtype=base_kind(spec["data"]))
        if "imag" in spec:
            t = torch.complex(t.double(), torch.tensor(py_values(spec["imag"]), dtype=torch.float64))
    if "dtype" in spec:
        t = t.to(getattr(torch, spec["dtype"]))
    if spec.get("requires_grad"):
        t.requires_grad_()
    op = spec.get("op")
    if op == "mul2":
        t = t * 2
    elif op == "sum":
        t = t.sum()
    elif op == "mean":
        t = t.mean()
    return t


def nu_literal(data):
    if isinstance(data, list):
        return "[" + " ".join(nu_literal(x) for x in data) + "]"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, str):
        return {"inf": "inf", "-inf": "-inf", "nan": "NaN", "-0.0": "-0.0"}[data]
    return repr(data).replace("e+", "e")


def nu_pipeline(spec):
    """The same steps as nutorch commands, or None where they have no counterpart."""
    if "imag" in spec:
        return None
    if "arange" in spec:
        a = spec["arange"]
        shape = " ".join(str(d) for d in spec["shape"])
        steps = [f"nutorch arange {a['n']} --dtype float64", f"nutorch mul {a['scale']!r}", f"nutorch add {a['offset']!r}",
                 f"nutorch reshape {shape}"]
    else:
        kind = base_kind(spec["data"])
        flag = " --dtype float64" if kind == torch.float64 else ""
        steps = [f"nutorch fromvalue {nu_literal(spec['data'])}{flag}"]
    if "dtype" in spec:
        steps.append(f"nutorch to --dtype {spec['dtype']}")
    if spec.get("requires_grad"):
        steps.append("nutorch requires_grad_")
    op = spec.get("op")
    if op == "mul2":
        steps.append("nutorch mul 2")
    elif op == "sum":
        steps.append("nutorch sum")
    elif op == "mean":
        steps.append("nutorch mean")
    return " | ".join(steps)


cases = []


def case(name, **spec):
    cases.append({"name": name, "spec": spec, "nu": nu_pipeline(spec), "repr": repr(build(spec))})


def grid(rows, cols, scale=1.0, offset=0.0):
    return [[offset + scale * (r * cols + c) for c in range(cols)] for r in range(rows)]


# 1-D, by dtype
case("float32_1d", data=[0.1, 1.5, -2.25], dtype="float32")
case("float32_ints", data=[0.0, 1.0, -3.0], dtype="float32")
case("float32_zeros_ones", data=[0.0, 1.0, 1.0, 0.0], dtype="float32")
case("float64_1d", data=[0.1, -2.5, 1e300])
case("float64_fixed", data=[3.14159265358979, 2.0, -1.0])
case("float16_1d", data=[0.1, 1.0, 65504.0], dtype="float16")
case("float16_small", data=[0.1, 0.2, 0.3], dtype="float16")
case("bfloat16_1d", data=[1.0, 3.14159, -0.0025], dtype="bfloat16")
case("bfloat16_fixed", data=[0.1, 1.0, 2.7182818], dtype="bfloat16")
case("int64_1d", data=[9223372036854775807, -9223372036854775808, 0])
case("int32_1d", data=[1, -20, 300], dtype="int32")
case("int16_1d", data=[-32768, 7], dtype="int16")
case("int8_1d", data=[-128, 0, 127], dtype="int8")
case("uint8_1d", data=[0, 255, 17], dtype="uint8")
case("bool_1d", data=[True, False, True])
case("bool_2d", data=[[True, False], [False, True]])
case("complex64_real", data=[[1.5, -2.0], [0.0, 4.0]], dtype="complex64")
case("complex64", data=[1.5, -0.0, 0.25], imag=[2.0, -1.0, -0.0], dtype="complex64")
case("complex128", data=[0.1, 1e5], imag=[-3.0, 2.5], dtype="complex128")
case("complex64_ints", data=[1.0, 2.0], imag=[3.0, -4.0], dtype="complex64")
# 2-D and 3-D
case("int64_2d", data=[[1, 2], [3, 4]])
case("float32_2d", data=grid(3, 4, 0.37, -1.0), dtype="float32")
case("float32_3d", data=[[[0.5, 1.0], [1.5, 2.0]], [[2.5, 3.0], [3.5, -4.0]]], dtype="float32")
case("float64_3d_ints", arange={"n": 24, "scale": 1.0, "offset": -12.0}, shape=[2, 3, 4])
case("int64_3d", data=[[[1, 2, 3]], [[4, 5, 6]]])
case("wide_row_wraps", arange={"n": 30, "scale": 0.123, "offset": 0.0}, shape=[30], dtype="float32")
case("wide_2d_wraps", arange={"n": 40, "scale": 1.5, "offset": -7.0}, shape=[2, 20], dtype="float32")
# Scientific notation: a ratio over 1000, values over 1e8 or under 1e-4
case("sci_ratio", data=[1.0, 2000.0], dtype="float32")
case("sci_large", data=[1e9, 2.0, 3.0], dtype="float32")
case("sci_small", data=[1e-5, 0.5], dtype="float32")
case("sci_float64", data=[1e-300, 1.0, 1e300])
case("sci_ints_large", data=[123456789.0, 1.0])
case("sci_2d", arange={"n": 6, "scale": 1e4, "offset": 1.0}, shape=[2, 3], dtype="float32")
# Non-finite values and negative zero
case("inf_nan", data=["inf", "-inf", "nan", 1.5], dtype="float32")
case("inf_nan_ints", data=["inf", "nan", 2.0], dtype="float32")
case("only_nan", data=["nan", "nan"], dtype="float32")
case("negative_zero", data=["-0.0", 1.0], dtype="float32")
case("negative_zero_fixed", data=["-0.0", 0.5], dtype="float32")
case("all_zero", data=[0.0, 0.0], dtype="float32")
case("sci_with_inf", data=["inf", 1e-6, 3.0], dtype="float32")
# 0-d and empty
case("scalar_float", data=3.5, dtype="float32")
case("scalar_int", data=7)
case("scalar_bool", data=False)
case("scalar_float64_sci", data=1e-10)
case("scalar_complex", data=1.0, imag=2.0, dtype="complex64")
case("scalar_nan", data="nan", dtype="float32")
case("empty_float32", data=[], dtype="float32")
case("empty_int64", data=[], dtype="int64")
case("empty_2d", arange={"n": 0, "scale": 1.0, "offset": 0.0}, shape=[0, 3], dtype="float32")
case("empty_2d_int32", arange={"n": 0, "scale": 1.0, "offset": 0.0}, shape=[3, 0], dtype="int32")
# Summarised past 1000 elements
case("summarised_2000", arange={"n": 2000, "scale": 1.0, "offset": 0.0}, shape=[2000], dtype="int64")
case("summarised_2000_float", arange={"n": 2000, "scale": 0.001, "offset": 0.0}, shape=[2000], dtype="float32")
case("summarised_1001", arange={"n": 1001, "scale": 1.0, "offset": 0.0}, shape=[1001], dtype="float32")
case("not_summarised_1000", arange={"n": 1000, "scale": 1.0, "offset": 0.0}, shape=[1000], dtype="int32")
case("summarised_2d", arange={"n": 10_000_000, "scale": 1.0, "offset": 0.0}, shape=[10000, 1000], dtype="float32")
case("summarised_3d", arange={"n": 8000, "scale": 0.5, "offset": -100.0}, shape=[20, 20, 20], dtype="float32")
case("summarised_short_rows", arange={"n": 4000, "scale": 1.0, "offset": 0.0}, shape=[1000, 4], dtype="int64")
case("summarised_bf16", arange={"n": 3000, "scale": 0.01, "offset": 0.0}, shape=[3, 1000], dtype="bfloat16")
case("summarised_bool", arange={"n": 1200, "scale": 0.0, "offset": 1.0}, shape=[1200], dtype="bool")
# Autograd
case("requires_grad_leaf", data=[1.0, 2.0], dtype="float32", requires_grad=True)
case("requires_grad_float64", data=[[1.0, 2.0]], requires_grad=True)
case("grad_fn_mul", data=[1.0, 2.0], dtype="float32", requires_grad=True, op="mul2")
case("grad_fn_sum", data=[[1.5, 2.5]], dtype="float32", requires_grad=True, op="sum")
case("grad_fn_mean", data=[[1.0, 2.0], [3.0, 5.0]], requires_grad=True, op="mean")
case("grad_fn_bf16", data=[0.1, 0.2], dtype="bfloat16", requires_grad=True, op="mul2")
case("grad_fn_wraps", arange={"n": 2000, "scale": 1.0, "offset": 0.0}, shape=[2000], dtype="float64",
     requires_grad=True, op="mul2")

print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
