//! nu_plugin_nutorch: PyTorch in Nushell.
//!
//! The plugin composes nutorch-core (tch ops, dtypes, devices), nutorch-store (where tensors
//! live) and nutorch-nn (networks). This crate knows Nushell: commands, signatures, the tensor
//! custom value, value ⇄ tensor conversion and errors with spans.

pub mod args;
pub mod commands;
pub mod custom_ops;
pub mod errors;
pub mod grad_mode;
pub mod guard;
pub mod openmp;
pub mod plot;
pub mod plugin;
pub mod settings;
pub mod tensor_value;
pub mod values;

pub use plugin::NutorchPlugin;
pub use tensor_value::TensorValue;
