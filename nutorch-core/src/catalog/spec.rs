//! The types an op is described with, and the short constructors the tables use.

use super::args::Args;
use crate::error::Error;
use tch::Tensor;

/// Where an op is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Creation,
    Random,
    Pointwise,
    Activation,
    Binary,
    Comparison,
    Logical,
    Bitwise,
    Reduction,
    Scan,
    Shape,
    Indexing,
    Sorting,
    Linalg,
    Fft,
    Nn,
    Loss,
    Conversion,
    Autograd,
    InPlace,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Creation => "creation",
            Category::Random => "random",
            Category::Pointwise => "pointwise",
            Category::Activation => "activation",
            Category::Binary => "binary",
            Category::Comparison => "comparison",
            Category::Logical => "logical",
            Category::Bitwise => "bitwise",
            Category::Reduction => "reduction",
            Category::Scan => "scan",
            Category::Shape => "shape",
            Category::Indexing => "indexing",
            Category::Sorting => "sorting",
            Category::Linalg => "linalg",
            Category::Fft => "fft",
            Category::Nn => "nn",
            Category::Loss => "loss",
            Category::Conversion => "conversion",
            Category::Autograd => "autograd",
            Category::InPlace => "in-place",
        }
    }
}

/// The type of an argument, which decides how a front end parses it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    /// A tensor.
    Tensor,
    /// A tensor or a plain number (PyTorch's `Tensor | Number` operands: `add(x, 2)`).
    TensorOrNumber,
    /// Several tensors: a list, or (as the last positional) the rest of the arguments.
    Tensors,
    Int,
    /// A float; an int is accepted and converted.
    Float,
    /// An int or a float, kept apart (type promotion differs).
    Number,
    Bool,
    /// A list of ints; a single int counts as a list of one. As the last positional it takes
    /// the rest of the arguments (`reshape 2 3` or `reshape [2 3]`).
    Ints,
    /// A list of ints in which null stands for "the input's size" (adaptive pooling's
    /// `output_size`: `[null 2]`); one int counts as a list of one. As the last positional it
    /// takes the rest of the arguments, as `Ints`.
    IntsOrNone,
    /// One number, or a list of numbers (one per dim: interpolate's `scale_factor`), as floats.
    FloatOrFloats,
    /// A list of numbers, as floats (histogram's `range`).
    Floats,
    /// Several shapes, each an int or a list of ints (broadcast_shapes): as the last positional,
    /// the rest of the arguments (`[2 1] [1 3]`) or one list of them (`[[2 1] [1 3]]`).
    Shapes,
    /// One of these words (any string when the list is empty).
    Str(&'static [&'static str]),
    /// A list of ints (one int counts as a list of one) or one of these words (a
    /// convolution's `padding`: 1, [1 2], 'same', 'valid').
    IntsOrStr(&'static [&'static str]),
    /// A number or one of these words (a norm's `ord`: 2, inf, 'fro', 'nuc').
    NumOrStr(&'static [&'static str]),
    DType,
    Device,
    /// A Python index, as between the brackets of `x[...]` (crate::indexing): PyTorch's text
    /// ('1:3, ::2'), or ints, ranges (slices), null (None), bools, tensors and lists. As the
    /// last positional it takes the rest of the arguments, one index entry each.
    Index,
}

/// A default value; `Req` marks a required argument, `None` PyTorch's `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dflt {
    Req,
    None,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'static str),
    Ints(&'static [i64]),
}

/// One argument of an op, named as PyTorch names it.
#[derive(Debug, Clone, Copy)]
pub struct ArgSpec {
    pub name: &'static str,
    pub ty: Ty,
    pub default: Dflt,
    /// Positional (by order) or a flag (by name). Required arguments are positional.
    pub positional: bool,
    /// What it is; empty when the front end's description of the name suffices.
    pub doc: &'static str,
}

impl ArgSpec {
    pub const fn doc(mut self, doc: &'static str) -> Self {
        self.doc = doc;
        self
    }

    /// An optional argument given by position rather than as a flag.
    pub const fn pos(mut self) -> Self {
        self.positional = true;
        self
    }

    pub const fn is_required(&self) -> bool {
        matches!(self.default, Dflt::Req)
    }

