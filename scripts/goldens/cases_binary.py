"""Binary arithmetic, comparison, logical and bitwise ops."""
import torch

from .framework import B, I, P, R, SPECIAL, T, case, own_inputs

f64 = torch.float64

ARITH_N = "add sub subtract mul multiply true_divide floor_divide remainder fmod copysign xlogy".split()
COMPARE = "eq ne lt le gt ge greater greater_equal less less_equal not_equal".split()

for op in ARITH_N + COMPARE + ["div", "divide"]:
    nonzero = op in ("floor_divide", "remainder", "fmod", "true_divide", "div", "divide")
    other = (lambda *s, **k: P(*s, **k) + 0.5) if nonzero else R
    case(op, input=R(2, 3), other=other(2, 3))
    case(op, input=R(2, 3, dtype=f64), other=other(3, dtype=f64))  # broadcasting
    case(op, input=R(3, 1), other=other(1, 4))
    case(op, input=R(3), other=2.5)
    case(op, input=R(3), other=other(2), err=True)  # shapes do not broadcast
    case(op, input=R(0, 3), other=other(3))
    case(op, input=SPECIAL, other=SPECIAL.flip(0))
    if op not in ("xlogy", "true_divide", "copysign"):
        case(op, input=I(2, 3), other=I(2, 3, lo=1, hi=5))
        case(op, input=I(4), other=3)
    case(op, input=I(4, dtype=torch.int32), other=1.5)  # float scalar promotes int to float32
    case(op, input=R(4, dtype=torch.float16), other=R(4, dtype=torch.float16) + 3, rtol=1e-3, atol=1e-3)

case("add", input=R(2, 3), other=R(2, 3), alpha=2)
case("add", input=I(3), other=I(3), alpha=-3)
case("add", input=R(3, dtype=f64), other=1.5, alpha=2)
case("add", input=B(4), other=B(4))
case("add", input=T([1, 100], dtype=torch.int8), other=1000)  # wraps, as PyTorch does
case("add", input=T([1.0], dtype=torch.float16), other=1e5)
case("sub", input=R(2, 3), other=R(3), alpha=0.5)
case("sub", input=I(3), other=2, alpha=2)
case("sub", input=B(2), other=B(2), err=True)
case("subtract", input=R(2), other=R(2), alpha=3)
case("rsub", input=R(2, 3), other=R(2, 3))
case("rsub", input=R(3), other=5.0, alpha=2)
case("rsub", input=I(3), other=10)
case("rsub", input=R(3, dtype=f64), other=R(3, dtype=f64), alpha=0.5)
for op in ["div", "divide"]:
    for mode in ["trunc", "floor"]:
        case(op, input=R(2, 3) * 5, other=R(2, 3) + 2.5, rounding_mode=mode)
        case(op, input=I(6), other=T([2, -2, 3, -3, 4, 7]), rounding_mode=mode)
        case(op, input=I(4), other=-2, rounding_mode=mode)
        case(op, input=R(4, dtype=f64) * 7, other=1.5, rounding_mode=mode)
    case(op, input=I(3), other=T([1, 0, 2]), rounding_mode="floor", err="ZeroDivisionError", cpu_only=True)
    case(op, input=R(3), other=2.0, rounding_mode="round", err="rounding-mode")
for op in ["pow", "float_power"]:
    case(op, input=P(2, 3), exponent=R(2, 3))
    case(op, input=R(4, dtype=f64), exponent=2)
    case(op, input=I(4), exponent=3)
    case(op, input=I(4, lo=1, hi=4), exponent=0.5)
    case(op, input=P(3), exponent=T([1.0, 2.0, -1.0]))
    case(op, input=SPECIAL, exponent=2.0)
case("pow", input=I(3, lo=1, hi=4), exponent=-1, err=True)
for op in ["atan2", "arctan2", "maximum", "minimum", "fmax", "fmin", "hypot", "nextafter", "logaddexp", "logaddexp2"]:
    case(op, input=R(2, 3), other=R(2, 3))
    case(op, input=R(2, 3, dtype=f64), other=R(3, dtype=f64))
    case(op, input=SPECIAL, other=SPECIAL.flip(0))
    case(op, input=R(2), other=R(3), err=True)
    case(op, input=R(0), other=R(1))
case("maximum", input=I(5), other=I(5))
case("minimum", input=B(4), other=B(4))
case("ldexp", input=R(2, 3), other=I(2, 3))
case("ldexp", input=R(4, dtype=f64), other=T([0, 1, -1, 3]))
case("heaviside", input=R(2, 3), values=T([0.5]))
case("heaviside", input=T([-1.0, 0.0, 0.0, 2.0]), values=T([0.1, 0.2, 0.3, 0.4]))
case("heaviside", input=I(4), values=T([1]))
for op in ["gcd", "lcm"]:
    case(op, input=I(2, 3, lo=-20, hi=20), other=I(2, 3, lo=-20, hi=20))
    case(op, input=I(4, lo=0, hi=30, dtype=torch.int32), other=T([4, 6, 0, 9], dtype=torch.int32))
    case(op, input=R(3), other=R(3), err=True)
