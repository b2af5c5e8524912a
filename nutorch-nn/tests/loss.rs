//! cross_entropy against F.cross_entropy: value and gradient, float32 and float64, few and
//! many classes (the two layouts the loss picks between).

mod common;

use common::{load, max_relative_difference, python};
use nutorch_nn::cross_entropy;

#[test]
fn value_and_gradient_equal_pytorch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ce.safetensors");
    python("cross_entropy.py", &[&out]);
    let py = load(&out);
    for (name, tolerance) in [("f32", 1e-6), ("f64", 1e-12), ("wide", 1e-6)] {
        let logits = py[&format!("{name}.logits")].detach().set_requires_grad(true);
        let loss = cross_entropy(&logits, &py[&format!("{name}.targets")]).unwrap();
        assert_eq!(loss.size(), Vec::<i64>::new(), "a 0-dim loss");
        loss.backward();
        let value = max_relative_difference(&loss.reshape([1]), &py[&format!("{name}.loss")]);
        let grad = max_relative_difference(&logits.grad(), &py[&format!("{name}.grad")]);
        println!("{name}: loss {:.9} rel diff {value:.2e}; gradient max rel diff {grad:.2e}", loss.double_value(&[]));
        assert!(value <= tolerance, "{name} loss: {value}");
        assert!(grad <= tolerance, "{name} grad: {grad}");
    }
}
