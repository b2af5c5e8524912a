//! A tensor's description (shape, dtype, device, requires_grad) and a short preview.

use crate::convert::{tensor_to_data, Data};
use crate::device::device_name;
use crate::dtype::DType;
use crate::error::Result;
use tch::Tensor;

#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub shape: Vec<i64>,
    pub dtype: DType,
    pub device: String,
    pub requires_grad: bool,
}

impl TensorInfo {
    pub fn of(tensor: &Tensor) -> Result<TensorInfo> {
        Ok(TensorInfo {
            shape: tensor.size(),
            dtype: DType::of(tensor)?,
            device: device_name(tensor.device()),
            requires_grad: tensor.requires_grad(),
        })
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().map(|&d| d.max(0) as usize).product()
    }

    pub fn nbytes(&self) -> usize {
        self.numel() * self.dtype.element_size()
    }
}

/// The first `count` elements in row-major order, as 1-d data: cheap for any size, since
/// only those elements are copied. Complex tensors preview their real/imaginary pairs.
pub fn preview(tensor: &Tensor, count: i64) -> Result<Data> {
    let flat = tensor.f_detach()?.f_reshape([-1])?;
    let flat = if DType::of(&flat)?.is_complex() { flat.f_view_as_real()?.f_reshape([-1])? } else { flat };
    let n = flat.size()[0].min(count);
    tensor_to_data(&flat.f_narrow(0, 0, n)?)
}
