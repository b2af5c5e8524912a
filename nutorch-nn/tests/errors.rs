//! Misuse gives an Err with a message saying what is wrong, never a panic.

use nutorch_nn::io::save_tensors;
use nutorch_nn::{accuracy, cross_entropy, train, Linear, Module, Sgd, SimpleNN};
use std::collections::HashMap;
use tch::{Device, Kind, Tensor};

fn message<T: std::fmt::Debug>(result: nutorch_nn::Result<T>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn float_targets_are_refused() {
    let logits = Tensor::randn([4, 3], (Kind::Float, Device::Cpu));
    let targets = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 1.0]);
    let err = message(cross_entropy(&logits, &targets));
    assert!(err.contains("int64 class indices") && err.contains("float32"), "{err}");

    let model = SimpleNN::new(2, 4, 3).unwrap();
    let mut sgd = Sgd::new(model.parameters(), 0.1).unwrap();
    let x = Tensor::randn([4, 2], (Kind::Float, Device::Cpu));
    let err = message(train(&model, &x, &targets, &mut sgd, 3, 1, &mut |_, _| {}));
    assert!(err.contains("int64"), "{err}");
    assert!(message(accuracy(&model, &x, &targets)).contains("int64"));
}

#[test]
fn wrong_input_width_is_refused() {
    let model = SimpleNN::new(2, 4, 3).unwrap();
    let err = message(model.forward(&Tensor::randn([5, 3], (Kind::Float, Device::Cpu))));
    assert!(err.contains("expects inputs with 2 features") && err.contains("[5, 3]"), "{err}");
    let err = message(model.forward(&Tensor::randn([5, 2], (Kind::Double, Device::Cpu))));
    assert!(err.contains("float64"), "{err}");
    // Training runs samples as columns; the message still speaks of features.
    let mut sgd = Sgd::new(model.parameters(), 0.1).unwrap();
    let x = Tensor::randn([4, 3], (Kind::Float, Device::Cpu));
    let y = Tensor::from_slice(&[0i64, 1, 2, 1]);
    let err = message(train(&model, &x, &y, &mut sgd, 3, 1, &mut |_, _| {}));
    assert!(err.contains("expects inputs with 2 features, got 3 features"), "{err}");
    let err =
        message(train(&model, &Tensor::randn([4], (Kind::Float, Device::Cpu)), &y, &mut sgd, 3, 1, &mut |_, _| {}));
    assert!(err.contains("[N, features]"), "{err}");
}

#[test]
fn training_misuse_is_refused() {
    let model = SimpleNN::new(2, 4, 3).unwrap();
    let x = Tensor::randn([4, 2], (Kind::Float, Device::Cpu));
    let y = Tensor::from_slice(&[0i64, 1, 2, 3]);
    let mut sgd = Sgd::new(model.parameters(), 0.1).unwrap();
    assert!(message(train(&model, &x, &y, &mut sgd, 3, 1, &mut |_, _| {})).contains("target 3 is out of range"));
    let y = Tensor::from_slice(&[0i64, 1, 2]);
    assert!(message(train(&model, &x, &y, &mut sgd, 3, 1, &mut |_, _| {})).contains("targets [N]"));
    let y = Tensor::from_slice(&[0i64, 1, 2, 1]);
    assert!(message(train(&model, &x, &y, &mut sgd, 3, 0, &mut |_, _| {})).contains("record_every"));
    // An optimizer built for another model.
    let other = Linear::new(2, 3).unwrap();
    let mut wrong = Sgd::new(other.parameters(), 0.1).unwrap();
    let err = message(train(&model, &x, &y, &mut wrong, 3, 1, &mut |_, _| {}));
    assert!(err.contains("does not take part"), "{err}");
    // Inside a caller's no-grad section training still works: train turns grad mode on.
    let history = tch::no_grad(|| train(&model, &x, &y, &mut sgd, 3, 1, &mut |_, _| {})).unwrap();
    assert_eq!(history.len(), 3);
}

#[test]
fn bad_model_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = SimpleNN::new(2, 4, 3).unwrap();
    let mut named = model.named_parameters();

    let missing = dir.path().join("missing.safetensors");
    save_tensors(&missing, &named[..3], &HashMap::new()).unwrap();
    let err = message(SimpleNN::load(&missing));
    assert!(err.contains("lacks the tensor(s) fc2.bias") && err.contains("fc1.weight, fc2.weight"), "{err}");

    let wrong_shape = dir.path().join("shape.safetensors");
    named[3].1 = Tensor::zeros([5], (Kind::Float, Device::Cpu));
    save_tensors(&wrong_shape, &named, &HashMap::new()).unwrap();
    let err = message(SimpleNN::load(&wrong_shape));
    assert!(err.contains("fc2.bias [3]") && err.contains("[5]"), "{err}");

    let lying = dir.path().join("lying.safetensors");
    let mut metadata = model.metadata();
    metadata.insert("hidden".into(), "9".into());
    save_tensors(&lying, &model.named_parameters(), &metadata).unwrap();
    assert!(message(SimpleNN::load(&lying)).contains("metadata says hidden = 9"));

    let other_kind = dir.path().join("kind.safetensors");
    metadata.insert("kind".into(), "Transformer".into());
    save_tensors(&other_kind, &model.named_parameters(), &metadata).unwrap();
    assert!(message(SimpleNN::load(&other_kind)).contains("holds a Transformer"));

    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, [1u8, 2, 3]).unwrap();
    assert!(message(SimpleNN::load(&garbage)).contains("not a readable safetensors file"));
    assert!(message(SimpleNN::load(&dir.path().join("absent.safetensors"))).contains("cannot read"));
}
