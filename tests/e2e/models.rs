//! Users' own models through the real nu: layers, Sequential, optimizers, `nn fit`, the
//! step-by-step loop, restarts, files PyTorch reads, and the digits example against its
//! PyTorch twin.

use nutorch_e2e::{nu_binary, plugin_binary, workspace_root, Nu};
use serde_json::Value;
use std::process::Command;

fn python() -> Command {
    Command::new(std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON (scripts/prepare.sh sets it)"))
}

fn last_json(stdout: &[u8], what: &str) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
}

fn relative(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|x| x.as_f64().unwrap()).collect()
}

/// A small net with every kind of state: BatchNorm's running statistics, Dropout's random
/// draws, Adam's moments.
const NET: &str = "let data = (nutorch blobs --n 120 --seed 3); \
    let model = (nutorch nn sequential [(nutorch nn linear 2 16) (nutorch nn batch-norm1d 16) (nutorch nn relu) \
      (nutorch nn dropout 0.2) (nutorch nn linear 16 3)] --seed 0); \
    let opt = (nutorch optim adam $model --lr 0.01); ";

fn fit(epochs: u32, seed: u32) -> String {
    format!(
        "nutorch nn fit $model $opt $data.X $data.y --epochs {epochs} --batch-size 32 --shuffle --seed {seed} --quiet | get loss"
    )
}

#[test]
fn training_continues_exactly_across_a_plugin_restart() {
    // The same program twice, once with `plugin stop` between two fits: the model's
    // parameters and buffers and the optimizer's state come back from the store, so the
    // second fit gives the very same losses and weights.
    let run = |stop: &str| {
        Nu::new().json(&format!(
            "{NET} let first = ({}); {stop} let second = ({}); \
             {{first: $first, second: $second, weight: ($model.parameters.\"4.weight\" | nutorch tovalue), \
               running_mean: ($model.buffers.\"1.running_mean\" | nutorch tovalue), \
               steps: ($opt.state.\"0.step\" | nutorch item), pid: (plugin list | where name == nutorch | get pid.0)}} | to json -r",
            fit(2, 1),
            fit(1, 2)
        ))
    };
    let (straight, restarted) = (run(""), run("plugin stop nutorch;"));
    // Through files, in a fresh shell: nn save + optim save, then nn load + optim load.
    let dir = tempfile::tempdir().unwrap();
    let (m, o) = (dir.path().join("m.safetensors"), dir.path().join("o.safetensors"));
    let saved = Nu::new().json(&format!(
        "{NET} let first = ({}); nutorch nn save $model '{m}'; nutorch optim save $opt '{o}'; $first | to json -r",
        fit(2, 1),
        m = m.display(),
        o = o.display()
    ));
    let resumed = Nu::new().json(&format!(
        "let data = (nutorch blobs --n 120 --seed 3); let model = (nutorch nn load '{m}'); \
         let opt = (nutorch optim load '{o}' $model); let second = ({}); \
         {{second: $second, steps: ($opt.state.\"0.step\" | nutorch item)}} | to json -r",
        fit(1, 2),
        m = m.display(),
        o = o.display()
    ));
    assert_eq!(saved, straight["first"]);
    assert_eq!(resumed["second"], straight["second"], "resuming from files differs");
    assert_eq!(resumed["steps"], 12.0);
    assert_eq!(straight["first"], restarted["first"]);
    assert_eq!(straight["second"], restarted["second"], "the fit after the restart differs");
    assert_eq!(straight["weight"], restarted["weight"]);
    assert_eq!(straight["running_mean"], restarted["running_mean"]);
    assert_eq!(straight["steps"], 12.0, "4 batches × 3 epochs");
    assert_eq!(restarted["steps"], 12.0);
}

