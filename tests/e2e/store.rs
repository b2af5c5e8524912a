//! Tensors held in nu variables survive the plugin process: idle GC stop, `plugin stop`,
//! kill -9 after the spill window; dropped values leave memory and disk; two shells at once;
//! a damaged file fails only its own tensor.

use nutorch_e2e::{short_gc, Nu, AWAIT_EXIT, AWAIT_GC_STOP, AWAIT_SPILL, PLUGIN_PID};
use serde_json::{json, Value};
use std::process::Stdio;

/// Tensors of several dtypes, held in variables, and how to read each back.
const HOLD: &str = "\
    let f32 = (nutorch linspace 0 1 5); \
    let f64 = (nutorch fromvalue [0.1 -2.5 1e300] --dtype float64); \
    let bf16 = (nutorch fromvalue [1.0 3.14159 -0.0025] --dtype bfloat16); \
    let i64 = (nutorch fromvalue [9223372036854775807 -9223372036854775808 0]); \
    let flags = (nutorch fromvalue [true false true]); \
    let c64 = (nutorch fromvalue [[1.5 -2.0] [0.0 4.0]] --dtype complex64); ";

const READ: &str = "{f32: ($f32 | nutorch tovalue), f64: ($f64 | nutorch tovalue), bf16: ($bf16 | nutorch tovalue), \
    i64: ($i64 | nutorch tovalue), flags: ($flags | nutorch tovalue), \
    c64: ($c64 | to text)}";

/// PyTorch's values for HOLD (torch.tensor(...).tolist(); complex64 as PyTorch prints it).
fn expected() -> Value {
    json!({
        "f32": [0.0, 0.25, 0.5, 0.75, 1.0],
        "f64": [0.1, -2.5, 1e300],
        "bf16": [1.0, 3.140625, -0.0025024414062500],
        "i64": [9223372036854775807i64, -9223372036854775808i64, 0],
        "flags": [true, false, true],
        "c64": "tensor([[ 1.5000+0.j, -2.0000+0.j],\n        [ 0.0000+0.j,  4.0000+0.j]])",
    })
}

fn check_restart(stop: &str) {
    let script = format!(
        "{gc} {HOLD} let before = {READ}; let pid = {PLUGIN_PID}; {stop}; \
         {{before: $before, after: {READ}, pid_before: $pid, pid_after: {PLUGIN_PID}}} | to json -r",
        gc = short_gc(1)
    );
    let v = Nu::new().json(&script);
    assert_ne!(v["pid_before"], v["pid_after"], "the plugin should have restarted: {v}");
    assert_eq!(v["before"], expected());
    assert_eq!(v["after"], expected(), "values changed across the restart");
}

#[test]
fn idle_gc_stop_loses_nothing() {
    // GC stops the plugin 1 s after the last command; its pid then is gone.
    check_restart(AWAIT_GC_STOP);
}

#[test]
fn plugin_stop_loses_nothing() {
    check_restart("plugin stop nutorch");
}

#[test]
fn kill_after_the_spill_window_loses_nothing() {
    // No GC here: the plugin stays up until killed; the idle spill (1 s) runs before.
    let script = format!(
        "{HOLD} let before = {READ}; let pid = {PLUGIN_PID}; {AWAIT_SPILL} ^kill -9 $pid; {AWAIT_EXIT} sleep 100ms; \
         {{before: $before, after: {READ}, pid_before: $pid, pid_after: {PLUGIN_PID}}} | to json -r"
    );
    let v = Nu::new().json(&script);
    assert_ne!(v["pid_before"], v["pid_after"], "{v}");
    assert_eq!(v["after"], expected());
}

