"""torch.nn.functional ops."""
import torch

from .framework import B, I, P, R, SPECIAL, T, case, own_inputs

F = torch.nn.functional
f64 = torch.float64
x = R(2, 5)


def rec(names, f):
    return lambda **k: dict(zip(names, f(**k)))


for op in ["softmax", "log_softmax", "softmin", "special_softmax"]:
    f = torch.special.softmax if op == "special_softmax" else getattr(F, op)
    case(op, input=x, dim=1, fn=lambda f=f, **k: f(**k))
    case(op, input=R(2, 3, dtype=f64) * 30, dim=0, fn=lambda f=f, **k: f(**k))
    case(op, input=I(4), dim=0, dtype="float64", fn=lambda f=f, **k: f(**k))
    case(op, input=SPECIAL, dim=0, fn=lambda f=f, **k: f(**k))
    case(op, input=x, dim=2, err=True, fn=lambda f=f, **k: f(**k))
case("dropout", input=x, training=False)
case("dropout", input=x, p=0.0)
case("dropout", input=x, p=1.0)
case("dropout", input=R(100, lo=1.0, hi=2.0), p=0.5, random=(0.0, 4.0))
case("dropout", input=R(2, 3), p=0.3, seeded=0)
case("dropout", input=x, p=1.5, err="between 0 and 1")
case("alpha_dropout", input=x)
case("alpha_dropout", input=x, p=0.0, training=True)
case("alpha_dropout", input=R(50), p=0.5, training=True, random=(-10.0, 10.0))
case("feature_alpha_dropout", input=R(2, 3, 4))
case("feature_alpha_dropout", input=R(2, 3, 4), p=0.5, training=True, random=(-10.0, 10.0))
for op, shape in [("dropout1d", (2, 3, 4)), ("dropout2d", (2, 3, 4, 4)), ("dropout3d", (2, 3, 2, 2, 2))]:
    case(op, input=R(*shape), training=False)
    case(op, input=R(*shape[1:]), p=0.0)
    case(op, input=R(*shape, lo=1.0, hi=2.0), random=(0.0, 4.0))
    case(op, input=R(4), training=False, may_err=True)
case("linear", input=R(4, 3), weight=R(2, 3))
case("linear", input=R(4, 3), weight=R(2, 3), bias=R(2))
case("linear", input=R(3, dtype=f64), weight=R(5, 3, dtype=f64), bias=R(5, dtype=f64))
case("linear", input=R(4, 3), weight=R(2, 4), err=True)
case("bilinear", input1=R(4, 3), input2=R(4, 2), weight=R(5, 3, 2))
case("bilinear", input1=R(4, 3), input2=R(4, 2), weight=R(5, 3, 2), bias=R(5))
case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 3))
case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 3), bias=R(4), stride=2, padding=1, dilation=2)
case("conv1d", input=R(1, 4, 6, dtype=f64), weight=R(4, 2, 2, dtype=f64), groups=2)
case("conv1d", input=R(2, 3, 8), weight=R(4, 2, 3), err=True)
case("conv2d", input=R(2, 3, 6, 6), weight=R(4, 3, 3, 3))
case("conv2d", input=R(1, 3, 7, 7), weight=R(2, 3, 3, 3), bias=R(2), stride=[2, 1], padding=[1, 0])
case("conv2d", input=R(3, 5, 5), weight=R(2, 3, 2, 2), dilation=2)
case("conv2d", input=R(1, 4, 5, 5, dtype=f64), weight=R(4, 1, 3, 3, dtype=f64), groups=4)
case("conv3d", input=R(1, 2, 4, 4, 4), weight=R(3, 2, 2, 2, 2))
case("conv3d", input=R(1, 2, 4, 4, 4), weight=R(3, 2, 3, 3, 3), bias=R(3), padding=1, stride=2)
case("conv_transpose1d", input=R(2, 3, 5), weight=R(3, 4, 3))
case("conv_transpose1d", input=R(1, 2, 4), weight=R(2, 3, 3), bias=R(3), stride=2, padding=1, output_padding=1)
case("conv_transpose2d", input=R(1, 2, 3, 3), weight=R(2, 3, 2, 2))
case("conv_transpose2d", input=R(1, 4, 3, 3, dtype=f64), weight=R(4, 1, 3, 3, dtype=f64), stride=2, groups=2, dilation=1)
case("conv_transpose3d", input=R(1, 2, 2, 2, 2), weight=R(2, 1, 2, 2, 2))
for op, shape, k in [("max_pool1d", (2, 3, 8), 2), ("max_pool2d", (2, 3, 6, 6), 2), ("max_pool3d", (1, 2, 4, 4, 4), 2)]:
    case(op, input=R(*shape), kernel_size=k)
    case(op, input=R(*shape), kernel_size=3, stride=2, padding=1)
    case(op, input=R(*shape[1:]), kernel_size=2, stride=1, dilation=2)
    case(op, input=R(*shape), kernel_size=3, stride=2, ceil_mode=True)
    case(op, input=R(*shape), kernel_size=0, err=True)
