"""Pointwise unary math, torch.special and activations."""
import torch

from .framework import B, I, P, R, SPECIAL, T, case, own_inputs

F = torch.nn.functional
f64 = torch.float64

# Inputs inside each op's domain (default [-2, 2)).
DOMAIN = {
    "sqrt": (0.0, 4.0), "rsqrt": (0.1, 4.0), "log": (0.1, 4.0), "log2": (0.1, 4.0), "log10": (0.1, 4.0),
    "log1p": (-0.9, 3.0), "asin": (-1.0, 1.0), "acos": (-1.0, 1.0), "arcsin": (-1.0, 1.0), "arccos": (-1.0, 1.0),
    "acosh": (1.0, 4.0), "arccosh": (1.0, 4.0), "atanh": (-0.95, 0.95), "arctanh": (-0.95, 0.95),
    "erfinv": (-0.95, 0.95), "special_erfinv": (-0.95, 0.95), "lgamma": (0.1, 5.0), "digamma": (0.1, 5.0),
    "special_ndtri": (0.05, 0.95), "special_entr": (0.0, 2.0), "reciprocal": (0.5, 3.0),
    "special_modified_bessel_k0": (0.1, 3.0), "special_modified_bessel_k1": (0.1, 3.0),
    "special_scaled_modified_bessel_k0": (0.1, 3.0), "special_scaled_modified_bessel_k1": (0.1, 3.0),
    "special_bessel_y0": (0.1, 3.0), "special_bessel_y1": (0.1, 3.0),
}

UNARY = """abs absolute neg negative positive sign sgn signbit sqrt rsqrt square exp exp2 expm1 log log2
log10 log1p sin cos tan asin acos atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh arcsinh
arccosh arctanh ceil floor trunc fix frac reciprocal sigmoid erf erfc erfinv lgamma digamma i0 sinc
deg2rad rad2deg angle isnan isinf isfinite isposinf isneginf isreal special_expit special_erfcx
special_ndtr special_ndtri special_log_ndtr special_i0e special_i1 special_i1e special_entr
special_bessel_j0 special_bessel_j1 special_bessel_y0 special_bessel_y1 special_modified_bessel_i0
special_modified_bessel_i1 special_modified_bessel_k0 special_modified_bessel_k1
special_scaled_modified_bessel_k0 special_scaled_modified_bessel_k1 special_spherical_bessel_j0
special_airy_ai""".split()

ACTIVATIONS = "relu relu6 silu mish selu hardsigmoid hardswish tanhshrink softsign logsigmoid".split()

for op in UNARY + ACTIVATIONS:
    lo, hi = DOMAIN.get(op, (-2.0, 2.0))
    case(op, input=R(2, 3, lo=lo, hi=hi))
    case(op, input=R(4, dtype=f64, lo=lo, hi=hi))
    case(op, input=R(0))
    case(op, input=R(2, 0, 3))
    case(op, input=SPECIAL)
    case(op, input=I(5, lo=1 if lo >= 0 else -3, hi=4), may_err=True)
    case(op, input=R(lo=lo, hi=hi))  # 0-d

# Reduced precision, bool input.
for op in ["abs", "neg", "exp", "sin", "sqrt", "sigmoid", "tanh", "relu", "floor", "log1p"]:
    lo, hi = DOMAIN.get(op, (-2.0, 2.0))
    case(op, input=R(6, dtype=torch.float16, lo=lo, hi=hi))
    case(op, input=R(6, dtype=torch.bfloat16, lo=lo, hi=hi))
for op in ["abs", "neg", "sign", "sqrt", "logical_not", "bitwise_not", "relu", "isnan"]:
    case(op, input=B(4), may_err=True)

case("round", input=R(2, 3) * 3)
case("round", input=T([0.5, 1.5, 2.5, -0.5, -2.5]))
case("round", input=R(5, dtype=f64) * 100, decimals=2)
case("round", input=R(5) * 100, decimals=-1)
case("round", input=I(4))
case("logit", input=R(2, 3, lo=0.05, hi=0.95))
case("logit", input=T([0.0, 0.3, 1.0]), eps=0.1)
case("logit", input=R(3, dtype=f64, lo=0.05, hi=0.95), eps=1e-6)
case("polygamma", n=0, input=P(4))
case("polygamma", n=1, input=P(4, dtype=f64))
case("polygamma", n=3, input=P(2, 2))
case("polygamma", n=-1, input=P(2), err="non-negative")
case("mvlgamma", input=P(4, lo=1.5, hi=4.0), p=2)
case("mvlgamma", input=P(3, dtype=f64, lo=1.0, hi=3.0), p=1)
case("mvlgamma", input=P(3), p=0, err="positive")
case("special_multigammaln", input=P(4, lo=1.5, hi=4.0), p=2)
case("special_multigammaln", input=P(3, dtype=f64, lo=1.0, hi=3.0), p=1)
case("nan_to_num", input=SPECIAL)
case("nan_to_num", input=SPECIAL, nan=1.5, posinf=100.0, neginf=-100.0)
case("nan_to_num", input=SPECIAL.double(), posinf=9.0)
case("nan_to_num", input=I(3))
for op, lo, hi in [("special_xlog1py", -0.5, 3.0), ("special_zeta", 1.5, 4.0), ("special_gammainc", 0.1, 3.0), ("special_gammaincc", 0.1, 3.0)]:
    case(op, input=R(2, 3, lo=lo, hi=hi), other=R(2, 3, lo=0.1, hi=3.0))
    case(op, input=R(2, 3, lo=lo, hi=hi, dtype=f64), other=R(3, lo=0.1, hi=3.0, dtype=f64))
    wrap = (lambda f: (lambda input, other: f(input, torch.tensor(other, dtype=input.dtype))))(getattr(torch.special, op[8:]))
    case(op, input=R(4, lo=lo, hi=hi), other=2.0, fn=wrap if "gammainc" in op else None)
    case(op, input=R(2, lo=lo, hi=hi), other=R(3), err=True)
