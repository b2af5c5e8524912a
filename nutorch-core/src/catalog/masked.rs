//! torch.masked: reductions and normalizations that see only the elements where a boolean
//! `mask` is true. As torch/masked/_ops.py does for strided tensors: the mask is broadcast to
//! the input, the masked-out elements are replaced by the reduction's identity (0 for sums,
//! -inf for maxima, NaN for the median, ...), then the plain reduction runs. Without a mask
//! every element counts.

use super::spec::{bad, opt, req, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, DTYPE, INPUT, KEEPDIM, OTHER};
use super::util::{dtype, norm_dim, num, number_tensor, require_float, t, R};
use super::Args;
use crate::dtype::DType;
use crate::number::Number;
use crate::op;
use tch::{Kind, Tensor};

const MASK: ArgSpec =
    opt("mask", Tensor, Dflt::None).doc("where the input is valid (broadcast to it; all when absent)");
const DIMS: ArgSpec = opt("dim", Ints, Dflt::None).doc("the dimension or dimensions to reduce (all when absent)");
const DIM_REQ: ArgSpec = req("dim", Int);

/// The value a reduction starts from, which masked-out elements are replaced by.
#[derive(Clone, Copy)]
enum Identity {
    Zero,
    One,
    /// amax, argmax, logaddexp, softmax: -inf, or the integer dtype's minimum.
    Lowest,
    /// logsumexp: as Lowest, and -inf for complex inputs too.
    LowestOrComplex,
    /// amin, argmin, softmin: inf, or the integer dtype's maximum.
    Highest,
    Nan,
}

