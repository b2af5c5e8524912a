//! Shared helpers for the in-process plugin tests (nu-plugin-test-support).

use nu_plugin_nutorch::NutorchPlugin;
use nu_plugin_test_support::PluginTest;
use nu_protocol::{ShellError, Span, Value};
use std::sync::Arc;

/// A plugin whose store lives in a fresh temporary directory (never the user's cache).
pub fn plugin_test() -> (Arc<NutorchPlugin>, PluginTest) {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let config = nutorch_store::StoreConfig { dir, ..Default::default() };
    let plugin = Arc::new(NutorchPlugin::with_store_config(config));
    let test = PluginTest::new("nutorch", plugin.clone()).expect("plugin test harness");
    (plugin, test)
}

pub fn eval(test: &mut PluginTest, source: &str) -> Result<Value, ShellError> {
    test.eval(source)?.into_value(Span::test_data())
}

/// The device the suite runs on: `NUTORCH_TEST_DEVICE` (e.g. cuda), cpu by default.
pub fn device() -> String {
    std::env::var("NUTORCH_TEST_DEVICE").unwrap_or_else(|_| "cpu".into())
}

/// The error message and label texts of a failed evaluation, for assertions; a parse error
/// ("Example failed to parse") adds Nushell's own errors inside it, with their codes.
pub fn error_text(result: Result<Value, ShellError>) -> String {
    fn text(e: &nu_protocol::LabeledError) -> String {
        let labels: Vec<String> = e.labels.iter().map(|l| l.text.clone()).collect();
        let mut out = format!("{} | {}", e.msg, labels.join(" | "));
        if let Some(code) = &e.code {
            out.push_str(&format!(" [{code}]"));
        }
        for inner in e.inner.iter() {
            out.push_str(&format!(" / {}", text(&nu_protocol::LabeledError::from(inner.clone()))));
        }
        out
    }
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => text(&nu_protocol::LabeledError::from(e)),
    }
}
