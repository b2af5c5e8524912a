//! The parsed arguments of one op call, read by name with the spec's defaults filled in.
//!
//! The front end checked each value against the spec's type, so a lookup that finds the wrong
//! type (or an unknown name) is a bug in a table: it panics with the op and argument names,
//! which the plugin's panic guard turns into an error, and the golden tests catch it.

use super::spec::{Dflt, OpSpec};
use crate::dtype::DType;
use crate::indexing::Index;
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
    /// Ints with Nones (`IntsOrNone`).
    OptInts(Vec<Option<i64>>),
    Floats(Vec<f64>),
    Shapes(Vec<Vec<i64>>),
    Str(String),
    DType(DType),
    Device(Device),
    Index(Index),
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

    /// A required tensor.
    pub fn tensor(&self, name: &str) -> &Tensor {
        match self.slot(name).0 {
            Val::Tensor(t) => t,
            _ => self.wrong(name, "a tensor"),
        }
    }

    /// An optional tensor (None when not given).
    pub fn opt_tensor(&self, name: &str) -> Option<&Tensor> {
        match self.slot(name).0 {
            Val::Tensor(t) => Some(t),
            Val::Absent => None,
            _ => self.wrong(name, "a tensor"),
        }
    }

    /// A list of tensors (empty when not given).
    pub fn tensors(&self, name: &str) -> &[Tensor] {
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

    /// An int, or its default (None when it has none).
    pub fn opt_int(&self, name: &str) -> Option<i64> {
        match self.slot(name) {
            (Val::Int(i), _) => Some(*i),
            (Val::Absent, Dflt::Int(i)) => Some(i),
            (Val::Absent, Dflt::None) => None,
            _ => self.wrong(name, "an int"),
        }
    }

    /// A required int (or one with a default).
    pub fn int(&self, name: &str) -> i64 {
        self.opt_int(name).unwrap_or_else(|| self.wrong(name, "a given int"))
    }

    /// A float (ints and numbers converted), or its default.
    pub fn opt_float(&self, name: &str) -> Option<f64> {
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

    /// A float that is given or has a default.
    pub fn float(&self, name: &str) -> f64 {
        self.opt_float(name).unwrap_or_else(|| self.wrong(name, "a given float"))
    }

    /// A number (int or float kept apart), or its default.
    pub fn opt_number(&self, name: &str) -> Option<Number> {
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

    /// A number that is given or has a default.
    pub fn number(&self, name: &str) -> Number {
        self.opt_number(name).unwrap_or_else(|| self.wrong(name, "a given number"))
    }

    /// A bool (a switch): false when absent without a default.
    pub fn flag(&self, name: &str) -> bool {
        match self.slot(name) {
            (Val::Bool(b), _) => *b,
            (Val::Absent, Dflt::Bool(b)) => b,
            (Val::Absent, _) => false,
            _ => self.wrong(name, "a bool"),
        }
    }

    /// A list of ints (one int counts as a list of one), or its default.
    pub fn opt_ints(&self, name: &str) -> Option<Vec<i64>> {
        match self.slot(name) {
            (Val::Ints(v), _) => Some(v.clone()),
            (Val::Int(i), _) => Some(vec![*i]),
            (Val::Absent, Dflt::Ints(v)) => Some(v.to_vec()),
            (Val::Absent, Dflt::Int(i)) => Some(vec![i]),
            (Val::Absent, Dflt::None | Dflt::Req) => None,
            _ => self.wrong(name, "a list of ints"),
        }
    }

    /// A list of ints with Nones (`IntsOrNone`); empty when absent without a default.
    pub fn ints_or_none(&self, name: &str) -> Vec<Option<i64>> {
        match self.slot(name).0 {
            Val::OptInts(v) => v.clone(),
            _ => self.ints(name).into_iter().map(Some).collect(),
        }
    }

    /// Whether a list argument was written as a list (`split [2]`) rather than one int (`split 2`).
    pub fn is_list(&self, name: &str) -> bool {
        matches!(self.slot(name).0, Val::Ints(_))
    }

    /// A list of ints, empty when absent without a default.
    pub fn ints(&self, name: &str) -> Vec<i64> {
        self.opt_ints(name).unwrap_or_default()
    }

    /// A list of floats (None when not given).
    pub fn opt_floats(&self, name: &str) -> Option<Vec<f64>> {
        match self.slot(name) {
            (Val::Floats(v), _) => Some(v.clone()),
            (Val::Absent, Dflt::None | Dflt::Req) => None,
            _ => self.wrong(name, "a list of floats"),
        }
    }

    /// Several shapes (none when not given).
    pub fn shapes(&self, name: &str) -> Vec<Vec<i64>> {
        match self.slot(name).0 {
            Val::Shapes(v) => v.clone(),
            Val::Absent => Vec::new(),
            _ => self.wrong(name, "a list of shapes"),
        }
    }

    /// A string, or its default.
    pub fn opt_str(&self, name: &str) -> Option<&str> {
        match self.slot(name) {
            (Val::Str(s), _) => Some(s),
            (Val::Absent, Dflt::Str(s)) => Some(s),
            (Val::Absent, _) => None,
            _ => self.wrong(name, "a string"),
        }
    }

    /// A string that is given or has a default.
    pub fn str(&self, name: &str) -> &str {
        self.opt_str(name).unwrap_or_else(|| self.wrong(name, "a given string"))
    }

    /// A list-of-ints-or-word argument: `Ok(ints)` (one int as a list of one), `Err(word)`.
    pub fn ints_or_str(&self, name: &str) -> Result<Vec<i64>, &str> {
        match self.slot(name) {
            (Val::Str(s), _) => Err(s.as_str()),
            (Val::Absent, Dflt::Str(s)) => Err(s),
            _ => Ok(self.ints(name)),
        }
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

    /// A Python index (`Ty::Index`).
    pub fn python_index(&self, name: &str) -> &Index {
        match self.slot(name).0 {
            Val::Index(i) => i,
            _ => self.wrong(name, "an index"),
        }
    }

    /// The input tensor of most ops.
    pub fn input(&self) -> &Tensor {
        self.tensor("input")
    }
}
