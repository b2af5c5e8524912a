//! Bulk conversion between tensors and plain data (a flat buffer and a shape).
//!
//! Never element by element: one copy of the whole buffer through libtorch, in the tensor's
//! own dtype. Integers travel as i64 (exact through int64), floats as f64 (bf16/f16 are cast
//! to float32 inside libtorch, which sidesteps tch's broken bf16 slices), bools as bool,
//! complex numbers as [real, imaginary] pairs (`view_as_real`).

use crate::dtype::DType;
use crate::error::{Error, Result};
use tch::{Device, Kind, Tensor};

/// A flat buffer of values of one Rust type.
#[derive(Debug, Clone, PartialEq)]
pub enum Buffer {
    Bool(Vec<bool>),
    Int(Vec<i64>),
    Float(Vec<f64>),
}

impl Buffer {
    pub fn len(&self) -> usize {
        match self {
            Buffer::Bool(v) => v.len(),
            Buffer::Int(v) => v.len(),
            Buffer::Float(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dtype `torch.tensor` infers for such values: bool, int64 or float32.
    pub fn default_dtype(&self) -> DType {
        match self {
            Buffer::Bool(_) => DType::Bool,
            Buffer::Int(_) => DType::Int64,
            Buffer::Float(_) => DType::Float32,
        }
    }
}

/// Plain data: a row-major flat buffer and the shape it fills.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub shape: Vec<i64>,
    pub values: Buffer,
}

/// Number of elements a shape holds; an error for negative sizes.
pub fn numel_of(shape: &[i64]) -> Result<usize> {
    shape.iter().try_fold(1usize, |acc, &d| {
        if d < 0 {
            Err(Error::Argument(format!("negative size {d} in shape {shape:?}")))
        } else {
            acc.checked_mul(d as usize).ok_or_else(|| Error::Argument(format!("shape {shape:?} is too large")))
        }
    })
}

/// Copies a tensor (any device, any layout) into plain data.
pub fn tensor_to_data(tensor: &Tensor) -> Result<Data> {
    let dtype = DType::of(tensor)?;
    let shape = tensor.size();
    let numel = numel_of(&shape)?;
    // Copied in the tensor's own dtype and widened here: a cast inside libtorch first is a
    // dispatched op (most of a small tensor's own cost) and, from a GPU, twice the bytes.
    let values = match dtype {
        DType::Bool => {
            // As bytes: a bool tensor may hold bytes other than 0/1 (`empty_like`, a file), which
            // would be undefined behaviour as Rust bools. Nonzero is true, as in PyTorch.
            let mut bytes = vec![0u8; numel];
            tensor.f_copy_data_u8(&mut bytes, numel)?;
            Buffer::Bool(bytes.into_iter().map(|b| b != 0).collect())
        }
        DType::Int64 => Buffer::Int(copy_as::<i64>(tensor, numel)?),
        DType::Int32 => Buffer::Int(widened(copy_as::<i32>(tensor, numel)?)),
        DType::Int16 => Buffer::Int(widened(copy_as::<i16>(tensor, numel)?)),
        DType::Int8 => Buffer::Int(widened(copy_as::<i8>(tensor, numel)?)),
        DType::UInt8 => Buffer::Int(widened(copy_as::<u8>(tensor, numel)?)),
        DType::Float64 => Buffer::Float(copy_as::<f64>(tensor, numel)?),
        DType::Float32 => Buffer::Float(widened(copy_as::<f32>(tensor, numel)?)),
        // Exactly representable in float32; tch has no bf16 slices of its own.
        DType::Float16 | DType::BFloat16 => {
            Buffer::Float(widened(copy_as::<f32>(&tensor.f_to_kind(Kind::Float)?, numel)?))
        }
        DType::Complex64 | DType::Complex128 => {
            // Nushell has no complex numbers: each element is its [real, imaginary] pair, as
            // view_as_real gives them (a last dimension of 2); fromvalue --dtype complex64 reads
            // them back.
            return tensor_to_data(&tensor.f_resolve_conj()?.f_resolve_neg()?.f_view_as_real()?);
        }
    };
    Ok(Data { shape, values })
}

/// The first `numel` elements of `tensor` (any device, any layout) as `T`, its own dtype.
fn copy_as<T: tch::kind::Element + Default + Clone>(tensor: &Tensor, numel: usize) -> Result<Vec<T>> {
    let mut out = vec![T::default(); numel];
    tensor.f_copy_data(&mut out, numel)?;
    Ok(out)
}

/// Widens every element (exactly: integers to i64, floats to f64).
fn widened<T, U: From<T>>(values: Vec<T>) -> Vec<U> {
    values.into_iter().map(U::from).collect()
}

/// Builds a tensor from plain data. Without a dtype it infers as `torch.tensor` does (bool,
/// int64, float32); with one it converts the way `torch.tensor(..., dtype=...)` does.
pub fn tensor_from_data(data: &Data, dtype: Option<DType>, device: Device) -> Result<Tensor> {
    let expected = numel_of(&data.shape)?;
    if expected != data.values.len() {
        return Err(Error::Value(format!(
            "shape {:?} holds {expected} elements but {} values were given",
            data.shape,
            data.values.len()
        )));
    }
    let dtype = dtype.unwrap_or_else(|| data.values.default_dtype());
    check_fits(data, dtype)?;
    let flat = match &data.values {
        Buffer::Bool(v) => Tensor::f_from_slice(v)?,
        Buffer::Int(v) => Tensor::f_from_slice(v)?,
        Buffer::Float(v) => Tensor::f_from_slice(v)?,
    };
    let shaped = flat.f_reshape(&data.shape)?;
    // A reshape is a view of `flat`, and libtorch refuses some in-place ops on views
    // (`detach_`): a tensor made from values owns its storage, as torch.tensor's does.
    let tensor = if shaped.kind() == dtype.kind() {
        let mut owned = shaped.f_empty_like()?;
        owned.f_copy_(&shaped)?;
        owned
    } else {
        shaped.f_to_kind(dtype.kind())?
    };
    if device == Device::Cpu {
        Ok(tensor)
    } else {
        Ok(tensor.f_to_device(device)?)
    }
}

/// The inclusive range an integer dtype holds.
fn int_range(dtype: DType) -> Option<(i64, i64)> {
    Some(match dtype {
        DType::Int8 => (i8::MIN as i64, i8::MAX as i64),
        DType::UInt8 => (0, u8::MAX as i64),
        DType::Int16 => (i16::MIN as i64, i16::MAX as i64),
        DType::Int32 => (i32::MIN as i64, i32::MAX as i64),
        DType::Int64 => (i64::MIN, i64::MAX),
        _ => return None,
    })
}

/// `[i, j, …]` of the flat (row-major) index in `shape`.
pub fn position_of(shape: &[i64], mut flat: usize) -> String {
    let mut idx = vec![0usize; shape.len()];
    for (slot, &d) in idx.iter_mut().zip(shape).rev() {
        let d = d.max(1) as usize;
        *slot = flat % d;
        flat /= d;
    }
    idx.iter().map(|i| format!("[{i}]")).collect()
}

/// `torch.tensor`'s overflow check: a value that the integer dtype cannot hold (300 as int8,
/// NaN or inf as any int, 2**63 as int64) is an error, never a wrapped number. Floats are
/// truncated toward zero before the check, as the conversion does. Negative values as uint8
/// are refused too (PyTorch wraps them: -1 → 255). Floating dtypes accept anything (1e40 as
/// float16 is inf, as in PyTorch); bools accept anything (nonzero is true).
pub fn check_fits(data: &Data, dtype: DType) -> Result<()> {
    let Some((lo, hi)) = int_range(dtype) else { return Ok(()) };
    let fail = |i: usize, shown: String| {
        let at = position_of(&data.shape, i);
        let at = if at.is_empty() { String::new() } else { format!(" at {at}") };
        Err(Error::Value(format!(
            "value {shown}{at} cannot be converted to {dtype} without overflow ({dtype} holds {lo} to {hi})"
        )))
    };
    match &data.values {
        Buffer::Bool(_) => Ok(()),
        Buffer::Int(v) => match v.iter().position(|&x| x < lo || x > hi) {
            Some(i) => fail(i, v[i].to_string()),
            None => Ok(()),
        },
        Buffer::Float(v) => {
            // 2**63 is the first float past i64::MAX; -2**63 itself fits.
            const TWO_63: f64 = 9_223_372_036_854_775_808.0;
            let fits = |x: f64| {
                x.is_finite() && {
                    let t = x.trunc();
                    (-TWO_63..TWO_63).contains(&t) && (lo..=hi).contains(&(t as i64))
                }
            };
            match v.iter().position(|&x| !fits(x)) {
                Some(i) => fail(i, format!("{}", v[i])),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn complex_values_read_as_real_imaginary_pairs() {
        let pairs = Tensor::from_slice(&[1.0f64, 2.0, 3.0, -1.0]).reshape([2, 2]);
        let conj = tensor_to_data(&pairs.view_as_complex().conj()).unwrap();
        assert_eq!((conj.shape, conj.values), (vec![2, 2], Buffer::Float(vec![1.0, -2.0, 3.0, 1.0])));
    }

    use super::*;

    fn round_trip(data: &Data, dtype: Option<DType>) -> Data {
        let t = tensor_from_data(data, dtype, Device::Cpu).unwrap();
        tensor_to_data(&t).unwrap()
    }

    #[test]
    fn int64_extremes_survive() {
        let data = Data { shape: vec![3], values: Buffer::Int(vec![i64::MAX, i64::MIN, 0]) };
        assert_eq!(round_trip(&data, None), data);
        let t = tensor_from_data(&data, None, Device::Cpu).unwrap();
        assert_eq!(t.kind(), Kind::Int64);
    }

    #[test]
    // 3.14159 is a value bfloat16 rounds, not an approximation of PI.
    #[allow(clippy::approx_constant)]
    fn bfloat16_values_are_rounded_like_torch() {
        // torch.tensor([1.0, 3.14159, -2.5e-3, 65504.0], dtype=torch.bfloat16).tolist()
        let data = Data { shape: vec![4], values: Buffer::Float(vec![1.0, 3.14159, -2.5e-3, 65504.0]) };
        let back = round_trip(&data, Some(DType::BFloat16));
        assert_eq!(back.values, Buffer::Float(vec![1.0, 3.140625, -0.00250244140625, 65536.0]));
    }

    #[test]
    fn float16_values_are_rounded_like_torch() {
        // torch.tensor([0.1, 1e5, -3.0], dtype=torch.float16).tolist()
        let data = Data { shape: vec![3], values: Buffer::Float(vec![0.1, 1e5, -3.0]) };
        let back = round_trip(&data, Some(DType::Float16));
        assert_eq!(back.values, Buffer::Float(vec![0.0999755859375, f64::INFINITY, -3.0]));
    }

    #[test]
    fn bools_stay_bools_and_shapes_survive() {
        let data = Data { shape: vec![2, 2], values: Buffer::Bool(vec![true, false, false, true]) };
        assert_eq!(round_trip(&data, None), data);
    }

    #[test]
    fn inference_follows_torch_tensor() {
        let ints = Data { shape: vec![2], values: Buffer::Int(vec![1, 2]) };
        let floats = Data { shape: vec![2], values: Buffer::Float(vec![1.0, 2.5]) };
        let empty = Data { shape: vec![0], values: Buffer::Float(vec![]) };
        let kind = |d: &Data| tensor_from_data(d, None, Device::Cpu).unwrap().kind();
        assert_eq!(kind(&ints), Kind::Int64);
        assert_eq!(kind(&floats), Kind::Float);
        assert_eq!(kind(&empty), Kind::Float);
        assert_eq!(tensor_from_data(&empty, None, Device::Cpu).unwrap().size(), vec![0]);
    }

    #[test]
    fn floats_to_int_dtype_truncate_like_torch() {
        // torch.tensor([1.7, -1.7, 2.5], dtype=torch.int32).tolist() == [1, -1, 2]
        let data = Data { shape: vec![3], values: Buffer::Float(vec![1.7, -1.7, 2.5]) };
        assert_eq!(round_trip(&data, Some(DType::Int32)).values, Buffer::Int(vec![1, -1, 2]));
    }

    #[test]
    fn zero_dim_tensors_have_an_empty_shape() {
        let data = Data { shape: vec![], values: Buffer::Float(vec![2.5]) };
        assert_eq!(round_trip(&data, Some(DType::Float64)), data);
    }

    #[test]
    fn mismatched_length_is_an_error() {
        let data = Data { shape: vec![2, 3], values: Buffer::Int(vec![1, 2]) };
        let err = tensor_from_data(&data, None, Device::Cpu).unwrap_err().to_string();
        assert!(err.contains("holds 6 elements but 2 values"), "{err}");
    }

    #[test]
    fn non_contiguous_tensors_read_in_logical_order() {
        let t = Tensor::f_arange(6, (Kind::Int64, Device::Cpu)).unwrap().f_reshape([2, 3]).unwrap().f_t_().unwrap();
        let data = tensor_to_data(&t).unwrap();
        assert_eq!(data.shape, vec![3, 2]);
        assert_eq!(data.values, Buffer::Int(vec![0, 3, 1, 4, 2, 5]));
    }

    #[test]
    fn out_of_range_values_are_errors_like_torch_tensor() {
        let ints = |v: Vec<i64>| Data { shape: vec![v.len() as i64], values: Buffer::Int(v) };
        let floats = |v: Vec<f64>| Data { shape: vec![v.len() as i64], values: Buffer::Float(v) };
        let err = |d: &Data, t| tensor_from_data(d, Some(t), Device::Cpu).unwrap_err().to_string();
        assert!(err(&ints(vec![1, 300]), DType::Int8).contains("value 300 at [1] cannot be converted to int8"));
        assert!(err(&ints(vec![256]), DType::UInt8).contains("uint8"));
        assert!(err(&ints(vec![-1]), DType::UInt8).contains("uint8"));
        assert!(err(&ints(vec![1 << 40]), DType::Int32).contains("int32"));
        assert!(err(&floats(vec![f64::NAN]), DType::Int64).contains("NaN"));
        assert!(err(&floats(vec![f64::INFINITY]), DType::Int16).contains("inf"));
        assert!(err(&floats(vec![9_223_372_036_854_775_808.0]), DType::Int64).contains("int64"));
        let m = Data { shape: vec![2, 2], values: Buffer::Int(vec![0, 0, 0, 128]) };
        assert!(err(&m, DType::Int8).contains("at [1][1]"));
        // What fits is fine: the edges, truncation, bools, floats to narrow floats.
        assert!(tensor_from_data(&ints(vec![-128, 127]), Some(DType::Int8), Device::Cpu).is_ok());
        assert!(tensor_from_data(&floats(vec![255.9, -9_223_372_036_854_775_808.0]), Some(DType::Int64), Device::Cpu)
            .is_ok());
        assert!(tensor_from_data(&floats(vec![f64::NAN, 3.0]), Some(DType::Bool), Device::Cpu).is_ok());
        assert!(tensor_from_data(&floats(vec![1e40]), Some(DType::Float16), Device::Cpu).is_ok());
        let b = Data { shape: vec![2], values: Buffer::Bool(vec![true, false]) };
        assert!(tensor_from_data(&b, Some(DType::Int8), Device::Cpu).is_ok());
    }

    #[test]
    fn bool_bytes_other_than_one_read_as_true() {
        let t = Tensor::f_from_data_size(&[1u8, 97, 0], &[3], Kind::Bool).unwrap();
        assert_eq!(tensor_to_data(&t).unwrap().values, Buffer::Bool(vec![true, true, false]));
    }

    #[test]
    fn a_complex_tensor_reads_as_its_view_as_real() {
        let t = Tensor::f_zeros([2], (Kind::ComplexFloat, Device::Cpu)).unwrap();
        assert_eq!(tensor_to_data(&t).unwrap().shape, vec![2, 2]);
    }
}
