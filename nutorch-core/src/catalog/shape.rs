//! Shape ops: reshape, view, squeeze, permute, repeat, cat, stack, split, ...

use super::spec::{bad, opt, req, ArgSpec, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT, OTHER};
use super::util::{non_negative, positive, t, R};
use super::Args;
use crate::op;
use tch::Tensor;

const DIM0: ArgSpec = opt("dim", Int, Dflt::Int(0));
const TENSORS: ArgSpec = req("tensors", Tensors);

/// A shape argument (`reshape 2 -1`): at most one -1, every other size non-negative.
fn shape_arg(a: &Args, name: &'static str) -> R<Vec<i64>> {
    let shape = a.ints(name);
    if shape.iter().filter(|&&d| d == -1).count() > 1 {
        return Err(bad(name, format!("only one dimension can be inferred (-1), got {shape:?}")));
    }
    if let Some(d) = shape.iter().find(|&&d| d < -1) {
        return Err(bad(name, format!("invalid size {d} in {shape:?}")));
    }
    Ok(shape)
}

fn list(tensors: Vec<Tensor>) -> R<Out> {
    Ok(Out::List(tensors))
}

/// An int argument that is either one count (sections) or a list of indices/sizes.
fn one_or_many(a: &Args, name: &'static str) -> Vec<i64> {
    a.ints(name)
}

fn tensors<'a>(a: &'a Args, name: &'static str) -> R<&'a [Tensor]> {
    let ts = a.tensors(name);
    if ts.is_empty() {
        return Err(bad(name, "expected at least one tensor"));
    }
    Ok(ts)
}

