//! The forward pass of every layer kind, on tensors looked up by their `state_dict` names.
//!
//! Each layer checks what its input must look like before calling libtorch, so a mismatch
//! reads as "layer `2` (Linear(64 → 3)) takes 64 features in the last dimension, got shape
//! [32, 60]" rather than as a libtorch message about matrix sizes. Containers run their
//! children in order and name the child that failed by its `state_dict` path.

mod closed_form;

pub(crate) use closed_form::{backward_columns, forward_columns_saving};

use crate::params::NamedTensors;
use crate::spec::LayerSpec;
use nutorch_core::{DType, Error, Result};
use tch::{Kind, Tensor};

/// What a forward pass reads besides its input.
pub(crate) struct Context<'a> {
    pub params: &'a NamedTensors,
    pub buffers: &'a NamedTensors,
    pub training: bool,
}

impl Context<'_> {
    fn param(&self, prefix: &str, name: &str) -> Result<&Tensor> {
        self.params.get(&format!("{prefix}{name}"))
    }

    fn param_opt(&self, prefix: &str, name: &str) -> Option<&Tensor> {
        self.params.get_opt(&format!("{prefix}{name}"))
    }

    fn buffer_opt(&self, prefix: &str, name: &str) -> Option<&Tensor> {
        self.buffers.get_opt(&format!("{prefix}{name}"))
    }
}

/// Runs `spec` on `x`. `prefix` is the layer's `state_dict` prefix (`""` at the top, `"1."`
/// for the second child of a Sequential).
pub(crate) fn forward(spec: &LayerSpec, prefix: &str, ctx: &Context, x: &Tensor) -> Result<Tensor> {
    match spec {
        LayerSpec::Sequential { layers } => {
            let mut out = x.shallow_clone();
            for (index, layer) in layers.iter().enumerate() {
                out = child(layer, &format!("{prefix}{index}"), ctx, &out)?;
            }
            Ok(out)
        }
        LayerSpec::SimpleNn { .. } => {
            let [(n1, fc1), (n2, fc2)]: [(&str, LayerSpec); 2] =
                spec.simple_nn_layers().try_into().map_err(|_| Error::Value("SimpleNN layers".into()))?;
            let hidden = child(&fc1, &format!("{prefix}{n1}"), ctx, x)?;
            child(&fc2, &format!("{prefix}{n2}"), ctx, &hidden.f_relu()?)
        }
        leaf => leaf_forward(leaf, prefix, ctx, x),
    }
}

/// A child of a container, whose errors name it.
fn child(spec: &LayerSpec, path: &str, ctx: &Context, x: &Tensor) -> Result<Tensor> {
    let prefix = format!("{path}.");
    if spec.is_container() {
        return forward(spec, &prefix, ctx, x);
    }
    leaf_forward(spec, &prefix, ctx, x).map_err(|e| {
        Error::Value(format!("layer `{path}` ({}) with input of shape {:?}: {e}", spec.describe(), x.size()))
    })
}

