//! Replays a golden case (ops.json's format: an op, its arguments by PyTorch name, what
//! PyTorch gave) through the plugin, in-process: its tensors are made with `nutorch fromvalue
//! ... --dtype ... --device <device>`, the op is called with the case's arguments and the result
//! is read back with cell paths and `nutorch tovalue`, then compared with tolerances.
//! golden.rs (the catalog's own cases) and opinfo.rs (PyTorch's OpInfo samples) use it.

use nu_protocol::{LabeledError, Span, Value};
use nutorch_core::catalog::{ArgSpec, OpSpec, OutKind, Ty};
use serde_json::Value as J;

/// The helpers every case's source uses to read results back. A complex tensor's values are
/// read as its (real, imaginary) pairs (`plain_c`), as the generator writes them; which helper
/// reads a result is chosen by the expected dtype.
pub const PRELUDE: &str = "
def plain [t] { {dtype: $t.dtype, shape: $t.shape, values: ($t | nutorch tovalue)} }
def plain_c [t] { {dtype: $t.dtype, shape: $t.shape, values: ($t | nutorch resolve_conj | nutorch resolve_neg | nutorch view_as_real | nutorch tovalue)} }
def plain_list [ts] { mut out = []; for t in $ts { $out = ($out ++ [(plain $t)]) }; $out }
def plain_list_c [ts] { mut out = []; for t in $ts { $out = ($out ++ [(plain_c $t)]) }; $out }
";

/// Error titles of the plugin's labelled errors: an expected error must be one of them (not a
/// parse error of the generated source, and never a caught panic).
pub const ERROR_TITLES: &[&str] = &[
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

pub struct Replay<'a> {
    spec: &'static OpSpec,
    case: &'a J,
    device: &'a str,
    source: String,
    /// The source up to the call (`let r = (...)`), without the read-back.
    prefix: String,
}

