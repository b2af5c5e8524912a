//! Helpers shared by the op tables: checks done before libtorch sees a value, and the small
//! conversions every table needs.
//!
//! Numbers are passed to libtorch as 0-d tensors (`wrapped`), never through tch's `Scalar`
//! overloads (`f_add_scalar`, `f_clamp`, `f_pow_tensor_scalar`, ...): when libtorch refuses
//! such a call, the temporary `Scalar` is dropped before tch reads the error, and its `Drop`
//! (which checks for a pending libtorch error) panics instead of the call returning `Err`.

use super::args::Args;
use super::spec::{bad, OpError, OpResult, Out};
use crate::autograd;
use crate::dtype::DType;
use crate::error::Error;
use crate::number::Number;
use tch::{Device, Kind, Reduction, Tensor};

pub type R<T> = Result<T, OpError>;

/// A tensor result.
pub fn t(tensor: Tensor) -> OpResult {
    Ok(Out::T(tensor))
}

/// A record of two named tensors.
pub fn rec2(names: [&'static str; 2], (a, b): (Tensor, Tensor)) -> OpResult {
    Ok(Out::Rec(vec![(names[0], a), (names[1], b)]))
}

pub fn rec3(names: [&'static str; 3], (a, b, c): (Tensor, Tensor, Tensor)) -> OpResult {
    Ok(Out::Rec(vec![(names[0], a), (names[1], b), (names[2], c)]))
}

/// Blames `arg` for an error.
pub fn at<T>(arg: &'static str, result: Result<T, impl Into<Error>>) -> R<T> {
    result.map_err(|e| OpError { arg: Some(arg), error: e.into() })
}

/// The `reduction` argument of the losses.
pub fn reduction(a: &Args) -> R<Reduction> {
    Ok(match a.str("reduction") {
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "none" => Reduction::None,
        other => return Err(bad("reduction", format!("reduction must be mean, sum or none, got '{other}'"))),
    })
}

/// A size list with every entry checked (libtorch's message would not name the argument).
pub fn sizes(a: &Args, name: &'static str) -> R<Vec<i64>> {
    let sizes = a.ints(name);
    if let Some(d) = sizes.iter().find(|&&d| d < 0) {
        return Err(bad(name, format!("sizes must be non-negative, got {d} in {sizes:?}")));
    }
    Ok(sizes)
}

pub fn non_negative(name: &'static str, value: i64) -> R<i64> {
    if value < 0 {
        return Err(bad(name, format!("{name} must be non-negative, got {value}")));
    }
    Ok(value)
}

pub fn positive(name: &'static str, value: i64) -> R<i64> {
    if value <= 0 {
        return Err(bad(name, format!("{name} must be positive, got {value}")));
    }
    Ok(value)
}

/// `dtype` (or the default) and `device` (cpu unless given) of a creation op.
pub fn options(a: &Args, default: DType) -> (Kind, Device) {
    (a.dtype("dtype").unwrap_or(default).kind(), a.device("device").unwrap_or(Device::Cpu))
}

/// The options of a `*_like` op: the input's dtype and device unless overridden.
pub fn like_options(a: &Args) -> R<(Kind, Device)> {
    let input = a.input();
    let dtype = match a.dtype("dtype") {
        Some(d) => d,
        None => DType::of(input)?,
    };
    Ok((dtype.kind(), a.device("device").unwrap_or_else(|| input.device())))
}

/// Applies `--requires-grad` to a freshly created tensor.
pub fn finish(a: &Args, tensor: Tensor) -> OpResult {
    let flag = a.flag("requires_grad");
    if !flag {
        return t(tensor);
    }
    t(at("requires_grad", autograd::set_requires_grad(tensor, true))?)
}

/// The dtype `torch.full`/`torch.arange` infer from numbers: int64 when all are ints.
pub fn number_dtype(numbers: &[Number]) -> DType {
    if numbers.iter().all(|n| matches!(n, Number::Int(_))) {
        DType::Int64
    } else {
        DType::Float32
    }
}

/// The dtype of a tensor, as an error rather than a panic for unsupported kinds.
pub fn dtype(tensor: &Tensor) -> R<DType> {
    Ok(DType::of(tensor)?)
}

/// Checks that every index in `index` lies in `-size..size` (or `0..size` when negatives are
/// not allowed). Out-of-range indices are errors on the CPU but device-side asserts on CUDA,
/// which break every later call on that GPU, so they are caught here first.
pub fn check_index(name: &'static str, index: &Tensor, size: i64, negatives: bool) -> R<()> {
    let dt = dtype(index)?;
    if !dt.is_integer() {
        return Err(bad(name, format!("indices must be an integer tensor, got {dt}")));
    }
    let min = if negatives { -size } else { 0 };
    if let Some(bad_value) = crate::indexing::out_of_range(index, min, size)? {
        return Err(bad(name, format!("index {bad_value} is out of range for size {size}")));
    }
    Ok(())
}

/// Normalizes a possibly negative dim against `ndim`, as an argument error when out of range.
pub fn norm_dim(name: &'static str, dim: i64, ndim: i64) -> R<i64> {
    let n = ndim.max(1);
    if dim < -n || dim >= n {
        return Err(bad(
            name,
            format!("dimension {dim} is out of range for a tensor of {ndim} dimensions (expected [{}, {}])", -n, n - 1),
        ));
    }
    Ok(if dim < 0 { dim + n } else { dim })
}

/// The size of `tensor` along `dim` (which may be negative).
pub fn size_at(name: &'static str, tensor: &Tensor, dim: i64) -> R<i64> {
    let d = norm_dim(name, dim, tensor.dim() as i64)?;
    Ok(tensor.size().get(d as usize).copied().unwrap_or(1))
}

/// `v` as a 0-d operand for `like` (see `wrapped`).
pub fn num(v: f64, like: &Tensor) -> R<Tensor> {
    wrapped(Number::Float(v), like)
}

/// A number as a 0-d tensor of `kind`, made in a wide dtype first (int64 or float64, which
/// hold any Number) and then converted: making it directly in `kind` would go through a tch
/// Scalar, whose error (value out of range) surfaces as a panic. Out-of-range ints wrap, as
/// PyTorch's arithmetic with Python scalars does (`int8 + 1000`).
pub fn number_tensor(n: Number, kind: Kind, device: Device) -> R<Tensor> {
    let wide = match n {
        Number::Int(i) => Tensor::f_scalar_tensor(i, (Kind::Int64, device))?,
        Number::Float(f) => Tensor::f_scalar_tensor(f, (Kind::Double, device))?,
    };
    Ok(wide.f_to_kind(kind)?)
}

/// Whether `n` converts to `kind` without overflow, by c10's rule (`overflows`): floats take
/// inf and NaN; unsigned ints take negatives down to -max (they wrap).
pub fn fits(n: Number, kind: Kind) -> bool {
    let v = n.as_f64();
    let (lo, hi, unsigned) = match kind {
        Kind::Int8 => (-128.0, 127.0, false),
        Kind::Uint8 => (0.0, 255.0, true),
        Kind::Int16 => (-32768.0, 32767.0, false),
        Kind::Int => (-2147483648.0, 2147483647.0, false),
        Kind::Int64 => {
            return !matches!(n, Number::Float(f) if !(-9.223372036854776e18..9.223372036854776e18).contains(&f))
        }
        Kind::Half => (-65504.0, 65504.0, false),
        Kind::BFloat16 => (-3.3895313892515355e38, 3.3895313892515355e38, false),
        Kind::Float | Kind::ComplexFloat => (-(f32::MAX as f64), f32::MAX as f64, false),
        _ => return true,
    };
    let float_kind = matches!(kind, Kind::Half | Kind::BFloat16 | Kind::Float | Kind::ComplexFloat);
    if float_kind && (v.is_infinite() || v.is_nan()) {
        return true;
    }
    if unsigned && v < 0.0 {
        return -v <= hi;
    }
    v >= lo && v <= hi
}

/// `n` as a 0-d tensor of `kind`, an error when it does not fit (as PyTorch's fill values).
pub fn checked_number(name: &'static str, n: Number, kind: Kind, device: Device) -> R<Tensor> {
    if !fits(n, kind) {
        let dt = DType::from_kind(kind).map(|d| d.name()).unwrap_or("this dtype");
        return Err(bad(name, format!("value {} cannot be converted to {dt} without overflow", n.as_f64())));
    }
    number_tensor(n, kind, device)
}

/// A number as an operand for `like`, with the dtype a Python scalar gets in an op with it:
/// the tensor's own when the categories agree, else the default (int64, float32).
pub fn wrapped(n: Number, like: &Tensor) -> R<Tensor> {
    let dt = dtype(like)?;
    let kind = match n {
        Number::Int(_) if dt.is_bool() => Kind::Int64,
        Number::Int(_) => dt.kind(),
        Number::Float(_) if dt.is_floating_point() || dt.is_complex() => dt.kind(),
        Number::Float(_) => Kind::Float,
    };
    number_tensor(n, kind, like.device())
}

/// Checks every dim of `dims` against `tensor`'s rank (for calls whose libtorch errors
/// would surface as panics).
pub fn check_dims(name: &'static str, tensor: &Tensor, dims: &[i64]) -> R<()> {
    let ndim = tensor.dim() as i64;
    for &d in dims {
        norm_dim(name, d, ndim)?;
    }
    Ok(())
}

/// A floating-point (or complex) tensor, as reductions like std and norm require.
pub fn require_float(name: &'static str, tensor: &Tensor, what: &str) -> R<()> {
    let dt = dtype(tensor)?;
    if !(dt.is_floating_point() || dt.is_complex()) {
        return Err(bad(name, format!("{what} needs a floating point tensor, got {dt}")));
    }
    Ok(())
}

/// A record of four named tensors.
pub fn rec4(names: [&'static str; 4], (a, b, c, d): (Tensor, Tensor, Tensor, Tensor)) -> OpResult {
    Ok(Out::Rec(vec![(names[0], a), (names[1], b), (names[2], c), (names[3], d)]))
}

/// Checks that every element of `t` lies in [lo, hi] (NaN fails). Some CUDA kernels assert on
/// such values (binary_cross_entropy, bernoulli, multinomial) instead of raising an error, and
/// an assert breaks every later call on that GPU.
pub fn check_range(name: &'static str, t: &Tensor, lo: f64, hi: f64, what: &str) -> R<()> {
    if t.numel() == 0 {
        return Ok(());
    }
    let inside = t.f_ge_tensor(&num(lo, t)?)?.f_logical_and(&t.f_le_tensor(&num(hi, t)?)?)?;
    if inside.f_all()?.f_int64_value(&[])? == 0 {
        return Err(bad(name, format!("all elements of {name} should be {what}")));
    }
    Ok(())
}

/// float32, float64 or complex: what libtorch's decompositions (svd, ...) take.
pub fn require_lapack(name: &'static str, tensor: &Tensor, what: &str) -> R<()> {
    let dt = dtype(tensor)?;
    if !matches!(dt, DType::Float32 | DType::Float64) && !dt.is_complex() {
        return Err(bad(name, format!("{what} needs a float32, float64 or complex tensor, got {dt}")));
    }
    Ok(())
}

/// Checks a strided layout before libtorch sees it: as many strides as sizes, no negative
/// size, stride or offset, and no overflow. Returns the number of storage elements the layout
/// reaches from the storage's start (0 when it has no elements, as c10 counts it: an empty
/// tensor fits any storage).
pub fn strided_extent(size_arg: &'static str, size: &[i64], stride: &[i64], offset: i64) -> R<i64> {
    if size.len() != stride.len() {
        return Err(bad(
            "stride",
            format!("mismatch in length of strides and shape ({} sizes, {} strides)", size.len(), stride.len()),
        ));
    }
    if let Some(d) = size.iter().find(|&&d| d < 0) {
        return Err(bad(size_arg, format!("Trying to create tensor with negative dimension {d}: {size:?}")));
    }
    if stride.iter().any(|&s| s < 0) {
        return Err(bad("stride", format!("Negative strides are not supported, got strides: {stride:?}")));
    }
    if offset < 0 {
        return Err(bad("storage_offset", format!("invalid storage offset {offset}")));
    }
    if size.contains(&0) {
        return Ok(0);
    }
    let overflow =
        || bad(size_arg, format!("Storage size calculation overflowed with sizes={size:?} and strides={stride:?}"));
    let mut last = 0i64;
    for (&d, &s) in size.iter().zip(stride) {
        last = (d - 1).checked_mul(s).and_then(|x| x.checked_add(last)).ok_or_else(overflow)?;
    }
    last.checked_add(1).and_then(|n| n.checked_add(offset)).ok_or_else(overflow)
}

/// Checks that the strided view stays inside a storage of `storage` elements (a view past
/// its end would read or write foreign memory).
pub fn check_in_storage(size: &[i64], stride: &[i64], offset: i64, extent: i64, storage: i64) -> R<()> {
    if extent > storage {
        return Err(bad(
            "size",
            format!("sizes {size:?}, strides {stride:?} and storage offset {offset} reach {extent} elements, out of bounds for storage of size {storage}"),
        ));
    }
    Ok(())
}

/// The number of elements the storage under `tensor` holds.
pub fn storage_elements(tensor: &Tensor) -> R<i64> {
    let bytes = crate::state::storage_bytes(tensor)?.numel() as i64;
    let itemsize = tensor.f_kind()?.elt_size_in_bytes() as i64;
    Ok(if itemsize == 0 { 0 } else { bytes / itemsize })
}

/// `op(input, tensors[0], tensors[1], scalars...)` through PyTorch's own function (see
/// crate::scalar_ops); its error is blamed on the scalar argument it names, if any.
pub fn scalar_op(a: &Args, op: crate::scalar_ops::ScalarOp, tensors: [&str; 2], scalars: &[&'static str]) -> R<Tensor> {
    let number = |i: usize| scalars.get(i).map(|n| a.number(n)).unwrap_or(Number::Int(0));
    crate::scalar_ops::call(op, a.input(), a.tensor(tensors[0]), a.tensor(tensors[1]), number(0), number(1)).map_err(
        |error| {
            let text = error.to_string();
            let arg = scalars
                .iter()
                .copied()
                .find(|n| text.contains(&format!("argument {n}")) || text.contains(&format!("{n} must")));
            OpError { arg, error }
        },
    )
}
