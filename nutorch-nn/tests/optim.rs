//! Optimizers and schedulers against torch.optim (tests/python/optim_check.py): 20 full-batch
//! steps on a small MLP from the same initial weights and data, with an MSE and a
//! cross-entropy loss; the parameters, the optimizer state, the losses and the learning rates
//! after every configuration. And restarts: an optimizer rebuilt from the state of a run
//! (`Optimizer::from_state`, on copies, as after saving and loading) continues it exactly.

mod common;

use common::{deep_copy, exclusive, load, max_relative_difference, needed_rtol, scaled_difference, to_vec_f64, Batch};
use nutorch_nn::{
    train_step, LayerSpec, Loss, LossKind, Model, Module, Optimizer, OptimizerSpec, Scheduler, SchedulerSpec,
};
use tch::{Device, Kind, Tensor};

const STEPS: usize = 20;
const HALF: usize = 10;
/// Issue 15: parameters within 1e-6 relative of PyTorch's (elementwise, with an absolute floor
/// 1e-6 times the tensor's largest magnitude for elements that pass near zero).
const TOLERANCE: f64 = 1e-6;

const MLP: &str = r#"{"type":"Sequential","layers":[{"type":"Linear","in_features":4,"out_features":8},
    {"type":"Tanh"},{"type":"Linear","in_features":8,"out_features":3}]}"#;

