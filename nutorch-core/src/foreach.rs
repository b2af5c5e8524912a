//! PyTorch's multi-tensor ops (`torch._foreach_*`), through csrc/foreach.cpp: what torch.optim's
//! foreach implementations update parameters with. On a GPU each call is one kernel (or a few)
//! over every tensor of a list, where a loop over the tensors would launch one per tensor; on the
//! CPU they are PyTorch's per-tensor ops, so the values are those of the single-tensor updates.
//! Lists given together must have the same length (checked here) and are used in place unless
//! the function returns new tensors.

use crate::error::{shim_error, Error, Result};
use std::ffi::{c_char, c_int};
use tch::Tensor;
use torch_sys::C_tensor;

extern "C" {
    #[allow(improper_ctypes)]
    fn nutorch_foreach(
        op: i32,
        a: *const *const C_tensor,
        b: *const *const C_tensor,
        c: *const *const C_tensor,
        n: usize,
        s: f64,
        scalars: *const f64,
        out: *mut *mut C_tensor,
        err: *mut c_char,
        cap: usize,
    ) -> c_int;
}

/// The ops, numbered as the shim numbers them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    AddList_ = 0,
    MulScalar_ = 1,
    LerpScalar_ = 2,
    AddcmulScalar_ = 3,
    MaximumList_ = 4,
    DivScalars_ = 5,
    AddScalar_ = 6,
    AddcdivScalars_ = 7,
    AddList = 8,
    Sqrt = 9,
}

impl Op {
    fn returns_tensors(self) -> bool {
        matches!(self, Op::AddList | Op::Sqrt)
    }

    /// Whether the op takes a second and a third tensor list, and a list of scalars.
    fn takes(self) -> (bool, bool, bool) {
        match self {
            Op::AddList_ | Op::AddList | Op::LerpScalar_ | Op::MaximumList_ => (true, false, false),
            Op::AddcmulScalar_ => (true, true, false),
            Op::AddcdivScalars_ => (true, true, true),
            Op::DivScalars_ => (false, false, true),
            Op::MulScalar_ | Op::AddScalar_ | Op::Sqrt => (false, false, false),
        }
    }
}

fn pointers(tensors: &[Tensor]) -> Vec<*const C_tensor> {
    tensors.iter().map(|t| t.as_ptr()).collect()
}

