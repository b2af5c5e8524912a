//! Activation functions as modules.

use crate::module::Module;
use nutorch_core::Result;
use tch::Tensor;

/// `nn.ReLU()`: max(x, 0) elementwise; no parameters. Never modifies its input.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReLU;

impl Module for ReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_relu()?)
    }

    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        Ok(xt.f_relu()?)
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        Vec::new()
    }
}
