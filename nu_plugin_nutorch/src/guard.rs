//! The last line of defence: a panic inside a command becomes an error instead of killing
//! the plugin process (and every tensor it holds). `NutorchPlugin::run_guarded` puts it
//! around every command (commands/mod.rs, `Tracked`) and every custom-value hook, so a
//! command needs no guard of its own.

use nu_protocol::{LabeledError, Span};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub fn guard<T>(span: Span, body: impl FnOnce() -> Result<T, LabeledError>) -> Result<T, LabeledError> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            if let Some(torch) = torch_refusal(&message) {
                return Err(LabeledError::new("PyTorch error").with_label(torch, span));
            }
            Err(LabeledError::new("Internal error in nutorch")
                .with_label(message, span)
                .with_help("the plugin caught this and kept running; your tensors are intact. Please report it."))
        }
    }
}

/// libtorch's message in a panic that tch raised for a libtorch refusal: tch's `Scalar`
/// checks for a pending libtorch error when it is dropped, which can happen before the call
/// that failed reads it, and then unwraps it (`called Result::unwrap() on an Err value:
/// Torch("...")`). The refusal is the user's mistake, not a bug: it is reported as such.
fn torch_refusal(message: &str) -> Option<String> {
    let start = message.find("Torch(\"")? + "Torch(\"".len();
    let rest = &message[start..];
    let end = rest.find("\\nException raised from").or_else(|| rest.rfind("\")"))?;
    let text = rest[..end].replace("\\n", "\n").replace("\\\"", "\"");
    Some(nutorch_core::error::clean_torch_message(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tch_scalar_panics_are_torch_errors() {
        let err = guard::<()>(Span::test_data(), || {
            panic!(
                "called `Result::unwrap()` on an `Err` value: {:?}",
                nutorch_core::tch::TchError::Torch(
                    "value cannot be converted to type int8_t without overflow\nException raised from x".into()
                )
            )
        })
        .unwrap_err();
        assert_eq!(err.msg, "PyTorch error");
        assert_eq!(err.labels[0].text, "value cannot be converted to type int8_t without overflow");
    }

    #[test]
    fn panics_become_errors() {
        let err = guard::<()>(Span::test_data(), || panic!("boom")).unwrap_err();
        assert_eq!(err.msg, "Internal error in nutorch");
        assert!(err.labels[0].text.contains("boom"));
    }
}
