//! Optimizers with `torch.optim`'s defaults and update rules — SGD (momentum, dampening,
//! nesterov, weight decay), Adam and AdamW (amsgrad too) and RMSprop (momentum, centered) —
//! and the learning-rate schedulers StepLR and CosineAnnealingLR.
//!
//! All state is tensors with names (`lr`, `0.step`, `0.exp_avg`, …; the number is the
//! parameter's index, as in PyTorch's optimizer `state_dict`), created when the optimizer is
//! and updated in place, so whoever holds them (the plugin's store) keeps them across restarts
//! and can save them. Updates run under no-grad on the parameters themselves: tch's in-place
//! ops on leaves that require grad fail unless grad mode is off, and grad mode is per thread,
//! so every update switches it off itself.
//!
//! SGD, Adam and AdamW update as torch.optim's multi-tensor implementations do
//! ([`multi_tensor`]: PyTorch's default on GPUs, the single-tensor values on the CPU); RMSprop,
//! and parameters of several devices or dtypes, as its single-tensor implementation (what the
//! CPU uses), op for op, so that results agree to rounding.

mod multi_tensor;

use crate::params::NamedTensors;
use nutorch_core::{DType, Error, Result};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

fn sgd_lr() -> f64 {
    0.001
}
fn adam_lr() -> f64 {
    0.001
}
fn rmsprop_lr() -> f64 {
    0.01
}
fn betas() -> (f64, f64) {
    (0.9, 0.999)
}
fn adam_eps() -> f64 {
    1e-8
}
fn adamw_decay() -> f64 {
    0.01
}
fn alpha() -> f64 {
    0.99
}

/// An optimizer kind with its hyperparameters, as `torch.optim` names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum OptimizerSpec {
    #[serde(rename = "SGD")]
    Sgd {
        #[serde(default = "sgd_lr")]
        lr: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        dampening: f64,
        #[serde(default)]
        nesterov: bool,
        #[serde(default)]
        weight_decay: f64,
    },
    Adam {
        #[serde(default = "adam_lr")]
        lr: f64,
        #[serde(default = "betas")]
        betas: (f64, f64),
        #[serde(default = "adam_eps")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        amsgrad: bool,
    },
    AdamW {
        #[serde(default = "adam_lr")]
        lr: f64,
        #[serde(default = "betas")]
        betas: (f64, f64),
        #[serde(default = "adam_eps")]
        eps: f64,
        #[serde(default = "adamw_decay")]
        weight_decay: f64,
        #[serde(default)]
        amsgrad: bool,
    },
    #[serde(rename = "RMSprop")]
    RmsProp {
        #[serde(default = "rmsprop_lr")]
        lr: f64,
        #[serde(default = "alpha")]
        alpha: f64,
        #[serde(default = "adam_eps")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        centered: bool,
    },
}

impl OptimizerSpec {
    /// PyTorch's defaults for an optimizer named `sgd`, `adam`, `adamw` or `rmsprop` (any case).
    pub fn default_for(name: &str) -> Result<OptimizerSpec> {
        let json = match name.to_lowercase().as_str() {
            "sgd" => r#"{"type":"SGD"}"#,
            "adam" => r#"{"type":"Adam"}"#,
            "adamw" => r#"{"type":"AdamW"}"#,
            "rmsprop" => r#"{"type":"RMSprop"}"#,
            _ => {
                return Err(Error::Argument(format!(
                    "unknown optimizer '{name}'; expected sgd, adam, adamw or rmsprop"
                )))
            }
        };
        OptimizerSpec::from_json(json)
    }

