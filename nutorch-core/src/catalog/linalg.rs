//! Linear algebra: products (mm, matmul, einsum, ...), decompositions (svd, qr, cholesky,
//! eigh, lu), solvers, inverses and norms. torch.linalg.<name> is `linalg_<name>` here.

use super::spec::{bad, opt, req, ten, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, INPUT, OTHER};
use super::util::{check_dims, rec2, rec3, rec4, require_float, scalar_op, t, R};
use super::Args;
use crate::op;
use crate::scalar_ops::ScalarOp;
use tch::Tensor;

const A: ArgSpec = ten("A");
const BETA_ALPHA: [ArgSpec; 2] = [opt("beta", Number, Dflt::Int(1)), opt("alpha", Number, Dflt::Int(1))];

/// `beta * input + alpha * (t1 ⊗ t2)` by PyTorch's own addmm, addmv, addr, addbmm or baddbmm.
fn beta_alpha(a: &Args, op: ScalarOp, t1: &str, t2: &str) -> R<Tensor> {
    scalar_op(a, op, [t1, t2], &["beta", "alpha"])
}

/// A norm order: a number (checked) or one of the words.
fn ord_arg(a: &Args) -> R<Option<Result<f64, String>>> {
    Ok(match a.num_or_str("ord") {
        None => None,
        Some(Ok(p)) if p.is_nan() => return Err(bad("ord", "ord must be a number, inf, -inf, 'fro' or 'nuc'")),
        Some(Ok(p)) => Some(Ok(p)),
        Some(Err(s)) => Some(Err(s.to_string())),
    })
}

/// The matrix of eig/eigvals, refused when it holds NaN or infinities: LAPACK's geev, which
/// libtorch's CPU kernel calls, crashes the process on them (PyTorch 2.11 ends with a
/// segmentation fault).
fn finite_for_geev(x: &Tensor) -> R<&Tensor> {
    let dt = super::util::dtype(x)?;
    if (dt.is_floating_point() || dt.is_complex()) && x.numel() > 0 && x.f_isfinite()?.f_all()?.f_int64_value(&[])? == 0
    {
        return Err(bad("A", "linalg.eig: input tensor should not contain infs or NaNs"));
    }
    Ok(x)
}

fn vector_norm(a: &Args) -> R<Tensor> {
    let x = a.tensor("x");
    require_float("x", x, "linalg_vector_norm")?;
    let p = match ord_arg(a)? {
        Some(Ok(p)) => p,
        Some(Err(s)) => return Err(bad("ord", format!("a vector norm's ord is a number, got '{s}'"))),
        None => 2.0,
    };
    // A vector norm over the dims even when there are two (linalg_norm's matrix norm is not).
    let dims = a.opt_ints("dim").unwrap_or_else(|| (0..x.dim() as i64).collect());
    check_dims("dim", x, &dims)?;
    Ok(x.f_norm_scalaropt_dim(p, dims.as_slice(), a.flag("keepdim"))?)
}

fn matrix_norm(a: &Args, default_dims: bool) -> R<Tensor> {
    let x = a.tensor("A");
    require_float("A", x, "a matrix norm")?;
    let dims = match (a.opt_ints("dim"), default_dims) {
        (Some(d), _) => d,
        (None, true) => vec![-2, -1],
        (None, false) => (0..x.dim() as i64).collect(),
    };
    check_dims("dim", x, &dims)?;
    if x.dim() < 2 && default_dims {
        return Err(bad("A", format!("a matrix norm needs at least 2 dimensions, got {}", x.dim())));
    }
    let keepdim = a.flag("keepdim");
    Ok(match ord_arg(a)? {
        Some(Err(word)) => x.f_linalg_norm_ord_str(&word, Some(dims.as_slice()), keepdim, None)?,
        Some(Ok(p)) => {
            if dims.len() == 2 && ![1.0, -1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY].contains(&p) {
                return Err(bad(
                    "ord",
                    format!("a matrix norm's ord is one of 1, -1, 2, -2, inf, -inf, fro, nuc; got {p}"),
                ));
            }
            if p.abs() == 2.0 {
                super::util::require_lapack("A", x, "the spectral norm")?;
            }
            x.f_linalg_norm(p, Some(dims.as_slice()), keepdim, None)?
        }
        None if dims.len() == 2 => x.f_linalg_norm_ord_str("fro", Some(dims.as_slice()), keepdim, None)?,
        None => x.f_linalg_norm(2.0, Some(dims.as_slice()), keepdim, None)?,
    })
}

const ORD_WORDS: &[&str] = &["fro", "nuc"];

/// torch.tensordot's dims: a count n (the last n dims of a with the first n of b), or the
/// dims of a and of b, each an int or a list.
fn tensordot_dims(a: &Args, rank_a: usize, rank_b: usize) -> R<(Vec<i64>, Vec<i64>)> {
    let dims = a.shapes("dims");
    let dims = if dims.is_empty() { vec![vec![2]] } else { dims };
    match dims.as_slice() {
        [n] if n.len() == 1 => {
            let n = n[0];
            if n < 0 {
                return Err(bad("dims", format!("tensordot expects dims >= 0, but got dims={n}")));
            }
            if n as usize > rank_a.min(rank_b) {
                return Err(bad("dims", format!("dims must be in 0..={}, got {n}", rank_a.min(rank_b))));
            }
            Ok(((rank_a as i64 - n..rank_a as i64).collect(), (0..n).collect()))
        }
        [da, db] => Ok((da.clone(), db.clone())),
        _ => Err(bad("dims", format!("dims must be a count or two lists of dims, got {dims:?}"))),
    }
}

/// A dim of a tensor of `rank` dims (negative from the end), checked.
fn check_dim_of(name: &'static str, d: i64, rank: usize) -> R<i64> {
    let r = rank as i64;
    if d < -r.max(1) || d >= r.max(1) {
        return Err(bad(
            name,
            format!(
                "Dimension out of range (expected to be in range of [{}, {}], but got {d})",
                -r.max(1),
                r.max(1) - 1
            ),
        ));
    }
    Ok(d)
}

