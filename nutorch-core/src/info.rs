//! A tensor's description: shape, dtype, device, requires_grad.

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
