//! `Linear`: PyTorch's `nn.Linear`, y = x Wᵀ + b.

use crate::module::Module;
use nutorch_core::{DType, Error, Result};
use tch::{Device, Kind, Tensor};

/// A fully connected layer with `weight` `[out, in]` and `bias` `[out]`, both float leaves
/// that require grad.
#[derive(Debug)]
pub struct Linear {
    weight: Tensor,
    bias: Tensor,
}

impl Linear {
    /// A float32 CPU layer initialised as `nn.Linear(in_features, out_features)` is: weight from
    /// `kaiming_uniform_(a=sqrt(5))` (= U(-1/√in, 1/√in)), then bias from U(-1/√in, 1/√in).
    /// The two draws happen in that order with the same bounds (computed with the same float
    /// arithmetic as torch.nn.init), so after the same manual seed the values equal PyTorch's.
    pub fn new(in_features: i64, out_features: i64) -> Result<Linear> {
        check_size("in_features", in_features)?;
        check_size("out_features", out_features)?;
        let options = (Kind::Float, Device::Cpu);
        let mut weight = Tensor::f_empty([out_features, in_features], options)?;
        let weight_bound = kaiming_uniform_bound(in_features);
        let _ = weight.f_uniform_(-weight_bound, weight_bound)?;
        let mut bias = Tensor::f_empty([out_features], options)?;
        let bias_bound = 1.0 / (in_features as f64).sqrt();
        let _ = bias.f_uniform_(-bias_bound, bias_bound)?;
        Linear::from_owned(weight, bias)
    }

    /// A float32 CPU layer with standard normal weight then bias (`torch.randn` in that order),
    /// the initialisation hand-written PyTorch scripts often use.
    pub fn randn(in_features: i64, out_features: i64) -> Result<Linear> {
        check_size("in_features", in_features)?;
        check_size("out_features", out_features)?;
        let options = (Kind::Float, Device::Cpu);
        let weight = Tensor::f_randn([out_features, in_features], options)?;
        let bias = Tensor::f_randn([out_features], options)?;
        Linear::from_owned(weight, bias)
    }

    /// A layer from explicit values: `weight` `[out, in]`, `bias` `[out]`, same floating
    /// dtype and device. The values are copied, so training never writes into the caller's
    /// tensors.
    pub fn from_weights(weight: &Tensor, bias: &Tensor) -> Result<Linear> {
        let weight_dtype = DType::of(weight)?;
        let bias_dtype = DType::of(bias)?;
        if !weight_dtype.is_floating_point() {
            return Err(Error::Value(format!("Linear weight must be a floating point tensor, got {weight_dtype}")));
        }
        if weight_dtype != bias_dtype {
            return Err(Error::Value(format!(
                "Linear weight is {weight_dtype} but bias is {bias_dtype}; they must match"
            )));
        }
        if weight.device() != bias.device() {
            return Err(Error::Value("Linear weight and bias are on different devices".into()));
        }
        let (w, b) = (weight.size(), bias.size());
        if w.len() != 2 || b.len() != 1 || b[0] != w[0] {
            return Err(Error::Value(format!(
                "Linear needs weight [out, in] and bias [out], got weight {w:?} and bias {b:?}"
            )));
        }
        Linear::from_owned(weight.f_detach_copy()?, bias.f_detach_copy()?)
    }

    /// Takes tensors nobody else holds and makes them trainable leaves.
    fn from_owned(weight: Tensor, bias: Tensor) -> Result<Linear> {
        let weight = nutorch_core::autograd::set_requires_grad(weight, true)?;
        let bias = nutorch_core::autograd::set_requires_grad(bias, true)?;
        Ok(Linear { weight, bias })
    }

    /// The same layer (values copied) on another device.
    pub fn to_device(&self, device: Device) -> Result<Linear> {
        Linear::from_owned(
            self.weight.f_detach()?.f_to(device)?.f_detach_copy()?,
            self.bias.f_detach()?.f_to(device)?.f_detach_copy()?,
        )
    }

    pub fn in_features(&self) -> i64 {
        self.weight.size().get(1).copied().unwrap_or(0)
    }

    pub fn out_features(&self) -> i64 {
        self.weight.size().first().copied().unwrap_or(0)
    }

    fn check_dtype(&self, x: &Tensor) -> Result<()> {
        let (x_kind, w_kind) = (x.f_kind()?, self.weight.f_kind()?);
        if x_kind != w_kind {
            return Err(Error::Value(format!(
                "Linear layer has {} weights but the input is {}; convert the input first",
                DType::from_kind(w_kind)?,
                DType::from_kind(x_kind)?
            )));
        }
        Ok(())
    }