case("max_pool1d", input=R(2, 3, 8), kernel_size=2, return_indices=True, fn=rec(("output", "indices"), lambda **k: F.max_pool1d(**k)))
case("max_pool2d", input=R(1, 2, 4, 4), kernel_size=2, return_indices=True, fn=rec(("output", "indices"), lambda **k: F.max_pool2d(**k)))
for op, shape in [("avg_pool1d", (2, 3, 8)), ("avg_pool2d", (2, 3, 6, 6)), ("avg_pool3d", (1, 2, 4, 4, 4))]:
    case(op, input=R(*shape), kernel_size=2)
    case(op, input=R(*shape), kernel_size=3, stride=2, padding=1)
    case(op, input=R(*shape), kernel_size=3, stride=2, padding=1, count_include_pad=False)
    case(op, input=R(*shape[1:]), kernel_size=2, ceil_mode=True, stride=3)
case("avg_pool2d", input=R(1, 1, 4, 4), kernel_size=2, divisor_override=3)
case("avg_pool1d", input=I(1, 4), kernel_size=2, may_err=True)  # no int pooling on CUDA
case("adaptive_avg_pool1d", input=R(2, 3, 8), output_size=3)
case("adaptive_avg_pool1d", input=R(3, 7), output_size=1)
case("adaptive_avg_pool2d", input=R(2, 3, 6, 5), output_size=[2, 3])
case("adaptive_avg_pool2d", input=R(3, 5, 5), output_size=1)
case("adaptive_avg_pool3d", input=R(1, 2, 4, 4, 4), output_size=2)
case("adaptive_max_pool1d", input=R(2, 3, 8), output_size=3)
case("adaptive_max_pool1d", input=R(2, 3, 8), output_size=2, return_indices=True, fn=rec(("output", "indices"), lambda **k: F.adaptive_max_pool1d(**k)))
case("adaptive_max_pool2d", input=R(2, 3, 6, 5), output_size=[2, 3])
case("adaptive_max_pool2d", input=R(1, 4, 4), output_size=2, return_indices=True, fn=rec(("output", "indices"), lambda **k: F.adaptive_max_pool2d(**k)))
case("layer_norm", input=R(2, 3, 4), normalized_shape=[4])
case("layer_norm", input=R(2, 3, 4, dtype=f64), normalized_shape=[3, 4], weight=R(3, 4, dtype=f64), bias=R(3, 4, dtype=f64))
case("layer_norm", input=R(2, 5), normalized_shape=[5], eps=0.1)
case("layer_norm", input=R(2, 5), normalized_shape=[4], err=True)
case("group_norm", input=R(2, 4, 3), num_groups=2)
case("group_norm", input=R(2, 6, 2, 2, dtype=f64), num_groups=3, weight=R(6, dtype=f64), bias=R(6, dtype=f64))
case("group_norm", input=R(2, 5, 3), num_groups=2, err=True)
case("batch_norm", input=R(4, 3), running_mean=R(3), running_var=P(3))
case("batch_norm", input=R(4, 3, 2), running_mean=None, running_var=None, training=True, fn=lambda input, training, **k: F.batch_norm(input, None, None, training=training))
case("batch_norm", input=R(4, 3, dtype=f64), running_mean=R(3, dtype=f64), running_var=P(3, dtype=f64), weight=R(3, dtype=f64), bias=R(3, dtype=f64), eps=0.01)
case("batch_norm", input=R(4, 3), running_mean=R(3), running_var=P(3), training=True, momentum=0.5)
case("batch_norm", input=R(4, 3), err="running_mean", fn=lambda input: F.batch_norm(input, None, None))
case("instance_norm", input=R(2, 3, 5))
case("instance_norm", input=R(2, 3, 4, 4, dtype=f64), weight=R(3, dtype=f64), bias=R(3, dtype=f64))
case("instance_norm", input=R(5), err=True)
case("rms_norm", input=R(2, 5), normalized_shape=[5])
case("rms_norm", input=R(2, 3, 4, dtype=f64), normalized_shape=[3, 4], weight=R(3, 4, dtype=f64), eps=1e-3)
case("normalize", input=R(3, 4))
case("normalize", input=R(3, 4, dtype=f64), p=1.0, dim=0)
case("normalize", input=torch.zeros(2, 2))
case("normalize", input=R(3), dim=0, eps=10.0)
case("embedding", input=T([[0, 2], [1, 1]]), weight=R(3, 4))
case("embedding", input=T([0, 1, 2]), weight=R(3, 2), padding_idx=1)
case("embedding", input=T([3]), weight=R(3, 2), err=True)
case("embedding", input=T([0]), weight=R(3), err=True)
case("one_hot", input=T([0, 2, 1]))
case("one_hot", input=T([[0, 1], [1, 0]]), num_classes=3)
case("one_hot", input=T([3]), num_classes=3, err=True)
case("one_hot", input=T([-1]), err=True)
case("one_hot", input=T([1.0]), err=True)
case("pad", input=R(2, 3), pad=[1, 2])
case("pad", input=R(2, 3), pad=[1, 1, 2, 0], value=9.5)
case("pad", input=R(1, 2, 4), pad=[2, 1], mode="reflect")
case("pad", input=R(1, 2, 4), pad=[2, 3], mode="replicate")
case("pad", input=R(1, 2, 3, 3), pad=[1, 1, 1, 1], mode="circular")
case("pad", input=I(2, 2), pad=[1, 0])
case("pad", input=R(2), pad=[1], err=True)
case("interpolate", input=R(1, 2, 4), scale_factor=2.0)
case("interpolate", input=R(1, 2, 4), size=7, mode="linear")
case("interpolate", input=R(1, 2, 4), size=[6], mode="linear", align_corners=True)
case("interpolate", input=R(1, 1, 3, 3), size=[5, 4])
case("interpolate", input=R(1, 1, 3, 3, dtype=f64), scale_factor=1.5, mode="bilinear")
case("interpolate", input=R(1, 1, 3, 3), size=[6, 6], mode="bicubic", align_corners=True)
case("interpolate", input=R(1, 1, 3, 3), size=[6, 6], mode="bilinear", align_corners=False)
case("interpolate", input=R(1, 2, 4), err=True, fn=lambda input: F.interpolate(input))
case("pixel_shuffle", input=R(1, 8, 2, 3), upscale_factor=2)
case("pixel_shuffle", input=R(1, 3, 2, 2), upscale_factor=2, err=True)
case("pixel_unshuffle", input=R(1, 2, 4, 6), downscale_factor=2)
case("channel_shuffle", input=R(1, 6, 2), groups=3)
case("channel_shuffle", input=R(1, 5, 2), groups=2, err=True)
case("im2col", input=R(1, 2, 4, 4), kernel_size=2, fn=lambda **k: F.unfold(**k))
case("im2col", input=R(1, 2, 5, 5), kernel_size=[2, 3], stride=2, padding=1, dilation=1, fn=lambda **k: F.unfold(**k))
case("fold", input=R(1, 8, 9), output_size=[4, 4], kernel_size=2)
case("fold", input=R(1, 4, 4), output_size=3, kernel_size=2, fn=lambda **k: F.fold(**k))
case("cosine_similarity", x1=R(3, 4), x2=R(3, 4))
case("cosine_similarity", x1=R(3, 4, dtype=f64), x2=R(4, dtype=f64), dim=-1)
case("cosine_similarity", x1=torch.zeros(2, 2), x2=R(2, 2))
case("pairwise_distance", x1=R(3, 4), x2=R(3, 4))
case("pairwise_distance", x1=R(3, 4, dtype=f64), x2=R(4, dtype=f64), p=1.0, keepdim=True)
case("pdist", input=R(4, 3))
case("pdist", input=R(4, 3, dtype=f64), p=1.0)
case("pdist", input=R(4), err=True)
case("cdist", x1=R(3, 2), x2=R(4, 2))
case("cdist", x1=R(2, 3, 2, dtype=f64), x2=R(2, 4, 2, dtype=f64), p=1.0)
case("cdist", x1=R(3, 2), x2=R(4, 3), err=True)
case("scaled_dot_product_attention", query=R(2, 3, 4), key=R(2, 5, 4), value=R(2, 5, 6))
case("scaled_dot_product_attention", query=R(1, 2, 3, 4, dtype=f64), key=R(1, 2, 3, 4, dtype=f64), value=R(1, 2, 3, 4, dtype=f64), is_causal=True)
case("scaled_dot_product_attention", query=R(2, 3, 4), key=R(2, 5, 4), value=R(2, 5, 6), attn_mask=B(3, 5) | torch.eye(3, 5, dtype=torch.bool), scale=0.5)
case("affine_grid", theta=R(2, 2, 3), size=[2, 1, 3, 4], align_corners=False)
case("affine_grid", theta=R(1, 2, 3, dtype=f64), size=[1, 1, 2, 2], align_corners=True)
case("grid_sample", input=R(1, 2, 4, 4), grid=R(1, 3, 3, 2, lo=-1.0, hi=1.0), align_corners=False)
case("grid_sample", input=R(1, 1, 4, 4, dtype=f64), grid=R(1, 2, 2, 2, lo=-1.2, hi=1.2, dtype=f64), mode="nearest", padding_mode="border", align_corners=True)
case("grid_sample", input=R(1, 1, 4, 4), grid=R(1, 2, 2, 2, lo=-1.0, hi=1.0), mode="bicubic", padding_mode="reflection", align_corners=False)

