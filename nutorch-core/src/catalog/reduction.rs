//! Reductions (sum, mean, std, norm, max, argmax, all, median, quantile, ...) and scans
//! (cumsum, cumprod, cummax, ...).

use super::spec::{
    bad, opt, req, ten, ArgSpec, Dflt, OpResult, OpSpec, Out, OutKind as O, Ty::*, DTYPE, INPUT, KEEPDIM, OTHER,
};
use super::util::{check_dims, dtype, non_negative, norm_dim, positive, rec2, require_float, t, wrapped, R};
use super::{Args, Operand};
use crate::op;
use tch::{Kind, Tensor};

const DIMS: ArgSpec = opt("dim", Ints, Dflt::None).doc("the dimension or dimensions to reduce (all when absent)");
const DIM_OPT: ArgSpec = opt("dim", Int, Dflt::None).doc("the dimension to reduce (all when absent)");
const DIM_REQ: ArgSpec = req("dim", Int);
const VALUES_INDICES: [&str; 2] = ["values", "indices"];

fn kind(a: &Args) -> Option<Kind> {
    a.dtype("dtype").map(|d| d.kind())
}

/// std/var's correction: --correction, or --unbiased (true = 1, false = 0) as older torch.
fn correction(a: &Args) -> R<f64> {
    if a.has("unbiased") {
        if a.has("correction") && a.opt_float("correction") != Some(1.0) {
            return Err(bad("unbiased", "give --unbiased or --correction, not both"));
        }
        return Ok(if a.flag("unbiased") { 1.0 } else { 0.0 });
    }
    Ok(a.float("correction"))
}

/// std/var and friends take a Scalar correction: their arguments are checked first.
fn spread_args(a: &Args, what: &str) -> R<(Option<Vec<i64>>, f64)> {
    let x = a.input();
    require_float("input", x, what)?;
    let dims = a.opt_ints("dim");
    if let Some(d) = &dims {
        check_dims("dim", x, d)?;
    }
    Ok((dims, correction(a)?))
}

const SPREAD: [ArgSpec; 5] = [
    INPUT,
    DIMS,
    opt("correction", Number, Dflt::Int(1))
        .doc("difference between the sample size and the divisor (1: Bessel's correction)"),
    opt("unbiased", Bool, Dflt::None).doc("older spelling: true is --correction 1, false --correction 0"),
    KEEPDIM,
];

/// The p-norm of `x` over `dims` (all when None).
fn pnorm(x: &Tensor, p: f64, dims: Option<Vec<i64>>, keepdim: bool) -> R<Tensor> {
    require_float("input", x, "norm")?;
    let dims = dims.unwrap_or_else(|| (0..x.dim() as i64).collect());
    check_dims("dim", x, &dims)?;
    if p.is_nan() {
        return Err(bad("p", "p must be a number"));
    }
    Ok(x.f_norm_scalaropt_dim(p, dims.as_slice(), keepdim)?)
}

/// torch.norm: a number is a vector norm; 'fro' over at most two dims is the vector 2-norm
/// (as torch computes it); 'nuc', and 'fro' over more dims, are matrix norms over exactly two.
fn norm(a: &Args) -> R<Tensor> {
    let (x, dims, keepdim) = (a.input(), a.opt_ints("dim"), a.flag("keepdim"));
    let word = match a.num_or_str("p") {
        Some(Ok(p)) => return pnorm(x, p, dims, keepdim),
        Some(Err(word)) => word.to_string(),
        None => "fro".to_string(),
    };
    if word == "fro" && dims.as_ref().is_none_or(|d| d.len() <= 2) {
        return pnorm(x, 2.0, dims, keepdim);
    }
    require_float("input", x, "norm")?;
    let dims = dims.unwrap_or_else(|| (0..x.dim() as i64).collect());
    check_dims("dim", x, &dims)?;
    if dims.len() != 2 {
        return Err(bad(
            "dim",
            format!("the {word} norm is a matrix norm: it needs exactly two dims, got {} ({dims:?})", dims.len()),
        ));
    }
    Ok(x.f_linalg_norm_ord_str(&word, Some(dims.as_slice()), keepdim, None)?)
}

type Whole = fn(&Tensor) -> Result<Tensor, tch::TchError>;
type AlongDim = fn(&Tensor, i64, bool) -> Result<(Tensor, Tensor), tch::TchError>;

type Pairwise = fn(&Tensor, &Tensor) -> Result<Tensor, tch::TchError>;

/// max/min: of two tensors (torch.max(a, b) is torch.maximum), else as `values_or_pair`.
fn of_two_or_reduce(a: &Args, pairwise: Pairwise, all: Whole, dim: AlongDim) -> R<Out> {
    let Some(other) = a.opt_tensor("other") else { return values_or_pair(a, all, dim) };
    if a.has("dim") {
        return Err(bad(
            "dim",
            "a dim reduces one tensor; with a second tensor there is none (torch.max(input, other))",
        ));
    }
    if a.flag("keepdim") {
        return Err(bad("keepdim", "keepdim needs a dim; with a second tensor there is none"));
    }
    t(pairwise(a.input(), other)?)
}

const OTHER_OR_DIM: ArgSpec = opt("other", Tensor, Dflt::None)
    .pos()
    .doc("a second tensor: the elementwise result (an int here is the dim, as in torch.max(x, 1))");

