//! torch.special: the orthogonal polynomials the pointwise table lacks, and torch.special's
//! names for ops that exist under their torch.* names (each its own command, as PyTorch lists
//! them under both). Command names follow ATen (special_<name>).

use super::pointwise::{operand_tensor, unary};
use super::spec::{opt, req, Dflt, OpSpec, OutKind as O, Ty::*, DTYPE, INPUT};
use super::util::{non_negative, t};
use crate::op;
use tch::Tensor;

/// A polynomial of degree `n` (a tensor or a number) at each element of the input.
macro_rules! polynomial {
    ($name:literal, $cat:ident, $torch:literal, $summary:literal, $f:ident, $ex:literal => $res:literal) => {
        op!($name, $cat, $torch, $summary, [INPUT, req("n", TensorOrNumber)], O::Tensor, $ex => $res,
            |a| t(Tensor::$f(a.input(), &operand_tensor(a, "n")?)?))
    };
}

pub static OPS: &[OpSpec] = &[
    polynomial!("special_chebyshev_polynomial_u", Pointwise, "torch.special.chebyshev_polynomial_u", "Chebyshev polynomial of the second kind U_n(x).",
        f_special_chebyshev_polynomial_u,
        "nutorch fromvalue [0.5 1.0] | nutorch special_chebyshev_polynomial_u 2 | nutorch tovalue" => "[0.0, 3.0]"),
    polynomial!("special_chebyshev_polynomial_v", Pointwise, "torch.special.chebyshev_polynomial_v", "Chebyshev polynomial of the third kind V_n(x).",
        f_special_chebyshev_polynomial_v,
        "nutorch fromvalue [0.5 1.0] | nutorch special_chebyshev_polynomial_v 2 | nutorch tovalue" => "[-1.0, 1.0]"),
    polynomial!("special_chebyshev_polynomial_w", Pointwise, "torch.special.chebyshev_polynomial_w", "Chebyshev polynomial of the fourth kind W_n(x).",
        f_special_chebyshev_polynomial_w,
        "nutorch fromvalue [0.5 1.0] | nutorch special_chebyshev_polynomial_w 2 | nutorch tovalue" => "[1.0, 5.0]"),
    polynomial!("special_shifted_chebyshev_polynomial_t", Pointwise, "torch.special.shifted_chebyshev_polynomial_t", "Shifted Chebyshev polynomial of the first kind T*_n(x) = T_n(2x - 1).",
        f_special_shifted_chebyshev_polynomial_t,
        "nutorch fromvalue [0.5 1.0] | nutorch special_shifted_chebyshev_polynomial_t 2 | nutorch tovalue" => "[-1.0, 1.0]"),
    polynomial!("special_shifted_chebyshev_polynomial_u", Pointwise, "torch.special.shifted_chebyshev_polynomial_u", "Shifted Chebyshev polynomial of the second kind U*_n(x) = U_n(2x - 1).",
        f_special_shifted_chebyshev_polynomial_u,
        "nutorch fromvalue [0.5 1.0] | nutorch special_shifted_chebyshev_polynomial_u 2 | nutorch tovalue" => "[-1.0, 3.0]"),
    polynomial!("special_shifted_chebyshev_polynomial_v", Pointwise, "torch.special.shifted_chebyshev_polynomial_v", "Shifted Chebyshev polynomial of the third kind V*_n(x) = V_n(2x - 1).",
        f_special_shifted_chebyshev_polynomial_v,
        "nutorch fromvalue [0.5 1.0] | nutorch special_shifted_chebyshev_polynomial_v 2 | nutorch tovalue" => "[-1.0, 1.0]"),
    polynomial!("special_shifted_chebyshev_polynomial_w", Pointwise, "torch.special.shifted_chebyshev_polynomial_w", "Shifted Chebyshev polynomial of the fourth kind W*_n(x) = W_n(2x - 1).",
        f_special_shifted_chebyshev_polynomial_w,
        "nutorch fromvalue [0.5 1.0] | nutorch special_shifted_chebyshev_polynomial_w 2 | nutorch tovalue" => "[-1.0, 5.0]"),
    polynomial!("special_hermite_polynomial_he", Pointwise, "torch.special.hermite_polynomial_he", "Probabilists' Hermite polynomial He_n(x).",
        f_special_hermite_polynomial_he,
        "nutorch fromvalue [1.0 2.0] | nutorch special_hermite_polynomial_he 2 | nutorch tovalue" => "[0.0, 3.0]"),
    // torch.special's names for torch.* ops.
    unary!("special_digamma", Pointwise, "torch.special.digamma", "Logarithmic derivative of the gamma function (alias of digamma).", f_special_digamma, "[1.0] --dtype float64" => "[-0.5772156649015328]"),
    unary!("special_psi", Pointwise, "torch.special.psi", "Logarithmic derivative of the gamma function (alias of digamma).", f_special_psi, "[1.0] --dtype float64" => "[-0.5772156649015328]"),
    op!("special_polygamma", Pointwise, "torch.special.polygamma", "The n-th derivative of the digamma function (alias of polygamma).",
        [req("n", Int), INPUT], O::Tensor,
        "nutorch fromvalue [1.0] --dtype float64 | nutorch special_polygamma 1 | nutorch tovalue" => "[1.6449340676383375]",
        |a| t(a.input().f_special_polygamma(non_negative("n", a.int("n"))?)?),
        notes: "As in torch.special.polygamma(n, input), n comes first: `$x | nutorch special_polygamma 1`."),
    unary!("special_erf", Pointwise, "torch.special.erf", "Error function (alias of erf).", f_special_erf, "[0.0]" => "[0.0]"),
    unary!("special_erfc", Pointwise, "torch.special.erfc", "Complementary error function 1 - erf(x) (alias of erfc).", f_special_erfc, "[0.0]" => "[1.0]"),
    unary!("special_erfinv", Pointwise, "torch.special.erfinv", "Inverse error function (alias of erfinv).", f_special_erfinv, "[0.0]" => "[0.0]"),
    unary!("special_exp2", Pointwise, "torch.special.exp2", "2 to the power of each element (alias of exp2).", f_special_exp2, "[3.0]" => "[8.0]"),
    unary!("special_expm1", Pointwise, "torch.special.expm1", "exp(x) - 1, accurate near 0 (alias of expm1).", f_special_expm1, "[0.0]" => "[0.0]"),
    unary!("special_gammaln", Pointwise, "torch.special.gammaln", "Log of the absolute value of the gamma function (alias of lgamma).", f_special_gammaln, "[1.0 2.0]" => "[0.0, 0.0]"),
    unary!("special_log1p", Pointwise, "torch.special.log1p", "log(1 + x), accurate near 0 (alias of log1p).", f_special_log1p, "[0.0]" => "[0.0]"),
    op!("special_logit", Pointwise, "torch.special.logit", "log(p / (1 - p)), with p clamped to [eps, 1 - eps] when --eps is given (alias of logit).",
        [INPUT, opt("eps", Float, Dflt::None)], O::Tensor,
        "nutorch fromvalue [0.5] | nutorch special_logit | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_special_logit(a.opt_float("eps"))?)),
    op!("special_round", Pointwise, "torch.special.round", "Rounds each element to the nearest integer (halves to even), or to --decimals places (alias of round).",
        [INPUT, opt("decimals", Int, Dflt::Int(0))], O::Tensor,
        "nutorch fromvalue [1.5 2.5 1.25] --dtype float64 | nutorch special_round --decimals 1 | nutorch tovalue" => "[1.5, 2.5, 1.2]",
        |a| t(a.input().f_special_round(a.int("decimals"))?)),
    unary!("special_sinc", Pointwise, "torch.special.sinc", "Normalized sinc sin(pi x) / (pi x) (alias of sinc).", f_special_sinc, "[0.0]" => "[1.0]"),
    op!("special_xlogy", Pointwise, "torch.special.xlogy", "input * log(other), 0 where input is 0 (alias of xlogy).",
        [INPUT, req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [0.0 2.0] | nutorch special_xlogy 1 | nutorch tovalue" => "[0.0, 0.0]",
        |a| t(a.input().f_special_xlogy(&operand_tensor(a, "other")?)?)),
    op!("special_log_softmax", Nn, "torch.special.log_softmax", "log(softmax(x)) along dim, computed stably (alias of log_softmax).",
        [INPUT, req("dim", Int), DTYPE], O::Tensor,
        "nutorch fromvalue [0.0 0.0] --dtype float64 | nutorch special_log_softmax 0 | nutorch tovalue" => "[-0.6931471805599453, -0.6931471805599453]",
        |a| t(a.input().f_special_log_softmax(a.int("dim"), a.dtype("dtype").map(|d| d.kind()))?)),
    unary!("special_i0", Pointwise, "torch.special.i0", "Modified Bessel function of the first kind, order 0 (alias of i0).", f_special_i0, "[0.0] --dtype float64" => "[1.0]"),
];
