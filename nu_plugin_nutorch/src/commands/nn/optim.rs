//! Optimizers from Nushell: `nutorch optim sgd|adam|adamw|rmsprop <model>` make an optimizer
//! record, `nutorch optim step` / `zero-grad` / `scheduler-step` use it.
//!
//! An optimizer is a record
//! `{optimizer: {type: AdamW, lr, betas, …}, scheduler: {type: StepLR, …} | null,
//!   parameters: {<name>: <tensor>, …}, state: {lr: <tensor>, 0.step: <tensor>, 0.exp_avg: …}}`:
//! the parameters are the model's own tensors (same ids), and every piece of state (moments,
//! step counts, the current learning rate, the scheduler's epoch) is a stored tensor updated in
//! place, so the optimizer survives plugin restarts and continues exactly where it was.

use super::model::ModelRecord;
use super::spec_args::{add_to_signature, blame, flag, read_fields, ArgKind, FieldArg};
use crate::args;
use crate::errors::{invalid, labeled, At};
use crate::plugin::NutorchPlugin;
use crate::values::{from_json, to_json};
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{record, Example, LabeledError, PipelineData, Record, Signature, Span, SyntaxShape, Type, Value};
use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_nn::{Module, Optimizer, OptimizerSpec, Scheduler, SchedulerSpec};

use ArgKind::{Float, FloatPair, On};

/// The state tensor holding the scheduler's epoch count (`scheduler.last_epoch`).
const SCHEDULER_EPOCH: &str = "scheduler.last_epoch";

/// One optimizer command: name, `torch.optim` class, its hyperparameters.
pub struct OptimCommand {
    pub command: &'static str,
    pub class: &'static str,
    pub summary: &'static str,
    pub fields: &'static [FieldArg],
}

const LR: FieldArg = flag("lr", Float, "learning rate");
const WEIGHT_DECAY: FieldArg = flag("weight_decay", Float, "weight decay");

const ADAM: &[FieldArg] = &[
    LR,
    flag(
        "betas",
        FloatPair,
        "coefficients of the running averages of the gradient and its square (default [0.9 0.999])",
    ),
    flag("eps", Float, "added to the denominator for stability (default 1e-8)"),
    WEIGHT_DECAY,
    flag("amsgrad", On, "the AMSGrad variant"),
];

pub static OPTIMIZERS: &[OptimCommand] = &[
    OptimCommand {
        command: "sgd",
        class: "SGD",
        summary: "Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay (torch.optim.SGD; lr default 0.001).",
        fields: &[
            LR,
            flag("momentum", Float, "momentum factor (default 0)"),
            flag("dampening", Float, "dampening for momentum (default 0)"),
            flag("nesterov", On, "Nesterov momentum"),
            WEIGHT_DECAY,
        ],
    },
    OptimCommand {
        command: "adam",
        class: "Adam",
        summary: "Adam (torch.optim.Adam; lr 0.001, betas [0.9 0.999], eps 1e-8, L2 weight decay 0).",
        fields: ADAM,
    },
    OptimCommand {
        command: "adamw",
        class: "AdamW",
        summary: "Adam with decoupled weight decay (torch.optim.AdamW; lr 0.001, weight decay 0.01).",
        fields: ADAM,
    },
    OptimCommand {
        command: "rmsprop",
        class: "RMSprop",
        summary: "RMSprop (torch.optim.RMSprop; lr 0.01, alpha 0.99, eps 1e-8).",
        fields: &[
            LR,
            flag("alpha", Float, "smoothing constant (default 0.99)"),
            flag("eps", Float, "added to the denominator for stability (default 1e-8)"),
            WEIGHT_DECAY,
            flag("momentum", Float, "momentum factor (default 0)"),
            flag("centered", On, "normalize by an estimate of the gradient's variance"),
        ],
    },
];

/// A parsed optimizer record, ready to step.
pub struct OptimRecord {
    pub optimizer: Optimizer,
    pub scheduler: Option<(Scheduler, Tensor)>,
    /// Parameter name → tensor id, in order (to check it belongs to a model).
    pub param_ids: Vec<(String, String)>,
}

