//! Tensors as safetensors data (dtype, shape, raw little-endian bytes), for the store and for
//! model files. Bytes are copied in bulk through libtorch (bf16 included, avoiding tch's bf16
//! slice bug). Complex tensors have no safetensors dtype: they travel as their real view
//! (a trailing dimension of 2) and the caller records the complex dtype in its metadata.

use crate::dtype::DType;
use crate::error::{Error, Result};
use safetensors::Dtype;
use tch::{Device, Tensor};

/// A tensor's contents ready for a safetensors file: a contiguous CPU tensor whose memory is
/// lent out as bytes, so that writing a file copies the data once (into the file), not twice.
pub struct RawTensor {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    tensor: Tensor,
    len: usize,
}

impl RawTensor {
    /// The tensor's bytes, row-major, little-endian (libtorch's CPU layout).
    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `tensor` is a contiguous CPU tensor owned by `self` (so it outlives the
        // borrow) holding exactly `len` bytes from `data_ptr`; nothing mutates it meanwhile.
        unsafe { std::slice::from_raw_parts(self.tensor.data_ptr() as *const u8, self.len) }
    }
}

fn safetensors_dtype(dtype: DType) -> Result<Dtype> {
    Ok(match dtype {
        DType::Float16 => Dtype::F16,
        DType::BFloat16 => Dtype::BF16,
        DType::Float32 => Dtype::F32,
        DType::Float64 => Dtype::F64,
        DType::Int8 => Dtype::I8,
        DType::UInt8 => Dtype::U8,
        DType::Int16 => Dtype::I16,
        DType::Int32 => Dtype::I32,
        DType::Int64 => Dtype::I64,
        DType::Bool => Dtype::BOOL,
        DType::Complex64 | DType::Complex128 => {
            return Err(Error::Value(format!("{dtype} has no safetensors dtype; store its real view")))
        }
    })
}

fn dtype_of_safetensors(dtype: Dtype) -> Result<DType> {
    Ok(match dtype {
        Dtype::F16 => DType::Float16,
        Dtype::BF16 => DType::BFloat16,
        Dtype::F32 => DType::Float32,
        Dtype::F64 => DType::Float64,
        Dtype::I8 => DType::Int8,
        Dtype::U8 => DType::UInt8,
        Dtype::I16 => DType::Int16,
        Dtype::I32 => DType::Int32,
        Dtype::I64 => DType::Int64,
        Dtype::BOOL => DType::Bool,
        other => return Err(Error::Value(format!("safetensors dtype {other:?} is not supported"))),
    })
}

/// The real view of a tensor for storage: complex → float with a trailing 2; others as is.
pub fn storable(tensor: &Tensor) -> Result<Tensor> {
    let tensor = tensor.f_detach()?;
    if DType::of(&tensor)?.is_complex() {
        Ok(tensor.f_resolve_conj()?.f_view_as_real()?)
    } else {
        Ok(tensor)
    }
}

/// Prepares a (non-complex) tensor from any device for a safetensors file (a CUDA tensor is
/// copied to the CPU; a contiguous CPU tensor is used as is).
pub fn to_raw(tensor: &Tensor) -> Result<RawTensor> {
    let dtype = DType::of(tensor)?;
    let st_dtype = safetensors_dtype(dtype)?;
    let shape: Vec<usize> = tensor.size().iter().map(|&d| d as usize).collect();
    let len = shape.iter().product::<usize>() * dtype.element_size();
    let tensor = tensor.f_detach()?.f_to_device(Device::Cpu)?.f_contiguous()?;
    Ok(RawTensor { dtype: st_dtype, shape, tensor, len })
}

/// Builds a CPU tensor from safetensors data, checking the byte count first (libtorch does not).
pub fn from_raw(dtype: Dtype, shape: &[usize], bytes: &[u8]) -> Result<Tensor> {
    let dtype = dtype_of_safetensors(dtype)?;
    let numel: usize = shape.iter().product();
    let expected = numel * dtype.element_size();
    if bytes.len() != expected {
        return Err(Error::Value(format!(
            "tensor data has {} bytes, shape {shape:?} of {dtype} needs {expected}",
            bytes.len()
        )));
    }
    let shape: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    if dtype.is_bool() {
        // A file's bool bytes may be other than 0/1: nonzero is true, as PyTorch reads them.
        return Ok(Tensor::f_from_data_size(bytes, &shape, tch::Kind::Uint8)?.f_ne(0)?);
    }
    Ok(Tensor::f_from_data_size(bytes, &shape, dtype.kind())?)
}

/// Turns a stored real view back into the complex dtype it came from.
pub fn restore_complex(tensor: Tensor, dtype: DType) -> Result<Tensor> {
    if !dtype.is_complex() {
        return Ok(tensor);
    }
    let shape = tensor.size();
    if shape.last() != Some(&2) {
        return Err(Error::Value(format!("a stored {dtype} tensor needs a last dimension of 2, got shape {shape:?}")));
    }
    Ok(tensor.f_contiguous()?.f_view_as_complex()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{tensor_from_data, tensor_to_data, Buffer, Data};

    #[test]
    fn every_real_dtype_round_trips_bit_exactly() {
        let values = Data { shape: vec![2, 2], values: Buffer::Float(vec![1.0, 2.5, 3.140625, 0.0]) };
        for dtype in DType::all().filter(|d| !d.is_complex()) {
            let t = tensor_from_data(&values, Some(dtype), Device::Cpu).unwrap();
            let raw = to_raw(&t).unwrap();
            let back = from_raw(raw.dtype, &raw.shape, raw.bytes()).unwrap();
            assert_eq!(DType::of(&back).unwrap(), dtype);
            assert_eq!(tensor_to_data(&back).unwrap(), tensor_to_data(&t).unwrap(), "{dtype}");
        }
    }

    #[test]
    fn complex_travels_as_its_real_view() {
        let re = Tensor::f_from_slice(&[1.0f32, 2.0, 3.0, 4.0]).unwrap().f_reshape([2, 2]).unwrap();
        let c = re.f_view_as_complex().unwrap();
        let raw = to_raw(&storable(&c).unwrap()).unwrap();
        assert_eq!(raw.shape, vec![2, 2]);
        let back = restore_complex(from_raw(raw.dtype, &raw.shape, raw.bytes()).unwrap(), DType::Complex64).unwrap();
        assert_eq!(DType::of(&back).unwrap(), DType::Complex64);
        assert!(back.f_equal(&c).unwrap());
    }

    #[test]
    fn short_data_is_an_error() {
        assert!(from_raw(Dtype::F32, &[4], &[0u8; 8]).is_err());
    }
}
