//! In-place ops (`add_`, `zero_`, `fill_`, ...): they change the tensor itself (every value
//! referring to it sees the change) and return it. Under `nutorch no-grad { }` they may update
//! parameters that require grad, as an optimizer step does.

use super::pointwise::operand_tensor;
use super::spec::{bad, opt, req, ten, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT};
use super::util::{wrapped, R};
use super::Args;
use crate::number::Number;
use crate::op;
use tch::Tensor;

/// An in-place op without arguments.
macro_rules! inplace {
    ($name:literal, $cat:ident, $torch:literal, $summary:literal, $f:ident, $in:literal => $out:literal) => {
        op!($name, $cat, $torch, $summary, [INPUT], O::Same,
            concat!("nutorch fromvalue ", $in, " | nutorch ", $name, " | nutorch tovalue") => $out,
            |a| {
                let _ = a.input().shallow_clone().$f()?;
                Ok(Out::Same)
            })
    };
}

fn me(a: &Args) -> Tensor {
    a.input().shallow_clone()
}

fn done(_: Tensor) -> super::spec::OpResult {
    Ok(Out::Same)
}

/// `alpha * other` for add_/sub_.
fn scaled_other(a: &Args) -> R<Tensor> {
    let other = operand_tensor(a, "other")?;
    Ok(match a.number("alpha") {
        Number::Int(1) => other,
        alpha => other.f_mul(&wrapped(alpha, &other)?)?,
    })
}

const OTHER_N: super::spec::ArgSpec = req("other", TensorOrNumber);
const ALPHA: super::spec::ArgSpec = opt("alpha", Number, Dflt::Int(1));

