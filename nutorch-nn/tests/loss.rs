//! Every loss against torch.nn.functional (tests/python/loss_check.py): the value and its
//! gradient with respect to the output, float32 and float64, with the options PyTorch has
//! (class weights, label smoothing, class-probability targets, ignored targets, beta, delta).

mod common;

use common::{exclusive, load, max_abs_difference, needed_rtol, Batch};
use nutorch_nn::{cross_entropy, Loss, LossKind};
use tch::{Device, Kind, Tensor};

struct Case {
    name: &'static str,
    loss: &'static str,
    output: Tensor,
    target: Tensor,
    weight: Option<Vec<f64>>,
    label_smoothing: f64,
    beta: f64,
    delta: f64,
}

fn case(name: &'static str, loss: &'static str, output: Tensor, target: Tensor) -> Case {
    Case { name, loss, output, target, weight: None, label_smoothing: 0.0, beta: 1.0, delta: 1.0 }
}

fn randn(shape: &[i64], kind: Kind) -> Tensor {
    Tensor::randn(shape, (kind, Device::Cpu))
}

fn classes(k: i64, shape: &[i64]) -> Tensor {
    Tensor::randint(k, shape, (Kind::Int64, Device::Cpu))
}

#[test]
fn losses_match_torch_functional() {
    let _g = exclusive();
    tch::manual_seed(0);
    let (f, d) = (Kind::Float, Kind::Double);
    let ignored = classes(3, &[8]);
    let _ = ignored.narrow(0, 2, 2).fill_(-100);
    let cases = vec![
        case("cross-entropy f32", "cross-entropy", randn(&[64, 5], f) * 3.0, classes(5, &[64])),
        case("cross-entropy f64", "cross-entropy", randn(&[7, 3], d) * 3.0, classes(3, &[7])),
        case("cross-entropy 40 classes", "cross-entropy", randn(&[50, 40], f) * 3.0, classes(40, &[50])),
        case("cross-entropy [C] output", "cross-entropy", randn(&[4], f), Tensor::from(2i64).reshape([0i64; 0])),
        case("cross-entropy [N, C, d] output", "cross-entropy", randn(&[4, 3, 5], f), classes(3, &[4, 5])),
        case("cross-entropy ignored targets", "cross-entropy", randn(&[8, 3], f), ignored),
        Case {
            weight: Some(vec![0.2, 1.0, 3.0]),
            ..case("cross-entropy weights", "cross-entropy", randn(&[10, 3], f), classes(3, &[10]))
        },
        Case {
            label_smoothing: 0.1,
            ..case("cross-entropy label smoothing", "cross-entropy", randn(&[10, 4], f), classes(4, &[10]))
        },
        Case {
            label_smoothing: 0.2,
            weight: Some(vec![1.0, 0.5, 2.0, 1.0]),
            ..case("cross-entropy smoothing and weights", "cross-entropy", randn(&[10, 4], d), classes(4, &[10]))
        },
        case(
            "cross-entropy probabilities",
            "cross-entropy",
            randn(&[6, 4], f),
            randn(&[6, 4], f).softmax(1, Kind::Float),
        ),
        case("nll", "nll", randn(&[9, 4], f).log_softmax(1, Kind::Float), classes(4, &[9])),
        Case {
            weight: Some(vec![2.0, 1.0, 0.5, 1.5]),
            ..case("nll weights", "nll", randn(&[9, 4], d).log_softmax(1, Kind::Double), classes(4, &[9]))
        },
        case("mse", "mse", randn(&[6, 3], f), randn(&[6, 3], f)),
        case("mse f64", "mse", randn(&[6, 3], d), randn(&[6, 3], d)),
        case("l1", "l1", randn(&[6, 3], f), randn(&[6, 3], f)),
        case("smooth-l1", "smooth-l1", randn(&[6, 3], f) * 2.0, randn(&[6, 3], f)),
        Case { beta: 0.5, ..case("smooth-l1 beta", "smooth-l1", randn(&[6, 3], f) * 2.0, randn(&[6, 3], f)) },
        case("huber", "huber", randn(&[6, 3], f) * 2.0, randn(&[6, 3], f)),
        Case { delta: 2.5, ..case("huber delta", "huber", randn(&[6, 3], d) * 3.0, randn(&[6, 3], d)) },
        case("bce", "bce", randn(&[8, 2], f).sigmoid(), Tensor::rand([8, 2], (f, Device::Cpu))),
        Case {
            weight: Some(vec![0.5, 2.0]),
            ..case("bce weights", "bce", randn(&[8, 2], f).sigmoid(), classes(2, &[8, 2]).to_kind(f))
        },
        case("bce-with-logits", "bce-with-logits", randn(&[8, 2], f) * 3.0, classes(2, &[8, 2]).to_kind(f)),
        Case {
            weight: Some(vec![1.5, 0.5]),
            ..case(
                "bce-with-logits weights",
                "bce-with-logits",
                randn(&[8, 2], d),
                Tensor::rand([8, 2], (d, Device::Cpu)),
            )
        },
    ];

    let mut batch = Batch::new();
    let mut runs = Vec::new();
    for (index, c) in cases.iter().enumerate() {
        let mut options = serde_json::json!({"label_smoothing": c.label_smoothing, "beta": c.beta, "delta": c.delta});
        if let Some(w) = &c.weight {
            options["weight"] = serde_json::json!(w);
        }
        // torch_model.loss_fn takes only the options each loss has.
        let options = match c.loss {
            "cross-entropy" => serde_json::json!({"label_smoothing": c.label_smoothing, "weight": options["weight"]}),
            "smooth-l1" => serde_json::json!({"beta": c.beta}),
            "huber" => serde_json::json!({"delta": c.delta}),
            _ => serde_json::json!({"weight": options["weight"]}),
        };
        let config =
            batch.write_json(&format!("{index}.json"), &serde_json::json!({"loss": c.loss, "options": options}));
        let input = batch.write_tensors(
            &format!("{index}_in.safetensors"),
            &[("output".into(), c.output.shallow_clone()), ("target".into(), c.target.shallow_clone())],
        );
        let out = batch.path(&format!("{index}_out.safetensors"));
        batch.add("loss_check.py", &[&config, &input, &out]);

        let kind = c.output.kind();
        let mut loss = Loss::new(LossKind::parse(c.loss).unwrap());
        loss.weight = c.weight.as_ref().map(|w| Tensor::from_slice(w).to_kind(kind));
        loss.label_smoothing = c.label_smoothing;
        loss.beta = c.beta;
        loss.delta = c.delta;
        let output = c.output.detach().copy().set_requires_grad(true);
        loss.check(&output, &c.target).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let value = loss.compute(&output, &c.target).unwrap();
        assert_eq!(value.size(), Vec::<i64>::new(), "{}: a 0-d loss", c.name);
        value.backward();
        runs.push((c, value.detach(), output.grad(), out));
    }
    let errors = batch.run();
    assert!(errors.is_empty(), "{errors:?}");
    for (c, value, grad, out) in runs {
        let theirs = load(&out);
        // float32: rtol 1e-5 (issue 15); float64: 1e-12.
        let (rtol, atol) = if c.output.kind() == Kind::Double { (1e-12, 1e-15) } else { (1e-5, 1e-7) };
        let v = needed_rtol(&value, &theirs["loss"], atol);
        let g = needed_rtol(&grad, &theirs["grad"], atol);
        println!(
            "{}: loss {:.9} differs by {:.1e}, gradient by {:.1e} (rtol {v:.1e} / {g:.1e})",
            c.name,
            value.double_value(&[]),
            max_abs_difference(&value, &theirs["loss"]),
            max_abs_difference(&grad, &theirs["grad"])
        );
        assert!(v <= rtol && g <= rtol, "{}: loss rtol {v:e}, gradient rtol {g:e}", c.name);
    }
}

#[test]
fn cross_entropy_is_the_checked_loss() {
    let logits = Tensor::zeros([4, 3], (Kind::Float, Device::Cpu));
    let value = cross_entropy(&logits, &Tensor::from_slice(&[0i64, 1, 2, 1])).unwrap();
    assert!((value.double_value(&[]) - 3f64.ln()).abs() < 1e-6);
    assert!(cross_entropy(&logits, &Tensor::from_slice(&[0i64, 1, 2, 5])).is_err());
}
