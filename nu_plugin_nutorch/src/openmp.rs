//! OpenMP's wait policy for the plugin process.
//!
//! libtorch runs its CPU kernels on OpenMP (libgomp). By default libgomp's worker threads keep
//! spinning for a while after every parallel region. In a plugin that is a bad fit: Nushell
//! and the plugin share the machine's cores, and every plugin call runs on its own thread with
//! its own team of workers, so the spinning steals the cores that the next call (and nu
//! itself) needs. Measured on a 2-core machine with `OMP_WAIT_POLICY=PASSIVE`: a step-by-step
//! training script went from ~17 to ~8 ms per epoch, and 300 epochs of `nutorch nn train` on
//! 30000 points with two threads on a busy machine from 2.4-25 s to ~1.1 s.
//!
//! libgomp reads the variable once, in its constructor, and a `setenv` before it does not
//! reach it (libc's environment is set up in libc's own constructor, after). So when the
//! variable is unset, the plugin executes itself again with it set (same pid, same pipes),
//! from the executable's `.preinit_array` (see main.rs): that runs after the dynamic loader
//! mapped the libraries (~10 ms) and before any library constructor (libtorch's op
//! registration, the bulk of its start-up), so the second start costs little. A policy the
//! user set is kept.

use std::ffi::{c_char, c_int};

/// The environment variable libgomp reads.
pub const WAIT_POLICY: &str = "OMP_WAIT_POLICY";

const PREFIX: &[u8] = b"OMP_WAIT_POLICY=";
const SETTING: &[u8] = b"OMP_WAIT_POLICY=PASSIVE\0";
/// Environments larger than this are left alone (the policy stays libgomp's default).
const MAX_ENV: usize = 4096;

extern "C" {
    fn execve(path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int;
}

/// Whether the NUL-terminated string `entry` starts with `prefix`.
///
/// # Safety
/// `entry` must point to a NUL-terminated string.
unsafe fn starts_with(entry: *const c_char, prefix: &[u8]) -> bool {
    for (i, &b) in prefix.iter().enumerate() {
        let c = *entry.add(i) as u8;
        if c != b {
            return false;
        }
    }
    true
}

/// For `.preinit_array`, called as `(argc, argv, envp)` before libraries are initialised:
/// re-executes `/proc/self/exe` with `OMP_WAIT_POLICY=PASSIVE` added unless the variable is
/// set. Uses no allocation and no libc state beyond `execve`; if the exec fails, the process
/// simply goes on with libgomp's default.
///
/// # Safety
/// `argv` and `envp` must be NULL-terminated arrays of NUL-terminated strings, as the loader
/// passes them (or null).
#[cfg(target_os = "linux")]
pub unsafe extern "C" fn passive_wait_policy_preinit(
    _argc: c_int,
    argv: *const *const c_char,
    envp: *const *const c_char,
) {
    if argv.is_null() || envp.is_null() {
        return;
    }
    let mut env: [*const c_char; MAX_ENV] = [std::ptr::null(); MAX_ENV];
    let mut n = 0;
    // SAFETY: see the function's contract.
    unsafe {
        loop {
            let entry = *envp.add(n);
            if entry.is_null() {
                break;
            }
            if starts_with(entry, PREFIX) {
                return;
            }
            if n + 2 >= MAX_ENV {
                return;
            }
            env[n] = entry;
            n += 1;
        }
        env[n] = SETTING.as_ptr().cast();
        env[n + 1] = std::ptr::null();
        execve(c"/proc/self/exe".as_ptr(), argv, env.as_ptr());
    }
}