fn leaf_forward(spec: &LayerSpec, prefix: &str, ctx: &Context, x: &Tensor) -> Result<Tensor> {
    let training = ctx.training;
    let shape = x.size();
    Ok(match spec {
        LayerSpec::Linear { in_features, .. } => {
            floating(x)?;
            if shape.last() != Some(in_features) {
                let got = shape.last().map_or("a 0-d tensor".to_string(), |d| d.to_string());
                return Err(Error::Value(format!("takes {in_features} features in the last dimension, got {got}")));
            }
            let weight = ctx.param(prefix, "weight")?;
            same_dtype(x, weight)?;
            // matmul + add rather than the fused addmm of F.linear: for narrow layers on the
            // CPU it is faster (addmm first copies the broadcast bias into the output); the
            // two differ only in rounding.
            let product = x.f_matmul(&weight.f_tr()?)?;
            match ctx.param_opt(prefix, "bias") {
                Some(bias) => product.f_add(bias)?,
                None => product,
            }
        }
        LayerSpec::Conv1d(c) | LayerSpec::Conv2d(c) | LayerSpec::ConvTranspose2d(c) => {
            floating(x)?;
            let dims = c.kernel_size.len();
            if shape.len() != dims + 1 && shape.len() != dims + 2 {
                return Err(Error::Value(format!(
                    "expects a {}-d (unbatched) or {}-d (batched) input, got shape {shape:?}",
                    dims + 1,
                    dims + 2
                )));
            }
            let channels = shape[shape.len() - dims - 1];
            if channels != c.in_channels {
                return Err(Error::Value(format!(
                    "takes {} input channels (dimension {}), got {channels}",
                    c.in_channels,
                    shape.len() - dims - 1
                )));
            }
            let weight = ctx.param(prefix, "weight")?;
            same_dtype(x, weight)?;
            let bias = ctx.param_opt(prefix, "bias");
            match spec {
                LayerSpec::Conv1d(_) => x.f_conv1d(weight, bias, &c.stride, &c.padding, &c.dilation, c.groups)?,
                LayerSpec::Conv2d(_) => x.f_conv2d(weight, bias, &c.stride, &c.padding, &c.dilation, c.groups)?,
                _ => {
                    x.f_conv_transpose2d(weight, bias, &c.stride, &c.padding, &c.output_padding, c.groups, &c.dilation)?
                }
            }
        }
        LayerSpec::MaxPool2d(p) => {
            spatial(&shape, 2)?;
            x.f_max_pool2d(&p.kernel_size, &p.stride, &p.padding, [1, 1], false)?
        }
        LayerSpec::AvgPool2d(p) => {
            spatial(&shape, 2)?;
            floating(x)?;
            x.f_avg_pool2d(&p.kernel_size, &p.stride, &p.padding, false, true, None)?
        }
        LayerSpec::AdaptiveAvgPool2d { output_size } => {
            spatial(&shape, 2)?;
            floating(x)?;
            x.f_adaptive_avg_pool2d(output_size.as_slice())?
        }
        LayerSpec::BatchNorm1d(b) | LayerSpec::BatchNorm2d(b) => {
            floating(x)?;
            let ok_rank = match spec {
                LayerSpec::BatchNorm1d(_) => shape.len() == 2 || shape.len() == 3,
                _ => shape.len() == 4,
            };
            if !ok_rank {
                let want = if matches!(spec, LayerSpec::BatchNorm1d(_)) { "2D or 3D" } else { "4D" };
                return Err(Error::Value(format!("expected {want} input (got {}D input)", shape.len())));
            }
            if shape[1] != b.num_features {
                return Err(Error::Value(format!("takes {} features (dimension 1), got {}", b.num_features, shape[1])));
            }
            let running_mean = ctx.buffer_opt(prefix, "running_mean");
            let running_var = ctx.buffer_opt(prefix, "running_var");
            let use_batch_stats = training || running_mean.is_none();
            if training && use_batch_stats && shape[0] * shape[2..].iter().product::<i64>() <= 1 {
                return Err(Error::Value(format!(
                    "expected more than 1 value per channel when training, got input size {shape:?}"
                )));
            }
            if training {
                if let Some(count) = ctx.buffer_opt(prefix, "num_batches_tracked") {
                    let _ = count.shallow_clone().f_add_scalar_(1)?;
                }
            }
            x.f_batch_norm(
                ctx.param_opt(prefix, "weight"),
                ctx.param_opt(prefix, "bias"),
                running_mean,
                running_var,
                use_batch_stats,
                b.momentum,
                b.eps,
                true,
            )?
        }
        LayerSpec::LayerNorm { normalized_shape, eps, .. } => {
            floating(x)?;
            if shape.len() < normalized_shape.len()
                || shape[shape.len() - normalized_shape.len()..] != normalized_shape[..]
            {
                return Err(Error::Value(format!(
                    "normalizes over the last dimensions {normalized_shape:?}, got shape {shape:?}"
                )));
            }
            x.f_layer_norm(
                normalized_shape.as_slice(),
                ctx.param_opt(prefix, "weight"),
                ctx.param_opt(prefix, "bias"),
                *eps,
                true,
            )?
        }
        LayerSpec::GroupNorm { num_groups, num_channels, eps, .. } => {
            floating(x)?;
            if shape.len() < 2 || shape[1] != *num_channels {
                return Err(Error::Value(format!(
                    "expects [N, {num_channels}, *] inputs ({num_channels} channels in dimension 1), got shape {shape:?}"
                )));
            }
            x.f_group_norm(*num_groups, ctx.param_opt(prefix, "weight"), ctx.param_opt(prefix, "bias"), *eps, true)?
        }
        LayerSpec::Dropout { p } => {
            floating(x)?;
            x.f_dropout(*p, training)?
        }
        LayerSpec::Embedding { num_embeddings, padding_idx, .. } => {
            let dtype = DType::of(x)?;
            if !matches!(x.f_kind()?, Kind::Int64 | Kind::Int) {
                return Err(Error::Value(format!("takes int64 (or int32) indices, got {dtype}")));
            }
            if x.numel() > 0 {
                let (low, high) = (x.f_min()?.f_int64_value(&[])?, x.f_max()?.f_int64_value(&[])?);
                if low < 0 || high >= *num_embeddings {
                    let bad = if low < 0 { low } else { high };
                    return Err(Error::Value(format!("index {bad} is out of range 0..{num_embeddings}")));
                }
            }
            Tensor::f_embedding(ctx.param(prefix, "weight")?, x, padding_idx.unwrap_or(-1), false, false)?
        }
        LayerSpec::Flatten { start_dim, end_dim } => {
            let rank = shape.len().max(1) as i64;
            let (start, end) = (wrap_dim(*start_dim, rank)?, wrap_dim(*end_dim, rank)?);
            if start > end {
                return Err(Error::Value(format!(
                    "flatten() has invalid args: start_dim {start_dim} cannot come after end_dim {end_dim} for shape {shape:?}"
                )));
            }
            x.f_flatten(start, end)?
        }
        LayerSpec::ReLU => x.f_relu()?,
        LayerSpec::LeakyReLU { negative_slope } => {
            floating(x)?;
            let positive = x.f_gt(0.0)?;
            x.f_where_self(&positive, &x.f_mul_scalar(*negative_slope)?)?
        }
        LayerSpec::GELU { approximate } => {
            floating(x)?;
            x.f_gelu(approximate)?
        }
        LayerSpec::SiLU => {
            floating(x)?;
            x.f_silu()?
        }
        LayerSpec::Tanh => x.f_tanh()?,
        LayerSpec::Sigmoid => x.f_sigmoid()?,
        LayerSpec::Softmax { dim } => x.f_softmax(softmax_dim(*dim, shape.len())?, None::<Kind>)?,
        LayerSpec::LogSoftmax { dim } => x.f_log_softmax(softmax_dim(*dim, shape.len())?, None::<Kind>)?,
        LayerSpec::Sequential { .. } | LayerSpec::SimpleNn { .. } => forward(spec, prefix, ctx, x)?,
    })
}

