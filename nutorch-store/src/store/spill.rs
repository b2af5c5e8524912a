//! Writing tensors to disk: the idle spill of everything that changed, eviction under the
//! memory budget. Tensors sharing one storage (a base and its views) are written together as
//! that storage's bytes, so that they reload as views of each other.

use super::{lock, make_reserve, stale_name, unix_secs, Disk, Store};
use crate::file::{sync_dir, write_tmp, FileCheck, TmpFile};
use crate::index::IndexEntry;
use crate::registry::{Fingerprint, Group, Slot};
use crate::storage::{shareable, StorageView};
use nutorch_core::state::{has_grad_fn, storage_bytes, storage_id};
use nutorch_core::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::sync::RwLockWriteGuard;
use std::time::{Duration, Instant, SystemTime};

/// How long a spill waits for running commands to end before putting a written file in
/// place; past it, the tensor stays dirty for the next spill.
const QUIET_WAIT: Duration = Duration::from_millis(250);

/// What one write covers.
enum Unit {
    /// A tensor with a file of its own. `aliases`: the stored tensors it shares storage with
    /// but cannot be stored as a view of (autograd state), which a reload makes separate.
    Own { id: String, aliases: Vec<String> },
    /// The tensors of one storage: `live` in memory, `stored` only on disk (their entries name
    /// the storage's current file and are moved to the new one).
    Shared { live: Vec<String>, stored: Vec<String> },
}

impl Unit {
    fn contains(&self, id: &str) -> bool {
        match self {
            Unit::Own { id: own, .. } => own == id,
            Unit::Shared { live, .. } => live.iter().any(|l| l == id),
        }
    }

    /// The in-memory tensors it writes.
    fn ids(&self) -> Vec<String> {
        match self {
            Unit::Own { id, .. } => vec![id.clone()],
            Unit::Shared { live, .. } => live.clone(),
        }
    }
}

/// A file put in place: the quiet moment (held while its entry is recorded) and what the
/// file holds (`None` when nothing new was written).
type Committed<'a> = (Option<RwLockWriteGuard<'a, ()>>, Option<FileCheck>);

/// Whether a written file may be put in place while commands run. A command may change a
/// tensor in place while its file is being written (the spill does not stop commands); the
/// tensor's version then differs from the one written, and the file is discarded. That
/// check is only sound while no command runs (a change half done has not bumped the version
/// yet), so the idle spill (`Quiet`) waits for a moment without commands to put files in
/// place. An eviction runs inside a command (`InCommand`) and puts its file in place at once.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Quiet,
    InCommand,
}

/// Whether a write is durable on return (`Now`), or the caller syncs the directory and flushes
/// the index once for many writes (`Later`).
#[derive(Clone, Copy, PartialEq)]
enum Durability {
    Now,
    Later,
}

