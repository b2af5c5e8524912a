//! Neural networks from Nushell: layers, Sequential and models as plain records of stored
//! tensors (`nutorch nn ...`), optimizers (`nutorch optim ...`), training (`nn fit`, `nn
//! train`), the reference data set (`nutorch blobs`), and safetensors files (`nutorch nn
//! save/load`, `nutorch save/load`). The model logic itself lives in nutorch-nn; these
//! commands convert Nushell values to and from it.
//!
//! A model is a record `{spec, training, parameters, buffers}` (see `model.rs`). Its tensors
//! are ordinary stored tensors, so a model held in a variable survives plugin restarts like
//! any tensor, and training updates those very tensors in place (same ids).

mod blobs;
mod create;
mod fit;
mod forward;
mod inspect;
mod io;
mod layers;
pub mod model;
mod optim;
mod progress;
mod spec_args;
mod train;

use crate::errors::invalid;
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{LabeledError, PipelineData, Signature, Spanned, Value};
use std::path::PathBuf;

type Command = Box<dyn PluginCommand<Plugin = NutorchPlugin>>;

/// The commands of this family, for `commands::all`.
pub fn commands() -> Vec<Command> {
    let mut commands: Vec<Command> = vec![
        Box::new(NnRoot),
        Box::new(create::SimpleNn),
        Box::new(create::Sequential),
        Box::new(forward::Forward),
        Box::new(forward::Predict),
        Box::new(forward::Accuracy),
        Box::new(train::Train),
        Box::new(io::NnSave),
        Box::new(io::NnLoad),
        Box::new(io::Save),
        Box::new(io::Load),
        Box::new(blobs::Blobs),
        Box::new(fit::Fit),
        Box::new(fit::Evaluate),
        Box::new(inspect::Parameters),
        Box::new(inspect::Mode { training: true }),
        Box::new(inspect::Mode { training: false }),
        Box::new(optim::OptimRoot),
        Box::new(optim::OptimAction(optim::Action::Step)),
        Box::new(optim::OptimAction(optim::Action::ZeroGrad)),
        Box::new(optim::OptimAction(optim::Action::SchedulerStep)),
        Box::new(optim::OptimSave),
        Box::new(optim::OptimLoad),
    ];
    commands.extend(layers::LAYERS.iter().map(|def| Box::new(layers::LayerCmd::new(def)) as Command));
    commands.extend(optim::OPTIMIZERS.iter().map(|def| Box::new(optim::OptimCmd::new(def)) as Command));
    commands
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
        crate::commands::did_you_mean::family_signature(self.name())
    }

    fn description(&self) -> &str {
        "Neural networks (torch.nn): models as records of stored tensors, training, prediction, save and load."
    }

    fn extra_description(&self) -> &str {
        "A model is a plain record {spec, training, parameters, buffers}: the architecture \
         (torch.nn layer names and arguments), the mode, and the state dict as stored tensors \
         under PyTorch's names (0.weight, 1.running_mean, …). Build one from layers \
         (nutorch nn linear, conv2d, batch-norm1d, dropout, relu, … chained with nutorch nn \
         sequential), train it with an optimizer (nutorch optim adamw $model) and nutorch nn fit, \
         or step by step (nn forward, a loss op, backward, optim step). A model in a variable \
         survives plugin restarts, and training updates its tensors in place, keeping their ids. \
         Typical session: let model = (nutorch nn sequential [(nutorch nn linear 2 16) \
         (nutorch nn relu) (nutorch nn linear 16 3)] --seed 0); let opt = (nutorch optim adam \
         $model --lr 0.01); let data = (nutorch blobs --seed 42); nutorch nn fit $model $opt \
         $data.X $data.y --epochs 50 --batch-size 32 --shuffle --seed 0"
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        crate::commands::did_you_mean::run_family(plugin, engine, call, self.name())
    }
}

/// The syntax shape of a model argument: any record (its contents are checked at run time).
pub fn model_shape() -> nu_protocol::SyntaxShape {
    nu_protocol::SyntaxShape::Record(Vec::new().into())
}
