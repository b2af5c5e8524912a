//! The tensor as Nushell sees it: a custom value carrying the tensor's id.
//!
//! The tensor itself stays in libtorch memory (or the store); the value carries a snapshot of
//! shape, dtype, device and requires_grad so that it can describe itself without the plugin.
//! At the end of a pipeline (and for `to json`, which Nushell converts the same way) it is the
//! text PyTorch prints for the tensor (`nutorch_core::repr`).

use nu_protocol::{CustomValue, ShellError, Span, Value};
use nutorch_core::{DType, TensorInfo};

/// Serialized compactly (`wire.rs`): the value crosses the plugin protocol with every command
/// that takes or returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorValue {
    pub id: String,
    pub shape: Vec<i64>,
    pub dtype: String,
    pub device: String,
    pub requires_grad: bool,
}

mod wire;

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

    /// The text shown without the tensor's values (the plugin's state is needed for them):
    /// PyTorch's text for a tensor whose data is elsewhere, `tensor(..., size=(2, 3))`.
    pub fn placeholder(&self) -> String {
        match DType::parse(&self.dtype) {
            Ok(dtype) => nutorch_core::repr::placeholder_repr(&self.shape, dtype, &self.device, self.requires_grad),
            Err(_) => format!("tensor(..., size={:?}, dtype={})", self.shape, self.dtype),
        }
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

    /// Without the plugin's state: the snapshot only (the plugin's hook gives the values).
    fn to_base_value(&self, span: Span) -> Result<Value, ShellError> {
        Ok(Value::string(self.placeholder(), span))
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
