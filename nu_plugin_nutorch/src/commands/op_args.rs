//! Reading a catalog op's arguments from a Nushell call, by the types its spec declares.
//!
//! Positionals follow the spec's order, as the signature lists them (`op::slots`): Nushell has
//! already checked that the required ones are there and of the right shape. The first tensor
//! argument comes from the pipeline (`$a | nutorch add $b`); when it takes the rest of the line
//! (`cat`, `stack`) a piped list and tensors written as arguments both work. The last
//! positional, when it is a required list, takes the rest of the arguments (`reshape 2 3` =
//! `reshape [2 3]`). Optional arguments are kebab-case flags. Every error is labelled at the
//! argument that caused it.

use crate::args;
use crate::errors::invalid;
use crate::plugin::NutorchPlugin;
use nu_plugin::EvaluatedCall;
use nu_protocol::{LabeledError, PipelineData, Span, Value};
use nutorch_core::catalog::{ArgSpec, Args, OpSpec, Ty, Val};
use nutorch_core::{device, DType, Number};

use super::op::kebab;

pub struct Parsed {
    pub args: Args,
    /// Where each argument was written, for errors.
    pub spans: Vec<Option<Span>>,
    /// The id of the piped/first tensor, returned by in-place ops.
    pub same_id: Option<String>,
}

/// The value piped in, if any (nothing counts as none).
fn piped_value(input: PipelineData, span: Span) -> Result<Option<Value>, LabeledError> {
    match input {
        PipelineData::Empty => Ok(None),
        other => match other.into_value(span)? {
            Value::Nothing { .. } => Ok(None),
            v => Ok(Some(v)),
        },
    }
}

pub fn parse_call(
    spec: &'static OpSpec,
    plugin: &NutorchPlugin,
    call: &EvaluatedCall,
    input: PipelineData,
) -> Result<Parsed, LabeledError> {
    let mut vals: Vec<Val> = spec.args.iter().map(|_| Val::Absent).collect();
    let mut spans: Vec<Option<Span>> = vec![None; spec.args.len()];
    let mut same_id = None;
    let index_of = |arg: &ArgSpec| spec.args.iter().position(|a| std::ptr::eq(a, arg)).unwrap_or(0);

    let piped_arg = spec.piped();
    let mut piped = match piped_arg {
        Some(_) => piped_value(input, call.head)?,
        None => None, // ops without a tensor argument ignore their input, like Nushell's
    };
    let rest = spec.rest();
    let given = &call.positional;
    let mut next = 0;
    for arg in spec.positionals() {
        let i = index_of(arg);
        let is_rest = rest.is_some_and(|r| std::ptr::eq(r, arg));
        let is_piped = piped_arg.is_some_and(|p| std::ptr::eq(p, arg));
        let mut values: Vec<Value> = Vec::new();
        if is_piped {
            values.extend(piped.take());
            if is_rest {
                values.extend(given[next..].iter().cloned());
                next = given.len();
            }
            if values.is_empty() {
                return Err(missing_piped(spec, arg, is_rest, call.head));
            }
        } else if super::op::int_means_dim(spec, arg) && matches!(given.get(next), Some(Value::Int { .. })) {
            // `max 1`: the int is the positional dim that follows this optional tensor.
            continue;
        } else if is_rest {
            values.extend(given[next..].iter().cloned());
            next = given.len();
        } else if let Some(v) = given.get(next) {
            values.push(v.clone());
            next += 1;
        }
        if values.is_empty() {
            if arg.is_required() {
                return Err(missing(spec, arg, call.head));
            }
            continue;
        }
        spans[i] = Some(join_spans(&values));
        if Some(i) == piped_arg.map(index_of) && arg.ty == Ty::Tensor {
            same_id = Some(args::tensor_id(&values[0])?.item);
        }
        vals[i] = if is_rest || values.len() > 1 {
            convert_many(plugin, arg, &values)?
        } else {
            convert(plugin, arg, &values[0])?
        };
    }
    // `x.sum(1)`, `F.linear(x, w, b)`: the op's `dim` or `bias` written after its positionals.
    let positional_option = spec.positional_option();
    let mut option_given = false;
    if let (Some(arg), Some(value)) = (positional_option, given.get(next)) {
        if let Some(flag) = call.get_flag_value(&kebab(arg.name)) {
            return Err(invalid(
                format!("`{}` is given twice: positionally and as --{}", arg.name, kebab(arg.name)),
                flag.span(),
            ));
        }
        let i = index_of(arg);
        spans[i] = Some(value.span());
        vals[i] = convert(plugin, arg, value)?;
        option_given = true;
        next += 1;
    }
    if let Some(extra) = given.get(next) {
        return Err(invalid(
            format!(
                "too many arguments: nutorch {} takes {} positional arguments",
                spec.name,
                super::op::slots(spec).len()
            ),
            extra.span(),
        ));
    }

    for arg in spec.flags() {
        let i = index_of(arg);
        if option_given && positional_option.is_some_and(|d| std::ptr::eq(d, arg)) {
            continue;
        }
        let flag = kebab(arg.name);
        if arg.ty == Ty::Bool {
            if let Some(span) = call.get_flag_span(&flag) {
                vals[i] = Val::Bool(call.has_flag(&flag)?);
                spans[i] = Some(span);
            }
            continue;
        }
        if let Some(value) = call.get_flag_value(&flag) {
            spans[i] = Some(value.span());
            vals[i] = convert(plugin, arg, &value)?;
        }
    }
    Ok(Parsed { args: Args::new(spec, vals), spans, same_id })
}

