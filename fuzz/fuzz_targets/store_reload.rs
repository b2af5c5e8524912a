//! A store file replaced by any bytes, then reloaded after a restart.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let _ = nu_plugin_nutorch::fuzzing::store_reload(dir.path(), data);
});
