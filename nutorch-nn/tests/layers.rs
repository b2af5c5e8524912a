//! Every layer kind against torch.nn (tests/python/layer_check.py): the same spec, the same
//! input and parameters (exchanged as safetensors), in train and in eval mode. Compared: the
//! output, the gradient of the input and of each parameter for `(output * upstream).sum()`,
//! and the buffers after the forward (BatchNorm's running statistics and
//! `num_batches_tracked`). 1-D (unbatched) inputs work, or fail, as they do in PyTorch.

mod common;

use common::{deep_copy, exclusive, load, max_abs_difference, needed_rtol, Batch};
use nutorch_core::DType;
use nutorch_nn::{LayerSpec, Model, Module};
use std::collections::BTreeMap;
use tch::{Device, Kind, Tensor};

/// float32, as issue 15 asks: `|ours - torch| <= ATOL + RTOL * |torch|` elementwise.
const RTOL: f64 = 1e-5;
const ATOL: f64 = 1e-6;

const F32: (Kind, Device) = (Kind::Float, Device::Cpu);

struct Case {
    name: &'static str,
    spec: LayerSpec,
    input: Tensor,
    /// `manual_seed` right before the forward (Dropout).
    seed: Option<i64>,
    /// Whether the forward must fail, in train and in eval mode (as it does in PyTorch).
    fails: [bool; 2],
}

