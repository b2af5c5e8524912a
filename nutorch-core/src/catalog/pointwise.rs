//! Pointwise unary math (torch.sin, torch.special.*) and activation functions.

use super::spec::{bad, opt, req, Dflt, OpSpec, OutKind as O, Ty::*, INPUT};
use super::util::{num, t, wrapped, R};
use super::{Args, Operand};
use crate::op;
use tch::Tensor;

/// A unary op without parameters: `$in` is the example's fromvalue argument.
macro_rules! unary {
    ($name:literal, $cat:ident, $torch:literal, $summary:literal, $f:ident, $in:literal => $out:literal) => {
        op!($name, $cat, $torch, $summary, [INPUT], O::Tensor,
            concat!("nutorch fromvalue ", $in, " | nutorch ", $name, " | nutorch tovalue") => $out,
            |a| t(a.input().$f()?))
    };
}
pub(super) use unary;

/// A `Tensor | Number` second operand as a tensor (for the ops libtorch has no Scalar form of).
pub(super) fn operand_tensor(a: &Args, name: &'static str) -> R<Tensor> {
    Ok(match a.operand(name) {
        Operand::T(t) => t.shallow_clone(),
        Operand::N(n) => wrapped(n, a.input())?,
    })
}

pub static OPS: &[OpSpec] = &[
    unary!("abs", Pointwise, "torch.abs", "Absolute value of each element.", f_abs, "[-1 2]" => "[1, 2]"),
    unary!("absolute", Pointwise, "torch.absolute", "Absolute value of each element (alias of abs).", f_absolute, "[-1.5]" => "[1.5]"),
    unary!("neg", Pointwise, "torch.neg", "Negation of each element.", f_neg, "[1 -2]" => "[-1, 2]"),
    unary!("negative", Pointwise, "torch.negative", "Negation of each element (alias of neg).", f_negative, "[1 -2]" => "[-1, 2]"),
    unary!("positive", Pointwise, "torch.positive", "The input unchanged (unary plus).", f_positive, "[1 -2]" => "[1, -2]"),
    unary!("sign", Pointwise, "torch.sign", "-1, 0 or 1 by the sign of each element.", f_sign, "[-3.0 0.0 2.0]" => "[-1.0, 0.0, 1.0]"),
    unary!("sgn", Pointwise, "torch.sgn", "Sign of each element (x/|x| for complex).", f_sgn, "[-3.0 2.0]" => "[-1.0, 1.0]"),
    unary!("signbit", Pointwise, "torch.signbit", "Whether the sign bit of each element is set.", f_signbit, "[-1.0 2.0]" => "[true, false]"),
    unary!("sqrt", Pointwise, "torch.sqrt", "Square root of each element.", f_sqrt, "[4.0 9.0]" => "[2.0, 3.0]"),
    unary!("rsqrt", Pointwise, "torch.rsqrt", "Reciprocal of the square root of each element.", f_rsqrt, "[4.0 0.25]" => "[0.5, 2.0]"),
    unary!("square", Pointwise, "torch.square", "Square of each element.", f_square, "[2 -3]" => "[4, 9]"),
    unary!("exp", Pointwise, "torch.exp", "e to the power of each element.", f_exp, "[0.0]" => "[1.0]"),
    unary!("exp2", Pointwise, "torch.exp2", "2 to the power of each element.", f_exp2, "[3.0]" => "[8.0]"),
    unary!("expm1", Pointwise, "torch.expm1", "exp(x) - 1, accurate near 0.", f_expm1, "[0.0]" => "[0.0]"),
    unary!("log", Pointwise, "torch.log", "Natural logarithm of each element.", f_log, "[1.0]" => "[0.0]"),
    unary!("log2", Pointwise, "torch.log2", "Base-2 logarithm of each element.", f_log2, "[8.0]" => "[3.0]"),
    unary!("log10", Pointwise, "torch.log10", "Base-10 logarithm of each element.", f_log10, "[100.0]" => "[2.0]"),
    unary!("log1p", Pointwise, "torch.log1p", "log(1 + x), accurate near 0.", f_log1p, "[0.0]" => "[0.0]"),
    unary!("sin", Pointwise, "torch.sin", "Sine of each element.", f_sin, "[0.0 1.5707963267948966] --dtype float64" => "[0.0, 1.0]"),
    unary!("cos", Pointwise, "torch.cos", "Cosine of each element.", f_cos, "[0.0]" => "[1.0]"),
    unary!("tan", Pointwise, "torch.tan", "Tangent of each element.", f_tan, "[0.0]" => "[0.0]"),
    unary!("asin", Pointwise, "torch.asin", "Arcsine of each element.", f_asin, "[0.0]" => "[0.0]"),
    unary!("acos", Pointwise, "torch.acos", "Arccosine of each element.", f_acos, "[1.0]" => "[0.0]"),
    unary!("atan", Pointwise, "torch.atan", "Arctangent of each element.", f_atan, "[0.0]" => "[0.0]"),
    unary!("arcsin", Pointwise, "torch.arcsin", "Arcsine of each element (alias of asin).", f_arcsin, "[0.0]" => "[0.0]"),
    unary!("arccos", Pointwise, "torch.arccos", "Arccosine of each element (alias of acos).", f_arccos, "[1.0]" => "[0.0]"),
    unary!("arctan", Pointwise, "torch.arctan", "Arctangent of each element (alias of atan).", f_arctan, "[0.0]" => "[0.0]"),
    unary!("sinh", Pointwise, "torch.sinh", "Hyperbolic sine of each element.", f_sinh, "[0.0]" => "[0.0]"),
    unary!("cosh", Pointwise, "torch.cosh", "Hyperbolic cosine of each element.", f_cosh, "[0.0]" => "[1.0]"),
    unary!("tanh", Pointwise, "torch.tanh", "Hyperbolic tangent of each element.", f_tanh, "[0.0]" => "[0.0]"),
    unary!("asinh", Pointwise, "torch.asinh", "Inverse hyperbolic sine of each element.", f_asinh, "[0.0]" => "[0.0]"),
    unary!("acosh", Pointwise, "torch.acosh", "Inverse hyperbolic cosine of each element.", f_acosh, "[1.0]" => "[0.0]"),
    unary!("atanh", Pointwise, "torch.atanh", "Inverse hyperbolic tangent of each element.", f_atanh, "[0.0]" => "[0.0]"),
    unary!("arcsinh", Pointwise, "torch.arcsinh", "Inverse hyperbolic sine (alias of asinh).", f_arcsinh, "[0.0]" => "[0.0]"),
    unary!("arccosh", Pointwise, "torch.arccosh", "Inverse hyperbolic cosine (alias of acosh).", f_arccosh, "[1.0]" => "[0.0]"),
    unary!("arctanh", Pointwise, "torch.arctanh", "Inverse hyperbolic tangent (alias of atanh).", f_arctanh, "[0.0]" => "[0.0]"),
    unary!("ceil", Pointwise, "torch.ceil", "Smallest integer not below each element.", f_ceil, "[1.2 -1.2]" => "[2.0, -1.0]"),
    unary!("floor", Pointwise, "torch.floor", "Largest integer not above each element.", f_floor, "[1.7 -1.2]" => "[1.0, -2.0]"),
    op!("round", Pointwise, "torch.round", "Rounds each element to the nearest integer (halves to even), or to --decimals places.",
    [INPUT, opt("decimals", Int, Dflt::Int(0))], O::Tensor,
    "nutorch fromvalue [1.5 2.5 1.25] --dtype float64 | nutorch round | nutorch tovalue" => "[2.0, 2.0, 1.0]",
    |a| match a.int("decimals") {
        0 => t(a.input().f_round()?),
        d => t(a.input().f_round_decimals(d)?),
    }),
    unary!("trunc", Pointwise, "torch.trunc", "Each element with its fractional part removed.", f_trunc, "[1.7 -1.7]" => "[1.0, -1.0]"),
    unary!("fix", Pointwise, "torch.fix", "Each element truncated toward zero (alias of trunc).", f_fix, "[1.7 -1.7]" => "[1.0, -1.0]"),
    unary!("frac", Pointwise, "torch.frac", "Fractional part of each element.", f_frac, "[1.5 -1.5]" => "[0.5, -0.5]"),
    unary!("reciprocal", Pointwise, "torch.reciprocal", "1 / x for each element.", f_reciprocal, "[2.0 4.0]" => "[0.5, 0.25]"),
    unary!("sigmoid", Pointwise, "torch.sigmoid", "Logistic sigmoid 1 / (1 + exp(-x)).", f_sigmoid, "[0.0]" => "[0.5]"),
    op!("logit", Pointwise, "torch.logit", "log(p / (1 - p)), with p clamped to [eps, 1 - eps] when --eps is given.",
        [INPUT, opt("eps", Float, Dflt::None)], O::Tensor,
        "nutorch fromvalue [0.5] | nutorch logit | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_logit(a.opt_float("eps"))?)),
    unary!("erf", Pointwise, "torch.erf", "Error function of each element.", f_erf, "[0.0]" => "[0.0]"),
    unary!("erfc", Pointwise, "torch.erfc", "Complementary error function 1 - erf(x).", f_erfc, "[0.0]" => "[1.0]"),
    unary!("erfinv", Pointwise, "torch.erfinv", "Inverse error function.", f_erfinv, "[0.0]" => "[0.0]"),
    unary!("lgamma", Pointwise, "torch.lgamma", "Log of the absolute value of the gamma function.", f_lgamma, "[1.0 2.0]" => "[0.0, 0.0]"),
    unary!("digamma", Pointwise, "torch.digamma", "Logarithmic derivative of the gamma function.", f_digamma, "[1.0] --dtype float64" => "[-0.5772156649015328]"),
    op!("polygamma", Pointwise, "torch.polygamma", "The n-th derivative of the digamma function.",
        [req("n", Int), INPUT], O::Tensor,
        "nutorch fromvalue [1.0] --dtype float64 | nutorch polygamma 1 | nutorch tovalue" => "[1.6449340676383375]",
        |a| t(a.input().f_polygamma(super::util::non_negative("n", a.int("n"))?)?),
        notes: "As in torch.polygamma(n, input), n comes first: `nutorch polygamma 1 $x` or `$x | nutorch polygamma 1`."),
    op!("mvlgamma", Pointwise, "torch.mvlgamma", "Multivariate log-gamma function of dimension p.",
        [INPUT, req("p", Int)], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch mvlgamma 1 | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_mvlgamma(super::util::positive("p", a.int("p"))?)?)),
    unary!("i0", Pointwise, "torch.i0", "Modified Bessel function of the first kind, order 0.", f_i0, "[0.0] --dtype float64" => "[1.0]"),
    unary!("sinc", Pointwise, "torch.sinc", "Normalized sinc sin(pi x) / (pi x).", f_sinc, "[0.0]" => "[1.0]"),
    unary!("deg2rad", Pointwise, "torch.deg2rad", "Degrees to radians.", f_deg2rad, "[180.0] --dtype float64" => "[3.141592653589793]"),
    unary!("rad2deg", Pointwise, "torch.rad2deg", "Radians to degrees.", f_rad2deg, "[3.141592653589793] --dtype float64" => "[180.0]"),
    unary!("angle", Pointwise, "torch.angle", "Angle (argument) of each element: pi for negative reals.", f_angle, "[-1.0 1.0] --dtype float64" => "[3.141592653589793, 0.0]"),
    op!("nan_to_num", Pointwise, "torch.nan_to_num", "Replaces NaN (default 0), +inf and -inf (default the dtype's extremes).",
        [INPUT, opt("nan", Float, Dflt::Float(0.0)), opt("posinf", Float, Dflt::None), opt("neginf", Float, Dflt::None)], O::Tensor,
        "nutorch fromvalue [NaN 1.0 inf] | nutorch nan_to_num --posinf 9 | nutorch tovalue" => "[0.0, 1.0, 9.0]",
        |a| t(a.input().f_nan_to_num(a.opt_float("nan"), a.opt_float("posinf"), a.opt_float("neginf"))?)),
    unary!("isnan", Pointwise, "torch.isnan", "Whether each element is NaN.", f_isnan, "[1.0 NaN]" => "[false, true]"),
    unary!("isinf", Pointwise, "torch.isinf", "Whether each element is +inf or -inf.", f_isinf, "[1.0 -inf]" => "[false, true]"),
    unary!("isfinite", Pointwise, "torch.isfinite", "Whether each element is finite.", f_isfinite, "[1.0 inf NaN]" => "[true, false, false]"),
    unary!("isposinf", Pointwise, "torch.isposinf", "Whether each element is +inf.", f_isposinf, "[inf -inf]" => "[true, false]"),
    unary!("isneginf", Pointwise, "torch.isneginf", "Whether each element is -inf.", f_isneginf, "[inf -inf]" => "[false, true]"),
    unary!("isreal", Pointwise, "torch.isreal", "Whether each element is real (always true for real dtypes).", f_isreal, "[1.0]" => "[true]"),
    // torch.special: command names follow ATen (special_<name>).
    unary!("special_expit", Pointwise, "torch.special.expit", "Logistic sigmoid (alias of sigmoid).", f_special_expit, "[0.0]" => "[0.5]"),
    unary!("special_erfcx", Pointwise, "torch.special.erfcx", "Scaled complementary error function exp(x^2) erfc(x).", f_special_erfcx, "[0.0]" => "[1.0]"),
    unary!("special_ndtr", Pointwise, "torch.special.ndtr", "Standard normal cumulative distribution function.", f_special_ndtr, "[0.0]" => "[0.5]"),
    unary!("special_ndtri", Pointwise, "torch.special.ndtri", "Inverse of the standard normal CDF.", f_special_ndtri, "[0.5]" => "[0.0]"),
    unary!("special_log_ndtr", Pointwise, "torch.special.log_ndtr", "Log of the standard normal CDF.", f_special_log_ndtr, "[0.0] --dtype float64" => "[-0.6931471805599453]"),
    unary!("special_i0e", Pointwise, "torch.special.i0e", "Exponentially scaled modified Bessel function I0.", f_special_i0e, "[0.0] --dtype float64" => "[1.0]"),
    unary!("special_i1", Pointwise, "torch.special.i1", "Modified Bessel function of the first kind, order 1.", f_special_i1, "[0.0]" => "[0.0]"),
    unary!("special_i1e", Pointwise, "torch.special.i1e", "Exponentially scaled modified Bessel function I1.", f_special_i1e, "[0.0]" => "[0.0]"),
    unary!("special_entr", Pointwise, "torch.special.entr", "Elementwise entropy -x ln(x).", f_special_entr, "[1.0]" => "[0.0]"),
    unary!("special_bessel_j0", Pointwise, "torch.special.bessel_j0", "Bessel function of the first kind, order 0.", f_special_bessel_j0, "[0.0]" => "[1.0]"),
    unary!("special_bessel_j1", Pointwise, "torch.special.bessel_j1", "Bessel function of the first kind, order 1.", f_special_bessel_j1, "[0.0]" => "[0.0]"),
    unary!("special_bessel_y0", Pointwise, "torch.special.bessel_y0", "Bessel function of the second kind, order 0.", f_special_bessel_y0, "[1.0] --dtype float64" => "[0.08825696421567697]"),
    unary!("special_bessel_y1", Pointwise, "torch.special.bessel_y1", "Bessel function of the second kind, order 1.", f_special_bessel_y1, "[1.0] --dtype float64" => "[-0.7812128213002888]"),
    unary!("special_modified_bessel_i0", Pointwise, "torch.special.modified_bessel_i0", "Modified Bessel function of the first kind, order 0.", f_special_modified_bessel_i0, "[0.0] --dtype float64" => "[1.0]"),
    unary!("special_modified_bessel_i1", Pointwise, "torch.special.modified_bessel_i1", "Modified Bessel function of the first kind, order 1.", f_special_modified_bessel_i1, "[0.0]" => "[0.0]"),
    unary!("special_modified_bessel_k0", Pointwise, "torch.special.modified_bessel_k0", "Modified Bessel function of the second kind, order 0.", f_special_modified_bessel_k0, "[1.0] --dtype float64" => "[0.4210244382407082]"),
    unary!("special_modified_bessel_k1", Pointwise, "torch.special.modified_bessel_k1", "Modified Bessel function of the second kind, order 1.", f_special_modified_bessel_k1, "[1.0] --dtype float64" => "[0.6019072301972346]"),
    op!("special_scaled_modified_bessel_k0", Pointwise, "torch.special.scaled_modified_bessel_k0", "Exponentially scaled modified Bessel function K0.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.0] --dtype float64 | nutorch special_scaled_modified_bessel_k0 | nutorch tovalue" => "[1.1444630798068944]",
        |a| t(Tensor::f_special_scaled_modified_bessel_k0(a.input())?)),
    op!("special_scaled_modified_bessel_k1", Pointwise, "torch.special.scaled_modified_bessel_k1", "Exponentially scaled modified Bessel function K1.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.0] --dtype float64 | nutorch special_scaled_modified_bessel_k1 | nutorch tovalue" => "[1.636153486263258]",
        |a| t(Tensor::f_special_scaled_modified_bessel_k1(a.input())?)),
    op!("special_spherical_bessel_j0", Pointwise, "torch.special.spherical_bessel_j0", "Spherical Bessel function of the first kind, order 0.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0.0] | nutorch special_spherical_bessel_j0 | nutorch tovalue" => "[1.0]",
        |a| t(Tensor::f_special_spherical_bessel_j0(a.input())?)),
    op!("special_airy_ai", Pointwise, "torch.special.airy_ai", "Airy function Ai.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0.0] --dtype float64 | nutorch special_airy_ai | nutorch tovalue" => "[0.3550280538878172]",
        |a| t(Tensor::f_special_airy_ai(a.input())?)),
    op!("special_multigammaln", Pointwise, "torch.special.multigammaln", "Multivariate log-gamma function of dimension p.",
        [INPUT, req("p", Int)], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch special_multigammaln 1 | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_special_multigammaln(super::util::positive("p", a.int("p"))?)?)),
    op!("special_xlog1py", Pointwise, "torch.special.xlog1py", "x * log1p(y), 0 where x is 0.",
        [INPUT, req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [0.0 2.0] | nutorch special_xlog1py 0 | nutorch tovalue" => "[0.0, 0.0]",
        |a| t(a.input().f_special_xlog1py(&operand_tensor(a, "other")?)?)),
    op!("special_zeta", Pointwise, "torch.special.zeta", "Hurwitz zeta function zeta(x, q).",
        [INPUT, req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [2.0] --dtype float64 | nutorch special_zeta 1.0 | nutorch tovalue" => "[1.6449340668482264]",
        |a| t(a.input().f_special_zeta(&operand_tensor(a, "other")?)?)),
    op!("special_gammainc", Pointwise, "torch.special.gammainc", "Regularized lower incomplete gamma function.",
        [INPUT, req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch special_gammainc 0.0 | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_special_gammainc(&operand_tensor(a, "other")?)?)),
    op!("special_gammaincc", Pointwise, "torch.special.gammaincc", "Regularized upper incomplete gamma function.",
        [INPUT, req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch special_gammaincc 0.0 | nutorch tovalue" => "[1.0]",
        |a| t(a.input().f_special_gammaincc(&operand_tensor(a, "other")?)?)),
    op!("special_chebyshev_polynomial_t", Pointwise, "torch.special.chebyshev_polynomial_t", "Chebyshev polynomial of the first kind T_n(x).",
        [INPUT, req("n", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [0.5 1.0] | nutorch special_chebyshev_polynomial_t 2 | nutorch tovalue" => "[-0.5, 1.0]",
        |a| t(Tensor::f_special_chebyshev_polynomial_t(a.input(), &operand_tensor(a, "n")?)?)),
    op!("special_hermite_polynomial_h", Pointwise, "torch.special.hermite_polynomial_h", "Physicists' Hermite polynomial H_n(x).",
        [INPUT, req("n", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch special_hermite_polynomial_h 2 | nutorch tovalue" => "[2.0]",
        |a| t(Tensor::f_special_hermite_polynomial_h(a.input(), &operand_tensor(a, "n")?)?)),
    op!("special_legendre_polynomial_p", Pointwise, "torch.special.legendre_polynomial_p", "Legendre polynomial P_n(x).",
        [INPUT, req("n", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [1.0 0.0] | nutorch special_legendre_polynomial_p 2 | nutorch tovalue" => "[1.0, -0.5]",
        |a| t(Tensor::f_special_legendre_polynomial_p(a.input(), &operand_tensor(a, "n")?)?)),
    op!("special_laguerre_polynomial_l", Pointwise, "torch.special.laguerre_polynomial_l", "Laguerre polynomial L_n(x).",
        [INPUT, req("n", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [0.0] | nutorch special_laguerre_polynomial_l 2 | nutorch tovalue" => "[1.0]",
        |a| t(Tensor::f_special_laguerre_polynomial_l(a.input(), &operand_tensor(a, "n")?)?)),
    op!("frexp", Pointwise, "torch.frexp", "Each element as mantissa * 2^exponent (|mantissa| in [0.5, 1)), as {mantissa, exponent}.",
        [INPUT], O::Record(&["mantissa", "exponent"]),
        "(nutorch fromvalue [8.0 0.75] | nutorch frexp).exponent | nutorch tovalue" => "[4, 0]",
        |a| super::util::rec2(["mantissa", "exponent"], a.input().f_frexp()?)),
];

/// `x` where `cond`, else `other` (all tensors of x's shape or broadcastable).
fn select(cond: &Tensor, x: &Tensor, other: &Tensor) -> R<Tensor> {
    Ok(x.f_where_self(cond, other)?)
}

/// The composed activations run on any dtype; PyTorch's kernels for them have none for bool
/// and integer tensors ("elu_cpu" not implemented for 'Long'), so neither do they.
pub(super) fn float_kernel(x: &Tensor, what: &str) -> R<()> {
    let dt = super::util::dtype(x)?;
    if !(dt.is_floating_point() || dt.is_complex()) {
        return Err(bad("input", format!("{what} is not implemented for {dt} tensors (as in PyTorch)")));
    }
    Ok(())
}

/// PyTorch's clamping activations take integers but not bools.
fn no_bool(x: &Tensor, what: &str) -> R<()> {
    if x.f_kind()? == tch::Kind::Bool {
        return Err(bad("input", format!("{what} does not take bool tensors (as in PyTorch)")));
    }
    Ok(())
}

fn leaky(x: &Tensor, slope: f64) -> R<Tensor> {
    float_kernel(x, "leaky_relu")?;
    select(&positive(x)?, x, &x.f_mul(&num(slope, x)?)?)
}

/// `x > 0`.
fn positive(x: &Tensor) -> R<Tensor> {
    Ok(x.f_gt_tensor(&num(0.0, x)?)?)
}

// tch exposes several activations only with their default parameters, so the parameterized
// forms are composed from primitives with PyTorch's formulas (values and gradients agree).
pub static ACTIVATIONS: &[OpSpec] = &[
    unary!("relu", Activation, "torch.nn.functional.relu", "max(0, x) for each element.", f_relu, "[-1 2]" => "[0, 2]"),
    unary!("relu6", Activation, "torch.nn.functional.relu6", "min(max(0, x), 6) for each element.", f_relu6, "[-1.0 3.0 8.0]" => "[0.0, 3.0, 6.0]"),
    op!("gelu", Activation, "torch.nn.functional.gelu", "Gaussian error linear unit x * Phi(x) (--approximate tanh for the tanh form).",
        [INPUT, opt("approximate", Str(&["none", "tanh"]), Dflt::Str("none"))], O::Tensor,
        "nutorch fromvalue [0.0 1.0] --dtype float64 | nutorch gelu | nutorch tovalue" => "[0.0, 0.841344746068543]",
        |a| t(a.input().f_gelu(a.str("approximate"))?)),
    unary!("silu", Activation, "torch.nn.functional.silu", "x * sigmoid(x) (swish).", f_silu, "[0.0]" => "[0.0]"),
    unary!("mish", Activation, "torch.nn.functional.mish", "x * tanh(softplus(x)).", f_mish, "[0.0]" => "[0.0]"),
    unary!("selu", Activation, "torch.nn.functional.selu", "Scaled exponential linear unit.", f_selu, "[0.0 1.0] --dtype float64" => "[0.0, 1.0507009873554805]"),
    op!("elu", Activation, "torch.nn.functional.elu", "x for x > 0, alpha * (exp(x) - 1) otherwise.",
    [INPUT, opt("alpha", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [0.0 2.0] | nutorch elu | nutorch tovalue" => "[0.0, 2.0]",
    |a| {
        let x = a.input();
        float_kernel(x, "elu")?;
        select(&positive(x)?, x, &x.f_expm1()?.f_mul(&num(a.float("alpha"), x)?)?).map(super::spec::Out::T)
    }),
    op!("celu", Activation, "torch.nn.functional.celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).",
    [INPUT, opt("alpha", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [0.0 2.0] | nutorch celu | nutorch tovalue" => "[0.0, 2.0]",
    |a| {
        let alpha = a.float("alpha");
        if alpha == 0.0 {
            return Err(bad("alpha", "ZeroDivisionError: alpha cannot be 0 for CELU"));
        }
        let x = a.input();
        float_kernel(x, "celu")?;
        let al = num(alpha, x)?;
        select(&positive(x)?, x, &x.f_div(&al)?.f_expm1()?.f_mul(&al)?).map(super::spec::Out::T)
    }),
    op!("leaky_relu", Activation, "torch.nn.functional.leaky_relu", "x for x > 0, negative_slope * x otherwise.",
        [INPUT, opt("negative_slope", Float, Dflt::Float(0.01))], O::Tensor,
        "nutorch fromvalue [-2.0 3.0] | nutorch leaky_relu --negative-slope 0.5 | nutorch tovalue" => "[-1.0, 3.0]",
        |a| leaky(a.input(), a.float("negative_slope")).map(super::spec::Out::T)),
    op!("rrelu", Activation, "torch.nn.functional.rrelu", "Randomized leaky ReLU: a random slope in [lower, upper] when training, their mean otherwise.",
    [INPUT, opt("lower", Float, Dflt::Float(1.0 / 8.0)), opt("upper", Float, Dflt::Float(1.0 / 3.0)), opt("training", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [-2.0 3.0] | nutorch rrelu --lower 0.5 --upper 0.5 | nutorch tovalue" => "[-1.0, 3.0]",
    |a| {
        let (lower, upper) = (a.float("lower"), a.float("upper"));
        if lower > upper {
            return Err(bad("lower", format!("lower ({lower}) must not exceed upper ({upper})")));
        }
        if a.flag("training") {
            // A slope drawn uniformly from [lower, upper] for each negative element, by
            // PyTorch's own kernel (tch's rrelu binding has no bounds), so the same seed gives
            // the same slopes.
            let x = a.input();
            float_kernel(x, "rrelu")?;
            let (lo, hi) = (crate::Number::Float(lower), crate::Number::Float(upper));
            return Ok(super::spec::Out::T(crate::scalar_ops::call(crate::scalar_ops::ScalarOp::RreluTraining, x, x, x, lo, hi)?));
        }
        leaky(a.input(), (lower + upper) / 2.0).map(super::spec::Out::T)
    }),
    op!("hardtanh", Activation, "torch.nn.functional.hardtanh", "Each element clamped to [min_val, max_val].",
    [INPUT, opt("min_val", Float, Dflt::Float(-1.0)), opt("max_val", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [-2.0 0.5 2.0] | nutorch hardtanh | nutorch tovalue" => "[-1.0, 0.5, 1.0]",
    |a| {
        let (lo, hi) = (a.float("min_val"), a.float("max_val"));
        if lo > hi {
            return Err(bad("min_val", format!("min_val ({lo}) cannot be greater than max_val ({hi})")));
        }
        let x = a.input();
        no_bool(x, "hardtanh")?;
        // Integers stay integers, as PyTorch's kernel keeps the input's dtype.
        t(x.f_clamp_tensor(Some(&num(lo, x)?), Some(&num(hi, x)?))?.f_to_kind(x.f_kind()?)?)
    }),
    unary!("hardsigmoid", Activation, "torch.nn.functional.hardsigmoid", "Piecewise linear sigmoid: relu6(x + 3) / 6.", f_hardsigmoid, "[-3.0 0.0 3.0]" => "[0.0, 0.5, 1.0]"),
    unary!("hardswish", Activation, "torch.nn.functional.hardswish", "x * relu6(x + 3) / 6.", f_hardswish, "[-3.0 0.0 3.0]" => "[0.0, 0.0, 3.0]"),
    op!("hardshrink", Activation, "torch.nn.functional.hardshrink", "x where |x| > lambd, 0 elsewhere.",
    [INPUT, opt("lambd", Float, Dflt::Float(0.5))], O::Tensor,
    "nutorch fromvalue [-1.0 0.25 0.75] | nutorch hardshrink | nutorch tovalue" => "[-1.0, 0.0, 0.75]",
    |a| {
        let x = a.input();
        float_kernel(x, "hardshrink")?;
        // Zero where |x| <= lambd; NaN stays NaN, as in torch.
        let inside = x.f_abs()?.f_le_tensor(&num(a.float("lambd"), x)?)?;
        t(x.f_zeros_like()?.f_where_self(&inside, x)?)
    }),
    op!("softshrink", Activation, "torch.nn.functional.softshrink", "x - lambd above lambd, x + lambd below -lambd, 0 between.",
    [INPUT, opt("lambd", Float, Dflt::Float(0.5))], O::Tensor,
    "nutorch fromvalue [-1.0 0.25 1.5] | nutorch softshrink | nutorch tovalue" => "[-0.5, 0.0, 1.0]",
    |a| {
        let (x, l) = (a.input(), a.float("lambd"));
        float_kernel(x, "softshrink")?;
        if l < 0.0 {
            return Err(bad("lambd", format!("lambd must be non-negative, got {l}")));
        }
        let shrunk = x.f_sub(&x.f_clamp_tensor(Some(&num(-l, x)?), Some(&num(l, x)?))?)?;
        t(shrunk)
    }),
    op!("tanhshrink", Activation, "torch.nn.functional.tanhshrink", "x - tanh(x).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0.0] | nutorch tanhshrink | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_sub(&a.input().f_tanh()?)?)),
    op!("softplus", Activation, "torch.nn.functional.softplus", "log(1 + exp(beta x)) / beta, linear where beta x > threshold.",
    [INPUT, opt("beta", Float, Dflt::Float(1.0)), opt("threshold", Float, Dflt::Float(20.0))], O::Tensor,
    "nutorch fromvalue [0.0 30.0] --dtype float64 | nutorch softplus | nutorch tovalue" => "[0.6931471805599453, 30.0]",
    |a| {
        let (x, beta) = (a.input(), a.float("beta"));
        float_kernel(x, "softplus")?;
        let b = num(beta, x)?;
        let bx = x.f_mul(&b)?;
        let soft = bx.f_exp()?.f_log1p()?.f_div(&b)?;
        select(&bx.f_gt_tensor(&num(a.float("threshold"), x)?)?, x, &soft).map(super::spec::Out::T)
    }),
    op!("softsign", Activation, "torch.nn.functional.softsign", "x / (1 + |x|).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.0 -3.0] | nutorch softsign | nutorch tovalue" => "[0.5, -0.75]",
        |a| t(a.input().f_div(&a.input().f_abs()?.f_add(&num(1.0, a.input())?)?)?)),
    op!("logsigmoid", Activation, "torch.nn.functional.logsigmoid", "log(sigmoid(x)), computed stably.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0.0] --dtype float64 | nutorch logsigmoid | nutorch tovalue" => "[-0.6931471805599453]",
        |a| t(a.input().f_log_sigmoid()?)),
    op!("threshold", Activation, "torch.nn.functional.threshold", "x where x > threshold, value elsewhere.",
    [INPUT, req("threshold", Number), req("value", Number)], O::Tensor,
    "nutorch fromvalue [1 5] | nutorch threshold 2 0 | nutorch tovalue" => "[0, 5]",
    |a| {
        // y = x where x > threshold, else value (in x's dtype, as torch keeps it).
        let x = a.input();
        no_bool(x, "threshold")?;
        // NaN is kept, as PyTorch's kernel does (its test is `x <= threshold`).
        let above = x.f_gt_tensor(&wrapped(a.number("threshold"), x)?)?.f_logical_or(&x.f_isnan()?)?;
        let value = super::util::number_tensor(a.number("value"), x.f_kind()?, x.device())?;
        t(x.f_where_self(&above, &value)?)
    }),
    op!("glu", Activation, "torch.nn.functional.glu", "Gated linear unit: a * sigmoid(b) for the two halves a, b of dim.",
        [INPUT, opt("dim", Int, Dflt::Int(-1))], O::Tensor,
        "nutorch fromvalue [2.0 0.0] | nutorch glu | nutorch tovalue" => "[1.0]",
        |a| t(a.input().f_glu(a.int("dim"))?)),
    op!("prelu", Activation, "torch.nn.functional.prelu", "x for x > 0, weight * x otherwise (weight per channel or shared).",
        [INPUT, super::spec::ten("weight")], O::Tensor,
        "nutorch fromvalue [-2.0 3.0] | nutorch prelu (nutorch fromvalue [0.25]) | nutorch tovalue" => "[-0.5, 3.0]",
        |a| t(a.input().f_prelu(a.tensor("weight"))?)),
];
