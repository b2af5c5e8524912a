//! Named tensors and a string metadata map in one safetensors file.
//!
//! safetensors is the format PyTorch users already read (`safetensors.torch.load_file`) and
//! write (`save_file(model.state_dict(), ...)`); libtorch's own archives are refused by
//! Python's `torch.load`. The file header's `__metadata__` map carries whatever describes the
//! tensors (for models: the architecture).

use crate::model::Model;
use crate::spec::LayerSpec;
use nutorch_core::{DType, Error, Result};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use tch::{Kind, Tensor};

/// The contents of a safetensors file: tensors (CPU) by name, and the metadata map (empty when
/// the file has none).
#[derive(Debug)]
pub struct TensorFile {
    pub tensors: BTreeMap<String, Tensor>,
    pub metadata: HashMap<String, String>,
}

/// Writes `tensors` and `metadata` to `path`. Tensors may live on any device and have any
/// layout: each is copied to contiguous CPU bytes first. Names must be unique.
pub fn save_tensors(path: &Path, tensors: &[(String, Tensor)], metadata: &HashMap<String, String>) -> Result<()> {
    let mut buffers = Vec::with_capacity(tensors.len());
    let mut seen = std::collections::HashSet::new();
    let mut metadata = metadata.clone();
    for (name, tensor) in tensors {
        if !seen.insert(name.as_str()) {
            return Err(Error::Argument(format!("tensor name '{name}' appears twice")));
        }
        // safetensors has no complex dtype: a complex tensor is written as its real view (a
        // last dimension of 2: real, imaginary), its dtype in the metadata, and read back so.
        let dtype_now = DType::of(tensor)?;
        if dtype_now.is_complex() {
            metadata.insert(format!("{COMPLEX_KEY}{name}"), dtype_now.name().to_string());
        }
        let tensor = &nutorch_core::safetensors_data::storable(tensor)?;
        let kind = tensor.f_kind()?;
        let dtype = dtype_of_kind(kind).ok_or_else(|| {
            Error::Value(format!("tensor '{name}' has dtype {kind:?}, which safetensors files cannot hold"))
        })?;
        let shape = tensor.size().iter().map(|&d| d as usize).collect::<Vec<_>>();
        let numel = shape.iter().product::<usize>();
        let mut bytes = vec![0u8; numel * kind.elt_size_in_bytes()];
        if numel > 0 {
            tensor.f_detach()?.f_copy_data_u8(&mut bytes, numel)?;
        }
        buffers.push((name, dtype, shape, bytes));
    }
    let views = buffers
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes).map(|view| (name.as_str(), view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Value(format!("cannot lay out tensors for '{}': {e}", path.display())))?;
    let metadata = (!metadata.is_empty()).then_some(metadata);
    safetensors::serialize_to_file(views, metadata, path)
        .map_err(|e| Error::Io(format!("cannot write '{}': {e}", path.display())))
}

/// Reads every tensor and the metadata of the safetensors file at `path`.
pub fn load_tensors(path: &Path) -> Result<TensorFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("cannot read '{}': {e}", path.display())))?;
    let not_safetensors = |e: safetensors::SafeTensorError| {
        Error::Value(format!("'{}' is not a readable safetensors file: {e}", path.display()))
    };
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(not_safetensors)?;
    let file = SafeTensors::deserialize(&bytes).map_err(not_safetensors)?;
    let mut tensors = BTreeMap::new();
    for (name, view) in file.tensors() {
        let kind = kind_of_dtype(view.dtype()).ok_or_else(|| {
            Error::Value(format!(
                "tensor '{name}' in '{}' has dtype {:?}, which nutorch cannot load",
                path.display(),
                view.dtype()
            ))
        })?;
        let shape = view.shape().iter().map(|&d| d as i64).collect::<Vec<_>>();
        let numel = view.shape().iter().product::<usize>();
        if view.data().len() != numel * kind.elt_size_in_bytes() {
            return Err(Error::Value(format!("tensor '{name}' in '{}' has the wrong number of bytes", path.display())));
        }
        tensors.insert(name, Tensor::f_from_data_size(view.data(), &shape, kind)?);
    }
    let mut metadata = header.metadata().clone().unwrap_or_default();
    for (name, tensor) in tensors.iter_mut() {
        let Some(dtype) = metadata.remove(&format!("{COMPLEX_KEY}{name}")) else { continue };
        let dtype = DType::parse(&dtype).ok().filter(|d| d.is_complex()).ok_or_else(|| {
            Error::Value(format!("tensor '{name}' in '{}': unknown complex dtype {dtype}", path.display()))
        })?;
        let real = std::mem::replace(tensor, Tensor::new());
        *tensor = nutorch_core::safetensors_data::restore_complex(real, dtype)
            .map_err(|e| Error::Value(format!("tensor '{name}' in '{}': {e}", path.display())))?;
    }
    Ok(TensorFile { tensors, metadata })
}

