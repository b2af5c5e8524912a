//! The bad-input suite: every catalog op called with mutated arguments (bool, complex, int and
//! half inputs, empty and 0-d ones, NaN and infinities, not a tensor, an unknown id, an
//! out-of-range dim, huge and negative sizes) through the real nu, each compared with what
//! PyTorch does for the same call (tests/golden/bad_inputs.json, written by
//! scripts/gen_bad_inputs.py: each op's base arguments once, each case's changes to them).
//!
//! Cases run in batches, several hundred per nu process, each in `try { } catch { }`, so that
//! one error cannot stop the batch. Every batch first makes a sentinel tensor and reads the
//! plugin's pid, and checks both at the end: a bad call must neither kill the plugin nor touch
//! other tensors. Per case: where PyTorch raises, ours is an error of the plugin (one of its
//! titles, a one-line message without a C++ backtrace, labelled inside the call); where PyTorch
//! gives a value, ours is equal (golden.rs's tolerances). The differences that are meant are
//! listed in `EXCEPTIONS` with the reason.

use nutorch_e2e::{nu_binary, plugin_binary, Nu, PLUGIN_PID};
use serde_json::Value as J;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

/// Cases per nu process.
const BATCH: usize = 400;

/// Titles of the plugin's labelled errors (as in nu_plugin_nutorch/tests/golden.rs): anything
/// else (a parse error of the generated source, a caught panic) is a failure.
const ERROR_TITLES: &[&str] = &[
    "PyTorch error",
    "Invalid argument",
    "Invalid dtype",
    "Invalid device",
    "Invalid value",
    "Missing tensor",
    "Missing tensors",
    "Missing argument",
    "Tensor not found",
];

/// (op or "*", mutation or "*", why our outcome differs from PyTorch's and is meant to).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("item", "complex64", "a complex number has no Nushell value: nutorch refuses it (take view_as_real first), PyTorch gives a Python complex"),
    ("index_add", "empty", "nutorch checks the index against the (empty) dim and refuses index 2 for size 0; PyTorch skips the check when self is empty and returns it"),
    ("addmv", "complex64", "PyTorch 2.11 gives float32 for a complex64 input with float32 mat and vec, dropping the input's imaginary part; nutorch promotes to complex64"),
    ("ctc_loss", "targets-bool", "nutorch wants targets of integer class labels; PyTorch converts bool targets to long without a word"),
    ("ctc_loss", "targets-float16", "nutorch wants targets of integer class labels; PyTorch truncates float targets to long without a word"),
    ("lu_unpack", "empty", "nutorch checks the pivots against LU's rows and refuses pivot 3 for an empty LU; PyTorch skips the check when LU is empty and returns empty factors"),
    ("view_as_complex", "float16", "nutorch has no complex32 (ComplexHalf) dtype: it refuses to make one, PyTorch gives a complex32 tensor"),
    ("special_chebyshev_polynomial_t", "nan-inf", "libtorch's kernel gives an unset value for x = NaN (3.9e-44 in PyTorch, 3e26 here, changing from run to run): neither side has a meaningful answer"),
    ("special_chebyshev_polynomial_u", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_chebyshev_polynomial_v", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_chebyshev_polynomial_w", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_shifted_chebyshev_polynomial_t", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_shifted_chebyshev_polynomial_u", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_shifted_chebyshev_polynomial_v", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("special_shifted_chebyshev_polynomial_w", "nan-inf", "as special_chebyshev_polynomial_t: libtorch's kernel leaves the value for x = NaN unset"),
    ("gelu", "nan-inf", "libtorch's vectorised float32 gelu gives NaN for inf on a CPU with AVX-512 and inf with AVX2 (PyTorch-Python on the same machine gives what nutorch gives): the expected value depends on the machine that made it"),
    ("resize_", "empty", "growing a tensor leaves its new elements uninitialized: their values are whatever the memory held, in PyTorch too"),
    ("resize_", "0-d", "growing a tensor leaves its new elements uninitialized: their values are whatever the memory held, in PyTorch too"),
    ("resize_as_", "empty", "growing a tensor leaves its new elements uninitialized: their values are whatever the memory held, in PyTorch too"),
    ("resize_as_", "0-d", "growing a tensor leaves its new elements uninitialized: their values are whatever the memory held, in PyTorch too"),
];

