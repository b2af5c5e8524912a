//! A model as Nushell holds it: a record with the architecture and its parameters as stored
//! tensors. Parsing checks every part and labels mistakes at the part that is wrong.

use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use nu_protocol::{record, LabeledError, Record, Span, Value};
use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_core::{device::device_name, DType, Error, Result};
use nutorch_nn::{Linear, Module, SimpleNN};

/// The architectures a model record can describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// `nn.Linear(input, output)`: parameters `weight` `[output, input]`, `bias` `[output]`.
    Linear { input: i64, output: i64 },
    /// fc2(relu(fc1(x))): parameters `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias`.
    SimpleNN { input: i64, hidden: i64, output: i64 },
}

pub const LINEAR: &str = "Linear";
pub const SIMPLE_NN: &str = nutorch_nn::simple_nn::KIND;
const LINEAR_NAMES: [&str; 2] = ["weight", "bias"];

/// What a model record must look like, for error messages.
pub const SHAPE_HINT: &str = "a model is a record {kind: SimpleNN, input, hidden, output, parameters: {fc1.weight, fc1.bias, fc2.weight, fc2.bias}} \
     or {kind: Linear, input, output, parameters: {weight, bias}}, as `nutorch nn simple-nn`, `nutorch nn linear` and `nutorch nn load` make";

impl Arch {
    pub fn kind(self) -> &'static str {
        match self {
            Arch::Linear { .. } => LINEAR,
            Arch::SimpleNN { .. } => SIMPLE_NN,
        }
    }

    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            Arch::Linear { .. } => &LINEAR_NAMES,
            Arch::SimpleNN { .. } => &nutorch_nn::simple_nn::PARAMETER_NAMES,
        }
    }

    pub fn input(self) -> i64 {
        match self {
            Arch::Linear { input, .. } | Arch::SimpleNN { input, .. } => input,
        }
    }

    pub fn output(self) -> i64 {
        match self {
            Arch::Linear { output, .. } | Arch::SimpleNN { output, .. } => output,
        }
    }

    /// The expected shape of each parameter, in `parameter_names` order.
    fn shapes(self) -> Vec<Vec<i64>> {
        match self {
            Arch::Linear { input, output } => vec![vec![output, input], vec![output]],
            Arch::SimpleNN { input, hidden, output } => {
                vec![vec![hidden, input], vec![hidden], vec![output, hidden], vec![output]]
            }
        }
    }

    /// The architecture as the record's fields (without parameters), and as file metadata.
    fn sizes(self) -> Vec<(&'static str, i64)> {
        match self {
            Arch::Linear { input, output } => vec![("input", input), ("output", output)],
            Arch::SimpleNN { input, hidden, output } => vec![("input", input), ("hidden", hidden), ("output", output)],
        }
    }

    /// Infers the sizes from the parameters' shapes (`weight` `[out, in]` of each layer).
    fn from_shapes(kind: &str, shapes: &[Vec<i64>]) -> Option<Arch> {
        match (kind, shapes) {
            (LINEAR, [w, ..]) if w.len() == 2 => Some(Arch::Linear { input: w[1], output: w[0] }),
            (SIMPLE_NN, [w1, _, w2, ..]) if w1.len() == 2 && w2.len() == 2 => {
                Some(Arch::SimpleNN { input: w1[1], hidden: w1[0], output: w2[0] })
            }
            _ => None,
        }
    }

    pub fn metadata(self) -> std::collections::HashMap<String, String> {
        let mut map = std::collections::HashMap::from([("kind".to_string(), self.kind().to_string())]);
        for (key, size) in self.sizes() {
            map.insert(key.to_string(), size.to_string());
        }
        map
    }
}

/// A parsed model: its architecture and its parameters (the stored tensors themselves:
/// shallow handles that share storage and autograd identity with the store's).
pub struct Model {
    pub arch: Arch,
    pub params: Vec<Param>,
    pub span: Span,
}

pub struct Param {
    pub name: &'static str,
    pub tensor: Tensor,
    pub span: Span,
}