    pub fn from_json(text: &str) -> Result<OptimizerSpec> {
        let spec: OptimizerSpec =
            serde_json::from_str(text).map_err(|e| Error::Value(format!("not an optimizer description: {e}")))?;
        spec.check()?;
        Ok(spec)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            OptimizerSpec::Sgd { .. } => "SGD",
            OptimizerSpec::Adam { .. } => "Adam",
            OptimizerSpec::AdamW { .. } => "AdamW",
            OptimizerSpec::RmsProp { .. } => "RMSprop",
        }
    }

    /// The initial learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerSpec::Sgd { lr, .. }
            | OptimizerSpec::Adam { lr, .. }
            | OptimizerSpec::AdamW { lr, .. }
            | OptimizerSpec::RmsProp { lr, .. } => *lr,
        }
    }

    /// PyTorch's constructor checks ("Invalid learning rate: -1", …).
    pub fn check(&self) -> Result<()> {
        let non_negative = |name: &str, v: f64| {
            if !v.is_finite() || v < 0.0 {
                Err(Error::Argument(format!("invalid {name}: {v} (must be a finite number >= 0)")))
            } else {
                Ok(())
            }
        };
        non_negative("learning rate", self.lr())?;
        match self {
            OptimizerSpec::Sgd { momentum, dampening, nesterov, weight_decay, .. } => {
                non_negative("momentum", *momentum)?;
                non_negative("dampening", *dampening)?;
                non_negative("weight_decay", *weight_decay)?;
                if *nesterov && (*momentum <= 0.0 || *dampening != 0.0) {
                    return Err(Error::Argument("Nesterov momentum requires a momentum and zero dampening".into()));
                }
            }
            OptimizerSpec::Adam { betas, eps, weight_decay, .. }
            | OptimizerSpec::AdamW { betas, eps, weight_decay, .. } => {
                non_negative("epsilon", *eps)?;
                non_negative("weight_decay", *weight_decay)?;
                for (index, beta) in [betas.0, betas.1].into_iter().enumerate() {
                    if !(0.0..1.0).contains(&beta) {
                        return Err(Error::Argument(format!(
                            "invalid beta parameter at index {index}: {beta} (must be in [0, 1))"
                        )));
                    }
                }
            }
            OptimizerSpec::RmsProp { alpha, eps, weight_decay, momentum, .. } => {
                non_negative("alpha", *alpha)?;
                non_negative("epsilon", *eps)?;
                non_negative("weight_decay", *weight_decay)?;
                non_negative("momentum", *momentum)?;
            }
        }
        Ok(())
    }

    /// The per-parameter state tensors this optimizer keeps (beside `step`).
    fn buffer_names(&self) -> Vec<&'static str> {
        match self {
            OptimizerSpec::Sgd { momentum, .. } if *momentum != 0.0 => vec!["momentum_buffer"],
            OptimizerSpec::Sgd { .. } => vec![],
            OptimizerSpec::Adam { amsgrad, .. } | OptimizerSpec::AdamW { amsgrad, .. } => {
                let mut names = vec!["exp_avg", "exp_avg_sq"];
                if *amsgrad {
                    names.push("max_exp_avg_sq");
                }
                names
            }
            OptimizerSpec::RmsProp { momentum, centered, .. } => {
                let mut names = vec!["square_avg"];
                if *momentum > 0.0 {
                    names.push("momentum_buffer");
                }
                if *centered {
                    names.push("grad_avg");
                }
                names
            }
        }
    }
}

/// An optimizer over a list of parameters, with its state as named tensors.
#[derive(Debug)]
pub struct Optimizer {
    spec: OptimizerSpec,
    params: Vec<Tensor>,
    state: NamedTensors,
    /// Mirrors of the `{i}.step` tensors and of `lr`, read once and written back after
    /// every update (reading a tensor per step would cost a sync on a GPU).
    steps: Vec<f64>,
    lr: f64,
    /// The parameters the last update changed (those that had gradients).
    last_updated: Vec<usize>,
}

impl Optimizer {
    /// A new optimizer with zeroed state (step 0), as `torch.optim.X(params, …)` is before its
    /// first step. Parameters must be floating point.
    pub fn new(spec: OptimizerSpec, params: Vec<Tensor>) -> Result<Optimizer> {
        spec.check()?;
        check_parameters(&params)?;
        let mut state = NamedTensors::new();
        for (name, _) in state_slots(&spec, &params) {
            let tensor = match name.split_once('.') {
                None => Tensor::f_from_slice(&[spec.lr()])?.f_reshape([0i64; 0])?,
                Some((_, "step")) => Tensor::f_zeros([0i64; 0], (Kind::Float, Device::Cpu))?,
                Some((index, _)) => {
                    let index: usize = index.parse().map_err(|_| Error::Value(format!("bad state name {name}")))?;
                    params[index].f_detach()?.f_zeros_like()?
                }
            };
            state.push(name, tensor)?;
        }
        let steps = vec![0.0; params.len()];
        Ok(Optimizer { lr: spec.lr(), spec, params, state, steps, last_updated: Vec::new() })
    }

