//! Tensor creation with PyTorch's argument checks done before libtorch sees them.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::Number;
use tch::{Device, Tensor};

/// `torch.linspace(start, end, steps, dtype=..., device=...)`: `steps` evenly spaced values
/// from `start` to `end` inclusive (0 steps → empty, 1 step → `[start]`). Integer dtypes get
/// torch's values (computed in floating point, then truncated); bool is refused, as torch does.
pub fn linspace(start: Number, end: Number, steps: i64, dtype: DType, device: Device) -> Result<Tensor> {
    if steps < 0 {
        return Err(Error::Argument(format!("number of steps must be non-negative, got {steps}")));
    }
    if dtype.is_bool() {
        return Err(Error::Argument("linspace does not support dtype bool (torch refuses it too)".into()));
    }
    Ok(Tensor::f_linspace(start.scalar(), end.scalar(), steps, (dtype.kind(), device))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{tensor_to_data, Buffer};

    fn values(t: &Tensor) -> Buffer {
        tensor_to_data(t).unwrap().values
    }

    #[test]
    fn integer_linspace_matches_torch() {
        // torch.linspace(0, 10, 5, dtype=torch.int32).tolist() == [0, 2, 5, 7, 10]
        let t = linspace(Number::Int(0), Number::Int(10), 5, DType::Int32, Device::Cpu).unwrap();
        assert_eq!(values(&t), Buffer::Int(vec![0, 2, 5, 7, 10]));
    }

    #[test]
    fn zero_and_one_steps() {
        let empty = linspace(Number::Int(0), Number::Int(1), 0, DType::Float32, Device::Cpu).unwrap();
        assert_eq!(empty.size(), vec![0]);
        let one = linspace(Number::Float(2.5), Number::Int(9), 1, DType::Float64, Device::Cpu).unwrap();
        assert_eq!(values(&one), Buffer::Float(vec![2.5]));
    }

    #[test]
    fn negative_steps_and_bool_are_refused() {
        assert!(linspace(Number::Int(0), Number::Int(1), -1, DType::Float32, Device::Cpu)
            .unwrap_err()
            .to_string()
            .contains("non-negative"));
        assert!(linspace(Number::Int(0), Number::Int(1), 3, DType::Bool, Device::Cpu).is_err());
    }
}
