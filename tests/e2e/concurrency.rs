//! Many commands at once on shared tensors (`par-each`): reads, in-place writes through views of
//! one tensor, backward into one shared leaf; right results, no deadlock, one plugin process.

use nutorch_e2e::{Nu, PLUGIN_PID};
use serde_json::json;

#[test]
fn sixteen_parallel_commands_on_shared_tensors() {
    // As torch, with 16 threads: x.mul(i).sum(); w[i-1:i].fill_(i); (s * i).sum().backward();
    // p = tensor([i.]); (p * p).sum().backward() -> p.grad = 2i.
    let v = Nu::new().json(&format!(
        "let x = (nutorch arange 1000 --dtype float64); let w = (nutorch zeros 16 --dtype int64); \
         let s = (nutorch ones 1 --requires-grad); let pid = {PLUGIN_PID}; \
         let rows = (1..16 | par-each --threads 16 {{|i| \
             let sum = ($x | nutorch mul $i | nutorch sum | nutorch item); \
             $w | nutorch narrow 0 ($i - 1) 1 | nutorch fill_ $i | ignore; \
             $s | nutorch mul $i | nutorch sum | nutorch backward; \
             let p = (nutorch fromvalue [$i] --dtype float32 --requires-grad); \
             $p | nutorch mul $p | nutorch sum | nutorch backward; \
             {{i: $i, sum: $sum, grad: ($p.grad | nutorch tovalue | first)}} \
         }} | sort-by i); \
         {{rows: $rows, w: ($w | nutorch tovalue), s_grad: ($s.grad | nutorch tovalue), \
           pid_before: $pid, pid_after: {PLUGIN_PID}}} | to json -r"
    ));
    assert_eq!(v["pid_before"], v["pid_after"], "{v}");
    assert_eq!(v["w"], json!((1..=16).collect::<Vec<i64>>()), "each view wrote its element");
    assert_eq!(v["s_grad"], json!([136.0]), "16 backward passes accumulated into one leaf: {v}");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 16);
    for row in rows {
        let i = row["i"].as_f64().unwrap_or_default();
        assert_eq!(row["sum"].as_f64(), Some(i * 499_500.0), "{row}");
        assert_eq!(row["grad"].as_f64(), Some(2.0 * i), "{row}");
    }
}