/// The metadata key prefix naming a complex tensor's dtype (`nutorch.complex.<name>`: the file
/// holds its real view).
pub const COMPLEX_KEY: &str = "nutorch.complex.";

/// The metadata key holding a model's architecture (a [`LayerSpec`] as JSON).
pub const SPEC_KEY: &str = "nutorch.spec";

/// Saves a model as PyTorch's `save_file(model.state_dict(), path)` would (parameters and
/// buffers under their `state_dict` names, each in its own dtype, copied to the CPU), with the
/// architecture as JSON in the metadata (and `format: pt`, as safetensors.torch writes).
/// `load_state_dict(strict=True)` of the equivalent `torch.nn` model accepts the file.
pub fn save_model(path: &Path, model: &Model) -> Result<()> {
    let metadata =
        HashMap::from([("format".to_string(), "pt".to_string()), (SPEC_KEY.to_string(), model.spec().to_json())]);
    save_tensors(path, &model.state_dict(), &metadata)
}

/// Loads a model file: the architecture from its metadata ([`SPEC_KEY`], or the older
/// `kind: SimpleNN|Linear` keys), else `spec` (for files PyTorch wrote, which carry no
/// architecture). The tensors must match the architecture exactly (`strict=True`); floating
/// tensors of another precision are converted to float32. Parameters are fresh leaves that
/// require grad, on the CPU.
pub fn load_model(path: &Path, spec: Option<&LayerSpec>) -> Result<Model> {
    let file = load_tensors(path)?;
    let shown = path.display();
    let spec = match (file.metadata.get(SPEC_KEY), spec) {
        (_, Some(given)) => given.normalized()?,
        (Some(json), None) => {
            LayerSpec::from_json(json).map_err(|e| Error::Value(format!("'{shown}': the architecture in its metadata: {e}")))?
        }
        (None, None) => legacy_spec(&file).ok_or_else(|| {
            let names = file.tensors.keys().cloned().collect::<Vec<_>>().join(", ");
            Error::Value(format!(
                "'{shown}' does not say which architecture its tensors ({names}) belong to; give the architecture (a file PyTorch wrote holds only the state dict)"
            ))
        })?,
    };
    let buffer_names: Vec<String> = spec.buffers().into_iter().map(|s| s.name).collect();
    let mut params = Vec::new();
    let mut buffers = Vec::new();
    for (name, tensor) in file.tensors {
        if buffer_names.contains(&name) {
            buffers.push((name, tensor));
        } else {
            let dtype = DType::of(&tensor)?;
            if !dtype.is_floating_point() {
                return Err(Error::Value(format!(
                    "'{shown}': tensor '{name}' is {dtype}; parameters must be floating point"
                )));
            }
            let tensor = if tensor.f_kind()? == Kind::Float { tensor } else { tensor.f_to_kind(Kind::Float)? };
            params.push((name, nutorch_core::autograd::set_requires_grad(tensor, true)?));
        }
    }
    let buffers = buffers
        .into_iter()
        .map(|(n, t)| {
            let convert = DType::of(&t)?.is_floating_point() && t.f_kind()? != Kind::Float;
            Ok((n, if convert { t.f_to_kind(Kind::Float)? } else { t }))
        })
        .collect::<Result<Vec<_>>>()?;
    Model::from_tensors(&spec, params, buffers).map_err(|e| Error::Value(format!("'{shown}': {e}")))
}

/// Files written before architectures were stored as JSON: `kind: SimpleNN` with `input`,
/// `hidden`, `output`, or `kind: Linear`; and metadata-less files whose names are exactly a
/// SimpleNN's.
fn legacy_spec(file: &TensorFile) -> Option<LayerSpec> {
    let shape = |name: &str| file.tensors.get(name).map(|t| t.size());
    let kind = file.metadata.get("kind").map(String::as_str);
    let simple_names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"];
    let is_simple = file.tensors.len() == 4 && simple_names.iter().all(|n| file.tensors.contains_key(*n));
    match kind {
        Some("Linear") | None if file.tensors.len() == 2 && file.tensors.contains_key("bias") => {
            let w = shape("weight")?;
            (w.len() == 2).then(|| LayerSpec::Linear { in_features: w[1], out_features: w[0], bias: true })
        }
        Some("SimpleNN") | None if is_simple => {
            let (w1, w2) = (shape("fc1.weight")?, shape("fc2.weight")?);
            (w1.len() == 2 && w2.len() == 2).then(|| LayerSpec::SimpleNn { input: w1[1], hidden: w1[0], output: w2[0] })
        }
        _ => None,
    }
}

