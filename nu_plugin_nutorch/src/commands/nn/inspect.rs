//! `nutorch nn parameters` (a model's tensors as a table) and `nutorch nn train-mode` /
//! `nutorch nn eval-mode` (`module.train()` / `module.eval()`).

use super::model::ModelRecord;
use crate::args;
use crate::errors::At;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Signature, Type, Value};
use nutorch_core::DType;

fn model_from(plugin: &NutorchPlugin, call: &EvaluatedCall, input: PipelineData) -> Result<ModelRecord, LabeledError> {
    let value = args::piped_or_positional(input, call, 0, "Missing model", "give the model record (or pipe it in)")?;
    ModelRecord::parse(plugin, &value)
}

fn model_signature(name: &str, output: Type) -> Signature {
    Signature::build(name)
        .input_output_types(vec![(Type::Nothing, output.clone()), (Type::record(), output)])
        .optional("model", super::model_shape(), "the model record (or piped in)")
        .category(crate::commands::category())
}

/// `nutorch nn parameters`.
pub struct Parameters;

impl PluginCommand for Parameters {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn parameters"
    }

    fn signature(&self) -> Signature {
        model_signature(self.name(), Type::table())
    }

    fn description(&self) -> &str {
        "A model's parameters and buffers as a table {name, kind, shape, dtype, numel, requires_grad, tensor} (named_parameters() + named_buffers())."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["named_parameters", "state_dict", "weights", "buffers"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "(nutorch nn sequential [(nutorch nn linear 4 3) (nutorch nn relu) (nutorch nn linear 3 2)] | nutorch nn parameters).numel",
            description: "How many numbers each parameter holds",
            result: Some(Value::test_list([12, 3, 6, 2].into_iter().map(Value::test_int).collect())),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let head = call.head;
        let model = model_from(plugin, call, input)?;
        let mut rows = Vec::new();
        for (kind, ids) in [("parameter", &model.param_ids), ("buffer", &model.buffer_ids)] {
            for (name, id) in ids {
                let tensor = plugin.tensor(id).at(head)?;
                let shape = tensor.size();
                rows.push(Value::record(
                    record! {
                        "name" => Value::string(name, head),
                        "kind" => Value::string(kind, head),
                        "shape" => Value::list(shape.iter().map(|&d| Value::int(d, head)).collect(), head),
                        "dtype" => Value::string(DType::of(&tensor).at(head)?.name(), head),
                        "numel" => Value::int(shape.iter().product(), head),
                        "requires_grad" => Value::bool(tensor.requires_grad(), head),
                        "tensor" => plugin.existing_tensor_value(id, head)?,
                    },
                    head,
                ));
            }
        }
        Ok(PipelineData::Value(Value::list(rows, head), None))
    }
}

/// `nutorch nn train-mode` and `nutorch nn eval-mode`.
pub struct Mode {
    pub training: bool,
}

impl PluginCommand for Mode {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        if self.training {
            "nutorch nn train-mode"
        } else {
            "nutorch nn eval-mode"
        }
    }

    fn signature(&self) -> Signature {
        model_signature(self.name(), Type::record())
    }

    fn description(&self) -> &str {
        if self.training {
            "The model in training mode (module.train()): dropout drops, batch norm uses and updates batch statistics."
        } else {
            "The model in eval mode (module.eval()): dropout passes through, batch norm uses its running statistics."
        }
    }

    fn extra_description(&self) -> &str {
        "Nushell values do not change in place: the result is the same model (the same \
         parameter tensors) with its `training` field set; keep it: \
         let model = ($model | nutorch nn eval-mode). nn fit, predict, accuracy and evaluate \
         choose their mode themselves."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["train", "eval", "dropout", "batchnorm", "inference"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: if self.training {
                "(nutorch nn dropout 0.5 | nutorch nn eval-mode | nutorch nn train-mode).training"
            } else {
                "(nutorch nn dropout 0.5 | nutorch nn eval-mode).training"
            },
            description: "The mode is the record's `training` field",
            result: Some(Value::test_bool(self.training)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let model = model_from(plugin, call, input)?;
        Ok(PipelineData::Value(model.to_value(plugin, self.training, call.head)?, None))
    }
}
