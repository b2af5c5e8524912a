//! The plugin object: owns the tensor registry and answers Nushell's custom-value hooks.

use crate::errors::At;
use crate::tensor_value::TensorValue;
use crate::values::preview_text;
use nu_plugin::{EngineInterface, Plugin, PluginCommand};
use nu_protocol::{CustomValue, LabeledError, Span, Spanned, Value};
use nutorch_core::tch::Tensor;
use nutorch_core::{info, Result, TensorInfo};
use nutorch_store::Registry;

/// How many values a tensor summary shows.
const PREVIEW_VALUES: i64 = 6;

pub struct NutorchPlugin {
    registry: Registry,
}

impl Default for NutorchPlugin {
    fn default() -> Self {
        Self::new()
    }
}

impl NutorchPlugin {
    pub fn new() -> Self {
        NutorchPlugin { registry: Registry::new() }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The tensor stored under `id`.
    pub fn tensor(&self, id: &str) -> Result<Tensor> {
        self.registry.get(id)
    }

    /// Stores a new tensor and returns the value that Nushell will hold for it.
    pub fn tensor_value(&self, tensor: Tensor, span: Span) -> std::result::Result<Value, LabeledError> {
        let info = TensorInfo::of(&tensor).at(span)?;
        let id = self.registry.insert(tensor);
        self.registry.retain(&id).at(span)?;
        Ok(TensorValue::new(id, &info).into_value(span))
    }

    fn summary(&self, tensor_value: &TensorValue, span: Span) -> Value {
        // A fresh snapshot when the tensor is here (it may have changed, e.g. requires_grad);
        // the carried one otherwise.
        match self.registry.get(&tensor_value.id) {
            Ok(tensor) => {
                let fresh = TensorInfo::of(&tensor)
                    .map(|i| TensorValue::new(tensor_value.id.clone(), &i))
                    .unwrap_or_else(|_| tensor_value.clone());
                let single = fresh.dtype != "float64" && fresh.dtype != "complex128";
                let preview = info::preview(&tensor, PREVIEW_VALUES)
                    .ok()
                    .map(|data| preview_text(&data, tensor.numel(), single));
                fresh.summary(preview, span)
            }
            Err(_) => tensor_value.summary(Some("<freed>".into()), span),
        }
    }
}

impl Plugin for NutorchPlugin {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").into()
    }

    fn commands(&self) -> Vec<Box<dyn PluginCommand<Plugin = Self>>> {
        crate::commands::all()
    }

    fn custom_value_to_base_value(
        &self,
        _engine: &EngineInterface,
        custom_value: Spanned<Box<dyn CustomValue>>,
    ) -> std::result::Result<Value, LabeledError> {
        let span = custom_value.span;
        crate::guard::guard(span, || match custom_value.item.as_any().downcast_ref::<TensorValue>() {
            Some(t) => Ok(self.summary(t, span)),
            None => custom_value.item.to_base_value(span).map_err(LabeledError::from),
        })
    }

    fn custom_value_dropped(
        &self,
        _engine: &EngineInterface,
        custom_value: Box<dyn CustomValue>,
    ) -> std::result::Result<(), LabeledError> {
        if let Some(t) = custom_value.as_any().downcast_ref::<TensorValue>() {
            self.registry.release(&t.id);
        }
        Ok(())
    }
}
