//! Model files both ways: save_model → PyTorch's load_state_dict(strict=True) into the
//! equivalent torch.nn model (tests/python/io_check.py), same outputs; PyTorch's
//! save_file(state_dict) → load_model with the architecture, same outputs; older SimpleNN and
//! Linear files; and files that do not fit the architecture.

mod common;

use common::{deep_copy, exclusive, load, max_abs_difference, needed_rtol, Batch};
use nutorch_nn::io::{load_tensors, save_tensors, SPEC_KEY};
use nutorch_nn::{load_model, save_model, LayerSpec, Model, Module};
use std::collections::HashMap;
use tch::{Device, Kind, Tensor};

fn message<T: std::fmt::Debug>(result: nutorch_nn::Result<T>) -> String {
    result.unwrap_err().to_string()
}

fn eval_output(model: &mut Model, x: &Tensor) -> Tensor {
    model.set_training(false);
    tch::no_grad(|| model.forward(x)).unwrap()
}

#[test]
fn files_move_between_nutorch_and_pytorch_with_equal_outputs() {
    let _g = exclusive();
    let cases = [
        (
            r#"{"type":"Sequential","layers":[
            {"type":"Conv2d","in_channels":1,"out_channels":3,"kernel_size":[3],"padding":[1]},
            {"type":"BatchNorm2d","num_features":3},{"type":"ReLU"},{"type":"Flatten"},
            {"type":"Linear","in_features":48,"out_features":5},{"type":"BatchNorm1d","num_features":5},
            {"type":"Sequential","layers":[{"type":"Dropout","p":0.3},{"type":"Linear","in_features":5,"out_features":2}]}]}"#,
            vec![6, 1, 4, 4],
        ),
        (r#"{"type":"SimpleNN","input":2,"hidden":16,"output":3}"#, vec![10, 2]),
    ];
    let mut batch = Batch::new();
    let mut runs = Vec::new();
    for (index, (json, shape)) in cases.iter().enumerate() {
        let spec = LayerSpec::from_json(json).unwrap();
        tch::manual_seed(index as i64);
        let x = Tensor::randn(shape.as_slice(), (Kind::Float, Device::Cpu));
        let ours = Model::new(&spec).unwrap();
        // A train-mode forward moves the BatchNorm buffers (and num_batches_tracked) first.
        let _ = tch::no_grad(|| ours.forward(&x)).unwrap();
        let path = batch.path(&format!("{index}_ours.safetensors"));
        save_model(&path, &ours).unwrap();
        let file = load_tensors(&path).unwrap();
        assert_eq!(file.metadata["format"], "pt");
        assert_eq!(LayerSpec::from_json(&file.metadata[SPEC_KEY]).unwrap(), spec);
        let x_path = batch.write_tensors(&format!("{index}_x.safetensors"), &[("x".into(), x.shallow_clone())]);
        let dir = batch.path(&format!("{index}"));
        std::fs::create_dir(&dir).unwrap();
        batch.add("io_check.py", &[&path, &x_path, &dir]);
        runs.push((spec, ours, x, path, dir));
    }
    let errors = batch.run();
    assert!(errors.is_empty(), "PyTorch refused our files: {errors:?}");
    for (spec, mut ours, x, path, dir) in runs {
        let name = spec.describe();
        // Ours, run by PyTorch.
        let theirs_of_ours = load(&dir.join("rust_model_outputs.safetensors"));
        let out = eval_output(&mut ours, &x);
        let d = needed_rtol(&out, &theirs_of_ours["output"], 1e-6);
        println!(
            "{name}: PyTorch's output of our file differs by {:e} (rtol {d:e})",
            max_abs_difference(&out, &theirs_of_ours["output"])
        );
        assert!(d <= 1e-5, "{name}: {d}");

        // Our file read back: the same tensors, trainable parameters.
        let mut back = load_model(&path, None).unwrap();
        assert_eq!(back.spec(), &spec);
        for ((n, a), (_, b)) in ours.state_dict().iter().zip(back.state_dict()) {
            assert!(a.equal(&b) && a.kind() == b.kind(), "{name}: {n} after a round trip");
        }
        assert!(back.named_parameters().iter().all(|(_, p)| p.requires_grad()));
        assert!(eval_output(&mut back, &x).equal(&out));

        // PyTorch's state_dict (no metadata), with the architecture given.
        let torch_path = dir.join("torch_model.safetensors");
        assert!(load_tensors(&torch_path).unwrap().metadata.is_empty());
        let mut theirs = load_model(&torch_path, Some(&spec)).unwrap();
        let expected = load(&dir.join("torch_model_outputs.safetensors"));
        let out = eval_output(&mut theirs, &x);
        let d = needed_rtol(&out, &expected["output"], 1e-6);
        println!(
            "{name}: our output of PyTorch's file differs by {:e} (rtol {d:e})",
            max_abs_difference(&out, &expected["output"])
        );
        assert!(d <= 1e-5, "{name}: {d}");
        if let Some(count) = theirs.buffers().get_opt("1.num_batches_tracked") {
            assert_eq!(count.int64_value(&[]), 1, "PyTorch's buffers came along");
        }
        if !matches!(spec, LayerSpec::SimpleNn { .. }) {
            // Without its architecture PyTorch's file is refused with a message saying so.
            let err = message(load_model(&torch_path, None));
            assert!(err.contains("does not say which architecture"), "{err}");
        }
    }
}