case("lerp", input=R(2, 3), end=R(2, 3), weight=0.25)
case("lerp", input=R(2, 3, dtype=f64), end=R(3, dtype=f64), weight=R(2, 3, dtype=f64))
case("lerp", input=R(3), end=R(3), weight=1.5)
for op in ["addcmul", "addcdiv"]:
    case(op, input=R(2, 3), tensor1=R(2, 3), tensor2=P(2, 3))
    case(op, input=R(3, dtype=f64), tensor1=R(2, 3, dtype=f64), tensor2=P(3, dtype=f64), value=0.5)
    case(op, input=R(3), tensor1=R(3), tensor2=P(3), value=-2)
for op in ["clamp", "clip"]:
    case(op, input=R(2, 3), min=-0.5, max=0.5)
    case(op, input=R(4, dtype=f64), min=0.0)
    case(op, input=I(6), max=2)
    case(op, input=I(6), min=-1, max=1)
    case(op, input=R(2, 3), min=R(2, 3) - 1, max=R(3) + 1)
    case(op, input=R(3), min=R(3))
    case(op, input=SPECIAL, min=-1.0, max=1.0)
    case(op, input=R(3), min=1.0, max=-1.0)  # min > max: all max, as torch
    case(op, input=R(3), err="--min")
    case(op, input=T([1, 2], dtype=torch.int8), max=1000, err="overflow")
case("clamp_min", input=R(2, 3), min=0.0)
case("clamp_min", input=I(4), min=T([0, 1, 2, 3]))
case("clamp_max", input=R(2, 3, dtype=f64), max=0.5)
case("clamp_max", input=R(4), max=R(4))

case("equal", input=T([1, 2]), other=T([1, 2]))
case("equal", input=T([1, 2]), other=T([1, 3]))
case("equal", input=R(2, 2), other=R(2))
case("allclose", input=T([1.0, 2.0]), other=T([1.0, 2.000001]))
case("allclose", input=T([1.0, 2.0]), other=T([1.0, 2.1]))
case("allclose", input=T([1.0, float("nan")]), other=T([1.0, float("nan")]), equal_nan=True)
case("allclose", input=T([1.0, 2.0]), other=T([1.0, 2.1]), rtol=0.1, atol=0.0)
case("isclose", input=R(2, 3), other=R(2, 3))
case("isclose", input=T([1.0, 2.0, float("nan")]), other=T([1.0, 2.01, float("nan")]), atol=0.05, equal_nan=True)
case("isclose", input=I(3), other=I(3))
case("isin", elements=I(2, 3), test_elements=T([0, 1, 2]))
case("isin", elements=I(5), test_elements=2)
case("isin", elements=R(4), test_elements=R(2), invert=True)
case("isin", elements=I(6), test_elements=T([1, 3]), assume_unique=True)
for op in ["logical_and", "logical_or", "logical_xor"]:
    case(op, input=B(2, 3), other=B(2, 3))
    case(op, input=I(4, lo=0, hi=3), other=R(4))
    case(op, input=B(2, 1), other=B(3))
    case(op, input=B(2), other=B(3), err=True)
case("logical_not", input=B(2, 3))
case("logical_not", input=T([0.0, 1.5, float("nan")]))
case("logical_not", input=I(5, lo=-1, hi=2))
case("logical_not", input=R(0))
for op in ["bitwise_and", "bitwise_or", "bitwise_xor"]:
    case(op, input=I(2, 3, lo=-20, hi=20), other=I(2, 3, lo=-20, hi=20))
    case(op, input=I(4, lo=0, hi=255, dtype=torch.uint8), other=T([1, 2, 4, 8], dtype=torch.uint8))
    case(op, input=B(4), other=B(4))
    case(op, input=I(3), other=6)
    case(op, input=R(3), other=R(3), err=True)
case("bitwise_not", input=I(2, 3))
case("bitwise_not", input=T([0, 255], dtype=torch.uint8))
case("bitwise_not", input=R(2), err=True)
for op in ["bitwise_left_shift", "bitwise_right_shift"]:
    case(op, input=I(2, 3, lo=-20, hi=20), other=I(2, 3, lo=0, hi=4))
    case(op, input=I(4, dtype=torch.int32), other=2)
    case(op, input=T([1, 128], dtype=torch.uint8), other=T([1, 1], dtype=torch.uint8))

with own_inputs(103):
    # Tensor bounds and a 0-d tensor for a scalar operand or alpha.
    case("clamp", input=R(2, 3), min=T(-0.5), max=T(0.5))
    case("clamp", input=R(2, 3), min=R(2, 3) - 1, max=T(1.0))
    case("add", input=I(4), other=T(2), alpha=T(3))
    case("add", input=R(4), other=T(2.5, dtype=torch.float64))

# addcdiv/addcmul by PyTorch's fused kernels (bfloat16 in float inside), value as PyTorch reads it.
with own_inputs(402):
    case("addcdiv", input=R(5, dtype=torch.bfloat16), tensor1=R(5, 5, 1, dtype=torch.bfloat16), tensor2=P(1, 5, dtype=torch.bfloat16), value=3.14)
    case("addcmul", input=R(4, dtype=torch.bfloat16), tensor1=R(4, dtype=torch.bfloat16), tensor2=R(4, dtype=torch.bfloat16), value=-0.7)
    case("addcdiv", input=I(3), tensor1=I(3), tensor2=I(3, lo=1), err="Integer division")

# lerp is floating-point only, as PyTorch's kernels.
with own_inputs(408):
    case("lerp", input=I(3), end=I(3), weight=0.5, err=True)
    case("lerp", input=B(2), end=B(2), weight=0.5, err=True)
