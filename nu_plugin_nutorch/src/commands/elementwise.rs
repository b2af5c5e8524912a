use crate::args;
use crate::errors::At;
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Value};

/// `nutorch sin`: torch.sin.
pub struct Sin;

impl PluginCommand for Sin {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch sin"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(super::tensor_type(), super::tensor_type()), (nu_protocol::Type::Nothing, super::tensor_type())])
            .optional("tensor", SyntaxShape::Any, "the tensor, when none is piped in")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Sine of each element (torch.sin)."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.sin", "trigonometry"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch fromvalue [0.0 1.5707963267948966] --dtype float64 | nutorch sin | nutorch tovalue",
            description: "Sine of 0 and pi/2",
            result: Some(Value::test_list(vec![Value::test_float(0.0), Value::test_float(1.0)])),
        }]
    }

    fn run(&self, plugin: &NutorchPlugin, _engine: &EngineInterface, call: &EvaluatedCall, input: PipelineData) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let (tensor, _) = args::input_tensor(plugin, call, &input)?;
            let result = tensor.item.f_sin().at(tensor.span)?;
            Ok(PipelineData::Value(plugin.tensor_value(result, call.head)?, None))
        })
    }
}
