//! Loss functions (torch.nn.functional.*_loss, cross_entropy, ...).

use super::spec::{bad, opt, req, ten, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, INPUT, REDUCTION};
use super::util::{dtype, num, reduction, t, R};
use super::Args;
use crate::op;
use tch::{Reduction, Tensor};

const TARGET: ArgSpec = ten("target");
const W_OPT: ArgSpec = opt("weight", Tensor, Dflt::None);
const IGNORE: ArgSpec = opt("ignore_index", Int, Dflt::Int(-100));

/// Class-index targets must name a class (or be ignore_index): out-of-range targets are an
/// error on the CPU but a device-side assert on CUDA.
fn check_targets(a: &Args, classes: i64) -> R<()> {
    let target = a.tensor("target");
    let dt = dtype(target)?;
    if dt.is_floating_point() {
        return Ok(()); // class probabilities
    }
    if dt != crate::DType::Int64 {
        return Err(bad("target", format!("class-index targets must be int64, got {dt}")));
    }
    let ignore = a.int("ignore_index");
    let kept = target.f_masked_select(&target.f_ne_tensor(&super::util::number_tensor(
        crate::Number::Int(ignore),
        tch::Kind::Int64,
        target.device(),
    )?)?)?;
    super::util::check_index("target", &kept, classes, false)
}

/// The class dimension's size: dim 1, or dim 0 for an unbatched input.
fn classes(x: &Tensor) -> i64 {
    let size = x.size();
    match size.len() {
        0 => 0,
        1 => size[0],
        _ => size[1],
    }
}

/// Applies `reduction` to elementwise losses.
/// The binary cross entropies want target of input's size, as PyTorch checks in Python
/// (libtorch alone would broadcast a 0-d input against the targets).
fn same_size(x: &Tensor, target: &Tensor) -> R<()> {
    if x.size() != target.size() {
        return Err(bad(
            "target",
            format!("target size {:?} must be the same as input size {:?}", target.size(), x.size()),
        ));
    }
    Ok(())
}

fn reduce(losses: Tensor, r: Reduction) -> R<Tensor> {
    Ok(match r {
        Reduction::None => losses,
        Reduction::Sum => losses.f_sum(None::<tch::Kind>)?,
        _ => losses.f_mean(None::<tch::Kind>)?,
    })
}

const MARGIN0: [ArgSpec; 2] = [opt("margin", Float, Dflt::Float(0.0)), REDUCTION];
const MARGIN1: [ArgSpec; 2] = [opt("margin", Float, Dflt::Float(1.0)), REDUCTION];

