//! nutorch-nn: neural networks on libtorch, with PyTorch's semantics.
//!
//! - [`LayerSpec`]: an architecture as data (`torch.nn` layer names, constructor arguments and
//!   defaults; JSON in model files). [`Model`] builds it with PyTorch's default initialisation
//!   ([`Model::new`]) or around existing tensors ([`Model::from_tensors`], no copies), and runs
//!   it ([`Module::forward`]) in training or eval mode.
//! - Parameters and buffers carry PyTorch's `state_dict` names (`0.weight`,
//!   `1.running_mean`, …): [`save_model`] writes what `load_state_dict(strict=True)` of the
//!   equivalent `torch.nn` model reads, and [`load_model`] reads PyTorch's `state_dict` files.
//! - [`Loss`], [`Optimizer`] (SGD, Adam, AdamW, RMSprop, with their state as named tensors) and
//!   [`Scheduler`] (StepLR, CosineAnnealingLR) follow `torch.nn.functional` / `torch.optim`.
//! - [`fit`] is the mini-batch training loop (seeded shuffling with `torch.randperm`'s
//!   permutations, validation, progress, cancellation), [`train_step`] one step.
//!
//! Every fallible call returns [`nutorch_core::Result`]: the library never panics on bad
//! input, because a panic would take down the process that holds the user's tensors.

pub mod data;
pub mod fit;
pub mod init;
pub mod io;
mod layers;
pub mod loss;
pub mod model;
pub mod optim;
pub mod params;
pub mod spec;

pub use data::{blobs, seed_blobs, SEED_CENTERS, SEED_SKEW, SEED_STD};
pub use fit::{
    accuracy, evaluate, fit, predict, train_step, BatchProgress, EpochRecord, Evaluation, FitOptions, FitOutcome,
};
pub use init::Init;
pub use io::{load_model, save_model};
pub use loss::{cross_entropy, Loss, LossKind};
pub use model::{Model, Module};
pub use optim::{Optimizer, OptimizerSpec, Scheduler, SchedulerSpec};
pub use params::NamedTensors;
pub use spec::LayerSpec;

pub use nutorch_core::{Error, Result};

/// The reference workload's network: `SimpleNN(input, hidden, output)` with PyTorch's default
/// initialisation (fc1 weight, fc1 bias, fc2 weight, fc2 bias, drawn in that order).
pub fn simple_nn(input: i64, hidden: i64, output: i64) -> Result<Model> {
    Model::new(&LayerSpec::SimpleNn { input, hidden, output })
}
