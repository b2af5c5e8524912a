"""torch.special: the orthogonal polynomials and torch.special's names for torch.* ops."""
import torch

from .framework import I, P, R, SPECIAL, T, case

f64 = torch.float64

POLYNOMIALS = """chebyshev_polynomial_u chebyshev_polynomial_v chebyshev_polynomial_w shifted_chebyshev_polynomial_t
shifted_chebyshev_polynomial_u shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_he""".split()
for name in POLYNOMIALS:
    op = "special_" + name
    lo = 0.0 if name.startswith("shifted") else -1.0
    case(op, input=R(5, lo=lo, hi=1.0), n=3)
    case(op, input=R(2, 3, lo=lo, hi=1.0, dtype=f64), n=T([0.0, 2.0, 5.0], dtype=f64))
    case(op, input=R(4, lo=lo, hi=1.0), n=0)
    case(op, input=R(4, lo=-2.0, hi=2.0, dtype=f64), n=7)
    case(op, input=R(0), n=2)
    case(op, input=R(2, lo=lo, hi=1.0), n=T([1.0, 2.0, 3.0]), err=True)

DOMAIN = {"erfinv": (-0.95, 0.95), "gammaln": (0.1, 5.0), "digamma": (0.1, 5.0), "psi": (0.1, 5.0), "log1p": (-0.9, 3.0)}
for name in "digamma psi erf erfc erfinv exp2 expm1 gammaln log1p sinc i0".split():
    op = "special_" + name
    lo, hi = DOMAIN.get(name, (-2.0, 2.0))
    case(op, input=R(2, 3, lo=lo, hi=hi))
    case(op, input=R(4, dtype=f64, lo=lo, hi=hi))
    case(op, input=R(0))
    case(op, input=SPECIAL)
    case(op, input=I(5, lo=1, hi=4), may_err=True)
    case(op, input=R(lo=lo, hi=hi))
    case(op, input=R(4, dtype=torch.float16, lo=lo, hi=hi), may_err=True)

polygamma = lambda n, input: torch.special.polygamma(n, input)  # noqa: E731
case("special_polygamma", n=0, input=P(4), fn=polygamma)
case("special_polygamma", n=1, input=P(4, dtype=f64), fn=polygamma)
case("special_polygamma", n=3, input=P(2, 2), fn=polygamma)
case("special_polygamma", n=-1, input=P(2), fn=polygamma, err="non-negative")
case("special_logit", input=R(2, 3, lo=0.05, hi=0.95))
case("special_logit", input=T([0.0, 0.3, 1.0]), eps=0.1)
case("special_logit", input=R(3, dtype=f64, lo=0.05, hi=0.95), eps=1e-6)
case("special_logit", input=I(3, lo=0, hi=2), may_err=True)
case("special_round", input=R(2, 3) * 3)
case("special_round", input=T([0.5, 1.5, 2.5, -0.5, -2.5]))
case("special_round", input=R(5, dtype=f64) * 100, decimals=2)
case("special_round", input=R(5) * 100, decimals=-1)
case("special_round", input=I(4), err=True)
case("special_xlogy", input=R(2, 3), other=P(2, 3))
case("special_xlogy", input=T([0.0, 1.0, 2.0], dtype=f64), other=T([0.0, float("nan"), 3.0], dtype=f64))
case("special_xlogy", input=R(4), other=2.0)
case("special_xlogy", input=I(3), other=I(3, lo=1, hi=4))
case("special_xlogy", input=R(2), other=R(3), err=True)
case("special_log_softmax", input=R(2, 3), dim=1)
case("special_log_softmax", input=R(3, 2, dtype=f64), dim=0)
case("special_log_softmax", input=R(2, 3), dim=-1, dtype="float64")
case("special_log_softmax", input=R(2, 3), dim=2, err=True)
