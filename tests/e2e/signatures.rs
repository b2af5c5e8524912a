//! The calling convention through the real nu: required arguments are required and typed in
//! the signature (a missing or mistyped one is Nushell's parse error at its place), the first
//! tensor comes from the pipeline, and the PyTorch call shapes (`randint low high size`,
//! `max $a $b`, `norm --p nuc`) give PyTorch's values.

use nutorch_e2e::{nu_binary, plugin_binary, Nu};
use serde_json::json;
use std::process::Output;

/// Runs a script with Nushell's plain error style, whose text names every label.
fn plain(nu: &Nu, script: &str) -> Output {
    std::process::Command::new(nu_binary())
        .arg("--no-config-file")
        .arg("--error-style")
        .arg("plain")
        .arg("--plugins")
        .arg(format!("[{}]", plugin_binary().display()))
        .arg("-c")
        .arg(script)
        .env("XDG_CONFIG_HOME", nu.path().join("config"))
        .env("NUTORCH_STORE_DIR", nu.store_dir())
        .env_remove("NU_LOG_LEVEL")
        .output()
        .expect("start nu")
}

fn plain_error(nu: &Nu, script: &str) -> String {
    let out = plain(nu, script);
    assert!(!out.status.success(), "expected failure: {script}\nstdout: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn missing_and_mistyped_arguments_fail_at_parse_time() {
    let nu = Nu::new();
    // `linspace <start> <end> <steps>`: two numbers are not enough. (Nushell's label names the
    // first `number` parameter here, as it does for its own commands: it matches the parsed
    // ints against the `number` shape by type; the usage it prints shows all three.)
    let text = plain_error(&nu, "nutorch linspace 0 1");
    assert!(text.contains("nu::parser::missing_positional"), "{text}");
    assert!(text.contains("Missing required positional argument"), "{text}");
    assert!(text.contains("nutorch linspace {flags} <start> <end> <steps>"), "{text}");
    for (script, missing) in [
        ("nutorch zeros", "missing size"),
        ("nutorch randperm", "missing n"),
        // Where the slots take the same shapes (an int or a 0-d tensor), Nushell names the first
        // of them, as with linspace above: randint's low_or_high, narrow's dim.
        ("nutorch randint 10", "missing low_or_high"),
        ("nutorch arange 4 | nutorch narrow 0 1", "missing dim"),
        ("nutorch arange 4 | nutorch add", "missing other"),
    ] {
        let text = plain_error(&nu, script);
        assert!(text.contains("nu::parser::missing_positional") && text.contains(missing), "{script}: {text}");
    }
    // A word where an int belongs: Nushell's mismatch, under the word (column 15 is `abc`).
    let text = plain_error(&nu, "nutorch zeros abc");
    assert!(text.contains("nu::parser::parse_mismatch"), "{text}");
    assert!(text.contains("line 1, columns 15 to 17"), "{text}");
    let text = plain_error(&nu, "nutorch linspace 0 1 2.5");
    assert!(text.contains("nu::parser::"), "{text}");
    // The tensor is not a positional: written first it is an argument too many.
    let text = plain_error(&nu, "let a = (nutorch zeros 2); nutorch sin $a");
    assert!(text.contains("nu::parser::extra_positional"), "{text}");
}

#[test]
fn a_missing_pipeline_tensor_is_an_error_at_the_command() {
    let v = Nu::new().json(
        "[(try { nutorch sin } catch {|e| {msg: $e.msg, label: $e.details.labels.0.text, at: $e.details.labels.0.location}}) \
          (try { nutorch add 1 } catch {|e| $e.details.labels.0.text }) \
          (try { nutorch cat } catch {|e| $e.details.labels.0.text })] | to json -r",
    );
    assert_eq!(v[0]["msg"], "Missing tensor");
    assert_eq!(v[0]["label"], "pipe the input tensor in: `$x | nutorch sin`");
    // The label covers the command itself: `nutorch sin` starts after `[(try { `.
    let start = v[0]["at"]["start"].as_u64().unwrap() as usize;
    let end = v[0]["at"]["end"].as_u64().unwrap() as usize;
    assert_eq!(end - start, "nutorch sin".len(), "{v}");
    assert_eq!(v[1], "pipe the input tensor in: `$x | nutorch add`");
    assert!(v[2].as_str().unwrap().contains("pipe the tensors in as a list or write them as arguments"), "{v}");
}

#[test]
fn help_shows_required_typed_parameters() {
    let out = Nu::new().run("help nutorch linspace | ansi strip");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nutorch linspace {flags} <start> <end> <steps>"), "{text}");
    // A number or a 0-d tensor (a variable), as PyTorch takes either.
    assert!(text.contains("start <oneof<number, cell-path>>: first value\n"), "{text}");
    assert!(text.contains("end <oneof<number, cell-path>>: last value (included)\n"), "{text}");
    assert!(text.contains("steps <oneof<int, cell-path>>: number of values (>= 0)\n"), "{text}");
    assert!(!text.contains("(optional)"), "{text}");
    let out = Nu::new().run("help nutorch add | ansi strip");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nutorch add {flags} <other>"), "{text}");
    assert!(text.contains("comes from the pipeline (`$x | nutorch add ...`)"), "{text}");
    let out = Nu::new().run("help nutorch sum | ansi strip");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nutorch sum {flags} (dim)"), "{text}");
}

#[test]
fn randint_max_min_and_norm_give_pytorchs_values() {
    let v = Nu::new().json(
        "def facts [r] { {shape: $r.shape, dtype: $r.dtype, min: ($r | nutorch min | nutorch item), max: ($r | nutorch max | nutorch item)} }; \
         let x = (nutorch fromvalue [[1.0 -2.0 3.0] [4.0 0.5 -6.0]] --dtype float64); \
         let y = (nutorch fromvalue [0.0 1.0 2.0] --dtype float64); \
         { high_size: (facts (nutorch randint 10 [2 500])), \
           low_high_size: (facts (nutorch randint 5 8 1000)), \
           negative: (facts (nutorch randint -3 0 [4 250] --dtype int32)), \
           seeded3: (nutorch manual_seed 0; nutorch randint 3 10 5 | nutorch tovalue), \
           seeded2: (nutorch manual_seed 0; nutorch randint 10 [2 3] | nutorch tovalue), \
           max: ($x | nutorch max $y | nutorch tovalue), min: ($x | nutorch min $y | nutorch tovalue), \
           max_all: ($x | nutorch max | nutorch tovalue), max_dim: ($x | nutorch max 1 | nutorch tovalue), \
           fro: ($x | nutorch norm --p fro | nutorch item), default: ($x | nutorch norm | nutorch item), \
           nuc: ($x | nutorch norm --p nuc | nutorch item), fro_dim: ($x | nutorch norm --p fro --dim 1 | nutorch tovalue), \
           p1: ($x | nutorch norm --p 1 | nutorch item) } | to json -r",
    );
    // torch.randint(10, (2, 500)), torch.randint(5, 8, (1000,)), torch.randint(-3, 0, (4, 250), dtype=torch.int32)
    assert_eq!(v["high_size"]["shape"], json!([2, 500]));
    assert_eq!(v["high_size"]["dtype"], "int64");
    assert!(v["high_size"]["min"].as_i64().unwrap() >= 0 && v["high_size"]["max"].as_i64().unwrap() <= 9, "{v}");
    assert_eq!(v["low_high_size"], json!({"shape": [1000], "dtype": "int64", "min": 5, "max": 7}));
    assert_eq!(v["negative"], json!({"shape": [4, 250], "dtype": "int32", "min": -3, "max": -1}));
    // torch.manual_seed(0); torch.randint(3, 10, (5,)) / torch.randint(10, (2, 3))
    assert_eq!(v["seeded3"], json!([7, 6, 3, 5, 4]));
    assert_eq!(v["seeded2"], json!([[4, 9, 3], [0, 3, 9]]));
    // torch.max(x, y) / torch.min(x, y) (y broadcast over the rows)
    assert_eq!(v["max"], json!([[1.0, 1.0, 3.0], [4.0, 1.0, 2.0]]));
    assert_eq!(v["min"], json!([[0.0, -2.0, 2.0], [0.0, 0.5, -6.0]]));
    assert_eq!(v["max_all"], json!(4.0));
    assert_eq!(v["max_dim"], json!({"values": [3.0, 4.0], "indices": [2, 0]}));
    // torch.norm(x, 'fro'), torch.norm(x), torch.norm(x, 'nuc'), torch.norm(x, 'fro', dim=1), torch.norm(x, 1)
    let close = |key: &str, want: f64| {
        let got = v[key].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-12 * want.abs(), "{key}: {got} vs {want}");
    };
    close("fro", 8.139410298049853);
    close("default", 8.139410298049853);
    close("nuc", 10.548038193887411);
    close("p1", 16.5);
    let fro_dim: Vec<f64> = v["fro_dim"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert!((fro_dim[0] - 3.7416573867739413).abs() < 1e-12 && (fro_dim[1] - 7.22841614740048).abs() < 1e-12, "{v}");
}
