//! Training: one step, a mini-batch fit loop, evaluation and prediction — generic over the
//! module, the loss and the optimizer.
//!
//! The fit loop is this PyTorch loop, step for step (so that the losses agree with it):
//!
//! ```python
//! if seed is not None: torch.manual_seed(seed)
//! for epoch in range(epochs):
//!     model.train()
//!     order = torch.randperm(N) if shuffle else torch.arange(N)
//!     total = 0.0
//!     for idx in order.split(batch_size):
//!         loss = loss_fn(model(X[idx]), y[idx])
//!         opt.zero_grad(); loss.backward(); opt.step()
//!         total += loss.item() * len(idx)
//!     train_loss = total / N
//!     if validation: model.eval(); with torch.no_grad(): val_loss, val_accuracy = …
//!     if scheduler: scheduler.step()
//! ```
//!
//! Gradients are computed as `torch.autograd.grad` does, straight into fresh tensors handed to
//! [`Optimizer::step_with_grads`]: the same values as `backward` + `.grad`, without
//! accumulating into and zeroing each `.grad` (the parameters' `.grad` are left untouched).

use crate::loss::{Loss, Targets};
use crate::model::Module;
use crate::optim::{Optimizer, Scheduler};
use nutorch_core::{Error, Result};
use std::ops::ControlFlow;
use tch::{Device, Kind, Tensor};

/// How [`fit`] runs.
#[derive(Debug, Clone)]
pub struct FitOptions {
    pub epochs: usize,
    /// Rows per batch; `None`: the whole data set (full-batch gradient descent).
    pub batch_size: Option<usize>,
    pub shuffle: bool,
    /// `torch.manual_seed(seed)` before the first epoch.
    pub seed: Option<i64>,
}

/// One epoch's record.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRecord {
    pub epoch: usize,
    /// The mean of the batch losses weighted by batch size.
    pub loss: f64,
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    /// The learning rate this epoch ran with.
    pub lr: f64,
}

/// Where the loop is, for a progress display (after each batch).
#[derive(Debug, Clone, Copy)]
pub struct BatchProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    pub loss: f64,
}

/// What [`fit`] did: the completed epochs, and whether the callback stopped it early.
#[derive(Debug, Clone)]
pub struct FitOutcome {
    pub history: Vec<EpochRecord>,
    /// `Some((epoch, batch))` where a stop was asked for (after that batch).
    pub interrupted: Option<(usize, usize)>,
}

/// Loss (and accuracy, for classification losses) of a model on a data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub loss: f64,
    pub accuracy: Option<f64>,
}

/// Checks everything that can be checked before training: the input fits the model (a dry
/// forward pass over the data in eval mode, without gradients, so that no running statistic
/// moves and no random number is drawn), the targets fit the loss, rows agree in number.
pub fn check_data<M: Module + ?Sized>(model: &mut M, loss: &Loss, x: &Tensor, y: &Tensor) -> Result<()> {
    let (xs, ys) = (x.size(), y.size());
    if xs.is_empty() || ys.is_empty() {
        return Err(Error::Value(format!(
            "training data needs a first dimension of samples, got inputs {xs:?} and targets {ys:?}"
        )));
    }
    if xs[0] != ys[0] {
        return Err(Error::Value(format!(
            "the inputs have {} samples but the targets {} (first dimensions {xs:?} and {ys:?})",
            xs[0], ys[0]
        )));
    }
    if xs[0] == 0 {
        return Err(Error::Value("the training data has no samples".into()));
    }
    let _no_grad = tch::no_grad_guard();
    let training = model.is_training();
    model.set_training(false);
    let out = model.forward(x);
    model.set_training(training);
    loss.check(&out?, y)
}

/// One training step on one batch (forward, loss, gradients, update); returns the loss. The
/// targets are checked against the output first ([`Loss::check`]).
pub fn train_step<M: Module + ?Sized>(
    model: &M,
    optimizer: &mut Optimizer,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
) -> Result<f64> {
    tch::with_grad(|| {
        let out = model.forward(x)?;
        // Checked here (fit checks once, before its loop): unchecked targets reach libtorch,
        // whose refusals (e.g. float class indices) are unclear and some of them panic in tch.
        loss.check(&out, y)?;
        let value = loss.compute(&out, y)?;
        let loss_value = step_on(optimizer, &value)?;
        optimizer.write_steps()?;
        Ok(loss_value)
    })
}

