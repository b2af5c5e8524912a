//! PyTorch ops with Scalar arguments that tch's generated bindings leave out (`addmv`'s beta
//! and alpha, `addcdiv`'s value, ...), through csrc/scalar_ops.cpp: the at:: functions
//! themselves, so dtype promotion, the refusals (an int tensor with a float alpha) and the
//! fused kernels (bfloat16 computed in float) are PyTorch's, not a decomposition's.

use crate::error::{shim_error, Result};
use crate::number::Number;
use std::ffi::{c_char, c_int};
use tch::Tensor;
use torch_sys::C_tensor;

/// A Python number as the shims take it (csrc/shim.h's nutorch_scalar).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct CScalar {
    kind: i32,
    i: i64,
    f: f64,
}

impl From<Number> for CScalar {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => CScalar { kind: 0, i, f: 0.0 },
            Number::Float(f) => CScalar { kind: 1, i: 0, f },
        }
    }
}

extern "C" {
    #[allow(improper_ctypes)]
    fn nutorch_scalar_op(
        op: i32,
        this: *const C_tensor,
        a: *const C_tensor,
        b: *const C_tensor,
        s1: CScalar,
        s2: CScalar,
        out: *mut *mut C_tensor,
        err: *mut c_char,
        cap: usize,
    ) -> c_int;
}

/// The ops, numbered as the shim numbers them.
#[derive(Debug, Clone, Copy)]
pub enum ScalarOp {
    /// beta * input + alpha * (a @ b)
    Addmm = 0,
    Addmv = 1,
    Addr = 2,
    Addbmm = 3,
    Baddbmm = 4,
    /// input + value * a * b (value in s1)
    Addcmul = 5,
    Addcdiv = 6,
    /// rrelu in training: a random slope in [lower, upper] (s1, s2) for each negative element,
    /// drawn as PyTorch draws them (the same stream after the same seed)
    RreluTraining = 7,
}

/// `op(input, a, b, s1, s2)`: beta and alpha for the matrix products, value (s1) for
/// addcmul and addcdiv.
pub fn call(op: ScalarOp, input: &Tensor, a: &Tensor, b: &Tensor, s1: Number, s2: Number) -> Result<Tensor> {
    let mut err = [0u8; 1024];
    let mut out: *mut C_tensor = std::ptr::null_mut();
    // SAFETY: the tensors are live for the call; on success the shim hands over a new
    // at::Tensor*, which tch's Tensor owns and frees.
    let rc = unsafe {
        nutorch_scalar_op(
            op as i32,
            input.as_ptr(),
            a.as_ptr(),
            b.as_ptr(),
            s1.into(),
            s2.into(),
            &mut out,
            err.as_mut_ptr().cast(),
            err.len(),
        )
    };
    if rc != 0 || out.is_null() {
        return Err(shim_error(&err));
    }
    Ok(unsafe { Tensor::from_ptr(out) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_tensors_stay_int_as_in_pytorch() {
        let x = Tensor::from_slice(&[1i64, 2]);
        let m = Tensor::from_slice(&[1i64, 2, 3, 4]).reshape([2, 2]);
        let v = Tensor::from_slice(&[1i64, 1]);
        let r = call(ScalarOp::Addmv, &x, &m, &v, Number::Int(2), Number::Int(3)).unwrap();
        assert_eq!(r.kind(), tch::Kind::Int64);
        assert_eq!(Vec::<i64>::try_from(&r).unwrap(), vec![11, 25]);
        // PyTorch 2.11: torch.addmv(x, m, v, alpha=1.5) of int64 tensors is tensor([4, 9]).
        let r = call(ScalarOp::Addmv, &x, &m, &v, Number::Int(1), Number::Float(1.5)).unwrap();
        assert_eq!(Vec::<i64>::try_from(&r).unwrap(), vec![4, 9]);
        let bad = call(ScalarOp::Addmv, &x, &m, &Tensor::from_slice(&[1i64, 1, 1]), Number::Int(1), Number::Int(1));
        assert!(bad.unwrap_err().to_string().contains("size mismatch"));
    }

    #[test]
    fn addcdiv_takes_its_value() {
        let x = Tensor::from_slice(&[1.0f32]);
        let r = call(
            ScalarOp::Addcdiv,
            &x,
            &Tensor::from_slice(&[6.0f32]),
            &Tensor::from_slice(&[3.0f32]),
            Number::Int(2),
            Number::Int(0),
        );
        assert_eq!(Vec::<f32>::try_from(&r.unwrap()).unwrap(), vec![5.0]);
    }
}