impl Model {
    /// Reads a model record, checking kind, parameter names, shapes, dtypes and devices.
    pub fn parse(plugin: &NutorchPlugin, value: &Value) -> std::result::Result<Model, LabeledError> {
        let span = value.span();
        let not_model = |what: String| LabeledError::new("Not a model").with_label(what, span).with_help(SHAPE_HINT);
        let Value::Record { val: rec, .. } = value else {
            return Err(not_model(format!("expected a model record, found {}", value.get_type())));
        };
        let kind_value = rec.get("kind").ok_or_else(|| not_model("this record has no `kind` field".into()))?;
        let kind = match kind_value {
            Value::String { val, .. } if val == LINEAR || val == SIMPLE_NN => val.as_str(),
            other => {
                return Err(LabeledError::new("Not a model")
                    .with_label(
                        format!("unknown model kind {}; expected {SIMPLE_NN} or {LINEAR}", describe(other)),
                        other.span(),
                    )
                    .with_help(SHAPE_HINT))
            }
        };
        let names: &[&str] = if kind == LINEAR { &LINEAR_NAMES } else { &nutorch_nn::simple_nn::PARAMETER_NAMES };
        let params_value =
            rec.get("parameters").ok_or_else(|| not_model(format!("this {kind} record has no `parameters` field")))?;
        let Value::Record { val: params_rec, .. } = params_value else {
            return Err(invalid(
                format!("`parameters` must be a record of tensors, found {}", params_value.get_type()),
                params_value.span(),
            ));
        };
        let mut params = Vec::with_capacity(names.len());
        for name in names {
            let Some(v) = params_rec.get(*name) else {
                let present = params_rec.columns().cloned().collect::<Vec<_>>().join(", ");
                return Err(invalid(
                    format!("a {kind} needs the parameter `{name}` (it has: {present}); expected {}", names.join(", ")),
                    params_value.span(),
                ));
            };
            let tensor = args::tensor(plugin, v)?;
            params.push(Param { name, tensor: tensor.item, span: tensor.span });
        }
        if let Some(extra) = params_rec.columns().find(|c| !names.contains(&c.as_str())) {
            return Err(invalid(
                format!("a {kind} has no parameter `{extra}`; expected {}", names.join(", ")),
                params_value.span(),
            ));
        }
        let shapes: Vec<Vec<i64>> = params.iter().map(|p| p.tensor.size()).collect();
        let arch = Arch::from_shapes(kind, &shapes).ok_or_else(|| {
            invalid(format!("`{}` must be a 2-D weight, got shape {:?}", params[0].name, shapes[0]), params[0].span)
        })?;
        for (param, expected) in params.iter().zip(arch.shapes()) {
            let shape = param.tensor.size();
            if shape != expected {
                return Err(invalid(
                    format!("`{}` has shape {shape:?}; this {kind} needs {expected:?}", param.name),
                    param.span,
                ));
            }
        }
        // The record's own size fields, when present, must agree with the tensors.
        for (key, size) in arch.sizes() {
            if let Some(v) = rec.get(key) {
                if v.as_int().ok() != Some(size) {
                    return Err(invalid(
                        format!("`{key}` says {} but the parameters have {key} size {size}", describe(v)),
                        v.span(),
                    ));
                }
            }
        }
        let first = &params[0];
        let kind0 = first.tensor.f_kind().at(first.span)?;
        let dtype = DType::from_kind(kind0).at(first.span)?;
        if !dtype.is_floating_point() {
            return Err(invalid(format!("`{}` is {dtype}; parameters must be floating point", first.name), first.span));
        }
        for p in &params[1..] {
            let other = DType::of(&p.tensor).at(p.span)?;
            if other != dtype {
                return Err(invalid(
                    format!("`{}` is {other} but `{}` is {dtype}; parameters must share one dtype", p.name, first.name),
                    p.span,
                ));
            }
            if p.tensor.device() != first.tensor.device() {
                return Err(invalid(
                    format!(
                        "`{}` is on {} but `{}` is on {}; parameters must be on one device",
                        p.name,
                        device_name(p.tensor.device()),
                        first.name,
                        device_name(first.tensor.device())
                    ),
                    p.span,
                ));
            }
        }
        Ok(Model { arch, params, span })
    }

    pub fn device(&self) -> Device {
        self.params[0].tensor.device()
    }

    pub fn kind(&self) -> Kind {
        self.params[0].tensor.f_kind().unwrap_or(Kind::Float)
    }

    /// The parameters with their names (shallow handles).
    pub fn named(&self) -> Vec<(String, Tensor)> {
        self.params.iter().map(|p| (p.name.to_string(), p.tensor.shallow_clone())).collect()
    }

