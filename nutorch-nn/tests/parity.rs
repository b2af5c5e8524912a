//! nutorch-nn against PyTorch on the reference workload: the same data from the same seed, the
//! same initial weights from the same seed, and the same losses along 1000 epochs of SGD.

mod common;

use common::{load, max_relative_difference, python, to_vec_f64};
use nutorch_nn::{accuracy, seed_blobs, train, Linear, Module, Optimizer, Sgd, SimpleNN};
use std::sync::Mutex;

/// Tests in this file that draw random numbers take turns: the generator is global.
static RNG: Mutex<()> = Mutex::new(());

fn reference() -> (tempfile::TempDir, std::collections::BTreeMap<String, tch::Tensor>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("parity.safetensors");
    python("parity_train.py", &[&out]);
    let tensors = load(&out);
    (dir, tensors)
}

#[test]
fn blobs_and_default_init_equal_pytorch_after_the_same_seed() {
    let (_dir, py) = reference();
    let _rng = RNG.lock().unwrap_or_else(|e| e.into_inner());
    tch::manual_seed(42);
    let (x, y) = seed_blobs(300).unwrap();
    let model = SimpleNN::new(2, 20, 3).unwrap();
    println!("blobs: max relative difference of X = {:e}", max_relative_difference(&x, &py["X"]));
    assert!(x.equal(&py["X"]), "X differs from Python's data(300)");
    assert!(y.equal(&py["y"]), "y differs from Python's data(300)");
    for (name, tensor) in model.named_parameters() {
        assert!(tensor.detach().equal(&py[&format!("init.{name}")]), "{name} differs from nn.Linear's init");
    }
}

#[test]
fn sgd_training_losses_match_pytorch() {
    let (_dir, py) = reference();
    let fc1 = Linear::from_weights(&py["init.fc1.weight"], &py["init.fc1.bias"]).unwrap();
    let fc2 = Linear::from_weights(&py["init.fc2.weight"], &py["init.fc2.bias"]).unwrap();
    let model = SimpleNN::from_layers(fc1, fc2).unwrap();
    let mut sgd = Sgd::new(model.parameters(), 0.1).unwrap();
    let mut seen = Vec::new();
    let history = train(&model, &py["X"], &py["y"], &mut sgd, 1000, 100, &mut |e, l| seen.push((e, l))).unwrap();
    assert_eq!(history, seen, "progress sees exactly what is recorded");

    let py_epochs: Vec<i64> = Vec::try_from(&py["epochs"]).unwrap();
    let py_losses = to_vec_f64(&py["losses"]);
    assert_eq!(history.iter().map(|(e, _)| *e as i64).collect::<Vec<_>>(), py_epochs);
    let mut worst: f64 = 0.0;
    for ((epoch, ours), theirs) in history.iter().zip(&py_losses) {
        let relative = (ours - theirs).abs() / theirs.abs();
        println!("epoch {epoch:4}: nutorch {ours:.9}  pytorch {theirs:.9}  rel diff {relative:.2e}");
        worst = worst.max(relative);
        assert!(relative <= 1e-5, "epoch {epoch}: {ours} vs {theirs}");
    }
    println!("worst relative loss difference: {worst:.2e}");
    for (name, tensor) in model.named_parameters() {
        println!(
            "final {name}: max relative difference {:.2e}",
            max_relative_difference(&tensor, &py[&format!("final.{name}")])
        );
    }
    let acc = accuracy(&model, &py["X"], &py["y"]).unwrap();
    let py_acc = py["accuracy"].double_value(&[0]);
    println!("final accuracy: nutorch {acc:.4}, pytorch {py_acc:.4}");
    assert!(acc >= 0.95, "accuracy {acc}");
    assert_eq!(acc, py_acc);
    // The optimizer kept the model's own tensors: training changed the model.
    assert!(!model.fc1().weight().detach().equal(&py["init.fc1.weight"]));
    assert_eq!(sgd.parameters().len(), 4);
}