/// max/min/median/nanmedian: a tensor without --dim, {values, indices} with it.
fn values_or_pair(a: &Args, all: Whole, dim: AlongDim) -> R<Out> {
    match a.opt_int("dim") {
        None => t(all(a.input())?),
        Some(d) => rec2(VALUES_INDICES, dim(a.input(), d, a.flag("keepdim"))?),
    }
}

fn quantile(a: &Args, nan: bool) -> R<Out> {
    let x = a.input();
    let (dim, keepdim, interp) = (a.opt_int("dim"), a.flag("keepdim"), a.str("interpolation"));
    t(match a.operand("q") {
        Operand::N(q) => {
            let q = q.as_f64();
            if !(0.0..=1.0).contains(&q) {
                return Err(bad("q", format!("q must be in [0, 1], got {q}")));
            }
            if nan {
                x.f_nanquantile_scalar(q, dim, keepdim, interp)?
            } else {
                x.f_quantile_scalar(q, dim, keepdim, interp)?
            }
        }
        Operand::T(q) => {
            if nan {
                x.f_nanquantile(q, dim, keepdim, interp)?
            } else {
                x.f_quantile(q, dim, keepdim, interp)?
            }
        }
    })
}

const QUANTILE: [ArgSpec; 5] = [
    INPUT,
    req("q", TensorOrNumber).doc("the quantile(s) in [0, 1]"),
    DIM_OPT,
    KEEPDIM,
    opt("interpolation", Str(&["linear", "lower", "higher", "midpoint", "nearest"]), Dflt::Str("linear")),
];

/// trapezoid/cumulative_trapezoid with constant spacing, by PyTorch's formulas (tch's
/// bindings of the dx forms pass `dim` where libtorch expects dx).
fn trapezoid_dx(y: &Tensor, dx: f64, dim: i64, cumulative: bool) -> R<Tensor> {
    let d = super::util::norm_dim("dim", dim, y.dim() as i64)?;
    let n = y.size().get(d as usize).copied().unwrap_or(1);
    if cumulative {
        // (dx / 2 * (y[1:] + y[:-1])).cumsum(dim)
        // An empty dim gives an empty result, as in PyTorch (narrow from 1 would be out of range).
        let pairs = y.f_narrow(d, 1.min(n), (n - 1).max(0))?.f_add(&y.f_narrow(d, 0, (n - 1).max(0))?)?;
        return Ok(pairs.f_mul(&super::util::num(dx / 2.0, &pairs)?)?.f_cumsum(d, None::<tch::Kind>)?);
    }
    if n == 0 {
        return Ok(y.f_sum_dim_intlist(Some([d].as_slice()), false, None)?);
    }
    // (y.sum(dim) - (y[0] + y[-1]) * 0.5) * dx
    let ends = y.f_select(d, 0)?.f_add(&y.f_select(d, -1)?)?;
    let inner =
        y.f_sum_dim_intlist(Some([d].as_slice()), false, None)?.f_sub(&ends.f_mul(&super::util::num(0.5, &ends)?)?)?;
    Ok(inner.f_mul(&super::util::num(dx, &inner)?)?)
}

fn trapezoid(a: &Args, cumulative: bool) -> R<Tensor> {
    let (y, dim) = (a.tensor("y"), a.int("dim"));
    if y.f_kind()? == tch::Kind::Bool {
        // PyTorch: "trapezoid: received a bool input for `y`, but bool is not supported".
        return Err(bad("y", "trapezoid does not take a bool y (as in PyTorch)"));
    }
    if a.has("x") && a.has("dx") {
        return Err(bad("dx", "give --x or --dx, not both"));
    }
    Ok(match (a.opt_tensor("x"), cumulative) {
        (Some(x), false) => Tensor::f_trapezoid_x(y, x, dim)?,
        (Some(x), true) => Tensor::f_cumulative_trapezoid_x(y, x, dim)?,
        (None, c) => trapezoid_dx(y, a.opt_float("dx").unwrap_or(1.0), dim, c)?,
    })
}

const TRAPEZOID: [ArgSpec; 4] = [
    ten("y"),
    opt("x", Tensor, Dflt::None).doc("the sample points (spacing --dx when absent)"),
    opt("dx", Float, Dflt::None).doc("constant spacing of the samples (default 1)"),
    opt("dim", Int, Dflt::Int(-1)),
];