/// Gradients of `value` for the optimizer's parameters, then one update; returns the value.
/// The step counts stay in memory (the caller writes them with `write_steps`).
fn step_on(optimizer: &mut Optimizer, value: &Tensor) -> Result<f64> {
    let params: Vec<Tensor> = optimizer.parameters().iter().map(Tensor::shallow_clone).collect();
    let loss_value = value.f_double_value(&[])?;
    let grads = Tensor::f_run_backward(&[value], &params, false, false)?;
    if let Some(index) = grads.iter().position(|g| !g.defined()) {
        return Err(Error::Argument(format!(
            "optimizer parameter #{index} does not take part in the loss; build the optimizer from the model's parameters"
        )));
    }
    optimizer.step_in_memory(&grads)?;
    Ok(loss_value)
}

/// The fit loop (see the module docs). `on_batch` sees every batch's progress and may stop
/// the loop (between batches): the updates made so far stay, and the history holds the
/// completed epochs.
#[allow(clippy::too_many_arguments)]
pub fn fit<M: Module + ?Sized>(
    model: &mut M,
    optimizer: &mut Optimizer,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
    validation: Option<(&Tensor, &Tensor)>,
    scheduler: Option<&mut Scheduler>,
    options: &FitOptions,
    on_batch: &mut dyn FnMut(&BatchProgress) -> ControlFlow<()>,
) -> Result<FitOutcome> {
    check_data(model, loss, x, y)?;
    if let Some((vx, vy)) = validation {
        check_data(model, loss, vx, vy)?;
    }
    fit_checked(model, optimizer, loss, x, y, validation, scheduler, options, on_batch)
}

/// [`fit`] for data that [`check_data`] has accepted (for callers that check first, to tell
/// their users which argument is wrong): the same loop without checking again.
#[allow(clippy::too_many_arguments)]
pub fn fit_checked<M: Module + ?Sized>(
    model: &mut M,
    optimizer: &mut Optimizer,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
    validation: Option<(&Tensor, &Tensor)>,
    scheduler: Option<&mut Scheduler>,
    options: &FitOptions,
    on_batch: &mut dyn FnMut(&BatchProgress) -> ControlFlow<()>,
) -> Result<FitOutcome> {
    let outcome = fit_loop(model, optimizer, loss, x, y, validation, scheduler, options, on_batch);
    // However the loop ended, the state tensors get the step counts of the updates made.
    optimizer.write_steps()?;
    outcome
}

