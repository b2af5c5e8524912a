//! nutorch-core: the libtorch side of nutorch.
//!
//! It knows tch and PyTorch's vocabulary (dtype and device names), owns the workspace's one
//! error type, and converts tensors to and from plain data in bulk. It does not depend on
//! Nushell, the store or its files. The op catalog is the one place that speaks the front
//! end's syntax: its examples are the plugin commands' examples (`nutorch add ...`), and its
//! notes and some argument errors name flags as the commands spell them (`--min`).

pub mod allocator;
pub mod autograd;
pub mod catalog;
pub mod convert;
pub mod creation;
pub mod cuda_graph;
pub mod device;
pub mod dtype;
pub mod error;
pub mod foreach;
pub mod indexing;
pub mod info;
pub mod npy;
pub mod number;
pub mod repr;
pub mod safetensors_data;
pub mod scalar_ops;
pub mod state;

pub use convert::{check_fits, tensor_from_data, tensor_to_data, Buffer, Data};
pub use device::{available_devices, parse_device, DeviceInfo};
pub use dtype::DType;
pub use error::{Error, Result};
pub use info::TensorInfo;
pub use number::Number;

/// Re-exported so that crates above core name one tch.
pub use tch;
