//! Indexing: select, slice, index_select, gather, scatter, masked_fill, where, take, nonzero,
//! searchsorted, ...
//!
//! Index tensors are checked against the indexed size first: an out-of-range index is an
//! error on the CPU but a device-side assert on CUDA, which breaks every later GPU call.

use super::spec::{bad, opt, req, ten, ArgSpec, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT};
use super::util::{check_index, size_at, t, wrapped, R};
use super::{Args, Operand};
use crate::op;
use tch::Tensor;

const INDEX: ArgSpec = ten("index");
const DIM: ArgSpec = req("dim", Int);

/// `index` checked against the size of `input` along `dim`.
fn checked(a: &Args, name: &'static str, dim: i64, negatives: bool) -> R<()> {
    let size = size_at("dim", a.input(), dim)?;
    check_index(name, a.tensor(name), size, negatives)
}

/// A number operand as a 0-d tensor of the input's dtype (fill values keep the input's dtype).
fn fill_value(a: &Args, name: &'static str) -> R<Tensor> {
    let x = a.input();
    Ok(match a.operand(name) {
        Operand::T(v) => v.shallow_clone(),
        Operand::N(n) => super::util::checked_number(name, n, x.f_kind()?, x.device())?,
    })
}

/// An error of libtorch's, blamed on argument `arg`.
fn blame(arg: &'static str) -> impl Fn(crate::error::Error) -> super::spec::OpError {
    move |error| super::spec::OpError { arg: Some(arg), error }
}

fn flat_numel(x: &Tensor) -> i64 {
    x.size().iter().product()
}

