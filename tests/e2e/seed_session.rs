//! The seed's tensor session through the real nu, against PyTorch's values
//! (tests/golden/seed_session.json, made by scripts/gen_e2e_goldens.py).

use nutorch_e2e::{assert_close, golden, Nu};

#[test]
fn seed_session_matches_pytorch() {
    let goldens = golden("seed_session.json");
    let cases = goldens["cases"].as_array().expect("cases");
    // One nu process for all cases: each case's values, dtype and shape as JSON.
    let script = cases
        .iter()
        .map(|c| {
            let nu = c["nu"].as_str().unwrap();
            format!("(do {{ let t = ({nu}); {{values: ($t | nutorch tovalue), dtype: $t.dtype, shape: $t.shape}} }})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let results = Nu::new().json(&format!("[{script}] | to json -r"));
    let results = results.as_array().expect("results");
    assert_eq!(results.len(), cases.len());
    for (case, result) in cases.iter().zip(results) {
        let name = case["name"].as_str().unwrap();
        assert_close(&result["values"], &case["expected"], 0.0, name);
        assert_eq!(result["dtype"], case["dtype"], "{name}");
        assert_eq!(result["shape"], case["shape"], "{name}");
    }
}

#[test]
fn a_million_elements_print_briefly() {
    let out = Nu::new().run("nutorch linspace 0 1 1000000");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    // PyTorch's summarised text: the edges, `...` for the rest.
    assert_eq!(
        stdout.trim_end(),
        "tensor([0.0000e+00, 1.0000e-06, 2.0000e-06,  ..., 1.0000e+00, 1.0000e+00,\n        1.0000e+00])",
        "{stdout}"
    );
}

#[test]
fn help_lists_the_commands() {
    let out = Nu::new().run("nutorch");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for command in ["nutorch linspace", "nutorch tovalue", "nutorch fromvalue", "nutorch devices"] {
        assert!(stdout.contains(command), "{command} missing from help:\n{stdout}");
    }
}

#[test]
fn devices_start_with_cpu() {
    let v = Nu::new().json("nutorch devices | to json -r");
    assert_eq!(v[0]["name"], "cpu");
}

#[test]
fn ids_work_as_plain_strings() {
    let v = Nu::new().json("let t = (nutorch fromvalue [1 2 3]); let id = $t.id; nutorch tovalue $id | to json -r");
    assert_eq!(v, serde_json::json!([1, 2, 3]));
}
