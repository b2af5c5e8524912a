//! Writing tensors to disk: the idle spill of everything that changed, eviction under the
//! memory budget. Tensors sharing one storage (a base and its views) are written together as
//! that storage's bytes, so that they reload as views of each other.

use super::{lock, unix_secs, Disk, Store};
use crate::file::{sync_dir, write_tensor, write_tensor_unsynced_dir};
use crate::index::IndexEntry;
use crate::registry::{Fingerprint, Group, Slot};
use crate::storage::{shareable, StorageView};
use nutorch_core::state::{has_grad_fn, storage_bytes, storage_id};
use nutorch_core::Result;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

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
    pub fn spill_all(&self) -> Result<usize> {
        let _one = lock(&self.spilling);
        let units = self.plan(None)?;
        let mut written = 0;
        let mut replaced = Vec::new();
        let mut first_error = None;
        for unit in units {
            match self.write_unit(unit, Durability::Later, &mut replaced) {
                Ok(n) => written += n,
                Err(e) => {
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
            Ok(disk) => remove_unnamed(disk, &replaced),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
        if let Err(e) = self.spill_session() {
            first_error.get_or_insert(e);
        }
        *lock(&self.last_spill) = Instant::now();
        match first_error {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }

    /// Spills `id` (with the tensors sharing its storage) if needed, then drops it from memory
    /// (it reloads on next use).
    pub fn evict(&self, id: &str) -> Result<()> {
        let _one = lock(&self.spilling);
        let mut replaced = Vec::new();
        for unit in self.plan(Some(id))? {
            self.write_unit(unit, Durability::Now, &mut replaced)?;
        }
        remove_unnamed(self.disk()?, &replaced);
        let mut slots = self.registry.lock();
        if slots.get(id).is_some_and(|s| !s.dirty()) {
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
                // A tensor with a live autograd graph stays: a reload would lose the graph.
                slots
                    .iter()
                    .filter(|(id, s)| id.as_str() != keep && (s.graph_spent || !has_grad_fn(&s.tensor)))
                    .min_by_key(|(_, s)| s.last_used)
                    .map(|(id, _)| id.clone())
            };
            let Some(victim) = victim else { return };
            if self.evict(&victim).is_err() {
                return; // cannot write: keep it in memory rather than lose it
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
    fn write_unit(&self, unit: Unit, durability: Durability, replaced: &mut Vec<String>) -> Result<usize> {
        match unit {
            Unit::Own { id, aliases } => Ok(usize::from(self.write_own(&id, aliases, durability, replaced)?)),
            Unit::Shared { live, stored } => self.write_shared(&live, &stored, durability, replaced),
        }
    }

    /// Writes one tensor to a file of its own (file first, then index) if it changed.
    /// Returns whether it wrote. The caller holds `spilling`.
    fn write_own(
        &self,
        id: &str,
        aliases: Vec<String>,
        durability: Durability,
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
        if data_dirty {
            match durability {
                Durability::Now => write_tensor(&path, &tensor)?,
                Durability::Later => write_tensor_unsynced_dir(&path, &tensor)?,
            };
        }
        let entry = IndexEntry {
            file: file.clone(),
            refs,
            last_used: unix_secs(last_used),
            had_graph,
            shared_storage_with: aliases,
            view: None,
        };
        self.put_entry(disk, id, &entry, durability, replaced)?;
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
        replaced: &mut Vec<String>,
    ) -> Result<usize> {
        struct Member {
            id: String,
            fingerprint: Fingerprint,
            refs: u64,
            entry: IndexEntry,
        }
        let (members, tensor, current_file) = {
            let slots = self.registry.lock();
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
        let file = match current_file {
            Some(file) => file,
            None => {
                let file = format!("storage-{}.safetensors", uuid::Uuid::new_v4());
                let bytes = storage_bytes(&tensor)?;
                match durability {
                    Durability::Now => write_tensor(&disk.tensors.join(&file), &bytes)?,
                    Durability::Later => write_tensor_unsynced_dir(&disk.tensors.join(&file), &bytes)?,
                };
                file
            }
        };
        for member in &members {
            let entry = IndexEntry { file: file.clone(), ..member.entry.clone() };
            self.put_entry(disk, &member.id, &entry, durability, replaced)?;
        }
        for id in stored {
            // Atomic: a release of that tensor meanwhile is neither lost nor undone.
            let before = disk.index.modify(id, |e| Some(IndexEntry { file: file.clone(), ..e }))?;
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
                        slot.on_disk = Some(*fingerprint);
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
    for file in files.iter().filter(|f| !named.contains(*f)) {
        let _ = std::fs::remove_file(disk.tensors.join(file));
    }
}
