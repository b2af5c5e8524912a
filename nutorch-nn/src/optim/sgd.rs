//! Stochastic gradient descent, `torch.optim.SGD(params, lr, momentum, weight_decay)` with
//! dampening 0 and nesterov false.

use super::{axpy, axpy_, check_grad_count, check_non_negative, check_parameters, Optimizer};
use nutorch_core::Result;
use tch::Tensor;

/// For each parameter p with gradient g:
///
/// ```text
/// g = g + weight_decay * p                      (if weight_decay != 0)
/// buf = g (first step),  buf = momentum * buf + g (later)   (if momentum != 0)
/// g = buf                                       (if momentum != 0)
/// p = p - lr * g
/// ```
///
/// Fields are public so that a schedule can change them between steps, as PyTorch users
/// change `param_groups[0]["lr"]`.
#[derive(Debug)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    params: Vec<Tensor>,
    momentum_buffers: Vec<Option<Tensor>>,
}

impl Sgd {
    /// Plain SGD: `torch.optim.SGD(params, lr=lr)`.
    pub fn new(params: Vec<Tensor>, lr: f64) -> Result<Sgd> {
        Sgd::with_options(params, lr, 0.0, 0.0)
    }

    /// `torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)`.
    pub fn with_options(params: Vec<Tensor>, lr: f64, momentum: f64, weight_decay: f64) -> Result<Sgd> {
        check_non_negative("learning rate", lr)?;
        check_non_negative("momentum", momentum)?;
        check_non_negative("weight_decay", weight_decay)?;
        check_parameters(&params)?;
        let momentum_buffers = params.iter().map(|_| None).collect();
        Ok(Sgd { lr, momentum, weight_decay, params, momentum_buffers })
    }
}

impl Optimizer for Sgd {
    fn parameters(&self) -> &[Tensor] {
        &self.params
    }

    fn step_with_grads(&mut self, grads: &[Tensor]) -> Result<()> {
        check_grad_count(&self.params, grads)?;
        let _no_grad = tch::no_grad_guard();
        let (lr, momentum, weight_decay) = (self.lr, self.momentum, self.weight_decay);
        for ((param, grad), buffer) in self.params.iter_mut().zip(grads).zip(self.momentum_buffers.iter_mut()) {
            if !grad.defined() {
                continue;
            }
            let mut direction =
                if weight_decay != 0.0 { axpy(grad, weight_decay, param)? } else { grad.shallow_clone() };
            if momentum != 0.0 {
                match buffer {
                    Some(buf) => {
                        let _ = buf.f_mul_scalar_(momentum)?;
                        let _ = buf.f_add_(&direction)?;
                    }
                    // A copy: the gradient may be a `.grad` that zero_grad clears.
                    None => *buffer = Some(direction.f_detach_copy()?),
                }
                if let Some(buf) = buffer {
                    direction = buf.shallow_clone();
                }
            }
            axpy_(param, -lr, &direction)?;
        }
        Ok(())
    }
}
