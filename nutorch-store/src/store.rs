//! The store: tensors in memory, spilled to safetensors files indexed in sled, reloaded on a
//! miss. Ids outlive the plugin process: after a restart, an id not in memory is found on disk.

use crate::config::StoreConfig;
use crate::file::{read_tensor, write_tensor};
use crate::index::{Index, IndexEntry};
use crate::owner;
use crate::registry::{not_found, Fingerprint, Registry, Slot, TensorEntry};
use nutorch_core::tch::Tensor;
use nutorch_core::{Error, Result, TensorInfo};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where a listed tensor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Residence {
    /// In memory (and possibly also on disk).
    Memory,
    /// Only on disk; loaded on next use.
    Disk,
}

/// A row of `nutorch ls`.
#[derive(Debug, Clone)]
pub struct StoredTensor {
    pub id: String,
    pub shape: Vec<i64>,
    pub dtype: String,
    pub device: String,
    pub bytes: u64,
    pub requires_grad: bool,
    pub residence: Residence,
    pub on_disk: bool,
    pub last_used: SystemTime,
}

/// `nutorch store`'s numbers.
#[derive(Debug, Clone)]
pub struct StoreSummary {
    pub dir: PathBuf,
    pub shell_dir: PathBuf,
    pub tensors: usize,
    pub in_memory: usize,
    pub memory_bytes: u64,
    pub disk_bytes: u64,
    pub memory_budget: Option<u64>,
    pub idle_spill: Duration,
}

/// This shell's part of the store on disk, opened on first need.
struct Disk {
    index: Index,
    tensors: PathBuf,
}

pub struct Store {
    config: StoreConfig,
    owner: String,
    registry: Registry,
    disk: Mutex<Option<Disk>>,
    /// Commands hold it for reading; the idle spiller takes it for writing only when free.
    activity: RwLock<()>,
    last_activity: Mutex<Instant>,
    last_spill: Mutex<Instant>,
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Held by a running command: the idle spiller waits for it, and its end counts as activity.
pub struct CommandGuard<'a> {
    store: &'a Store,
    _active: RwLockReadGuard<'a, ()>,
}

impl Drop for CommandGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.store.last_activity) = Instant::now();
    }
}

impl Store {
    /// A store for the shell that started this process (the parent process).
    pub fn open(config: StoreConfig) -> Store {
        Self::open_as(config, owner::parent_owner_key())
    }

    /// A store owned by `owner` (tests use distinct owners to play several shells).
    pub fn open_as(config: StoreConfig, owner: String) -> Store {
        let now = Instant::now();
        Store {
            config,
            owner,
            registry: Registry::new(),
            disk: Mutex::new(None),
            activity: RwLock::new(()),
            last_activity: Mutex::new(now),
            last_spill: Mutex::new(now),
        }
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    fn shells_dir(&self) -> PathBuf {
        self.config.dir.join("shells")
    }

    fn shell_dir(&self) -> PathBuf {
        self.shells_dir().join(&self.owner)
    }

    /// Marks the start of a command; hold the guard while it runs.
    pub fn command(&self) -> CommandGuard<'_> {
        let active = self.activity.read().unwrap_or_else(|p| p.into_inner());
        *lock(&self.last_activity) = Instant::now();
        CommandGuard { store: self, _active: active }
    }

