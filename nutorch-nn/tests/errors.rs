//! Misuse gives an Err with a message saying what is wrong (naming the layer and the shapes
//! where a layer is at fault), never a panic, and before any training happens.

mod common;

use common::{deep_copy, exclusive};
use nutorch_nn::{
    evaluate, fit, train_step, FitOptions, LayerSpec, Loss, LossKind, Model, Module, Optimizer, OptimizerSpec,
    Scheduler, SchedulerSpec,
};
use std::ops::ControlFlow;
use tch::{Device, Kind, Tensor};

fn message<T: std::fmt::Debug>(result: nutorch_nn::Result<T>) -> String {
    result.unwrap_err().to_string()
}

fn spec(json: &str) -> LayerSpec {
    LayerSpec::from_json(json).unwrap()
}

fn randn(shape: &[i64]) -> Tensor {
    Tensor::randn(shape, (Kind::Float, Device::Cpu))
}

fn mlp(widths: &[(i64, i64)]) -> LayerSpec {
    let mut layers = Vec::new();
    for (index, (i, o)) in widths.iter().enumerate() {
        if index > 0 {
            layers.push(LayerSpec::ReLU);
        }
        layers.push(LayerSpec::Linear { in_features: *i, out_features: *o, bias: true });
    }
    LayerSpec::Sequential { layers }
}

fn sgd(model: &Model) -> Optimizer {
    Optimizer::new(OptimizerSpec::default_for("sgd").unwrap(), model.parameters()).unwrap()
}

fn fit_once(model: &mut Model, opt: &mut Optimizer, loss: &Loss, x: &Tensor, y: &Tensor) -> nutorch_nn::Result<usize> {
    let options = FitOptions { epochs: 2, batch_size: Some(2), shuffle: true, seed: Some(0) };
    let outcome = fit(model, opt, loss, x, y, None, None, &options, &mut |_| ControlFlow::Continue(()))?;
    Ok(outcome.history.len())
}

/// Nothing was trained: parameters as before, no step counted.
fn untouched(model: &Model, before: &[(String, Tensor)], opt: &Optimizer) {
    for ((name, a), (_, b)) in model.named_parameters().iter().zip(before) {
        assert!(a.equal(b), "{name} changed although training was refused");
    }
    for (name, t) in opt.state() {
        if name.ends_with(".step") {
            assert_eq!(t.double_value(&[]), 0.0, "{name}");
        }
    }
}

