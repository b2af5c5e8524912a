use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Type, Value};
use nutorch_core::available_devices;

/// `nutorch devices`: what this machine can run tensors on.
pub struct Devices;

impl PluginCommand for Devices {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch devices"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::table())])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "The devices of this machine (cpu, each cuda:N, mps), with each GPU's name and memory."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["gpu", "cuda", "torch.cuda.device_count"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "(nutorch devices).0.name",
            description: "The first device is always cpu",
            result: Some(Value::test_string("cpu")),
        }]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let span = call.head;
        let rows = available_devices()
            .into_iter()
            .map(|d| {
                Value::record(
                    record! {
                        "name" => Value::string(d.name, span),
                        "type" => Value::string(d.kind, span),
                        "description" => d.description.map(|s| Value::string(s, span)).unwrap_or(Value::nothing(span)),
                        "memory" => d.total_memory.map(|b| Value::filesize(b as i64, span)).unwrap_or(Value::nothing(span)),
                    },
                    span,
                )
            })
            .collect();
        Ok(PipelineData::Value(Value::list(rows, span), None))
    }
}