with own_inputs(107):
    # Convolutions padded 'same' (even kernels pad the extra element at the end) and 'valid'.
    case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 3), padding="same")
    case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 4), bias=R(4), padding="same", dilation=1)
    case("conv1d", input=R(2, 3, 9), weight=R(4, 3, 2), padding="same", dilation=3)
    case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 3), padding="valid")
    case("conv1d", input=R(2, 3, 8), weight=R(4, 3, 3), padding="same", stride=2, err="strided")
    case("conv2d", input=R(1, 2, 5, 6), weight=R(3, 2, 2, 3), padding="same")
    case("conv2d", input=R(1, 2, 5, 6, dtype=f64), weight=R(3, 2, 3, 3, dtype=f64), padding="valid")
    case("conv2d", input=R(1, 2, 5, 6), weight=R(3, 2, 2, 2), padding="same", stride=[1, 2], err="strided")
    case("conv3d", input=R(1, 2, 4, 5, 4), weight=R(2, 2, 2, 3, 2), padding="same")
    case("conv3d", input=R(1, 2, 4, 5, 4), weight=R(2, 2, 2, 3, 2), padding="valid")

    # max_pool3d with indices; adaptive pools with None (that dim keeps its input size).
    case("max_pool3d", input=R(1, 2, 4, 4, 4), kernel_size=2, return_indices=True, fn=rec(["output", "indices"], lambda **k: F.max_pool3d(**k)))
    case("max_pool3d", input=R(2, 5, 4, 6), kernel_size=[2, 2, 3], stride=1, padding=1, return_indices=True, fn=rec(["output", "indices"], lambda **k: F.max_pool3d(**k)))
    case("adaptive_avg_pool2d", input=R(2, 3, 6, 5), output_size=[None, 2])
    case("adaptive_avg_pool2d", input=R(3, 6, 5), output_size=[3, None])
    case("adaptive_avg_pool3d", input=R(1, 2, 4, 5, 6), output_size=[None, 2, None])
    case("adaptive_max_pool2d", input=R(2, 3, 6, 5), output_size=[None, 3])
    case("adaptive_max_pool2d", input=R(2, 3, 6, 5), output_size=[2, None], return_indices=True, fn=rec(["output", "indices"], lambda **k: F.adaptive_max_pool2d(**k)))

    # interpolate's other modes, recompute_scale_factor and antialias.
    case("interpolate", input=R(1, 2, 5), size=8, mode="nearest-exact")
    case("interpolate", input=R(1, 2, 5, 4), scale_factor=1.7, mode="nearest-exact")
    case("interpolate", input=R(1, 1, 3, 4, 5), size=[4, 5, 6], mode="nearest-exact")
    case("interpolate", input=R(1, 1, 3, 4, 5), scale_factor=2.0, mode="nearest")
    case("interpolate", input=R(1, 2, 9), size=4, mode="area")
    case("interpolate", input=R(1, 2, 6, 7), scale_factor=0.5, mode="area")
    case("interpolate", input=R(1, 1, 4, 4, 6), size=[2, 2, 3], mode="area")
    case("interpolate", input=R(1, 2, 3, 4, 5), size=[5, 6, 7], mode="trilinear")
    case("interpolate", input=R(1, 2, 3, 4, 5, dtype=f64), scale_factor=1.5, mode="trilinear", align_corners=True)
    case("interpolate", input=R(1, 2, 5), scale_factor=1.7, mode="linear", recompute_scale_factor=True)
    case("interpolate", input=R(1, 2, 5), scale_factor=1.7, mode="linear", recompute_scale_factor=False)
    case("interpolate", input=R(1, 2, 5), size=7, mode="linear", recompute_scale_factor=True, err="recompute_scale_factor")
    case("interpolate", input=R(1, 2, 8, 8), size=[3, 5], mode="bilinear", antialias=True)
    case("interpolate", input=R(1, 2, 8, 8), size=[3, 5], mode="bicubic", antialias=True)
    case("interpolate", input=R(1, 2, 8, 8), scale_factor=0.4, mode="bilinear", antialias=True, align_corners=True)
    case("interpolate", input=R(1, 2, 8), size=3, mode="linear", antialias=True, err="Anti-alias")
    case("interpolate", input=R(1, 2, 8), size=3, mode="area", align_corners=True, err="align_corners")
    case("interpolate", input=R(1, 2, 8), size=3, mode="trilinear", err=True)

    # embedding with max_norm: the picked rows of weight renormalized (in place, as PyTorch).
    case("embedding", input=T([[0, 2], [1, 1]]), weight=R(3, 4) * 3, max_norm=1.0)
    case("embedding", input=T([0, 1]), weight=R(3, 4, dtype=f64) * 3, max_norm=2.0, norm_type=1.0)

    # cdist's compute modes.
    for mode in ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]:
        case("cdist", x1=R(3, 4), x2=R(5, 4), compute_mode=mode)
        case("cdist", x1=R(2, 3, 4, dtype=f64), x2=R(2, 5, 4, dtype=f64), p=1.0, compute_mode=mode)

    # None written out for optional tensors.
    case("batch_norm", input=R(4, 3), running_mean=None, running_var=None, training=True, fn=lambda input, training, **k: F.batch_norm(input, None, None, training=training))

    # A scale factor per spatial dim.
    case("interpolate", input=R(1, 1, 2, 3), scale_factor=[2.0, 1.5])
    case("interpolate", input=R(1, 2, 3, 4), scale_factor=[1.5, 2.0], mode="bilinear")
    case("interpolate", input=R(1, 2, 3, 4, 5), scale_factor=[1.0, 2.0, 0.5], mode="area")
    case("interpolate", input=R(1, 2, 3, 4), scale_factor=[1.5, 2.0, 2.0], err="same number of spatial dimensions")
