"""Reductions and scans."""
import torch

from .framework import B, I, P, R, SPECIAL, T, case, own_inputs

f64 = torch.float64
x = R(3, 4)

for op in ["sum", "nansum", "mean", "nanmean"]:
    case(op, input=x)
    case(op, input=R(2, 3, 4, dtype=f64), dim=1)
    case(op, input=x, dim=[0, 1], keepdim=True)
    case(op, input=x, dim=-1, keepdim=True)
    case(op, input=R(0, 3), dim=0)
    case(op, input=SPECIAL)
    case(op, input=x, dim=2, err=True)
    case(op, input=I(3, 4), dim=1, dtype="float64", may_err=True)
case("sum", input=I(3, 4))
case("sum", input=B(5))
case("sum", input=R(0))
case("mean", input=I(3), err=True)
case("nansum", input=T([1.0, float("nan"), 2.0]))
case("nanmean", input=T([[1.0, float("nan")], [float("nan"), float("nan")]]), dim=1)
case("prod", input=R(2, 3))
case("prod", input=I(2, 3, lo=1, hi=4), dim=1, keepdim=True)
case("prod", input=R(3, dtype=f64), dtype="float32")
case("prod", input=R(0))
case("prod", input=R(2), dim=3, err=True)
for op in ["std", "var"]:
    case(op, input=x)
    case(op, input=R(2, 3, 4, dtype=f64), dim=[0, 2])
    case(op, input=x, dim=1, correction=0)
    case(op, input=x, dim=1, unbiased=False, keepdim=True)
    case(op, input=x, correction=2)
    case(op, input=R(1))
    case(op, input=I(4), err="floating point")
    case(op, input=x, dim=3, err="out of range")
for op, names in [("std_mean", ("std", "mean")), ("var_mean", ("var", "mean"))]:
    f = getattr(torch, op)
    fn = lambda f=f, names=names, **k: dict(zip(names, f(**k)))  # noqa: E731
    case(op, input=x, fn=fn)
    case(op, input=R(2, 3, dtype=f64), dim=1, correction=0, fn=fn)
    case(op, input=x, dim=[0], keepdim=True, unbiased=False, fn=fn)
    case(op, input=I(3), err=True, fn=fn)
case("norm", input=x)
case("norm", input=x, p=1.0)
case("norm", input=R(2, 3, dtype=f64), p=3.0, dim=1)
case("norm", input=x, p=float("inf"), dim=[0, 1], keepdim=True)
case("norm", input=x, p=0.0)
case("norm", input=I(3), err=True)
# Inputs of the cases below come from their own generator, so that the shared one (and every
# later case's inputs) stays as it was.
_own = torch.Generator().manual_seed(20260101)


def Rn(*shape, dtype=torch.float32):
    return (torch.rand(shape, generator=_own, dtype=torch.float64) * 4 - 2).to(dtype)


def In(*shape):
    return torch.randint(-5, 6, shape, generator=_own, dtype=torch.int64)


# torch.norm's words: 'fro' (the default) is the 2-norm over up to two dims, 'nuc' a matrix norm.
case("norm", input=x, p="fro")
case("norm", input=Rn(2, 3, 4, dtype=f64), p="fro", dim=[1, 2])
case("norm", input=Rn(2, 3, 4), p="fro", dim=2, keepdim=True)
case("norm", input=Rn(2, 3, 4), p="fro", dim=[0, 1, 2], err="two dims")
case("norm", input=x, p="nuc")
case("norm", input=Rn(2, 3, 4, dtype=f64), p="nuc", dim=[1, 2], keepdim=True)
case("norm", input=Rn(3, 2, 2), p="nuc", dim=[0, 2])
case("norm", input=Rn(2, 3, 4), p="nuc", err="two dims")
case("norm", input=x, p="nuc", dim=[0], err="two dims")
case("norm", input=In(2, 2), p="nuc", err=True)
for op in ["amax", "amin"]:
    case(op, input=x)
    case(op, input=x, dim=1)
    case(op, input=I(2, 3, 4), dim=[0, 2], keepdim=True)
    case(op, input=SPECIAL)
    case(op, input=R(0, 3), dim=0, err=True)
