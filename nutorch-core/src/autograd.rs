//! Autograd switches with PyTorch's rules checked up front.

use crate::dtype::DType;
use crate::error::{Error, Result};
use tch::Tensor;

/// `tensor.requires_grad_(flag)`: only floating point and complex tensors can require grad.
pub fn set_requires_grad(tensor: Tensor, flag: bool) -> Result<Tensor> {
    let dtype = DType::of(&tensor)?;
    if flag && !(dtype.is_floating_point() || dtype.is_complex()) {
        return Err(Error::Argument(format!(
            "only floating point and complex tensors can require gradients, this one is {dtype}"
        )));
    }
    let mut tensor = tensor;
    Ok(tensor.f_requires_grad_(flag)?)
}
