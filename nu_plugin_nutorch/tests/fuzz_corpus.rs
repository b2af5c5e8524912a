//! Replays every input the fuzz targets kept (`fuzz/corpus/<target>/`: the seeds and what the
//! fuzzer found new coverage with; `fuzz/regressions/<target>/`: inputs that once crashed) through
//! the same entry points: each must give a value or an error, never a panic. The seeds must
//! also load (they are valid files).

use nu_plugin_nutorch::fuzzing;
use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut all = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(dir) = std::fs::read_dir(fuzz.join(kind).join(target)) else { continue };
        for entry in dir.flatten() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                all.push((entry.path(), bytes));
            }
        }
    }
    all.sort();
    assert!(!all.is_empty(), "no inputs for {target} under {}", fuzz.display());
    all
}

#[test]
fn loading_any_file_is_a_value_or_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in inputs("load_file") {
        let result = fuzzing::load_file_by_tag(dir.path(), &bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        if ["npy_f32", "npy_i64", "npy_bool", "npy_f16", "npy_c64", "npy_fortran", "npz", "safetensors"]
            .contains(&&*name)
        {
            assert!(result.is_ok(), "seed {name}: {result:?}");
        }
    }
}

#[test]
fn reloading_any_store_file_is_a_value_or_an_error() {
    for (path, bytes) in inputs("store_reload") {
        let dir = tempfile::tempdir().unwrap();
        let result = fuzzing::store_reload(dir.path(), &bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "float32" || name == "grad" {
            assert!(result.is_ok(), "seed {name}: {result:?}");
        }
    }
}

#[test]
fn any_value_is_a_tensor_or_an_error() {
    for (path, bytes) in inputs("fromvalue") {
        let result = fuzzing::fromvalue(&bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "list" || name == "nested" {
            assert!(result.is_ok(), "seed {name}: {result:?}");
        }
    }
}