/// The piped tensor is missing: say how to give it.
fn missing_piped(spec: &OpSpec, arg: &ArgSpec, is_rest: bool, head: Span) -> LabeledError {
    let name = spec.name;
    if is_rest {
        return LabeledError::new("Missing tensors").with_label(
            format!("pipe the tensors in as a list or write them as arguments: `[$a $b] | nutorch {name}`"),
            head,
        );
    }
    let (title, what) = match (arg.ty, arg.name) {
        (Ty::Tensors, n) => ("Missing tensors", format!("tensors `{n}` (one, or a list)")),
        (_, "input") => ("Missing tensor", "input tensor".to_string()),
        (_, n) => ("Missing tensor", format!("tensor `{n}`")),
    };
    LabeledError::new(title).with_label(format!("pipe the {what} in: `$x | nutorch {name}`"), head)
}

/// A required argument that is absent (Nushell's parser reports this first for calls it parsed).
fn missing(spec: &OpSpec, arg: &ArgSpec, head: Span) -> LabeledError {
    LabeledError::new("Missing argument").with_label(
        format!("nutorch {} needs its argument `{}` ({})", spec.name, arg.name, super::op::arg_description(arg)),
        head,
    )
}

fn join_spans(values: &[Value]) -> Span {
    let first = values[0].span();
    let last = values[values.len() - 1].span();
    if first.start <= last.end && first != Span::unknown() {
        Span::new(first.start.min(last.start), last.end.max(first.end))
    } else {
        first
    }
}

/// Several values for one list argument (the rest of the positionals).
fn convert_many(plugin: &NutorchPlugin, arg: &ArgSpec, values: &[Value]) -> Result<Val, LabeledError> {
    match arg.ty {
        // One plain int stays one int: `split 2` (a piece size) differs from `split [2]`.
        Ty::Ints if values.len() == 1 && matches!(values[0], Value::Int { .. } | Value::Custom { .. }) => {
            Ok(Val::Int(int_of(plugin, arg, &values[0])?))
        }
        Ty::Ints => {
            let mut out = Vec::new();
            for v in values {
                out.extend(ints(plugin, arg, v)?);
            }
            Ok(Val::Ints(out))
        }
        Ty::IntsOrNone => {
            let mut out = Vec::new();
            for v in values {
                out.extend(ints_or_none(plugin, arg, v)?);
            }
            Ok(Val::OptInts(out))
        }
        Ty::Tensors => {
            let mut out = Vec::new();
            for v in values {
                out.extend(tensors(plugin, v)?);
            }
            Ok(Val::Tensors(out))
        }
        Ty::Index => Ok(Val::Index(super::index_arg::several(plugin, values)?)),
        Ty::Shapes if values.len() > 1 => {
            Ok(Val::Shapes(values.iter().map(|v| ints(plugin, arg, v)).collect::<Result<_, _>>()?))
        }
        _ => convert(plugin, arg, &values[0]),
    }
}

