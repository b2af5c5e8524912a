//! Adam, `torch.optim.Adam(params, lr, betas, eps, weight_decay)` (amsgrad false, L2 weight
//! decay added to the gradient as PyTorch's Adam does; not AdamW's decoupled decay).

use super::{axpy, check_grad_count, check_non_negative, check_parameters, Optimizer};
use nutorch_core::{Error, Result};
use tch::Tensor;

/// For each parameter p with gradient g, at step t (counted per parameter, from 1):
///
/// ```text
/// g = g + weight_decay * p                       (if weight_decay != 0)
/// m = lerp(m, g, 1 - beta1)                      (= beta1 m + (1 - beta1) g)
/// v = beta2 v + (1 - beta2) g²
/// denom = sqrt(v) / sqrt(1 - beta2^t) + eps
/// p = p - (lr / (1 - beta1^t)) * m / denom
/// ```
///
/// Each line uses the kernel PyTorch's single-tensor Adam uses, with the scalar factors folded
/// where tch has no `value=` argument in a way that rounds identically.
#[derive(Debug)]
pub struct Adam {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    pub weight_decay: f64,
    params: Vec<Tensor>,
    state: Vec<Option<AdamState>>,
}

#[derive(Debug)]
struct AdamState {
    step: f64,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
}

impl Adam {
    /// `torch.optim.Adam(params, lr=lr)`: betas (0.9, 0.999), eps 1e-8, no weight decay.
    pub fn new(params: Vec<Tensor>, lr: f64) -> Result<Adam> {
        Adam::with_options(params, lr, (0.9, 0.999), 1e-8, 0.0)
    }

    /// `torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)`.
    pub fn with_options(params: Vec<Tensor>, lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64) -> Result<Adam> {
        check_non_negative("learning rate", lr)?;
        check_non_negative("epsilon", eps)?;
        check_non_negative("weight_decay", weight_decay)?;
        for (index, beta) in [betas.0, betas.1].into_iter().enumerate() {
            if !(0.0..1.0).contains(&beta) {
                return Err(Error::Argument(format!(
                    "invalid beta parameter at index {index}: {beta} (must be in [0, 1))"
                )));
            }
        }
        check_parameters(&params)?;
        let state = params.iter().map(|_| None).collect();
        Ok(Adam { lr, betas, eps, weight_decay, params, state })
    }
}

impl Optimizer for Adam {
    fn parameters(&self) -> &[Tensor] {
        &self.params
    }

    fn step_with_grads(&mut self, grads: &[Tensor]) -> Result<()> {
        check_grad_count(&self.params, grads)?;
        let _no_grad = tch::no_grad_guard();
        let (lr, (beta1, beta2), eps, weight_decay) = (self.lr, self.betas, self.eps, self.weight_decay);
        for ((param, grad), slot) in self.params.iter_mut().zip(grads).zip(self.state.iter_mut()) {
            if !grad.defined() {
                continue;
            }
            let state = match slot {
                Some(state) => state,
                None => slot.insert(AdamState {
                    step: 0.0,
                    exp_avg: param.f_zeros_like()?,
                    exp_avg_sq: param.f_zeros_like()?,
                }),
            };
            state.step += 1.0;
            let grad = if weight_decay != 0.0 { axpy(grad, weight_decay, param)? } else { grad.shallow_clone() };
            let _ = state.exp_avg.f_lerp_(&grad, 1.0 - beta1)?;
            // addcmul_(g, g, value=1-beta2) computes (value * g) * g + v: folding the value
            // into the first factor rounds the same way.
            let _ = state.exp_avg_sq.f_mul_scalar_(beta2)?;
            let _ = state.exp_avg_sq.f_addcmul_(&grad.f_mul_scalar(1.0 - beta2)?, &grad)?;
            let bias_correction1 = 1.0 - beta1.powf(state.step);
            let bias_correction2 = 1.0 - beta2.powf(state.step);
            let step_size = lr / bias_correction1;
            let bias_correction2_sqrt = bias_correction2.powf(0.5);
            let mut denom = state.exp_avg_sq.f_sqrt()?.f_div_scalar(bias_correction2_sqrt)?;
            let _ = denom.f_add_scalar_(eps)?;
            // addcdiv_(m, denom, value=-step_size) computes (value * m) / denom + p.
            let _ = param.f_addcdiv_(&state.exp_avg.f_mul_scalar(-step_size)?, &denom)?;
        }
        Ok(())
    }
}