impl OptimRecord {
    pub fn parse(plugin: &NutorchPlugin, value: &Value) -> Result<OptimRecord, LabeledError> {
        let span = value.span();
        let hint =
            "an optimizer is a record {optimizer, scheduler, parameters, state}, as `nutorch optim adamw $model` makes";
        let Value::Record { val: rec, .. } = value else {
            return Err(
                invalid(format!("expected an optimizer record, found {}", value.get_type()), span).with_help(hint)
            );
        };
        let field = |name: &str| {
            rec.get(name).ok_or_else(|| invalid(format!("this record has no `{name}` field"), span).with_help(hint))
        };
        let spec_value = field("optimizer")?;
        let spec = OptimizerSpec::from_json(&to_json(spec_value)?.to_string()).at(spec_value.span())?;
        let mut param_ids = Vec::new();
        let mut params = Vec::new();
        for (name, v) in record_of(field("parameters")?)? {
            let id = args::tensor_id(v)?;
            params.push(plugin.tensor(&id.item).at(id.span)?);
            param_ids.push((name.clone(), id.item));
        }
        let mut state = Vec::new();
        let mut epoch = None;
        for (name, v) in record_of(field("state")?)? {
            let tensor = args::tensor(plugin, v)?.item;
            if name == SCHEDULER_EPOCH {
                epoch = Some(tensor);
            } else {
                state.push((name.clone(), tensor));
            }
        }
        let state_span = field("state")?.span();
        let optimizer = Optimizer::from_state(spec, params, state).at(state_span)?;
        let scheduler = match rec.get("scheduler") {
            None | Some(Value::Nothing { .. }) => None,
            Some(v) => {
                let spec = SchedulerSpec::from_json(&to_json(v)?.to_string()).at(v.span())?;
                let epoch = epoch.ok_or_else(|| invalid(format!("the state lacks `{SCHEDULER_EPOCH}`"), state_span))?;
                let mut scheduler = Scheduler::new(spec, &optimizer).at(v.span())?;
                scheduler.last_epoch = epoch.f_int64_value(&[]).at(state_span)?;
                Some((scheduler, epoch))
            }
        };
        Ok(OptimRecord { optimizer, scheduler, param_ids })
    }

    /// Checks that this optimizer trains `model`'s parameters (the same tensors).
    pub fn check_model(&self, model: &ModelRecord, span: Span) -> Result<(), LabeledError> {
        if self.param_ids != model.param_ids {
            return Err(invalid(
                "this optimizer was made for another model's parameters (make it with `nutorch optim <kind> $model` from this model)",
                span,
            ));
        }
        Ok(())
    }

    /// `scheduler.step()`, keeping its epoch in the stored tensor.
    pub fn scheduler_step(&mut self) -> nutorch_core::Result<bool> {
        match &mut self.scheduler {
            None => Ok(false),
            Some((scheduler, epoch)) => {
                scheduler.step(&mut self.optimizer)?;
                let _ = epoch.f_fill_(scheduler.last_epoch)?;
                Ok(true)
            }
        }
    }
}

fn record_of(value: &Value) -> Result<&Record, LabeledError> {
    match value {
        Value::Record { val, .. } => Ok(val),
        other => Err(invalid(format!("expected a record of tensors, found {}", other.get_type()), other.span())),
    }
}

fn json_value(json: &str, span: Span) -> Value {
    serde_json::from_str::<serde_json::Value>(json).map(|j| from_json(&j, span)).unwrap_or(Value::nothing(span))
}

pub struct OptimCmd {
    name: String,
    def: &'static OptimCommand,
}

impl OptimCmd {
    pub fn new(def: &'static OptimCommand) -> OptimCmd {
        OptimCmd { name: format!("nutorch optim {}", def.command), def }
    }
}

impl PluginCommand for OptimCmd {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> Signature {
        let signature = Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .required("model", super::model_shape(), "the model whose parameters it trains");
        add_to_signature(signature, self.def.fields)
            .named(
                "scheduler",
                SyntaxShape::Record(vec![].into()),
                "a learning-rate schedule stepped once per epoch by nn fit: {type: StepLR, step_size: 10, gamma: 0.1} or {type: CosineAnnealingLR, T_max: 50, eta_min: 0}",
                None,
            )
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        self.def.summary
    }