/// F.multi_margin_loss (libtorch's kernel, which tch does not bind, as tensor ops): per
/// sample, sum over the classes j other than the target y of
/// max(0, margin - x[y] + x[j])^p, times weight[y], divided by the number of classes.
fn multi_margin_loss(a: &Args) -> R<Tensor> {
    let (x, target) = (a.input(), a.tensor("target"));
    let p = a.int("p");
    if p != 1 && p != 2 {
        return Err(bad("p", "only p == 1 and p == 2 supported"));
    }
    let weight = a.opt_tensor("weight");
    if let Some(w) = weight {
        if w.dim() != 1 {
            return Err(bad("weight", "weight must be one-dimensional"));
        }
    }
    let r = reduction(a)?;
    let size = x.size();
    let non_empty = match size.len() {
        0 => true,
        1 => size[0] != 0,
        2 => size[1] != 0,
        _ => false,
    };
    if !non_empty {
        return Err(bad(
            "input",
            format!("Expected non-empty vector or matrix with optional 0-dim batch size, but got: {size:?}"),
        ));
    }
    let frames = if size.len() <= 1 { 1 } else { size[0] };
    let classes = if size.is_empty() { 1 } else { size[size.len() - 1] };
    if target.dim() > 1 || target.numel() as i64 != frames {
        return Err(bad("target", format!("inconsistent target size, expected {frames} but got {:?}", target.size())));
    }
    if let Some(w) = weight {
        if w.numel() as i64 != classes {
            return Err(bad("weight", format!("inconsistent weight size, expected {classes} but got {:?}", w.size())));
        }
    }
    let dt = dtype(x)?;
    // libtorch's CPU kernel is for float32 and float64 only.
    if !matches!(dt, crate::DType::Float32 | crate::DType::Float64) {
        return Err(bad("input", format!("multi_margin_loss needs a float32 or float64 input, got {dt}")));
    }
    if dtype(target)? != crate::DType::Int64 {
        return Err(bad("target", format!("multi_margin_loss needs int64 class indices, got {}", dtype(target)?)));
    }
    super::util::check_index("target", target, classes, false)?;
    let x2 = x.f_reshape([frames, classes])?;
    let y = target.f_reshape([frames, 1])?;
    let at_target = x2.f_gather(1, &y, false)?;
    let z = x2.f_sub(&at_target)?.f_add(&num(a.float("margin"), &x2)?)?;
    let h = if p == 2 { z.f_mul(&z)? } else { z.shallow_clone() };
    let h = match weight {
        Some(w) => h.f_mul(&w.f_to_kind(h.kind())?.f_gather(0, &y.f_reshape([-1])?, false)?.f_unsqueeze(1)?)?,
        None => h,
    };
    // As the kernel: only the classes other than the target with z > 0 count (a NaN z does not).
    let others = Tensor::f_arange(classes, (tch::Kind::Int64, x.device()))?.f_unsqueeze(0)?.f_ne_tensor(&y)?;
    let counted = others.f_logical_and(&z.f_gt_tensor(&num(0.0, &z)?)?)?;
    let z = h.f_where_self(&counted, &num(0.0, &h)?)?;
    let per_sample = z.f_sum_dim_intlist([1].as_slice(), false, None::<tch::Kind>)?.f_div(&num(classes as f64, &z)?)?;
    Ok(match r {
        Reduction::None if target.dim() > 0 => per_sample,
        Reduction::None => per_sample.f_reshape([0i64; 0].as_slice())?,
        _ => reduce(per_sample, r)?,
    })
}

/// The distance triplet_margin_with_distance_loss measures with.
fn triplet_distance(a: &Args, x: &Tensor, y: &Tensor) -> R<Tensor> {
    Ok(match a.str("distance_function") {
        "cosine" => {
            let cos = Tensor::f_cosine_similarity(x, y, 1, 1e-8)?;
            num(1.0, &cos)?.f_sub(&cos)?
        }
        _ => Tensor::f_pairwise_distance(x, y, 2.0, 1e-6, false)?,
    })
}

fn triplet_margin_with_distance_loss(a: &Args) -> R<Tensor> {
    let margin = a.float("margin");
    if !(margin > 0.0) {
        return Err(bad("margin", format!("margin must be greater than 0, got {margin}")));
    }
    let (anchor, positive, negative) = (a.tensor("anchor"), a.tensor("positive"), a.tensor("negative"));
    let (ad, pd, nd) = (anchor.dim(), positive.dim(), negative.dim());
    if !(ad == pd && pd == nd) {
        return Err(bad(
            "anchor",
            format!("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor {ad}D, positive {pd}D, and negative {nd}D inputs"),
        ));
    }
    let dist_pos = triplet_distance(a, anchor, positive)?;
    let mut dist_neg = triplet_distance(a, anchor, negative)?;
    if a.flag("swap") {
        dist_neg = dist_neg.f_minimum(&triplet_distance(a, positive, negative)?)?;
    }
    let loss = dist_pos.f_add(&num(margin, &dist_pos)?)?.f_sub(&dist_neg)?;
    let loss = loss.f_clamp_min_tensor(&num(0.0, &loss)?)?;
    reduce(loss, reduction(a)?)
}

