//! Neural-network functions (torch.nn.functional): softmax, dropout, linear, convolutions,
//! pooling, normalization, embedding, one_hot, pad, interpolate, attention, distances.

use super::spec::{bad, opt, req, ten, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, DTYPE, INPUT};
use super::util::{check_dims, check_index, positive, rec2, require_float, t, R};
use super::Args;
use crate::op;
use tch::Tensor;

const WEIGHT: ArgSpec = ten("weight");
const BIAS: ArgSpec = opt("bias", Tensor, Dflt::None);
const W_OPT: ArgSpec = opt("weight", Tensor, Dflt::None);
const EPS5: ArgSpec = opt("eps", Float, Dflt::Float(1e-5));
const STRIDE1: ArgSpec = opt("stride", Ints, Dflt::Ints(&[1]));
const PADDING0: ArgSpec = opt("padding", Ints, Dflt::Ints(&[0]));
/// A convolution's padding: sizes, or PyTorch's words.
const CONV_PADDING: ArgSpec = opt("padding", IntsOrStr(&["same", "valid"]), Dflt::Ints(&[0]));
const DILATION1: ArgSpec = opt("dilation", Ints, Dflt::Ints(&[1]));
const GROUPS: ArgSpec = opt("groups", Int, Dflt::Int(1));
const KERNEL: ArgSpec = req("kernel_size", Ints);
const POOL_STRIDE: ArgSpec = opt("stride", Ints, Dflt::None).doc("the step between windows (default kernel_size)");
const CEIL: ArgSpec = opt("ceil_mode", Bool, Dflt::Bool(false));
const OUTPUT_INDICES: [&str; 2] = ["output", "indices"];
const RANDOM_SAMPLES: ArgSpec = opt("random_samples", Tensor, Dflt::None)
    .doc("PyTorch's _random_samples: (N, C, dims) values in [0, 1) placing the windows (drawn when absent)");

/// An input of `ranks` dimensions (with or without the batch dimension).
fn rank(a: &Args, name: &'static str, ranks: &[usize], what: &str) -> R<()> {
    let d = a.tensor(name).dim();
    if !ranks.contains(&d) {
        let want: Vec<String> = ranks.iter().map(|r| format!("{r}-d")).collect();
        return Err(bad(name, format!("{what} expects a {} input, got {d}-d", want.join(" or "))));
    }
    Ok(())
}

fn dropout_p(a: &Args) -> R<f64> {
    let p = a.float("p");
    if !(0.0..=1.0).contains(&p) {
        return Err(bad("p", format!("dropout probability has to be between 0 and 1, but got {p}")));
    }
    Ok(p)
}

/// dropout1d/2d/3d: whole channels zeroed, following torch.nn.functional: dropout1d takes
/// (N, C, L) or (C, L); dropout2d uses the input as given (a 3-d input is (N, C, L), as
/// PyTorch still does); dropout3d adds a batch dimension unless the input is 5-d.
fn feature_dropout(a: &Args, batched: usize) -> R<Tensor> {
    if batched == 3 {
        rank(a, "input", &[2, 3], "dropout1d")?;
    }
    let p = dropout_p(a)?;
    let x = a.input();
    let unbatched = batched != 4 && x.dim() != batched;
    let x = if unbatched { x.f_unsqueeze(0)? } else { x.shallow_clone() };
    let y = x.f_feature_dropout(p, a.flag("training"))?;
    Ok(if unbatched { y.f_squeeze_dim(0)? } else { y })
}

/// A size list of `n` entries: one int stands for all of them, as PyTorch's _pair/_triple.
fn expand(a: &Args, name: &'static str, n: usize) -> R<Vec<i64>> {
    let v = a.ints(name);
    match v.len() {
        1 => Ok(vec![v[0]; n]),
        len if len == n => Ok(v),
        _ => Err(bad(name, format!("{name} must be one int or {n} ints, got {v:?}"))),
    }
}

/// Adaptive pooling's output size for `n` spatial dims, as PyTorch's `_list_with_default`:
/// one int stands for all; a None keeps that dim's input size.
fn adaptive_size(a: &Args, n: usize) -> R<Vec<i64>> {
    let v = a.ints_or_none("output_size");
    let v = match v.len() {
        1 => vec![v[0]; n],
        len if len == n => v,
        _ => return Err(bad("output_size", format!("output_size must be one int or {n} ints (or nulls), got {v:?}"))),
    };
    let input = a.input().size();
    let spatial = &input[input.len() - n..];
    Ok(v.iter().zip(spatial).map(|(o, &d)| o.unwrap_or(d)).collect())
}

fn pool_stride(a: &Args) -> Vec<i64> {
    a.opt_ints("stride").unwrap_or_default()
}

fn sizes_positive(a: &Args, name: &'static str) -> R<Vec<i64>> {
    let v = a.ints(name);
    if let Some(k) = v.iter().find(|&&k| k <= 0) {
        return Err(bad(name, format!("{name} must be positive, got {k}")));
    }
    Ok(v)
}

fn max_pool(a: &Args, dims: usize) -> R<super::Out> {
    rank(a, "input", &[dims + 1, dims + 2], "max pooling")?;
    let x = a.input();
    let (k, s, p, d, c) = (
        sizes_positive(a, "kernel_size")?,
        pool_stride(a),
        a.ints("padding"),
        sizes_positive(a, "dilation")?,
        a.flag("ceil_mode"),
    );
    if a.flag("return_indices") {
        return match dims {
            1 => rec2(OUTPUT_INDICES, x.f_max_pool1d_with_indices(k, s, p, d, c)?),
            2 => rec2(OUTPUT_INDICES, x.f_max_pool2d_with_indices(k, s, p, d, c)?),
            _ => rec2(OUTPUT_INDICES, x.f_max_pool3d_with_indices(k, s, p, d, c)?),
        };
    }
    t(match dims {
        1 => x.f_max_pool1d(k, s, p, d, c)?,
        2 => x.f_max_pool2d(k, s, p, d, c)?,
        _ => x.f_max_pool3d(k, s, p, d, c)?,
    })
}

/// conv1d/2d/3d; padding 'same' pads as PyTorch does (the extra element of an even kernel
/// at the end), which libtorch's string-padding overload does itself.
fn conv(a: &Args, dims: usize) -> R<super::Out> {
    let (x, w, b) = (a.input(), a.tensor("weight"), a.opt_tensor("bias"));
    let (stride, dilation, groups) = (a.ints("stride"), a.ints("dilation"), positive("groups", a.int("groups"))?);
    match a.ints_or_str("padding") {
        Ok(p) => t(match dims {
            1 => x.f_conv1d(w, b, stride, p, dilation, groups)?,
            2 => x.f_conv2d(w, b, stride, p, dilation, groups)?,
            _ => x.f_conv3d(w, b, stride, p, dilation, groups)?,
        }),
        Err(word) => {
            if word == "same" && stride.iter().any(|&s| s != 1) {
                return Err(bad("padding", "padding='same' is not supported for strided convolutions"));
            }
            t(match dims {
                1 => x.f_conv1d_padding(w, b, stride, word, dilation, groups)?,
                2 => x.f_conv2d_padding(w, b, stride, word, dilation, groups)?,
                _ => x.f_conv3d_padding(w, b, stride, word, dilation, groups)?,
            })
        }
    }
}

fn avg_pool(a: &Args, dims: usize) -> R<Tensor> {
    rank(a, "input", &[dims + 1, dims + 2], "average pooling")?;
    let x = a.input();
    let (k, s, p, c, inc) = (
        sizes_positive(a, "kernel_size")?,
        pool_stride(a),
        a.ints("padding"),
        a.flag("ceil_mode"),
        a.flag("count_include_pad"),
    );
    Ok(match dims {
        1 => x.f_avg_pool1d(k, s, p, c, inc)?,
        2 => x.f_avg_pool2d(k, s, p, c, inc, a.opt_int("divisor_override"))?,
        _ => x.f_avg_pool3d(k, s, p, c, inc, a.opt_int("divisor_override"))?,
    })
}

/// F.interpolate with the mode and align_corners it was given.
fn interpolate(a: &Args) -> R<Tensor> {
    let align = if a.has("align_corners") { Some(a.flag("align_corners")) } else { None };
    resample(a, a.str("mode"), align)
}

