//! Full-batch training, prediction and accuracy.

use crate::loss::{class_count, Targets};
use crate::module::Module;
use crate::optim::Optimizer;
use nutorch_core::{Error, Result};
use tch::{Kind, Tensor};

/// Trains `model` on all of `x` (`[N, features]`) and `y` (int64 class indices `[N]`) for
/// `epochs` epochs: each epoch is one forward pass, the [`cross_entropy`](crate::cross_entropy)
/// loss, its gradients with respect to the optimizer's parameters, and one optimizer update.
/// The forward pass runs on samples as columns ([`Module::forward_columns`]), which is the
/// same function as `forward` and much faster for small networks.
///
/// Recording convention, that of a Python loop doing `if e % record_every == 0:
/// losses.append(loss.item())` before `loss.backward(); opt.step()`: the loss recorded for
/// epoch `e` is the loss of epoch `e`'s forward pass, i.e. of the parameters *before* that
/// epoch's update, and it is recorded for `e = 0, record_every, 2·record_every, …` below
/// `epochs`. Each recorded `(e, loss)` is also passed to `progress` when it is taken. The loss
/// after the last update is not among them (evaluate it separately if needed).
///
/// Gradients are computed as `torch.autograd.grad` does, straight into fresh tensors handed to
/// [`Optimizer::step_with_grads`]: the same values as `backward` + `.grad`, without
/// accumulating into and then zeroing each `.grad`. Parameters' `.grad` are left untouched.
/// Grad mode is switched on for the call (it is per thread, and the caller's may be off).
pub fn train(
    model: &dyn Module,
    x: &Tensor,
    y: &Tensor,
    optimizer: &mut dyn Optimizer,
    epochs: usize,
    record_every: usize,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<Vec<(usize, f64)>> {
    if record_every == 0 {
        return Err(Error::Argument("record_every must be at least 1".into()));
    }
    let shape = x.size();
    if shape.len() != 2 {
        return Err(Error::Value(format!("train needs x as [N, features], got shape {shape:?}")));
    }
    tch::with_grad(|| {
        let params: Vec<Tensor> = optimizer.parameters().iter().map(Tensor::shallow_clone).collect();
        // Samples as columns (see `Module::forward_columns`): one copy of x for all epochs.
        let xt = x.f_tr()?.f_contiguous()?;
        let mut targets: Option<Targets> = None;
        let mut history = Vec::with_capacity(epochs / record_every + 1);
        for epoch in 0..epochs {
            let logits_t = model.forward_columns(&xt)?;
            // The targets are checked against the first logits (their shape gives N and C).
            let loss = match &targets {
                Some(targets) => targets.mean_nll_columns(&logits_t)?,
                None => {
                    let logits = logits_t.f_tr()?;
                    let checked = Targets::new(&logits, y)?;
                    checked.check_range(class_count(&logits))?;
                    let loss = checked.mean_nll_columns(&logits_t)?;
                    targets = Some(checked);
                    loss
                }
            };
            if epoch % record_every == 0 {
                let value = loss.f_double_value(&[])?;
                history.push((epoch, value));
                progress(epoch, value);
            }
            let grads = Tensor::f_run_backward(&[&loss], &params, false, false)?;
            if let Some(index) = grads.iter().position(|g| !g.defined()) {
                return Err(Error::Argument(format!(
                    "optimizer parameter #{index} does not take part in the model's output; build the optimizer from the model's parameters"
                )));
            }
            optimizer.step_with_grads(&grads)?;
        }
        Ok(history)
    })
}

/// The predicted class of each row: `model(x).argmax(1)` (int64 `[N]`), without autograd.
pub fn predict(model: &dyn Module, x: &Tensor) -> Result<Tensor> {
    let _no_grad = tch::no_grad_guard();
    let logits = model.forward(x)?;
    if logits.dim() != 2 {
        return Err(Error::Value(format!("predict needs logits [N, C], the model gave {:?}", logits.size())));
    }
    Ok(logits.f_argmax(1, false)?)
}

/// The fraction of rows whose predicted class equals `y` (int64 `[N]`), counted exactly
/// (correct / N in f64); NaN for no rows, as `(pred == y).float().mean()` gives.
pub fn accuracy(model: &dyn Module, x: &Tensor, y: &Tensor) -> Result<f64> {
    let predicted = predict(model, x)?;
    let (p, t) = (predicted.size(), y.size());
    if p != t || y.f_kind()? != Kind::Int64 {
        return Err(Error::Value(format!(
            "accuracy needs int64 targets of shape {p:?}, got {:?} of shape {t:?}",
            y.f_kind()?
        )));
    }
    let correct = predicted.f_eq_tensor(y)?.f_sum(Kind::Int64)?.f_int64_value(&[])?;
    Ok(correct as f64 / p[0] as f64)
}
