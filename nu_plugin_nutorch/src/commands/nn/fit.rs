//! `nutorch nn fit` (mini-batch training with any model, optimizer and loss) and
//! `nutorch nn evaluate` (loss and accuracy on a data set).

use super::forward::{check_training_data, model_inputs_targets};
use super::optim::OptimRecord;
use super::progress::{threads_flag, Progress};
use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Span, SyntaxShape, Type, Value};
use nutorch_nn::{FitOptions, Loss, LossKind, Module};
use std::ops::ControlFlow;

/// `--loss` and its options, shared by fit and evaluate.
fn loss_flags(signature: Signature) -> Signature {
    signature
        .named(
            "loss",
            SyntaxShape::String,
            "cross-entropy (default), nll, mse, l1, smooth-l1, huber, bce or bce-with-logits",
            None,
        )
        .named("label-smoothing", SyntaxShape::Number, "cross-entropy's label smoothing (default 0)", None)
        .named("class-weights", SyntaxShape::Any, "a tensor of weights per class [C] (cross-entropy, nll)", None)
        .named("beta", SyntaxShape::Number, "smooth-l1's beta (default 1)", None)
        .named("delta", SyntaxShape::Number, "huber's delta (default 1)", None)
}

fn loss_from_flags(plugin: &NutorchPlugin, call: &EvaluatedCall) -> Result<Loss, LabeledError> {
    let kind = match call.get_flag::<nu_protocol::Spanned<String>>("loss")? {
        None => LossKind::CrossEntropy,
        Some(name) => LossKind::parse(&name.item).at(name.span)?,
    };
    let mut loss = Loss::new(kind);
    let number = |name: &str| -> Result<Option<(f64, Span)>, LabeledError> {
        Ok(call.get_flag_value(name).map(|v| (v.as_float().unwrap_or(f64::NAN), v.span())))
    };
    if let Some((x, _)) = number("label-smoothing")? {
        loss.label_smoothing = x;
    }
    if let Some((x, _)) = number("beta")? {
        loss.beta = x;
    }
    if let Some((x, _)) = number("delta")? {
        loss.delta = x;
    }
    if let Some(v) = call.get_flag_value("class-weights") {
        loss.weight = Some(args::tensor(plugin, &v)?.item);
    }
    let span = ["label-smoothing", "beta", "delta", "class-weights", "loss"]
        .iter()
        .find_map(|f| call.get_flag_span(f))
        .unwrap_or(call.head);
    loss.check_options().at(span)?;
    Ok(loss)
}

/// `nutorch nn fit`.
pub struct Fit;