#[test]
fn saved_models_reload_after_a_restart_and_load_into_pytorch() {
    let nu = Nu::new();
    let file = nu.path().join("model.safetensors");
    let x_file = nu.path().join("x.safetensors");
    let v = nu.json(&format!(
        "{NET} {} | ignore; nutorch nn save $model '{f}'; {{X: $data.X}} | nutorch save '{xf}'; \
         let before = ($data.X | nutorch nn forward ($model | nutorch nn eval-mode) | nutorch tovalue); \
         plugin stop nutorch; \
         let loaded = (nutorch nn load '{f}' | nutorch nn eval-mode); \
         {{before: $before, after: ($data.X | nutorch nn forward $loaded | nutorch tovalue), \
           names: ($loaded | nutorch nn parameters | get name)}} | to json -r",
        fit(3, 0),
        f = file.display(),
        xf = x_file.display()
    ));
    assert_eq!(v["before"], v["after"], "the loaded model predicts differently");
    assert_eq!(
        v["names"],
        serde_json::json!([
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "4.weight",
            "4.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked"
        ])
    );
    // PyTorch: the equivalent torch.nn model, load_state_dict(strict=True), same outputs.
    let code = format!(
        "import json, sys, torch\n\
         sys.path.insert(0, '{py}')\n\
         from torch_model import build_model\n\
         from safetensors import safe_open\n\
         from safetensors.torch import load_file\n\
         spec = json.loads(safe_open('{f}', 'pt').metadata()['nutorch.spec'])\n\
         model = build_model(spec)\n\
         model.load_state_dict(load_file('{f}'), strict=True)\n\
         model.eval()\n\
         x = load_file('{xf}')['X']\n\
         with torch.no_grad(): out = model(x)\n\
         print(json.dumps({{'out': out.tolist(), 'tracked': int(model[1].num_batches_tracked)}}))",
        py = workspace_root().join("nutorch-nn/tests/python").display(),
        f = file.display(),
        xf = x_file.display()
    );
    let out = python().arg("-c").arg(code).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let py = last_json(&out.stdout, "python");
    assert_eq!(py["tracked"], 12, "BatchNorm's num_batches_tracked saved with the model");
    let (ours, theirs) = (v["after"].as_array().unwrap(), py["out"].as_array().unwrap());
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        for (x, y) in floats(a).into_iter().zip(floats(b)) {
            assert!((x - y).abs() <= 1e-5 * y.abs().max(1.0), "{x} vs {y}");
        }
    }
}