case("aminmax", input=x, fn=lambda **k: dict(zip(("min", "max"), torch.aminmax(**k))))
case("aminmax", input=I(2, 3), dim=1, keepdim=True, fn=lambda **k: dict(zip(("min", "max"), torch.aminmax(**k))))
case("aminmax", input=R(0), err=True, fn=lambda **k: dict(zip(("min", "max"), torch.aminmax(**k))))
for op in ["max", "min", "median", "nanmedian"]:
    case(op, input=x)
    case(op, input=x, dim=1)
    case(op, input=I(2, 3), dim=0, keepdim=True)
    case(op, input=T([[1.0, float("nan"), 3.0]]), dim=1)
    case(op, input=R(0), may_err=True)
    case(op, input=x, dim=2, err=True)
# torch.max(input, other) / torch.min(input, other): torch.maximum / torch.minimum.
for op in ["max", "min"]:
    case(op, input=x, other=Rn(3, 4))
    case(op, input=In(2, 3), other=In(3))
    case(op, input=T([1.0, float("nan"), 2.0]), other=T([float("nan"), 1.0, 3.0]))
    case(op, input=x, other=Rn(4, dtype=f64))
    case(op, input=x, other=Rn(2), err=True)
case("mode", input=T([1, 2, 2, 3, 3, 3]))
case("mode", input=T([[1, 1, 2], [3, 2, 2]]), dim=1, keepdim=True)
case("mode", input=T([[1.0, 1.0], [2.0, 3.0]]), dim=0)
for op in ["argmax", "argmin"]:
    case(op, input=x)
    case(op, input=x, dim=1)
    case(op, input=I(2, 3), dim=0, keepdim=True)
    case(op, input=R(0), err=True)
for op in ["logsumexp", "special_logsumexp"]:
    case(op, input=x, dim=1)
    case(op, input=R(2, 3, dtype=f64) * 50, dim=[0, 1], keepdim=True)
    case(op, input=SPECIAL, dim=0)
for op in ["all", "any"]:
    case(op, input=B(3, 4))
    case(op, input=B(3, 4), dim=1)
    case(op, input=I(2, 3, lo=0, hi=2), dim=[0, 1], keepdim=True)
    case(op, input=R(0))
    case(op, input=T([0.0, float("nan")]))
case("count_nonzero", input=I(3, 4, lo=0, hi=2))
case("count_nonzero", input=I(3, 4, lo=0, hi=2), dim=0)
case("count_nonzero", input=B(2, 3), dim=[0, 1])
for op in ["quantile", "nanquantile"]:
    case(op, input=x, q=0.5)
    case(op, input=R(5, dtype=f64), q=T([0.1, 0.9], dtype=f64))
    case(op, input=x, q=0.25, dim=1, keepdim=True)
    for interp in ["lower", "higher", "midpoint", "nearest"]:
        case(op, input=R(6), q=0.3, interpolation=interp)
    case(op, input=T([1.0, float("nan"), 3.0, 4.0]), q=0.5)
    case(op, input=x, q=1.5, err=True)
    case(op, input=I(3), q=0.5, err=True)
