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
//! For networks of Linear layers and pointwise activations with plain cross-entropy (the
//! samples-as-columns layout) they come in closed form ([`Module::columns_loss_and_grads`]):
//! autograd's own backward ops, without recording the forward pass or running the engine.
//!
//! Nothing inside the loop waits for a GPU: the batch losses stay on the device and are read
//! in blocks of epochs (the history's losses are the Python loop's `loss.item()` sums, in the
//! same order, in float64), a progress display reads one only when it shows it, and the
//! shuffled order goes to the GPU without a blocking copy. Full-batch training of a
//! column-layout model with SGD and no scheduler on a GPU replays a captured CUDA graph of one
//! step after a few epochs run as they are (`GRAPH_WARMUP_EPOCHS`; see `nutorch_core::cuda_graph`).

mod history;

use crate::loss::{Loss, Targets};
use crate::model::Module;
use crate::optim::{Optimizer, Scheduler};
use history::History;
use nutorch_core::cuda_graph::{self, SideStream};
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
#[derive(Debug)]
pub struct BatchProgress<'a> {
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// The batch's loss, still where it was computed: reading it ([`BatchProgress::loss`])
    /// waits for a GPU to finish the batch, so a display reads it only when it shows it.
    loss: &'a Tensor,
}

impl BatchProgress<'_> {
    /// The batch's loss (NaN if it cannot be read).
    pub fn loss(&self) -> f64 {
        self.loss.f_double_value(&[]).unwrap_or(f64::NAN)
    }
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
        let loss_value = step_on(optimizer, &value)?.f_double_value(&[])?;
        optimizer.write_steps()?;
        Ok(loss_value)
    })
}

/// Gradients of `value` for the optimizer's parameters, then one update; returns the value,
/// detached and not read (reading it would make the CPU wait for a GPU at every step).
/// The step counts stay in memory (the caller writes them with `write_steps`).
fn step_on(optimizer: &mut Optimizer, value: &Tensor) -> Result<Tensor> {
    let params: Vec<Tensor> = optimizer.parameters().iter().map(Tensor::shallow_clone).collect();
    let grads = Tensor::f_run_backward(&[value], &params, false, false)?;
    if let Some(index) = grads.iter().position(|g| !g.defined()) {
        return Err(Error::Argument(format!(
            "optimizer parameter #{index} does not take part in the loss; build the optimizer from the model's parameters"
        )));
    }
    optimizer.step_in_memory(&grads)?;
    Ok(value.f_detach()?)
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
    let mut history = History::new(options.epochs, rows, batch);
    // Full-batch training of a column-layout model (fixed shapes, no random numbers) with an
    // update that is the same at every step: on a GPU, after a few steps run as they are, one
    // step is captured as a CUDA graph and replayed for the rest.
    let graphed = cuda_graph::enabled()
        && device.is_cuda()
        && xt.is_some()
        && batches == 1
        && !options.shuffle
        && scheduler.is_none()
        && optimizer.replayable()
        && options.epochs > GRAPH_WARMUP_EPOCHS;
    let mut side_stream = if graphed { SideStream::begin(device).ok() } else { None };
    let mut graph_loss: Option<Tensor> = None;
    for epoch in 0..options.epochs {
        model.set_training(true);
        let lr = optimizer.lr();
        let order = if options.shuffle { Some(Tensor::f_randperm(rows, (Kind::Int64, Device::Cpu))?) } else { None };
        let order = match order {
            // Not blocking: a blocking copy to a GPU waits for it to finish the last epoch
            // (the source is staged by the driver before the call returns).
            Some(o) if device != Device::Cpu => Some(o.f_to_device_(device, Kind::Int64, true, false)?),
            other => other,
        };
        let mut batch_losses = Vec::with_capacity(batches);
        {
            let model = &*model;
            let run_batch = |optimizer: &mut Optimizer, index: usize| -> Result<Tensor> {
                let start = index as i64 * batch;
                let len = batch.min(rows - start);
                let full = len == rows && order.is_none();
                tch::with_grad(|| -> Result<Tensor> {
                    let rows_of = |t: &Tensor, dim: i64| -> Result<Tensor> {
                        Ok(match &order {
                            Some(o) => t.f_index_select(dim, &o.f_narrow(0, start, len)?)?,
                            None if full => t.shallow_clone(),
                            None => t.f_narrow(dim, start, len)?,
                        })
                    };
                    let yb = rows_of(y, 0)?;
                    let value = match &xt {
                        Some(xt) => {
                            let xb = rows_of(xt, 1)?;
                            // Gradients in closed form where the model can, else autograd's.
                            let wanted = optimizer.parameters();
                            if let Some((value, grads)) = model.columns_loss_and_grads(&xb, &yb, wanted)? {
                                optimizer.step_in_memory(&grads)?;
                                return Ok(value);
                            }
                            Targets::new(&yb)?.mean_nll_columns(&model.forward_columns(&xb)?)?
                        }
                        None => loss.compute(&model.forward(&rows_of(x, 0)?)?, &yb)?,
                    };
                    step_on(optimizer, &value)
                })
            };
            for index in 0..batches {
                let value = match (&mut side_stream, &graph_loss) {
                    (Some(stream), Some(captured)) => {
                        stream.replay()?;
                        optimizer.count_replayed_update();
                        captured.f_detach_copy()?
                    }
                    (Some(stream), None) if epoch == GRAPH_WARMUP_EPOCHS => {
                        let counts = optimizer.step_counts();
                        match stream.capture(|| run_batch(optimizer, index)) {
                            Ok(captured) => {
                                stream.replay()?;
                                let value = captured.f_detach_copy()?;
                                graph_loss = Some(captured);
                                value
                            }
                            Err(_) => {
                                // Recorded, not run: this step runs as it is, and so do the rest.
                                optimizer.restore_step_counts(counts);
                                side_stream = None;
                                run_batch(optimizer, index)?
                            }
                        }
                    }
                    _ => run_batch(optimizer, index)?,
                };
                let progress = BatchProgress { epoch, epochs: options.epochs, batch: index, batches, loss: &value };
                let stop = on_batch(&progress).is_break();
                batch_losses.push(value);
                if stop {
                    return Ok(FitOutcome { history: history.finish()?, interrupted: Some((epoch, index)) });
                }
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
        history.push(EpochRecord { epoch, loss: f64::NAN, val_loss, val_accuracy, lr }, &batch_losses)?;
        if let Some(s) = scheduler.as_deref_mut() {
            s.step(optimizer)?;
        }
    }
    Ok(FitOutcome { history: history.finish()?, interrupted: None })
}

/// Epochs run as they are before a step is captured as a CUDA graph (lazily made per-stream
/// state, such as cuBLAS's workspace, must exist before a capture; the first SGD step with
/// momentum differs from the others).
const GRAPH_WARMUP_EPOCHS: usize = 3;

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
