//! Sparse layouts. nutorch keeps every tensor strided: a sparse tensor could be neither shown,
//! read back (`tovalue`) nor written to the store's safetensors files, so `to_sparse` is an
//! error rather than a tensor that fails later. `sparse_mm` takes the strided tensors that
//! torch.sparse.mm also accepts.

use super::spec::{bad, opt, ten, Dflt, OpSpec, OutKind as O, Ty::*, INPUT};
use super::util::t;
use crate::op;
use tch::Tensor;

/// The message for any sparse tensor, asked for or produced.
pub const SPARSE_UNSUPPORTED: &str =
    "sparse tensors are not supported: nutorch keeps tensors strided (dense), which it can show, read back and store";

pub static OPS: &[OpSpec] = &[
    op!("to_sparse", Conversion, "Tensor.to_sparse", "A sparse copy of the tensor (not supported: always an error).",
        [INPUT, opt("sparse_dim", Int, Dflt::None).pos()], O::Tensor,
        "try { nutorch ones 2 | nutorch to_sparse } catch {|e| $e.msg }" => "\"Invalid argument\"",
        |_| Err(bad("input", SPARSE_UNSUPPORTED)),
        notes: "Sparse tensors are not supported: every tensor nutorch holds is strided."),
    op!("sparse_mm", Linalg, "torch.sparse.mm", "Matrix product mat1 @ mat2 (torch.sparse.mm, on the strided tensors nutorch holds).",
        [ten("mat1"), ten("mat2")], O::Tensor,
        "nutorch fromvalue [[1.0 2.0]] | nutorch sparse_mm (nutorch fromvalue [[3.0] [4.0]]) | nutorch tovalue" => "[[11.0]]",
        |a| t(Tensor::f_internal_sparse_mm(a.tensor("mat1"), a.tensor("mat2"))?),
        notes: "PyTorch's mat1 may be sparse; here tensors are always strided, as torch.sparse.mm also takes them."),
    op!("sparse_sampled_addmm", Linalg, "torch.sparse.sampled_addmm", "beta * input + alpha * (mat1 @ mat2) at input's sparsity pattern (not supported: always an error).",
        [INPUT, ten("mat1"), ten("mat2"), opt("beta", Number, Dflt::Int(1)), opt("alpha", Number, Dflt::Int(1))], O::Tensor,
        "try { nutorch ones 2 2 | nutorch sparse_sampled_addmm (nutorch ones 2 2) (nutorch ones 2 2) } catch {|e| $e.msg }" => "\"Invalid argument\"",
        |_| Err(bad("input", SPARSE_UNSUPPORTED)),
        notes: "PyTorch needs input to be a sparse CSR tensor; nutorch holds only strided ones."),
];