pub static OPS: &[OpSpec] = &[
    op!("reshape", Shape, "torch.reshape", "The same elements in a new shape (one size may be -1, inferred).",
        [INPUT, req("shape", Ints).doc("the new shape: sizes as arguments or one list")], O::Tensor,
        "nutorch arange 6 | nutorch reshape 2 -1 | nutorch tovalue" => "[[0, 1, 2], [3, 4, 5]]",
        |a| t(a.input().f_reshape(shape_arg(a, "shape")?)?)),
    op!("view", Shape, "Tensor.view", "A view with a new shape sharing the data (the tensor must be compatible).",
        [INPUT, req("shape", Ints).doc("the new shape: sizes as arguments or one list")], O::Tensor,
        "nutorch arange 4 | nutorch view 2 2 | nutorch tovalue" => "[[0, 1], [2, 3]]",
        |a| t(a.input().f_view_(shape_arg(a, "shape")?)?)),
    op!("view_as", Shape, "Tensor.view_as", "A view with the shape of other.",
        [INPUT, OTHER], O::Tensor,
        "nutorch arange 4 | nutorch view_as (nutorch zeros 2 2) | nutorch tovalue" => "[[0, 1], [2, 3]]",
        |a| t(a.input().f_view_as(a.tensor("other"))?)),
    op!("reshape_as", Shape, "Tensor.reshape_as", "The input reshaped to the shape of other.",
        [INPUT, OTHER], O::Tensor,
        "nutorch arange 4 | nutorch reshape_as (nutorch zeros 2 2) | nutorch tovalue" => "[[0, 1], [2, 3]]",
        |a| t(a.input().f_reshape_as(a.tensor("other"))?)),
    op!("flatten", Shape, "torch.flatten", "Dimensions start_dim..end_dim merged into one.",
        [INPUT, opt("start_dim", Int, Dflt::Int(0)), opt("end_dim", Int, Dflt::Int(-1))], O::Tensor,
        "(nutorch zeros 2 3 4 | nutorch flatten --start-dim 1).shape" => "[2, 12]",
        |a| t(a.input().f_flatten(a.int("start_dim"), a.int("end_dim"))?)),
    op!("ravel", Shape, "torch.ravel", "The elements as one dimension.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch ravel | nutorch tovalue" => "[1, 2, 3, 4]",
        |a| t(a.input().f_ravel()?)),
    op!("unflatten", Shape, "torch.unflatten", "Dimension dim split into the given sizes.",
        [INPUT, req("dim", Int), req("sizes", Ints)], O::Tensor,
        "nutorch arange 6 | nutorch unflatten 0 [2 3] | nutorch tovalue" => "[[0, 1, 2], [3, 4, 5]]",
        |a| t(a.input().f_unflatten(a.int("dim"), shape_arg(a, "sizes")?)?)),
    op!("squeeze", Shape, "torch.squeeze", "Dimensions of size 1 removed (all, or those in --dim).",
    [INPUT, opt("dim", Ints, Dflt::None)], O::Tensor,
    "(nutorch zeros 1 2 1 | nutorch squeeze).shape" => "[2]",
    |a| match a.opt_ints("dim") {
        None => t(a.input().f_squeeze()?),
        Some(dims) => t(a.input().f_squeeze_dims(dims.as_slice())?),
    }),
    op!("unsqueeze", Shape, "torch.unsqueeze", "A dimension of size 1 inserted at dim.",
        [INPUT, req("dim", Int)], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch unsqueeze 0 | nutorch tovalue" => "[[1, 2]]",
        |a| t(a.input().f_unsqueeze(a.int("dim"))?)),
    op!("permute", Shape, "torch.permute", "Dimensions reordered.",
        [INPUT, req("dims", Ints).doc("the new order of the dimensions")], O::Tensor,
        "(nutorch zeros 2 3 4 | nutorch permute 2 0 1).shape" => "[4, 2, 3]",
        |a| t(a.input().f_permute(a.ints("dims"))?)),
    op!("movedim", Shape, "torch.movedim", "Dimensions moved from source positions to destination positions.",
        [INPUT, req("source", Ints), req("destination", Ints)], O::Tensor,
        "(nutorch zeros 2 3 4 | nutorch movedim 0 2).shape" => "[3, 4, 2]",
        |a| t(a.input().f_movedim(a.ints("source"), a.ints("destination"))?)),
    op!("moveaxis", Shape, "torch.moveaxis", "Dimensions moved (alias of movedim).",
        [INPUT, req("source", Ints), req("destination", Ints)], O::Tensor,
        "(nutorch zeros 2 3 4 | nutorch moveaxis 0 2).shape" => "[3, 4, 2]",
        |a| t(a.input().f_moveaxis(a.ints("source"), a.ints("destination"))?)),
    op!("transpose", Shape, "torch.transpose", "Dimensions dim0 and dim1 swapped.",
        [INPUT, req("dim0", Int), req("dim1", Int)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch transpose 0 1 | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_transpose(a.int("dim0"), a.int("dim1"))?)),
    op!("swapaxes", Shape, "torch.swapaxes", "Two dimensions swapped (alias of transpose).",
        [INPUT, req("axis0", Int), req("axis1", Int)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch swapaxes 0 1 | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_swapaxes(a.int("axis0"), a.int("axis1"))?)),
    op!("swapdims", Shape, "torch.swapdims", "Two dimensions swapped (alias of transpose).",
        [INPUT, req("dim0", Int), req("dim1", Int)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch swapdims 1 0 | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_swapdims(a.int("dim0"), a.int("dim1"))?)),
    op!("t", Shape, "torch.t", "Transpose of a matrix (0-d and 1-d tensors unchanged).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch t | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_tr()?)),
    op!("adjoint", Shape, "torch.adjoint", "Conjugate transpose of the last two dimensions.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch adjoint | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_adjoint()?)),
    op!("expand", Shape, "Tensor.expand", "A broadcast view to a larger shape (-1 keeps a size).",
        [INPUT, req("size", Ints)], O::Tensor,
        "nutorch fromvalue [[1] [2]] | nutorch expand 2 3 | nutorch tovalue" => "[[1, 1, 1], [2, 2, 2]]",
        |a| t(a.input().f_expand(a.ints("size"), false)?)),
    op!("expand_as", Shape, "Tensor.expand_as", "A broadcast view to the shape of other.",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch expand_as (nutorch zeros 2 2) | nutorch tovalue" => "[[1, 2], [1, 2]]",
        |a| t(a.input().f_expand_as(a.tensor("other"))?)),
    op!("broadcast_to", Shape, "torch.broadcast_to", "The input broadcast to a shape.",
        [INPUT, req("size", Ints)], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch broadcast_to 2 2 | nutorch tovalue" => "[[1, 2], [1, 2]]",
        |a| t(a.input().f_broadcast_to(a.ints("size"))?)),
    op!("broadcast_tensors", Shape, "torch.broadcast_tensors", "The tensors broadcast to their common shape (a list).",
        [TENSORS], O::Tensors,
        "nutorch broadcast_tensors (nutorch fromvalue [1 2]) (nutorch fromvalue [[3] [4]]) | nutorch tovalue" => "[[[1, 2], [1, 2]], [[3, 3], [4, 4]]]",
        |a| list(Tensor::f_broadcast_tensors(tensors(a, "tensors")?)?)),
    op!("repeat", Shape, "Tensor.repeat", "Repeats a tensor along each dimension.",
        [INPUT, req("sizes", Ints).doc("times to repeat along each dimension (a tensor first when none is piped in)")], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch repeat 2 2 | nutorch tovalue" => "[[1, 2, 1, 2], [1, 2, 1, 2]]",
        |a| {
            let sizes = a.ints("sizes");
            if let Some(s) = sizes.iter().find(|&&s| s < 0) {
                return Err(bad("sizes", format!("repeat sizes must be non-negative, got {s}")));
            }
            let dims = a.input().dim();
            if sizes.len() < dims {
                return Err(bad("sizes", format!("{} repeat sizes for a tensor of {dims} dimensions; give at least one size per dimension", sizes.len())));
            }
            t(a.input().f_repeat(sizes.as_slice())?)
        },
        notes: "More sizes than the tensor has dimensions adds leading dimensions, as in PyTorch: a tensor of shape [4] repeated 2 2 has shape [2 8]. Fewer sizes than dimensions is an error."),
    op!("repeat_interleave", Shape, "torch.repeat_interleave", "Each element repeated (along dim, or flattened).",
    [INPUT, req("repeats", TensorOrNumber), opt("dim", Int, Dflt::None), opt("output_size", Int, Dflt::None)], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch repeat_interleave 2 | nutorch tovalue" => "[1, 1, 2, 2]",
    |a| match a.operand("repeats") {
        super::Operand::T(r) => t(a.input().f_repeat_interleave_self_tensor(r, a.opt_int("dim"), a.opt_int("output_size"))?),
        super::Operand::N(n) => {
            let crate::Number::Int(r) = n else { return Err(bad("repeats", "repeats must be an int or an int tensor")) };
            t(a.input().f_repeat_interleave_self_int(non_negative("repeats", r)?, a.opt_int("dim"), a.opt_int("output_size"))?)
        }
    }),
    op!("tile", Shape, "torch.tile", "The input repeated by dims (missing leading dims count as 1).",
        [INPUT, req("dims", Ints)], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch tile 2 | nutorch tovalue" => "[1, 2, 1, 2]",
        |a| t(a.input().f_tile(a.ints("dims"))?)),
    op!("flip", Shape, "torch.flip", "Elements reversed along the given dimensions.",
        [INPUT, req("dims", Ints)], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch flip 0 | nutorch tovalue" => "[3, 2, 1]",
        |a| t(a.input().f_flip(a.ints("dims"))?)),
    op!("fliplr", Shape, "torch.fliplr", "Columns reversed (dimension 1).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch fliplr | nutorch tovalue" => "[[2, 1], [4, 3]]",
        |a| t(a.input().f_fliplr()?)),
    op!("flipud", Shape, "torch.flipud", "Rows reversed (dimension 0).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch flipud | nutorch tovalue" => "[[3, 4], [1, 2]]",
        |a| t(a.input().f_flipud()?)),
    op!("roll", Shape, "torch.roll", "Elements shifted cyclically (flattened when no dims are given).",
        [INPUT, req("shifts", Ints), opt("dims", Ints, Dflt::Ints(&[]))], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch roll 1 | nutorch tovalue" => "[3, 1, 2]",
        |a| t(a.input().f_roll(a.ints("shifts"), a.ints("dims"))?)),
    op!("rot90", Shape, "torch.rot90", "Rotated by 90 degrees k times in the plane of dims.",
        [INPUT, opt("k", Int, Dflt::Int(1)), opt("dims", Ints, Dflt::Ints(&[0, 1]))], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch rot90 | nutorch tovalue" => "[[2, 4], [1, 3]]",
        |a| t(a.input().f_rot90(a.int("k"), a.ints("dims"))?)),
    op!("narrow", Shape, "torch.narrow", "length elements of dim starting at start (a view).",
        [INPUT, req("dim", Int), req("start", Int), req("length", Int)], O::Tensor,
        "nutorch fromvalue [1 2 3 4] | nutorch narrow 0 1 2 | nutorch tovalue" => "[2, 3]",
        |a| t(a.input().f_narrow(a.int("dim"), a.int("start"), non_negative("length", a.int("length"))?)?)),
    op!("narrow_copy", Shape, "torch.narrow_copy", "length elements of dim starting at start (a copy).",
        [INPUT, req("dim", Int), req("start", Int), req("length", Int)], O::Tensor,
        "nutorch fromvalue [1 2 3 4] | nutorch narrow_copy 0 2 2 | nutorch tovalue" => "[3, 4]",
        |a| t(a.input().f_narrow_copy(a.int("dim"), a.int("start"), non_negative("length", a.int("length"))?)?)),
    op!("chunk", Shape, "torch.chunk", "The input split into (at most) chunks pieces along dim (a list).",
        [INPUT, req("chunks", Int), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4] | nutorch chunk 2 | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| list(a.input().f_chunk(positive("chunks", a.int("chunks"))?, a.int("dim"))?)),
    op!("split", Shape, "torch.split", "The input split into pieces of a size, or of each listed size (a list).",
        [INPUT, req("split_size_or_sections", Ints).doc("one piece size, or a list of sizes"), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4 5] | nutorch split 2 | nutorch tovalue" => "[[1, 2], [3, 4], [5]]",
        |a| {
            let sizes = a.ints("split_size_or_sections");
            match (a.is_list("split_size_or_sections"), sizes.as_slice()) {
                (false, [size]) => list(a.input().f_split(positive("split_size_or_sections", *size)?, a.int("dim"))?),
                _ => list(a.input().f_split_with_sizes(sizes.as_slice(), a.int("dim"))?),
            }
        },
        notes: "`split 2` cuts pieces of 2; `split [1 4]` cuts pieces of sizes 1 and 4."),
    op!("tensor_split", Shape, "torch.tensor_split", "The input split into n nearly equal sections, or at the listed indices (a list).",
    [INPUT, req("indices_or_sections", Ints).doc("a number of sections, or a list of split indices"), DIM0], O::Tensors,
    "nutorch fromvalue [1 2 3 4 5] | nutorch tensor_split [1 3] | nutorch tovalue" => "[[1], [2, 3], [4, 5]]",
    |a| {
        let v = a.ints("indices_or_sections");
        match (a.is_list("indices_or_sections"), v.as_slice()) {
            (false, [n]) => list(a.input().f_tensor_split(positive("indices_or_sections", *n)?, a.int("dim"))?),
            _ => list(a.input().f_tensor_split_indices(v.as_slice(), a.int("dim"))?),
        }
    }),
    op!("hsplit", Shape, "torch.hsplit", "Split along columns into sections or at indices (a list).",
    [INPUT, req("indices_or_sections", Ints)], O::Tensors,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch hsplit 2 | nutorch tovalue" => "[[[1], [3]], [[2], [4]]]",
    |a| {
        let v = one_or_many(a, "indices_or_sections");
        match (a.is_list("indices_or_sections"), v.as_slice()) {
            (false, [n]) => list(a.input().f_hsplit(positive("indices_or_sections", *n)?)?),
            _ => list(a.input().f_hsplit_array(v.as_slice())?),
        }
    }),
    op!("vsplit", Shape, "torch.vsplit", "Split along rows into sections or at indices (a list).",
    [INPUT, req("indices_or_sections", Ints)], O::Tensors,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch vsplit 2 | nutorch tovalue" => "[[[1, 2]], [[3, 4]]]",
    |a| {
        let v = one_or_many(a, "indices_or_sections");
        match (a.is_list("indices_or_sections"), v.as_slice()) {
            (false, [n]) => list(a.input().f_vsplit(positive("indices_or_sections", *n)?)?),
            _ => list(a.input().f_vsplit_array(v.as_slice())?),
        }
    }),
    op!("dsplit", Shape, "torch.dsplit", "Split along the third dimension into sections or at indices (a list).",
    [INPUT, req("indices_or_sections", Ints)], O::Tensors,
    "nutorch fromvalue [[[1 2]]] | nutorch dsplit 2 | nutorch tovalue" => "[[[[1]]], [[[2]]]]",
    |a| {
        let v = one_or_many(a, "indices_or_sections");
        match (a.is_list("indices_or_sections"), v.as_slice()) {
            (false, [n]) => list(a.input().f_dsplit(positive("indices_or_sections", *n)?)?),
            _ => list(a.input().f_dsplit_array(v.as_slice())?),
        }
    }),
    op!("unbind", Shape, "torch.unbind", "The slices along dim, as a list.",
        [INPUT, DIM0], O::Tensors,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch unbind | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| list(a.input().f_unbind(a.int("dim"))?)),
    op!("cat", Shape, "torch.cat", "Tensors joined along an existing dimension.",
        [TENSORS, DIM0], O::Tensor,
        "nutorch cat (nutorch fromvalue [1 2]) (nutorch fromvalue [3]) | nutorch tovalue" => "[1, 2, 3]",
        |a| t(Tensor::f_cat(tensors(a, "tensors")?, a.int("dim"))?)),
    op!("concat", Shape, "torch.concat", "Tensors joined along an existing dimension (alias of cat).",
        [TENSORS, DIM0], O::Tensor,
        "[(nutorch fromvalue [1]) (nutorch fromvalue [2])] | nutorch concat | nutorch tovalue" => "[1, 2]",
        |a| t(Tensor::f_concat(tensors(a, "tensors")?, a.int("dim"))?)),
    op!("concatenate", Shape, "torch.concatenate", "Tensors joined along an existing dimension (alias of cat).",
        [TENSORS, DIM0], O::Tensor,
        "nutorch concatenate [(nutorch fromvalue [1]) (nutorch fromvalue [2])] | nutorch tovalue" => "[1, 2]",
        |a| t(Tensor::f_concatenate(tensors(a, "tensors")?, a.int("dim"))?)),
    op!("stack", Shape, "torch.stack", "Tensors of one shape joined along a new dimension.",
        [TENSORS, DIM0], O::Tensor,
        "nutorch stack (nutorch fromvalue [1 2]) (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| t(Tensor::f_stack(tensors(a, "tensors")?, a.int("dim"))?)),
    op!("hstack", Shape, "torch.hstack", "Tensors joined column-wise.",
        [TENSORS], O::Tensor,
        "nutorch hstack (nutorch fromvalue [1 2]) (nutorch fromvalue [3]) | nutorch tovalue" => "[1, 2, 3]",
        |a| t(Tensor::f_hstack(tensors(a, "tensors")?)?)),
    op!("vstack", Shape, "torch.vstack", "Tensors joined row-wise (1-d tensors become rows).",
        [TENSORS], O::Tensor,
        "nutorch vstack (nutorch fromvalue [1 2]) (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| t(Tensor::f_vstack(tensors(a, "tensors")?)?)),
    op!("row_stack", Shape, "torch.row_stack", "Tensors joined row-wise (alias of vstack).",
        [TENSORS], O::Tensor,
        "nutorch row_stack (nutorch fromvalue [1 2]) (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| t(Tensor::f_row_stack(tensors(a, "tensors")?)?)),
    op!("dstack", Shape, "torch.dstack", "Tensors joined depth-wise (along the third dimension).",
        [TENSORS], O::Tensor,
        "nutorch dstack (nutorch fromvalue [1 2]) (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[[1, 3], [2, 4]]]",
        |a| t(Tensor::f_dstack(tensors(a, "tensors")?)?)),
    op!("column_stack", Shape, "torch.column_stack", "1-d tensors as columns of a matrix (2-d ones joined column-wise).",
        [TENSORS], O::Tensor,
        "nutorch column_stack (nutorch fromvalue [1 2]) (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(Tensor::f_column_stack(tensors(a, "tensors")?)?)),
    op!("tril", Shape, "torch.tril", "The lower triangle (on and below the diagonal-th diagonal), zeros elsewhere.",
        [INPUT, opt("diagonal", Int, Dflt::Int(0))], O::Tensor,
        "nutorch ones 2 2 --dtype int64 | nutorch tril | nutorch tovalue" => "[[1, 0], [1, 1]]",
        |a| t(a.input().f_tril(a.int("diagonal"))?)),
    op!("triu", Shape, "torch.triu", "The upper triangle (on and above the diagonal-th diagonal), zeros elsewhere.",
        [INPUT, opt("diagonal", Int, Dflt::Int(0))], O::Tensor,
        "nutorch ones 2 2 --dtype int64 | nutorch triu | nutorch tovalue" => "[[1, 1], [0, 1]]",
        |a| t(a.input().f_triu(a.int("diagonal"))?)),
    op!("diag", Shape, "torch.diag", "A 1-d tensor as a diagonal matrix, or a matrix's diagonal as a 1-d tensor.",
        [INPUT, opt("diagonal", Int, Dflt::Int(0))], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch diag | nutorch tovalue" => "[[1, 0], [0, 2]]",
        |a| t(a.input().f_diag(a.int("diagonal"))?)),
    op!("diag_embed", Shape, "torch.diag_embed", "The last dimension placed on diagonals of new matrices.",
        [INPUT, opt("offset", Int, Dflt::Int(0)), opt("dim1", Int, Dflt::Int(-2)), opt("dim2", Int, Dflt::Int(-1))], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch diag_embed | nutorch tovalue" => "[[1, 0], [0, 2]]",
        |a| t(a.input().f_diag_embed(a.int("offset"), a.int("dim1"), a.int("dim2"))?)),
    op!("diagonal", Shape, "torch.diagonal", "A diagonal of the matrices in dims dim1, dim2 (a view).",
        [INPUT, opt("offset", Int, Dflt::Int(0)), opt("dim1", Int, Dflt::Int(0)), opt("dim2", Int, Dflt::Int(1))], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch diagonal | nutorch tovalue" => "[1, 4]",
        |a| t(a.input().f_diagonal(a.int("offset"), a.int("dim1"), a.int("dim2"))?)),
    op!("diagflat", Shape, "torch.diagflat", "The flattened input as a diagonal matrix.",
        [INPUT, opt("offset", Int, Dflt::Int(0))], O::Tensor,
        "nutorch fromvalue [[1 2]] | nutorch diagflat | nutorch tovalue" => "[[1, 0], [0, 2]]",
        |a| t(a.input().f_diagflat(a.int("offset"))?)),
    op!("atleast_1d", Shape, "torch.atleast_1d", "The input with at least 1 dimension.",
        [INPUT], O::Tensor,
        "nutorch fromvalue 5 | nutorch atleast_1d | nutorch tovalue" => "[5]",
        |a| t(a.input().f_atleast_1d()?)),
    op!("atleast_2d", Shape, "torch.atleast_2d", "The input with at least 2 dimensions.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [5] | nutorch atleast_2d | nutorch tovalue" => "[[5]]",
        |a| t(a.input().f_atleast_2d()?)),
    op!("atleast_3d", Shape, "torch.atleast_3d", "The input with at least 3 dimensions.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [5] | nutorch atleast_3d | nutorch tovalue" => "[[[5]]]",
        |a| t(a.input().f_atleast_3d()?)),
    op!("unfold", Shape, "Tensor.unfold", "All slices of a size along dimension, every step elements (as a new last dimension).",
        [INPUT, req("dimension", Int), req("size", Int), req("step", Int)], O::Tensor,
        "nutorch fromvalue [1 2 3 4] | nutorch unfold 0 2 2 | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| t(a.input().f_unfold(a.int("dimension"), non_negative("size", a.int("size"))?, positive("step", a.int("step"))?)?)),
    op!("meshgrid", Shape, "torch.meshgrid", "Coordinate grids from 1-d tensors (a list; --indexing ij or xy).",
        [TENSORS, opt("indexing", Str(&["ij", "xy"]), Dflt::Str("ij"))], O::Tensors,
        "nutorch meshgrid (nutorch fromvalue [1 2]) (nutorch fromvalue [3]) | nutorch tovalue" => "[[[1], [2]], [[3], [3]]]",
        |a| list(Tensor::f_meshgrid_indexing(tensors(a, "tensors")?, a.str("indexing"))?)),
    op!("cartesian_prod", Shape, "torch.cartesian_prod", "Every combination of one element from each 1-d tensor (as rows).",
        [TENSORS], O::Tensor,
        "nutorch cartesian_prod (nutorch fromvalue [1 2]) (nutorch fromvalue [3]) | nutorch tovalue" => "[[1, 3], [2, 3]]",
        |a| t(Tensor::f_cartesian_prod(tensors(a, "tensors")?)?)),
    op!("combinations", Shape, "torch.combinations", "Length-r combinations of a 1-d tensor's elements (as rows).",
        [INPUT, opt("r", Int, Dflt::Int(2)), opt("with_replacement", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [1 2 3] | nutorch combinations | nutorch tovalue" => "[[1, 2], [1, 3], [2, 3]]",
        |a| t(a.input().f_combinations(non_negative("r", a.int("r"))?, a.flag("with_replacement"))?)),
    op!("block_diag", Shape, "torch.block_diag", "A block diagonal matrix from the tensors.",
        [TENSORS], O::Tensor,
        "nutorch block_diag (nutorch fromvalue [[1]]) (nutorch fromvalue [[2]]) | nutorch tovalue" => "[[1, 0], [0, 2]]",
        |a| t(Tensor::f_block_diag(tensors(a, "tensors")?)?)),
    op!("kron", Shape, "torch.kron", "Kronecker product.",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch kron (nutorch fromvalue [1 10]) | nutorch tovalue" => "[1, 10, 2, 20]",
        |a| t(a.input().f_kron(a.tensor("other"))?)),
    op!("split_with_sizes", Shape, "Tensor.split_with_sizes", "The input split along dim into pieces of the listed sizes (which add up to its size).",
        [INPUT, req("split_sizes", Ints), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4 5] | nutorch split_with_sizes [1 4] | nutorch tovalue" => "[[1], [2, 3, 4, 5]]",
        |a| list(a.input().f_split_with_sizes(a.ints("split_sizes").as_slice(), a.int("dim"))?)),
    op!("broadcast_shapes", Shape, "torch.broadcast_shapes", "The shape that tensors of these shapes broadcast to.",
        [req("shapes", Shapes)], O::Value,
        "nutorch broadcast_shapes [2 1] [1 3]" => "[2, 3]",
        |a| Ok(Out::Ints(broadcast_shapes(&a.shapes("shapes"))?))),
    op!("as_strided", Shape, "torch.as_strided", "A view of the input's storage with the given size, strides and storage offset (default the input's).",
    [INPUT, req("size", Ints).doc("the shape, as a list"), req("stride", Ints).doc("the step in elements along each dim, as a list"),
     opt("storage_offset", Int, Dflt::None).pos().doc("the first element's position in the storage")], O::Tensor,
    "nutorch arange 6 | nutorch as_strided [2 2] [1 2] | nutorch tovalue" => "[[0, 2], [1, 3]]",
    |a| {
        let x = a.input();
        let (size, stride) = (a.ints("size"), a.ints("stride"));
        let offset = a.opt_int("storage_offset").unwrap_or(storage_offset(x));
        let extent = super::util::strided_extent("size", &size, &stride, offset)?;
        super::util::check_in_storage(&size, &stride, offset, extent, super::util::storage_elements(x)?)?;
        t(x.f_as_strided(size.as_slice(), stride.as_slice(), offset)?)
    }),
    op!("as_strided_scatter", Shape, "torch.as_strided_scatter", "A copy of the input with src written into its strided view (size, stride, storage offset).",
    [INPUT, super::spec::ten("src"), req("size", Ints).doc("the shape, as a list"), req("stride", Ints).doc("the step in elements along each dim, as a list"),
     opt("storage_offset", Int, Dflt::None).pos().doc("the first element's position in the storage")], O::Tensor,
    "nutorch zeros 4 | nutorch as_strided_scatter (nutorch ones 2) [2] [2] | nutorch tovalue" => "[1.0, 0.0, 1.0, 0.0]",
    |a| {
        let x = a.input();
        let (size, stride) = (a.ints("size"), a.ints("stride"));
        let offset = a.opt_int("storage_offset").unwrap_or(storage_offset(x));
        let extent = super::util::strided_extent("size", &size, &stride, offset)?;
        // libtorch copies the input's whole storage (its numel when its elements overlap,
        // as an expanded tensor's do) and writes through the view of that copy.
        let overlapping = x.size().iter().zip(x.stride()).any(|(&d, s)| d > 1 && s == 0);
        let storage = if overlapping { x.numel() as i64 } else { super::util::storage_elements(x)? };
        super::util::check_in_storage(&size, &stride, offset, extent, storage)?;
        let src = a.tensor("src");
        if src.size() != size {
            return Err(bad("src", format!("expected src to have a size equal to the slice of self. src size = {:?}, slice size = {size:?}", src.size())));
        }
        t(x.f_as_strided_scatter(src, size.as_slice(), stride.as_slice(), offset)?)
    }),
    // The *_copy variants: the view op's arguments, a result with storage of its own.
    op!("alias_copy", Shape, "torch.alias_copy", "A copy of the input (what torch.alias views, in storage of its own).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch alias_copy | nutorch tovalue" => "[1, 2]",
        |a| t(a.input().f_alias_copy()?)),
    op!("as_strided_copy", Shape, "torch.as_strided_copy", "A copy of the strided view of the input's storage (size, strides, storage offset).",
    [INPUT, req("size", Ints).doc("the shape, as a list"), req("stride", Ints).doc("the step in elements along each dim, as a list"),
     opt("storage_offset", Int, Dflt::None).pos().doc("the first element's position in the storage")], O::Tensor,
    "nutorch arange 6 | nutorch as_strided_copy [2 2] [1 2] | nutorch tovalue" => "[[0, 2], [1, 3]]",
    |a| {
        let (size, stride, offset) = strided_view(a)?;
        t(a.input().f_as_strided_copy(size.as_slice(), stride.as_slice(), offset)?)
    }),
    op!("diagonal_copy", Shape, "torch.diagonal_copy", "A copy of a diagonal of the matrices in dims dim1, dim2.",
        [INPUT, opt("offset", Int, Dflt::Int(0)), opt("dim1", Int, Dflt::Int(0)), opt("dim2", Int, Dflt::Int(1))], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch diagonal_copy | nutorch tovalue" => "[1, 4]",
        |a| t(a.input().f_diagonal_copy(a.int("offset"), a.int("dim1"), a.int("dim2"))?)),
    op!("expand_copy", Shape, "torch.expand_copy", "A copy of the input broadcast to a larger shape (-1 keeps a size).",
        [INPUT, req("size", Ints), opt("implicit", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[1] [2]] | nutorch expand_copy 2 3 | nutorch tovalue" => "[[1, 1, 1], [2, 2, 2]]",
        |a| t(a.input().f_expand_copy(a.ints("size"), a.flag("implicit"))?)),
    op!("permute_copy", Shape, "torch.permute_copy", "A copy with the dimensions reordered.",
        [INPUT, req("dims", Ints).doc("the new order of the dimensions")], O::Tensor,
        "(nutorch zeros 2 3 4 | nutorch permute_copy 2 0 1).shape" => "[4, 2, 3]",
        |a| t(a.input().f_permute_copy(a.ints("dims"))?)),
    op!("split_with_sizes_copy", Shape, "torch.split_with_sizes_copy", "Copies of the pieces of the listed sizes along dim (which add up to its size).",
        [INPUT, req("split_sizes", Ints), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4 5] | nutorch split_with_sizes_copy [1 4] | nutorch tovalue" => "[[1], [2, 3, 4, 5]]",
        |a| list(a.input().f_split_with_sizes_copy(a.ints("split_sizes").as_slice(), a.int("dim"))?)),
    op!("squeeze_copy", Shape, "torch.squeeze_copy", "A copy with dimensions of size 1 removed (all, or those in --dim).",
    [INPUT, opt("dim", Ints, Dflt::None)], O::Tensor,
    "(nutorch zeros 1 2 1 | nutorch squeeze_copy).shape" => "[2]",
    |a| match a.opt_ints("dim") {
        None => t(a.input().f_squeeze_copy()?),
        Some(dims) => t(a.input().f_squeeze_copy_dims(dims.as_slice())?),
    }),
    op!("t_copy", Shape, "torch.t_copy", "A copy of the transpose of a matrix (0-d and 1-d tensors unchanged).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch t_copy | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_t_copy()?)),
    op!("transpose_copy", Shape, "torch.transpose_copy", "A copy with dimensions dim0 and dim1 swapped.",
        [INPUT, req("dim0", Int), req("dim1", Int)], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch transpose_copy 0 1 | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_transpose_copy(a.int("dim0"), a.int("dim1"))?)),
    op!("unbind_copy", Shape, "torch.unbind_copy", "Copies of the slices along dim, as a list.",
        [INPUT, DIM0], O::Tensors,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch unbind_copy | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| list(a.input().f_unbind_copy(a.int("dim"))?)),
    op!("unfold_copy", Shape, "torch.unfold_copy", "A copy of all slices of a size along dimension, every step elements (as a new last dimension).",
        [INPUT, req("dimension", Int), req("size", Int), req("step", Int)], O::Tensor,
        "nutorch fromvalue [1 2 3 4] | nutorch unfold_copy 0 2 2 | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| t(a.input().f_unfold_copy(a.int("dimension"), non_negative("size", a.int("size"))?, positive("step", a.int("step"))?)?)),
    op!("unsqueeze_copy", Shape, "torch.unsqueeze_copy", "A copy with a dimension of size 1 inserted at dim.",
        [INPUT, req("dim", Int)], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch unsqueeze_copy 0 | nutorch tovalue" => "[[1, 2]]",
        |a| t(a.input().f_unsqueeze_copy(a.int("dim"))?)),
    op!("view_copy", Shape, "torch.view_copy", "A copy in a new shape (one size may be -1, inferred), where view could make one.",
        [INPUT, req("size", Ints).doc("the new shape: sizes as arguments or one list")], O::Tensor,
        "nutorch arange 4 | nutorch view_copy 2 2 | nutorch tovalue" => "[[0, 1], [2, 3]]",
        |a| t(a.input().f_view_copy(shape_arg(a, "size")?)?)),
    // The transposes PyTorch has as properties.
    op!("T", Shape, "Tensor.T", "The dimensions reversed (a matrix's transpose; PyTorch deprecates it for other than 2-d).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch T | nutorch tovalue" => "[[1, 3], [2, 4]]",
        |a| t(a.input().f_numpy_t()?)),
    op!("H", Shape, "Tensor.H", "The conjugate transpose of a matrix (a 0-d tensor unchanged).",
    [INPUT], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch H | nutorch tovalue" => "[[1, 3], [2, 4]]",
    |a| {
        let d = a.input().dim();
        if d != 0 && d != 2 {
            return Err(bad("input", format!("tensor.H is only supported on matrices (2-D tensors). Got {d}-D tensor. For batches of matrices, consider using tensor.mH")));
        }
        t(a.input().f_matrix_h()?)
    }),
    op!("mT", Shape, "Tensor.mT", "The last two dimensions swapped (a batch of matrices transposed).",
    [INPUT], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch mT | nutorch tovalue" => "[[1, 3], [2, 4]]",
    |a| {
        matrices(a, "tensor.mT")?;
        t(a.input().f_mt()?)
    }),
    op!("mH", Shape, "Tensor.mH", "The last two dimensions swapped and conjugated (a batch of matrices' adjoints).",
    [INPUT], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch mH | nutorch tovalue" => "[[1, 3], [2, 4]]",
    |a| {
        matrices(a, "tensor.mH")?;
        t(a.input().f_mh()?)
    }),
    op!("unsafe_chunk", Shape, "torch.unsafe_chunk", "The input split into (at most) chunks pieces along dim, as chunk (a list).",
        [INPUT, req("chunks", Int), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4] | nutorch unsafe_chunk 2 | nutorch tovalue" => "[[1, 2], [3, 4]]",
        |a| list(a.input().f_unsafe_chunk(positive("chunks", a.int("chunks"))?, a.int("dim"))?),
        notes: "The same pieces as chunk: PyTorch's unsafe_ variant only skips autograd's checks on in-place changes."),
    op!("unsafe_split", Shape, "torch.unsafe_split", "The input split into pieces of split_size along dim, as split (a list).",
        [INPUT, req("split_size", Int), DIM0], O::Tensors,
        "nutorch fromvalue [1 2 3 4 5] | nutorch unsafe_split 2 | nutorch tovalue" => "[[1, 2], [3, 4], [5]]",
        |a| list(a.input().f_unsafe_split(positive("split_size", a.int("split_size"))?, a.int("dim"))?),
        notes: "The same pieces as split: PyTorch's unsafe_ variant only skips autograd's checks on in-place changes."),
];

/// The size, strides and storage offset of as_strided_copy, checked against the input's
/// storage (a view past its end would read foreign memory).
fn strided_view(a: &Args) -> R<(Vec<i64>, Vec<i64>, i64)> {
    let x = a.input();
    let (size, stride) = (a.ints("size"), a.ints("stride"));
    let offset = a.opt_int("storage_offset").unwrap_or(storage_offset(x));
    let extent = super::util::strided_extent("size", &size, &stride, offset)?;
    super::util::check_in_storage(&size, &stride, offset, extent, super::util::storage_elements(x)?)?;
    Ok((size, stride, offset))
}

/// mT and mH: matrices or batches of them, as PyTorch's message says (a 0-d tensor passes
/// unchanged, as PyTorch still allows with a deprecation warning).
fn matrices(a: &Args, what: &str) -> R<()> {
    let d = a.input().dim();
    if d == 1 {
        return Err(bad(
            "input",
            format!("{what} is only supported on matrices or batches of matrices. Got {d}-D tensor."),
        ));
    }
    Ok(())
}

/// torch.broadcast_shapes, by its own algorithm (torch/functional.py): each shape is lined up
/// from the right, a size of 1 stretches, and the first mismatch is an error naming it.
fn broadcast_shapes(shapes: &[Vec<i64>]) -> R<Vec<i64>> {
    let len = shapes.iter().map(Vec::len).max().unwrap_or(0);
    let mut result = vec![1i64; len];
    for (index, shape) in shapes.iter().enumerate() {
        for (back, &size) in shape.iter().rev().enumerate() {
            let slot = len - 1 - back;
            if size < 0 {
                return Err(bad("shapes", "Attempting to broadcast a dimension with negative length!"));
            }
            if size == 1 || size == result[slot] {
                continue;
            }
            if result[slot] != 1 {
                return Err(bad(
                    "shapes",
                    format!(
                        "Attempting to broadcast a dimension of length {size} at -{}! Mismatching argument at index {index} had {shape:?}; but expected shape should be broadcastable to {result:?}",
                        back + 1
                    ),
                ));
            }
            result[slot] = size;
        }
    }
    Ok(result)
}

/// The tensor's element offset in its storage (0 without one).
fn storage_offset(x: &Tensor) -> i64 {
    crate::state::storage_offset(x).unwrap_or(0)
}
