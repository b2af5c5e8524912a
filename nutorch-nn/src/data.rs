//! Skewed gaussian blobs: the reference workload's data set.

use nutorch_core::{Error, Result};
use tch::{Device, Kind, Tensor};

/// The reference's three centers.
pub const SEED_CENTERS: [[f64; 2]; 3] = [[0.0, 0.0], [3.0, 0.0], [1.5, 2.5]];
/// The reference's spread of each blob.
pub const SEED_STD: f64 = 0.7;
/// The reference's shear step between blobs.
pub const SEED_SKEW: f64 = 0.3;

/// `n / centers.len()` points around each center (float32 `[k·per, 2]`) and their class
/// indices (int64 `[k·per]`, blob i labelled i), on the CPU.
///
/// Blob i is `randn(per, 2) * std + c`; blobs after the first are then sheared about their
/// center, `(p - c) @ [[1, s], [s, 1]] + c` with `s = skew * (i - 1)`. The ops, their order,
/// the float32 rounding of the constants and the random draws are those of the reference
/// script's `data()`, so after `tch::manual_seed(seed)` the result equals
/// `torch.manual_seed(seed); data(n, std, skew)` exactly.
pub fn blobs(n: i64, centers: &[[f64; 2]], std: f64, skew: f64) -> Result<(Tensor, Tensor)> {
    if n < 0 {
        return Err(Error::Argument(format!("blobs needs a non-negative number of points, got {n}")));
    }
    // Negated on purpose: a NaN std must fail the check.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(std >= 0.0) {
        return Err(Error::Argument(format!("blobs needs a non-negative std, got {std}")));
    }
    if centers.is_empty() {
        return Err(Error::Argument("blobs needs at least one center".into()));
    }
    let per = n / centers.len() as i64;
    let mut xs = Vec::with_capacity(centers.len());
    let mut ys = Vec::with_capacity(centers.len());
    for (i, center) in centers.iter().enumerate() {
        let c = Tensor::f_from_slice(&[center[0] as f32, center[1] as f32])?;
        let mut p = Tensor::f_randn([per, 2], (Kind::Float, Device::Cpu))?.f_mul_scalar(std)?.f_add(&c)?;
        if i > 0 {
            let s = (skew * (i - 1) as f64) as f32;
            let m = Tensor::f_from_slice(&[1.0f32, s, s, 1.0])?.f_reshape([2, 2])?;
            p = p.f_sub(&c)?.f_mm(&m)?.f_add(&c)?;
        }
        xs.push(p);
        ys.push(Tensor::f_full([per], i as i64, (Kind::Int64, Device::Cpu))?);
    }
    Ok((Tensor::f_cat(&xs, 0)?, Tensor::f_cat(&ys, 0)?))
}

/// The reference data set: `blobs(n, SEED_CENTERS, SEED_STD, SEED_SKEW)`.
pub fn seed_blobs(n: i64) -> Result<(Tensor, Tensor)> {
    blobs(n, &SEED_CENTERS, SEED_STD, SEED_SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_labels_and_errors() {
        let (x, y) = seed_blobs(10).unwrap();
        assert_eq!(x.size(), vec![9, 2]);
        assert_eq!(y.size(), vec![9]);
        assert_eq!(y.kind(), Kind::Int64);
        let labels: Vec<i64> = Vec::try_from(&y).unwrap();
        assert_eq!(labels, vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
        assert!(blobs(-1, &SEED_CENTERS, 0.7, 0.3).is_err());
        assert!(blobs(10, &[], 0.7, 0.3).is_err());
    }
}
