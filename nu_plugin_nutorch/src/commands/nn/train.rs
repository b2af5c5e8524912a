//! `nutorch nn train`: full-batch training in one call, the loop in Rust (nutorch-nn).

use super::forward::{check_training_data, model_inputs_targets};
use super::progress::{threads_flag, Progress};
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Span, Spanned, SyntaxShape, Type, Value};
use nutorch_nn::{FitOptions, Loss, LossKind, Module, Optimizer, OptimizerSpec};
use std::ops::ControlFlow;

/// Ctrl-C is checked every this many epochs.
const MIN_CHUNK: usize = 100;

pub struct Train;

impl PluginCommand for Train {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn train"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(
                Type::Nothing,
                Type::Table(vec![("epoch".into(), Type::Int), ("loss".into(), Type::Float)].into()),
            )])
            .required(
                "model",
                super::model_shape(),
                "a model record (nutorch nn simple-nn, linear or load); its parameters are updated in place",
            )
            .required("x", SyntaxShape::Any, "inputs [N, features], the parameters' dtype and device")
            .required("y", SyntaxShape::Any, "int64 class indices [N]")
            .named("epochs", SyntaxShape::Int, "number of full-batch updates (default 100)", None)
            .named("lr", SyntaxShape::Number, "learning rate (default 0.1 for sgd, 0.001 for adam)", None)
            .named(
                "record-every",
                SyntaxShape::Int,
                "record the loss at epochs 0, K, 2K, ... (default: epochs / 10)",
                None,
            )
            .named("optimizer", SyntaxShape::String, "sgd (torch.optim.SGD, default) or adam (torch.optim.Adam)", None)
            .named("momentum", SyntaxShape::Number, "SGD momentum (default 0)", None)
            .named("weight-decay", SyntaxShape::Number, "L2 penalty added to the gradient (default 0)", None)
            .named(
                "threads",
                SyntaxShape::Int,
                "torch threads for this call (torch.set_num_threads); default: libtorch's",
                None,
            )
            .switch("quiet", "no progress line on stderr", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Train a model in place with full-batch gradient descent on cross-entropy; returns the recorded losses as a table {epoch, loss}."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: opt = torch.optim.SGD(model.parameters(), lr, momentum, weight_decay) (or \
         torch.optim.Adam); for e in range(epochs): loss = F.cross_entropy(model(x), y); \
         if e % record_every == 0: record (e, loss.item()); opt.zero_grad(); loss.backward(); \
         opt.step(). The loop runs inside the plugin; the losses agree with PyTorch's to about \
         1e-6 relative. The loss recorded for epoch e is that of the parameters before epoch e's \
         update. The model's parameter tensors are updated in place (under no_grad): they keep \
         their ids, so every variable holding the model sees the trained values, and the store \
         writes them out for plugin restarts.\n\n\
         Progress: Nushell gives plugins no progress-bar API, so while it runs the command \
         rewrites one line on stderr (epoch and loss) when stderr is a terminal; --quiet turns \
         it off, and nothing is written when stderr is not a terminal. Ctrl-C is honoured \
         between blocks of epochs (at least 100, or --record-every): training stops with an \
         'Operation interrupted' error and the parameters keep the updates made so far."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["fit", "sgd", "adam", "optimizer", "backward", "gradient descent", "torch.optim"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); (nutorch nn train $model $data.X $data.y --epochs 1000 --lr 0.1 --record-every 100).epoch",
                description: "The seed's training run: SGD, lr 0.1, 1000 epochs, the loss every 100 epochs",
                result: Some(Value::test_list((0..10).map(|i| Value::test_int(i * 100)).collect())),
            },
            Example {
                example: "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn train $model $data.X $data.y --epochs 300 --optimizer adam --lr 0.01 --quiet | ignore; (nutorch nn accuracy $model $data.X $data.y) > 0.9",
                description: "Adam; the model variable holds the trained parameters afterwards",
                result: Some(Value::test_bool(true)),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        train(plugin, engine, call).map(|v| PipelineData::Value(v, None))
    }
}

fn int_flag(call: &EvaluatedCall, name: &str, default: i64, min: i64) -> Result<i64, LabeledError> {
    match call.get_flag::<Spanned<i64>>(name)? {
        None => Ok(default),
        Some(n) if n.item < min => Err(invalid(format!("--{name} must be at least {min}, got {}", n.item), n.span)),
        Some(n) => Ok(n.item),
    }
}

