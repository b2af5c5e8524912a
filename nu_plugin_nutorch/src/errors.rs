//! nutorch errors as Nushell's labelled errors, pointing at the argument that caused them.

use nu_protocol::{LabeledError, Span};
use nutorch_core::Error;

/// A title for the error box, by kind of mistake (context in front does not change it).
fn title(err: &Error) -> &'static str {
    match err {
        Error::Torch(_) => "PyTorch error",
        Error::DType(_) => "Invalid dtype",
        Error::Device(_) => "Invalid device",
        Error::Value(_) => "Invalid value",
        Error::Argument(_) => "Invalid argument",
        Error::NotFound(_) => "Tensor not found",
        Error::Store(_) => "Tensor store error",
        Error::Io(_) | Error::File { .. } => "I/O error",
        Error::Library { .. } => "Tensor store error",
        Error::Context { source, .. } => title(source),
    }
}

/// Labels `err` at `span` (the offending argument, or the call head when no argument is to blame).
pub fn labeled(err: Error, span: Span) -> LabeledError {
    LabeledError::new(title(&err)).with_label(err.to_string(), span)
}

/// Extension for results of the libraries: `.at(span)?` in command code.
pub trait At<T> {
    fn at(self, span: Span) -> Result<T, LabeledError>;
}

impl<T> At<T> for Result<T, Error> {
    fn at(self, span: Span) -> Result<T, LabeledError> {
        self.map_err(|e| labeled(e, span))
    }
}

impl<T> At<T> for Result<T, nutorch_core::tch::TchError> {
    fn at(self, span: Span) -> Result<T, LabeledError> {
        self.map_err(|e| labeled(Error::from(e), span))
    }
}

/// A plain argument error at `span`.
pub fn invalid(message: impl Into<String>, span: Span) -> LabeledError {
    LabeledError::new("Invalid argument").with_label(message, span)
}