case("trace", input=x)
case("trace", input=I(3, 3))
case("trace", input=R(3), err=True)
case("dist", input=R(2, 3), other=R(2, 3))
case("dist", input=R(3, dtype=f64), other=R(3, dtype=f64), p=1.0)
case("dist", input=R(2, 3), other=R(3), p=float("inf"))
case("renorm", input=R(3, 4) * 3, p=2.0, dim=0, maxnorm=1.0)
case("renorm", input=R(2, 3, dtype=f64), p=1.0, dim=1, maxnorm=0.5)
case("renorm", input=R(3), p=2.0, dim=0, maxnorm=1.0, err=True)
case("histc", input=R(20), bins=5)
case("histc", input=R(20, dtype=f64), bins=4, min=-1.0, max=1.0)
case("histc", input=T([1.0, 2.0, 1.0]), bins=4, min=0.0, max=3.0)
case("histc", input=I(5), err=True)
case("histc", input=T([0.0, 1.0, 2.0, 3.0, 5.0]), bins=3, min=1.0, max=3.0)
case("bincount", input=I(10, lo=0, hi=5))
case("bincount", input=T([0, 1, 1, 3]), weights=T([0.5, 1.0, 1.0, 2.0]))
case("bincount", input=T([0, 1]), minlength=5)
case("bincount", input=T([-1, 2]), err=True)
for op in ["trapezoid", "trapz"]:
    case(op, y=R(5), fn=lambda y: torch.trapezoid(y))
    case(op, y=R(2, 5, dtype=f64), dx=0.5, fn=lambda y, dx: torch.trapezoid(y, dx=dx))
    case(op, y=R(4, 3), dim=0, fn=lambda y, dim: torch.trapezoid(y, dim=dim))
    case(op, y=R(4), x=T([0.0, 1.0, 3.0, 6.0]), fn=lambda y, x: torch.trapezoid(y, x))
    case(op, y=R(0), fn=lambda y: torch.trapezoid(y))
case("cumulative_trapezoid", y=R(5))
case("cumulative_trapezoid", y=R(2, 5, dtype=f64), dx=2.0, fn=lambda y, dx: torch.cumulative_trapezoid(y, dx=dx))
case("cumulative_trapezoid", y=R(4, 3), dim=0, fn=lambda y, dim: torch.cumulative_trapezoid(y, dim=dim))
case("cumulative_trapezoid", y=R(4), x=T([0.0, 1.0, 3.0, 6.0]), fn=lambda y, x: torch.cumulative_trapezoid(y, x))
for op in ["cumsum", "cumprod"]:
    case(op, input=x, dim=1)
    case(op, input=I(2, 3, lo=1, hi=4), dim=0)
    case(op, input=B(5), dim=0)
    case(op, input=R(4, dtype=f64), dim=-1, dtype="float32")
    case(op, input=R(0), dim=0)
    case(op, input=x, dim=2, err=True)
for op in ["cummax", "cummin"]:
    case(op, input=x, dim=1)
    case(op, input=I(6), dim=0)
    case(op, input=T([1.0, float("nan"), 0.5]), dim=0)