pub static OPS: &[OpSpec] = &[
    op!("cross_entropy", Loss, "torch.nn.functional.cross_entropy", "Cross entropy between logits and class indices (or class probabilities).",
    [INPUT, TARGET, W_OPT, IGNORE, REDUCTION, opt("label_smoothing", Float, Dflt::Float(0.0))], O::Tensor,
    "nutorch fromvalue [[0.0 0.0]] --dtype float64 | nutorch cross_entropy (nutorch fromvalue [1]) | nutorch tovalue" => "0.6931471805599453",
    |a| {
        let x = a.input();
        check_targets(a, classes(x))?;
        let ls = a.float("label_smoothing");
        if !(0.0..=1.0).contains(&ls) {
            return Err(bad("label_smoothing", format!("label_smoothing must be in [0, 1], got {ls}")));
        }
        t(x.f_cross_entropy_loss(a.tensor("target"), a.opt_tensor("weight"), reduction(a)?, a.int("ignore_index"), ls)?)
    }),
    op!("nll_loss", Loss, "torch.nn.functional.nll_loss", "Negative log likelihood of log-probabilities at class indices.",
    [INPUT, TARGET, W_OPT, IGNORE, REDUCTION], O::Tensor,
    "nutorch fromvalue [[-1.0 -2.0]] | nutorch nll_loss (nutorch fromvalue [1]) | nutorch tovalue" => "2.0",
    |a| {
        let x = a.input();
        if dtype(a.tensor("target"))?.is_floating_point() {
            return Err(bad("target", "nll_loss needs class-index (int64) targets"));
        }
        check_targets(a, classes(x))?;
        t(x.f_nll_loss_nd(a.tensor("target"), a.opt_tensor("weight"), reduction(a)?, a.int("ignore_index"))?)
    }),
    op!("mse_loss", Loss, "torch.nn.functional.mse_loss", "Mean squared error.",
        [INPUT, TARGET, REDUCTION], O::Tensor,
        "nutorch fromvalue [1.0 3.0] | nutorch mse_loss (nutorch fromvalue [0.0 0.0]) | nutorch tovalue" => "5.0",
        |a| t(a.input().f_mse_loss(a.tensor("target"), reduction(a)?)?)),
    op!("l1_loss", Loss, "torch.nn.functional.l1_loss", "Mean absolute error.",
        [INPUT, TARGET, REDUCTION], O::Tensor,
        "nutorch fromvalue [1.0 -3.0] | nutorch l1_loss (nutorch fromvalue [0.0 0.0]) | nutorch tovalue" => "2.0",
        |a| t(a.input().f_l1_loss(a.tensor("target"), reduction(a)?)?)),
    op!("smooth_l1_loss", Loss, "torch.nn.functional.smooth_l1_loss", "Squared error below beta, absolute error above.",
    [INPUT, TARGET, REDUCTION, opt("beta", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [0.5 3.0] | nutorch smooth_l1_loss (nutorch fromvalue [0.0 0.0]) --reduction none | nutorch tovalue" => "[0.125, 2.5]",
    |a| {
        let beta = a.float("beta");
        if beta < 0.0 {
            return Err(bad("beta", format!("smooth_l1_loss does not support negative values for beta, got {beta}")));
        }
        t(a.input().f_smooth_l1_loss(a.tensor("target"), reduction(a)?, beta)?)
    }),
    op!("huber_loss", Loss, "torch.nn.functional.huber_loss", "Squared error below delta, delta-scaled absolute error above.",
    [INPUT, TARGET, REDUCTION, opt("delta", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [0.5 3.0] | nutorch huber_loss (nutorch fromvalue [0.0 0.0]) --reduction none | nutorch tovalue" => "[0.125, 2.5]",
    |a| {
        let delta = a.float("delta");
        if !(delta > 0.0) {
            return Err(bad("delta", format!("huber_loss does not support non-positive values for delta, got {delta}")));
        }
        t(a.input().f_huber_loss(a.tensor("target"), reduction(a)?, delta)?)
    }),
    op!("binary_cross_entropy", Loss, "torch.nn.functional.binary_cross_entropy", "Binary cross entropy between probabilities and targets in [0, 1].",
    [INPUT, TARGET, W_OPT, REDUCTION], O::Tensor,
    "nutorch fromvalue [0.5] --dtype float64 | nutorch binary_cross_entropy (nutorch fromvalue [1.0] --dtype float64) | nutorch tovalue" => "0.6931471805599453",
    |a| {
        same_size(a.input(), a.tensor("target"))?;
        super::util::check_range("input", a.input(), 0.0, 1.0, "between 0 and 1")?;
        super::util::check_range("target", a.tensor("target"), 0.0, 1.0, "between 0 and 1")?;
        t(a.input().f_binary_cross_entropy(a.tensor("target"), a.opt_tensor("weight"), reduction(a)?)?)
    }),
    op!("binary_cross_entropy_with_logits", Loss, "torch.nn.functional.binary_cross_entropy_with_logits", "Binary cross entropy of sigmoid(input), computed stably.",
    [INPUT, TARGET, W_OPT, REDUCTION, opt("pos_weight", Tensor, Dflt::None)], O::Tensor,
    "nutorch fromvalue [0.0] --dtype float64 | nutorch binary_cross_entropy_with_logits (nutorch fromvalue [1.0] --dtype float64) | nutorch tovalue" => "0.6931471805599453",
    |a| {
        same_size(a.input(), a.tensor("target"))?;
        t(a.input().f_binary_cross_entropy_with_logits(a.tensor("target"), a.opt_tensor("weight"), a.opt_tensor("pos_weight"), reduction(a)?)?)
    }),
    op!("kl_div", Loss, "torch.nn.functional.kl_div", "Kullback-Leibler divergence of target from input (input as log-probabilities).",
        [INPUT, TARGET, opt("reduction", Str(&["mean", "sum", "none", "batchmean"]), Dflt::Str("mean")), opt("log_target", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [0.0] | nutorch kl_div (nutorch fromvalue [1.0]) | nutorch tovalue" => "0.0",
        |a| {
            let x = a.input();
            if a.str("reduction") == "batchmean" {
                let total = x.f_kl_div(a.tensor("target"), Reduction::Sum, a.flag("log_target"))?;
                let batch = if x.dim() == 0 { 1 } else { x.size()[0] };
                return t(total.f_div(&num(batch as f64, &total)?)?);
            }
            t(x.f_kl_div(a.tensor("target"), reduction(a)?, a.flag("log_target"))?)
        },
        notes: "--reduction batchmean divides the sum by the batch size, as PyTorch recommends."),
    op!("poisson_nll_loss", Loss, "torch.nn.functional.poisson_nll_loss", "Negative log likelihood of a Poisson target.",
        [INPUT, TARGET, opt("log_input", Bool, Dflt::Bool(true)), opt("full", Bool, Dflt::Bool(false)), opt("eps", Float, Dflt::Float(1e-8)), REDUCTION], O::Tensor,
        "nutorch fromvalue [0.0] | nutorch poisson_nll_loss (nutorch fromvalue [0.0]) | nutorch tovalue" => "1.0",
        |a| t(a.input().f_poisson_nll_loss(a.tensor("target"), a.flag("log_input"), a.flag("full"), a.float("eps"), reduction(a)?)?)),
    op!("gaussian_nll_loss", Loss, "torch.nn.functional.gaussian_nll_loss", "Negative log likelihood of a Gaussian with mean input and variance var.",
    [INPUT, TARGET, ten("var"), opt("full", Bool, Dflt::Bool(false)), opt("eps", Float, Dflt::Float(1e-6)), REDUCTION], O::Tensor,
    "nutorch fromvalue [1.0] | nutorch gaussian_nll_loss (nutorch fromvalue [1.0]) (nutorch fromvalue [1.0]) | nutorch tovalue" => "0.0",
    |a| {
        let (x, y, var) = (a.input(), a.tensor("target"), a.tensor("var"));
        // PyTorch's rule: var has input's size, or input's without the last dim (one variance
        // per row: it gets that dim back), or that with a last dim of 1; nothing else.
        let (xs, vs) = (x.size(), var.size());
        let lead = |s: &[i64]| s[..s.len().saturating_sub(1)].to_vec();
        let var = &if xs == vs {
            var.shallow_clone()
        } else if !xs.is_empty() && lead(&xs) == vs {
            var.f_unsqueeze(-1)?
        } else if !xs.is_empty() && !vs.is_empty() && lead(&xs) == lead(&vs) && vs[vs.len() - 1] == 1 {
            var.shallow_clone()
        } else {
            return Err(bad("var", format!("var is of incorrect size: {vs:?} for an input of {xs:?}")));
        };
        if var.f_lt_tensor(&num(0.0, var)?)?.f_any()?.f_int64_value(&[])? != 0 {
            return Err(bad("var", "var has negative entries"));
        }
        // 0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) [+ 0.5 log(2 pi)]
        let v = var.f_clamp_min_tensor(&num(a.float("eps"), var)?)?.f_detach()?.f_add(&var.f_sub(&var.f_detach()?)?)?;
        let diff = x.f_sub(y)?;
        let mut loss = v.f_log()?.f_add(&diff.f_square()?.f_div(&v)?)?;
        loss = loss.f_mul(&num(0.5, &loss)?)?;
        if a.flag("full") {
            loss = loss.f_add(&num(0.5 * (2.0 * std::f64::consts::PI).ln(), &loss)?)?;
        }
        t(reduce(loss, reduction(a)?)?)
    }),
    op!("hinge_embedding_loss", Loss, "torch.nn.functional.hinge_embedding_loss", "x for target 1, max(0, margin - x) for target -1.",
        [INPUT, TARGET, MARGIN1[0], MARGIN1[1]], O::Tensor,
        "nutorch fromvalue [0.3 2.0] | nutorch hinge_embedding_loss (nutorch fromvalue [1.0 -1.0]) --reduction none | nutorch tovalue" => "[0.30000001192092896, 0.0]",
        |a| t(a.input().f_hinge_embedding_loss(a.tensor("target"), a.float("margin"), reduction(a)?)?)),
    op!("margin_ranking_loss", Loss, "torch.nn.functional.margin_ranking_loss", "max(0, -target * (input1 - input2) + margin).",
    [ten("input1"), ten("input2"), TARGET, MARGIN0[0], MARGIN0[1]], O::Tensor,
    "nutorch fromvalue [1.0] | nutorch margin_ranking_loss (nutorch fromvalue [2.0]) (nutorch fromvalue [1.0]) | nutorch tovalue" => "1.0",
    |a| {
        // PyTorch's Python check; libtorch alone would broadcast.
        let dims = [a.tensor("input1").dim(), a.tensor("input2").dim(), a.tensor("target").dim()];
        if dims[0] != dims[1] || dims[1] != dims[2] {
            return Err(bad("input2", format!("input1, input2 and target must have the same number of dimensions, got {dims:?}")));
        }
        t(Tensor::f_margin_ranking_loss(a.tensor("input1"), a.tensor("input2"), a.tensor("target"), a.float("margin"), reduction(a)?)?)
    }),
    op!("soft_margin_loss", Loss, "torch.nn.functional.soft_margin_loss", "log(1 + exp(-target * input)), for targets 1 and -1.",
        [INPUT, TARGET, REDUCTION], O::Tensor,
        "nutorch fromvalue [0.0] --dtype float64 | nutorch soft_margin_loss (nutorch fromvalue [1.0] --dtype float64) | nutorch tovalue" => "0.6931471805599453",
        |a| t(a.input().f_soft_margin_loss(a.tensor("target"), reduction(a)?)?)),
    op!("multilabel_soft_margin_loss", Loss, "torch.nn.functional.multilabel_soft_margin_loss", "Per-class logistic loss averaged over classes.",
    [INPUT, TARGET, W_OPT, REDUCTION], O::Tensor,
    "nutorch fromvalue [[0.0 0.0]] --dtype float64 | nutorch multilabel_soft_margin_loss (nutorch fromvalue [[1.0 0.0]] --dtype float64) | nutorch tovalue" => "0.6931471805599453",
    |a| {
        let (x, y) = (a.input(), a.tensor("target"));
        if x.dim() == 0 {
            return Err(bad("input", "input needs a dimension of classes (it is 0-d)"));
        }
        // -(y log sigmoid(x) + (1 - y) log sigmoid(-x)), weighted, mean over the classes.
        let one = num(1.0, y)?;
        let pos = y.f_mul(&x.f_log_sigmoid()?)?;
        let neg = one.f_sub(y)?.f_mul(&x.f_neg()?.f_log_sigmoid()?)?;
        let mut loss = pos.f_add(&neg)?.f_neg()?;
        if let Some(w) = a.opt_tensor("weight") {
            loss = loss.f_mul(w)?;
        }
        let per_sample = loss.f_mean_dim(Some([-1i64].as_slice()), false, None)?;
        t(reduce(per_sample, reduction(a)?)?)
    }),
    op!("multilabel_margin_loss", Loss, "torch.nn.functional.multilabel_margin_loss", "Multi-class hinge loss for several target classes (listed first in target, then -1).",
    [INPUT, TARGET, REDUCTION], O::Tensor,
    "nutorch fromvalue [[0.1 0.2 0.4 0.8]] | nutorch multilabel_margin_loss (nutorch fromvalue [[3 0 -1 1]]) | nutorch tovalue" => "0.8500000238418579",
    |a| {
        check_multilabel(a)?;
        t(a.input().f_multilabel_margin_loss(a.tensor("target"), reduction(a)?)?)
    }),
    op!("cosine_embedding_loss", Loss, "torch.nn.functional.cosine_embedding_loss", "1 - cos(x1, x2) for target 1, max(0, cos - margin) for -1.",
        [ten("input1"), ten("input2"), TARGET, MARGIN0[0], MARGIN0[1]], O::Tensor,
        "nutorch fromvalue [[1.0 0.0]] | nutorch cosine_embedding_loss (nutorch fromvalue [[1.0 0.0]]) (nutorch fromvalue [1.0]) | nutorch tovalue" => "0.0",
        |a| t(Tensor::f_cosine_embedding_loss(a.tensor("input1"), a.tensor("input2"), a.tensor("target"), a.float("margin"), reduction(a)?)?)),
    op!("triplet_margin_loss", Loss, "torch.nn.functional.triplet_margin_loss", "max(d(anchor, positive) - d(anchor, negative) + margin, 0).",
    [ten("anchor"), ten("positive"), ten("negative"), opt("margin", Float, Dflt::Float(1.0)), opt("p", Float, Dflt::Float(2.0)),
     opt("eps", Float, Dflt::Float(1e-6)), opt("swap", Bool, Dflt::Bool(false)), REDUCTION], O::Tensor,
    "nutorch fromvalue [[0.0]] | nutorch triplet_margin_loss (nutorch fromvalue [[0.0]]) (nutorch fromvalue [[3.0]]) | nutorch tovalue" => "0.0",
    |a| {
        let margin = a.float("margin");
        if !(margin > 0.0) {
            return Err(bad("margin", format!("triplet_margin_loss needs a positive margin, got {margin}")));
        }
        t(Tensor::f_triplet_margin_loss(a.tensor("anchor"), a.tensor("positive"), a.tensor("negative"), margin, a.float("p"), a.float("eps"), a.flag("swap"), reduction(a)?)?)
    }),
    op!("multi_margin_loss", Loss, "torch.nn.functional.multi_margin_loss", "Multi-class hinge loss: max(0, margin - x[y] + x[j])^p over the classes j other than the target y.",
    [INPUT, TARGET, opt("p", Int, Dflt::Int(1)), opt("margin", Float, Dflt::Float(1.0)), W_OPT, REDUCTION], O::Tensor,
    "nutorch fromvalue [[0.1 0.2 0.4 0.8]] | nutorch multi_margin_loss (nutorch fromvalue [3]) | nutorch tovalue" => "0.32499998807907104",
    |a| t(multi_margin_loss(a)?)),
    op!("triplet_margin_with_distance_loss", Loss, "torch.nn.functional.triplet_margin_with_distance_loss", "max(d(anchor, positive) - d(anchor, negative) + margin, 0) for a named distance.",
    [ten("anchor"), ten("positive"), ten("negative"),
     opt("distance_function", Str(&["pairwise", "cosine"]), Dflt::Str("pairwise")).doc("pairwise: F.pairwise_distance; cosine: 1 - F.cosine_similarity"),
     opt("margin", Float, Dflt::Float(1.0)), opt("swap", Bool, Dflt::Bool(false)), REDUCTION], O::Tensor,
    "nutorch fromvalue [[0.0 0.0]] | nutorch triplet_margin_with_distance_loss (nutorch fromvalue [[0.0 0.0]]) (nutorch fromvalue [[3.0 4.0]]) --margin 6 | nutorch tovalue" => "1.0000028610229492",
    |a| t(triplet_margin_with_distance_loss(a)?),
    notes: "PyTorch takes any Python callable as distance_function; here it is one of the named distances."),
    op!("ctc_loss", Loss, "torch.nn.functional.ctc_loss", "Connectionist temporal classification loss of (T, N, C) log-probabilities.",
    [ten("log_probs"), ten("targets"), req("input_lengths", Ints), req("target_lengths", Ints), opt("blank", Int, Dflt::Int(0)), REDUCTION, opt("zero_infinity", Bool, Dflt::Bool(false))], O::Tensor,
    "(nutorch zeros 2 1 2 | nutorch ctc_loss (nutorch fromvalue [[1]]) [2] [1]).shape" => "[]",
    |a| {
        let lp = a.tensor("log_probs");
        let c = *lp.size().last().unwrap_or(&0);
        let blank = a.int("blank");
        if blank < 0 || blank >= c {
            return Err(bad("blank", format!("blank must be a class index in 0..{c}, got {blank}")));
        }
        super::util::check_index("targets", a.tensor("targets"), c, false)?;
        t(Tensor::f_ctc_loss(lp, a.tensor("targets"), a.ints("input_lengths"), a.ints("target_lengths"), blank, reduction(a)?, a.flag("zero_infinity"))?)
    }),
];

/// multilabel_margin_loss's targets: class indices, or -1 after the last one.
fn check_multilabel(a: &Args) -> R<()> {
    let x = a.input();
    // A 0-d input is one class, as in PyTorch.
    let c = *x.size().last().unwrap_or(&1);
    let target = a.tensor("target");
    if dtype(target)? != crate::DType::Int64 {
        return Err(bad("target", "multilabel_margin_loss needs int64 targets"));
    }
    if target.numel() > 0 {
        let lo = target.f_min()?.f_int64_value(&[])?;
        let hi = target.f_max()?.f_int64_value(&[])?;
        if lo < -1 || hi >= c {
            return Err(bad(
                "target",
                format!("targets must be class indices in 0..{c} or -1, got values in [{lo}, {hi}]"),
            ));
        }
    }
    Ok(())
}