fn floating(x: &Tensor) -> Result<()> {
    let dtype = DType::of(x)?;
    if !dtype.is_floating_point() {
        return Err(Error::Value(format!("takes floating point inputs, got {dtype} (convert with `to --dtype`)")));
    }
    Ok(())
}

fn same_dtype(x: &Tensor, weight: &Tensor) -> Result<()> {
    let (x_dtype, w_dtype) = (DType::of(x)?, DType::of(weight)?);
    if x_dtype != w_dtype {
        return Err(Error::Value(format!(
            "has {w_dtype} parameters but the input is {x_dtype}; convert the input to {w_dtype} first"
        )));
    }
    if x.device() != weight.device() {
        return Err(Error::Value(format!(
            "has parameters on {} but the input is on {}; move one of them",
            nutorch_core::device::device_name(weight.device()),
            nutorch_core::device::device_name(x.device())
        )));
    }
    Ok(())
}

/// Pooling takes `[C, H, W]` or `[N, C, H, W]`.
fn spatial(shape: &[i64], dims: usize) -> Result<()> {
    if shape.len() != dims + 1 && shape.len() != dims + 2 {
        return Err(Error::Value(format!(
            "expects a {}-d (unbatched) or {}-d (batched) input, got shape {shape:?}",
            dims + 1,
            dims + 2
        )));
    }
    Ok(())
}