#[test]
fn wrong_input_shapes_name_the_layer_and_the_shapes() {
    let _g = exclusive();
    // The first layer.
    let model = Model::new(&mlp(&[(13, 64), (64, 3)])).unwrap();
    let err = message(model.forward(&randn(&[5, 12])));
    assert_eq!(
        err,
        "layer `0` (Linear(13 → 64)) with input of shape [5, 12]: takes 13 features in the last dimension, got 12"
    );
    // A later layer that does not chain.
    let mut model = Model::new(&mlp(&[(13, 60), (64, 3)])).unwrap();
    let err = message(model.forward(&randn(&[5, 13])));
    assert!(err.starts_with("layer `2` (Linear(64 → 3)) with input of shape [5, 60]"), "{err}");
    // fit refuses it before any update, with the same words (also on the columns path).
    let before = deep_copy(&model.named_parameters());
    let mut opt = sgd(&model);
    let loss = Loss::new(LossKind::CrossEntropy);
    let y = Tensor::from_slice(&[0i64, 1, 2, 1, 0]);
    let err = message(fit_once(&mut model, &mut opt, &loss, &randn(&[5, 13]), &y));
    assert!(err.contains("layer `2` (Linear(64 → 3))") && err.contains("[5, 60]"), "{err}");
    untouched(&model, &before, &opt);
    // Nested containers give the path of the layer.
    let nested = spec(
        r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":4,"out_features":4},
        {"type":"Sequential","layers":[{"type":"ReLU"},{"type":"Linear","in_features":3,"out_features":2}]}]}"#,
    );
    let err = message(Model::new(&nested).unwrap().forward(&randn(&[2, 4])));
    assert!(err.starts_with("layer `1.1` (Linear(3 → 2)) with input of shape [2, 4]"), "{err}");
    let simple = Model::new(&LayerSpec::SimpleNn { input: 2, hidden: 4, output: 3 }).unwrap();
    let err = message(simple.forward(&randn(&[5, 3])));
    assert!(err.starts_with("layer `fc1` (Linear(2 → 4)) with input of shape [5, 3]"), "{err}");
    // A bare layer names itself.
    let linear = Model::new(&LayerSpec::Linear { in_features: 3, out_features: 2, bias: true }).unwrap();
    let err = message(linear.forward(&randn(&[2, 4])));
    assert!(err.starts_with("Linear(3 → 2) with input of shape [2, 4]"), "{err}");
    // dtype, channels, ranks, indices.
    let err = message(linear.forward(&randn(&[2, 3]).to_kind(Kind::Double)));
    assert!(err.contains("float32") && err.contains("float64"), "{err}");
    let conv = spec(
        r#"{"type":"Sequential","layers":[{"type":"Conv2d","in_channels":3,"out_channels":4,"kernel_size":[3]},{"type":"Flatten"}]}"#,
    );
    let err = message(Model::new(&conv).unwrap().forward(&randn(&[2, 1, 8, 8])));
    assert!(err.contains("layer `0` (Conv2d(3 → 4") && err.contains("takes 3 input channels"), "{err}");
    let err = message(Model::new(&conv).unwrap().forward(&randn(&[8, 8])));
    assert!(err.contains("expects a 3-d (unbatched) or 4-d (batched) input, got shape [8, 8]"), "{err}");
    let embed = Model::new(&spec(r#"{"type":"Embedding","num_embeddings":10,"embedding_dim":2}"#)).unwrap();
    let err = message(embed.forward(&Tensor::from_slice(&[1i64, 10])));
    assert!(err.contains("index 10 is out of range 0..10"), "{err}");
    let err = message(embed.forward(&randn(&[3])));
    assert!(err.contains("int64"), "{err}");
    let bn = Model::new(&spec(r#"{"type":"BatchNorm1d","num_features":4}"#)).unwrap();
    let err = message(bn.forward(&randn(&[1, 4])));
    assert!(err.contains("expected more than 1 value per channel when training"), "{err}");
}

#[test]
fn wrong_targets_and_rows_are_refused_before_training() {
    let _g = exclusive();
    let mut model = Model::new(&mlp(&[(2, 4), (4, 3)])).unwrap();
    let before = deep_copy(&model.named_parameters());
    let mut opt = sgd(&model);
    let ce = Loss::new(LossKind::CrossEntropy);
    let x = randn(&[4, 2]);

    // Float class indices for cross-entropy.
    let float_targets = Tensor::from_slice(&[0.0f32, 1.0, 2.0, 1.0]);
    let err = message(fit_once(&mut model, &mut opt, &ce, &x, &float_targets));
    assert!(err.contains("int64 class indices") && err.contains("float32"), "{err}");
    let err = message(evaluate(&model, &ce, &x, &float_targets));
    assert!(err.contains("int64 class indices"), "{err}");
    let err = message(train_step(&model, &mut opt, &ce, &x, &float_targets));
    assert!(err.contains("int64 class indices"), "{err}");
    // int32 targets, out-of-range classes, targets of the wrong shape.
    let err = message(fit_once(&mut model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i32, 1, 2, 1])));
    assert!(err.contains("int64") && err.contains("int32"), "{err}");
    let err = message(train_step(&model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i32, 1, 2, 1])));
    assert!(err.contains("int64") && err.contains("int32"), "{err}");
    let err = message(fit_once(&mut model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i64, 1, 3, 1])));
    assert!(err.contains("target 3 is out of range"), "{err}");
    let err = message(train_step(&model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i64, 1, 3, 1])));
    assert!(err.contains("target 3 is out of range"), "{err}");
    // Rows that do not agree.
    let err = message(fit_once(&mut model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i64, 1, 2])));
    assert!(err.contains("the inputs have 4 samples but the targets 3"), "{err}");
    let err = message(train_step(&model, &mut opt, &ce, &x, &Tensor::from_slice(&[0i64, 1, 2])));
    assert!(err.contains("[4]") && err.contains("[3]"), "{err}");
    // MSE needs float targets of the output's shape.
    let mse = Loss::new(LossKind::Mse);
    let err = message(fit_once(&mut model, &mut opt, &mse, &x, &Tensor::from_slice(&[0i64, 1, 2, 1])));
    assert!(err.contains("floating point targets"), "{err}");
    let err = message(fit_once(&mut model, &mut opt, &mse, &x, &randn(&[4])));
    // (fit's dry run checks the whole data set: the shapes are the data's.)
    assert!(err.contains("mse needs targets of the output's shape [4, 3], got [4]"), "{err}");
    // Validation data is checked as well.
    let y = Tensor::from_slice(&[0i64, 1, 2, 1]);
    let options = FitOptions { epochs: 1, batch_size: None, shuffle: false, seed: None };
    let err = message(fit(
        &mut model,
        &mut opt,
        &ce,
        &x,
        &y,
        Some((&randn(&[3, 5]), &Tensor::from_slice(&[0i64, 1, 2]))),
        None,
        &options,
        &mut |_| ControlFlow::Continue(()),
    ));
    assert!(err.contains("layer `0`") && err.contains("[3, 5]"), "{err}");
    // A zero batch size, an optimizer of another model.
    let options = FitOptions { epochs: 1, batch_size: Some(0), shuffle: false, seed: None };
    let err = message(fit(&mut model, &mut opt, &ce, &x, &y, None, None, &options, &mut |_| ControlFlow::Continue(())));
    assert!(err.contains("batch_size must be at least 1"), "{err}");
    untouched(&model, &before, &opt);
    let other = Model::new(&mlp(&[(2, 3)])).unwrap();
    let mut wrong = sgd(&other);
    let err = message(fit_once(&mut model, &mut wrong, &ce, &x, &y));
    assert!(err.contains("does not take part in the loss"), "{err}");
    // Loss options.
    let mut smoothed = Loss::new(LossKind::CrossEntropy);
    smoothed.label_smoothing = 1.5;
    let err = message(fit_once(&mut model, &mut opt, &smoothed, &x, &y));
    assert!(err.contains("label_smoothing"), "{err}");
    // Inside a caller's no-grad section training still works: fit turns grad mode on.
    let epochs = tch::no_grad(|| fit_once(&mut model, &mut opt, &ce, &x, &y)).unwrap();
    assert_eq!(epochs, 2);
}

