"""Golden values for the end-to-end tests of the seed's tensor session.

Run with the torch that scripts/prepare.sh installs:
    $NUTORCH_PYTHON scripts/gen_e2e_goldens.py > tests/golden/seed_session.json
Each case pairs the nu pipeline the test runs with what PyTorch gives for the same thing.
"""
import json
import torch

cases = []


def case(name, nu, value, dtype=None, shape=None):
    cases.append({"name": name, "nu": nu, "expected": value, "dtype": dtype, "shape": shape})


def t(name, nu, tensor):
    case(name, nu, tensor.tolist(), str(tensor.dtype).removeprefix("torch."), list(tensor.shape))


lin = torch.linspace(0.0, 1.57, 4)
t("seed_linspace", "nutorch linspace 0.0 1.57 4", lin)
t("seed_repeat_sin", "nutorch linspace 0.0 1.57 4 | nutorch repeat 3 | nutorch sin", lin.repeat(3).sin())
t("seed_repeat_2_2", "nutorch linspace 0.0 1.57 4 | nutorch repeat 2 2", lin.repeat(2, 2))
t("seed_repeat_3_1", "nutorch linspace 0 10 3 | nutorch repeat 3 1", torch.linspace(0, 10, 3).repeat(3, 1))
t("repeat_adds_leading_dims", "nutorch linspace 1 4 4 | nutorch repeat 2 2 2", torch.linspace(1, 4, 4).repeat(2, 2, 2))
for dtype in ["float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64"]:
    tensor = torch.linspace(0, 10, 5, dtype=getattr(torch, dtype))
    t(f"linspace_{dtype}", f"nutorch linspace 0 10 5 --dtype {dtype}", tensor)
t("linspace_negative_float", "nutorch linspace -1.5 2.25 7 --dtype float64", torch.linspace(-1.5, 2.25, 7, dtype=torch.float64))
t("linspace_zero_steps", "nutorch linspace 0 1 0", torch.linspace(0, 1, 0))
t("linspace_one_step", "nutorch linspace 3 5 1", torch.linspace(3, 5, 1))
t("sin_int_promotes", "nutorch fromvalue [[1 2] [3 4]] | nutorch sin", torch.tensor([[1, 2], [3, 4]]).sin())
t("sin_3d", "nutorch linspace -3 3 8 --dtype float64 | nutorch repeat 2 1 1 | nutorch sin", torch.linspace(-3, 3, 8, dtype=torch.float64).repeat(2, 1, 1).sin())
t("fromvalue_ints", "nutorch fromvalue [9223372036854775807 -9223372036854775808 0]", torch.tensor([9223372036854775807, -9223372036854775808, 0]))
t("fromvalue_mixed_float", "nutorch fromvalue [1 2.5]", torch.tensor([1, 2.5]))
t("fromvalue_bools", "nutorch fromvalue [[true false] [false true]]", torch.tensor([[True, False], [False, True]]))
t("fromvalue_scalar", "nutorch fromvalue 7", torch.tensor(7))
t("fromvalue_empty", "nutorch fromvalue []", torch.tensor([]))
t("fromvalue_float64", "nutorch fromvalue [0.1 0.2] --dtype float64", torch.tensor([0.1, 0.2], dtype=torch.float64))
t("fromvalue_bf16", "nutorch fromvalue [1.0 3.14159 -2.5e-3] --dtype bfloat16", torch.tensor([1.0, 3.14159, -2.5e-3], dtype=torch.bfloat16))
t("fromvalue_f16", "nutorch fromvalue [0.1 100000.0] --dtype float16", torch.tensor([0.1, 100000.0], dtype=torch.float16))
t("fromvalue_int_dtype_truncates", "nutorch fromvalue [1.7 -1.7] --dtype int32", torch.tensor([1.7, -1.7], dtype=torch.int32))
t("fromvalue_uint8", "nutorch fromvalue [0 255] --dtype uint8", torch.tensor([0, 255], dtype=torch.uint8))


def encode(v):
    """JSON has no inf/nan: encode them as strings."""
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)
    return v


for c in cases:
    c["expected"] = encode(c["expected"])
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
