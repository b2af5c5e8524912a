//! Process state that tch does not reach, through csrc/state.cpp: the default random
//! generators' state (CPU and each CUDA device), a tensor's grad_fn and autograd graph, and
//! the identity of a tensor's storage (shared by a tensor and its views), its offset there
//! and its bytes.

use crate::error::{Error, Result};
use std::ffi::{c_char, c_int};
use tch::Tensor;
use torch_sys::C_tensor;

extern "C" {
    fn nutorch_cuda_device_count() -> i64;
    fn nutorch_cuda_initialized(device: i64) -> c_int;
    fn nutorch_rng_get_state(device: i64, out: *mut *mut C_tensor, err: *mut c_char, cap: usize) -> c_int;
    fn nutorch_rng_set_state(device: i64, state: *const C_tensor, err: *mut c_char, cap: usize) -> c_int;
    fn nutorch_grad_fn_name(t: *const C_tensor, buf: *mut c_char, cap: usize) -> i64;
    fn nutorch_graph_reaches(root: *const C_tensor, targets: *const *const C_tensor, n: usize, out: *mut u8) -> c_int;
    fn nutorch_storage_id(t: *const C_tensor) -> usize;
    fn nutorch_storage_offset(t: *const C_tensor) -> i64;
    fn nutorch_impl_id(t: *const C_tensor) -> usize;
    fn nutorch_impl_pin(t: *const C_tensor) -> *mut std::ffi::c_void;
    fn nutorch_impl_unpin(pin: *mut std::ffi::c_void);
    fn nutorch_storage_bytes(t: *const C_tensor, out: *mut *mut C_tensor, err: *mut c_char, cap: usize) -> c_int;
}

const CPU: i64 = -1;

fn message(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

fn get_state(device: i64) -> Result<Vec<u8>> {
    let mut err = [0u8; 512];
    let mut out: *mut C_tensor = std::ptr::null_mut();
    // SAFETY: on success the shim hands over a new at::Tensor*, which tch's Tensor owns and frees.
    let rc = unsafe { nutorch_rng_get_state(device, &mut out, err.as_mut_ptr().cast(), err.len()) };
    if rc != 0 || out.is_null() {
        return Err(Error::Torch(format!("reading the random generator's state: {}", message(&err))));
    }
    let state = unsafe { Tensor::from_ptr(out) };
    Ok(Vec::<u8>::try_from(&state.f_contiguous()?)?)
}

fn set_state(device: i64, bytes: &[u8]) -> Result<()> {
    let state = Tensor::from_slice(bytes);
    let mut err = [0u8; 512];
    // SAFETY: `state` is a live tensor for the duration of the call.
    let rc = unsafe { nutorch_rng_set_state(device, state.as_ptr(), err.as_mut_ptr().cast(), err.len()) };
    if rc != 0 {
        return Err(Error::Torch(format!("restoring the random generator's state: {}", message(&err))));
    }
    Ok(())
}

/// The default generators' state: `torch.get_rng_state()` and, for each CUDA device this
/// process has used, `torch.cuda.get_rng_state(i)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RngState {
    pub cpu: Vec<u8>,
    pub cuda: Vec<(i64, Vec<u8>)>,
}

impl RngState {
    /// Reads the state. CUDA devices this process never touched are left out (asking would
    /// start CUDA); their generators are then as a fresh process has them.
    pub fn capture() -> Result<RngState> {
        let cpu = get_state(CPU)?;
        let mut cuda = Vec::new();
        for i in 0..cuda_device_count() {
            // SAFETY: a plain query.
            if unsafe { nutorch_cuda_initialized(i) } != 0 {
                cuda.push((i, get_state(i)?));
            }
        }
        Ok(RngState { cpu, cuda })
    }

    /// Sets the generators back to this state (`torch.set_rng_state`, `torch.cuda.set_rng_state`).
    /// CUDA devices this machine lacks are skipped.
    pub fn restore(&self) -> Result<()> {
        if !self.cpu.is_empty() {
            set_state(CPU, &self.cpu)?;
        }
        let devices = cuda_device_count();
        for (i, bytes) in &self.cuda {
            if *i < devices {
                set_state(*i, bytes)?;
            }
        }
        Ok(())
    }
}