    pub const fn is_tensor(&self) -> bool {
        matches!(self.ty, Ty::Tensor | Ty::Tensors | Ty::TensorOrNumber)
    }
}

/// A required positional argument.
pub const fn req(name: &'static str, ty: Ty) -> ArgSpec {
    ArgSpec { name, ty, default: Dflt::Req, positional: true, doc: "" }
}

/// A required tensor.
pub const fn ten(name: &'static str) -> ArgSpec {
    req(name, Ty::Tensor)
}

/// An optional argument, given as a flag.
pub const fn opt(name: &'static str, ty: Ty, default: Dflt) -> ArgSpec {
    ArgSpec { name, ty, default, positional: false, doc: "" }
}

pub const INPUT: ArgSpec = ten("input");
pub const OTHER: ArgSpec = ten("other");
pub const KEEPDIM: ArgSpec = opt("keepdim", Ty::Bool, Dflt::Bool(false));
pub const DTYPE: ArgSpec = opt("dtype", Ty::DType, Dflt::None);
pub const DEVICE: ArgSpec = opt("device", Ty::Device, Dflt::None);
pub const REQUIRES_GRAD: ArgSpec = opt("requires_grad", Ty::Bool, Dflt::Bool(false));
pub const REDUCTION: ArgSpec = opt("reduction", Ty::Str(&["mean", "sum", "none"]), Dflt::Str("mean"));

/// What an op gives back, for signatures and for replaying its goldens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutKind {
    Tensor,
    /// A list of tensors (split, chunk, unbind, ...).
    Tensors,
    /// A record of named tensors (`{values, indices}`).
    Record(&'static [&'static str]),
    /// A record of named results of their own kinds (`{hist, bin_edges: [tensors]}`).
    Fields(&'static [(&'static str, OutKind)]),
    /// A plain value (number, bool, list of ints).
    Value,
    /// The input tensor itself, changed in place.
    Same,
    Nothing,
    /// Depends on the arguments (`max` gives a tensor, `max --dim 0` a record).
    Varies,
}

/// An example: a complete command line and its result as JSON (ints stay ints, floats are
/// written with a point: `[1, 2.0]`).
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub source: &'static str,
    pub result: &'static str,
}

pub const fn ex(source: &'static str, result: &'static str) -> Example {
    Example { source, result }
}

