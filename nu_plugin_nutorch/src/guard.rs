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

/// Runs an op, turning tch's refusal panics (see `torch_refusal`) into the op's error, so that
/// the error is blamed on an argument as other libtorch errors are. Other panics go on to
/// `guard`.
pub fn refusals_as_errors<T>(
    op: impl FnOnce() -> Result<T, nutorch_core::catalog::OpError>,
) -> Result<T, nutorch_core::catalog::OpError> {
    match catch_unwind(AssertUnwindSafe(op)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload.downcast_ref::<String>().map(String::as_str).unwrap_or_default();
            match torch_refusal(message) {
                Some(torch) => Err(nutorch_core::Error::Torch(torch).into()),
                None => std::panic::resume_unwind(payload),
            }
        }
    }
}

/// Keeps Rust's panic report off the terminal for tch's refusal panics (see `torch_refusal`):
/// `guard` reports them as the PyTorch error they are, and the default report would add the
/// panic's location and libtorch's whole C++ backtrace above it. Every other panic is reported
/// as before.
pub fn quiet_torch_refusal_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_tch = info.location().is_some_and(|l| l.file().contains("tch") && l.file().ends_with("scalar.rs"));
        let message = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or_default();
        if !(in_tch && torch_refusal(message).is_some()) {
            default(info);
        }
    }));
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
