//! Build script shared by every crate whose binaries (plugin, tests, examples) load libtorch.
//!
//! 1. An rpath to libtorch's lib directory, so that the binaries run without LD_LIBRARY_PATH:
//!    Nushell starts the plugin itself, with no say over its environment.
//! 2. `--no-as-needed` for libtorch_cuda: nothing references its symbols directly, so the
//!    linker's default `--as-needed` would drop it and CUDA would look absent on a GPU machine.
//!
//! `DEP_TCH_LIBTORCH_LIB` comes from torch-sys (links = "tch"), which is why each of these
//! crates depends on torch-sys directly.

use std::path::Path;

pub fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Ok(lib_dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        println!("cargo:warning=torch-sys did not report libtorch's lib directory; binaries will need LD_LIBRARY_PATH");
        return;
    };
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");
    let dir = Path::new(&lib_dir);
    let mut libs = vec!["torch_cpu", "torch"];
    if dir.join("libtorch_cuda.so").exists() {
        libs.push("torch_cuda");
    }
    println!("cargo:rustc-link-arg=-L{lib_dir}");
    println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
    for lib in libs {
        println!("cargo:rustc-link-arg=-l{lib}");
    }
    println!("cargo:rustc-link-arg=-Wl,--as-needed");
}