pub static OPS: &[OpSpec] = &[
    op!("sum", Reduction, "torch.sum", "Sum of all elements, or along --dim.",
    [INPUT, DIMS, KEEPDIM, DTYPE], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch sum --dim 0 | nutorch tovalue" => "[4, 6]",
    // Without dim, torch.sum(x) (SumBackward0 in the graph, as PyTorch names it), not sum.dim_IntList.
    |a| match a.opt_ints("dim") {
        None if !a.flag("keepdim") => t(a.input().f_sum(kind(a))?),
        dims => t(a.input().f_sum_dim_intlist(dims.as_deref(), a.flag("keepdim"), kind(a))?),
    }),
    op!("hash_tensor", Reduction, "torch.hash_tensor", "A hash of all elements, or along --dim: the xor of their bits as 64-bit values (PyTorch's uint64, as int64 here).",
    [INPUT, opt("dim", Ints, Dflt::Ints(&[])).doc("the dimension or dimensions to reduce (all when empty)"), KEEPDIM, opt("mode", Int, Dflt::Int(0)).doc("the hash: 0 (xor reduction) is the only one")], O::Tensor,
    "nutorch fromvalue [1 2 3] | nutorch hash_tensor | nutorch tovalue" => "0",
    |a| {
        let x = a.input();
        let dims = a.ints("dim");
        check_dims("dim", x, &dims)?;
        if a.int("mode") != 0 {
            return Err(bad("mode", format!("Unknown hash_tensor mode: {}", a.int("mode"))));
        }
        // nutorch has no uint64: the same 64 bits, read as int64.
        t(x.f_hash_tensor(dims.as_slice(), a.flag("keepdim"), 0)?.f_view_dtype(Kind::Int64)?)
    },
    notes: "PyTorch gives a uint64 tensor; nutorch has no uint64, so the same bits come back as int64 (torch.hash_tensor(x).view(torch.int64)): equal hashes stay equal."),
    op!("nansum", Reduction, "torch.nansum", "Sum treating NaN as zero.",
        [INPUT, DIMS, KEEPDIM, DTYPE], O::Tensor,
        "nutorch fromvalue [1.0 NaN 2.0] | nutorch nansum | nutorch tovalue" => "3.0",
        |a| t(a.input().f_nansum(a.opt_ints("dim").as_deref(), a.flag("keepdim"), kind(a))?)),
    op!("mean", Reduction, "torch.mean", "Mean of all elements, or along --dim (floating point input).",
    [INPUT, DIMS, KEEPDIM, DTYPE], O::Tensor,
    "nutorch fromvalue [[1.0 2.0] [3.0 4.0]] | nutorch mean --dim 1 | nutorch tovalue" => "[1.5, 3.5]",
    // Without dim, torch.mean(x) (MeanBackward0, as PyTorch names it), not mean.dim.
    |a| match a.opt_ints("dim") {
        None if !a.flag("keepdim") => t(a.input().f_mean(kind(a))?),
        dims => t(a.input().f_mean_dim(dims.as_deref(), a.flag("keepdim"), kind(a))?),
    }),
    op!("nanmean", Reduction, "torch.nanmean", "Mean ignoring NaN.",
        [INPUT, DIMS, KEEPDIM, DTYPE], O::Tensor,
        "nutorch fromvalue [1.0 NaN 3.0] | nutorch nanmean | nutorch tovalue" => "2.0",
        |a| t(a.input().f_nanmean(a.opt_ints("dim").as_deref(), a.flag("keepdim"), kind(a))?)),
    op!("prod", Reduction, "torch.prod", "Product of all elements, or along --dim.",
    [INPUT, DIM_OPT, KEEPDIM, DTYPE], O::Tensor,
    "nutorch fromvalue [1 2 3 4] | nutorch prod | nutorch tovalue" => "24",
    |a| match a.opt_int("dim") {
        None => t(a.input().f_prod(kind(a))?),
        Some(d) => t(a.input().f_prod_dim_int(d, a.flag("keepdim"), kind(a))?),
    }),
    op!("std", Reduction, "torch.std", "Standard deviation (with Bessel's correction unless --correction 0).",
    [SPREAD[0], SPREAD[1], SPREAD[2], SPREAD[3], SPREAD[4]], O::Tensor,
    "nutorch fromvalue [1.0 3.0] | nutorch std | nutorch tovalue" => "1.4142135381698608",
    |a| {
        let (dims, c) = spread_args(a, "std")?;
        t(a.input().f_std_correction(dims.as_deref(), c, a.flag("keepdim"))?)
    }),
    op!("var", Reduction, "torch.var", "Variance (with Bessel's correction unless --correction 0).",
    [SPREAD[0], SPREAD[1], SPREAD[2], SPREAD[3], SPREAD[4]], O::Tensor,
    "nutorch fromvalue [1.0 3.0] | nutorch var | nutorch tovalue" => "2.0",
    |a| {
        let (dims, c) = spread_args(a, "var")?;
        t(a.input().f_var_correction(dims.as_deref(), c, a.flag("keepdim"))?)
    }),
    op!("std_mean", Reduction, "torch.std_mean", "Standard deviation and mean together, as {std, mean}.",
    [SPREAD[0], SPREAD[1], SPREAD[2], SPREAD[3], SPREAD[4]], O::Record(&["std", "mean"]),
    "nutorch fromvalue [1.0 3.0] | nutorch std_mean --correction 0 | nutorch tovalue" => "{\"std\": 1.0, \"mean\": 2.0}",
    |a| {
        let (dims, c) = spread_args(a, "std_mean")?;
        rec2(["std", "mean"], a.input().f_std_mean_correction(dims.as_deref(), c, a.flag("keepdim"))?)
    }),
    op!("var_mean", Reduction, "torch.var_mean", "Variance and mean together, as {var, mean}.",
    [SPREAD[0], SPREAD[1], SPREAD[2], SPREAD[3], SPREAD[4]], O::Record(&["var", "mean"]),
    "nutorch fromvalue [1.0 3.0] | nutorch var_mean | nutorch tovalue" => "{\"var\": 2.0, \"mean\": 2.0}",
    |a| {
        let (dims, c) = spread_args(a, "var_mean")?;
        rec2(["var", "mean"], a.input().f_var_mean_correction(dims.as_deref(), c, a.flag("keepdim"))?)
    }),
    op!("norm", Reduction, "torch.norm", "The p-norm of all elements, or along --dim (Frobenius by default; a number p, inf, fro or nuc).",
        [INPUT, opt("p", NumOrStr(&["fro", "nuc"]), Dflt::Str("fro")), DIMS, KEEPDIM], O::Tensor,
        "nutorch fromvalue [[3.0 0.0] [0.0 4.0]] | nutorch norm --p nuc | nutorch tovalue" => "7.0",
        |a| t(norm(a)?),
        notes: "As torch.norm: a number p is the vector p-norm over --dim (all elements by default); fro is the 2-norm over up to two dims; nuc the nuclear norm of a matrix (over two dims, all of a 2-d input by default)."),
    op!("amax", Reduction, "torch.amax", "Maximum along dims (all by default); ties share the gradient.",
        [INPUT, opt("dim", Ints, Dflt::Ints(&[])), KEEPDIM], O::Tensor,
        "nutorch fromvalue [[1 5] [3 2]] | nutorch amax --dim 0 | nutorch tovalue" => "[3, 5]",
        |a| t(a.input().f_amax(a.ints("dim"), a.flag("keepdim"))?)),
    op!("amin", Reduction, "torch.amin", "Minimum along dims (all by default).",
        [INPUT, opt("dim", Ints, Dflt::Ints(&[])), KEEPDIM], O::Tensor,
        "nutorch fromvalue [[1 5] [3 2]] | nutorch amin --dim 1 | nutorch tovalue" => "[1, 2]",
        |a| t(a.input().f_amin(a.ints("dim"), a.flag("keepdim"))?)),
    op!("aminmax", Reduction, "torch.aminmax", "Minimum and maximum together, as {min, max}.",
        [INPUT, DIM_OPT, KEEPDIM], O::Record(&["min", "max"]),
        "nutorch fromvalue [3 1 2] | nutorch aminmax | nutorch tovalue" => "{\"min\": 1, \"max\": 3}",
        |a| rec2(["min", "max"], a.input().f_aminmax(a.opt_int("dim"), a.flag("keepdim"))?)),
    op!("max", Reduction, "torch.max", "The maximum; with a dim, {values, indices} along it; with a second tensor, the elementwise maximum.",
        [INPUT, OTHER_OR_DIM, DIM_OPT, KEEPDIM], O::Varies,
        "nutorch fromvalue [[1 5] [3 2]] | nutorch max --dim 1 | nutorch tovalue" => "{\"values\": [5, 3], \"indices\": [1, 0]}",
        |a| of_two_or_reduce(a, Tensor::f_maximum, Tensor::f_max, Tensor::f_max_dim),
        notes: "As torch.max: `max` gives the 0-d maximum, `max 1` (or `--dim 1`) {values, indices} along dim 1, `max $y` the elementwise maximum (torch.maximum)."),
    op!("min", Reduction, "torch.min", "The minimum; with a dim, {values, indices} along it; with a second tensor, the elementwise minimum.",
        [INPUT, OTHER_OR_DIM, DIM_OPT, KEEPDIM], O::Varies,
        "nutorch fromvalue [[1 5] [3 2]] | nutorch min | nutorch tovalue" => "1",
        |a| of_two_or_reduce(a, Tensor::f_minimum, Tensor::f_min, Tensor::f_min_dim),
        notes: "As torch.min: `min` gives the 0-d minimum, `min 1` (or `--dim 1`) {values, indices} along dim 1, `min $y` the elementwise minimum (torch.minimum)."),
    op!("median", Reduction, "torch.median", "The median (lower of the two middle values); with --dim, {values, indices}.",
        [INPUT, DIM_OPT, KEEPDIM], O::Varies,
        "nutorch fromvalue [3 1 4 2] | nutorch median | nutorch tovalue" => "2",
        |a| values_or_pair(a, Tensor::f_median, Tensor::f_median_dim)),
    op!("nanmedian", Reduction, "torch.nanmedian", "The median ignoring NaN; with --dim, {values, indices}.",
        [INPUT, DIM_OPT, KEEPDIM], O::Varies,
        "nutorch fromvalue [3.0 NaN 1.0] | nutorch nanmedian | nutorch tovalue" => "1.0",
        |a| values_or_pair(a, Tensor::f_nanmedian, Tensor::f_nanmedian_dim)),
    op!("mode", Reduction, "torch.mode", "The most frequent value along dim (the last by default), as {values, indices}.",
        [INPUT, opt("dim", Int, Dflt::Int(-1)), KEEPDIM], O::Record(&VALUES_INDICES),
        "nutorch fromvalue [1 2 2 3] | nutorch mode | nutorch tovalue" => "{\"values\": 2, \"indices\": 2}",
        |a| rec2(VALUES_INDICES, a.input().f_mode(a.int("dim"), a.flag("keepdim"))?)),
    op!("argmax", Reduction, "torch.argmax", "Index of the maximum (of the flattened tensor, or along --dim).",
        [INPUT, DIM_OPT, KEEPDIM], O::Tensor,
        "nutorch fromvalue [1 5 3] | nutorch argmax | nutorch tovalue" => "1",
        |a| t(a.input().f_argmax(a.opt_int("dim"), a.flag("keepdim"))?)),
    op!("argmin", Reduction, "torch.argmin", "Index of the minimum (of the flattened tensor, or along --dim).",
        [INPUT, DIM_OPT, KEEPDIM], O::Tensor,
        "nutorch fromvalue [[1 5] [0 2]] | nutorch argmin --dim 1 | nutorch tovalue" => "[0, 0]",
        |a| t(a.input().f_argmin(a.opt_int("dim"), a.flag("keepdim"))?)),
    op!("logsumexp", Reduction, "torch.logsumexp", "log(sum(exp(x))) along dims, computed stably.",
        [INPUT, req("dim", Ints), KEEPDIM], O::Tensor,
        "nutorch fromvalue [0.0 0.0] --dtype float64 | nutorch logsumexp 0 | nutorch tovalue" => "0.6931471805599453",
        |a| t(a.input().f_logsumexp(a.ints("dim"), a.flag("keepdim"))?)),
    op!("special_logsumexp", Reduction, "torch.special.logsumexp", "log(sum(exp(x))) along dims (alias of logsumexp).",
        [INPUT, req("dim", Ints), KEEPDIM], O::Tensor,
        "nutorch fromvalue [0.0 0.0] --dtype float64 | nutorch special_logsumexp 0 | nutorch tovalue" => "0.6931471805599453",
        |a| t(a.input().f_special_logsumexp(a.ints("dim"), a.flag("keepdim"))?)),
    op!("all", Reduction, "torch.all", "Whether every element is true (nonzero), overall or along --dim.",
        [INPUT, DIMS, KEEPDIM], O::Tensor,
        "nutorch fromvalue [true false] | nutorch all | nutorch tovalue" => "false",
        |a| t(a.input().f_all_dims(a.opt_ints("dim").as_deref(), a.flag("keepdim"))?)),
    op!("any", Reduction, "torch.any", "Whether any element is true (nonzero), overall or along --dim.",
        [INPUT, DIMS, KEEPDIM], O::Tensor,
        "nutorch fromvalue [true false] | nutorch any | nutorch tovalue" => "true",
        |a| t(a.input().f_any_dims(a.opt_ints("dim").as_deref(), a.flag("keepdim"))?)),
    op!("count_nonzero", Reduction, "torch.count_nonzero", "Number of nonzero elements, overall or along --dim.",
    [INPUT, DIMS], O::Tensor,
    "nutorch fromvalue [0 1 2 0] | nutorch count_nonzero | nutorch tovalue" => "2",
    |a| match a.opt_ints("dim") {
        None => t(a.input().f_count_nonzero(None::<i64>)?),
        Some(d) => t(a.input().f_count_nonzero_dim_intlist(d.as_slice())?),
    }),
    op!("quantile", Reduction, "torch.quantile", "The q-th quantile(s), overall or along --dim.",
        [QUANTILE[0], QUANTILE[1], QUANTILE[2], QUANTILE[3], QUANTILE[4]], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0 4.0] | nutorch quantile 0.5 | nutorch tovalue" => "2.5",
        |a| quantile(a, false)),
    op!("nanquantile", Reduction, "torch.nanquantile", "The q-th quantile(s) ignoring NaN.",
        [QUANTILE[0], QUANTILE[1], QUANTILE[2], QUANTILE[3], QUANTILE[4]], O::Tensor,
        "nutorch fromvalue [1.0 NaN 3.0] | nutorch nanquantile 0.5 | nutorch tovalue" => "2.0",
        |a| quantile(a, true)),
    op!("trace", Reduction, "torch.trace", "Sum of the diagonal of a matrix.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch trace | nutorch tovalue" => "5",
        |a| t(a.input().f_trace()?)),
    op!("dist", Reduction, "torch.dist", "The p-norm of input - other.",
        [INPUT, OTHER, opt("p", Float, Dflt::Float(2.0))], O::Tensor,
        "nutorch fromvalue [0.0 0.0] | nutorch dist (nutorch fromvalue [3.0 4.0]) | nutorch tovalue" => "5.0",
        |a| t(pnorm(&a.input().f_sub(a.tensor("other"))?, a.float("p"), None, false)?)),
    op!("renorm", Reduction, "torch.renorm", "Each slice along dim rescaled to p-norm at most maxnorm.",
    [INPUT, req("p", Float), req("dim", Int), req("maxnorm", Float)], O::Tensor,
    "nutorch fromvalue [[3.0 4.0] [0.3 0.4]] | nutorch renorm 2 0 1 | nutorch tovalue" => "[[0.6000000238418579, 0.800000011920929], [0.30000001192092896, 0.4000000059604645]]",
    |a| {
        let x = a.input();
        require_float("input", x, "renorm")?;
        check_dims("dim", x, &[a.int("dim")])?;
        let (p, maxnorm) = (a.float("p"), a.float("maxnorm"));
        if !(p > 0.0) {
            return Err(bad("p", format!("p must be positive, got {p}")));
        }
        if !(maxnorm >= 0.0) {
            return Err(bad("maxnorm", format!("maxnorm must be non-negative, got {maxnorm}")));
        }
        if x.dim() < 2 {
            return Err(bad("input", "renorm needs at least 2 dimensions"));
        }
        t(x.f_renorm(p, a.int("dim"), maxnorm)?)
    }),
    op!("histc", Reduction, "torch.histc", "Histogram with bins equal-width bins over [min, max] (the data's range when both are 0).",
    [INPUT, opt("bins", Int, Dflt::Int(100)), opt("min", Float, Dflt::Float(0.0)), opt("max", Float, Dflt::Float(0.0))], O::Tensor,
    "nutorch fromvalue [1.0 2.0 1.0] | nutorch histc --bins 4 --min 0 --max 3 | nutorch tovalue" => "[0.0, 2.0, 1.0, 0.0]",
    |a| {
        let x = a.input();
        require_float("input", x, "histc")?;
        let bins = positive("bins", a.int("bins"))?;
        let (lo, hi) = (a.float("min"), a.float("max"));
        if lo == 0.0 && hi == 0.0 {
            return t(x.f_histc(bins)?);
        }
        if !(lo < hi) {
            return Err(bad("max", format!("max ({hi}) must be greater than min ({lo})")));
        }
        // The elements in [min, max] plus min and max themselves make histc's own range
        // [min, max]; the two extra counts come off the end bins. (histogram's bin_ct form,
        // the direct way, has no CUDA kernel.)
        let inside = x.f_ge_tensor(&super::util::num(lo, x)?)?.f_logical_and(&x.f_le_tensor(&super::util::num(hi, x)?)?)?;
        let bounds = Tensor::f_from_slice(&[lo, hi])?.f_to_dtype_layout((x.f_kind()?, x.device()), false, false)?;
        let data = Tensor::f_cat(&[x.f_masked_select(&inside)?, bounds], 0)?;
        let hist = data.f_histc(bins)?;
        let ends = Tensor::f_zeros([bins], (hist.f_kind()?, hist.device()))?;
        let _ = ends.f_narrow(0, 0, 1)?.f_fill_tensor_(&super::util::num(1.0, &hist)?)?;
        let _ = ends.f_narrow(0, bins - 1, 1)?.f_add_(&super::util::num(1.0, &hist)?)?;
        t(hist.f_sub(&ends)?)
    }),
    op!("bincount", Reduction, "torch.bincount", "Count of each value of a non-negative int tensor (weighted with --weights).",
        [INPUT, opt("weights", Tensor, Dflt::None), opt("minlength", Int, Dflt::Int(0))], O::Tensor,
        "nutorch fromvalue [0 1 1 3] | nutorch bincount | nutorch tovalue" => "[1, 2, 0, 1]",
        |a| t(a.input().f_bincount(a.opt_tensor("weights"), non_negative("minlength", a.int("minlength"))?)?)),
    op!("trapezoid", Reduction, "torch.trapezoid", "Integral of y by the trapezoidal rule along dim.",
        [TRAPEZOID[0], TRAPEZOID[1], TRAPEZOID[2], TRAPEZOID[3]], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0] | nutorch trapezoid | nutorch tovalue" => "4.0",
        |a| t(trapezoid(a, false)?)),
    op!("trapz", Reduction, "torch.trapz", "Integral of y by the trapezoidal rule (alias of trapezoid).",
        [TRAPEZOID[0], TRAPEZOID[1], TRAPEZOID[2], TRAPEZOID[3]], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0] | nutorch trapz --dx 2 | nutorch tovalue" => "8.0",
        |a| t(trapezoid(a, false)?)),
    op!("cumulative_trapezoid", Scan, "torch.cumulative_trapezoid", "Running integral of y by the trapezoidal rule.",
        [TRAPEZOID[0], TRAPEZOID[1], TRAPEZOID[2], TRAPEZOID[3]], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0] | nutorch cumulative_trapezoid | nutorch tovalue" => "[1.5, 4.0]",
        |a| t(trapezoid(a, true)?)),
    op!("cumsum", Scan, "torch.cumsum", "Running sum along dim.",
        [INPUT, DIM_REQ, DTYPE], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch cumsum 0 | nutorch tovalue" => "[1, 3, 6]",
        |a| t(a.input().f_cumsum(a.int("dim"), kind(a))?)),
    op!("cumprod", Scan, "torch.cumprod", "Running product along dim.",
        [INPUT, DIM_REQ, DTYPE], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch cumprod 0 | nutorch tovalue" => "[1, 2, 6]",
        |a| t(a.input().f_cumprod(a.int("dim"), kind(a))?)),
    op!("cummax", Scan, "torch.cummax", "Running maximum along dim, as {values, indices}.",
        [INPUT, DIM_REQ], O::Record(&VALUES_INDICES),
        "nutorch fromvalue [1 3 2] | nutorch cummax 0 | nutorch tovalue" => "{\"values\": [1, 3, 3], \"indices\": [0, 1, 1]}",
        |a| rec2(VALUES_INDICES, a.input().f_cummax(a.int("dim"))?)),
    op!("cummin", Scan, "torch.cummin", "Running minimum along dim, as {values, indices}.",
        [INPUT, DIM_REQ], O::Record(&VALUES_INDICES),
        "nutorch fromvalue [3 1 2] | nutorch cummin 0 | nutorch tovalue" => "{\"values\": [3, 1, 1], \"indices\": [0, 1, 1]}",
        |a| rec2(VALUES_INDICES, a.input().f_cummin(a.int("dim"))?)),
    op!("logcumsumexp", Scan, "torch.logcumsumexp", "Running log(sum(exp(x))) along dim.",
        [INPUT, DIM_REQ], O::Tensor,
        "nutorch fromvalue [0.0 0.0] --dtype float64 | nutorch logcumsumexp 0 | nutorch tovalue" => "[0.0, 0.6931471805599453]",
        |a| t(a.input().f_logcumsumexp(a.int("dim"))?)),
    op!("diff", Scan, "torch.diff", "n-th forward difference along dim (with optional values prepended/appended).",
        [INPUT, opt("n", Int, Dflt::Int(1)), opt("dim", Int, Dflt::Int(-1)), opt("prepend", Tensor, Dflt::None), opt("append", Tensor, Dflt::None)], O::Tensor,
        "nutorch fromvalue [1 4 9 16] | nutorch diff | nutorch tovalue" => "[3, 5, 7]",
        |a| t(a.input().f_diff(non_negative("n", a.int("n"))?, a.int("dim"), a.opt_tensor("prepend"), a.opt_tensor("append"))?)),
    op!("cov", Reduction, "torch.cov", "Covariance matrix of the variables in the rows (observations in the columns).",
        [INPUT, opt("correction", Int, Dflt::Int(1)), opt("fweights", Tensor, Dflt::None).doc("integer frequency weights of the observations"),
         opt("aweights", Tensor, Dflt::None).doc("float importance weights of the observations")], O::Tensor,
        "nutorch fromvalue [[0.0 1.0 2.0] [2.0 1.0 0.0]] | nutorch cov | nutorch tovalue" => "[[1.0, -1.0], [-1.0, 1.0]]",
        |a| t(a.input().f_cov(a.int("correction"), a.opt_tensor("fweights"), a.opt_tensor("aweights"))?)),
    op!("corrcoef", Reduction, "torch.corrcoef", "Pearson correlation coefficients of the variables in the rows.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[0.0 1.0 2.0] [2.0 1.0 0.0]] | nutorch corrcoef | nutorch tovalue" => "[[1.0, -1.0], [-1.0, 1.0]]",
        |a| t(a.input().f_corrcoef()?)),
    op!("histogram", Reduction, "torch.histogram", "Histogram with bins equal-width bins over range (the data's range by default), as {hist, bin_edges}.",
    [INPUT, req("bins", Int), opt("range", Floats, Dflt::None).doc("the lower and upper edge: [min max]"),
     opt("weight", Tensor, Dflt::None), opt("density", Bool, Dflt::Bool(false))], O::Record(&["hist", "bin_edges"]),
    "(nutorch fromvalue [1.0 2.0 1.0] | nutorch histogram 3 --range [0 3]).hist | nutorch tovalue" => "[0.0, 2.0, 1.0]",
    |a| {
        let x = a.input();
        // libtorch's histogram kernel has no half-precision version; tch's path would widen
        // the data first, PyTorch refuses.
        if let k @ (tch::Kind::Half | tch::Kind::BFloat16) = x.f_kind()? {
            let name = if k == tch::Kind::Half { "Half" } else { "BFloat16" };
            return Err(bad("input", format!("\"histogramdd\" not implemented for '{name}'")));
        }
        let bins = a.int("bins");
        if bins <= 0 {
            return Err(bad("bins", format!("torch.histogram(): bins must be > 0, but got {bins} for dimension 0")));
        }
        histogram_dtype(x)?;
        // tch always passes a range, so PyTorch's default (the data's min and max, [0, 1] for
        // no data) is computed here; libtorch then checks and widens it as it would its own.
        let range = match a.opt_floats("range") {
            Some(r) if r.len() != 2 => return Err(bad("range", format!("range is [min max], got {} numbers", r.len()))),
            Some(r) => r,
            None if x.numel() == 0 => vec![0.0, 1.0],
            None => {
                let flat = x.f_reshape([-1])?;
                vec![flat.f_min()?.f_double_value(&[])?, flat.f_max()?.f_double_value(&[])?]
            }
        };
        rec2(["hist", "bin_edges"], x.f_histogram_bin_ct(bins, range.as_slice(), a.opt_tensor("weight"), a.flag("density"))?)
    }),
    op!("histogramdd", Reduction, "torch.histogramdd", "D-dimensional histogram of the points in the input's last dim, with bins per dim, as {hist, bin_edges (a list, one per dim)}.",
    [INPUT, req("bins", Ints).doc("the number of bins: one int for every dim, or one per dim"),
     opt("range", Floats, Dflt::None).doc("the lower and upper edge of each dim: [min0 max0 min1 max1 ...]"),
     opt("weight", Tensor, Dflt::None), opt("density", Bool, Dflt::Bool(false))], O::Fields(&[("hist", O::Tensor), ("bin_edges", O::Tensors)]),
    "(nutorch fromvalue [[0.0 0.0] [1.0 1.0] [1.0 0.0]] | nutorch histogramdd 2).hist | nutorch tovalue" => "[[1.0, 0.0], [1.0, 1.0]]",
    |a| histogramdd(a)),
    op!("sum_to_size", Reduction, "Tensor.sum_to_size", "The input summed down to size (which it must broadcast from).",
        [INPUT, req("size", Ints)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch sum_to_size 1 2 | nutorch tovalue" => "[[4, 6]]",
        |a| t(a.input().f_sum_to_size(a.ints("size").as_slice())?)),
    op!("gradient", Scan, "torch.gradient", "Estimated derivative along each dim (or --dim) by central differences, as a list of tensors.",
        [INPUT, opt("spacing", Number, Dflt::Int(1)).doc("the sample spacing"), opt("dim", Ints, Dflt::None),
         opt("edge_order", Int, Dflt::Int(1)).doc("1 or 2: the accuracy of the differences at the ends")], O::Tensors,
        "nutorch fromvalue [1.0 4.0 9.0 16.0] | nutorch gradient | nutorch tovalue" => "[[3.0, 4.0, 6.0, 7.0]]",
        |a| Ok(Out::List(gradient(a)?))),
];