/// The identity of `which` for `x`'s dtype as a 0-d tensor, or PyTorch's refusal
/// (`_reduction_identity`: no identity of a maximum for bool or complex tensors).
fn identity(which: Identity, x: &Tensor, op: &str) -> R<Tensor> {
    let dt = dtype(x)?;
    let (kind, device) = (x.kind(), x.device());
    let int_bounds = match dt {
        DType::Int8 => Some((i8::MIN as i64, i8::MAX as i64)),
        DType::UInt8 => Some((0, u8::MAX as i64)),
        DType::Int16 => Some((i16::MIN as i64, i16::MAX as i64)),
        DType::Int32 => Some((i32::MIN as i64, i32::MAX as i64)),
        DType::Int64 => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    let value = match which {
        Identity::Zero => Number::Int(0),
        Identity::One => Number::Int(1),
        Identity::Nan => Number::Float(f64::NAN),
        Identity::Lowest | Identity::LowestOrComplex | Identity::Highest => {
            let low = !matches!(which, Identity::Highest);
            let complex_ok = matches!(which, Identity::LowestOrComplex) && dt.is_complex();
            if dt.is_floating_point() || complex_ok {
                Number::Float(if low { f64::NEG_INFINITY } else { f64::INFINITY })
            } else if let Some((lo, hi)) = int_bounds {
                Number::Int(if low { lo } else { hi })
            } else {
                return Err(bad("input", format!("{op} has no identity for a {dt} input, so it cannot mask one")));
            }
        }
    };
    number_tensor(value, kind, device)
}

/// The mask as bool, broadcast to `x`'s shape (`_input_mask`).
fn input_mask(name: &'static str, x: &Tensor, mask: &Tensor) -> R<Tensor> {
    if mask.size() == x.size() {
        return Ok(mask.f_to_kind(Kind::Bool)?);
    }
    if mask.dim() > x.dim() {
        return Err(bad(
            name,
            format!("a mask of {} dimensions cannot be broadcast to an input of {}", mask.dim(), x.dim()),
        ));
    }
    let broadcast = mask.f_broadcast_to(x.size()).map_err(|_| {
        bad(name, format!("the mask's shape {:?} cannot be broadcast to the input's {:?}", mask.size(), x.size()))
    })?;
    Ok(broadcast.f_to_kind(Kind::Bool)?)
}

/// `x` with its masked-out elements replaced by the identity (`_combine_input_and_mask`).
fn combine(x: &Tensor, mask: Option<&Tensor>, mask_name: &'static str, which: Identity, op: &str) -> R<Tensor> {
    let Some(mask) = mask else { return Ok(x.shallow_clone()) };
    let mask = input_mask(mask_name, x, mask)?;
    let fill = identity(which, x, op)?;
    Ok(x.f_where_self(&mask, &fill)?)
}

/// The dims to reduce, sorted and non-negative (`_canonical_dim`); all when none are given.
fn canonical_dims(dims: Option<Vec<i64>>, ndim: i64) -> R<Vec<i64>> {
    let dims = match dims {
        None => return Ok((0..ndim).collect()),
        Some(d) if d.is_empty() => return Ok((0..ndim).collect()),
        Some(d) => d,
    };
    let mut out = Vec::new();
    for d in dims {
        let n = norm_dim("dim", d, ndim)?;
        if out.contains(&n) {
            return Err(bad("dim", format!("dim={d} appears multiple times in the list of dims")));
        }
        out.push(n);
    }
    out.sort_unstable();
    Ok(out)
}

fn canonical_dim(dim: i64, ndim: i64) -> R<i64> {
    norm_dim("dim", dim, ndim)
}

/// The dtype given, else the input's.
fn dtype_or_input(a: &Args, x: &Tensor) -> R<DType> {
    match a.dtype("dtype") {
        Some(d) => Ok(d),
        None => dtype(x),
    }
}

/// sum/prod's default dtype: the input's, with bool and small integers widened to int64.
fn accumulate_dtype(a: &Args, x: &Tensor) -> R<DType> {
    if let Some(d) = a.dtype("dtype") {
        return Ok(d);
    }
    let dt = dtype(x)?;
    Ok(match dt {
        DType::Bool | DType::UInt8 | DType::Int8 | DType::Int16 | DType::Int32 => DType::Int64,
        other => other,
    })
}

/// torch.masked.sum with its arguments given: the helper mean, var and std build on.
fn masked_sum(x: &Tensor, dims: Option<Vec<i64>>, keepdim: bool, dt: DType, mask: Option<&Tensor>) -> R<Tensor> {
    let dims = canonical_dims(dims, x.dim() as i64)?;
    let combined = combine(x, mask, "mask", Identity::Zero, "sum")?;
    Ok(combined.f_sum_dim_intlist(dims.as_slice(), keepdim, dt.kind())?)
}

/// How many elements each reduced slice holds (all of them without a mask).
fn count(x: &Tensor, dims: Option<Vec<i64>>, keepdim: bool, mask: Option<&Tensor>) -> R<Tensor> {
    let dims = canonical_dims(dims, x.dim() as i64)?;
    let valid = match mask {
        Some(mask) => mask.shallow_clone(),
        None => Tensor::f_ones(x.size(), (Kind::Int64, x.device()))?,
    };
    Ok(valid.f_sum_dim_intlist(dims.as_slice(), keepdim, Kind::Int64)?)
}

fn sum(a: &Args) -> R<Tensor> {
    let x = a.input();
    masked_sum(x, a.opt_ints("dim"), a.flag("keepdim"), accumulate_dtype(a, x)?, a.opt_tensor("mask"))
}

fn prod(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dt = accumulate_dtype(a, x)?;
    let dims = canonical_dims(a.opt_ints("dim"), x.dim() as i64)?;
    let mut result = combine(x, a.opt_tensor("mask"), "mask", Identity::One, "prod")?.f_to_kind(dt.kind())?;
    // One dim at a time, from the last, as torch.masked does (prod takes one dim).
    for &d in dims.iter().rev() {
        result = result.f_prod_dim_int(d, a.flag("keepdim"), None::<Kind>)?;
    }
    Ok(result)
}

fn scan(a: &Args, which: Identity, product: bool) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let dim = canonical_dim(a.int("dim"), x.dim() as i64)?;
    let combined = combine(x, a.opt_tensor("mask"), "mask", which, if product { "cumprod" } else { "cumsum" })?;
    let scanned = if product { combined.f_cumprod(dim, dt.kind())? } else { combined.f_cumsum(dim, dt.kind())? };
    Ok(scanned.f_to_kind(dt.kind())?)
}