# adaptive_max_pool3d, fractional max pooling, unpooling
case("adaptive_max_pool3d", input=R(1, 2, 4, 4, 4), output_size=2)
case("adaptive_max_pool3d", input=R(2, 3, 5, 4, dtype=f64), output_size=[2, 3, 1])
case("adaptive_max_pool3d", input=R(1, 2, 4, 4, 4), output_size=[1, 2, 3], return_indices=True, fn=rec(("output", "indices"), lambda **k: F.adaptive_max_pool3d(**k)))
case("adaptive_max_pool3d", input=R(4, 4), output_size=2, err=True)


def fractional(f):
    """The catalog's random_samples is PyTorch's private _random_samples."""
    def call(random_samples=None, **k):
        r = f(_random_samples=random_samples, **k)
        return dict(zip(("output", "indices"), r)) if k.get("return_indices") else r
    return call


fmp2, fmp3 = fractional(F.fractional_max_pool2d), fractional(F.fractional_max_pool3d)
case("fractional_max_pool2d", input=R(2, 3, 7, 7), kernel_size=2, output_size=3, random_samples=R(2, 3, 2, lo=0.0, hi=1.0), fn=fmp2)
case("fractional_max_pool2d", input=R(3, 8, 6, dtype=f64), kernel_size=[2, 3], output_size=[4, 3], random_samples=R(1, 3, 2, lo=0.0, hi=1.0, dtype=f64), fn=fmp2)
case("fractional_max_pool2d", input=R(1, 2, 8, 8), kernel_size=3, output_ratio=[0.5, 0.5], random_samples=R(1, 2, 2, lo=0.0, hi=1.0), return_indices=True, fn=fmp2)
case("fractional_max_pool2d", input=R(2, 2, 9, 9), kernel_size=2, output_size=4, seeded=3, fn=fmp2)
case("fractional_max_pool2d", input=R(1, 2, 8, 8), kernel_size=2, output_ratio=[0.4, 0.7], seeded=5, fn=fmp2)
case("fractional_max_pool2d", input=R(1, 2, 8, 8), kernel_size=2, output_ratio=[0.5], seeded=5, err=True, fn=fmp2)
case("fractional_max_pool2d", input=R(1, 2, 4, 4), kernel_size=2, err=True, fn=fmp2)
case("fractional_max_pool2d", input=R(1, 2, 4, 4), kernel_size=2, output_size=4, seeded=0, err=True, fn=fmp2)
case("fractional_max_pool3d", input=R(1, 2, 5, 5, 5), kernel_size=2, output_size=3, random_samples=R(1, 2, 3, lo=0.0, hi=1.0), fn=fmp3)
case("fractional_max_pool3d", input=R(2, 6, 6, 6, dtype=f64), kernel_size=[2, 2, 3], output_size=[3, 2, 2], random_samples=R(1, 2, 3, lo=0.0, hi=1.0, dtype=f64), return_indices=True, fn=fmp3)
case("fractional_max_pool3d", input=R(2, 1, 6, 6, 6), kernel_size=2, output_ratio=[0.5, 0.5, 0.5], seeded=1, fn=fmp3)
case("fractional_max_pool3d", input=R(1, 2, 4, 4), kernel_size=2, output_size=2, seeded=0, err=True, fn=fmp3)

