//! Models, training, files and plots in-process (nu-plugin-test-support): the commands'
//! behaviour on the test device and their labelled errors. Restarts and PyTorch parity are
//! tested end to end (tests/e2e/nn.rs).

mod common;

use common::{device, error_text, eval, plugin_test};
use nu_protocol::Value;
use std::sync::{Mutex, MutexGuard};

/// torch's random generator is global to the process and the tests of this file run in
/// parallel: those that draw take turns, so that a seed gives the same numbers.
fn rng() -> MutexGuard<'static, ()> {
    static RNG: Mutex<()> = Mutex::new(());
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_list().unwrap().iter().map(|x| x.as_float().unwrap()).collect()
}

#[test]
fn training_updates_the_parameters_in_place() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let d = device();
    let setup = format!("let data = (nutorch blobs --seed 42 --device {d}); let model = (nutorch nn simple-nn 2 20 3 --seed 42 --device {d}); ");
    let v = eval(
        &mut test,
        &format!(
            "{setup} let p = $model.parameters; let ids = [$p.\"fc1.weight\".id $p.\"fc1.bias\".id $p.\"fc2.weight\".id $p.\"fc2.bias\".id]; \
             let before = (nutorch nn accuracy $model $data.X $data.y); \
             let losses = (nutorch nn train $model $data.X $data.y --epochs 1000 --lr 0.1 --record-every 100 --quiet); \
             let p = $model.parameters; \
             {{before: $before, after: (nutorch nn accuracy $model $data.X $data.y), losses: $losses.loss, \
               epochs: $losses.epoch, same_ids: ($ids == [$p.\"fc1.weight\".id $p.\"fc1.bias\".id $p.\"fc2.weight\".id $p.\"fc2.bias\".id]), \
               requires_grad: [$p.\"fc1.weight\".requires_grad $p.\"fc1.bias\".requires_grad $p.\"fc2.weight\".requires_grad $p.\"fc2.bias\".requires_grad], \
               device: $p.\"fc1.weight\".device}}"
        ),
    )
    .unwrap();
    let rec = v.as_record().unwrap();
    let after = rec.get("after").unwrap().as_float().unwrap();
    assert!(after >= 0.95, "accuracy {after}");
    assert!(rec.get("before").unwrap().as_float().unwrap() < 0.8);
    let losses = floats(rec.get("losses").unwrap());
    assert_eq!(losses.len(), 10);
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
    assert_eq!(rec.get("same_ids").unwrap(), &Value::test_bool(true));
    assert_eq!(rec.get("requires_grad").unwrap(), &Value::test_list(vec![Value::test_bool(true); 4]));
    assert!(rec.get("device").unwrap().as_str().unwrap().starts_with(&d));
}

#[test]
fn optimizers_and_a_linear_model() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let d = device();
    let v = eval(
        &mut test,
        &format!(
            "let data = (nutorch blobs --seed 0 --device {d}); \
             let linear = (nutorch nn linear 2 3 --seed 0 --device {d}); \
             let sgd = (nutorch nn train $linear $data.X $data.y --epochs 300 --record-every 100 --lr 0.1 --momentum 0.9 --weight-decay 0.0001 --quiet).2.loss; \
             let model = (nutorch nn simple-nn 2 8 3 --seed 0 --device {d}); \
             let adam = (nutorch nn train $model $data.X $data.y --epochs 300 --record-every 100 --optimizer adam --lr 0.01 --quiet).2.loss; \
             {{sgd: $sgd, adam: $adam, linear: (nutorch nn accuracy $linear $data.X $data.y), mlp: (nutorch nn accuracy $model $data.X $data.y)}}"
        ),
    )
    .unwrap();
    let rec = v.as_record().unwrap();
    for key in ["linear", "mlp"] {
        let acc = rec.get(key).unwrap().as_float().unwrap();
        assert!(acc > 0.9, "{key}: accuracy {acc}");
    }
    assert!(rec.get("sgd").unwrap().as_float().unwrap() < 0.4);
    assert!(rec.get("adam").unwrap().as_float().unwrap() < 0.4);
}

