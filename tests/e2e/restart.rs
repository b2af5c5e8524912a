//! State that is not a tensor across plugin restarts (idle GC stop, `plugin stop`, kill -9):
//! the random generators and grad mode are restored; an autograd graph keeps the plugin alive
//! and, when lost anyway, is a clear error; views reload as views of their reloaded base.

use nutorch_e2e::{assert_close, golden, short_gc, Nu, AWAIT_EXIT, AWAIT_GC_STOP, AWAIT_SPILL, PLUGIN_PID};
use serde_json::{json, Value};

/// The restarts: GC after 1 s idle, `plugin stop`, kill -9 after the idle spill (1 s; no GC
/// there, or it would stop the plugin first).
fn restarts() -> [(&'static str, String); 3] {
    [
        ("gc", AWAIT_GC_STOP.to_string()),
        ("stop", "plugin stop nutorch".to_string()),
        ("kill", format!("{AWAIT_SPILL} ^kill -9 $pid; {AWAIT_EXIT} sleep 100ms")),
    ]
}

/// Runs `before; <restart>; after` and returns `{pid_before, pid_after, after}` as JSON.
fn across(restart: &str, before: &str, after: &str) -> Value {
    let gc = if restart.contains("kill") { String::new() } else { short_gc(1) };
    let script = format!(
        "{gc} {before}; let pid = {PLUGIN_PID}; {restart}; \
         {{after: ({after}), pid_before: $pid, pid_after: {PLUGIN_PID}}} | to json -r"
    );
    Nu::new().json(&script)
}

#[test]
fn a_seeded_random_stream_continues_across_each_restart() {
    let g = golden("restart.json")["seeded"].clone();
    for (name, restart) in restarts() {
        let v = across(
            &restart,
            "nutorch manual_seed 1 | ignore; let first = (nutorch randn 2 | nutorch tovalue)",
            "{first: $first, second: (nutorch randn 2 | nutorch tovalue), rand: (nutorch rand 3 | nutorch tovalue), \
             randint: (nutorch randint 100 4 | nutorch tovalue)}",
        );
        assert_ne!(v["pid_before"], v["pid_after"], "{name}: the plugin should have restarted: {v}");
        for key in ["first", "second", "rand", "randint"] {
            assert_close(&v["after"][key], &g[key], 0.0, &format!("{name}: {key}"));
        }
    }
}

#[test]
fn grad_mode_survives_each_restart() {
    for (name, restart) in restarts() {
        let v = across(
            &restart,
            "nutorch set_grad_enabled false; let w = (nutorch ones 2 --requires-grad)",
            "{enabled: (nutorch is_grad_enabled), tracked: ($w | nutorch mul 2 | get requires_grad)}",
        );
        assert_ne!(v["pid_before"], v["pid_after"], "{name}: {v}");
        assert_eq!(v["after"], json!({"enabled": false, "tracked": false}), "{name}");
    }
}

#[test]
fn an_autograd_graph_keeps_the_plugin_alive_until_backward() {
    let g = golden("restart.json")["graph"].clone();
    let script = format!(
        "{gc} nutorch manual_seed 0 | ignore; let w = (nutorch randn 3 --requires-grad); \
         let loss = ($w | nutorch mul $w | nutorch sum); let pid = {PLUGIN_PID}; \
         let store = (nutorch store | select kept_alive kept_alive_because); \
         sleep 3sec; let pid_waited = {PLUGIN_PID}; \
         $loss | nutorch backward; let released = (nutorch store | get kept_alive); sleep 3sec; \
         {{pid: $pid, pid_waited: $pid_waited, pid_after_backward: {PLUGIN_PID}, store: $store, released: $released, \
          w: ($w | nutorch tovalue), loss: ($loss | nutorch tovalue), grad: ($w.grad | nutorch tovalue)}} | to json -r",
        gc = short_gc(1)
    );
    let v = Nu::new().json(&script);
    assert_eq!(v["pid"], v["pid_waited"], "the GC stopped a plugin holding a graph: {v}");
    assert_eq!(v["store"]["kept_alive"], json!(true), "{v}");
    let why = v["store"]["kept_alive_because"][0].as_str().unwrap_or_default();
    assert!(why.contains("autograd graph"), "{v}");
    assert_eq!(v["released"], json!(false), "backward freed the graph: {v}");
    assert_ne!(v["pid_waited"], v["pid_after_backward"], "once the graph is freed the GC stops the plugin: {v}");
    for key in ["w", "loss", "grad"] {
        assert_close(&v[key], &g[key], 1e-6, key);
    }
}

#[test]
fn a_graph_lost_anyway_is_a_clear_error() {
    let lost = "the autograd graph of this tensor was lost when the plugin restarted; run the forward pass again";
    for (name, restart) in restarts().into_iter().skip(1) {
        let v = across(
            &restart,
            "let w = (nutorch ones 3 --requires-grad); let loss = ($w | nutorch mul $w | nutorch sum)",
            "{backward: (try { $loss | nutorch backward; 'ran' } catch {|e| $e.rendered | ansi strip }), \
              is_leaf: (try { $loss.is_leaf } catch {|e| $e.rendered | ansi strip }), \
              grad_fn: (try { $loss.grad_fn } catch {|e| $e.rendered | ansi strip }), \
              value: ($loss | nutorch tovalue), w_grad: ($w.grad | describe), w_leaf: $w.is_leaf}",
        );
        assert_ne!(v["pid_before"], v["pid_after"], "{name}: {v}");
        for key in ["backward", "is_leaf", "grad_fn"] {
            let text = v["after"][key].as_str().unwrap_or_default();
            assert!(text.contains(lost), "{name}: {key}: {text}");
        }
        assert_eq!(v["after"]["value"], json!(3.0), "{name}: the data survives");
        assert_eq!(v["after"]["w_grad"], json!("nothing"), "{name}");
        assert_eq!(v["after"]["w_leaf"], json!(true), "{name}: a leaf loses nothing");
    }
}

#[test]
fn grad_fn_names_the_op_that_made_a_tensor() {
    let v = Nu::new().json(
        "let w = (nutorch ones 2 --requires-grad); {w: $w.grad_fn, y: ($w | nutorch mul 2).grad_fn} | to json -r",
    );
    assert_eq!(v, json!({"w": null, "y": "MulBackward0"}));
}

#[test]
fn views_still_alias_their_base_after_a_restart() {
    let v = Nu::new().json(
        "let x = (nutorch zeros 2 3); let v = ($x | nutorch view 6); $v | nutorch fill_ 1 | ignore; \
         {x: ($x | nutorch tovalue)} | to json -r",
    );
    assert_eq!(v["x"], json!([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]), "a view aliases its base");
    for (name, restart) in restarts() {
        // As torch: x = arange(6.).reshape(2, 3); v = x.view(6); t = x.T; v.mul_(10); x.add_(1)
        let v = across(
            &restart,
            "let x = (nutorch arange 6 --dtype float32 | nutorch reshape 2 3); let v = ($x | nutorch view 6); \
             let t = $x.T",
            "$v | nutorch mul_ 10 | ignore; let after_v = ($x | nutorch tovalue); $x | nutorch add_ 1 | ignore; \
             {x: $after_v, v: ($v | nutorch tovalue), t: ($t | nutorch tovalue)}",
        );
        assert_ne!(v["pid_before"], v["pid_after"], "{name}: {v}");
        assert_eq!(v["after"]["x"], json!([[0.0, 10.0, 20.0], [30.0, 40.0, 50.0]]), "{name}: {v}");
        assert_eq!(v["after"]["v"], json!([1.0, 11.0, 21.0, 31.0, 41.0, 51.0]), "{name}: {v}");
        assert_eq!(v["after"]["t"], json!([[1.0, 31.0], [11.0, 41.0], [21.0, 51.0]]), "{name}: {v}");
    }
}

#[test]
fn a_view_of_a_tensor_with_autograd_state_says_its_aliasing_was_lost_after_a_restart() {
    let v = across(
        "plugin stop nutorch",
        "let w = (nutorch zeros 2 3 --requires-grad); let v = ($w | nutorch detach | nutorch view 6)",
        "try { $v | nutorch fill_ 1 | ignore; 'wrote' } catch {|e| $e.rendered | ansi strip }",
    );
    let text = v["after"].as_str().unwrap_or_default();
    assert!(text.contains("separate copies"), "{text}");
}

/// examples/simple_nn.nu with the GC at 1 s and a 3 s sleep in the middle of epoch 2 (graph
/// built, backward not run: the plugin must stay) and after the step of epoch 3 (nothing
/// unsaved: the plugin stops and the next epoch reloads the parameters).
fn simple_nn_with_sleeps(dir: &std::path::Path) -> std::path::PathBuf {
    let script = std::fs::read_to_string(nutorch_e2e::workspace_root().join("examples/simple_nn.nu")).unwrap();
    let pause = |at: &str| {
        format!(
            "let pid = {PLUGIN_PID}; sleep 3sec; \
             $restarts = ($restarts | append {{at: '{at}', restarted: ({PLUGIN_PID} != $pid)}})"
        )
    };
    let edits = [
        ("    # torch.manual_seed(42); X, y = data()", format!("    {}\n    mut restarts = []\n", short_gc(1))),
        ("        # for p in ps: p.grad = None", format!("        if $epoch == 2 {{ {} }}\n", pause("mid-epoch"))),
    ];
    let mut text = script;
    for (anchor, insert) in &edits {
        assert!(text.contains(anchor), "examples/simple_nn.nu changed: no '{anchor}'");
        text = text.replacen(anchor, &format!("{insert}{anchor}"), 1);
    }
    let step = "| nutorch sub_ ($p | nutorch grad) --alpha $lr | ignore }\n";
    assert!(text.contains(step), "examples/simple_nn.nu changed: no '{step}'");
    text = text.replacen(step, &format!("{step}        if $epoch == 3 {{ {} }}\n", pause("between epochs")), 1);
    let result = "{losses: $losses, accuracy: $accuracy, ms_per_epoch: $ms_per_epoch}";
    assert!(text.contains(result), "examples/simple_nn.nu changed: no '{result}'");
    text = text.replacen(result, "{losses: $losses, accuracy: $accuracy, restarts: $restarts}", 1);
    let path = dir.join("simple_nn_with_sleeps.nu");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_step_by_step_script_gives_the_same_losses_with_sleeps_longer_than_the_gc() {
    let nu = Nu::new();
    let run = |file: &std::path::Path| {
        let out = std::process::Command::new(nutorch_e2e::nu_binary())
            .arg("--no-config-file")
            .arg("--plugins")
            .arg(format!("[{}]", nutorch_e2e::plugin_binary().display()))
            .arg(file)
            .args(["--epochs", "6", "--record-every", "1", "--json"])
            .current_dir(nu.path())
            .env("XDG_CONFIG_HOME", nu.path().join("config"))
            .env("NUTORCH_STORE_DIR", nu.store_dir())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str::<Value>(stdout.lines().last().unwrap()).unwrap()
    };
    let plain = run(&nutorch_e2e::workspace_root().join("examples/simple_nn.nu"));
    let slept = run(&simple_nn_with_sleeps(nu.path()));
    assert_eq!(
        slept["restarts"],
        json!([{"at": "mid-epoch", "restarted": false}, {"at": "between epochs", "restarted": true}]),
        "{slept}"
    );
    assert_eq!(slept["losses"], plain["losses"], "losses changed by the sleeps");
    assert_eq!(slept["accuracy"], plain["accuracy"]);
}
