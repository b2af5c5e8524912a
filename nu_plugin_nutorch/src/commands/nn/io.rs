//! safetensors files: models (`nutorch nn save`, `nutorch nn load`) and named tensors
//! (`nutorch save`, `nutorch load`). Files are what Python's `safetensors.torch.load_file`
//! reads and `save_file` writes.

use super::file_path;
use super::model::{model_value, trainable, Arch, Model, LINEAR, SIMPLE_NN};
use crate::args;
use crate::errors::{invalid, At};
use crate::guard::guard;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Record, Signature, SyntaxShape, Type, Value};
use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_core::{DType, Error};
use nutorch_nn::io::{load_tensors, save_tensors};
use nutorch_nn::{Module, SimpleNN};
use std::collections::HashMap;
use std::path::Path;

/// `nutorch nn save`: a model to a safetensors file.
pub struct NnSave;

impl PluginCommand for NnSave {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn save"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::Nothing)])
            .required("model", super::model_shape(), "a model record")
            .required("file", SyntaxShape::Filepath, "the .safetensors file to write (overwritten if it exists)")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Save a model's parameters and architecture to a safetensors file (safetensors.torch.save_file(model.state_dict(), file))."
    }

    fn extra_description(&self) -> &str {
        "The file holds the parameters under their state_dict names (fc1.weight, ...; weight and \
         bias for a Linear), in their dtype, and the architecture in the header's metadata \
         ({kind: SimpleNN, input, hidden, output}). Python: safetensors.torch.load_file(file) \
         gives the state dict for a module with the same layers; safe_open(file, 'pt').metadata() \
         the architecture. Read it back with nutorch nn load."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.save", "state_dict", "checkpoint", "safetensors", "export"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn save $model model.safetensors",
            description: "Save a model",
            result: None,
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let model = Model::parse(plugin, &args::positional(call, 0)?)?;
            let path = file_path(engine, &args::positional(call, 1)?)?;
            save_tensors(&path.item, &model.named(), &model.arch.metadata()).at(path.span)?;
            Ok(PipelineData::Empty)
        })
    }
}

/// `nutorch nn load`: a model from a safetensors file.
pub struct NnLoad;

impl PluginCommand for NnLoad {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn load"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .required("file", SyntaxShape::Filepath, "a .safetensors file written by nutorch nn save or by PyTorch")
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Load a model saved by nutorch nn save, or a PyTorch state dict saved with safetensors (model.load_state_dict(load_file(file)))."
    }

    fn extra_description(&self) -> &str {
        "The kind comes from the file's metadata (kind: SimpleNN or Linear); without metadata, \
         files holding exactly weight and bias are a Linear, files holding fc1.weight, fc1.bias, \
         fc2.weight, fc2.bias a SimpleNN (sizes from the shapes). As load_state_dict(strict=True), \
         the file must hold exactly the model's parameters. Parameters become float32 tensors \
         that require grad."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.load", "load_state_dict", "checkpoint", "safetensors", "import"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = (nutorch nn load model.safetensors); nutorch nn predict $model (nutorch fromvalue [[0.0 0.0]])",
            description: "Load a model and classify a point",
            result: None,
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let path = file_path(engine, &args::positional(call, 0)?)?;
            let device = args::device_flag(call)?;
            let device_span = call.get_flag_span("device").unwrap_or(call.head);
            let (arch, params) = load_model(&path.item).at(path.span)?;
            let params = params
                .into_iter()
                .map(|(name, t)| Ok((name, t.f_to(device)?)))
                .collect::<nutorch_core::Result<Vec<_>>>()
                .at(device_span)?;
            let params = trainable(params).at(path.span)?;
            Ok(PipelineData::Value(model_value(plugin, arch, params, call.head)?, None))
        })
    }
}

/// Reads a model file: its architecture and its parameters (CPU, float32), in order.
fn load_model(path: &Path) -> nutorch_core::Result<(Arch, Vec<(String, Tensor)>)> {
    let file = load_tensors(path)?;
    let shown = path.display();
    let names: Vec<&str> = file.tensors.keys().map(String::as_str).collect();
    let kind = match file.metadata.get("kind").map(String::as_str) {
        Some(kind) => kind.to_string(),
        None if names == ["bias", "weight"] => LINEAR.to_string(),
        None => SIMPLE_NN.to_string(),
    };
    match kind.as_str() {
        SIMPLE_NN => {
            let net = SimpleNN::load(path)?;
            let arch = Arch::SimpleNN { input: net.input_size(), hidden: net.hidden_size(), output: net.output_size() };
            Ok((arch, net.named_parameters()))
        }
        LINEAR => {
            if names != ["bias", "weight"] {
                return Err(Error::Value(format!(
                    "'{shown}' is a Linear file but holds {}; a Linear has exactly weight and bias",
                    names.join(", ")
                )));
            }
            let (weight, bias) = (&file.tensors["weight"], &file.tensors["bias"]);
            for (name, t) in [("weight", weight), ("bias", bias)] {
                let dtype = DType::of(t)?;
                if !dtype.is_floating_point() {
                    return Err(Error::Value(format!("tensor '{name}' in '{shown}' is {dtype}; parameters must be floating point")));
                }
            }
            let layer = nutorch_nn::Linear::from_weights(&weight.f_to_kind(Kind::Float)?, &bias.f_to_kind(Kind::Float)?)?;
            let arch = Arch::Linear { input: layer.in_features(), output: layer.out_features() };
            for (key, size) in [("input", arch.input()), ("output", arch.output())] {
                if let Some(text) = file.metadata.get(key) {
                    if text.trim().parse::<i64>().ok() != Some(size) {
                        return Err(Error::Value(format!("'{shown}': metadata says {key} = {text} but the tensors have {key} size {size}")));
                    }
                }
            }
            Ok((arch, layer.named_parameters()))
        }
        other => Err(Error::Value(format!(
            "'{shown}' holds a model of kind '{other}'; nutorch nn load reads {SIMPLE_NN} and {LINEAR} (use nutorch load for plain tensors)"
        ))),
    }
}

