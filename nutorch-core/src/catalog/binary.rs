//! Binary arithmetic: add, sub, mul, div (with rounding modes), pow, remainder, fmod, atan2,
//! maximum, minimum, clamp, lerp, ...

use super::pointwise::operand_tensor;
use super::spec::{bad, opt, req, ten, Dflt, OpSpec, OutKind as O, Ty::*, INPUT, OTHER};
use super::util::{scalar_op, t, wrapped, R};
use super::{Args, Operand};
use crate::number::Number;
use crate::op;
use crate::scalar_ops::ScalarOp;
use tch::Tensor;

const OTHER_N: super::spec::ArgSpec = req("other", TensorOrNumber);

/// A `Tensor | Number` binary op. A number becomes a 0-d tensor that promotes as PyTorch's
/// Python scalars do (`util::wrapped`): tch's Scalar overloads panic instead of returning an
/// error when libtorch refuses the call (see util.rs), so they are not used.
macro_rules! binop {
    ($name:literal, $cat:ident, $torch:literal, $summary:literal, $ft:ident, $ex:literal => $res:literal) => {
        op!($name, $cat, $torch, $summary, [INPUT, OTHER_N], O::Tensor, $ex => $res,
            |a| t(a.input().$ft(&$crate::catalog::pointwise::operand_tensor(a, "other")?)?))
    };
}

/// A binary op on two tensors (PyTorch takes no plain number there either), or with a number
/// turned into a tensor where PyTorch accepts one.
macro_rules! binop_t {
    ($name:literal, $cat:ident, $torch:literal, $summary:literal, $f:ident, $ex:literal => $res:literal) => {
        op!($name, $cat, $torch, $summary, [INPUT, OTHER], O::Tensor, $ex => $res,
            |a| t(a.input().$f(a.tensor("other"))?))
    };
}
pub(super) use {binop, binop_t};

/// `input + alpha * other` (and `-`): alpha scales the other operand first, as torch does.
fn add_like(a: &Args, sign: i64) -> R<Tensor> {
    let x = a.input();
    let other = operand_tensor(a, "other")?;
    let both_bool = x.f_kind()? == tch::Kind::Bool && other.f_kind()? == tch::Kind::Bool;
    let integral = |t: &Tensor| super::util::dtype(t).map(|d| d.is_integer() || d.is_bool());
    if matches!(a.number("alpha"), Number::Float(_)) && integral(x)? && integral(&other)? {
        return Err(bad("alpha", "For integral input tensors, argument alpha must not be a floating point number."));
    }
    let scaled = match a.number("alpha") {
        Number::Int(1) => other,
        // Bool results stay bool, as in PyTorch: alpha only says whether `other` counts.
        alpha if both_bool && sign > 0 => {
            if alpha.as_f64() != 0.0 {
                other
            } else {
                other.f_zeros_like()?
            }
        }
        alpha => other.f_mul(&wrapped(alpha, &other)?)?,
    };
    Ok(if sign > 0 { x.f_add(&scaled)? } else { x.f_sub(&scaled)? })
}

const ALPHA: super::spec::ArgSpec = opt("alpha", Number, Dflt::Int(1)).doc("multiplier of other");
const ROUNDING: super::spec::ArgSpec = opt("rounding_mode", Str(&["trunc", "floor"]), Dflt::None)
    .doc("none for true division, trunc or floor for integer-style division");

fn div(a: &Args) -> R<Tensor> {
    let (x, other) = (a.input(), operand_tensor(a, "other")?);
    Ok(match a.opt_str("rounding_mode") {
        None => x.f_div(&other)?,
        Some(mode) => x.f_div_tensor_mode(&other, mode)?,
    })
}

fn clamp(a: &Args) -> R<Tensor> {
    let x = a.input();
    let (lo, hi) = (a.has("min"), a.has("max"));
    if !lo && !hi {
        return Err(bad("min", "give --min, --max or both"));
    }
    for name in ["min", "max"] {
        // PyTorch refuses a bound that overflows the tensor's own dtype (clamp(int8, max=1000)).
        if !a.has(name) {
            continue;
        }
        if let Operand::N(n) = a.operand(name) {
            let same_category = matches!(n, Number::Int(_)) || super::util::dtype(x)?.is_floating_point();
            if same_category && !super::util::fits(n, x.f_kind()?) {
                return Err(bad(
                    name,
                    format!("value {} cannot be converted to {} without overflow", n.as_f64(), super::util::dtype(x)?),
                ));
            }
        }
    }
    // A NaN number as a bound leaves the elements as they are in PyTorch's scalar clamp
    // (max(x, nan) keeps x); a NaN inside a tensor bound still propagates.
    let bound = |name: &'static str, none: f64| -> R<Option<Tensor>> {
        if !a.has(name) {
            return Ok(None);
        }
        match a.operand(name) {
            Operand::N(n) if n.as_f64().is_nan() && super::util::dtype(x)?.is_floating_point() => {
                Ok(Some(wrapped(Number::Float(none), x)?))
            }
            _ => Ok(Some(operand_tensor(a, name)?)),
        }
    };
    let (min, max) = (bound("min", f64::NEG_INFINITY)?, bound("max", f64::INFINITY)?);
    Ok(x.f_clamp_tensor(min.as_ref(), max.as_ref())?)
}

