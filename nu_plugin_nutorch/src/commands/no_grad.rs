use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::engine::Closure;
use nu_protocol::{Example, LabeledError, PipelineData, Signature, Spanned, SyntaxShape, Type, Value};

/// `nutorch no-grad { ... }`: torch.no_grad() as a block.
pub struct NoGrad {
    name: &'static str,
}

impl NoGrad {
    /// Named `no-grad` (Nushell style) and `no_grad` (PyTorch's spelling).
    pub fn new(verb: &'static str) -> NoGrad {
        NoGrad { name: if verb == "no-grad" { "nutorch no-grad" } else { "nutorch no_grad" } }
    }
}

impl PluginCommand for NoGrad {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name)
            .input_output_types(vec![(Type::Any, Type::Any)])
            .required("block", SyntaxShape::Closure(None), "the code to run without gradient tracking")
            .rest("args", SyntaxShape::Any, "values for the block's parameters (how tensors get into the block)")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Runs a closure with gradient tracking off for every nutorch op inside it (torch.no_grad)."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: `with torch.no_grad():`. Results computed inside do not require grad, and \
         in-place updates of parameters that require grad are allowed (an SGD step: \
         `nutorch no-grad {|w| $w | nutorch sub_ $w.grad --alpha 0.1 } $w`). Tensors reach the \
         block as its parameters (the arguments after the block) or as its input ($in): a block \
         cannot capture tensor variables, because Nushell 0.115 does not hand captured plugin \
         values back to the plugin. The block's result is the command's result. Blocks nest; \
         while one runs, every op of this plugin runs without grad. See also \
         `nutorch set_grad_enabled`."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.no_grad", "autograd", "inference"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "let w = (nutorch fromvalue [1.0 2.0] --requires-grad); (nutorch no-grad {|w| $w | nutorch mul 2 } $w).requires_grad",
            description: "Results computed in the block do not track gradients",
            result: Some(Value::test_bool(false)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let closure: Spanned<Closure> = call.req(0)?;
        if closure.item.captures.iter().any(|(_, v)| holds_custom(v)) {
            return Err(LabeledError::new("Block captures tensors")
                .with_label("this block uses a tensor variable from outside it", closure.span)
                .with_help("pass tensors as the block's parameters: nutorch no-grad {|w| $w | nutorch sub_ $w.grad --alpha 0.1 } $w"));
        }
        let args: Vec<Value> = call.positional.iter().skip(1).cloned().collect();
        let input = match input.into_value(call.head)? {
            Value::Nothing { .. } => None,
            v => Some(v),
        };
        // Each tensor value sent to the engine is a new value that it will report dropped, so
        // every one sent (arguments, input, and the block's result on its way out) is counted.
        args.iter().chain(input.iter()).for_each(|v| retain_tensors(plugin, v));
        // Held until the closure returns, errors included.
        let block = plugin.grad_mode().no_grad();
        let value = engine.eval_closure(&closure, args, input)?;
        drop(block);
        retain_tensors(plugin, &value);
        Ok(PipelineData::Value(value, None))
    }
}

/// Whether a value holds a custom value (a tensor) anywhere inside.
fn holds_custom(value: &Value) -> bool {
    match value {
        Value::Custom { .. } => true,
        Value::List { vals, .. } => vals.iter().any(holds_custom),
        Value::Record { val, .. } => val.values().any(holds_custom),
        _ => false,
    }
}

/// `nutorch set_grad_enabled <bool>`: torch.set_grad_enabled, for scripts that switch
/// gradients off and on around several steps.
pub struct SetGradEnabled;

impl PluginCommand for SetGradEnabled {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch set_grad_enabled"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name())
            .input_output_types(vec![(Type::Any, Type::Nothing)])
            .required("mode", SyntaxShape::Boolean, "true to track gradients, false not to")
            .category(super::category())
    }

    fn description(&self) -> &str {
        "Switches gradient tracking on or off for every following op (torch.set_grad_enabled)."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: torch.set_grad_enabled(mode). Plugin-wide until switched back (or the plugin \
         restarts); `nutorch no-grad { }` scopes it to a block instead. `nutorch is_grad_enabled` \
         tells the current state."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.set_grad_enabled", "no_grad", "autograd"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch set_grad_enabled false; let off = (nutorch is_grad_enabled); nutorch set_grad_enabled true; $off",
            description: "Off, then on again",
            result: Some(Value::test_bool(false)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let mode: bool = call.req(0)?;
        plugin.grad_mode().set_enabled(mode);
        // Kept with the store, so that a restarted plugin process has the same grad mode.
        plugin.store().set_session(nutorch_store::Session { grad_enabled: mode });
        Ok(PipelineData::Value(Value::nothing(call.head), None))
    }
}

/// `nutorch is_grad_enabled`: torch.is_grad_enabled.
pub struct IsGradEnabled;

impl PluginCommand for IsGradEnabled {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch is_grad_enabled"
    }

    fn signature(&self) -> Signature {
        Signature::build(self.name()).input_output_types(vec![(Type::Any, Type::Bool)]).category(super::category())
    }

    fn description(&self) -> &str {
        "Whether ops track gradients now (torch.is_grad_enabled): false inside no-grad blocks."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.is_grad_enabled", "autograd"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![Example {
            example: "nutorch no-grad { nutorch is_grad_enabled }",
            description: "Off inside a no-grad block",
            result: Some(Value::test_bool(false)),
        }]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        Ok(PipelineData::Value(Value::bool(!plugin.grad_mode().is_no_grad(), call.head), None))
    }
}

/// Counts one more reference for each tensor held in `value`.
fn retain_tensors(plugin: &NutorchPlugin, value: &Value) {
    match value {
        Value::Custom { val, .. } => {
            if let Some(t) = val.as_any().downcast_ref::<crate::tensor_value::TensorValue>() {
                let _ = plugin.store().retain(&t.id);
            }
        }
        Value::List { vals, .. } => vals.iter().for_each(|v| retain_tensors(plugin, v)),
        Value::Record { val, .. } => val.values().for_each(|v| retain_tensors(plugin, v)),
        _ => {}
    }
}
