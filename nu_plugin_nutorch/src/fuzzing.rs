//! Entry points for the fuzz targets in `fuzz/` and for the test that replays their corpus
//! (`tests/fuzz_corpus.rs`): each takes arbitrary bytes, runs one way untrusted input enters
//! nutorch, and must return (Ok or a clear error), never panic or abort. Not an API.

use crate::files;
use crate::values::data_from_input;
use nu_protocol::{Record, Span, Value};
use nutorch_core::tch::Device;
use nutorch_core::{tensor_from_data, tensor_to_data, DType};
use std::path::Path;

/// Bytes as a tensor file named `name` (the extension chooses the reader: .npy, .npz,
/// .safetensors), loaded as `nutorch load` does, then each tensor read back as values.
pub fn load_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<usize, String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let tensors = match files::load(&path).map_err(|e| e.to_string())? {
        files::Loaded::One(t) => vec![t],
        files::Loaded::Named(named) => named.into_iter().map(|(_, t)| t).collect(),
    };
    for t in &tensors {
        tensor_to_data(t).map_err(|e| e.to_string())?;
    }
    Ok(tensors.len())
}

/// `load_file` with the reader chosen by the first byte (the fuzz targets' form).
pub fn load_file_by_tag(dir: &Path, bytes: &[u8]) -> Result<usize, String> {
    let Some((&tag, rest)) = bytes.split_first() else { return Ok(0) };
    let name = ["t.npy", "t.npz", "t.safetensors"][tag as usize % 3];
    load_file(dir, name, rest)
}

/// Bytes as a store file: a tensor spilled by one store, its file replaced by `bytes`, then
/// reloaded by a fresh store (the restart path).
pub fn store_reload(dir: &Path, bytes: &[u8]) -> Result<(), String> {
    use nutorch_store::{Store, StoreConfig};
    let config =
        StoreConfig { dir: dir.to_path_buf(), idle_spill: std::time::Duration::from_secs(3600), memory_budget: None };
    let owner = nutorch_store::owner_key(std::process::id());
    let id = {
        let store = Store::open_as(config.clone(), owner.clone());
        let t = nutorch_core::tch::Tensor::f_zeros([4], (nutorch_core::tch::Kind::Float, Device::Cpu))
            .map_err(|e| e.to_string())?;
        let id = store.insert(t);
        store.retain(&id).map_err(|e| e.to_string())?;
        store.spill_all().map_err(|e| e.to_string())?;
        id
    };
    let file = dir.join("shells").join(&owner).join("tensors").join(format!("{id}.safetensors"));
    std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
    let store = Store::open_as(config, owner);
    let t = store.get(&id).map_err(|e| e.to_string())?;
    tensor_to_data(&t).map_err(|e| e.to_string())?;
    Ok(())
}

/// Bytes as a Nushell value (nested lists, records, numbers, bools, strings, ranges, built by a
/// small grammar), given to `nutorch fromvalue` with a dtype chosen by the first byte.
pub fn fromvalue(bytes: &[u8]) -> Result<(), String> {
    let Some((&first, rest)) = bytes.split_first() else { return Ok(()) };
    let dtypes: Vec<DType> = DType::all().collect();
    let dtype = (first as usize % (dtypes.len() + 1)).checked_sub(1).map(|i| dtypes[i]);
    let mut input = ValueBytes { bytes: rest, at: 0 };
    let value = input.value(0);
    let data = data_from_input(&value, None).map_err(|e| e.msg)?;
    let t = tensor_from_data(&data, dtype, Device::Cpu).map_err(|e| e.to_string())?;
    tensor_to_data(&t).map_err(|e| e.to_string())?;
    Ok(())
}

struct ValueBytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl ValueBytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn i64(&mut self) -> i64 {
        let mut raw = [0u8; 8];
        for b in &mut raw {
            *b = self.byte();
        }
        i64::from_le_bytes(raw)
    }

    fn value(&mut self, depth: usize) -> Value {
        let span = Span::unknown();
        // Past the end, or deep enough: leaves only (keeps values small and the recursion bounded).
        let kind = if self.at >= self.bytes.len() || depth > 200 { 0 } else { self.byte() % 9 };
        match kind {
            0 => Value::int(self.byte() as i64 - 128, span),
            1 => Value::int(self.i64(), span),
            2 => Value::float(f64::from_bits(self.i64() as u64), span),
            3 => Value::bool(self.byte().is_multiple_of(2), span),
            4 => Value::string(format!("s{}", self.byte()), span),
            5 | 6 => {
                let n = self.byte() % 6;
                Value::list((0..n).map(|_| self.value(depth + 1)).collect(), span)
            }
            7 => {
                let n = self.byte() % 4;
                let mut record = Record::new();
                for _ in 0..n {
                    let key = format!("c{}", self.byte() % 3);
                    let value = self.value(depth + 1);
                    record.insert(key, value);
                }
                Value::list(vec![Value::record(record, span)], span)
            }
            _ => {
                let (from, step, to) = (self.byte() as i64 - 128, self.byte() as i64 - 128, self.byte() as i64 - 128);
                let end = if self.byte().is_multiple_of(8) { Value::nothing(span) } else { Value::int(to, span) };
                // Validated as nu's parser does (a zero step cannot reach a command).
                let inclusive = nu_protocol::ast::RangeInclusion::Inclusive;
                match nu_protocol::Range::new(
                    Value::int(from, span),
                    Value::int(from + step, span),
                    end,
                    inclusive,
                    span,
                ) {
                    Ok(range) => Value::range(range, span),
                    Err(_) => Value::int(from, span),
                }
            }
        }
    }
}
