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

/// The error a C++ shim wrote into `err` (a NUL-terminated C++ exception text).
pub(crate) fn shim_error(err: &[u8]) -> Error {
    let end = err.iter().position(|&b| b == 0).unwrap_or(err.len());
    Error::Torch(clean_torch_message(&String::from_utf8_lossy(&err[..end])))
}

/// libtorch messages end in a C++ backtrace ("Exception raised from ...", or bare "frame #0"
/// lines after an allocator's enforce failure); a user needs only the first part. tch also
/// prefixes its own wrapper text, which we drop. An allocation failure becomes one line that
/// says how much was asked for and how much there is.
pub fn clean_torch_message(message: &str) -> String {
    let message = message.strip_prefix("Internal torch error: ").unwrap_or(message);
    let end = ["\nException raised from", "\nframe #"].iter().filter_map(|m| message.find(m)).min();
    // What is left may still span lines ("unflatten got an unexpected error:\nDimension ...");
    // an error is one line.
    let head = message[..end.unwrap_or(message.len())]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    out_of_memory(&head).unwrap_or(head)
}

/// "out of memory: this needs 400 GB on cpu (21.3 GB available)" for libtorch's CPU and CUDA
/// allocation failures; `None` for other messages.
fn out_of_memory(message: &str) -> Option<String> {
    const CPU: &str = "can't allocate memory: you tried to allocate ";
    if let Some(at) = message.find(CPU) {
        let bytes: u64 = message[at + CPU.len()..].split(' ').next()?.parse().ok()?;
        let available = available_memory().map(|b| format!(" ({} available)", human_bytes(b))).unwrap_or_default();
        return Some(format!("out of memory: this needs {} on cpu{available}", human_bytes(bytes)));
    }
    // "CUDA out of memory. Tried to allocate 372.53 GiB. GPU 0 has a total capacity of 139.81 GiB
    // of which 138.96 GiB is free. ..."
    let rest = message.split("CUDA out of memory. Tried to allocate ").nth(1)?;
    let (asked, rest) = rest.split_once(". GPU ")?;
    let (gpu, rest) = rest.split_once(' ')?;
    let total = rest.split("total capacity of ").nth(1)?.split(" of which").next()?;
    let free = rest.split(" of which ").nth(1)?.split(" is free").next()?;
    Some(format!("out of memory: this needs {asked} on cuda:{gpu} ({free} free of {total})"))
}

/// MemAvailable from /proc/meminfo, in bytes (Linux).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn human_bytes(bytes: u64) -> String {
    let units = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in units {
        if bytes as f64 >= size {
            let value = bytes as f64 / size;
            let text = if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") };
            return format!("{} {unit}", text.trim_end_matches(".0"));
        }
    }
    format!("{bytes} B")
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
    fn messages_of_several_lines_become_one() {
        let raw = "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions\nException raised from ...";
        assert_eq!(
            clean_torch_message(raw),
            "unflatten got an unexpected error: Dimension specified as 0 but tensor has no dimensions"
        );
    }

    #[test]
    fn allocation_failures_are_one_line() {
        let cpu = "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried \
                   to allocate 400000000000 bytes. Error code 12 (Cannot allocate memory)\nframe #0: c10::ThrowEnforceNotMet";
        let text = clean_torch_message(cpu);
        assert!(
            text.starts_with("out of memory: this needs 400 GB on cpu (") && text.ends_with(" available)"),
            "{text}"
        );
        let cuda =
            "CUDA out of memory. Tried to allocate 372.53 GiB. GPU 0 has a total capacity of 139.81 GiB of which \
                    138.96 GiB is free. Including non-PyTorch memory, this process has 868.00 MiB memory in use.\n\
                    Exception raised from malloc at ...";
        assert_eq!(
            clean_torch_message(cuda),
            "out of memory: this needs 372.53 GiB on cuda:0 (138.96 GiB free of 139.81 GiB)"
        );
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_bytes(2_000_000_000), "2 GB");
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