    fn extra_description(&self) -> &str {
        "Returns an optimizer record {optimizer, scheduler, parameters, state} over the model's \
         parameters (the same tensors). Its state (step counts, moment estimates, momentum \
         buffers, the current learning rate) is stored tensors, updated in place by \
         `nutorch optim step` and `nutorch nn fit`: it survives plugin restarts. The update \
         rules are PyTorch's single-tensor implementations, op for op."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec![self.def.class, "torch.optim", "optimizer"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: match self.def.command {
                "sgd" => "(nutorch optim sgd (nutorch nn linear 2 1) --lr 0.1 --momentum 0.9).optimizer.momentum",
                "adam" => "(nutorch optim adam (nutorch nn linear 2 1)).optimizer.betas",
                "adamw" => "(nutorch optim adamw (nutorch nn linear 2 1) --lr 0.001).optimizer.weight_decay",
                _ => "(nutorch optim rmsprop (nutorch nn linear 2 1)).optimizer.alpha",
            },
            description: self.def.summary,
            result: Some(match self.def.command {
                "sgd" => Value::test_float(0.9),
                "adam" => Value::test_list(vec![Value::test_float(0.9), Value::test_float(0.999)]),
                "adamw" => Value::test_float(0.01),
                _ => Value::test_float(0.99),
            }),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let head = call.head;
        let model_value = args::positional(call, 0)?;
        let model = ModelRecord::parse(plugin, &model_value)?;
        let (json, spans) = read_fields(call, self.def.class, self.def.fields, 1)?;
        let spec = OptimizerSpec::from_json(&serde_json::Value::Object(json).to_string()).map_err(|e| {
            let span = blame(&e.to_string().replace("learning rate", "lr"), &spans, head);
            labeled(e, span)
        })?;
        model.make_trainable(model_value.span())?;
        let optimizer = Optimizer::new(spec, model.model.parameters()).at(model_value.span())?;
        let scheduler = match call.get_flag_value("scheduler") {
            None => None,
            Some(v) => {
                let spec = SchedulerSpec::from_json(&to_json(&v)?.to_string()).at(v.span())?;
                Some((spec, Tensor::f_zeros([0i64; 0], (Kind::Int64, Device::Cpu)).at(head)?))
            }
        };
        Ok(PipelineData::Value(optimizer_value(plugin, &optimizer, scheduler, &model, head)?, None))
    }
}

/// The record for `optimizer` over `model`'s parameters (the model's tensors, counted once more),
/// its state and the schedule's epoch stored as new tensors.
fn optimizer_value(
    plugin: &NutorchPlugin,
    optimizer: &Optimizer,
    scheduler: Option<(SchedulerSpec, Tensor)>,
    model: &ModelRecord,
    span: Span,
) -> Result<Value, LabeledError> {
    let mut state = Record::new();
    for (name, tensor) in optimizer.state() {
        state.push(name, plugin.tensor_value(tensor, span)?);
    }
    let scheduler = match scheduler {
        Some((spec, epoch)) => {
            state.push(SCHEDULER_EPOCH, plugin.tensor_value(epoch, span)?);
            json_value(&spec.to_json(), span)
        }
        None => Value::nothing(span),
    };
    let mut parameters = Record::new();
    for (name, id) in &model.param_ids {
        parameters.push(name.clone(), plugin.existing_tensor_value(id, span)?);
    }
    Ok(Value::record(
        record! {
            "optimizer" => json_value(&optimizer.spec().to_json(), span),
            "scheduler" => scheduler,
            "parameters" => Value::record(parameters, span),
            "state" => Value::record(state, span),
        },
        span,
    ))
}

/// `nutorch optim step`, `zero-grad`, `scheduler-step`: one command type, three actions.
#[derive(Clone, Copy)]
pub enum Action {
    Step,
    ZeroGrad,
    SchedulerStep,
}

pub struct OptimAction(pub Action);

impl PluginCommand for OptimAction {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        match self.0 {
            Action::Step => "nutorch optim step",
            Action::ZeroGrad => "nutorch optim zero-grad",
            Action::SchedulerStep => "nutorch optim scheduler-step",
        }
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::Nothing), (Type::record(), Type::Nothing)])
            .optional("optimizer", SyntaxShape::Record(vec![].into()), "the optimizer record (or piped in)")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        match self.0 {
            Action::Step => "One update of the parameters from their .grad (optimizer.step()), in place.",
            Action::ZeroGrad => "Zero the parameters' .grad (optimizer.zero_grad()).",
            Action::SchedulerStep => "Advance the optimizer's learning-rate schedule by one epoch (scheduler.step()).",
        }
    }

    fn extra_description(&self) -> &str {
        match self.0 {
            Action::Step => {
                "Parameters without a gradient are skipped, as PyTorch skips grad None. The \
                 optimizer's state tensors change in place. A step-by-step loop: \
                 let loss = ($X | nutorch nn forward $model | nutorch cross_entropy $y); \
                 nutorch optim zero-grad $opt; $loss | nutorch backward; nutorch optim step $opt"
            }
            Action::ZeroGrad => {
                "PyTorch's default sets the gradients to None; here they are zeroed, which gives \
                 the next backward the same result."
            }
            Action::SchedulerStep => {
                "An error when the optimizer has no --scheduler. nn fit steps it after every epoch."
            }
        }
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.optim", "optimizer"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        match self.0 {
            Action::Step => vec![Example {
                example: "let model = (nutorch nn linear 1 1 --seed 0); let opt = (nutorch optim sgd $model --lr 0.1); let loss = (nutorch ones 1 1 | nutorch nn forward $model | nutorch sum); let before = ($model.parameters.bias | nutorch item); $loss | nutorch backward; nutorch optim step $opt; let moved = $before - ($model.parameters.bias | nutorch item); $moved > 0.0999 and $moved < 0.1001",
                description: "SGD moves the bias by lr × its gradient (1)",
                result: Some(Value::test_bool(true)),
            }],
            _ => vec![],
        }
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::piped_or_positional(input, call, 0, "Missing optimizer", "give the optimizer record")?;
        let span = value.span();
        let mut opt = OptimRecord::parse(plugin, &value)?;
        match self.0 {
            Action::Step => opt.optimizer.step().at(span)?,
            Action::ZeroGrad => opt.optimizer.zero_grad().at(span)?,
            Action::SchedulerStep => {
                if !opt.scheduler_step().at(span)? {
                    return Err(invalid("this optimizer has no scheduler (make it with --scheduler)", span));
                }
            }
        }
        Ok(PipelineData::Empty)
    }
}

