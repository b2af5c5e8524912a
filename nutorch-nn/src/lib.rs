//! nutorch-nn: small neural networks on libtorch, with PyTorch's semantics.
//!
//! Everything here mirrors a piece of PyTorch closely enough that numbers agree with it:
//! [`Linear`] is `nn.Linear` (same default initialisation, same kernel), [`cross_entropy`] is
//! `F.cross_entropy`, [`Sgd`] and [`Adam`] follow `torch.optim.SGD` / `torch.optim.Adam`,
//! [`SimpleNN`] maps 1:1 onto a PyTorch module with `fc1`/`fc2` Linear layers, and models are
//! saved as safetensors files that `safetensors.torch.load_file` reads.
//!
//! Every fallible call returns [`nutorch_core::Result`]: the library never panics on bad
//! input, because a panic would take down the process that holds the user's tensors.

pub mod activation;
pub mod data;
pub mod io;
pub mod linear;
pub mod loss;
pub mod module;
pub mod optim;
pub mod simple_nn;
pub mod train;

pub use activation::ReLU;
pub use data::{blobs, seed_blobs, SEED_CENTERS, SEED_SKEW, SEED_STD};
pub use linear::Linear;
pub use loss::cross_entropy;
pub use module::Module;
pub use optim::{Adam, Optimizer, Sgd};
pub use simple_nn::SimpleNN;
pub use train::{accuracy, predict, train};

pub use nutorch_core::{Error, Result};
