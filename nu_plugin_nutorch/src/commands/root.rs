use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{LabeledError, PipelineData, Signature};

/// `nutorch`: help for the whole plugin.
pub struct Nutorch;

impl PluginCommand for Nutorch {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch"
    }

    fn signature(&self) -> Signature {
        super::did_you_mean::family_signature(self.name())
    }

    fn description(&self) -> &str {
        "PyTorch in Nushell: tensors that live in libtorch memory between commands."
    }

    fn extra_description(&self) -> &str {
        "Create tensors (nutorch linspace, nutorch fromvalue), run PyTorch ops on them, and read \
         them back with nutorch tovalue. Tensors stay in the plugin; Nushell holds a small value \
         that refers to them. Ops carry PyTorch's names and argument order (`nutorch ops` lists \
         them all with their torch equivalents); operators and cell paths work on tensors \
         (`$a + $b`, `$t.shape`, `$t.0`). Run `help nutorch <command>` for each command."
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        super::did_you_mean::run_family(plugin, engine, call, self.name())
    }
}
