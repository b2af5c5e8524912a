//! PyTorch's default initialisation: `Model::new` after `tch::manual_seed(s)` holds what
//! `torch.manual_seed(s); build_model(spec)` holds (tests/python/init_check.py), parameter by
//! parameter and buffer by buffer.

mod common;

use common::{exclusive, load, max_ulps_f32, Batch};
use nutorch_nn::{LayerSpec, Model};

#[test]
fn default_init_equals_pytorch_after_the_same_seed() {
    let _g = exclusive();
    let specs = [
        ("Linear", r#"{"type":"Linear","in_features":13,"out_features":64}"#),
        ("Linear no bias", r#"{"type":"Linear","in_features":7,"out_features":3,"bias":false}"#),
        ("Conv1d", r#"{"type":"Conv1d","in_channels":3,"out_channels":5,"kernel_size":[4]}"#),
        ("Conv2d", r#"{"type":"Conv2d","in_channels":3,"out_channels":8,"kernel_size":[3,5]}"#),
        ("Conv2d groups", r#"{"type":"Conv2d","in_channels":4,"out_channels":6,"kernel_size":[3],"groups":2}"#),
        ("ConvTranspose2d", r#"{"type":"ConvTranspose2d","in_channels":4,"out_channels":6,"kernel_size":[3]}"#),
        (
            "ConvTranspose2d groups",
            r#"{"type":"ConvTranspose2d","in_channels":4,"out_channels":6,"kernel_size":[2],"groups":2}"#,
        ),
        ("Embedding", r#"{"type":"Embedding","num_embeddings":20,"embedding_dim":5}"#),
        ("Embedding padding_idx", r#"{"type":"Embedding","num_embeddings":20,"embedding_dim":5,"padding_idx":3}"#),
        ("BatchNorm1d", r#"{"type":"BatchNorm1d","num_features":6}"#),
        ("BatchNorm2d", r#"{"type":"BatchNorm2d","num_features":4}"#),
        ("LayerNorm", r#"{"type":"LayerNorm","normalized_shape":[4,5]}"#),
        ("GroupNorm", r#"{"type":"GroupNorm","num_groups":2,"num_channels":4}"#),
        ("SimpleNN", r#"{"type":"SimpleNN","input":2,"hidden":20,"output":3}"#),
        (
            "MLP",
            r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":64,"out_features":128},{"type":"ReLU"},
            {"type":"Dropout","p":0.1},{"type":"Linear","in_features":128,"out_features":64},{"type":"ReLU"},
            {"type":"Linear","in_features":64,"out_features":10}]}"#,
        ),
        (
            "CNN",
            r#"{"type":"Sequential","layers":[
            {"type":"Conv2d","in_channels":1,"out_channels":16,"kernel_size":[3],"padding":[1]},
            {"type":"BatchNorm2d","num_features":16},{"type":"ReLU"},{"type":"MaxPool2d","kernel_size":[2]},
            {"type":"Conv2d","in_channels":16,"out_channels":32,"kernel_size":[3],"padding":[1]},
            {"type":"BatchNorm2d","num_features":32},{"type":"ReLU"},{"type":"MaxPool2d","kernel_size":[2]},
            {"type":"Flatten"},{"type":"Linear","in_features":128,"out_features":64},{"type":"ReLU"},
            {"type":"Dropout","p":0.25},{"type":"Linear","in_features":64,"out_features":10}]}"#,
        ),
        (
            "nested Sequential",
            r#"{"type":"Sequential","layers":[{"type":"Sequential","layers":[{"type":"Linear","in_features":3,"out_features":4},
            {"type":"Embedding","num_embeddings":4,"embedding_dim":2}]},{"type":"SimpleNN","input":2,"hidden":3,"output":2}]}"#,
        ),
    ];
    let mut batch = Batch::new();
    let mut cases = Vec::new();
    for (index, (name, json)) in specs.iter().enumerate() {
        let spec = LayerSpec::from_json(json).unwrap();
        for seed in [0i64, 42] {
            tch::manual_seed(seed);
            let model = Model::new(&spec).unwrap();
            let spec_path = batch.write_json(&format!("{index}.json"), &serde_json::from_str(&spec.to_json()).unwrap());
            let out = batch.path(&format!("{index}_{seed}.safetensors"));
            batch.add("init_check.py", &[&spec_path, &out, &seed.to_string()]);
            cases.push((name, seed, model, out));
        }
    }
    let errors = batch.run();
    assert!(errors.is_empty(), "{errors:?}");
    let mut worst = 0;
    for (name, seed, model, out) in cases {
        let theirs = load(&out);
        let ours = model.state_dict();
        let names: Vec<_> = ours.iter().map(|(n, _)| n.as_str()).collect();
        let mut their_names: Vec<_> = theirs.keys().cloned().collect();
        let mut our_names: Vec<_> = names.iter().map(|s| s.to_string()).collect();
        their_names.sort();
        our_names.sort();
        assert_eq!(our_names, their_names, "{name}: state_dict names");
        for (key, tensor) in &ours {
            let t = &theirs[key];
            assert_eq!(tensor.size(), t.size(), "{name} {key}");
            assert_eq!(tensor.kind(), t.kind(), "{name} {key}");
            if tensor.kind() == tch::Kind::Float {
                let ulps = max_ulps_f32(tensor, t);
                worst = worst.max(ulps);
                assert!(ulps <= 1, "{name} (seed {seed}) {key}: {ulps} ulps from PyTorch's");
            } else {
                assert!(tensor.equal(t), "{name} (seed {seed}) {key}");
            }
        }
        println!("{name} (seed {seed}): {} tensors equal to PyTorch's", ours.len());
    }
    println!("largest difference: {worst} ulp");
}
