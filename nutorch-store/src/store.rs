//! The store: tensors in memory, spilled to safetensors files indexed in sled, reloaded on a
//! miss. Ids outlive the plugin process: after a restart, an id not in memory is found on disk.

use crate::config::StoreConfig;
mod spill;

use crate::file::{create_private_dir_all, make_private, read_info, read_tensor, read_tensor_checked, written_for};
use crate::index::{Index, IndexEntry};
use crate::owner;
use crate::registry::{not_found, Fingerprint, Group, Registry, Slot, TensorEntry};
use crate::session::{self, Session};
use nutorch_core::state::{graph_reaches, has_grad_fn, storage_bytes, storage_id, RngState};
use nutorch_core::tch::Tensor;
use nutorch_core::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, Weak};
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
    /// Why the plugin should not be stopped now (state a restart would lose); empty when a
    /// stop loses nothing.
    pub keep_alive: Vec<String>,
    /// The error of the last write to the store, while its tensors are not yet written.
    pub write_error: Option<String>,
    /// Bytes the index takes on disk.
    pub index_bytes: u64,
}

/// The session file in a shell's directory (safetensors inside; not named `.safetensors` so
/// that it never passes for a tensor file).
const SESSION_FILE: &str = "session";

/// What using a tensor whose autograd graph did not survive a restart says.
pub const GRAPH_LOST: &str =
    "the autograd graph of this tensor was lost when the plugin restarted; run the forward pass again";

/// Space kept free in the shell's directory: a failed write on a full disk removes it, so that
/// the index can still record what could not be written.
const RESERVE: &str = "reserve";
const RESERVE_BYTES: usize = 256 << 10;

/// How soon a failed spill is tried again, with or without new commands.
const RETRY_FAILED: Duration = Duration::from_secs(5);

/// This shell's part of the store on disk, opened on first need.
struct Disk {
    index: Index,
    tensors: PathBuf,
    reserve: PathBuf,
}

type Hook = Box<dyn FnOnce(&Store) + Send>;
type Listener = Box<dyn Fn(&Store) + Send + Sync>;

/// Writes that failed, kept until a later write succeeds.
#[derive(Default)]
struct Failures {
    /// Tensors whose latest state is only in memory, with the error of their write.
    ids: HashMap<String, String>,
    /// A failure that is not one tensor's (flushing the index, the session file).
    other: Option<String>,
    /// What the next command should tell the user (a background write failed, or the last
    /// process could not write everything before it stopped).
    unreported: Option<String>,
}

impl Failures {
    /// Whether something is not on disk because a write failed.
    fn any(&self) -> bool {
        !self.ids.is_empty() || self.other.is_some()
    }
}

pub struct Store {
    config: StoreConfig,
    owner: String,
    registry: Registry,
    /// Opened on first need; `disk_opening` makes that happen once.
    disk: OnceLock<Disk>,
    disk_opening: Mutex<()>,
    /// One spill at a time (a tensor's temporary file has a fixed name); other disk work
    /// (loads, deletions) goes on meanwhile.
    spilling: Mutex<()>,
    /// One load of a tensor from a shared storage file at a time, so that two loads of that
    /// file's tensors find each other (and share one storage) rather than read it twice.
    loading_shared: Mutex<()>,
    /// Grad mode as the plugin last set it, and what the session file holds.
    session: Mutex<Session>,
    session_on_disk: Mutex<Option<(Session, RngState)>>,
    /// Tests pause a load or a spill at its racy point: (where, what runs there).
    hook: Mutex<Option<(&'static str, Hook)>>,
    /// Commands hold it for reading; the idle spiller takes it for writing only when free.
    activity: RwLock<()>,
    last_activity: Mutex<Instant>,
    /// When the last spill started (a command during it leaves it to the next spill).
    last_spill: Mutex<Instant>,
    failures: Mutex<Failures>,
    /// Told after each background spill (the plugin updates Nushell's GC setting).
    listener: Mutex<Option<Listener>>,
    /// Since `keep_alive_hint` last looked: a tensor with a live autograd graph was stored or
    /// used by a command; a backward freed a graph.
    graph_made: AtomicBool,
    graph_freed: AtomicBool,
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Held by a running command: the idle spiller waits for it, and its end counts as activity.
/// The tensors the command fetches (`Store::get`, on its thread) stay pinned in memory until
/// it ends.
pub struct CommandGuard<'a> {
    store: &'a Store,
    _active: RwLockReadGuard<'a, ()>,
}

impl Drop for CommandGuard<'_> {
    fn drop(&mut self) {
        let pinned = PINNED.with(|p| p.borrow_mut().pop()).map(|(_, ids)| ids).unwrap_or_default();
        if self.store.registry.unpin(&pinned) {
            self.store.graph_made.store(true, Ordering::SeqCst);
        }
        *lock(&self.store.last_activity) = Instant::now();
    }
}

