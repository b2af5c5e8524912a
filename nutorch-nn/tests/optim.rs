//! Sgd and Adam against torch.optim.SGD / torch.optim.Adam: parameters after each step.

mod common;

use common::{load, max_relative_difference, python, scaled_difference};
use nutorch_nn::{cross_entropy, train, Adam, Linear, Module, Optimizer, Sgd};
use std::collections::BTreeMap;
use tch::Tensor;

const STEPS: usize = 5;
/// On max|ours - torch| / max|torch| per tensor (elementwise ratios blow up for elements that
/// pass near zero). Measured: plain Adam is bit for bit torch's; with weight decay or momentum a
/// few elements differ by an ulp.
const TOLERANCE: f64 = 1e-6;

fn reference() -> (tempfile::TempDir, BTreeMap<String, Tensor>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("optim.safetensors");
    python("optim_steps.py", &[&out]);
    let tensors = load(&out);
    (dir, tensors)
}

/// Runs `STEPS` steps of backward + `step()` and compares with the reference after each one.
fn check(py: &BTreeMap<String, Tensor>, config: &str, make: impl Fn(Vec<Tensor>) -> Box<dyn Optimizer>) {
    let layer = Linear::from_weights(&py["init.weight"], &py["init.bias"]).unwrap();
    let mut optimizer = make(layer.parameters());
    for step in 1..=STEPS {
        let loss = cross_entropy(&layer.forward(&py["X"]).unwrap(), &py["y"]).unwrap();
        loss.backward();
        optimizer.step().unwrap();
        assert!(layer.weight().grad().abs().max().double_value(&[]) == 0.0, "step() zeroes the grads");
        for (name, tensor) in layer.named_parameters() {
            let expected = &py[&format!("{config}.{step}.{name}")];
            let scaled = scaled_difference(&tensor, expected);
            let elementwise = max_relative_difference(&tensor, expected);
            println!("{config} step {step} {name}: max|diff|/max|p| {scaled:.2e}, elementwise rel {elementwise:.2e}");
            assert!(scaled <= TOLERANCE, "{config} step {step} {name}: {scaled}");
        }
    }
}

#[test]
fn sgd_with_momentum_and_weight_decay_matches_torch() {
    let (_dir, py) = reference();
    check(&py, "sgd_momentum_wd", |ps| Box::new(Sgd::with_options(ps, 0.1, 0.9, 0.01).unwrap()));
}

#[test]
fn adam_matches_torch() {
    let (_dir, py) = reference();
    check(&py, "adam", |ps| Box::new(Adam::new(ps, 0.01).unwrap()));
    check(&py, "adam_wd", |ps| Box::new(Adam::with_options(ps, 0.05, (0.8, 0.99), 1e-6, 0.1).unwrap()));
}

#[test]
fn train_takes_the_same_steps_as_backward_and_step() {
    let (_dir, py) = reference();
    let layer = Linear::from_weights(&py["init.weight"], &py["init.bias"]).unwrap();
    let mut adam = Adam::with_options(layer.parameters(), 0.05, (0.8, 0.99), 1e-6, 0.1).unwrap();
    train(&layer, &py["X"], &py["y"], &mut adam, STEPS, 1, &mut |_, _| {}).unwrap();
    for (name, tensor) in layer.named_parameters() {
        let diff = scaled_difference(&tensor, &py[&format!("adam_wd.{STEPS}.{name}")]);
        assert!(diff <= TOLERANCE, "{name}: {diff}");
        assert!(!tensor.grad().defined(), "train leaves .grad alone");
    }
}

#[test]
fn invalid_hyperparameters_are_errors() {
    let layer = Linear::new(2, 2).unwrap();
    assert!(Sgd::new(layer.parameters(), -0.1).unwrap_err().to_string().contains("learning rate"));
    assert!(Sgd::with_options(layer.parameters(), 0.1, -1.0, 0.0).is_err());
    assert!(Adam::with_options(layer.parameters(), 0.1, (1.0, 0.999), 1e-8, 0.0)
        .unwrap_err()
        .to_string()
        .contains("beta"));
    assert!(Adam::new(layer.parameters(), f64::NAN).is_err());
    let ints = vec![Tensor::from_slice(&[1i64, 2])];
    assert!(Sgd::new(ints, 0.1).unwrap_err().to_string().contains("floating point"));
    let mut sgd = Sgd::new(layer.parameters(), 0.1).unwrap();
    assert!(sgd.step_with_grads(&[]).unwrap_err().to_string().contains("2 parameters but 0 gradients"));
}
