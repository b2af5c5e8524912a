//! Gradients of the column-layout networks (Linear layers and pointwise activations, see
//! [`super::columns_capable`]) in closed form: the forward pass keeps what each layer's backward
//! needs, then the backward runs, layer by layer in reverse, the same ops autograd's backward
//! formulas run for them (`addmm`'s `grad @ input.T`, `weight.T @ grad` and the bias's sum,
//! `threshold_backward` for ReLU, ...), without autograd recording the forward pass or its
//! engine walking the graph. For a network this small that bookkeeping is most of a training
//! step's time (on a GPU, also a hand-off to the engine's device thread per step); the values
//! are those of `loss.backward()` to rounding.

use super::{forward_columns, leaf_forward, Context};
use crate::spec::LayerSpec;
use nutorch_core::{Error, Result};
use tch::Tensor;

/// What one layer's backward needs from the forward pass.
pub(crate) enum Saved {
    Linear { prefix: String, input: Tensor },
    Activation { spec: LayerSpec, input: Tensor, output: Tensor },
}

/// [`forward_columns`], keeping in `saved` what [`backward_columns`] needs (in forward order).
pub(crate) fn forward_columns_saving(
    spec: &LayerSpec,
    prefix: &str,
    ctx: &Context,
    xt: &Tensor,
    saved: &mut Vec<Saved>,
) -> Result<Tensor> {
    match spec {
        LayerSpec::Sequential { layers } => {
            let mut out = xt.shallow_clone();
            for (index, layer) in layers.iter().enumerate() {
                out = forward_columns_saving(layer, &format!("{prefix}{index}."), ctx, &out, saved)?;
            }
            Ok(out)
        }
        LayerSpec::SimpleNn { .. } => {
            let layers = spec.simple_nn_layers();
            let [(fc1_name, fc1), (fc2_name, fc2)] = layers.as_slice() else {
                return Err(Error::Value("SimpleNN has two Linear layers".into()));
            };
            let hidden = forward_columns_saving(fc1, &format!("{prefix}{fc1_name}."), ctx, xt, saved)?;
            let hidden = forward_columns_saving(&LayerSpec::ReLU, prefix, ctx, &hidden, saved)?;
            forward_columns_saving(fc2, &format!("{prefix}{fc2_name}."), ctx, &hidden, saved)
        }
        LayerSpec::Linear { .. } => {
            saved.push(Saved::Linear { prefix: prefix.to_string(), input: xt.shallow_clone() });
            forward_columns(spec, prefix, ctx, xt)
        }
        activation => {
            // In place where only the output is kept and the input is a Linear layer's
            // output, made here and used by nothing else (as SimpleNN's forward does).
            let after_linear = matches!(saved.last(), Some(Saved::Linear { .. }));
            let output = match activation {
                LayerSpec::ReLU if after_linear => xt.shallow_clone().f_relu_()?,
                LayerSpec::Tanh if after_linear => xt.shallow_clone().f_tanh_()?,
                LayerSpec::Sigmoid if after_linear => xt.shallow_clone().f_sigmoid_()?,
                _ => leaf_forward(activation, prefix, ctx, xt)?,
            };
            saved.push(Saved::Activation {
                spec: activation.clone(),
                input: xt.shallow_clone(),
                output: output.shallow_clone(),
            });
            Ok(output)
        }
    }
}

/// The gradients of every parameter (by `state_dict` name) from the gradient of the network's
/// output, `grad` (`[out, N]`); the input's gradient is not computed (it needs none).
pub(crate) fn backward_columns(saved: Vec<Saved>, ctx: &Context, grad: Tensor) -> Result<Vec<(String, Tensor)>> {
    let mut grads = Vec::new();
    let mut grad = grad;
    let mut remaining = saved.len();
    for step in saved.into_iter().rev() {
        remaining -= 1;
        let first = remaining == 0;
        grad = match step {
            Saved::Linear { prefix, input } => {
                let weight = ctx.param(&prefix, "weight")?;
                grads.push((format!("{prefix}weight"), grad.f_mm(&input.f_tr()?)?));
                if ctx.param_opt(&prefix, "bias").is_some() {
                    grads.push((format!("{prefix}bias"), grad.f_sum_dim_intlist(1, false, None::<tch::Kind>)?));
                }
                if first {
                    break;
                }
                weight.f_tr()?.f_mm(&grad)?
            }
            Saved::Activation { spec, input, output } => match spec {
                LayerSpec::ReLU => output.f_threshold_backward(&grad, 0)?,
                LayerSpec::LeakyReLU { negative_slope } => {
                    // The forward is where(x > 0, x, x * slope): its gradient, branch by branch.
                    let positive = input.f_gt(0.0)?;
                    grad.f_where_self(&positive, &grad.f_mul_scalar(negative_slope)?)?
                }
                LayerSpec::GELU { approximate } => input.f_gelu_backward(&grad, &approximate)?,
                LayerSpec::SiLU => input.f_silu_backward(&grad)?,
                LayerSpec::Tanh => Tensor::f_tanh_backward(&grad, &output)?,
                LayerSpec::Sigmoid => Tensor::f_sigmoid_backward(&grad, &output)?,
                other => {
                    return Err(Error::Value(format!("{} has no closed-form gradient here", other.describe())));
                }
            },
        };
    }
    Ok(grads)
}