/// F.interpolate through the upsample kernels, with PyTorch's output size and scales: a
/// scale factor gives floor(size * factor) and is handed to the kernel unless
/// recompute_scale_factor (always for `area`, which is adaptive average pooling). `size` and
/// `scale_factor` come from the arguments; the upsample aliases fix the mode and have no
/// recompute_scale_factor or antialias.
fn resample(a: &Args, mode: &str, align_corners: Option<bool>) -> R<Tensor> {
    let x = a.input();
    let spatial = x.dim() as i64 - 2;
    if !(1..=3).contains(&spatial) {
        return Err(bad(
            "input",
            format!("interpolate expects a 3-d, 4-d or 5-d input (batch, channels, ...), got {}-d", x.dim()),
        ));
    }
    let interpolating = !matches!(mode, "nearest" | "nearest-exact" | "area");
    if align_corners.is_some() && !interpolating {
        return Err(bad(
            "align_corners",
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
        ));
    }
    let given = |name: &str| a.spec().args.iter().any(|s| s.name == name) && a.flag(name);
    let recompute = given("recompute_scale_factor");
    let (size, scales): (Vec<i64>, Vec<Option<f64>>) = match (a.opt_ints("size"), a.opt_floats("scale_factor")) {
        (Some(_), Some(_)) => return Err(bad("size", "give --size or --scale-factor, not both")),
        (None, None) => return Err(bad("size", "give --size or --scale-factor")),
        (Some(size), None) => {
            if recompute {
                return Err(bad(
                    "recompute_scale_factor",
                    "recompute_scale_factor is not meaningful with an explicit size",
                ));
            }
            let size = if size.len() == 1 { vec![size[0]; spatial as usize] } else { size };
            if size.len() as i64 != spatial || size.iter().any(|&s| s <= 0) {
                return Err(bad("size", format!("size must be {spatial} positive sizes, got {size:?}")));
            }
            (size, vec![None; spatial as usize])
        }
        (None, Some(factors)) => {
            let factors = match factors.len() {
                1 => vec![factors[0]; spatial as usize],
                n if n as i64 == spatial => factors,
                n => {
                    return Err(bad(
                        "scale_factor",
                        format!("Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of {spatial} and scale_factor of length {n}"),
                    ))
                }
            };
            if let Some(f) = factors.iter().find(|f| !(**f > 0.0)) {
                return Err(bad("scale_factor", format!("scale_factor must be positive, got {f}")));
            }
            let dims = &x.size()[2..];
            let size: Vec<i64> = dims.iter().zip(&factors).map(|(&d, f)| (d as f64 * f).floor() as i64).collect();
            if size.contains(&0) {
                return Err(bad(
                    "scale_factor",
                    format!("scale_factor {factors:?} gives an empty output size {size:?}"),
                ));
            }
            let keep = !(recompute || mode == "area");
            (size, factors.iter().map(|&f| keep.then_some(f)).collect())
        }
    };
    let antialias = given("antialias");
    if antialias && !(matches!(mode, "bilinear" | "bicubic") && spatial == 2) {
        return Err(bad(
            "antialias",
            "Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input",
        ));
    }
    let align = align_corners.unwrap_or(false);
    let s = &scales;
    let size = size.as_slice();
    Ok(match (mode, spatial) {
        ("nearest", 1) => x.f_upsample_nearest1d(size, s[0])?,
        ("nearest", 2) => x.f_upsample_nearest2d(size, s[0], s[1])?,
        ("nearest", 3) => x.f_upsample_nearest3d(size, s[0], s[1], s[2])?,
        ("nearest-exact", 1) => x.f_internal_upsample_nearest_exact1d(size, s[0])?,
        ("nearest-exact", 2) => x.f_internal_upsample_nearest_exact2d(size, s[0], s[1])?,
        ("nearest-exact", 3) => x.f_internal_upsample_nearest_exact3d(size, s[0], s[1], s[2])?,
        ("area", 1) => x.f_adaptive_avg_pool1d(size)?,
        ("area", 2) => x.f_adaptive_avg_pool2d(size)?,
        ("area", 3) => x.f_adaptive_avg_pool3d(size)?,
        ("linear", 1) => x.f_upsample_linear1d(size, align, s[0])?,
        ("bilinear", 2) if antialias => x.f_internal_upsample_bilinear2d_aa(size, align, s[0], s[1])?,
        ("bilinear", 2) => x.f_upsample_bilinear2d(size, align, s[0], s[1])?,
        ("bicubic", 2) if antialias => x.f_internal_upsample_bicubic2d_aa(size, align, s[0], s[1])?,
        ("bicubic", 2) => x.f_upsample_bicubic2d(size, align, s[0], s[1])?,
        ("trilinear", 3) => x.f_upsample_trilinear3d(size, align, s[0], s[1], s[2])?,
        (mode, n) => {
            return Err(bad("mode", format!("mode {mode} does not apply to a {}-d input ({n} spatial dims)", x.dim())))
        }
    })
}

/// adaptive_max_pool1d/2d/3d: the output, or {output, indices} with --return-indices.
fn adaptive_max_pool(a: &Args, dims: usize) -> R<super::Out> {
    let what = ["adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"][dims - 1];
    rank(a, "input", &[dims + 1, dims + 2], what)?;
    // None entries (that dim keeps its input size) where PyTorch takes them: 2-d and 3-d.
    let size = if dims == 1 { expand(a, "output_size", 1)? } else { adaptive_size(a, dims)? };
    let x = a.input();
    let (out, idx) = match dims {
        1 => x.f_adaptive_max_pool1d(size)?,
        2 => x.f_adaptive_max_pool2d(size)?,
        _ => x.f_adaptive_max_pool3d(size)?,
    };
    if a.flag("return_indices") {
        rec2(OUTPUT_INDICES, (out, idx))
    } else {
        t(out)
    }
}

/// fractional_max_pool2d/3d. The random samples (one per batch entry and channel, `dims`
/// each, in [0, 1)) are drawn with torch.rand from the default generator unless given, so a
/// seed makes the result PyTorch's.
fn fractional_max_pool(a: &Args, dims: usize) -> R<super::Out> {
    let what = if dims == 2 { "fractional_max_pool2d" } else { "fractional_max_pool3d" };
    rank(a, "input", &[dims + 1, dims + 2], what)?;
    let x = a.input();
    sizes_positive(a, "kernel_size")?;
    let kernel = expand(a, "kernel_size", dims)?;
    let output_size = match (a.opt_ints("output_size"), a.opt_floats("output_ratio")) {
        (Some(_), _) => expand(a, "output_size", dims)?,
        (None, Some(ratio)) => {
            if ratio.len() != dims {
                return Err(bad("output_ratio", format!("output_ratio must be {dims} numbers, got {ratio:?}")));
            }
            let spatial = &x.size()[x.dim() - dims..];
            spatial.iter().zip(&ratio).map(|(&s, &r)| (s as f64 * r) as i64).collect()
        }
        (None, None) => {
            return Err(bad(
                "output_size",
                format!("{what} requires specifying either an output_size or an output_ratio"),
            ))
        }
    };
    let samples = match a.opt_tensor("random_samples") {
        Some(s) => s.shallow_clone(),
        None => {
            let size = x.size();
            let batch = if x.dim() == dims + 1 { 1 } else { size[0] };
            let channels = size[x.dim() - dims - 1];
            Tensor::f_rand([batch, channels, dims as i64], (x.kind(), x.device()))?
        }
    };
    let (out, idx) = if dims == 2 {
        x.f_fractional_max_pool2d(kernel, output_size, &samples)?
    } else {
        x.f_fractional_max_pool3d(kernel, output_size, &samples)?
    };
    if a.flag("return_indices") {
        rec2(OUTPUT_INDICES, (out, idx))
    } else {
        t(out)
    }
}

/// The output size of max_unpool (`_unpool_output_size`): the given one (without batch and
/// channels), which must lie within one stride of the default, or the default.
fn unpool_output_size(a: &Args, kernel: &[i64], stride: &[i64], padding: &[i64]) -> R<Vec<i64>> {
    let x = a.input();
    let n = kernel.len();
    if x.dim() < n {
        return Err(bad("input", format!("max_unpool{n}d needs at least {n} dimensions, got {}", x.dim())));
    }
    let spatial = &x.size()[x.dim() - n..];
    let default: Vec<i64> = (0..n).map(|d| (spatial[d] - 1) * stride[d] + kernel[d] - 2 * padding[d]).collect();
    let Some(mut size) = a.opt_ints("output_size") else { return Ok(default) };
    if size.len() == n + 2 {
        size.drain(..2);
    }
    if size.len() != n {
        return Err(bad(
            "output_size",
            format!(
                "output_size should be a sequence containing {n} or {} elements, but it has a length of '{}'",
                n + 2,
                size.len()
            ),
        ));
    }
    for d in 0..n {
        let (lo, hi) = (default[d] - stride[d], default[d] + stride[d]);
        if !(lo < size[d] && size[d] < hi) {
            return Err(bad(
                "output_size",
                format!("invalid output_size \"{size:?}\" (dim {d} must be between {lo} and {hi})"),
            ));
        }
    }
    Ok(size)
}

/// max_unpool1d/2d/3d: the values written back at their pooling indices, zeros elsewhere.
/// The indices are checked against the output plane first: on CUDA a stray index would be a
/// device-side assert.
fn max_unpool(a: &Args, dims: usize) -> R<Tensor> {
    let kernel = expand(a, "kernel_size", dims)?;
    let stride = if a.has("stride") { expand(a, "stride", dims)? } else { kernel.clone() };
    let padding = expand(a, "padding", dims)?;
    let size = unpool_output_size(a, &kernel, &stride, &padding)?;
    let (x, indices) = (a.input(), a.tensor("indices"));
    let dt = super::util::dtype(indices)?;
    if dt != crate::DType::Int64 {
        return Err(bad("indices", format!("elements in indices should be type int64 but got: {dt}")));
    }
    if x.size() != indices.size() {
        return Err(bad(
            "indices",
            format!("Expected shape of indices to be same as that of the input tensor ({:?}) but got indices tensor with shape: {:?}", x.size(), indices.size()),
        ));
    }
    let plane: i64 = size.iter().product();
    if indices.numel() > 0 {
        let (lo, hi) = (indices.f_min()?.f_int64_value(&[])?, indices.f_max()?.f_int64_value(&[])?);
        if lo < 0 || hi >= plane {
            let shown: Vec<String> = size.iter().map(|s| s.to_string()).collect();
            let wrong = if lo < 0 { lo } else { hi };
            return Err(bad(
                "indices",
                format!("Found an invalid max index: {wrong} (output volumes are of size {})", shown.join("x")),
            ));
        }
    }
    Ok(match dims {
        1 => {
            let size = [size[0], 1];
            x.f_unsqueeze(-1)?.f_max_unpool2d(&indices.f_unsqueeze(-1)?, size)?.f_squeeze_dim(-1)?
        }
        2 => x.f_max_unpool2d(indices, size)?,
        _ => x.f_max_unpool3d(indices, size, stride, padding)?,
    })
}

