//! PyTorch's own test inputs for every catalog op with an OpInfo entry: the sample and error
//! inputs of `torch.testing._internal.common_methods_invocations.op_db`, a deterministic subset
//! per entry across float32, float64, bfloat16, int64 and complex64 (scripts/gen_opinfo_goldens.py
//! says which), each replayed through the plugin and compared with what PyTorch gave.
//!
//! The cases are made by PyTorch-Python (`NUTORCH_PYTHON`) when this test runs, from the
//! catalog's signatures, and kept under target/ until the catalog, the script or its framework
//! change (about a minute to make, 15 MB: too large to keep in the repository).
//!
//! Two lists in tests/golden/ hold what does not pass, each line with its reason, and the test
//! fails when what it finds differs from them, so both only change on purpose:
//! `opinfo_cannot_express.tsv`, the samples we cannot write as a nutorch call (an argument the
//! op does not take, a Python callable, ...), by entry and reason; `opinfo_failures.tsv`, the
//! samples that give another result than PyTorch's. `NUTORCH_OPINFO_BLESS=1` rewrites both from
//! the run (then read the diff). On another device (`NUTORCH_TEST_DEVICE`) the cases' values
//! are still the CPU's, compared with the GPU tolerances of golden.rs; the lists are the
//! CPU's, so there the test reports what fails and requires only that nothing panics.

#[allow(dead_code)]
mod common;
#[path = "common/replay.rs"]
mod replay;

use common::{device, plugin_test};
use nutorch_core::catalog::{self, OutKind, Ty};
use replay::{Replay, PRELUDE};
use serde_json::{json, Value as J};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const CANNOT_LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/opinfo_cannot_express.tsv");
const FAILURE_LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/opinfo_failures.tsv");

/// An argument type's name for the generator (which checks the samples' values against it).
fn type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Tensor => "tensor",
        Ty::TensorOrNumber => "tensor_or_number",
        Ty::Tensors => "tensors",
        Ty::Int => "int",
        Ty::Float => "float",
        Ty::Number => "number",
        Ty::Bool => "bool",
        Ty::Ints => "ints",
        Ty::IntsOrNone => "ints_or_none",
        Ty::FloatOrFloats => "float_or_floats",
        Ty::Floats => "floats",
        Ty::Shapes => "shapes",
        Ty::Str(_) => "str",
        Ty::IntsOrStr(_) => "ints_or_str",
        Ty::NumOrStr(_) => "num_or_str",
        Ty::DType => "dtype",
        Ty::Device => "device",
        Ty::Index => "index",
    }
}

/// The catalog's signatures as the generator reads them.
fn catalog_json() -> String {
    let ops: serde_json::Map<String, J> = catalog::all()
        .iter()
        .map(|op| {
            let args: Vec<&str> = op.args.iter().map(|a| a.name).collect();
            let types: Vec<&str> = op.args.iter().map(|a| type_name(a.ty)).collect();
            let record: Option<Vec<&str>> = match op.output {
                OutKind::Record(fields) => Some(fields.to_vec()),
                OutKind::Fields(fields) => Some(fields.iter().map(|(name, _)| *name).collect()),
                _ => None,
            };
            let spec = json!({"torch": op.torch, "args": args, "types": types, "rest": op.rest().map(|a| a.name), "record": record});
            (op.name.to_string(), spec)
        })
        .collect();
    serde_json::to_string(&json!({ "ops": ops })).unwrap()
}

/// The generated cases, made once per catalog, script and Python.
fn goldens() -> J {
    let python = std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON (scripts/prepare.sh writes it)");
    let script = Path::new(ROOT).join("scripts/gen_opinfo_goldens.py");
    let catalog = catalog_json();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for input in [&script, &Path::new(ROOT).join("scripts/goldens/framework.py")] {
        std::fs::read(input).expect("generator source").hash(&mut hasher);
    }
    (catalog.as_str(), python.as_str()).hash(&mut hasher);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("opinfo");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("cases-{:016x}.json", hasher.finish()));
    if !out.exists() {
        // Cases made from another catalog or script are stale (15 MB each).
        for stale in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = stale.file_name().to_string_lossy().into_owned();
            if name.starts_with("cases-") && name.ends_with(".json") {
                let _ = std::fs::remove_file(stale.path());
            }
        }
        let catalog_path = dir.join("catalog.json");
        std::fs::write(&catalog_path, &catalog).unwrap();
        let partial = out.with_extension("partial");
        let status = std::process::Command::new(&python)
            .arg(&script)
            .arg(&catalog_path)
            .arg(&partial)
            .status()
            .expect("run the OpInfo golden generator");
        assert!(status.success(), "{} failed", script.display());
        std::fs::rename(&partial, &out).unwrap();
    }
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("OpInfo goldens parse")
}

/// `entry \t op \t count \t reason` lines, sorted: the samples we cannot express, grouped.
fn cannot_lines(found: &[(String, String, String)]) -> BTreeSet<String> {
    let mut groups: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for (entry, op, reason) in found {
        *groups.entry((entry, op, reason)).or_default() += 1;
    }
    groups.into_iter().map(|((entry, op, reason), n)| format!("{entry}\t{op}\t{n}\t{reason}")).collect()
}

/// A list file's lines (comments and blank lines left out).
fn read_list(path: &str) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

