//! nutorch-core's build script: the shared linking of build/link_libtorch.rs, plus
//! csrc/state.cpp (the random generators' state, grad_fn, storage identity: what tch does not
//! reach), csrc/scalar_ops.cpp (ops with the Scalar arguments tch's bindings leave out) and
//! csrc/indexing.cpp (Python-style indexing through at::indexing), csrc/foreach.cpp (the
//! multi-tensor ops the optimizers update with) and csrc/cuda_graph.cpp (CUDA graphs, built in
//! when libtorch has its CUDA headers and the CUDA runtime's headers are found)
//! compiled against libtorch's headers, as torch-sys compiles its own shim.

#[path = "link_libtorch.rs"]
mod link_libtorch;

use std::path::PathBuf;

fn main() {
    link_libtorch::main();
    println!("cargo:rerun-if-changed=csrc/state.cpp");
    println!("cargo:rerun-if-changed=csrc/scalar_ops.cpp");
    println!("cargo:rerun-if-changed=csrc/indexing.cpp");
    println!("cargo:rerun-if-changed=csrc/foreach.cpp");
    println!("cargo:rerun-if-changed=csrc/cuda_graph.cpp");
    println!("cargo:rerun-if-env-changed=CUDA_HOME");
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
    let base = || {
        let mut build = cc::Build::new();
        build
            .cpp(true)
            .include(torch.join("include"))
            .include(torch.join("include/torch/csrc/api/include"))
            .flag("-std=c++17")
            .define("_GLIBCXX_USE_CXX11_ABI", abi.as_str())
            .warnings(false)
            .flag_if_supported("-w");
        build
    };
    let mut build = base();
    // CUDA graphs when their headers compile here (tried on their own first: without them
    // the shim's calls say graphs are not available, and everything else works).
    if let Some(includes) = cuda_graph_headers(&torch) {
        let mut probe = base();
        probe.define("NUTORCH_CUDA_GRAPHS", None).file("csrc/cuda_graph.cpp").cargo_metadata(false);
        for dir in &includes {
            probe.include(dir);
        }
        if probe.try_compile("nutorch_cuda_graph_probe").is_ok() {
            build.define("NUTORCH_CUDA_GRAPHS", None);
            for dir in &includes {
                build.include(dir);
            }
        } else {
            println!(
                "cargo:warning=CUDA graphs left out: csrc/cuda_graph.cpp does not compile with the CUDA headers found"
            );
        }
    }
    build
        .file("csrc/state.cpp")
        .file("csrc/scalar_ops.cpp")
        .file("csrc/indexing.cpp")
        .file("csrc/foreach.cpp")
        .file("csrc/cuda_graph.cpp")
        .compile("nutorch_state");
}

/// The include folders CUDA graphs need, when libtorch is a CUDA build with its graph header:
/// the CUDA runtime's headers (PyPI's CUDA wheels bring them in `nvidia/<cuda>/include` beside
/// `torch/`; else CUDA_HOME's) and, when those lack the `crt/` headers they include (the runtime
/// wheel leaves them to the compiler's wheel), the copy in triton's wheel (a dependency of
/// PyPI's torch). `None`: CUDA graphs are left out of this build.
fn cuda_graph_headers(torch: &std::path::Path) -> Option<Vec<PathBuf>> {
    if !torch.join("include/ATen/cuda/CUDAGraph.h").exists() || !torch.join("lib/libtorch_cuda.so").exists() {
        return None;
    }
    let site = torch.parent()?;
    let mut candidates = Vec::new();
    for entry in std::fs::read_dir(site.join("nvidia")).into_iter().flatten().flatten() {
        candidates.push(entry.path().join("include"));
    }
    candidates.sort();
    if let Some(home) = std::env::var_os("CUDA_HOME") {
        candidates.push(PathBuf::from(home).join("include"));
    }
    let runtime = candidates.into_iter().find(|dir| dir.join("cuda_runtime_api.h").exists())?;
    let mut includes = vec![runtime.clone()];
    if !runtime.join("crt/host_config.h").exists() {
        let triton = site.join("triton/backends/nvidia/include");
        if !triton.join("crt/host_config.h").exists() {
            return None;
        }
        includes.push(triton);
    }
    Some(includes)
}