/// The metadata keys of an optimizer file.
const OPTIMIZER_KEY: &str = "nutorch.optimizer";
const SCHEDULER_KEY: &str = "nutorch.scheduler";
const PARAMETERS_KEY: &str = "nutorch.parameters";

/// `nutorch optim save`: an optimizer's state to a safetensors file.
pub struct OptimSave;

impl PluginCommand for OptimSave {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch optim save"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::Nothing)])
            .required("optimizer", SyntaxShape::Record(vec![].into()), "an optimizer record")
            .required("file", SyntaxShape::Filepath, "the .safetensors file to write (overwritten if it exists)")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Save an optimizer's state (moments, step counts, learning rate, schedule) to a safetensors file, to resume training later (torch.save(opt.state_dict()))."
    }

    fn extra_description(&self) -> &str {
        "The state tensors keep their names (lr, 0.step, 0.exp_avg, …: the number is the \
         parameter's index, as in PyTorch's optimizer state_dict); the hyperparameters, the \
         schedule and the parameters' names go in the metadata. Save the model with \
         nutorch nn save; resume with nutorch nn load and nutorch optim load <file> $model."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["state_dict", "checkpoint", "resume", "torch.save"]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let value = args::positional(call, 0)?;
        let opt = OptimRecord::parse(plugin, &value)?;
        let path = super::file_path(engine, &args::positional(call, 1)?)?;
        let mut tensors = opt.optimizer.state();
        let mut metadata = std::collections::HashMap::from([
            (OPTIMIZER_KEY.to_string(), opt.optimizer.spec().to_json()),
            (
                PARAMETERS_KEY.to_string(),
                serde_json::to_string(&opt.param_ids.iter().map(|(n, _)| n).collect::<Vec<_>>()).unwrap_or_default(),
            ),
        ]);
        if let Some((scheduler, epoch)) = &opt.scheduler {
            metadata.insert(SCHEDULER_KEY.to_string(), scheduler.spec.to_json());
            tensors.push((SCHEDULER_EPOCH.to_string(), epoch.shallow_clone()));
        }
        nutorch_nn::io::save_tensors(&path.item, &tensors, &metadata).at(path.span)?;
        Ok(PipelineData::Empty)
    }
}