for n, pool, shape in [(1, F.max_pool1d, (2, 3, 8)), (2, F.max_pool2d, (2, 3, 6, 6)), (3, F.max_pool3d, (1, 2, 4, 4, 4))]:
    op = f"max_unpool{n}d"
    out, idx = pool(R(*shape), 2, return_indices=True)
    case(op, input=out, indices=idx, kernel_size=2)
    out, idx = pool(R(*shape[1:]), 3, stride=2, return_indices=True)
    case(op, input=out, indices=idx, kernel_size=3, stride=2, output_size=list(shape[2:]))
    out, idx = pool(R(*shape, dtype=f64), 2, stride=2, return_indices=True)
    bigger = [s + 1 for s in shape[2:]]
    case(op, input=out, indices=idx, kernel_size=2, stride=2, output_size=bigger)
    case(op, input=out, indices=idx, kernel_size=2, output_size=list(shape[:2]) + list(shape[2:]))
    case(op, input=out, indices=idx, kernel_size=2, output_size=[s + 5 for s in shape[2:]], err=True)
    case(op, input=out, indices=idx.int(), kernel_size=2, err=True)
    case(op, input=out, indices=idx + 1000, kernel_size=2, err=True)

case("local_response_norm", input=R(2, 5, 4), size=3)
case("local_response_norm", input=R(2, 6, 3, 3, dtype=f64), size=2, alpha=0.1, beta=0.5, k=2.0)
case("local_response_norm", input=R(1, 4, 2, 2, 2), size=5)
case("local_response_norm", input=torch.zeros(0, 3, 2), size=2)
case("local_response_norm", input=R(3, 4), size=2, err=True)