/// What an op returns at run time.
pub enum Out {
    T(Tensor),
    List(Vec<Tensor>),
    Rec(Vec<(&'static str, Tensor)>),
    /// A record whose fields are results of their own (histogramdd's hist and its list of
    /// bin_edges).
    Fields(Vec<(&'static str, Out)>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Ints(Vec<i64>),
    Str(String),
    Same,
    Nothing,
}

/// An error, with the argument to blame when there is one.
#[derive(Debug)]
pub struct OpError {
    pub arg: Option<&'static str>,
    pub error: Error,
}

impl From<Error> for OpError {
    fn from(error: Error) -> Self {
        OpError { arg: None, error }
    }
}

impl From<tch::TchError> for OpError {
    fn from(err: tch::TchError) -> Self {
        OpError { arg: None, error: err.into() }
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl OpError {
    /// The arguments to blame, most likely first: the one the op named, else those libtorch's
    /// message is about when its text says so (a dim out of range is about the op's dim
    /// arguments; a size that cannot be allocated, is negative or does not fit the input about
    /// its size arguments). The front end labels the first one the user gave.
    pub fn blamed_args(&self, spec: &OpSpec) -> Vec<&'static str> {
        // A shared check may name an argument this op spells otherwise (`size` for `steps`).
        if let Some(arg) = self.arg.filter(|a| spec.args.iter().any(|s| s.name == *a)) {
            return vec![arg];
        }
        const DIMS: &[&str] = &["dim", "dims", "dim0", "dim1", "start_dim", "end_dim"];
        const SIZES: &[&str] = &["size", "sizes", "shape", "output_size", "repeats", "n", "m", "steps", "high_or_size"];
        let text = self.error.to_string().to_lowercase();
        let present = |names: &[&str]| -> Vec<&'static str> {
            names.iter().filter_map(|n| spec.args.iter().find(|a| a.name == *n)).map(|a| a.name).collect()
        };
        if text.contains("dimension out of range") || text.contains("expected dim") {
            return present(DIMS);
        }
        let about_size = ["out of memory", "negative dimension", "numel", "size", "greater than or equal to 0"];
        if about_size.iter().any(|w| text.contains(w)) {
            return present(SIZES);
        }
        Vec::new()
    }
}

/// A bad value of argument `arg`.
pub fn bad(arg: &'static str, message: impl Into<String>) -> OpError {
    OpError { arg: Some(arg), error: Error::Argument(message.into()) }
}

pub type OpResult = Result<Out, OpError>;

/// One op.
pub struct OpSpec {
    /// The command name: PyTorch's own spelling (`log_softmax`, `index_select`, `add_`).
    pub name: &'static str,
    pub category: Category,
    /// The PyTorch equivalent (`torch.add`, `Tensor.repeat`, `torch.nn.functional.relu`).
    pub torch: &'static str,
    pub summary: &'static str,
    /// More about it, for help (may be empty).
    pub notes: &'static str,
    pub args: &'static [ArgSpec],
    pub output: OutKind,
    pub example: Example,
    pub run: fn(&Args) -> OpResult,
}

impl OpSpec {
    /// The positional arguments, in order.
    pub fn positionals(&self) -> impl Iterator<Item = &'static ArgSpec> {
        self.args.iter().filter(|a| a.positional)
    }

    /// The flags.
    pub fn flags(&self) -> impl Iterator<Item = &'static ArgSpec> {
        self.args.iter().filter(|a| !a.positional)
    }

    /// The last positional, when it takes the rest of the arguments: a required list type
    /// (`reshape 2 3`, `cat $a $b`). An optional list stays one value (`randint 0 10 [2 3]`),
    /// so that it cannot swallow the arguments before it.
    pub fn rest(&self) -> Option<&'static ArgSpec> {
        self.positionals().last().filter(|a| {
            a.is_required() && matches!(a.ty, Ty::Ints | Ty::IntsOrNone | Ty::Tensors | Ty::Shapes | Ty::Index)
        })
    }

    /// The optional argument that may also be written positionally after the positionals, as
    /// PyTorch allows `x.sum(1)`, `x.softmax(-1)`, `x.topk(3, 0)`, `F.linear(x, w, b)`: the
    /// first flag argument when it is `dim` (an int or ints) or `bias` (a tensor), and no
    /// positional takes the rest of the line. It stays a flag as well. (Other options are not
    /// taken positionally: some are keyword-only in PyTorch, e.g. `round(decimals=)`.)
    pub fn positional_option(&self) -> Option<&'static ArgSpec> {
        if self.rest().is_some() {
            return None;
        }
        self.flags().next().filter(|a| match a.name {
            "dim" => matches!(a.ty, Ty::Int | Ty::Ints),
            "bias" => matches!(a.ty, Ty::Tensor),
            _ => false,
        })
    }

    /// The tensor argument that comes from the pipeline: the first tensor positional. It is
    /// given only by the pipeline (`$x | nutorch add $y`), except when it also takes the rest
    /// of the line (`cat`, `stack`, `einsum`'s operands): then a list may be piped in or the
    /// tensors written as arguments.
    pub fn piped(&self) -> Option<&'static ArgSpec> {
        self.positionals().find(|a| matches!(a.ty, Ty::Tensor | Ty::Tensors))
    }

    pub fn arg(&self, name: &str) -> Option<&'static ArgSpec> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// One op table entry: name, category, PyTorch equivalent, summary, arguments, output kind,
/// example (`source => result`), the function that runs it, and optional notes.
#[macro_export]
macro_rules! op {
    ($name:literal, $cat:ident, $torch:literal, $summary:expr, [$($arg:expr),* $(,)?], $out:expr,
     $src:expr => $res:literal, $run:expr $(, notes: $notes:literal)? $(,)?) => {
        $crate::catalog::OpSpec {
            name: $name,
            category: $crate::catalog::Category::$cat,
            torch: $torch,
            summary: $summary,
            notes: $crate::op!(@notes $($notes)?),
            args: &[$($arg),*],
            output: $out,
            example: $crate::catalog::ex($src, $res),
            run: $run,
        }
    };
    (@notes) => { "" };
    (@notes $notes:literal) => { $notes };
}