    /// An optimizer around existing state tensors (from [`Optimizer::state`], e.g. kept in a
    /// store or read from a file): names and shapes are checked, the tensors are used as they
    /// are (updates write into them).
    pub fn from_state(spec: OptimizerSpec, params: Vec<Tensor>, state: Vec<(String, Tensor)>) -> Result<Optimizer> {
        spec.check()?;
        check_parameters(&params)?;
        let given = NamedTensors::try_from(state)?;
        let mut state = NamedTensors::new();
        for (name, shape) in state_slots(&spec, &params) {
            let tensor = given.get_opt(&name).ok_or_else(|| {
                Error::Value(format!(
                    "the optimizer state lacks `{name}` (is it the state of this {} over these parameters?)",
                    spec.type_name()
                ))
            })?;
            if tensor.size() != shape {
                return Err(Error::Value(format!(
                    "optimizer state `{name}` has shape {:?}; its parameter needs {shape:?}",
                    tensor.size()
                )));
            }
            state.push(name, tensor.shallow_clone())?;
        }
        if let Some(extra) = given.names().find(|n| !state.contains(n)) {
            return Err(Error::Value(format!(
                "the optimizer state has `{extra}`, which a {} over {} parameters has not",
                spec.type_name(),
                params.len()
            )));
        }
        let steps = (0..params.len())
            .map(|i| Ok(state.get(&format!("{i}.step"))?.f_double_value(&[])?))
            .collect::<Result<Vec<f64>>>()?;
        let lr = state.get("lr")?.f_double_value(&[])?;
        Ok(Optimizer { spec, params, state, steps, lr, last_updated: Vec::new() })
    }

    pub fn spec(&self) -> &OptimizerSpec {
        &self.spec
    }

    pub fn parameters(&self) -> &[Tensor] {
        &self.params
    }

    /// The state tensors (shallow handles), in order.
    pub fn state(&self) -> Vec<(String, Tensor)> {
        self.state.to_vec()
    }