bag_w = R(10, 3)
case("embedding_bag", input=T([1, 2, 4, 5, 4, 3, 2, 9]), weight=bag_w, offsets=T([0, 4]))
case("embedding_bag", input=T([1, 2, 4, 5, 4, 3, 2, 9]), weight=bag_w, offsets=T([0, 4]), mode="sum")
case("embedding_bag", input=T([1, 2, 4, 5, 4, 3, 2, 9]), weight=bag_w, offsets=T([0, 3, 3]), mode="max")
case("embedding_bag", input=T([[1, 2, 4], [5, 4, 3]]), weight=R(10, 3, dtype=f64), mode="mean")
case("embedding_bag", input=T([[1, 2], [5, 4]]), weight=bag_w, mode="sum", per_sample_weights=R(2, 2))
case("embedding_bag", input=T([1, 2, 4, 5, 4]), weight=bag_w, offsets=T([0, 2, 5]), include_last_offset=True, mode="sum")
case("embedding_bag", input=T([1, 2, 4, 2, 4]), weight=bag_w, offsets=T([0, 2]), padding_idx=2, mode="sum")
case("embedding_bag", input=T([1, 2, 4, 2, 4]), weight=bag_w, offsets=T([0, 2]), padding_idx=-8)
case("embedding_bag", input=T([1, 2, 4, 2, 4], dtype=torch.int32), weight=bag_w, offsets=T([0, 2], dtype=torch.int32))
case("embedding_bag", input=T([1, 2, 10]), weight=bag_w, offsets=T([0]), err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=bag_w, err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=bag_w, offsets=T([1]), err=True)
case("embedding_bag", input=T([[1, 2], [5, 4]]), weight=bag_w, offsets=T([0]), err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=bag_w, offsets=T([0]), per_sample_weights=R(3), err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=bag_w, offsets=T([0]), per_sample_weights=R(2), mode="sum", err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=R(10), offsets=T([0]), err=True)
case("embedding_bag", input=T([1, 2, 4]), weight=bag_w, offsets=T([0]), padding_idx=10, err=True)

case("upsample", input=R(1, 2, 4), scale_factor=2.0)
case("upsample", input=R(1, 2, 4), size=7, mode="linear")
case("upsample", input=R(1, 1, 3, 3, dtype=f64), size=[5, 4], mode="bilinear", align_corners=True)
case("upsample", input=R(1, 1, 3, 3), scale_factor=1.5, mode="bicubic")
case("upsample", input=R(1, 2, 4), size=7, scale_factor=2.0, err=True)
case("upsample_nearest", input=R(1, 2, 4), scale_factor=2.0)
case("upsample_nearest", input=R(1, 1, 3, 3, dtype=f64), size=[5, 4])
case("upsample_nearest", input=R(1, 1, 3, 3), err=True, fn=lambda input: F.upsample_nearest(input))
case("upsample_bilinear", input=R(1, 1, 3, 3), size=[5, 4])
case("upsample_bilinear", input=R(2, 2, 3, 3, dtype=f64), scale_factor=2.0)
case("upsample_bilinear", input=R(1, 2, 4), size=7, err=True)


def grid(*shape, dtype=torch.float32):
    return R(*shape, dtype=dtype, lo=-1.2, hi=1.2)


def mode_refused(**_):
    """PyTorch samples garbage (no mode at all) for an unknown mode number; nutorch refuses."""
    raise RuntimeError("interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 (bicubic)")