case("logcumsumexp", input=x, dim=1)
case("logcumsumexp", input=R(5, dtype=f64) * 30, dim=0)
case("diff", input=I(6))
case("diff", input=R(3, 4), n=2, dim=1)
case("diff", input=R(4), prepend=T([0.0]), append=T([1.0, 2.0]))
case("diff", input=R(3), n=0)
case("diff", input=R(3), n=-1, err="non-negative")
# Covariance, correlation, histogram, gradient, sum_to_size.
X3 = R(2, 5)
case("cov", input=X3)
case("cov", input=R(3, 4, dtype=torch.float64), correction=0)
case("cov", input=R(5))  # one variable: a 0-d result
case("cov", input=I(2, 4))  # ints give float32
case("cov", input=R(5, 2).mT)  # non-contiguous
case("cov", input=X3, fweights=T([1, 2, 0, 1, 3]), aweights=R(5, lo=0.1, hi=1.0))
case("cov", input=X3, correction=6)  # no degrees of freedom left: inf and nan, as PyTorch gives
case("cov", input=R(2, 0))
case("cov", input=X3, fweights=T([1, -1, 1, 1, 1]), err="fweights cannot be negative")
case("cov", input=X3, fweights=R(5), err="integral dtype")
case("cov", input=X3, aweights=R(3), err=True)
case("cov", input=B(2, 3), err="bool")
case("cov", input=R(2, 2, 2), err="two or fewer dimensions")
case("corrcoef", input=X3)
case("corrcoef", input=R(3, 6, dtype=torch.float64))
case("corrcoef", input=I(2, 5))
case("corrcoef", input=R(4))
case("corrcoef", input=R(4, 2).mT)
case("corrcoef", input=R(2, 2, 2), err=True)
hist = lambda **k: dict(zip(("hist", "bin_edges"), torch.histogram(k.pop("input"), **k)))  # noqa: E731
case("histogram", input=R(20), bins=5, fn=hist, cpu_only=True)  # histogram has no CUDA kernel
case("histogram", input=R(3, 4, dtype=torch.float64), bins=3, range=[-1.0, 1.0], fn=hist, cpu_only=True)
case("histogram", input=R(6), bins=4, weight=R(6, lo=0.0), density=True, fn=hist, cpu_only=True)
case("histogram", input=T([1.0, 1.0]), bins=2, fn=hist, cpu_only=True)  # one value: the range widened by 0.5
case("histogram", input=T(1.0), bins=3, fn=hist, cpu_only=True)
case("histogram", input=R(0), bins=3, fn=hist, cpu_only=True)
case("histogram", input=R(4, 3).mT, bins=2, range=[0, 1], fn=hist, cpu_only=True)
case("histogram", input=R(5), bins=0, fn=hist, err="bins must be > 0")
case("histogram", input=R(5), bins=2, range=[1.0, 0.0], fn=hist, err="min should not exceed max", cpu_only=True)
case("histogram", input=T([1.0, float("nan")]), bins=2, fn=hist, err="not finite", cpu_only=True)
case("histogram", input=I(5), bins=2, fn=hist, err=True)
grad = lambda **k: list(torch.gradient(k.pop("input"), **k))  # noqa: E731
case("gradient", input=T([1.0, 4.0, 9.0, 16.0, 25.0]), fn=grad)
case("gradient", input=R(3, 4), fn=grad)
case("gradient", input=R(3, 4, dtype=torch.float64), spacing=0.5, dim=1, fn=grad)
case("gradient", input=R(4, 5), dim=[1, 0], edge_order=2, fn=grad)
case("gradient", input=R(5, 3).mT, spacing=2, fn=grad)
case("gradient", input=I(5), fn=grad)  # ints give float32
case("gradient", input=I(5), spacing=2, edge_order=2, fn=grad)
case("gradient", input=R(1, 4), dim=1, fn=grad)
case("gradient", input=T(1.0), fn=grad)  # no dims: no results
case("gradient", input=R(4), spacing=0.0, fn=grad)
case("gradient", input=R(4, dtype=torch.float16), fn=grad)
case("gradient", input=R(2), edge_order=2, fn=grad, err="at least edge_order+1")
case("gradient", input=R(1), fn=grad, err="at least edge_order+1")
case("gradient", input=R(4), edge_order=3, fn=grad, err="edge_order=1 and edge_order=2")
case("gradient", input=R(3, 4), dim=[1, 1], fn=grad, err="multiple times")
case("gradient", input=R(3, 4), dim=2, fn=grad, err=True)
case("gradient", input=B(4), fn=grad, err=True)
case("sum_to_size", input=R(2, 3), size=[1, 3], fn=lambda input, size: input.sum_to_size(size))
case("sum_to_size", input=R(2, 3, 4), size=[3, 1], fn=lambda input, size: input.sum_to_size(size))
case("sum_to_size", input=I(2, 3), size=[2, 1], fn=lambda input, size: input.sum_to_size(size))
case("sum_to_size", input=B(2, 2), size=[1], fn=lambda input, size: input.sum_to_size(size))
case("sum_to_size", input=R(3, 2).mT, size=[2, 1], fn=lambda input, size: input.sum_to_size(size))
case("sum_to_size", input=R(2, 3), size=[2, 2], err="not expandable", fn=lambda input, size: input.sum_to_size(size))

