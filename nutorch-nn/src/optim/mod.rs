//! Optimizers with `torch.optim` semantics: [`Sgd`] and [`Adam`].
//!
//! An optimizer owns shallow clones of the parameters it trains (as a PyTorch optimizer holds
//! its param groups). Updates run under no-grad and write into the parameters in place: tch's
//! in-place ops on leaves that require grad fail unless grad mode is off, and grad mode is per
//! thread, so every update switches it off itself rather than trusting the caller's thread.

mod adam;
mod sgd;

pub use adam::Adam;
pub use sgd::Sgd;

use nutorch_core::{DType, Error, Result};
use tch::Tensor;

/// What a training loop needs from an optimizer.
pub trait Optimizer {
    /// The parameters this optimizer updates, in the order of `step_with_grads`' gradients.
    fn parameters(&self) -> &[Tensor];

    /// One update from explicit gradients, one per parameter in [`Optimizer::parameters`]'
    /// order; an undefined gradient skips its parameter (PyTorch skips `grad is None`). The
    /// gradients are only read, so they may alias each other or a parameter's `.grad`.
    fn step_with_grads(&mut self, grads: &[Tensor]) -> Result<()>;

    /// `optimizer.step(); optimizer.zero_grad()` in PyTorch terms: one update from the
    /// gradients `backward` accumulated in each parameter's `.grad`, then those are zeroed so
    /// the next `backward` starts afresh.
    fn step(&mut self) -> Result<()> {
        let grads = self.parameters().iter().map(|p| p.f_grad()).collect::<Result<Vec<_>, _>>()?;
        self.step_with_grads(&grads)?;
        self.zero_grad()
    }

    /// Zeroes every parameter's accumulated `.grad` (where one exists).
    fn zero_grad(&mut self) -> Result<()> {
        for parameter in self.parameters() {
            let mut grad = parameter.f_grad()?;
            if grad.defined() {
                let _ = grad.f_detach_()?;
                let _ = grad.f_zero_()?;
            }
        }
        Ok(())
    }
}

/// `a + alpha * b` as one `addcmul` with a 0-dim `alpha` tensor. torch's optimizers write
/// `a.add(b, alpha=alpha)`, which tch cannot express (its `add` has no `alpha`); `b * alpha`
/// then `a + _` would cost two ops and round twice, while `addcmul` is one kernel that in the
/// optimizer tests reproduces torch's results bit for bit or to an ulp.
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

fn check_grad_count(params: &[Tensor], grads: &[Tensor]) -> Result<()> {
    if params.len() != grads.len() {
        return Err(Error::Argument(format!(
            "the optimizer holds {} parameters but {} gradients were given",
            params.len(),
            grads.len()
        )));
    }
    Ok(())
}

/// A hyperparameter that must be finite and at least 0 (PyTorch's "Invalid learning rate").
fn check_non_negative(name: &str, value: f64) -> Result<()> {
    if !value.is_finite() || value < 0.0 {
        return Err(Error::Argument(format!("invalid {name}: {value} (must be a finite number >= 0)")));
    }
    Ok(())
}