    /// The weight `[out, in]` (shallow clone: shares storage and grad).
    pub fn weight(&self) -> Tensor {
        self.weight.shallow_clone()
    }

    /// The bias `[out]` (shallow clone: shares storage and grad).
    pub fn bias(&self) -> Tensor {
        self.bias.shallow_clone()
    }
}

impl Module for Linear {
    /// `x.matmul(W.t()) + b`. Any leading dimensions are allowed; the last must be
    /// `in_features`, and the dtype must be the weight's. Not the fused `addmm` that
    /// `F.linear` uses: on CPU it first copies the broadcast bias into the output, which makes
    /// it slower than a plain matrix product plus a broadcasting add for these narrow layers.
    /// The two differ only in rounding (well within 1e-6 here).
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let shape = x.size();
        let in_features = self.in_features();
        if shape.last() != Some(&in_features) {
            return Err(Error::Value(format!(
                "Linear layer expects inputs with {in_features} features in the last dimension, got shape {shape:?}"
            )));
        }
        self.check_dtype(x)?;
        Ok(x.f_matmul(&self.weight.f_tr()?)?.f_add(&self.bias)?)
    }

    /// `b[:, None] + W @ xt` as one `addmm`, for `xt` `[in, N]`. In this layout the fused
    /// op is the faster one: broadcasting the bias column fills contiguous rows.
    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        let shape = xt.size();
        let in_features = self.in_features();
        if shape.len() != 2 || shape[0] != in_features {
            let got =
                if shape.len() == 2 { format!("{} features", shape[0]) } else { format!("{} dimensions", shape.len()) };
            return Err(Error::Value(format!(
                "Linear layer expects inputs with {in_features} features, got {got} (samples as columns, shape {shape:?})"
            )));
        }
        self.check_dtype(xt)?;
        Ok(self.bias.f_unsqueeze(1)?.f_addmm(&self.weight, xt)?)
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        vec![("weight".into(), self.weight()), ("bias".into(), self.bias())]
    }
}

/// `kaiming_uniform_(a=sqrt(5), mode="fan_in", nonlinearity="leaky_relu")`'s bound, computed
/// step by step as torch.nn.init does (gain, std, bound), so the f64 passed to `uniform_` is
/// the very same number. Mathematically 1/sqrt(fan_in).
fn kaiming_uniform_bound(fan_in: i64) -> f64 {
    let negative_slope = 5f64.sqrt();
    let gain = (2.0 / (1.0 + negative_slope * negative_slope)).sqrt();
    let std = gain / (fan_in as f64).sqrt();
    3f64.sqrt() * std
}

fn check_size(name: &str, value: i64) -> Result<()> {
    if value < 1 {
        return Err(Error::Argument(format!("Linear {name} must be at least 1, got {value}")));
    }
    Ok(())
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

    #[test]
    fn shapes_and_grad_flags() {
        let layer = Linear::new(4, 3).unwrap();
        assert_eq!(layer.weight().size(), vec![3, 4]);
        assert_eq!(layer.bias().size(), vec![3]);
        assert!(layer.weight().requires_grad() && layer.bias().requires_grad());
        let y = layer.forward(&Tensor::zeros([5, 4], (Kind::Float, Device::Cpu))).unwrap();
        assert_eq!(y.size(), vec![5, 3]);
    }

    #[test]
    fn from_weights_copies_and_checks() {
        let w = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));
        let b = Tensor::zeros([2], (Kind::Float, Device::Cpu));
        let layer = Linear::from_weights(&w, &b).unwrap();
        let y = layer.forward(&Tensor::ones([1, 3], (Kind::Float, Device::Cpu))).unwrap();
        assert_eq!(y.double_value(&[0, 1]), 3.0);
        let bad = Tensor::zeros([3], (Kind::Float, Device::Cpu));
        assert!(Linear::from_weights(&w, &bad).unwrap_err().to_string().contains("bias [out]"));
        let ints = Tensor::zeros([2, 3], (Kind::Int64, Device::Cpu));
        assert!(Linear::from_weights(&ints, &b).is_err());
    }

    #[test]
    fn wrong_width_and_dtype_are_errors() {
        let layer = Linear::new(2, 3).unwrap();
        let err = layer.forward(&Tensor::zeros([4, 5], (Kind::Float, Device::Cpu))).unwrap_err().to_string();
        assert!(err.contains("expects inputs with 2 features") && err.contains("[4, 5]"), "{err}");
        let err = layer.forward(&Tensor::zeros([4, 2], (Kind::Double, Device::Cpu))).unwrap_err().to_string();
        assert!(err.contains("float32") && err.contains("float64"), "{err}");
        assert!(Linear::new(0, 3).is_err());
    }
}