#[test]
fn forward_keeps_autograd_and_no_grad_is_honoured() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    // Linear with weight [[1, 2]] and bias [0.5]: d(sum(x W^T + b))/dW = column sums of x.
    let v = eval(
        &mut test,
        "let model = {kind: Linear, parameters: {weight: (nutorch fromvalue [[1.0 2.0]] --requires-grad), bias: (nutorch fromvalue [0.5] --requires-grad)}}; \
         let x = (nutorch fromvalue [[1.0 1.0] [2.0 0.0]]); \
         nutorch nn forward $model $x | nutorch sum | nutorch backward; \
         {grad: ($model.parameters.weight.grad | nutorch tovalue), bias: ($model.parameters.bias.grad | nutorch tovalue), \
          piped: ($x | nutorch nn forward $model | nutorch tovalue), tracked: (nutorch nn forward $model $x).requires_grad, \
          predicted: (nutorch nn predict $model $x).requires_grad}",
    )
    .unwrap();
    let rec = v.as_record().unwrap();
    assert_eq!(
        rec.get("grad").unwrap(),
        &Value::test_list(vec![Value::test_list(vec![Value::test_float(3.0), Value::test_float(1.0)])])
    );
    assert_eq!(rec.get("bias").unwrap(), &Value::test_list(vec![Value::test_float(2.0)]));
    assert_eq!(
        rec.get("piped").unwrap(),
        &Value::test_list(vec![
            Value::test_list(vec![Value::test_float(3.5)]),
            Value::test_list(vec![Value::test_float(2.5)])
        ])
    );
    assert_eq!(rec.get("tracked").unwrap(), &Value::test_bool(true));
    assert_eq!(rec.get("predicted").unwrap(), &Value::test_bool(false));
}

#[test]
fn blobs_follow_the_seed() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let v = eval(
        &mut test,
        "let a = ((nutorch blobs --n 30 --seed 7).X | nutorch tovalue); let b = ((nutorch blobs --n 30 --seed 7).X | nutorch tovalue); \
         let c = ((nutorch blobs --n 30 --seed 8).X | nutorch tovalue); \
         {same: ($a == $b), different: ($a != $c), rows: (nutorch blobs --n 30 --seed 8).X.shape.0, y: ((nutorch blobs --n 6 --seed 1).y | nutorch tovalue), \
         seven: (try { nutorch blobs --n 7 | ignore; 'no error' } catch {|e| $e.msg })}",
    )
    .unwrap();
    let rec = v.as_record().unwrap();
    assert_eq!(rec.get("same").unwrap(), &Value::test_bool(true));
    assert_eq!(rec.get("different").unwrap(), &Value::test_bool(true));
    assert_eq!(rec.get("rows").unwrap(), &Value::test_int(30));
    // n // 3 points per blob, as the seed's data() does; a count that would drop points is refused.
    assert_eq!(rec.get("y").unwrap(), &Value::test_list([0, 0, 1, 1, 2, 2].into_iter().map(Value::test_int).collect()));
    assert_ne!(rec.get("seven").unwrap(), &Value::test_string("no error"));
}

#[test]
fn files_round_trip() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let dir = tempfile::tempdir().unwrap();
    let (m, t) = (dir.path().join("m.safetensors"), dir.path().join("t.safetensors"));
    let v = eval(
        &mut test,
        &format!(
            "let data = (nutorch blobs --n 30 --seed 3); let model = (nutorch nn simple-nn 2 5 3 --seed 3); \
             nutorch nn save $model '{m}'; let back = (nutorch nn load '{m}'); \
             let linear = (nutorch nn linear 2 3 --seed 3); nutorch nn save $linear '{m}.linear'; \
             {{X: $data.X, y: $data.y}} | nutorch save '{t}'; let tensors = (nutorch load '{t}'); \
             let l = (nutorch nn load '{m}.linear'); \
             {{same: ((nutorch nn forward $model $data.X | nutorch tovalue) == (nutorch nn forward $back $data.X | nutorch tovalue)), \
               arch: {{kind: $back.spec.type, hidden: $back.spec.hidden}}, linear: {{kind: $l.spec.type, output: $l.spec.out_features}}, \
               names: ($tensors.X.shape ++ $tensors.y.shape), y: (($tensors.y | nutorch tovalue) == ($data.y | nutorch tovalue))}}",
            m = m.display(),
            t = t.display()
        ),
    )
    .unwrap();
    let rec = v.as_record().unwrap();
    assert_eq!(rec.get("same").unwrap(), &Value::test_bool(true));
    assert_eq!(rec.get("y").unwrap(), &Value::test_bool(true));
    let arch = rec.get("arch").unwrap().as_record().unwrap();
    assert_eq!(arch.get("kind").unwrap(), &Value::test_string("SimpleNN"));
    assert_eq!(arch.get("hidden").unwrap(), &Value::test_int(5));
    let linear = rec.get("linear").unwrap().as_record().unwrap();
    assert_eq!(linear.get("kind").unwrap(), &Value::test_string("Linear"));
    assert_eq!(linear.get("output").unwrap(), &Value::test_int(3));
    assert_eq!(rec.get("names").unwrap(), &Value::test_list([30, 2, 30].into_iter().map(Value::test_int).collect()));
}