#[test]
fn legacy_files_still_load() {
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    tch::manual_seed(3);
    let simple = Model::new(&LayerSpec::SimpleNn { input: 2, hidden: 5, output: 3 }).unwrap();
    let x = Tensor::randn([4, 2], (Kind::Float, Device::Cpu));
    let expected = tch::no_grad(|| simple.forward(&x)).unwrap();

    // The seed's files: kind=SimpleNN with the sizes, fc1/fc2 names.
    let metadata = HashMap::from([
        ("kind".to_string(), "SimpleNN".to_string()),
        ("input".to_string(), "2".to_string()),
        ("hidden".to_string(), "5".to_string()),
        ("output".to_string(), "3".to_string()),
    ]);
    let legacy = dir.path().join("legacy.safetensors");
    save_tensors(&legacy, &simple.named_parameters(), &metadata).unwrap();
    let loaded = load_model(&legacy, None).unwrap();
    assert_eq!(loaded.spec(), &LayerSpec::SimpleNn { input: 2, hidden: 5, output: 3 });
    assert!(tch::no_grad(|| loaded.forward(&x)).unwrap().equal(&expected));
    // Saved again, it carries the architecture as JSON.
    let again = dir.path().join("again.safetensors");
    save_model(&again, &loaded).unwrap();
    assert!(load_tensors(&again).unwrap().metadata.contains_key(SPEC_KEY));

    // Without metadata (PyTorch's save_file of a SimpleNN state_dict): inferred from the names.
    let bare = dir.path().join("bare.safetensors");
    save_tensors(&bare, &simple.named_parameters(), &HashMap::new()).unwrap();
    assert_eq!(load_model(&bare, None).unwrap().spec(), loaded.spec());

    // A Linear file of the seed.
    let linear = Model::new(&LayerSpec::Linear { in_features: 4, out_features: 2, bias: true }).unwrap();
    let path = dir.path().join("linear.safetensors");
    save_tensors(&path, &linear.named_parameters(), &HashMap::from([("kind".to_string(), "Linear".to_string())]))
        .unwrap();
    assert_eq!(load_model(&path, None).unwrap().spec(), linear.spec());

    // float64 tensors (a PyTorch model saved after .double()) load as float32.
    let doubles: Vec<_> =
        simple.named_parameters().into_iter().map(|(n, t)| (n, t.detach().to_kind(Kind::Double))).collect();
    let path = dir.path().join("f64.safetensors");
    save_tensors(&path, &doubles, &HashMap::new()).unwrap();
    let loaded = load_model(&path, None).unwrap();
    assert_eq!(loaded.kind(), Kind::Float);
    assert!(tch::no_grad(|| loaded.forward(&x)).unwrap().equal(&expected));
}

#[test]
fn files_that_do_not_fit_are_refused() {
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let spec = LayerSpec::from_json(
        r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":3,"out_features":4},{"type":"BatchNorm1d","num_features":4}]}"#,
    )
    .unwrap();
    let model = Model::new(&spec).unwrap();
    let state = deep_copy(&model.state_dict());
    let write = |name: &str, tensors: &[(String, Tensor)]| {
        let path = dir.path().join(name);
        save_tensors(&path, tensors, &HashMap::new()).unwrap();
        path
    };

    let missing = write("missing.safetensors", &state[1..]);
    let err = message(load_model(&missing, Some(&spec)));
    assert!(err.contains("`0.weight` is missing"), "{err}");

    let mut wrong = deep_copy(&state);
    wrong[1].1 = Tensor::zeros([5], (Kind::Float, Device::Cpu));
    let err = message(load_model(&write("shape.safetensors", &wrong), Some(&spec)));
    assert!(err.contains("`0.bias` has shape [5]") && err.contains("[4]"), "{err}");

    let mut extra = deep_copy(&state);
    extra.push(("2.weight".into(), Tensor::zeros([2], (Kind::Float, Device::Cpu))));
    let err = message(load_model(&write("extra.safetensors", &extra), Some(&spec)));
    assert!(err.contains("no parameter `2.weight`"), "{err}");

    let mut count = deep_copy(&state);
    let at = count.iter().position(|(n, _)| n == "1.num_batches_tracked").unwrap();
    count[at].1 = Tensor::from(1.0f32).reshape([0i64; 0]);
    let err = message(load_model(&write("count.safetensors", &count), Some(&spec)));
    assert!(err.contains("num_batches_tracked") && err.contains("int64"), "{err}");

    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, [1u8, 2, 3]).unwrap();
    assert!(message(load_model(&garbage, None)).contains("not a readable safetensors file"));
    assert!(message(load_model(&dir.path().join("absent.safetensors"), None)).contains("cannot read"));

    let mut metadata = HashMap::new();
    metadata.insert(SPEC_KEY.to_string(), r#"{"type":"Dropout","p":2}"#.to_string());
    let bad_spec = dir.path().join("bad_spec.safetensors");
    save_tensors(&bad_spec, &[], &metadata).unwrap();
    let err = message(load_model(&bad_spec, None));
    assert!(err.contains("architecture in its metadata") && err.contains("dropout probability"), "{err}");
}
