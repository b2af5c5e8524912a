//! The in-memory registry: id → tensor, with reference counts and last use.

use nutorch_core::tch::Tensor;
use nutorch_core::{Error, Result, TensorInfo};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

struct Slot {
    tensor: Tensor,
    /// How many values Nushell holds for this id (each value sent out counts once).
    refs: u64,
    last_used: SystemTime,
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
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a tensor under a new id, with no references yet.
    pub fn insert(&self, tensor: Tensor) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.lock().insert(id.clone(), Slot { tensor, refs: 0, last_used: SystemTime::now() });
        id
    }

    /// The tensor of an id (sharing its storage), marking it used.
    pub fn get(&self, id: &str) -> Result<Tensor> {
        let mut slots = self.lock();
        let slot = slots.get_mut(id).ok_or_else(|| not_found(id))?;
        slot.last_used = SystemTime::now();
        Ok(slot.tensor.shallow_clone())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.lock().contains_key(id)
    }

    /// Replaces the tensor of an existing id (in-place style updates such as an SGD step).
    pub fn replace(&self, id: &str, tensor: Tensor) -> Result<()> {
        let mut slots = self.lock();
        let slot = slots.get_mut(id).ok_or_else(|| not_found(id))?;
        slot.tensor = tensor;
        slot.last_used = SystemTime::now();
        Ok(())
    }

    /// One more value in Nushell refers to `id`.
    pub fn retain(&self, id: &str) -> Result<()> {
        let mut slots = self.lock();
        slots.get_mut(id).ok_or_else(|| not_found(id))?.refs += 1;
        Ok(())
    }

    /// One value referring to `id` was dropped; the tensor is freed when none is left.
    /// Returns whether the tensor was freed.
    pub fn release(&self, id: &str) -> bool {
        let mut slots = self.lock();
        let Some(slot) = slots.get_mut(id) else { return false };
        slot.refs = slot.refs.saturating_sub(1);
        if slot.refs == 0 {
            slots.remove(id);
            true
        } else {
            false
        }
    }

    /// Frees a tensor whatever its references. Returns whether it existed.
    pub fn remove(&self, id: &str) -> bool {
        self.lock().remove(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        rows.sort_by(|a, b| b.last_used.cmp(&a.last_used));
        rows
    }
}

fn not_found(id: &str) -> Error {
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
        assert!(!registry.release(&id));
        assert!(registry.get(&id).is_ok());
        assert!(registry.release(&id));
        let err = registry.get(&id).unwrap_err().to_string();
        assert!(err.contains("no tensor with id"), "{err}");
    }

    #[test]
    fn get_shares_storage() {
        let registry = Registry::new();
        let id = registry.insert(Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap());
        let mut t = registry.get(&id).unwrap();
        let _ = t.f_fill_(1.0).unwrap();
        let sum = registry.get(&id).unwrap().f_sum(Kind::Double).unwrap().f_double_value(&[]).unwrap();
        assert_eq!(sum, 2.0);
    }
}
