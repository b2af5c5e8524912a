//! The parsed arguments of one op call, read by name with the spec's defaults filled in.
//!
//! The front end checked each value against the spec's type, so a lookup that finds the wrong
//! type (or an unknown name) is a bug in a table: it panics with the op and argument names,
//! which the plugin's panic guard turns into an error, and the golden tests catch it.

use super::spec::{Dflt, OpSpec};
use crate::dtype::DType;
use crate::number::Number;
use tch::{Device, Tensor};

/// One argument's value.
pub enum Val {
    /// Not given: the spec's default applies.
    Absent,
    Tensor(Tensor),
    Tensors(Vec<Tensor>),
    Number(Number),
    Int(i64),
    Float(f64),
    Bool(bool),
    Ints(Vec<i64>),
    Str(String),
    DType(DType),
    Device(Device),
}

/// A `Tensor | Number` operand.
pub enum Operand<'a> {
    T(&'a Tensor),
    N(Number),
}

pub struct Args {
    spec: &'static OpSpec,
    vals: Vec<Val>,
}

impl Args {
    /// `vals` holds one value per argument of the spec, in the spec's order.
    pub fn new(spec: &'static OpSpec, vals: Vec<Val>) -> Args {
        assert_eq!(vals.len(), spec.args.len(), "{}: wrong number of values", spec.name);
        Args { spec, vals }
    }

