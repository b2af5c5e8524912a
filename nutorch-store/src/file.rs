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
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

const DATA: &str = "data";
const GRAD: &str = "grad";
const CRC: &str = "crc32";
/// The id of the tensor a store file was written for.
const ID: &str = "id";

/// What a tensor file must hold, recorded in the index when it is written and checked when it
/// is read: a file swapped for another tensor's, or with flipped bytes, is an error rather
/// than another tensor's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    /// The stored tensor's dtype and shape (for a shared storage file: uint8, [bytes]).
    pub dtype: String,
    pub shape: Vec<i64>,
    /// Bytes of the data (and grad) in the file.
    pub bytes: u64,
    /// CRC-32 of the data bytes, then the grad's.
    pub crc32: u32,
}

/// Writes `tensor` (and its grad, when defined) to `path` atomically: a temporary file in the
/// same directory, fsync, rename, fsync of the directory. Returns the bytes written.
pub fn write_tensor(path: &Path, tensor: &Tensor) -> Result<u64> {
    let tmp = write_tmp(path, tensor, None)?;
    let written = std::fs::metadata(&tmp.path).map(|m| m.len()).unwrap_or(0);
    tmp.commit()?;
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(written)
}

/// A tensor file written whole and synced under its temporary name; `commit` renames it into
/// place, dropping it uncommitted removes it.
pub(crate) struct TmpFile {
    pub path: std::path::PathBuf,
    target: std::path::PathBuf,
    pub check: FileCheck,
    done: bool,
}

impl TmpFile {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        std::fs::rename(&self.path, &self.target).map_err(|e| {
            let _ = std::fs::remove_file(&self.path);
            Error::Io(format!("renaming into {}: {e}", self.target.display()))
        })
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Files the store writes are for this user only (tensors can hold anything: weights, data).
pub(crate) fn make_private(path: &Path, dir: bool) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if dir { 0o700 } else { 0o600 };
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, dir);
}

/// Creates `dir` and its missing parents, each for this user only.
pub(crate) fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes the renames into `dir` durable (one call after many `write_tmp` commits).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The first half of `write_tensor`: the file written and synced under its temporary name, not
/// yet renamed into place (the caller may still discard it, e.g. when the tensor changed
/// while it was written). The caller syncs the directory once for many renames (`sync_dir`)
/// before anything durable names them.
/// `id`: the tensor the file is for, recorded in it (a file of its own; not a shared storage's).
pub(crate) fn write_tmp(path: &Path, tensor: &Tensor, id: Option<&str>) -> Result<TmpFile> {
    let dtype = DType::of(tensor)?;
    let data = to_raw(&storable(tensor)?)?;
    let grad = leaf_grad(tensor);
    let grad = grad.map(|g| storable(&g).and_then(|g| to_raw(&g))).transpose()?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(data.bytes());
    let mut bytes = data.bytes().len() as u64;
    if let Some(grad) = &grad {
        crc.update(grad.bytes());
        bytes += grad.bytes().len() as u64;
    }
    let check = FileCheck { dtype: dtype.name().to_string(), shape: tensor.size(), bytes, crc32: crc.finalize() };

    let mut metadata = HashMap::new();
    metadata.insert(CRC.to_string(), check.crc32.to_string());
    if let Some(id) = id {
        metadata.insert(ID.to_string(), id.to_string());
    }
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
    let tmp = TmpFile { path: path.with_extension("safetensors.tmp"), target: path.to_path_buf(), check, done: false };
    let io = |what: &str, e: std::io::Error| Error::Io(format!("{what} {}: {e}", tmp.path.display()));
    // Streams header and data straight from the tensors' memory into the file.
    safetensors::serialize_to_file(views, Some(metadata), &tmp.path)
        .map_err(|e| Error::Io(format!("writing {}: {e}", tmp.path.display())))?;
    make_private(&tmp.path, false);
    File::open(&tmp.path).and_then(|f| f.sync_all()).map_err(|e| io("syncing", e))?;
    Ok(tmp)
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

/// The tensor a store file was written for and the checksum it carries, from its header
/// alone; `None` for a file without them (not a tensor's own file, or damaged).
pub(crate) fn written_for(path: &Path) -> Option<(String, u32)> {
    let file = File::open(path).ok()?;
    // SAFETY: as in read_tensor; only the header's pages are touched.
    let bytes = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let (_, header) = SafeTensors::read_metadata(&bytes).ok()?;
    let meta = header.metadata().as_ref()?;
    Some((meta.get(ID)?.clone(), meta.get(CRC)?.parse().ok()?))
}

/// Reads a tensor file back onto the device it came from, checking its checksum when it
/// carries one.
pub fn read_tensor(path: &Path) -> Result<Tensor> {
    read_tensor_checked(path, None, None)
}

/// `read_tensor`, also checking that the file is the one written for `id` and holds what
/// `expected` (from the index) says: its dtype, shape, length and checksum.
pub(crate) fn read_tensor_checked(path: &Path, expected: Option<&FileCheck>, id: Option<&str>) -> Result<Tensor> {
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
    verify(&file, &meta, dtype, expected, id).map_err(|what| {
        Error::Store(format!(
            "tensor file {} does not hold what was written there ({what}): it was damaged or replaced; \
             nothing else in the store is affected",
            path.display()
        ))
    })?;

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

/// Compares a file's tensors with what the index recorded (and with the checksum in its own
/// metadata). Returns what differs.
/// A file that names the tensor it was written for and matches its own checksum is taken
/// even when the index recorded an older write: a process that died between putting a file
/// in place and recording it leaves exactly that, and the file is the newer state.
fn verify(
    file: &SafeTensors<'_>,
    meta: &HashMap<String, String>,
    dtype: DType,
    expected: Option<&FileCheck>,
    id: Option<&str>,
) -> std::result::Result<(), String> {
    let data = file.tensor(DATA).map_err(|e| e.to_string())?;
    let grad = file.tensor(GRAD).ok();
    let crc = || {
        let mut crc = crc32fast::Hasher::new();
        crc.update(data.data());
        if let Some(g) = &grad {
            crc.update(g.data());
        }
        crc.finalize()
    };
    let actual = crc();
    if let Some(own) = meta.get(CRC).and_then(|c| c.parse::<u32>().ok()) {
        if actual != own {
            return Err(format!("checksum {actual:08x} where {own:08x} was written"));
        }
    }
    if let Some(written_for) = meta.get(ID) {
        return match id {
            Some(id) if id != written_for => Err(format!("it holds the data of tensor {written_for}")),
            _ => Ok(()),
        };
    }
    if let Some(expected) = expected {
        let mut shape: Vec<i64> = data.shape().iter().map(|&d| d as i64).collect();
        if dtype.is_complex() {
            shape.pop();
        }
        if dtype.name() != expected.dtype || shape != expected.shape {
            return Err(format!(
                "{} {:?} where the index says {} {:?}",
                dtype.name(),
                shape,
                expected.dtype,
                expected.shape
            ));
        }
    }
    let bytes = data.data().len() as u64 + grad.as_ref().map_or(0, |g| g.data().len() as u64);
    if let Some(e) = expected.filter(|e| e.bytes != bytes) {
        return Err(format!("{bytes} bytes of data where {} were written", e.bytes));
    }
    if let Some(recorded) = expected.map(|e| e.crc32).filter(|c| *c != actual) {
        return Err(format!("checksum {actual:08x} where {recorded:08x} was written"));
    }
    Ok(())
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