    /// The current learning rate (the spec's, or what a scheduler set).
    pub fn lr(&self) -> f64 {
        self.lr
    }

    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        let _no_grad = tch::no_grad_guard();
        let _ = self.state.get("lr")?.shallow_clone().f_fill_(lr)?;
        self.lr = lr;
        Ok(())
    }

    /// `optimizer.step()` from the gradients `backward` left in each parameter's `.grad`
    /// (parameters without one are skipped, as PyTorch skips `grad is None`).
    pub fn step(&mut self) -> Result<()> {
        let grads = self.params.iter().map(|p| p.f_grad()).collect::<Result<Vec<_>, _>>()?;
        self.step_with_grads(&grads)
    }

    /// `optimizer.zero_grad()`: zeroes every parameter's accumulated `.grad` (where one
    /// exists; PyTorch sets them to None, which tch cannot express: the next `backward`
    /// gives the same gradients either way).
    pub fn zero_grad(&self) -> Result<()> {
        for parameter in &self.params {
            let mut grad = parameter.f_grad()?;
            if grad.defined() {
                let _ = grad.f_detach_()?;
                let _ = grad.f_zero_()?;
            }
        }
        Ok(())
    }

    /// One update from explicit gradients, one per parameter (undefined ones skip theirs).
    pub fn step_with_grads(&mut self, grads: &[Tensor]) -> Result<()> {
        self.step_in_memory(grads)?;
        self.write_steps()
    }

    /// Writes the step counts kept in memory into their state tensors.
    pub(crate) fn write_steps(&self) -> Result<()> {
        let _no_grad = tch::no_grad_guard();
        for (index, step) in self.steps.iter().enumerate() {
            let _ = self.state.get(&format!("{index}.step"))?.shallow_clone().f_fill_(*step)?;
        }
        Ok(())
    }

    /// [`Optimizer::step_with_grads`] without writing the step counts into their tensors:
    /// a training loop writes them once at its end ([`Optimizer::write_steps`]).
    pub(crate) fn step_in_memory(&mut self, grads: &[Tensor]) -> Result<()> {
        if grads.len() != self.params.len() {
            return Err(Error::Argument(format!(
                "the optimizer holds {} parameters but {} gradients were given",
                self.params.len(),
                grads.len()
            )));
        }
        let _no_grad = tch::no_grad_guard();
        let mut active = Vec::with_capacity(grads.len());
        for (index, grad) in grads.iter().enumerate() {
            if !grad.defined() {
                continue;
            }
            if grad.size() != self.params[index].size() {
                return Err(Error::Value(format!(
                    "the gradient of parameter #{index} has shape {:?}, the parameter {:?}",
                    grad.size(),
                    self.params[index].size()
                )));
            }
            active.push(index);
        }
        let steps: Vec<f64> = active.iter().map(|&i| self.steps[i] + 1.0).collect();
        if self.multi_tensor_capable(&active) {
            self.update_multi_tensor(&active, grads, &steps)?;
        } else {
            for (&index, &step) in active.iter().zip(&steps) {
                self.update(index, &grads[index], step)?;
            }
        }
        for (&index, step) in active.iter().zip(steps) {
            self.steps[index] = step;
        }
        self.last_updated = active;
        Ok(())
    }

    /// Whether every update launches the same work with the same values, step after step
    /// (from the second on), so that a captured update can be replayed: SGD's. Adam's bias
    /// corrections are numbers the CPU computes from the step count; RMSprop is left out.
    pub(crate) fn replayable(&self) -> bool {
        matches!(self.spec, OptimizerSpec::Sgd { .. })
    }

    /// Counts one more update of the parameters the last update changed (its replay).
    pub(crate) fn count_replayed_update(&mut self) {
        for &index in &self.last_updated {
            self.steps[index] += 1.0;
        }
    }

    /// The step counts in memory, to put back with [`Optimizer::restore_step_counts`] when an
    /// update was recorded but never run (a failed capture).
    pub(crate) fn step_counts(&self) -> (Vec<f64>, Vec<usize>) {
        (self.steps.clone(), self.last_updated.clone())
    }

    pub(crate) fn restore_step_counts(&mut self, (steps, last_updated): (Vec<f64>, Vec<usize>)) {
        self.steps = steps;
        self.last_updated = last_updated;
    }

    fn buffer(&self, index: usize, name: &str) -> Result<Tensor> {
        Ok(self.state.get(&format!("{index}.{name}"))?.shallow_clone())
    }

    fn update(&self, index: usize, grad: &Tensor, step: f64) -> Result<()> {
        let mut param = self.params[index].shallow_clone();
        let lr = self.lr;
        match self.spec {
            OptimizerSpec::Sgd { momentum, dampening, nesterov, weight_decay, .. } => {
                let mut grad =
                    if weight_decay != 0.0 { axpy(grad, weight_decay, &param)? } else { grad.shallow_clone() };
                if momentum != 0.0 {
                    let mut buf = self.buffer(index, "momentum_buffer")?;
                    if step == 1.0 {
                        // PyTorch: buf = torch.clone(grad).detach()
                        buf.f_copy_(&grad)?;
                    } else {
                        let _ = buf.f_mul_scalar_(momentum)?;
                        if dampening == 0.0 {
                            let _ = buf.f_add_(&grad)?;
                        } else {
                            axpy_(&mut buf, 1.0 - dampening, &grad)?;
                        }
                    }
                    grad = if nesterov { axpy(&grad, momentum, &buf)? } else { buf };
                }
                axpy_(&mut param, -lr, &grad)?;
            }
            OptimizerSpec::Adam { betas, eps, weight_decay, amsgrad, .. }
            | OptimizerSpec::AdamW { betas, eps, weight_decay, amsgrad, .. } => {
                let decoupled = matches!(self.spec, OptimizerSpec::AdamW { .. });
                let (beta1, beta2) = betas;
                let mut grad = grad.shallow_clone();
                if weight_decay != 0.0 {
                    if decoupled {
                        let _ = param.f_mul_scalar_(1.0 - lr * weight_decay)?;
                    } else {
                        grad = axpy(&grad, weight_decay, &param)?;
                    }
                }
                let mut exp_avg = self.buffer(index, "exp_avg")?;
                let mut exp_avg_sq = self.buffer(index, "exp_avg_sq")?;
                let _ = exp_avg.f_lerp_(&grad, 1.0 - beta1)?;
                // addcmul_(g, g, value=1-beta2) computes (value * g) * g + v: folding the
                // value into the first factor rounds the same way.
                let _ = exp_avg_sq.f_mul_scalar_(beta2)?;
                let _ = exp_avg_sq.f_addcmul_(&grad.f_mul_scalar(1.0 - beta2)?, &grad)?;
                let bias_correction1 = 1.0 - beta1.powf(step);
                let bias_correction2 = 1.0 - beta2.powf(step);
                let step_size = lr / bias_correction1;
                let bias_correction2_sqrt = bias_correction2.powf(0.5);
                let second = if amsgrad {
                    let mut max_sq = self.buffer(index, "max_exp_avg_sq")?;
                    let maximum = max_sq.f_maximum(&exp_avg_sq)?;
                    max_sq.f_copy_(&maximum)?;
                    max_sq
                } else {
                    exp_avg_sq
                };
                let mut denom = second.f_sqrt()?.f_div_scalar(bias_correction2_sqrt)?;
                let _ = denom.f_add_scalar_(eps)?;
                // addcdiv_(m, denom, value=-step_size) computes (value * m) / denom + p.
                let _ = param.f_addcdiv_(&exp_avg.f_mul_scalar(-step_size)?, &denom)?;
            }
            OptimizerSpec::RmsProp { alpha, eps, weight_decay, momentum, centered, .. } => {
                let grad = if weight_decay != 0.0 { axpy(grad, weight_decay, &param)? } else { grad.shallow_clone() };
                let mut square_avg = self.buffer(index, "square_avg")?;
                let _ = square_avg.f_mul_scalar_(alpha)?;
                let _ = square_avg.f_addcmul_(&grad.f_mul_scalar(1.0 - alpha)?, &grad)?;
                let mut avg = if centered {
                    let mut grad_avg = self.buffer(index, "grad_avg")?;
                    let _ = grad_avg.f_lerp_(&grad, 1.0 - alpha)?;
                    let mut avg = square_avg.f_addcmul(&grad_avg.f_neg()?, &grad_avg)?;
                    let _ = avg.f_sqrt_()?;
                    avg
                } else {
                    square_avg.f_sqrt()?
                };
                let _ = avg.f_add_scalar_(eps)?;
                if momentum > 0.0 {
                    let mut buf = self.buffer(index, "momentum_buffer")?;
                    let _ = buf.f_mul_scalar_(momentum)?;
                    let _ = buf.f_addcdiv_(&grad, &avg)?;
                    axpy_(&mut param, -lr, &buf)?;
                } else {
                    let _ = param.f_addcdiv_(&grad.f_mul_scalar(-lr)?, &avg)?;
                }
            }
        }
        Ok(())
    }
}

