//! `nutorch load` of any bytes: the first byte picks the reader (.npy, .npz, .safetensors).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let _ = nu_plugin_nutorch::fuzzing::load_file_by_tag(dir.path(), data);
});
