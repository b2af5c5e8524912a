//! The in-memory registry: id → tensor, with reference counts, last use, and what was last
//! written to disk for it.

use nutorch_core::state::{impl_id, ImplPin};
use nutorch_core::tch::Tensor;
use nutorch_core::{Error, Result, TensorInfo};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// What identifies a tensor's state: its TensorImpl, its data, libtorch's version counter
/// (bumped by every in-place op), requires_grad and the same for its grad. A spill is needed
/// when it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    tensor: usize,
    data: usize,
    version: i64,
    requires_grad: bool,
    grad: Option<(usize, usize, i64)>,
}

impl State {
    fn of(tensor: &Tensor) -> State {
        let grad = crate::file::leaf_grad(tensor);
        State {
            tensor: impl_id(tensor),
            data: tensor.data_ptr() as usize,
            version: tensor.f_internal_version().unwrap_or(-1),
            requires_grad: tensor.requires_grad(),
            grad: grad.map(|g| (impl_id(&g), g.data_ptr() as usize, g.f_internal_version().unwrap_or(-1))),
        }
    }
}

/// A tensor's state at one moment, comparable with the tensor's state later. Addresses of
/// freed tensors are reused: a backward pass may replace a grad by a new tensor that lands at
/// the old one's address with the same version (0), so the TensorImpls seen are pinned
/// (weakly) while the fingerprint lives, and a replaced tensor or grad never passes for the old.
#[derive(Clone)]
pub struct Fingerprint {
    state: State,
    _pins: Arc<[ImplPin]>,
}

impl Fingerprint {
    pub fn of(tensor: &Tensor) -> Fingerprint {
        let mut pins = vec![ImplPin::of(tensor)];
        if let Some(grad) = crate::file::leaf_grad(tensor) {
            pins.push(ImplPin::of(&grad));
        }
        // Taken after the pins: what it names cannot be freed and reused from here on.
        Fingerprint { state: State::of(tensor), _pins: pins.into() }
    }

    /// Whether `tensor` is still in this state.
    pub fn matches(&self, tensor: &Tensor) -> bool {
        self.state == State::of(tensor)
    }
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.state.fmt(f)
    }
}

pub(crate) struct Slot {
    pub tensor: Tensor,
    /// How many values Nushell holds for this id (each value sent out counts once).
    pub refs: u64,
    pub last_used: SystemTime,
    /// The state last written to disk, if any.
    pub on_disk: Option<Fingerprint>,
    /// The reference count last written to the index.
    pub refs_on_disk: Option<u64>,
    /// A backward from this tensor or through it freed its graph: it no longer keeps the
    /// plugin alive.
    pub graph_spent: bool,
    /// Reloaded from disk after its autograd graph was lost (it had a grad_fn when written).
    pub graph_lost: bool,
    /// Reloaded from disk as a copy: the live tensors it shared storage with when written.
    pub aliases_lost: Vec<String>,
    /// The shared storage file it was last written to or loaded from (with the other tensors
    /// of that storage); `None` for a tensor with a file of its own. Cleared by `replace`.
    pub group: Option<Group>,
    /// Running commands that fetched it: while any does, neither it nor a tensor sharing its
    /// storage is evicted (a command may be changing it in place; see `Store::get`).
    pub pins: u32,
    /// Bytes of its data, as `bytes` gives them: counted when the slot is made and again when
    /// a command that fetched it ends (it may have resized it in place), so that the memory
    /// budget, checked at every new tensor, adds numbers instead of asking libtorch for the
    /// size of every stored tensor.
    nbytes: u64,
}

/// A storage file shared by several stored tensors, and the in-memory storage it was
/// written from or loaded into (the tensor still uses it while `storage_id` gives `storage`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Group {
    pub file: String,
    pub storage: usize,
}

impl Group {
    /// The group of `slot`, when its tensor still uses the storage the group was made from.
    pub fn of(slot: &Slot) -> Option<&Group> {
        slot.group.as_ref().filter(|g| g.storage == nutorch_core::state::storage_id(&slot.tensor))
    }
}

/// Bytes of the tensor's data (its elements, not its storage).
fn data_bytes(tensor: &Tensor) -> u64 {
    TensorInfo::of(tensor).map(|i| i.nbytes() as u64).unwrap_or(0)
}

impl Slot {
    pub fn new(tensor: Tensor) -> Slot {
        Slot {
            nbytes: data_bytes(&tensor),
            tensor,
            refs: 0,
            last_used: SystemTime::now(),
            on_disk: None,
            refs_on_disk: None,
            graph_spent: false,
            graph_lost: false,
            aliases_lost: Vec::new(),
            group: None,
            pins: 0,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.nbytes
    }

    /// Whether its tensor has an autograd graph that no backward freed yet (a restart would
    /// lose it).
    pub fn has_live_graph(&self) -> bool {
        !self.graph_spent && nutorch_core::state::has_grad_fn(&self.tensor)
    }

    /// Sets the tensor of the slot (same id, same state otherwise).
    pub fn set_tensor(&mut self, tensor: Tensor) {
        self.nbytes = data_bytes(&tensor);
        self.tensor = tensor;
    }

    pub fn data_dirty(&self) -> bool {
        !self.on_disk.as_ref().is_some_and(|f| f.matches(&self.tensor))
    }

    pub fn dirty(&self) -> bool {
        self.data_dirty() || self.refs_on_disk != Some(self.refs)
    }
}

/// A row of `Registry::list`.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    pub id: String,
    pub info: TensorInfo,
    pub refs: u64,
    pub last_used: SystemTime,
}

