//! `nutorch protocol-floor`: what moving values between nu and the plugin costs with no tensor work,
//! the floor that benchmarks measure `tovalue` and `fromvalue` against.

use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};

pub struct ProtocolFloor;

impl PluginCommand for ProtocolFloor {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch protocol-floor"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![
                (Type::Nothing, Type::List(Box::new(Type::Float))),
                (Type::List(Box::new(Type::Any)), Type::Nothing),
            ])
            .optional("n", SyntaxShape::Int, "how many floats to return (when no list is piped in)")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Benchmark aid: n floats made without libtorch, or a piped list read and dropped."
    }

    fn extra_description(&self) -> &str {
        "The cost of the plugin protocol alone for a list of that size: what `tovalue` (a list \
         out) and `fromvalue` (a list in) are measured against in BENCHMARKS.md."
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "nutorch protocol-floor 3",
                description: "Three floats, as tovalue of a 3-element tensor returns them",
                result: Some(Value::test_list(vec![
                    Value::test_float(0.0),
                    Value::test_float(1.0),
                    Value::test_float(2.0),
                ])),
            },
            Example {
                example: "[1.0 2.0] | nutorch protocol-floor",
                description: "A list sent to the plugin",
                result: None,
            },
        ]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let span = call.head;
        if !matches!(input, PipelineData::Empty | PipelineData::Value(Value::Nothing { .. }, _)) {
            // Read all of it, as fromvalue does.
            let value = input.into_value(span)?;
            std::hint::black_box(value);
            return Ok(PipelineData::Empty);
        }
        let n: i64 = call
            .opt(0)?
            .ok_or_else(|| LabeledError::new("Missing argument").with_label("give n, or pipe a list in", span))?;
        if n < 0 {
            return Err(LabeledError::new("Invalid argument").with_label(format!("n must be >= 0, got {n}"), span));
        }
        let list = (0..n).map(|i| Value::float(i as f64, span)).collect();
        Ok(PipelineData::Value(Value::list(list, span), None))
    }
}
