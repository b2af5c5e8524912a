//! nutorch-store: where nutorch's tensors live.
//!
//! Tensors are kept in memory under string ids (UUIDs), with a reference count that mirrors
//! how many values Nushell holds for each id.

mod registry;

pub use registry::{Registry, TensorEntry};