/// Calls `op` on the lists (`b`, `c`, `scalars` empty where the op takes none).
fn call(op: Op, a: &[Tensor], b: &[Tensor], c: &[Tensor], s: f64, scalars: &[f64]) -> Result<Vec<Tensor>> {
    let n = a.len();
    let (takes_b, takes_c, takes_scalars) = op.takes();
    let lengths = [("second", takes_b, b.len()), ("third", takes_c, c.len()), ("scalar", takes_scalars, scalars.len())];
    for (what, taken, len) in lengths {
        if taken && len != n {
            return Err(Error::Argument(format!("foreach: the {what} list has {len} entries, the first {n}")));
        }
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    let (pa, pb, pc) = (pointers(a), pointers(b), pointers(c));
    let list = |p: &Vec<*const C_tensor>| if p.is_empty() { std::ptr::null() } else { p.as_ptr() };
    let scalar_ptr = if takes_scalars { scalars.as_ptr() } else { std::ptr::null() };
    let mut out: Vec<*mut C_tensor> = vec![std::ptr::null_mut(); if op.returns_tensors() { n } else { 0 }];
    let mut err = [0u8; 1024];
    // SAFETY: the tensors are live for the call and each list holds n pointers (or none); on
    // success an op that returns tensors has written n new at::Tensor*, which tch's Tensor owns.
    let rc = unsafe {
        nutorch_foreach(
            op as i32,
            list(&pa),
            list(&pb),
            list(&pc),
            n,
            s,
            scalar_ptr,
            out.as_mut_ptr(),
            err.as_mut_ptr().cast(),
            err.len(),
        )
    };
    if rc != 0 {
        return Err(shim_error(&err));
    }
    Ok(out.into_iter().map(|p| unsafe { Tensor::from_ptr(p) }).collect())
}

/// `torch._foreach_add_(a, b, alpha=alpha)`: `a[i] += alpha * b[i]`.
pub fn add_(a: &[Tensor], b: &[Tensor], alpha: f64) -> Result<()> {
    call(Op::AddList_, a, b, &[], alpha, &[]).map(drop)
}

/// `torch._foreach_add(a, b, alpha=alpha)`: new tensors `a[i] + alpha * b[i]`.
pub fn add(a: &[Tensor], b: &[Tensor], alpha: f64) -> Result<Vec<Tensor>> {
    call(Op::AddList, a, b, &[], alpha, &[])
}

/// `torch._foreach_add_(a, value)`.
pub fn add_scalar_(a: &[Tensor], value: f64) -> Result<()> {
    call(Op::AddScalar_, a, &[], &[], value, &[]).map(drop)
}

/// `torch._foreach_mul_(a, value)`.
pub fn mul_scalar_(a: &[Tensor], value: f64) -> Result<()> {
    call(Op::MulScalar_, a, &[], &[], value, &[]).map(drop)
}

/// `torch._foreach_div_(a, values)`: `a[i] /= values[i]`.
pub fn div_scalars_(a: &[Tensor], values: &[f64]) -> Result<()> {
    call(Op::DivScalars_, a, &[], &[], 0.0, values).map(drop)
}

/// `torch._foreach_lerp_(a, b, weight)`: `a[i] += weight * (b[i] - a[i])`.
pub fn lerp_(a: &[Tensor], b: &[Tensor], weight: f64) -> Result<()> {
    call(Op::LerpScalar_, a, b, &[], weight, &[]).map(drop)
}

/// `torch._foreach_addcmul_(a, b, c, value)`: `a[i] += value * b[i] * c[i]`.
pub fn addcmul_(a: &[Tensor], b: &[Tensor], c: &[Tensor], value: f64) -> Result<()> {
    call(Op::AddcmulScalar_, a, b, c, value, &[]).map(drop)
}

/// `torch._foreach_addcdiv_(a, b, c, values)`: `a[i] += values[i] * b[i] / c[i]`.
pub fn addcdiv_(a: &[Tensor], b: &[Tensor], c: &[Tensor], values: &[f64]) -> Result<()> {
    call(Op::AddcdivScalars_, a, b, c, 0.0, values).map(drop)
}

/// `torch._foreach_maximum_(a, b)`.
pub fn maximum_(a: &[Tensor], b: &[Tensor]) -> Result<()> {
    call(Op::MaximumList_, a, b, &[], 0.0, &[]).map(drop)
}

/// `torch._foreach_sqrt(a)`: new tensors.
pub fn sqrt(a: &[Tensor]) -> Result<Vec<Tensor>> {
    call(Op::Sqrt, a, &[], &[], 0.0, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: &Tensor) -> Vec<f32> {
        Vec::<f32>::try_from(t).unwrap()
    }

    #[test]
    fn each_op_does_what_torch_does_per_tensor() {
        let a = [Tensor::from_slice(&[1.0f32, 2.0]), Tensor::from_slice(&[3.0f32])];
        let b = [Tensor::from_slice(&[10.0f32, 20.0]), Tensor::from_slice(&[30.0f32])];
        add_(&a, &b, -0.5).unwrap();
        assert_eq!((values(&a[0]), values(&a[1])), (vec![-4.0, -8.0], vec![-12.0]));
        let fresh = add(&a, &b, 1.0).unwrap();
        assert_eq!(values(&fresh[1]), vec![18.0]);
        assert_eq!(values(&a[1]), vec![-12.0], "the out-of-place add leaves its input");
        mul_scalar_(&a, -1.0).unwrap();
        add_scalar_(&a, 1.0).unwrap();
        assert_eq!(values(&a[0]), vec![5.0, 9.0]);
        div_scalars_(&a, &[5.0, 13.0]).unwrap();
        assert_eq!((values(&a[0]), values(&a[1])), (vec![1.0, 1.8], vec![1.0]));
        lerp_(&a, &b, 0.5).unwrap();
        assert_eq!(values(&a[1]), vec![15.5]);
        addcmul_(&a, &b, &b, 0.01).unwrap();
        assert_eq!(values(&a[1]), vec![24.5]);
        addcdiv_(&a, &b, &b, &[2.0, -1.0]).unwrap();
        assert_eq!(values(&a[1]), vec![23.5]);
        maximum_(&a, &b).unwrap();
        assert_eq!(values(&a[1]), vec![30.0]);
        let roots = sqrt(&[Tensor::from_slice(&[4.0f32, 9.0])]).unwrap();
        assert_eq!(values(&roots[0]), vec![2.0, 3.0]);
    }

    #[test]
    fn mismatched_lists_are_errors_not_crashes() {
        let a = [Tensor::from_slice(&[1.0f32, 2.0])];
        assert!(add_(&a, &[], 1.0).unwrap_err().to_string().contains("second list has 0 entries"));
        assert!(div_scalars_(&a, &[1.0, 2.0]).unwrap_err().to_string().contains("scalar list has 2 entries"));
        let two = [Tensor::from_slice(&[1.0f32]), Tensor::from_slice(&[1.0f32])];
        assert!(add_(&a, &two, 1.0).unwrap_err().to_string().contains("second list has 2 entries"));
        let wrong_shape = [Tensor::from_slice(&[1.0f32, 2.0, 3.0])];
        assert!(add_(&a, &wrong_shape, 1.0).is_err());
    }
}
