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

/// Calls that used to give a wrong result without a word; what PyTorch 2.11 gives for each
/// (`torch.clamp(x, min=nan)` keeps x; `torch.add(bools, bools, alpha=2)` stays bool; a
/// gradient of the wrong shape, float alpha on ints, an unused input and a count the blobs
/// cannot split are errors; an allocation failure is one line).
#[test]
fn no_silent_wrong_results() {
    let v = Nu::new().json(
        "let x = (nutorch fromvalue [1.0 2.0]); let b = (nutorch fromvalue [true false]); \
         let w = (nutorch ones 2 --requires-grad); let u = (nutorch ones 2 --requires-grad); \
         let err = {|f| try { do $f | ignore; 'no error' } catch {|e| $e.msg + ': ' + ($e.rendered | ansi strip) } }; \
         {clamp_nan: ($x | nutorch clamp --min NaN | nutorch tovalue), \
          clamp_max_nan: ($x | nutorch clamp --max NaN | nutorch tovalue), \
          bool_add: ($b | nutorch add ($b | nutorch logical_not) --alpha 2 | nutorch tovalue), \
          bool_add_dtype: ($b | nutorch add $b --alpha 2).dtype, \
          gradient: (do $err {|| $w | nutorch sum | nutorch backward --gradient (nutorch ones 3) }), \
          grad_untouched: ($w.grad | describe), \
          int_alpha: (do $err {|| nutorch fromvalue [1 2] | nutorch add (nutorch fromvalue [1 1]) --alpha 2.5 }), \
          unused: (do $err {|| $w | nutorch sum | nutorch autograd_grad [$u] }), \
          blobs_n: (do $err {|| nutorch blobs --n 10 }), \
          blobs_std: (do $err {|| nutorch blobs --std -1 }), \
          oom: (do $err {|| nutorch zeros 100000000000 })} | to json -r",
    );
    assert_eq!(v["clamp_nan"], serde_json::json!([1.0, 2.0]));
    assert_eq!(v["clamp_max_nan"], serde_json::json!([1.0, 2.0]));
    assert_eq!(v["bool_add"], serde_json::json!([true, true]));
    assert_eq!(v["bool_add_dtype"], "bool");
    assert_eq!(v["grad_untouched"], "nothing", "a refused backward accumulates nothing");
    let expect = [
        ("gradient", "Mismatch in shape: grad_output[0] has a shape of [3] and output[0] has a shape of []"),
        ("int_alpha", "argument alpha must not be a floating point number"),
        ("unused", "appears to not have been used in the graph"),
        ("blobs_n", "--n must be a multiple of 3"),
        ("blobs_std", "--std must be non-negative"),
        ("oom", "out of memory: this needs 400 GB on cpu ("),
    ];
    for (key, text) in expect {
        let got = v[key].as_str().unwrap_or_default();
        assert!(got.contains(text), "{key}: {got}");
    }
    let oom = v["oom"].as_str().unwrap_or_default();
    assert!(!oom.contains("frame #"), "one line, no backtrace: {oom}");
}