fn float_flag(call: &EvaluatedCall, name: &str) -> Result<Option<(f64, Span)>, LabeledError> {
    match call.get_flag::<Spanned<f64>>(name)? {
        None => Ok(None),
        Some(x) if !x.item.is_finite() || x.item < 0.0 => {
            Err(invalid(format!("--{name} must be a finite number >= 0, got {}", x.item), x.span))
        }
        Some(x) => Ok(Some((x.item, x.span))),
    }
}

fn train(plugin: &NutorchPlugin, engine: &EngineInterface, call: &EvaluatedCall) -> Result<Value, LabeledError> {
    let head = call.head;
    let (mut model, x, y) = model_inputs_targets(plugin, call, 1)?;
    model.make_trainable(model.span)?;
    let loss = Loss::new(LossKind::CrossEntropy);
    check_training_data(&mut model, &loss, &x, &y)?;

    let epochs = int_flag(call, "epochs", 100, 0)?;
    let record_every = int_flag(call, "record-every", (epochs / 10).max(1), 1)? as usize;
    let adam = match call.get_flag::<Spanned<String>>("optimizer")? {
        None => false,
        Some(v) => match v.item.as_str() {
            "sgd" | "SGD" => false,
            "adam" | "Adam" => true,
            _ => return Err(invalid("--optimizer takes sgd or adam", v.span)),
        },
    };
    let lr = float_flag(call, "lr")?;
    let momentum = float_flag(call, "momentum")?;
    let weight_decay = float_flag(call, "weight-decay")?.map(|(w, _)| w).unwrap_or(0.0);
    if let (true, Some((_, span))) = (adam, momentum) {
        return Err(invalid("--momentum is for sgd; Adam has its own moment estimates", span));
    }
    let quiet = call.has_flag("quiet")?;

    let lr_span = lr.map(|(_, s)| s).unwrap_or(head);
    let spec = if adam {
        OptimizerSpec::Adam {
            lr: lr.map(|(l, _)| l).unwrap_or(0.001),
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay,
            amsgrad: false,
        }
    } else {
        OptimizerSpec::Sgd {
            lr: lr.map(|(l, _)| l).unwrap_or(0.1),
            momentum: momentum.map(|(m, _)| m).unwrap_or(0.0),
            dampening: 0.0,
            nesterov: false,
            weight_decay,
        }
    };
    let mut optimizer = Optimizer::new(spec, model.model.parameters()).at(lr_span)?;

    let _threads = threads_flag(call)?;
    let options = FitOptions { epochs: epochs as usize, batch_size: None, shuffle: false, seed: None };
    let mut progress = Progress::new("nutorch nn train", !quiet);
    let signals = engine.signals().clone();
    let mut stopped_at = None;
    let outcome =
        nutorch_nn::fit(&mut model.model, &mut optimizer, &loss, &x.item, &y.item, None, None, &options, &mut |p| {
            if p.epoch % record_every == 0 {
                let percent = (p.epoch * 100).checked_div(p.epochs).unwrap_or(100);
                progress.report(|| format!("epoch {}/{} ({percent}%)  loss {:.6}", p.epoch, p.epochs, p.loss()));
            }
            // Ctrl-C is looked at between blocks of epochs (checking costs a little).
            if (p.epoch + 1) % MIN_CHUNK == 0 && p.epoch + 1 < p.epochs && signals.interrupted() {
                stopped_at = Some(p.epoch + 1);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
    progress.clear();
    let outcome = outcome.at(head)?;
    if let Some(done) = stopped_at {
        return Err(LabeledError::new("Operation interrupted")
            .with_label(format!("training stopped by Ctrl-C after {done} of {epochs} epochs"), head)
            .with_help("the model's parameters keep the updates made so far"));
    }
    let rows = outcome
        .history
        .into_iter()
        .filter(|r| r.epoch % record_every == 0)
        .map(|r| {
            Value::record(
                record! { "epoch" => Value::int(r.epoch as i64, head), "loss" => Value::float(r.loss, head) },
                head,
            )
        })
        .collect();
    Ok(Value::list(rows, head))
}
