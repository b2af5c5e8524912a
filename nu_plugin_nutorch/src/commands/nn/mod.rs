//! Neural networks from Nushell: models as plain records of tensors (`nutorch nn ...`), the
//! reference data set (`nutorch blobs`), and tensors in safetensors files (`nutorch save`,
//! `nutorch load`).
//!
//! A model is a record such as
//! `{kind: SimpleNN, input: 2, hidden: 20, output: 3, parameters: {fc1.weight: <tensor>, ...}}`.
//! Its parameters are ordinary stored tensors, so a model held in a variable survives plugin
//! restarts like any tensor, and training updates those very tensors in place (same ids).

mod blobs;
mod create;
mod forward;
mod io;
pub mod model;
mod train;

use crate::errors::invalid;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{LabeledError, PipelineData, Signature, Spanned, Type, Value};
use std::path::PathBuf;

type Command = Box<dyn PluginCommand<Plugin = NutorchPlugin>>;

/// The commands of this family, for `commands::all`.
pub fn commands() -> Vec<Command> {
    vec![
        Box::new(NnRoot),
        Box::new(create::SimpleNn),
        Box::new(create::LinearCmd),
        Box::new(forward::Forward),
        Box::new(forward::Predict),
        Box::new(forward::Accuracy),
        Box::new(train::Train),
        Box::new(io::NnSave),
        Box::new(io::NnLoad),
        Box::new(io::Save),
        Box::new(io::Load),
        Box::new(blobs::Blobs),
    ]
}

/// A file argument as a path: `~` expanded, relative paths taken from Nushell's current
/// directory (the plugin process has its own, which is not the user's).
pub fn file_path(engine: &EngineInterface, value: &Value) -> Result<Spanned<PathBuf>, LabeledError> {
    let span = value.span();
    let text = match value {
        Value::String { val, .. } => val.clone(),
        other => return Err(invalid(format!("expected a file path, found {}", other.get_type()), span)),
    };
    if text.trim().is_empty() {
        return Err(invalid("the file path is empty", span));
    }
    let mut path = match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(&text),
    };
    if path.is_relative() {
        let cwd =
            engine.get_current_dir().map_err(|e| invalid(format!("cannot tell the current directory: {e}"), span))?;
        path = PathBuf::from(cwd).join(path);
    }
    Ok(Spanned { item: path, span })
}

/// `nutorch nn`: help for the family.
pub struct NnRoot;

impl PluginCommand for NnRoot {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::String)])
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Neural networks (torch.nn): models as records of stored tensors, training, prediction, save and load."
    }

    fn extra_description(&self) -> &str {
        "A model is a plain record: {kind: SimpleNN, input: 2, hidden: 20, output: 3, parameters: \
         {fc1.weight: <tensor>, fc1.bias: <tensor>, fc2.weight: <tensor>, fc2.bias: <tensor>}} \
         (kind Linear has input, output and parameters weight, bias). The parameters are stored \
         tensors: a model in a variable survives plugin restarts, and `nutorch nn train` updates \
         them in place, keeping their ids. Typical session: \
         let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); \
         nutorch nn train $model $data.X $data.y --epochs 1000 --lr 0.1; \
         nutorch nn accuracy $model $data.X $data.y"
    }

    fn run(
        &self,
        _plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        Ok(PipelineData::Value(Value::string(engine.get_help()?, call.head), None))
    }
}

/// The syntax shape of a model argument: any record (its contents are checked at run time).
pub fn model_shape() -> nu_protocol::SyntaxShape {
    nu_protocol::SyntaxShape::Record(Vec::new().into())
}
