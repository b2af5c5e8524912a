//! `nutorch_core::repr` against PyTorch's own `repr(t)` (tests/golden/repr.json, written by
//! scripts/gen_repr_goldens.py): each case's tensor is built with tch in the steps the
//! generator took in PyTorch.

use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_core::{repr, DType};
use serde_json::Value;
use std::time::Instant;

fn goldens() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/repr.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("tests/golden/repr.json")).expect("JSON")
}

fn leaves<'a>(data: &'a Value, out: &mut Vec<&'a Value>) {
    match data {
        Value::Array(items) => items.iter().for_each(|x| leaves(x, out)),
        other => out.push(other),
    }
}

fn shape_of(data: &Value) -> Vec<i64> {
    match data {
        Value::Array(items) => {
            let mut shape = vec![items.len() as i64];
            if let Some(first) = items.first() {
                shape.extend(shape_of(first));
            }
            shape
        }
        _ => vec![],
    }
}

fn float(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            "-0.0" => -0.0,
            other => panic!("unknown special value {other}"),
        },
        other => other.as_f64().expect("a number"),
    }
}

/// The base tensor of `data` as the generator makes it: int64 for integers, bool for bools,
/// float64 otherwise.
fn from_data(data: &Value) -> Tensor {
    let mut values = Vec::new();
    leaves(data, &mut values);
    let shape = shape_of(data);
    let t = if !values.is_empty() && values.iter().all(|v| v.is_boolean()) {
        Tensor::from_slice(&values.iter().map(|v| v.as_bool().unwrap()).collect::<Vec<_>>())
    } else if !values.is_empty() && values.iter().all(|v| v.is_i64()) {
        Tensor::from_slice(&values.iter().map(|v| v.as_i64().unwrap()).collect::<Vec<_>>())
    } else {
        Tensor::from_slice(&values.iter().map(|v| float(v)).collect::<Vec<f64>>())
    };
    t.reshape(shape)
}

fn build(spec: &Value) -> Tensor {
    let mut t = if let Some(a) = spec.get("arange") {
        let n = a["n"].as_i64().unwrap();
        let t = Tensor::arange(n, (Kind::Double, Device::Cpu)) * a["scale"].as_f64().unwrap()
            + a["offset"].as_f64().unwrap();
        let shape: Vec<i64> = spec["shape"].as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect();
        t.reshape(shape)
    } else {
        let t = from_data(&spec["data"]);
        match spec.get("imag") {
            Some(imag) => Tensor::complex(&t.to_kind(Kind::Double), &from_data(imag).to_kind(Kind::Double)),
            None => t,
        }
    };
    if let Some(dtype) = spec.get("dtype") {
        t = t.to_kind(DType::parse(dtype.as_str().unwrap()).unwrap().kind());
    }
    if spec.get("requires_grad") == Some(&Value::Bool(true)) {
        t = t.set_requires_grad(true);
    }
    match spec.get("op").and_then(Value::as_str) {
        // Python multiplies by a wrapped 0-d tensor (mul.Tensor: MulBackward0), not mul.Scalar.
        Some("mul2") => t * Tensor::from(2i64),
        Some("sum") => t.sum(None),
        Some("mean") => t.mean(None),
        Some(other) => panic!("unknown op {other}"),
        None => t,
    }
}

#[test]
fn every_case_prints_as_pytorch_prints_it() {
    let goldens = goldens();
    let mut failures = Vec::new();
    for case in goldens["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let tensor = build(&case["spec"]);
        let started = Instant::now();
        let got = repr::repr(&tensor).unwrap();
        let took = started.elapsed();
        let want = case["repr"].as_str().unwrap();
        if got != want {
            failures.push(format!("{name}:\n--- PyTorch\n{want}\n--- nutorch\n{got}"));
        }
        // Only the printed elements are read, whatever the size.
        assert!(took.as_millis() < 200, "{name} took {took:?}");
    }
    assert!(failures.is_empty(), "{} of the cases differ:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn a_view_with_neg_and_conj_bits_prints_its_values() {
    let t = Tensor::complex(&Tensor::from_slice(&[1.0f32, 2.0]), &Tensor::from_slice(&[3.0f32, -4.0]));
    assert_eq!(repr::tensor_repr(&t.conj(), None).unwrap(), "tensor([1.-3.j, 2.+4.j])");
    let big = Tensor::arange(3000i64, (Kind::Float, Device::Cpu)).reshape([3, 1000]).tr();
    assert_eq!(
        repr::tensor_repr(&big, None).unwrap(),
        "tensor([[0.0000e+00, 1.0000e+03, 2.0000e+03],\n        [1.0000e+00, 1.0010e+03, 2.0010e+03],\n        [2.0000e+00, 1.0020e+03, 2.0020e+03],\n        ...,\n        [9.9700e+02, 1.9970e+03, 2.9970e+03],\n        [9.9800e+02, 1.9980e+03, 2.9980e+03],\n        [9.9900e+02, 1.9990e+03, 2.9990e+03]])"
    );
    // An expanded view of 10^12 elements: only the edges are read.
    let huge = Tensor::from_slice(&[1.5f32]).expand([1_000_000, 1_000_000], false);
    let started = Instant::now();
    let text = repr::tensor_repr(&huge, None).unwrap();
    assert!(started.elapsed().as_millis() < 200);
    assert!(text.starts_with("tensor([[1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],"), "{text}");
}
