//! Neural networks through the real nu: parity of training with PyTorch (the fused
//! `nutorch nn train` and the step-by-step examples/simple_nn.nu), accuracy on the seed's
//! blobs, models across plugin restarts, the PNG figures, the demo, and labelled errors.

use nutorch_e2e::{nu_binary, plugin_binary, workspace_root, Nu, PLUGIN_PID};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs a PyTorch helper of nutorch-nn's parity tests with $NUTORCH_PYTHON.
fn python(script: &str, args: &[&Path]) {
    let interpreter = std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON (set by scripts/prepare.sh)");
    let dir = workspace_root().join("nutorch-nn/tests/python");
    let out = Command::new(interpreter)
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("start $NUTORCH_PYTHON");
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
}

/// PyTorch's reference run (seed 42, blobs n=300, SimpleNN(2, 20, 3) default init, SGD lr 0.1,
/// losses every `record_every` epochs): data, initial and final weights, losses, accuracy.
fn reference(dir: &Path, epochs: u32, record_every: u32) -> PathBuf {
    let file = dir.join(format!("reference_{epochs}_{record_every}.safetensors"));
    python("parity_train.py", &[&file, Path::new(&epochs.to_string()), Path::new(&record_every.to_string())]);
    file
}

/// Runs a nu script file with arguments in `nu`'s environment (the harness's -c runner, for files).
fn run_file(nu: &Nu, file: &Path, args: &[&str]) -> Output {
    Command::new(nu_binary())
        .arg("--no-config-file")
        .arg("--plugins")
        .arg(format!("[{}]", plugin_binary().display()))
        .arg(file)
        .args(args)
        .current_dir(nu.path())
        .env("XDG_CONFIG_HOME", nu.path().join("config"))
        .env("NUTORCH_STORE_DIR", nu.store_dir())
        .env_remove("NU_LOG_LEVEL")
        .output()
        .expect("start nu")
}

fn last_json(out: &Output, what: &str) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{what} failed\nstdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {stdout}"))
}

/// The reference file's parameters under `prefix` as a SimpleNN model record (nu expression).
fn model_from(file_var: &str, prefix: &str) -> String {
    let p = |name: &str| format!("\"{name}\": ${file_var}.\"{prefix}{name}\"");
    format!(
        "{{kind: SimpleNN, input: 2, hidden: 20, output: 3, parameters: {{{}, {}, {}, {}}}}}",
        p("fc1.weight"),
        p("fc1.bias"),
        p("fc2.weight"),
        p("fc2.bias")
    )
}

/// Compares recorded losses with PyTorch's at every recorded epoch; returns the worst
/// relative difference.
fn compare_losses(ours: &Value, epochs: &Value, losses: &Value, what: &str) -> f64 {
    let ours = ours.as_array().expect("loss table");
    let (epochs, losses) = (epochs.as_array().unwrap(), losses.as_array().unwrap());
    assert_eq!(ours.len(), losses.len(), "{what}: {} recorded losses, PyTorch {}", ours.len(), losses.len());
    let mut worst: f64 = 0.0;
    for ((row, epoch), theirs) in ours.iter().zip(epochs).zip(losses) {
        assert_eq!(row["epoch"], *epoch, "{what}: recorded epochs differ");
        let (a, b) = (row["loss"].as_f64().unwrap(), theirs.as_f64().unwrap());
        let rel = (a - b).abs() / b.abs();
        println!("{what}: epoch {epoch:>4}  nutorch {a:.9}  pytorch {b:.9}  rel {rel:.2e}");
        assert!(rel <= 1e-5, "{what}: epoch {epoch}: {a} vs PyTorch {b} (relative {rel:e})");
        worst = worst.max(rel);
    }
    println!("{what}: worst relative difference {worst:.2e}");
    worst
}