/// amax/amin/logsumexp: the reduction over the canonical dims, cast to the dtype.
fn extreme(a: &Args, which: Identity, op: &str) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let combined = combine(x, a.opt_tensor("mask"), "mask", which, op)?;
    let dims = canonical_dims(a.opt_ints("dim"), combined.dim() as i64)?;
    let keepdim = a.flag("keepdim");
    let reduced = match which {
        Identity::Highest => combined.f_amin(dims.as_slice(), keepdim)?,
        Identity::LowestOrComplex => combined.f_logsumexp(dims.as_slice(), keepdim)?,
        _ => combined.f_amax(dims.as_slice(), keepdim)?,
    };
    Ok(reduced.f_to_kind(dt.kind())?)
}

fn arg_extreme(a: &Args, which: Identity, op: &str) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let combined = combine(x, a.opt_tensor("mask"), "mask", which, op)?;
    if let Some(d) = a.opt_int("dim") {
        norm_dim("dim", d, combined.dim() as i64)?;
    }
    let keepdim = a.flag("keepdim");
    let index = match which {
        Identity::Highest => combined.f_argmin(a.opt_int("dim"), keepdim)?,
        _ => combined.f_argmax(a.opt_int("dim"), keepdim)?,
    };
    // torch.masked casts the indices to the dtype (the input's unless given), as here.
    Ok(index.f_to_kind(dt.kind())?)
}

fn mean(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    if !(dt.is_floating_point() || dt.is_complex()) {
        let (name, source) = if a.has("dtype") { ("dtype", "Optional") } else { ("input", "Input") };
        return Err(bad(
            name,
            format!("mean(): Could not infer output dtype. {source} dtype must be either a floating point or complex dtype. Got: {dt}"),
        ));
    }
    let (dims, keepdim) = (a.opt_ints("dim"), a.flag("keepdim"));
    let mask = match a.opt_tensor("mask") {
        Some(m) => Some(input_mask("mask", x, m)?),
        None => None,
    };
    let n = count(x, dims.clone(), keepdim, mask.as_ref())?;
    let total = masked_sum(x, dims, keepdim, dt, mask.as_ref())?;
    Ok(total.f_div(&n)?)
}

fn median(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let dim = canonical_dim(a.int("dim"), x.dim() as i64)?;
    let is_float = dtype(x)?.is_floating_point();
    let x = if is_float { x.shallow_clone() } else { x.f_to_kind(Kind::Float)? };
    let combined = combine(&x, a.opt_tensor("mask"), "mask", Identity::Nan, "median")?;
    let (values, _) = combined.f_nanmedian_dim(dim, a.flag("keepdim"))?;
    if is_float {
        return Ok(values);
    }
    if values.f_isnan()?.f_any()?.f_int64_value(&[])? != 0 {
        return Err(bad("mask", "masked median expects no fully masked out rows if dtype is not floating point"));
    }
    Ok(values.f_to_kind(dt.kind())?)
}

/// The vector norm of the masked input (masked-out elements count as 0, or as inf for
/// ord -inf).
fn masked_norm(
    x: &Tensor,
    ord: f64,
    dims: Option<Vec<i64>>,
    keepdim: bool,
    dt: DType,
    mask: Option<&Tensor>,
) -> R<Tensor> {
    if ord.is_nan() {
        return Err(bad("ord", "ord must be a number"));
    }
    let which = if ord == f64::NEG_INFINITY {
        if !dtype(x)?.is_floating_point() {
            return Err(bad(
                "input",
                format!("a masked norm of ord -inf needs a floating point input, got {}", dtype(x)?),
            ));
        }
        Identity::Highest
    } else {
        Identity::Zero
    };
    let combined = combine(x, mask, "mask", which, "norm")?;
    require_float("input", &combined, "linalg.vector_norm")?;
    let input_dt = dtype(&combined)?;
    if !(dt.is_floating_point() || dt.is_complex()) {
        return Err(bad("dtype", format!("linalg.vector_norm: dtype should be floating point or complex, got {dt}")));
    }
    // vector_norm casts to dtype only without narrowing: dtype must be the promotion of both.
    let promoted =
        combined.f_zeros_like()?.f_sum(None::<Kind>)?.f_add(&Tensor::f_zeros([], (dt.kind(), x.device()))?)?;
    if dtype(&promoted)? != dt {
        return Err(bad(
            "dtype",
            format!("linalg.vector_norm: the dtype of the input ({input_dt}) should be convertible without narrowing to the specified dtype ({dt})"),
        ));
    }
    let dims = canonical_dims(dims, x.dim() as i64)?;
    Ok(combined.f_to_kind(dt.kind())?.f_norm_scalaropt_dim(ord, dims.as_slice(), keepdim)?)
}