fn dtype_of_kind(kind: Kind) -> Option<Dtype> {
    Some(match kind {
        Kind::Bool => Dtype::BOOL,
        Kind::Uint8 => Dtype::U8,
        Kind::Int8 => Dtype::I8,
        Kind::Int16 => Dtype::I16,
        Kind::Int => Dtype::I32,
        Kind::Int64 => Dtype::I64,
        Kind::Half => Dtype::F16,
        Kind::BFloat16 => Dtype::BF16,
        Kind::Float => Dtype::F32,
        Kind::Double => Dtype::F64,
        _ => return None,
    })
}

fn kind_of_dtype(dtype: Dtype) -> Option<Kind> {
    Some(match dtype {
        Dtype::BOOL => Kind::Bool,
        Dtype::U8 => Kind::Uint8,
        Dtype::I8 => Kind::Int8,
        Dtype::I16 => Kind::Int16,
        Dtype::I32 => Kind::Int,
        Dtype::I64 => Kind::Int64,
        Dtype::F16 => Kind::Half,
        Dtype::BF16 => Kind::BFloat16,
        Dtype::F32 => Kind::Float,
        Dtype::F64 => Kind::Double,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn complex_tensors_travel_as_their_real_view_and_come_back_complex() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z.safetensors");
        let pairs = Tensor::from_slice(&[1.0f64, 2.0, 3.0, -1.0]).reshape([2, 2]);
        let z = pairs.view_as_complex();
        save_tensors(&path, &[("z".to_string(), z.conj())], &HashMap::new()).unwrap();
        // The file itself holds float64 pairs (what PyTorch's safetensors reads) and the dtype.
        let bytes = std::fs::read(&path).unwrap();
        let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(header.metadata().as_ref().unwrap()["nutorch.complex.z"], "complex128");
        let file = load_tensors(&path).unwrap();
        assert!(file.metadata.is_empty(), "{:?}", file.metadata);
        let back = &file.tensors["z"];
        assert_eq!(back.kind(), Kind::ComplexDouble);
        let values = Vec::<f64>::try_from(back.view_as_real().reshape([-1])).unwrap();
        assert_eq!(values, vec![1.0, -2.0, 3.0, 1.0]); // the conjugate, resolved
    }

    #[test]
    fn round_trip_keeps_values_dtypes_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let a = Tensor::from_slice(&[1.5f32, -2.0, 3.25, 4.0, 5.0, 6.0]).view([2, 3]).tr();
        let b = Tensor::from_slice(&[7i64, 8]);
        let c = Tensor::from_slice(&[0.5f64]).to_kind(Kind::BFloat16);
        let metadata = HashMap::from([("kind".to_string(), "test".to_string())]);
        save_tensors(
            &path,
            &[("a".into(), a.shallow_clone()), ("b".into(), b.shallow_clone()), ("c".into(), c)],
            &metadata,
        )
        .unwrap();
        let file = load_tensors(&path).unwrap();
        assert_eq!(file.metadata, metadata);
        assert!(file.tensors["a"].equal(&a));
        assert!(file.tensors["b"].equal(&b));
        assert_eq!(file.tensors["c"].kind(), Kind::BFloat16);
        assert_eq!(file.tensors["c"].to_kind(Kind::Double).double_value(&[0]), 0.5);
    }

    #[test]
    fn duplicate_names_and_bad_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let t = Tensor::zeros([2], (Kind::Float, Device::Cpu));
        let twice = [("x".to_string(), t.shallow_clone()), ("x".to_string(), t)];
        assert!(save_tensors(&path, &twice, &HashMap::new()).unwrap_err().to_string().contains("twice"));
        assert!(load_tensors(&dir.path().join("missing")).unwrap_err().to_string().contains("cannot read"));
        std::fs::write(&path, b"not a safetensors file").unwrap();
        assert!(load_tensors(&path).unwrap_err().to_string().contains("not a readable safetensors file"));
    }
}
