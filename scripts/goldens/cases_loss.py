"""Losses."""
import torch

from .framework import B, I, P, R, T, case, own_inputs

F = torch.nn.functional
f64 = torch.float64
logits = R(4, 3)
classes = T([0, 2, 1, 2])

for red in ["mean", "sum", "none"]:
    case("cross_entropy", input=logits, target=classes, reduction=red)
    case("nll_loss", input=F.log_softmax(logits, 1), target=classes, reduction=red)
    case("mse_loss", input=R(2, 3), target=R(2, 3), reduction=red)
    case("l1_loss", input=R(2, 3), target=R(2, 3), reduction=red)
    case("smooth_l1_loss", input=R(2, 3), target=R(2, 3), reduction=red, beta=0.5)
    case("huber_loss", input=R(2, 3), target=R(2, 3), reduction=red, delta=0.7)
    case("binary_cross_entropy", input=R(5, lo=0.05, hi=0.95), target=R(5, lo=0.0, hi=1.0), reduction=red)
    case("binary_cross_entropy_with_logits", input=R(5), target=R(5, lo=0.0, hi=1.0), reduction=red)
    case("kl_div", input=F.log_softmax(R(2, 3), 1), target=F.softmax(R(2, 3), 1), reduction=red)
    case("poisson_nll_loss", input=R(4), target=P(4), reduction=red)
    case("gaussian_nll_loss", input=R(4), target=R(4), var=P(4), reduction=red)
    case("hinge_embedding_loss", input=R(4), target=T([1.0, -1.0, 1.0, -1.0]), reduction=red)
    case("margin_ranking_loss", input1=R(4), input2=R(4), target=T([1.0, -1.0, 1.0, -1.0]), reduction=red)
    case("soft_margin_loss", input=R(4), target=T([1.0, -1.0, 1.0, -1.0]), reduction=red)
    case("multilabel_soft_margin_loss", input=R(3, 4), target=I(3, 4, lo=0, hi=2).float(), reduction=red)
    case("multilabel_margin_loss", input=R(2, 4), target=T([[3, 0, -1, 1], [1, -1, 0, 0]]), reduction=red)
    case("cosine_embedding_loss", input1=R(3, 4), input2=R(3, 4), target=T([1.0, -1.0, 1.0]), reduction=red)
    case("triplet_margin_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), reduction=red)
    case("ctc_loss", log_probs=F.log_softmax(R(6, 2, 4), 2), targets=T([[1, 2, 3], [1, 1, 0]]), input_lengths=[6, 5], target_lengths=[3, 2], reduction=red)

case("cross_entropy", input=logits.double(), target=classes, weight=T([1.0, 2.0, 0.5], dtype=f64))
case("cross_entropy", input=logits, target=T([0, -100, 1, 2]))
case("cross_entropy", input=logits, target=T([0, 5, 1, 2]), ignore_index=5)
case("cross_entropy", input=logits, target=classes, label_smoothing=0.1)
case("cross_entropy", input=logits, target=F.softmax(R(4, 3), 1))
case("cross_entropy", input=R(2, 3, 5), target=I(2, 5, lo=0, hi=3))
case("cross_entropy", input=R(3), target=T(1))
case("cross_entropy", input=logits, target=T([0, 3, 1, 2]), err="out of range")
case("cross_entropy", input=logits, target=T([0, 1, 1, 2], dtype=torch.int32), err=True)
case("cross_entropy", input=logits, target=classes, label_smoothing=1.5, err=True)
case("nll_loss", input=F.log_softmax(logits, 1), target=classes, weight=T([0.2, 1.0, 3.0]))
case("nll_loss", input=F.log_softmax(logits, 1), target=T([0, 1, -100, 2]))
case("nll_loss", input=F.log_softmax(R(2, 3, 4, 4), 1), target=I(2, 4, 4, lo=0, hi=3))
case("nll_loss", input=F.log_softmax(logits, 1), target=T([0, 3, 1, 2]), err=True)
case("mse_loss", input=R(3, dtype=f64), target=R(3, dtype=f64))
case("mse_loss", input=R(3), target=R(2), err=True)
case("smooth_l1_loss", input=R(4), target=R(4))
case("smooth_l1_loss", input=R(4), target=R(4), beta=0.0)
case("smooth_l1_loss", input=R(4), target=R(4), beta=-1.0, err=True)
case("huber_loss", input=R(4, dtype=f64), target=R(4, dtype=f64))
case("huber_loss", input=R(4), target=R(4), delta=0.0, err=True)
case("binary_cross_entropy", input=R(2, 3, lo=0.05, hi=0.95, dtype=f64), target=B(2, 3).double(), weight=P(2, 3, dtype=f64))
case("binary_cross_entropy", input=T([0.0, 1.0]), target=T([0.0, 1.0]))
case("binary_cross_entropy", input=T([1.5]), target=T([1.0]), err="between 0 and 1")
case("binary_cross_entropy", input=T([0.5]), target=T([float("nan")]), err=True, fn=lambda input, target: (_ for _ in ()).throw(ValueError("refused")))
case("binary_cross_entropy_with_logits", input=R(2, 3, dtype=f64), target=B(2, 3).double(), weight=P(3, dtype=f64), pos_weight=P(3, dtype=f64))
case("kl_div", input=F.log_softmax(R(2, 3), 1), target=F.softmax(R(2, 3), 1), reduction="batchmean")
case("kl_div", input=F.log_softmax(R(2, 3), 1), target=F.log_softmax(R(2, 3), 1), log_target=True)
case("poisson_nll_loss", input=P(4), target=P(4), log_input=False, full=True)
case("poisson_nll_loss", input=R(4, dtype=f64), target=I(4, lo=0, hi=5).double(), full=True)
case("gaussian_nll_loss", input=R(4), target=R(4), var=P(4), full=True, eps=0.5)
case("gaussian_nll_loss", input=R(2, 3, dtype=f64), target=R(2, 3, dtype=f64), var=P(2, 3, dtype=f64))
case("gaussian_nll_loss", input=R(4), target=R(4), var=-P(4), err=True)
case("hinge_embedding_loss", input=R(4), target=T([1.0, -1.0, 1.0, -1.0]), margin=0.5)
case("margin_ranking_loss", input1=R(4), input2=R(4), target=T([1.0, -1.0, 1.0, -1.0]), margin=0.3)
case("multilabel_soft_margin_loss", input=R(3, 4, dtype=f64), target=I(3, 4, lo=0, hi=2).double(), weight=P(4, dtype=f64))
case("multilabel_margin_loss", input=R(4), target=T([3, 0, -1, 1]))
case("multilabel_margin_loss", input=R(2, 4), target=T([[4, -1, 0, 0], [0, -1, 0, 0]]), err=True)
case("cosine_embedding_loss", input1=R(3, 4), input2=R(3, 4), target=T([1.0, -1.0, -1.0]), margin=0.2)
case("triplet_margin_loss", anchor=R(3, 4, dtype=f64), positive=R(3, 4, dtype=f64), negative=R(3, 4, dtype=f64), margin=0.5, p=1.0, swap=True)
case("triplet_margin_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), margin=0.0, err=True)
case("ctc_loss", log_probs=F.log_softmax(R(6, 2, 4, dtype=f64), 2), targets=T([[1, 2, 3], [1, 1, 0]]), input_lengths=[6, 6], target_lengths=[3, 2], blank=0, zero_infinity=True)
case("ctc_loss", log_probs=F.log_softmax(R(6, 2, 4), 2), targets=T([[1, 2, 3], [1, 1, 0]]), input_lengths=[6, 5], target_lengths=[3, 2], blank=4, err=True)

for red in ["mean", "sum", "none"]:
    case("multi_margin_loss", input=R(4, 5), target=T([0, 4, 2, 2]), reduction=red)
    case("multi_margin_loss", input=R(4, 5, dtype=f64), target=T([1, 3, 0, 4]), p=2, margin=0.5, weight=P(5, dtype=f64), reduction=red)
case("multi_margin_loss", input=R(5), target=T([3]))
case("multi_margin_loss", input=R(5), target=T(3), reduction="none")
case("multi_margin_loss", input=R(3, 4), target=T([0, 1, 2]), margin=-0.5, weight=P(4))
case("multi_margin_loss", input=R(3, 4), target=T([0, 1, 2]), p=3, err=True)
case("multi_margin_loss", input=R(3, 4), target=T([0, 1, 4]), err=True)
case("multi_margin_loss", input=R(3, 4), target=T([0, 1]), err=True)
case("multi_margin_loss", input=R(3, 4), target=T([0, 1, 2]), weight=P(3), err=True)
case("multi_margin_loss", input=R(3, 4), target=T([0, 1, 2]), weight=P(2, 2), err=True)
case("multi_margin_loss", input=R(3, 0), target=T([0, 1, 2]), err=True)


def with_distance(distance_function="pairwise", **k):
    fn = None if distance_function == "pairwise" else (lambda a, b: 1.0 - F.cosine_similarity(a, b))
    return F.triplet_margin_with_distance_loss(distance_function=fn, **k)


for red in ["mean", "sum", "none"]:
    case("triplet_margin_with_distance_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), reduction=red, fn=with_distance)
    case("triplet_margin_with_distance_loss", anchor=R(3, 4, dtype=f64), positive=R(3, 4, dtype=f64), negative=R(3, 4, dtype=f64), distance_function="cosine", reduction=red, fn=with_distance)
case("triplet_margin_with_distance_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), margin=2.5, swap=True, fn=with_distance)
case("triplet_margin_with_distance_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), distance_function="cosine", swap=True, margin=0.3, fn=with_distance)
case("triplet_margin_with_distance_loss", anchor=R(4), positive=R(4), negative=R(4), fn=with_distance)
case("triplet_margin_with_distance_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(3, 4), margin=0.0, err=True, fn=with_distance)
case("triplet_margin_with_distance_loss", anchor=R(3, 4), positive=R(3, 4), negative=R(4), err=True, fn=with_distance)

# A 0-d input is one class.
with own_inputs(404):
    case("multilabel_margin_loss", input=T(0.5), target=T(0))
    case("multilabel_margin_loss", input=T(0.5), target=T(-1))
    case("multilabel_margin_loss", input=T(0.5), target=T(1), err=True)
