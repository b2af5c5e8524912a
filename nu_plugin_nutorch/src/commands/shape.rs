use crate::args;
use crate::errors::{invalid, At};
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Value};

/// `nutorch repeat`: Tensor.repeat.
pub struct Repeat;

impl PluginCommand for Repeat {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch repeat"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(super::tensor_type(), super::tensor_type()), (nu_protocol::Type::Any, super::tensor_type())])
            .rest("sizes", crate::args::or_tensor(SyntaxShape::Int), "times to repeat along each dimension (a tensor first when none is piped in)")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Repeat a tensor along each dimension (Tensor.repeat)."
    }

    fn extra_description(&self) -> &str {
        "More sizes than the tensor has dimensions adds leading dimensions, as in PyTorch: a \
         tensor of shape [4] repeated 2 2 has shape [2 8]. Fewer sizes than dimensions is an error."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["Tensor.repeat", "tile"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch fromvalue [1 2] | nutorch repeat 2 2 | nutorch tovalue",
            description: "Shape [2] repeated 2 2 gives shape [2 4]",
            result: Some(Value::test_list(vec![
                Value::test_list(vec![1, 2, 1, 2].into_iter().map(Value::test_int).collect()),
                Value::test_list(vec![1, 2, 1, 2].into_iter().map(Value::test_int).collect()),
            ])),
        }]
    }

    fn run(&self, plugin: &NutorchPlugin, _engine: &EngineInterface, call: &EvaluatedCall, input: PipelineData) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let (tensor, used) = args::input_tensor(plugin, call, &input)?;
            let size_values: Vec<Value> = call.positional.iter().skip(used).cloned().collect();
            let mut sizes = Vec::with_capacity(size_values.len());
            for value in &size_values {
                let size = args::int(value)?;
                if size < 0 {
                    return Err(invalid(format!("repeat sizes must be non-negative, got {size}"), value.span()));
                }
                sizes.push(size);
            }
            let dims = tensor.item.dim();
            if sizes.len() < dims {
                let span = size_values.first().map(|v| v.span()).unwrap_or(call.head);
                return Err(invalid(
                    format!("{} repeat sizes for a tensor of {dims} dimensions; give at least one size per dimension", sizes.len()),
                    span,
                ));
            }
            let result = tensor.item.f_repeat(sizes.as_slice()).at(call.head)?;
            Ok(PipelineData::Value(plugin.tensor_value(result, call.head)?, None))
        })
    }
}