with own_inputs(330):
    case("grid_sampler_2d", input=R(2, 3, 4, 5), grid=grid(2, 3, 2, 2), interpolation_mode=0, padding_mode=0, align_corners=False)
    case("grid_sampler_2d", input=R(1, 2, 3, 3), grid=grid(1, 2, 4, 2), interpolation_mode=1, padding_mode=1, align_corners=True)
    case("grid_sampler_2d", input=R(1, 2, 3, 3, dtype=torch.float64), grid=grid(1, 2, 2, 2, dtype=torch.float64), interpolation_mode=2, padding_mode=2, align_corners=False)
    case("grid_sampler_2d", input=R(0, 2, 3, 3), grid=grid(0, 1, 1, 2), interpolation_mode=0, padding_mode=0, align_corners=False)
    case("grid_sampler_2d", input=R(1, 1, 2, 2), grid=grid(1, 1, 1, 3), interpolation_mode=0, padding_mode=0, align_corners=False, err="size 2 in last dimension")
    case("grid_sampler_2d", input=R(1, 1, 2, 2), grid=grid(1, 1, 1, 2), interpolation_mode=5, padding_mode=0, align_corners=False, err="interpolation_mode must be", fn=mode_refused)
with own_inputs(331):
    case("grid_sampler_3d", input=R(2, 2, 3, 4, 5), grid=grid(2, 2, 3, 2, 3), interpolation_mode=0, padding_mode=0, align_corners=False)
    case("grid_sampler_3d", input=R(1, 1, 3, 3, 3, dtype=torch.float64), grid=grid(1, 2, 2, 1, 3, dtype=torch.float64), interpolation_mode=1, padding_mode=2, align_corners=True)
    case("grid_sampler_3d", input=R(1, 1, 2, 2, 2), grid=grid(1, 1, 1, 1, 3), interpolation_mode=0, padding_mode=1, align_corners=True)
    case("grid_sampler_3d", input=R(1, 1, 2, 2, 2), grid=grid(1, 1, 1, 1, 3), interpolation_mode=2, padding_mode=0, align_corners=False, err="bicubic")
    case("grid_sampler_3d", input=R(1, 1, 2, 2), grid=grid(1, 1, 1, 2), interpolation_mode=0, padding_mode=0, align_corners=False, err="5D")
with own_inputs(332):
    case("constant_pad_nd", input=R(2, 3), pad=[1, 2])
    case("constant_pad_nd", input=I(2, 3), pad=[1, 1, 2, 0], value=7)
    case("constant_pad_nd", input=R(2, 3, dtype=torch.float64), pad=[-1, 0], value=2.5)
    case("constant_pad_nd", input=R(), pad=[])
    case("constant_pad_nd", input=R(0, 2), pad=[1, 1, 1, 1])
    case("constant_pad_nd", input=R(2, 2), pad=[1], err="must be even")
    case("constant_pad_nd", input=R(2, 2), pad=[1, 1, 1, 1, 1, 1], err="no more than twice")


def native_bn(input, weight=None, bias=None, running_mean=None, running_var=None, training=False, momentum=0.1, eps=1e-5):
    return torch.native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def native_ln(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return torch.native_layer_norm(input, normalized_shape, weight, bias, eps)


with own_inputs(333):
    case("native_batch_norm", input=R(4, 3), weight=R(3), bias=R(3), training=True, fn=native_bn)
    case("native_batch_norm", input=R(2, 3, 5, dtype=torch.float64), running_mean=R(3, dtype=torch.float64), running_var=P(3, dtype=torch.float64), training=False, eps=1e-3, fn=native_bn, cpu_only=True)  # CUDA gives save_mean/invstd of size C in evaluation
    case("native_batch_norm", input=R(2, 3, 2, 2), running_mean=R(3), running_var=P(3), training=True, momentum=0.3, fn=native_bn)
    case("native_batch_norm", input=R(0, 3), training=True, err="at least one element", fn=native_bn)
    case("native_batch_norm", input=I(2, 3), training=True, err=True, fn=native_bn)
    case("native_batch_norm", input=R(2, 3), running_mean=R(3), training=False, err="both be None", fn=native_bn)
with own_inputs(334):
    case("native_layer_norm", input=R(2, 3), normalized_shape=[3], fn=native_ln)
    case("native_layer_norm", input=R(2, 3, 4, dtype=torch.float64), normalized_shape=[3, 4], weight=R(3, 4, dtype=torch.float64), bias=R(3, 4, dtype=torch.float64), eps=1e-3, fn=native_ln)
    case("native_layer_norm", input=R(0, 3), normalized_shape=[3], fn=native_ln)
    case("native_layer_norm", input=R(2, 3), normalized_shape=[4], err="normalized_shape", fn=native_ln)
    case("native_layer_norm", input=R(2, 3), normalized_shape=[3], weight=R(2), err="weight", fn=native_ln)


def mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight=None, in_proj_bias=None, bias_k=None, bias_v=None,
        add_zero_attn=False, dropout_p=0.0, out_proj_weight=None, out_proj_bias=None, **kw):
    out, weights = F.multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                                  bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, **kw)
    return {"attn_output": out, "attn_output_weights": weights}