#[derive(Default)]
pub struct Registry {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// A panic elsewhere while the lock was held must not make every later command fail:
    /// the map itself is never left half-updated by our code, so the poison is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a tensor under a new id, with no references yet.
    pub fn insert(&self, tensor: Tensor) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.lock().insert(id.clone(), Slot::new(tensor));
        id
    }

    /// The tensor of an id (sharing its storage), marking it used, and pinned when `pin`.
    pub fn get(&self, id: &str, pin: bool) -> Result<Tensor> {
        let mut slots = self.lock();
        let slot = slots.get_mut(id).ok_or_else(|| not_found(id))?;
        slot.last_used = SystemTime::now();
        slot.pins += u32::from(pin);
        Ok(slot.tensor.shallow_clone())
    }

    /// Ends pins of `get` (a command ended). Returns whether one of those tensors now has a
    /// live autograd graph (an in-place op may have given it one).
    pub(crate) fn unpin(&self, ids: &[String]) -> bool {
        let mut slots = self.lock();
        let mut graph = false;
        for id in ids {
            if let Some(slot) = slots.get_mut(id) {
                slot.pins = slot.pins.saturating_sub(1);
                slot.nbytes = data_bytes(&slot.tensor);
                graph |= slot.has_live_graph();
            }
        }
        graph
    }

    pub fn contains(&self, id: &str) -> bool {
        self.lock().contains_key(id)
    }

    /// Replaces the tensor of an existing id (in-place style updates such as an SGD step).
    pub fn replace(&self, id: &str, tensor: Tensor) -> Result<()> {
        let mut slots = self.lock();
        let slot = slots.get_mut(id).ok_or_else(|| not_found(id))?;
        *slot = Slot {
            refs: slot.refs,
            on_disk: slot.on_disk.clone(),
            refs_on_disk: slot.refs_on_disk,
            pins: slot.pins,
            ..Slot::new(tensor)
        };
        Ok(())
    }

    /// One more value in Nushell refers to `id`.
    pub fn retain(&self, id: &str) -> Result<()> {
        let mut slots = self.lock();
        slots.get_mut(id).ok_or_else(|| not_found(id))?.refs += 1;
        Ok(())
    }

    /// One value referring to `id` was dropped. Returns `Some(true)` when that was the last
    /// one (the tensor is gone from memory), `Some(false)` when others remain, `None` when
    /// the id is not in memory.
    pub fn release(&self, id: &str) -> Option<bool> {
        let mut slots = self.lock();
        let slot = slots.get_mut(id)?;
        slot.refs = slot.refs.saturating_sub(1);
        if slot.refs == 0 {
            slots.remove(id);
            Some(true)
        } else {
            Some(false)
        }
    }

    /// Frees a tensor whatever its references. Returns whether it was in memory.
    pub fn remove(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of tensor data in memory.
    pub fn bytes(&self) -> u64 {
        self.lock().values().map(Slot::bytes).sum()
    }

    pub fn list(&self) -> Vec<TensorEntry> {
        let slots = self.lock();
        let mut rows: Vec<TensorEntry> = slots
            .iter()
            .filter_map(|(id, slot)| {
                let info = TensorInfo::of(&slot.tensor).ok()?;
                Some(TensorEntry { id: id.clone(), info, refs: slot.refs, last_used: slot.last_used })
            })
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_used));
        rows
    }
}

pub(crate) fn not_found(id: &str) -> Error {
    Error::NotFound(format!("no tensor with id '{id}' (it was freed, or never existed)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nutorch_core::tch::{Device, Kind};

    #[test]
    fn tensors_are_freed_when_the_last_reference_goes() {
        let registry = Registry::new();
        let id = registry.insert(Tensor::f_zeros([3], (Kind::Float, Device::Cpu)).unwrap());
        registry.retain(&id).unwrap();
        registry.retain(&id).unwrap();
        assert_eq!(registry.release(&id), Some(false));
        assert!(registry.get(&id, false).is_ok());
        assert_eq!(registry.release(&id), Some(true));
        let err = registry.get(&id, false).unwrap_err().to_string();
        assert!(err.contains("no tensor with id"), "{err}");
    }

    #[test]
    fn in_place_ops_change_the_fingerprint() {
        let mut t = Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap();
        let before = Fingerprint::of(&t);
        assert!(before.matches(&t));
        let _ = t.f_fill_(1.0).unwrap();
        assert!(!before.matches(&t));
    }
}
