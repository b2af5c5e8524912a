//! Replays the golden cases of every catalog op (tests/golden/ops.json, written by
//! scripts/gen_goldens.py from PyTorch) through the plugin, in-process.
//!
//! Each case becomes a Nushell pipeline: its tensors are made with `nutorch fromvalue ...
//! --dtype ... --device $NUTORCH_TEST_DEVICE`, the op is called with the case's arguments (the
//! first tensor piped in; a list of tensors that takes the rest of the line is piped in for
//! every other case and written as arguments otherwise), and the result is read back with cell paths (`$r.dtype`, `$r.shape`) and `nutorch tovalue`.
//!
//! Tolerances (|actual - expected| <= atol + rtol * |expected|): float64 rtol 1e-10 atol 1e-12,
//! float32 rtol 1e-5 atol 1e-6, float16 rtol 2e-3 atol 1e-3, bfloat16 rtol 1.6e-2 atol 1e-2;
//! ints and bools exact; a case may state its own. On a GPU (other kernels) float tolerances are
//! 10x looser, float64's rtol 1e-6 (some CUDA kernels compute in float32); seeded random cases
//! compare only dtype and shape (another generator), and cases marked cpu_only (ties, dtypes
//! CUDA lacks, decompositions' signs, non-finite edge values) need only run without a panic.

#[allow(dead_code)]
mod common;
#[path = "common/replay.rs"]
mod replay;

use common::{device, plugin_test};
use nutorch_core::catalog;
use replay::{Replay, PRELUDE};
use serde_json::Value as J;
use std::collections::BTreeSet;

const GOLDEN: &str = include_str!("golden/ops.json");

fn cases() -> Vec<J> {
    let golden: J = serde_json::from_str(GOLDEN).expect("ops.json parses");
    golden["cases"].as_array().expect("cases").clone()
}

#[test]
fn every_catalog_op_has_goldens() {
    let covered: BTreeSet<String> = cases().iter().map(|c| c["op"].as_str().unwrap().to_string()).collect();
    let missing: Vec<&str> = catalog::all().iter().map(|op| op.name).filter(|n| !covered.contains(*n)).collect();
    assert!(missing.is_empty(), "catalog ops without golden cases (add them to scripts/goldens/): {missing:?}");
    let unknown: Vec<&String> = covered.iter().filter(|n| catalog::find(n).is_none()).collect();
    assert!(unknown.is_empty(), "golden cases for ops not in the catalog: {unknown:?}");
}

#[test]
fn every_op_matches_pytorch() {
    let (_, mut test) = plugin_test();
    test.eval(PRELUDE).expect("prelude");
    let device = device();
    let mut failures = Vec::new();
    let cases = cases();
    for (i, case) in cases.iter().enumerate() {
        let op = case["op"].as_str().unwrap();
        let spec = catalog::find(op).unwrap_or_else(|| panic!("no op {op}"));
        let result = Replay::new(spec, case, &device, i % 2 == 0).and_then(|r| r.run(&mut test));
        if let Err(e) = result {
            failures.push(format!("case {i} ({op} {}): {e}", case["args"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}
