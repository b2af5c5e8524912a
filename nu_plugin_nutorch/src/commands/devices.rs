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

/// `nutorch cuda_synchronize`: waits until a GPU has finished the work queued on it
/// (`torch.cuda.synchronize`), so that a timing around GPU ops measures the ops.
pub struct CudaSynchronize;

impl PluginCommand for CudaSynchronize {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch cuda_synchronize"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Any, Type::Nothing)])
            .named(
                "device",
                nu_protocol::SyntaxShape::String,
                "cuda:N (default cuda:0; cpu: nothing to wait for)",
                None,
            )
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Waits for the GPU to finish its queued work (torch.cuda.synchronize): time GPU ops with it."
    }

    fn extra_description(&self) -> &str {
        "GPU ops return as soon as they are queued; `timeit { $a | nutorch mm $b | ignore; nutorch \
         cuda_synchronize }` measures the multiplication itself. Without a GPU (or with --device cpu) there is \
         nothing to wait for and it returns at once."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.cuda.synchronize", "gpu", "timing", "benchmark"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch cuda_synchronize --device cpu",
            description: "Nothing to wait for on the CPU",
            result: Some(Value::nothing(nu_protocol::Span::test_data())),
        }]
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let device = crate::args::named_flag(call, "device", nutorch_core::device::parse_device)?;
        let device = match device {
            Some(d) => d.item,
            None if nutorch_core::device::cuda_device_count() > 0 => nutorch_core::tch::Device::Cuda(0),
            None => nutorch_core::tch::Device::Cpu,
        };
        if let nutorch_core::tch::Device::Cuda(index) = device {
            nutorch_core::tch::Cuda::synchronize(index as i64);
        }
        Ok(PipelineData::Value(Value::nothing(call.head), None))
    }
}