impl<'a> Replay<'a> {
    pub fn new(spec: &'static OpSpec, case: &'a J, device: &'a str, pipe: bool) -> Result<Replay<'a>, String> {
        let args = case["args"].as_object().ok_or("no args")?;
        for name in args.keys() {
            if spec.arg(name).is_none() {
                return Err(format!("the op has no argument {name}"));
            }
        }
        let mut lets = Vec::new();
        let mut piped = None;
        let mut words = vec![format!("nutorch {}", spec.name)];
        let piped_arg = spec.piped();
        let rest = spec.rest();
        for arg in spec.positionals() {
            let Some(v) = args.get(arg.name) else { continue };
            let literal = render(arg, v, &mut lets, device)?;
            let is_piped = piped_arg.is_some_and(|p| std::ptr::eq(p, arg));
            let is_rest = rest.is_some_and(|r| std::ptr::eq(r, arg));
            if is_piped && (pipe || !is_rest) {
                piped = Some(literal);
            } else if is_rest && v.get("tensors").and_then(J::as_array).is_some_and(|ts| !ts.is_empty()) {
                // The tensors as separate arguments (`cat $a $b`).
                words.push(literal.trim_start_matches('[').trim_end_matches(']').to_string());
            } else {
                words.push(literal);
            }
        }
        for arg in spec.flags() {
            let Some(v) = args.get(arg.name) else { continue };
            let flag = arg.name.replace('_', "-");
            match (arg.ty, v) {
                (Ty::Bool, J::Bool(true)) => words.push(format!("--{flag}")),
                (Ty::Bool, J::Bool(false)) => words.push(format!("--{flag}=false")),
                _ => words.push(format!("--{flag} {}", render(arg, v, &mut lets, device)?)),
            }
        }
        let call = match piped {
            Some(p) => format!("{p} | {}", words.join(" ")),
            None => words.join(" "),
        };
        let seed =
            case.get("seed").and_then(J::as_i64).map(|s| format!("nutorch manual_seed {s}; ")).unwrap_or_default();
        let read = read_back(&case["expect"]);
        let prefix = format!("{}{seed}let r = ({call}); ", lets.join(""));
        let source = format!("{prefix}{read}");
        Ok(Replay { spec, case, device, source, prefix })
    }

    /// PyTorch's plain tuple is the record of the op's own names (`unique`'s output and
    /// counts, a pool's indices), compared field by field in order: the call is made once to
    /// learn the names, then again with them read back.
    fn source(&self, test: &mut nu_plugin_test_support::PluginTest) -> String {
        let Some(items) = self.case["expect"].get("list").and_then(J::as_array) else { return self.source.clone() };
        if matches!(self.spec.output, OutKind::Tensors) {
            return self.source.clone();
        }
        let probe = test.eval(&format!("{}$r", self.prefix)).and_then(|data| data.into_value(Span::test_data()));
        let Ok(Value::Record { val, .. }) = probe else { return self.source.clone() };
        let parts: Vec<String> = val
            .columns()
            .zip(items)
            .map(|(name, t)| format!("({} $r.{name})", if is_complex(t) { "plain_c" } else { "plain" }))
            .collect();
        format!("{}[{}]", self.prefix, parts.join(" "))
    }

    pub fn run(&self, test: &mut nu_plugin_test_support::PluginTest) -> Result<(), String> {
        let expect = &self.case["expect"];
        let source = self.source(test);
        let result = test.eval(&source).and_then(|data| data.into_value(Span::test_data()));
        let fail = |msg: String| Err(format!("{msg}\n    source: {source}"));
        if self.device != "cpu" && self.case.get("cpu_only").and_then(J::as_bool) == Some(true) {
            return match result {
                Err(e) if LabeledError::from(e.clone()).msg == "Internal error in nutorch" => {
                    fail(format!("a panic: {}", error_text(&LabeledError::from(e))))
                }
                _ => Ok(()),
            };
        }
        match (result, expect.get("error")) {
            (Err(e), Some(_)) if self.case.get("refused_by_signature").is_some() => {
                // A value of a type the signature does not take: Nushell's parser refuses it.
                let err = LabeledError::from(e);
                if err.msg == "Internal error in nutorch" {
                    return fail(format!("a panic: {}", error_text(&err)));
                }
                Ok(())
            }
            (Err(e), Some(wanted)) => {
                let err = LabeledError::from(e);
                let text = error_text(&err);
                let wanted = wanted.as_str().unwrap_or("");
                if !ERROR_TITLES.contains(&err.msg.as_str()) {
                    return fail(format!("expected an error of the op, got: {text}"));
                }
                if !text.contains(wanted) {
                    return fail(format!("expected an error containing {wanted:?}, got: {text}"));
                }
                Ok(())
            }
            (Err(e), None) => fail(format!("unexpected error: {}", error_text(&LabeledError::from(e)))),
            (Ok(v), Some(wanted)) => fail(format!("expected an error ({wanted}), got {v:?}")),
            (Ok(v), None) => self.compare(expect, &v).or_else(fail),
        }
    }

    fn compare(&self, expect: &J, actual: &Value) -> Result<(), String> {
        let exact = self.device == "cpu" || self.case.get("seed").is_none();
        if let Some(t) = expect.get("tensor") {
            return self.compare_tensor(t, actual, exact);
        }
        if let Some(r) = expect.get("random") {
            return compare_random(r, actual);
        }
        if let Some(fields) = expect.get("record").and_then(J::as_object) {
            let rec = actual.as_record().map_err(|_| format!("expected a record, got {actual:?}"))?;
            for (name, t) in fields {
                let v = rec.get(name).ok_or_else(|| format!("the record has no field {name}"))?;
                // Which of equal values an index names is the kernel's choice (CUDA's topk,
                // sort, … order ties differently from the CPU's): with ties, the values decide.
                if name == "indices" && self.device != "cpu" && fields.get("values").is_some_and(has_ties) {
                    continue;
                }
                match t.as_array() {
                    Some(items) => self.compare_list(items, v, exact),
                    None => self.compare_tensor(t, v, exact),
                }
                .map_err(|e| format!("{name}: {e}"))?;
            }
            if rec.len() != fields.len() {
                return Err(format!(
                    "record fields {:?}, expected {:?}",
                    rec.columns().collect::<Vec<_>>(),
                    fields.keys().collect::<Vec<_>>()
                ));
            }
            return Ok(());
        }
        if let Some(items) = expect.get("list").and_then(J::as_array) {
            return self.compare_list(items, actual, exact);
        }
        if let Some(value) = expect.get("value") {
            return compare_plain(value, actual, self.tolerance("float64"));
        }
        Err(format!("unknown expectation {expect}"))
    }

    fn compare_list(&self, items: &[J], actual: &Value, exact: bool) -> Result<(), String> {
        let list = actual.as_list().map_err(|_| format!("expected a list, got {actual:?}"))?;
        if list.len() != items.len() {
            return Err(format!("{} tensors, expected {}", list.len(), items.len()));
        }
        for (i, (t, v)) in items.iter().zip(list).enumerate() {
            self.compare_tensor(t, v, exact).map_err(|e| format!("[{i}]: {e}"))?;
        }
        Ok(())
    }

    fn tolerance(&self, dtype: &str) -> (f64, f64) {
        let (rtol, atol) = match dtype {
            "float64" | "complex128" => (1e-10, 1e-12),
            "float32" | "complex64" => (1e-5, 1e-6),
            "float16" => (2e-3, 1e-3),
            "bfloat16" => (1.6e-2, 1e-2),
            _ => (0.0, 0.0),
        };
        let rtol = self.case.get("rtol").and_then(J::as_f64).unwrap_or(rtol);
        let atol = self.case.get("atol").and_then(J::as_f64).unwrap_or(atol);
        if self.device == "cpu" {
            return (rtol, atol);
        }
        match dtype {
            "float64" | "complex128" => (rtol.max(1e-6), atol.max(1e-8)),
            _ => (rtol * 10.0, atol * 10.0),
        }
    }

    /// `actual` is `{dtype, shape, values}` from the prelude's `plain`.
    fn compare_tensor(&self, expect: &J, actual: &Value, exact: bool) -> Result<(), String> {
        let rec = actual.as_record().map_err(|_| format!("expected a tensor, got {actual:?}"))?;
        let dtype = rec.get("dtype").and_then(|v| v.as_str().ok()).unwrap_or("?");
        let want_dtype = expect["dtype"].as_str().unwrap_or("");
        if dtype != want_dtype {
            return Err(format!("dtype {dtype}, expected {want_dtype}"));
        }
        let shape: Vec<i64> = rec
            .get("shape")
            .and_then(|v| v.as_list().ok())
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| v.as_int().ok())
            .collect();
        let want_shape: Vec<i64> = expect["shape"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
        if shape != want_shape {
            return Err(format!("shape {shape:?}, expected {want_shape:?}"));
        }
        if !exact {
            return Ok(());
        }
        let mut values = Vec::new();
        flatten(rec.get("values").ok_or("no values")?, &mut values);
        let want = expect["values"].as_array().unwrap();
        if values.len() != want.len() {
            return Err(format!("{} values, expected {}", values.len(), want.len()));
        }
        let tol = self.tolerance(want_dtype);
        for (i, (v, w)) in values.iter().zip(want).enumerate() {
            if !leaf_matches(w, v, tol) {
                return Err(format!("value [{i}] is {v:?}, expected {w} (tolerance {tol:?}; op {})", self.spec.name));
            }
        }
        Ok(())
    }
}

/// The Nushell literal for an argument's JSON value; tensors become `let` variables.
fn render(arg: &ArgSpec, v: &J, lets: &mut Vec<String>, device: &str) -> Result<String, String> {
    if let Some(t) = v.get("tensor") {
        return Ok(tensor_var(t, lets, device));
    }
    if let Some(ts) = v.get("tensors").and_then(J::as_array) {
        let vars: Vec<String> = ts.iter().map(|t| tensor_var(t, lets, device)).collect();
        return Ok(format!("[{}]", vars.join(" ")));
    }
    if let Some(f) = v.get("float") {
        return Ok(float_literal(f));
    }
    // Nushell source written as is (an index with ranges and null: `1..<3 '::2'`).
    if let Some(source) = v.get("nu").and_then(J::as_str) {
        return Ok(source.to_string());
    }
    Ok(match (arg.ty, v) {
        (Ty::Str(_) | Ty::DType | Ty::Device, J::String(s)) => format!("'{s}'"),
        (_, J::Array(items)) => {
            let parts: Result<Vec<String>, String> = items.iter().map(|i| render(arg, i, lets, device)).collect();
            format!("[{}]", parts?.join(" "))
        }
        (_, J::Number(_)) => number_literal(v),
        (_, J::Bool(b)) => b.to_string(),
        (_, J::Null) => "null".to_string(),
        (_, J::String(s)) => format!("'{s}'"),
        (_, other) => return Err(format!("cannot write {other} as an argument")),
    })
}

fn number_literal(v: &J) -> String {
    match v.as_i64() {
        Some(i) if !v.is_f64() => i.to_string(),
        _ => match v.as_u64() {
            Some(u) if !v.is_f64() => u.to_string(),
            _ => float_literal(v),
        },
    }
}

/// A float as Nushell reads it back exactly: always with a point or exponent; NaN, inf, -inf.
fn float_literal(v: &J) -> String {
    match v {
        J::String(s) if s == "nan" => "NaN".into(),
        J::String(s) if s == "inf" => "inf".into(),
        J::String(s) if s == "-inf" => "-inf".into(),
        J::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let text = format!("{f:?}");
            if text.contains('.') || text.contains('e') || text.contains("inf") || text.contains("NaN") {
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
        J::Number(_) if dtype.starts_with("float") || dtype == "bfloat16" => float_literal(v),
        J::Number(_) => number_literal(v),
        other => other.to_string(),
    }
}

/// `let tN = (nutorch fromvalue <nested values> --dtype d --device dev)`; `$tN`. A complex
/// tensor is built from its (real, imaginary) pairs with view_as_complex; one marked `mT` is
/// built transposed and its last two dims swapped (a non-contiguous input).
fn tensor_var(t: &J, lets: &mut Vec<String>, device: &str) -> String {
    let name = format!("t{}", lets.len());
    let dtype = t["dtype"].as_str().unwrap_or("float32");
    let mut shape: Vec<usize> = t["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    let (dtype, complex) = match dtype {
        "complex64" => ("float32", " | nutorch view_as_complex"),
        "complex128" => ("float64", " | nutorch view_as_complex"),
        other => (other, ""),
    };
    if !complex.is_empty() {
        shape.push(2);
    }
    let values: Vec<String> = t["values"].as_array().unwrap().iter().map(|v| leaf_literal(v, dtype)).collect();
    let grad = if t.get("requires_grad").and_then(J::as_bool) == Some(true) { " --requires-grad" } else { "" };
    let make = if values.is_empty() {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        format!("nutorch fromvalue [] --dtype {dtype} --device {device}{grad} | nutorch reshape [{}]", dims.join(" "))
    } else {
        format!("nutorch fromvalue {} --dtype {dtype} --device {device}{grad}", nested(&shape, &values))
    };
    let transposed = if t.get("mT").and_then(J::as_bool) == Some(true) { " | nutorch transpose -2 -1" } else { "" };
    lets.push(format!("let {name} = ({make}{complex}{transposed}); "));
    format!("${name}")
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

/// How the result is read back, by the kind of result expected.
fn read_back(expect: &J) -> String {
    let plain = |t: &J| if is_complex(t) { "plain_c" } else { "plain" };
    if let Some(fields) = expect.get("record").and_then(J::as_object) {
        let read = |k: &str, t: &J| match t.as_array() {
            Some(items) if items.iter().any(is_complex) => format!("{k}: (plain_list_c $r.{k})"),
            Some(_) => format!("{k}: (plain_list $r.{k})"),
            None => format!("{k}: ({} $r.{k})", plain(t)),
        };
        let parts: Vec<String> = fields.iter().map(|(k, t)| read(k, t)).collect();
        return format!("{{{}}}", parts.join(", "));
    }
    if let Some(items) = expect.get("list").and_then(J::as_array) {
        return match items.iter().filter(|t| is_complex(t)).count() {
            0 => "plain_list $r".into(),
            n if n == items.len() => "plain_list_c $r".into(),
            // Complex and real tensors (lu's factors and pivots): each read as its kind.
            _ => {
                let parts: Vec<String> =
                    items.iter().enumerate().map(|(i, t)| format!("({} $r.{i})", plain(t))).collect();
                format!("[{}]", parts.join(" "))
            }
        };
    }
    if let Some(t) = expect.get("tensor").or_else(|| expect.get("random")) {
        return format!("{} $r", plain(t));
    }
    "$r".into()
}

fn is_complex(t: &J) -> bool {
    t["dtype"].as_str().is_some_and(|d| d.starts_with("complex"))
}

fn flatten(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::List { vals, .. } => vals.iter().for_each(|x| flatten(x, out)),
        other => out.push(other.clone()),
    }
}

fn expected_f64(w: &J) -> Option<f64> {
    match w {
        J::String(s) if s == "nan" => Some(f64::NAN),
        J::String(s) if s == "inf" => Some(f64::INFINITY),
        J::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        J::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn leaf_matches(w: &J, v: &Value, (rtol, atol): (f64, f64)) -> bool {
    match (w, v) {
        (J::Bool(a), Value::Bool { val, .. }) => a == val,
        (J::Number(n), Value::Int { val, .. }) if !n.is_f64() => {
            n.as_i64() == Some(*val) || n.as_u64() == u64::try_from(*val).ok()
        }
        (w, Value::Float { val, .. }) => match expected_f64(w) {
            Some(e) if e.is_nan() => val.is_nan(),
            Some(e) if e.is_infinite() => *val == e,
            Some(e) => (val - e).abs() <= atol + rtol * e.abs(),
            None => false,
        },
        _ => false,
    }
}

fn compare_plain(w: &J, v: &Value, tol: (f64, f64)) -> Result<(), String> {
    let ok = match (w, v) {
        (J::Null, Value::Nothing { .. }) => true,
        (J::String(s), Value::String { val, .. }) => s == val,
        (J::Array(items), Value::List { vals, .. }) => {
            items.len() == vals.len() && items.iter().zip(vals).all(|(a, b)| compare_plain(a, b, tol).is_ok())
        }
        (w, v) => leaf_matches(w, v, tol),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("got {v:?}, expected {w}"))
    }
}

fn compare_random(r: &J, actual: &Value) -> Result<(), String> {
    let rec = actual.as_record().map_err(|_| format!("expected a tensor, got {actual:?}"))?;
    let dtype = rec.get("dtype").and_then(|v| v.as_str().ok()).unwrap_or("?");
    if dtype != r["dtype"].as_str().unwrap_or("") {
        return Err(format!("dtype {dtype}, expected {}", r["dtype"]));
    }
    let shape: Vec<i64> =
        rec.get("shape").and_then(|v| v.as_list().ok()).unwrap_or(&[]).iter().filter_map(|v| v.as_int().ok()).collect();
    let want: Vec<i64> = r["shape"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
    if shape != want {
        return Err(format!("shape {shape:?}, expected {want:?}"));
    }
    let (lo, hi) =
        (expected_f64(&r["min"]).unwrap_or(f64::NEG_INFINITY), expected_f64(&r["max"]).unwrap_or(f64::INFINITY));
    if lo.is_infinite() && hi.is_infinite() {
        return Ok(()); // uninitialized memory: any value
    }
    let mut values = Vec::new();
    flatten(rec.get("values").ok_or("no values")?, &mut values);
    for v in values {
        let x = match v {
            Value::Int { val, .. } => val as f64,
            Value::Float { val, .. } => val,
            Value::Bool { val, .. } => val as i64 as f64,
            other => return Err(format!("unexpected value {other:?}")),
        };
        if !(lo..=hi).contains(&x) {
            return Err(format!("value {x} outside [{lo}, {hi}]"));
        }
    }
    Ok(())
}

fn error_text(err: &LabeledError) -> String {
    let labels: Vec<String> = err.labels.iter().map(|l| l.text.clone()).collect();
    let inner: Vec<String> = err.inner.iter().map(|e| format!("{e:?}")).collect();
    format!("{} | {} {}", err.msg, labels.join(" | "), inner.join(" "))
}

/// Whether an expected tensor's values contain equal elements.
fn has_ties(tensor: &J) -> bool {
    fn flatten(v: &J, out: &mut Vec<String>) {
        match v {
            J::Array(items) => items.iter().for_each(|i| flatten(i, out)),
            other => out.push(other.to_string()),
        }
    }
    let mut values = Vec::new();
    flatten(tensor.get("values").unwrap_or(&J::Null), &mut values);
    let count = values.len();
    values.sort();
    values.dedup();
    values.len() < count
}
