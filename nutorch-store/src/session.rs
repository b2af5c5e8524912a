//! Process state that is not a tensor but must survive a restart like one: the default random
//! generators' state and grad mode. Written next to the index as one safetensors file
//! (`session`: a uint8 tensor per generator, grad mode in the metadata), atomically.

use nutorch_core::state::RngState;
use nutorch_core::{Error, Result};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::path::Path;

/// Settings of the plugin process that the store keeps with the tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// `torch.set_grad_enabled`.
    pub grad_enabled: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session { grad_enabled: true }
    }
}

const CPU: &str = "rng_cpu";
const CUDA: &str = "rng_cuda:";

pub(crate) fn write(path: &Path, session: &Session, rng: &RngState) -> Result<()> {
    let mut views = vec![(CPU.to_string(), &rng.cpu)];
    views.extend(rng.cuda.iter().map(|(i, bytes)| (format!("{CUDA}{i}"), bytes)));
    let views = views
        .into_iter()
        .map(|(name, bytes)| {
            TensorView::new(Dtype::U8, vec![bytes.len()], bytes)
                .map(|v| (name, v))
                .map_err(|e| Error::Store(format!("random generator state: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut metadata = HashMap::new();
    metadata.insert("format".to_string(), "nutorch-session-1".to_string());
    metadata.insert("grad_enabled".to_string(), session.grad_enabled.to_string());
    let tmp = path.with_extension("tmp");
    let written = safetensors::serialize_to_file(views, Some(metadata), &tmp)
        .map_err(|e| Error::Io(format!("writing {}: {e}", tmp.display())))
        .and_then(|()| {
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::Io(format!("syncing {}: {e}", tmp.display())))
        })
        .and_then(|()| {
            std::fs::rename(&tmp, path).map_err(|e| Error::Io(format!("renaming into {}: {e}", path.display())))
        });
    match &written {
        Ok(()) => crate::file::sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(_) => {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    written
}

/// The session written last, `None` when there is none (a new shell).
pub(crate) fn read(path: &Path) -> Result<Option<(Session, RngState)>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io(format!("reading {}: {e}", path.display()))),
    };
    let damaged = |e: String| Error::Store(format!("{} is damaged: {e}", path.display()));
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| damaged(e.to_string()))?;
    let file = SafeTensors::deserialize(&bytes).map_err(|e| damaged(e.to_string()))?;
    let grad_enabled = header.metadata().as_ref().and_then(|m| m.get("grad_enabled")).is_none_or(|v| v == "true");
    let mut rng = RngState::default();
    for (name, view) in file.tensors() {
        if name == CPU {
            rng.cpu = view.data().to_vec();
        } else if let Some(i) = name.strip_prefix(CUDA).and_then(|i| i.parse().ok()) {
            rng.cuda.push((i, view.data().to_vec()));
        }
    }
    rng.cuda.sort();
    Ok(Some((Session { grad_enabled }, rng)))
}
