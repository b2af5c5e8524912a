//! nu_plugin_nutorch: PyTorch in Nushell.
//!
//! The plugin composes nutorch-core (tch ops, dtypes, devices), nutorch-store (where tensors
//! live) and nutorch-nn (networks). This crate knows Nushell: commands, signatures, the tensor
//! custom value, value ⇄ tensor conversion and errors with spans.

//!
//! Its public API is what the binary (main.rs) and the tests use: [`NutorchPlugin`], the
//! OpenMP pre-init hook and the completions; everything else is `pub(crate)`, so that code
//! nothing calls is reported as dead.

pub(crate) mod args;
pub mod commands;
pub(crate) mod custom_ops;
pub(crate) mod errors;
pub(crate) mod files;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod grad_mode;
pub mod guard;
pub mod openmp;
pub(crate) mod plot;
pub(crate) mod plugin;
pub(crate) mod save_hook;
pub(crate) mod settings;
pub(crate) mod tensor_value;
pub(crate) mod values;

pub use plugin::NutorchPlugin;