/// F.local_response_norm: x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta,
/// computed as PyTorch does (average pooling over the zero-padded channel dimension).
fn local_response_norm(a: &Args) -> R<Tensor> {
    let x = a.input();
    let dim = x.dim();
    if dim < 3 {
        return Err(bad("input", format!("Expected 3D or higher dimensionality input (got {dim} dimensions)")));
    }
    let size = positive("size", a.int("size"))?;
    if x.numel() == 0 {
        return Ok(x.shallow_clone());
    }
    let (before, after) = (size / 2, (size - 1) / 2);
    let squares = x.f_mul(x)?;
    let div = if dim == 3 {
        let padded = squares.f_unsqueeze(1)?.f_pad([0, 0, before, after].as_slice(), "constant", None)?;
        padded.f_avg_pool2d([size, 1], [1, 1], [0, 0], false, true, None)?.f_squeeze_dim(1)?
    } else {
        let s = x.size();
        let padded = squares.f_view([s[0], 1, s[1], s[2], -1])?.f_pad(
            [0, 0, 0, 0, before, after].as_slice(),
            "constant",
            None,
        )?;
        padded
            .f_avg_pool3d([size, 1, 1], [1, 1, 1], [0, 0, 0], false, true, None)?
            .f_squeeze_dim(1)?
            .f_view(s.as_slice())?
    };
    let num = |v: f64, like: &Tensor| super::util::num(v, like);
    let div = div.f_mul(&num(a.float("alpha"), &div)?)?;
    let div = div.f_add(&num(a.float("k"), &div)?)?;
    let div = div.f_pow(&num(a.float("beta"), &div)?)?;
    Ok(x.f_div(&div)?)
}

/// F.embedding_bag: the rows of weight picked by each bag of indices, summed, averaged or
/// maximised. A 2-d input is a batch of bags of equal length; a 1-d one is cut into bags at
/// `offsets`.
fn embedding_bag(a: &Args) -> R<Tensor> {
    let (input, weight) = (a.input(), a.tensor("weight"));
    // Bool indices of a 1-d input are read as 0 and 1 (libtorch converts them to the
    // offsets' integer type).
    let input = match a.opt_tensor("offsets") {
        Some(o) if input.dim() == 1 && super::util::dtype(input)?.is_bool() && super::util::dtype(o)?.is_integer() => {
            input.f_to_kind(o.kind())?
        }
        _ => input.shallow_clone(),
    };
    let input = &input;
    let psw = a.opt_tensor("per_sample_weights");
    if let Some(w) = psw {
        if w.size() != input.size() {
            return Err(bad(
                "per_sample_weights",
                format!("embedding_bag: If per_sample_weights ({:?}) is not None, then it must have the same shape as the input ({:?})", w.size(), input.size()),
            ));
        }
    }
    if weight.dim() != 2 {
        return Err(bad(
            "weight",
            format!("weight has to be a 2D Tensor, but got Tensor of dimension {}", weight.dim()),
        ));
    }
    check_index("input", input, weight.size()[0], false)?;
    let (indices, offsets, include_last, psw) = match input.dim() {
        2 => {
            if a.opt_tensor("offsets").is_some() {
                return Err(bad("offsets", "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences"));
            }
            let step = input.size()[1];
            if step == 0 {
                return Err(bad("input", "step must be nonzero"));
            }
            let offsets = Tensor::f_arange_start_step(0, input.numel() as i64, step, (input.kind(), input.device()))?;
            let psw = psw.map(|w| w.f_reshape([-1])).transpose()?;
            (input.f_reshape([-1])?, offsets, false, psw)
        }
        1 => {
            let Some(offsets) = a.opt_tensor("offsets") else {
                return Err(bad("offsets", "offsets has to be a 1D Tensor but got None"));
            };
            if offsets.dim() != 1 {
                return Err(bad("offsets", "offsets has to be a 1D Tensor"));
            }
            check_offsets(offsets, input.numel() as i64)?;
            (
                input.shallow_clone(),
                offsets.shallow_clone(),
                a.flag("include_last_offset"),
                psw.map(|w| w.shallow_clone()),
            )
        }
        d => return Err(bad("input", format!("input has to be 1D or 2D Tensor, but got Tensor of dimension {d}"))),
    };
    let mode = match a.str("mode") {
        "sum" => 0,
        "mean" => 1,
        _ => 2,
    };
    if mode == 2 && a.flag("scale_grad_by_freq") {
        return Err(bad("scale_grad_by_freq", "max mode does not support scaling the gradient by the frequency"));
    }
    if mode == 2 && a.flag("sparse") {
        return Err(bad("sparse", "max mode does not support sparse weights"));
    }
    if psw.is_some() && mode != 0 {
        return Err(bad(
            "per_sample_weights",
            format!("embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='{}')", a.str("mode")),
        ));
    }
    let (out, _, _, _) = Tensor::f_embedding_bag_padding_idx(
        weight,
        &indices,
        &offsets,
        a.flag("scale_grad_by_freq"),
        mode,
        a.flag("sparse"),
        psw,
        include_last,
        a.opt_int("padding_idx"),
    )?;
    Ok(out)
}

/// Bag offsets: integers starting at 0 and not past the indices (beyond them a CUDA kernel
/// would read out of bounds).
fn check_offsets(offsets: &Tensor, len: i64) -> R<()> {
    let dt = super::util::dtype(offsets)?;
    if !dt.is_integer() {
        return Err(bad("offsets", format!("offsets must be an integer tensor, got {dt}")));
    }
    if offsets.numel() == 0 {
        return Ok(());
    }
    let first = offsets.f_get(0)?.f_int64_value(&[])?;
    if first != 0 {
        return Err(bad(
            "offsets",
            format!("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got {first}"),
        ));
    }
    let last = offsets.f_get(-1)?.f_int64_value(&[])?;
    if last > len {
        return Err(bad(
            "offsets",
            format!("offsets[-1] can not be greater than input's length {len}, but got offsets[-1] of {last}"),
        ));
    }
    let steps = offsets.f_diff(1, 0, None::<Tensor>, None::<Tensor>)?;
    if steps.numel() > 0 && steps.f_min()?.f_int64_value(&[])? < 0 {
        return Err(bad("offsets", "offsets must not decrease"));
    }
    Ok(())
}

const MODES: &[&str] = &["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"];

