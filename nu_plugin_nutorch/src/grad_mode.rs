//! `nutorch no-grad { ... }`: gradient tracking off for every op run while a block runs.
//!
//! libtorch's grad mode is per thread, and nu-plugin runs the calls made from inside a block
//! on other threads than the `no-grad` call itself. So the plugin keeps a depth counter that
//! every op consults, switching grad mode off around its own work while the counter is above
//! zero. Ops started elsewhere while a block runs are affected too (one plugin process per
//! shell makes that rare).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Default)]
pub struct GradMode {
    no_grad_depth: AtomicUsize,
    /// `nutorch set_grad_enabled false` until `set_grad_enabled true`.
    disabled: AtomicBool,
}

/// Decrements the depth when the block ends, however it ends.
pub struct NoGradBlock<'a>(&'a GradMode);

impl Drop for NoGradBlock<'_> {
    fn drop(&mut self) {
        self.0.no_grad_depth.fetch_sub(1, Ordering::SeqCst);
    }
}

impl GradMode {
    /// Enters a no-grad block until the returned guard is dropped.
    pub fn no_grad(&self) -> NoGradBlock<'_> {
        self.no_grad_depth.fetch_add(1, Ordering::SeqCst);
        NoGradBlock(self)
    }

    pub fn is_no_grad(&self) -> bool {
        self.no_grad_depth.load(Ordering::SeqCst) > 0 || self.disabled.load(Ordering::SeqCst)
    }

    /// torch.set_grad_enabled(flag), plugin-wide.
    pub fn set_enabled(&self, enabled: bool) {
        self.disabled.store(!enabled, Ordering::SeqCst);
    }

    /// Runs `f` with libtorch's grad mode off on this thread if a no-grad block is active.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        if self.is_no_grad() {
            nutorch_core::tch::no_grad(f)
        } else {
            f()
        }
    }
}
