//! `nutorch nn forward`, `nutorch nn predict`, `nutorch nn accuracy`.

use super::model::Model;
use crate::args;
use crate::errors::{invalid, At};
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Spanned, SyntaxShape, Type, Value};
use nutorch_core::tch::{Kind, Tensor};
use nutorch_core::DType;

/// The model (first positional) and the input: piped in, else the second positional.
fn model_and_input(
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
    input: PipelineData,
) -> Result<(Model, Spanned<Tensor>), LabeledError> {
    let model = Model::parse(plugin, &args::positional(call, 0)?)?;
    let x = args::piped_or_positional(
        input,
        call,
        1,
        "Missing input",
        "give the input tensor as the second argument or through the pipeline",
    )?;
    let x = args::tensor(plugin, &x)?;
    Ok((model, x))
}

/// The predicted classes (int64), with the input's mistakes labelled at the input.
fn predict(model: &Model, x: &Spanned<Tensor>) -> Result<Tensor, LabeledError> {
    model.check_input(&x.item, false).at(x.span)?;
    nutorch_core::tch::no_grad(|| -> nutorch_core::Result<Tensor> {
        let logits = model.forward(&x.item)?;
        Ok(logits.f_argmax(-1, false)?)
    })
    .at(x.span)
}

fn model_input_signature(name: &str) -> Signature {
    Signature::build(name)
        .input_output_types(vec![
            (Type::Nothing, crate::commands::tensor_type()),
            (Type::Any, crate::commands::tensor_type()),
        ])
        .required("model", super::model_shape(), "a model record (nutorch nn simple-nn, linear or load)")
        .optional("input", SyntaxShape::Any, "the input tensor [N, features], when none is piped in")
        .category(crate::commands::category())
}

/// `nutorch nn forward`: model(x).
pub struct Forward;

impl PluginCommand for Forward {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn forward"
    }

    fn signature(&self) -> Signature {
        model_input_signature(self.name())
    }

    fn description(&self) -> &str {
        "The model's output for an input tensor: model(x) (nn.Module.forward), e.g. the logits [N, classes]."
    }

    fn extra_description(&self) -> &str {
        "Computed on the model's stored parameters with autograd, as calling a PyTorch module \
         does: a loss built from the output and then backward fills the parameters' .grad \
         (inside nutorch no-grad { } nothing is recorded). The input must have the parameters' \
         dtype and device, and `input` features in its last dimension."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["nn.Module.forward", "logits", "inference", "call"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch nn forward {kind: Linear, parameters: {weight: (nutorch fromvalue [[1.0 2.0]]), bias: (nutorch fromvalue [0.5])}} (nutorch fromvalue [[1.0 1.0] [2.0 0.0]]) | nutorch tovalue",
            description: "A Linear layer with weight [[1, 2]] and bias [0.5] on two rows",
            result: Some(Value::test_list(vec![
                Value::test_list(vec![Value::test_float(3.5)]),
                Value::test_list(vec![Value::test_float(2.5)]),
            ])),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let (model, x) = model_and_input(plugin, call, input)?;
            model.check_input(&x.item, false).at(x.span)?;
            let out = plugin.grad_mode().run(|| model.forward(&x.item)).at(x.span)?;
            Ok(PipelineData::Value(plugin.tensor_value(out, call.head)?, None))
        })
    }
}

/// `nutorch nn predict`: model(x).argmax(-1).
pub struct Predict;

impl PluginCommand for Predict {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn predict"
    }

    fn signature(&self) -> Signature {
        model_input_signature(self.name())
    }

    fn description(&self) -> &str {
        "The predicted class of each row: model(x).argmax(1) as an int64 tensor [N], without autograd."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: with torch.no_grad(): model(x).argmax(dim=-1). Pipe it to nutorch tovalue for a list."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["argmax", "classify", "inference"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = {kind: Linear, parameters: {weight: (nutorch fromvalue [[1.0 0.0] [0.0 1.0]]), bias: (nutorch fromvalue [0.5 0.0])}}; nutorch fromvalue [[1.0 2.0] [3.0 0.0]] | nutorch nn predict $model | nutorch tovalue",
            description: "Classes of two rows (logits [x0 + 0.5, x1])",
            result: Some(Value::test_list(vec![Value::test_int(1), Value::test_int(0)])),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let (model, x) = model_and_input(plugin, call, input)?;
            let classes = predict(&model, &x)?;
            Ok(PipelineData::Value(plugin.tensor_value(classes, call.head)?, None))
        })
    }
}

/// Checks class targets against predictions: int64, one per row, on the same device.
/// The model, inputs and class targets of `accuracy` and `train` (positionals 0, 1, 2),
/// checked against each other: input width, one target per row, same device.
pub fn model_inputs_targets(
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
) -> Result<(Model, Spanned<Tensor>, Spanned<Tensor>), LabeledError> {
    let model = Model::parse(plugin, &args::positional(call, 0)?)?;
    let x = args::tensor(plugin, &args::positional(call, 1)?)?;
    let y = args::tensor(plugin, &args::positional(call, 2)?)?;
    model.check_input(&x.item, true).at(x.span)?;
    check_targets(&y, x.item.size()[0], model.device())?;
    Ok((model, x, y))
}

pub fn check_targets(y: &Spanned<Tensor>, rows: i64, device: nutorch_core::tch::Device) -> Result<(), LabeledError> {
    let dtype = DType::of(&y.item).at(y.span)?;
    let shape = y.item.size();
    if dtype != DType::Int64 {
        return Err(invalid(
            format!("targets must be int64 class indices, got {dtype} (convert with --dtype int64)"),
            y.span,
        ));
    }
    if shape != [rows] {
        return Err(invalid(
            format!("targets must have shape [{rows}] (one class per input row), got {shape:?}"),
            y.span,
        ));
    }
    if y.item.device() != device {
        return Err(invalid(
            format!(
                "targets are on {} but the model is on {}",
                nutorch_core::device::device_name(y.item.device()),
                nutorch_core::device::device_name(device)
            ),
            y.span,
        ));
    }
    Ok(())
}

/// `nutorch nn accuracy`: the fraction of rows classified correctly.
pub struct Accuracy;

impl PluginCommand for Accuracy {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn accuracy"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::Float)])
            .required("model", super::model_shape(), "a model record")
            .required("x", SyntaxShape::Any, "inputs [N, features]")
            .required("y", SyntaxShape::Any, "int64 class indices [N]")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "The fraction of rows whose predicted class equals the target: (model(x).argmax(1) == y).float().mean()."
    }

    fn extra_description(&self) -> &str {
        "Counted exactly (correct / N as a float64); NaN for no rows, as PyTorch gives."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["score", "evaluate", "metric"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = {kind: Linear, parameters: {weight: (nutorch fromvalue [[1.0 0.0] [0.0 1.0]]), bias: (nutorch fromvalue [0.5 0.0])}}; nutorch nn accuracy $model (nutorch fromvalue [[1.0 2.0] [3.0 0.0]]) (nutorch fromvalue [1 1])",
            description: "One of two rows right",
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
        guard(call.head, || {
            let (model, x, y) = model_inputs_targets(plugin, call)?;
            let rows = x.item.size()[0];
            let predicted = predict(&model, &x)?;
            let correct = predicted
                .f_eq_tensor(&y.item)
                .and_then(|eq| eq.f_sum(Kind::Int64))
                .and_then(|s| s.f_int64_value(&[]))
                .at(y.span)?;
            let accuracy = if rows == 0 { f64::NAN } else { correct as f64 / rows as f64 };
            Ok(PipelineData::Value(Value::float(accuracy, call.head), None))
        })
    }
}
