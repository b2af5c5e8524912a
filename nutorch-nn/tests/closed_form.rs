//! The closed-form gradients of the column-layout networks (`Module::columns_loss_and_grads`,
//! which `fit` trains them with) against libtorch's autograd (`loss.backward()` on the same
//! forward pass): every activation the layout takes, Linear layers with and without bias, few
//! classes (log-softmax over `[C, N]`) and many (over `[N, C]`), float32 and float64; the input
//! is left as it was, and what the closed form does not cover falls back to autograd (`None`).
//! On the device `NUTORCH_TEST_DEVICE` names (cpu by default; scripts/gpu/run.sh sets cuda).

use nutorch_nn::{LayerSpec, Model, Module};
use tch::{Device, Kind, Tensor};

fn spec(json: &str) -> LayerSpec {
    LayerSpec::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// The loss and gradients autograd gives: F.cross_entropy(model(x), y).backward() on x = xt.T.
fn autograd(model: &Model, xt: &Tensor, y: &Tensor) -> (f64, Vec<Tensor>) {
    let params = model.parameters();
    tch::with_grad(|| {
        let loss =
            model.forward(&xt.tr()).unwrap().cross_entropy_loss::<Tensor>(y, None, tch::Reduction::Mean, -100, 0.0);
        let grads = Tensor::run_backward(&[&loss], &params, false, false);
        (loss.double_value(&[]), grads)
    })
}

fn device() -> Device {
    match std::env::var("NUTORCH_TEST_DEVICE").as_deref() {
        Ok("cuda") => Device::Cuda(0),
        _ => Device::Cpu,
    }
}

fn relative(a: &Tensor, b: &Tensor) -> f64 {
    let scale = b.abs().max().double_value(&[]).max(1e-30);
    (a - b).abs().max().double_value(&[]) / scale
}

#[test]
fn closed_form_gradients_are_autograds() {
    tch::manual_seed(11);
    let activations = [
        r#"{"type":"ReLU"}"#,
        r#"{"type":"LeakyReLU","negative_slope":0.2}"#,
        r#"{"type":"GELU"}"#,
        r#"{"type":"GELU","approximate":"tanh"}"#,
        r#"{"type":"SiLU"}"#,
        r#"{"type":"Tanh"}"#,
        r#"{"type":"Sigmoid"}"#,
    ];
    for (kind, tolerance) in [(Kind::Float, 1e-5), (Kind::Double, 1e-12)] {
        for act in activations {
            for classes in [3, 20] {
                for bias in [true, false] {
                    let json = format!(
                        r#"{{"type":"Sequential","layers":[{{"type":"Linear","in_features":4,"out_features":6,"bias":{bias}}},{act},{{"type":"Linear","in_features":6,"out_features":5}},{act},{{"type":"Linear","in_features":5,"out_features":{classes}}}]}}"#
                    );
                    let model = Model::new(&spec(&json)).unwrap().to(device(), kind).unwrap();
                    let xt = Tensor::randn([4, 9], (kind, device()));
                    let before = xt.copy();
                    let y = Tensor::randint(classes, [9], (Kind::Int64, device()));
                    let (loss, grads) =
                        model.columns_loss_and_grads(&xt, &y, &model.parameters()).unwrap().expect("a closed form");
                    let (their_loss, theirs) = autograd(&model, &xt, &y);
                    let label = format!("{act} classes {classes} bias {bias} {kind:?}");
                    assert!(xt.equal(&before), "{label}: the input changed");
                    let loss = loss.double_value(&[]);
                    assert!(
                        (loss - their_loss).abs() <= tolerance * their_loss.abs(),
                        "{label}: loss {loss} vs {their_loss}"
                    );
                    assert_eq!(grads.len(), theirs.len());
                    for ((name, _), (ours, theirs)) in model.named_parameters().iter().zip(grads.iter().zip(&theirs)) {
                        assert_eq!(ours.size(), theirs.size(), "{label}: {name}");
                        let d = relative(ours, theirs);
                        assert!(d <= tolerance, "{label}: {name} differs from autograd's by {d:e}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_seed_network_and_what_falls_back_to_autograd() {
    tch::manual_seed(5);
    let model = Model::new(&spec(r#"{"type":"SimpleNN","input":2,"hidden":20,"output":3}"#))
        .unwrap()
        .to(device(), Kind::Float)
        .unwrap();
    let xt = Tensor::randn([2, 30], (Kind::Float, device()));
    let y = Tensor::randint(3, [30], (Kind::Int64, device()));
    // Wanted in another order than the model's: the gradients come in the order asked for.
    let mut wanted = model.parameters();
    wanted.reverse();
    let (_, grads) = model.columns_loss_and_grads(&xt, &y, &wanted).unwrap().unwrap();
    let (_, mut theirs) = autograd(&model, &xt, &y);
    theirs.reverse();
    for (ours, theirs) in grads.iter().zip(&theirs) {
        assert!(relative(ours, theirs) <= 1e-5);
    }
    // A tensor that is not one of the model's parameters, or a frozen parameter: autograd's
    // business (it says what is wrong), not the closed form's.
    let stranger = Tensor::zeros([3], (Kind::Float, device())).set_requires_grad(true);
    assert!(model.columns_loss_and_grads(&xt, &y, &[stranger]).unwrap().is_none());
    let frozen = model.parameters()[0].detach();
    let frozen_model = Model::from_tensors(
        model.spec(),
        model
            .named_parameters()
            .into_iter()
            .enumerate()
            .map(|(i, (n, t))| (n, if i == 0 { frozen.shallow_clone() } else { t }))
            .collect(),
        Vec::new(),
    )
    .unwrap();
    assert!(frozen_model.columns_loss_and_grads(&xt, &y, &frozen_model.parameters()).unwrap().is_none());
    // Layers outside the layout (here Dropout): no closed form.
    let dropout = Model::new(&spec(
        r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":2,"out_features":4},{"type":"Dropout","p":0.5},{"type":"Linear","in_features":4,"out_features":3}]}"#,
    ))
    .unwrap()
    .to(device(), Kind::Float)
    .unwrap();
    assert!(dropout.columns_loss_and_grads(&xt, &y, &dropout.parameters()).unwrap().is_none());
}
