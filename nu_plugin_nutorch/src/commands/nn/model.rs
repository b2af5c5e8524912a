//! A model as Nushell holds it: a record
//! `{spec: <architecture>, training: true, parameters: {0.weight: <tensor>, …}, buffers: {…}}`.
//!
//! The architecture is a [`LayerSpec`] shown as a record (`{type: Linear, in_features: 13,
//! out_features: 64, bias: true}`, `{type: Sequential, layers: [...]}`); parameters and
//! buffers are stored tensors under their PyTorch `state_dict` names, so a model in a variable
//! survives plugin restarts like any tensor, and training updates those tensors in place (same
//! ids). Parsing wraps the stored tensors without copying them and labels mistakes at the
//! part of the record that is wrong.

use crate::args;
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use crate::values::{from_json, to_json};
use nu_protocol::{record, LabeledError, Record, Span, Value};
use nutorch_core::tch::Tensor;
use nutorch_nn::{LayerSpec, Model, Module};

/// What a model record must look like, for error messages.
pub const SHAPE_HINT: &str = "a model is a record {spec: <architecture>, training: <bool>, parameters: {<name>: <tensor>, …}, buffers: {…}}, \
     as `nutorch nn sequential`, the layer commands (`nutorch nn linear`, …), `nutorch nn simple-nn` and `nutorch nn load` make";

/// A parsed model record: the network around the stored tensors, and the id of each tensor
/// by `state_dict` name (parameters, then buffers).
pub struct ModelRecord {
    pub model: Model,
    pub param_ids: Vec<(String, String)>,
    pub buffer_ids: Vec<(String, String)>,
    pub span: Span,
}

impl ModelRecord {
    /// Reads a model record, checking the architecture and every tensor against it.
    pub fn parse(plugin: &NutorchPlugin, value: &Value) -> Result<ModelRecord, LabeledError> {
        let span = value.span();
        let not_model = |what: String| LabeledError::new("Not a model").with_label(what, span).with_help(SHAPE_HINT);
        let Value::Record { val: rec, .. } = value else {
            return Err(not_model(format!("expected a model record, found {}", value.get_type())));
        };
        if rec.get("spec").is_none() && rec.get("kind").is_none() {
            return Err(not_model("this record has no `spec` (architecture) field".into()));
        }
        let params_value =
            rec.get("parameters").ok_or_else(|| not_model("this record has no `parameters` field".into()))?;
        let params = tensors_of(plugin, params_value, "parameters")?;
        let buffers = match rec.get("buffers") {
            Some(v) => tensors_of(plugin, v, "buffers")?,
            None => Vec::new(),
        };
        let spec = match (rec.get("spec"), rec.get("kind")) {
            (Some(spec_value), _) => parse_spec(spec_value)?,
            (None, Some(kind)) => legacy_spec(kind, &params)?,
            (None, None) => return Err(not_model("this record has no `spec` (architecture) field".into())),
        };
        let training = match rec.get("training") {
            None => true,
            Some(Value::Bool { val, .. }) => *val,
            Some(other) => {
                return Err(invalid(format!("`training` must be a bool, found {}", other.get_type()), other.span()))
            }
        };
        let param_ids: Vec<(String, String)> = params.iter().map(|p| (p.name.clone(), p.id.clone())).collect();
        let buffer_ids: Vec<(String, String)> = buffers.iter().map(|p| (p.name.clone(), p.id.clone())).collect();
        let spans: Vec<(String, Span)> =
            params.iter().chain(buffers.iter()).map(|p| (p.name.clone(), p.span)).collect();
        let model = Model::from_tensors(
            &spec,
            params.into_iter().map(|p| (p.name, p.tensor)).collect(),
            buffers.into_iter().map(|p| (p.name, p.tensor)).collect(),
        )
        .map_err(|e| {
            // Label the tensor the message names, else the parameters record.
            let message = e.to_string();
            let named = message.split('`').nth(1).and_then(|n| spans.iter().find(|(name, _)| name == n));
            crate::errors::labeled(e, named.map(|(_, s)| *s).unwrap_or(params_value.span()))
        })?;
        let mut model = model;
        model.set_training(training);
        Ok(ModelRecord { model, param_ids, buffer_ids, span })
    }

    /// Makes every parameter a leaf that requires grad, as `nn.Parameter`s are, in place (the
    /// stored tensors change flag, not value): a model assembled from plain tensors (loaded
    /// with `nutorch load`, made with `fromvalue`) trains like one made by the layer commands.
    /// A parameter computed from others (with a grad_fn) cannot be one.
    pub fn make_trainable(&self, span: Span) -> Result<(), LabeledError> {
        for (name, tensor) in self.model.named_parameters() {
            if tensor.requires_grad() {
                if !tensor.f_is_leaf().at(span)? {
                    return Err(invalid(
                        format!("the parameter `{name}` is the result of a computation, not a leaf; detach it first (nutorch detach)"),
                        span,
                    ));
                }
                continue;
            }
            let mut tensor = tensor;
            let _ = tensor.f_requires_grad_(true).at(span)?;
        }
        Ok(())
    }

