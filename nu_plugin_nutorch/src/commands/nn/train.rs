//! `nutorch nn train`: full-batch training in one call, the loop in Rust (nutorch-nn).

use super::forward::model_inputs_targets;
use crate::args;
use crate::errors::{invalid, At};
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Span, SyntaxShape, Type, Value};
use nutorch_core::tch::{self, Tensor};
use nutorch_nn::{Adam, Optimizer, Sgd};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Epochs per call into the training loop, at least: between calls the command checks for
/// Ctrl-C. A multiple of --record-every, so that recorded epochs fall where the user asked.
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
        guard(call.head, || train(plugin, engine, call).map(|v| PipelineData::Value(v, None)))
    }
}

fn int_flag(call: &EvaluatedCall, name: &str, default: i64, min: i64) -> Result<(i64, Span), LabeledError> {
    match call.get_flag_value(name) {
        None => Ok((default, call.head)),
        Some(value) => {
            let n = args::int(&value)?;
            if n < min {
                return Err(invalid(format!("--{name} must be at least {min}, got {n}"), value.span()));
            }
            Ok((n, value.span()))
        }
    }
}

fn float_flag(call: &EvaluatedCall, name: &str) -> Result<Option<(f64, Span)>, LabeledError> {
    match call.get_flag_value(name) {
        None => Ok(None),
        Some(value) => {
            let x = args::number(&value)?.as_f64();
            if !x.is_finite() || x < 0.0 {
                return Err(invalid(format!("--{name} must be a finite number >= 0, got {x}"), value.span()));
            }
            Ok(Some((x, value.span())))
        }
    }
}

fn train(plugin: &NutorchPlugin, engine: &EngineInterface, call: &EvaluatedCall) -> Result<Value, LabeledError> {
    let head = call.head;
    let (model, x, y) = model_inputs_targets(plugin, call)?;
    check_class_range(&y.item, model.arch.output()).at(y.span)?;

    let (epochs, _) = int_flag(call, "epochs", 100, 0)?;
    let (record_every, _) = int_flag(call, "record-every", (epochs / 10).max(1), 1)?;
    let adam = match call.get_flag_value("optimizer") {
        None => false,
        Some(v) => match v.coerce_str().as_deref() {
            Ok("sgd") | Ok("SGD") => false,
            Ok("adam") | Ok("Adam") => true,
            _ => return Err(invalid("--optimizer takes sgd or adam", v.span())),
        },
    };
    let lr = float_flag(call, "lr")?;
    let momentum = float_flag(call, "momentum")?;
    let weight_decay = float_flag(call, "weight-decay")?.map(|(w, _)| w).unwrap_or(0.0);
    if let (true, Some((_, span))) = (adam, momentum) {
        return Err(invalid("--momentum is for sgd; Adam has its own moment estimates", span));
    }
    let threads = match call.get_flag_value("threads") {
        None => None,
        Some(v) => {
            let n = args::int(&v)?;
            if !(1..=1024).contains(&n) {
                return Err(invalid(format!("--threads must be between 1 and 1024, got {n}"), v.span()));
            }
            Some(n as i32)
        }
    };
    let quiet = call.has_flag("quiet")?;

    let net = model.to_network().at(head)?;
    let lr_span = lr.map(|(_, s)| s).unwrap_or(head);
    let mut optimizer: Box<dyn Optimizer> = if adam {
        let lr = lr.map(|(l, _)| l).unwrap_or(0.001);
        Box::new(Adam::with_options(net.parameters(), lr, (0.9, 0.999), 1e-8, weight_decay).at(lr_span)?)
    } else {
        let lr = lr.map(|(l, _)| l).unwrap_or(0.1);
        let momentum = momentum.map(|(m, _)| m).unwrap_or(0.0);
        Box::new(Sgd::with_options(net.parameters(), lr, momentum, weight_decay).at(lr_span)?)
    };

    let _threads = threads.map(ThreadCount::set);
    let epochs = epochs as usize;
    let record_every = record_every as usize;
    let chunk = record_every * MIN_CHUNK.div_ceil(record_every);
    let mut progress = Progress::new(!quiet && std::io::stderr().is_terminal(), epochs);
    let mut history: Vec<(usize, f64)> = Vec::with_capacity(epochs / record_every + 1);
    let mut done = 0;
    let outcome = loop {
        if done >= epochs {
            break Ok(());
        }
        let n = chunk.min(epochs - done);
        let start = done;
        let result = nutorch_nn::train(&*net, &x.item, &y.item, &mut *optimizer, n, record_every, &mut |e, loss| {
            progress.report(start + e, loss)
        });
        match result {
            Ok(recorded) => history.extend(recorded.into_iter().map(|(e, l)| (start + e, l))),
            Err(e) => break Err(crate::errors::labeled(e, head)),
        }
        done += n;
        if done < epochs && engine.signals().interrupted() {
            break Err(LabeledError::new("Operation interrupted")
                .with_label(format!("training stopped by Ctrl-C after {done} of {epochs} epochs"), head)
                .with_help("the model's parameters keep the updates made so far"));
        }
    };
    progress.clear();
    // Whatever happened, the parameters get the updates made (a failed epoch changes nothing).
    model.assign(&net.parameters()).at(head)?;
    outcome?;
    let rows = history
        .into_iter()
        .map(|(epoch, loss)| {
            Value::record(
                record! { "epoch" => Value::int(epoch as i64, head), "loss" => Value::float(loss, head) },
                head,
            )
        })
        .collect();
    Ok(Value::list(rows, head))
}

/// Targets must be classes the model has: 0 <= y < output.
fn check_class_range(y: &Tensor, classes: i64) -> nutorch_core::Result<()> {
    if y.numel() == 0 {
        return Ok(());
    }
    let (min, max) = (y.f_min()?.f_int64_value(&[])?, y.f_max()?.f_int64_value(&[])?);
    if min < 0 || max >= classes {
        let bad = if min < 0 { min } else { max };
        return Err(nutorch_core::Error::Value(format!(
            "target class {bad} is out of range: the model has {classes} outputs (classes 0 to {})",
            classes - 1
        )));
    }
    Ok(())
}

/// torch.set_num_threads for the length of a call.
struct ThreadCount(i32);

impl ThreadCount {
    fn set(n: i32) -> ThreadCount {
        let previous = tch::get_num_threads();
        tch::set_num_threads(n);
        ThreadCount(previous)
    }
}

impl Drop for ThreadCount {
    fn drop(&mut self) {
        if self.0 > 0 {
            tch::set_num_threads(self.0);
        }
    }
}

/// One line on stderr, rewritten as losses are recorded (at most ten times a second).
struct Progress {
    enabled: bool,
    epochs: usize,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool, epochs: usize) -> Progress {
        Progress { enabled, epochs, last: None, shown: false }
    }

    fn report(&mut self, epoch: usize, loss: f64) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(Instant::now());
        let percent = (epoch * 100).checked_div(self.epochs).unwrap_or(100);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2Knutorch nn train: epoch {epoch}/{} ({percent}%)  loss {loss:.6}", self.epochs);
        let _ = err.flush();
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}
