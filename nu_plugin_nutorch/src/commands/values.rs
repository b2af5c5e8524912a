use crate::args;
use crate::errors::At;
use crate::plugin::NutorchPlugin;
use crate::values::{data_from_value, value_from_data};
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};
use nutorch_core::{autograd, tensor_from_data, tensor_to_data};

/// `nutorch tovalue`: tensor → Nushell data (Tensor.tolist).
pub struct ToValue;

impl PluginCommand for ToValue {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch tovalue"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![
                (super::tensor_type(), Type::Any),
                (Type::Nothing, Type::Any),
                (Type::Any, Type::Any),
            ])
            .optional("tensor", SyntaxShape::Any, "the tensor, when none is piped in")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A tensor's values as nested lists, or a number for a 0-d tensor (Tensor.tolist)."
    }

    fn extra_description(&self) -> &str {
        "Integer dtypes give ints, floating dtypes floats, bool gives bools. The tensor stays \
         where it is (a CUDA tensor is read without moving it). Lists and records of tensors \
         (what split or sort return) are converted element by element; other values in them \
         pass through."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["Tensor.tolist", "item", "values", "to list"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch fromvalue [[1 2] [3 4]] | nutorch tovalue",
            description: "A 2x2 int64 tensor back to lists",
            result: Some(Value::test_list(vec![
                Value::test_list(vec![Value::test_int(1), Value::test_int(2)]),
                Value::test_list(vec![Value::test_int(3), Value::test_int(4)]),
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
        let value = args::piped_or_positional(
            input,
            call,
            0,
            "Missing tensor",
            "this command needs a tensor from the pipeline or as its first argument",
        )?;
        match value {
            // A plain string is a tensor id; inside lists and records, only tensors convert.
            Value::String { .. } => tensor_values(plugin, &value, call.head),
            other => nested_values(plugin, other, call.head),
        }
        .map(|v| PipelineData::Value(v, None))
    }
}

fn tensor_values(plugin: &NutorchPlugin, value: &Value, head: nu_protocol::Span) -> Result<Value, LabeledError> {
    let tensor = args::tensor(plugin, value)?;
    let data = tensor_to_data(&tensor.item).at(tensor.span)?;
    Ok(value_from_data(&data, head))
}

/// Tensors anywhere in lists and records become their values.
fn nested_values(plugin: &NutorchPlugin, value: Value, head: nu_protocol::Span) -> Result<Value, LabeledError> {
    Ok(match value {
        Value::Custom { .. } => tensor_values(plugin, &value, head)?,
        Value::List { vals, internal_span, .. } => Value::list(
            vals.into_iter().map(|v| nested_values(plugin, v, head)).collect::<Result<_, _>>()?,
            internal_span,
        ),
        Value::Record { val, internal_span, .. } => {
            let mut record = nu_protocol::Record::new();
            for (k, v) in val.into_owned() {
                record.push(k, nested_values(plugin, v, head)?);
            }
            Value::record(record, internal_span)
        }
        other => other,
    })
}

/// `nutorch fromvalue`: Nushell data → tensor (torch.tensor).
pub struct FromValue;

impl PluginCommand for FromValue {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch fromvalue"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Any, super::tensor_type())])
            // Number first, so that a negative number parses as data rather than as a flag.
            .optional(
                "data",
                SyntaxShape::OneOf(vec![SyntaxShape::Number, SyntaxShape::Any]),
                "a number or nested list, when none is piped in",
            )
            .named("dtype", SyntaxShape::String, "element type (inferred as torch.tensor does when absent)", None)
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .switch("requires-grad", "track gradients for this tensor", None)
            .category(super::category())
    }

    fn description(&self) -> &str {
        "A tensor from a number or nested lists (torch.tensor)."
    }

    fn extra_description(&self) -> &str {
        "Without --dtype the type is inferred as torch.tensor does: all ints give int64, any \
         float gives float32, all bools give bool, an empty list gives float32 of shape [0]. \
         Lists must be rectangular."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.tensor", "from list", "create"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "[1.5 2.5] | nutorch fromvalue --dtype float64 | nutorch tovalue",
                description: "A float64 tensor from a list",
                result: Some(Value::test_list(vec![Value::test_float(1.5), Value::test_float(2.5)])),
            },
            Example {
                example: "nutorch fromvalue [9223372036854775807] | nutorch tovalue",
                description: "Ints are exact through int64",
                result: Some(Value::test_list(vec![Value::test_int(i64::MAX)])),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::piped_or_positional(
            input,
            call,
            0,
            "Missing data",
            "pipe in a number or a list, or pass it as an argument",
        )?;
        let data = data_from_value(&value)?;
        let dtype = args::dtype_flag(call)?;
        let device = args::device_flag(call)?;
        let tensor = tensor_from_data(&data, dtype, device).at(value.span())?;
        let tensor = autograd::set_requires_grad(tensor, call.has_flag("requires-grad")?)
            .at(call.get_flag_span("requires-grad").unwrap_or(call.head))?;
        Ok(PipelineData::Value(plugin.tensor_value(tensor, call.head)?, None))
    }

    #[allow(deprecated)]
    fn get_dynamic_completion(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        _call: nu_plugin::DynamicCompletionCall,
        arg_type: nu_protocol::engine::ArgType,
        _experimental: nu_protocol::engine::ExperimentalMarker,
    ) -> Option<Vec<nu_protocol::DynamicSuggestion>> {
        super::completion::dtype_or_device(&arg_type)
    }
}
