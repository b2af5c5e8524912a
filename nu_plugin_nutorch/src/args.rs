//! Reading a command's arguments: numbers, dtypes, devices and tensors, each error labelled
//! at the argument that caused it.

use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use crate::tensor_value::TensorValue;
use nu_plugin::EvaluatedCall;
use nu_protocol::{LabeledError, PipelineData, Span, Spanned, SyntaxShape, Value};
use nutorch_core::tch::{Device, Tensor};
use nutorch_core::{device, DType, Number};

/// A positional that takes `shape`, or a tensor in its place (the first positional doubles as
/// the tensor when none is piped in). Listing `shape` first keeps negative numbers such as
/// `-1` parsing as numbers rather than as flags.
pub fn or_tensor(shape: SyntaxShape) -> SyntaxShape {
    SyntaxShape::OneOf(vec![shape, SyntaxShape::Any])
}

/// A number argument (int or float kept apart, as PyTorch distinguishes them).
pub fn number(value: &Value) -> Result<Number, LabeledError> {
    match value {
        Value::Int { val, .. } => Ok(Number::Int(*val)),
        Value::Float { val, .. } => Ok(Number::Float(*val)),
        other => Err(invalid(format!("expected a number, found {}", other.get_type()), other.span())),
    }
}

/// The positional argument at `index`, which the signature made required.
pub fn positional(call: &EvaluatedCall, index: usize) -> Result<Value, LabeledError> {
    call.nth(index).ok_or_else(|| invalid(format!("missing argument {}", index + 1), call.head))
}

pub fn int(value: &Value) -> Result<i64, LabeledError> {
    match value {
        Value::Int { val, .. } => Ok(*val),
        other => Err(invalid(format!("expected an int, found {}", other.get_type()), other.span())),
    }
}

/// `--dtype <name>`, if given.
pub fn dtype_flag(call: &EvaluatedCall) -> Result<Option<DType>, LabeledError> {
    let Some(value) = call.get_flag_value("dtype") else { return Ok(None) };
    let span = value.span();
    let name = value.coerce_str().map_err(|_| invalid("--dtype takes a dtype name such as float32", span))?;
    DType::parse(&name).map(Some).at(span)
}

/// `--device <name>`, cpu when absent; an unavailable device is an error naming what exists.
pub fn device_flag(call: &EvaluatedCall) -> Result<Device, LabeledError> {
    let Some(value) = call.get_flag_value("device") else { return Ok(Device::Cpu) };
    let span = value.span();
    let name = value.coerce_str().map_err(|_| invalid("--device takes a device name such as cpu or cuda:0", span))?;
    device::parse_device(&name).at(span)
}

/// A tensor held by Nushell: a tensor custom value, or its id as a plain string.
pub fn tensor_id(value: &Value) -> Result<Spanned<String>, LabeledError> {
    let span = value.span();
    match value {
        Value::Custom { val, .. } => match val.as_any().downcast_ref::<TensorValue>() {
            Some(t) => Ok(Spanned { item: t.id.clone(), span }),
            None => Err(invalid(format!("expected a tensor, found {}", val.type_name()), span)),
        },
        Value::String { val, .. } => Ok(Spanned { item: val.clone(), span }),
        other => Err(invalid(format!("expected a tensor (or a tensor id), found {}", other.get_type()), span)),
    }
}

/// Looks up the tensor a value refers to.
pub fn tensor(plugin: &NutorchPlugin, value: &Value) -> Result<Spanned<Tensor>, LabeledError> {
    let id = tensor_id(value)?;
    let tensor = plugin.tensor(&id.item).at(id.span)?;
    Ok(Spanned { item: tensor, span: id.span })
}

/// The tensor a command works on: from the pipeline, else its first positional argument.
/// Returns the tensor and how many positionals it used (0 or 1), so the caller knows where
/// its own arguments start.
pub fn input_tensor(
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
    input: &PipelineData,
) -> Result<(Spanned<Tensor>, usize), LabeledError> {
    if let PipelineData::Value(value, _) = input {
        if !matches!(value, Value::Nothing { .. }) {
            return Ok((tensor(plugin, value)?, 0));
        }
    }
    match call.nth(0) {
        Some(first) if is_tensor_like(&first) => Ok((tensor(plugin, &first)?, 1)),
        _ => Err(LabeledError::new("Missing tensor")
            .with_label("this command needs a tensor from the pipeline or as its first argument", call.head)),
    }
}

fn is_tensor_like(value: &Value) -> bool {
    matches!(value, Value::Custom { .. } | Value::String { .. })
}

/// The one value piped in, if any.
pub fn input_value(input: PipelineData, span: Span) -> Result<Value, LabeledError> {
    input.into_value(span).map_err(LabeledError::from)
}

/// The value a command works on: piped in, else its positional argument at `index`; when
/// neither is there, a "`title`" error saying what to give (`missing`) at the call.
pub fn piped_or_positional(
    input: PipelineData,
    call: &EvaluatedCall,
    index: usize,
    title: &str,
    missing: &str,
) -> Result<Value, LabeledError> {
    match (input_value(input, call.head)?, call.nth(index)) {
        (Value::Nothing { .. }, Some(arg)) => Ok(arg),
        (Value::Nothing { .. }, None) => Err(LabeledError::new(title).with_label(missing, call.head)),
        (piped, _) => Ok(piped),
    }
}
