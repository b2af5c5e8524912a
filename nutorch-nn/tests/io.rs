//! Model files both ways: nutorch-nn → safetensors.torch.load_file → PyTorch SimpleNN, and
//! PyTorch save_file(state_dict) → SimpleNN::load.

mod common;

use common::{load, max_abs_difference, python};
use nutorch_nn::io::{load_tensors, save_tensors};
use nutorch_nn::{predict, seed_blobs, Module, SimpleNN};
use std::collections::HashMap;

#[test]
fn files_move_between_nutorch_and_pytorch_with_equal_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let (x, _) = seed_blobs(300).unwrap();
    let x_path = dir.path().join("x.safetensors");
    save_tensors(&x_path, &[("X".into(), x.shallow_clone())], &HashMap::new()).unwrap();

    let ours = SimpleNN::new(2, 16, 3).unwrap();
    let model_path = dir.path().join("ours.safetensors");
    ours.save(&model_path).unwrap();
    let file = load_tensors(&model_path).unwrap();
    assert_eq!(file.metadata["kind"], "SimpleNN");
    assert_eq!(
        (file.metadata["input"].as_str(), file.metadata["hidden"].as_str(), file.metadata["output"].as_str()),
        ("2", "16", "3")
    );

    python("io_check.py", &[&model_path, &x_path, dir.path()]);

    // Ours, run by PyTorch.
    let theirs_of_ours = load(&dir.path().join("rust_model_outputs.safetensors"));
    let logits = tch::no_grad(|| ours.forward(&x)).unwrap();
    let diff = max_abs_difference(&logits, &theirs_of_ours["logits"]);
    println!("our model: PyTorch's logits differ from ours by at most {diff:e}");
    assert!(diff <= 1e-6, "{diff}");
    assert!(predict(&ours, &x).unwrap().equal(&theirs_of_ours["pred"]));

    // PyTorch's, run by us: sizes inferred from shapes (its file has no metadata).
    let torch_path = dir.path().join("torch_model.safetensors");
    assert!(load_tensors(&torch_path).unwrap().metadata.is_empty());
    let theirs = SimpleNN::load(&torch_path).unwrap();
    assert_eq!((theirs.input_size(), theirs.hidden_size(), theirs.output_size()), (2, 7, 4));
    let expected = load(&dir.path().join("torch_model_outputs.safetensors"));
    let logits = tch::no_grad(|| theirs.forward(&x)).unwrap();
    let diff = max_abs_difference(&logits, &expected["logits"]);
    println!("PyTorch's model: our logits differ from PyTorch's by at most {diff:e}");
    assert!(diff <= 1e-6, "{diff}");
    assert!(predict(&theirs, &x).unwrap().equal(&expected["pred"]));
}

#[test]
fn save_then_load_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let model = SimpleNN::new(5, 8, 2).unwrap();
    model.save(&path).unwrap();
    let back = SimpleNN::load(&path).unwrap();
    for ((name, a), (_, b)) in model.named_parameters().into_iter().zip(back.named_parameters()) {
        assert!(a.detach().equal(&b.detach()), "{name}");
        assert!(b.requires_grad(), "{name} is trainable after loading");
    }
}
