use crate::args;
use crate::errors::At;
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};
use nutorch_core::{autograd, creation, DType};

/// `nutorch linspace`: torch.linspace.
pub struct Linspace;

impl PluginCommand for Linspace {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch linspace"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, super::tensor_type())])
            .required("start", SyntaxShape::Number, "first value")
            .required("end", SyntaxShape::Number, "last value (included)")
            .required("steps", SyntaxShape::Int, "number of values (>= 0)")
            .named("dtype", SyntaxShape::String, "element type (default float32)", None)
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .switch("requires-grad", "track gradients for this tensor", None)
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Evenly spaced values from start to end, inclusive (torch.linspace)."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.linspace", "range", "create"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "nutorch linspace 0 1 5 | nutorch tovalue",
                description: "Five values from 0 to 1",
                result: Some(Value::test_list(vec![0.0, 0.25, 0.5, 0.75, 1.0].into_iter().map(Value::test_float).collect())),
            },
            Example {
                example: "nutorch linspace 0 10 5 --dtype int32 | nutorch tovalue",
                description: "Integer dtypes truncate as torch does",
                result: Some(Value::test_list(vec![0, 2, 5, 7, 10].into_iter().map(Value::test_int).collect())),
            },
        ]
    }

    fn run(&self, plugin: &NutorchPlugin, _engine: &EngineInterface, call: &EvaluatedCall, _input: PipelineData) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let start = args::number(&args::positional(call, 0)?)?;
            let end = args::number(&args::positional(call, 1)?)?;
            let steps_value = args::positional(call, 2)?;
            let steps = args::int(&steps_value)?;
            let dtype = args::dtype_flag(call)?.unwrap_or(DType::Float32);
            let device = args::device_flag(call)?;
            if dtype.is_bool() {
                let span = call.get_flag_span("dtype").unwrap_or(call.head);
                return Err(crate::errors::invalid("linspace does not support dtype bool (torch refuses it too)", span));
            }
            let tensor = creation::linspace(start, end, steps, dtype, device).at(steps_value.span())?;
            let tensor = autograd::set_requires_grad(tensor, call.has_flag("requires-grad")?)
                .at(call.get_flag_span("requires-grad").unwrap_or(call.head))?;
            Ok(PipelineData::Value(plugin.tensor_value(tensor, call.head)?, None))
        })
    }
}
