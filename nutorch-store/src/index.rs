//! The sled index of one shell's spilled tensors: id → where and what.

use crate::file::{make_private, FileCheck};
use crate::storage::StorageView;
use nutorch_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An index directory beyond this size is compacted when it is opened. sled appends every
/// change to its log and reclaims space late; an index of a few hundred entries exports
/// to far less.
const COMPACT_ABOVE: u64 = 768 << 10;

/// The sled tree of write failures a stopping process could not otherwise report.
const FAILURES: &str = "write_failures";

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
    /// What `file` holds (dtype, shape, bytes, checksum), checked when it is read. Entries
    /// written before checksums existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<FileCheck>,
    /// When `file` was written (seconds since the Unix epoch; 0 when unknown).
    #[serde(default)]
    pub written_at: u64,
    /// The tensor's first write failed (this error) and `file` is empty: the entry remembers
    /// the id so that using it after a restart says so, rather than that it never existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unwritten: Option<String>,
    /// The tensor changed after `file` was written and the new state could not be written
    /// (this error): `file` is out of date. (A file of its own is renamed instead, which needs
    /// no space; this marks a view whose shared file still holds its siblings.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// A write of a newer state of this tensor began at this time (seconds since the Unix
    /// epoch) and has not finished: set, durably, before a spill writes the tensor's data, and
    /// replaced by the entry that write records. Found by a later process, it means the one
    /// before ended mid-write (killed, or it crashed): `file` (empty for a first write) does
    /// not hold the tensor's latest state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writing: Option<u64>,
}

impl IndexEntry {
    /// An entry with no file yet: a tensor whose first write began or failed.
    pub fn without_file(refs: u64, last_used: u64) -> IndexEntry {
        IndexEntry {
            file: String::new(),
            refs,
            last_used,
            had_graph: false,
            shared_storage_with: Vec::new(),
            view: None,
            check: None,
            written_at: 0,
            unwritten: None,
            stale: None,
            writing: None,
        }
    }
}

pub struct Index {
    dir: PathBuf,
    /// Swapped for a fresh handle by `reopen` (after a failed write, sled refuses all work
    /// until reopened) and `compact`; each call holds it for reading.
    db: std::sync::RwLock<sled::Db>,
}

fn store_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(format!("{what}: {e}"))
}

impl Index {
    /// Opens (or creates) the index. sled locks its directory; a plugin process of the same
    /// shell that is still shutting down may hold it for a moment, so the open is retried.
    /// A large index is first compacted (`compact`).
    pub fn open(dir: &Path) -> Result<Index> {
        recover_compaction(dir);
        if dir_size(dir) > COMPACT_ABOVE {
            if let Err(e) = compact(dir) {
                eprintln!("nutorch: could not compact the tensor index at {}: {e}", dir.display());
            }
        }
        let index = Index { dir: dir.to_path_buf(), db: std::sync::RwLock::new(open_db(dir)?) };
        make_private(dir, true);
        for (path, is_dir) in below(dir) {
            make_private(&path, is_dir);
        }
        Ok(index)
    }

    /// `open`, or, when the index cannot be opened for another reason than a lock (sled found
    /// it damaged), a fresh empty index in its place; the damaged one is kept beside it
    /// (`index.damaged-<seconds>`). Returns the index and, after a rebuild, what was wrong.
    pub fn open_or_rebuild(dir: &Path) -> Result<(Index, Option<String>)> {
        match Index::open(dir) {
            Ok(index) => Ok((index, None)),
            Err(e) if e.to_string().to_lowercase().contains("lock") => Err(e),
            Err(e) => {
                let secs = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let aside = sibling(dir, &format!(".damaged-{secs}"));
                std::fs::rename(dir, &aside).map_err(|r| {
                    Error::Io(format!("moving the damaged index {} aside: {r} (it failed: {e})", dir.display()))
                })?;
                let index = Index::open(dir)?;
                Ok((index, Some(format!("{e}; kept at {}", aside.display()))))
            }
        }
    }

