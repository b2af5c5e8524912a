//! `nutorch nn sequential` (layers chained, `nn.Sequential`) and `nutorch nn simple-nn` (the
//! reference workload's network).

use super::layers::{place, placement_flags, seed_flag};
use super::model::{new_model_value, record_from_ids, ModelRecord};
use crate::errors::{invalid, labeled};
use crate::plugin::NutorchPlugin;
use nu_plugin::{EngineInterface, EvaluatedCall, PluginCommand};
use nu_protocol::{Example, LabeledError, PipelineData, Signature, SyntaxShape, Type, Value};
use nutorch_nn::{Init, LayerSpec, Model};

/// `nutorch nn sequential`: layers in order.
pub struct Sequential;

impl PluginCommand for Sequential {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn sequential"
    }

    fn signature(&self) -> Signature {
        placement_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::record()), (Type::list(Type::record()), Type::record())])
                .optional("layers", SyntaxShape::List(Box::new(SyntaxShape::Any)), "the layers, in order (model records from nutorch nn linear, relu, …, or other sequentials); or piped in"),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "Chain layers into one model: nn.Sequential(layer0, layer1, …); parameters are named 0.weight, 0.bias, 2.weight, …"
    }

    fn extra_description(&self) -> &str {
        "Without --seed the layers keep the parameters they were created with (no copy: the same \
         tensors). With --seed every parameter is drawn afresh, in PyTorch's order, after \
         torch.manual_seed(seed): the same values as torch.manual_seed(seed); \
         nn.Sequential(...). --device and --dtype convert the model (model.to(device, dtype)). \
         The layers must chain (the output of one fits the next); a mismatch is reported by \
         nn forward and nn fit with the layer's name and the shapes."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["nn.Sequential", "model", "mlp", "network", "chain", "stack"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "(nutorch nn sequential [(nutorch nn linear 13 64) (nutorch nn relu) (nutorch nn dropout 0.1) (nutorch nn linear 64 3)] --seed 0).parameters.\"3.weight\".shape",
                description: "An MLP; its parameters have PyTorch's state_dict names (0.weight, 0.bias, 3.weight, 3.bias)",
                result: Some(Value::test_list(vec![Value::test_int(3), Value::test_int(64)])),
            },
            Example {
                example: "let model = (nutorch nn sequential [(nutorch nn linear 2 3) (nutorch nn softmax 1)] --seed 0); nutorch ones 4 2 | nutorch nn forward $model | nutorch sum | nutorch round | nutorch item",
                description: "Each row of a softmax output sums to 1: four rows sum to 4",
                result: Some(Value::test_float(4.0)),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let layers_value = crate::args::piped_or_positional(
            input,
            call,
            0,
            "Missing layers",
            "give the layers as a list: nutorch nn sequential [(nutorch nn linear 4 8) (nutorch nn relu)]",
        )?;
        let Value::List { vals, .. } = &layers_value else {
            return Err(invalid(
                format!("expected a list of layers, found {}", layers_value.get_type()),
                layers_value.span(),
            ));
        };
        let mut children = Vec::with_capacity(vals.len());
        for layer in vals {
            children.push(ModelRecord::parse(plugin, layer)?);
        }
        let spec = LayerSpec::Sequential { layers: children.iter().map(|c| c.model.spec().clone()).collect() };
        let placed = call.get_flag_value("device").is_some() || call.get_flag_value("dtype").is_some();
        if call.get_flag_value("seed").is_some() {
            seed_flag(call)?;
            let model = place(Model::new(&spec).map_err(|e| labeled(e, call.head))?, call)?;
            return Ok(PipelineData::Value(new_model_value(plugin, &model, call.head)?, None));
        }
        // The children's own tensors, renamed under their index.
        let prefixed = |ids: &dyn Fn(&ModelRecord) -> &Vec<(String, String)>| -> Vec<(String, String)> {
            children
                .iter()
                .enumerate()
                .flat_map(|(i, c)| ids(c).iter().map(move |(name, id)| (format!("{i}.{name}"), id.clone())))
                .collect()
        };
        let params = prefixed(&|c| &c.param_ids);
        let buffers = prefixed(&|c| &c.buffer_ids);
        let training = children.iter().all(|c| nutorch_nn::Module::is_training(&c.model));
        if placed {
            let tensor = |id: &String| plugin.tensor(id).map_err(|e| labeled(e, call.head));
            let named = |ids: &[(String, String)]| -> Result<Vec<_>, LabeledError> {
                ids.iter().map(|(n, id)| Ok((n.clone(), tensor(id)?))).collect()
            };
            let model = Model::from_tensors(&spec, named(&params)?, named(&buffers)?)
                .map_err(|e| labeled(e, layers_value.span()))?;
            let model = place(model, call)?;
            return Ok(PipelineData::Value(new_model_value(plugin, &model, call.head)?, None));
        }
        Ok(PipelineData::Value(record_from_ids(plugin, &spec, training, &params, &buffers, call.head)?, None))
    }
}