thread_local! {
    /// The running commands of this thread (innermost last): the store they run on (its
    /// address) and the ids they fetched, pinned until the command ends.
    static PINNED: std::cell::RefCell<Vec<(usize, Vec<String>)>> = const { std::cell::RefCell::new(Vec::new()) };
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
            disk: OnceLock::new(),
            disk_opening: Mutex::new(()),
            spilling: Mutex::new(()),
            loading_shared: Mutex::new(()),
            session: Mutex::new(Session::default()),
            session_on_disk: Mutex::new(None),
            hook: Mutex::new(None),
            activity: RwLock::new(()),
            last_activity: Mutex::new(now),
            last_spill: Mutex::new(now),
            failures: Mutex::new(Failures::default()),
            listener: Mutex::new(None),
            graph_made: AtomicBool::new(false),
            graph_freed: AtomicBool::new(false),
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
        PINNED.with(|p| p.borrow_mut().push((self.address(), Vec::new())));
        CommandGuard { store: self, _active: active }
    }

    /// Opens this shell's index and tensor directory (once), reclaiming what dead shells
    /// left and what a crash left half done.
    fn disk(&self) -> Result<&Disk> {
        if let Some(disk) = self.disk.get() {
            return Ok(disk);
        }
        let _once = lock(&self.disk_opening);
        if let Some(disk) = self.disk.get() {
            return Ok(disk);
        }
        let shell = self.shell_dir();
        let tensors = shell.join("tensors");
        create_private_dir_all(&tensors).map_err(|e| Error::Io(format!("creating {}: {e}", tensors.display())))?;
        for dir in [self.shells_dir(), shell.clone(), tensors.clone()] {
            make_private(&dir, true);
        }
        self.reclaim_dead_shells();
        remove_temporaries(&tensors);
        let (index, damaged) = Index::open_or_rebuild(&shell.join("index"))?;
        let adopted = adopt_orphans(&tensors, &index, damaged.is_some());
        let mut told = Vec::new();
        if let Some(damaged) = damaged {
            told.push(format!(
                "the store's index was damaged ({damaged}); it was rebuilt from the tensor files: {adopted} \
                 tensor{} found (views of a shared storage could not be recovered). Their reference counts \
                 are unknown, so they stay until this shell exits or `nutorch free`",
                plural(adopted)
            ));
        }
        let earlier = index.take_failures();
        if !earlier.is_empty() {
            told.push(format!(
                "the last plugin process could not write everything to the store before it stopped: {}",
                earlier.join("; ")
            ));
        }
        if !told.is_empty() {
            lock(&self.failures).unreported = Some(told.join("; "));
        }
        let reserve = shell.join(RESERVE);
        make_reserve(&reserve);
        Ok(self.disk.get_or_init(|| Disk { index, tensors, reserve }))
    }

    /// Runs the test hook set for `point`, once.
    fn hook(&self, point: &'static str) {
        let hook = {
            let mut slot = lock(&self.hook);
            match slot.take() {
                Some((at, hook)) if at == point => Some(hook),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        if let Some(hook) = hook {
            hook(self);
        }
    }

    /// Makes `f` run (once) at `point` of the next load ("load": file read, slot not yet
    /// inserted) or spill ("spill": tensor taken, file not yet written). For tests of races.
    #[doc(hidden)]
    pub fn pause_at(&self, point: &'static str, f: impl FnOnce(&Store) + Send + 'static) {
        *lock(&self.hook) = Some((point, Box::new(f)));
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
        if has_grad_fn(&tensor) {
            self.graph_made.store(true, Ordering::SeqCst);
        }
        let id = self.registry.insert(tensor);
        self.enforce_budget(&id);
        id
    }

    /// The tensor of `id`: from memory, else loaded from disk onto the device it came from.
    /// Inside a command (`Store::command`, same thread) it stays in memory until the command
    /// ends: an eviction meanwhile could write it half changed by an in-place op and drop the
    /// copy the command goes on changing.
    pub fn get(&self, id: &str) -> Result<Tensor> {
        let in_command = PINNED.with(|p| p.borrow().last().is_some_and(|(store, _)| *store == self.address()));
        let tensor = self.in_memory(id, || self.registry.get(id, in_command))?;
        if in_command {
            PINNED.with(|p| {
                if let Some((_, ids)) = p.borrow_mut().last_mut() {
                    ids.push(id.to_string());
                }
            });
        }
        Ok(tensor)
    }

    /// This store's identity for the thread-local pins.
    fn address(&self) -> usize {
        self as *const Store as usize
    }

    /// Runs `f` on the registry, loading `id` from disk when it is not in memory. Another
    /// thread may evict it again right after the load, so that is retried.
    fn in_memory<T>(&self, id: &str, f: impl Fn() -> Result<T>) -> Result<T> {
        let mut tries = 0;
        loop {
            match f() {
                Err(Error::NotFound(_)) if tries < 8 => {
                    tries += 1;
                    self.load(id)?;
                }
                done => return done,
            }
        }
    }

    /// Replaces the tensor stored under an existing id (in-place style updates).
    pub fn replace(&self, id: &str, tensor: Tensor) -> Result<()> {
        self.in_memory(id, || self.registry.replace(id, tensor.shallow_clone()))
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
        self.disk()?.index.get(id)
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

    /// Loads `id` from disk into memory (nothing when another call loaded it meanwhile).
    fn load(&self, id: &str) -> Result<()> {
        for _ in 0..8 {
            if self.try_load(id)? {
                self.enforce_budget(id);
                return Ok(());
            }
        }
        Err(Error::Store(format!("tensor {id} was written again and again while it was being loaded; try again")))
    }

    /// One try of `load`: `Ok(false)` when its index entry changed while its file was read (the
    /// tensor was loaded, changed and written again by other commands meanwhile: what was read
    /// is out of date).
    fn try_load(&self, id: &str) -> Result<bool> {
        let disk = self.disk()?;
        let entry = disk.index.get(id)?;
        // Held until the slot is in: a second tensor of the same storage file finds this one,
        // and a spill of that storage waits (see `write_shared`).
        let _shared = entry.as_ref().is_some_and(|e| e.view.is_some()).then(|| lock(&self.loading_shared));
        let (mut slot, aliases) = match self.read_slot(disk, id, entry.as_ref()) {
            Ok(read) => read,
            Err(e) => {
                // What was read may be out of date rather than wrong: another command loaded the
                // tensor meanwhile (and a spill of it began), or it was written again.
                let slots = self.registry.lock();
                if slots.contains_key(id) {
                    return Ok(true);
                }
                if !same_data(entry.as_ref(), disk.index.get(id)?.as_ref()) {
                    return Ok(false);
                }
                return Err(e);
            }
        };
        self.hook("load");
        {
            let mut slots = self.registry.lock();
            if slots.contains_key(id) {
                return Ok(true); // loaded by another call meanwhile: keep that slot (and its count)
            }
            // An eviction records its new entry before it drops the tensor from memory, so under
            // the registry's lock a changed entry is seen here.
            let now = disk.index.get(id)?;
            if !same_data(entry.as_ref(), now.as_ref()) {
                return Ok(false);
            }
            if let Some(now) = &now {
                slot.refs = now.refs;
                slot.refs_on_disk = Some(now.refs);
            }
            for other in &aliases {
                if let Some(s) = slots.get_mut(other) {
                    if !s.aliases_lost.iter().any(|a| a == id) {
                        s.aliases_lost.push(id.to_string());
                    }
                }
            }
            slot.aliases_lost = aliases;
            slots.insert(id.to_string(), slot);
        }
        Ok(true)
    }

    /// The slot `entry` describes, read from disk, and the still-stored tensors it no longer
    /// aliases.
    fn read_slot(&self, disk: &Disk, id: &str, entry: Option<&IndexEntry>) -> Result<(Slot, Vec<String>)> {
        if let Some(why) = entry.and_then(|e| e.unwritten.as_ref()) {
            return Err(Error::Store(format!(
                "tensor {id} was never written to the store (its write failed: {why}), so it was lost when \
                 the plugin stopped"
            )));
        }
        if let Some(first) = entry.filter(|e| e.file.is_empty() && e.writing.is_some()) {
            return Err(interrupted_write(disk, id, first));
        }
        let (tensor, group) = match entry {
            Some(entry) => self.read_entry(disk, id, entry)?,
            None => {
                let path = self.find_foreign_file(id).ok_or_else(|| not_found(id))?;
                (read_tensor(&path).map_err(|e| with_id(id, e))?, None)
            }
        };
        let mut slot = Slot::new(tensor);
        slot.group = group;
        let mut aliases = Vec::new();
        if let Some(entry) = entry {
            if entry.had_graph {
                // Its graph is gone: reloaded as plain data, so that nothing computed from it
                // silently treats it as a leaf; using the graph says what happened.
                slot.set_tensor(slot.tensor.f_detach()?);
                slot.graph_lost = true;
            }
            aliases = self.former_aliases(disk, id, entry);
            slot.refs = entry.refs;
            slot.on_disk = Some(Fingerprint::of(&slot.tensor));
            slot.refs_on_disk = Some(entry.refs);
        }
        Ok((slot, aliases))
    }

    /// The tensor of an index entry. One in a shared storage file is rebuilt over the storage
    /// of a tensor of that file already in memory (so they alias as before), else over the
    /// file's bytes, which are then that storage.
    fn read_entry(&self, disk: &Disk, id: &str, entry: &IndexEntry) -> Result<(Tensor, Option<Group>)> {
        let Some(view) = &entry.view else {
            return Ok((read_file(disk, id, entry)?, None));
        };
        let live = {
            let slots = self.registry.lock();
            slots
                .values()
                .find(|s| Group::of(s).is_some_and(|g| g.file == entry.file))
                .map(|s| s.tensor.shallow_clone())
        };
        let bytes = match live {
            Some(other) => storage_bytes(&other)?,
            None => read_file(disk, id, entry)?,
        };
        let tensor = view.rebuild(&bytes).map_err(|e| with_id(id, e))?;
        let group = Group { file: entry.file.clone(), storage: storage_id(&tensor) };
        Ok((tensor, Some(group)))
    }

    /// The still-stored tensors that shared storage with `id` when either was written: the
    /// copy reloaded now no longer aliases them.
    fn former_aliases(&self, disk: &Disk, id: &str, entry: &IndexEntry) -> Vec<String> {
        let mut aliases: Vec<String> = entry.shared_storage_with.clone();
        for (other, e) in disk.index.entries() {
            if other != id && e.shared_storage_with.iter().any(|a| a == id) && !aliases.contains(&other) {
                aliases.push(other);
            }
        }
        aliases.retain(|a| self.registry.contains(a) || disk.index.get(a).ok().flatten().is_some());
        aliases
    }

    /// One more value in Nushell refers to `id`.
    pub fn retain(&self, id: &str) -> Result<()> {
        self.in_memory(id, || self.registry.retain(id))
    }

    /// Nushell dropped a value referring to `id`; at zero references the tensor is deleted
    /// from memory and disk.
    pub fn release(&self, id: &str) -> Result<()> {
        match self.registry.release(id) {
            Some(true) => {
                self.forget_failure(id);
                self.delete_from_disk(id)
            }
            Some(false) => Ok(()),
            None => {
                // Only on disk. Atomic: a spill moving its entry to a new shared file meanwhile
                // is neither lost nor undone.
                let disk = self.disk()?;
                let before = disk.index.modify(id, |mut e| {
                    e.refs = e.refs.saturating_sub(1);
                    (e.refs > 0).then_some(e)
                })?;
                disk.index.flush()?;
                match before {
                    Some(entry) if entry.refs <= 1 => {
                        remove_file_unless_named(disk, &entry);
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    fn delete_from_disk(&self, id: &str) -> Result<()> {
        let disk = self.disk()?;
        match disk.index.get(id)? {
            Some(entry) => delete_entry(disk, id, &entry),
            None => Ok(()),
        }
    }

    /// Frees `id` from memory and disk, whatever its references. Returns whether it existed.
    pub fn free(&self, id: &str) -> Result<bool> {
        let in_memory = self.registry.remove(id);
        self.forget_failure(id);
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
        let disk_entries: Vec<(String, IndexEntry)> = self.disk()?.index.entries();
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
        let tensors = &self.disk()?.tensors;
        for (id, e) in disk_entries {
            if !rows.iter().any(|r| r.id == id) {
                // A damaged file still lists (its use says what is wrong).
                let mut info = read_info(&tensors.join(&e.file)).unwrap_or_else(|_| crate::file::FileInfo {
                    dtype: if e.unwritten.is_some() || e.file.is_empty() { "never written" } else { "unreadable" }
                        .into(),
                    shape: Vec::new(),
                    device: String::new(),
                    requires_grad: false,
                    bytes: 0,
                });
                if let Some(view) = &e.view {
                    // The file is the shared storage's bytes; the entry says what this tensor is.
                    info = crate::file::FileInfo {
                        dtype: view.dtype.clone(),
                        shape: view.shape.clone(),
                        bytes: view.nbytes(),
                        ..info
                    };
                }
                rows.push(StoredTensor {
                    id,
                    shape: info.shape,
                    dtype: info.dtype,
                    device: info.device,
                    bytes: info.bytes,
                    requires_grad: info.requires_grad,
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
        let disk_bytes = dir_bytes(&self.disk()?.tensors);
        Ok(StoreSummary {
            dir: self.config.dir.clone(),
            shell_dir: self.shell_dir(),
            tensors: rows.len(),
            in_memory: rows.iter().filter(|r| r.residence == Residence::Memory).count(),
            memory_bytes: self.registry.bytes(),
            disk_bytes,
            memory_budget: self.config.memory_budget,
            idle_spill: self.config.idle_spill,
            keep_alive: self.keep_alive(),
            write_error: self.write_error(),
            index_bytes: self.disk()?.index.size_on_disk(),
        })
    }

    /// The error of the last failed write, while what it failed to write is only in memory.
    pub fn write_error(&self) -> Option<String> {
        let failures = lock(&self.failures);
        failures.ids.values().next().cloned().or_else(|| failures.other.clone())
    }

    /// A failed write the user has not been told of yet (once: it is then forgotten). A
    /// command shows it; `write_error` and `keep_alive` say it for as long as it lasts.
    pub fn take_unreported_failure(&self) -> Option<String> {
        // Opening the store reads what an earlier process recorded.
        let _ = self.disk();
        lock(&self.failures).unreported.take()
    }

    /// Calls `f` after each background spill (successful or not), from the spilling thread.
    pub fn on_background_spill(&self, f: impl Fn(&Store) + Send + Sync + 'static) {
        *lock(&self.listener) = Some(Box::new(f));
    }

    fn forget_failure(&self, id: &str) {
        lock(&self.failures).ids.remove(id);
    }

    /// Whether a stop of the plugin process would lose something, as far as what happened since
    /// the last call tells it without looking at every stored tensor: `Some(true)` when a
    /// tensor with a live autograd graph was stored or used by a command, or a write failed;
    /// [`Store::needs_keep_alive`] after a backward freed a graph; `None` when nothing of the
    /// kind happened (the last answer stands). Asked at the end of every command and drop, so
    /// that their cost does not grow with the number of stored tensors; the idle spiller's
    /// listener asks `needs_keep_alive` itself, which lets the plugin go once graphs were
    /// dropped without a backward.
    pub fn keep_alive_hint(&self) -> Option<bool> {
        let made = self.graph_made.swap(false, Ordering::SeqCst);
        let freed = self.graph_freed.swap(false, Ordering::SeqCst);
        let failing = lock(&self.failures).any();
        if freed {
            Some(self.needs_keep_alive())
        } else if made || failing {
            Some(true)
        } else {
            None
        }
    }

    /// Whether a stop of the plugin process would lose something: [`Store::keep_alive`]
    /// without its reasons, asked at the end of every command, so it stops at the first
    /// tensor with a live graph and formats nothing.
    pub fn needs_keep_alive(&self) -> bool {
        lock(&self.failures).any() || self.registry.lock().values().any(Slot::has_live_graph)
    }

    /// Why a stop of the plugin process would lose something (empty: it would not). Today
    /// that is an autograd graph: a tensor with a grad_fn whose graph no backward freed yet.
    pub fn keep_alive(&self) -> Vec<String> {
        let graphs = self.registry.lock().values().filter(|s| s.has_live_graph()).count();
        let mut why = Vec::new();
        if graphs > 0 {
            why.push(format!(
                "{graphs} tensor{} with an autograd graph, which a restart would lose (run backward, or drop them)",
                plural(graphs)
            ));
        }
        let failures = lock(&self.failures);
        if let Some(error) = failures.ids.values().next().or(failures.other.as_ref()) {
            let n = failures.ids.len();
            let what = match n {
                0 => "the store is not up to date".to_string(),
                n => format!("{n} tensor{} exist only in memory", plural(n)),
            };
            why.push(format!(
                "writing to the store failed ({error}): {what}, and a restart would lose them (free disk space \
                 or fix the store directory; the next successful write ends this)"
            ));
        }
        why
    }

    /// A backward from `root` (without retain_graph) freed its graph: the stored tensors on
    /// that graph no longer keep the plugin alive.
    pub fn graph_freed_from(&self, root: &Tensor) {
        self.graph_freed.store(true, Ordering::SeqCst);
        let mut slots = self.registry.lock();
        let live: Vec<(String, Tensor)> = slots
            .iter()
            .filter(|(_, s)| s.has_live_graph())
            .map(|(id, s)| (id.clone(), s.tensor.shallow_clone()))
            .collect();
        let targets: Vec<&Tensor> = live.iter().map(|(_, t)| t).collect();
        for ((id, _), reached) in live.iter().zip(graph_reaches(root, &targets)) {
            if reached {
                if let Some(slot) = slots.get_mut(id) {
                    slot.graph_spent = true;
                }
            }
        }
    }

    /// An error when `id` was reloaded after its autograd graph was lost ([`GRAPH_LOST`]).
    pub fn check_graph(&self, id: &str) -> Result<()> {
        match self.registry.lock().get(id) {
            Some(slot) if slot.graph_lost => Err(Error::Store(GRAPH_LOST.into())),
            _ => Ok(()),
        }
    }

    /// An error when `id` shared storage with other tensors (a view and its base) that a
    /// reload made separate copies: an in-place change would reach only one of them.
    pub fn check_aliasing(&self, id: &str) -> Result<()> {
        match self.registry.lock().get(id) {
            Some(slot) if !slot.aliases_lost.is_empty() => Err(Error::Store(format!(
                "this tensor shared its memory with {} (a view and its base), but they were reloaded from the \
                 store as separate copies after the plugin restarted, so an in-place change would no longer \
                 reach both; make the view again from its base (or use `nutorch clone` to make the copy explicit)",
                slot.aliases_lost.join(", ")
            ))),
            _ => Ok(()),
        }
    }

    /// Grad mode (`set_grad_enabled`) to keep with the store.
    pub fn set_session(&self, session: Session) {
        *lock(&self.session) = session;
    }

    /// Restores what the last process of this shell left: the random generators' state
    /// (so a seeded stream continues) and grad mode, which it returns.
    pub fn restore_session(&self) -> Result<Session> {
        let path = self.disk()?.tensors.with_file_name(SESSION_FILE);
        let Some((session, rng)) = session::read(&path)? else { return Ok(Session::default()) };
        rng.restore()?;
        *lock(&self.session) = session;
        *lock(&self.session_on_disk) = Some((session, rng));
        Ok(session)
    }

    /// Writes the session file if it changed since the last write.
    fn spill_session(&self) -> Result<()> {
        let now = (*lock(&self.session), RngState::capture()?);
        if lock(&self.session_on_disk).as_ref() == Some(&now) {
            return Ok(());
        }
        session::write(&self.disk()?.tensors.with_file_name(SESSION_FILE), &now.0, &now.1)?;
        *lock(&self.session_on_disk) = Some(now);
        Ok(())
    }

    /// Starts the background thread that spills live tensors once no command has run for
    /// `idle_spill`. It stops when the store is dropped.
    /// Commands go on while it writes (it holds `activity` exclusively only for the moment
    /// each file is put in place); a failure is reported to the next command, keeps the plugin
    /// alive, and is retried every few seconds.
    pub fn start_idle_spiller(self: &Arc<Self>) {
        let weak: Weak<Store> = Arc::downgrade(self);
        let _ = std::thread::Builder::new().name("nutorch idle spill".into()).spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let Some(store) = weak.upgrade() else { return };
            let last_activity = *lock(&store.last_activity);
            let last_spill = *lock(&store.last_spill);
            let idle_long_enough = last_activity.elapsed() >= store.config.idle_spill;
            let changed_since_spill = last_spill < last_activity;
            let retry = store.write_error().is_some() && last_spill.elapsed() >= RETRY_FAILED;
            // Not while a command runs (checked, then let go: commands may start meanwhile).
            let quiet = store.activity.try_write().is_ok();
            if idle_long_enough && (changed_since_spill || retry) && quiet {
                if let Err(e) = store.spill_all() {
                    let message = format!("could not write tensors to the store: {e}");
                    eprintln!("nutorch: {message}");
                    lock(&store.failures).unreported = Some(message);
                }
                if let Some(listener) = lock(&store.listener).as_ref() {
                    listener(&store);
                }
            }
        });
    }

    /// The last spill, when the process is about to end: on failure, what could not be
    /// written is also recorded in the index (space permitting), so that the next process of
    /// this shell reports it at its first command.
    pub fn spill_before_stop(&self) -> Result<usize> {
        let result = self.spill_all();
        if let Err(e) = &result {
            let ids: Vec<String> = lock(&self.failures).ids.keys().cloned().collect();
            let message =
                format!("{} tensor{} could not be written ({e}): {}", ids.len(), plural(ids.len()), ids.join(", "));
            let recorded = self.disk().and_then(|disk| {
                let _ = std::fs::remove_file(&disk.reserve);
                disk.index.record_failure(&message).or_else(|_| {
                    // sled refuses all work after a failed write until reopened.
                    disk.index.reopen()?;
                    disk.index.record_failure(&message)
                })
            });
            if let Err(e) = recorded {
                eprintln!("nutorch: could not record the failed write in the index either: {e}");
            }
        }
        result
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Fills the reserve file (real blocks, not a sparse file) if it is missing; best effort.
fn make_reserve(path: &Path) {
    if path.exists() {
        return;
    }
    if std::fs::write(path, vec![0u8; RESERVE_BYTES]).is_err() {
        let _ = std::fs::remove_file(path);
    } else {
        make_private(path, false);
    }
}

/// The name a tensor file gets when the tensor changed and its new state could not be
/// written: the file is then out of date, and a reload says so instead of serving it.
fn stale_name(file: &str) -> String {
    format!("{file}.stale")
}

/// Reads an entry's file, checked against what the index recorded for it.
fn read_file(disk: &Disk, id: &str, entry: &IndexEntry) -> Result<Tensor> {
    let path = disk.tensors.join(&entry.file);
    let stale = disk.tensors.join(stale_name(&entry.file));
    if entry.stale.is_some() || (!path.exists() && stale.exists()) {
        let when = match entry.written_at {
            0 => "an earlier write".to_string(),
            t => format!("{} (UTC)", utc(t)),
        };
        return Err(Error::Store(format!(
            "tensor {id}: its last changes could not be written to the store (the write failed: {}) and \
             were lost when the plugin stopped; the store still holds its version of {when} in {} \
             (`nutorch load` reads it; `nutorch free {id}` forgets the tensor)",
            entry.stale.as_deref().unwrap_or("disk full?"),
            if stale.exists() { stale.display() } else { path.display() }
        )));
    }
    let own = entry.view.is_none().then_some(id);
    if entry.writing.is_some() {
        // The process ended during a write of this tensor. Its own file, renamed into place
        // before the end, names the tensor and carries a checksum other than the one recorded:
        // that write finished, and the file is the latest state. Otherwise it is the old one.
        let finished = own.is_some()
            && written_for(&path)
                .is_some_and(|(for_id, crc)| for_id == id && entry.check.as_ref().is_some_and(|c| c.crc32 != crc));
        if !finished {
            return Err(interrupted_write(disk, id, entry));
        }
        return read_tensor_checked(&path, None, own).map_err(|e| with_id(id, e));
    }
    read_tensor_checked(&path, entry.check.as_ref(), own).map_err(|e| with_id(id, e))
}

/// Whether two index entries of one id describe the same data (reference counts aside).
fn same_data(a: Option<&IndexEntry>, b: Option<&IndexEntry>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            (&a.file, &a.check, a.written_at, &a.view, &a.stale, a.writing)
                == (&b.file, &b.check, b.written_at, &b.view, &b.stale, b.writing)
        }
        _ => false,
    }
}

/// What loading a tensor says when the process before ended while writing it (its entry's
/// `writing` note survived).
fn interrupted_write(disk: &Disk, id: &str, entry: &IndexEntry) -> Error {
    let began = entry.writing.unwrap_or_default();
    if entry.file.is_empty() {
        return Error::Store(format!(
            "tensor {id} was lost: the plugin process ended (killed, or it crashed) while writing it to the \
             store for the first time, at {} (UTC)",
            utc(began)
        ));
    }
    let when = match entry.written_at {
        0 => "an earlier write".to_string(),
        t => format!("{} (UTC)", utc(t)),
    };
    Error::Store(format!(
        "tensor {id}: the plugin process ended (killed, or it crashed) while writing its latest state to the \
         store, at {} (UTC), so its last changes were lost; the store still holds its version of {when} in {} \
         (`nutorch load` reads it; `nutorch free {id}` forgets the tensor)",
        utc(began),
        disk.tensors.join(&entry.file).display()
    ))
}

/// `YYYY-MM-DD HH:MM:SS` of seconds since the Unix epoch, UTC.
fn utc(secs: u64) -> String {
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60)
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

/// Deletes a stored tensor: index entry first, then file (so no index entry ever names a
/// missing file; a crash between the two leaves an orphan file, removed at the next open).
/// Every deletion of the store goes this way.
fn delete_entry(disk: &Disk, id: &str, entry: &IndexEntry) -> Result<()> {
    disk.index.remove(id)?;
    remove_file_unless_named(disk, entry);
    Ok(())
}

/// Removes the file of a deleted entry; a shared storage file stays while another tensor's
/// entry names it.
fn remove_file_unless_named(disk: &Disk, entry: &IndexEntry) {
    let shared = entry.view.is_some() && disk.index.entries().iter().any(|(_, e)| e.file == entry.file);
    if !shared && !entry.file.is_empty() {
        let _ = std::fs::remove_file(disk.tensors.join(&entry.file));
        let _ = std::fs::remove_file(disk.tensors.join(stale_name(&entry.file)));
    }
}

/// The reference count of a tensor whose count was lost (its index entry was rebuilt from
/// its file): Nushell's drops never bring it to zero, so it stays until the shell's store
/// is reclaimed or `nutorch free`.
const UNKNOWN_REFS: u64 = 1 << 40;

/// Tensor files that no index entry names, as a crash or a damaged index leaves them: a first
/// write put in place but not yet recorded (its entry says the write began), a deletion cut
/// short (no entry: the file goes, a freed tensor never comes back), or every file of an
/// index that had to be rebuilt (`rebuilt`). A tensor's own file that names its tensor (and
/// matches its checksum when read) is the state last written for that id: a first write's
/// file gets its entry, and after a rebuild every such file gets one with an unknown reference
/// count (kept rather than lost). Shared storage files (their views' places were only in the
/// index) and out-of-date files go. Returns how many tensors were adopted.
fn adopt_orphans(dir: &Path, index: &Index, rebuilt: bool) -> usize {
    let entries = index.entries();
    let named: std::collections::HashSet<&str> = entries.iter().map(|(_, e)| e.file.as_str()).collect();
    let Ok(files) = std::fs::read_dir(dir) else { return 0 };
    let mut adopted = 0;
    for f in files.flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        let file = name.strip_suffix(".stale").unwrap_or(&name);
        if !file.ends_with(".safetensors") || named.contains(file) {
            continue;
        }
        let stem = file.trim_end_matches(".safetensors");
        let own = name == file && written_for(&f.path()).is_some_and(|(id, _)| id == stem);
        // A first write whose entry says it began: the file in place is that write, finished.
        let placeholder = entries.iter().find(|(id, e)| id == stem && e.file.is_empty()).map(|(_, e)| e.clone());
        if !own || (placeholder.is_none() && !rebuilt) {
            let _ = std::fs::remove_file(f.path());
            continue;
        }
        let written = f.metadata().ok().and_then(|m| m.modified().ok()).map(unix_secs).unwrap_or(0);
        let refs = placeholder.as_ref().map_or(UNKNOWN_REFS, |p| p.refs);
        let entry =
            IndexEntry { file: file.to_string(), written_at: written, ..IndexEntry::without_file(refs, written) };
        if index.put_unflushed(stem, &entry).is_ok() {
            adopted += 1;
        }
    }
    if adopted > 0 {
        let _ = index.flush();
    }
    adopted
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
