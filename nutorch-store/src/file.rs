//! One tensor per safetensors file, written whole before anything points at it.
//!
//! The file carries everything needed to rebuild the tensor (dtype, device, requires_grad,
//! its grad), so a file is meaningful on its own; the sled index only makes lookups cheap.

use nutorch_core::device::{check_available, device_name, parse_device_syntax};
use nutorch_core::safetensors_data::{from_raw, restore_complex, storable, to_raw};
use nutorch_core::tch::Tensor;
use nutorch_core::{DType, Error, Result};
use safetensors::tensor::TensorView;
use safetensors::SafeTensors;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

const DATA: &str = "data";
const GRAD: &str = "grad";

/// Writes `tensor` (and its grad, when defined) to `path` atomically: a temporary file in the
/// same directory, fsync, rename, fsync of the directory. Returns the bytes written.
pub fn write_tensor(path: &Path, tensor: &Tensor) -> Result<u64> {
    let written = write_tensor_unsynced_dir(path, tensor)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(written)
}

/// Makes the renames into `dir` durable (one call after many `write_tensor_unsynced_dir`).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `write_tensor` without the fsync of the directory: the caller syncs it once for many files
/// (`sync_dir`) before anything durable names them.
pub(crate) fn write_tensor_unsynced_dir(path: &Path, tensor: &Tensor) -> Result<u64> {
    let dtype = DType::of(tensor)?;
    let data = to_raw(&storable(tensor)?)?;
    let grad = leaf_grad(tensor);
    let grad = grad.map(|g| storable(&g).and_then(|g| to_raw(&g))).transpose()?;

    let mut metadata = HashMap::new();
    metadata.insert("format".to_string(), "nutorch-tensor-1".to_string());
    metadata.insert("dtype".to_string(), dtype.name().to_string());
    metadata.insert("device".to_string(), device_name(tensor.device()));
    metadata.insert("requires_grad".to_string(), tensor.requires_grad().to_string());
    if dtype.is_complex() {
        metadata.insert("stored_as".to_string(), "real view: last dimension is (real, imaginary)".to_string());
    }
    let mut views = vec![(DATA, view(&data)?)];
    if let Some(grad) = &grad {
        views.push((GRAD, view(grad)?));
    }
    let tmp = path.with_extension("safetensors.tmp");
    let io = |what: &str, e: std::io::Error| Error::Io(format!("{what} {}: {e}", tmp.display()));
    // Streams header and data straight from the tensors' memory into the file.
    if let Err(e) = safetensors::serialize_to_file(views, Some(metadata), &tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Io(format!("writing {}: {e}", tmp.display())));
    }
    let synced = File::open(&tmp).and_then(|f| f.sync_all());
    if let Err(e) = synced {
        let _ = std::fs::remove_file(&tmp);
        return Err(io("syncing", e));
    }
    let written = std::fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0);
    std::fs::rename(&tmp, path).map_err(|e| Error::Io(format!("renaming into {}: {e}", path.display())))?;
    Ok(written)
}

fn view(raw: &nutorch_core::safetensors_data::RawTensor) -> Result<TensorView<'_>> {
    TensorView::new(raw.dtype, raw.shape.clone(), raw.bytes()).map_err(|e| Error::Store(format!("tensor view: {e}")))
}

/// What a tensor file holds, from its header alone (the data is not read).
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub dtype: String,
    pub shape: Vec<i64>,
    pub device: String,
    pub requires_grad: bool,
    /// Bytes of the tensor's data (what it takes in memory).
    pub bytes: u64,
}

/// Reads a tensor file's header: dtype, shape, device, requires_grad.
pub fn read_info(path: &Path) -> Result<FileInfo> {
    let file = File::open(path).map_err(|e| Error::Io(format!("reading {}: {e}", path.display())))?;
    // SAFETY: as in read_tensor; only the header's pages are touched.
    let bytes =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::Io(format!("mapping {}: {e}", path.display())))?;
    let corrupt = |what: String| Error::Store(format!("tensor file {} is damaged: {what}", path.display()));
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let meta = header.metadata().clone().unwrap_or_default();
    let get = |key: &str| meta.get(key).cloned().ok_or_else(|| corrupt(format!("no '{key}' in its metadata")));
    let dtype = DType::parse(&get("dtype")?)?;
    let mut shape: Vec<i64> =
        header.info(DATA).ok_or_else(|| corrupt("no data tensor".into()))?.shape.iter().map(|&d| d as i64).collect();
    if dtype.is_complex() {
        shape.pop(); // stored as a real view: the last dimension is (real, imaginary)
    }
    let bytes = shape.iter().product::<i64>().max(0) as u64 * dtype.element_size() as u64;
    Ok(FileInfo {
        dtype: dtype.name().to_string(),
        shape,
        device: get("device")?,
        requires_grad: get("requires_grad")? == "true",
        bytes,
    })
}

