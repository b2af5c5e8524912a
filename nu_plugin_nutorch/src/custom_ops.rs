//! Nushell's operators and cell paths on tensors.
//!
//! Operators (`$a + $b`, `$t * 2.5`, `$a == $b`, ...) run the catalog op of the same meaning,
//! with the tensor on the left and a tensor or number on the right. Cell paths read a
//! tensor's attributes (`$t.shape`, `$t.dtype`, `$t.grad`) or index its first dimension
//! (`$t.0` is `t[0]`).

use crate::commands::op::run_parsed;
use crate::commands::op_args::{convert, Parsed};
use crate::errors::{invalid, At};
use crate::plugin::NutorchPlugin;
use crate::tensor_value::TensorValue;
use nu_protocol::ast::{Bits, Boolean, Comparison, Math, Operator};
use nu_protocol::casing::Casing;
use nu_protocol::{LabeledError, Span, Spanned, Value};
use nutorch_core::catalog::{self, Args, Val};
use nutorch_core::device::device_name;
use nutorch_core::tch::Tensor;
use nutorch_core::DType;

/// The catalog op an operator stands for.
fn op_name(operator: Operator) -> Option<&'static str> {
    Some(match operator {
        Operator::Math(Math::Add) => "add",
        Operator::Math(Math::Subtract) => "sub",
        Operator::Math(Math::Multiply) => "mul",
        Operator::Math(Math::Divide) => "div",
        Operator::Math(Math::FloorDivide) => "floor_divide",
        Operator::Math(Math::Modulo) => "remainder",
        Operator::Math(Math::Pow) => "pow",
        Operator::Comparison(Comparison::Equal) => "eq",
        Operator::Comparison(Comparison::NotEqual) => "ne",
        Operator::Comparison(Comparison::LessThan) => "lt",
        Operator::Comparison(Comparison::LessThanOrEqual) => "le",
        Operator::Comparison(Comparison::GreaterThan) => "gt",
        Operator::Comparison(Comparison::GreaterThanOrEqual) => "ge",
        Operator::Boolean(Boolean::And) => "logical_and",
        Operator::Boolean(Boolean::Or) => "logical_or",
        Operator::Boolean(Boolean::Xor) => "logical_xor",
        Operator::Bits(Bits::BitAnd) => "bitwise_and",
        Operator::Bits(Bits::BitOr) => "bitwise_or",
        Operator::Bits(Bits::BitXor) => "bitwise_xor",
        Operator::Bits(Bits::ShiftLeft) => "bitwise_left_shift",
        Operator::Bits(Bits::ShiftRight) => "bitwise_right_shift",
        _ => return None,
    })
}

/// `left <operator> right` for a tensor on the left.
pub fn operation(
    plugin: &NutorchPlugin,
    left: &TensorValue,
    left_span: Span,
    operator: Spanned<Operator>,
    right: Value,
) -> Result<Value, LabeledError> {
    let Some(spec) = op_name(operator.item).and_then(catalog::find) else {
        return Err(invalid(format!("the operator {} is not defined for tensors", operator.item), operator.span));
    };
    let mut vals = Vec::with_capacity(spec.args.len());
    let mut spans = Vec::with_capacity(spec.args.len());
    // The first positional is the tensor, the second the right operand; the rest default.
    let mut positional = 0;
    for arg in spec.args {
        if arg.positional && positional < 2 {
            let (val, span) = if positional == 0 {
                (Val::Tensor(plugin.tensor(&left.id).at(left_span)?), left_span)
            } else {
                (convert(plugin, arg, &right)?, right.span())
            };
            positional += 1;
            vals.push(val);
            spans.push(Some(span));
        } else {
            vals.push(Val::Absent);
            spans.push(None);
        }
    }
    let parsed = Parsed { args: Args::new(spec, vals), spans, same_id: None };
    run_parsed(plugin, parsed, operator.span)
}