    /// Opens this shell's index and tensor directory, reclaiming what dead shells left.
    fn disk(&self) -> Result<MutexGuard<'_, Option<Disk>>> {
        let mut disk = lock(&self.disk);
        if disk.is_none() {
            let shell = self.shell_dir();
            let tensors = shell.join("tensors");
            std::fs::create_dir_all(&tensors).map_err(|e| Error::Io(format!("creating {}: {e}", tensors.display())))?;
            self.reclaim_dead_shells();
            remove_temporaries(&tensors);
            let index = Index::open(&shell.join("index"))?;
            *disk = Some(Disk { index, tensors });
        }
        Ok(disk)
    }

    /// Deletes the parts of the store whose shells are no longer running.
    fn reclaim_dead_shells(&self) {
        let Ok(dirs) = std::fs::read_dir(self.shells_dir()) else { return };
        for dir in dirs.flatten() {
            let key = dir.file_name().to_string_lossy().into_owned();
            if key != self.owner && !owner::is_alive(&key) {
                let _ = std::fs::remove_dir_all(dir.path());
            }
        }
    }

    /// Stores a new tensor (no references yet) and keeps memory within the budget.
    pub fn insert(&self, tensor: Tensor) -> String {
        let id = self.registry.insert(tensor);
        self.enforce_budget(&id);
        id
    }

    /// The tensor of `id`: from memory, else loaded from disk onto the device it came from.
    pub fn get(&self, id: &str) -> Result<Tensor> {
        if let Ok(t) = self.registry.get(id) {
            return Ok(t);
        }
        self.load(id)?;
        self.registry.get(id)
    }

    /// Replaces the tensor stored under an existing id (in-place style updates).
    pub fn replace(&self, id: &str, tensor: Tensor) -> Result<()> {
        if !self.registry.contains(id) {
            self.load(id)?;
        }
        self.registry.replace(id, tensor)
    }

    /// Number of tensors in memory.
    pub fn len(&self) -> usize {
        self.registry.len()
    }

    pub fn is_empty(&self) -> bool {
        self.registry.is_empty()
    }

    /// Whether `id` is known in memory or on disk (without loading it).
    pub fn contains(&self, id: &str) -> bool {
        self.registry.contains(id)
            || self.disk_entry(id).ok().flatten().is_some()
            || self.find_foreign_file(id).is_some()
    }

    fn disk_entry(&self, id: &str) -> Result<Option<IndexEntry>> {
        let disk = self.disk()?;
        disk.as_ref().map(|d| d.index.get(id)).transpose().map(Option::flatten)
    }

    /// A tensor file of another (live) shell: ids written down in one shell work in another.
    fn find_foreign_file(&self, id: &str) -> Option<PathBuf> {
        if !valid_id(id) {
            return None;
        }
        let name = format!("{id}.safetensors");
        std::fs::read_dir(self.shells_dir())
            .ok()?
            .flatten()
            .map(|d| d.path().join("tensors").join(&name))
            .find(|p| p.exists())
    }

    fn load(&self, id: &str) -> Result<()> {
        let (tensor, refs, on_disk) = {
            let disk = self.disk()?;
            let disk = disk.as_ref().ok_or_else(|| not_found(id))?;
            match disk.index.get(id)? {
                Some(entry) => {
                    let path = disk.tensors.join(&entry.file);
                    let tensor = read_tensor(&path).map_err(|e| with_id(id, e))?;
                    (tensor, entry.refs, true)
                }
                None => {
                    let path = self.find_foreign_file(id).ok_or_else(|| not_found(id))?;
                    (read_tensor(&path).map_err(|e| with_id(id, e))?, 0, false)
                }
            }
        };
        let mut slot = Slot::new(tensor);
        slot.refs = refs;
        if on_disk {
            slot.on_disk = Some(Fingerprint::of(&slot.tensor));
            slot.refs_on_disk = Some(refs);
        }
        self.registry.lock().insert(id.to_string(), slot);
        self.enforce_budget(id);
        Ok(())
    }

    /// One more value in Nushell refers to `id`.
    pub fn retain(&self, id: &str) -> Result<()> {
        if !self.registry.contains(id) {
            self.load(id)?;
        }
        self.registry.retain(id)
    }

    /// Nushell dropped a value referring to `id`; at zero references the tensor is deleted
    /// from memory and disk.
    pub fn release(&self, id: &str) -> Result<()> {
        match self.registry.release(id) {
            Some(true) => self.delete_from_disk(id),
            Some(false) => Ok(()),
            None => {
                let disk = self.disk()?;
                let Some(disk) = disk.as_ref() else { return Ok(()) };
                let Some(mut entry) = disk.index.get(id)? else { return Ok(()) };
                entry.refs = entry.refs.saturating_sub(1);
                if entry.refs == 0 {
                    let _ = std::fs::remove_file(disk.tensors.join(&entry.file));
                    disk.index.remove(id)
                } else {
                    disk.index.put(id, &entry)
                }
            }
        }
    }

    fn delete_from_disk(&self, id: &str) -> Result<()> {
        let disk = self.disk()?;
        let Some(disk) = disk.as_ref() else { return Ok(()) };
        if let Some(entry) = disk.index.get(id)? {
            disk.index.remove(id)?;
            let _ = std::fs::remove_file(disk.tensors.join(entry.file));
        }
        Ok(())
    }

    /// Frees `id` from memory and disk, whatever its references. Returns whether it existed.
    pub fn free(&self, id: &str) -> Result<bool> {
        let in_memory = self.registry.remove(id);
        let on_disk = self.disk_entry(id)?.is_some();
        self.delete_from_disk(id)?;
        Ok(in_memory || on_disk)
    }

    /// Frees every tensor of this shell. Returns how many there were.
    pub fn free_all(&self) -> Result<usize> {
        let ids: std::collections::BTreeSet<String> = self.list()?.into_iter().map(|t| t.id).collect();
        for id in &ids {
            self.free(id)?;
        }
        Ok(ids.len())
    }

    /// Every tensor of this shell, in memory or on disk, most recently used first.
    pub fn list(&self) -> Result<Vec<StoredTensor>> {
        let disk_entries: Vec<(String, IndexEntry)> = match self.disk()?.as_ref() {
            Some(d) => d.index.entries(),
            None => Vec::new(),
        };
        let mut rows: Vec<StoredTensor> = self
            .registry
            .list()
            .into_iter()
            .map(|TensorEntry { id, info, last_used, .. }| StoredTensor {
                on_disk: disk_entries.iter().any(|(d, _)| *d == id),
                id,
                bytes: info.nbytes() as u64,
                shape: info.shape,
                dtype: info.dtype.name().to_string(),
                device: info.device,
                requires_grad: info.requires_grad,
                residence: Residence::Memory,
                last_used,
            })
            .collect();
        for (id, e) in disk_entries {
            if !rows.iter().any(|r| r.id == id) {
                rows.push(StoredTensor {
                    id,
                    shape: e.shape,
                    dtype: e.dtype,
                    device: e.device,
                    bytes: e.bytes,
                    requires_grad: e.requires_grad,
                    residence: Residence::Disk,
                    on_disk: true,
                    last_used: UNIX_EPOCH + Duration::from_secs(e.last_used),
                });
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_used));
        Ok(rows)
    }

    pub fn summary(&self) -> Result<StoreSummary> {
        let rows = self.list()?;
        let disk_bytes = match self.disk()?.as_ref() {
            Some(d) => dir_bytes(&d.tensors),
            None => 0,
        };
        Ok(StoreSummary {
            dir: self.config.dir.clone(),
            shell_dir: self.shell_dir(),
            tensors: rows.len(),
            in_memory: rows.iter().filter(|r| r.residence == Residence::Memory).count(),
            memory_bytes: self.registry.bytes(),
            disk_bytes,
            memory_budget: self.config.memory_budget,
            idle_spill: self.config.idle_spill,
        })
    }

    /// Writes every in-memory tensor whose data or references changed since its last write.
    /// A failed write is an error and leaves memory (and what is already stored) untouched.
    /// Returns how many tensors were written.
    pub fn spill_all(&self) -> Result<usize> {
        let dirty: Vec<String> =
            self.registry.lock().iter().filter(|(_, s)| s.dirty()).map(|(id, _)| id.clone()).collect();
        let mut written = 0;
        let mut first_error = None;
        for id in dirty {
            match self.spill(&id) {
                Ok(true) => written += 1,
                Ok(false) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        *lock(&self.last_spill) = Instant::now();
        match first_error {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }

    /// Writes one tensor (file first, then index) if it changed. Returns whether it wrote.
    fn spill(&self, id: &str) -> Result<bool> {
        let (tensor, refs, last_used, data_dirty) = {
            let slots = self.registry.lock();
            let Some(slot) = slots.get(id) else { return Ok(false) };
            if !slot.dirty() {
                return Ok(false);
            }
            (slot.tensor.shallow_clone(), slot.refs, slot.last_used, slot.data_dirty())
        };
        let fingerprint = Fingerprint::of(&tensor);
        let info = TensorInfo::of(&tensor)?;
        let disk = self.disk()?;
        let disk = disk.as_ref().ok_or_else(|| Error::Store("the store directory is not open".into()))?;
        let file = format!("{id}.safetensors");
        if data_dirty {
            write_tensor(&disk.tensors.join(&file), &tensor)?;
        }
        let entry = IndexEntry {
            file,
            dtype: info.dtype.name().to_string(),
            shape: info.shape.clone(),
            device: info.device.clone(),
            requires_grad: info.requires_grad,
            bytes: info.nbytes() as u64,
            refs,
            last_used: unix_secs(last_used),
        };
        disk.index.put(id, &entry)?;
        if let Some(slot) = self.registry.lock().get_mut(id) {
            slot.on_disk = Some(fingerprint);
            slot.refs_on_disk = Some(refs);
        }
        Ok(true)
    }

    /// Spills `id` if needed, then drops it from memory (it reloads on next use).
    pub fn evict(&self, id: &str) -> Result<()> {
        self.spill(id)?;
        let mut slots = self.registry.lock();
        if slots.get(id).is_some_and(|s| !s.dirty()) {
            slots.remove(id);
        }
        Ok(())
    }

    /// While memory exceeds the budget, evicts the least recently used tensors (never `keep`).
    fn enforce_budget(&self, keep: &str) {
        let Some(budget) = self.config.memory_budget else { return };
        loop {
            let victim = {
                let slots = self.registry.lock();
                let total: u64 = slots.values().map(Slot::bytes).sum();
                if total <= budget {
                    return;
                }
                slots
                    .iter()
                    .filter(|(id, _)| id.as_str() != keep)
                    .min_by_key(|(_, s)| s.last_used)
                    .map(|(id, _)| id.clone())
            };
            let Some(victim) = victim else { return };
            if self.evict(&victim).is_err() {
                return; // cannot write: keep it in memory rather than lose it
            }
        }
    }

    /// Starts the background thread that spills live tensors once no command has run for
    /// `idle_spill`. It stops when the store is dropped.
    pub fn start_idle_spiller(self: &Arc<Self>) {
        let weak: Weak<Store> = Arc::downgrade(self);
        let _ = std::thread::Builder::new().name("nutorch idle spill".into()).spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let Some(store) = weak.upgrade() else { return };
            let last_activity = *lock(&store.last_activity);
            let idle_long_enough = last_activity.elapsed() >= store.config.idle_spill;
            let changed_since_spill = *lock(&store.last_spill) < last_activity;
            if idle_long_enough && changed_since_spill {
                if let Ok(_exclusive) = store.activity.try_write() {
                    if let Err(e) = store.spill_all() {
                        eprintln!("nutorch: could not write tensors to the store: {e}");
                    }
                }
            }
        });
    }
}

/// Ids are UUIDs; anything else never names a file (no path tricks through ids).
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn with_id(id: &str, err: Error) -> Error {
    match err {
        Error::Store(m) => Error::Store(format!("tensor {id}: {m}")),
        Error::Io(m) => Error::Io(format!("tensor {id}: {m}")),
        Error::Device(m) => Error::Device(format!("tensor {id}: {m}")),
        other => other,
    }
}

fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().ends_with(".tmp") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map(|es| es.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
}
