//! `SimpleNN`: Linear → ReLU → Linear, the network of the project's reference workload.

use crate::io::{load_tensors, save_tensors};
use crate::linear::Linear;
use crate::module::Module;
use nutorch_core::{DType, Error, Result};
use std::collections::HashMap;
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// Parameter names, as `state_dict()` names them in a PyTorch module with attributes `fc1` and
/// `fc2` (two `nn.Linear`), so that files move between the two unchanged.
pub const PARAMETER_NAMES: [&str; 4] = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];

/// `kind` value in a saved file's metadata; the sizes go under `input`, `hidden`, `output`.
pub const KIND: &str = "SimpleNN";

/// logits = fc2(relu(fc1(x))), with fc1: input → hidden, fc2: hidden → output.
#[derive(Debug)]
pub struct SimpleNN {
    fc1: Linear,
    fc2: Linear,
}

impl SimpleNN {
    /// PyTorch's default initialisation, drawn in the order a PyTorch module creating `fc1`
    /// then `fc2` draws it (fc1 weight, fc1 bias, fc2 weight, fc2 bias): after the same manual
    /// seed, the same values.
    pub fn new(input: i64, hidden: i64, output: i64) -> Result<SimpleNN> {
        let fc1 = Linear::new(input, hidden)?;
        let fc2 = Linear::new(hidden, output)?;
        SimpleNN::from_layers(fc1, fc2)
    }

    /// Standard normal initialisation in the reference script's order (w1, b1, w2, b2, each
    /// `torch.randn`): after `manual_seed` and the same data draws, the script's exact weights.
    pub fn randn(input: i64, hidden: i64, output: i64) -> Result<SimpleNN> {
        let fc1 = Linear::randn(input, hidden)?;
        let fc2 = Linear::randn(hidden, output)?;
        SimpleNN::from_layers(fc1, fc2)
    }

    /// Two layers whose sizes chain (fc1's outputs are fc2's inputs).
    pub fn from_layers(fc1: Linear, fc2: Linear) -> Result<SimpleNN> {
        if fc1.out_features() != fc2.in_features() {
            return Err(Error::Value(format!(
                "SimpleNN layers do not chain: fc1 gives {} features, fc2 takes {}",
                fc1.out_features(),
                fc2.in_features()
            )));
        }
        Ok(SimpleNN { fc1, fc2 })
    }

    pub fn input_size(&self) -> i64 {
        self.fc1.in_features()
    }

    pub fn hidden_size(&self) -> i64 {
        self.fc1.out_features()
    }

    pub fn output_size(&self) -> i64 {
        self.fc2.out_features()
    }

    pub fn fc1(&self) -> &Linear {
        &self.fc1
    }

    pub fn fc2(&self) -> &Linear {
        &self.fc2
    }

    /// The same network (values copied) on another device.
    pub fn to_device(&self, device: Device) -> Result<SimpleNN> {
        SimpleNN::from_layers(self.fc1.to_device(device)?, self.fc2.to_device(device)?)
    }

