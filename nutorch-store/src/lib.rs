//! nutorch-store: where nutorch's tensors live.
//!
//! Tensors are kept in memory under string ids (UUIDs), with a reference count that mirrors
//! how many values Nushell holds for each id. Live tensors are spilled to safetensors files
//! (one per tensor, or one per storage that several tensors share as views of each other;
//! written whole before the index names them) indexed in sled, after a short
//! idle period and on graceful stop, so that a restarted plugin process finds them again.
//! Each shell (the plugin's parent process) has its own part of the store; parts of shells
//! that exited are reclaimed.

mod config;
mod file;
mod index;
mod owner;
mod registry;
mod session;
mod storage;
mod store;

pub use config::{default_dir, StoreConfig, STORE_DIR_ENV};
pub use file::{read_info, read_tensor, write_tensor, FileInfo};
pub use index::{dir_size, IndexEntry};
pub use owner::{is_alive, owner_key};
pub use registry::{Registry, TensorEntry};
pub use session::Session;
pub use storage::StorageView;
pub use store::{CommandGuard, Residence, Store, StoreSummary, StoredTensor, GRAPH_LOST};