fn write_list(path: &str, header: &str, lines: &BTreeSet<String>) {
    let body: Vec<&str> = lines.iter().map(String::as_str).collect();
    std::fs::write(path, format!("{header}\n{}\n", body.join("\n"))).unwrap();
}

/// What differs between a list on record and the run, for the failure message.
fn differences(name: &str, recorded: &BTreeSet<String>, found: &BTreeSet<String>) -> Option<String> {
    let new: Vec<&String> = found.difference(recorded).collect();
    let gone: Vec<&String> = recorded.difference(found).collect();
    if new.is_empty() && gone.is_empty() {
        return None;
    }
    let show = |v: &[&String]| v.iter().take(40).map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n");
    Some(format!(
        "{name}: {} new (not on record), {} on record but not found (NUTORCH_OPINFO_BLESS=1 rewrites it):\n  new:\n{}\n  gone:\n{}",
        new.len(),
        gone.len(),
        show(&new),
        show(&gone)
    ))
}

/// A failure's reason on one line, without the generated source (which holds the values).
fn failure_reason(error: &str) -> String {
    let first = error.split("\n    source:").next().unwrap_or(error);
    let mut line: String = first.replace(['\n', '\t'], " ");
    if line.len() > 200 {
        let cut = (0..=200).rev().find(|i| line.is_char_boundary(*i)).unwrap_or(0);
        line.truncate(cut);
    }
    line
}

#[test]
fn opinfo_samples_match_pytorch() {
    // Evaluating the larger samples' sources in a debug build needs more than a test
    // thread's 2 MB of stack.
    let run = std::thread::Builder::new().stack_size(256 << 20).spawn(replay_all).unwrap();
    if let Err(panic) = run.join() {
        std::panic::resume_unwind(panic);
    }
}

/// `NUTORCH_OPINFO_ONLY=prefix` replays only the samples whose tag starts with it (and
/// reports, without comparing the lists on record).
fn replay_all() {
    let golden = goldens();
    let only = std::env::var("NUTORCH_OPINFO_ONLY").ok();
    let device = device();
    let (_, mut test) = plugin_test();
    test.eval(PRELUDE).expect("prelude");
    let mut cannot: Vec<(String, String, String)> = golden["cannot"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| only.as_deref().is_none_or(|p| c["sample"].as_str().unwrap_or("").starts_with(p)))
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (field("entry"), field("op"), field("reason"))
        })
        .collect();
    let cases = golden["cases"].as_array().unwrap();
    let (mut passed, mut failures, mut panics) = (0usize, BTreeSet::new(), Vec::new());
    for (i, case) in cases.iter().enumerate() {
        let op = case["op"].as_str().unwrap();
        let sample = case["sample"].as_str().unwrap_or("?");
        let entry = sample.split('/').next().unwrap_or("?").to_string();
        if only.as_deref().is_some_and(|p| !sample.starts_with(p)) {
            continue;
        }
        let spec = catalog::find(op).unwrap_or_else(|| panic!("no op {op}"));
        let replay = match Replay::new(spec, case, &device, i % 2 == 0) {
            Ok(r) => r,
            Err(reason) => {
                cannot.push((entry, op.to_string(), reason));
                continue;
            }
        };
        match replay.run(&mut test) {
            Ok(()) => passed += 1,
            Err(e) => {
                if e.contains("a panic") || e.contains("Internal error in nutorch") {
                    panics.push(format!("{sample} ({op}): {e}"));
                }
                failures.insert(format!("{sample}\t{op}\t{}", failure_reason(&e)));
            }
        }
    }
    let expressed = passed + failures.len();
    let total = expressed + cannot.len();
    let unmatched: Vec<&str> = golden["unmatched"].as_array().unwrap().iter().filter_map(J::as_str).collect();
    eprintln!(
        "OpInfo samples on {device}: {passed} of {expressed} expressible passed ({:.2} %); {} of {total} not expressible ({:.2} %); {} public OpInfo entries without an op: {}",
        100.0 * passed as f64 / expressed.max(1) as f64,
        cannot.len(),
        100.0 * cannot.len() as f64 / total.max(1) as f64,
        unmatched.len(),
        unmatched.join(" ")
    );
    assert!(panics.is_empty(), "{} samples made the plugin panic:\n{}", panics.len(), panics.join("\n"));
    assert!(unmatched.is_empty(), "public OpInfo entries without a nutorch op: {unmatched:?}");
    if device != "cpu" || only.is_some() {
        // The lists are the CPU's, for every sample: a GPU run or one entry's replay reports.
        for f in &failures {
            eprintln!("  failed on {device}: {f}");
        }
        return;
    }
    let cannot = cannot_lines(&cannot);
    if std::env::var("NUTORCH_OPINFO_BLESS").is_ok_and(|v| v == "1") {
        write_list(
            CANNOT_LIST,
            "# OpInfo samples (scripts/gen_opinfo_goldens.py) nutorch cannot express, by entry: entry, op, samples, reason.",
            &cannot,
        );
        write_list(
            FAILURE_LIST,
            "# OpInfo samples whose result differs from PyTorch's: sample (entry/dtype/number), op, what differs.",
            &failures,
        );
    }
    let problems: Vec<String> = [
        differences("samples not expressible", &read_list(CANNOT_LIST), &cannot),
        differences("samples failing", &read_list(FAILURE_LIST), &failures),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