with own_inputs(109):
    # A 0-d integer tensor for dim.
    case("sum", input=R(2, 3), dim=T(1))
    case("sum", input=R(2, 3), dim=[T(0), 1])
    # histogram has no half-precision kernel in PyTorch.
    case("histogram", input=R(6, dtype=torch.float16), bins=2, fn=hist, err="not implemented for 'Half'")
    case("histogram", input=R(6, dtype=torch.bfloat16), bins=2, fn=hist, err="not implemented for 'BFloat16'")

with own_inputs(205):  # the inputs of the cases above and after stay as they were
    # histogramdd has no CUDA kernel either.
    case("histogramdd", input=R(10, 2), bins=3, cpu_only=True)
    case("histogramdd", input=R(8, 3, dtype=torch.float64), bins=[2, 3, 4], cpu_only=True)
    case("histogramdd", input=R(6, 2), bins=[2, 2], range=[-1.0, 1.0, 0.0, 2.0], cpu_only=True)
    case("histogramdd", input=R(2, 3, 2), bins=2, density=True, cpu_only=True)
    case("histogramdd", input=R(5, 2), bins=2, weight=R(5, lo=0.0), cpu_only=True)
    case("histogramdd", input=R(5, 2, dtype=torch.float64), bins=[3, 1], weight=R(5, lo=0.0, dtype=torch.float64), density=True, cpu_only=True)
    case("histogramdd", input=T([[1.0, 2.0], [1.0, 2.0]]), bins=2, cpu_only=True)  # one point per dim: widened by 0.5
    case("histogramdd", input=R(0, 2), bins=2, cpu_only=True)
    case("histogramdd", input=R(4, 1), bins=5, cpu_only=True)
    case("histogramdd", input=R(5), bins=3, err="at least 2 dimensions")
    case("histogramdd", input=R(5, 2), bins=[2], err="size of bins")
    case("histogramdd", input=R(5, 2), bins=[0, 2], err="bins must be > 0")
    case("histogramdd", input=R(5, 2), bins=2, range=[0.0, 1.0], err="range should have 4 elements")
    case("histogramdd", input=R(5, 2), bins=2, range=[1.0, 0.0, 0.0, 1.0], err="min should not exceed max", cpu_only=True)
    case("histogramdd", input=R(5, 2), bins=2, weight=R(4), err=True)
    case("histogramdd", input=R(5, 2, dtype=torch.float64), bins=2, weight=R(5), err=True)
    case("histogramdd", input=I(5, 2), bins=2, err=True)
    case("histogramdd", input=T([[1.0, float("nan")], [0.0, 1.0]]), bins=2, err=True, cpu_only=True)


def hash64(input, **kw):
    """torch.hash_tensor's uint64 as int64 (nutorch has no uint64): the same bits."""
    return torch.hash_tensor(input, **kw).view(torch.int64)


with own_inputs(336):
    case("hash_tensor", input=R(3, 4), fn=hash64)
    case("hash_tensor", input=I(3, 4, dtype=torch.int32), dim=1, fn=hash64)
    case("hash_tensor", input=I(2, 3, 4), dim=[0, -1], keepdim=True, fn=hash64)
    case("hash_tensor", input=B(5), fn=hash64)
    case("hash_tensor", input=R(3, 0), dim=0, fn=hash64)
    case("hash_tensor", input=R(0, 3), dim=0, err="non-zero size", fn=hash64)
    case("hash_tensor", input=R(), fn=hash64)
    case("hash_tensor", input=R(0), err="reduction dim", fn=hash64)
    case("hash_tensor", input=R(3), mode=1, err="Unknown hash_tensor mode", fn=hash64)
    case("hash_tensor", input=R(3), dim=2, err=True, fn=hash64)


# p given as a 0-d tensor, as PyTorch's Scalar takes one.
with own_inputs(338):
    x = R(3, 4)
    case("norm", input=x, p=T(1.0))
    case("norm", input=R(3, 4, dtype=torch.float64), p=T(3), dim=[1])
    case("norm", input=x, p=T(float("inf")), dim=[0], keepdim=True)
    case("norm", input=x, p=T([1.0, 2.0]), err=True)