    /// The same model as a new Nushell value (the same tensors, each counted once more),
    /// in `training` mode.
    pub fn to_value(&self, plugin: &NutorchPlugin, training: bool, span: Span) -> Result<Value, LabeledError> {
        record_from_ids(plugin, self.model.spec(), training, &self.param_ids, &self.buffer_ids, span)
    }
}

struct NamedTensor {
    name: String,
    id: String,
    tensor: Tensor,
    span: Span,
}

fn tensors_of(plugin: &NutorchPlugin, value: &Value, field: &str) -> Result<Vec<NamedTensor>, LabeledError> {
    let Value::Record { val, .. } = value else {
        return Err(invalid(
            format!("`{field}` must be a record of tensors, found {}", value.get_type()),
            value.span(),
        ));
    };
    val.iter()
        .map(|(name, v)| {
            let id = args::tensor_id(v)
                .map_err(|_| invalid(format!("`{field}.{name}` is not a tensor (found {})", v.get_type()), v.span()))?;
            let tensor = plugin.tensor(&id.item).at(id.span)?;
            Ok(NamedTensor { name: name.clone(), id: id.item, tensor, span: v.span() })
        })
        .collect()
}

/// An architecture record (or its JSON text) as a [`LayerSpec`].
pub fn parse_spec(value: &Value) -> Result<LayerSpec, LabeledError> {
    let json = match value {
        Value::String { val, .. } => val.clone(),
        other => to_json(other)?.to_string(),
    };
    LayerSpec::from_json(&json).at(value.span())
}

/// A [`LayerSpec`] as a Nushell record.
pub fn spec_value(spec: &LayerSpec, span: Span) -> Value {
    let json: serde_json::Value = serde_json::from_str(&spec.to_json()).unwrap_or(serde_json::Value::Null);
    from_json(&json, span)
}

/// Records made before architectures were part of them: `{kind: Linear|SimpleNN, parameters}`,
/// the sizes read off the weights.
fn legacy_spec(kind: &Value, params: &[NamedTensor]) -> Result<LayerSpec, LabeledError> {
    let shape = |name: &str| params.iter().find(|p| p.name == name).map(|p| p.tensor.size());
    let needs: &[&str] = match kind.as_str().unwrap_or("") {
        "Linear" => &["weight"],
        "SimpleNN" => &["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
        _ => &[],
    };
    if let Some(missing) = needs.iter().find(|n| shape(n).is_none()) {
        return Err(invalid(
            format!(
                "a {} needs the parameter `{missing}` (it needs {})",
                kind.as_str().unwrap_or(""),
                needs.join(", ")
            ),
            kind.span(),
        ));
    }
    let spec = match kind.as_str().unwrap_or("") {
        "Linear" => shape("weight").filter(|w| w.len() == 2).map(|w| LayerSpec::Linear {
            in_features: w[1],
            out_features: w[0],
            bias: params.iter().any(|p| p.name == "bias"),
        }),
        "SimpleNN" => match (shape("fc1.weight"), shape("fc2.weight")) {
            (Some(w1), Some(w2)) if w1.len() == 2 && w2.len() == 2 => {
                Some(LayerSpec::SimpleNn { input: w1[1], hidden: w1[0], output: w2[0] })
            }
            _ => None,
        },
        _ => {
            return Err(invalid(
                "unknown model kind; a model record describes its architecture under `spec`",
                kind.span(),
            )
            .with_help(SHAPE_HINT))
        }
    };
    spec.ok_or_else(|| invalid("the weights do not have the shapes this kind needs", kind.span()))
}

/// The record for a model whose tensors are already stored (ids given): each tensor value
/// counts as one more reference.
pub fn record_from_ids(
    plugin: &NutorchPlugin,
    spec: &LayerSpec,
    training: bool,
    params: &[(String, String)],
    buffers: &[(String, String)],
    span: Span,
) -> Result<Value, LabeledError> {
    let tensors = |ids: &[(String, String)]| -> Result<Value, LabeledError> {
        let values = ids.iter().map(|(name, id)| Ok((name.clone(), plugin.existing_tensor_value(id, span)?)));
        Ok(Value::record(values.collect::<Result<Record, LabeledError>>()?, span))
    };
    Ok(model_record(spec, training, tensors(params)?, tensors(buffers)?, span))
}

/// Stores a new model's tensors and builds its record.
pub fn new_model_value(plugin: &NutorchPlugin, model: &Model, span: Span) -> Result<Value, LabeledError> {
    let store = |named: Vec<(String, Tensor)>| -> Result<Value, LabeledError> {
        let values = named.into_iter().map(|(name, tensor)| Ok((name, plugin.tensor_value(tensor, span)?)));
        Ok(Value::record(values.collect::<Result<Record, LabeledError>>()?, span))
    };
    let (params, buffers) = (store(model.named_parameters())?, store(model.named_buffers())?);
    Ok(model_record(model.spec(), model.is_training(), params, buffers, span))
}

/// `{spec, training, parameters, buffers}`.
fn model_record(spec: &LayerSpec, training: bool, parameters: Value, buffers: Value, span: Span) -> Value {
    Value::record(
        record! {
            "spec" => spec_value(spec, span),
            "training" => Value::bool(training, span),
            "parameters" => parameters,
            "buffers" => buffers,
        },
        span,
    )
}