    /// Checks that `x` can be fed to this model: floating point of the parameters' dtype, on
    /// their device, with `input` features in its last dimension. Errors read as PyTorch users
    /// expect and are meant to be labelled at `x`'s argument.
    pub fn check_input(&self, x: &Tensor, rows_only: bool) -> Result<()> {
        let shape = x.size();
        let input = self.arch.input();
        let ok_rank = if rows_only { shape.len() == 2 } else { !shape.is_empty() };
        if !ok_rank || shape.last() != Some(&input) {
            let want = if rows_only { format!("[N, {input}]") } else { format!("[..., {input}]") };
            return Err(Error::Value(format!(
                "this {} takes inputs of shape {want} ({input} features), got shape {shape:?}",
                self.arch.kind()
            )));
        }
        let (x_dtype, dtype) = (DType::of(x)?, DType::of(&self.params[0].tensor)?);
        if x_dtype != dtype {
            return Err(Error::Value(format!(
                "the model's parameters are {dtype} but the input is {x_dtype}; convert the input to {dtype} first"
            )));
        }
        if x.device() != self.device() {
            return Err(Error::Value(format!(
                "the model is on {} but the input is on {}; move one of them",
                device_name(self.device()),
                device_name(x.device())
            )));
        }
        Ok(())
    }

    /// The forward pass on the stored parameters themselves, so that gradients flow into
    /// them (`loss.backward()` after `nutorch nn forward` fills their `.grad`).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.check_input(x, false)?;
        let p = |i: usize| &self.params[i].tensor;
        match self.arch {
            Arch::Linear { .. } => linear(x, p(0), p(1)),
            Arch::SimpleNN { .. } => linear(&linear(x, p(0), p(1))?.f_relu()?, p(2), p(3)),
        }
    }

    /// A trainable copy built from nutorch-nn's layers (the fast training path); write the
    /// result back with [`Model::assign`].
    pub fn to_network(&self) -> Result<Box<dyn Module>> {
        let p = |i: usize| &self.params[i].tensor;
        Ok(match self.arch {
            Arch::Linear { .. } => Box::new(Linear::from_weights(p(0), p(1))?),
            Arch::SimpleNN { .. } => {
                Box::new(SimpleNN::from_layers(Linear::from_weights(p(0), p(1))?, Linear::from_weights(p(2), p(3))?)?)
            }
        })
    }

    /// Copies `values` (one per parameter, same order) into the stored parameters, in place
    /// and without autograd: the ids stay, the store sees the change and writes it out.
    pub fn assign(&self, values: &[Tensor]) -> Result<()> {
        nutorch_core::tch::no_grad(|| {
            for (param, value) in self.params.iter().zip(values) {
                let mut target = param.tensor.shallow_clone();
                target.f_copy_(value)?;
            }
            Ok(())
        })
    }
}

/// `nn.Linear`'s function on rows: `x @ W.T + b`.
fn linear(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
    Ok(x.f_matmul(&weight.f_tr()?)?.f_add(bias)?)
}

fn describe(value: &Value) -> String {
    match value {
        Value::String { val, .. } => format!("'{val}'"),
        Value::Int { val, .. } => val.to_string(),
        other => other.get_type().to_string(),
    }
}

/// Stores `params` (named, in the architecture's order) and builds the model record.
pub fn model_value(
    plugin: &NutorchPlugin,
    arch: Arch,
    params: Vec<(String, Tensor)>,
    span: Span,
) -> std::result::Result<Value, LabeledError> {
    let mut parameters = Record::new();
    for (name, tensor) in params {
        parameters.push(name, plugin.tensor_value(tensor, span)?);
    }
    let mut rec = record! { "kind" => Value::string(arch.kind(), span) };
    for (key, size) in arch.sizes() {
        rec.push(key, Value::int(size, span));
    }
    rec.push("parameters", Value::record(parameters, span));
    Ok(Value::record(rec, span))
}

/// Makes every parameter a leaf that requires grad (as nn.Module parameters are), also after
/// a move to another device (which records the copy in the graph).
pub fn trainable(params: Vec<(String, Tensor)>) -> Result<Vec<(String, Tensor)>> {
    params
        .into_iter()
        .map(|(name, t)| Ok((name, nutorch_core::autograd::set_requires_grad(t.f_detach()?, true)?)))
        .collect()
}
