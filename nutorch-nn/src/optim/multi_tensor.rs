//! The multi-tensor updates: torch.optim's `_multi_tensor_sgd` and `_multi_tensor_adam`
//! (PyTorch's default on GPUs, `foreach=True`), op for op, through nutorch-core's foreach ops.
//! On a GPU an update is a handful of kernels for all parameters instead of a few per
//! parameter; on the CPU the foreach ops are the per-tensor ops of the single-tensor rules, so
//! the values are the same as theirs. Like torch.optim, they take one group of parameters of
//! one device and dtype; anything else goes through the single-tensor rules.

use super::{Optimizer, OptimizerSpec};
use nutorch_core::foreach;
use nutorch_core::{Error, Result};
use tch::Tensor;

impl Optimizer {
    /// Whether the parameters at `active` (those with gradients) are updated as one group.
    pub(super) fn multi_tensor_capable(&self, active: &[usize]) -> bool {
        let supported =
            matches!(self.spec, OptimizerSpec::Sgd { .. } | OptimizerSpec::Adam { .. } | OptimizerSpec::AdamW { .. });
        let Some(&first) = active.first() else { return false };
        let group = |i: usize| (self.params[i].device(), self.params[i].f_kind().ok());
        supported && active.iter().all(|&i| group(i) == group(first))
    }

    /// One update of the parameters at `active` from their gradients; `steps[k]` is the step
    /// count of `active[k]` after this update (1 for its first).
    pub(super) fn update_multi_tensor(&self, active: &[usize], grads: &[Tensor], steps: &[f64]) -> Result<()> {
        let params: Vec<Tensor> = active.iter().map(|&i| self.params[i].shallow_clone()).collect();
        let mut grads: Vec<Tensor> = active.iter().map(|&i| grads[i].shallow_clone()).collect();
        let buffers = |name: &str| active.iter().map(|&i| self.buffer(i, name)).collect::<Result<Vec<Tensor>>>();
        let lr = self.lr;
        match self.spec {
            OptimizerSpec::Sgd { momentum, dampening, nesterov, weight_decay, .. } => {
                if weight_decay != 0.0 {
                    grads = foreach::add(&grads, &params, weight_decay)?;
                }
                if momentum != 0.0 {
                    let bufs = buffers("momentum_buffer")?;
                    if steps.iter().all(|&s| s > 1.0) {
                        foreach::mul_scalar_(&bufs, momentum)?;
                        foreach::add_(&bufs, &grads, 1.0 - dampening)?;
                    } else {
                        // PyTorch's first step: buf = grad.detach().clone(); then buffer by buffer.
                        for (k, buf) in bufs.iter().enumerate() {
                            let grad = std::slice::from_ref(&grads[k]);
                            if steps[k] == 1.0 {
                                buf.shallow_clone().f_copy_(&grads[k])?;
                            } else {
                                foreach::mul_scalar_(std::slice::from_ref(buf), momentum)?;
                                foreach::add_(std::slice::from_ref(buf), grad, 1.0 - dampening)?;
                            }
                        }
                    }
                    // PyTorch adds in place into the gradients (the parameters' .grad when
                    // there is no weight decay); a new list gives the same values.
                    grads = if nesterov { foreach::add(&grads, &bufs, momentum)? } else { bufs };
                }
                foreach::add_(&params, &grads, -lr)
            }
            OptimizerSpec::Adam { betas, eps, weight_decay, amsgrad, .. }
            | OptimizerSpec::AdamW { betas, eps, weight_decay, amsgrad, .. } => {
                let (beta1, beta2) = betas;
                if weight_decay != 0.0 {
                    if matches!(self.spec, OptimizerSpec::AdamW { .. }) {
                        foreach::mul_scalar_(&params, 1.0 - lr * weight_decay)?;
                    } else {
                        grads = foreach::add(&grads, &params, weight_decay)?;
                    }
                }
                let exp_avgs = buffers("exp_avg")?;
                let exp_avg_sqs = buffers("exp_avg_sq")?;
                foreach::lerp_(&exp_avgs, &grads, 1.0 - beta1)?;
                foreach::mul_scalar_(&exp_avg_sqs, beta2)?;
                foreach::addcmul_(&exp_avg_sqs, &grads, &grads, 1.0 - beta2)?;
                let step_sizes: Vec<f64> = steps.iter().map(|&s| -(lr / (1.0 - beta1.powf(s)))).collect();
                let bias_correction2_sqrt: Vec<f64> = steps.iter().map(|&s| (1.0 - beta2.powf(s)).powf(0.5)).collect();
                let denom = if amsgrad {
                    let max_exp_avg_sqs = buffers("max_exp_avg_sq")?;
                    foreach::maximum_(&max_exp_avg_sqs, &exp_avg_sqs)?;
                    foreach::sqrt(&max_exp_avg_sqs)?
                } else {
                    foreach::sqrt(&exp_avg_sqs)?
                };
                foreach::div_scalars_(&denom, &bias_correction2_sqrt)?;
                foreach::add_scalar_(&denom, eps)?;
                foreach::addcdiv_(&params, &exp_avgs, &denom, &step_sizes)
            }
            OptimizerSpec::RmsProp { .. } => {
                Err(Error::Value("RMSprop has no multi-tensor update here (its single-tensor rule updates it)".into()))
            }
        }
    }
}
