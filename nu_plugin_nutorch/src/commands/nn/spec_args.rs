//! Commands whose arguments are the fields of a description that nutorch-nn reads as JSON
//! (a layer's constructor arguments, an optimizer's hyperparameters). Each command is a row
//! of data — the PyTorch class, its arguments with their kinds — and one generic reader turns
//! a call into the JSON object `{type: <class>, <field>: <value>, …}`; nutorch-nn fills in
//! PyTorch's defaults and checks the values.

use crate::errors::invalid;
use nu_plugin::EvaluatedCall;
use nu_protocol::{LabeledError, Signature, Span, SyntaxShape, Value};
use serde_json::{Map, Value as Json};

/// How an argument is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Int,
    /// An int, or a list of ints (one per dimension): `3` or `[3 5]`.
    Ints,
    Float,
    /// A list of two floats (Adam's betas).
    FloatPair,
    Str(&'static [&'static str]),
    /// A switch `--<flag>` that sets the field to true (default false).
    On,
    /// A switch `--no-<field>` that sets the field to false (default true).
    Off,
}

/// One constructor argument: its field name in PyTorch (snake_case), how it is given, and
/// whether it is positional (then in table order) and required.
#[derive(Debug, Clone, Copy)]
pub struct FieldArg {
    pub field: &'static str,
    pub kind: ArgKind,
    pub positional: bool,
    pub required: bool,
    pub help: &'static str,
}

pub const fn pos(field: &'static str, kind: ArgKind, help: &'static str) -> FieldArg {
    FieldArg { field, kind, positional: true, required: true, help }
}

pub const fn opt_pos(field: &'static str, kind: ArgKind, help: &'static str) -> FieldArg {
    FieldArg { field, kind, positional: true, required: false, help }
}

pub const fn flag(field: &'static str, kind: ArgKind, help: &'static str) -> FieldArg {
    FieldArg { field, kind, positional: false, required: false, help }
}

impl FieldArg {
    /// The flag as written: kebab-case, `--no-` for switches that turn a default off.
    pub fn flag_name(&self) -> String {
        let kebab = self.field.replace('_', "-").to_lowercase();
        match self.kind {
            ArgKind::Off => format!("no-{kebab}"),
            _ => kebab,
        }
    }

    fn shape(&self) -> SyntaxShape {
        match self.kind {
            ArgKind::Int => SyntaxShape::Int,
            ArgKind::Ints => SyntaxShape::OneOf(vec![SyntaxShape::Int, SyntaxShape::List(Box::new(SyntaxShape::Int))]),
            ArgKind::Float => SyntaxShape::Number,
            ArgKind::FloatPair => SyntaxShape::List(Box::new(SyntaxShape::Number)),
            ArgKind::Str(_) => SyntaxShape::String,
            ArgKind::On | ArgKind::Off => SyntaxShape::Boolean,
        }
    }

    fn help_text(&self) -> String {
        match self.kind {
            ArgKind::Str(choices) if !choices.is_empty() => format!("{} ({})", self.help, choices.join(", ")),
            _ => self.help.to_string(),
        }
    }
}

/// Adds the arguments to a signature: positionals in order, then flags and switches.
pub fn add_to_signature(mut signature: Signature, fields: &[FieldArg]) -> Signature {
    for f in fields.iter().filter(|f| f.positional) {
        signature = if f.required {
            signature.required(f.field, f.shape(), f.help_text())
        } else {
            signature.optional(f.field, f.shape(), f.help_text())
        };
    }
    for f in fields.iter().filter(|f| !f.positional) {
        signature = match f.kind {
            ArgKind::On | ArgKind::Off => signature.switch(f.flag_name(), f.help_text(), None),
            _ => signature.named(f.flag_name(), f.shape(), f.help_text(), None),
        };
    }
    signature
}

/// Where each given field was written, for errors.
pub type FieldSpans = Vec<(&'static str, Span)>;

/// The fields given in `call` (positionals from `first_positional` on), as JSON with `type`.
/// Absent optional fields are left out, so that nutorch-nn applies PyTorch's defaults.
pub fn read_fields(
    call: &EvaluatedCall,
    class: &str,
    fields: &[FieldArg],
    first_positional: usize,
) -> Result<(Map<String, Json>, FieldSpans), LabeledError> {
    let mut json = Map::new();
    json.insert("type".into(), Json::String(class.into()));
    let mut spans = Vec::new();
    let mut index = first_positional;
    for f in fields {
        let value = if f.positional {
            let v = call.nth(index);
            index += 1;
            v
        } else {
            match f.kind {
                ArgKind::On => call.has_flag(&f.flag_name())?.then(|| Value::bool(true, call.head)),
                ArgKind::Off => call.has_flag(&f.flag_name())?.then(|| Value::bool(false, call.head)),
                _ => call.get_flag_value(&f.flag_name()),
            }
        };
        let Some(value) = value else {
            if f.required {
                return Err(invalid(format!("missing argument `{}`", f.field), call.head));
            }
            continue;
        };
        spans.push((f.field, value.span()));
        json.insert(f.field.into(), to_field(f, &value)?);
    }
    Ok((json, spans))
}

fn to_field(f: &FieldArg, value: &Value) -> Result<Json, LabeledError> {
    let span = value.span();
    let wrong = |want: &str| invalid(format!("`{}` takes {want}, found {}", f.field, value.get_type()), span);
    Ok(match (f.kind, value) {
        (ArgKind::Int, Value::Int { val, .. }) => Json::from(*val),
        (ArgKind::Ints, Value::Int { val, .. }) => Json::Array(vec![Json::from(*val)]),
        (ArgKind::Ints, Value::List { vals, .. }) => Json::Array(
            vals.iter().map(|v| v.as_int().map(Json::from).map_err(|_| wrong("ints"))).collect::<Result<_, _>>()?,
        ),
        (ArgKind::Float, Value::Int { val, .. }) => Json::from(*val as f64),
        (ArgKind::Float, Value::Float { val, .. }) => number(*val, span)?,
        (ArgKind::FloatPair, Value::List { vals, .. }) if vals.len() == 2 => Json::Array(
            vals.iter()
                .map(|v| v.as_float().map_err(|_| wrong("two numbers")).and_then(|x| number(x, span)))
                .collect::<Result<_, _>>()?,
        ),
        (ArgKind::FloatPair, _) => return Err(wrong("a list of two numbers")),
        (ArgKind::Str(choices), Value::String { val, .. }) => {
            if !choices.is_empty() && !choices.contains(&val.as_str()) {
                return Err(invalid(format!("`{}` takes one of {}, got '{val}'", f.field, choices.join(", ")), span));
            }
            Json::String(val.clone())
        }
        (ArgKind::On | ArgKind::Off, Value::Bool { val, .. }) => Json::Bool(*val),
        (ArgKind::Int, _) => return Err(wrong("an int")),
        (ArgKind::Ints, _) => return Err(wrong("an int or a list of ints")),
        (ArgKind::Float, _) => return Err(wrong("a number")),
        (ArgKind::Str(_), _) => return Err(wrong("a string")),
        (ArgKind::On | ArgKind::Off, _) => return Err(wrong("a bool")),
    })
}

fn number(x: f64, span: Span) -> Result<Json, LabeledError> {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .ok_or_else(|| invalid(format!("{x} is not a finite number"), span))
}

/// The span to blame for an error message from nutorch-nn that names a field.
pub fn blame(message: &str, spans: &[(&'static str, Span)], head: Span) -> Span {
    spans.iter().find(|(field, _)| message.contains(field)).map(|(_, s)| *s).unwrap_or(head)
}