/// `nutorch optim load`: an optimizer over a model, its state from a file.
pub struct OptimLoad;

impl PluginCommand for OptimLoad {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch optim load"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Nothing, Type::record())])
            .required("file", SyntaxShape::Filepath, "a file written by nutorch optim save")
            .required("model", super::model_shape(), "the model it trains (its parameters must match the saved ones)")
            .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "An optimizer over a model's parameters with the state saved by nutorch optim save (opt.load_state_dict(...))."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["load_state_dict", "checkpoint", "resume", "torch.load"]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let head = call.head;
        let path = super::file_path(engine, &args::positional(call, 0)?)?;
        let model_value = args::positional(call, 1)?;
        let model = ModelRecord::parse(plugin, &model_value)?;
        model.make_trainable(model_value.span())?;
        let file = nutorch_nn::io::load_tensors(&path.item).at(path.span)?;
        let meta = |key: &str| {
            file.metadata.get(key).ok_or_else(|| {
                invalid(
                    format!("this file has no `{key}` metadata: it was not written by nutorch optim save"),
                    path.span,
                )
            })
        };
        let spec = OptimizerSpec::from_json(meta(OPTIMIZER_KEY)?).at(path.span)?;
        let names: Vec<String> = serde_json::from_str(meta(PARAMETERS_KEY)?)
            .map_err(|e| invalid(format!("unreadable parameter names: {e}"), path.span))?;
        let model_names: Vec<&String> = model.param_ids.iter().map(|(n, _)| n).collect();
        if names.iter().collect::<Vec<_>>() != model_names {
            return Err(invalid(
                format!(
                    "the optimizer was saved for the parameters {} but this model has {}",
                    names.join(", "),
                    model_names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                ),
                model_value.span(),
            ));
        }
        let mut tensors = file.tensors;
        let epoch = tensors.remove(SCHEDULER_EPOCH);
        let device = model.model.device();
        let state: Vec<(String, Tensor)> = tensors
            .into_iter()
            .map(|(name, t)| {
                // Moments live with their parameter; lr and step counts stay on the CPU.
                let moves = name.contains('.') && !name.ends_with(".step");
                Ok((name, if moves { t.f_to(device)? } else { t }))
            })
            .collect::<nutorch_core::Result<_>>()
            .at(path.span)?;
        // Checks the names and shapes against the layout an optimizer over these parameters has.
        let optimizer = Optimizer::from_state(spec, model.model.parameters(), state).at(path.span)?;
        let scheduler = match (file.metadata.get(SCHEDULER_KEY), epoch) {
            (Some(json), Some(epoch)) => Some((SchedulerSpec::from_json(json).at(path.span)?, epoch)),
            _ => None,
        };
        Ok(PipelineData::Value(optimizer_value(plugin, &optimizer, scheduler, &model, head)?, None))
    }
}

/// `nutorch optim`: help for the family.
pub struct OptimRoot;

impl PluginCommand for OptimRoot {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch optim"
    }

    fn signature(&self) -> Signature {
        crate::commands::did_you_mean::family_signature(self.name())
    }

    fn description(&self) -> &str {
        "Optimizers (torch.optim): SGD, Adam, AdamW, RMSprop over a model's parameters, with learning-rate schedules."
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
