//! `nutorch fromvalue` of any Nushell value (built from the bytes) and dtype.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nu_plugin_nutorch::fuzzing::fromvalue(data);
});