/// `$t.<index>`: `t[index]` (select along the first dimension).
pub fn follow_int(
    plugin: &NutorchPlugin,
    value: &TensorValue,
    span: Span,
    index: Spanned<usize>,
    optional: bool,
) -> Result<Value, LabeledError> {
    let tensor = plugin.tensor(&value.id).at(span)?;
    let dims = tensor.dim();
    if dims == 0 {
        return Err(invalid("a 0-d tensor cannot be indexed; read it with `nutorch item`", index.span));
    }
    let size = tensor.size()[0];
    if index.item as i64 >= size {
        if optional {
            return Ok(Value::nothing(index.span));
        }
        return Err(invalid(
            format!("index {} is out of range for dimension 0 of size {size}", index.item),
            index.span,
        ));
    }
    let row = plugin.grad_mode().run(|| tensor.f_select(0, index.item as i64)).at(index.span)?;
    plugin.tensor_value(row, span)
}

/// `$t.shape`, `$t.dtype`, `$t.device`, `$t.requires_grad`, `$t.id`, `$t.grad`, `$t.ndim`,
/// `$t.numel`, `$t.is_leaf`, `$t.grad_fn`.
/// A fallible tch method on one tensor.
type TensorOp = fn(&Tensor) -> Result<Tensor, nutorch_core::tch::TchError>;

pub fn follow_string(
    plugin: &NutorchPlugin,
    value: &TensorValue,
    span: Span,
    column: Spanned<String>,
    optional: bool,
    casing: Casing,
) -> Result<Value, LabeledError> {
    let name = match casing {
        Casing::Insensitive => column.item.to_ascii_lowercase(),
        Casing::Sensitive => column.item.clone(),
    };
    let at = column.span;
    if name == "id" {
        return Ok(Value::string(&value.id, at));
    }
    let tensor = plugin.tensor(&value.id).at(span)?;
    // PyTorch's transposes, spelled as in Python (case matters: `$t.T`, `$t.mT`).
    let transpose: Option<TensorOp> = match column.item.as_str() {
        "T" => Some(Tensor::f_numpy_t),
        "mT" => Some(Tensor::f_mt),
        "H" => Some(Tensor::f_matrix_h),
        "mH" => Some(Tensor::f_mh),
        _ => None,
    };
    if let Some(transpose) = transpose {
        let view = plugin.grad_mode().run(|| transpose(&tensor)).at(at)?;
        return plugin.tensor_value(view, at);
    }
    if matches!(name.as_str(), "is_leaf" | "grad_fn" | "requires_grad") {
        plugin.check_restored(&value.id, true, false).at(at)?;
    }
    Ok(match name.as_str() {
        "shape" => Value::list(tensor.size().into_iter().map(|d| Value::int(d, at)).collect(), at),
        "dtype" => Value::string(DType::of(&tensor).at(at)?.name(), at),
        "device" => Value::string(device_name(tensor.device()), at),
        "requires_grad" => Value::bool(tensor.requires_grad(), at),
        "is_leaf" => Value::bool(tensor.f_is_leaf().at(at)?, at),
        "grad_fn" => nutorch_core::state::grad_fn_name(&tensor).map_or(Value::nothing(at), |n| Value::string(n, at)),
        "ndim" => Value::int(tensor.dim() as i64, at),
        "numel" => Value::int(tensor.numel() as i64, at),
        // A non-leaf has no .grad (libtorch would print a warning on every read).
        "grad" if !tensor.f_is_leaf().at(at)? && !tensor.f_retains_grad().at(at)? => Value::nothing(at),
        "grad" => {
            let grad = tensor.f_grad().at(at)?;
            if grad.defined() {
                plugin.tensor_value(grad, at)?
            } else {
                Value::nothing(at)
            }
        }
        _ if optional => Value::nothing(at),
        other => {
            return Err(invalid(
                format!("a tensor has no field '{other}'; fields: shape, dtype, device, requires_grad, grad, grad_fn, is_leaf, ndim, numel, id, T, mT, H, mH, or an index (`$t.0`)"),
                at,
            ))
        }
    })
}
