//! The plugin's settings, from `$env.config.plugins.nutorch`:
//!
//! ```nu
//! $env.config.plugins.nutorch = {
//!     store_dir: ~/.cache/nutorch/store   # where spilled tensors go
//!     idle_spill: 1sec                    # write live tensors after this much idle time
//!     memory_budget: 4GB                  # spill least recently used tensors beyond this
//! }
//! ```
//! `NUTORCH_STORE_DIR` in the environment wins over `store_dir` (it also reaches plugin
//! processes that Nushell starts without `$env`).

use nu_protocol::Value;
use nutorch_store::{StoreConfig, STORE_DIR_ENV};
use std::path::PathBuf;
use std::time::Duration;

pub fn store_config(settings: Option<&Value>) -> StoreConfig {
    let mut config = StoreConfig::default();
    let Some(Value::Record { val, .. }) = settings else { return config };
    if std::env::var_os(STORE_DIR_ENV).is_none() {
        if let Some(dir) = val.get("store_dir").and_then(|v| v.coerce_str().ok()) {
            config.dir = PathBuf::from(expand_home(&dir));
        }
    }
    if let Some(Value::Duration { val, .. }) = val.get("idle_spill") {
        config.idle_spill = Duration::from_nanos((*val).max(0) as u64);
    }
    match val.get("memory_budget") {
        Some(Value::Filesize { val, .. }) => config.memory_budget = Some(val.get().max(0) as u64),
        Some(Value::Int { val, .. }) => config.memory_budget = Some((*val).max(0) as u64),
        Some(Value::Nothing { .. }) => config.memory_budget = None,
        _ => {}
    }
    config
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}
