//! The store when things go wrong: a full disk, a read-only store, swapped and damaged files,
//! many threads at once, an index rewritten thousands of times, a spill of a big tensor while
//! commands arrive. Nothing is lost silently: what cannot be written keeps the plugin alive
//! and says so, and a reload never serves out-of-date or foreign data as the tensor's.

use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_core::{tensor_to_data, Buffer};
use nutorch_store::{Store, StoreConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn config(dir: &Path) -> StoreConfig {
    StoreConfig { dir: dir.to_path_buf(), idle_spill: Duration::from_millis(100), memory_budget: None }
}

fn owner() -> String {
    nutorch_store::owner_key(std::process::id())
}

fn floats(t: &Tensor) -> Vec<f64> {
    match tensor_to_data(t).unwrap().values {
        Buffer::Float(v) => v,
        other => panic!("{other:?}"),
    }
}

fn tensors_dir(root: &Path) -> PathBuf {
    root.join("shells").join(owner()).join("tensors")
}

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop. `None` (with the
/// reason printed) where mounting is not permitted.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                println!("skipped: cannot mount a tmpfs ({})", String::from_utf8_lossy(&o.stderr).trim());
                None
            }
            Err(e) => {
                println!("skipped: cannot run mount ({e})");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills what is left of the file system.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![1u8; 64 << 10];
        while f.write_all(&block).is_ok() {}
        let small = [1u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.sync_all();
    }

    fn unfill(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_loses_nothing_silently() {
    let Some(fs) = Tmpfs::mount("4m") else { return };
    let store = Store::open_as(config(fs.path()), owner());
    // Larger than the room the store keeps for its index (256 KiB).
    let n = 128 * 1024;
    let updated = store.insert(Tensor::f_full([n], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&updated).unwrap();
    assert_eq!(store.spill_all().unwrap(), 1);
    assert!(store.keep_alive().is_empty());

    fs.fill();
    let _ = store.get(&updated).unwrap().f_fill_(5.0).unwrap();
    let never = store.insert(Tensor::f_full([300_000], 2.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&never).unwrap();
    let err = store.spill_all().unwrap_err().to_string();
    // Reported, kept alive, and nothing in memory changed.
    assert!(store.write_error().is_some(), "{err}");
    let why = store.keep_alive().join("; ");
    assert!(why.contains("writing to the store failed") && why.contains("2 tensors"), "{why}");
    assert!(store.needs_keep_alive(), "a failed write keeps the plugin alive");
    assert_eq!(floats(&store.get(&updated).unwrap()), vec![5.0; n as usize]);
    // The plugin is stopping and its last spill fails too: recorded for the next process.
    assert!(store.spill_before_stop().is_err());
    drop(store);

    // The user makes room and the plugin starts again.
    fs.unfill();
    let next = Store::open_as(config(fs.path()), owner());
    let told = next.take_unreported_failure().expect("the next process reports the failed stop");
    assert!(told.contains(&updated) && told.contains(&never), "{told}");
    assert!(next.take_unreported_failure().is_none(), "reported once");
    let stale = next.get(&updated).unwrap_err().to_string();
    assert!(stale.contains(&updated) && stale.contains("last changes could not be written"), "{stale}");
    let lost = next.get(&never).unwrap_err().to_string();
    assert!(lost.contains(&never) && lost.contains("never written"), "{lost}");
}

#[test]
fn an_update_that_fails_to_write_is_written_once_there_is_room() {
    let Some(fs) = Tmpfs::mount("2m") else { return };
    let store = Store::open_as(config(fs.path()), owner());
    let id = store.insert(Tensor::f_full([64], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    fs.fill();
    let _ = store.get(&id).unwrap().f_fill_(7.0).unwrap();
    assert!(store.spill_all().is_err());
    fs.unfill();
    assert_eq!(store.spill_all().unwrap(), 1);
    let files: Vec<String> = std::fs::read_dir(tensors_dir(fs.path()))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec![format!("{id}.safetensors")], "the out-of-date file is gone");
    drop(store);
    assert_eq!(floats(&Store::open_as(config(fs.path()), owner()).get(&id).unwrap()), vec![7.0; 64]);
}

#[test]
fn a_background_spill_that_fails_is_reported_once_and_retried() {
    let Some(fs) = Tmpfs::mount("2m") else { return };
    let store = Arc::new(Store::open_as(config(fs.path()), owner()));
    let told = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&told);
    store.on_background_spill(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    fs.fill();
    store.start_idle_spiller();
    let id = {
        let _cmd = store.command();
        let id = store.insert(Tensor::f_full([64], 4.0, (Kind::Float, Device::Cpu)).unwrap());
        store.retain(&id).unwrap();
        id
    };
    std::thread::sleep(Duration::from_millis(600));
    assert!(told.load(std::sync::atomic::Ordering::SeqCst) >= 1, "the listener hears of the spill");
    let message = store.take_unreported_failure().expect("the next command is told");
    assert!(message.contains("could not write"), "{message}");
    assert!(store.take_unreported_failure().is_none());
    assert!(!store.keep_alive().is_empty());
    // Room again: the retry (every 5 s, without any command) writes it and lets go.
    fs.unfill();
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.write_error().is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(store.keep_alive().is_empty(), "{:?}", store.keep_alive());
    assert!(!store.needs_keep_alive());
    assert!(tensors_dir(fs.path()).join(format!("{id}.safetensors")).exists());
}

/// Bind-mounts `dir` over itself, read-only; undone on drop.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn make(dir: &Path) -> Option<ReadOnly> {
        let bind = Command::new("mount").arg("--bind").arg(dir).arg(dir).output().ok()?;
        if !bind.status.success() {
            println!("skipped: cannot bind-mount ({})", String::from_utf8_lossy(&bind.stderr).trim());
            return None;
        }
        let guard = ReadOnly(dir.to_path_buf());
        let ro = Command::new("mount").args(["-o", "remount,bind,ro"]).arg(dir).status().ok()?;
        ro.success().then_some(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_store_keeps_the_tensors_in_memory_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_full([16], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    let Some(read_only) = ReadOnly::make(&tensors_dir(dir.path())) else { return };
    let _ = store.get(&id).unwrap().f_fill_(2.0).unwrap();
    let new = store.insert(Tensor::f_full([16], 3.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&new).unwrap();
    let err = store.spill_all().unwrap_err().to_string();
    assert!(err.to_lowercase().contains("read-only"), "{err}");
    assert!(!store.keep_alive().is_empty());
    assert_eq!(floats(&store.get(&id).unwrap()), vec![2.0; 16]);
    assert_eq!(floats(&store.get(&new).unwrap()), vec![3.0; 16]);
    drop(read_only);
    assert_eq!(store.spill_all().unwrap(), 2);
    assert!(store.keep_alive().is_empty());
    drop(store);
    let back = Store::open_as(config(dir.path()), owner());
    assert_eq!(floats(&back.get(&id).unwrap()), vec![2.0; 16]);
    assert_eq!(floats(&back.get(&new).unwrap()), vec![3.0; 16]);
}

#[test]
fn swapped_and_flipped_files_are_errors_naming_the_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let make = |v: f64, n: i64| Tensor::f_full([n], v, (Kind::Float, Device::Cpu)).unwrap();
    let (a, b, c, d, good) = (
        store.insert(make(1.0, 8)),
        store.insert(make(2.0, 8)),
        store.insert(make(3.0, 3)),
        store.insert(make(4.0, 8)),
        store.insert(make(5.0, 8)),
    );
    for id in [&a, &b, &c, &d, &good] {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);
    let tensors = tensors_dir(dir.path());
    let file = |id: &str| tensors.join(format!("{id}.safetensors"));
    // a and b (same dtype and shape) swap files; c gets a's bytes (another shape).
    let (fa, fb) = (std::fs::read(file(&a)).unwrap(), std::fs::read(file(&b)).unwrap());
    std::fs::write(file(&a), &fb).unwrap();
    std::fs::write(file(&b), &fa).unwrap();
    std::fs::write(file(&c), &fa).unwrap();
    // One flipped bit in d's data.
    let mut fd = std::fs::read(file(&d)).unwrap();
    let last = fd.len() - 3;
    fd[last] ^= 0x10;
    std::fs::write(file(&d), &fd).unwrap();

    let store = Store::open_as(config(dir.path()), owner());
    for (id, holds) in [(&a, &b), (&b, &a), (&c, &a)] {
        let err = store.get(id).unwrap_err().to_string();
        assert!(err.contains(id.as_str()) && err.contains(&format!("data of tensor {holds}")), "{err}");
        assert!(err.contains("damaged or replaced"), "{err}");
    }
    let err = store.get(&d).unwrap_err().to_string();
    assert!(err.contains(&d) && err.contains("checksum"), "{err}");
    assert_eq!(floats(&store.get(&good).unwrap()), vec![5.0; 8], "the others are unaffected");
    // A file alone (no index) still carries its checksum.
    assert!(nutorch_store::read_tensor(&file(&d)).unwrap_err().to_string().contains("checksum"));
}

#[test]
fn store_files_and_directories_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let store = Store::open_as(config(&root), owner());
    let id = store.insert(Tensor::f_ones([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let _reopened = Store::open_as(config(&root), owner());
    let mut todo = vec![root.clone()];
    let mut seen = 0;
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let mode = e.metadata().unwrap().permissions().mode() & 0o777;
            if e.file_type().unwrap().is_dir() {
                assert_eq!(mode, 0o700, "{}", e.path().display());
                todo.push(e.path());
            } else {
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", e.path().display());
            }
            seen += 1;
        }
    }
    assert_eq!(std::fs::metadata(&root).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(seen > 5);
}

#[test]
fn the_index_stays_small_over_thousands_of_spills() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("shells").join(owner()).join("index");
    let cycles = 4000;
    let mut sizes = Vec::new();
    {
        let store = Store::open_as(config(dir.path()), owner());
        let id = store.insert(Tensor::f_zeros([16], (Kind::Float, Device::Cpu)).unwrap());
        store.retain(&id).unwrap();
        for i in 0..cycles {
            let _ = store.get(&id).unwrap().f_fill_(i as f64).unwrap();
            assert_eq!(store.spill_all().unwrap(), 1);
            if i % 500 == 499 {
                sizes.push(nutorch_store::dir_size(&index));
            }
        }
    }
    let reopened = Store::open_as(config(dir.path()), owner());
    let after_open = {
        reopened.list().unwrap();
        nutorch_store::dir_size(&index)
    };
    println!("index bytes every 500 spills: {sizes:?}; after reopening: {after_open}");
    // sled grows in 512 KiB segments and a reopen starts a new one: a bounded index stays
    // within a few segments however many spills there were (8,000 index writes here).
    let bound = 3 << 19;
    assert!(sizes.iter().all(|&s| s < bound), "{sizes:?}");
    assert!(after_open < bound, "{after_open}");
}

#[test]
fn sixteen_threads_on_shared_ids_stay_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let store = Arc::new(Store::open_as(cfg.clone(), owner()));
    let ids: Vec<String> = (0..8)
        .map(|i| {
            let id = store.insert(Tensor::f_full([1024], i as f64, (Kind::Float, Device::Cpu)).unwrap());
            store.retain(&id).unwrap();
            id
        })
        .collect();
    let ids = Arc::new(ids);
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    for thread in 0..16u64 {
        let (store, ids, done) = (Arc::clone(&store), Arc::clone(&ids), done_tx.clone());
        std::thread::spawn(move || {
            let mut seed = thread * 7919 + 1;
            let mut next = || {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 33) as usize
            };
            for _ in 0..150 {
                let id = &ids[next() % ids.len()];
                match next() % 6 {
                    0 => {
                        store.retain(id).unwrap();
                        store.release(id).unwrap();
                    }
                    1 => {
                        let t = store.get(id).unwrap();
                        let v = floats(&t);
                        // Every tensor holds one value throughout (replace and fill write whole).
                        assert!(v.iter().all(|x| *x == v[0]), "{id}: torn {:?}", &v[..4]);
                    }
                    2 => {
                        let _cmd = store.command();
                        store
                            .replace(
                                id,
                                Tensor::f_full([1024], (100 + thread) as f64, (Kind::Float, Device::Cpu)).unwrap(),
                            )
                            .unwrap();
                    }
                    3 => {
                        let _ = store.spill_all().unwrap();
                    }
                    4 => {
                        let t = store.get(id).unwrap();
                        assert_eq!(t.size(), [1024]);
                    }
                    _ => {
                        let _ = store.get(id).unwrap().f_fill_((200 + thread) as f64).unwrap();
                    }
                }
            }
            let _ = done.send(thread);
        });
    }
    drop(done_tx);
    for _ in 0..16 {
        done_rx.recv_timeout(Duration::from_secs(120)).expect("a thread is stuck (deadlock) or panicked");
    }
    // Every id survives with its one reference, and a restart reads what memory holds.
    store.spill_all().unwrap();
    let now: Vec<Vec<f64>> = ids.iter().map(|id| floats(&store.get(id).unwrap())).collect();
    drop(store);
    let back = Store::open_as(cfg, owner());
    for (id, values) in ids.iter().zip(&now) {
        assert_eq!(&floats(&back.get(id).unwrap()), values, "{id}");
        back.release(id).unwrap();
        assert!(back.get(id).is_err(), "{id} had more than one reference");
    }
}

#[test]
fn commands_go_on_while_a_big_tensor_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_as(config(dir.path()), owner()));
    let mb = 300;
    let big = {
        let _cmd = store.command();
        let id = store.insert(Tensor::f_rand([mb * 1024 * 1024 / 4], (Kind::Float, Device::Cpu)).unwrap());
        store.retain(&id).unwrap();
        id
    };
    let small = store.insert(Tensor::f_ones([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&small).unwrap();
    let tmp = tensors_dir(dir.path()).join(format!("{big}.safetensors.tmp"));
    store.start_idle_spiller();
    let started = Instant::now();
    while !tmp.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the spill never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(50));
    let during = Instant::now();
    {
        let _cmd = store.command();
        let t = store.get(&small).unwrap();
        let _ = t.f_add_scalar(1.0).unwrap();
    }
    let waited = during.elapsed();
    let still_writing = tmp.exists();
    while !tensors_dir(dir.path()).join(format!("{big}.safetensors")).exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the spill never ended");
        std::thread::sleep(Duration::from_millis(5));
    }
    println!("a command during a {mb} MB spill took {waited:?}; the spill took about {:?}", started.elapsed());
    assert!(still_writing, "the spill ended before the command: the test proves nothing");
    assert!(waited < Duration::from_millis(300), "the command waited {waited:?} for the spill");
}

#[test]
fn a_tensor_changed_during_its_write_is_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_full([8], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    let target = id.clone();
    store.pause_at("spill", move |s| {
        let _ = s.get(&target).unwrap().f_fill_(9.0).unwrap();
    });
    assert_eq!(store.spill_all().unwrap(), 0, "changed while written: not put in place");
    assert_eq!(store.spill_all().unwrap(), 1);
    drop(store);
    assert_eq!(floats(&Store::open_as(config(dir.path()), owner()).get(&id).unwrap()), vec![9.0; 8]);
}

/// A copy of the store as a process killed at this moment leaves it (everything flushed so
/// far; sled's files are consistent after each flush).
fn snapshot(root: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(root).arg(to).status().unwrap();
    assert!(status.success());
}

#[test]
fn a_process_killed_mid_write_leaves_no_old_state_passing_for_the_latest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let store = Store::open_as(config(&root), owner());
    let updated = store.insert(Tensor::f_full([8], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    let untouched = store.insert(Tensor::f_full([4], 3.0, (Kind::Float, Device::Cpu)).unwrap());
    for id in [&updated, &untouched] {
        store.retain(id).unwrap();
    }
    assert_eq!(store.spill_all().unwrap(), 2);
    let _ = store.get(&updated).unwrap().f_fill_(2.0).unwrap();
    let first = store.insert(Tensor::f_full([2], 5.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&first).unwrap();
    // The process "dies" as the spill begins writing its first tensor.
    let killed = dir.path().join("killed");
    let (from, to) = (root.clone(), killed.clone());
    store.pause_at("spill", move |_| snapshot(&from, &to));
    assert_eq!(store.spill_all().unwrap(), 2, "the live process writes both");

    let after_kill = Store::open_as(config(&killed), owner());
    let stale = after_kill.get(&updated).unwrap_err().to_string();
    assert!(stale.contains(&updated) && stale.contains("while writing its latest state"), "{stale}");
    assert!(stale.contains("last changes were lost") && stale.contains("nutorch load"), "{stale}");
    let lost = after_kill.get(&first).unwrap_err().to_string();
    assert!(lost.contains(&first) && lost.contains("for the first time"), "{lost}");
    assert_eq!(floats(&after_kill.get(&untouched).unwrap()), vec![3.0; 4], "the unchanged tensor is intact");
    let listed: Vec<(String, String)> = after_kill.list().unwrap().into_iter().map(|t| (t.id, t.dtype)).collect();
    assert!(listed.contains(&(first.clone(), "never written".into())), "{listed:?}");
    assert!(after_kill.free(&first).unwrap() && after_kill.free(&updated).unwrap());

    // The process that finished its spill left nothing marked.
    drop(store);
    let restarted = Store::open_as(config(&root), owner());
    assert_eq!(floats(&restarted.get(&updated).unwrap()), vec![2.0; 8]);
    assert_eq!(floats(&restarted.get(&first).unwrap()), vec![5.0; 2]);
}

#[test]
fn changes_made_while_tensors_are_evicted_are_never_lost() {
    // A budget of about two of the four tensors: every command's insert evicts another one
    // while eight threads change a base in place (through views too), differentiate into a
    // leaf and make new tensors. Every change must be in the final values.
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig { memory_budget: Some(9_000), ..config(dir.path()) };
    let store = Arc::new(Store::open_as(cfg, owner()));
    let x = Tensor::f_zeros([1000], (Kind::Float, Device::Cpu)).unwrap();
    let view = x.f_view([10, 100]).unwrap();
    let leaf = Tensor::f_ones([1000], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
    let other = Tensor::f_full([1000], 7.0, (Kind::Float, Device::Cpu)).unwrap();
    let ids: Vec<String> = [x, view, leaf, other]
        .into_iter()
        .map(|t| {
            let id = store.insert(t);
            store.retain(&id).unwrap();
            id
        })
        .collect();
    let ids = Arc::new(ids);
    // In-place adds to one tensor from two threads race in libtorch as in PyTorch: one at a time.
    let adding = Arc::new(std::sync::Mutex::new(()));
    let rounds = 120;
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    for thread in 0..8usize {
        let (store, ids, adding, done) = (Arc::clone(&store), Arc::clone(&ids), Arc::clone(&adding), done_tx.clone());
        std::thread::spawn(move || {
            for round in 0..rounds {
                let _cmd = store.command();
                match (round + thread) % 4 {
                    0 => {
                        let _one = adding.lock().unwrap();
                        let _ = store.get(&ids[0]).unwrap().f_add_scalar_(1.0).unwrap();
                    }
                    1 => {
                        let _one = adding.lock().unwrap();
                        let _ = store.get(&ids[1]).unwrap().f_add_scalar_(1.0).unwrap();
                    }
                    2 => {
                        let leaf = store.get(&ids[2]).unwrap();
                        leaf.f_mul_scalar(2.0).unwrap().f_sum(None::<Kind>).unwrap().f_backward().unwrap();
                    }
                    _ => {
                        let made = store.get(&ids[3]).unwrap().f_mul_scalar(2.0).unwrap();
                        let id = store.insert(made);
                        store.retain(&id).unwrap();
                        assert_eq!(floats(&store.get(&id).unwrap()), vec![14.0; 1000]);
                        store.release(&id).unwrap();
                    }
                }
            }
            let _ = done.send(thread);
        });
    }
    drop(done_tx);
    for _ in 0..8 {
        done_rx.recv_timeout(Duration::from_secs(300)).expect("a thread is stuck (deadlock) or panicked");
    }
    // Each of the two add kinds ran rounds * 8 / 4 times; the view adds to the base.
    let adds = (rounds * 8 / 4 * 2) as f64;
    let first = |id: &str| floats(&store.get(id).unwrap())[0];
    let grad = floats(&store.get(&ids[2]).unwrap().f_grad().unwrap())[0];
    let got = (first(&ids[0]), first(&ids[1]), grad, first(&ids[3]));
    assert_eq!(got, (adds, adds, 2.0 * (rounds * 8 / 4) as f64, 7.0));
}

#[test]
fn a_write_put_in_place_before_the_kill_is_the_state_served() {
    // The process dies after renaming the new files into place, before recording them: for a
    // first write (its entry only says the write began) and for a rewrite (the entry names the
    // old checksum), the file in place is the finished write.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let store = Store::open_as(config(&root), owner());
    let rewritten = store.insert(Tensor::f_full([8], 1.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&rewritten).unwrap();
    store.spill_all().unwrap();
    let _ = store.get(&rewritten).unwrap().f_fill_(2.0).unwrap();
    let first = store.insert(Tensor::f_full([3], 4.0, (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&first).unwrap();
    let killed = dir.path().join("killed");
    let (from, to) = (root.clone(), killed.clone());
    store.pause_at("spill", move |_| snapshot(&from, &to));
    store.spill_all().unwrap();
    for id in [&rewritten, &first] {
        let name = format!("{id}.safetensors");
        std::fs::copy(tensors_dir(&root).join(&name), tensors_dir(&killed).join(&name)).unwrap();
    }
    let after_kill = Store::open_as(config(&killed), owner());
    assert_eq!(floats(&after_kill.get(&rewritten).unwrap()), vec![2.0; 8]);
    assert_eq!(floats(&after_kill.get(&first).unwrap()), vec![4.0; 3]);
    // Its reference count came with the entry of the write that began: one release frees it.
    after_kill.release(&first).unwrap();
    assert!(!after_kill.contains(&first));
}

#[test]
fn a_damaged_index_is_rebuilt_from_the_tensor_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let own = store.insert(Tensor::f_full([5], 6.0, (Kind::Float, Device::Cpu)).unwrap());
    let base = Tensor::f_arange(6, (Kind::Float, Device::Cpu)).unwrap();
    let view = base.f_view([2, 3]).unwrap();
    let (base, view) = (store.insert(base), store.insert(view));
    for id in [&own, &base, &view] {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);
    let index = dir.path().join("shells").join(owner()).join("index");
    for file in std::fs::read_dir(&index).unwrap().flatten().filter(|f| f.path().is_file()) {
        std::fs::write(file.path(), b"not a sled file at all").unwrap();
    }

    let store = Store::open_as(config(dir.path()), owner());
    assert_eq!(floats(&store.get(&own).unwrap()), vec![6.0; 5]);
    let told = store.take_unreported_failure().expect("the rebuild is reported");
    assert!(told.contains("index was damaged") && told.contains("1 tensor found"), "{told}");
    // Views of a shared storage had their places only in the index: gone, and said so.
    assert!(store.get(&view).is_err() && store.get(&base).is_err());
    // The recovered tensor is kept whatever Nushell drops (its count is unknown).
    store.release(&own).unwrap();
    store.spill_all().unwrap();
    assert_eq!(floats(&store.get(&own).unwrap()), vec![6.0; 5]);
    let aside = std::fs::read_dir(index.parent().unwrap())
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("index.damaged-"));
    assert!(aside, "the damaged index is kept beside the new one");
}