#[test]
fn bad_hyperparameters_are_refused() {
    let _g = exclusive();
    let model = Model::new(&mlp(&[(2, 3)])).unwrap();
    let params = || model.parameters();
    for (json, expected) in [
        (r#"{"type":"SGD","lr":-1}"#, "invalid learning rate: -1"),
        (r#"{"type":"SGD","lr":0.1,"momentum":-0.5}"#, "invalid momentum"),
        (r#"{"type":"SGD","lr":0.1,"nesterov":true}"#, "Nesterov momentum requires a momentum and zero dampening"),
        (r#"{"type":"SGD","lr":0.1,"momentum":0.9,"dampening":0.1,"nesterov":true}"#, "zero dampening"),
        (r#"{"type":"Adam","betas":[0.9,1.0]}"#, "invalid beta parameter at index 1: 1"),
        (r#"{"type":"AdamW","betas":[1.0,0.999]}"#, "invalid beta parameter at index 0: 1"),
        (r#"{"type":"Adam","eps":-1e-8}"#, "invalid epsilon"),
        (r#"{"type":"AdamW","weight_decay":-0.01}"#, "invalid weight_decay"),
        (r#"{"type":"RMSprop","alpha":-0.1}"#, "invalid alpha"),
        (r#"{"type":"RMSprop","lr":-0.01}"#, "invalid learning rate"),
        (r#"{"type":"Adagrad"}"#, "not an optimizer description"),
        (r#"{"type":"SGD","lr":"fast"}"#, "not an optimizer description"),
    ] {
        let err = message(OptimizerSpec::from_json(json));
        assert!(err.contains(expected), "{json}: {err}");
    }
    // A spec built in code is checked by the constructor too.
    let negative = OptimizerSpec::Sgd { lr: -0.1, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 };
    assert!(message(Optimizer::new(negative, params())).contains("invalid learning rate: -0.1"));
    let beta = OptimizerSpec::Adam { lr: 0.001, betas: (0.9, 1.5), eps: 1e-8, weight_decay: 0.0, amsgrad: false };
    assert!(message(Optimizer::new(beta, params())).contains("invalid beta parameter at index 1"));
    assert!(message(OptimizerSpec::default_for("lbfgs")).contains("unknown optimizer 'lbfgs'"));
    // Integer parameters cannot be trained.
    let ints = vec![Tensor::from_slice(&[1i64, 2])];
    assert!(message(Optimizer::new(OptimizerSpec::default_for("adam").unwrap(), ints)).contains("int64"));
    // Schedulers.
    assert!(message(SchedulerSpec::from_json(r#"{"type":"StepLR","step_size":0}"#)).contains("step_size >= 1"));
    assert!(message(SchedulerSpec::from_json(r#"{"type":"CosineAnnealingLR","T_max":0}"#)).contains("T_max >= 1"));
    let opt = sgd(&model);
    assert!(Scheduler::new(SchedulerSpec::StepLr { step_size: -1, gamma: 0.1 }, &opt).is_err());
    // Optimizer state that is not this optimizer's.
    let spec = OptimizerSpec::from_json(r#"{"type":"Adam"}"#).unwrap();
    let adam = Optimizer::new(spec.clone(), params()).unwrap();
    let mut state = deep_copy(&adam.state());
    let err = message(Optimizer::from_state(spec.clone(), params(), deep_copy(&state[..state.len() - 1])));
    assert!(err.contains("the optimizer state lacks `1.exp_avg_sq`"), "{err}");
    state[2].1 = Tensor::zeros([7], (Kind::Float, Device::Cpu));
    let err = message(Optimizer::from_state(spec.clone(), params(), state));
    assert!(err.contains("has shape [7]"), "{err}");
    let mut state = deep_copy(&adam.state());
    state.push(("2.exp_avg".into(), Tensor::zeros([1], (Kind::Float, Device::Cpu))));
    let err = message(Optimizer::from_state(spec, params(), state));
    assert!(err.contains("`2.exp_avg`"), "{err}");
    // Gradients that do not fit.
    let mut opt = sgd(&model);
    let err = message(opt.step_with_grads(&[Tensor::zeros([3, 2], (Kind::Float, Device::Cpu))]));
    assert!(err.contains("holds 2 parameters but 1 gradients"), "{err}");
    let grads = [Tensor::zeros([2, 3], (Kind::Float, Device::Cpu)), Tensor::zeros([3], (Kind::Float, Device::Cpu))];
    assert!(message(opt.step_with_grads(&grads)).contains("the gradient of parameter #0 has shape [2, 3]"));
}

#[test]
fn bad_specs_are_refused() {
    for (json, expected) in [
        (r#"{"type":"Dropout","p":1.5}"#, "dropout probability has to be between 0 and 1, but got 1.5"),
        (r#"{"type":"Linear","in_features":0,"out_features":2}"#, "in_features must be at least 1"),
        (r#"{"type":"Conv2d","in_channels":3,"out_channels":4,"kernel_size":[3],"groups":2}"#, "divisible by groups"),
        (
            r#"{"type":"Conv2d","in_channels":3,"out_channels":4,"kernel_size":[3,3,3]}"#,
            "kernel_size needs 1 or 2 values",
        ),
        (r#"{"type":"Conv2d","in_channels":3,"out_channels":4}"#, "not a layer description"),
        (r#"{"type":"MaxPool2d","kernel_size":[2],"padding":[2]}"#, "pad should be at most half"),
        (r#"{"type":"GELU","approximate":"fast"}"#, "approximate must be 'none' or 'tanh'"),
        (r#"{"type":"Embedding","num_embeddings":5,"embedding_dim":2,"padding_idx":5}"#, "padding_idx 5"),
        (r#"{"type":"GroupNorm","num_groups":4,"num_channels":6}"#, "divisible by num_groups"),
        (r#"{"type":"BatchNorm1d","num_features":4,"eps":-1}"#, "eps must be a finite number >= 0"),
        (r#"{"type":"Transformer"}"#, "not a layer description"),
        (r#"{"type":"Sequential","layers":[{"type":"ReLU"},{"type":"Dropout","p":-0.1}]}"#, "dropout probability"),
    ] {
        let err = message(LayerSpec::from_json(json));
        assert!(err.contains(expected), "{json}: {err}");
    }
    // Specs built in code are checked when a model is made of them.
    let err = message(Model::new(&LayerSpec::Dropout { p: 1.5 }));
    assert!(err.contains("Dropout: dropout probability has to be between 0 and 1, but got 1.5"), "{err}");
    let err = message(Model::new(&LayerSpec::SimpleNn { input: 2, hidden: 0, output: 3 }));
    assert!(err.contains("hidden must be at least 1"), "{err}");
    // Tensors that do not fit a spec.
    let spec = mlp(&[(2, 3)]);
    let err = message(Model::from_tensors(
        &spec,
        vec![("0.weight".into(), Tensor::zeros([3, 2], (Kind::Float, Device::Cpu)))],
        vec![],
    ));
    assert!(err.contains("`0.bias` is missing"), "{err}");
    let mixed = vec![
        ("0.weight".to_string(), Tensor::zeros([3, 2], (Kind::Float, Device::Cpu))),
        ("0.bias".to_string(), Tensor::zeros([3], (Kind::Double, Device::Cpu))),
    ];
    let err = message(Model::from_tensors(&spec, mixed, vec![]));
    assert!(err.contains("a model has one dtype"), "{err}");
}
