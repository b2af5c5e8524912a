//! Reading a command's arguments: numbers, dtypes, devices and tensors, each error labelled
//! at the argument that caused it.

use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use crate::tensor_value::TensorValue;
use nu_plugin::EvaluatedCall;
use nu_protocol::{FromValue, LabeledError, PipelineData, Span, Spanned, Value};
use nutorch_core::tch::{Device, Tensor};
use nutorch_core::{device, DType, Number};

/// A number argument (int or float kept apart, as PyTorch distinguishes them).
pub fn number(value: &Value) -> Result<Number, LabeledError> {
    match value {
        Value::Int { val, .. } => Ok(Number::Int(*val)),
        Value::Float { val, .. } => Ok(Number::Float(*val)),
        other => Err(invalid(format!("expected a number, found {}", other.get_type_shallow()), other.span())),
    }
}

/// The positional argument at `index`, which the signature made required.
pub fn positional(call: &EvaluatedCall, index: usize) -> Result<Value, LabeledError> {
    call.nth(index).ok_or_else(|| invalid(format!("missing argument {}", index + 1), call.head))
}

pub fn int(value: &Value) -> Result<i64, LabeledError> {
    match value {
        Value::Int { val, .. } => Ok(*val),
        other => Err(invalid(format!("expected an int, found {}", other.get_type_shallow()), other.span())),
    }
}

/// A name that `parse` reads (a dtype, a device), labelled at the value: the one way every
/// command reads `--dtype`/`--device` values (hand-written commands and catalog ops alike).
/// A value that is not a string is Nushell's conversion error.
pub fn name_value<T>(value: &Value, parse: fn(&str) -> nutorch_core::Result<T>) -> Result<Spanned<T>, LabeledError> {
    let name = Spanned::<String>::from_value(value.clone())?;
    let item = parse(&name.item).at(name.span)?;
    Ok(Spanned { item, span: name.span })
}

/// A flag whose value is a name that `parse` reads, e.g. `named_flag(call, "dtype",
/// DType::parse)` or `named_flag(call, "device", parse_device)` (an unavailable device is an
/// error naming what exists): the value and where it was written, None when absent.
pub fn named_flag<T>(
    call: &EvaluatedCall,
    flag: &str,
    parse: fn(&str) -> nutorch_core::Result<T>,
) -> Result<Option<Spanned<T>>, LabeledError> {
    call.get_flag::<Value>(flag)?.map(|value| name_value(&value, parse)).transpose()
}

/// `--dtype <name>`, None when absent.
pub fn dtype_flag(call: &EvaluatedCall) -> Result<Option<DType>, LabeledError> {
    Ok(named_flag(call, "dtype", DType::parse)?.map(|d| d.item))
}

/// `--device <name>`, cpu when absent.
pub fn device_flag(call: &EvaluatedCall) -> Result<Device, LabeledError> {
    Ok(named_flag(call, "device", device::parse_device)?.map_or(Device::Cpu, |d| d.item))
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
        other => Err(invalid(format!("expected a tensor (or a tensor id), found {}", other.get_type_shallow()), span)),
    }
}

/// Looks up the tensor a value refers to.
pub fn tensor(plugin: &NutorchPlugin, value: &Value) -> Result<Spanned<Tensor>, LabeledError> {
    let id = tensor_id(value)?;
    let tensor = plugin.tensor(&id.item).at(id.span)?;
    Ok(Spanned { item: tensor, span: id.span })
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