pub static OPS: &[OpSpec] = &[
    op!("select", Indexing, "torch.select", "The slice at index along dim (one dimension fewer): x[..., index, ...].",
        [INPUT, DIM, req("index", Int)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch select 1 -1 | nutorch tovalue" => "[2, 4]",
        |a| t(a.input().f_select(a.int("dim"), a.int("index"))?)),
    op!("slice", Indexing, "Tensor.__getitem__", "Elements start..end (end excluded) every step along dim: x[start:end:step].",
        [INPUT, opt("dim", Int, Dflt::Int(0)), opt("start", Int, Dflt::None), opt("end", Int, Dflt::None), opt("step", Int, Dflt::Int(1))], O::Tensor,
        "nutorch arange 10 | nutorch slice --start 1 --end 8 --step 3 | nutorch tovalue" => "[1, 4, 7]",
        |a| {
            let step = super::util::positive("step", a.int("step"))?;
            t(a.input().f_slice(a.int("dim"), a.opt_int("start"), a.opt_int("end"), step)?)
        },
        notes: "PyTorch spells it x[start:end:step] (with `:` for the dimensions before dim). Negative start and end count from the end."),
    op!("getitem", Indexing, "Tensor.__getitem__", "x[index] as in Python: ints, ranges as slices, null (None), '...', bool masks, index tensors and lists, or PyTorch's own text ('1:3, ::2').",
        [INPUT, req("indices", Index).doc("the index entry (an int, range, null, tensor, list or PyTorch's text such as '1:3, ::2')")], O::Tensor,
        "nutorch arange 12 | nutorch reshape 3 4 | nutorch getitem 1..<3 '::2' | nutorch tovalue" => "[[4, 6], [8, 10]]",
        |a| t(crate::indexing::get(a.input(), a.python_index("indices")).map_err(blame("indices"))?),
        notes: "Each argument is one entry of Python's index tuple: an int (-1 counts from the end); a range for a slice (`1..<3` is 1:3, `1..3` is 1:4, `(-2)..` is -2:, `0..2..<9` is 0:9:2; the bounds are positions as in Nushell's `slice`, steps are positive as in PyTorch); null for None (a new dimension of size 1); '...' for the dimensions not written; a bool tensor as a mask; an int tensor or a list of ints as advanced indices; a bool. A string is PyTorch's own text and may hold several entries: `getitem '1:3, ::2'` is `x[1:3, ::2]`, `getitem ':' 0` is `x[:, 0]`. One list is read as Python reads `x[[...]]`: a tuple when it holds a range, null, '...', a tensor or a list (`getitem [1..<3 0]`), else an index tensor (`getitem [0 2]`). Basic indexing gives a view, advanced indexing a copy, as in PyTorch."),
    op!("setitem", InPlace, "Tensor.__setitem__", "x[index] = value as in Python, in place: the value (a tensor or a number) broadcast to the indexed part and cast to the tensor's dtype.",
        [INPUT, req("indices", Index).doc("the index, as getitem's: PyTorch's text ('1:3, ::2'), or one int, range, null, tensor or list (a list holding ranges or null is several entries: [1..<3 0])"),
         req("value", TensorOrNumber).doc("a tensor (broadcast to the indexed part) or a number")], O::Same,
        "nutorch zeros 2 3 | nutorch setitem ':, 1:' 5 | nutorch tovalue" => "[[0.0, 5.0, 5.0], [0.0, 5.0, 5.0]]",
        |a| {
            let value = match a.operand("value") {
                super::Operand::T(v) => crate::indexing::SetValue::Tensor(v),
                super::Operand::N(n) => crate::indexing::SetValue::Number(n),
            };
            // A value that does not fit the indexed part (its shape or dtype) is the value's fault.
            crate::indexing::set(a.input(), a.python_index("indices"), value).map_err(|e| {
                let about_value = ["value", "broadcast", "expand", "dtype", "shape mismatch"].iter().any(|w| e.to_string().contains(w));
                blame(if about_value { "value" } else { "indices" })(e)
            })?;
            Ok(Out::Same)
        },
        notes: "The index is written as getitem's (one argument: PyTorch's text, or one Nushell entry). As Python's `x[1:3] = v` it changes the tensor itself; a leaf tensor that requires grad (a parameter) can be written only under `nutorch no-grad { }`, as in PyTorch."),
    op!("index", Indexing, "Tensor.__getitem__", "Advanced indexing by index tensors, one per leading dimension: x[i, j].",
    [INPUT, req("indices", Tensors)], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch index (nutorch fromvalue [1 0]) (nutorch fromvalue [0 0]) | nutorch tovalue" => "[3, 1]",
    |a| {
        let x = a.input();
        let indices = a.tensors("indices");
        let opts = checked_indices(x, indices)?;
        t(x.f_index(&opts)?)
    }),
    op!("index_put", Indexing, "torch.index_put", "A copy with values written at the indexed positions (added with --accumulate).",
    [INPUT, req("indices", Tensors), ten("values"), opt("accumulate", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch zeros 3 | nutorch index_put [(nutorch fromvalue [0 2])] (nutorch fromvalue [5.0 7.0]) | nutorch tovalue" => "[5.0, 0.0, 7.0]",
    |a| {
        let x = a.input();
        let indices = a.tensors("indices");
        let opts = checked_indices(x, indices)?;
        t(x.f_index_put(&opts, a.tensor("values"), a.flag("accumulate"))?)
    }),
    op!("index_select", Indexing, "torch.index_select", "The entries at the indices along dim.",
    [INPUT, DIM, INDEX], O::Tensor,
    "nutorch fromvalue [10 20 30] | nutorch index_select 0 (nutorch fromvalue [2 0]) | nutorch tovalue" => "[30, 10]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        t(a.input().f_index_select(a.int("dim"), a.tensor("index"))?)
    }),
    op!("gather", Indexing, "torch.gather", "Values gathered along dim: out[i][j] = input[index[i][j]][j] (for dim 0).",
    [INPUT, DIM, INDEX, opt("sparse_grad", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch gather 1 (nutorch fromvalue [[1] [0]]) | nutorch tovalue" => "[[2], [3]]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        t(a.input().f_gather(a.int("dim"), a.tensor("index"), a.flag("sparse_grad"))?)
    }),
    op!("take_along_dim", Indexing, "torch.take_along_dim", "Values picked along dim by indices (e.g. from argsort); flattened without --dim.",
    [INPUT, ten("indices"), opt("dim", Int, Dflt::None)], O::Tensor,
    "nutorch fromvalue [[3 1] [2 4]] | nutorch take_along_dim (nutorch fromvalue [[1] [0]]) --dim 1 | nutorch tovalue" => "[[1], [2]]",
    |a| {
        let x = a.input();
        match a.opt_int("dim") {
            // Along a dim PyTorch 2.11 takes every index modulo the size (-5 of 4 is 3, 4 is
            // 0), and refuses only a dim of size 0.
            Some(d) => {
                if size_at("dim", x, d)? == 0 && a.tensor("indices").numel() > 0 {
                    return Err(bad("indices", "indices into a dimension of size 0"));
                }
            }
            None => check_index("indices", a.tensor("indices"), flat_numel(x), false)?,
        }
        t(x.f_take_along_dim(a.tensor("indices"), a.opt_int("dim"))?)
    }),
    op!("take", Indexing, "torch.take", "Elements of the flattened input at the indices (negative count from the end).",
    [INPUT, INDEX], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch take (nutorch fromvalue [0 -1]) | nutorch tovalue" => "[1, 4]",
    |a| {
        check_index("index", a.tensor("index"), flat_numel(a.input()), true)?;
        t(a.input().f_take(a.tensor("index"))?)
    }),
    op!("put", Indexing, "torch.put", "A copy with source written at flat indices (added with --accumulate).",
    [INPUT, INDEX, ten("source"), opt("accumulate", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch zeros 2 2 | nutorch put (nutorch fromvalue [3]) (nutorch fromvalue [9.0]) | nutorch tovalue" => "[[0.0, 0.0], [0.0, 9.0]]",
    |a| {
        check_index("index", a.tensor("index"), flat_numel(a.input()), true)?;
        t(a.input().f_put(a.tensor("index"), a.tensor("source"), a.flag("accumulate"))?)
    }),
    op!("scatter", Indexing, "torch.scatter", "A copy with src (a tensor or one value) written along dim at index (or combined with --reduce add|multiply).",
        [INPUT, DIM, INDEX, req("src", TensorOrNumber), opt("reduce", Str(&["add", "multiply"]), Dflt::None)], O::Tensor,
        "nutorch zeros 3 | nutorch scatter 0 (nutorch fromvalue [2 0]) (nutorch fromvalue [5.0 7.0]) | nutorch tovalue" => "[7.0, 0.0, 5.0]",
        |a| {
            checked(a, "index", a.int("dim"), false)?;
            let (x, dim, index) = (a.input(), a.int("dim"), a.tensor("index"));
            let src = match a.operand("src") {
                Operand::T(s) => s.shallow_clone(),
                Operand::N(n) => super::util::checked_number("src", n, x.f_kind()?, x.device())?.f_expand(index.size(), false)?.f_contiguous()?,
            };
            t(match a.opt_str("reduce") {
                None => x.f_scatter(dim, index, &src)?,
                Some(reduce) => x.f_scatter_reduce(dim, index, &src, reduce)?,
            })
        },
        notes: "A number is PyTorch's value= form: `scatter 0 $idx 1.5`."),
    op!("scatter_add", Indexing, "torch.scatter_add", "A copy with src added along dim at index.",
    [INPUT, DIM, INDEX, ten("src")], O::Tensor,
    "nutorch zeros 2 | nutorch scatter_add 0 (nutorch fromvalue [1 1]) (nutorch fromvalue [2.0 3.0]) | nutorch tovalue" => "[0.0, 5.0]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        t(a.input().f_scatter_add(a.int("dim"), a.tensor("index"), a.tensor("src"))?)
    }),
    op!("index_add", Indexing, "torch.index_add", "A copy with alpha * source added at the indices along dim.",
    [INPUT, DIM, INDEX, ten("source"), opt("alpha", Number, Dflt::Int(1))], O::Tensor,
    "nutorch zeros 3 | nutorch index_add 0 (nutorch fromvalue [0 2]) (nutorch fromvalue [1.0 2.0]) | nutorch tovalue" => "[1.0, 0.0, 2.0]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        let source = a.tensor("source");
        let source = match a.number("alpha") {
            crate::Number::Int(1) => source.shallow_clone(),
            alpha => source.f_mul(&wrapped(alpha, source)?)?,
        };
        t(a.input().f_index_add(a.int("dim"), a.tensor("index"), &source)?)
    }),
    op!("index_copy", Indexing, "torch.index_copy", "A copy with source written at the indices along dim.",
    [INPUT, DIM, INDEX, ten("source")], O::Tensor,
    "nutorch zeros 3 | nutorch index_copy 0 (nutorch fromvalue [1]) (nutorch fromvalue [4.0]) | nutorch tovalue" => "[0.0, 4.0, 0.0]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        t(a.input().f_index_copy(a.int("dim"), a.tensor("index"), a.tensor("source"))?)
    }),
    op!("index_fill", Indexing, "torch.index_fill", "A copy with value written at the indices along dim.",
    [INPUT, DIM, INDEX, req("value", TensorOrNumber)], O::Tensor,
    "nutorch zeros 3 | nutorch index_fill 0 (nutorch fromvalue [0 2]) 1 | nutorch tovalue" => "[1.0, 0.0, 1.0]",
    |a| {
        checked(a, "index", a.int("dim"), true)?;
        t(a.input().f_index_fill_int_tensor(a.int("dim"), a.tensor("index"), &fill_value(a, "value")?)?)
    }),
    op!("index_reduce", Indexing, "torch.index_reduce", "A copy with source combined (prod, mean, amax, amin) at the indices along dim.",
    [INPUT, DIM, INDEX, ten("source"), req("reduce", Str(&["prod", "mean", "amax", "amin"])), opt("include_self", Bool, Dflt::Bool(true))], O::Tensor,
    "nutorch ones 2 | nutorch index_reduce 0 (nutorch fromvalue [0 0]) (nutorch fromvalue [2.0 3.0]) prod | nutorch tovalue" => "[6.0, 1.0]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        t(a.input().f_index_reduce(a.int("dim"), a.tensor("index"), a.tensor("source"), a.str("reduce"), a.flag("include_self"))?)
    }),
    op!("masked_fill", Indexing, "torch.masked_fill", "A copy with value where mask is true.",
        [INPUT, ten("mask"), req("value", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch masked_fill (nutorch fromvalue [true false true]) 0 | nutorch tovalue" => "[0, 2, 0]",
        |a| t(a.input().f_masked_fill_tensor(a.tensor("mask"), &fill_value(a, "value")?)?)),
    op!("masked_select", Indexing, "torch.masked_select", "The elements where mask is true, as a 1-d tensor.",
        [INPUT, ten("mask")], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch masked_select (nutorch fromvalue [true false true]) | nutorch tovalue" => "[1, 3]",
        |a| t(a.input().f_masked_select(a.tensor("mask"))?)),
    op!("masked_scatter", Indexing, "torch.masked_scatter", "A copy with source's elements written, in order, where mask is true.",
        [INPUT, ten("mask"), ten("source")], O::Tensor,
        "nutorch zeros 3 | nutorch masked_scatter (nutorch fromvalue [true false true]) (nutorch fromvalue [5.0 6.0]) | nutorch tovalue" => "[5.0, 0.0, 6.0]",
        |a| t(a.input().f_masked_scatter(a.tensor("mask"), a.tensor("source"))?)),
    op!("where", Indexing, "torch.where", "input where condition is true, other elsewhere (each a tensor or a number).",
        [ten("condition"), req("input", TensorOrNumber), req("other", TensorOrNumber)], O::Tensor,
        "nutorch fromvalue [true false] | nutorch where 1 0 | nutorch tovalue" => "[1, 0]",
        |a| {
            let cond = a.tensor("condition");
            let (x, y) = match (a.operand("input"), a.operand("other")) {
                (Operand::T(x), Operand::T(y)) => (x.shallow_clone(), y.shallow_clone()),
                (Operand::T(x), Operand::N(n)) => (x.shallow_clone(), wrapped(n, x)?),
                (Operand::N(n), Operand::T(y)) => (wrapped(n, y)?, y.shallow_clone()),
                (Operand::N(m), Operand::N(n)) => {
                    let like = if matches!((m, n), (crate::Number::Int(_), crate::Number::Int(_))) {
                        Tensor::f_zeros([], (tch::Kind::Int64, cond.device()))?
                    } else {
                        Tensor::f_zeros([], (tch::Kind::Float, cond.device()))?
                    };
                    (wrapped(m, &like)?, wrapped(n, &like)?)
                }
            };
            t(x.f_where_self(cond, &y)?)
        },
        notes: "As in torch.where(condition, input, other), the condition comes first: `$mask | nutorch where $a $b`."),
    op!("nonzero", Indexing, "torch.nonzero", "Indices of the nonzero elements, one row each (a list of index tensors per dim with --as-tuple).",
    [INPUT, opt("as_tuple", Bool, Dflt::Bool(false))], O::Varies,
    "nutorch fromvalue [0 3 0 4] | nutorch nonzero | nutorch tovalue" => "[[1], [3]]",
    |a| match a.flag("as_tuple") {
        false => t(a.input().f_nonzero()?),
        true => Ok(Out::List(a.input().f_nonzero_numpy()?)),
    }),
    op!("argwhere", Indexing, "torch.argwhere", "Indices of the nonzero elements, one row each.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 0] [0 1]] | nutorch argwhere | nutorch tovalue" => "[[0, 0], [1, 1]]",
        |a| t(a.input().f_argwhere()?)),
    op!("searchsorted", Indexing, "torch.searchsorted", "Where each value would be inserted into the sorted sequence to keep it sorted.",
        [ten("sorted_sequence"), req("input", TensorOrNumber), opt("out_int32", Bool, Dflt::Bool(false)), opt("right", Bool, Dflt::Bool(false)),
         opt("side", Str(&["left", "right"]), Dflt::None), opt("sorter", Tensor, Dflt::None)], O::Tensor,
        "nutorch fromvalue [1 3 5 7] | nutorch searchsorted (nutorch fromvalue [3 6]) | nutorch tovalue" => "[1, 3]",
        |a| {
            let seq = a.tensor("sorted_sequence");
            let values = match a.operand("input") {
                Operand::T(v) => v.shallow_clone(),
                Operand::N(n) => wrapped(n, seq)?,
            };
            let side = a.opt_str("side");
            if side == Some("left") && a.flag("right") {
                return Err(bad("side", "side 'left' contradicts --right"));
            }
            let right = a.flag("right") || side == Some("right");
            if let Some(sorter) = a.opt_tensor("sorter") {
                check_index("sorter", sorter, *seq.size().last().unwrap_or(&0), false)?;
            }
            t(values.f_searchsorted(seq, a.flag("out_int32"), right, if right { "right" } else { "left" }, a.opt_tensor("sorter"))?)
        },
        notes: "The sequence comes first, as in torch.searchsorted(sorted_sequence, values)."),
    op!("bucketize", Indexing, "torch.bucketize", "The index of the bucket (between boundaries) each value falls in.",
        [INPUT, ten("boundaries"), opt("out_int32", Bool, Dflt::Bool(false)), opt("right", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [1 5 9] | nutorch bucketize (nutorch fromvalue [2 6]) | nutorch tovalue" => "[0, 1, 2]",
        |a| t(a.input().f_bucketize(a.tensor("boundaries"), a.flag("out_int32"), a.flag("right"))?)),
    op!("select_scatter", Indexing, "torch.select_scatter", "A copy of the input with src written at index along dim (where select would read).",
        [INPUT, ten("src"), DIM, req("index", Int)], O::Tensor,
        "nutorch zeros 2 2 | nutorch select_scatter (nutorch ones 2) 0 1 | nutorch tovalue" => "[[0.0, 0.0], [1.0, 1.0]]",
        |a| t(a.input().f_select_scatter(a.tensor("src"), a.int("dim"), a.int("index"))?)),
    op!("slice_scatter", Indexing, "torch.slice_scatter", "A copy of the input with src written at start:end:step along dim.",
    [INPUT, ten("src"), opt("dim", Int, Dflt::Int(0)), opt("start", Int, Dflt::None), opt("end", Int, Dflt::None), opt("step", Int, Dflt::Int(1))], O::Tensor,
    "nutorch zeros 4 | nutorch slice_scatter (nutorch ones 2) --start 1 --step 2 | nutorch tovalue" => "[0.0, 1.0, 0.0, 1.0]",
    |a| {
        let step = super::util::positive("step", a.int("step"))?;
        t(a.input().f_slice_scatter(a.tensor("src"), a.int("dim"), a.opt_int("start"), a.opt_int("end"), step)?)
    }),
    op!("diagonal_scatter", Indexing, "torch.diagonal_scatter", "A copy of the input with src written on a diagonal (where diagonal would read).",
        [INPUT, ten("src"), opt("offset", Int, Dflt::Int(0)), opt("dim1", Int, Dflt::Int(0)), opt("dim2", Int, Dflt::Int(1))], O::Tensor,
        "nutorch zeros 2 2 | nutorch diagonal_scatter (nutorch ones 2) | nutorch tovalue" => "[[1.0, 0.0], [0.0, 1.0]]",
        |a| t(a.input().f_diagonal_scatter(a.tensor("src"), a.int("offset"), a.int("dim1"), a.int("dim2"))?)),
    op!("scatter_reduce", Indexing, "torch.scatter_reduce", "A copy with src combined along dim at index by sum, prod, mean, amax or amin (with the input's own values unless --include-self=false).",
    [INPUT, DIM, INDEX, ten("src"), req("reduce", Str(&["sum", "prod", "mean", "amax", "amin"])), opt("include_self", Bool, Dflt::Bool(true))], O::Tensor,
    "nutorch ones 3 | nutorch scatter_reduce 0 (nutorch fromvalue [0 0 2]) (nutorch fromvalue [2.0 3.0 4.0]) amax | nutorch tovalue" => "[3.0, 1.0, 4.0]",
    |a| {
        checked(a, "index", a.int("dim"), false)?;
        // tch's scatter_reduce is the older scatter(reduce=add|multiply); this is torch.scatter_reduce.
        t(a.input().f_internal_scatter_reduce(a.int("dim"), a.tensor("index"), a.tensor("src"), a.str("reduce"), a.flag("include_self"))?)
    }),
    op!("unravel_index", Indexing, "torch.unravel_index", "Flat indices into a tensor of shape as coordinates: one tensor per dimension.",
        [ten("indices"), req("shape", Ints)], O::Tensors,
        "nutorch fromvalue [4 1] | nutorch unravel_index 2 3 | nutorch tovalue" => "[[1, 0], [1, 1]]",
        |a| Ok(Out::List(unravel_index(a.tensor("indices"), &a.ints("shape"))?))),
    op!("nonzero_static", Indexing, "torch.nonzero_static", "Indices of the nonzero elements, one row each, cut or padded with fill_value to size rows.",
    [INPUT, req("size", Int).doc("the number of rows"), opt("fill_value", Int, Dflt::Int(-1))], O::Tensor,
    "nutorch fromvalue [0 3 0 4] | nutorch nonzero_static 3 | nutorch tovalue" => "[[1], [3], [-1]]",
    |a| {
        let size = a.int("size");
        if size < 0 {
            return Err(bad("size", format!("nonzero_static: 'size' must be an non-negative integer, got {size}")));
        }
        t(a.input().f_nonzero_static(size, a.int("fill_value"))?)
    }),
];

/// Index tensors for `x[i, j, ...]`: at most one per dimension, integer indices in range (a
/// CUDA kernel would assert on them instead of failing), bool masks as they are.
fn checked_indices<'t>(x: &Tensor, indices: &'t [Tensor]) -> R<Vec<Option<&'t Tensor>>> {
    if indices.len() > x.dim() {
        return Err(bad("indices", format!("{} index tensors for a tensor of {} dimensions", indices.len(), x.dim())));
    }
    for (d, i) in indices.iter().enumerate() {
        if !super::util::dtype(i)?.is_bool() {
            check_index("indices", i, x.size()[d], true)?;
        }
    }
    Ok(indices.iter().map(Some).collect())
}

/// torch.unravel_index as torch/functional.py computes it: each index floor-divided by the
/// strides of a contiguous tensor of `shape`, then taken modulo each size (so negative and
/// too large indices wrap, as in PyTorch).
fn unravel_index(indices: &Tensor, shape: &[i64]) -> R<Vec<Tensor>> {
    let dt = super::util::dtype(indices)?;
    if !dt.is_integer() {
        return Err(bad("indices", format!("expected 'indices' to be integer dtype, but got {dt}")));
    }
    if shape.iter().any(|&d| d < 0) {
        return Err(bad("shape", format!("'shape' cannot have negative values, but got {shape:?}")));
    }
    if shape.contains(&0) {
        return Err(bad(
            "shape",
            format!("'shape' cannot have a zero size (the modulo would divide by zero), got {shape:?}"),
        ));
    }
    if shape.is_empty() {
        return Ok(Vec::new());
    }
    let mut strides = vec![1i64; shape.len()];
    for i in (0..shape.len() - 1).rev() {
        strides[i] = strides[i + 1]
            .checked_mul(shape[i + 1])
            .ok_or_else(|| bad("shape", "the shape's number of elements overflows int64"))?;
    }
    let device = indices.device();
    let strides = Tensor::f_from_slice(&strides)?.f_to_device(device)?;
    let sizes = Tensor::f_from_slice(shape)?.f_to_device(device)?;
    let coords = indices.f_unsqueeze(-1)?.f_floor_divide(&strides)?.f_remainder_tensor(&sizes)?;
    Ok(coords.f_unbind(-1)?)
}
