//! Sorting: sort, argsort, msort, topk, kthvalue, unique, unique_consecutive.

use super::spec::{opt, req, Dflt, OpSpec, Out, OutKind as O, Ty::*, INPUT};
use super::util::{positive, rec2, t, R};
use super::Args;
use crate::op;
use tch::Tensor;

const VALUES_INDICES: [&str; 2] = ["values", "indices"];

/// unique's result: the values alone, or a record with the inverse indices and counts asked for.
fn unique_out(a: &Args, (values, inverse, counts): (Tensor, Tensor, Tensor)) -> R<Out> {
    let (inv, cnt) = (a.flag("return_inverse"), a.flag("return_counts"));
    if !inv && !cnt {
        return t(values);
    }
    let mut fields = vec![("values", values)];
    if inv {
        fields.push(("inverse_indices", inverse));
    }
    if cnt {
        fields.push(("counts", counts));
    }
    Ok(Out::Rec(fields))
}

pub static OPS: &[OpSpec] = &[
    op!("sort", Sorting, "torch.sort", "Sorted along dim (the last by default), as {values, indices}.",
        [INPUT, opt("dim", Int, Dflt::Int(-1)), opt("descending", Bool, Dflt::Bool(false)), opt("stable", Bool, Dflt::Bool(false))], O::Record(&VALUES_INDICES),
        "nutorch fromvalue [3 1 2] | nutorch sort | nutorch tovalue" => "{\"values\": [1, 2, 3], \"indices\": [1, 2, 0]}",
        |a| rec2(VALUES_INDICES, a.input().f_sort_stable(a.flag("stable"), a.int("dim"), a.flag("descending"))?)),
    op!("argsort", Sorting, "torch.argsort", "The indices that sort along dim.",
        [INPUT, opt("dim", Int, Dflt::Int(-1)), opt("descending", Bool, Dflt::Bool(false)), opt("stable", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [3 1 2] | nutorch argsort --descending | nutorch tovalue" => "[0, 2, 1]",
        |a| t(a.input().f_argsort_stable(a.flag("stable"), a.int("dim"), a.flag("descending"))?)),
    op!("msort", Sorting, "torch.msort", "Sorted along the first dimension.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[3 1] [1 2]] | nutorch msort | nutorch tovalue" => "[[1, 1], [3, 2]]",
        |a| t(a.input().f_msort()?)),
    op!("topk", Sorting, "torch.topk", "The k largest (or --largest=false smallest) along dim, as {values, indices}.",
    [INPUT, req("k", Int), opt("dim", Int, Dflt::Int(-1)), opt("largest", Bool, Dflt::Bool(true)), opt("sorted", Bool, Dflt::Bool(true))], O::Record(&VALUES_INDICES),
    "nutorch fromvalue [1 5 3 4] | nutorch topk 2 | nutorch tovalue" => "{\"values\": [5, 4], \"indices\": [1, 3]}",
    |a| {
        let k = super::util::non_negative("k", a.int("k"))?;
        rec2(VALUES_INDICES, a.input().f_topk(k, a.int("dim"), a.flag("largest"), a.flag("sorted"))?)
    }),
    op!("kthvalue", Sorting, "torch.kthvalue", "The k-th smallest along dim (1-based), as {values, indices}.",
        [INPUT, req("k", Int), opt("dim", Int, Dflt::Int(-1)), opt("keepdim", Bool, Dflt::Bool(false))], O::Record(&VALUES_INDICES),
        "nutorch fromvalue [5 1 3] | nutorch kthvalue 2 | nutorch tovalue" => "{\"values\": 3, \"indices\": 2}",
        |a| rec2(VALUES_INDICES, a.input().f_kthvalue(positive("k", a.int("k"))?, a.int("dim"), a.flag("keepdim"))?)),
    op!("unique", Sorting, "torch.unique", "The distinct values (or rows along --dim); a record with --return-inverse/--return-counts.",
        [INPUT, opt("sorted", Bool, Dflt::Bool(true)), opt("return_inverse", Bool, Dflt::Bool(false)), opt("return_counts", Bool, Dflt::Bool(false)), opt("dim", Int, Dflt::None)], O::Varies,
        "nutorch fromvalue [2 1 2 3] | nutorch unique --return-counts | nutorch tovalue" => "{\"values\": [1, 2, 3], \"counts\": [1, 2, 1]}",
        |a| {
            let x = a.input();
            let (inv, cnt) = (a.flag("return_inverse"), a.flag("return_counts"));
            unique_out(a, match a.opt_int("dim") {
                None => x.f_internal_unique2(a.flag("sorted"), inv, cnt)?,
                Some(d) => x.f_unique_dim(d, a.flag("sorted"), inv, cnt)?,
            })
        },
        notes: "The record's fields are values, inverse_indices and counts (PyTorch returns a tuple)."),
    op!("unique_consecutive", Sorting, "torch.unique_consecutive", "Consecutive duplicates collapsed; a record with --return-inverse/--return-counts.",
        [INPUT, opt("return_inverse", Bool, Dflt::Bool(false)), opt("return_counts", Bool, Dflt::Bool(false)), opt("dim", Int, Dflt::None)], O::Varies,
        "nutorch fromvalue [1 1 2 2 1] | nutorch unique_consecutive | nutorch tovalue" => "[1, 2, 1]",
        |a| unique_out(a, a.input().f_unique_consecutive(a.flag("return_inverse"), a.flag("return_counts"), a.opt_int("dim"))?)),
];