/// The state an optimizer over `params` keeps: names and shapes, in order (what
/// [`Optimizer::new`] creates).
fn state_slots(spec: &OptimizerSpec, params: &[Tensor]) -> Vec<(String, Vec<i64>)> {
    let mut slots = vec![("lr".to_string(), vec![])];
    for (index, param) in params.iter().enumerate() {
        slots.push((format!("{index}.step"), vec![]));
        for name in spec.buffer_names() {
            slots.push((format!("{index}.{name}"), param.size()));
        }
    }
    slots
}

/// `a + alpha * b` as one `addcmul` with a 0-dim `alpha` tensor. torch's optimizers write
/// `a.add(b, alpha=alpha)`, which tch cannot express (its `add` has no `alpha`); `b * alpha`
/// then `a + _` would cost two ops and round twice, while `addcmul` is one kernel that
/// reproduces torch's results bit for bit or to an ulp.
fn axpy(a: &Tensor, alpha: f64, b: &Tensor) -> Result<Tensor> {
    Ok(a.f_addcmul(b, &scalar_like(alpha, a)?)?)
}

/// In place: `a += alpha * b` (see [`axpy`]).
fn axpy_(a: &mut Tensor, alpha: f64, b: &Tensor) -> Result<()> {
    let alpha = scalar_like(alpha, a)?;
    let _ = a.f_addcmul_(b, &alpha)?;
    Ok(())
}

