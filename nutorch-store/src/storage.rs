//! Tensors that share one storage (a base and its views) are stored as that storage's bytes,
//! once, plus where each tensor sits in it, so that they reload as views of one reloaded
//! storage: an in-place write through any of them is seen by all, as before the restart.

use nutorch_core::state::storage_offset;
use nutorch_core::tch::Tensor;
use nutorch_core::{DType, Error, Result};
use serde::{Deserialize, Serialize};

/// Where a tensor sits in a storage: `storage.view(dtype).as_strided(shape, stride, offset)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageView {
    pub dtype: String,
    pub shape: Vec<i64>,
    pub stride: Vec<i64>,
    /// In elements of `dtype`.
    pub offset: i64,
}

impl StorageView {
    pub fn of(tensor: &Tensor) -> Result<StorageView> {
        let offset = storage_offset(tensor).ok_or_else(|| Error::Store("the tensor has no storage".into()))?;
        Ok(StorageView {
            dtype: DType::of(tensor)?.name().to_string(),
            shape: tensor.size(),
            stride: tensor.stride(),
            offset,
        })
    }

    /// The tensor over `bytes` (a uint8 tensor spanning the whole storage). libtorch checks
    /// the geometry against the storage's size, so a damaged entry is an error, not a read
    /// out of bounds.
    pub fn rebuild(&self, bytes: &Tensor) -> Result<Tensor> {
        let dtype = DType::parse(&self.dtype)?;
        let elements = bytes.size().first().copied().unwrap_or(0);
        let width = dtype.element_size() as i64;
        if self.shape.len() != self.stride.len() || self.offset < 0 || width == 0 || elements % width != 0 {
            return Err(Error::Store(format!("a stored view does not fit its storage ({} bytes): {self:?}", elements)));
        }
        let typed = bytes.f_view_dtype(dtype.kind())?;
        Ok(typed.f_as_strided(self.shape.as_slice(), self.stride.as_slice(), self.offset)?)
    }

    /// Bytes of the tensor's own elements (what `nutorch ls` shows).
    pub fn nbytes(&self) -> u64 {
        let width = DType::parse(&self.dtype).map(|d| d.element_size() as u64).unwrap_or(0);
        self.shape.iter().product::<i64>().max(0) as u64 * width
    }
}

/// Whether a tensor can be stored as a view of a shared storage: plain strided data with no
/// autograd state (a leaf that requires grad keeps its own file, with its grad; a tensor with
/// a grad_fn reloads detached anyway).
pub fn shareable(tensor: &Tensor) -> bool {
    !tensor.requires_grad() && !tensor.is_sparse() && storage_offset(tensor).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nutorch_core::state::storage_bytes;
    use nutorch_core::tch::{Device, Kind};

    #[test]
    fn a_view_rebuilt_over_the_storage_aliases_it() {
        let x = Tensor::f_arange(12, (Kind::Int64, Device::Cpu)).unwrap().f_view([3, 4]).unwrap();
        let v = x.f_tr().unwrap().f_narrow(0, 1, 2).unwrap();
        let place = StorageView::of(&v).unwrap();
        assert_eq!((place.shape.as_slice(), place.stride.as_slice(), place.offset), (&[2, 3][..], &[1, 4][..], 1));
        let copy = storage_bytes(&x).unwrap().copy();
        let back = place.rebuild(&copy).unwrap();
        assert_eq!(
            Vec::<i64>::try_from(back.f_contiguous().unwrap().f_view([6]).unwrap()).unwrap(),
            [1, 5, 9, 2, 6, 10]
        );
        assert_eq!(place.nbytes(), 48);
    }

    #[test]
    fn geometry_beyond_the_storage_is_an_error() {
        let bytes = Tensor::f_zeros([16], (Kind::Uint8, Device::Cpu)).unwrap();
        let place = StorageView { dtype: "float32".into(), shape: vec![8], stride: vec![1], offset: 0 };
        assert!(place.rebuild(&bytes).is_err());
        let odd = Tensor::f_zeros([6], (Kind::Uint8, Device::Cpu)).unwrap();
        let place = StorageView { dtype: "float32".into(), shape: vec![1], stride: vec![1], offset: 0 };
        assert!(place.rebuild(&odd).is_err());
    }
}