pub static OPS: &[OpSpec] = &[
    op!("softmax", Nn, "torch.nn.functional.softmax", "exp(x) / sum(exp(x)) along dim.",
        [INPUT, req("dim", Int), DTYPE], O::Tensor,
        "nutorch fromvalue [0.0 0.0] | nutorch softmax 0 | nutorch tovalue" => "[0.5, 0.5]",
        |a| t(a.input().f_softmax(a.int("dim"), a.dtype("dtype").map(|d| d.kind()))?)),
    op!("log_softmax", Nn, "torch.nn.functional.log_softmax", "log(softmax(x)) along dim, computed stably.",
        [INPUT, req("dim", Int), DTYPE], O::Tensor,
        "nutorch fromvalue [0.0 0.0] --dtype float64 | nutorch log_softmax 0 | nutorch tovalue" => "[-0.6931471805599453, -0.6931471805599453]",
        |a| t(a.input().f_log_softmax(a.int("dim"), a.dtype("dtype").map(|d| d.kind()))?)),
    op!("softmin", Nn, "torch.nn.functional.softmin", "softmax(-x) along dim.",
        [INPUT, req("dim", Int), DTYPE], O::Tensor,
        "nutorch fromvalue [1.0 1.0] | nutorch softmin 0 | nutorch tovalue" => "[0.5, 0.5]",
        |a| t(a.input().f_neg()?.f_softmax(a.int("dim"), a.dtype("dtype").map(|d| d.kind()))?)),
    op!("special_softmax", Nn, "torch.special.softmax", "exp(x) / sum(exp(x)) along dim (alias of softmax).",
        [INPUT, req("dim", Int), DTYPE], O::Tensor,
        "nutorch fromvalue [0.0 0.0] | nutorch special_softmax 0 | nutorch tovalue" => "[0.5, 0.5]",
        |a| t(a.input().f_special_softmax(a.int("dim"), a.dtype("dtype").map(|d| d.kind()))?)),
    op!("dropout", Nn, "torch.nn.functional.dropout", "Zeroes elements with probability p and scales the rest by 1/(1-p) (training only).",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch fromvalue [1.0 2.0] | nutorch dropout --training=false | nutorch tovalue" => "[1.0, 2.0]",
        |a| t(a.input().f_dropout(dropout_p(a)?, a.flag("training"))?)),
    op!("alpha_dropout", Nn, "torch.nn.functional.alpha_dropout", "Dropout that keeps a SELU network's mean and variance.",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [1.0 2.0] | nutorch alpha_dropout | nutorch tovalue" => "[1.0, 2.0]",
        |a| t(a.input().f_alpha_dropout(dropout_p(a)?, a.flag("training"))?)),
    op!("feature_alpha_dropout", Nn, "torch.nn.functional.feature_alpha_dropout", "Alpha dropout of whole channels.",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[1.0] [2.0]] | nutorch feature_alpha_dropout | nutorch tovalue" => "[[1.0], [2.0]]",
        |a| t(a.input().f_feature_alpha_dropout(dropout_p(a)?, a.flag("training"))?)),
    op!("dropout1d", Nn, "torch.nn.functional.dropout1d", "Zeroes whole channels of (N, C, L) or (C, L) inputs with probability p.",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch ones 1 2 2 | nutorch dropout1d --training=false | nutorch tovalue" => "[[[1.0, 1.0], [1.0, 1.0]]]",
        |a| t(feature_dropout(a, 3)?)),
    op!("dropout2d", Nn, "torch.nn.functional.dropout2d", "Zeroes whole channels of (N, C, H, W) or (C, H, W) inputs with probability p.",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch ones 1 1 1 2 | nutorch dropout2d --p 0 | nutorch tovalue" => "[[[[1.0, 1.0]]]]",
        |a| t(feature_dropout(a, 4)?)),
    op!("dropout3d", Nn, "torch.nn.functional.dropout3d", "Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability p.",
        [INPUT, opt("p", Float, Dflt::Float(0.5)), opt("training", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch ones 1 1 1 1 --dtype float64 | nutorch dropout3d --training=false | nutorch tovalue" => "[[[[1.0]]]]",
        |a| t(feature_dropout(a, 5)?)),
    op!("linear", Nn, "torch.nn.functional.linear", "input @ weight^T + bias.",
        [INPUT, WEIGHT, BIAS], O::Tensor,
        "nutorch fromvalue [[1.0 2.0]] | nutorch linear (nutorch fromvalue [[1.0 1.0]]) --bias (nutorch fromvalue [0.5]) | nutorch tovalue" => "[[3.5]]",
        |a| t(a.input().f_linear(a.tensor("weight"), a.opt_tensor("bias"))?)),
    op!("bilinear", Nn, "torch.nn.functional.bilinear", "input1^T weight input2 + bias, for each output feature.",
        [ten("input1"), ten("input2"), WEIGHT, BIAS], O::Tensor,
        "nutorch fromvalue [[1.0]] | nutorch bilinear (nutorch fromvalue [[2.0]]) (nutorch fromvalue [[[3.0]]]) | nutorch tovalue" => "[[6.0]]",
        |a| t(Tensor::f_bilinear(a.tensor("input1"), a.tensor("input2"), a.tensor("weight"), a.opt_tensor("bias"))?)),
    op!("conv1d", Nn, "torch.nn.functional.conv1d", "1-d convolution (cross-correlation) of (N, C, L) inputs.",
        [INPUT, WEIGHT, BIAS, STRIDE1, CONV_PADDING, DILATION1, GROUPS], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0 3.0]]] | nutorch conv1d (nutorch fromvalue [[[1.0 1.0]]]) | nutorch tovalue" => "[[[3.0, 5.0]]]",
        |a| conv(a, 1),
        notes: "padding is given in elements, or as 'same' (output as long as the input; stride 1 only) or 'valid' (none)."),
    op!("conv2d", Nn, "torch.nn.functional.conv2d", "2-d convolution (cross-correlation) of (N, C, H, W) inputs.",
        [INPUT, WEIGHT, BIAS, STRIDE1, CONV_PADDING, DILATION1, GROUPS], O::Tensor,
        "nutorch ones 1 1 2 2 | nutorch conv2d (nutorch ones 1 1 2 2) | nutorch tovalue" => "[[[[4.0]]]]",
        |a| conv(a, 2)),
    op!("conv3d", Nn, "torch.nn.functional.conv3d", "3-d convolution (cross-correlation) of (N, C, D, H, W) inputs.",
        [INPUT, WEIGHT, BIAS, STRIDE1, CONV_PADDING, DILATION1, GROUPS], O::Tensor,
        "nutorch ones 1 1 1 2 2 | nutorch conv3d (nutorch ones 1 1 1 2 2) | nutorch tovalue" => "[[[[[4.0]]]]]",
        |a| conv(a, 3)),
    op!("conv_transpose1d", Nn, "torch.nn.functional.conv_transpose1d", "1-d transposed convolution.",
        [INPUT, WEIGHT, BIAS, STRIDE1, PADDING0, opt("output_padding", Ints, Dflt::Ints(&[0])), GROUPS, DILATION1], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0]]] | nutorch conv_transpose1d (nutorch fromvalue [[[1.0 1.0]]]) | nutorch tovalue" => "[[[1.0, 3.0, 2.0]]]",
        |a| t(a.input().f_conv_transpose1d(a.tensor("weight"), a.opt_tensor("bias"), a.ints("stride"), a.ints("padding"), a.ints("output_padding"), positive("groups", a.int("groups"))?, a.ints("dilation"))?)),
    op!("conv_transpose2d", Nn, "torch.nn.functional.conv_transpose2d", "2-d transposed convolution.",
        [INPUT, WEIGHT, BIAS, STRIDE1, PADDING0, opt("output_padding", Ints, Dflt::Ints(&[0])), GROUPS, DILATION1], O::Tensor,
        "nutorch ones 1 1 1 1 | nutorch conv_transpose2d (nutorch ones 1 1 2 2) | nutorch tovalue" => "[[[[1.0, 1.0], [1.0, 1.0]]]]",
        |a| t(a.input().f_conv_transpose2d(a.tensor("weight"), a.opt_tensor("bias"), a.ints("stride"), a.ints("padding"), a.ints("output_padding"), positive("groups", a.int("groups"))?, a.ints("dilation"))?)),
    op!("conv_transpose3d", Nn, "torch.nn.functional.conv_transpose3d", "3-d transposed convolution.",
        [INPUT, WEIGHT, BIAS, STRIDE1, PADDING0, opt("output_padding", Ints, Dflt::Ints(&[0])), GROUPS, DILATION1], O::Tensor,
        "(nutorch ones 1 1 1 1 1 | nutorch conv_transpose3d (nutorch ones 1 2 2 2 2)).shape" => "[1, 2, 2, 2, 2]",
        |a| t(a.input().f_conv_transpose3d(a.tensor("weight"), a.opt_tensor("bias"), a.ints("stride"), a.ints("padding"), a.ints("output_padding"), positive("groups", a.int("groups"))?, a.ints("dilation"))?)),
    op!("max_pool1d", Nn, "torch.nn.functional.max_pool1d", "Maximum over sliding windows of (N, C, L) or (C, L) inputs ({output, indices} with --return-indices).",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, DILATION1, CEIL, opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
        "nutorch fromvalue [[1.0 3.0 2.0 4.0]] | nutorch max_pool1d 2 | nutorch tovalue" => "[[3.0, 4.0]]",
        |a| max_pool(a, 1)),
    op!("max_pool2d", Nn, "torch.nn.functional.max_pool2d", "Maximum over sliding windows of (N, C, H, W) or (C, H, W) inputs ({output, indices} with --return-indices).",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, DILATION1, CEIL, opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
        "nutorch fromvalue [[[1.0 2.0] [3.0 4.0]]] | nutorch max_pool2d 2 | nutorch tovalue" => "[[[4.0]]]",
        |a| max_pool(a, 2)),
    op!("max_pool3d", Nn, "torch.nn.functional.max_pool3d", "Maximum over sliding windows of (N, C, D, H, W) or (C, D, H, W) inputs ({output, indices} with --return-indices).",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, DILATION1, CEIL, opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
        "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch max_pool3d [1 2 2] | nutorch tovalue" => "[[[[4.0]]]]",
        |a| max_pool(a, 3)),
    op!("avg_pool1d", Nn, "torch.nn.functional.avg_pool1d", "Average over sliding windows of (N, C, L) or (C, L) inputs.",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, CEIL, opt("count_include_pad", Bool, Dflt::Bool(true))], O::Tensor,
        "nutorch fromvalue [[1.0 3.0 2.0 4.0]] | nutorch avg_pool1d 2 | nutorch tovalue" => "[[2.0, 3.0]]",
        |a| t(avg_pool(a, 1)?)),
    op!("avg_pool2d", Nn, "torch.nn.functional.avg_pool2d", "Average over sliding windows of (N, C, H, W) or (C, H, W) inputs.",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, CEIL, opt("count_include_pad", Bool, Dflt::Bool(true)), opt("divisor_override", Int, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0] [3.0 4.0]]] | nutorch avg_pool2d 2 | nutorch tovalue" => "[[[2.5]]]",
        |a| t(avg_pool(a, 2)?)),
    op!("avg_pool3d", Nn, "torch.nn.functional.avg_pool3d", "Average over sliding windows of (N, C, D, H, W) or (C, D, H, W) inputs.",
        [INPUT, KERNEL, POOL_STRIDE, PADDING0, CEIL, opt("count_include_pad", Bool, Dflt::Bool(true)), opt("divisor_override", Int, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch avg_pool3d [1 2 2] | nutorch tovalue" => "[[[[2.5]]]]",
        |a| t(avg_pool(a, 3)?)),
    op!("adaptive_avg_pool1d", Nn, "torch.nn.functional.adaptive_avg_pool1d", "Average pooling to a given output length.",
    [INPUT, req("output_size", Ints)], O::Tensor,
    "nutorch fromvalue [[1.0 3.0 2.0 4.0]] | nutorch adaptive_avg_pool1d 1 | nutorch tovalue" => "[[2.5]]",
    |a| {
        rank(a, "input", &[2, 3], "adaptive_avg_pool1d")?;
        t(a.input().f_adaptive_avg_pool1d(expand(a, "output_size", 1)?)?)
    }),
    op!("adaptive_avg_pool2d", Nn, "torch.nn.functional.adaptive_avg_pool2d", "Average pooling to a given output size.",
    [INPUT, req("output_size", IntsOrNone)], O::Tensor,
    "nutorch fromvalue [[[1.0 2.0] [3.0 4.0]]] | nutorch adaptive_avg_pool2d 1 | nutorch tovalue" => "[[[2.5]]]",
    |a| {
        rank(a, "input", &[3, 4], "adaptive_avg_pool2d")?;
        t(a.input().f_adaptive_avg_pool2d(adaptive_size(a, 2)?)?)
    }),
    op!("adaptive_avg_pool3d", Nn, "torch.nn.functional.adaptive_avg_pool3d", "Average pooling to a given output size.",
    [INPUT, req("output_size", IntsOrNone)], O::Tensor,
    "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch adaptive_avg_pool3d 1 | nutorch tovalue" => "[[[[2.5]]]]",
    |a| {
        rank(a, "input", &[4, 5], "adaptive_avg_pool3d")?;
        t(a.input().f_adaptive_avg_pool3d(adaptive_size(a, 3)?)?)
    }),
    op!("adaptive_max_pool1d", Nn, "torch.nn.functional.adaptive_max_pool1d", "Max pooling to a given output length ({output, indices} with --return-indices).",
    [INPUT, req("output_size", Ints), opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
    "nutorch fromvalue [[1.0 3.0 2.0 4.0]] | nutorch adaptive_max_pool1d 2 | nutorch tovalue" => "[[3.0, 4.0]]",
    |a| adaptive_max_pool(a, 1)),
    op!("adaptive_max_pool2d", Nn, "torch.nn.functional.adaptive_max_pool2d", "Max pooling to a given output size ({output, indices} with --return-indices).",
    [INPUT, req("output_size", IntsOrNone), opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
    "nutorch fromvalue [[[1.0 2.0] [3.0 4.0]]] | nutorch adaptive_max_pool2d 1 | nutorch tovalue" => "[[[4.0]]]",
    |a| adaptive_max_pool(a, 2)),
    op!("adaptive_max_pool3d", Nn, "torch.nn.functional.adaptive_max_pool3d", "Max pooling to a given output size ({output, indices} with --return-indices).",
    [INPUT, req("output_size", IntsOrNone), opt("return_indices", Bool, Dflt::Bool(false))], O::Varies,
    "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch adaptive_max_pool3d 1 | nutorch tovalue" => "[[[[4.0]]]]",
    |a| adaptive_max_pool(a, 3)),
    op!("fractional_max_pool2d", Nn, "torch.nn.functional.fractional_max_pool2d", "Max pooling over pseudo-randomly placed windows to an output size or ratio ({output, indices} with --return-indices).",
    [INPUT, KERNEL, opt("output_size", Ints, Dflt::None), opt("output_ratio", Floats, Dflt::None).doc("the output size as a fraction of the input's: [rh rw]"),
     opt("return_indices", Bool, Dflt::Bool(false)), RANDOM_SAMPLES], O::Varies,
    "nutorch fromvalue [[[1.0 2.0] [3.0 4.0]]] | nutorch fractional_max_pool2d 2 --output-size 1 | nutorch tovalue" => "[[[4.0]]]",
    |a| fractional_max_pool(a, 2),
    notes: "PyTorch's private _random_samples is --random-samples here; without it the samples come from the default generator (see manual_seed)."),
    op!("fractional_max_pool3d", Nn, "torch.nn.functional.fractional_max_pool3d", "3-d max pooling over pseudo-randomly placed windows to an output size or ratio ({output, indices} with --return-indices).",
    [INPUT, KERNEL, opt("output_size", Ints, Dflt::None), opt("output_ratio", Floats, Dflt::None).doc("the output size as a fraction of the input's: [rd rh rw]"),
     opt("return_indices", Bool, Dflt::Bool(false)), RANDOM_SAMPLES], O::Varies,
    "nutorch arange 27 --dtype float32 | nutorch reshape 1 3 3 3 | nutorch fractional_max_pool3d 2 --output-size 1 | nutorch tovalue" => "[[[[26.0]]]]",
    |a| fractional_max_pool(a, 3),
    notes: "PyTorch's private _random_samples is --random-samples here; without it the samples come from the default generator (see manual_seed)."),
    op!("max_unpool1d", Nn, "torch.nn.functional.max_unpool1d", "Inverse of max_pool1d: values put back at their indices, zeros elsewhere.",
    [INPUT, ten("indices"), KERNEL, POOL_STRIDE, PADDING0, opt("output_size", Ints, Dflt::None)], O::Tensor,
    "nutorch fromvalue [[[4.0]]] | nutorch max_unpool1d (nutorch fromvalue [[[1]]]) 2 | nutorch tovalue" => "[[[0.0, 4.0]]]",
    |a| t(max_unpool(a, 1)?)),
    op!("max_unpool2d", Nn, "torch.nn.functional.max_unpool2d", "Inverse of max_pool2d: values put back at their indices, zeros elsewhere.",
    [INPUT, ten("indices"), KERNEL, POOL_STRIDE, PADDING0, opt("output_size", Ints, Dflt::None)], O::Tensor,
    "nutorch fromvalue [[[[4.0]]]] | nutorch max_unpool2d (nutorch fromvalue [[[[3]]]]) 2 | nutorch tovalue" => "[[[[0.0, 0.0], [0.0, 4.0]]]]",
    |a| t(max_unpool(a, 2)?)),
    op!("max_unpool3d", Nn, "torch.nn.functional.max_unpool3d", "Inverse of max_pool3d: values put back at their indices, zeros elsewhere.",
    [INPUT, ten("indices"), KERNEL, POOL_STRIDE, PADDING0, opt("output_size", Ints, Dflt::None)], O::Tensor,
    "nutorch fromvalue [[[[[4.0]]]]] | nutorch max_unpool3d (nutorch fromvalue [[[[[1]]]]]) [1 1 2] | nutorch tovalue" => "[[[[[0.0, 4.0]]]]]",
    |a| t(max_unpool(a, 3)?)),
    op!("local_response_norm", Nn, "torch.nn.functional.local_response_norm", "x / (k + alpha * mean of x^2 over size neighbouring channels)^beta.",
    [INPUT, req("size", Int), opt("alpha", Float, Dflt::Float(1e-4)), opt("beta", Float, Dflt::Float(0.75)), opt("k", Float, Dflt::Float(1.0))], O::Tensor,
    "nutorch fromvalue [[[2.0] [0.0]]] --dtype float64 | nutorch local_response_norm 1 --alpha 0.75 --beta 1 | nutorch tovalue" => "[[[0.5], [0.0]]]",
    |a| t(local_response_norm(a)?)),
    op!("layer_norm", Nn, "torch.nn.functional.layer_norm", "Normalization over the last dims (normalized_shape), then weight and bias.",
        [INPUT, req("normalized_shape", Ints), W_OPT, BIAS, EPS5], O::Tensor,
        "nutorch fromvalue [[1.0 3.0]] | nutorch layer_norm 2 | nutorch tovalue" => "[[-0.9999949932098389, 0.9999949932098389]]",
        |a| t(a.input().f_layer_norm(a.ints("normalized_shape"), a.opt_tensor("weight"), a.opt_tensor("bias"), a.float("eps"), false)?)),
    op!("group_norm", Nn, "torch.nn.functional.group_norm", "Normalization over groups of channels.",
    [INPUT, req("num_groups", Int), W_OPT, BIAS, EPS5], O::Tensor,
    "nutorch fromvalue [[1.0 3.0]] | nutorch group_norm 1 | nutorch tovalue" => "[[-0.9999949932098389, 0.9999949932098389]]",
    |a| {
        let x = a.input();
        let groups = positive("num_groups", a.int("num_groups"))?;
        if x.dim() < 2 || x.size()[1] % groups != 0 {
            return Err(bad("num_groups", format!("expected the channels (dim 1) of {:?} to divide into {groups} groups", x.size())));
        }
        t(x.f_group_norm(groups, a.opt_tensor("weight"), a.opt_tensor("bias"), a.float("eps"), false)?)
    }),
    op!("batch_norm", Nn, "torch.nn.functional.batch_norm", "Normalization per channel with running (or, with --training, batch) statistics.",
        [INPUT, opt("running_mean", Tensor, Dflt::None).pos(), opt("running_var", Tensor, Dflt::None).pos(), W_OPT, BIAS,
         opt("training", Bool, Dflt::Bool(false)), opt("momentum", Float, Dflt::Float(0.1)), EPS5], O::Tensor,
        "nutorch fromvalue [[1.0] [3.0]] | nutorch batch_norm --training | nutorch tovalue" => "[[-0.9999949932098389], [0.9999949932098389]]",
        |a| {
            if !a.flag("training") && (a.opt_tensor("running_mean").is_none() || a.opt_tensor("running_var").is_none()) {
                return Err(bad("running_mean", "without --training, running_mean and running_var are needed"));
            }
            let eps = a.float("eps");
            if eps <= 0.0 {
                return Err(bad("eps", format!("batch_norm eps must be positive, but got {eps:?}")));
            }
            t(a.input().f_batch_norm(a.opt_tensor("weight"), a.opt_tensor("bias"), a.opt_tensor("running_mean"), a.opt_tensor("running_var"), a.flag("training"), a.float("momentum"), a.float("eps"), false)?)
        },
        notes: "With --training and running statistics, they are updated in place, as in PyTorch."),
    op!("instance_norm", Nn, "torch.nn.functional.instance_norm", "Normalization per sample and channel.",
    [INPUT, opt("running_mean", Tensor, Dflt::None), opt("running_var", Tensor, Dflt::None), W_OPT, BIAS,
     opt("use_input_stats", Bool, Dflt::Bool(true)), opt("momentum", Float, Dflt::Float(0.1)), EPS5], O::Tensor,
    "nutorch fromvalue [[[1.0 3.0]]] | nutorch instance_norm | nutorch tovalue" => "[[[-0.9999949932098389, 0.9999949932098389]]]",
    |a| {
        if !a.flag("use_input_stats") && (a.opt_tensor("running_mean").is_none() || a.opt_tensor("running_var").is_none()) {
            return Err(bad("use_input_stats", "without input statistics, running_mean and running_var are needed"));
        }
        rank(a, "input", &[3, 4, 5], "instance_norm")?;
        t(a.input().f_instance_norm(a.opt_tensor("weight"), a.opt_tensor("bias"), a.opt_tensor("running_mean"), a.opt_tensor("running_var"), a.flag("use_input_stats"), a.float("momentum"), a.float("eps"), false)?)
    }),
    op!("rms_norm", Nn, "torch.nn.functional.rms_norm", "x / sqrt(mean(x^2) + eps) over the last dims, times weight.",
        [INPUT, req("normalized_shape", Ints), W_OPT, opt("eps", Float, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[3.0 4.0]] --dtype float64 | nutorch rms_norm 2 --eps 0 | nutorch tovalue" => "[[0.848528137423857, 1.131370849898476]]",
        |a| t(a.input().f_rms_norm(a.ints("normalized_shape"), a.opt_tensor("weight"), a.opt_float("eps"))?)),
    op!("normalize", Nn, "torch.nn.functional.normalize", "x / max(norm_p(x, dim), eps): unit-norm slices.",
    [INPUT, opt("p", Float, Dflt::Float(2.0)), opt("dim", Int, Dflt::Int(1)), opt("eps", Float, Dflt::Float(1e-12))], O::Tensor,
    "nutorch fromvalue [[3.0 4.0]] | nutorch normalize | nutorch tovalue" => "[[0.6000000238418579, 0.800000011920929]]",
    |a| {
        let x = a.input();
        require_float("input", x, "normalize")?;
        check_dims("dim", x, &[a.int("dim")])?;
        let norm = x.f_norm_scalaropt_dim(a.float("p"), [a.int("dim")].as_slice(), true)?;
        let denom = norm.f_clamp_min_tensor(&super::util::num(a.float("eps"), &norm)?)?;
        t(x.f_div(&denom.f_expand_as(x)?)?)
    }),
    op!("embedding", Nn, "torch.nn.functional.embedding", "Rows of weight picked by the indices in input.",
    [INPUT, WEIGHT, opt("padding_idx", Int, Dflt::None),
     opt("max_norm", Float, Dflt::None).doc("rows picked with a larger norm are scaled down to it, in weight itself (as PyTorch)"),
     opt("norm_type", Float, Dflt::Float(2.0)), opt("scale_grad_by_freq", Bool, Dflt::Bool(false)), opt("sparse", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [1 0] | nutorch embedding (nutorch fromvalue [[1.0 2.0] [3.0 4.0]]) | nutorch tovalue" => "[[3.0, 4.0], [1.0, 2.0]]",
    |a| {
        let w = a.tensor("weight");
        if w.dim() != 2 {
            return Err(bad("weight", format!("weight must be 2-d (num_embeddings, embedding_dim), got {}-d", w.dim())));
        }
        let rows = w.size()[0];
        check_index("input", a.input(), rows, false)?;
        let padding = match a.opt_int("padding_idx") {
            None => -1,
            Some(p) if p >= -rows && p < rows => if p < 0 { p + rows } else { p },
            Some(p) => return Err(bad("padding_idx", format!("padding_idx must be within the {rows} embeddings, got {p}"))),
        };
        if let Some(max_norm) = a.opt_float("max_norm") {
            // As F.embedding: the picked rows of weight are renormalized in place, outside autograd.
            let input = a.input().f_contiguous()?;
            let _ = tch::no_grad(|| w.shallow_clone().f_embedding_renorm_(&input, max_norm, a.float("norm_type")))?;
        }
        t(Tensor::f_embedding(w, a.input(), padding, a.flag("scale_grad_by_freq"), a.flag("sparse"))?)
    }),
    op!("embedding_bag", Nn, "torch.nn.functional.embedding_bag", "Sums, means or maxima of bags of weight rows: the rows of a 2-d input, or a 1-d input cut at offsets.",
    [INPUT, WEIGHT, opt("offsets", Tensor, Dflt::None).pos(), opt("scale_grad_by_freq", Bool, Dflt::Bool(false)),
     opt("mode", Str(&["sum", "mean", "max"]), Dflt::Str("mean")), opt("sparse", Bool, Dflt::Bool(false)),
     opt("per_sample_weights", Tensor, Dflt::None).doc("a weight for each index (mode sum only)"), opt("include_last_offset", Bool, Dflt::Bool(false)),
     opt("padding_idx", Int, Dflt::None)], O::Tensor,
    "nutorch fromvalue [0 1 1] | nutorch embedding_bag (nutorch fromvalue [[1.0 2.0] [3.0 4.0]]) (nutorch fromvalue [0 1]) --mode sum | nutorch tovalue" => "[[1.0, 2.0], [6.0, 8.0]]",
    |a| t(embedding_bag(a)?),
    notes: "PyTorch's max_norm and norm_type (which renormalise weight in place) are not taken."),
    op!("one_hot", Nn, "torch.nn.functional.one_hot", "Class indices as one-hot int64 vectors (num_classes = max + 1 by default).",
    [INPUT, opt("num_classes", Int, Dflt::Int(-1))], O::Tensor,
    "nutorch fromvalue [0 2] | nutorch one_hot | nutorch tovalue" => "[[1, 0, 0], [0, 0, 1]]",
    |a| {
        let x = a.input();
        if super::util::dtype(x)? != crate::DType::Int64 {
            return Err(bad("input", "one_hot is only applicable to index tensor of type int64"));
        }
        let n = a.int("num_classes");
        if n >= 0 {
            check_index("input", x, n, false)?;
        } else if n != -1 {
            return Err(bad("num_classes", format!("num_classes must be -1 (inferred) or non-negative, got {n}")));
        } else if x.numel() > 0 {
            check_index("input", x, i64::MAX, false)?;
        }
        t(x.f_one_hot(n)?)
    }),
    op!("pad", Nn, "torch.nn.functional.pad", "Padding around the last dims: pad lists (left, right) pairs from the last dim backwards.",
    [INPUT, req("pad", Ints), opt("mode", Str(&["constant", "reflect", "replicate", "circular"]), Dflt::Str("constant")), opt("value", Float, Dflt::None)], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch pad [1 2] | nutorch tovalue" => "[0, 1, 2, 0, 0]",
    |a| {
        let pad = a.ints("pad");
        if pad.len() % 2 != 0 || pad.len() / 2 > a.input().dim() {
            return Err(bad("pad", format!("pad must hold a (left, right) pair per padded dim, at most {} pairs; got {pad:?}", a.input().dim())));
        }
        if a.str("mode") != "constant" && a.has("value") {
            return Err(bad("value", "a padding value only applies to mode constant"));
        }
        t(a.input().f_pad(pad.as_slice(), a.str("mode"), a.opt_float("value"))?)
    }),
    op!("interpolate", Nn, "torch.nn.functional.interpolate", "Resampling to --size or by --scale-factor (modes nearest, nearest-exact, area, linear, bilinear, bicubic, trilinear).",
        [INPUT, opt("size", Ints, Dflt::None), opt("scale_factor", FloatOrFloats, Dflt::None).doc("one factor for every spatial dim, or one each"), opt("mode", Str(MODES), Dflt::Str("nearest")), opt("align_corners", Bool, Dflt::None),
         opt("recompute_scale_factor", Bool, Dflt::None), opt("antialias", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0]]] | nutorch interpolate --scale-factor 2 | nutorch tovalue" => "[[[1.0, 1.0, 2.0, 2.0]]]",
        |a| t(interpolate(a)?),
        notes: "nearest, nearest-exact and area for 1-3 spatial dims; linear 1-d, bilinear and bicubic 2-d (--antialias there), trilinear 3-d."),
    op!("upsample", Nn, "torch.nn.functional.upsample", "Resampling to --size or by --scale-factor (deprecated alias of interpolate).",
        [INPUT, opt("size", Ints, Dflt::None), opt("scale_factor", FloatOrFloats, Dflt::None), opt("mode", Str(MODES), Dflt::Str("nearest")), opt("align_corners", Bool, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0]]] | nutorch upsample --scale-factor 2 | nutorch tovalue" => "[[[1.0, 1.0, 2.0, 2.0]]]",
        |a| t(interpolate(a)?)),
    op!("upsample_nearest", Nn, "torch.nn.functional.upsample_nearest", "Nearest-neighbour resampling to --size or by --scale-factor (deprecated alias of interpolate).",
        [INPUT, opt("size", Ints, Dflt::None), opt("scale_factor", FloatOrFloats, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[[1.0 2.0]]] | nutorch upsample_nearest --size 4 | nutorch tovalue" => "[[[1.0, 1.0, 2.0, 2.0]]]",
        |a| t(resample(a, "nearest", None)?)),
    op!("upsample_bilinear", Nn, "torch.nn.functional.upsample_bilinear", "Bilinear resampling of (N, C, H, W) with align_corners (deprecated alias of interpolate).",
        [INPUT, opt("size", Ints, Dflt::None), opt("scale_factor", FloatOrFloats, Dflt::None)], O::Tensor,
        "nutorch fromvalue [[[[1.0 2.0]]]] | nutorch upsample_bilinear --size [1 3] | nutorch tovalue" => "[[[[1.0, 1.5, 2.0]]]]",
        |a| t(resample(a, "bilinear", Some(true))?)),
    op!("pixel_shuffle", Nn, "torch.nn.functional.pixel_shuffle", "(*, C r^2, H, W) to (*, C, H r, W r).",
        [INPUT, req("upscale_factor", Int)], O::Tensor,
        "(nutorch zeros 1 4 2 2 | nutorch pixel_shuffle 2).shape" => "[1, 1, 4, 4]",
        |a| t(a.input().f_pixel_shuffle(positive("upscale_factor", a.int("upscale_factor"))?)?)),
    op!("pixel_unshuffle", Nn, "torch.nn.functional.pixel_unshuffle", "(*, C, H r, W r) to (*, C r^2, H, W).",
        [INPUT, req("downscale_factor", Int)], O::Tensor,
        "(nutorch zeros 1 1 4 4 | nutorch pixel_unshuffle 2).shape" => "[1, 4, 2, 2]",
        |a| t(a.input().f_pixel_unshuffle(positive("downscale_factor", a.int("downscale_factor"))?)?)),
    op!("channel_shuffle", Nn, "torch.nn.functional.channel_shuffle", "Channels regrouped: (N, g c, ...) read as (N, c g, ...).",
    [INPUT, req("groups", Int)], O::Tensor,
    "nutorch fromvalue [[[1] [2] [3] [4]]] | nutorch channel_shuffle 2 | nutorch tovalue" => "[[[1], [3], [2], [4]]]",
    |a| {
        let g = positive("groups", a.int("groups"))?;
        let x = a.input();
        if x.dim() < 3 || x.size()[1] % g != 0 {
            return Err(bad("groups", format!("the channels (dim 1) of {:?} must divide into {g} groups", x.size())));
        }
        t(x.f_channel_shuffle(g)?)
    }),
    op!("im2col", Nn, "torch.nn.functional.unfold", "Sliding local blocks of (N, C, H, W) as columns (N, C k k, L).",
        [INPUT, KERNEL, DILATION1, PADDING0, STRIDE1], O::Tensor,
        "(nutorch zeros 1 1 3 3 | nutorch im2col 2).shape" => "[1, 4, 4]",
        |a| {
            rank(a, "input", &[3, 4], "im2col")?;
            sizes_positive(a, "kernel_size")?;
            t(a.input().f_im2col(expand(a, "kernel_size", 2)?, expand(a, "dilation", 2)?, expand(a, "padding", 2)?, expand(a, "stride", 2)?)?)
        },
        notes: "PyTorch calls it F.unfold; `unfold` here is Tensor.unfold."),
    op!("fold", Nn, "torch.nn.functional.fold", "Columns (N, C k k, L) summed back into (N, C, H, W) (inverse of im2col).",
    [INPUT, req("output_size", Ints), KERNEL, DILATION1, PADDING0, STRIDE1], O::Tensor,
    "(nutorch ones 1 4 4 | nutorch fold [3 3] 2).shape" => "[1, 1, 3, 3]",
    |a| {
        rank(a, "input", &[2, 3], "fold")?;
        sizes_positive(a, "kernel_size")?;
        t(a.input().f_col2im(expand(a, "output_size", 2)?, expand(a, "kernel_size", 2)?, expand(a, "dilation", 2)?, expand(a, "padding", 2)?, expand(a, "stride", 2)?)?)
    }),
    op!("cosine_similarity", Nn, "torch.nn.functional.cosine_similarity", "Cosine of the angle between x1 and x2 along dim.",
        [ten("x1"), ten("x2"), opt("dim", Int, Dflt::Int(1)), opt("eps", Float, Dflt::Float(1e-8))], O::Tensor,
        "nutorch fromvalue [[1.0 0.0]] | nutorch cosine_similarity (nutorch fromvalue [[2.0 0.0]]) | nutorch tovalue" => "[1.0]",
        |a| t(Tensor::f_cosine_similarity(a.tensor("x1"), a.tensor("x2"), a.int("dim"), a.float("eps"))?)),
    op!("pairwise_distance", Nn, "torch.nn.functional.pairwise_distance", "p-norm distance between rows of x1 and x2.",
        [ten("x1"), ten("x2"), opt("p", Float, Dflt::Float(2.0)), opt("eps", Float, Dflt::Float(1e-6)), opt("keepdim", Bool, Dflt::Bool(false))], O::Tensor,
        "nutorch fromvalue [[0.0 0.0]] | nutorch pairwise_distance (nutorch fromvalue [[3.0 4.0]]) --eps 0 | nutorch tovalue" => "[5.0]",
        |a| t(Tensor::f_pairwise_distance(a.tensor("x1"), a.tensor("x2"), a.float("p"), a.float("eps"), a.flag("keepdim"))?)),
    op!("pdist", Nn, "torch.nn.functional.pdist", "p-norm distances between all pairs of rows (upper triangle, flattened).",
    [INPUT, opt("p", Float, Dflt::Float(2.0))], O::Tensor,
    "nutorch fromvalue [[0.0 0.0] [3.0 4.0]] | nutorch pdist | nutorch tovalue" => "[5.0]",
    |a| {
        rank(a, "input", &[2], "pdist")?;
        let p = a.float("p");
        if !(p >= 0.0) {
            return Err(bad("p", format!("pdist only supports non-negative p, got {p}")));
        }
        t(a.input().f_pdist(p)?)
    }),
    op!("cdist", Nn, "torch.cdist", "p-norm distances between each row of x1 and each row of x2.",
    [ten("x1"), ten("x2"), opt("p", Float, Dflt::Float(2.0)),
     opt("compute_mode", Str(&["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]), Dflt::Str("use_mm_for_euclid_dist_if_necessary"))
         .doc("whether euclidean distances (p = 2) go through a matrix product")], O::Tensor,
    "nutorch fromvalue [[0.0 0.0]] | nutorch cdist (nutorch fromvalue [[3.0 4.0] [0.0 1.0]]) | nutorch tovalue" => "[[5.0, 1.0]]",
    |a| {
        let p = a.float("p");
        if !(p >= 0.0) {
            return Err(bad("p", format!("cdist only supports non-negative p, got {p}")));
        }
        // torch.cdist's words, as the codes its kernel takes (None: by size).
        let mode = match a.str("compute_mode") {
            "use_mm_for_euclid_dist" => Some(1),
            "donot_use_mm_for_euclid_dist" => Some(2),
            _ => None::<i64>,
        };
        t(Tensor::f_cdist(a.tensor("x1"), a.tensor("x2"), p, mode)?)
    }),
    op!("scaled_dot_product_attention", Nn, "torch.nn.functional.scaled_dot_product_attention", "softmax(query key^T * scale + mask) value.",
    [ten("query"), ten("key"), ten("value"), opt("attn_mask", Tensor, Dflt::None), opt("dropout_p", Float, Dflt::Float(0.0)),
     opt("is_causal", Bool, Dflt::Bool(false)), opt("scale", Float, Dflt::None), opt("enable_gqa", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch ones 1 1 2 | nutorch scaled_dot_product_attention (nutorch ones 1 1 2) (nutorch fromvalue [[[2.0 4.0]]]) | nutorch tovalue" => "[[[2.0, 4.0]]]",
    |a| {
        let p = a.float("dropout_p");
        if !(0.0..=1.0).contains(&p) {
            return Err(bad("dropout_p", format!("dropout_p must be in [0, 1], got {p}")));
        }
        t(Tensor::f_scaled_dot_product_attention(a.tensor("query"), a.tensor("key"), a.tensor("value"), a.opt_tensor("attn_mask"), p, a.flag("is_causal"), a.opt_float("scale"), a.flag("enable_gqa"))?)
    }),
    op!("affine_grid", Nn, "torch.nn.functional.affine_grid", "Sampling grid of an affine transform theta (N, 2, 3) for an output of size (N, C, H, W).",
    [ten("theta"), req("size", Ints), opt("align_corners", Bool, Dflt::Bool(false))], O::Tensor,
    "(nutorch fromvalue [[[1.0 0.0 0.0] [0.0 1.0 0.0]]] | nutorch affine_grid [1 1 2 2]).shape" => "[1, 2, 2, 2]",
    |a| {
        let theta = a.tensor("theta");
        // PyTorch's Python check: "Expected theta to have floating point type".
        if !super::util::dtype(theta)?.is_floating_point() {
            return Err(bad("theta", format!("theta must be a floating point tensor, got {}", super::util::dtype(theta)?)));
        }
        t(Tensor::f_affine_grid_generator(theta, a.ints("size"), a.flag("align_corners"))?)
    }),
    op!("grid_sampler_2d", Nn, "torch.grid_sampler_2d", "grid_sample's kernel for (N, C, H, W) input: modes as numbers (0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection).",
    [INPUT, ten("grid"), req("interpolation_mode", Int), req("padding_mode", Int), req("align_corners", Bool)], O::Tensor,
    "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch grid_sampler_2d (nutorch fromvalue [[[[0.0 0.0]]]]) 0 0 false | nutorch tovalue" => "[[[[2.5]]]]",
    |a| {
        let (mode, padding) = sampler_modes(a)?;
        t(a.input().f_grid_sampler_2d(a.tensor("grid"), mode, padding, a.flag("align_corners"))?)
    }),
    op!("grid_sampler_3d", Nn, "torch.grid_sampler_3d", "grid_sample's kernel for (N, C, D, H, W) input: modes as numbers (0 bilinear, 1 nearest; 2 bicubic is refused; padding 0 zeros, 1 border, 2 reflection).",
    [INPUT, ten("grid"), req("interpolation_mode", Int), req("padding_mode", Int), req("align_corners", Bool)], O::Tensor,
    "nutorch fromvalue [[[[[1.0 2.0]]]]] | nutorch grid_sampler_3d (nutorch fromvalue [[[[[0.0 0.0 0.0]]]]]) 0 0 false | nutorch tovalue" => "[[[[[1.5]]]]]",
    |a| {
        let (mode, padding) = sampler_modes(a)?;
        t(a.input().f_grid_sampler_3d(a.tensor("grid"), mode, padding, a.flag("align_corners"))?)
    }),
    op!("constant_pad_nd", Nn, "torch.constant_pad_nd", "The input padded with value: pad lists (before, after) pairs from the last dim backwards (negative pads crop).",
    [INPUT, req("pad", Ints), opt("value", Number, Dflt::Int(0)).pos()], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch constant_pad_nd [1 1] 9 | nutorch tovalue" => "[9, 1, 2, 9]",
    |a| {
        let x = a.input();
        let pad = a.ints("pad");
        if pad.len() % 2 != 0 {
            return Err(bad("pad", format!("Length of pad must be even but instead it equals {}", pad.len())));
        }
        if pad.len() > 2 * x.dim() {
            return Err(bad("pad", format!("Length of pad should be no more than twice the number of dimensions of the input. Pad length is {} while the input has {} dimensions.", pad.len(), x.dim())));
        }
        t(x.f_pad(pad.as_slice(), "constant", a.number("value").as_f64())?)
    }),
    op!("native_batch_norm", Nn, "torch.native_batch_norm", "batch_norm's kernel: the normalized input with the batch mean and inverse std it used (empty in evaluation), as [output, save_mean, save_invstd].",
    [INPUT, W_OPT, BIAS, opt("running_mean", Tensor, Dflt::None), opt("running_var", Tensor, Dflt::None),
     opt("training", Bool, Dflt::Bool(false)), opt("momentum", Float, Dflt::Float(0.1)), EPS5], O::Tensors,
    "(nutorch fromvalue [[1.0] [3.0]] | nutorch native_batch_norm --training).1 | nutorch tovalue" => "[2.0]",
    |a| {
        let x = a.input();
        if x.dim() < 2 {
            return Err(bad("input", format!("native_batch_norm expects an input of at least 2 dims (N, C, ...), got {}-d", x.dim())));
        }
        // CUDA's kernel fails on an empty batch with an asynchronous launch error; the CPU's
        // refusal, before libtorch sees it.
        if a.flag("training") && x.numel() == 0 {
            return Err(bad("input", format!("input tensor must have at least one element, but got input_sizes = {:?}", x.size())));
        }
        let channels = x.size()[1];
        for name in ["weight", "bias", "running_mean", "running_var"] {
            if let Some(p) = a.opt_tensor(name) {
                if p.numel() as i64 != channels {
                    return Err(bad(name, format!("{name} should contain {channels} elements not {}", p.numel())));
                }
            }
        }
        let (mean, var) = (a.opt_tensor("running_mean"), a.opt_tensor("running_var"));
        if mean.is_some() != var.is_some() {
            return Err(bad(if mean.is_some() { "running_var" } else { "running_mean" }, "running_mean and running_var must either both be None or neither be None"));
        }
        if !a.flag("training") && mean.is_none() {
            return Err(bad("running_mean", "running_mean and running_var must be given in evaluation mode (without --training)"));
        }
        let (y, m, v) = x.f_native_batch_norm(a.opt_tensor("weight"), a.opt_tensor("bias"), mean, var, a.flag("training"), a.float("momentum"), a.float("eps"))?;
        Ok(super::Out::List(vec![y, m, v]))
    },
    notes: "PyTorch's positional weight, bias, running_mean and running_var are flags here (null by default); PyTorch requires training, momentum and eps, here they default to false, 0.1 and 1e-5. The tensors' sizes are checked first: PyTorch's kernel reads past them (or crashes without running statistics in evaluation)."),
    op!("native_layer_norm", Nn, "torch.native_layer_norm", "layer_norm's kernel: the normalized input with the mean and inverse std it used, as [output, mean, rstd].",
    [INPUT, req("normalized_shape", Ints), W_OPT, BIAS, EPS5], O::Tensors,
    "(nutorch fromvalue [[1.0 3.0]] | nutorch native_layer_norm 2).1 | nutorch tovalue" => "[[2.0]]",
    |a| {
        let (y, m, r) = a.input().f_native_layer_norm(a.ints("normalized_shape"), a.opt_tensor("weight"), a.opt_tensor("bias"), a.float("eps"))?;
        Ok(super::Out::List(vec![y, m, r]))
    },
    notes: "PyTorch's positional weight and bias are flags here (null by default); PyTorch requires eps, here it defaults to 1e-5."),
    op!("multi_head_attention_forward", Nn, "torch.nn.functional.multi_head_attention_forward", "Multi-head attention as nn.MultiheadAttention computes it, as {attn_output, attn_output_weights}.",
    [ten("query"), ten("key"), ten("value"), req("embed_dim_to_check", Int), req("num_heads", Int),
     opt("in_proj_weight", Tensor, Dflt::None).doc("the packed (3 E, E) projection of query, key and value"), opt("in_proj_bias", Tensor, Dflt::None),
     opt("bias_k", Tensor, Dflt::None), opt("bias_v", Tensor, Dflt::None), opt("add_zero_attn", Bool, Dflt::Bool(false)),
     opt("dropout_p", Float, Dflt::Float(0.0)), opt("out_proj_weight", Tensor, Dflt::None).doc("the output projection (required)"), opt("out_proj_bias", Tensor, Dflt::None),
     opt("training", Bool, Dflt::Bool(true)), opt("key_padding_mask", Tensor, Dflt::None), opt("need_weights", Bool, Dflt::Bool(true)),
     opt("attn_mask", Tensor, Dflt::None), opt("use_separate_proj_weight", Bool, Dflt::Bool(false)),
     opt("q_proj_weight", Tensor, Dflt::None), opt("k_proj_weight", Tensor, Dflt::None), opt("v_proj_weight", Tensor, Dflt::None),
     opt("static_k", Tensor, Dflt::None), opt("static_v", Tensor, Dflt::None), opt("average_attn_weights", Bool, Dflt::Bool(true)),
     opt("is_causal", Bool, Dflt::Bool(false))], O::Fields(&[("attn_output", O::Tensor), ("attn_output_weights", O::Tensor)]),
    "(nutorch ones 1 2 | nutorch multi_head_attention_forward (nutorch ones 1 2) (nutorch ones 1 2) 2 1 --in-proj-weight (nutorch ones 6 2) --out-proj-weight (nutorch eye 2) --need-weights=false).attn_output_weights" => "null",
    |a| super::mha::multi_head_attention_forward(a),
    notes: "PyTorch's positional in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight and out_proj_bias are flags here; out_proj_weight is required. attn_output_weights is null with --need-weights=false."),
    op!("grid_sample", Nn, "torch.nn.functional.grid_sample", "Input values sampled at the grid's (x, y) locations in [-1, 1].",
    [INPUT, ten("grid"), opt("mode", Str(&["bilinear", "nearest", "bicubic"]), Dflt::Str("bilinear")),
     opt("padding_mode", Str(&["zeros", "border", "reflection"]), Dflt::Str("zeros")), opt("align_corners", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [[[[1.0 2.0] [3.0 4.0]]]] | nutorch grid_sample (nutorch fromvalue [[[[0.0 0.0]]]]) | nutorch tovalue" => "[[[[2.5]]]]",
    |a| {
        let mode = match a.str("mode") { "bilinear" => 0, "nearest" => 1, _ => 2 };
        let padding = match a.str("padding_mode") { "zeros" => 0, "border" => 1, _ => 2 };
        t(a.input().f_grid_sampler(a.tensor("grid"), mode, padding, a.flag("align_corners"))?)
    }),
];

/// grid_sampler_2d/3d's mode numbers, checked: libtorch takes any number and samples with
/// no mode at all (garbage, uninitialized values) for one it does not know.
/// (grid_sampler_3d refuses bicubic itself.)
fn sampler_modes(a: &Args) -> R<(i64, i64)> {
    let (mode, padding) = (a.int("interpolation_mode"), a.int("padding_mode"));
    if !(0..=2).contains(&mode) {
        return Err(bad(
            "interpolation_mode",
            format!("interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got {mode}"),
        ));
    }
    if !(0..=2).contains(&padding) {
        return Err(bad(
            "padding_mode",
            format!("padding_mode must be 0 (zeros), 1 (border) or 2 (reflection), got {padding}"),
        ));
    }
    Ok((mode, padding))
}
