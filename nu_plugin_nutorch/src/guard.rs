//! The last line of defence: a panic inside a command becomes an error instead of killing
//! the plugin process (and every tensor it holds).

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
            Err(LabeledError::new("Internal error in nutorch")
                .with_label(message, span)
                .with_help("the plugin caught this and kept running; your tensors are intact. Please report it."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors() {
        let err = guard::<()>(Span::test_data(), || panic!("boom")).unwrap_err();
        assert_eq!(err.msg, "Internal error in nutorch");
        assert!(err.labels[0].text.contains("boom"));
    }
}