    fn db(&self) -> std::sync::RwLockReadGuard<'_, sled::Db> {
        self.db.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        dir_size(&self.dir)
    }

    /// A fresh handle on the index: what was not flushed is gone (sled, after an I/O error
    /// such as a full disk, fails every later call until it is reopened).
    pub fn reopen(&self) -> Result<()> {
        let mut db = self.db.write().unwrap_or_else(|p| p.into_inner());
        // The old handle must be closed (it holds sled's lock on the directory) first.
        let placeholder =
            sled::Config::new().temporary(true).open().map_err(|e| store_err("reopening the tensor index", e))?;
        drop(std::mem::replace(&mut *db, placeholder));
        *db = open_db(&self.dir)?;
        Ok(())
    }

    /// Compacts the index (see `compact`) when it takes more than `COMPACT_ABOVE` on disk.
    /// Every change is flushed before.
    pub fn compact_if_large(&self) -> Result<()> {
        if dir_size(&self.dir) <= COMPACT_ABOVE {
            return Ok(());
        }
        let mut db = self.db.write().unwrap_or_else(|p| p.into_inner());
        db.flush().map_err(|e| store_err("flushing the tensor index", e))?;
        let placeholder =
            sled::Config::new().temporary(true).open().map_err(|e| store_err("compacting the tensor index", e))?;
        drop(std::mem::replace(&mut *db, placeholder));
        let compacted = compact(&self.dir);
        recover_compaction(&self.dir);
        *db = open_db(&self.dir)?;
        compacted
    }

    /// Remembers a write failure for the next process of this shell to report (this one is
    /// stopping). Durable on return.
    pub fn record_failure(&self, message: &str) -> Result<()> {
        let tree = self.db().open_tree(FAILURES).map_err(|e| store_err("writing the tensor index", e))?;
        let key = format!(
            "{:020}",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        );
        tree.insert(key, message.as_bytes()).map_err(|e| store_err("writing the tensor index", e))?;
        self.flush()
    }

    /// The failures recorded by earlier processes, oldest first; they are forgotten.
    pub fn take_failures(&self) -> Vec<String> {
        let Ok(tree) = self.db().open_tree(FAILURES) else { return Vec::new() };
        let found: Vec<String> =
            tree.iter().filter_map(|kv| kv.ok()).map(|(_, v)| String::from_utf8_lossy(&v).into_owned()).collect();
        if !found.is_empty() && tree.clear().is_ok() {
            let _ = self.flush();
        }
        found
    }

    pub fn get(&self, id: &str) -> Result<Option<IndexEntry>> {
        let Some(bytes) = self.db().get(id).map_err(|e| store_err("reading the tensor index", e))? else {
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
        self.db().insert(id, bytes).map_err(|e| store_err("writing the tensor index", e))?;
        Ok(())
    }

    pub fn flush(&self) -> Result<()> {
        self.db().flush().map_err(|e| store_err("flushing the tensor index", e))?;
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
            .db()
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
        self.db().remove(id).map_err(|e| store_err("writing the tensor index", e))?;
        self.db().flush().map_err(|e| store_err("flushing the tensor index", e))?;
        Ok(())
    }

    /// All entries (skipping any that cannot be decoded).
    pub fn entries(&self) -> Vec<(String, IndexEntry)> {
        self.db()
            .iter()
            .filter_map(|kv| kv.ok())
            .filter_map(|(k, v)| Some((String::from_utf8(k.to_vec()).ok()?, serde_json::from_slice(&v).ok()?)))
            .collect()
    }
}

/// Opens the sled database at `dir`. sled locks its directory; a plugin process of the same
/// shell that is still shutting down may hold it for a moment, so the open is retried.
/// Flushes happen only when the store asks (never in the background), so that a full disk
/// fails a write the store is making and can report, not a timer's.
fn open_db(dir: &Path) -> Result<sled::Db> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match sled::Config::new().path(dir).flush_every_ms(None).open() {
            Ok(db) => return Ok(db),
            Err(e) if Instant::now() < deadline && e.to_string().to_lowercase().contains("lock") => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(store_err(&format!("opening the tensor index at {}", dir.display()), e)),
        }
    }
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    dir.with_file_name(name)
}

/// Rewrites the index into a fresh directory (sled's export and import: only the live
/// entries) and swaps it in. Crash-safe: the old directory is renamed away only once the new
/// one is complete, and `recover_compaction` finishes or undoes a swap cut short.
fn compact(dir: &Path) -> Result<()> {
    let fresh = sibling(dir, ".compact");
    let old = sibling(dir, ".old");
    let _ = std::fs::remove_dir_all(&fresh);
    {
        let db = open_db(dir)?;
        let new = open_db(&fresh)?;
        new.import(db.export());
        new.flush().map_err(|e| store_err("flushing the compacted tensor index", e))?;
    }
    std::fs::rename(dir, &old).map_err(|e| Error::Io(format!("renaming {}: {e}", dir.display())))?;
    std::fs::rename(&fresh, dir).map_err(|e| Error::Io(format!("renaming {}: {e}", fresh.display())))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Finishes what a compaction cut short: with the index directory renamed away, the old one
/// comes back (the fresh copy may be incomplete); leftovers go.
fn recover_compaction(dir: &Path) {
    let old = sibling(dir, ".old");
    if !dir.exists() && old.exists() {
        let _ = std::fs::rename(&old, dir);
    }
    let _ = std::fs::remove_dir_all(old);
    let _ = std::fs::remove_dir_all(sibling(dir, ".compact"));
}

/// Everything below `dir`: (path, whether it is a directory).
fn below(dir: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                todo.push(e.path());
            }
            out.push((e.path(), is_dir));
        }
    }
    out
}

/// Bytes of the files below `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    below(dir).iter().filter(|(_, d)| !d).filter_map(|(f, _)| std::fs::metadata(f).ok()).map(|m| m.len()).sum()
}
