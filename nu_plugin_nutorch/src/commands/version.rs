use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Type, Value};

/// The libtorch the plugin is built against (build.rs reads it from libtorch's headers).
const LIBTORCH: &str = env!("NUTORCH_LIBTORCH_VERSION");
/// The nu-plugin crate the plugin is built with (build.rs reads it from Cargo.lock): the
/// protocol, and the nu release, it speaks.
const NUSHELL: &str = env!("NUTORCH_NUSHELL_VERSION");

/// `nutorch version`: what this plugin is built on. Also the cheapest command there is,
/// which makes it the floor that benchmarks compare plugin calls with.
pub struct Version;

impl PluginCommand for Version {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch version"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "The versions of nutorch, the libtorch it runs on, and the Nushell plugin protocol it speaks."
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "(nutorch version).libtorch",
            description: "The libtorch version",
            result: Some(Value::test_string(LIBTORCH)),
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
        Ok(PipelineData::Value(
            Value::record(
                record! {
                    "nutorch" => Value::string(env!("CARGO_PKG_VERSION"), span),
                    "libtorch" => Value::string(LIBTORCH, span),
                    "nushell" => Value::string(NUSHELL, span),
                },
                span,
            ),
            None,
        ))
    }
}
