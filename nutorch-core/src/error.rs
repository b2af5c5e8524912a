//! The one error type of nutorch's libraries (core, store, nn).

/// Everything that can go wrong below the plugin. Each variant carries a message meant for a
/// user; the plugin turns it into a labelled error pointing at the offending argument.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error reported by libtorch, with its message (C++ backtrace removed).
    #[error("{0}")]
    Torch(String),
    /// An unknown dtype name.
    #[error("{0}")]
    DType(String),
    /// A malformed or unavailable device.
    #[error("{0}")]
    Device(String),
    /// A value that cannot become a tensor, or a tensor that cannot become plain data.
    #[error("{0}")]
    Value(String),
    /// An argument out of its allowed range (negative size, too few repeat sizes, ...).
    #[error("{0}")]
    Argument(String),
    /// A tensor id that neither memory nor the store knows.
    #[error("{0}")]
    NotFound(String),
    /// A failure of the on-disk store (file or index).
    #[error("{0}")]
    Store(String),
    /// An I/O error, with what was being done.
    #[error("{0}")]
    Io(String),
    /// An I/O error that keeps its cause: what was being done, then the OS's message
    /// (see [`Error::io`]).
    #[error("{context}: {source}")]
    File {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A failure of a library under the store or the model files (sled, safetensors) that
    /// keeps its cause: what was being done, then the library's message (see [`Error::store`]).
    #[error("{context}: {source}")]
    Library {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Another error with what was being done in front of it: `tensor 3f2a…: reading …`
    /// (see [`Error::context`]). It is an error of the same kind as the one inside.
    #[error("{context}: {source}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// An I/O error with what was being done (`"writing /x/y.tmp"`).
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::File { context: context.into(), source }
    }

    /// A sled or safetensors error with what was being done (`"opening the index"`).
    pub fn store(context: impl Into<String>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::Library { context: context.into(), source: source.into() }
    }

    /// This error with `context` in front of its message, its kind unchanged: the one way to
    /// prefix a message (instead of rebuilding each variant).
    pub fn context(self, context: impl Into<String>) -> Error {
        Error::Context { context: context.into(), source: Box::new(self) }
    }

    /// The error under every [`Error::Context`]: what kind of error this is.
    pub fn root(&self) -> &Error {
        match self {
            Error::Context { source, .. } => source.root(),
            other => other,
        }
    }
}

/// `.context(...)` on results: prefixes the error's message with what was being done.
pub trait Context<T> {
    fn context(self, context: impl Into<String>) -> Result<T>;
    /// As `context`, the text built only when there is an error.
    fn with_context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }

    fn with_context<C: Into<String>>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| e.into().context(context()))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<tch::TchError> for Error {
    fn from(err: tch::TchError) -> Self {
        Error::Torch(clean_torch_message(&err.to_string()))
    }
}

/// libtorch messages end in a C++ backtrace ("Exception raised from ..."); a user needs only
/// the first part. tch also prefixes its own wrapper text, which we drop.
pub fn clean_torch_message(message: &str) -> String {
    let message = message.strip_prefix("Internal torch error: ").unwrap_or(message);
    let head = match message.find("\nException raised from") {
        Some(at) => &message[..at],
        None => message,
    };
    head.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_messages_lose_their_backtrace() {
        let raw = "Internal torch error: The size of tensor a (3) must match the size of tensor b (4)\nException raised from infer_size_impl at ...\nframe #0: ...";
        assert_eq!(clean_torch_message(raw), "The size of tensor a (3) must match the size of tensor b (4)");
    }

    #[test]
    fn context_prefixes_the_message_and_keeps_kind_and_cause() {
        use std::error::Error as _;
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err: Result<()> = Err(Error::io("reading /s/t.safetensors", missing));
        let err = err.context("tensor 3f2a").unwrap_err();
        assert_eq!(err.to_string(), "tensor 3f2a: reading /s/t.safetensors: no such file");
        assert!(matches!(err.root(), Error::File { .. }));
        let io = err.source().and_then(|e| e.source()).and_then(|e| e.downcast_ref::<std::io::Error>());
        assert_eq!(io.map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
        let plain = Error::Device("cuda:3 is not available".into()).context("tensor 3f2a");
        assert_eq!(plain.to_string(), "tensor 3f2a: cuda:3 is not available");
        assert!(matches!(plain.root(), Error::Device(_)));
    }
}
