//! What long-running commands share: one progress line on stderr (Nushell gives plugins no
//! progress API), rewritten at most ten times a second and only when stderr is a terminal;
//! and a thread count for the length of a call.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: &'static str,
    enabled: bool,
    last: Option<Instant>,
    shown: bool,
}

impl Progress {
    /// A progress line for `label`; `wanted` false (--quiet) or a non-terminal stderr turn it off.
    pub fn new(label: &'static str, wanted: bool) -> Progress {
        Progress { label, enabled: wanted && std::io::stderr().is_terminal(), last: None, shown: false }
    }

    /// Shows `text()` if a line is due; the text is made only then (it may read a loss off
    /// a GPU, which waits for the GPU).
    pub fn report(&mut self, text: impl FnOnce() -> String) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(Instant::now());
        let text = text();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}: {text}", self.label);
        let _ = err.flush();
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }
}

/// torch.set_num_threads for the length of a call.
pub struct ThreadCount(i32);

impl ThreadCount {
    pub fn set(n: i32) -> ThreadCount {
        let previous = nutorch_core::tch::get_num_threads();
        nutorch_core::tch::set_num_threads(n);
        ThreadCount(previous)
    }
}

impl Drop for ThreadCount {
    fn drop(&mut self) {
        if self.0 > 0 {
            nutorch_core::tch::set_num_threads(self.0);
        }
    }
}

/// `--threads N`: torch.set_num_threads(N) until the returned guard is dropped.
pub fn threads_flag(call: &nu_plugin::EvaluatedCall) -> Result<Option<ThreadCount>, nu_protocol::LabeledError> {
    match call.get_flag::<nu_protocol::Spanned<i64>>("threads")? {
        None => Ok(None),
        Some(n) if !(1..=1024).contains(&n.item) => {
            Err(crate::errors::invalid(format!("--threads must be between 1 and 1024, got {}", n.item), n.span))
        }
        Some(n) => Ok(Some(ThreadCount::set(n.item as i32))),
    }
}