#[test]
fn fused_training_matches_pytorch() {
    let nu = Nu::new();
    let file = reference(nu.path(), 1000, 100);
    let script = format!(
        "let f = (nutorch load '{file}'); let model = {model}; \
         let losses = (nutorch nn train $model $f.X $f.y --epochs 1000 --lr 0.1 --record-every 100 --quiet); \
         {{losses: $losses, py_epochs: ($f.epochs | nutorch tovalue), py_losses: ($f.losses | nutorch tovalue), \
           accuracy: (nutorch nn accuracy $model $f.X $f.y), py_accuracy: ($f.accuracy | nutorch tovalue | first), \
           final: (nutorch nn forward $model $f.X | nutorch tovalue), \
           py_final: (nutorch nn forward {final} $f.X | nutorch tovalue)}} | to json -r",
        file = file.display(),
        model = model_from("f", "init."),
        final = model_from("f", "final."),
    );
    let v = nu.json(&script);
    compare_losses(&v["losses"], &v["py_epochs"], &v["py_losses"], "nutorch nn train");
    let accuracy = v["accuracy"].as_f64().unwrap();
    assert_eq!(v["accuracy"], v["py_accuracy"], "accuracy differs from PyTorch's");
    assert!(accuracy >= 0.95, "accuracy {accuracy}");
    // The trained parameters give PyTorch's trained model's outputs.
    let (ours, theirs) = (v["final"].as_array().unwrap(), v["py_final"].as_array().unwrap());
    let mut worst: f64 = 0.0;
    for (a, b) in ours.iter().flat_map(|r| r.as_array().unwrap()).zip(theirs.iter().flat_map(|r| r.as_array().unwrap()))
    {
        worst = worst.max((a.as_f64().unwrap() - b.as_f64().unwrap()).abs());
    }
    println!("trained logits: max abs difference from PyTorch's {worst:.2e}");
    assert!(worst < 1e-3, "trained model's logits differ from PyTorch's by {worst}");
}

/// The step-by-step script from PyTorch's initial weights and data.
fn step_by_step(nu: &Nu, file: &Path, epochs: u32, record_every: u32) -> Value {
    let data = nu.path().join("data.safetensors");
    let weights = nu.path().join("weights.safetensors");
    // Data and weights as the script reads them: X, y and state_dict names.
    let prepare = format!(
        "let f = (nutorch load '{file}'); {{X: $f.X, y: $f.y}} | nutorch save '{data}'; \
         let model = {model}; nutorch nn save $model '{weights}'",
        file = file.display(),
        data = data.display(),
        weights = weights.display(),
        model = model_from("f", "init."),
    );
    let out = nu.run(&prepare);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let script = workspace_root().join("examples/simple_nn.nu");
    let (epochs, record_every) = (epochs.to_string(), record_every.to_string());
    let out = run_file(
        nu,
        &script,
        &[
            "--data",
            data.to_str().unwrap(),
            "--weights",
            weights.to_str().unwrap(),
            "--epochs",
            &epochs,
            "--record-every",
            &record_every,
            "--json",
        ],
    );
    last_json(&out, "examples/simple_nn.nu")
}

#[test]
fn step_by_step_script_matches_pytorch() {
    let nu = Nu::new();
    let file = reference(nu.path(), 1000, 100);
    let v = step_by_step(&nu, &file, 1000, 100);
    let py = nu.json(&format!(
        "let f = (nutorch load '{}'); {{epochs: ($f.epochs | nutorch tovalue), losses: ($f.losses | nutorch tovalue), accuracy: ($f.accuracy | nutorch tovalue | first)}} | to json -r",
        file.display()
    ));
    compare_losses(&v["losses"], &py["epochs"], &py["losses"], "examples/simple_nn.nu");
    assert_eq!(v["accuracy"], py["accuracy"], "accuracy differs from PyTorch's");
}

#[test]
fn step_by_step_script_takes_other_epoch_counts() {
    let nu = Nu::new();
    let file = reference(nu.path(), 30, 7);
    let v = step_by_step(&nu, &file, 30, 7);
    let py = nu.json(&format!(
        "let f = (nutorch load '{}'); {{epochs: ($f.epochs | nutorch tovalue), losses: ($f.losses | nutorch tovalue)}} | to json -r",
        file.display()
    ));
    compare_losses(&v["losses"], &py["epochs"], &py["losses"], "examples/simple_nn.nu (30 epochs)");
}

#[test]
fn seed_blobs_train_to_high_accuracy() {
    // The demo's setting: nutorch's own blobs and default init from seed 42, 1000 epochs SGD.
    let v = Nu::new().json(
        "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); \
         let before = (nutorch nn accuracy $model $data.X $data.y); \
         let losses = (nutorch nn train $model $data.X $data.y --epochs 1000 --lr 0.1 --record-every 100 --quiet); \
         {before: $before, after: (nutorch nn accuracy $model $data.X $data.y), losses: ($losses | get loss), \
          classes: (nutorch nn predict $model $data.X | nutorch tovalue | uniq | sort)} | to json -r",
    );
    let after = v["after"].as_f64().unwrap();
    assert!(after >= 0.95, "final accuracy {after}");
    assert!(v["before"].as_f64().unwrap() < 0.8, "{v}");
    let losses: Vec<f64> = v["losses"].as_array().unwrap().iter().map(|l| l.as_f64().unwrap()).collect();
    assert_eq!(losses.len(), 10);
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "losses should fall: {losses:?}");
    assert_eq!(v["classes"], serde_json::json!([0, 1, 2]));
}

