//! CUDA graphs (csrc/cuda_graph.cpp): a training step captured once and replayed as one launch,
//! instead of a few dozen kernel launches from the CPU per step. What the GPU computes is the
//! same kernels on the same memory, so the results are those of running the step eagerly.
//!
//! A [`SideStream`] makes one of libtorch's pool streams current (captures need a stream that
//! is not the default one, and the first steps before a capture should run on it too, so that
//! lazily made per-stream state such as cuBLAS workspaces exists before capturing); dropping it
//! makes the original stream wait for the side stream's work and current again.
//!
//! Only work whose launches do not change from step to step can be replayed: fixed shapes, the
//! same tensors (inputs and parameters updated in place), no number read back to the CPU inside
//! the step, no host-side values that change (a learning-rate schedule, Adam's bias
//! corrections), no random numbers. Callers decide that; `NUTORCH_CUDA_GRAPHS=0` in the
//! environment turns graphs off (for comparing, or as a way out).

use crate::error::{shim_error, Result};
use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use tch::Device;

extern "C" {
    fn nutorch_cuda_graphs_built() -> c_int;
    fn nutorch_side_stream_begin(device: i64, session: *mut *mut c_void, err: *mut c_char, cap: usize) -> c_int;
    fn nutorch_side_stream_end(session: *mut c_void, err: *mut c_char, cap: usize) -> c_int;
    fn nutorch_graph_op(session: *mut c_void, op: i32, err: *mut c_char, cap: usize) -> c_int;
}

/// 0: not decided yet (the environment decides on first use), 1: off, 2: on.
static ENABLED: AtomicU8 = AtomicU8::new(0);
/// Graph replays so far in this process (what tests and benchmarks look at).
static REPLAYS: AtomicU64 = AtomicU64::new(0);

/// Whether this build has CUDA graphs (the shim was compiled with them).
pub fn built() -> bool {
    // SAFETY: a constant of the compiled shim.
    unsafe { nutorch_cuda_graphs_built() != 0 }
}

/// Whether training loops may use CUDA graphs: built in, and not turned off by
/// `NUTORCH_CUDA_GRAPHS=0` (or by [`set_enabled`]).
pub fn enabled() -> bool {
    match ENABLED.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let off = std::env::var("NUTORCH_CUDA_GRAPHS").is_ok_and(|v| v == "0" || v.eq_ignore_ascii_case("off"));
            set_enabled(!off);
            !off && built()
        }
    }
}

/// Turns graphs on (where built) or off for this process, for comparing the two.
pub fn set_enabled(on: bool) {
    ENABLED.store(if on && built() { 2 } else { 1 }, Ordering::Relaxed);
}

/// How many graph replays this process has run.
pub fn replays() -> u64 {
    REPLAYS.load(Ordering::Relaxed)
}

/// A side stream made current on a CUDA device, with at most one captured graph.
pub struct SideStream {
    session: *mut c_void,
    captured: bool,
}

fn checked(rc: c_int, err: &[u8]) -> Result<()> {
    if rc != 0 {
        return Err(shim_error(err));
    }
    Ok(())
}

impl SideStream {
    /// Switches `device`'s current stream to a side stream, after the work queued so far.
    pub fn begin(device: Device) -> Result<SideStream> {
        let Device::Cuda(index) = device else {
            return Err(crate::Error::Argument(format!("CUDA graphs need a CUDA device, not {device:?}")));
        };
        let mut err = [0u8; 1024];
        let mut session = std::ptr::null_mut();
        // SAFETY: on success the shim hands over a session that Drop frees.
        let rc = unsafe { nutorch_side_stream_begin(index as i64, &mut session, err.as_mut_ptr().cast(), err.len()) };
        checked(rc, &err)?;
        Ok(SideStream { session, captured: false })
    }

    fn op(&self, op: i32) -> Result<()> {
        let mut err = [0u8; 1024];
        // SAFETY: the session is live until Drop.
        let rc = unsafe { nutorch_graph_op(self.session, op, err.as_mut_ptr().cast(), err.len()) };
        checked(rc, &err)
    }

    /// Records what `body` launches into a graph, without running it (call [`replay`] to
    /// run it). `body`'s effects on the CPU side happen once, now. If `body` or the capture
    /// fails, no graph is kept and the error is returned.
    ///
    /// [`replay`]: SideStream::replay
    pub fn capture<T>(&mut self, body: impl FnOnce() -> Result<T>) -> Result<T> {
        self.captured = false;
        self.op(0)?;
        let out = body();
        let ended = self.op(1);
        let out = out?;
        ended?;
        self.captured = true;
        Ok(out)
    }

    /// Whether a graph was captured.
    pub fn has_graph(&self) -> bool {
        self.captured
    }

    /// Runs the captured graph once more.
    pub fn replay(&self) -> Result<()> {
        self.op(2)?;
        REPLAYS.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Drop for SideStream {
    fn drop(&mut self) {
        let mut err = [0u8; 1024];
        // SAFETY: the session is freed here and not used again.
        let _ = unsafe { nutorch_side_stream_end(self.session, err.as_mut_ptr().cast(), err.len()) };
    }
}