for op in ["special_chebyshev_polynomial_t", "special_hermite_polynomial_h", "special_legendre_polynomial_p", "special_laguerre_polynomial_l"]:
    case(op, input=R(5, lo=-1.0, hi=1.0), n=3)
    case(op, input=R(2, 3, lo=-1.0, hi=1.0, dtype=f64), n=T([0.0, 2.0, 5.0], dtype=f64))
    case(op, input=R(4, lo=-1.0, hi=1.0), n=0)

# Parameterized activations (PyTorch's values, composed here from primitives).
case("gelu", input=R(2, 3))
case("gelu", input=R(5, dtype=f64), approximate="tanh")
# gelu(inf) is inf or nan depending on the CPU's vector kernel (in PyTorch too): left out.
case("gelu", input=T([float("nan"), float("-inf"), 0.0, -0.0, 1.0, -1.5]), cpu_only=True)
case("gelu", input=R(3), approximate="exact", err="approximate")
for op, params in [("elu", [{}, {"alpha": 0.5}]), ("celu", [{}, {"alpha": 2.0}]), ("leaky_relu", [{}, {"negative_slope": 0.2}]),
                   ("hardtanh", [{}, {"min_val": -0.5, "max_val": 1.5}]), ("hardshrink", [{}, {"lambd": 1.0}]),
                   ("softshrink", [{}, {"lambd": 1.0}]), ("softplus", [{}, {"beta": 2.0, "threshold": 1.0}])]:
    for p in params:
        case(op, input=R(2, 4, lo=-3.0, hi=3.0), **p)
        case(op, input=R(5, dtype=f64, lo=-3.0, hi=3.0), **p)
    case(op, input=R(0), **params[-1])
    case(op, input=SPECIAL)
case("celu", input=R(3), alpha=0.0, err="alpha")
case("hardtanh", input=R(3), min_val=2.0, max_val=1.0, err="min_val")
case("softshrink", input=R(3), lambd=-1.0, err="lambd")
case("rrelu", input=R(2, 4, lo=-3.0, hi=3.0))
case("rrelu", input=R(4, dtype=f64), lower=0.1, upper=0.3)
case("rrelu", input=R(6), training=True, random=(-2.0, 2.0), fn=lambda input, training: F.rrelu(input, training=training))
case("rrelu", input=R(3), lower=0.5, upper=0.1, err="lower")
case("threshold", input=R(2, 3), threshold=0.5, value=-1.0)
case("threshold", input=I(5), threshold=1, value=0)
case("threshold", input=R(4, dtype=f64), threshold=0.0, value=0.0)
case("glu", input=R(2, 4))
case("glu", input=R(4, 2, dtype=f64), dim=0)
case("glu", input=R(3), err=True)
case("prelu", input=R(2, 3, 4), weight=T([0.25]))
case("prelu", input=R(2, 3, 4), weight=T([0.1, 0.2, 0.3]))
case("prelu", input=R(2, 3, dtype=f64), weight=T([0.5], dtype=f64))
case("prelu", input=R(2, 3, 4), weight=T([0.1, 0.2]), err=True)
frexp = lambda input: dict(zip(("mantissa", "exponent"), torch.frexp(input)))  # noqa: E731
case("frexp", input=T([8.0, 0.75, 0.0, -3.0, 1e-30, 1e30]), fn=frexp)
case("frexp", input=R(2, 3, dtype=torch.float64) * 100, fn=frexp)
case("frexp", input=R(3, 2).mT, fn=frexp)
case("frexp", input=SPECIAL, fn=frexp, cpu_only=True)  # non-finite mantissas and exponents may differ by device
case("frexp", input=R(4, dtype=torch.float16), fn=frexp)
case("frexp", input=R(0), fn=frexp)
case("frexp", input=T(5.0), fn=frexp)
case("frexp", input=I(3), fn=frexp, err="floating-point")

with own_inputs(105):
    # round --decimals across dtypes: floats of every width; integers and bool are PyTorch's error.
    case("round", input=R(5, dtype=torch.float16) * 10, decimals=1)
    case("round", input=R(5, dtype=torch.bfloat16) * 10, decimals=1)
    case("round", input=T([1.25, 2.5, -0.125]), decimals=1)
    case("round", input=I(4), decimals=-1, err=True)
    case("round", input=B(3), decimals=1, err=True)

# rrelu in training: the slopes PyTorch's kernel draws after the same seed.
with own_inputs(405):
    case("rrelu", input=R(20), lower=0.1, upper=0.6, training=True, seeded=7)
    case("rrelu", input=R(6, dtype=torch.bfloat16), training=True, seeded=8)
    case("rrelu", input=R(6, dtype=torch.float64), lower=0.0, upper=1.0, training=True, seeded=9)