/// PyTorch refuses integer tensors to negative integer powers (a Scalar-only check that the
/// tensor form, used here, lacks).
fn check_int_pow(x: &Tensor, exponent: &Args) -> R<()> {
    if let Operand::N(Number::Int(e)) = exponent.operand("exponent") {
        if e < 0 && super::util::dtype(x)?.is_integer() {
            return Err(bad("exponent", "Integers to negative integer powers are not allowed."));
        }
    }
    Ok(())
}

pub static OPS: &[OpSpec] = &[
    op!("add", Binary, "torch.add", "input + alpha * other, broadcasting.",
        [INPUT, OTHER_N, ALPHA], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch add 10 | nutorch tovalue" => "[11, 12]",
        |a| t(add_like(a, 1)?)),
    op!("sub", Binary, "torch.sub", "input - alpha * other, broadcasting.",
        [INPUT, OTHER_N, ALPHA], O::Tensor,
        "nutorch fromvalue [5 7] | nutorch sub 2 | nutorch tovalue" => "[3, 5]",
        |a| t(add_like(a, -1)?)),
    op!("subtract", Binary, "torch.subtract", "input - alpha * other (alias of sub).",
        [INPUT, OTHER_N, ALPHA], O::Tensor,
        "nutorch fromvalue [5 7] | nutorch subtract 2 --alpha 2 | nutorch tovalue" => "[1, 3]",
        |a| t(add_like(a, -1)?)),
    op!("rsub", Binary, "torch.rsub", "other - alpha * input (sub with the operands swapped).",
    [INPUT, OTHER_N, ALPHA], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch rsub 10 | nutorch tovalue" => "[9, 8]",
    |a| {
        let x = a.input();
        let scaled = match a.number("alpha") {
            Number::Int(1) => x.shallow_clone(),
            alpha => x.f_mul(&wrapped(alpha, x)?)?,
        };
        t(operand_tensor(a, "other")?.f_sub(&scaled)?)
    }),
    binop!("mul", Binary, "torch.mul", "input * other, broadcasting.", f_mul,
        "nutorch fromvalue [1 2] | nutorch mul 2.5 | nutorch tovalue" => "[2.5, 5.0]"),
    binop!("multiply", Binary, "torch.multiply", "input * other (alias of mul).", f_multiply,
        "nutorch fromvalue [1 2] | nutorch multiply 3 | nutorch tovalue" => "[3, 6]"),
    op!("div", Binary, "torch.div", "input / other: true division, or rounded with --rounding-mode trunc|floor.",
        [INPUT, OTHER_N, ROUNDING], O::Tensor,
        "nutorch fromvalue [-7 7] | nutorch div 2 --rounding-mode floor | nutorch tovalue" => "[-4, 3]",
        |a| t(div(a)?)),
    op!("divide", Binary, "torch.divide", "input / other (alias of div).",
        [INPUT, OTHER_N, ROUNDING], O::Tensor,
        "nutorch fromvalue [1 3] | nutorch divide 2 | nutorch tovalue" => "[0.5, 1.5]",
        |a| t(div(a)?)),
    binop!("true_divide", Binary, "torch.true_divide", "input / other, always floating point.", f_true_divide,
        "nutorch fromvalue [1 3] | nutorch true_divide 2 | nutorch tovalue" => "[0.5, 1.5]"),
    binop!("floor_divide", Binary, "torch.floor_divide", "input / other rounded down (Nushell's //).", f_floor_divide,
        "nutorch fromvalue [-7 7] | nutorch floor_divide 2 | nutorch tovalue" => "[-4, 3]"),
    binop!("remainder", Binary, "torch.remainder", "Python-style modulus: the result has the sign of other (Nushell's mod).", f_remainder_tensor,
        "nutorch fromvalue [-3 3] | nutorch remainder 2 | nutorch tovalue" => "[1, 1]"),
    binop!("fmod", Binary, "torch.fmod", "C-style remainder: the result has the sign of input.", f_fmod_tensor,
        "nutorch fromvalue [-3 3] | nutorch fmod 2 | nutorch tovalue" => "[-1, 1]"),
    op!("pow", Binary, "torch.pow", "input to the power exponent (Nushell's **).",
    [INPUT, req("exponent", TensorOrNumber)], O::Tensor,
    "nutorch fromvalue [2 3] | nutorch pow 2 | nutorch tovalue" => "[4, 9]",
    |a| {
        check_int_pow(a.input(), a)?;
        t(a.input().f_pow(&operand_tensor(a, "exponent")?)?)
    }),
    op!("float_power", Binary, "torch.float_power", "input to the power exponent in double precision.",
        [INPUT, req("exponent", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [2 3] | nutorch float_power 2 | nutorch tovalue" => "[4.0, 9.0]",
        |a| t(a.input().f_float_power(&operand_tensor(a, "exponent")?)?)),
    binop_t!("atan2", Binary, "torch.atan2", "Arctangent of input / other, by quadrant.", f_atan2,
        "nutorch fromvalue [0.0] | nutorch atan2 (nutorch fromvalue [1.0]) | nutorch tovalue" => "[0.0]"),
    binop_t!("arctan2", Binary, "torch.arctan2", "Arctangent of input / other (alias of atan2).", f_arctan2,
        "nutorch fromvalue [0.0] | nutorch arctan2 (nutorch fromvalue [1.0]) | nutorch tovalue" => "[0.0]"),
    binop_t!("maximum", Binary, "torch.maximum", "Elementwise maximum (NaN wins).", f_maximum,
        "nutorch fromvalue [1 5] | nutorch maximum (nutorch fromvalue [3 2]) | nutorch tovalue" => "[3, 5]"),
    binop_t!("minimum", Binary, "torch.minimum", "Elementwise minimum (NaN wins).", f_minimum,
        "nutorch fromvalue [1 5] | nutorch minimum (nutorch fromvalue [3 2]) | nutorch tovalue" => "[1, 2]"),
    binop_t!("fmax", Binary, "torch.fmax", "Elementwise maximum ignoring NaN.", f_fmax,
        "nutorch fromvalue [1.0 NaN] | nutorch fmax (nutorch fromvalue [3.0 2.0]) | nutorch tovalue" => "[3.0, 2.0]"),
    binop_t!("fmin", Binary, "torch.fmin", "Elementwise minimum ignoring NaN.", f_fmin,
        "nutorch fromvalue [1.0 NaN] | nutorch fmin (nutorch fromvalue [3.0 2.0]) | nutorch tovalue" => "[1.0, 2.0]"),
    binop_t!("hypot", Binary, "torch.hypot", "sqrt(input^2 + other^2).", f_hypot,
        "nutorch fromvalue [3.0] | nutorch hypot (nutorch fromvalue [4.0]) | nutorch tovalue" => "[5.0]"),
    binop!("copysign", Binary, "torch.copysign", "The magnitude of input with the sign of other.", f_copysign,
        "nutorch fromvalue [1.0 2.0] | nutorch copysign -1 | nutorch tovalue" => "[-1.0, -2.0]"),
    binop_t!("nextafter", Binary, "torch.nextafter", "The next floating-point value after input toward other.", f_nextafter,
        "nutorch fromvalue [1.0] --dtype float64 | nutorch nextafter (nutorch fromvalue [2.0] --dtype float64) | nutorch tovalue" => "[1.0000000000000002]"),
    binop_t!("ldexp", Binary, "torch.ldexp", "input * 2^other.", f_ldexp,
        "nutorch fromvalue [1.0] | nutorch ldexp (nutorch fromvalue [3]) | nutorch tovalue" => "[8.0]"),
    binop_t!("logaddexp", Binary, "torch.logaddexp", "log(exp(input) + exp(other)), computed stably.", f_logaddexp,
        "nutorch fromvalue [0.0] --dtype float64 | nutorch logaddexp (nutorch fromvalue [0.0] --dtype float64) | nutorch tovalue" => "[0.6931471805599453]"),
    binop_t!("logaddexp2", Binary, "torch.logaddexp2", "log2(2^input + 2^other), computed stably.", f_logaddexp2,
        "nutorch fromvalue [1.0] | nutorch logaddexp2 (nutorch fromvalue [1.0]) | nutorch tovalue" => "[2.0]"),
    binop!("xlogy", Binary, "torch.xlogy", "input * log(other), 0 where input is 0.", f_xlogy,
        "nutorch fromvalue [0.0 2.0] | nutorch xlogy 1 | nutorch tovalue" => "[0.0, 0.0]"),
    op!("heaviside", Binary, "torch.heaviside", "Heaviside step: 0 below zero, 1 above, values at zero.",
        [INPUT, ten("values")], O::Tensor,
        "nutorch fromvalue [-1.0 0.0 2.0] | nutorch heaviside (nutorch fromvalue [0.5]) | nutorch tovalue" => "[0.0, 0.5, 1.0]",
        |a| t(a.input().f_heaviside(a.tensor("values"))?)),
    binop_t!("gcd", Binary, "torch.gcd", "Greatest common divisor of integers.", f_gcd,
        "nutorch fromvalue [12 9] | nutorch gcd (nutorch fromvalue [8 6]) | nutorch tovalue" => "[4, 3]"),
    binop_t!("lcm", Binary, "torch.lcm", "Least common multiple of integers.", f_lcm,
        "nutorch fromvalue [4 6] | nutorch lcm (nutorch fromvalue [6 4]) | nutorch tovalue" => "[12, 12]"),
    op!("lerp", Binary, "torch.lerp", "Linear interpolation input + weight * (end - input).",
    [INPUT, ten("end"), req("weight", TensorOrNumber)], O::Tensor,
    "nutorch fromvalue [0.0 10.0] | nutorch lerp (nutorch fromvalue [10.0 20.0]) 0.5 | nutorch tovalue" => "[5.0, 15.0]",
    |a| {
        // PyTorch's lerp kernels are floating-point only (an int weight tensor's dtype
        // would be refused too): a cast would hide it.
        super::pointwise::float_kernel(a.input(), "lerp")?;
        t(a.input().f_lerp_tensor(a.tensor("end"), &operand_tensor(a, "weight")?)?)
    }),
    op!("addcmul", Binary, "torch.addcmul", "input + value * tensor1 * tensor2.",
    [INPUT, ten("tensor1"), ten("tensor2"), opt("value", Number, Dflt::Int(1))], O::Tensor,
    "nutorch fromvalue [1.0] | nutorch addcmul (nutorch fromvalue [2.0]) (nutorch fromvalue [3.0]) --value 2 | nutorch tovalue" => "[13.0]",
    |a| t(scalar_op(a, ScalarOp::Addcmul, ["tensor1", "tensor2"], &["value"])?)),
    op!("addcdiv", Binary, "torch.addcdiv", "input + value * tensor1 / tensor2.",
    [INPUT, ten("tensor1"), ten("tensor2"), opt("value", Number, Dflt::Int(1))], O::Tensor,
    "nutorch fromvalue [1.0] | nutorch addcdiv (nutorch fromvalue [6.0]) (nutorch fromvalue [3.0]) --value 2 | nutorch tovalue" => "[5.0]",
    |a| t(scalar_op(a, ScalarOp::Addcdiv, ["tensor1", "tensor2"], &["value"])?)),
    op!("clamp", Binary, "torch.clamp", "Each element limited to [min, max] (either bound may be omitted).",
        [INPUT, opt("min", TensorOrNumber, Dflt::None), opt("max", TensorOrNumber, Dflt::None)], O::Tensor,
        "nutorch fromvalue [-2 0 5] | nutorch clamp --min -1 --max 3 | nutorch tovalue" => "[-1, 0, 3]",
        |a| t(clamp(a)?)),
    op!("clip", Binary, "torch.clip", "Each element limited to [min, max] (alias of clamp).",
        [INPUT, opt("min", TensorOrNumber, Dflt::None), opt("max", TensorOrNumber, Dflt::None)], O::Tensor,
        "nutorch fromvalue [-2 0 5] | nutorch clip --max 3 | nutorch tovalue" => "[-2, 0, 3]",
        |a| t(clamp(a)?)),
    op!("clamp_min", Binary, "torch.clamp_min", "Each element raised to at least min.",
        [INPUT, req("min", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [-2 5] | nutorch clamp_min 0 | nutorch tovalue" => "[0, 5]",
        |a| t(a.input().f_clamp_min_tensor(&operand_tensor(a, "min")?)?)),
    op!("clamp_max", Binary, "torch.clamp_max", "Each element lowered to at most max.",
        [INPUT, req("max", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [-2 5] | nutorch clamp_max 0 | nutorch tovalue" => "[-2, 0]",
        |a| t(a.input().f_clamp_max_tensor(&operand_tensor(a, "max")?)?)),
];
