//! A parameter store: named tensors in a fixed order, as a PyTorch module's `state_dict`
//! holds them. It wraps tensors without copying them (shallow handles share storage and
//! autograd identity), so a model built around tensors that live elsewhere trains those very
//! tensors.

use nutorch_core::{Error, Result};
use tch::Tensor;

#[derive(Debug, Default)]
pub struct NamedTensors {
    entries: Vec<(String, Tensor)>,
}

impl NamedTensors {
    pub fn new() -> NamedTensors {
        NamedTensors::default()
    }

    /// Appends a tensor; names must be unique.
    pub fn push(&mut self, name: impl Into<String>, tensor: Tensor) -> Result<()> {
        let name = name.into();
        if self.contains(&name) {
            return Err(Error::Argument(format!("the name '{name}' appears twice")));
        }
        self.entries.push((name, tensor));
        Ok(())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// The tensor called `name` (a reference: no handle is made).
    pub fn get(&self, name: &str) -> Result<&Tensor> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
            .ok_or_else(|| Error::NotFound(format!("no tensor named '{name}'")))
    }

    pub fn get_opt(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// Shallow handles of every entry, in order.
    pub fn to_vec(&self) -> Vec<(String, Tensor)> {
        self.entries.iter().map(|(n, t)| (n.clone(), t.shallow_clone())).collect()
    }

    /// The tensors alone, as shallow handles, in order.
    pub fn tensors(&self) -> Vec<Tensor> {
        self.entries.iter().map(|(_, t)| t.shallow_clone()).collect()
    }
}

impl TryFrom<Vec<(String, Tensor)>> for NamedTensors {
    type Error = Error;

    fn try_from(entries: Vec<(String, Tensor)>) -> Result<NamedTensors> {
        let mut named = NamedTensors::new();
        for (name, tensor) in entries {
            named.push(name, tensor)?;
        }
        Ok(named)
    }
}
