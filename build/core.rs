//! nutorch-core's build script: the shared linking of build/link_libtorch.rs, plus
//! csrc/state.cpp (the random generators' state, grad_fn, storage identity: what tch does not
//! reach), csrc/scalar_ops.cpp (ops with the Scalar arguments tch's bindings leave out) and
//! csrc/indexing.cpp (Python-style indexing through at::indexing)
//! compiled against libtorch's headers, as torch-sys compiles its own shim.

#[path = "link_libtorch.rs"]
mod link_libtorch;

use std::path::PathBuf;

fn main() {
    link_libtorch::main();
    println!("cargo:rerun-if-changed=csrc/state.cpp");
    println!("cargo:rerun-if-changed=csrc/scalar_ops.cpp");
    println!("cargo:rerun-if-changed=csrc/indexing.cpp");
    println!("cargo:rerun-if-changed=csrc/shim.h");
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=LIBTORCH_CXX11_ABI");
    // The torch folder: LIBTORCH, else the parent of the lib directory torch-sys reports.
    let torch = std::env::var_os("LIBTORCH").map(PathBuf::from).or_else(|| {
        std::env::var_os("DEP_TCH_LIBTORCH_LIB").map(PathBuf::from).and_then(|lib| lib.parent().map(PathBuf::from))
    });
    let Some(torch) = torch else {
        panic!("neither LIBTORCH nor torch-sys's DEP_TCH_LIBTORCH_LIB says where libtorch is");
    };
    let abi = std::env::var("LIBTORCH_CXX11_ABI").unwrap_or_else(|_| "1".into());
    cc::Build::new()
        .cpp(true)
        .file("csrc/state.cpp")
        .file("csrc/scalar_ops.cpp")
        .file("csrc/indexing.cpp")
        .include(torch.join("include"))
        .include(torch.join("include/torch/csrc/api/include"))
        .flag("-std=c++17")
        .define("_GLIBCXX_USE_CXX11_ABI", abi.as_str())
        .warnings(false)
        .flag_if_supported("-w")
        .compile("nutorch_state");
}