/// Helpers the cases use to read results back: dtype, shape and (up to 64 elements, not
/// complex) the flat values, NaN and infinities as strings (`to json` would write null; nu's
/// `==` finds every float equal to `inf`, so they are told by their text).
const PRELUDE: &str = "
def enc [v] { if ($v | describe) == float { let s = ($v | into string); if $s in ['NaN' 'inf' '-inf'] { $s } else { $v } } else { $v } }
def plain [t] {
  let n = ($t.shape | reduce -f 1 {|it, acc| $acc * $it})
  let values = if $n <= 64 and not ($t.dtype | str starts-with complex) { $t | nutorch reshape -1 | nutorch tovalue | each {|v| enc $v } } else { null }
  {dtype: $t.dtype, shape: $t.shape, values: $values}
}
def plain_list [ts] { $ts | each {|t| plain $t } }
def fail [e] {
  let label = ($e.details.labels | get -o 0)
  {ok: false, msg: $e.msg, text: ($label | get -o text | default ''), start: ($label | get -o location.start | default (-1)), end: ($label | get -o location.end | default (-1)), rendered: ($e.rendered | ansi strip)}
}
";

/// One parameter of a command's signature, as `scope commands` lists it.
struct Param {
    name: String,
    kind: String,
}

fn signatures(nu: &Nu) -> HashMap<String, Vec<Param>> {
    let v = nu.json(
        "scope commands | where name starts-with 'nutorch ' | each {|c| {name: $c.name, params: ($c.signatures | values | first | where parameter_type in [positional rest named switch] | select parameter_name parameter_type)}} | to json -r",
    );
    let mut out = HashMap::new();
    for c in v.as_array().unwrap() {
        let name = c["name"].as_str().unwrap().trim_start_matches("nutorch ").to_string();
        let params = c["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Param {
                // Flags are spelled with dashes; the cases name arguments as PyTorch does.
                name: p["parameter_name"].as_str().unwrap_or_default().replace('-', "_"),
                kind: p["parameter_type"].as_str().unwrap_or_default().to_string(),
            })
            .collect();
        out.insert(name, params);
    }
    out
}

/// The nu source of one case: its tensors as `let`s, then `let r = (<call>)` and the read-back.
/// Returns (lets, call, read).
fn render_case(case: &J, params: &[Param]) -> Result<(String, String, String), String> {
    let op = case["op"].as_str().unwrap();
    let args = case["args"].as_object().ok_or("no args")?;
    let mut lets = Vec::new();
    let mut words = vec![format!("nutorch {op}")];
    let mut piped = None;
    let named = |n: &str| params.iter().any(|p| p.name == n && (p.kind == "named" || p.kind == "switch"));
    let mut used = Vec::new();
    for p in params.iter().filter(|p| p.kind == "positional" || p.kind == "rest") {
        if used.contains(&p.name) || named(&p.name) {
            continue;
        }
        let Some(v) = args.get(&p.name) else { continue };
        used.push(p.name.clone());
        let literal = render(v, &mut lets)?;
        if p.kind == "rest" && v.get("tensors").is_some() {
            words.push(literal.trim_start_matches('[').trim_end_matches(']').to_string());
        } else {
            words.push(literal);
        }
    }
    for (name, v) in args {
        if used.contains(name) {
            continue;
        }
        if let Some(p) = params.iter().find(|p| &p.name == name && (p.kind == "named" || p.kind == "switch")) {
            let flag = name.replace('_', "-");
            match (p.kind.as_str(), v) {
                ("switch", J::Bool(true)) => words.push(format!("--{flag}")),
                ("switch", J::Bool(false)) => words.push(format!("--{flag}=false")),
                _ => words.push(format!("--{flag} {}", render(v, &mut lets)?)),
            }
        } else if piped.is_none() {
            // Not in the signature: the pipeline's tensor.
            piped = Some(render(v, &mut lets)?);
        } else {
            return Err(format!("argument {name} is not in the signature"));
        }
    }
    let call = match piped {
        Some(p) => format!("{p} | {}", words.join(" ")),
        None => words.join(" "),
    };
    let seed = case.get("seed").and_then(J::as_i64).map(|s| format!("nutorch manual_seed {s}; ")).unwrap_or_default();
    Ok((format!("{}{seed}", lets.join("")), call, read_back(&case["expect"])))
}