fn norm(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    masked_norm(x, a.float("ord"), a.opt_ints("dim"), a.flag("keepdim"), dt, a.opt_tensor("mask"))
}

fn normalize(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let mask = a.opt_tensor("mask");
    let combined = combine(x, mask, "mask", Identity::Zero, "sum")?;
    let norm = masked_norm(x, a.float("ord"), Some(vec![a.int("dim")]), true, dt, mask)?;
    let denom = norm.f_maximum(&num(a.float("eps"), &norm)?)?;
    Ok(combined.f_div(&denom)?)
}

/// masked var and std (`_std_var`): the mean and the squared deviations summed over the
/// valid elements, divided by their count less the correction (at least 0).
fn spread(a: &Args, sqrt: bool) -> R<Tensor> {
    let x = a.input();
    if a.has("unbiased") && a.has("correction") {
        return Err(bad("unbiased", "Only one of unbiased and correction may be given"));
    }
    let correction = match (a.has("unbiased"), a.opt_float("correction")) {
        (true, _) => f64::from(u8::from(a.flag("unbiased"))),
        (false, Some(c)) => c,
        (false, None) => 1.0,
    };
    let floatish = |d: DType| d.is_floating_point() || d.is_complex();
    let dt = match a.dtype("dtype") {
        Some(d) => d,
        None => Some(dtype(x)?).filter(|&d| floatish(d)).unwrap_or(DType::Float32),
    };
    let compute = if floatish(dt) { dt } else { DType::Float32 };
    let (dims, keepdim) = (a.opt_ints("dim"), a.flag("keepdim"));
    let mask = match a.opt_tensor("mask") {
        Some(m) => Some(input_mask("mask", x, m)?),
        None => None,
    };
    let mut n = count(x, dims.clone(), true, mask.as_ref())?;
    let sample_total = masked_sum(x, dims.clone(), true, dt, mask.as_ref())?;
    let deviation = x.f_sub(&sample_total.f_div(&n)?)?;
    let squares = deviation.f_mul(&deviation.f_conj()?)?;
    let total = masked_sum(&squares, dims, keepdim, compute, mask.as_ref())?;
    if !keepdim {
        n = n.f_reshape(total.size())?;
    }
    if correction != 0.0 {
        let real = match compute {
            DType::Complex64 => DType::Float32,
            DType::Complex128 => DType::Float64,
            other => other,
        };
        n = n.f_to_kind(real.kind())?;
        n = n.f_sub(&num(correction, &n)?)?;
        n = n.f_maximum(&num(0.0, &n)?)?;
    }
    let out = total.f_div(&n)?.f_to_kind(dt.kind())?;
    Ok(if sqrt { out.f_sqrt()? } else { out })
}

fn softmax(a: &Args, which: Identity, log: bool) -> R<Tensor> {
    let x = a.input();
    let dt = dtype_or_input(a, x)?;
    let dim = canonical_dim(a.int("dim"), x.dim() as i64)?;
    let op = match (which, log) {
        (Identity::Highest, _) => "softmin",
        (_, true) => "log_softmax",
        _ => "softmax",
    };
    let combined = combine(x, a.opt_tensor("mask"), "mask", which, op)?;
    Ok(match (which, log) {
        (Identity::Highest, _) => combined.f_neg()?.f_softmax(dim, dt.kind())?,
        (_, true) => combined.f_log_softmax(dim, dt.kind())?,
        _ => combined.f_softmax(dim, dt.kind())?,
    })
}

fn logaddexp(a: &Args) -> R<Tensor> {
    let (x, other) = (a.input(), a.tensor("other"));
    let dt = dtype_or_input(a, x)?;
    let x = combine(x, a.opt_tensor("input_mask"), "input_mask", Identity::Lowest, "logaddexp")?;
    let other = combine(other, a.opt_tensor("other_mask"), "other_mask", Identity::Lowest, "logaddexp")?;
    Ok(x.f_logaddexp(&other)?.f_to_kind(dt.kind())?)
}

const UNBIASED: ArgSpec =
    opt("unbiased", Bool, Dflt::None).doc("older spelling: true is --correction 1, false --correction 0");
