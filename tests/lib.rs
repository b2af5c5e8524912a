//! Harness for end-to-end tests: the real `nu` (the pinned 0.115.1) driving the built plugin,
//! each test in its own config and store directories, never the user's.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The pinned nu: `NUTORCH_NU` (set by scripts/prepare.sh through .cargo/config.toml).
pub fn nu_binary() -> PathBuf {
    match std::env::var_os("NUTORCH_NU") {
        Some(path) => PathBuf::from(path),
        None => panic!("NUTORCH_NU is not set: run scripts/prepare.sh (or scripts/test.sh) first"),
    }
}

/// The plugin binary of this build profile, built once per test run so that it is never stale
/// (a no-op when `cargo test --workspace` already built it).
pub fn plugin_binary() -> &'static Path {
    static PLUGIN: OnceLock<PathBuf> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let release = cfg!(not(debug_assertions));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "nu_plugin_nutorch", "--bin", "nu_plugin_nutorch"]).current_dir(workspace_root());
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build for the plugin");
        assert!(status.success(), "building nu_plugin_nutorch failed");
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
        target.join(if release { "release" } else { "debug" }).join("nu_plugin_nutorch")
    })
}

/// One isolated nu environment: its own config home and tensor store.
pub struct Nu {
    dir: tempfile::TempDir,
}

impl Default for Nu {
    fn default() -> Self {
        Self::new()
    }
}

impl Nu {
    pub fn new() -> Nu {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        Nu { dir }
    }

    /// The store directory the plugin uses in this environment.
    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command line for `nu -c <script>` in this environment.
    pub fn command(&self, script: &str) -> Command {
        let plugin = plugin_binary();
        let mut cmd = Command::new(nu_binary());
        cmd.arg("--no-config-file")
            .arg("--plugins")
            .arg(format!("[{}]", plugin.display()))
            .arg("-c")
            .arg(script)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("NUTORCH_STORE_DIR", self.store_dir())
            .env_remove("NU_LOG_LEVEL");
        cmd
    }

    pub fn run(&self, script: &str) -> Output {
        self.command(script).output().expect("start nu")
    }

    /// Runs a script whose last expression is printed as JSON (`... | to json -r`) and parses it.
    pub fn json(&self, script: &str) -> Value {
        let out = self.run(script);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "nu failed\nscript: {script}\nstdout: {stdout}\nstderr: {stderr}");
        let last = stdout.lines().last().unwrap_or("");
        serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"))
    }

    /// Runs a script that must fail; returns its stderr.
    pub fn error(&self, script: &str) -> String {
        let out = self.run(script);
        assert!(!out.status.success(), "expected failure: {script}\nstdout: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// The plugin's pid as `plugin list` reports it (nu expression).
pub const PLUGIN_PID: &str = "(plugin list | where name == nutorch | get pid.0)";

/// Waits until the plugin's idle spill has run (the session file, written after the tensors and
/// the index, exists), at most 30 s; a kill -9 after it loses nothing. A nu statement that calls
/// no plugin command (a command would count as activity and put the spill off). Used where the
/// store directory saw no spill before.
pub const AWAIT_SPILL: &str = "sleep 1sec; mut waited = 0; \
    while ((glob $'($env.NUTORCH_STORE_DIR)/shells/*/session' | is-empty) and $waited < 300) { sleep 100ms; $waited += 1 }; \
    sleep 100ms;";

/// Waits until the plugin process is gone (Nushell's GC stopped it, or it was killed), at most
/// 30 s, without waking it: a call sent before nu has noticed a kill fails ("Failed to receive
/// response to plugin call").
pub const AWAIT_EXIT: &str = "mut gone = 0; \
    while ((plugin list | where name == nutorch | get status.0) == running and $gone < 300) { sleep 100ms; $gone += 1 };";

/// Waits until Nushell's GC has stopped the idle plugin (at most 30 s), without waking it.
pub const AWAIT_GC_STOP: &str = "sleep 1sec; mut waited = 0; \
    while ((plugin list | where name == nutorch | get status.0) == running and $waited < 300) { sleep 100ms; $waited += 1 };";

/// Nushell's plugin GC set to stop an idle nutorch after `secs` seconds (nu statement).
pub fn short_gc(secs: u32) -> String {
    format!("$env.config.plugin_gc = {{default: {{enabled: true, stop_after: {secs}sec}}}};")
}

/// Loads a golden JSON file from tests/golden.
pub fn golden(name: &str) -> Value {
    let path = workspace_root().join("tests/golden").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("golden JSON")
}

/// Compares a value read back through nu with a golden one. Floats compare exactly unless
/// `rtol` allows more (JSON encodes inf/nan as strings, as the golden script writes them).
pub fn assert_close(actual: &Value, expected: &Value, rtol: f64, context: &str) {
    match (actual, expected) {
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{context}: lengths differ: {actual} vs {expected}");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_close(x, y, rtol, &format!("{context}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(e)) if a.is_i64() && e.is_i64() => assert_eq!(a, e, "{context}"),
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().unwrap_or(f64::NAN), e.as_f64().unwrap_or(f64::NAN));
            assert!((a - e).abs() <= rtol * e.abs(), "{context}: {a} vs {e}");
        }
        // nu's `to json` writes inf and nan as null.
        (Value::Null, Value::String(e)) if ["inf", "-inf", "nan"].contains(&e.as_str()) => {}
        _ => assert_eq!(actual, expected, "{context}"),
    }
}