/// A 0-dim tensor holding `value`, with `like`'s dtype and device.
fn scalar_like(value: f64, like: &Tensor) -> Result<Tensor> {
    Ok(Tensor::f_full([0i64; 0], value, (like.f_kind()?, like.device()))?)
}

/// Parameters must be floating point tensors (anything else cannot carry a gradient).
fn check_parameters(params: &[Tensor]) -> Result<()> {
    for (index, parameter) in params.iter().enumerate() {
        let dtype = DType::of(parameter)?;
        if !dtype.is_floating_point() {
            return Err(Error::Value(format!(
                "optimizer parameter #{index} is {dtype}; only floating point tensors can be trained"
            )));
        }
    }
    Ok(())
}

/// A learning-rate schedule stepped once per epoch, with PyTorch's recursive formulas (so
/// the learning rates are PyTorch's to the last bit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SchedulerSpec {
    #[serde(rename = "StepLR")]
    StepLr {
        step_size: i64,
        #[serde(default = "gamma")]
        gamma: f64,
    },
    #[serde(rename = "CosineAnnealingLR")]
    CosineAnnealingLr {
        #[serde(rename = "T_max")]
        t_max: i64,
        #[serde(default)]
        eta_min: f64,
    },
}

fn gamma() -> f64 {
    0.1
}

impl SchedulerSpec {
    pub fn from_json(text: &str) -> Result<SchedulerSpec> {
        let spec: SchedulerSpec =
            serde_json::from_str(text).map_err(|e| Error::Value(format!("not a scheduler description: {e}")))?;
        spec.check()?;
        Ok(spec)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn check(&self) -> Result<()> {
        match self {
            SchedulerSpec::StepLr { step_size, gamma } => {
                if *step_size < 1 || !gamma.is_finite() {
                    return Err(Error::Argument(format!(
                        "StepLR needs step_size >= 1 and a finite gamma, got {step_size}, {gamma}"
                    )));
                }
            }
            SchedulerSpec::CosineAnnealingLr { t_max, eta_min } => {
                if *t_max < 1 || !eta_min.is_finite() {
                    return Err(Error::Argument(format!(
                        "CosineAnnealingLR needs T_max >= 1 and a finite eta_min, got {t_max}, {eta_min}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The learning rate after `scheduler.step()` moves from epoch `epoch - 1` to `epoch`
    /// (`epoch` >= 1), given the current one and the optimizer's initial `base_lr`.
    pub fn next_lr(&self, lr: f64, base_lr: f64, epoch: i64) -> f64 {
        match *self {
            SchedulerSpec::StepLr { step_size, gamma } => {
                if epoch % step_size == 0 {
                    lr * gamma
                } else {
                    lr
                }
            }
            SchedulerSpec::CosineAnnealingLr { t_max, eta_min } => {
                let pi = std::f64::consts::PI;
                let t = t_max as f64;
                if (epoch - 1 - t_max) % (2 * t_max) == 0 {
                    lr + (base_lr - eta_min) * (1.0 - (pi / t).cos()) / 2.0
                } else {
                    (1.0 + (pi * epoch as f64 / t).cos()) / (1.0 + (pi * (epoch - 1) as f64 / t).cos()) * (lr - eta_min)
                        + eta_min
                }
            }
        }
    }
}

/// A scheduler attached to an optimizer: `last_epoch` counts its steps.
#[derive(Debug)]
pub struct Scheduler {
    pub spec: SchedulerSpec,
    pub base_lr: f64,
    pub last_epoch: i64,
}

impl Scheduler {
    pub fn new(spec: SchedulerSpec, optimizer: &Optimizer) -> Result<Scheduler> {
        spec.check()?;
        Ok(Scheduler { spec, base_lr: optimizer.spec().lr(), last_epoch: 0 })
    }

    /// `scheduler.step()`: the optimizer's learning rate for the next epoch.
    pub fn step(&mut self, optimizer: &mut Optimizer) -> Result<()> {
        self.last_epoch += 1;
        let lr = self.spec.next_lr(optimizer.lr(), self.base_lr, self.last_epoch);
        optimizer.set_lr(lr)
    }
}