fn render(v: &J, lets: &mut Vec<String>) -> Result<String, String> {
    if let Some(t) = v.get("tensor") {
        return Ok(tensor_var(t, lets));
    }
    if let Some(ts) = v.get("tensors").and_then(J::as_array) {
        let vars: Vec<String> = ts.iter().map(|t| tensor_var(t, lets)).collect();
        return Ok(format!("[{}]", vars.join(" ")));
    }
    if let Some(f) = v.get("float") {
        return Ok(float_literal(f));
    }
    if let Some(nu) = v.get("nu").and_then(J::as_str) {
        return Ok(nu.to_string());
    }
    Ok(match v {
        J::Array(items) => {
            let parts: Result<Vec<String>, String> = items.iter().map(|i| render(i, lets)).collect();
            format!("[{}]", parts?.join(" "))
        }
        J::Number(_) => number_literal(v),
        J::Bool(b) => b.to_string(),
        J::String(s) => format!("'{s}'"),
        J::Null => "null".to_string(),
        other => return Err(format!("cannot write {other} as an argument")),
    })
}

fn number_literal(v: &J) -> String {
    match v.as_i64() {
        Some(i) if !v.is_f64() => i.to_string(),
        _ => float_literal(v),
    }
}

/// A float as nu reads it back exactly: with a point or exponent; NaN, inf, -inf.
fn float_literal(v: &J) -> String {
    match v {
        J::String(s) if s == "nan" => "NaN".into(),
        J::String(s) if s == "inf" => "inf".into(),
        J::String(s) if s == "-inf" => "-inf".into(),
        J::Number(n) => {
            let text = format!("{:?}", n.as_f64().unwrap_or(f64::NAN));
            if text.contains('.') || text.contains('e') {
                text
            } else {
                format!("{text}.0")
            }
        }
        other => other.to_string(),
    }
}

fn leaf_literal(v: &J, dtype: &str) -> String {
    match v {
        J::Bool(b) => b.to_string(),
        J::String(_) => float_literal(v),
        J::Number(_) if dtype.starts_with("float") || dtype.starts_with("complex") || dtype == "bfloat16" => {
            float_literal(v)
        }
        J::Number(_) => number_literal(v),
        other => other.to_string(),
    }
}

/// `let tN = (...)`; `$tN`. A complex tensor's values are its (real, imaginary) pairs: it is
/// built from them with view_as_complex. One marked `mT` was written transposed (a
/// non-contiguous input): it is built so and its last two dims swapped back.
fn tensor_var(t: &J, lets: &mut Vec<String>) -> String {
    let name = format!("t{}", lets.len());
    let dtype = t["dtype"].as_str().unwrap_or("float32");
    let shape: Vec<usize> = t["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    let grad = if t.get("requires_grad").and_then(J::as_bool) == Some(true) { " --requires-grad" } else { "" };
    let transposed = if t.get("mT").and_then(J::as_bool) == Some(true) { " | nutorch transpose -2 -1" } else { "" };
    let raw = t["values"].as_array().unwrap();
    let make = if raw.is_empty() {
        // zeros, not a reshape of `fromvalue []`: a leaf that is no view, as PyTorch's is.
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        format!("nutorch zeros [{}] --dtype {dtype}{grad}", dims.join(" "))
    } else if let Some(real) = complex_parts(dtype) {
        // A copy of the complex view, so that the input is a leaf of its own, as PyTorch's.
        let mut pairs = shape.clone();
        pairs.push(2);
        let values: Vec<String> = raw.iter().map(|v| leaf_literal(v, real)).collect();
        let grad = if grad.is_empty() { "" } else { " | nutorch requires_grad_" };
        format!(
            "nutorch fromvalue {} --dtype {real} | nutorch view_as_complex | nutorch clone{grad}",
            nested(&pairs, &values)
        )
    } else {
        let values: Vec<String> = raw.iter().map(|v| leaf_literal(v, dtype)).collect();
        format!("nutorch fromvalue {} --dtype {dtype}{grad}", nested(&shape, &values))
    };
    lets.push(format!("let {name} = ({make}{transposed}); "));
    format!("${name}")
}

/// The dtype of a complex dtype's parts.
fn complex_parts(dtype: &str) -> Option<&'static str> {
    match dtype {
        "complex64" => Some("float32"),
        "complex128" => Some("float64"),
        _ => None,
    }
}

