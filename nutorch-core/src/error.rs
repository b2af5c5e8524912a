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
}