    pub fn spec(&self) -> &'static OpSpec {
        self.spec
    }

    fn slot(&self, name: &str) -> (&Val, Dflt) {
        match self.spec.args.iter().position(|a| a.name == name) {
            Some(i) => (&self.vals[i], self.spec.args[i].default),
            None => panic!("catalog bug: {} has no argument {name}", self.spec.name),
        }
    }

    fn wrong(&self, name: &str, want: &str) -> ! {
        panic!("catalog bug: {}'s argument {name} is not {want}", self.spec.name)
    }

    /// Whether the argument was given (or has a non-None default).
    pub fn has(&self, name: &str) -> bool {
        match self.slot(name) {
            (Val::Absent, d) => !matches!(d, Dflt::None | Dflt::Req),
            _ => true,
        }
    }

    pub fn t(&self, name: &str) -> &Tensor {
        match self.slot(name).0 {
            Val::Tensor(t) => t,
            _ => self.wrong(name, "a tensor"),
        }
    }

    pub fn ot(&self, name: &str) -> Option<&Tensor> {
        match self.slot(name).0 {
            Val::Tensor(t) => Some(t),
            Val::Absent => None,
            _ => self.wrong(name, "a tensor"),
        }
    }

    pub fn ts(&self, name: &str) -> &[Tensor] {
        match self.slot(name).0 {
            Val::Tensors(t) => t,
            Val::Absent => &[],
            _ => self.wrong(name, "a list of tensors"),
        }
    }

    pub fn operand(&self, name: &str) -> Operand<'_> {
        match self.slot(name).0 {
            Val::Tensor(t) => Operand::T(t),
            Val::Number(n) => Operand::N(*n),
            _ => self.wrong(name, "a tensor or number"),
        }
    }

    pub fn oi(&self, name: &str) -> Option<i64> {
        match self.slot(name) {
            (Val::Int(i), _) => Some(*i),
            (Val::Absent, Dflt::Int(i)) => Some(i),
            (Val::Absent, Dflt::None) => None,
            _ => self.wrong(name, "an int"),
        }
    }

    pub fn i(&self, name: &str) -> i64 {
        self.oi(name).unwrap_or_else(|| self.wrong(name, "a given int"))
    }

    pub fn of(&self, name: &str) -> Option<f64> {
        match self.slot(name) {
            (Val::Float(f), _) => Some(*f),
            (Val::Int(i), _) => Some(*i as f64),
            (Val::Number(n), _) => Some(n.as_f64()),
            (Val::Absent, Dflt::Float(f)) => Some(f),
            (Val::Absent, Dflt::Int(i)) => Some(i as f64),
            (Val::Absent, Dflt::None) => None,
            _ => self.wrong(name, "a float"),
        }
    }

    pub fn f(&self, name: &str) -> f64 {
        self.of(name).unwrap_or_else(|| self.wrong(name, "a given float"))
    }

    pub fn on(&self, name: &str) -> Option<Number> {
        match self.slot(name) {
            (Val::Number(n), _) => Some(*n),
            (Val::Int(i), _) => Some(Number::Int(*i)),
            (Val::Float(f), _) => Some(Number::Float(*f)),
            (Val::Absent, Dflt::Int(i)) => Some(Number::Int(i)),
            (Val::Absent, Dflt::Float(f)) => Some(Number::Float(f)),
            (Val::Absent, Dflt::None) => None,
            _ => self.wrong(name, "a number"),
        }
    }

    pub fn n(&self, name: &str) -> Number {
        self.on(name).unwrap_or_else(|| self.wrong(name, "a given number"))
    }

    pub fn b(&self, name: &str) -> bool {
        match self.slot(name) {
            (Val::Bool(b), _) => *b,
            (Val::Absent, Dflt::Bool(b)) => b,
            (Val::Absent, _) => false,
            _ => self.wrong(name, "a bool"),
        }
    }

    pub fn ois(&self, name: &str) -> Option<Vec<i64>> {
        match self.slot(name) {
            (Val::Ints(v), _) => Some(v.clone()),
            (Val::Int(i), _) => Some(vec![*i]),
            (Val::Absent, Dflt::Ints(v)) => Some(v.to_vec()),
            (Val::Absent, Dflt::Int(i)) => Some(vec![i]),
            (Val::Absent, Dflt::None | Dflt::Req) => None,
            _ => self.wrong(name, "a list of ints"),
        }
    }

    /// Whether a list argument was written as a list (`split [2]`) rather than one int (`split 2`).
    pub fn is_list(&self, name: &str) -> bool {
        matches!(self.slot(name).0, Val::Ints(_))
    }

    pub fn is(&self, name: &str) -> Vec<i64> {
        self.ois(name).unwrap_or_default()
    }

    pub fn os(&self, name: &str) -> Option<&str> {
        match self.slot(name) {
            (Val::Str(s), _) => Some(s),
            (Val::Absent, Dflt::Str(s)) => Some(s),
            (Val::Absent, _) => None,
            _ => self.wrong(name, "a string"),
        }
    }

    pub fn s(&self, name: &str) -> &str {
        self.os(name).unwrap_or_else(|| self.wrong(name, "a given string"))
    }

    /// A number-or-word argument: `Ok(number)`, `Err(word)`, or None when absent without default.
    pub fn num_or_str(&self, name: &str) -> Option<Result<f64, &str>> {
        match self.slot(name) {
            (Val::Number(n), _) => Some(Ok(n.as_f64())),
            (Val::Int(i), _) => Some(Ok(*i as f64)),
            (Val::Float(f), _) => Some(Ok(*f)),
            (Val::Str(s), _) => Some(Err(s.as_str())),
            (Val::Absent, Dflt::Str(s)) => Some(Err(s)),
            (Val::Absent, Dflt::Float(f)) => Some(Ok(f)),
            (Val::Absent, Dflt::Int(i)) => Some(Ok(i as f64)),
            (Val::Absent, _) => None,
            _ => self.wrong(name, "a number or a word"),
        }
    }

    pub fn dtype(&self, name: &str) -> Option<DType> {
        match self.slot(name).0 {
            Val::DType(d) => Some(*d),
            Val::Absent => None,
            _ => self.wrong(name, "a dtype"),
        }
    }

    pub fn device(&self, name: &str) -> Option<Device> {
        match self.slot(name).0 {
            Val::Device(d) => Some(*d),
            Val::Absent => None,
            _ => self.wrong(name, "a device"),
        }
    }

    /// The input tensor of most ops.
    pub fn input(&self) -> &Tensor {
        self.t("input")
    }
}
