//! Which shell owns a set of stored tensors, and whether that shell still runs.
//!
//! Nushell starts the plugin as its child, so the parent process is the shell. Its pid plus
//! start time (to survive pid reuse) names the shell's part of the store: a restarted plugin
//! of the same shell finds its tensors; two shells never share a sled directory (sled locks
//! it); and the files of shells that exited can be recognised and reclaimed.

use std::path::Path;

/// `<pid>-<start time>` of a process, or `<pid>` where the start time is unknown.
pub fn owner_key(pid: u32) -> String {
    match start_time(pid) {
        Some(t) => format!("{pid}-{t}"),
        None => pid.to_string(),
    }
}

/// The owner key of this process's parent (the nu shell).
pub fn parent_owner_key() -> String {
    owner_key(std::os::unix::process::parent_id())
}

/// Whether the process a key names is still running (same pid and start time).
pub fn is_alive(key: &str) -> bool {
    let Some(pid) = key.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { return false };
    if !Path::new(&format!("/proc/{pid}")).exists() {
        // No /proc (not Linux): assume alive; age-based reclaim still applies.
        return !Path::new("/proc/self").exists();
    }
    owner_key(pid) == key
}

/// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces; fields after it follow the last ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_changed_start_time_is_not() {
        let me = owner_key(std::process::id());
        assert!(is_alive(&me));
        let pid = std::process::id();
        assert!(!is_alive(&format!("{pid}-1")));
        assert!(!is_alive("4000000000-5"));
    }
}
