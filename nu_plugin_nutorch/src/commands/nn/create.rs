//! `nutorch nn simple-nn` and `nutorch nn linear`: new models with PyTorch's initialisation.

use super::model::{model_value, trainable, Arch};
use crate::args;
use crate::errors::{invalid, At};
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Span, SyntaxShape, Type, Value};
use nutorch_core::tch::Device;
use nutorch_nn::{Linear, Module, SimpleNN};

/// A size argument: an int of at least 1.
fn size(call: &EvaluatedCall, index: usize, what: &str) -> Result<i64, LabeledError> {
    let value = args::positional(call, index)?;
    let n = args::int(&value)?;
    if n < 1 {
        return Err(invalid(format!("{what} must be at least 1, got {n}"), value.span()));
    }
    Ok(n)
}

/// `--seed N`: seeds torch's generator (torch.manual_seed) before drawing.
pub fn seed_flag(call: &EvaluatedCall) -> Result<(), LabeledError> {
    if let Some(value) = call.get_flag_value("seed") {
        let seed = args::int(&value)?;
        nutorch_core::tch::manual_seed(seed);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Init {
    Default,
    Randn,
}

fn init_flag(call: &EvaluatedCall) -> Result<Init, LabeledError> {
    let Some(value) = call.get_flag_value("init") else { return Ok(Init::Default) };
    match value.coerce_str().as_deref() {
        Ok("default") | Ok("torch") => Ok(Init::Default),
        Ok("randn") => Ok(Init::Randn),
        _ => Err(invalid("--init takes default (nn.Linear's initialisation) or randn (torch.randn)", value.span())),
    }
}

fn finish(
    plugin: &NutorchPlugin,
    arch: Arch,
    params: Vec<(String, nutorch_core::tch::Tensor)>,
    device: Device,
    span: Span,
    device_span: Span,
) -> Result<Value, LabeledError> {
    let params = params
        .into_iter()
        .map(|(name, t)| Ok((name, t.f_detach()?.f_to(device)?)))
        .collect::<nutorch_core::Result<Vec<_>>>()
        .at(device_span)?;
    let params = trainable(params).at(span)?;
    model_value(plugin, arch, params, span)
}

fn common_flags(signature: Signature) -> Signature {
    signature
        .named("seed", SyntaxShape::Int, "seed torch's random generator first (torch.manual_seed)", None)
        .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
        .named(
            "init",
            SyntaxShape::String,
            "default: nn.Linear's initialisation (uniform ±1/sqrt(fan_in)); randn: torch.randn for weight then bias of each layer",
            None,
        )
}

/// `nutorch nn simple-nn`: a new SimpleNN.
pub struct SimpleNn;

impl PluginCommand for SimpleNn {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn simple-nn"
    }

    fn signature(&self) -> Signature {
        common_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::record())])
                .required("input", SyntaxShape::Int, "number of input features")
                .required("hidden", SyntaxShape::Int, "width of the hidden layer")
                .required("output", SyntaxShape::Int, "number of outputs (classes)"),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "A two-layer network fc2(relu(fc1(x))) with nn.Linear layers fc1: input→hidden, fc2: hidden→output, as a model record."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: class SimpleNN(nn.Module) with self.fc1 = nn.Linear(input, hidden), \
         self.relu = nn.ReLU(), self.fc2 = nn.Linear(hidden, output). The parameters are drawn \
         as PyTorch draws them (fc1.weight, fc1.bias, fc2.weight, fc2.bias): after the same \
         --seed, the same values as torch.manual_seed(seed); SimpleNN(input, hidden, output). \
         They are float32 tensors that require grad, stored like any tensor. The result is \
         {kind: SimpleNN, input, hidden, output, parameters: {fc1.weight, fc1.bias, fc2.weight, fc2.bias}}; \
         give it to nutorch nn forward / predict / accuracy / train / save."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.nn", "model", "mlp", "network", "nn.Module"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "(nutorch nn simple-nn 2 20 3 --seed 42).hidden",
                description: "The seed's network: 2 inputs, 20 hidden units, 3 classes",
                result: Some(Value::test_int(20)),
            },
            Example {
                example: "(nutorch nn simple-nn 2 20 3 --seed 42).parameters.\"fc1.weight\".shape",
                description: "Its parameters are named as in PyTorch's state_dict(): fc1.weight is [hidden, input]",
                result: Some(Value::test_list(vec![Value::test_int(20), Value::test_int(2)])),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let (input, hidden, output) = (size(call, 0, "input")?, size(call, 1, "hidden")?, size(call, 2, "output")?);
            let device = args::device_flag(call)?;
            let init = init_flag(call)?;
            seed_flag(call)?;
            let net = match init {
                Init::Default => SimpleNN::new(input, hidden, output),
                Init::Randn => SimpleNN::randn(input, hidden, output),
            }
            .at(call.head)?;
            let arch = Arch::SimpleNN { input, hidden, output };
            let device_span = call.get_flag_span("device").unwrap_or(call.head);
            Ok(PipelineData::Value(finish(plugin, arch, net.named_parameters(), device, call.head, device_span)?, None))
        })
    }
}

/// `nutorch nn linear`: a new Linear layer.
pub struct LinearCmd;

impl PluginCommand for LinearCmd {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn linear"
    }

    fn signature(&self) -> Signature {
        common_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::record())])
                .required("input", SyntaxShape::Int, "in_features")
                .required("output", SyntaxShape::Int, "out_features"),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "A fully connected layer y = x Wᵀ + b (nn.Linear(input, output)), as a model record."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: nn.Linear(in_features, out_features), same initialisation. The result is \
         {kind: Linear, input, output, parameters: {weight: [output, input], bias: [output]}}; \
         it trains, predicts and saves like a SimpleNN (a linear classifier with cross-entropy \
         is logistic regression)."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.nn.Linear", "dense", "fully connected", "logistic regression"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "(nutorch nn linear 4 2 --seed 0).parameters.weight.shape",
            description: "A layer from 4 features to 2 outputs: weight [2, 4]",
            result: Some(Value::test_list(vec![Value::test_int(2), Value::test_int(4)])),
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
            let (input, output) = (size(call, 0, "input")?, size(call, 1, "output")?);
            let device = args::device_flag(call)?;
            let init = init_flag(call)?;
            seed_flag(call)?;
            let layer = match init {
                Init::Default => Linear::new(input, output),
                Init::Randn => Linear::randn(input, output),
            }
            .at(call.head)?;
            let arch = Arch::Linear { input, output };
            let device_span = call.get_flag_span("device").unwrap_or(call.head);
            Ok(PipelineData::Value(
                finish(plugin, arch, layer.named_parameters(), device, call.head, device_span)?,
                None,
            ))
        })
    }
}
