//! How much freed memory the process keeps (glibc's malloc, where libtorch's CPU tensors live).
//!
//! A training step allocates and frees the same few megabytes of activations and gradients
//! every step. glibc hands freed memory at the top of its heap back to the kernel as soon as
//! more than its trim threshold is free there, so the next step gets the same memory as fresh
//! pages, each one a page fault: `train_blobs` (the seed's network, 30,000 points) spent a
//! third of its time in them (1.46 M faults in 1000 epochs). Keeping some padding at the top of
//! the heap (`M_TOP_PAD`) ends that (53 k faults) at the cost of holding that much freed memory.
//! Binaries decide (the plugin does at start-up); a library should not.

/// The padding the plugin keeps: above the activations of the training runs it is meant for,
/// small next to the memory it holds tensors in.
pub const TRAINING_HEAP_PAD: usize = 64 << 20;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
}

/// Keeps up to `bytes` of freed memory at the top of the heap instead of returning it to the
/// kernel (glibc's `M_TOP_PAD`); elsewhere it does nothing. Returns whether it was set.
pub fn keep_freed_heap(bytes: usize) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_TOP_PAD: std::ffi::c_int = -2;
        let value = bytes.min(std::ffi::c_int::MAX as usize) as std::ffi::c_int;
        // SAFETY: mallopt only sets a malloc parameter.
        unsafe { mallopt(M_TOP_PAD, value) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = bytes;
        false
    }
}