#[allow(clippy::too_many_arguments)]
fn fit_loop<M: Module + ?Sized>(
    model: &mut M,
    optimizer: &mut Optimizer,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
    validation: Option<(&Tensor, &Tensor)>,
    mut scheduler: Option<&mut Scheduler>,
    options: &FitOptions,
    on_batch: &mut dyn FnMut(&BatchProgress) -> ControlFlow<()>,
) -> Result<FitOutcome> {
    let rows = x.size()[0];
    let batch = match options.batch_size {
        Some(0) => return Err(Error::Argument("batch_size must be at least 1".into())),
        Some(b) => (b as i64).min(rows),
        None => rows,
    };
    let batches = ((rows + batch - 1) / batch) as usize;
    // The samples-as-columns layout (see `Module::forward_columns`) when model and loss allow
    // it: one transposed copy of x for the whole run.
    let columns = model.columns_capable() && loss.columns_capable(y) && x.dim() == 2;
    let xt = if columns { Some(x.f_tr()?.f_contiguous()?) } else { None };
    if let Some(seed) = options.seed {
        tch::manual_seed(seed);
    }
    let device = x.device();
    let mut history = Vec::with_capacity(options.epochs);
    for epoch in 0..options.epochs {
        model.set_training(true);
        let lr = optimizer.lr();
        let order = if options.shuffle { Some(Tensor::f_randperm(rows, (Kind::Int64, Device::Cpu))?) } else { None };
        let order = match order {
            Some(o) if device != Device::Cpu => Some(o.f_to(device)?),
            other => other,
        };
        let mut total = 0.0;
        for index in 0..batches {
            let start = index as i64 * batch;
            let len = batch.min(rows - start);
            let full = len == rows && order.is_none();
            let value = tch::with_grad(|| -> Result<f64> {
                let rows_of = |t: &Tensor, dim: i64| -> Result<Tensor> {
                    Ok(match &order {
                        Some(o) => t.f_index_select(dim, &o.f_narrow(0, start, len)?)?,
                        None if full => t.shallow_clone(),
                        None => t.f_narrow(dim, start, len)?,
                    })
                };
                let yb = rows_of(y, 0)?;
                let value = match &xt {
                    Some(xt) => Targets::new(&yb)?.mean_nll_columns(&model.forward_columns(&rows_of(xt, 1)?)?)?,
                    None => loss.compute(&model.forward(&rows_of(x, 0)?)?, &yb)?,
                };
                step_on(optimizer, &value)
            })?;
            total += value * len as f64;
            let progress = BatchProgress { epoch, epochs: options.epochs, batch: index, batches, loss: value };
            if on_batch(&progress).is_break() {
                return Ok(FitOutcome { history, interrupted: Some((epoch, index)) });
            }
        }
        let (val_loss, val_accuracy) = match validation {
            Some((vx, vy)) => {
                model.set_training(false);
                let e = evaluate(model, loss, vx, vy)?;
                (Some(e.loss), e.accuracy)
            }
            None => (None, None),
        };
        history.push(EpochRecord { epoch, loss: total / rows as f64, val_loss, val_accuracy, lr });
        if let Some(s) = scheduler.as_deref_mut() {
            s.step(optimizer)?;
        }
    }
    Ok(FitOutcome { history, interrupted: None })
}

/// The loss and, for classification losses, the accuracy of `model` on `x`, `y` in the
/// model's current mode, without gradients.
pub fn evaluate<M: Module + ?Sized>(model: &M, loss: &Loss, x: &Tensor, y: &Tensor) -> Result<Evaluation> {
    let _no_grad = tch::no_grad_guard();
    let out = model.forward(x)?;
    loss.check(&out, y)?;
    let value = loss.compute(&out, y)?.f_double_value(&[])?;
    let accuracy = if loss.kind.is_classification() && y.f_kind()? == Kind::Int64 && out.dim() >= 1 {
        let class_dim = if out.dim() == 1 { 0 } else { 1 };
        let predicted = out.f_argmax(class_dim, false)?;
        Some(fraction_equal(&predicted, y)?)
    } else {
        None
    };
    Ok(Evaluation { loss: value, accuracy })
}

/// The predicted class of each row: `model(x).argmax(1)` (int64 `[N]`), without autograd.
pub fn predict<M: Module + ?Sized>(model: &M, x: &Tensor) -> Result<Tensor> {
    let _no_grad = tch::no_grad_guard();
    let logits = model.forward(x)?;
    if logits.dim() != 2 {
        return Err(Error::Value(format!("predict needs outputs [N, C], the model gave {:?}", logits.size())));
    }
    Ok(logits.f_argmax(1, false)?)
}

/// The fraction of rows whose predicted class equals `y` (int64 `[N]`), counted exactly.
pub fn accuracy<M: Module + ?Sized>(model: &M, x: &Tensor, y: &Tensor) -> Result<f64> {
    let predicted = predict(model, x)?;
    let (p, t) = (predicted.size(), y.size());
    if p != t || y.f_kind()? != Kind::Int64 {
        return Err(Error::Value(format!(
            "accuracy needs int64 targets of shape {p:?}, got {} of shape {t:?}",
            nutorch_core::DType::of(y)?
        )));
    }
    fraction_equal(&predicted, y)
}

/// correct / N in f64; NaN for no rows, as `(pred == y).float().mean()` gives.
fn fraction_equal(predicted: &Tensor, y: &Tensor) -> Result<f64> {
    let correct = predicted.f_eq_tensor(y)?.f_sum(Kind::Int64)?.f_int64_value(&[])?;
    Ok(correct as f64 / predicted.numel() as f64)
}