#[test]
fn plots_write_pngs() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    eval(
        &mut test,
        &format!(
            "let data = (nutorch blobs --n 60 --seed 3); let model = (nutorch nn simple-nn 2 5 3 --seed 3); \
             let losses = (nutorch nn train $model $data.X $data.y --epochs 50 --record-every 5 --quiet); \
             nutorch plot scatter $data.X $data.y '{a}'; nutorch plot loss $losses '{b}' --width 400 --height 300; \
             nutorch plot boundary $model $data.X $data.y '{c}' --resolution 40",
            a = p("a.png"),
            b = p("b.png"),
            c = p("c.png")
        ),
    )
    .unwrap();
    for name in ["a.png", "b.png", "c.png"] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        assert!(bytes.len() > 5000, "{name}: {} bytes", bytes.len());
    }
    let b = std::fs::read(dir.path().join("b.png")).unwrap();
    assert_eq!(
        (u32::from_be_bytes(b[16..20].try_into().unwrap()), u32::from_be_bytes(b[20..24].try_into().unwrap())),
        (400, 300)
    );
}

#[test]
fn model_mistakes_are_labelled_errors() {
    let _rng = rng();
    let (_, mut test) = plugin_test();
    let setup = "let data = (nutorch blobs --n 30 --seed 1); let model = (nutorch nn simple-nn 2 4 3 --seed 1); let p = $model.parameters; ";
    let cases = [
        ("nutorch nn forward {kind: SimpleNN} $data.X", "no `parameters` field"),
        ("nutorch nn forward {parameters: {}} $data.X", "no `spec`"),
        ("nutorch nn forward {kind: SimpleNN, parameters: {\"fc1.weight\": (nutorch zeros 5 2), \"fc1.bias\": $p.\"fc1.bias\", \"fc2.weight\": $p.\"fc2.weight\", \"fc2.bias\": $p.\"fc2.bias\"}} $data.X", "`fc1.bias` has shape [4]; this architecture needs [5]"),
        ("nutorch nn forward {kind: SimpleNN, parameters: {\"fc1.weight\": $p.\"fc1.weight\", \"fc1.bias\": (nutorch zeros 4 --dtype float64), \"fc2.weight\": $p.\"fc2.weight\", \"fc2.bias\": $p.\"fc2.bias\"}} $data.X", "a model has one dtype"),
        ("nutorch nn forward {kind: SimpleNN, parameters: {...$p, extra: (nutorch zeros 1)}} $data.X", "no parameter `extra`"),
        ("nutorch nn forward {spec: {type: SimpleNN, input: 2, hidden: 7, output: 3}, parameters: $p} $data.X", "needs [7, 2]"),
        ("nutorch nn forward $model", "Missing input"),
        ("nutorch nn forward $model (nutorch zeros 5 3)", "takes 2 features"),
        ("nutorch nn accuracy $model $data.X (nutorch zeros 30 --dtype int32)", "int64"),
        ("nutorch nn train $model $data.X $data.y --threads 0", "between 1 and 1024"),
        ("nutorch nn train $model $data.X $data.y --epochs -1", "at least 0"),
        ("nutorch nn simple-nn 2 4 3 --init xavier", "default"),
        ("nutorch nn simple-nn 2 4 3 --device gpu", "expected cpu, cuda"),
        ("nutorch nn load /nonexistent/m.safetensors", "cannot read"),
        ("nutorch save /tmp/x.safetensors", "Nothing to save"),
        ("nutorch save /tmp/x.safetensors {}", "empty"),
        ("nutorch plot loss [[epoch]; [1]] /tmp/x.png", "no numeric column whose name contains \"loss\""),
        ("nutorch plot loss [] /tmp/x.png", "empty"),
        ("nutorch plot scatter $data.X $data.X /tmp/x.png", "integer"),
        ("nutorch plot scatter $data.X $data.y /tmp/x.png --width 10", "between 200 and 8000"),
        ("nutorch plot boundary $model $data.X $data.y /tmp/x.png --resolution 1", "between 2 and 2000"),
    ];
    for (source, expected) in cases {
        let text = error_text(eval(&mut test, &format!("{setup}{source}")));
        assert!(text.contains(expected), "{source}: {text}");
    }
}
