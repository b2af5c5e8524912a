//! safetensors files: models (`nutorch nn save`, `nutorch nn load`) and named tensors
//! (`nutorch save`, `nutorch load`). Files are what Python's `safetensors.torch.load_file`
//! reads and `save_file` writes.

use super::file_path;
use super::layers::place;
use super::model::{new_model_value, parse_spec, ModelRecord};
use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Record, Signature, SyntaxShape, Type, Value};
use nutorch_core::tch::Device;
use nutorch_nn::{load_model, save_model};

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
            .required(
                "file",
                SyntaxShape::Filepath,
                "the file to write (overwritten): .safetensors, .npz; for one tensor also .npy, .json, .nuon, .csv",
            )
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Save a model's state dict and architecture to a safetensors file (safetensors.torch.save_file(model.state_dict(), file))."
    }

    fn extra_description(&self) -> &str {
        "The file holds the parameters and buffers under their state_dict names (0.weight,          1.running_mean, …), each in its dtype, and the architecture as JSON in the header's          metadata (key nutorch.spec). Python: model.load_state_dict(safetensors.torch.load_file(file))          loads it into the equivalent torch.nn model with strict=True. Read it back with nutorch nn load."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.save", "state_dict", "checkpoint", "safetensors", "export"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn save $model model.safetensors",
            description: "Save a model",
            result: Some(Value::test_nothing()),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let model = ModelRecord::parse(plugin, &args::positional(call, 0)?)?;
        let path = file_path(engine, &args::positional(call, 1)?)?;
        save_model(&path.item, &model.model).at(path.span)?;
        Ok(PipelineData::Empty)
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
            .named(
                "spec",
                SyntaxShape::Any,
                "the architecture, for files without one (PyTorch's save_file(model.state_dict())): a spec record such as (nutorch nn sequential [...]).spec",
                None,
            )
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .named("dtype", SyntaxShape::String, "a floating dtype for the parameters (default float32)", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Load a model saved by nutorch nn save, or a PyTorch state dict saved with safetensors (model.load_state_dict(load_file(file)))."
    }

    fn extra_description(&self) -> &str {
        "The architecture comes from the file's metadata (written by nutorch nn save), or from          --spec for files PyTorch wrote. Files without metadata that hold exactly a Linear's          (weight, bias) or a SimpleNN's tensors (fc1.weight, fc1.bias, fc2.weight, fc2.bias)          are recognised. As load_state_dict(strict=True), the file must hold exactly the model's          parameters and buffers with the right shapes. Parameters become float32 tensors that          require grad; the model is in training mode, as a new PyTorch module is."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.load", "load_state_dict", "checkpoint", "safetensors", "import"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn save $model m.safetensors; let back = (nutorch nn load m.safetensors); let x = (nutorch fromvalue [[0.0 0.0] [3.0 0.0]]); (nutorch nn predict $back $x | nutorch tovalue) == (nutorch nn predict $model $x | nutorch tovalue)",
            description: "Save a model, load it back: it predicts the same",
            result: Some(Value::test_bool(true)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let path = file_path(engine, &args::positional(call, 0)?)?;
        let spec = match call.get_flag_value("spec") {
            None => None,
            Some(v) => Some(parse_spec(&v)?),
        };
        let model = load_model(&path.item, spec.as_ref()).at(path.span)?;
        let model = place(model, call)?;
        Ok(PipelineData::Value(new_model_value(plugin, &model, call.head)?, None))
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
            .required(
                "file",
                SyntaxShape::Filepath,
                "the file to write (overwritten): .safetensors, .npz; for one tensor also .npy, .json, .nuon, .csv",
            )
            .optional("tensors", SyntaxShape::Any, "a record name → tensor, or one tensor, when none is piped in")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Save tensors to a file chosen by extension: a record name → tensor to .safetensors or .npz, one tensor to any of .safetensors, .npy, .npz, .json, .nuon, .csv (safetensors.torch.save_file, numpy.save, numpy.savez)."
    }

    fn extra_description(&self) -> &str {
        "Each tensor keeps its dtype and shape (copied to the CPU first). Python reads the file \
         with safetensors.torch.load_file(file), which returns the same dict; numpy reads .npy \
         with numpy.load(file) and .npz with numpy.load(file)[name] (one tensor is named arr_0 \
         in an .npz, \"tensor\" in a .safetensors file). safetensors dtypes: bool, uint8, int8, \
         int16, int32, int64, float16, bfloat16, float32, float64; numpy adds complex64 and \
         complex128 but has no bfloat16 (convert first). .json/.nuon write the values as nested \
         lists, .csv a 1-D or 2-D tensor with columns 0, 1, …. The same formats work with \
         Nushell's `save` of one tensor. Other extensions are written as safetensors. Read \
         files back with nutorch load."
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
                result: Some(Value::test_nothing()),
            },
            Example {
                example: "nutorch linspace 0 1 5 | nutorch save t.safetensors",
                description: "Save one tensor (named \"tensor\" in the file)",
                result: Some(Value::test_nothing()),
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
        if matches!(value, Value::Record { .. }) {
            crate::files::save_named(&tensors, &path.item).at(path.span)?;
        } else {
            crate::files::save_one(&tensors[0].1, &path.item, crate::files::Unknown::Safetensors).at(path.span)?;
        }
        Ok(PipelineData::Empty)
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
            .input_output_types(vec![(Type::Nothing, Type::record()), (Type::Nothing, crate::commands::tensor_type())])
            .required("file", SyntaxShape::Filepath, "a .safetensors, .npz or .npy file")
            .named("device", SyntaxShape::String, "cpu, cuda, cuda:N or mps (default cpu)", None)
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Load a tensor file: .safetensors and .npz give a record name → tensor, .npy one tensor (safetensors.torch.load_file, numpy.load)."
    }

    fn extra_description(&self) -> &str {
        "Reads files written by nutorch save, nutorch nn save, or Python's \
         safetensors.torch.save_file; names come sorted. Tensors keep their dtype and shape and \
         do not require grad. A single tensor saved by nutorch save is under the name \"tensor\" \
         (\"arr_0\" in an .npz). numpy files: dtypes bool, uint8, int8, int16, int32, int64, \
         float16, float32, float64, complex64, complex128, little-endian, C or Fortran order \
         (read as the same array); .npz members stored or deflated. Big-endian, object, string \
         and structured arrays are refused; damaged files are errors. Other extensions are read \
         as safetensors."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.load", "load_file", "safetensors", "import", "read"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let data = (nutorch blobs --seed 42); {X: $data.X, y: $data.y} | nutorch save b.safetensors; (nutorch load b.safetensors).y.shape",
            description: "Load tensors saved earlier: a record name → tensor",
            result: Some(Value::test_list(vec![Value::test_int(300)])),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let path = file_path(engine, &args::positional(call, 0)?)?;
        let device = args::device_flag(call)?;
        let device_span = call.get_flag_span("device").unwrap_or(call.head);
        let place = |tensor: nutorch_core::tch::Tensor| -> Result<_, LabeledError> {
            if device == Device::Cpu {
                Ok(tensor)
            } else {
                tensor.f_to(device).at(device_span)
            }
        };
        match crate::files::load(&path.item).at(path.span)? {
            crate::files::Loaded::One(tensor) => {
                Ok(PipelineData::Value(plugin.tensor_value(place(tensor)?, call.head)?, None))
            }
            crate::files::Loaded::Named(tensors) => {
                let mut record = Record::new();
                for (name, tensor) in tensors {
                    record.push(name, plugin.tensor_value(place(tensor)?, call.head)?);
                }
                Ok(PipelineData::Value(Value::record(record, call.head), None))
            }
        }
    }
}
