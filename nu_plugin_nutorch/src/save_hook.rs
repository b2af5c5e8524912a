//! Nushell's `save` of a tensor (`nutorch linspace 0 1 5 | save t.npy`): the engine hands the
//! custom value and the path to the plugin, which writes the tensor's data in the format the
//! extension names (see [`crate::files`]).

use crate::errors::At;
use crate::plugin::NutorchPlugin;
use crate::tensor_value::TensorValue;
use nu_protocol::{CustomValue, LabeledError, Span, Spanned};
use std::path::Path;

/// Writes the tensor `value` to `path`; errors are labelled at the path (format, I/O) or at
/// the value (a tensor that is gone).
pub(crate) fn save(
    plugin: &NutorchPlugin,
    value: &Spanned<Box<dyn CustomValue>>,
    path: Spanned<&Path>,
    save_call_span: Span,
) -> Result<(), LabeledError> {
    let Some(tensor_value) = value.item.as_any().downcast_ref::<TensorValue>() else {
        return Err(LabeledError::new("Cannot save").with_label("not a tensor", value.span));
    };
    let tensor = plugin.tensor(&tensor_value.id).at(value.span)?;
    let span = if path.span == Span::unknown() { save_call_span } else { path.span };
    crate::files::save_one(&tensor, path.item, crate::files::Unknown::Refuse).at(span)
}