fn nested(shape: &[usize], values: &[String]) -> String {
    match shape.split_first() {
        None => values[0].clone(),
        Some((&n, rest)) => {
            let stride: usize = rest.iter().product();
            let parts: Vec<String> = (0..n).map(|i| nested(rest, &values[i * stride..(i + 1) * stride])).collect();
            format!("[{}]", parts.join(" "))
        }
    }
}

fn read_back(expect: &J) -> String {
    if let Some(fields) = expect.get("record").and_then(J::as_object) {
        let read = |(k, t): (&String, &J)| match t.is_array() {
            true => format!("{k}: (plain_list $r.{k})"),
            false => format!("{k}: (plain $r.{k})"),
        };
        let parts: Vec<String> = fields.iter().map(read).collect();
        return format!("{{{}}}", parts.join(", "));
    }
    if expect.get("list").is_some() {
        return "plain_list $r".into();
    }
    if expect.get("tensor").is_some() {
        return "plain $r".into();
    }
    if expect.get("error").is_some() || expect.get("opaque").is_some() {
        return "($r | describe)".into();
    }
    "$r".into()
}

/// One batch's script, and where each case's call lies in it (byte offsets).
fn batch_script(cases: &[(usize, &J)], sigs: &HashMap<String, Vec<Param>>) -> (String, Vec<(usize, usize, usize)>) {
    let mut s = String::from(PRELUDE);
    s.push_str("let sentinel = (nutorch fromvalue [1.5 -2.25 3.0] --dtype float64); ");
    let _ = write!(s, "let pid0 = {PLUGIN_PID}; ");
    let mut spans = Vec::new();
    for &(i, case) in cases {
        let op = case["op"].as_str().unwrap();
        let params = sigs.get(op).map(Vec::as_slice).unwrap_or(&[]);
        let (lets, call, read) = match render_case(case, params) {
            Ok(parts) => parts,
            Err(e) => panic!("case {i} ({op}): {e}"),
        };
        let _ = write!(s, "\nprint ({{i: {i}}} | merge (try {{ {lets}let r = (");
        let start = s.len();
        s.push_str(&call);
        spans.push((i, start, s.len()));
        let _ = write!(s, "); {{ok: true, value: ({read})}} }} catch {{|e| fail $e }}) | to json -r)");
    }
    let _ = write!(
        s,
        "\nprint ({{end: true, pid0: $pid0, pid1: {PLUGIN_PID}, sentinel: ($sentinel | nutorch tovalue), sentinel_dtype: $sentinel.dtype}} | to json -r)"
    );
    (s, spans)
}