const CONFIGS: [(&str, Option<&str>); 18] = [
    (r#"{"type":"SGD","lr":0.1}"#, None),
    (r#"{"type":"SGD","lr":0.05,"momentum":0.9}"#, None),
    (r#"{"type":"SGD","lr":0.05,"momentum":0.9,"dampening":0.5}"#, None),
    (r#"{"type":"SGD","lr":0.05,"momentum":0.9,"nesterov":true}"#, None),
    (r#"{"type":"SGD","lr":0.1,"weight_decay":0.01}"#, None),
    (r#"{"type":"SGD","lr":0.05,"momentum":0.5,"weight_decay":0.05,"nesterov":true}"#, None),
    (r#"{"type":"Adam","lr":0.01}"#, None),
    (r#"{"type":"Adam","lr":0.01,"amsgrad":true}"#, None),
    (r#"{"type":"Adam","lr":0.01,"weight_decay":0.1,"betas":[0.8,0.99]}"#, None),
    (r#"{"type":"AdamW","lr":0.01}"#, None),
    (r#"{"type":"AdamW","lr":0.01,"weight_decay":0.1,"amsgrad":true,"eps":1e-6}"#, None),
    (r#"{"type":"RMSprop","lr":0.01}"#, None),
    (r#"{"type":"RMSprop","lr":0.005,"momentum":0.9}"#, None),
    (r#"{"type":"RMSprop","lr":0.005,"centered":true}"#, None),
    (r#"{"type":"RMSprop","lr":0.005,"centered":true,"momentum":0.5,"weight_decay":0.01,"alpha":0.9}"#, None),
    (r#"{"type":"SGD","lr":0.1,"momentum":0.9}"#, Some(r#"{"type":"StepLR","step_size":5,"gamma":0.5}"#)),
    (r#"{"type":"Adam","lr":0.02}"#, Some(r#"{"type":"CosineAnnealingLR","T_max":7,"eta_min":0.001}"#)),
    (r#"{"type":"RMSprop","lr":0.01}"#, Some(r#"{"type":"CosineAnnealingLR","T_max":20}"#)),
];

struct Run {
    params: Vec<(String, Tensor)>,
    state: Vec<(String, Tensor)>,
    losses: Vec<f64>,
    lrs: Vec<f64>,
}

fn model_from(spec: &LayerSpec, init: &[(String, Tensor)]) -> Model {
    let params = deep_copy(init).into_iter().map(|(n, t)| (n, t.set_requires_grad(true))).collect();
    Model::from_tensors(spec, params, Vec::new()).unwrap()
}

/// `steps` steps of the step-by-step loop (zero_grad, forward, loss, backward, step,
/// scheduler step) from the given model and optimizer.
#[allow(clippy::too_many_arguments)]
fn steps(
    model: &Model,
    opt: &mut Optimizer,
    sched: &mut Option<Scheduler>,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
    n: usize,
    run: &mut Run,
) {
    for _ in 0..n {
        run.lrs.push(opt.lr());
        opt.zero_grad().unwrap();
        let value = loss.compute(&model.forward(x).unwrap(), y).unwrap();
        value.backward();
        opt.step().unwrap();
        if let Some(s) = sched.as_mut() {
            s.step(opt).unwrap();
        }
        run.losses.push(value.double_value(&[]));
    }
}

fn finish(model: &Model, opt: &Optimizer, mut run: Run) -> Run {
    run.params = model.named_parameters();
    run.state = opt.state();
    run
}

fn empty() -> Run {
    Run { params: Vec::new(), state: Vec::new(), losses: Vec::new(), lrs: Vec::new() }
}

/// The uninterrupted run.
fn run_ours(
    spec: &LayerSpec,
    init: &[(String, Tensor)],
    opt_spec: &OptimizerSpec,
    sched: Option<&SchedulerSpec>,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
) -> Run {
    let model = model_from(spec, init);
    let mut opt = Optimizer::new(opt_spec.clone(), model.parameters()).unwrap();
    let mut sched = sched.map(|s| Scheduler::new(s.clone(), &opt).unwrap());
    let mut run = empty();
    steps(&model, &mut opt, &mut sched, loss, x, y, STEPS, &mut run);
    finish(&model, &opt, run)
}

/// HALF steps, then a "restart": parameters and optimizer state copied (as saved tensors
/// read back), a new model, `Optimizer::from_state`, a new scheduler at the same epoch;
/// the rest of the steps with `train_step`.
fn run_restarted(
    spec: &LayerSpec,
    init: &[(String, Tensor)],
    opt_spec: &OptimizerSpec,
    sched: Option<&SchedulerSpec>,
    loss: &Loss,
    x: &Tensor,
    y: &Tensor,
) -> Run {
    let model = model_from(spec, init);
    let mut opt = Optimizer::new(opt_spec.clone(), model.parameters()).unwrap();
    let mut scheduler = sched.map(|s| Scheduler::new(s.clone(), &opt).unwrap());
    let mut run = empty();
    steps(&model, &mut opt, &mut scheduler, loss, x, y, HALF, &mut run);
    let saved_params = deep_copy(&model.named_parameters());
    let saved_state = deep_copy(&opt.state());
    let last_epoch = scheduler.as_ref().map(|s| s.last_epoch);
    drop((model, opt, scheduler));

    let model = model_from(spec, &saved_params);
    let mut opt = Optimizer::from_state(opt_spec.clone(), model.parameters(), saved_state).unwrap();
    let mut scheduler = sched.map(|s| {
        let mut s = Scheduler::new(s.clone(), &opt).unwrap();
        s.last_epoch = last_epoch.unwrap();
        s
    });
    for _ in HALF..STEPS {
        run.lrs.push(opt.lr());
        run.losses.push(train_step(&model, &mut opt, loss, x, y).unwrap());
        if let Some(s) = scheduler.as_mut() {
            s.step(&mut opt).unwrap();
        }
    }
    finish(&model, &opt, run)
}

/// The worst elementwise relative difference, with an absolute floor of TOLERANCE times
/// the largest magnitude in the tensor.
fn relative(ours: &Tensor, theirs: &Tensor) -> f64 {
    let floor = theirs.abs().max().double_value(&[]) * TOLERANCE;
    needed_rtol(ours, theirs, floor)
}

#[test]
fn optimizers_match_torch_optim_and_survive_restarts() {
    let _g = exclusive();
    let spec = LayerSpec::from_json(MLP).unwrap();
    tch::manual_seed(7);
    let init = Model::new(&spec).unwrap().named_parameters();
    let init = deep_copy(&init);
    let x = Tensor::randn([16, 4], (Kind::Float, Device::Cpu));
    let y_mse = Tensor::randn([16, 3], (Kind::Float, Device::Cpu));
    let y_ce = Tensor::randint(3, [16], (Kind::Int64, Device::Cpu));

    let mut batch = Batch::new();
    let mut runs = Vec::new();
    for (index, (opt_json, sched_json)) in CONFIGS.iter().enumerate() {
        let opt_spec = OptimizerSpec::from_json(opt_json).unwrap();
        let sched_spec = sched_json.map(|s| SchedulerSpec::from_json(s).unwrap());
        for (loss_name, y) in [("mse", &y_mse), ("cross-entropy", &y_ce)] {
            let loss = Loss::new(LossKind::parse(loss_name).unwrap());
            let ours = run_ours(&spec, &init, &opt_spec, sched_spec.as_ref(), &loss, &x, y);
            let restarted = run_restarted(&spec, &init, &opt_spec, sched_spec.as_ref(), &loss, &x, y);
            let config = serde_json::json!({
                "model": serde_json::from_str::<serde_json::Value>(&spec.to_json()).unwrap(),
                "optimizer": serde_json::from_str::<serde_json::Value>(&opt_spec.to_json()).unwrap(),
                "scheduler": sched_spec.as_ref().map(|s| serde_json::from_str::<serde_json::Value>(&s.to_json()).unwrap()),
                "loss": loss_name,
                "steps": STEPS,
            });
            let stem = format!("{index}_{loss_name}");
            let config_path = batch.write_json(&format!("{stem}.json"), &config);
            let mut inputs = deep_copy(&init);
            inputs.push(("x".into(), x.shallow_clone()));
            inputs.push(("y".into(), y.shallow_clone()));
            let in_path = batch.write_tensors(&format!("{stem}_in.safetensors"), &inputs);
            let out_path = batch.path(&format!("{stem}_out.safetensors"));
            batch.add("optim_check.py", &[&config_path, &in_path, &out_path]);
            runs.push((format!("{opt_json} {} {loss_name}", sched_json.unwrap_or("")), ours, restarted, out_path));
        }
    }
    let errors = batch.run();
    assert!(errors.is_empty(), "{errors:?}");

    let (mut worst_param, mut worst_scaled, mut worst_state, mut worst_loss) = (0f64, 0f64, 0f64, 0f64);
    for (label, ours, restarted, out_path) in runs {
        let theirs = load(&out_path);
        // Learning rates: PyTorch's schedulers, to the bit.
        assert_eq!(ours.lrs, to_vec_f64(&theirs["lrs"]), "{label}: learning rates");
        let mut loss_diff: f64 = 0.0;
        for (step, (a, b)) in ours.losses.iter().zip(to_vec_f64(&theirs["losses"])).enumerate() {
            let d = (a - b).abs() / b.abs();
            loss_diff = loss_diff.max(d);
            assert!(d <= TOLERANCE, "{label}: step {step} loss {a} vs {b}");
        }
        worst_loss = worst_loss.max(loss_diff);
        let mut param_diff: f64 = 0.0;
        for (index, (name, p)) in ours.params.iter().enumerate() {
            let t = &theirs[name];
            let d = relative(p, t);
            param_diff = param_diff.max(d);
            worst_scaled = worst_scaled.max(scaled_difference(p, t));
            assert!(d <= TOLERANCE, "{label}: {name} differs from PyTorch's by {d:e} (relative)");
            // The optimizer state, under PyTorch's names.
            for (key, s) in ours.state.iter().filter_map(|(k, s)| k.strip_prefix(&format!("{index}.")).map(|k| (k, s)))
            {
                let Some(t) = theirs.get(&format!("opt.{name}.{key}")) else {
                    // torch.optim.SGD keeps no step count; ours does (for every optimizer).
                    assert!(key == "step" && label.contains("SGD"), "{label}: PyTorch has no {key}");
                    continue;
                };
                let d = if key == "step" { max_relative_difference(s, t) } else { relative(s, t) };
                worst_state = worst_state.max(d);
                assert!(d <= TOLERANCE, "{label}: state {index}.{key} ({name}) differs by {d:e}");
            }
        }
        let their_state = theirs.keys().filter(|k| k.starts_with("opt.")).count();
        let our_state =
            ours.state.iter().filter(|(k, _)| k != "lr" && !(label.contains("SGD") && k.ends_with(".step"))).count();
        assert_eq!(our_state, their_state, "{label}: number of optimizer state tensors");
        worst_param = worst_param.max(param_diff);
        println!("{label}: parameters {param_diff:.1e}, losses {loss_diff:.1e}");

        // The restarted run is the uninterrupted one, exactly.
        assert_eq!(restarted.lrs, ours.lrs, "{label}: restarted learning rates");
        assert_eq!(restarted.losses, ours.losses, "{label}: restarted losses");
        for ((name, a), (_, b)) in restarted.params.iter().zip(&ours.params) {
            assert!(a.equal(b), "{label}: {name} after a restart differs from the uninterrupted run");
        }
        for ((name, a), (_, b)) in restarted.state.iter().zip(&ours.state) {
            assert!(a.equal(b), "{label}: state {name} after a restart differs from the uninterrupted run");
        }
    }
    println!(
        "worst relative difference from PyTorch: parameters {worst_param:e} (max|diff|/max|p| {worst_scaled:e}), \
         optimizer state {worst_state:e}, losses {worst_loss:e}"
    );
}

#[test]
fn scheduler_learning_rates_follow_pytorch_formulas() {
    // 40 epochs of CosineAnnealingLR(T_max 7) pass two full periods (the branch PyTorch takes
    // at (epoch - 1 - T_max) % (2 T_max) == 0); checked against optim_check.py above for 20
    // steps; here the closed form, which the recursion tracks to rounding.
    let spec = SchedulerSpec::from_json(r#"{"type":"CosineAnnealingLR","T_max":7,"eta_min":0.001}"#).unwrap();
    let (base, eta_min) = (0.02, 0.001);
    let mut lr = base;
    for epoch in 1..40 {
        lr = spec.next_lr(lr, base, epoch);
        let closed = eta_min + (base - eta_min) * (1.0 + (std::f64::consts::PI * epoch as f64 / 7.0).cos()) / 2.0;
        assert!((lr - closed).abs() <= 1e-12, "epoch {epoch}: {lr} vs {closed}");
    }
    let step = SchedulerSpec::from_json(r#"{"type":"StepLR","step_size":3}"#).unwrap();
    let lrs: Vec<f64> = (1..=7)
        .scan(1.0, |lr, e| {
            *lr = step.next_lr(*lr, 1.0, e);
            Some(*lr)
        })
        .collect();
    assert_eq!(lrs, [1.0, 1.0, 0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1]);
}
