//! Bad input gets a clear error and loses nothing: same plugin process, tensors intact.

use nutorch_e2e::{Nu, PLUGIN_PID};

#[test]
fn bad_calls_keep_the_plugin_and_its_tensors() {
    let bad_calls = [
        ("nutorch linspace 0 1 -1", "non-negative"),
        ("nutorch linspace 0 1 3 --dtype float128", "unknown dtype"),
        ("nutorch linspace 0 1 3 --dtype bool", "bool"),
        ("nutorch linspace 0 1 3 --device gpu", "expected cpu, cuda, cuda:N or mps"),
        ("nutorch linspace 0 1 3 --device cuda:9", "cuda:9 requested"),
        ("nutorch linspace 0 1 3 | nutorch repeat -2", "non-negative"),
        ("nutorch fromvalue [[1 2] [3 4]] | nutorch repeat 2", "at least one size per dimension"),
        ("nutorch fromvalue [[1 2] [3]]", "ragged"),
        ("nutorch fromvalue [1 {a: 1}]", "at [1]"),
        ("nutorch tovalue no-such-tensor", "no tensor with id"),
        ("nutorch fromvalue [1 2] --dtype int64 --requires-grad", "floating point"),
    ];
    let checks = bad_calls
        .iter()
        .map(|(call, _)| format!("(try {{ {call}; 'no error' }} catch {{|e| $e.rendered }})"))
        .collect::<Vec<_>>()
        .join(", ");
    let script = format!(
        "let a = (nutorch linspace 0 1 5 --dtype float64); let pid = {PLUGIN_PID}; \
         let errors = [{checks}]; \
         {{pid_before: $pid, pid_after: {PLUGIN_PID}, errors: $errors, a: ($a | nutorch tovalue)}} | to json -r"
    );
    let v = Nu::new().json(&script);
    assert_eq!(v["pid_before"], v["pid_after"], "the plugin restarted: {v}");
    assert_eq!(v["a"], serde_json::json!([0.0, 0.25, 0.5, 0.75, 1.0]));
    for (i, (call, expected)) in bad_calls.iter().enumerate() {
        let text = v["errors"][i].as_str().unwrap_or_default();
        assert!(text.contains(expected), "{call}: got {text:?}");
    }
}

#[test]
fn errors_point_at_the_argument() {
    // (source, the text the error's label must underline)
    let cases = [
        ("nutorch linspace 0 1 -1", "-1"),
        ("nutorch linspace 0 1 3 --dtype float128", "float128"),
        ("nutorch fromvalue [1 2] | nutorch repeat 2 -3", "-3"),
        ("nutorch fromvalue [[1 2] [3]]", "[3]"),
    ];
    for (source, culprit) in cases {
        let v = Nu::new().json(&format!("try {{ {source} }} catch {{|e| $e.details.labels.0.location }} | to json -r"));
        // Locations count from the start of the whole -c source, which here is `try { ` + source.
        let offset = "try { ".len() as u64;
        let (start, end) = (v["start"].as_u64().unwrap() - offset, v["end"].as_u64().unwrap() - offset);
        let underlined = &source[start as usize..end as usize];
        assert!(underlined.contains(culprit), "{source}: label under {underlined:?}, expected {culprit:?}");
    }
    let stderr = Nu::new().error("nutorch linspace 0 1 3 --dtype float128");
    assert!(stderr.contains("Invalid dtype") && stderr.contains("float128"), "{stderr}");
}