#[test]
fn the_step_by_step_loop_equals_fit() {
    // forward, cross_entropy, zero-grad, backward, optim step — three full-batch steps — and
    // `nn fit` with the whole data as one batch: the same losses (fit records each epoch's
    // loss before its update, as the loop does).
    let model = "let data = (nutorch blobs --n 60 --seed 1); \
        let model = (nutorch nn sequential [(nutorch nn linear 2 8) (nutorch nn tanh) (nutorch nn linear 8 3)] --seed 0); \
        let opt = (nutorch optim sgd $model --lr 0.5 --momentum 0.9); ";
    let step = "(do { let loss = ($data.X | nutorch nn forward $model | nutorch cross_entropy $data.y); \
        nutorch optim zero-grad $opt; $loss | nutorch backward; nutorch optim step $opt; $loss | nutorch item })";
    let nu = Nu::new();
    let stepped = nu.json(&format!("{model} [{step} {step} {step}] | to json -r"));
    let fitted = nu.json(&format!(
        "{model} nutorch nn fit $model $opt $data.X $data.y --epochs 3 --quiet | get loss | to json -r"
    ));
    for (a, b) in floats(&stepped).into_iter().zip(floats(&fitted)) {
        assert!(relative(a, b) < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn mistakes_in_models_are_named_before_training() {
    let nu = Nu::new();
    let setup = "let data = (nutorch blobs --n 30 --seed 1); \
        let bad = (nutorch nn sequential [(nutorch nn linear 2 5) (nutorch nn relu) (nutorch nn linear 4 3)]); \
        let good = (nutorch nn sequential [(nutorch nn linear 2 5) (nutorch nn relu) (nutorch nn linear 5 3)]); ";
    let cases = [
        ("nutorch nn fit $bad (nutorch optim sgd $bad) $data.X $data.y", "layer `2` (Linear(4 → 3))"),
        ("nutorch nn fit $good (nutorch optim sgd $good) $data.X ($data.y | nutorch to --dtype float32)", "int64"),
        ("nutorch nn fit $good (nutorch optim sgd $bad) $data.X $data.y", "another model"),
        ("nutorch nn fit $good (nutorch optim sgd $good) $data.X $data.y --loss hinge", "unknown loss 'hinge'"),
        ("nutorch nn fit $good (nutorch optim sgd $good) $data.X $data.y --batch-size 0", "at least 1"),
        ("nutorch optim adam $good --betas [0.9 1.0]", "beta parameter at index 1"),
        ("nutorch optim sgd $good --lr -1", "invalid learning rate"),
        ("nutorch nn dropout 1.5", "between 0 and 1"),
        ("nutorch nn conv2d 1 4 3 --stride [1 2 3]", "stride needs 1 or 2 values"),
        ("nutorch ones 3 5 5 | nutorch nn forward (nutorch nn conv2d 2 4 3)", "takes 2 input channels"),
        ("nutorch nn sequential [1 2]", "expected a model record"),
    ];
    let checks = cases
        .iter()
        .map(|(call, _)| format!("(try {{ {call}; 'no error' }} catch {{|e| $e.rendered | ansi strip }})"))
        .collect::<Vec<_>>()
        .join(", ");
    let v = nu.json(&format!(
        "{setup} let pid = (plugin list | where name == nutorch | get pid.0); let errors = [{checks}]; \
         {{errors: $errors, same_pid: ($pid == (plugin list | where name == nutorch | get pid.0))}} | to json -r"
    ));
    assert_eq!(v["same_pid"], true, "the plugin restarted");
    for (i, (call, expected)) in cases.iter().enumerate() {
        let text = v["errors"][i].as_str().unwrap_or_default();
        assert!(text.contains(expected), "{call}: expected {expected:?} in {text}");
    }
}

#[test]
fn a_one_dimensional_input_works_like_pytorch() {
    let v = Nu::new().json(
        "let lin = (nutorch nn linear 2 3 --seed 0); \
         let seq = (nutorch nn sequential [(nutorch nn linear 2 4) (nutorch nn relu) (nutorch nn layer-norm 4) (nutorch nn softmax)] --seed 0); \
         {lin: (nutorch ones 2 | nutorch nn forward $lin | nutorch tovalue | length), \
          seq: (nutorch ones 2 | nutorch nn forward $seq | nutorch sum | nutorch item)} | to json -r",
    );
    assert_eq!(v["lin"], 3);
    assert!((v["seq"].as_f64().unwrap() - 1.0).abs() < 1e-6, "{v}");
}

#[test]
fn digits_example_matches_its_pytorch_twin() {
    let out_dir = tempfile::tempdir().unwrap();
    let nu = Nu::new();
    let out = Command::new(nu_binary())
        .arg("--no-config-file")
        .arg("--plugins")
        .arg(format!("[{}]", plugin_binary().display()))
        .arg(workspace_root().join("examples/digits.nu"))
        .args(["--threads", "1", "--quiet", "--out"])
        .arg(out_dir.path())
        .env("XDG_CONFIG_HOME", nu.path().join("config"))
        .env("NUTORCH_STORE_DIR", nu.store_dir())
        .output()
        .expect("run nu");
    assert!(out.status.success(), "digits.nu failed: {}", String::from_utf8_lossy(&out.stderr));
    let ours = last_json(&out.stdout, "digits.nu");
    let py = python().arg(workspace_root().join("examples/digits_torch.py")).args(["--threads", "1"]).output().unwrap();
    assert!(py.status.success(), "digits_torch.py failed: {}", String::from_utf8_lossy(&py.stderr));
    let theirs = last_json(&py.stdout, "digits_torch.py");
    for (i, name) in ["mlp", "cnn"].iter().enumerate() {
        let (a, b) = (&ours[i], &theirs[*name]);
        let (la, lb) = (floats(&a["losses"]), floats(&b["losses"]));
        assert_eq!(la.len(), lb.len(), "{name}: epochs");
        for (epoch, (x, y)) in la.iter().zip(&lb).enumerate() {
            assert!(relative(*x, *y) < 1e-5, "{name} epoch {epoch}: loss {x} vs PyTorch's {y}");
        }
        assert!(relative(a["val_loss"].as_f64().unwrap(), b["val_loss"].as_f64().unwrap()) < 1e-5, "{name} val_loss");
        assert_eq!(
            a["accuracy"].as_f64().map(|x| (x * 359.0).round()),
            b["accuracy"].as_f64().map(|x| (x * 359.0).round())
        );
    }
    assert!(ours[1]["accuracy"].as_f64().unwrap() >= 0.96, "CNN accuracy {}", ours[1]["accuracy"]);
    for png in ["digits_mlp_loss.png", "digits_cnn_loss.png", "digits_mlp_confusion.png", "digits_cnn_confusion.png"] {
        let bytes = std::fs::read(out_dir.path().join(png)).unwrap_or_else(|e| panic!("{png}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is not a PNG");
    }
}

#[test]
fn ctrl_c_stops_fit_after_a_batch_and_keeps_the_plugin() {
    use std::io::{BufRead, BufReader};
    let nu = Nu::new();
    let mut child = nu
        .command(
            "let data = (nutorch blobs --n 3000 --seed 1); \
             let m = (nutorch nn sequential [(nutorch nn linear 2 256) (nutorch nn relu) (nutorch nn linear 256 3)]); \
             let opt = (nutorch optim sgd $m --lr 0.01); print training; \
             nutorch nn fit $m $opt $data.X $data.y --epochs 100000 --batch-size 8",
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start nu");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "training");
    // Well into the fit (it runs for minutes), also on a loaded machine.
    std::thread::sleep(std::time::Duration::from_millis(3000));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nutorch nn fit: interrupted in epoch"), "{stderr}");
    assert!(stderr.contains("the model keeps the updates made so far"), "{stderr}");
}