const CORRECTION: ArgSpec =
    opt("correction", Number, Dflt::None).doc("difference between the sample size and the divisor (1 by default)");

pub static OPS: &[OpSpec] = &[
    op!("masked_sum", Reduction, "torch.masked.sum", "Sum of the elements where mask is true (all, or along --dim).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch masked_sum --dim 1 --mask (nutorch fromvalue [[true false] [true true]]) | nutorch tovalue" => "[1, 7]",
        |a| t(sum(a)?),
        notes: "Bool and integer inputs are summed as int64 unless --dtype says otherwise; a fully masked-out slice sums to 0."),
    op!("masked_prod", Reduction, "torch.masked.prod", "Product of the elements where mask is true (all, or along --dim).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch masked_prod --dim 1 --mask (nutorch fromvalue [[true false] [true true]]) | nutorch tovalue" => "[1, 12]",
        |a| t(prod(a)?)),
    op!("masked_cumsum", Scan, "torch.masked.cumsum", "Cumulative sum along dim, masked-out elements counting as 0.",
        [INPUT, DIM_REQ, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch masked_cumsum 0 --mask (nutorch fromvalue [true false true]) | nutorch tovalue" => "[1, 1, 4]",
        |a| t(scan(a, Identity::Zero, false)?)),
    op!("masked_cumprod", Scan, "torch.masked.cumprod", "Cumulative product along dim, masked-out elements counting as 1.",
        [INPUT, DIM_REQ, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [2 3 4] | nutorch masked_cumprod 0 --mask (nutorch fromvalue [true false true]) | nutorch tovalue" => "[2, 2, 8]",
        |a| t(scan(a, Identity::One, true)?)),
    op!("masked_amax", Reduction, "torch.masked.amax", "Maximum of the elements where mask is true (-inf, or the dtype's minimum, where none is).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1.0 5.0] [3.0 4.0]] | nutorch masked_amax --dim 1 --mask (nutorch fromvalue [[true false] [false true]]) | nutorch tovalue" => "[1.0, 4.0]",
        |a| t(extreme(a, Identity::Lowest, "amax")?)),
    op!("masked_amin", Reduction, "torch.masked.amin", "Minimum of the elements where mask is true (inf, or the dtype's maximum, where none is).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1.0 5.0] [3.0 4.0]] | nutorch masked_amin --dim 1 --mask (nutorch fromvalue [[false true] [true true]]) | nutorch tovalue" => "[5.0, 3.0]",
        |a| t(extreme(a, Identity::Highest, "amin")?)),
    op!("masked_argmax", Reduction, "torch.masked.argmax", "Index of the maximum among the elements where mask is true.",
        [INPUT, opt("dim", Int, Dflt::None).doc("the dimension to reduce (all when absent)"), KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1 5 3] | nutorch masked_argmax --mask (nutorch fromvalue [true false true]) | nutorch tovalue" => "2",
        |a| t(arg_extreme(a, Identity::Lowest, "argmax")?),
        notes: "As torch.masked.argmax, the indices come in the dtype (the input's unless --dtype is given)."),
    op!("masked_argmin", Reduction, "torch.masked.argmin", "Index of the minimum among the elements where mask is true.",
        [INPUT, opt("dim", Int, Dflt::None).doc("the dimension to reduce (all when absent)"), KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1 5 3] | nutorch masked_argmin --mask (nutorch fromvalue [false true true]) | nutorch tovalue" => "2",
        |a| t(arg_extreme(a, Identity::Highest, "argmin")?),
        notes: "As torch.masked.argmin, the indices come in the dtype (the input's unless --dtype is given)."),
    op!("masked_mean", Reduction, "torch.masked.mean", "Mean of the elements where mask is true (NaN where none is).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1.0 2.0] [3.0 5.0]] | nutorch masked_mean --dim 1 --mask (nutorch fromvalue [[true false] [true true]]) | nutorch tovalue" => "[1.0, 4.0]",
        |a| t(mean(a)?)),
    op!("masked_median", Reduction, "torch.masked.median", "Median along dim of the elements where mask is true (NaN where none is).",
        [INPUT, opt("dim", Int, Dflt::Int(-1)), KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [[1.0 2.0 9.0] [3.0 5.0 4.0]] | nutorch masked_median --mask (nutorch fromvalue [[true true false] [true true true]]) | nutorch tovalue" => "[1.0, 4.0]",
        |a| t(median(a)?),
        notes: "An integer input's fully masked-out slice is an error (its median is NaN)."),
    op!("masked_logsumexp", Reduction, "torch.masked.logsumexp", "log(sum(exp(x))) of the elements where mask is true (-inf where none is).",
        [INPUT, DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [0.0 0.0 5.0] --dtype float64 | nutorch masked_logsumexp --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "0.6931471805599453",
        |a| t(extreme(a, Identity::LowestOrComplex, "logsumexp")?)),
    op!("masked_logaddexp", Binary, "torch.masked.logaddexp", "log(exp(input) + exp(other)), masked-out elements of either counting as -inf.",
        [INPUT, OTHER, DTYPE, opt("input_mask", Tensor, Dflt::None).doc("where input is valid"), opt("other_mask", Tensor, Dflt::None).doc("where other is valid")], O::Tensor,
        "nutorch fromvalue [-100.0 -200.0 -300.0] | nutorch masked_logaddexp (nutorch fromvalue [-1.0 -2.0 -3.0]) --input-mask (nutorch fromvalue [true false true]) --other-mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "[-1.0, -2.0, -300.0]",
        |a| t(logaddexp(a)?)),
    op!("masked_norm", Reduction, "torch.masked.norm", "Vector ord-norm of the elements where mask is true (0 where none is).",
        [INPUT, opt("ord", Float, Dflt::Float(2.0)), DIMS, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [3.0 4.0 12.0] | nutorch masked_norm --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "5.0",
        |a| t(norm(a)?)),
    op!("masked_normalize", Nn, "torch.masked.normalize", "x / max(norm_ord(x, dim), eps) over the elements where mask is true (0 elsewhere).",
        [INPUT, req("ord", Float), DIM_REQ, opt("eps", Float, Dflt::Float(1e-12)), DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [3.0 4.0 12.0] | nutorch masked_normalize 2 0 --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "[0.6000000238418579, 0.800000011920929, 0.0]",
        |a| t(normalize(a)?)),
    op!("masked_var", Reduction, "torch.masked.var", "Variance of the elements where mask is true (NaN where too few are).",
        [INPUT, DIMS, UNBIASED, CORRECTION, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1.0 3.0 100.0] | nutorch masked_var --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "2.0",
        |a| t(spread(a, false)?)),
    op!("masked_std", Reduction, "torch.masked.std", "Standard deviation of the elements where mask is true (NaN where too few are).",
        [INPUT, DIMS, UNBIASED, CORRECTION, KEEPDIM, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1.0 3.0 100.0] --dtype float64 | nutorch masked_std --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "1.4142135623730951",
        |a| t(spread(a, true)?)),
    op!("masked_softmax", Nn, "torch.masked.softmax", "Softmax along dim over the elements where mask is true (0 elsewhere; NaN where none is).",
        [INPUT, DIM_REQ, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1.0 1.0 7.0] | nutorch masked_softmax 0 --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "[0.5, 0.5, 0.0]",
        |a| t(softmax(a, Identity::Lowest, false)?)),
    op!("masked_log_softmax", Nn, "torch.masked.log_softmax", "Log-softmax along dim over the elements where mask is true (-inf elsewhere).",
        [INPUT, DIM_REQ, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1.0 1.0 7.0] --dtype float64 | nutorch masked_log_softmax 0 --mask (nutorch fromvalue [true true false]) | nutorch exp | nutorch tovalue" => "[0.5, 0.5, 0.0]",
        |a| t(softmax(a, Identity::Lowest, true)?)),
    op!("masked_softmin", Nn, "torch.masked.softmin", "Softmin along dim over the elements where mask is true (0 elsewhere; NaN where none is).",
        [INPUT, DIM_REQ, DTYPE, MASK], O::Tensor,
        "nutorch fromvalue [1.0 1.0 -7.0] | nutorch masked_softmin 0 --mask (nutorch fromvalue [true true false]) | nutorch tovalue" => "[0.5, 0.5, 0.0]",
        |a| t(softmax(a, Identity::Highest, false)?)),
];
