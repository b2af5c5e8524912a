//! Helpers shared by the integration tests: running the PyTorch reference scripts in
//! tests/python with $NUTORCH_PYTHON (many cases per Python process), exchanging tensors as
//! safetensors files, comparing numbers.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use tch::{Kind, Tensor};

/// Tests that draw random numbers or set the thread count take turns: both are global.
static GLOBAL: Mutex<()> = Mutex::new(());

/// Takes the global generator for this test, with libtorch on one thread (for results that
/// are reproducible and comparable with PyTorch's single-threaded ones).
pub fn exclusive() -> MutexGuard<'static, ()> {
    let guard = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    tch::set_num_threads(1);
    guard
}

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("python")
}

/// Runs `tests/python/<script>` with `args`; panics with the script's output on failure.
pub fn python(script: &str, args: &[&Path]) {
    let interpreter =
        std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON must name a python with torch, safetensors and numpy");
    let scripts = scripts_dir();
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

/// Many invocations of the check scripts, run by one Python process (tests/python/batch.py),
/// with their files in a temporary directory.
pub struct Batch {
    dir: tempfile::TempDir,
    cases: Vec<Vec<String>>,
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

impl Batch {
    pub fn new() -> Batch {
        Batch { dir: tempfile::tempdir().unwrap(), cases: Vec::new() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write_json(&self, name: &str, value: &serde_json::Value) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_string(value).unwrap()).unwrap();
        path
    }

    pub fn write_tensors(&self, name: &str, tensors: &[(String, Tensor)]) -> PathBuf {
        let path = self.path(name);
        nutorch_nn::io::save_tensors(&path, tensors, &HashMap::new()).unwrap();
        path
    }

    /// Adds a case: `script` with these arguments (paths or plain words); returns its index.
    pub fn add(&mut self, script: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> usize {
        let mut case = vec![script.to_string()];
        case.extend(args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()));
        self.cases.push(case);
        self.cases.len() - 1
    }

    /// Runs every case; returns the error message of each case that raised (by index).
    pub fn run(&self) -> BTreeMap<usize, String> {
        let list = self.write_json("cases.json", &serde_json::json!(self.cases));
        python("batch.py", &[&list]);
        let text = std::fs::read_to_string(self.path("cases.json.errors.json")).unwrap();
        let errors: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        errors.into_iter().map(|(k, v)| (k.parse().unwrap(), v)).collect()
    }
}

/// Every tensor of a safetensors file, by name.
pub fn load(path: &Path) -> BTreeMap<String, Tensor> {
    nutorch_nn::io::load_tensors(path).unwrap().tensors
}

pub fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// Deep copies (fresh storage, no autograd history) of named tensors.
pub fn deep_copy(tensors: &[(String, Tensor)]) -> Vec<(String, Tensor)> {
    tensors.iter().map(|(n, t)| (n.clone(), t.detach().copy())).collect()
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
    if a.numel() == 0 {
        return 0.0;
    }
    (a.detach().to_kind(Kind::Double) - b.detach().to_kind(Kind::Double)).abs().max().double_value(&[])
}

/// The smallest `rtol` for which `|a - b| <= atol + rtol * |b|` holds elementwise (as
/// `torch.allclose(a, b, rtol, atol)`); 0 when the absolute floor alone covers every element.
pub fn needed_rtol(a: &Tensor, b: &Tensor, atol: f64) -> f64 {
    assert_eq!(a.size(), b.size(), "shapes differ");
    if a.numel() == 0 {
        return 0.0;
    }
    let a = a.detach().to_kind(Kind::Double);
    let b = b.detach().to_kind(Kind::Double);
    let excess = ((&a - &b).abs() - atol).clamp_min(0.0);
    let ratio = &excess / b.abs().clamp_min(f64::MIN_POSITIVE);
    let ratio = ratio.where_self(&excess.gt(0.0), &excess.zeros_like());
    ratio.max().double_value(&[])
}

pub fn to_vec_f64(t: &Tensor) -> Vec<f64> {
    Vec::<f64>::try_from(&t.detach().to_kind(Kind::Double).flatten(0, -1)).unwrap()
}

/// max|a - b| / max|b|: the difference relative to the tensor's scale, which unlike the
/// elementwise ratio does not blow up for elements that happen to be near zero.
pub fn scaled_difference(a: &Tensor, b: &Tensor) -> f64 {
    let diff = max_abs_difference(a, b);
    if diff == 0.0 {
        return 0.0;
    }
    let scale = b.detach().to_kind(Kind::Double).abs().max().double_value(&[]);
    diff / scale
}

/// Distance in units in the last place between two float32 tensors (the largest over elements).
pub fn max_ulps_f32(a: &Tensor, b: &Tensor) -> i64 {
    assert_eq!(a.size(), b.size(), "shapes differ");
    let a: Vec<f32> = Vec::try_from(&a.detach().to_kind(Kind::Float).flatten(0, -1)).unwrap();
    let b: Vec<f32> = Vec::try_from(&b.detach().to_kind(Kind::Float).flatten(0, -1)).unwrap();
    let ordered = |x: f32| {
        let bits = x.to_bits() as i32 as i64;
        if bits < 0 {
            i32::MIN as i64 - bits
        } else {
            bits
        }
    };
    a.iter().zip(&b).map(|(x, y)| (ordered(*x) - ordered(*y)).abs()).max().unwrap_or(0)
}