pub static OPS: &[OpSpec] = &[
    op!("add_", InPlace, "Tensor.add_", "Adds alpha * other to the tensor, in place.",
        [INPUT, OTHER_N, ALPHA], O::Same,
        "nutorch fromvalue [1 2] | nutorch add_ 10 | nutorch tovalue" => "[11, 12]",
        |a| done(me(a).f_add_(&scaled_other(a)?)?)),
    op!("sub_", InPlace, "Tensor.sub_", "Subtracts alpha * other from the tensor, in place (an SGD step: `$w | nutorch sub_ $w.grad --alpha 0.1` in no-grad).",
        [INPUT, OTHER_N, ALPHA], O::Same,
        "nutorch fromvalue [5.0 7.0] | nutorch sub_ (nutorch fromvalue [1.0 1.0]) --alpha 2 | nutorch tovalue" => "[3.0, 5.0]",
        |a| done(me(a).f_sub_(&scaled_other(a)?)?)),
    op!("mul_", InPlace, "Tensor.mul_", "Multiplies the tensor by other, in place.",
        [INPUT, OTHER_N], O::Same,
        "nutorch fromvalue [1.0 2.0] | nutorch mul_ 3 | nutorch tovalue" => "[3.0, 6.0]",
        |a| done(me(a).f_mul_(&operand_tensor(a, "other")?)?)),
    op!("div_", InPlace, "Tensor.div_", "Divides the tensor by other (rounded with --rounding-mode), in place.",
    [INPUT, OTHER_N, opt("rounding_mode", Str(&["trunc", "floor"]), Dflt::None)], O::Same,
    "nutorch fromvalue [1.0 3.0] | nutorch div_ 2 | nutorch tovalue" => "[0.5, 1.5]",
    |a| {
        let other = operand_tensor(a, "other")?;
        match a.opt_str("rounding_mode") {
            None => done(me(a).f_div_(&other)?),
            Some(mode) => done(me(a).f_div_tensor_mode_(&other, mode)?),
        }
    }),
    op!("pow_", InPlace, "Tensor.pow_", "Raises the tensor to exponent, in place.",
    [INPUT, req("exponent", TensorOrNumber)], O::Same,
    "nutorch fromvalue [2.0 3.0] | nutorch pow_ 2 | nutorch tovalue" => "[4.0, 9.0]",
    |a| {
        if let (super::Operand::N(Number::Int(e)), true) = (a.operand("exponent"), super::util::dtype(a.input())?.is_integer()) {
            if e < 0 {
                return Err(bad("exponent", "Integers to negative integer powers are not allowed."));
            }
        }
        done(me(a).f_pow_tensor_(&operand_tensor(a, "exponent")?)?)
    }),
    op!("clamp_", InPlace, "Tensor.clamp_", "Limits the tensor to [min, max], in place.",
    [INPUT, opt("min", TensorOrNumber, Dflt::None), opt("max", TensorOrNumber, Dflt::None)], O::Same,
    "nutorch fromvalue [-2.0 5.0] | nutorch clamp_ --min 0 --max 1 | nutorch tovalue" => "[0.0, 1.0]",
    |a| {
        let (lo, hi) = (a.has("min"), a.has("max"));
        if !lo && !hi {
            return Err(bad("min", "give --min, --max or both"));
        }
        let min = if lo { Some(operand_tensor(a, "min")?) } else { None };
        let max = if hi { Some(operand_tensor(a, "max")?) } else { None };
        done(me(a).f_clamp_tensor_(min.as_ref(), max.as_ref())?)
    }),
    op!("zero_", InPlace, "Tensor.zero_", "Fills the tensor with zeros, in place.",
        [INPUT], O::Same,
        "nutorch fromvalue [1 2] | nutorch zero_ | nutorch tovalue" => "[0, 0]",
        |a| done(me(a).f_zero_()?)),
    op!("fill_", InPlace, "Tensor.fill_", "Fills the tensor with one value, in place.",
    [INPUT, req("value", TensorOrNumber)], O::Same,
    "nutorch fromvalue [1 2] | nutorch fill_ 7 | nutorch tovalue" => "[7, 7]",
    |a| {
        let x = a.input();
        let value = match a.operand("value") {
            super::Operand::T(v) => v.shallow_clone(),
            super::Operand::N(n) => super::util::checked_number("value", n, x.f_kind()?, x.device())?,
        };
        if value.dim() != 0 {
            return Err(bad("value", format!("fill_ only supports 0-dimension value tensor but got tensor with {} dimensions", value.dim())));
        }
        done(me(a).f_fill_tensor_(&value)?)
    }),
    op!("copy_", InPlace, "Tensor.copy_", "Copies src's values (broadcast, converted) into the tensor, in place.",
    [INPUT, ten("src")], O::Same,
    "nutorch zeros 2 | nutorch copy_ (nutorch fromvalue [1 2]) | nutorch tovalue" => "[1.0, 2.0]",
    |a| {
        me(a).f_copy_(a.tensor("src"))?;
        Ok(Out::Same)
    }),
    op!("normal_", InPlace, "Tensor.normal_", "Fills the tensor with normal random values, in place.",
    [INPUT, opt("mean", Float, Dflt::Float(0.0)), opt("std", Float, Dflt::Float(1.0))], O::Same,
    "(nutorch zeros 3 | nutorch normal_).shape" => "[3]",
    |a| {
        let std = a.float("std");
        if !(std >= 0.0) {
            return Err(bad("std", format!("normal_ expects std >= 0.0, but found std {std}")));
        }
        done(me(a).f_normal_(a.float("mean"), std)?)
    }),
    op!("uniform_", InPlace, "Tensor.uniform_", "Fills the tensor with uniform random values in [from, to), in place.",
    [INPUT, opt("from", Float, Dflt::Float(0.0)), opt("to", Float, Dflt::Float(1.0))], O::Same,
    "(nutorch zeros 3 | nutorch uniform_ --from 1 --to 1).shape" => "[3]",
    |a| {
        let (from, to) = (a.float("from"), a.float("to"));
        if !(from <= to) {
            return Err(bad("from", format!("uniform_ expects to return a [from, to) range, but found from={from} > to={to}")));
        }
        done(me(a).f_uniform_(from, to)?)
    }),
    op!("bernoulli_", InPlace, "Tensor.bernoulli_", "Fills the tensor with 0/1 drawn with probability p, in place.",
    [INPUT, opt("p", Float, Dflt::Float(0.5))], O::Same,
    "nutorch zeros 2 | nutorch bernoulli_ --p 1 | nutorch tovalue" => "[1.0, 1.0]",
    |a| {
        let p = a.float("p");
        if !(0.0..=1.0).contains(&p) {
            return Err(bad("p", format!("bernoulli_ expects p to be in [0, 1], but got p={p}")));
        }
        done(me(a).f_bernoulli_float_(p)?)
    }),
    op!("masked_fill_", InPlace, "Tensor.masked_fill_", "Writes value where mask is true, in place.",
    [INPUT, ten("mask"), req("value", TensorOrNumber)], O::Same,
    "nutorch fromvalue [1 2 3] | nutorch masked_fill_ (nutorch fromvalue [false true false]) 0 | nutorch tovalue" => "[1, 0, 3]",
    |a| {
        let x = a.input();
        let value = match a.operand("value") {
            super::Operand::T(v) => v.shallow_clone(),
            super::Operand::N(n) => super::util::checked_number("value", n, x.f_kind()?, x.device())?,
        };
        done(me(a).f_masked_fill_tensor_(a.tensor("mask"), &value)?)
    }),
    op!("lerp_", InPlace, "Tensor.lerp_", "Moves the tensor toward end by weight, in place.",
        [INPUT, ten("end"), req("weight", TensorOrNumber)], O::Same,
        "nutorch fromvalue [0.0 10.0] | nutorch lerp_ (nutorch fromvalue [10.0 20.0]) 0.5 | nutorch tovalue" => "[5.0, 15.0]",
        |a| done(me(a).f_lerp_tensor_(a.tensor("end"), &operand_tensor(a, "weight")?)?)),
    op!("addcmul_", InPlace, "Tensor.addcmul_", "Adds value * tensor1 * tensor2, in place.",
    [INPUT, ten("tensor1"), ten("tensor2"), opt("value", Number, Dflt::Int(1))], O::Same,
    "nutorch fromvalue [1.0] | nutorch addcmul_ (nutorch fromvalue [2.0]) (nutorch fromvalue [3.0]) | nutorch tovalue" => "[7.0]",
    |a| {
        let prod = a.tensor("tensor1").f_mul(a.tensor("tensor2"))?;
        let prod = prod.f_mul(&wrapped(a.number("value"), &prod)?)?;
        done(me(a).f_add_(&prod)?)
    }),
    op!("addcdiv_", InPlace, "Tensor.addcdiv_", "Adds value * tensor1 / tensor2, in place (Adam's update).",
    [INPUT, ten("tensor1"), ten("tensor2"), opt("value", Number, Dflt::Int(1))], O::Same,
    "nutorch fromvalue [1.0] | nutorch addcdiv_ (nutorch fromvalue [6.0]) (nutorch fromvalue [3.0]) | nutorch tovalue" => "[3.0]",
    |a| {
        let q = a.tensor("tensor1").f_div(a.tensor("tensor2"))?;
        let q = q.f_mul(&wrapped(a.number("value"), &q)?)?;
        done(me(a).f_add_(&q)?)
    }),
    op!("fill_diagonal_", InPlace, "Tensor.fill_diagonal_", "Writes fill_value on the main diagonal, in place.",
    [INPUT, req("fill_value", Number), opt("wrap", Bool, Dflt::Bool(false))], O::Same,
    "nutorch zeros 2 2 | nutorch fill_diagonal_ 5 | nutorch tovalue" => "[[5.0, 0.0], [0.0, 5.0]]",
    |a| {
        let x = a.input();
        if x.dim() < 2 {
            return Err(bad("input", "fill_diagonal_ needs at least 2 dimensions"));
        }
        if x.dim() > 2 && x.size().windows(2).any(|w| w[0] != w[1]) {
            return Err(bad("input", "all dimensions of input must be of equal length"));
        }
        let value = super::util::checked_number("fill_value", a.number("fill_value"), x.f_kind()?, x.device())?;
        if x.numel() == 0 {
            return Ok(Out::Same);
        }
        // The Scalar form, with the value checked above (its errors would be panics).
        done(me(a).f_fill_diagonal_(value.f_double_value(&[])?, a.flag("wrap"))?)
    }),
    inplace!("neg_", InPlace, "Tensor.neg_", "Negates the tensor, in place.", f_neg_, "[1 -2]" => "[-1, 2]"),
    inplace!("abs_", InPlace, "Tensor.abs_", "Absolute value, in place.", f_abs_, "[-1 2]" => "[1, 2]"),
    inplace!("exp_", InPlace, "Tensor.exp_", "e to the power of each element, in place.", f_exp_, "[0.0]" => "[1.0]"),
    inplace!("log_", InPlace, "Tensor.log_", "Natural logarithm, in place.", f_log_, "[1.0]" => "[0.0]"),
    inplace!("sqrt_", InPlace, "Tensor.sqrt_", "Square root, in place.", f_sqrt_, "[4.0]" => "[2.0]"),
    inplace!("relu_", InPlace, "Tensor.relu_", "max(0, x), in place.", f_relu_, "[-1.0 2.0]" => "[0.0, 2.0]"),
    inplace!("sigmoid_", InPlace, "Tensor.sigmoid_", "Logistic sigmoid, in place.", f_sigmoid_, "[0.0]" => "[0.5]"),
    inplace!("tanh_", InPlace, "Tensor.tanh_", "Hyperbolic tangent, in place.", f_tanh_, "[0.0]" => "[0.0]"),
    inplace!("floor_", InPlace, "Tensor.floor_", "Rounds down, in place.", f_floor_, "[1.5]" => "[1.0]"),
    inplace!("ceil_", InPlace, "Tensor.ceil_", "Rounds up, in place.", f_ceil_, "[1.5]" => "[2.0]"),
    inplace!("round_", InPlace, "Tensor.round_", "Rounds half to even, in place.", f_round_, "[2.5]" => "[2.0]"),
    op!("resize_", InPlace, "Tensor.resize_", "Gives the tensor a new size, in place: its storage grows when needed (new elements are uninitialized).",
    [INPUT, req("size", Ints).doc("the new shape: sizes as arguments or one list")], O::Same,
    "nutorch fromvalue [1 2 3 4] | nutorch resize_ 2 2 | nutorch tovalue" => "[[1, 2], [3, 4]]",
    |a| {
        let size = super::util::sizes(a, "size")?;
        resizable(a.input())?;
        keep_geometry_on_error(a.input(), |x| x.f_resize_(size.as_slice()))
    }),
    op!("resize_as_", InPlace, "Tensor.resize_as_", "Gives the tensor the size of the_template, in place (new elements are uninitialized).",
    [INPUT, ten("the_template")], O::Same,
    "nutorch fromvalue [1 2 3 4] | nutorch resize_as_ (nutorch zeros 3) | nutorch tovalue" => "[1, 2, 3]",
    |a| {
        resizable(a.input())?;
        keep_geometry_on_error(a.input(), |x| x.f_resize_as_(a.tensor("the_template")))
    }),
    op!("cauchy_", InPlace, "Tensor.cauchy_", "Fills the tensor with Cauchy random values of the given median and scale sigma, in place.",
    [INPUT, opt("median", Float, Dflt::Float(0.0)), opt("sigma", Float, Dflt::Float(1.0))], O::Same,
    "(nutorch zeros 3 | nutorch cauchy_).shape" => "[3]",
    |a| {
        let sigma = a.float("sigma");
        if !(sigma > 0.0) {
            return Err(bad("sigma", format!("cauchy_ expects sigma > 0.0, but found sigma={sigma}")));
        }
        continuous(a.input(), "Cauchy")?;
        done(me(a).f_cauchy_(a.float("median"), sigma)?)
    }),
    op!("exponential_", InPlace, "Tensor.exponential_", "Fills the tensor with exponential random values of rate lambd, in place.",
    [INPUT, opt("lambd", Float, Dflt::Float(1.0))], O::Same,
    "(nutorch zeros 3 | nutorch exponential_).shape" => "[3]",
    |a| {
        let lambd = a.float("lambd");
        if !(lambd > 0.0) {
            return Err(bad("lambd", format!("exponential_ expects lambda > 0.0, but found lambda={lambd}")));
        }
        continuous(a.input(), "Exponential")?;
        done(me(a).f_exponential_(lambd)?)
    }),
    op!("geometric_", InPlace, "Tensor.geometric_", "Fills the tensor with geometric random values (trials to the first success, probability p), in place.",
    [INPUT, req("p", Float)], O::Same,
    "(nutorch zeros 3 | nutorch geometric_ 0.5).shape" => "[3]",
    |a| {
        let p = a.float("p");
        if !(p > 0.0 && p < 1.0) {
            return Err(bad("p", format!("geometric_ expects p to be in (0, 1), but got p={p}")));
        }
        done(me(a).f_geometric_(p)?)
    }),
    op!("log_normal_", InPlace, "Tensor.log_normal_", "Fills the tensor with log-normal random values (exp of a normal of mean and std), in place.",
    [INPUT, opt("mean", Float, Dflt::Float(1.0)), opt("std", Float, Dflt::Float(2.0))], O::Same,
    "(nutorch zeros 3 | nutorch log_normal_).shape" => "[3]",
    |a| {
        let std = a.float("std");
        if !(std > 0.0) {
            return Err(bad("std", format!("log_normal_ expects std > 0.0, but found std={std}")));
        }
        done(me(a).f_log_normal_(a.float("mean"), std)?)
    }),
];

