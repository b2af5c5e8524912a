//! `nutorch nn forward`, `nutorch nn predict`, `nutorch nn accuracy`.

use super::model::ModelRecord;
use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Spanned, SyntaxShape, Type, Value};
use nutorch_core::tch::Tensor;
use nutorch_nn::Module;

/// The model (first positional) and the input: piped in, else the second positional.
fn model_and_input(
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
    input: PipelineData,
) -> Result<(ModelRecord, Spanned<Tensor>), LabeledError> {
    let model = ModelRecord::parse(plugin, &args::positional(call, 0)?)?;
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

fn model_input_signature(name: &str) -> Signature {
    Signature::build(name)
        .input_output_types(vec![
            (Type::Nothing, crate::commands::tensor_type()),
            (crate::commands::tensor_type(), crate::commands::tensor_type()),
        ])
        .required("model", super::model_shape(), "a model record (nutorch nn sequential, a layer, simple-nn or load)")
        .optional("input", SyntaxShape::Any, "the input tensor, when none is piped in")
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
        "The model's output for an input tensor: model(x) (nn.Module.__call__), e.g. the logits [N, classes]."
    }

    fn extra_description(&self) -> &str {
        "Computed on the model's stored parameters with autograd, as calling a PyTorch module \
         does: a loss built from the output and then backward fills the parameters' .grad \
         (inside nutorch no-grad { } nothing is recorded). The model's mode decides how \
         dropout and batch norm behave (new models are in training mode, as in PyTorch; see \
         nutorch nn eval-mode); in training mode batch norm updates its running statistics. \
         The input must have the parameters' dtype and device. A 1-D input works wherever \
         PyTorch's layer takes one (Linear on [in_features])."
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
        let (model, x) = model_and_input(plugin, call, input)?;
        let out = plugin.grad_mode().run(|| model.model.forward(&x.item)).at(x.span)?;
        Ok(PipelineData::Value(plugin.tensor_value(out, call.head)?, None))
    }
}

/// `nutorch nn predict`: model(x).argmax(1).
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
        "The predicted class of each row: model(x).argmax(1) as an int64 tensor [N], in eval mode and without autograd."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: model.eval(); with torch.no_grad(): model(x).argmax(dim=1). Pipe it to nutorch tovalue for a list."
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
        let (mut model, x) = model_and_input(plugin, call, input)?;
        model.model.set_training(false);
        let classes = nutorch_nn::predict(&model.model, &x.item).at(x.span)?;
        Ok(PipelineData::Value(plugin.tensor_value(classes, call.head)?, None))
    }
}

/// The model, inputs and targets of `accuracy`, `train`, `fit` and `evaluate` (positionals
/// `first`, `first + 1`, `first + 2` after the model), with the rows checked against each other.
pub fn model_inputs_targets(
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
    x_index: usize,
) -> Result<(ModelRecord, Spanned<Tensor>, Spanned<Tensor>), LabeledError> {
    let model = ModelRecord::parse(plugin, &args::positional(call, 0)?)?;
    let x = args::tensor(plugin, &args::positional(call, x_index)?)?;
    let y = args::tensor(plugin, &args::positional(call, x_index + 1)?)?;
    model.model.check_input(&x.item).at(x.span)?;
    let (xs, ys) = (x.item.size(), y.item.size());
    if xs.first() != ys.first() {
        return Err(invalid(
            format!("the targets must have one row per input row: inputs {xs:?}, targets {ys:?}"),
            y.span,
        ));
    }
    if x.item.device() != y.item.device() {
        return Err(invalid(
            format!(
                "the targets are on {} but the inputs on {}",
                nutorch_core::device::device_name(y.item.device()),
                nutorch_core::device::device_name(x.item.device())
            ),
            y.span,
        ));
    }
    Ok((model, x, y))
}

/// nutorch-nn's checks before training (`fit::check_data`), with a mistake labelled at the
/// argument it is about: the targets or the inputs.
pub fn check_training_data(
    model: &mut ModelRecord,
    loss: &nutorch_nn::Loss,
    x: &Spanned<Tensor>,
    y: &Spanned<Tensor>,
) -> Result<(), LabeledError> {
    nutorch_nn::fit::check_data(&mut model.model, loss, &x.item, &y.item).map_err(|e| {
        let span = if e.to_string().contains("target") { y.span } else { x.span };
        crate::errors::labeled(e, span)
    })
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
        "The fraction of rows whose predicted class equals the target: (model(x).argmax(1) == y).float().mean(), in eval mode."
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
        let (mut model, x, y) = model_inputs_targets(plugin, call, 1)?;
        model.model.set_training(false);
        let accuracy = nutorch_nn::accuracy(&model.model, &x.item, &y.item).at(y.span)?;
        Ok(PipelineData::Value(Value::float(accuracy, call.head), None))
    }
}