/// torch.gradient with one spacing for every dim, as ATen computes it (the same ops in the
/// same order, so float results agree to the bit): central differences inside, one-sided
/// differences of edge_order's accuracy at both ends.
fn gradient(a: &Args) -> R<Vec<Tensor>> {
    use crate::Number::{Float, Int};
    let x = a.input();
    let edge_order = a.int("edge_order");
    if edge_order != 1 && edge_order != 2 {
        return Err(bad("edge_order", "torch.gradient only supports edge_order=1 and edge_order=2."));
    }
    if dtype(x)?.is_bool() {
        return Err(bad("input", "torch.gradient does not support bool tensors (their subtraction is undefined)"));
    }
    let ndim = x.dim() as i64;
    let dims: Vec<i64> = match a.opt_ints("dim") {
        Some(d) => d.iter().map(|&d| norm_dim("dim", d, ndim)).collect::<R<_>>()?,
        None => (0..ndim).collect(),
    };
    for (i, d) in dims.iter().enumerate() {
        if dims[..i].contains(d) {
            return Err(bad("dim", format!("dim {d} appears multiple times in the list of dims")));
        }
        if ndim == 0 || x.size()[*d as usize] < edge_order + 1 {
            return Err(bad("input", "torch.gradient expected each dimension size to be at least edge_order+1"));
        }
    }
    let h = a.number("spacing");
    let mut out = Vec::with_capacity(dims.len());
    for &d in &dims {
        let n = x.size()[d as usize];
        let s = |start: i64, end: i64| -> R<Tensor> {
            let (start, end) = (if start < 0 { n + start } else { start }, if end <= 0 { n + end } else { end });
            Ok(x.f_narrow(d, start, end - start)?)
        };
        let div = |v: Tensor| -> R<Tensor> { Ok(v.f_div(&wrapped(h, &v)?)?) };
        let center = div(s(2, 0)?.f_sub(&s(0, -2)?)?)?;
        let center = center.f_div(&wrapped(Int(2), &center)?)?;
        let (prepend, append) = if edge_order == 1 {
            (div(s(1, 2)?.f_sub(&s(0, 1)?)?)?, div(s(-1, 0)?.f_sub(&s(-2, -1)?)?)?)
        } else {
            let term = |c: f64, v: Tensor| -> R<Tensor> { Ok(v.f_mul(&wrapped(Float(c), &v)?)?) };
            let two = |v: Tensor| -> R<Tensor> { Ok(v.f_mul(&wrapped(Int(2), &v)?)?) };
            let first = term(-1.5, s(0, 1)?)?.f_add(&two(s(1, 2)?)?)?.f_sub(&term(0.5, s(2, 3)?)?)?;
            let last = term(0.5, s(-3, -2)?)?.f_sub(&two(s(-2, -1)?)?)?.f_add(&term(1.5, s(-1, 0)?)?)?;
            (div(first)?, div(last)?)
        };
        out.push(Tensor::f_cat(&[prepend, center, append], d)?);
    }
    Ok(out)
}