/// CUDA devices libtorch sees (0 without CUDA).
pub fn cuda_device_count() -> i64 {
    // SAFETY: a plain query that catches its exceptions.
    unsafe { nutorch_cuda_device_count() }
}

/// The name of the tensor's grad_fn (`MulBackward0`), `None` for leaves and tensors without grad.
pub fn grad_fn_name(tensor: &Tensor) -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: `tensor` is live; the shim writes at most `buf.len()` bytes.
    let n = unsafe { nutorch_grad_fn_name(tensor.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    (n > 0).then(|| message(&buf))
}

/// Whether the tensor has a grad_fn (it was computed by an op that tracks gradients).
pub fn has_grad_fn(tensor: &Tensor) -> bool {
    tensor.requires_grad() && !tensor.f_is_leaf().unwrap_or(true)
}

/// For each target, whether its grad_fn belongs to the graph behind `root` (a backward from
/// `root` without retain_graph frees that part of the graph).
pub fn graph_reaches(root: &Tensor, targets: &[&Tensor]) -> Vec<bool> {
    let ptrs: Vec<*const C_tensor> = targets.iter().map(|t| t.as_ptr()).collect();
    let mut out = vec![0u8; targets.len()];
    // SAFETY: every pointer is a live tensor; `out` has one byte per target.
    let rc = unsafe { nutorch_graph_reaches(root.as_ptr(), ptrs.as_ptr(), ptrs.len(), out.as_mut_ptr()) };
    if rc != 0 {
        return vec![false; targets.len()];
    }
    out.into_iter().map(|b| b != 0).collect()
}

/// An identity of the tensor's storage: equal for a tensor and its views, 0 when it has none.
pub fn storage_id(tensor: &Tensor) -> usize {
    // SAFETY: `tensor` is live.
    unsafe { nutorch_storage_id(tensor.as_ptr()) }
}

/// The tensor's offset in its storage, in elements (`Tensor.storage_offset()`); `None` without
/// a storage.
pub fn storage_offset(tensor: &Tensor) -> Option<i64> {
    // SAFETY: `tensor` is live.
    let offset = unsafe { nutorch_storage_offset(tensor.as_ptr()) };
    (offset >= 0).then_some(offset)
}

/// The identity of a tensor's TensorImpl (shared by its shallow clones, not by its views);
/// 0 for an undefined tensor. Freed TensorImpls' addresses are reused: hold an [`ImplPin`]
/// to compare identities over time.
pub fn impl_id(tensor: &Tensor) -> usize {
    // SAFETY: `tensor` is live.
    unsafe { nutorch_impl_id(tensor.as_ptr()) }
}

/// Keeps a TensorImpl's address from being reused (a weak reference: the data is not kept,
/// and the tensor does not count as used more).
pub struct ImplPin(*mut std::ffi::c_void);

// SAFETY: a weak_intrusive_ptr's count is atomic; the pin is only created and destroyed.
unsafe impl Send for ImplPin {}
unsafe impl Sync for ImplPin {}

impl ImplPin {
    pub fn of(tensor: &Tensor) -> ImplPin {
        // SAFETY: `tensor` is live; the shim returns an owned pointer or null.
        ImplPin(unsafe { nutorch_impl_pin(tensor.as_ptr()) })
    }
}

impl Drop for ImplPin {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: made by nutorch_impl_pin, freed once.
            unsafe { nutorch_impl_unpin(self.0) }
        }
    }
}

