use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Type, Value};
use nutorch_core::catalog;

/// Commands written by hand that belong in the op list: (name, category, torch, summary).
const HAND_WRITTEN: &[(&str, &str, &str, &str)] = &[
    ("fromvalue", "creation", "torch.tensor", "A tensor from a number or nested lists."),
    ("tovalue", "conversion", "Tensor.tolist", "A tensor's values as nested lists (records and lists of tensors too)."),
    ("no-grad", "autograd", "torch.no_grad", "Runs a closure with gradient tracking off."),
    ("no_grad", "autograd", "torch.no_grad", "Runs a closure with gradient tracking off (alias of no-grad)."),
    (
        "set_grad_enabled",
        "autograd",
        "torch.set_grad_enabled",
        "Switches gradient tracking on or off for every following op.",
    ),
    ("is_grad_enabled", "autograd", "torch.is_grad_enabled", "Whether ops track gradients now."),
];

/// `nutorch ops`: every op with its PyTorch equivalent.
pub struct Ops;

impl PluginCommand for Ops {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch ops"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::table())])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Every nutorch op: name, category, PyTorch equivalent and summary."
    }

    fn extra_description(&self) -> &str {
        "Run `help nutorch <name>` for an op's arguments and example. Filter with Nushell: \
         `nutorch ops | where category == loss`."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["list", "catalog", "functions"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "'torch.add' in (nutorch ops).torch",
            description: "Whether an op stands for a PyTorch function",
            result: Some(Value::test_bool(true)),
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
        let row = |name: &str, category: &str, torch: &str, summary: &str| {
            Value::record(
                record! {
                    "name" => Value::string(name, span),
                    "category" => Value::string(category, span),
                    "torch" => Value::string(torch, span),
                    "summary" => Value::string(summary, span),
                },
                span,
            )
        };
        let mut rows: Vec<Value> =
            catalog::all().iter().map(|op| row(op.name, op.category.name(), op.torch, op.summary)).collect();
        rows.extend(HAND_WRITTEN.iter().map(|(n, c, t, s)| row(n, c, t, s)));
        Ok(PipelineData::Value(Value::list(rows, span), None))
    }
}
