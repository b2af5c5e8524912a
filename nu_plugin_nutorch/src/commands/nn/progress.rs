//! One progress line on stderr for long-running commands (Nushell gives plugins no progress
//! API): rewritten at most ten times a second, only when stderr is a terminal.

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

    pub fn report(&mut self, text: &str) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Some(Instant::now());
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
