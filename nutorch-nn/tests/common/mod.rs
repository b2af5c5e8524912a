//! Helpers shared by the integration tests: running the PyTorch reference scripts in
//! tests/python with $NUTORCH_PYTHON, reading their safetensors output, comparing numbers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tch::{Kind, Tensor};

/// Runs `tests/python/<script>` with `args`; panics with the script's stderr on failure.
pub fn python(script: &str, args: &[&Path]) {
    let interpreter =
        std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON must name a python with torch, safetensors and numpy");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("python");
    let output = Command::new(interpreter)
        .arg(scripts.join(script))
        .args(args)
        .current_dir(&scripts)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("cannot start $NUTORCH_PYTHON");
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every tensor of a safetensors file, by name.
pub fn load(path: &Path) -> BTreeMap<String, Tensor> {
    nutorch_nn::io::load_tensors(path).unwrap().tensors
}

pub fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// Largest elementwise relative difference |a - b| / max(|a|, |b|) (0 where both are 0).
pub fn max_relative_difference(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.size(), b.size(), "shapes differ");
    let a = a.detach().to_kind(Kind::Double);
    let b = b.detach().to_kind(Kind::Double);
    let scale = a.abs().maximum(&b.abs());
    let diff = (&a - &b).abs();
    let ratio = diff.where_self(&scale.gt(0.0), &scale.zeros_like()) / scale.clamp_min(f64::MIN_POSITIVE);
    ratio.max().double_value(&[])
}

/// Largest elementwise absolute difference.
pub fn max_abs_difference(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.size(), b.size(), "shapes differ");
    (a.detach().to_kind(Kind::Double) - b.detach().to_kind(Kind::Double)).abs().max().double_value(&[])
}

pub fn to_vec_f64(t: &Tensor) -> Vec<f64> {
    Vec::<f64>::try_from(&t.detach().to_kind(Kind::Double).flatten(0, -1)).unwrap()
}

/// max|a - b| / max|b|: the difference relative to the tensor's scale, which unlike the
/// elementwise ratio does not blow up for elements that happen to be near zero.
pub fn scaled_difference(a: &Tensor, b: &Tensor) -> f64 {
    let scale = b.detach().to_kind(Kind::Double).abs().max().double_value(&[]);
    let diff = max_abs_difference(a, b);
    if diff == 0.0 {
        0.0
    } else {
        diff / scale
    }
}
