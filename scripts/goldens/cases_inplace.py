"""In-place ops: the expected value is the tensor after the change."""
import torch

from .framework import B, I, P, R, SPECIAL, T, case, own_inputs

f64 = torch.float64

for op in ["add_", "sub_"]:
    case(op, input=R(2, 3), other=R(2, 3))
    case(op, input=R(2, 3), other=R(3), alpha=0.5)
    case(op, input=I(3), other=2, alpha=3)
    case(op, input=I(3), other=R(3), err=True)
    case(op, input=R(3), other=R(2, 3), err=True)
case("mul_", input=R(2, 3), other=R(3))
case("mul_", input=I(3), other=2)
case("div_", input=R(2, 3), other=P(2, 3))
case("div_", input=R(3) * 5, other=2.0, rounding_mode="floor")
case("div_", input=I(3), other=2, err=True)
case("pow_", input=P(3), exponent=2)
case("pow_", input=P(3, dtype=f64), exponent=R(3, dtype=f64))
case("pow_", input=I(3, lo=1, hi=4), exponent=-1, err=True)
case("clamp_", input=R(2, 3), min=-0.5, max=0.5)
case("clamp_", input=I(4), max=1)
case("clamp_", input=R(3), err="--min")
case("zero_", input=R(2, 3))
case("zero_", input=B(3))
case("fill_", input=R(2, 3), value=2.5)
case("fill_", input=I(3), value=T(4))
case("fill_", input=R(2), value=R(2), err=True)
case("copy_", input=R(2, 3), src=R(3))
case("copy_", input=I(3), src=R(3) * 10)
case("copy_", input=R(2), src=R(3), err=True)
case("normal_", input=R(3), seeded=0)
case("normal_", input=R(100, dtype=f64), mean=5.0, std=0.0)
case("normal_", input=R(3), std=-1.0, err=True)
case("uniform_", input=R(3), seeded=0)
case("uniform_", input=R(3), to=-1.0, err=True)
case("bernoulli_", input=R(3), p=1.0)
case("bernoulli_", input=R(4), seeded=0)
case("bernoulli_", input=R(3), p=2.0, err=True)
case("masked_fill_", input=R(2, 3), mask=B(2, 3), value=0.0)
case("masked_fill_", input=I(3), mask=T([True, False, True]), value=-1)
case("lerp_", input=R(3), end=R(3), weight=0.3)
case("lerp_", input=R(3, dtype=f64), end=R(3, dtype=f64), weight=R(3, dtype=f64))
case("addcmul_", input=R(3), tensor1=R(3), tensor2=R(3), value=2)
case("addcdiv_", input=R(3), tensor1=R(3), tensor2=P(3), value=-0.5)
case("fill_diagonal_", input=R(3, 3), fill_value=5)
case("fill_diagonal_", input=R(5, 2), fill_value=1.5, wrap=True)
case("fill_diagonal_", input=R(3), fill_value=1, err=True)
for op in ["neg_", "abs_", "exp_", "log_", "sqrt_", "relu_", "sigmoid_", "tanh_", "floor_", "ceil_", "round_"]:
    case(op, input=R(2, 3))
    case(op, input=SPECIAL)
    case(op, input=I(3), may_err=True)

with own_inputs(108):
    # A bool value fills as PyTorch's True/False: 1/0 in number dtypes, itself in bool.
    case("fill_", input=R(2, 3), value=True)
    case("fill_", input=I(3), value=False)
    case("fill_", input=B(4), value=True)
    case("fill_", input=B(4), value=T(False))
