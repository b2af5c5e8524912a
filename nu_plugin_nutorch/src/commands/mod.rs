//! Every command of the plugin. Each file holds one command (or one family built from data).

mod alias_module;
pub mod completion;
mod devices;
mod did_you_mean;
mod index_arg;
pub(crate) mod nn;
mod no_grad;
pub mod op;
pub(crate) mod op_args;
mod ops_list;
mod plot;
mod protocol_floor;
mod root;
mod store;
mod values;
mod version;

use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Category, Example, LabeledError, PipelineData, Signature, Type};

type Command = Box<dyn PluginCommand<Plugin = NutorchPlugin>>;

/// Every command, each wrapped so that the store knows when commands run.
pub(crate) fn all() -> Vec<Command> {
    commands().into_iter().map(|inner| Box::new(Tracked { inner }) as Command).collect()
}

fn commands() -> Vec<Command> {
    let mut commands: Vec<Command> = vec![
        Box::new(root::Nutorch),
        Box::new(values::ToValue),
        Box::new(values::FromValue),
        Box::new(values::ToTable),
        Box::new(devices::Devices),
        Box::new(devices::CudaSynchronize),
        Box::new(store::Ls),
        Box::new(store::Free),
        Box::new(store::StoreInfo),
        Box::new(version::Version),
        Box::new(protocol_floor::ProtocolFloor),
        Box::new(ops_list::Ops),
        Box::new(alias_module::AliasModule),
        Box::new(no_grad::NoGrad::new("no-grad")),
        Box::new(no_grad::NoGrad::new("no_grad")),
        Box::new(no_grad::SetGradEnabled),
        Box::new(no_grad::IsGradEnabled),
    ];
    // Every op of the catalog, through the one generic command type.
    commands.extend(nutorch_core::catalog::all().iter().map(|spec| Box::new(op::OpCommand::new(spec)) as Command));
    // Models, data, files (nn/) and figures (plot.rs).
    commands.extend(nn::commands());
    commands.extend(plot::commands());
    commands
}

/// The category every nutorch command is listed under in `help commands`.
pub(crate) fn category() -> Category {
    Category::Custom("nutorch".into())
}

/// The type of a tensor in signatures.
pub(crate) fn tensor_type() -> Type {
    Type::Custom("tensor".into())
}

/// Runs a command through [`NutorchPlugin::run_guarded`]: the store configured from the
/// engine's settings and marked busy (the idle spill waits until no command runs), and a panic
/// turned into an error (the one panic guard of every command).
struct Tracked {
    inner: Command,
}

impl PluginCommand for Tracked {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> Signature {
        self.inner.signature()
    }

    fn description(&self) -> &str {
        self.inner.description()
    }

    fn extra_description(&self) -> &str {
        self.inner.extra_description()
    }

    fn search_terms(&self) -> Vec<&str> {
        self.inner.search_terms()
    }

    fn examples(&self) -> Vec<Example<'_>> {
        self.inner.examples()
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        plugin.run_guarded(engine, call.head, || self.inner.run(plugin, engine, call, input))
    }

    #[allow(deprecated)]
    fn get_dynamic_completion(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: nu_plugin::DynamicCompletionCall,
        arg_type: nu_protocol::engine::ArgType,
        experimental: nu_protocol::engine::ExperimentalMarker,
    ) -> Option<Vec<nu_protocol::DynamicSuggestion>> {
        self.inner
            .get_dynamic_completion(plugin, engine, call, arg_type.clone(), experimental)
            .or_else(|| completion::common_flag(&arg_type))
    }
}