/// torch.histogramdd as ATen composes it (bin edges, then counts). tch always passes a range,
/// so PyTorch's default (each dim's min and max, [0, 1] without points) is computed here, in
/// the input's dtype as ATen does; libtorch then checks and widens it as it would its own.
fn histogramdd(a: &Args) -> OpResult {
    let x = a.input();
    if x.dim() < 2 {
        return Err(bad("input", "torch.histogramdd: input tensor should have at least 2 dimensions"));
    }
    let dims = x.size()[x.dim() - 1];
    let bins = match a.is_list("bins") {
        true => a.ints("bins"),
        false => vec![a.int("bins"); dims as usize],
    };
    if bins.len() as i64 != dims {
        return Err(bad(
            "bins",
            "histogramdd: The size of bins must be equal to the innermost dimension of the input.",
        ));
    }
    if let Some((d, b)) = bins.iter().enumerate().find(|(_, &b)| b <= 0) {
        return Err(bad("bins", format!("torch.histogram(): bins must be > 0, but got {b} for dimension {d}")));
    }
    histogram_dtype(x)?;
    let range = match a.opt_floats("range") {
        Some(r) if r.len() as i64 != 2 * dims => {
            return Err(bad(
                "range",
                format!(
                    "torch.histogramdd: for a {dims}-dimensional histogram range should have {} elements, but got {}",
                    2 * dims,
                    r.len()
                ),
            ))
        }
        Some(r) => r,
        None if x.numel() == 0 => [0.0, 1.0].repeat(dims as usize),
        None => {
            let points = x.f_reshape([-1, dims])?;
            let lo = Vec::<f64>::try_from(points.f_amin([0i64].as_slice(), false)?.f_to_kind(tch::Kind::Double)?)?;
            let hi = Vec::<f64>::try_from(points.f_amax([0i64].as_slice(), false)?.f_to_kind(tch::Kind::Double)?)?;
            lo.iter().zip(&hi).flat_map(|(l, h)| [*l, *h]).collect()
        }
    };
    let (weight, density) = (a.opt_tensor("weight"), a.flag("density"));
    let edges = x.f_internal_histogramdd_bin_edges(bins.as_slice(), range.as_slice(), weight, density)?;
    let hist = x.f_internal_histogramdd_from_bin_cts(bins.as_slice(), range.as_slice(), weight, density)?;
    Ok(Out::Fields(vec![("hist", Out::T(hist)), ("bin_edges", Out::List(edges))]))
}

/// PyTorch's histogram kernels take float32 and float64 only.
fn histogram_dtype(x: &Tensor) -> R<()> {
    let dt = dtype(x)?;
    if !matches!(dt, crate::dtype::DType::Float32 | crate::dtype::DType::Float64) {
        return Err(bad(
            "input",
            format!("histogram is implemented for float32 and float64 tensors, not {dt} (as in PyTorch)"),
        ));
    }
    Ok(())
}