fn wrap_dim(dim: i64, rank: i64) -> Result<i64> {
    let wrapped = if dim < 0 { dim + rank } else { dim };
    if !(0..rank).contains(&wrapped) {
        return Err(Error::Value(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {dim})",
            -rank,
            rank - 1
        )));
    }
    Ok(wrapped)
}

/// PyTorch's `_get_softmax_dim`: without a dim, 0 for 0-, 1- and 3-d inputs, else 1.
fn softmax_dim(dim: Option<i64>, rank: usize) -> Result<i64> {
    match dim {
        Some(d) => wrap_dim(d, rank.max(1) as i64),
        None => Ok(if matches!(rank, 0 | 1 | 3) { 0 } else { 1 }),
    }
}

/// Whether `spec` computes the same function on samples laid out as columns (`[features, N]`)
/// by [`forward_columns`]: Linear layers and elementwise activations.
pub(crate) fn columns_capable(spec: &LayerSpec) -> bool {
    match spec {
        LayerSpec::Sequential { layers } => {
            layers.iter().all(columns_capable) && matches!(layers.first(), Some(LayerSpec::Linear { .. }))
        }
        LayerSpec::SimpleNn { .. } | LayerSpec::Linear { .. } => true,
        LayerSpec::ReLU
        | LayerSpec::LeakyReLU { .. }
        | LayerSpec::GELU { .. }
        | LayerSpec::SiLU
        | LayerSpec::Tanh
        | LayerSpec::Sigmoid => true,
        _ => false,
    }
}

/// The forward pass on samples as columns: `xt` `[in, N]` gives `[out, N]`, the transpose of
/// [`forward`] on `xt.t()`. Training small networks uses this layout: with few features and
/// classes, the sample dimension is the long one, and libtorch's CPU kernels (bias broadcast,
/// softmax, reductions) vectorize along the contiguous last dimension. Only for specs where
/// [`columns_capable`] holds (the caller checks).
pub(crate) fn forward_columns(spec: &LayerSpec, prefix: &str, ctx: &Context, xt: &Tensor) -> Result<Tensor> {
    match spec {
        LayerSpec::Sequential { layers } => {
            let mut out = xt.shallow_clone();
            for (index, layer) in layers.iter().enumerate() {
                out = forward_columns(layer, &format!("{prefix}{index}."), ctx, &out)?;
            }
            Ok(out)
        }
        LayerSpec::SimpleNn { .. } => {
            let mut hidden = forward_columns(&spec.simple_nn_layers()[0].1, &format!("{prefix}fc1."), ctx, xt)?;
            // In place: fc1's backward keeps only its input and weight.
            let _ = hidden.f_relu_()?;
            forward_columns(&spec.simple_nn_layers()[1].1, &format!("{prefix}fc2."), ctx, &hidden)
        }
        LayerSpec::Linear { in_features, .. } => {
            let shape = xt.size();
            if shape.len() != 2 || shape[0] != *in_features {
                return Err(Error::Value(format!(
                    "layer `{}` (Linear) takes {in_features} features, got samples-as-columns shape {shape:?}",
                    prefix.trim_end_matches('.')
                )));
            }
            let weight = ctx.param(prefix, "weight")?;
            same_dtype(xt, weight)?;
            // b[:, None] + W @ xt as one addmm: in this layout the fused op is the faster one.
            match ctx.param_opt(prefix, "bias") {
                Some(bias) => Ok(bias.f_unsqueeze(1)?.f_addmm(weight, xt)?),
                None => Ok(weight.f_matmul(xt)?),
            }
        }
        elementwise => leaf_forward(elementwise, prefix, ctx, xt),
    }
}