#[test]
fn kill_during_a_large_spill_says_what_was_lost_and_keeps_the_rest() {
    // A 400 MB tensor is written, changed in place, and the plugin is killed while the idle
    // spill rewrites it. The change cannot survive; what matters is that the next commands
    // work, that the old file is not served as the tensor's latest state, and that the other
    // tensors are intact.
    let tmp_files = "(glob $'($env.NUTORCH_STORE_DIR)/shells/*/tensors/*.tmp')";
    let script = format!(
        "let small = (nutorch fromvalue [1.0 2.0 3.0]); let big = (nutorch ones 100000000); {AWAIT_SPILL} \
         $big | nutorch add_ 1 | ignore; let pid = {PLUGIN_PID}; \
         mut w = 0; while (({tmp_files} | is-empty) and $w < 3000) {{ sleep 10ms; $w += 1 }}; \
         let seen = ({tmp_files} | is-not-empty); ^kill -9 $pid; {AWAIT_EXIT} \
         let big_after = (try {{ $big | nutorch sum | nutorch item }} catch {{|e| $e.rendered | ansi strip }}); \
         let fresh = (nutorch arange 3 | nutorch tovalue); \
         {{seen: $seen, small: ($small | nutorch tovalue), big: $big_after, fresh: $fresh, \
           tmp_left: ({tmp_files} | length), freed: (nutorch free $big | to text), \
           pid_before: $pid, pid_after: {PLUGIN_PID}}} | to json -r"
    );
    let v = Nu::new().json(&script);
    assert_eq!(v["seen"], json!(true), "the spill ended before the kill: the test proves nothing: {v}");
    assert_ne!(v["pid_before"], v["pid_after"], "{v}");
    assert_eq!(v["small"], json!([1.0, 2.0, 3.0]), "{v}");
    assert_eq!(v["fresh"], json!([0, 1, 2]), "{v}");
    assert_eq!(v["tmp_left"], json!(0), "the half-written file is gone: {v}");
    match &v["big"] {
        // The kill came after the new file and its index entry were in place.
        Value::Number(n) => assert_eq!(n.as_f64(), Some(2e8), "{v}"),
        Value::String(err) => {
            assert!(err.contains("while writing its latest state") && err.contains("last changes were lost"), "{err}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn dropped_values_leave_memory_and_disk() {
    let nu = Nu::new();
    let script = "\
        let kept = (nutorch fromvalue [1 2]); \
        do { let scratch = (nutorch linspace 0 1 1000); $scratch | nutorch tovalue | length }; \
        sleep 2sec; \
        {ls: (nutorch ls | get id), kept: $kept.id} | to json -r";
    let v = nu.json(script);
    assert_eq!(v["ls"], json!([v["kept"]]), "only the held tensor remains: {v}");
    // On disk too: one tensor file in this shell's part of the store.
    let files: Vec<_> = walk(&nu.store_dir()).into_iter().filter(|p| p.ends_with(".safetensors")).collect();
    assert!(files.len() <= 1, "{files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

#[test]
fn two_shells_at_once_each_keep_their_tensors() {
    let nu = Nu::new();
    let script = |v: i64| {
        format!(
            "{gc} let t = (nutorch fromvalue [{v} {v}]); let pid = {PLUGIN_PID}; {AWAIT_GC_STOP} \
             {{values: ($t | nutorch tovalue), restarted: ({PLUGIN_PID} != $pid)}} | to json -r",
            gc = short_gc(1)
        )
    };
    // Both shells share the store directory (same NUTORCH_STORE_DIR).
    let spawn = |v| nu.command(&script(v)).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(1), spawn(2));
    for (child, v) in [(a, 1), (b, 2)] {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
        let result: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        assert_eq!(result, json!({"values": [v, v], "restarted": true}));
    }
}

#[test]
fn a_damaged_file_fails_only_its_tensor() {
    let script = "\
        let a = (nutorch fromvalue [1.0 2.0]); let b = (nutorch fromvalue [3 4]); \
        let a_id = $a.id; \
        let dir = (nutorch store | get shell_dir); \
        sleep 1500ms; plugin stop nutorch; \
        let file = ($dir | path join tensors $'($a_id).safetensors'); \
        let head = (open --raw $file | bytes at 0..20); $head | save --force --raw $file; \
        {a: (try { $a | nutorch tovalue; 'read' } catch {|e| $e.rendered }), b: ($b | nutorch tovalue)} | to json -r";
    let v = Nu::new().json(script);
    let a = v["a"].as_str().unwrap();
    assert!(a.contains("damaged"), "{a}");
    assert_eq!(v["b"], json!([3, 4]));
}

#[test]
fn ls_free_and_store_report_the_store() {
    let v = Nu::new().json(
        "let a = (nutorch fromvalue [1 2 3]); let b = (nutorch linspace 0 1 4 --dtype float64); \
         let before = (nutorch ls | length); let freed = (nutorch free $b); \
         {before: $before, freed: $freed, after: (nutorch ls | get dtype), store: (nutorch store | select tensors in_memory)} | to json -r",
    );
    assert_eq!(v["before"], 2);
    assert_eq!(v["freed"], 1);
    assert_eq!(v["after"], json!(["int64"]));
    assert_eq!(v["store"], json!({"tensors": 1, "in_memory": 1}));
}

#[test]
fn settings_come_from_the_plugin_config() {
    let nu = Nu::new();
    let dir = nu.path().join("configured-store");
    let script = format!(
        "$env.config.plugins.nutorch = {{store_dir: '{}', idle_spill: 300ms, memory_budget: 1MB}}; \
         let t = (nutorch linspace 0 1 10); sleep 1sec; \
         nutorch store | select dir memory_budget idle_spill | update memory_budget {{ into int }} | update idle_spill {{ into int }} \
         | insert files {{ glob $'(nutorch store | get dir)/**/*.safetensors' | length }} | to json -r",
        dir.display()
    );
    let out = nu.command(&script).env_remove("NUTORCH_STORE_DIR").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["dir"], json!(dir.display().to_string()));
    assert_eq!(v["memory_budget"], json!(1_000_000));
    assert_eq!(v["idle_spill"], json!(300_000_000));
    // The idle spill (300 ms) had written the held tensor into the configured directory.
    assert_eq!(v["files"], json!(1));
}
