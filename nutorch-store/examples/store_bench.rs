//! Store throughput next to `dd` on the same disk, in one run:
//!   cargo run --release -p nutorch-store --example store_bench -- [dir] [MiB]
//! Spill (write whole + fsync + rename + index) and reload of one big float32 tensor, then
//! dd writing and reading the same number of bytes (conv=fsync), then first access after a
//! "restart" (a new Store on the same directory) for 1 MB and 100 MB tensors.

use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_store::{Store, StoreConfig};
use std::process::Command;
use std::time::{Duration, Instant};

fn secs<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

fn drop_page_cache_hint() {
    // Without root to drop caches, reads may come from the page cache; say so in the output.
    let _ = Command::new("sync").status();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let mib: i64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let config =
        StoreConfig { dir: dir.path().to_path_buf(), idle_spill: Duration::from_secs(3600), memory_budget: None };
    let owner = nutorch_store::owner_key(std::process::id());
    let bytes = (mib as f64) * 1024.0 * 1024.0;

    let store = Store::open_as(config.clone(), owner.clone());
    let big = Tensor::f_rand([mib * 1024 * 1024 / 4], (Kind::Float, Device::Cpu)).expect("tensor");
    let id = store.insert(big);
    store.retain(&id).expect("retain");
    let (_, spill) = secs(|| store.spill_all().expect("spill"));
    drop(store);
    drop_page_cache_hint();
    let reopened = Store::open_as(config.clone(), owner.clone());
    let (_, reload) = secs(|| reopened.get(&id).expect("reload"));
    drop(reopened);

    let dd_file = dir.path().join("dd.bin");
    let (_, dd_write) = secs(|| {
        Command::new("dd")
            .args([
                "if=/dev/zero",
                &format!("of={}", dd_file.display()),
                "bs=1M",
                &format!("count={mib}"),
                "conv=fsync",
            ])
            .output()
            .expect("dd write")
    });
    let (_, dd_read) = secs(|| {
        Command::new("dd")
            .args([&format!("if={}", dd_file.display()), "of=/dev/null", "bs=1M"])
            .output()
            .expect("dd read")
    });

    println!("size: {mib} MiB (float32), dir: {}", base.display());
    println!("| what | seconds | GiB/s |");
    println!("|---|---|---|");
    for (what, s) in [
        ("nutorch spill (write+fsync+rename+index)", spill),
        ("dd write (conv=fsync)", dd_write),
        ("nutorch reload (read+parse+tensor)", reload),
        ("dd read", dd_read),
    ] {
        println!("| {what} | {s:.3} | {:.2} |", bytes / s / (1u64 << 30) as f64);
    }

    for (label, elems) in [("1 MB", 250_000i64), ("100 MB", 25_000_000)] {
        let store = Store::open_as(config.clone(), owner.clone());
        let id = store.insert(Tensor::f_rand([elems], (Kind::Float, Device::Cpu)).expect("tensor"));
        store.retain(&id).expect("retain");
        store.spill_all().expect("spill");
        drop(store);
        let (store, open) = secs(|| Store::open_as(config.clone(), owner.clone()));
        let (_, first) = secs(|| store.get(&id).expect("first access"));
        let (_, second) = secs(|| store.get(&id).expect("second access"));
        println!(
            "first access after restart, {label}: {:.1} ms (store open {:.3} ms, then in memory: {:.3} ms)",
            first * 1e3,
            open * 1e3,
            second * 1e3
        );
    }
}