#[test]
fn seed_script_data_and_randn_weights_give_its_numbers() {
    // simple_nn.py: manual_seed(42); data(300); then torch.randn weights. Same draws here.
    // The reference script lives in the shared folder next to the checkout.
    let reference = workspace_root().join("../shared/reference/simple_nn.py");
    if !reference.is_file() {
        eprintln!("{} not found; skipped", reference.display());
        return;
    }
    let interpreter = std::env::var("NUTORCH_PYTHON").expect("NUTORCH_PYTHON");
    let out = Command::new(interpreter).arg(&reference).args(["200", "300", "1"]).output().expect("start python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // "epochs=200 n=300 loss=0.1234 acc=0.963 ..."
    let line = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |name: &str| -> f64 {
        let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
        line[start..].split_whitespace().next().unwrap().parse().unwrap()
    };
    let v = Nu::new().json(
        "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --init randn); \
         let losses = (nutorch nn train $model $data.X $data.y --epochs 200 --record-every 1 --threads 1 --quiet); \
         {loss: ($losses | last | get loss), acc: (nutorch nn accuracy $model $data.X $data.y)} | to json -r",
    );
    // The script prints the loss of its last epoch (before that epoch's update) and the
    // accuracy of that epoch's output, both rounded.
    let loss = v["loss"].as_f64().unwrap();
    assert!((loss - field("loss")).abs() <= 6e-5, "loss {loss} vs simple_nn.py's {}", field("loss"));
    println!("simple_nn.py: {line}nutorch: {v}");
}

#[test]
fn models_survive_plugin_restarts() {
    let nu = Nu::new();
    let file = nu.path().join("model.safetensors").display().to_string();
    let script = format!(
        "let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); \
         let ids = {{|m| $m.parameters | values | each {{|t| $t.id }} }}; \
         let ids_before = (do $ids $model); \
         let first = (nutorch nn train $model $data.X $data.y --epochs 200 --record-every 100 --quiet); \
         nutorch nn save $model '{file}'; \
         let predicted = (nutorch nn predict $model $data.X | nutorch tovalue); \
         let pid = {PLUGIN_PID}; \
         plugin stop nutorch; \
         let loaded = (nutorch nn load '{file}'); \
         let from_file = (nutorch nn predict $loaded $data.X | nutorch tovalue); \
         let pid_after = {PLUGIN_PID}; \
         let held = (nutorch nn predict $model $data.X | nutorch tovalue); \
         let second = (nutorch nn train $model $data.X $data.y --epochs 200 --record-every 100 --quiet); \
         plugin stop nutorch; \
         let third = (nutorch nn train $loaded $data.X $data.y --epochs 200 --record-every 100 --quiet); \
         let fresh = (nutorch nn simple-nn 2 20 3 --seed 42); \
         let straight = (nutorch nn train $fresh $data.X $data.y --epochs 400 --record-every 100 --quiet); \
         {{pid: $pid, pid_after: $pid_after, same_file: ($predicted == $from_file), same_held: ($predicted == $held), \
           ids_before: $ids_before, ids_after: (do $ids $model), first: $first, second: $second, third: $third, straight: $straight}} | to json -r"
    );
    let v = nu.json(&script);
    assert_ne!(v["pid"], v["pid_after"], "the plugin should have restarted");
    assert_eq!(v["same_file"], true, "a saved model predicts the same after a restart");
    assert_eq!(v["same_held"], true, "a model held in a variable predicts the same after a restart");
    assert_eq!(v["ids_before"], v["ids_after"], "training keeps the parameters' ids");
    // Training after the restart continues where it stopped: 200 + 200 epochs = 400 straight.
    let loss = |v: &Value, i: usize| v[i]["loss"].as_f64().unwrap();
    for (i, j) in [(0, 2), (1, 3)] {
        let rel = (loss(&v["second"], i) - loss(&v["straight"], j)).abs() / loss(&v["straight"], j);
        assert!(rel < 1e-6, "held model after restart: {} vs {}", loss(&v["second"], i), loss(&v["straight"], j));
        let rel = (loss(&v["third"], i) - loss(&v["straight"], j)).abs() / loss(&v["straight"], j);
        assert!(rel < 1e-6, "loaded model after restart: {} vs {}", loss(&v["third"], i), loss(&v["straight"], j));
    }
    assert!(loss(&v["second"], 0) < loss(&v["first"], 1));
}

#[test]
fn saved_models_and_tensors_are_read_by_python() {
    let nu = Nu::new();
    let (model_file, tensors_file) = (nu.path().join("m.safetensors"), nu.path().join("t.safetensors"));
    let out = nu.run(&format!(
        "let model = (nutorch nn simple-nn 2 20 3 --seed 42); nutorch nn save $model '{}'; \
         let data = (nutorch blobs --n 6 --seed 42); {{X: $data.X, y: $data.y}} | nutorch save '{}'",
        model_file.display(),
        tensors_file.display()
    ));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = format!(
        "import json, torch\n\
         from safetensors.torch import load_file\n\
         from safetensors import safe_open\n\
         import sys; sys.path.insert(0, '{py}')\n\
         from common import SimpleNN, data\n\
         sd = load_file('{m}')\n\
         meta = safe_open('{m}', 'pt').metadata()\n\
         spec = json.loads(meta['nutorch.spec'])\n\
         model = SimpleNN(spec['input'], spec['hidden'], spec['output'])\n\
         model.load_state_dict(sd, strict=True)\n\
         torch.manual_seed(42); ref = SimpleNN(2, 20, 3)\n\
         same = all(torch.equal(sd[k], v) for k, v in ref.state_dict().items())\n\
         t = load_file('{t}')\n\
         torch.manual_seed(42); X, y = data(6)\n\
         print(json.dumps({{'meta': meta, 'same_init': same, 'shapes': {{k: list(v.shape) for k, v in sd.items()}}, \
'data': torch.equal(t['X'], X) and torch.equal(t['y'], y)}}))",
        py = workspace_root().join("nutorch-nn/tests/python").display(),
        m = model_file.display(),
        t = tensors_file.display()
    );
    let out = Command::new(std::env::var("NUTORCH_PYTHON").unwrap()).arg("-c").arg(code).output().unwrap();
    let v = last_json(&out, "python");
    assert_eq!(v["meta"]["format"], "pt");
    let spec: serde_json::Value = serde_json::from_str(v["meta"]["nutorch.spec"].as_str().unwrap()).unwrap();
    assert_eq!(spec, serde_json::json!({"type": "SimpleNN", "input": 2, "hidden": 20, "output": 3}));
    assert_eq!(v["same_init"], true, "--seed 42 gives nn.Linear's init after torch.manual_seed(42)");
    assert_eq!(v["shapes"]["fc1.weight"], serde_json::json!([20, 2]));
    assert_eq!(v["data"], true, "nutorch blobs --seed 42 equals the seed's data()");
}

#[test]
fn tensors_round_trip_through_save_and_load() {
    let nu = Nu::new();
    let file = nu.path().join("t.safetensors");
    let v = nu.json(&format!(
        "{{a: (nutorch fromvalue [[1.5 2.5]] --dtype float64), b: (nutorch fromvalue [1 2 3]), flags: (nutorch fromvalue [true false])}} | nutorch save '{f}'; \
         nutorch linspace 0 1 3 | nutorch save '{f}.one'; \
         let back = (nutorch load '{f}'); let one = (nutorch load '{f}.one'); \
         {{names: ($back | columns), a: ($back.a | nutorch tovalue), b: ($back.b | nutorch tovalue), flags: ($back.flags | nutorch tovalue), \
           dtype: $back.a.dtype, one: ($one.tensor | nutorch tovalue)}} | to json -r",
        f = file.display()
    ));
    assert_eq!(v["names"], serde_json::json!(["a", "b", "flags"]));
    assert_eq!(v["a"], serde_json::json!([[1.5, 2.5]]));
    assert_eq!(v["b"], serde_json::json!([1, 2, 3]));
    assert_eq!(v["flags"], serde_json::json!([true, false]));
    assert_eq!(v["dtype"], "float64");
    assert_eq!(v["one"], serde_json::json!([0.0, 0.5, 1.0]));
}

/// Checks a PNG: signature, chunks with valid CRCs, IHDR size, IDAT data, IEND.
fn check_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.len() > 10_000, "{}: only {} bytes", path.display(), bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: not a PNG", path.display());
    let mut at = 8;
    let mut chunks = Vec::new();
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = &bytes[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
        assert_eq!(
            crc32(&bytes[at + 4..at + 8 + len]),
            crc,
            "{}: bad CRC in {:?}",
            path.display(),
            String::from_utf8_lossy(kind)
        );
        if kind == b"IHDR" {
            let (w, h) = (
                u32::from_be_bytes(body[0..4].try_into().unwrap()),
                u32::from_be_bytes(body[4..8].try_into().unwrap()),
            );
            assert_eq!((w, h), (width, height), "{}", path.display());
        }
        chunks.push(String::from_utf8_lossy(kind).into_owned());
        at += 12 + len;
    }
    assert_eq!(chunks.first().map(String::as_str), Some("IHDR"));
    assert!(chunks.iter().any(|c| c == "IDAT"));
    assert_eq!(chunks.last().map(String::as_str), Some("IEND"));
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn plots_are_written_as_pngs() {
    let nu = Nu::new();
    // Relative file names land in nu's current directory, not the plugin's.
    let script =
        "cd $env.WORK; let data = (nutorch blobs --seed 42); let model = (nutorch nn simple-nn 2 20 3 --seed 42); \
         let losses = (nutorch nn train $model $data.X $data.y --epochs 300 --record-every 10 --quiet); \
         nutorch plot scatter $data.X $data.y blobs.png; \
         nutorch plot loss $losses loss.png --title 'Loss' --width 640 --height 480; \
         nutorch plot boundary $model $data.X $data.y boundary.png --resolution 50; \
         'done'";
    let out = nu.command(script).env("WORK", nu.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    check_png(&nu.path().join("blobs.png"), 900, 650);
    check_png(&nu.path().join("loss.png"), 640, 480);
    check_png(&nu.path().join("boundary.png"), 900, 650);
}

#[test]
fn demo_trains_saves_and_draws() {
    let nu = Nu::new();
    let out_dir = nu.path().join("demo");
    let out = run_file(&nu, &workspace_root().join("examples/demo.nu"), &["--out", out_dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "demo failed\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let accuracy: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("final accuracy: "))
        .unwrap_or_else(|| panic!("no final accuracy in\n{stdout}"))
        .trim()
        .parse()
        .unwrap();
    assert!(accuracy >= 0.95, "{stdout}");
    assert!(stdout.contains("same predictions = true"), "{stdout}");
    for png in ["blobs.png", "loss.png", "boundary.png"] {
        check_png(&out_dir.join(png), 900, 650);
        assert!(stdout.contains(&out_dir.join(png).display().to_string()), "the demo names {png}: {stdout}");
    }
    assert!(out_dir.join("simple_nn.safetensors").is_file());
}

#[test]
fn mistakes_are_labelled_and_the_plugin_keeps_running() {
    let nu = Nu::new();
    let missing = nu.path().join("missing.safetensors");
    let plain = nu.path().join("plain.safetensors");
    let setup = format!(
        "let data = (nutorch blobs --n 30 --seed 1); let model = (nutorch nn simple-nn 2 20 3 --seed 1); \
         {{X: $data.X}} | nutorch save '{plain}'; ",
        plain = plain.display()
    );
    let bad_calls = [
        ("nutorch nn train $model (nutorch fromvalue [[1.0 2.0 3.0]]) (nutorch fromvalue [0])", "takes 2 features"),
        ("nutorch nn forward $model (nutorch fromvalue [[1 2]])", "convert the input to float32"),
        ("nutorch nn train $model $data.X ($data.y | nutorch to --dtype float32)", "int64"),
        ("nutorch nn train $model $data.X (nutorch fromvalue [0 1])", "one row per input row"),
        ("nutorch nn train $model $data.X ($data.y | nutorch mul 3)", "out of range"),
        ("nutorch nn train $model $data.X $data.y --lr -1", ">= 0"),
        ("nutorch nn train $model $data.X $data.y --optimizer lbfgs", "sgd or adam"),
        ("nutorch nn train $model $data.X $data.y --optimizer adam --momentum 0.9", "momentum is for sgd"),
        ("nutorch nn train $model $data.X $data.y --record-every 0", "at least 1"),
        ("nutorch nn forward {a: 1} $data.X", "no `spec`"),
        ("nutorch nn forward {kind: ResNet, parameters: {}} $data.X", "unknown model kind"),
        (
            "nutorch nn predict {kind: SimpleNN, parameters: {\"fc1.weight\": $data.X}} $data.X",
            "needs the parameter `fc1.bias`",
        ),
        ("nutorch nn predict ($model | update parameters.\"fc2.bias\" (nutorch zeros 4)) $data.X", "shape [4]"),
        ("nutorch nn predict ($model | update spec.hidden 7) $data.X", "needs [7, 2]"),
        ("nutorch nn simple-nn 2 0 3", "at least 1"),
        (&format!("nutorch nn load '{}'", missing.display()), "cannot read"),
        (&format!("nutorch load '{}'", missing.display()), "cannot read"),
        (&format!("nutorch nn load '{}'", plain.display()), "does not say which architecture"),
        (&format!("nutorch save '{}' {{a: 1}}", plain.display()), "`a` is not a tensor"),
        ("nutorch plot scatter $data.X $data.y out.jpg", "PNG"),
        ("nutorch plot scatter $data.y $data.y out.png", "[N, 2]"),
        ("nutorch plot loss [1 2] out.png", "expected a record"),
        ("nutorch plot boundary (nutorch nn simple-nn 3 4 2) $data.X $data.y out.png", "must take 2 inputs"),
        ("nutorch blobs --n -3", "non-negative"),
    ];
    let checks = bad_calls
        .iter()
        .map(|(call, _)| format!("(try {{ {call}; 'no error' }} catch {{|e| $e.rendered }})"))
        .collect::<Vec<_>>()
        .join(", ");
    let script = format!(
        "{setup} let pid = {PLUGIN_PID}; let errors = [{checks}]; \
         {{pid_before: $pid, pid_after: {PLUGIN_PID}, errors: $errors, \
           still_trains: (nutorch nn train $model $data.X $data.y --epochs 10 --quiet | length)}} | to json -r"
    );
    let v = nu.json(&script);
    assert_eq!(v["pid_before"], v["pid_after"], "the plugin restarted: {v}");
    assert_eq!(v["still_trains"], 10);
    for (i, (call, expected)) in bad_calls.iter().enumerate() {
        let text = v["errors"][i].as_str().unwrap_or_default();
        assert!(text.contains(expected), "{call}: expected {expected:?} in {text}");
    }
}

#[test]
fn errors_point_at_the_argument() {
    // (source after the setup, the text the label must underline)
    let setup = "let data = (nutorch blobs --n 30 --seed 1); let model = (nutorch nn simple-nn 2 20 3 --seed 1); ";
    let cases = [
        ("nutorch nn train $model $data.y $data.y", "$data.y"),
        ("nutorch nn train $model $data.X $data.X", "$data.X"),
        ("nutorch nn train $model $data.X $data.y --epochs -5", "-5"),
        ("nutorch nn load /no/such/file.safetensors", "/no/such/file.safetensors"),
        ("nutorch nn forward {kind: Linear} $data.X", "{kind: Linear}"),
    ];
    for (source, culprit) in cases {
        let v = Nu::new()
            .json(&format!("{setup}try {{ {source} }} catch {{|e| $e.details.labels.0.location }} | to json -r"));
        let offset = format!("{setup}try {{ ").len() as u64;
        let (start, end) = (v["start"].as_u64().unwrap() - offset, v["end"].as_u64().unwrap() - offset);
        let underlined = &source[start as usize..end as usize];
        assert!(underlined.contains(culprit), "{source}: label under {underlined:?}, expected {culprit:?}");
    }
}

#[test]
fn openmp_workers_sleep_unless_the_user_chose() {
    // The plugin restarts itself with OMP_WAIT_POLICY=PASSIVE before libgomp reads it, unless
    // the variable is set (nu passes its environment on to the plugin).
    let script = format!(
        "nutorch blobs --n 3 | ignore; let pid = {PLUGIN_PID}; \
         open --raw $'/proc/($pid)/environ' | decode utf-8 | split row (char -i 0) | where $it =~ '^OMP_WAIT_POLICY=' | to json -r"
    );
    let nu = Nu::new();
    let v = nu.json(&script);
    assert_eq!(v, serde_json::json!(["OMP_WAIT_POLICY=PASSIVE"]));
    let out = nu.command(&script).env("OMP_WAIT_POLICY", "ACTIVE").output().unwrap();
    let v = last_json(&out, "with OMP_WAIT_POLICY=ACTIVE");
    assert_eq!(v, serde_json::json!(["OMP_WAIT_POLICY=ACTIVE"]));
}