fn expected_f64(w: &J) -> Option<f64> {
    match w {
        J::String(s) if s == "nan" || s == "NaN" => Some(f64::NAN),
        J::String(s) if s == "inf" => Some(f64::INFINITY),
        J::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        J::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn tolerance(case: &J, dtype: &str) -> (f64, f64) {
    let (rtol, atol) = match dtype {
        "float64" => (1e-10, 1e-12),
        "float32" => (1e-5, 1e-6),
        "float16" => (2e-3, 1e-3),
        "bfloat16" => (1.6e-2, 1e-2),
        _ => (0.0, 0.0),
    };
    (case.get("rtol").and_then(J::as_f64).unwrap_or(rtol), case.get("atol").and_then(J::as_f64).unwrap_or(atol))
}

fn leaf_matches(w: &J, v: &J, (rtol, atol): (f64, f64)) -> bool {
    match (w, v) {
        (J::Bool(a), J::Bool(b)) => a == b,
        (J::Number(a), J::Number(b)) if !a.is_f64() && !b.is_f64() => a == b,
        _ => match (expected_f64(w), expected_f64(v)) {
            (Some(e), Some(a)) if e.is_nan() => a.is_nan(),
            (Some(e), Some(a)) if e.is_infinite() => a == e,
            (Some(e), Some(a)) => (a - e).abs() <= atol + rtol * e.abs(),
            _ => false,
        },
    }
}

fn compare_tensor(case: &J, w: &J, v: &J) -> Result<(), String> {
    if v["dtype"] != w["dtype"] {
        return Err(format!("dtype {}, expected {}", v["dtype"], w["dtype"]));
    }
    if v["shape"] != w["shape"] {
        return Err(format!("shape {}, expected {}", v["shape"], w["shape"]));
    }
    let Some(want) = w.get("values").and_then(J::as_array) else { return Ok(()) };
    let got = v["values"].as_array().ok_or_else(|| format!("no values: {v}"))?;
    if got.len() != want.len() {
        return Err(format!("{} values, expected {}", got.len(), want.len()));
    }
    let tol = tolerance(case, w["dtype"].as_str().unwrap_or(""));
    for (i, (a, e)) in got.iter().zip(want).enumerate() {
        if !leaf_matches(e, a, tol) {
            return Err(format!("value [{i}] is {a}, expected {e}"));
        }
    }
    Ok(())
}

fn compare_plain(w: &J, v: &J) -> bool {
    match (w, v) {
        (J::Array(a), J::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| compare_plain(x, y)),
        (J::String(a), J::String(b)) => a == b,
        (J::Null, J::Null) => true,
        _ => leaf_matches(w, v, (1e-10, 1e-12)),
    }
}

fn compare_list(case: &J, items: &[J], v: &J) -> Result<(), String> {
    let got = v.as_array().ok_or_else(|| format!("expected a list, got {v}"))?;
    if got.len() != items.len() {
        return Err(format!("{} tensors, expected {}", got.len(), items.len()));
    }
    for (i, (t, g)) in items.iter().zip(got).enumerate() {
        compare_tensor(case, t, g).map_err(|e| format!("[{i}]: {e}"))?;
    }
    Ok(())
}

fn compare(case: &J, v: &J) -> Result<(), String> {
    let expect = &case["expect"];
    if let Some(t) = expect.get("tensor") {
        return compare_tensor(case, t, v);
    }
    if let Some(fields) = expect.get("record").and_then(J::as_object) {
        for (k, t) in fields {
            match t.as_array() {
                Some(items) => compare_list(case, items, &v[k]),
                None => compare_tensor(case, t, &v[k]),
            }
            .map_err(|e| format!("{k}: {e}"))?;
        }
        return Ok(());
    }
    if let Some(items) = expect.get("list").and_then(J::as_array) {
        return compare_list(case, items, v);
    }
    if expect.get("opaque").is_some() {
        return Ok(());
    }
    let w = &expect["value"];
    if compare_plain(w, v) {
        Ok(())
    } else {
        Err(format!("got {v}, expected {w}"))
    }
}

fn excepted(op: &str, mutation: &str) -> bool {
    EXCEPTIONS.iter().any(|&(o, m, _)| (o == "*" || o == op) && (m == "*" || m == mutation))
}

/// What is wrong with our outcome of one case, if anything.
fn check(case: &J, got: &J, script: &str, (start, end): (usize, usize)) -> Option<String> {
    let expect = &case["expect"];
    let ok = got["ok"].as_bool() == Some(true);
    if !ok {
        let msg = got["msg"].as_str().unwrap_or_default();
        let text = got["text"].as_str().unwrap_or_default();
        if !ERROR_TITLES.contains(&msg) {
            return Some(format!("not an error of the plugin: {}", got["rendered"]));
        }
        if text.contains('\n') || text.contains("frame #") || text.is_empty() {
            return Some(format!("not a one-line message: {text:?}"));
        }
        let (s, e) = (got["start"].as_i64().unwrap_or(-1), got["end"].as_i64().unwrap_or(-1));
        if s < start as i64 || e > end as i64 {
            return Some(format!("labelled at {s}..{e}, outside the call ({start}..{end}): {text}"));
        }
        // An out-of-range dim or size is blamed on that argument, not on the command.
        let mutation = case["mutation"].as_str().unwrap_or_default();
        let mutated = ["dim-high", "dim-low"]
            .contains(&mutation)
            .then_some("dim")
            .or_else(|| mutation.strip_prefix("huge-").or_else(|| mutation.strip_prefix("negative-")));
        if let Some(value) = mutated.and_then(|arg| case["args"].get(arg)) {
            let labelled = script.get(s as usize..e as usize).unwrap_or_default();
            let shown = match value {
                J::Array(items) => items.first().map(|v| v.to_string()).unwrap_or_default(),
                other => other.to_string(),
            };
            if labelled.contains("nutorch") || !labelled.contains(&shown) {
                return Some(format!("labelled at {labelled:?}, not at the argument {shown}: {text}"));
            }
        }
        // A value that is no tensor is blamed on itself, not on the command.
        if let Some(literal) = case["args"].as_object().and_then(|a| a.values().find_map(|v| v.get("nu")?.as_str())) {
            let labelled = script.get(s as usize..e as usize).unwrap_or_default();
            if !labelled.contains(literal) {
                return Some(format!("labelled at {labelled:?}, not at {literal}: {text}"));
            }
        }
    }
    match (expect.get("error"), ok) {
        (Some(_), false) => None,
        (Some(err), true) => Some(format!("a value where PyTorch raises {err}: {}", got["value"])),
        (None, false) => Some(format!("an error where PyTorch gives a value: {}", got["text"])),
        (None, true) => compare(case, &got["value"]).err(),
    }
}

/// What one nu process gave back: (case, start, end) of each call in its script, its output.
struct BatchRun {
    spans: Vec<(usize, usize, usize)>,
    script: String,
    stdout: String,
    stderr: String,
    success: bool,
}

/// The cases with their whole arguments: the file holds each op's base arguments once
/// (`bases`) and each case only its `change`, which replaces base arguments in place or adds
/// to them (Python's `{**base, **change}`).
fn with_base_args(golden: &J) -> Vec<J> {
    let bases = golden["bases"].as_object().expect("bases");
    let cases = golden["cases"].as_array().expect("cases");
    cases
        .iter()
        .map(|case| {
            let op = case["op"].as_str().expect("op");
            let mut args = bases.get(op).and_then(J::as_object).cloned().unwrap_or_default();
            for (k, v) in case["change"].as_object().expect("change") {
                args.insert(k.clone(), v.clone());
            }
            let mut full = serde_json::Map::new();
            for (k, v) in case.as_object().expect("case") {
                if k == "change" {
                    full.insert("args".into(), J::Object(args.clone()));
                } else {
                    full.insert(k.clone(), v.clone());
                }
            }
            J::Object(full)
        })
        .collect()
}

#[test]
fn bad_input_matches_pytorch() {
    let started = Instant::now();
    let golden = nutorch_e2e::golden("bad_inputs.json");
    let full = with_base_args(&golden);
    let cases: Vec<&J> = full.iter().collect();
    assert!(cases.len() >= 1500, "only {} cases", cases.len());
    let sigs = signatures(&Nu::new());
    let indexed: Vec<(usize, &J)> = cases.iter().copied().enumerate().collect();
    let batches: Vec<&[(usize, &J)]> = indexed.chunks(BATCH).collect();
    // Two nu processes at a time (each with its own plugin process and store).
    let results: Vec<BatchRun> = std::thread::scope(|scope| {
        let mut out = Vec::new();
        for pair in batches.chunks(2) {
            let handles: Vec<_> = pair
                .iter()
                .map(|batch| {
                    let (script, spans) = batch_script(batch, &sigs);
                    scope.spawn(move || {
                        // A file, not `-c`: a batch is longer than one command-line argument may be.
                        let nu = Nu::new();
                        let file = nu.path().join("batch.nu");
                        std::fs::write(&file, &script).expect("write the batch");
                        let o = Command::new(nu_binary())
                            .arg("--no-config-file")
                            .arg("--plugins")
                            .arg(format!("[{}]", plugin_binary().display()))
                            .arg(&file)
                            .env("XDG_CONFIG_HOME", nu.path().join("config"))
                            .env("NUTORCH_STORE_DIR", nu.store_dir())
                            .env_remove("NU_LOG_LEVEL")
                            .output()
                            .expect("start nu");
                        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
                        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
                        BatchRun { spans, script, stdout, stderr, success: o.status.success() }
                    })
                })
                .collect();
            out.extend(handles.into_iter().map(|h| h.join().unwrap()));
        }
        out
    });
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut errors_expected, mut values_expected) = (0, 0);
    let mut excepted_hit = std::collections::BTreeSet::new();
    for (b, BatchRun { spans, script, stdout, stderr, success }) in results.iter().enumerate() {
        let mut seen: HashMap<usize, J> = HashMap::new();
        let mut end = None;
        for line in stdout.lines() {
            let Ok(v) = serde_json::from_str::<J>(line) else { continue };
            if let Some(i) = v.get("i").and_then(J::as_u64) {
                seen.insert(i as usize, v);
            } else if v.get("end").is_some() {
                end = Some(v);
            }
        }
        let end = end.unwrap_or_else(|| {
            let last = spans.iter().find(|(i, ..)| !seen.contains_key(i)).map(|(i, ..)| cases[*i]);
            panic!(
                "batch {b} did not finish (success {success}); first case without a result: {last:?}\nstderr: {}",
                stderr.chars().take(3000).collect::<String>()
            )
        });
        assert_eq!(end["pid0"], end["pid1"], "batch {b}: the plugin restarted");
        assert_eq!(end["sentinel"], serde_json::json!([1.5, -2.25, 3.0]), "batch {b}: the sentinel changed");
        assert_eq!(end["sentinel_dtype"], "float64", "batch {b}: the sentinel changed");
        for &(i, start, stop) in spans {
            let case = cases[i];
            let (op, mutation) = (case["op"].as_str().unwrap(), case["mutation"].as_str().unwrap());
            if case["expect"].get("error").is_some() {
                errors_expected += 1;
            } else {
                values_expected += 1;
            }
            let got = seen.get(&i).unwrap_or_else(|| panic!("batch {b}: no result for case {i}"));
            if let Some(problem) = check(case, got, script, (start, stop)) {
                if excepted(op, mutation) {
                    excepted_hit.insert(format!("{op} {mutation}"));
                } else {
                    failures.entry(format!("{op} {mutation}")).or_default().push(format!("case {i}: {problem}"));
                }
            }
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "bad_input: {} cases ({errors_expected} PyTorch errors, {values_expected} values) in {} batches, {} excepted ({excepted_hit:?}), {} failing, {:.1} s",
        cases.len(),
        results.len(),
        excepted_hit.len(),
        failures.values().map(Vec::len).sum::<usize>(),
        elapsed.as_secs_f64()
    );
    let report: Vec<String> = failures.iter().map(|(k, v)| format!("{k} ({}): {}", v.len(), v[0])).collect();
    assert!(failures.is_empty(), "{} kinds of mismatch:\n{}", failures.len(), report.join("\n"));
}