/// An int, or the int a 0-d integer tensor holds (PyTorch takes one in an int list too:
/// `x.reshape(torch.tensor(3), 2)`).
fn int_of(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<i64, LabeledError> {
    match value {
        Value::Custom { .. } => tensor_int(plugin, arg, value),
        other => args::int(other),
    }
}

fn ints(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Vec<i64>, LabeledError> {
    match value {
        Value::List { vals, .. } => vals.iter().map(|v| int_of(plugin, arg, v)).collect(),
        other => Ok(vec![int_of(plugin, arg, other)?]),
    }
}

/// Ints in which null stands for None (`[null 2]`).
fn ints_or_none(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Vec<Option<i64>>, LabeledError> {
    match value {
        Value::List { vals, .. } => vals
            .iter()
            .map(|v| match v {
                Value::Nothing { .. } => Ok(None),
                other => int_of(plugin, arg, other).map(Some),
            })
            .collect(),
        Value::Nothing { .. } => Ok(vec![None]),
        other => Ok(vec![Some(int_of(plugin, arg, other)?)]),
    }
}

/// One value of a shapes argument: a list holding lists is several shapes (`[[2 1] 3]`);
/// an int or a list of ints is one.
fn shapes(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Vec<Vec<i64>>, LabeledError> {
    match value {
        // torch.tensordot's dims may be a tensor: its rows are the lists (a 0-d or one-element
        // tensor is a count). broadcast_shapes, as PyTorch, takes no tensor for a shape.
        Value::Custom { .. } if arg.name == "dims" => tensor_rows(plugin, arg, value),
        Value::List { vals, .. } if vals.iter().any(|v| matches!(v, Value::List { .. })) => {
            vals.iter().map(|v| ints(plugin, arg, v)).collect()
        }
        other => Ok(vec![ints(plugin, arg, other)?]),
    }
}

/// An integer tensor as its rows of ints: a 0-d tensor is one row of one, a 1-d tensor one
/// row, a 2-d tensor one row per row.
fn tensor_rows(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Vec<Vec<i64>>, LabeledError> {
    let tensor = args::tensor(plugin, value)?;
    let (t, span) = (tensor.item, tensor.span);
    let want = "an int, lists of ints or an integer tensor of at most 2 dims";
    let refuse = |why: String| invalid(format!("{} must be {want}, got {why}", kebab(arg.name)), span);
    let kind = t.f_kind().map_err(|e| invalid(e.to_string(), span))?;
    let dtype = DType::from_kind(kind).map_err(|e| invalid(e.to_string(), span))?;
    if !dtype.is_integer() || dtype.is_bool() {
        return Err(refuse(format!("a {dtype} tensor")));
    }
    let size = t.size();
    if size.len() > 2 {
        return Err(refuse(format!("a tensor of shape {size:?}")));
    }
    let flat = t
        .f_to_kind(nutorch_core::tch::Kind::Int64)
        .and_then(|x| x.f_to_device(nutorch_core::tch::Device::Cpu))
        .and_then(|x| x.f_contiguous())
        .and_then(|x| x.f_reshape([-1]))
        .map_err(|e| invalid(e.to_string(), span))?;
    let values = Vec::<i64>::try_from(&flat).map_err(|e| invalid(e.to_string(), span))?;
    Ok(match size.as_slice() {
        [_, cols] if *cols > 0 => values.chunks(*cols as usize).map(<[i64]>::to_vec).collect(),
        [rows, _] => vec![Vec::new(); *rows as usize],
        _ => vec![values],
    })
}

fn tensors(plugin: &NutorchPlugin, value: &Value) -> Result<Vec<nutorch_core::tch::Tensor>, LabeledError> {
    match value {
        Value::List { vals, .. } => vals.iter().map(|v| args::tensor(plugin, v).map(|t| t.item)).collect(),
        other => Ok(vec![args::tensor(plugin, other)?.item]),
    }
}

/// One value for one argument.
pub fn convert(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Val, LabeledError> {
    let span = value.span();
    // PyTorch's None for an optional argument (`batch_norm null null --training`).
    if matches!(value, Value::Nothing { .. }) && !arg.is_required() && arg.ty != Ty::IntsOrNone {
        return Ok(Val::Absent);
    }
    Ok(match arg.ty {
        Ty::Tensor => Val::Tensor(args::tensor(plugin, value)?.item),
        Ty::Tensors => Val::Tensors(tensors(plugin, value)?),
        Ty::TensorOrNumber => match value {
            Value::Int { val, .. } => Val::Number(Number::Int(*val)),
            Value::Float { val, .. } => Val::Number(Number::Float(*val)),
            Value::Bool { val, .. } => Val::Number(Number::Int(*val as i64)),
            // As in PyTorch, a list is not a tensor operand; say how to make one of it.
            Value::List { .. } => {
                return Err(invalid(
                    format!(
                        "{} is a tensor or a number, not a list: make a tensor of it with (nutorch fromvalue [...])",
                        kebab(arg.name)
                    ),
                    span,
                ))
            }
            other => Val::Tensor(args::tensor(plugin, other)?.item),
        },
        Ty::Int => match value {
            Value::Custom { .. } => Val::Int(tensor_int(plugin, arg, value)?),
            other => Val::Int(args::int(other)?),
        },
        Ty::Float | Ty::Number => {
            let number = match value {
                Value::Custom { .. } => tensor_number(plugin, arg, value)?,
                other => args::number(other)?,
            };
            if arg.ty == Ty::Float {
                Val::Float(number.as_f64())
            } else {
                Val::Number(number)
            }
        }
        Ty::Bool => match value {
            Value::Bool { val, .. } => Val::Bool(*val),
            other => return Err(invalid(format!("expected a bool, found {}", other.get_type_shallow()), span)),
        },
        Ty::Ints => match value {
            Value::Int { .. } | Value::Custom { .. } => Val::Int(int_of(plugin, arg, value)?),
            other => Val::Ints(ints(plugin, arg, other)?),
        },
        Ty::IntsOrNone => match value {
            Value::Int { .. } | Value::Custom { .. } => Val::Int(int_of(plugin, arg, value)?),
            other => Val::OptInts(ints_or_none(plugin, arg, other)?),
        },
        Ty::Shapes => Val::Shapes(shapes(plugin, arg, value)?),
        Ty::FloatOrFloats => match value {
            Value::List { vals, .. } => {
                Val::Floats(vals.iter().map(|v| args::number(v).map(|n| n.as_f64())).collect::<Result<Vec<_>, _>>()?)
            }
            Value::Custom { .. } => Val::Floats(vec![tensor_number(plugin, arg, value)?.as_f64()]),
            other => Val::Floats(vec![args::number(other)?.as_f64()]),
        },
        Ty::Floats => match value {
            Value::List { vals, .. } => {
                Val::Floats(vals.iter().map(|v| args::number(v).map(|n| n.as_f64())).collect::<Result<Vec<_>, _>>()?)
            }
            other => return Err(invalid(format!("expected a list of numbers, found {}", other.get_type()), span)),
        },
        Ty::Str(choices) => {
            let text = value
                .coerce_str()
                .map_err(|_| invalid(format!("expected a string, found {}", value.get_type_shallow()), span))?;
            if !choices.is_empty() && !choices.contains(&text.as_ref()) {
                return Err(invalid(
                    format!("{} must be one of {}, got '{text}'", kebab(arg.name), choices.join(", ")),
                    span,
                ));
            }
            Val::Str(text.into_owned())
        }
        Ty::IntsOrStr(choices) => match value {
            Value::Int { val, .. } => Val::Int(*val),
            Value::List { .. } => Val::Ints(ints(plugin, arg, value)?),
            other => {
                let text = other
                    .coerce_str()
                    .map_err(|_| invalid(format!("expected ints or one of {}", choices.join(", ")), span))?;
                if !choices.contains(&text.as_ref()) {
                    return Err(invalid(
                        format!("{} must be ints or one of {}, got '{text}'", kebab(arg.name), choices.join(", ")),
                        span,
                    ));
                }
                Val::Str(text.into_owned())
            }
        },
        Ty::NumOrStr(choices) => match value {
            Value::Int { val, .. } => Val::Number(Number::Int(*val)),
            Value::Float { val, .. } => Val::Number(Number::Float(*val)),
            // A 0-d tensor for the number, as PyTorch's Scalar takes one (`torch.norm(x, p=torch.tensor(1.0))`).
            Value::Custom { .. } => Val::Number(tensor_number(plugin, arg, value)?),
            other => {
                let text = other
                    .coerce_str()
                    .map_err(|_| invalid(format!("expected a number or one of {}", choices.join(", ")), span))?;
                if !choices.contains(&text.as_ref()) {
                    return Err(invalid(
                        format!("{} must be a number or one of {}, got '{text}'", kebab(arg.name), choices.join(", ")),
                        span,
                    ));
                }
                Val::Str(text.into_owned())
            }
        },
        Ty::DType => Val::DType(args::name_value(value, DType::parse)?.item),
        Ty::Device => Val::Device(args::name_value(value, device::parse_device)?.item),
        Ty::Index => Val::Index(super::index_arg::one(plugin, value)?),
    })
}

/// The number a 0-d tensor holds, where PyTorch takes a tensor for a number
/// (`torch.full((2,), torch.tensor(3.0))`, `torch.linspace(torch.tensor(0.0), 1, 5)`): as its
/// argument parser, only a 0-d tensor that does not require grad; bool and complex tensors
/// have no number of their own here.
fn tensor_number(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<Number, LabeledError> {
    let (t, dtype, span) = zero_d_tensor(plugin, arg, value, "a number or a 0-d tensor")?;
    let number = if dtype.is_floating_point() {
        t.f_double_value(&[]).map(Number::Float)
    } else {
        t.f_int64_value(&[]).map(Number::Int)
    };
    number.map_err(|e| invalid(e.to_string(), span))
}

/// The int a 0-d integer tensor holds (`torch.narrow(x, 0, torch.tensor(1), 2)`).
fn tensor_int(plugin: &NutorchPlugin, arg: &ArgSpec, value: &Value) -> Result<i64, LabeledError> {
    let want = "an int or a 0-d integer tensor";
    let (t, dtype, span) = zero_d_tensor(plugin, arg, value, want)?;
    if dtype.is_floating_point() {
        return Err(invalid(format!("{} must be {want}, got a {dtype} tensor", kebab(arg.name)), span));
    }
    t.f_int64_value(&[]).map_err(|e| invalid(e.to_string(), span))
}

/// The tensor `value` names when it is 0-d, does not require grad and is neither bool nor
/// complex; else an error saying the argument must be `want`.
fn zero_d_tensor(
    plugin: &NutorchPlugin,
    arg: &ArgSpec,
    value: &Value,
    want: &str,
) -> Result<(nutorch_core::tch::Tensor, DType, Span), LabeledError> {
    let tensor = args::tensor(plugin, value)?;
    let (t, span) = (tensor.item, tensor.span);
    let refuse = |why: String| invalid(format!("{} must be {want}, got {why}", kebab(arg.name)), span);
    if t.dim() != 0 {
        return Err(refuse(format!("a tensor of shape {:?}", t.size())));
    }
    if t.requires_grad() {
        return Err(refuse("a tensor that requires grad".into()));
    }
    let dtype = DType::from_kind(t.kind()).map_err(|e| invalid(e.to_string(), span))?;
    if dtype.is_bool() || dtype.is_complex() {
        return Err(refuse(format!("a {dtype} tensor")));
    }
    Ok((t, dtype, span))
}