impl Store {
    /// Writes every in-memory tensor whose data or references changed since its last write.
    /// A failed write is an error and leaves memory (and what is already stored) untouched.
    /// Returns how many tensors were written.
    /// The session (random generators, grad mode) is written too; the tensor directory is
    /// synced and the index flushed once at the end (each file is still synced on its own).
    /// Commands may run meanwhile (see `Mode`); a tensor a command changes while it is being
    /// written stays dirty and is written by the next spill.
    /// A failed write is remembered (`Store::write_error`, `Store::keep_alive`) until a later
    /// write of those tensors succeeds; the file of a tensor whose changes could not be written
    /// is marked out of date, and a tensor never written gets an index entry saying so, so that
    /// a reload after the process died says what was lost instead of serving old data.
    pub fn spill_all(&self) -> Result<usize> {
        let _one = lock(&self.spilling);
        let started = Instant::now();
        let units = match self.plan(None) {
            Ok(units) => units,
            Err(e) => {
                // The store cannot even be opened (a full disk, no permission).
                lock(&self.failures).other = Some(e.to_string());
                return Err(e);
            }
        };
        let mut written = 0;
        let mut replaced = Vec::new();
        let (marked, mut first_error) = match self.mark_writing(&units) {
            Ok(marked) => (marked, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let mut written_ids = Vec::new();
        for unit in units {
            let ids = unit.ids();
            if let Some(Error::Io(_)) = &first_error {
                // A full disk or a read-only store: the rest would fail too, and trying could
                // take the room the index needs to record what failed.
                self.mark_failed(&ids, first_error.as_ref().unwrap_or(&Error::Io(String::new())));
                continue;
            }
            match self.write_unit(unit, Durability::Later, Mode::Quiet, &mut replaced) {
                Ok(n) => {
                    written += n;
                    written_ids.extend(ids.iter().cloned());
                    let mut failures = lock(&self.failures);
                    for id in &ids {
                        failures.ids.remove(id);
                    }
                }
                Err(e) => {
                    self.mark_failed(&ids, &e);
                    first_error.get_or_insert(e);
                }
            }
        }
        // One fsync of the directory for all the renames, then one flush of the index naming
        // them; only then may the files they replaced go.
        match self.disk().and_then(|d| {
            sync_dir(&d.tensors);
            d.index.flush().map(|_| d)
        }) {
            Ok(disk) => {
                remove_unnamed(disk, &replaced);
                if let Err(e) = disk.index.compact_if_large() {
                    eprintln!("nutorch: could not compact the tensor index: {e}");
                }
            }
            Err(e) => {
                // What this spill recorded is not durable (and sled needs a fresh handle):
                // its tensors count as unwritten again.
                if let Ok(disk) = self.disk() {
                    let _ = disk.index.reopen();
                }
                self.unsettle(&written_ids, &e);
                first_error.get_or_insert(e);
            }
        }
        self.forget_marks_of_freed(&marked);
        if let Err(e) = self.spill_session() {
            first_error.get_or_insert(e);
        }
        *lock(&self.last_spill) = started;
        match first_error {
            Some(e) => {
                let mut failures = lock(&self.failures);
                if failures.ids.is_empty() {
                    failures.other = Some(e.to_string());
                }
                Err(e)
            }
            None => {
                let mut failures = lock(&self.failures);
                failures.ids.clear();
                failures.other = None;
                drop(failures);
                if let Ok(disk) = self.disk() {
                    make_reserve(&disk.reserve);
                }
                Ok(written)
            }
        }
    }

    /// Before `units` are written: notes in their index entries, durably and with one flush,
    /// that a new state of their changed tensors is being written (`IndexEntry::writing`; a
    /// first write gets an entry with no file). The write's own entry replaces the note, so a
    /// note that survives means the process ended mid-write, and a reload says that the
    /// latest state was lost instead of serving the file written before it.
    fn mark_writing(&self, units: &[Unit]) -> Result<Vec<String>> {
        let changed: Vec<(String, u64, SystemTime)> = {
            let slots = self.registry.lock();
            units
                .iter()
                .flat_map(Unit::ids)
                .filter_map(|id| {
                    slots.get(&id).filter(|s| s.data_dirty()).map(|s| (s.refs, s.last_used)).map(|(r, l)| (id, r, l))
                })
                .collect()
        };
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let disk = self.disk()?;
        let now = unix_secs(SystemTime::now());
        let marked = changed.iter().map(|(id, ..)| id.clone()).collect();
        for (id, refs, last_used) in changed {
            let before = disk.index.modify(&id, |e| Some(IndexEntry { writing: Some(now), ..e }))?;
            if before.is_none() {
                let first = IndexEntry { writing: Some(now), ..IndexEntry::without_file(refs, unix_secs(last_used)) };
                disk.index.put_unflushed(&id, &first)?;
            }
        }
        disk.index.flush()?;
        Ok(marked)
    }

    /// After a spill: the note of a tensor released (to zero) while it was being marked would
    /// outlive it; such entries go.
    fn forget_marks_of_freed(&self, marked: &[String]) {
        let Ok(disk) = self.disk() else { return };
        for id in marked.iter().filter(|id| !self.registry.contains(id)) {
            if let Ok(Some(entry)) = disk.index.get(id) {
                if entry.writing.is_some() {
                    let _ = super::delete_entry(disk, id, &entry);
                }
            }
        }
    }

    /// After a failed write of `ids`: remembered, and what is on disk for them marked so that
    /// a reload cannot take it for their current state. Needs no free space for that (the
    /// out-of-date file is renamed; the reserve file makes room for the index's note of a
    /// tensor never written).
    fn mark_failed(&self, ids: &[String], error: &Error) {
        let message = error.to_string();
        let Ok(disk) = self.disk() else { return };
        let _ = std::fs::remove_file(&disk.reserve);
        let dirty: Vec<(String, u64, SystemTime, Option<String>)> = {
            let slots = self.registry.lock();
            ids.iter()
                .filter_map(|id| slots.get(id).map(|s| (id, s)))
                .filter(|(_, s)| s.data_dirty() || s.on_disk.is_none())
                .map(|(id, s)| (id.clone(), s.refs, s.last_used, Group::of(s).map(|g| g.file.clone())))
                .collect()
        };
        let mut failures = lock(&self.failures);
        for id in ids {
            failures.ids.insert(id.clone(), message.clone());
        }
        drop(failures);
        for (id, refs, last_used, group_file) in dirty {
            match disk.index.get(&id) {
                // Its own file, or the shared file of the storage it still uses (whose other
                // tensors changed with it): the file is out of date for all who use it.
                Ok(Some(entry))
                    if entry.unwritten.is_none()
                        && !entry.file.is_empty()
                        && (entry.view.is_none() || group_file.as_ref() == Some(&entry.file)) =>
                {
                    let file = disk.tensors.join(&entry.file);
                    if file.exists() {
                        let _ = std::fs::rename(&file, disk.tensors.join(stale_name(&entry.file)));
                    }
                }
                // A view moved off its shared file: only its own entry is out of date.
                Ok(Some(entry)) if entry.unwritten.is_none() && !entry.file.is_empty() => {
                    let _ = disk.index.modify(&id, |e| Some(IndexEntry { stale: Some(message.clone()), ..e }));
                }
                // A first write that had begun: the entry now says why it never finished.
                Ok(Some(entry)) if entry.unwritten.is_none() && entry.file.is_empty() => {
                    let _ = disk.index.modify(&id, |e| Some(IndexEntry { unwritten: Some(message.clone()), ..e }));
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    let entry = IndexEntry {
                        unwritten: Some(message.clone()),
                        ..IndexEntry::without_file(refs, unix_secs(last_used))
                    };
                    let _ = disk.index.put_unflushed(&id, &entry);
                }
                Err(_) => {}
            }
        }
        let _ = disk.index.flush();
    }

    /// Makes `ids` dirty again (their index entries were lost) and remembers the failure.
    fn unsettle(&self, ids: &[String], error: &Error) {
        let mut slots = self.registry.lock();
        let mut failures = lock(&self.failures);
        for id in ids {
            if let Some(slot) = slots.get_mut(id) {
                slot.on_disk = None;
                slot.refs_on_disk = None;
                failures.ids.insert(id.clone(), error.to_string());
            }
        }
    }

    /// Waits (briefly) for a moment when no command runs, in `Mode::Quiet`; `Err(())` when
    /// commands kept running.
    fn quiet(&self, mode: Mode) -> std::result::Result<Option<RwLockWriteGuard<'_, ()>>, ()> {
        if mode == Mode::InCommand {
            return Ok(None);
        }
        let deadline = Instant::now() + QUIET_WAIT;
        loop {
            if let Ok(guard) = self.activity.try_write() {
                return Ok(Some(guard));
            }
            if Instant::now() >= deadline {
                return Err(());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Spills `id` (with the tensors sharing its storage) if needed, then drops it from memory
    /// (it reloads on next use).
    pub fn evict(&self, id: &str) -> Result<()> {
        let _one = lock(&self.spilling);
        let mut replaced = Vec::new();
        let units = self.plan(Some(id))?;
        let marked = match self.mark_writing(&units) {
            Ok(marked) => marked,
            Err(e) => {
                self.mark_failed(&units.iter().flat_map(Unit::ids).collect::<Vec<_>>(), &e);
                return Err(e);
            }
        };
        for unit in units {
            let ids = unit.ids();
            if let Err(e) = self.write_unit(unit, Durability::Now, Mode::InCommand, &mut replaced) {
                self.mark_failed(&ids, &e);
                return Err(e);
            }
        }
        self.forget_marks_of_freed(&marked);
        remove_unnamed(self.disk()?, &replaced);
        let mut slots = self.registry.lock();
        if slots.get(id).is_some_and(|s| !s.dirty() && s.pins == 0) {
            slots.remove(id);
        }
        Ok(())
    }

    /// While memory exceeds the budget, evicts the least recently used tensors (never `keep`,
    /// nor a tensor whose autograd graph is still live).
    pub(super) fn enforce_budget(&self, keep: &str) {
        let Some(budget) = self.config.memory_budget else { return };
        loop {
            let victim = {
                let slots = self.registry.lock();
                let total: u64 = slots.values().map(Slot::bytes).sum();
                if total <= budget {
                    return;
                }
                // A tensor with a live autograd graph stays: a reload would lose the graph. So
                // does one that a running command uses, or shares storage with one it uses.
                let in_use: HashSet<usize> =
                    slots.values().filter(|s| s.pins > 0).map(|s| storage_id(&s.tensor)).collect();
                slots
                    .iter()
                    .filter(|(id, s)| id.as_str() != keep && !s.has_live_graph())
                    .filter(|(_, s)| s.pins == 0 && !in_use.contains(&storage_id(&s.tensor)))
                    .min_by_key(|(_, s)| s.last_used)
                    .map(|(id, _)| id.clone())
            };
            let Some(victim) = victim else { return };
            if let Err(e) = self.evict(&victim) {
                // Cannot write: kept in memory rather than lost; the next command says so.
                lock(&self.failures).unreported =
                    Some(format!("memory is over the budget, but writing tensors to the store failed: {e}"));
                return;
            }
        }
    }

    /// The writes needed now (only the one containing `only`, when given): in-memory tensors
    /// grouped by storage, each group with the stored-only tensors of the same storage file.
    fn plan(&self, only: Option<&str>) -> Result<Vec<Unit>> {
        let disk = self.disk()?;
        let slots = self.registry.lock();
        let mut by_storage: HashMap<usize, Vec<&String>> = HashMap::new();
        let mut alone = Vec::new();
        for (id, slot) in slots.iter() {
            match storage_id(&slot.tensor) {
                0 => alone.push(id),
                storage => by_storage.entry(storage).or_default().push(id),
            }
        }
        // Stored-only tensors by the shared file they are in (read only when some live tensor
        // came from such a file).
        let stored_by_file: HashMap<String, Vec<String>> = if slots.values().any(|s| s.group.is_some()) {
            let mut map: HashMap<String, Vec<String>> = HashMap::new();
            for (id, entry) in disk.index.entries() {
                if entry.view.is_some() && !slots.contains_key(&id) {
                    map.entry(entry.file).or_default().push(id);
                }
            }
            map
        } else {
            HashMap::new()
        };
        let mut units = Vec::new();
        for id in alone {
            if slots[id].dirty() {
                units.push(Unit::Own { id: id.clone(), aliases: Vec::new() });
            }
        }
        for live in by_storage.into_values() {
            let files: HashSet<&str> =
                live.iter().filter_map(|id| Group::of(&slots[*id])).map(|g| g.file.as_str()).collect();
            let stored: Vec<String> =
                files.iter().flat_map(|f| stored_by_file.get(*f).cloned().unwrap_or_default()).collect();
            if !live.iter().any(|id| slots[*id].dirty()) {
                continue;
            }
            if live.len() + stored.len() >= 2 && live.iter().all(|id| shareable(&slots[*id].tensor)) {
                units.push(Unit::Shared { live: live.into_iter().cloned().collect(), stored });
            } else {
                let everyone: Vec<&str> =
                    live.iter().map(|s| s.as_str()).chain(stored.iter().map(String::as_str)).collect();
                for id in live.iter().filter(|id| slots[**id].dirty()) {
                    let aliases = everyone.iter().filter(|o| **o != id.as_str()).map(|o| o.to_string()).collect();
                    units.push(Unit::Own { id: (*id).clone(), aliases });
                }
            }
        }
        if let Some(only) = only {
            units.retain(|u| u.contains(only));
        }
        Ok(units)
    }

    /// Writes one unit; returns how many tensors it wrote. Files that entries named before and
    /// no longer do are added to `replaced` (deleted once the index is durable).
    fn write_unit(&self, unit: Unit, durability: Durability, mode: Mode, replaced: &mut Vec<String>) -> Result<usize> {
        match unit {
            Unit::Own { id, aliases } => Ok(usize::from(self.write_own(&id, aliases, durability, mode, replaced)?)),
            Unit::Shared { live, stored } => self.write_shared(&live, &stored, durability, mode, replaced),
        }
    }

    /// Whether the tensors are as they were when their write began (absent ones count as
    /// unchanged: `settle` deletes what was written for them).
    fn unchanged(&self, written: &[(&str, Fingerprint)]) -> bool {
        let slots = self.registry.lock();
        written.iter().all(|(id, fingerprint)| slots.get(*id).is_none_or(|s| fingerprint.matches(&s.tensor)))
    }

    /// Puts a written file in place: after `unchanged`, in a quiet moment in `Mode::Quiet`.
    /// `Ok(None)`: the tensors changed meanwhile (or commands kept running); the file is
    /// dropped and they stay dirty. Returns the file's check and when it was written.
    fn commit<'a>(
        &'a self,
        tmp: Option<TmpFile>,
        written: &[(&str, Fingerprint)],
        durability: Durability,
        mode: Mode,
        disk: &Disk,
    ) -> Result<Option<Committed<'a>>> {
        let Ok(guard) = self.quiet(mode) else { return Ok(None) };
        if !self.unchanged(written) {
            return Ok(None);
        }
        let check = match tmp {
            Some(tmp) => {
                let check = tmp.check.clone();
                tmp.commit()?;
                if durability == Durability::Now {
                    sync_dir(&disk.tensors);
                }
                Some(check)
            }
            None => None,
        };
        Ok(Some((guard, check)))
    }

    /// Writes one tensor to a file of its own (file first, then index) if it changed.
    /// Returns whether it wrote. The caller holds `spilling`.
    fn write_own(
        &self,
        id: &str,
        aliases: Vec<String>,
        durability: Durability,
        mode: Mode,
        replaced: &mut Vec<String>,
    ) -> Result<bool> {
        let (tensor, refs, last_used, data_dirty, had_graph) = {
            let slots = self.registry.lock();
            let Some(slot) = slots.get(id) else { return Ok(false) };
            if !slot.dirty() {
                return Ok(false);
            }
            let had_graph = slot.graph_lost || has_grad_fn(&slot.tensor);
            // A tensor that was part of a shared file gets its own file now.
            let data_dirty = slot.data_dirty() || slot.group.is_some();
            (slot.tensor.shallow_clone(), slot.refs, slot.last_used, data_dirty, had_graph)
        };
        let fingerprint = Fingerprint::of(&tensor);
        let disk = self.disk()?;
        self.hook("spill");
        let file = format!("{id}.safetensors");
        let path = disk.tensors.join(&file);
        let tmp = if data_dirty { Some(write_tmp(&path, &tensor, Some(id))?) } else { None };
        let Some((_quiet, check)) = self.commit(tmp, &[(id, fingerprint.clone())], durability, mode, disk)? else {
            return Ok(false);
        };
        let (check, written_at) = match check {
            Some(check) => (Some(check), unix_secs(SystemTime::now())),
            // Only the reference count changed: the file and what it holds stay.
            None => disk.index.get(id)?.map(|e| (e.check, e.written_at)).unwrap_or((None, 0)),
        };
        let entry = IndexEntry {
            file: file.clone(),
            refs,
            last_used: unix_secs(last_used),
            had_graph,
            shared_storage_with: aliases,
            view: None,
            check,
            written_at,
            unwritten: None,
            stale: None,
            writing: None,
        };
        self.put_entry(disk, id, &entry, durability, replaced)?;
        let _ = std::fs::remove_file(disk.tensors.join(stale_name(&file)));
        self.settle(&[(id.to_string(), fingerprint, refs)], None)?;
        Ok(true)
    }

    /// Writes the storage that the `live` tensors share, once, as bytes, and an entry for each
    /// tensor saying where it sits in it; the `stored` tensors' entries move to the new file.
    /// When only reference counts changed, the file stays and only entries are written.
    fn write_shared(
        &self,
        live: &[String],
        stored: &[String],
        durability: Durability,
        mode: Mode,
        replaced: &mut Vec<String>,
    ) -> Result<usize> {
        struct Member {
            id: String,
            fingerprint: Fingerprint,
            refs: u64,
            entry: IndexEntry,
        }
        // No load of this storage's tensors meanwhile: one loaded now would keep the group of
        // the file this write replaces.
        let _loads = lock(&self.loading_shared);
        let (members, tensor, current_file) = {
            let slots = self.registry.lock();
            if stored.iter().any(|id| slots.contains_key(id)) {
                // Loaded since the plan: written with the others by the next spill.
                return Ok(0);
            }
            let present: Vec<(&String, &Slot)> = live.iter().filter_map(|id| slots.get(id).map(|s| (id, s))).collect();
            let Some((_, first)) = present.first() else { return Ok(0) };
            let files: HashSet<Option<&Group>> = present.iter().map(|(_, s)| Group::of(s)).collect();
            let current_file = match (files.len(), files.iter().next()) {
                (1, Some(Some(group))) if !present.iter().any(|(_, s)| s.data_dirty()) => Some(group.file.clone()),
                _ => None,
            };
            let mut members = Vec::new();
            for (id, slot) in &present {
                let entry = IndexEntry {
                    file: String::new(),
                    refs: slot.refs,
                    last_used: unix_secs(slot.last_used),
                    had_graph: false,
                    shared_storage_with: Vec::new(),
                    view: Some(StorageView::of(&slot.tensor)?),
                    check: None,
                    written_at: 0,
                    unwritten: None,
                    stale: None,
                    writing: None,
                };
                members.push(Member {
                    id: (*id).clone(),
                    fingerprint: Fingerprint::of(&slot.tensor),
                    refs: slot.refs,
                    entry,
                });
            }
            (members, first.tensor.shallow_clone(), current_file)
        };
        let disk = self.disk()?;
        self.hook("spill");
        let (file, tmp) = match current_file {
            Some(file) => (file, None),
            None => {
                let file = format!("storage-{}.safetensors", uuid::Uuid::new_v4());
                let bytes = storage_bytes(&tensor)?;
                let tmp = write_tmp(&disk.tensors.join(&file), &bytes, None)?;
                (file, Some(tmp))
            }
        };
        let written: Vec<(&str, Fingerprint)> =
            members.iter().map(|m| (m.id.as_str(), m.fingerprint.clone())).collect();
        let Some((_quiet, check)) = self.commit(tmp, &written, durability, mode, disk)? else {
            return Ok(0);
        };
        let (check, written_at) = match check {
            Some(check) => (Some(check), unix_secs(SystemTime::now())),
            // Only reference counts changed: the file and what it holds stay.
            None => members
                .first()
                .and_then(|m| disk.index.get(&m.id).ok().flatten())
                .filter(|e| e.file == file)
                .map(|e| (e.check, e.written_at))
                .unwrap_or((None, 0)),
        };
        for member in &members {
            let entry = IndexEntry { file: file.clone(), check: check.clone(), written_at, ..member.entry.clone() };
            self.put_entry(disk, &member.id, &entry, durability, replaced)?;
        }
        for id in stored {
            // Atomic: a release of that tensor meanwhile is neither lost nor undone.
            let before = disk.index.modify(id, |e| {
                Some(IndexEntry {
                    file: file.clone(),
                    check: check.clone(),
                    written_at,
                    stale: None,
                    writing: None,
                    ..e
                })
            })?;
            if let Some(before) = before.filter(|b| b.file != file) {
                replaced.push(before.file);
            }
        }
        if durability == Durability::Now {
            disk.index.flush()?;
        }
        let settled: Vec<(String, Fingerprint, u64)> =
            members.into_iter().map(|m| (m.id, m.fingerprint, m.refs)).collect();
        self.settle(&settled, Some(Group { file, storage: storage_id(&tensor) }))?;
        Ok(settled.len())
    }

    /// Records an entry, noting the file it replaces.
    fn put_entry(
        &self,
        disk: &Disk,
        id: &str,
        entry: &IndexEntry,
        durability: Durability,
        replaced: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(before) = disk.index.get(id)?.filter(|b| b.file != entry.file) {
            replaced.push(before.file);
        }
        match durability {
            Durability::Now => disk.index.put(id, entry),
            Durability::Later => disk.index.put_unflushed(id, entry),
        }
    }

    /// After a write: the tensors now match what is on disk. One released to zero (or freed)
    /// since the snapshot may have had its deletion run before this write, so what was just
    /// written for it is deleted.
    fn settle(&self, written: &[(String, Fingerprint, u64)], group: Option<Group>) -> Result<()> {
        let mut gone = Vec::new();
        {
            let mut slots = self.registry.lock();
            for (id, fingerprint, refs) in written {
                match slots.get_mut(id) {
                    Some(slot) => {
                        slot.on_disk = Some(fingerprint.clone());
                        slot.refs_on_disk = Some(*refs);
                        slot.group = group.clone();
                    }
                    None => gone.push(id.clone()),
                }
            }
        }
        for id in gone {
            self.delete_from_disk(&id)?;
        }
        Ok(())
    }
}

/// Deletes those of `files` that no index entry names any more (files replaced by newer
/// ones). Called once the index naming the new files is durable.
fn remove_unnamed(disk: &Disk, files: &[String]) {
    if files.is_empty() {
        return;
    }
    let named: HashSet<String> = disk.index.entries().into_iter().map(|(_, e)| e.file).collect();
    for file in files.iter().filter(|f| !f.is_empty() && !named.contains(*f)) {
        let _ = std::fs::remove_file(disk.tensors.join(file));
        let _ = std::fs::remove_file(disk.tensors.join(stale_name(file)));
    }
}