pub static OPS: &[OpSpec] = &[
    op!("mm", Linalg, "torch.mm", "Matrix product of two 2-d tensors.",
        [INPUT, ten("mat2")], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch mm (nutorch fromvalue [[1] [1]]) | nutorch tovalue" => "[[3], [7]]",
        |a| t(a.input().f_mm(a.tensor("mat2"))?)),
    op!("matmul", Linalg, "torch.matmul", "Matrix product with broadcasting (vectors, matrices, batches).",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch matmul (nutorch fromvalue [1 1]) | nutorch tovalue" => "[3, 7]",
        |a| t(a.input().f_matmul(a.tensor("other"))?)),
    op!("bmm", Linalg, "torch.bmm", "Batched matrix product of two 3-d tensors.",
        [INPUT, ten("mat2")], O::Tensor,
        "nutorch fromvalue [[[1 2]]] | nutorch bmm (nutorch fromvalue [[[3] [4]]]) | nutorch tovalue" => "[[[11]]]",
        |a| t(a.input().f_bmm(a.tensor("mat2"))?)),
    op!("mv", Linalg, "torch.mv", "Matrix-vector product.",
        [INPUT, ten("vec")], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch mv (nutorch fromvalue [1 0]) | nutorch tovalue" => "[1, 3]",
        |a| t(a.input().f_mv(a.tensor("vec"))?)),
    op!("dot", Linalg, "torch.dot", "Dot product of two 1-d tensors.",
        [INPUT, ten("tensor")], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch dot (nutorch fromvalue [3 4]) | nutorch tovalue" => "11",
        |a| t(a.input().f_dot(a.tensor("tensor"))?)),
    op!("vdot", Linalg, "torch.vdot", "Dot product conjugating the first vector.",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch vdot (nutorch fromvalue [3 4]) | nutorch tovalue" => "11",
        |a| t(a.input().f_vdot(a.tensor("other"))?)),
    op!("inner", Linalg, "torch.inner", "Inner product over the last dimension.",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch inner (nutorch fromvalue [1 1]) | nutorch tovalue" => "[3, 7]",
        |a| t(a.input().f_inner(a.tensor("other"))?)),
    op!("outer", Linalg, "torch.outer", "Outer product of two vectors.",
        [INPUT, ten("vec2")], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch outer (nutorch fromvalue [3 4]) | nutorch tovalue" => "[[3, 4], [6, 8]]",
        |a| t(a.input().f_outer(a.tensor("vec2"))?)),
    op!("ger", Linalg, "torch.ger", "Outer product of two vectors (alias of outer).",
        [INPUT, ten("vec2")], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch ger (nutorch fromvalue [1]) | nutorch tovalue" => "[[1], [2]]",
        |a| t(a.input().f_ger(a.tensor("vec2"))?)),
    op!("addmm", Linalg, "torch.addmm", "beta * input + alpha * (mat1 @ mat2).",
        [INPUT, ten("mat1"), ten("mat2"), BETA_ALPHA[0], BETA_ALPHA[1]], O::Tensor,
        "nutorch fromvalue [[1.0]] | nutorch addmm (nutorch fromvalue [[1.0 2.0]]) (nutorch fromvalue [[3.0] [4.0]]) | nutorch tovalue" => "[[12.0]]",
        |a| t(beta_alpha(a, ScalarOp::Addmm, "mat1", "mat2")?)),
    op!("addmv", Linalg, "torch.addmv", "beta * input + alpha * (mat @ vec).",
        [INPUT, ten("mat"), ten("vec"), BETA_ALPHA[0], BETA_ALPHA[1]], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch addmv (nutorch fromvalue [[1.0 2.0]]) (nutorch fromvalue [3.0 4.0]) --beta 2 | nutorch tovalue" => "[13.0]",
        |a| t(beta_alpha(a, ScalarOp::Addmv, "mat", "vec")?)),
    op!("addr", Linalg, "torch.addr", "beta * input + alpha * outer(vec1, vec2).",
        [INPUT, ten("vec1"), ten("vec2"), BETA_ALPHA[0], BETA_ALPHA[1]], O::Tensor,
        "nutorch zeros 2 2 | nutorch addr (nutorch fromvalue [1.0 2.0]) (nutorch fromvalue [1.0 1.0]) | nutorch tovalue" => "[[1.0, 1.0], [2.0, 2.0]]",
        |a| t(beta_alpha(a, ScalarOp::Addr, "vec1", "vec2")?)),
    op!("addbmm", Linalg, "torch.addbmm", "beta * input + alpha * (sum of the batch products batch1[i] @ batch2[i]).",
        [INPUT, ten("batch1"), ten("batch2"), BETA_ALPHA[0], BETA_ALPHA[1]], O::Tensor,
        "nutorch zeros 1 1 | nutorch addbmm (nutorch ones 2 1 3) (nutorch ones 2 3 1) | nutorch tovalue" => "[[6.0]]",
        |a| t(beta_alpha(a, ScalarOp::Addbmm, "batch1", "batch2")?)),
    op!("baddbmm", Linalg, "torch.baddbmm", "beta * input + alpha * (batch1 @ batch2), batch by batch.",
        [INPUT, ten("batch1"), ten("batch2"), BETA_ALPHA[0], BETA_ALPHA[1]], O::Tensor,
        "nutorch zeros 1 1 1 | nutorch baddbmm (nutorch ones 1 1 3) (nutorch ones 1 3 1) | nutorch tovalue" => "[[[3.0]]]",
        |a| t(beta_alpha(a, ScalarOp::Baddbmm, "batch1", "batch2")?)),
    op!("einsum", Linalg, "torch.einsum", "Einstein summation over the operands, as the equation says.",
        [req("equation", Str(&[])), req("operands", Tensors)], O::Tensor,
        "nutorch einsum 'ij,j->i' (nutorch fromvalue [[1 2] [3 4]]) (nutorch fromvalue [1 1]) | nutorch tovalue" => "[3, 7]",
        |a| {
            let ops = a.tensors("operands");
            if ops.is_empty() {
                return Err(bad("operands", "einsum needs at least one operand"));
            }
            t(Tensor::f_einsum(a.str("equation"), ops, None::<&[i64]>)?)
        },
        notes: "Operands come after the equation (`nutorch einsum 'ij,jk->ik' $a $b`); a piped list of tensors works too."),
    op!("tensordot", Linalg, "torch.tensordot", "Contraction of the last dims of a with the first dims of b.",
        [ten("a"), ten("b"), opt("dims", Shapes, Dflt::Ints(&[2]))
            .doc("how many last dims of a meet as many first dims of b, or the dims of each: [[1 0] [0 1]]")], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch tensordot (nutorch fromvalue [[1 0] [0 1]]) | nutorch tovalue" => "5",
        |a| {
            let (x, y) = (a.tensor("a"), a.tensor("b"));
            let (da, db) = tensordot_dims(a, x.dim(), y.dim())?;
            if da.len() != db.len() {
                return Err(bad("dims", format!("both dim lists should have same length, got {da:?} and {db:?}")));
            }
            let da = da.iter().map(|&d| check_dim_of("dims", d, x.dim())).collect::<Result<Vec<_>, _>>()?;
            let db = db.iter().map(|&d| check_dim_of("dims", d, y.dim())).collect::<Result<Vec<_>, _>>()?;
            t(x.f_tensordot(y, da.as_slice(), db.as_slice())?)
        },
        notes: "dims is a count (`--dims 1`), or two lists of dims (`--dims [[1] [0]]`) as in torch.tensordot."),
    op!("cross", Linalg, "torch.cross", "Cross product of 3-vectors along dim (the first of size 3 by default).",
    [INPUT, OTHER, opt("dim", Int, Dflt::None)], O::Tensor,
    "nutorch fromvalue [1 0 0] | nutorch cross (nutorch fromvalue [0 1 0]) | nutorch tovalue" => "[0, 0, 1]",
    |a| {
        // Without --dim: the first dimension of size 3, as torch.cross (which warns).
        let dim = match a.opt_int("dim") {
            Some(d) => d,
            None => match a.input().size().iter().position(|&s| s == 3) {
                Some(d) => d as i64,
                None => return Err(bad("input", "no dimension of size 3 in input")),
            },
        };
        t(a.input().f_linalg_cross(a.tensor("other"), dim)?)
    }),
    op!("linalg_cross", Linalg, "torch.linalg.cross", "Cross product of 3-vectors along dim (the last by default).",
        [INPUT, OTHER, opt("dim", Int, Dflt::Int(-1))], O::Tensor,
        "nutorch fromvalue [0 1 0] | nutorch linalg_cross (nutorch fromvalue [1 0 0]) | nutorch tovalue" => "[0, 0, -1]",
        |a| t(a.input().f_linalg_cross(a.tensor("other"), a.int("dim"))?)),
    op!("det", Linalg, "torch.det", "Determinant of square matrices.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 3.0]] | nutorch det | nutorch tovalue" => "6.0",
        |a| t(a.input().f_det()?)),
    op!("linalg_det", Linalg, "torch.linalg.det", "Determinant of square matrices.",
        [A], O::Tensor,
        "nutorch fromvalue [[1.0 2.0] [3.0 4.0]] --dtype float64 | nutorch linalg_det | nutorch tovalue" => "-2.0",
        |a| t(Tensor::f_linalg_det(a.tensor("A"))?)),
    op!("logdet", Linalg, "torch.logdet", "Log of the determinant (NaN when it is negative).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1.0 0.0] [0.0 1.0]] | nutorch logdet | nutorch tovalue" => "0.0",
        |a| t(a.input().f_logdet()?)),
    op!("slogdet", Linalg, "torch.slogdet", "Sign and log of the absolute determinant, as {sign, logabsdet}.",
        [INPUT], O::Record(&["sign", "logabsdet"]),
        "nutorch fromvalue [[-1.0 0.0] [0.0 1.0]] | nutorch slogdet | nutorch tovalue" => "{\"sign\": -1.0, \"logabsdet\": 0.0}",
        |a| rec2(["sign", "logabsdet"], a.input().f_slogdet()?)),
    op!("linalg_slogdet", Linalg, "torch.linalg.slogdet", "Sign and log of the absolute determinant, as {sign, logabsdet}.",
        [A], O::Record(&["sign", "logabsdet"]),
        "nutorch fromvalue [[2.0 0.0] [0.0 0.5]] | nutorch linalg_slogdet | nutorch tovalue" => "{\"sign\": 1.0, \"logabsdet\": 0.0}",
        |a| rec2(["sign", "logabsdet"], Tensor::f_linalg_slogdet(a.tensor("A"))?)),
    op!("inverse", Linalg, "torch.inverse", "Inverse of square matrices.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch inverse | nutorch tovalue" => "[[0.5, 0.0], [0.0, 0.25]]",
        |a| t(a.input().f_inverse()?)),
    op!("linalg_inv", Linalg, "torch.linalg.inv", "Inverse of square matrices (an error when singular).",
        [A], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_inv | nutorch tovalue" => "[[0.5, 0.0], [0.0, 0.25]]",
        |a| t(Tensor::f_linalg_inv(a.tensor("A"))?)),
    op!("linalg_inv_ex", Linalg, "torch.linalg.inv_ex", "Inverse and an info code (nonzero when singular), as {inverse, info}.",
        [A, opt("check_errors", Bool, Dflt::Bool(false))], O::Record(&["inverse", "info"]),
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_inv_ex | nutorch tovalue" => "{\"inverse\": [[0.5, 0.0], [0.0, 0.25]], \"info\": 0}",
        |a| rec2(["inverse", "info"], Tensor::f_linalg_inv_ex(a.tensor("A"), a.flag("check_errors"))?)),
    op!("linalg_solve", Linalg, "torch.linalg.solve", "The solution X of A X = B (X A = B with --left=false).",
        [A, ten("B"), opt("left", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_solve (nutorch fromvalue [2.0 4.0]) | nutorch tovalue" => "[1.0, 1.0]",
        |a| t(Tensor::f_linalg_solve(a.tensor("A"), a.tensor("B"), a.flag("left"))?)),
    op!("linalg_solve_ex", Linalg, "torch.linalg.solve_ex", "linalg_solve with an info code, as {result, info}.",
        [A, ten("B"), opt("left", Bool, Dflt::Bool(true)), opt("check_errors", Bool, Dflt::Bool(false))], O::Record(&["result", "info"]),
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_solve_ex (nutorch fromvalue [2.0 4.0]) | nutorch tovalue" => "{\"result\": [1.0, 1.0], \"info\": 0}",
        |a| rec2(["result", "info"], Tensor::f_linalg_solve_ex(a.tensor("A"), a.tensor("B"), a.flag("left"), a.flag("check_errors"))?)),
    op!("linalg_solve_triangular", Linalg, "torch.linalg.solve_triangular", "The solution of a triangular system (say --upper for upper triangular A).",
        [A, ten("B"), opt("upper", Bool, Dflt::Bool(false)), opt("left", Bool, Dflt::Bool(true)), opt("unitriangular", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [1.0 1.0]] | nutorch linalg_solve_triangular (nutorch fromvalue [[2.0] [2.0]]) | nutorch tovalue" => "[[1.0], [1.0]]",
        |a| t(a.tensor("A").f_linalg_solve_triangular(a.tensor("B"), a.flag("upper"), a.flag("left"), a.flag("unitriangular"))?),
        notes: "torch requires upper= to be given; here it defaults to lower triangular."),
    op!("svd", Linalg, "torch.svd", "Singular value decomposition input = U diag(S) V^T, as {U, S, V}.",
        [INPUT, opt("some", Bool, Dflt::Bool(true)), opt("compute_uv", Bool, Dflt::Bool(true))], O::Record(&["U", "S", "V"]),
        "(nutorch fromvalue [[3.0 0.0] [0.0 2.0]] | nutorch svd).S | nutorch tovalue" => "[3.0, 2.0]",
        |a| rec3(["U", "S", "V"], a.input().f_svd(a.flag("some"), a.flag("compute_uv"))?)),
    op!("linalg_svd", Linalg, "torch.linalg.svd", "Singular value decomposition A = U diag(S) Vh, as {U, S, Vh}.",
    [A, opt("full_matrices", Bool, Dflt::Bool(true))], O::Record(&["U", "S", "Vh"]),
    "(nutorch fromvalue [[3.0 0.0] [0.0 2.0]] | nutorch linalg_svd).S | nutorch tovalue" => "[3.0, 2.0]",
    |a| {
        // Through torch.svd: tch cannot leave linalg_svd's driver unset (CPU refuses one).
        let (u, s, v) = a.tensor("A").f_svd(!a.flag("full_matrices"), true)?;
        rec3(["U", "S", "Vh"], (u, s, v.f_mh()?))
    }),
    op!("linalg_svdvals", Linalg, "torch.linalg.svdvals", "Singular values, in descending order.",
        [A], O::Tensor,
        "nutorch fromvalue [[0.0 2.0] [3.0 0.0]] | nutorch linalg_svdvals | nutorch tovalue" => "[3.0, 2.0]",
        |a| t(a.tensor("A").f_svd(true, false)?.1)),
    op!("qr", Linalg, "torch.qr", "QR decomposition input = Q R, as {Q, R}.",
        [INPUT, opt("some", Bool, Dflt::Bool(true))], O::Record(&["Q", "R"]),
        "(nutorch fromvalue [[2.0 0.0] [0.0 3.0]] | nutorch qr).R | nutorch tovalue" => "[[2.0, 0.0], [0.0, 3.0]]",
        |a| rec2(["Q", "R"], Tensor::f_linalg_qr(a.input(), if a.flag("some") { "reduced" } else { "complete" })?)),
    op!("linalg_qr", Linalg, "torch.linalg.qr", "QR decomposition A = Q R (--mode reduced, complete or r), as {Q, R}.",
        [A, opt("mode", Str(&["reduced", "complete", "r"]), Dflt::Str("reduced"))], O::Record(&["Q", "R"]),
        "(nutorch fromvalue [[2.0 0.0] [0.0 3.0]] | nutorch linalg_qr).R | nutorch tovalue" => "[[2.0, 0.0], [0.0, 3.0]]",
        |a| rec2(["Q", "R"], Tensor::f_linalg_qr(a.tensor("A"), a.str("mode"))?)),
    op!("cholesky", Linalg, "torch.cholesky", "Cholesky factor of a symmetric positive-definite matrix (lower, or --upper).",
        [INPUT, opt("upper", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[4.0 0.0] [0.0 9.0]] | nutorch cholesky | nutorch tovalue" => "[[2.0, 0.0], [0.0, 3.0]]",
        |a| t(a.input().f_linalg_cholesky(a.flag("upper"))?)),
    op!("linalg_cholesky", Linalg, "torch.linalg.cholesky", "Cholesky factor L with A = L L^H (or --upper).",
        [A, opt("upper", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[4.0 2.0] [2.0 2.0]] | nutorch linalg_cholesky | nutorch tovalue" => "[[2.0, 0.0], [1.0, 1.0]]",
        |a| t(a.tensor("A").f_linalg_cholesky(a.flag("upper"))?)),
    op!("linalg_cholesky_ex", Linalg, "torch.linalg.cholesky_ex", "Cholesky factor with an info code, as {L, info}.",
        [A, opt("upper", Bool, Dflt::Bool(false)), opt("check_errors", Bool, Dflt::Bool(false))], O::Record(&["L", "info"]),
        "nutorch fromvalue [[4.0 0.0] [0.0 9.0]] | nutorch linalg_cholesky_ex | nutorch tovalue" => "{\"L\": [[2.0, 0.0], [0.0, 3.0]], \"info\": 0}",
        |a| rec2(["L", "info"], a.tensor("A").f_linalg_cholesky_ex(a.flag("upper"), a.flag("check_errors"))?)),
    op!("cholesky_inverse", Linalg, "torch.cholesky_inverse", "Inverse of A from its Cholesky factor.",
        [INPUT, opt("upper", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch cholesky_inverse | nutorch tovalue" => "[[0.25, 0.0], [0.0, 1.0]]",
        |a| t(a.input().f_cholesky_inverse(a.flag("upper"))?)),
    op!("cholesky_solve", Linalg, "torch.cholesky_solve", "The solution of A X = B from the Cholesky factor of A (input is B).",
        [INPUT, ten("input2"), opt("upper", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[4.0] [1.0]] | nutorch cholesky_solve (nutorch fromvalue [[2.0 0.0] [0.0 1.0]]) | nutorch tovalue" => "[[1.0], [1.0]]",
        |a| t(a.input().f_cholesky_solve(a.tensor("input2"), a.flag("upper"))?)),
    op!("pinverse", Linalg, "torch.pinverse", "Moore-Penrose pseudo-inverse.",
        [INPUT, opt("rcond", Float, Dflt::Float(1e-15))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 0.0]] | nutorch pinverse | nutorch tovalue" => "[[0.5, 0.0], [0.0, 0.0]]",
        |a| t(a.input().f_pinverse(a.float("rcond"))?)),
    op!("linalg_pinv", Linalg, "torch.linalg.pinv", "Moore-Penrose pseudo-inverse (singular values below atol/rtol cut off).",
        [A, opt("atol", Float, Dflt::None), opt("rtol", Float, Dflt::None), opt("hermitian", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[4.0 0.0] [0.0 0.0]] | nutorch linalg_pinv | nutorch tovalue" => "[[0.25, 0.0], [0.0, 0.0]]",
        |a| t(a.tensor("A").f_linalg_pinv_atol_rtol_float(a.opt_float("atol"), a.opt_float("rtol"), a.flag("hermitian"))?)),
    op!("linalg_matrix_rank", Linalg, "torch.linalg.matrix_rank", "Numerical rank (singular values above atol/rtol).",
        [A, opt("atol", Float, Dflt::None), opt("rtol", Float, Dflt::None), opt("hermitian", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[1.0 2.0] [2.0 4.0]] | nutorch linalg_matrix_rank | nutorch tovalue" => "1",
        |a| t(a.tensor("A").f_linalg_matrix_rank_atol_rtol_float(a.opt_float("atol"), a.opt_float("rtol"), a.flag("hermitian"))?)),
    op!("linalg_matrix_norm", Linalg, "torch.linalg.matrix_norm", "Matrix norm over two dims: fro (default), nuc, or ord 1, -1, 2, -2, inf, -inf.",
        [A, opt("ord", NumOrStr(ORD_WORDS), Dflt::Str("fro")), opt("dim", Ints, Dflt::Ints(&[-2, -1])), opt("keepdim", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[3.0 0.0] [0.0 4.0]] | nutorch linalg_matrix_norm | nutorch tovalue" => "5.0",
        |a| t(matrix_norm(a, true)?)),
    op!("linalg_vector_norm", Linalg, "torch.linalg.vector_norm", "Vector p-norm of all elements, or along --dim (ord 2 by default; inf, -inf, 0 too).",
        [ten("x"), opt("ord", NumOrStr(&[]), Dflt::Float(2.0)), opt("dim", Ints, Dflt::None), opt("keepdim", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [3.0 -4.0] | nutorch linalg_vector_norm --ord 1 | nutorch tovalue" => "7.0",
        |a| t(vector_norm(a)?)),
    op!("linalg_norm", Linalg, "torch.linalg.norm", "Vector norm (1 dim, or flattened) or matrix norm (2 dims) by --ord.",
    [A, opt("ord", NumOrStr(ORD_WORDS), Dflt::None), opt("dim", Ints, Dflt::None), opt("keepdim", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[3.0 0.0] [0.0 4.0]] | nutorch linalg_norm | nutorch tovalue" => "5.0",
    |a| {
        let x = a.tensor("A");
        require_float("A", x, "linalg_norm")?;
        let ord = ord_arg(a)?;
        let dims = a.opt_ints("dim");
        let keepdim = a.flag("keepdim");
        let matrix = dims.as_ref().map_or(x.dim() == 2, |d| d.len() == 2);
        if ord.is_none() && dims.is_none() {
            // The 2-norm of the flattened tensor, whatever its rank.
            let r = x.f_reshape([-1])?.f_linalg_norm(2.0, Some([0i64].as_slice()), false, None)?;
            return t(if keepdim { r.f_reshape(vec![1i64; x.dim()])? } else { r });
        }
        if matrix {
            return t(matrix_norm(a, true)?);
        }
        let dims = match dims {
            Some(d) => d,
            None if x.dim() == 1 => vec![0],
            None => return Err(bad("ord", format!("ord needs a 1-d or 2-d input, or --dim; got {} dimensions", x.dim()))),
        };
        check_dims("dim", x, &dims)?;
        let p = match ord {
            Some(Err(w)) => return Err(bad("ord", format!("ord '{w}' needs a matrix (two dims)"))),
            Some(Ok(p)) => p,
            None => 2.0,
        };
        t(x.f_linalg_norm(p, Some(dims.as_slice()), keepdim, None)?)
    }),
    op!("nuclear_norm", Linalg, "torch.nuclear_norm", "Nuclear norm (sum of singular values) of a matrix.",
    [INPUT, opt("keepdim", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[3.0 0.0] [0.0 4.0]] | nutorch nuclear_norm | nutorch tovalue" => "7.0",
    |a| {
        // linalg's 'nuc' norm over the two dims (torch.nuclear_norm warns that it is deprecated).
        if a.input().dim() != 2 {
            return Err(bad("input", format!("nuclear_norm needs a matrix, got {} dimensions", a.input().dim())));
        }
        require_float("input", a.input(), "nuclear_norm")?;
        t(a.input().f_linalg_norm_ord_str("nuc", Some([0i64, 1].as_slice()), a.flag("keepdim"), None)?)
    }),
    op!("linalg_cond", Linalg, "torch.linalg.cond", "Condition number (2-norm by default; --p fro, nuc or a number).",
    [A, opt("p", NumOrStr(ORD_WORDS), Dflt::None)], O::Tensor,
    "nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch linalg_cond | nutorch tovalue" => "2.0",
    |a| {
        let x = a.tensor("A");
        super::util::require_lapack("A", x, "linalg_cond")?;
        if x.dim() < 2 {
            return Err(bad("A", "linalg_cond needs a matrix"));
        }
        t(match a.num_or_str("p") {
            None => x.f_linalg_cond(2.0)?,
            Some(Err(w)) => x.f_linalg_cond_p_str(w)?,
            Some(Ok(p)) if [1.0, -1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY].contains(&p) => x.f_linalg_cond(p)?,
            Some(Ok(p)) => return Err(bad("p", format!("p is one of 1, -1, 2, -2, inf, -inf, fro, nuc; got {p}"))),
        })
    }),
    op!("matrix_power", Linalg, "torch.matrix_power", "A square matrix to an integer power (negative: of the inverse).",
        [INPUT, req("n", Int)], O::Tensor,
        "nutorch fromvalue [[1 1] [0 1]] | nutorch matrix_power 3 | nutorch tovalue" => "[[1, 3], [0, 1]]",
        |a| t(a.input().f_matrix_power(a.int("n"))?)),
    op!("linalg_matrix_power", Linalg, "torch.linalg.matrix_power", "A square matrix to an integer power.",
        [A, req("n", Int)], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch linalg_matrix_power -1 | nutorch tovalue" => "[[0.5, 0.0], [0.0, 1.0]]",
        |a| t(a.tensor("A").f_linalg_matrix_power(a.int("n"))?)),
    op!("matrix_exp", Linalg, "torch.matrix_exp", "Matrix exponential.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[0.0 0.0] [0.0 0.0]] | nutorch matrix_exp | nutorch tovalue" => "[[1.0, 0.0], [0.0, 1.0]]",
        |a| t(a.input().f_matrix_exp()?)),
    op!("linalg_matrix_exp", Linalg, "torch.linalg.matrix_exp", "Matrix exponential.",
        [A], O::Tensor,
        "nutorch fromvalue [[0.0]] | nutorch linalg_matrix_exp | nutorch tovalue" => "[[1.0]]",
        |a| t(a.tensor("A").f_linalg_matrix_exp()?)),
    op!("linalg_eigh", Linalg, "torch.linalg.eigh", "Eigenvalues (ascending) and eigenvectors of a symmetric matrix, as {eigenvalues, eigenvectors}.",
        [A, opt("UPLO", Str(&["L", "U"]), Dflt::Str("L"))], O::Record(&["eigenvalues", "eigenvectors"]),
        "(nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch linalg_eigh).eigenvalues | nutorch tovalue" => "[1.0, 2.0]",
        |a| rec2(["eigenvalues", "eigenvectors"], a.tensor("A").f_linalg_eigh(a.str("UPLO"))?)),
    op!("linalg_eigvalsh", Linalg, "torch.linalg.eigvalsh", "Eigenvalues (ascending) of a symmetric matrix.",
        [A, opt("UPLO", Str(&["L", "U"]), Dflt::Str("L"))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch linalg_eigvalsh | nutorch tovalue" => "[1.0, 2.0]",
        |a| t(a.tensor("A").f_linalg_eigvalsh(a.str("UPLO"))?)),
    op!("linalg_lstsq", Linalg, "torch.linalg.lstsq", "Least-squares solution of A X = B, as {solution, residuals, rank, singular_values}.",
    [A, ten("B"), opt("rcond", Float, Dflt::None), opt("driver", Str(&["gels", "gelsy", "gelsd", "gelss"]), Dflt::None)], O::Record(&["solution", "residuals", "rank", "singular_values"]),
    "(nutorch fromvalue [[1.0 0.0] [0.0 2.0]] | nutorch linalg_lstsq (nutorch fromvalue [[1.0] [2.0]])).solution | nutorch tovalue" => "[[1.0], [1.0]]",
    |a| {
        let x = a.tensor("A");
        // PyTorch's default driver: gelsy on the CPU, gels (the only one) on CUDA.
        let default = if x.device().is_cuda() { "gels" } else { "gelsy" };
        rec4(["solution", "residuals", "rank", "singular_values"], x.f_linalg_lstsq(a.tensor("B"), a.opt_float("rcond"), a.opt_str("driver").unwrap_or(default))?)
    }),
    op!("linalg_lu", Linalg, "torch.linalg.lu", "LU decomposition with partial pivoting A = P L U, as {P, L, U}.",
        [A, opt("pivot", Bool, Dflt::Bool(true))], O::Record(&["P", "L", "U"]),
        "(nutorch fromvalue [[1.0 0.0] [0.0 1.0]] | nutorch linalg_lu).U | nutorch tovalue" => "[[1.0, 0.0], [0.0, 1.0]]",
        |a| rec3(["P", "L", "U"], Tensor::f_linalg_lu(a.tensor("A"), a.flag("pivot"))?)),
    op!("linalg_lu_factor", Linalg, "torch.linalg.lu_factor", "Compact LU factorization, as {LU, pivots}.",
        [A, opt("pivot", Bool, Dflt::Bool(true))], O::Record(&["LU", "pivots"]),
        "(nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch linalg_lu_factor).pivots | nutorch tovalue" => "[1, 2]",
        |a| rec2(["LU", "pivots"], Tensor::f_linalg_lu_factor(a.tensor("A"), a.flag("pivot"))?)),
    op!("linalg_multi_dot", Linalg, "torch.linalg.multi_dot", "Product of a chain of matrices, in the cheapest order.",
        [req("tensors", Tensors)], O::Tensor,
        "nutorch linalg_multi_dot (nutorch fromvalue [1 2]) (nutorch fromvalue [[1] [1]]) | nutorch tovalue" => "[3]",
        |a| t(Tensor::f_linalg_multi_dot(a.tensors("tensors"))?)),
    op!("chain_matmul", Linalg, "torch.chain_matmul", "Product of a chain of 2-d matrices.",
    [req("matrices", Tensors)], O::Tensor,
    "nutorch chain_matmul (nutorch fromvalue [[1 2]]) (nutorch fromvalue [[1] [1]]) | nutorch tovalue" => "[[3]]",
    |a| {
        // linalg's multi_dot (torch.chain_matmul warns that it is deprecated), 2-d only.
        let ms = a.tensors("matrices");
        if let Some(i) = ms.iter().position(|m| m.dim() != 2) {
            return Err(bad("matrices", format!("chain_matmul: tensor {i} is not a matrix ({}-d)", ms[i].dim())));
        }
        match ms {
            [] => Err(bad("matrices", "chain_matmul needs at least one matrix")),
            [one] => t(one.shallow_clone()),
            _ => t(Tensor::f_linalg_multi_dot(ms)?),
        }
    }),
    op!("linalg_vecdot", Linalg, "torch.linalg.vecdot", "Dot product of vectors along dim (conjugating x).",
        [ten("x"), ten("y"), opt("dim", Int, Dflt::Int(-1))], O::Tensor,
        "nutorch fromvalue [[1.0 2.0] [3.0 4.0]] | nutorch linalg_vecdot (nutorch fromvalue [1.0 1.0]) | nutorch tovalue" => "[3.0, 7.0]",
        |a| t(Tensor::f_linalg_vecdot(a.tensor("x"), a.tensor("y"), a.int("dim"))?)),
    op!("linalg_diagonal", Linalg, "torch.linalg.diagonal", "A diagonal of the matrices in the last two dims.",
        [A, opt("offset", Int, Dflt::Int(0)), opt("dim1", Int, Dflt::Int(-2)), opt("dim2", Int, Dflt::Int(-1))], O::Tensor,
        "nutorch fromvalue [[1 2] [3 4]] | nutorch linalg_diagonal | nutorch tovalue" => "[1, 4]",
        |a| t(Tensor::f_linalg_diagonal(a.tensor("A"), a.int("offset"), a.int("dim1"), a.int("dim2"))?)),
    op!("vander", Linalg, "torch.vander", "Vandermonde matrix of x (decreasing powers unless --increasing).",
    [ten("x"), opt("N", Int, Dflt::None), opt("increasing", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [1 2 3] | nutorch vander | nutorch tovalue" => "[[1, 1, 1], [4, 2, 1], [9, 3, 1]]",
    |a| {
        if let Some(n) = a.opt_int("N") {
            super::util::non_negative("N", n)?;
        }
        t(Tensor::f_vander(a.tensor("x"), a.opt_int("N"), a.flag("increasing"))?)
    }),
    op!("linalg_vander", Linalg, "torch.linalg.vander", "Vandermonde matrix of x with increasing powers.",
    [ten("x"), opt("N", Int, Dflt::None)], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch linalg_vander | nutorch tovalue" => "[[1, 1], [1, 2]]",
    |a| {
        if let Some(n) = a.opt_int("N") {
            super::util::positive("N", n)?;
        }
        t(Tensor::f_linalg_vander(a.tensor("x"), a.opt_int("N"))?)
    }),
    op!("linalg_householder_product", Linalg, "torch.linalg.householder_product", "The product of Householder matrices (as from geqrf).",
        [A, ten("tau")], O::Tensor,
        "nutorch fromvalue [[1.0 0.0] [0.0 1.0]] | nutorch linalg_householder_product (nutorch fromvalue [0.0]) | nutorch tovalue" => "[[1.0, 0.0], [0.0, 1.0]]",
        |a| t(a.tensor("A").f_linalg_householder_product(a.tensor("tau"))?)),
    op!("linalg_tensorinv", Linalg, "torch.linalg.tensorinv", "The inverse of a tensor for tensordot over ind dims.",
        [A, opt("ind", Int, Dflt::Int(2))], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_tensorinv --ind 1 | nutorch tovalue" => "[[0.5, 0.0], [0.0, 0.25]]",
        |a| t(a.tensor("A").f_linalg_tensorinv(super::util::positive("ind", a.int("ind"))?)?)),
    op!("linalg_tensorsolve", Linalg, "torch.linalg.tensorsolve", "The X with tensordot(A, X, X.ndim) = B.",
        [A, ten("B"), opt("dims", Ints, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_tensorsolve (nutorch fromvalue [2.0 4.0]) | nutorch tovalue" => "[1.0, 1.0]",
        |a| t(a.tensor("A").f_linalg_tensorsolve(a.tensor("B"), a.opt_ints("dims").as_deref())?)),
    op!("linalg_eig", Linalg, "torch.linalg.eig", "Eigenvalues and eigenvectors of a square matrix (complex), as {eigenvalues, eigenvectors}.",
        [A], O::Record(&["eigenvalues", "eigenvectors"]),
        "(nutorch fromvalue [[2.0 0.0] [0.0 3.0]] | nutorch linalg_eig).eigenvalues | nutorch real | nutorch tovalue" => "[2.0, 3.0]",
        |a| rec2(["eigenvalues", "eigenvectors"], finite_for_geev(a.tensor("A"))?.f_linalg_eig()?)),
    op!("linalg_eigvals", Linalg, "torch.linalg.eigvals", "Eigenvalues of a square matrix (complex).",
        [A], O::Tensor,
        "nutorch fromvalue [[0.0 -1.0] [1.0 0.0]] | nutorch linalg_eigvals | nutorch view_as_real | nutorch tovalue" => "[[0.0, 1.0], [0.0, -1.0]]",
        |a| t(finite_for_geev(a.tensor("A"))?.f_linalg_eigvals()?)),
    op!("linalg_lu_factor_ex", Linalg, "torch.linalg.lu_factor_ex", "Compact LU factorization with an info code (nonzero: singular), as {LU, pivots, info}.",
        [A, opt("pivot", Bool, Dflt::Bool(true)), opt("check_errors", Bool, Dflt::Bool(false))], O::Record(&["LU", "pivots", "info"]),
        "(nutorch fromvalue [[0.0 0.0] [0.0 0.0]] | nutorch linalg_lu_factor_ex).info | nutorch tovalue" => "1",
        |a| rec3(["LU", "pivots", "info"], Tensor::f_linalg_lu_factor_ex(a.tensor("A"), a.flag("pivot"), a.flag("check_errors"))?)),
    op!("linalg_lu_solve", Linalg, "torch.linalg.lu_solve", "The solution of A X = B from A's LU factorization (LU and pivots of lu_factor).",
    [ten("LU"), ten("pivots"), ten("B"), opt("left", Bool, Dflt::Bool(true)), opt("adjoint", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[2.0 0.0] [0.0 4.0]] | nutorch linalg_lu_solve (nutorch fromvalue [1 2] --dtype int32) (nutorch fromvalue [[2.0] [4.0]]) | nutorch tovalue" => "[[1.0], [1.0]]",
    |a| {
        let lu = a.tensor("LU");
        check_lu_pivots("pivots", a.tensor("pivots"), lu)?;
        t(Tensor::f_linalg_lu_solve(lu, a.tensor("pivots"), a.tensor("B"), a.flag("left"), a.flag("adjoint"))?)
    }),
    op!("lu_unpack", Linalg, "torch.lu_unpack", "P, L and U from a compact LU factorization (LU and pivots of lu_factor), as {P, L, U}.",
    [ten("LU_data"), ten("LU_pivots"), opt("unpack_data", Bool, Dflt::Bool(true)), opt("unpack_pivots", Bool, Dflt::Bool(true))], O::Record(&["P", "L", "U"]),
    "(nutorch fromvalue [[2.0 1.0] [0.5 2.5]] | nutorch lu_unpack (nutorch fromvalue [1 2] --dtype int32)).U | nutorch tovalue" => "[[2.0, 1.0], [0.0, 2.5]]",
    |a| {
        let lu = a.tensor("LU_data");
        // Only the permutation reads the pivots (PyTorch ignores them without it).
        if a.flag("unpack_pivots") {
            check_lu_pivots("LU_pivots", a.tensor("LU_pivots"), lu)?;
        }
        rec3(["P", "L", "U"], Tensor::f_lu_unpack(lu, a.tensor("LU_pivots"), a.flag("unpack_data"), a.flag("unpack_pivots"))?)
    }),
    op!("linalg_ldl_factor", Linalg, "torch.linalg.ldl_factor", "Compact LDL factorization of a symmetric (or --hermitian) matrix, as {LD, pivots}.",
        [A, opt("hermitian", Bool, Dflt::Bool(false))], O::Record(&["LD", "pivots"]),
        "(nutorch fromvalue [[4.0 2.0] [2.0 3.0]] | nutorch linalg_ldl_factor).LD | nutorch tovalue" => "[[4.0, 0.0], [0.5, 2.0]]",
        |a| rec2(["LD", "pivots"], a.tensor("A").f_linalg_ldl_factor(a.flag("hermitian"))?)),
    op!("linalg_ldl_factor_ex", Linalg, "torch.linalg.ldl_factor_ex", "Compact LDL factorization with an info code (nonzero: LAPACK's complaint), as {LD, pivots, info}.",
        [A, opt("hermitian", Bool, Dflt::Bool(false)), opt("check_errors", Bool, Dflt::Bool(false))], O::Record(&["LD", "pivots", "info"]),
        "(nutorch fromvalue [[4.0 2.0] [2.0 3.0]] | nutorch linalg_ldl_factor_ex).info | nutorch tovalue" => "0",
        |a| rec3(["LD", "pivots", "info"], a.tensor("A").f_linalg_ldl_factor_ex(a.flag("hermitian"), a.flag("check_errors"))?)),
    op!("lu_solve", Linalg, "torch.lu_solve", "The solution of A X = input from A's LU factorization (LU_data and LU_pivots of lu_factor; deprecated in PyTorch for linalg_lu_solve).",
    [INPUT, ten("LU_data"), ten("LU_pivots")], O::Tensor,
    "nutorch fromvalue [[2.0] [4.0]] | nutorch lu_solve (nutorch fromvalue [[2.0 0.0] [0.0 4.0]]) (nutorch fromvalue [1 2] --dtype int32) | nutorch tovalue" => "[[1.0], [1.0]]",
    |a| {
        let lu = a.tensor("LU_data");
        check_lu_pivots("LU_pivots", a.tensor("LU_pivots"), lu)?;
        t(a.input().f_lu_solve(lu, a.tensor("LU_pivots"))?)
    }),
    op!("svd_lowrank", Linalg, "torch.svd_lowrank", "An approximate rank-q SVD A ~ U diag(S) V^H of a (batch of) low-rank matrices, by random projections, as [U, S, V].",
        [A, opt("q", Int, Dflt::Int(6)).doc("the rank to find (a little over A's)"), opt("niter", Int, Dflt::Int(2)).doc("subspace iterations"),
         opt("M", Tensor, Dflt::None).doc("a tensor broadcast to A's shape: the SVD is of A - M")], O::Tensors,
        "nutorch manual_seed 0; (nutorch fromvalue [[3.0 0.0] [0.0 0.0]] | nutorch svd_lowrank --q 1).1 | nutorch tovalue" => "[3.0]",
        |a| {
            let (u, s, v) = svd_lowrank(a.tensor("A"), a.int("q"), a.int("niter"), a.opt_tensor("M"))?;
            Ok(super::Out::List(vec![u, s, v]))
        },
        notes: "Random (torch.randn): `nutorch manual_seed` first gives PyTorch's values on the CPU."),
    op!("pca_lowrank", Linalg, "torch.pca_lowrank", "Principal components of a (batch of) data matrices: the approximate SVD of A with its column means taken off, as [U, S, V].",
    [A, opt("q", Int, Dflt::None).doc("the rank to find (default min(6, m, n))"), opt("center", Bool, Dflt::Bool(true)).doc("take the column means off first"),
     opt("niter", Int, Dflt::Int(2)).doc("subspace iterations")], O::Tensors,
    "nutorch manual_seed 0; (nutorch fromvalue [[1.0 1.0] [3.0 3.0]] | nutorch pca_lowrank --q 1).1 | nutorch tovalue" => "[2.0]",
    |a| {
        let x = a.tensor("A");
        let (m, n) = matrix_dims(x)?;
        let q = match a.opt_int("q") {
            None => 6.min(m).min(n),
            Some(q) if q < 0 || q > m.min(n) => {
                return Err(bad("q", format!("q(={q}) must be non-negative integer and not greater than min(m, n)={}", m.min(n))))
            }
            Some(q) => q,
        };
        let niter = a.int("niter");
        if niter < 0 {
            return Err(bad("niter", format!("niter(={niter}) must be non-negative integer")));
        }
        let centered = if a.flag("center") { x.f_sub(&x.f_mean_dim(-2, true, None::<tch::Kind>)?)? } else { x.shallow_clone() };
        let (u, s, v) = svd_lowrank(&centered, q, niter, None)?;
        Ok(super::Out::List(vec![u, s, v]))
    },
    notes: "Random (torch.randn): `nutorch manual_seed` first gives PyTorch's values on the CPU."),
    op!("linalg_ldl_solve", Linalg, "torch.linalg.ldl_solve", "The solution of A X = B from A's LDL factorization (LD and pivots of ldl_factor).",
    [ten("LD"), ten("pivots"), ten("B"), opt("hermitian", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[4.0 0.0] [0.5 2.0]] | nutorch linalg_ldl_solve (nutorch fromvalue [1 2] --dtype int32) (nutorch fromvalue [[6.0] [5.0]]) | nutorch tovalue" => "[[1.0], [1.0]]",
    |a| {
        check_ldl_pivots(a.tensor("pivots"), a.tensor("LD"))?;
        t(Tensor::f_linalg_ldl_solve(a.tensor("LD"), a.tensor("pivots"), a.tensor("B"), a.flag("hermitian"))?)
    }),
    op!("triangular_solve", Linalg, "torch.triangular_solve", "The solution of A X = b for a triangular A (input is b), as {solution, cloned_coefficient}.",
        [INPUT, A, opt("upper", Bool, Dflt::Bool(true)), opt("transpose", Bool, Dflt::Bool(false)), opt("unitriangular", Bool, Dflt::Bool(false))],
        O::Record(&["solution", "cloned_coefficient"]),
        "(nutorch fromvalue [[2.0] [3.0]] | nutorch triangular_solve (nutorch fromvalue [[2.0 0.0] [0.0 3.0]])).solution | nutorch tovalue" => "[[1.0], [1.0]]",
        |a| rec2(["solution", "cloned_coefficient"], a.input().f_triangular_solve(a.tensor("A"), a.flag("upper"), a.flag("transpose"), a.flag("unitriangular"))?)),
    op!("geqrf", Linalg, "torch.geqrf", "QR decomposition in LAPACK's compact form (Householder reflectors), as {a, tau}.",
        [INPUT], O::Record(&["a", "tau"]),
        "(nutorch fromvalue [[1.0 0.0] [0.0 1.0]] | nutorch geqrf).tau | nutorch tovalue" => "[0.0, 0.0]",
        |a| rec2(["a", "tau"], a.input().f_geqrf()?)),
    op!("ormqr", Linalg, "torch.ormqr", "input3 multiplied by the Q of geqrf's (input, input2): Q @ input3, or with --left=false / --transpose.",
        [INPUT, ten("input2"), ten("input3"), opt("left", Bool, Dflt::Bool(true)), opt("transpose", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[1.0 0.0] [0.0 1.0]] | nutorch ormqr (nutorch fromvalue [0.0 0.0]) (nutorch fromvalue [[1.0] [2.0]]) | nutorch tovalue" => "[[1.0], [2.0]]",
        |a| t(a.input().f_ormqr(a.tensor("input2"), a.tensor("input3"), a.flag("left"), a.flag("transpose"))?)),
    op!("lu", Linalg, "torch.lu", "Compact LU factorization (deprecated in PyTorch for linalg_lu_factor): [LU, pivots], or {LU, pivots, info} with --get-infos.",
    [A, opt("pivot", Bool, Dflt::Bool(true)), opt("get_infos", Bool, Dflt::Bool(false))], O::Varies,
    "(nutorch fromvalue [[2.0 0.0] [0.0 1.0]] | nutorch lu).1 | nutorch tovalue" => "[1, 2]",
    |a| {
        // torch.lu is _lu_with_info, which is linalg_lu_factor_ex without its error check.
        let (lu, pivots, info) = Tensor::f_linalg_lu_factor_ex(a.tensor("A"), a.flag("pivot"), false)?;
        if a.flag("get_infos") {
            rec3(["LU", "pivots", "info"], (lu, pivots, info))
        } else {
            Ok(super::spec::Out::List(vec![lu, pivots]))
        }
    }),
];

/// LU pivots (1-based row interchanges, as lu_factor gives them) checked to lie in
/// [1, LU.size(-2)]: the CUDA solvers and unpacking index rows with them unchecked.
fn check_lu_pivots(name: &'static str, pivots: &Tensor, lu: &Tensor) -> R<()> {
    let dt = super::util::dtype(pivots)?;
    if !dt.is_integer() {
        return Err(bad(name, format!("pivots must be an int32 tensor (as lu_factor gives), got {dt}")));
    }
    if lu.dim() < 2 || pivots.numel() == 0 {
        return Ok(()); // libtorch's own checks name the problem
    }
    let m = lu.size()[lu.dim() - 2];
    let (lo, hi) = (pivots.f_min()?.f_int64_value(&[])?, pivots.f_max()?.f_int64_value(&[])?);
    if lo < 1 || hi > m {
        let v = if lo < 1 { lo } else { hi };
        return Err(bad(
            name,
            format!("pivots must lie in [1, {m}] (LU.size(-2)), got {v}: pass the pivots of lu_factor"),
        ));
    }
    Ok(())
}

/// LDL pivots checked as LAPACK's sytrf writes them for the lower factor: one row of n per
/// matrix, each entry k in [1, n] (a 1x1 block) or a pair of equal entries -k (a 2x2 block).
/// libtorch passes them to the solver unchecked, and a bad one makes it read and write
/// outside the matrix (a wrong result at best, corrupted memory at worst).
fn check_ldl_pivots(pivots: &Tensor, ld: &Tensor) -> R<()> {
    let dt = super::util::dtype(pivots)?;
    if !dt.is_integer() {
        return Err(bad("pivots", format!("pivots must be an int32 tensor (as ldl_factor gives), got {dt}")));
    }
    if ld.dim() < 2 {
        return Err(bad("LD", format!("LD must have at least 2 dimensions, got {}", ld.dim())));
    }
    let shape = ld.size();
    if pivots.size() != shape[..shape.len() - 1] {
        return Err(bad(
            "pivots",
            format!(
                "pivots must have LD's shape without its last dim, {:?}; got {:?}",
                &shape[..shape.len() - 1],
                pivots.size()
            ),
        ));
    }
    let n = shape[shape.len() - 1];
    if n == 0 || pivots.numel() == 0 {
        return Ok(());
    }
    let flat = pivots.f_to_kind(tch::Kind::Int64)?.f_to_device(tch::Device::Cpu)?.f_reshape([-1])?;
    let values = Vec::<i64>::try_from(&flat)?;
    for row in values.chunks(n as usize) {
        let mut k = 0;
        while k < row.len() {
            let p = row[k];
            if p == 0 || p.abs() > n {
                return Err(bad(
                    "pivots",
                    format!("pivot {p} is out of range for matrices of size {n}: pass the pivots of ldl_factor"),
                ));
            }
            if p < 0 {
                if row.get(k + 1) != Some(&p) {
                    return Err(bad(
                        "pivots",
                        format!(
                            "pivot {p} at {k} starts a 2x2 block but is not repeated: pass the pivots of ldl_factor"
                        ),
                    ));
                }
                k += 2;
            } else {
                k += 1;
            }
        }
    }
    Ok(())
}

/// The (m, n) of a (batch of) matrices, as the low-rank methods unpack `A.shape[-2:]`.
fn matrix_dims(x: &Tensor) -> R<(i64, i64)> {
    let size = x.size();
    if size.len() < 2 {
        return Err(bad("A", format!("expected a matrix or a batch of matrices, got a {}-d tensor", size.len())));
    }
    Ok((size[size.len() - 2], size[size.len() - 1]))
}

/// torch._lowrank._svd_lowrank, step by step (torch.randn draws the same values here after
/// the same seed): Q spans the range of A - M (Halko et al.'s Algorithm 4.4, niter subspace
/// iterations), then the SVD of Q^H (A - M) is lifted back by Q. A wide A is transposed first.
fn svd_lowrank(x: &Tensor, q: i64, niter: i64, m_opt: Option<&Tensor>) -> R<(Tensor, Tensor, Tensor)> {
    let (m, n) = matrix_dims(x)?;
    let mean = match m_opt {
        Some(mm) => Some(mm.f_broadcast_to(x.size())?),
        None => None,
    };
    let (a, mean) = if m < n {
        (
            x.f_mh()?,
            match mean {
                Some(mm) => Some(mm.f_mh()?),
                None => None,
            },
        )
    } else {
        (x.shallow_clone(), mean)
    };
    if q < 0 {
        return Err(bad(
            "q",
            format!("Trying to create tensor with negative dimension {q}: [{}, {q}]", a.size()[a.dim() - 1]),
        ));
    }
    // The random projection's dtype: A's when complex, float16/32/64, else float32.
    let kind = match a.f_kind()? {
        k @ (tch::Kind::Half
        | tch::Kind::Float
        | tch::Kind::Double
        | tch::Kind::ComplexFloat
        | tch::Kind::ComplexDouble) => k,
        _ => tch::Kind::Float,
    };
    let minus_mean = |prod: Tensor, by: &dyn Fn(&Tensor) -> Result<Tensor, tch::TchError>| -> R<Tensor> {
        Ok(match &mean {
            Some(mm) => prod.f_sub(&by(mm)?)?,
            None => prod,
        })
    };
    let r = Tensor::f_randn([a.size()[a.dim() - 1], q], (kind, a.device()))?;
    let qr = |t: &Tensor| -> R<Tensor> { Ok(Tensor::f_linalg_qr(t, "reduced")?.0) };
    let mut basis = qr(&minus_mean(a.f_matmul(&r)?, &|mm| mm.f_matmul(&r))?)?;
    for _ in 0..niter.max(0) {
        let b = basis.shallow_clone();
        basis = qr(&minus_mean(a.f_mh()?.f_matmul(&b)?, &|mm| mm.f_mh()?.f_matmul(&b))?)?;
        let b = basis.shallow_clone();
        basis = qr(&minus_mean(a.f_matmul(&b)?, &|mm| mm.f_matmul(&b))?)?;
    }
    let qh = basis.f_mh()?;
    let b = minus_mean(qh.f_matmul(&a)?, &|mm| qh.f_matmul(mm))?;
    // torch.svd's V is linalg.svd's Vh^H (tch cannot leave linalg_svd's driver unset).
    let (u, s, v) = b.f_svd(true, true)?;
    let u = basis.f_matmul(&u)?;
    Ok(if m < n { (v, s, u) } else { (u, s, v) })
}