/// PyTorch refuses to resize a tensor that requires grad.
fn resizable(x: &Tensor) -> R<()> {
    if x.requires_grad() {
        return Err(bad("input", "cannot resize variables that require grad"));
    }
    Ok(())
}

/// The continuous distributions fill floating-point tensors only.
fn continuous(x: &Tensor, distribution: &str) -> R<()> {
    let dt = super::util::dtype(x)?;
    if !dt.is_floating_point() {
        return Err(bad(
            "input",
            format!("{distribution} distribution is a continuous probability distribution. dtype must be a floating point but you specified {dt}"),
        ));
    }
    Ok(())
}

/// Runs a resize, putting the tensor's sizes, strides and offset back when it fails: libtorch
/// sets the new sizes before it grows the storage, so a failed allocation would leave a tensor
/// larger than its storage, whose every read would reach foreign memory.
fn keep_geometry_on_error(
    x: &Tensor,
    resize: impl FnOnce(&mut Tensor) -> Result<Tensor, tch::TchError>,
) -> super::spec::OpResult {
    let (size, stride) = (x.size(), x.stride());
    let offset = crate::state::storage_offset(x).unwrap_or(0);
    let mut target = x.shallow_clone();
    match resize(&mut target) {
        Ok(_) => Ok(Out::Same),
        Err(e) => {
            // The old geometry fits the storage (which only grew), so this cannot fail.
            let _ = x.shallow_clone().f_as_strided_(size.as_slice(), stride.as_slice(), offset);
            Err(e.into())
        }
    }
}