fn spec(json: &str) -> LayerSpec {
    LayerSpec::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn randn(shape: &[i64]) -> Tensor {
    Tensor::randn(shape, F32)
}

fn case(name: &'static str, json: &str, input: Tensor) -> Case {
    Case { name, spec: spec(json), input, seed: None, fails: [false, false] }
}

/// Parameters and buffers with values that make every term of the gradient matter (not the
/// ones and zeros of a fresh norm layer): parameters ~ N(0, 1) / 2 + 0.1, running means
/// ~ N(0, 1), running variances in [0.5, 1.5), `num_batches_tracked` 3.
/// Parameters and buffers, by name.
type State = (Vec<(String, Tensor)>, Vec<(String, Tensor)>);

fn random_state(spec: &LayerSpec) -> State {
    let params = spec.parameters().into_iter().map(|s| (s.name, randn(&s.shape) * 0.5 + 0.1)).collect();
    let buffers = spec
        .buffers()
        .into_iter()
        .map(|s| {
            let t = if s.name.ends_with("running_mean") {
                randn(&s.shape)
            } else if s.name.ends_with("running_var") {
                Tensor::rand(s.shape.as_slice(), F32) + 0.5
            } else {
                Tensor::from(3i64).reshape([0i64; 0])
            };
            (s.name, t)
        })
        .collect();
    (params, buffers)
}

/// Our side of layer_check.py: forward in the given mode, then `(out * upstream).sum()`
/// backward; `upstream` is drawn (from `upstream_seed`) once the output's shape is known.
fn run_ours(
    case: &Case,
    state: &State,
    training: bool,
    upstream_seed: i64,
) -> nutorch_nn::Result<(BTreeMap<String, Tensor>, Tensor)> {
    let params = deep_copy(&state.0).into_iter().map(|(n, t)| (n, t.set_requires_grad(true))).collect::<Vec<_>>();
    let mut model = Model::from_tensors(&case.spec, params, deep_copy(&state.1))?;
    model.set_training(training);
    let floating = DType::of(&case.input)?.is_floating_point();
    let x = if floating { case.input.detach().copy().set_requires_grad(true) } else { case.input.copy() };
    if let Some(seed) = case.seed {
        tch::manual_seed(seed);
    }
    let out = model.forward(&x)?;
    tch::manual_seed(upstream_seed);
    let upstream = Tensor::randn(out.size(), F32);
    (&out * &upstream).sum(Kind::Float).backward();
    let mut result = BTreeMap::new();
    result.insert("output".to_string(), out.detach());
    if floating {
        result.insert("grad.input".to_string(), x.grad());
    }
    for (name, p) in model.named_parameters() {
        let g = p.grad();
        result.insert(format!("grad.{name}"), if g.defined() { g } else { p.zeros_like() });
    }
    for (name, b) in model.named_buffers() {
        result.insert(format!("after.{name}"), b);
    }
    Ok((result, upstream))
}

/// Runs every case in train and eval mode here and in PyTorch (one Python process for all)
/// and compares; returns the worst needed rtol seen.
fn check(cases: Vec<Case>) -> f64 {
    let mut batch = Batch::new();
    // (case, mode, our result or error, python case index, output path)
    let mut runs = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        tch::manual_seed(100 + index as i64);
        let state = random_state(&case.spec.normalized().unwrap());
        for (mode_index, mode) in ["train", "eval"].into_iter().enumerate() {
            let ours = run_ours(case, &state, mode == "train", 1000 + index as i64);
            let upstream = match &ours {
                Ok((_, u)) => u.shallow_clone(),
                Err(_) => Tensor::zeros([1], F32),
            };
            let mut inputs = vec![("input".to_string(), case.input.shallow_clone()), ("upstream".into(), upstream)];
            inputs.extend(deep_copy(&state.0));
            inputs.extend(deep_copy(&state.1));
            let stem = format!("{index}_{mode}");
            let spec_path = batch.write_json(
                &format!("{stem}.json"),
                &serde_json::json!({"spec": serde_json::from_str::<serde_json::Value>(&case.spec.to_json()).unwrap(), "seed": case.seed}),
            );
            let in_path = batch.write_tensors(&format!("{stem}_in.safetensors"), &inputs);
            let out_path = batch.path(&format!("{stem}_out.safetensors"));
            let py_index = batch.add("layer_check.py", &[&spec_path, &in_path, &out_path, &mode]);
            runs.push((case, mode_index, ours.map(|(r, _)| r), py_index, out_path));
        }
    }
    let errors = batch.run();
    let mut worst: f64 = 0.0;
    let mut failures = Vec::new();
    for (case, mode, ours, py_index, out_path) in runs {
        let label = format!("{} ({})", case.name, ["train", "eval"][mode]);
        match (ours, errors.get(&py_index)) {
            (Err(e), Some(py)) => {
                println!("{label}: fails on both sides\n  ours:    {e}\n  PyTorch: {py}");
                if !case.fails[mode] {
                    failures.push(format!("{label}: unexpected failure on both sides: {e} / {py}"));
                }
            }
            (Err(e), None) => failures.push(format!("{label}: we fail but PyTorch does not: {e}")),
            (Ok(_), Some(py)) => failures.push(format!("{label}: PyTorch fails but we do not: {py}")),
            (Ok(ours), None) => {
                if case.fails[mode] {
                    failures.push(format!("{label}: expected to fail"));
                }
                let theirs = load(&out_path);
                let ours_keys: Vec<_> = ours.keys().collect();
                let their_keys: Vec<_> = theirs.keys().collect();
                if ours_keys != their_keys {
                    failures.push(format!("{label}: results {ours_keys:?} vs PyTorch's {their_keys:?}"));
                    continue;
                }
                let mut line = Vec::new();
                for (key, t) in &theirs {
                    let o = &ours[key];
                    if o.size() != t.size() {
                        failures.push(format!("{label}: {key} has shape {:?}, PyTorch's {:?}", o.size(), t.size()));
                        continue;
                    }
                    if o.kind() != t.kind() {
                        failures.push(format!("{label}: {key} is {:?}, PyTorch's {:?}", o.kind(), t.kind()));
                        continue;
                    }
                    if !DType::of(t).unwrap().is_floating_point() {
                        if !o.equal(t) {
                            failures.push(format!("{label}: {key} = {o:?}, PyTorch's {t:?}"));
                        }
                        continue;
                    }
                    let rtol = needed_rtol(o, t, ATOL);
                    worst = worst.max(rtol);
                    line.push(format!("{key} {:.1e}/{rtol:.1e}", max_abs_difference(o, t)));
                    if rtol > RTOL {
                        failures.push(format!(
                            "{label}: {key} needs rtol {rtol:e} (max abs diff {:e})",
                            max_abs_difference(o, t)
                        ));
                    }
                }
                println!("{label}: (abs diff / rtol needed) {}", line.join(", "));
            }
        }
    }
    println!("worst rtol needed (atol {ATOL:e}): {worst:e}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    worst
}

#[test]
fn dense_and_convolution_layers_match_pytorch() {
    let _g = exclusive();
    tch::manual_seed(0);
    let cases = vec![
        case("Linear", r#"{"type":"Linear","in_features":5,"out_features":3}"#, randn(&[4, 5])),
        case("Linear no bias", r#"{"type":"Linear","in_features":5,"out_features":3,"bias":false}"#, randn(&[4, 5])),
        case("Linear 3-D input", r#"{"type":"Linear","in_features":5,"out_features":3}"#, randn(&[2, 4, 5])),
        case("Linear on ones(2)", r#"{"type":"Linear","in_features":2,"out_features":3}"#, Tensor::ones([2], F32)),
        case(
            "Conv1d stride padding",
            r#"{"type":"Conv1d","in_channels":3,"out_channels":4,"kernel_size":[3],"stride":[2],"padding":[1]}"#,
            randn(&[2, 3, 9]),
        ),
        case(
            "Conv1d unbatched, dilation",
            r#"{"type":"Conv1d","in_channels":3,"out_channels":2,"kernel_size":[2],"dilation":[2]}"#,
            randn(&[3, 9]),
        ),
        case(
            "Conv2d padding",
            r#"{"type":"Conv2d","in_channels":2,"out_channels":4,"kernel_size":[3],"padding":[1]}"#,
            randn(&[2, 2, 6, 6]),
        ),
        case(
            "Conv2d stride groups",
            r#"{"type":"Conv2d","in_channels":4,"out_channels":6,"kernel_size":[3,2],"stride":[2,1],"padding":[1,0],"groups":2}"#,
            randn(&[2, 4, 7, 6]),
        ),
        case(
            "Conv2d unbatched no bias",
            r#"{"type":"Conv2d","in_channels":2,"out_channels":3,"kernel_size":[2],"bias":false}"#,
            randn(&[2, 5, 5]),
        ),
        case(
            "ConvTranspose2d stride output_padding",
            r#"{"type":"ConvTranspose2d","in_channels":4,"out_channels":2,"kernel_size":[3],"stride":[2],"padding":[1],"output_padding":[1]}"#,
            randn(&[2, 4, 3, 3]),
        ),
        case(
            "ConvTranspose2d groups no bias",
            r#"{"type":"ConvTranspose2d","in_channels":4,"out_channels":6,"kernel_size":[2],"groups":2,"bias":false}"#,
            randn(&[1, 4, 3, 3]),
        ),
        Case {
            fails: [true, true],
            ..case(
                "Conv2d on a 1-D input",
                r#"{"type":"Conv2d","in_channels":1,"out_channels":1,"kernel_size":[1]}"#,
                Tensor::ones([2], F32),
            )
        },
        case("MaxPool2d", r#"{"type":"MaxPool2d","kernel_size":[2]}"#, randn(&[2, 3, 6, 6])),
        case(
            "MaxPool2d stride padding",
            r#"{"type":"MaxPool2d","kernel_size":[3],"stride":[2],"padding":[1]}"#,
            randn(&[1, 2, 7, 7]),
        ),
        case("AvgPool2d", r#"{"type":"AvgPool2d","kernel_size":[2]}"#, randn(&[2, 3, 6, 6])),
        case(
            "AvgPool2d stride padding, unbatched",
            r#"{"type":"AvgPool2d","kernel_size":[3],"stride":[2],"padding":[1]}"#,
            randn(&[2, 7, 7]),
        ),
        case("AdaptiveAvgPool2d 1x1", r#"{"type":"AdaptiveAvgPool2d","output_size":[1]}"#, randn(&[2, 3, 7, 5])),
        case("AdaptiveAvgPool2d 2x3", r#"{"type":"AdaptiveAvgPool2d","output_size":[2,3]}"#, randn(&[2, 3, 7, 5])),
        case(
            "Embedding",
            r#"{"type":"Embedding","num_embeddings":10,"embedding_dim":4}"#,
            Tensor::randint(10, [3, 5], (Kind::Int64, Device::Cpu)),
        ),
        case(
            "Embedding padding_idx",
            r#"{"type":"Embedding","num_embeddings":6,"embedding_dim":3,"padding_idx":2}"#,
            Tensor::from_slice(&[2i64, 0, 2, 5, 1, 2, 3, 3]).view([2, 4]),
        ),
        case(
            "Embedding negative padding_idx, 1-D",
            r#"{"type":"Embedding","num_embeddings":6,"embedding_dim":3,"padding_idx":-1}"#,
            Tensor::from_slice(&[5i64, 0, 5, 1]),
        ),
        case("Flatten", r#"{"type":"Flatten"}"#, randn(&[2, 3, 4, 5])),
        case("Flatten 0..1", r#"{"type":"Flatten","start_dim":0,"end_dim":1}"#, randn(&[2, 3, 4])),
        case("Flatten 1-D", r#"{"type":"Flatten","start_dim":0}"#, randn(&[5])),
        Case { fails: [true, true], ..case("Flatten(1) on 1-D", r#"{"type":"Flatten"}"#, randn(&[5])) },
    ];
    check(cases);
}

#[test]
fn normalization_and_dropout_layers_match_pytorch() {
    let _g = exclusive();
    tch::manual_seed(1);
    let mut cases = vec![
        case("BatchNorm1d", r#"{"type":"BatchNorm1d","num_features":4}"#, randn(&[6, 4]) * 2.0 + 1.0),
        case("BatchNorm1d 3-D", r#"{"type":"BatchNorm1d","num_features":4,"momentum":0.3}"#, randn(&[3, 4, 5])),
        case(
            "BatchNorm1d no affine",
            r#"{"type":"BatchNorm1d","num_features":4,"affine":false,"eps":0.001}"#,
            randn(&[6, 4]),
        ),
        case(
            "BatchNorm1d no running stats",
            r#"{"type":"BatchNorm1d","num_features":4,"track_running_stats":false}"#,
            randn(&[6, 4]),
        ),
        case("BatchNorm2d", r#"{"type":"BatchNorm2d","num_features":3}"#, randn(&[4, 3, 5, 5]) + 0.5),
        Case {
            fails: [true, true],
            ..case("BatchNorm1d on a 1-D input", r#"{"type":"BatchNorm1d","num_features":4}"#, randn(&[4]))
        },
        Case {
            fails: [true, false],
            ..case("BatchNorm1d one sample", r#"{"type":"BatchNorm1d","num_features":4}"#, randn(&[1, 4]))
        },
        Case {
            fails: [true, true],
            ..case("BatchNorm2d on 3-D", r#"{"type":"BatchNorm2d","num_features":3}"#, randn(&[3, 4, 4]))
        },
        case("LayerNorm", r#"{"type":"LayerNorm","normalized_shape":[6]}"#, randn(&[3, 6]) * 3.0),
        case("LayerNorm 2 dims", r#"{"type":"LayerNorm","normalized_shape":[4,5],"eps":0.01}"#, randn(&[2, 3, 4, 5])),
        case(
            "LayerNorm no affine",
            r#"{"type":"LayerNorm","normalized_shape":[6],"elementwise_affine":false}"#,
            randn(&[3, 6]),
        ),
        case("LayerNorm 1-D", r#"{"type":"LayerNorm","normalized_shape":[6]}"#, randn(&[6])),
        case("GroupNorm", r#"{"type":"GroupNorm","num_groups":2,"num_channels":6}"#, randn(&[3, 6, 4, 4])),
        case(
            "GroupNorm no affine 3-D",
            r#"{"type":"GroupNorm","num_groups":3,"num_channels":6,"affine":false}"#,
            randn(&[3, 6, 5]),
        ),
        Case {
            fails: [true, true],
            ..case("GroupNorm on 1-D", r#"{"type":"GroupNorm","num_groups":2,"num_channels":6}"#, randn(&[6]))
        },
        case("Dropout p=0", r#"{"type":"Dropout","p":0.0}"#, randn(&[8, 10])),
        case("Dropout p=1", r#"{"type":"Dropout","p":1.0}"#, randn(&[8, 10])),
    ];
    for (name, p, shape, seed) in [
        ("Dropout p=0.3", 0.3, vec![8, 10], 7),
        ("Dropout p=0.5 4-D", 0.5, vec![2, 3, 4, 5], 8),
        ("Dropout 1-D", 0.2, vec![20], 9),
    ] {
        cases.push(Case { seed: Some(seed), ..case(name, &format!(r#"{{"type":"Dropout","p":{p}}}"#), randn(&shape)) });
    }
    check(cases);
}

#[test]
fn activations_match_pytorch() {
    let _g = exclusive();
    tch::manual_seed(2);
    let mut cases = Vec::new();
    for (name, json) in [
        ("ReLU", r#"{"type":"ReLU"}"#),
        ("LeakyReLU", r#"{"type":"LeakyReLU"}"#),
        ("LeakyReLU 0.2", r#"{"type":"LeakyReLU","negative_slope":0.2}"#),
        ("GELU", r#"{"type":"GELU"}"#),
        ("GELU tanh", r#"{"type":"GELU","approximate":"tanh"}"#),
        ("SiLU", r#"{"type":"SiLU"}"#),
        ("Tanh", r#"{"type":"Tanh"}"#),
        ("Sigmoid", r#"{"type":"Sigmoid"}"#),
        ("Softmax dim 1", r#"{"type":"Softmax","dim":1}"#),
        ("Softmax dim -1", r#"{"type":"Softmax","dim":-1}"#),
        ("Softmax implicit dim", r#"{"type":"Softmax"}"#),
        ("LogSoftmax dim 1", r#"{"type":"LogSoftmax","dim":1}"#),
        ("LogSoftmax implicit dim", r#"{"type":"LogSoftmax"}"#),
    ] {
        cases.push(case(name, json, randn(&[4, 7]) * 2.0));
        // 1-D: fine for all but an explicit dim 1, which PyTorch refuses too.
        let fails = json.contains(r#""dim":1"#);
        cases.push(Case { fails: [fails, fails], ..case(name, json, randn(&[5]) * 2.0) });
    }
    // The implicit softmax dimension is 0 for 3-d inputs.
    cases.push(case("Softmax implicit dim, 3-D", r#"{"type":"Softmax"}"#, randn(&[2, 3, 4])));
    cases.push(case("LogSoftmax implicit dim, 3-D", r#"{"type":"LogSoftmax"}"#, randn(&[2, 3, 4])));
    check(cases);
}

#[test]
fn containers_match_pytorch() {
    let _g = exclusive();
    tch::manual_seed(3);
    let nested = r#"{"type":"Sequential","layers":[
        {"type":"Linear","in_features":6,"out_features":8},
        {"type":"Sequential","layers":[{"type":"BatchNorm1d","num_features":8},{"type":"ReLU"},{"type":"Dropout","p":0.25}]},
        {"type":"Linear","in_features":8,"out_features":3},
        {"type":"LogSoftmax","dim":1}]}"#;
    let cnn = r#"{"type":"Sequential","layers":[
        {"type":"Conv2d","in_channels":1,"out_channels":3,"kernel_size":[3],"padding":[1]},
        {"type":"BatchNorm2d","num_features":3},{"type":"ReLU"},{"type":"MaxPool2d","kernel_size":[2]},
        {"type":"Conv2d","in_channels":3,"out_channels":4,"kernel_size":[3]},{"type":"GELU"},
        {"type":"AdaptiveAvgPool2d","output_size":[2]},{"type":"Flatten"},
        {"type":"Linear","in_features":16,"out_features":5},{"type":"LayerNorm","normalized_shape":[5]}]}"#;
    let embed = r#"{"type":"Sequential","layers":[
        {"type":"Embedding","num_embeddings":7,"embedding_dim":4,"padding_idx":0},
        {"type":"Flatten"},{"type":"Linear","in_features":12,"out_features":2},{"type":"Sigmoid"}]}"#;
    let mlp = r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":2,"out_features":4},
        {"type":"Tanh"},{"type":"Linear","in_features":4,"out_features":3},{"type":"Softmax","dim":-1}]}"#;
    let cases = vec![
        Case { seed: Some(11), ..case("nested Sequential with BatchNorm and Dropout", nested, randn(&[5, 6])) },
        case("CNN Sequential", cnn, randn(&[3, 1, 8, 8])),
        case("Embedding Sequential", embed, Tensor::randint(7, [4, 3], (Kind::Int64, Device::Cpu))),
        case("MLP on ones(2)", mlp, Tensor::ones([2], F32)),
        case("SimpleNN", r#"{"type":"SimpleNN","input":4,"hidden":7,"output":3}"#, randn(&[5, 4])),
        case("SimpleNN on a 1-D input", r#"{"type":"SimpleNN","input":4,"hidden":7,"output":3}"#, randn(&[4])),
        case("empty Sequential", r#"{"type":"Sequential","layers":[]}"#, randn(&[2, 3])),
    ];
    check(cases);
}
