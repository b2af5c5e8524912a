//! Where the store lives and when it spills.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    /// Root directory: `shells/<owner>/{index,tensors}` below it.
    pub dir: PathBuf,
    /// How long after the last command live tensors are written to disk. Well under
    /// Nushell's default 10 s plugin GC, so an idle stop never loses anything.
    pub idle_spill: Duration,
    /// Bytes of tensor data kept in memory before the least recently used are spilled and
    /// dropped from memory (reloaded on next use). `None`: no limit.
    pub memory_budget: Option<u64>,
}

/// Environment variable naming the store directory; it wins over the plugin config (tests and
/// scripts use it, and it reaches plugin processes that Nushell starts without `$env`).
pub const STORE_DIR_ENV: &str = "NUTORCH_STORE_DIR";

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { dir: default_dir(), idle_spill: Duration::from_secs(1), memory_budget: Some(4 << 30) }
    }
}

/// `$NUTORCH_STORE_DIR`, else `$XDG_CACHE_HOME/nutorch/store`, else `~/.cache/nutorch/store`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(STORE_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("nutorch").join("store")
}
