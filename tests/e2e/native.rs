//! Data in and out: tables, ranges, CSV, totable, numpy files both ways (checked with numpy),
//! Nushell's save of a tensor, dtype range errors, bool bytes, hostile numpy files.

use nutorch_e2e::{Nu, PLUGIN_PID};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Runs Python code with $NUTORCH_PYTHON (numpy and torch) in `dir`; returns its last line as JSON.
fn python(dir: &Path, code: &str) -> Value {
    let interpreter = std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON (set by scripts/prepare.sh)");
    let out = Command::new(interpreter)
        .arg("-c")
        .arg(code)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("start $NUTORCH_PYTHON");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "python failed: {code}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// Runs `calls` (each must fail) in one nu process and checks each message has its text, that
/// the plugin kept its pid and that a tensor made first is intact.
fn assert_errors(nu: &Nu, calls: &[(&str, &str)]) {
    let checks = calls
        .iter()
        .map(|(call, _)| format!("(try {{ {call}; 'no error' }} catch {{|e| $e.rendered }})"))
        .collect::<Vec<_>>()
        .join(", ");
    let script = format!(
        "cd '{}'; let a = (nutorch linspace 0 1 3); let pid = {PLUGIN_PID}; let errors = [{checks}]; \
         {{pid: $pid, after: {PLUGIN_PID}, errors: $errors, a: ($a | nutorch tovalue)}} | to json -r",
        nu.path().display()
    );
    let v = nu.json(&script);
    assert_eq!(v["pid"], v["after"], "the plugin restarted: {v}");
    assert_eq!(v["a"], json!([0.0, 0.5, 1.0]));
    for (i, (call, expected)) in calls.iter().enumerate() {
        let text = v["errors"][i].as_str().unwrap_or_default();
        assert!(text.contains(expected), "{call}: expected {expected:?} in {text:?}");
    }
}

#[test]
fn tables_ranges_and_csv_become_tensors() {
    let nu = Nu::new();
    std::fs::write(nu.path().join("data.csv"), "a,b,c\n1,2.5,3\n4,5,6\n").unwrap();
    std::fs::write(nu.path().join("bad.csv"), "a,b\n1,2\n3,x\n").unwrap();
    let v = nu.json(&format!(
        "cd '{}'; {{\
           table: ([[x y]; [1 2] [3 4]] | nutorch fromvalue | nutorch tovalue),\
           chosen: ([[x y z]; [1 2 3] [4 5 6]] | nutorch fromvalue --columns [z x] | nutorch tovalue),\
           dtype: ([[x y]; [1 2]] | nutorch fromvalue --dtype float64 | nutorch to --dtype float32 | nutorch tovalue),\
           csv: (open data.csv | nutorch fromvalue | nutorch tovalue),\
           csv_shape: (open data.csv | nutorch fromvalue | get shape),\
           range: (1..5 | nutorch fromvalue | nutorch tovalue),\
           exclusive: (1..<5 | nutorch fromvalue | nutorch tovalue),\
           stepped: (0..3..10 | nutorch fromvalue | nutorch tovalue),\
           down: (5..1 | nutorch fromvalue | nutorch tovalue),\
           floats: (0.0..0.5..2.0 | nutorch fromvalue --dtype float64 | nutorch tovalue),\
           arg: (nutorch fromvalue 1..3 | nutorch tovalue),\
           list: ([1 2 3] | nutorch fromvalue | nutorch tovalue),\
           bools: ([[p q]; [true false]] | nutorch fromvalue | nutorch tovalue),\
           mixed: ([[p q]; [true 2]] | nutorch fromvalue | nutorch tovalue)\
         }} | to json -r",
        nu.path().display()
    ));
    assert_eq!(v["table"], json!([[1, 2], [3, 4]]));
    assert_eq!(v["chosen"], json!([[3, 1], [6, 4]]));
    assert_eq!(v["dtype"], json!([[1.0, 2.0]]));
    assert_eq!(v["csv"], json!([[1.0, 2.5, 3.0], [4.0, 5.0, 6.0]]));
    assert_eq!(v["csv_shape"], json!([2, 3]));
    assert_eq!(v["range"], json!([1, 2, 3, 4, 5]));
    assert_eq!(v["exclusive"], json!([1, 2, 3, 4]));
    assert_eq!(v["stepped"], json!([0, 3, 6, 9]));
    assert_eq!(v["down"], json!([5, 4, 3, 2, 1]));
    assert_eq!(v["floats"], json!([0.0, 0.5, 1.0, 1.5, 2.0]));
    assert_eq!(v["arg"], json!([1, 2, 3]));
    assert_eq!(v["list"], json!([1, 2, 3]));
    assert_eq!(v["bools"], json!([[true, false]]));
    assert_eq!(v["mixed"], json!([[1, 2]]));

    assert_errors(
        &nu,
        &[
            ("open bad.csv | nutorch fromvalue", "column 'b', row 1: expected a number or bool, found string (\"x\")"),
            ("[[x y]; [1 2]] | append {x: 3} | nutorch fromvalue", "row 1 has no column 'y'"),
            ("[[x y]; [1 2]] | nutorch fromvalue --columns [x w]", "row 0 has no column 'w'"),
            ("[{x: 1} {x: 2, y: 3}] | nutorch fromvalue", "row 1 has a column 'y' that row 0 lacks"),
            ("[{x: 1} 5] | nutorch fromvalue", "row 1 is a int, not a record"),
            ("[1 2] | nutorch fromvalue --columns [a]", "row 0 is a int, not a record"),
            ("5 | nutorch fromvalue --columns [a]", "--columns needs a table"),
            ("{x: 1} | nutorch fromvalue", "a record is one row"),
            ("1.. | nutorch fromvalue", "unbounded range"),
        ],
    );
}

#[test]
fn totable_gives_records() {
    let nu = Nu::new();
    let v = nu.json(
        "{\
           default: (nutorch fromvalue [[1 2 3] [4 5 6]] | nutorch totable),\
           named: (nutorch fromvalue [[1.5 2] [3 4]] --dtype float64 | nutorch totable --columns [a b]),\
           one_d: (nutorch fromvalue [true false] | nutorch totable),\
           round_trip: ([[x y]; [1 2] [3 4]] | nutorch fromvalue | nutorch totable --columns [x y])\
         } | to json -r",
    );
    assert_eq!(v["default"], json!([{"0": 1, "1": 2, "2": 3}, {"0": 4, "1": 5, "2": 6}]));
    assert_eq!(v["named"], json!([{"a": 1.5, "b": 2.0}, {"a": 3.0, "b": 4.0}]));
    assert_eq!(v["one_d"], json!([{"0": true}, {"0": false}]));
    assert_eq!(v["round_trip"], json!([{"x": 1, "y": 2}, {"x": 3, "y": 4}]));
    assert_errors(
        &nu,
        &[
            ("nutorch zeros 2 2 2 | nutorch totable", "1-D or 2-D tensor, this one has 3 dimensions"),
            ("nutorch fromvalue 3 | nutorch totable", "this one has 0 dimensions"),
            ("nutorch zeros 2 2 | nutorch totable --columns [a]", "1 column names for 2 columns"),
            ("nutorch zeros 2 2 | nutorch totable --columns [a a]", "named twice"),
        ],
    );
}

#[test]
fn out_of_range_values_and_deep_lists_are_errors() {
    let nu = Nu::new();
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let ok = format!("{}1{}", "[".repeat(128), "]".repeat(128));
    let v = nu.json(&format!(
        "{{ok_dims: (nutorch fromvalue {ok} | get shape | length),\
           edges: ([-128 127] | nutorch fromvalue --dtype int8 | nutorch tovalue),\
           bools: ([true false] | nutorch fromvalue --dtype uint8 | nutorch tovalue),\
           truncated: ([255.9] | nutorch fromvalue --dtype uint8 | nutorch tovalue),\
           half_inf: ([1e40] | nutorch fromvalue --dtype float16 | nutorch tovalue | to nuon)}} | to json -r"
    ));
    assert_eq!(v["ok_dims"], json!(128));
    assert_eq!(v["edges"], json!([-128, 127]));
    assert_eq!(v["bools"], json!([1, 0]));
    assert_eq!(v["truncated"], json!([255]));
    assert_eq!(v["half_inf"], json!("[inf]"));
    assert_errors(
        &nu,
        &[
            ("[300] | nutorch fromvalue --dtype int8", "value 300 at [0] cannot be converted to int8 without overflow"),
            ("[256] | nutorch fromvalue --dtype uint8", "cannot be converted to uint8"),
            ("[-1] | nutorch fromvalue --dtype uint8", "cannot be converted to uint8"),
            ("[[0 1] [2 40000]] | nutorch fromvalue --dtype int16", "value 40000 at [1][1]"),
            ("[NaN] | nutorch fromvalue --dtype int64", "value NaN at [0] cannot be converted to int64"),
            ("[inf] | nutorch fromvalue --dtype int32", "value inf at [0] cannot be converted to int32"),
            ("[9223372036854775808.0] | nutorch fromvalue --dtype int64", "cannot be converted to int64"),
            (&format!("nutorch fromvalue {deep}"), "too many dimensions"),
            ("let t = (nutorch zeros 2); nutorch tovalue [$t 'zz']", "expected a tensor at [1], found string"),
            ("let t = (nutorch zeros 2); nutorch tovalue {a: $t, b: 3}", "expected a tensor at .b, found int"),
        ],
    );
}

/// A safetensors file with one BOOL tensor of the given bytes.
fn bool_safetensors(bytes: &[u8]) -> Vec<u8> {
    let header = format!(r#"{{"b":{{"dtype":"BOOL","shape":[{}],"data_offsets":[0,{}]}}}}"#, bytes.len(), bytes.len());
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(bytes);
    out
}

#[test]
fn bool_bytes_other_than_one_read_as_true() {
    let nu = Nu::new();
    std::fs::write(nu.path().join("b.safetensors"), bool_safetensors(&[1, 97, 0])).unwrap();
    let v = nu.json(&format!(
        "cd '{}'; let pid = {PLUGIN_PID}; let f = (nutorch load b.safetensors); \
         let b = (nutorch fromvalue [true false true]); \
         let empties = (1..20 | each {{|i| $b | nutorch empty_like | nutorch tovalue | length }}); \
         let shown = (1..20 | each {{|i| $b | nutorch empty_like | table | str length }} | length); \
         {{values: ($f.b | nutorch tovalue), sum: ($f.b | nutorch to --dtype int64 | nutorch sum | nutorch tovalue), \
           shown: ($f.b | to text), empties: ($empties | uniq), count: $shown, \
           same: ($pid == {PLUGIN_PID})}} | to json -r",
        nu.path().display()
    ));
    assert_eq!(v["values"], json!([true, true, false]), "{v}");
    assert_eq!(v["sum"], json!(2), "{v}");
    assert_eq!(v["shown"], json!("tensor([ True,  True, False])"), "as PyTorch prints it: {v}");
    assert_eq!(v["empties"], json!([3]), "{v}");
    assert_eq!(v["same"], json!(true), "{v}");
}

const DTYPES: &[&str] =
    &["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"];

#[test]
fn numpy_files_load_with_equal_values() {
    let nu = Nu::new();
    let dir = nu.path();
    // numpy writes every dtype (C and Fortran order), an .npz stored and one deflated.
    let expected = python(
        dir,
        r#"
import json, numpy as np
dtypes = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]
out = {}
base = np.array([[0, 1, 2], [3, 4, 5]]) * 1.25 - 2
for d in dtypes:
    a = (base != 0) if d == "bool" else (np.abs(base) if d == "uint8" else base).astype(d)
    np.save(f"c_{d}.npy", a)
    np.save(f"f_{d}.npy", np.asfortranarray(a))
    real = np.stack([a.real, a.imag], -1) if a.dtype.kind == "c" else a
    out[d] = {"values": real.tolist(), "shape": list(a.shape)}
np.save("scalar.npy", np.float64(2.5))
np.save("empty.npy", np.zeros((0, 3), np.float32))
np.savez("stored.npz", x=np.arange(4), y=np.eye(2, dtype=np.float32))
np.savez_compressed("deflated.npz", x=np.arange(1000) % 7, y=np.ones((3, 2)))
print(json.dumps(out))
"#,
    );
    let mut parts = Vec::new();
    for d in DTYPES {
        let real = if d.starts_with("complex") { " | nutorch view_as_real" } else { "" };
        parts.push(format!(
            "{d}: {{c: (nutorch load c_{d}.npy{real} | nutorch tovalue), f: (nutorch load f_{d}.npy{real} | nutorch tovalue), \
             dtype: (nutorch load c_{d}.npy | get dtype), shape: (nutorch load f_{d}.npy | get shape)}}"
        ));
    }
    let v = nu.json(&format!(
        "cd '{}'; {{{}, scalar: (nutorch load scalar.npy | nutorch tovalue), empty: (nutorch load empty.npy | get shape), \
         stored: (nutorch load stored.npz | transpose name t | each {{|r| {{name: $r.name, v: ($r.t | nutorch tovalue)}} }}), \
         deflated: (nutorch load deflated.npz | get x | nutorch sum | nutorch tovalue)}} | to json -r",
        dir.display(),
        parts.join(", ")
    ));
    for d in DTYPES {
        let want = &expected[d];
        assert_eq!(v[d]["c"], want["values"], "{d} (C order)");
        assert_eq!(v[d]["f"], want["values"], "{d} (Fortran order)");
        assert_eq!(v[d]["dtype"], json!(d), "{d}");
        assert_eq!(v[d]["shape"], want["shape"], "{d}");
    }
    assert_eq!(v["scalar"], json!(2.5));
    assert_eq!(v["empty"], json!([0, 3]));
    assert_eq!(v["stored"], json!([{"name": "x", "v": [0, 1, 2, 3]}, {"name": "y", "v": [[1.0, 0.0], [0.0, 1.0]]}]));
    let deflated_sum: i64 = (0..1000).map(|i| i % 7).sum();
    assert_eq!(v["deflated"], json!(deflated_sum));
}

#[test]
fn files_we_write_load_in_numpy() {
    let nu = Nu::new();
    let dir = nu.path();
    let mut script =
        format!("cd '{}'; let base = (nutorch fromvalue [[0 1 2] [3 4 5]] --dtype float64); ", dir.display());
    for d in DTYPES {
        script.push_str(&format!("$base | nutorch to --dtype {d} | nutorch save o_{d}.npy; "));
    }
    script.push_str(
        "$base | save o_hook.npy; \
         {a: (nutorch fromvalue [1 2 3] --dtype int32), b: ($base | nutorch to --dtype float32)} | nutorch save o.npz; \
         $base | nutorch save one.npz; \
         nutorch fromvalue 7 | nutorch save zero_d.npy; \
         nutorch linspace 0 1 100000 | nutorch save big.npy; 'ok' | to json",
    );
    nu.json(&script);
    let v = python(
        dir,
        r#"
import json, numpy as np
out = {}
for d in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]:
    a = np.load(f"o_{d}.npy")
    real = np.stack([a.real, a.imag], -1) if a.dtype.kind == "c" else a
    out[d] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": real.tolist()}
h = np.load("o_hook.npy")
z = np.load("o.npz")
out["hook"] = [str(h.dtype), h.tolist()]
out["npz"] = {k: [str(z[k].dtype), z[k].tolist()] for k in z.files}
out["one"] = list(np.load("one.npz").files)
out["zero_d"] = [np.load("zero_d.npy").shape, int(np.load("zero_d.npy"))]
b = np.load("big.npy")
out["big"] = [str(b.dtype), b.shape[0], float(b[-1]), bool(np.allclose(b, np.linspace(0, 1, 100000, dtype=np.float32)))]
print(json.dumps(out))
"#,
    );
    for d in DTYPES {
        assert_eq!(v[d]["dtype"], json!(d), "{d}");
        assert_eq!(v[d]["shape"], json!([2, 3]), "{d}");
        let want = match *d {
            "bool" => json!([[false, true, true], [true, true, true]]),
            "float16" | "float32" | "float64" => json!([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]),
            "complex64" | "complex128" => {
                json!([[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], [[3.0, 0.0], [4.0, 0.0], [5.0, 0.0]]])
            }
            _ => json!([[0, 1, 2], [3, 4, 5]]),
        };
        assert_eq!(v[d]["values"], want, "{d}");
    }
    assert_eq!(v["hook"], json!(["float64", [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]));
    assert_eq!(v["npz"]["a"], json!(["int32", [1, 2, 3]]));
    assert_eq!(v["npz"]["b"], json!(["float32", [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]));
    assert_eq!(v["one"], json!(["arr_0"]));
    assert_eq!(v["zero_d"], json!([[], 7]));
    assert_eq!(v["big"], json!(["float32", 100000, 1.0, true]));
    assert_errors(
        &nu,
        &[
            ("nutorch zeros 2 --dtype bfloat16 | nutorch save x.npy", "bfloat16 has no numpy dtype"),
            ("{a: (nutorch zeros 2), b: (nutorch zeros 2)} | nutorch save x.npy", "a .npy file holds one array"),
            ("{a: (nutorch zeros 2)} | nutorch save x.json", "a record of tensors saves as .safetensors or .npz"),
            ("nutorch zeros 2 | save x.xyz", "a tensor saves as .safetensors, .npy"),
            ("nutorch zeros 2 | save --raw x.txt", "a tensor saves as .safetensors, .npy"),
        ],
    );
}

#[test]
fn nushell_save_writes_the_data() {
    let nu = Nu::new();
    let dir = nu.path();
    let v = nu.json(&format!(
        "cd '{}'; let t = (nutorch linspace 0 1 5); let m = (nutorch fromvalue [[1 2] [3 4]]); \
         $t | save t.safetensors; $t | save t.npy; $t | save t.npz; \
         $t | save --raw t.json; $t | save --raw t.nuon; $m | save --raw m.csv; \
         nutorch fromvalue [NaN 1.0] | save --raw n.nuon; \
         $t | nutorch save s.json; $m | nutorch save s.csv; \
         {{safetensors: (nutorch load t.safetensors | get tensor | nutorch tovalue), \
           npy: (nutorch load t.npy | nutorch tovalue), npz: (nutorch load t.npz | get arr_0 | nutorch tovalue), \
           json: (open t.json), nuon: (open --raw t.nuon), csv: (open m.csv), nan: (open --raw n.nuon), \
           s_json: (open s.json), s_csv: (open --raw s.csv), \
           json_err: (try {{ nutorch fromvalue [NaN] | save --raw x.json; 'no error' }} catch {{|e| $e.rendered }}), \
           csv_err: (try {{ nutorch zeros 2 2 2 | save --raw x.csv; 'no error' }} catch {{|e| $e.rendered }}), \
           record: (try {{ {{a: $t}} | save r.safetensors; 'no error' }} catch {{|e| 'refused' }})}} | to json -r",
        dir.display()
    ));
    let five = json!([0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(v["safetensors"], five);
    assert_eq!(v["npy"], five);
    assert_eq!(v["npz"], five);
    assert_eq!(v["json"], five);
    assert_eq!(v["nuon"], json!("[0.0, 0.25, 0.5, 0.75, 1.0]\n"));
    assert_eq!(v["csv"], json!([{"0": 1, "1": 2}, {"0": 3, "1": 4}]));
    assert_eq!(v["nan"], json!("[NaN, 1.0]\n"));
    assert_eq!(v["s_json"], five);
    assert_eq!(v["s_csv"], json!("0,1\n1,2\n3,4\n"));
    assert!(v["json_err"].as_str().unwrap().contains("cannot be written as JSON"), "{v}");
    assert!(v["csv_err"].as_str().unwrap().contains("1-D or 2-D"), "{v}");
    // Nushell does not hand records to the plugin's save hook: `nutorch save` is the way.
    assert_eq!(v["record"], json!("refused"));
    let loaded = python(
        dir,
        "import json, numpy as np\nfrom safetensors.numpy import load_file\n\
         print(json.dumps([np.load('t.npy').tolist(), load_file('t.safetensors')['tensor'].tolist()]))",
    );
    assert_eq!(loaded, json!([five, five]));
}

fn npy_bytes(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn hostile_numpy_files_are_errors() {
    let nu = Nu::new();
    let dir = nu.path();
    let h = |descr: &str, shape: &str| format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.npy", npy_bytes(&h("<f8", "(1000,)"), &[0; 80])),
        ("overflow.npy", npy_bytes(&h("<f8", "(4294967296, 4294967296, 4294967296)"), &[])),
        ("huge.npy", npy_bytes(&h("<f4", "(100000000000,)"), &[0; 16])),
        ("header.npy", {
            let mut b = b"\x93NUMPY\x02\x00".to_vec();
            b.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            b.extend_from_slice(b"{'descr'");
            b
        }),
        ("cut_header.npy", b"\x93NUMPY\x01\x00\xff\x00{'descr': '<f4'".to_vec()),
        ("bigendian.npy", npy_bytes(&h(">f4", "(1,)"), &[0; 4])),
        ("object.npy", npy_bytes(&h("|O", "(1,)"), &[0; 8])),
        ("strings.npy", npy_bytes(&h("<U3", "(1,)"), &[0; 12])),
        ("garbage.npy", b"not numpy at all".to_vec()),
        ("garbage.npz", b"PK\x03\x04 not a zip".to_vec()),
        ("negative.npy", npy_bytes(&h("<f4", "(-1,)"), &[])),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    assert_errors(
        &nu,
        &[
            ("nutorch load truncated.npy", "needs 8000 bytes of data but the file has 80"),
            ("nutorch load overflow.npy", "too large"),
            ("nutorch load huge.npy", "needs 400000000000 bytes"),
            ("nutorch load header.npy", "at most 1048576"),
            ("nutorch load cut_header.npy", "ends inside the header"),
            ("nutorch load bigendian.npy", "big-endian"),
            ("nutorch load object.npy", "object arrays"),
            ("nutorch load strings.npy", "string arrays"),
            ("nutorch load garbage.npy", "does not start with"),
            ("nutorch load garbage.npz", "not a valid .npz file"),
            ("nutorch load negative.npy", "negative size"),
            ("nutorch load missing.npy", "cannot read"),
        ],
    );
}
