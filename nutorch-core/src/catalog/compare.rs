//! Comparison, logical and bitwise ops.

use super::binary::{binop, binop_t};
use super::spec::{opt, req, ten, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT, OTHER};
use super::util::t;
use super::Operand;
use crate::op;
use tch::Tensor;

const OTHER_N: super::spec::ArgSpec = req("other", TensorOrNumber);

pub static OPS: &[OpSpec] = &[
    binop!("eq", Comparison, "torch.eq", "Whether each element equals other (Nushell's ==).", f_eq_tensor,
        "nutorch fromvalue [1 2] | nutorch eq 2 | nutorch tovalue" => "[false, true]"),
    binop!("ne", Comparison, "torch.ne", "Whether each element differs from other (Nushell's !=).", f_ne_tensor,
        "nutorch fromvalue [1 2] | nutorch ne 2 | nutorch tovalue" => "[true, false]"),
    binop!("lt", Comparison, "torch.lt", "Whether each element is less than other (Nushell's <).", f_lt_tensor,
        "nutorch fromvalue [1 2] | nutorch lt 2 | nutorch tovalue" => "[true, false]"),
    binop!("le", Comparison, "torch.le", "Whether each element is at most other (Nushell's <=).", f_le_tensor,
        "nutorch fromvalue [1 3] | nutorch le 2 | nutorch tovalue" => "[true, false]"),
    binop!("gt", Comparison, "torch.gt", "Whether each element is greater than other (Nushell's >).", f_gt_tensor,
        "nutorch fromvalue [1 3] | nutorch gt 2 | nutorch tovalue" => "[false, true]"),
    binop!("ge", Comparison, "torch.ge", "Whether each element is at least other (Nushell's >=).", f_ge_tensor,
        "nutorch fromvalue [1 2] | nutorch ge 2 | nutorch tovalue" => "[false, true]"),
    binop!("greater", Comparison, "torch.greater", "Whether each element is greater than other (alias of gt).", f_greater_tensor,
        "nutorch fromvalue [1 3] | nutorch greater 2 | nutorch tovalue" => "[false, true]"),
    binop!("greater_equal", Comparison, "torch.greater_equal", "Whether each element is at least other (alias of ge).", f_greater_equal_tensor,
        "nutorch fromvalue [1 2] | nutorch greater_equal 2 | nutorch tovalue" => "[false, true]"),
    binop!("less", Comparison, "torch.less", "Whether each element is less than other (alias of lt).", f_less_tensor,
        "nutorch fromvalue [1 2] | nutorch less 2 | nutorch tovalue" => "[true, false]"),
    binop!("less_equal", Comparison, "torch.less_equal", "Whether each element is at most other (alias of le).", f_less_equal_tensor,
        "nutorch fromvalue [1 3] | nutorch less_equal 2 | nutorch tovalue" => "[true, false]"),
    binop!("not_equal", Comparison, "torch.not_equal", "Whether each element differs from other (alias of ne).", f_not_equal_tensor,
        "nutorch fromvalue [1 2] | nutorch not_equal 2 | nutorch tovalue" => "[true, false]"),
    op!("equal", Comparison, "torch.equal", "Whether two tensors have the same shape and elements (a bool).",
        [INPUT, OTHER], O::Value,
        "nutorch fromvalue [1 2] | nutorch equal (nutorch fromvalue [1 2])" => "true",
        |a| Ok(Out::Bool(a.input().f_equal(a.tensor("other"))?))),
    op!("allclose", Comparison, "torch.allclose", "Whether |input - other| <= atol + rtol * |other| everywhere (a bool).",
        [INPUT, OTHER, opt("rtol", Float, Dflt::Float(1e-5)), opt("atol", Float, Dflt::Float(1e-8)), opt("equal_nan", Bool, Dflt::Bool(false))], O::Value,
        "nutorch fromvalue [1.0 2.0] | nutorch allclose (nutorch fromvalue [1.0 2.000001])" => "true",
        |a| Ok(Out::Bool(a.input().f_allclose(a.tensor("other"), a.float("rtol"), a.float("atol"), a.flag("equal_nan"))?))),
    op!("isclose", Comparison, "torch.isclose", "Whether each |input - other| <= atol + rtol * |other|.",
        [INPUT, OTHER, opt("rtol", Float, Dflt::Float(1e-5)), opt("atol", Float, Dflt::Float(1e-8)), opt("equal_nan", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [1.0 2.0] | nutorch isclose (nutorch fromvalue [1.0 2.1]) | nutorch tovalue" => "[true, false]",
        |a| t(a.input().f_isclose(a.tensor("other"), a.float("rtol"), a.float("atol"), a.flag("equal_nan"))?)),
    op!("isin", Comparison, "torch.isin", "Whether each element is among test_elements.",
    [ten("elements"), req("test_elements", TensorOrNumber), opt("assume_unique", Bool, Dflt::Bool(false)), opt("invert", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [1 2 3] | nutorch isin (nutorch fromvalue [2 3]) | nutorch tovalue" => "[false, true, true]",
    |a| {
        let (unique, invert) = (a.flag("assume_unique"), a.flag("invert"));
        let test = match a.operand("test_elements") {
            Operand::T(te) => te.shallow_clone(),
            Operand::N(n) => super::util::wrapped(n, a.tensor("elements"))?,
        };
        t(Tensor::f_isin(a.tensor("elements"), &test, unique, invert)?)
    }),
    // Logical ops treat nonzero as true and give bool tensors.
    binop_t!("logical_and", Logical, "torch.logical_and", "Elementwise AND of truth values.", f_logical_and,
        "nutorch fromvalue [true false] | nutorch logical_and (nutorch fromvalue [true true]) | nutorch tovalue" => "[true, false]"),
    binop_t!("logical_or", Logical, "torch.logical_or", "Elementwise OR of truth values.", f_logical_or,
        "nutorch fromvalue [true false] | nutorch logical_or (nutorch fromvalue [false false]) | nutorch tovalue" => "[true, false]"),
    binop_t!("logical_xor", Logical, "torch.logical_xor", "Elementwise XOR of truth values.", f_logical_xor,
        "nutorch fromvalue [true false] | nutorch logical_xor (nutorch fromvalue [true true]) | nutorch tovalue" => "[false, true]"),
    op!("logical_not", Logical, "torch.logical_not", "Elementwise NOT of truth values.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [true false] | nutorch logical_not | nutorch tovalue" => "[false, true]",
        |a| t(a.input().f_logical_not()?)),
    // Bitwise ops on integer and bool tensors.
    binop!("bitwise_and", Bitwise, "torch.bitwise_and", "Elementwise bitwise AND (Nushell's bit-and).", f_bitwise_and_tensor,
        "nutorch fromvalue [12 10] | nutorch bitwise_and 6 | nutorch tovalue" => "[4, 2]"),
    binop!("bitwise_or", Bitwise, "torch.bitwise_or", "Elementwise bitwise OR (Nushell's bit-or).", f_bitwise_or_tensor,
        "nutorch fromvalue [12 10] | nutorch bitwise_or 1 | nutorch tovalue" => "[13, 11]"),
    binop!("bitwise_xor", Bitwise, "torch.bitwise_xor", "Elementwise bitwise XOR (Nushell's bit-xor).", f_bitwise_xor_tensor,
        "nutorch fromvalue [12 10] | nutorch bitwise_xor 6 | nutorch tovalue" => "[10, 12]"),
    op!("bitwise_not", Bitwise, "torch.bitwise_not", "Elementwise bitwise NOT (logical NOT for bool).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0 -1] | nutorch bitwise_not | nutorch tovalue" => "[-1, 0]",
        |a| t(a.input().f_bitwise_not()?)),
    binop!("bitwise_left_shift", Bitwise, "torch.bitwise_left_shift", "input shifted left by other bits (Nushell's bit-shl).", f_bitwise_left_shift,
        "nutorch fromvalue [1 3] | nutorch bitwise_left_shift 2 | nutorch tovalue" => "[4, 12]"),
    binop!("bitwise_right_shift", Bitwise, "torch.bitwise_right_shift", "input shifted right by other bits (Nushell's bit-shr).", f_bitwise_right_shift,
        "nutorch fromvalue [8 -8] | nutorch bitwise_right_shift 2 | nutorch tovalue" => "[2, -2]"),
];