/// A uint8 tensor over the whole storage of `tensor` (`torch.empty(0, dtype=torch.uint8)
/// .set_(t.untyped_storage())`): the bytes the tensor shares with its views, not a copy.
pub fn storage_bytes(tensor: &Tensor) -> Result<Tensor> {
    let mut err = [0u8; 512];
    let mut out: *mut C_tensor = std::ptr::null_mut();
    // SAFETY: on success the shim hands over a new at::Tensor*, which tch's Tensor owns and frees.
    let rc = unsafe { nutorch_storage_bytes(tensor.as_ptr(), &mut out, err.as_mut_ptr().cast(), err.len()) };
    if rc != 0 || out.is_null() {
        return Err(Error::Torch(format!("reaching the tensor's storage: {}", message(&err))));
    }
    Ok(unsafe { Tensor::from_ptr(out) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn restoring_the_rng_state_repeats_the_draws() {
        tch::manual_seed(1);
        let _ = Tensor::f_randn([2], (Kind::Float, Device::Cpu)).unwrap();
        let state = RngState::capture().unwrap();
        assert!(state.cpu.len() > 100);
        let a = Vec::<f32>::try_from(Tensor::f_randn([5], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
        tch::manual_seed(7);
        state.restore().unwrap();
        let b = Vec::<f32>::try_from(Tensor::f_randn([5], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_cuda_generators_state_round_trips_where_there_is_cuda() {
        if cuda_device_count() == 0 {
            assert!(RngState::capture().unwrap().cuda.is_empty());
            return;
        }
        let cuda = Device::Cuda(0);
        let draw = || Vec::<f32>::try_from(Tensor::f_randn([5], (Kind::Float, cuda)).unwrap().to(Device::Cpu)).unwrap();
        tch::manual_seed(5);
        let _ = draw();
        let state = RngState::capture().unwrap();
        assert_eq!(state.cuda[0].0, 0, "cuda:0 was used, so its state is captured");
        let a = draw();
        tch::manual_seed(9);
        state.restore().unwrap();
        assert_eq!(draw(), a);
    }

    #[test]
    fn grad_fn_graph_and_storage() {
        let w = Tensor::f_ones([3], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
        let h = w.f_mul(&w).unwrap();
        let loss = h.f_sum(Kind::Float).unwrap();
        let other = w.f_add_scalar(1.0).unwrap();
        assert_eq!(grad_fn_name(&w), None);
        assert_eq!(grad_fn_name(&h).as_deref(), Some("MulBackward0"));
        assert!(has_grad_fn(&loss) && !has_grad_fn(&w));
        assert_eq!(graph_reaches(&loss, &[&h, &loss, &other, &w]), vec![true, true, false, false]);
        let v = w.f_view([3, 1]).unwrap();
        assert_eq!(storage_id(&v), storage_id(&w));
        assert_ne!(storage_id(&h), storage_id(&w));
    }

    #[test]
    fn pinned_impl_ids_are_not_reused() {
        let pinned: Vec<(usize, ImplPin)> = (0..64)
            .map(|_| {
                let t = Tensor::f_zeros([4], (Kind::Float, Device::Cpu)).unwrap();
                (impl_id(&t), ImplPin::of(&t))
            })
            .collect();
        let ids: std::collections::HashSet<usize> = pinned.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.len(), 64, "each freed tensor's TensorImpl address stays taken while pinned");
        let clone = Tensor::f_zeros([1], (Kind::Float, Device::Cpu)).unwrap();
        assert_eq!(impl_id(&clone), impl_id(&clone.shallow_clone()));
    }

    #[test]
    fn storage_bytes_share_memory_with_the_tensor() {
        let x = Tensor::f_zeros([2, 3], (Kind::Float, Device::Cpu)).unwrap();
        let v = x.f_view([6]).unwrap().f_narrow(0, 1, 3).unwrap();
        assert_eq!((storage_offset(&x), storage_offset(&v)), (Some(0), Some(1)));
        let bytes = storage_bytes(&v).unwrap();
        assert_eq!(bytes.size(), [24]);
        assert_eq!(storage_id(&bytes), storage_id(&x));
        let mut again = bytes.f_view_dtype(Kind::Float).unwrap().f_as_strided([3], [1], 1).unwrap();
        let _ = again.f_fill_(1.0).unwrap();
        assert_eq!(Vec::<f32>::try_from(x.f_view([6]).unwrap()).unwrap(), [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }
}