with own_inputs(335):
    E, H, L, S, N = 4, 2, 3, 5, 2
    packed = dict(in_proj_weight=R(3 * E, E), in_proj_bias=R(3 * E), out_proj_weight=R(E, E), out_proj_bias=R(E))
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H, training=False, fn=mha, **packed)
    f64 = torch.float64
    case("multi_head_attention_forward", query=R(L, E, dtype=f64), key=R(S, E, dtype=f64), value=R(S, E, dtype=f64), embed_dim_to_check=E, num_heads=H,
         in_proj_weight=R(3 * E, E, dtype=f64), out_proj_weight=R(E, E, dtype=f64), bias_k=R(1, 1, E, dtype=f64), bias_v=R(1, 1, E, dtype=f64),
         add_zero_attn=True, key_padding_mask=T([False, True, False, False, False]), attn_mask=B(L, S) & T([True, False, False, False, False]).logical_not(),
         average_attn_weights=False, training=False, fn=mha)
    Ek, Ev = 3, 6
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, Ek), value=R(S, N, Ev), embed_dim_to_check=E, num_heads=H,
         use_separate_proj_weight=True, q_proj_weight=R(E, E), k_proj_weight=R(E, Ek), v_proj_weight=R(E, Ev), in_proj_bias=R(3 * E),
         out_proj_weight=R(E, E), attn_mask=R(N * H, L, S), training=False, fn=mha)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H,
         static_k=R(N * H, 4, E // H), static_v=R(N * H, 4, E // H), key_padding_mask=R(N, 4), training=False, fn=mha, **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H, dropout_p=0.5,
         seeded=7, cpu_only=True, fn=mha, **packed)
    case("multi_head_attention_forward", query=R(0, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=1, training=False, fn=mha, **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=5, num_heads=H, fn=mha, err="was expecting embedding dimension", **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=3, fn=mha, err="not divisible", **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H, out_proj_weight=R(E, E), fn=mha, err="in_proj_weight is None")
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H, is_causal=True, fn=mha, err="Need attn_mask", **packed)
    case("multi_head_attention_forward", query=R(1, L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H, fn=mha, err="query should be unbatched 2D or batched 3D", **packed)


def refused(message):
    """Where PyTorch's kernel reads past a tensor or crashes, nutorch refuses: the case
    expects its error."""
    def f(**_):
        raise RuntimeError(message)
    return f


with own_inputs(339):
    # PyTorch reads past a weight of the wrong size, and crashes (segmentation fault) in
    # evaluation without running statistics.
    case("native_batch_norm", input=R(2, 3), weight=R(1), training=True, err="weight should contain 3 elements not 1", fn=refused("weight should contain 3 elements not 1"))
    case("native_batch_norm", input=R(2, 3), running_mean=R(3), running_var=P(2), training=False, err="running_var should contain 3 elements not 2", fn=refused("running_var should contain 3 elements not 2"))
    case("native_batch_norm", input=R(2, 3), training=False, err="must be given in evaluation mode", fn=refused("must be given in evaluation mode"))
    # PyTorch samples garbage (uninitialized values) for a padding mode it does not know.
    case("grid_sampler_2d", input=R(1, 1, 2, 2), grid=grid(1, 1, 1, 2), interpolation_mode=0, padding_mode=7, align_corners=False, err="padding_mode must be", fn=refused("padding_mode must be"))
    case("grid_sampler_3d", input=R(1, 1, 2, 2, 2), grid=grid(1, 1, 1, 1, 3), interpolation_mode=-1, padding_mode=0, align_corners=False, err="interpolation_mode must be", fn=refused("interpolation_mode must be"))
with own_inputs(340):
    # A float mask of another dtype than the query's: torch.baddbmm refuses it.
    E, H, L, S, N = 4, 2, 3, 5, 2
    packed = dict(in_proj_weight=R(3 * E, E), out_proj_weight=R(E, E))
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H,
         attn_mask=R(L, S, dtype=torch.float64), training=False, fn=mha, err="Input dtypes must be the same", **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H,
         key_padding_mask=R(N, S, dtype=torch.float64), training=False, fn=mha, err="Input dtypes must be the same", **packed)
    case("multi_head_attention_forward", query=R(L, N, E), key=R(S, N, E), value=R(S, N, E), embed_dim_to_check=E, num_heads=H,
         attn_mask=B(L, S), key_padding_mask=R(N, S), training=False, fn=mha, **packed)

# batch_norm refuses a non-positive eps, as PyTorch 2.11.
with own_inputs(407):
    case("batch_norm", input=R(3, 2), training=True, eps=-1.0, err="eps must be positive")
    case("batch_norm", input=R(3, 2), training=True, eps=0.0, err="eps must be positive")