impl PluginCommand for Fit {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn fit"
    }

    fn signature(&self) -> Signature {
        let columns = ["epoch", "loss", "val_loss", "val_accuracy", "lr"];
        loss_flags(
            Signature::build(self.name())
                .input_output_types(vec![(
                    Type::Nothing,
                    Type::Table(columns.iter().map(|c| (c.to_string(), Type::Any)).collect::<Vec<_>>().into()),
                )])
                .required("model", super::model_shape(), "the model to train (its parameters are updated in place)")
                .required(
                    "optimizer",
                    SyntaxShape::Record(vec![].into()),
                    "an optimizer over the model's parameters (nutorch optim …)",
                )
                .required("x", SyntaxShape::Any, "inputs: a tensor whose first dimension is the samples")
                .required("y", SyntaxShape::Any, "targets, one per sample (int64 classes for cross-entropy)")
                .named("epochs", SyntaxShape::Int, "passes over the data (default 10)", None)
                .named("batch-size", SyntaxShape::Int, "samples per batch (default: all, full-batch)", None)
                .switch("shuffle", "a new random order of the samples every epoch (torch.randperm)", None)
                .named("seed", SyntaxShape::Int, "torch.manual_seed(seed) before the first epoch", None)
                .named("val-x", SyntaxShape::Any, "validation inputs, evaluated after every epoch", None)
                .named("val-y", SyntaxShape::Any, "validation targets", None)
                .named(
                    "threads",
                    SyntaxShape::Int,
                    "torch threads for this call (torch.set_num_threads); default: libtorch's",
                    None,
                )
                .switch("quiet", "no progress line on stderr", None),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Train a model with an optimizer on mini-batches; returns the history as a table {epoch, loss, val_loss, val_accuracy, lr}."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: torch.manual_seed(seed); for epoch in range(epochs): model.train(); order = \
         torch.randperm(N) if shuffle else arange(N); for each batch: loss = loss_fn(model(x[idx]), \
         y[idx]); opt.zero_grad(); loss.backward(); opt.step(). The epoch's loss is the mean of \
         the batch losses weighted by their size; with --val-x/--val-y the model is evaluated \
         (eval mode, no grad) after each epoch; an optimizer made with --scheduler steps its \
         schedule after each epoch. The loop runs inside the plugin on the stored parameters and \
         optimizer state, updated in place: the model and optimizer values see the trained \
         state, and it survives plugin restarts. Everything is checked before the first step \
         (the inputs fit the model's first layers, the targets fit the loss).\n\n\
         Progress: one line on stderr (epoch, batch, loss) when stderr is a terminal (--quiet \
         turns it off). Ctrl-C stops after the current batch: the model keeps the updates made, \
         the completed epochs are returned, and a note on stderr says where it stopped."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["train", "mini-batch", "epochs", "DataLoader", "keras fit"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let data = (nutorch blobs --seed 42); let model = (nutorch nn sequential [(nutorch nn linear 2 16) (nutorch nn relu) (nutorch nn linear 16 3)] --seed 0); let opt = (nutorch optim adam $model --lr 0.01); let hist = (nutorch nn fit $model $opt $data.X $data.y --epochs 20 --batch-size 32 --shuffle --seed 0 --quiet); $hist.19.loss < $hist.0.loss",
            description: "An MLP on the blobs with Adam, 20 epochs of batches of 32",
            result: Some(Value::test_bool(true)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let head = call.head;
        let (mut model, x, y) = model_inputs_targets(plugin, call, 2)?;
        let opt_value = args::positional(call, 1)?;
        let mut opt = OptimRecord::parse(plugin, &opt_value)?;
        opt.check_model(&model, opt_value.span())?;
        model.make_trainable(model.span)?;
        let loss = loss_from_flags(plugin, call)?;
        let epochs = non_negative(call, "epochs")?.unwrap_or(10);
        let batch_size = match non_negative(call, "batch-size")? {
            Some(0) => {
                return Err(invalid(
                    "--batch-size must be at least 1",
                    call.get_flag_span("batch-size").unwrap_or(head),
                ))
            }
            other => other,
        };
        let validation = match (call.get_flag_value("val-x"), call.get_flag_value("val-y")) {
            (None, None) => None,
            (Some(vx), Some(vy)) => Some((args::tensor(plugin, &vx)?, args::tensor(plugin, &vy)?)),
            (Some(v), None) | (None, Some(v)) => {
                return Err(invalid("give both --val-x and --val-y for validation", v.span()))
            }
        };
        let options =
            FitOptions { epochs, batch_size, shuffle: call.has_flag("shuffle")?, seed: call.get_flag::<i64>("seed")? };
        // Mistakes in the data are reported at the argument before anything trains.
        check_training_data(&mut model, &loss, &x, &y)?;
        if let Some((vx, vy)) = &validation {
            check_training_data(&mut model, &loss, vx, vy)?;
        }
        let _threads = threads_flag(call)?;
        let training_before = model.model.is_training();
        let quiet = call.has_flag("quiet")?;
        let mut progress = Progress::new("nutorch nn fit", !quiet);
        let signals = engine.signals().clone();
        let OptimRecord { optimizer, scheduler, .. } = &mut opt;
        let outcome = nutorch_nn::fit::fit_checked(
            &mut model.model,
            optimizer,
            &loss,
            &x.item,
            &y.item,
            validation.as_ref().map(|(vx, vy)| (&vx.item, &vy.item)),
            scheduler.as_mut().map(|(s, _)| s),
            &options,
            &mut |p| {
                progress.report(|| {
                    format!(
                        "epoch {}/{}  batch {}/{}  loss {:.6}",
                        p.epoch + 1,
                        p.epochs,
                        p.batch + 1,
                        p.batches,
                        p.loss()
                    )
                });
                if signals.interrupted() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        progress.clear();
        model.model.set_training(training_before);
        if let Some((scheduler, epoch)) = &mut opt.scheduler {
            let _ = epoch.f_fill_(scheduler.last_epoch).at(head)?;
        }
        let outcome = outcome.at(head)?;
        if let Some((epoch, batch)) = outcome.interrupted {
            eprintln!(
                "nutorch nn fit: interrupted in epoch {} after batch {}; the model keeps the updates made so far; returning the {} completed epoch(s)",
                epoch + 1,
                batch + 1,
                outcome.history.len()
            );
        }
        let opt_f = |v: Option<f64>| v.map(|x| Value::float(x, head)).unwrap_or(Value::nothing(head));
        let rows = outcome
            .history
            .into_iter()
            .map(|r| {
                Value::record(
                    record! {
                        "epoch" => Value::int(r.epoch as i64, head),
                        "loss" => Value::float(r.loss, head),
                        "val_loss" => opt_f(r.val_loss),
                        "val_accuracy" => opt_f(r.val_accuracy),
                        "lr" => Value::float(r.lr, head),
                    },
                    head,
                )
            })
            .collect();
        Ok(PipelineData::Value(Value::list(rows, head), None))
    }
}

fn non_negative(call: &EvaluatedCall, name: &str) -> Result<Option<usize>, LabeledError> {
    match call.get_flag::<nu_protocol::Spanned<i64>>(name)? {
        None => Ok(None),
        Some(v) if v.item < 0 => Err(invalid(format!("--{name} must be at least 0, got {}", v.item), v.span)),
        Some(v) => Ok(Some(v.item as usize)),
    }
}

/// `nutorch nn evaluate`.
pub struct Evaluate;

impl PluginCommand for Evaluate {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn evaluate"
    }

    fn signature(&self) -> Signature {
        loss_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::record())])
                .required("model", super::model_shape(), "a model record")
                .required("x", SyntaxShape::Any, "inputs")
                .required("y", SyntaxShape::Any, "targets"),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "The model's loss and accuracy on a data set, in eval mode without autograd: {loss, accuracy}."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: model.eval(); with torch.no_grad(): out = model(x); loss = loss_fn(out, y); \
         accuracy = (out.argmax(1) == y).float().mean() (accuracy only for cross-entropy and \
         nll; null otherwise). The model's own mode is not changed."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["test", "validate", "score", "metric"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = {kind: Linear, parameters: {weight: (nutorch fromvalue [[1.0 0.0] [0.0 1.0]]), bias: (nutorch fromvalue [0.0 0.0])}}; (nutorch nn evaluate $model (nutorch fromvalue [[1.0 0.0] [0.0 1.0]]) (nutorch fromvalue [0 0])).accuracy",
            description: "One of two rows classified right",
            result: Some(Value::test_float(0.5)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let head = call.head;
        let (mut model, x, y) = model_inputs_targets(plugin, call, 1)?;
        let loss = loss_from_flags(plugin, call)?;
        model.model.set_training(false);
        let e = nutorch_nn::evaluate(&model.model, &loss, &x.item, &y.item).at(y.span)?;
        let accuracy = e.accuracy.map(|a| Value::float(a, head)).unwrap_or(Value::nothing(head));
        Ok(PipelineData::Value(
            Value::record(record! { "loss" => Value::float(e.loss, head), "accuracy" => accuracy }, head),
            None,
        ))
    }
}