    /// The architecture as file metadata: `kind`, `input`, `hidden`, `output`.
    pub fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("kind".to_string(), KIND.to_string()),
            ("input".to_string(), self.input_size().to_string()),
            ("hidden".to_string(), self.hidden_size().to_string()),
            ("output".to_string(), self.output_size().to_string()),
        ])
    }

    /// Saves the four parameters (their own dtype, copied to CPU) and the architecture to one
    /// safetensors file. In Python: `load_file(path)` gives a state dict for `fc1`/`fc2`.
    pub fn save(&self, path: &Path) -> Result<()> {
        save_tensors(path, &self.named_parameters(), &self.metadata())
    }

    /// Loads a file written by [`SimpleNN::save`] or by PyTorch
    /// (`save_file(model.state_dict(), path)` for a module with `fc1`/`fc2` Linear layers). The
    /// sizes come from the metadata when present (and must agree with the shapes), else from
    /// the shapes. Like `load_state_dict(strict=True)`, the file must hold exactly the four
    /// parameters; floating values of any precision are converted to float32. CPU tensors.
    pub fn load(path: &Path) -> Result<SimpleNN> {
        let file = load_tensors(path)?;
        let shown = path.display();
        if let Some(kind) = file.metadata.get("kind") {
            if kind != KIND {
                return Err(Error::Value(format!("'{shown}' holds a {kind}, not a {KIND}")));
            }
        }
        let missing: Vec<_> = PARAMETER_NAMES.iter().filter(|n| !file.tensors.contains_key(**n)).copied().collect();
        if !missing.is_empty() {
            let present = file.tensors.keys().cloned().collect::<Vec<_>>().join(", ");
            return Err(Error::Value(format!(
                "'{shown}' lacks the tensor(s) {} (it holds: {present}); a {KIND} file needs {}",
                missing.join(", "),
                PARAMETER_NAMES.join(", ")
            )));
        }
        let unexpected: Vec<_> =
            file.tensors.keys().filter(|n| !PARAMETER_NAMES.contains(&n.as_str())).cloned().collect();
        if !unexpected.is_empty() {
            return Err(Error::Value(format!(
                "'{shown}' holds tensors a {KIND} does not have: {}",
                unexpected.join(", ")
            )));
        }
        let mut params = Vec::with_capacity(4);
        for name in PARAMETER_NAMES {
            let tensor = &file.tensors[name];
            let dtype = DType::of(tensor)?;
            if !dtype.is_floating_point() {
                return Err(Error::Value(format!(
                    "tensor '{name}' in '{shown}' is {dtype}; parameters must be floating point"
                )));
            }
            params.push(tensor.f_to_kind(Kind::Float)?);
        }
        let shapes: Vec<Vec<i64>> = params.iter().map(Tensor::size).collect();
        let (hidden, input, output) = match (&shapes[0][..], &shapes[2][..]) {
            ([hidden, input], [output, hidden2]) if hidden == hidden2 => (*hidden, *input, *output),
            _ => {
                return Err(Error::Value(format!(
                    "'{shown}': fc1.weight must be [hidden, input] and fc2.weight [output, hidden], got {:?} and {:?}",
                    shapes[0], shapes[2]
                )))
            }
        };
        if shapes[1] != [hidden] || shapes[3] != [output] {
            return Err(Error::Value(format!(
                "'{shown}': fc1.bias must be [{hidden}] and fc2.bias [{output}], got {:?} and {:?}",
                shapes[1], shapes[3]
            )));
        }
        for (key, size) in [("input", input), ("hidden", hidden), ("output", output)] {
            if let Some(text) = file.metadata.get(key) {
                if text.trim().parse::<i64>().ok() != Some(size) {
                    return Err(Error::Value(format!(
                        "'{shown}': metadata says {key} = {text} but the tensors have {key} size {size}"
                    )));
                }
            }
        }
        let fc1 = Linear::from_weights(&params[0], &params[1])?;
        let fc2 = Linear::from_weights(&params[2], &params[3])?;
        SimpleNN::from_layers(fc1, fc2)
    }
}

impl Module for SimpleNN {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut hidden = self.fc1.forward(x)?;
        // In place: the activations are this call's own, and fc1's backward does not keep them
        // (it needs only x and the weight), so this saves one allocation per forward.
        let _ = hidden.f_relu_()?;
        self.fc2.forward(&hidden)
    }

    fn forward_columns(&self, xt: &Tensor) -> Result<Tensor> {
        let mut hidden = self.fc1.forward_columns(xt)?;
        let _ = hidden.f_relu_()?;
        self.fc2.forward_columns(&hidden)
    }

    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        PARAMETER_NAMES
            .iter()
            .zip([self.fc1.weight(), self.fc1.bias(), self.fc2.weight(), self.fc2.bias()])
            .map(|(name, tensor)| (name.to_string(), tensor))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_layout_computes_the_same_function() {
        let model = SimpleNN::new(4, 6, 3).unwrap();
        let x = Tensor::randn([10, 4], (Kind::Float, Device::Cpu));
        let rows = model.forward(&x).unwrap();
        let columns = model.forward_columns(&x.tr().contiguous()).unwrap();
        assert_eq!(columns.size(), vec![3, 10]);
        assert!(rows.allclose(&columns.tr(), 1e-6, 1e-6, false));
        let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, PARAMETER_NAMES);
        assert!(SimpleNN::from_layers(Linear::new(2, 5).unwrap(), Linear::new(4, 3).unwrap()).is_err());
    }
}
