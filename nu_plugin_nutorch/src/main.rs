use nu_plugin::{serve_plugin, MsgPackSerializer};
use nu_plugin_nutorch::NutorchPlugin;

/// Idle OpenMP workers must sleep, not spin, in a process that shares the cores with nu: this
/// restarts the process with OMP_WAIT_POLICY=PASSIVE before libgomp reads it (see openmp.rs).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".preinit_array"]
static OPENMP_WAIT_POLICY: unsafe extern "C" fn(
    std::ffi::c_int,
    *const *const std::ffi::c_char,
    *const *const std::ffi::c_char,
) = nu_plugin_nutorch::openmp::passive_wait_policy_preinit;

fn main() {
    nu_plugin_nutorch::guard::quiet_torch_refusal_panics();
    // Training frees and allocates the same activations every step: keep them in the heap
    // rather than getting them back as page faults (see nutorch_core::allocator).
    nutorch_core::allocator::keep_freed_heap(nutorch_core::allocator::TRAINING_HEAP_PAD);
    let plugin = NutorchPlugin::new();
    serve_plugin(&plugin, MsgPackSerializer);
    // Nushell stopped the plugin (idle GC, `plugin stop`, or the shell exiting): keep every
    // live tensor on disk so that the next plugin process finds it.
    plugin.shutdown();
}
