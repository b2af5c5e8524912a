//! The tensor as Nushell sees it: a custom value carrying the tensor's id.
//!
//! The tensor itself stays in libtorch memory (or the store); the value carries a snapshot of
//! shape, dtype, device and requires_grad so that it can describe itself without the plugin.

use nu_protocol::{record, CustomValue, ShellError, Span, Value};
use nutorch_core::TensorInfo;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorValue {
    pub id: String,
    pub shape: Vec<i64>,
    pub dtype: String,
    pub device: String,
    pub requires_grad: bool,
}

impl TensorValue {
    pub fn new(id: String, info: &TensorInfo) -> Self {
        TensorValue {
            id,
            shape: info.shape.clone(),
            dtype: info.dtype.name().to_string(),
            device: info.device.clone(),
            requires_grad: info.requires_grad,
        }
    }

    pub fn into_value(self, span: Span) -> Value {
        Value::custom(Box::new(self), span)
    }

    /// The summary record shown at the end of a pipeline; `values` is a short preview.
    pub fn summary(&self, values: Option<String>, span: Span) -> Value {
        // Shown as text: a nested list would display as "[list 1 item]". `$t.shape` gives the list.
        let shape = Value::string(format!("{:?}", self.shape), span);
        let mut rec = record! {
            "id" => Value::string(&self.id, span),
            "shape" => shape,
            "dtype" => Value::string(&self.dtype, span),
            "device" => Value::string(&self.device, span),
            "requires_grad" => Value::bool(self.requires_grad, span),
        };
        if let Some(values) = values {
            rec.push("values", Value::string(values, span));
        }
        Value::record(rec, span)
    }
}

#[typetag::serde]
impl CustomValue for TensorValue {
    fn clone_value(&self, span: Span) -> Value {
        Value::custom(Box::new(self.clone()), span)
    }

    fn type_name(&self) -> String {
        "tensor".into()
    }

    /// Without the plugin's state: the snapshot only (the plugin adds a value preview).
    fn to_base_value(&self, span: Span) -> Result<Value, ShellError> {
        Ok(self.summary(None, span))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_mut_any(&mut self) -> &mut dyn std::any::Any {
        self
    }

    /// The plugin counts the values it sent out and frees the tensor when the last is dropped.
    fn notify_plugin_on_drop(&self) -> bool {
        true
    }
}
