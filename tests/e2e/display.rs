//! A tensor at the end of a pipeline shows as PyTorch prints it: the nu pipelines of
//! tests/golden/repr.json (scripts/gen_repr_goldens.py) against PyTorch's `repr(t)`.

use nutorch_e2e::{golden, Nu};

/// Every case that nutorch's commands can build, through `to json` (which Nushell converts
/// as it converts for display), in one nu process. The 10^7-element case is left to
/// nutorch-core's test and `ten_million_elements_display_at_once`: building it in float64
/// here would only load the machine that the timing-sensitive restart tests share.
#[test]
fn tensors_print_as_pytorch_prints_them() {
    let goldens = golden("repr.json");
    let cases: Vec<_> = goldens["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["nu"].is_string() && c["name"] != "summarised_2d")
        .collect();
    let script = cases.iter().map(|c| format!("({})", c["nu"].as_str().unwrap())).collect::<Vec<_>>().join(" ");
    let v = Nu::new().json(&format!("[{script}] | to json -r"));
    let got = v.as_array().expect("a list of texts");
    assert_eq!(got.len(), cases.len());
    let failures: Vec<String> = cases
        .iter()
        .zip(got)
        .filter(|(c, g)| g.as_str() != c["repr"].as_str())
        .map(|(c, g)| format!("{}:\n--- PyTorch\n{}\n--- nu\n{}", c["name"], c["repr"].as_str().unwrap(), g))
        .collect();
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n\n"));
}

/// What nu writes for a tensor that ends the script is exactly PyTorch's text.
#[test]
fn the_display_is_the_repr() {
    let goldens = golden("repr.json");
    for name in ["float32_2d", "float32_3d", "bfloat16_fixed", "grad_fn_mul", "requires_grad_leaf", "summarised_3d"] {
        let case = goldens["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).expect(name);
        let out = Nu::new().run(case["nu"].as_str().unwrap());
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n", case["repr"].as_str().unwrap()), "{name}");
    }
}

/// Only the printed elements are read: ten million elements display at once. Seeded: how
/// many lines PyTorch prints depends on the values (an unusual one switches it to scientific
/// notation, wider columns); after `torch.manual_seed(0)` it prints 7.
#[test]
fn ten_million_elements_display_at_once() {
    let v = Nu::new().json(
        "nutorch manual_seed 0 | ignore; let t = (nutorch randn 10000 1000); let start = (date now); let text = ($t | to text); \
         {ms: (((date now) - $start) / 1ms), lines: ($text | lines | length)} | to json -r",
    );
    let ms = v["ms"].as_f64().unwrap();
    eprintln!("displaying a 10000 x 1000 tensor took {ms:.1} ms");
    assert_eq!(v["lines"], 7, "{v}");
    assert!(ms < 1000.0, "displaying 10^7 elements took {ms} ms");
}
