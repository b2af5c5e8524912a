//! PyTorch's default initialisation of each layer (`reset_parameters`), drawn in the order a
//! PyTorch module tree draws it: depth first, and within a layer weight before bias. After the
//! same `manual_seed`, a model built here holds the same values as the PyTorch model.
//!
//! As in PyTorch, parameters are drawn as float32 on the CPU; a model for another dtype or
//! device is converted afterwards (what `model.to(device, dtype)` does).

use crate::params::NamedTensors;
use crate::spec::{LayerSpec, TensorSlot};
use nutorch_core::Result;
use tch::{Device, Kind, Tensor};

const OPTIONS: (Kind, Device) = (Kind::Float, Device::Cpu);

/// How a new model's parameters are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Init {
    /// Each layer's `reset_parameters`, as PyTorch initialises a new module.
    #[default]
    Default,
    /// `torch.randn(shape)` for every parameter in order, as hand-written scripts often do.
    Randn,
}

/// Fresh parameters and buffers for `spec` (normalised).
pub fn initialize(spec: &LayerSpec, init: Init) -> Result<(NamedTensors, NamedTensors)> {
    let mut params = NamedTensors::new();
    let mut buffers = NamedTensors::new();
    match init {
        Init::Default => init_layer(spec, "", &mut params, &mut buffers)?,
        Init::Randn => {
            for slot in spec.parameters() {
                params.push(slot.name.clone(), Tensor::f_randn(slot.shape.as_slice(), OPTIONS)?)?;
            }
            for slot in spec.buffers() {
                buffers.push(slot.name.clone(), constant_for(&slot)?)?;
            }
        }
    }
    Ok((params, buffers))
}

fn init_layer(spec: &LayerSpec, prefix: &str, params: &mut NamedTensors, buffers: &mut NamedTensors) -> Result<()> {
    let name = |n: &str| format!("{prefix}{n}");
    match spec {
        LayerSpec::Sequential { layers } => {
            for (index, layer) in layers.iter().enumerate() {
                init_layer(layer, &format!("{prefix}{index}."), params, buffers)?;
            }
        }
        LayerSpec::SimpleNn { .. } => {
            for (attr, layer) in spec.simple_nn_layers() {
                init_layer(&layer, &format!("{prefix}{attr}."), params, buffers)?;
            }
        }
        LayerSpec::Linear { in_features, .. } => kaiming_weight_and_bias(spec, prefix, *in_features, params)?,
        LayerSpec::Conv1d(c) | LayerSpec::Conv2d(c) => {
            let fan_in = c.in_channels / c.groups * c.kernel_size.iter().product::<i64>();
            kaiming_weight_and_bias(spec, prefix, fan_in, params)?
        }
        LayerSpec::ConvTranspose2d(c) => {
            // torch computes fan_in from the weight [in, out / groups, kh, kw]: dimension 1.
            let fan_in = c.out_channels / c.groups * c.kernel_size.iter().product::<i64>();
            kaiming_weight_and_bias(spec, prefix, fan_in, params)?
        }
        LayerSpec::Embedding { num_embeddings, embedding_dim, padding_idx } => {
            let mut weight = Tensor::f_empty([*num_embeddings, *embedding_dim], OPTIONS)?;
            let _ = weight.f_normal_(0.0, 1.0)?;
            if let Some(row) = padding_idx {
                let _ = weight.f_select(0, *row)?.f_fill_(0.0)?;
            }
            params.push(name("weight"), weight)?;
        }
        _ => {
            // Norm layers: weight ones, bias zeros, running_mean zeros, running_var ones,
            // num_batches_tracked 0. Layers without parameters add nothing.
            for slot in spec.parameters() {
                params.push(name(&slot.name), constant_for(&slot)?)?;
            }
            for slot in spec.buffers() {
                buffers.push(name(&slot.name), constant_for(&slot)?)?;
            }
        }
    }
    Ok(())
}

/// `kaiming_uniform_(weight, a=sqrt(5))` then `uniform_(bias, -1/sqrt(fan_in), 1/sqrt(fan_in))`,
/// as `nn.Linear` and `nn.Conv*d` reset their parameters.
fn kaiming_weight_and_bias(spec: &LayerSpec, prefix: &str, fan_in: i64, params: &mut NamedTensors) -> Result<()> {
    for slot in spec.parameters() {
        let mut tensor = Tensor::f_empty(slot.shape.as_slice(), OPTIONS)?;
        let bound = if slot.name == "weight" {
            kaiming_uniform_bound(fan_in)
        } else if fan_in > 0 {
            1.0 / (fan_in as f64).sqrt()
        } else {
            0.0
        };
        let _ = tensor.f_uniform_(-bound, bound)?;
        params.push(format!("{prefix}{}", slot.name), tensor)?;
    }
    Ok(())
}

fn constant_for(slot: &TensorSlot) -> Result<Tensor> {
    let kind = slot.kind.unwrap_or(Kind::Float);
    let leaf = slot.name.rsplit('.').next().unwrap_or("");
    let value = match leaf {
        "weight" | "running_var" => 1.0,
        _ => 0.0,
    };
    Ok(Tensor::f_full(slot.shape.as_slice(), value, (kind, Device::Cpu))?)
}

/// `kaiming_uniform_(a=sqrt(5), mode="fan_in", nonlinearity="leaky_relu")`'s bound, computed
/// step by step as torch.nn.init does (gain, std, bound), so the f64 passed to `uniform_` is
/// the very same number. Mathematically 1/sqrt(fan_in).
pub(crate) fn kaiming_uniform_bound(fan_in: i64) -> f64 {
    let negative_slope = 5f64.sqrt();
    let gain = (2.0 / (1.0 + negative_slope * negative_slope)).sqrt();
    let std = gain / (fan_in as f64).sqrt();
    3f64.sqrt() * std
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_is_one_over_sqrt_fan_in() {
        for fan_in in [1, 2, 20, 784] {
            let expected = 1.0 / (fan_in as f64).sqrt();
            assert!((kaiming_uniform_bound(fan_in) - expected).abs() < 1e-15);
        }
    }
}