/// Reads a tensor file back onto the device it came from.
pub fn read_tensor(path: &Path) -> Result<Tensor> {
    let file = File::open(path).map_err(|e| Error::Io(format!("reading {}: {e}", path.display())))?;
    // SAFETY: the store writes files whole under a temporary name and renames them into place;
    // nothing writes to a file after that, so the mapping does not change under us.
    let bytes =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::Io(format!("mapping {}: {e}", path.display())))?;
    let corrupt = |what: String| Error::Store(format!("tensor file {} is damaged: {what}", path.display()));
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let file = SafeTensors::deserialize(&bytes).map_err(|e| corrupt(e.to_string()))?;
    let meta = header.metadata().clone().unwrap_or_default();
    let get = |key: &str| meta.get(key).cloned().ok_or_else(|| corrupt(format!("no '{key}' in its metadata")));
    let dtype = DType::parse(&get("dtype")?)?;
    let device = parse_device_syntax(&get("device")?)?;
    check_available(device).map_err(|e| {
        Error::Device(format!("tensor was stored from {}, which this machine lacks: {e}", device_name(device)))
    })?;
    let requires_grad = get("requires_grad")? == "true";

    let load = |name: &str| -> Result<Tensor> {
        let view = file.tensor(name).map_err(|e| corrupt(e.to_string()))?;
        let t = restore_complex(from_raw(view.dtype(), view.shape(), view.data())?, dtype)?;
        Ok(t.f_to_device(device)?)
    };
    let mut tensor = load(DATA)?;
    if requires_grad {
        tensor = tensor.f_requires_grad_(true)?;
        if file.names().contains(&GRAD) {
            restore_grad(&tensor, &load(GRAD)?)?;
        }
    }
    Ok(tensor)
}

/// The accumulated grad of a leaf tensor, if any. Non-leaf tensors have no `.grad` (libtorch
/// warns when asked), so they are not asked.
pub(crate) fn leaf_grad(tensor: &Tensor) -> Option<Tensor> {
    if !tensor.f_is_leaf().unwrap_or(false) {
        return None;
    }
    tensor.f_grad().ok().filter(|g| g.defined())
}

/// tch cannot assign `.grad` directly: a backward pass through `0 * sum(tensor)` creates a
/// zero grad of the right shape and dtype, which then takes the stored values.
fn restore_grad(tensor: &Tensor, grad: &Tensor) -> Result<()> {
    nutorch_core::tch::with_grad(|| -> Result<()> {
        let real = if DType::of(tensor)?.is_complex() { tensor.f_view_as_real()? } else { tensor.shallow_clone() };
        real.f_sum(nutorch_core::tch::Kind::Double)?.f_mul_scalar(0.0)?.f_backward()?;
        let mut slot = tensor.f_grad()?;
        nutorch_core::tch::no_grad(|| slot.f_copy_(grad))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nutorch_core::tch::{Device, Kind};
    use nutorch_core::{tensor_from_data, tensor_to_data, Buffer, Data};

    #[test]
    fn values_dtype_and_grad_survive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let data = Data { shape: vec![3], values: Buffer::Float(vec![1.0, 2.0, 3.0]) };
        let t = tensor_from_data(&data, Some(DType::Float64), Device::Cpu).unwrap().f_requires_grad_(true).unwrap();
        t.f_mul(&t).unwrap().f_sum(Kind::Double).unwrap().f_backward().unwrap();
        write_tensor(&path, &t).unwrap();
        let back = read_tensor(&path).unwrap();
        let info = read_info(&path).unwrap();
        assert_eq!((info.dtype.as_str(), info.shape.as_slice(), info.bytes), ("float64", &[3i64][..], 24));
        assert!(info.requires_grad && info.device == "cpu");
        assert!(back.requires_grad());
        assert_eq!(tensor_to_data(&back).unwrap(), data);
        assert_eq!(tensor_to_data(&back.f_grad().unwrap()).unwrap().values, Buffer::Float(vec![2.0, 4.0, 6.0]));
        assert!(!dir.path().join("t.safetensors.tmp").exists());
    }

    #[test]
    fn a_truncated_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        write_tensor(&path, &Tensor::f_ones([100], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_tensor(&path).unwrap_err().to_string();
        assert!(err.contains("damaged"), "{err}");
    }
}
