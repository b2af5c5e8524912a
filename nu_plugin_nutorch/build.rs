//! The plugin's build script: libtorch's rpath and link flags (the workspace's shared
//! build/link_libtorch.rs), then the versions `nutorch version` reports, taken from what the
//! build uses rather than written out by hand:
//! - `NUTORCH_LIBTORCH_VERSION`: the libtorch the plugin is built against, from its headers;
//! - `NUTORCH_NUSHELL_VERSION`: the nu-plugin crate the plugin speaks the protocol of, from
//!   the workspace's Cargo.lock.

#[path = "../build/link_libtorch.rs"]
mod link_libtorch;

use std::path::{Path, PathBuf};

fn main() {
    link_libtorch::main();
    let libtorch = std::env::var("DEP_TCH_LIBTORCH_LIB").ok().and_then(|lib| libtorch_version(Path::new(&lib)));
    println!("cargo:rustc-env=NUTORCH_LIBTORCH_VERSION={}", known(libtorch, "libtorch"));
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let lock = manifest_dir.join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let nushell = std::fs::read_to_string(&lock).ok().and_then(|text| locked_version(&text, "nu-plugin"));
    println!("cargo:rustc-env=NUTORCH_NUSHELL_VERSION={}", known(nushell, "nu-plugin"));
}

fn known(version: Option<String>, what: &str) -> String {
    version.unwrap_or_else(|| {
        println!("cargo:warning=could not tell the {what} version; `nutorch version` will say unknown");
        "unknown".into()
    })
}

/// `major.minor.patch` from libtorch's version header (`TORCH_VERSION_MAJOR 2` ...), which
/// lies in `include/` next to the `lib/` directory torch-sys links.
fn libtorch_version(lib_dir: &Path) -> Option<String> {
    let include = lib_dir.parent()?.join("include/torch");
    let header = ["headeronly/version.h", "csrc/api/include/torch/version.h"]
        .iter()
        .map(|h| include.join(h))
        .find(|h| std::fs::read_to_string(h).is_ok_and(|text| text.contains("TORCH_VERSION_MAJOR")))?;
    println!("cargo:rerun-if-changed={}", header.display());
    let text = std::fs::read_to_string(&header).ok()?;
    let part = |name: &str| -> Option<String> {
        text.lines().find_map(|line| {
            let rest = line.trim().strip_prefix("#define ")?.strip_prefix(name)?;
            let value = rest.trim();
            (!value.is_empty() && value.chars().all(|c| c.is_ascii_digit())).then(|| value.to_string())
        })
    };
    Some(format!("{}.{}.{}", part("TORCH_VERSION_MAJOR")?, part("TORCH_VERSION_MINOR")?, part("TORCH_VERSION_PATCH")?))
}

/// The version Cargo.lock records for `package` (`[[package]]`, `name = "..."`, `version = "..."`).
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    lines.find(|line| line.trim() == name_line)?;
    let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
    Some(version.to_string())
}
