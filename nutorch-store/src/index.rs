//! The sled index of one shell's spilled tensors: id → where and what.

use crate::storage::StorageView;
use nutorch_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// File name inside the shell's `tensors/` directory. What the tensor is (dtype, shape,
    /// device, requires_grad) is in that file's header alone (`read_info`).
    pub file: String,
    /// Values Nushell held for this id when it was last written.
    pub refs: u64,
    /// Seconds since the Unix epoch.
    pub last_used: u64,
    /// It had an autograd graph (a grad_fn) when written: a process that reloads it has lost
    /// that graph.
    #[serde(default)]
    pub had_graph: bool,
    /// The other stored tensors it shared storage with (views of each other) when written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_storage_with: Vec<String>,
    /// It shares its storage with other stored tensors (a base and its views): `file` holds
    /// that storage's bytes (uint8), shared by their entries, and this is where the tensor sits
    /// in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<StorageView>,
}

pub struct Index {
    db: sled::Db,
}

fn store_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(format!("{what}: {e}"))
}

impl Index {
    /// Opens (or creates) the index. sled locks its directory; a plugin process of the same
    /// shell that is still shutting down may hold it for a moment, so the open is retried.
    pub fn open(dir: &Path) -> Result<Index> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match sled::Config::new().path(dir).open() {
                Ok(db) => return Ok(Index { db }),
                Err(e) if Instant::now() < deadline && e.to_string().to_lowercase().contains("lock") => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(store_err(&format!("opening the tensor index at {}", dir.display()), e)),
            }
        }
    }

    pub fn get(&self, id: &str) -> Result<Option<IndexEntry>> {
        let Some(bytes) = self.db.get(id).map_err(|e| store_err("reading the tensor index", e))? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| store_err(&format!("index entry of {id}"), e))
    }

    /// Records an entry and makes it durable before returning.
    pub fn put(&self, id: &str, entry: &IndexEntry) -> Result<()> {
        self.put_unflushed(id, entry)?;
        self.flush()
    }

    /// Records an entry; durable after the next `flush` (one flush for many entries).
    pub fn put_unflushed(&self, id: &str, entry: &IndexEntry) -> Result<()> {
        let bytes = serde_json::to_vec(entry).map_err(|e| store_err("encoding an index entry", e))?;
        self.db.insert(id, bytes).map_err(|e| store_err("writing the tensor index", e))?;
        Ok(())
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| store_err("flushing the tensor index", e))?;
        Ok(())
    }

    /// Changes an entry atomically (a concurrent change of the same entry is never lost):
    /// `change` gets the current entry and returns the new one, or `None` to remove it. It may
    /// run more than once. Returns the entry as it was before, `None` when there was none (then
    /// nothing is written). Unflushed.
    pub fn modify(
        &self,
        id: &str,
        mut change: impl FnMut(IndexEntry) -> Option<IndexEntry>,
    ) -> Result<Option<IndexEntry>> {
        let mut failure = None;
        let before = self
            .db
            .fetch_and_update(id, |old| {
                let old = old?;
                match serde_json::from_slice::<IndexEntry>(old) {
                    Ok(entry) => change(entry).and_then(|e| serde_json::to_vec(&e).ok()),
                    Err(e) => {
                        failure = Some(store_err(&format!("index entry of {id}"), e));
                        Some(old.to_vec())
                    }
                }
            })
            .map_err(|e| store_err("writing the tensor index", e))?;
        if let Some(e) = failure {
            return Err(e);
        }
        before
            .map(|b| serde_json::from_slice(&b).map_err(|e| store_err(&format!("index entry of {id}"), e)))
            .transpose()
    }

    pub fn remove(&self, id: &str) -> Result<()> {
        self.db.remove(id).map_err(|e| store_err("writing the tensor index", e))?;
        self.db.flush().map_err(|e| store_err("flushing the tensor index", e))?;
        Ok(())
    }

    /// All entries (skipping any that cannot be decoded).
    pub fn entries(&self) -> Vec<(String, IndexEntry)> {
        self.db
            .iter()
            .filter_map(|kv| kv.ok())
            .filter_map(|(k, v)| Some((String::from_utf8(k.to_vec()).ok()?, serde_json::from_slice(&v).ok()?)))
            .collect()
    }
}