/// `nutorch save`: named tensors to a safetensors file.
pub struct Save;

impl PluginCommand for Save {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch save"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![
                (Type::record(), Type::Nothing),
                (crate::commands::tensor_type(), Type::Nothing),
                (Type::Nothing, Type::Nothing),
            ])
            .required("file", SyntaxShape::Filepath, "the .safetensors file to write (overwritten if it exists)")
            .optional("tensors", SyntaxShape::Any, "a record name → tensor, or one tensor, when none is piped in")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Save tensors to a safetensors file: a record name → tensor, or one tensor saved under the name \"tensor\" (safetensors.torch.save_file)."
    }

    fn extra_description(&self) -> &str {
        "Each tensor keeps its dtype and shape (copied to the CPU first). Python reads the file \
         with safetensors.torch.load_file(file), which returns the same dict. dtypes: bool, \
         uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64 (no complex). \
         Read it back with nutorch load."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.save", "save_file", "safetensors", "export", "write"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example:
                    "let data = (nutorch blobs --seed 42); {X: $data.X, y: $data.y} | nutorch save blobs.safetensors",
                description: "Save two named tensors",
                result: None,
            },
            Example {
                example: "nutorch linspace 0 1 5 | nutorch save t.safetensors",
                description: "Save one tensor (named \"tensor\" in the file)",
                result: None,
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let path = file_path(engine, &args::positional(call, 0)?)?;
            let value = args::piped_or_positional(
                input,
                call,
                1,
                "Nothing to save",
                "pipe in a record of tensors or a tensor, or give it after the file name",
            )?;
            let tensors = match &value {
                Value::Record { val, .. } => {
                    if val.is_empty() {
                        return Err(invalid("the record is empty: nothing to save", value.span()));
                    }
                    val.iter()
                        .map(|(name, v)| {
                            let t = args::tensor(plugin, v).map_err(|e| {
                                if matches!(v, Value::Custom { .. } | Value::String { .. }) {
                                    e
                                } else {
                                    invalid(format!("`{name}` is not a tensor (found {})", v.get_type()), v.span())
                                }
                            })?;
                            Ok((name.clone(), t.item))
                        })
                        .collect::<Result<Vec<_>, LabeledError>>()?
                }
                other => vec![("tensor".to_string(), args::tensor(plugin, other)?.item)],
            };
            save_tensors(&path.item, &tensors, &HashMap::new()).at(path.span)?;
            Ok(PipelineData::Empty)
        })
    }
}

/// `nutorch load`: every tensor of a safetensors file, as a record.
pub struct Load;

impl PluginCommand for Load {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch load"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .required("file", SyntaxShape::Filepath, "a .safetensors file")
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Load every tensor of a safetensors file as a record name → tensor (safetensors.torch.load_file)."
    }

    fn extra_description(&self) -> &str {
        "Reads files written by nutorch save, nutorch nn save, or Python's \
         safetensors.torch.save_file; names come sorted. Tensors keep their dtype and shape and \
         do not require grad. A single tensor saved by nutorch save is under the name \"tensor\"."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.load", "load_file", "safetensors", "import", "read"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let t = (nutorch load blobs.safetensors); nutorch tovalue $t.y | length",
            description: "Load tensors saved earlier",
            result: None,
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        guard(call.head, || {
            let path = file_path(engine, &args::positional(call, 0)?)?;
            let device = args::device_flag(call)?;
            let device_span = call.get_flag_span("device").unwrap_or(call.head);
            let file = load_tensors(&path.item).at(path.span)?;
            let mut record = Record::new();
            for (name, tensor) in file.tensors {
                let tensor = if device == Device::Cpu { tensor } else { tensor.f_to(device).at(device_span)? };
                record.push(name, plugin.tensor_value(tensor, call.head)?);
            }
            Ok(PipelineData::Value(Value::record(record, call.head), None))
        })
    }
}