/// `nutorch nn simple-nn`: fc2(relu(fc1(x))).
pub struct SimpleNn;

impl PluginCommand for SimpleNn {
    type Plugin = NutorchPlugin;

    fn name(&self) -> &str {
        "nutorch nn simple-nn"
    }

    fn signature(&self) -> Signature {
        placement_flags(
            Signature::build(self.name())
                .input_output_types(vec![(Type::Nothing, Type::record())])
                .required("input", SyntaxShape::Int, "number of input features")
                .required("hidden", SyntaxShape::Int, "width of the hidden layer")
                .required("output", SyntaxShape::Int, "number of outputs (classes)")
                .named(
                    "init",
                    SyntaxShape::String,
                    "default: nn.Linear's initialisation (uniform ±1/sqrt(fan_in)); randn: torch.randn for weight then bias of each layer",
                    None,
                ),
        )
        .category(crate::commands::category())
    }

    fn description(&self) -> &str {
        "A two-layer network fc2(relu(fc1(x))) with nn.Linear layers fc1: input→hidden, fc2: hidden→output, as a model record."
    }

    fn extra_description(&self) -> &str {
        "PyTorch: class SimpleNN(nn.Module) with self.fc1 = nn.Linear(input, hidden), \
         self.relu = nn.ReLU(), self.fc2 = nn.Linear(hidden, output). The parameters are drawn \
         as PyTorch draws them (fc1.weight, fc1.bias, fc2.weight, fc2.bias): after the same \
         --seed, the same values as torch.manual_seed(seed); SimpleNN(input, hidden, output). \
         The result is a model record {spec: {type: SimpleNN, input, hidden, output}, training, \
         parameters: {fc1.weight, fc1.bias, fc2.weight, fc2.bias}, buffers: {}}."
    }

    fn search_terms(&self) -> Vec<&str> {
        vec!["torch.nn", "model", "mlp", "network", "nn.Module"]
    }

    fn examples(&self) -> Vec<Example<'_>> {
        vec![
            Example {
                example: "(nutorch nn simple-nn 2 20 3 --seed 42).spec.hidden",
                description: "The seed's network: 2 inputs, 20 hidden units, 3 classes",
                result: Some(Value::test_int(20)),
            },
            Example {
                example: "(nutorch nn simple-nn 2 20 3 --seed 42).parameters.\"fc1.weight\".shape",
                description: "Its parameters are named as in PyTorch's state_dict(): fc1.weight is [hidden, input]",
                result: Some(Value::test_list(vec![Value::test_int(20), Value::test_int(2)])),
            },
        ]
    }

    fn run(
        &self,
        plugin: &NutorchPlugin,
        _engine: &EngineInterface,
        call: &EvaluatedCall,
        _input: PipelineData,
    ) -> Result<PipelineData, LabeledError> {
        let size = |index: usize, what: &str| -> Result<i64, LabeledError> {
            let value: nu_protocol::Spanned<i64> = call.req(index)?;
            if value.item < 1 {
                return Err(invalid(format!("{what} must be at least 1, got {}", value.item), value.span));
            }
            Ok(value.item)
        };
        let spec =
            LayerSpec::SimpleNn { input: size(0, "input")?, hidden: size(1, "hidden")?, output: size(2, "output")? };
        let init = match call.get_flag_value("init") {
            None => Init::Default,
            Some(v) => match v.coerce_str().as_deref() {
                Ok("default") | Ok("torch") => Init::Default,
                Ok("randn") => Init::Randn,
                _ => {
                    return Err(invalid(
                        "--init takes default (nn.Linear's initialisation) or randn (torch.randn)",
                        v.span(),
                    ))
                }
            },
        };
        seed_flag(call)?;
        let model = Model::with_init(&spec, init).map_err(|e| labeled(e, call.head))?;
        let model = place(model, call)?;
        Ok(PipelineData::Value(new_model_value(plugin, &model, call.head)?, None))
    }
}
