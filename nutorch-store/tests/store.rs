//! The store on real files: spill, reload in a "restarted" process, LRU eviction, deletion,
//! damaged files and crashes mid-write, several shells.

use nutorch_core::tch::{Device, Kind, Tensor};
use nutorch_core::{tensor_from_data, tensor_to_data, Buffer, DType, Data};
use nutorch_store::{Residence, Store, StoreConfig};
use std::time::Duration;

fn config(dir: &std::path::Path) -> StoreConfig {
    StoreConfig { dir: dir.to_path_buf(), idle_spill: Duration::from_millis(200), memory_budget: None }
}

fn tensor(values: Buffer, shape: Vec<i64>, dtype: DType) -> Tensor {
    tensor_from_data(&Data { shape, values }, Some(dtype), Device::Cpu).unwrap()
}

/// The owner key of this test process: a live owner, whose part of the store is not reclaimed.
fn owner() -> String {
    nutorch_store::owner_key(std::process::id())
}

#[test]
fn every_dtype_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cases = vec![
        tensor(Buffer::Float(vec![0.1, -2.5, 1e30]), vec![3], DType::Float32),
        tensor(Buffer::Float(vec![0.1, -2.5, 1e300]), vec![3], DType::Float64),
        tensor(Buffer::Float(vec![1.0, 3.3, -2.5e-3]), vec![3], DType::BFloat16),
        tensor(Buffer::Float(vec![0.1, 65504.0]), vec![2], DType::Float16),
        tensor(Buffer::Int(vec![i64::MAX, i64::MIN, 0, 1]), vec![2, 2], DType::Int64),
        tensor(Buffer::Bool(vec![true, false, true]), vec![3], DType::Bool),
        tensor(Buffer::Int(vec![255, 0]), vec![2], DType::UInt8),
        Tensor::f_from_slice(&[1.0f32, 2.0, -3.0, 4.5])
            .unwrap()
            .f_reshape([2, 2])
            .unwrap()
            .f_view_as_complex()
            .unwrap(),
    ];
    let first = Store::open_as(config(dir.path()), owner());
    let ids: Vec<String> = cases.iter().map(|t| first.insert(t.copy())).collect();
    for id in &ids {
        first.retain(id).unwrap();
    }
    assert_eq!(first.spill_all().unwrap(), cases.len());
    assert_eq!(first.spill_all().unwrap(), 0, "nothing changed: nothing rewritten");
    drop(first);

    let second = Store::open_as(config(dir.path()), owner());
    // Listed from the files' headers, before any is loaded.
    let listed = second.list().unwrap();
    for (id, original) in ids.iter().zip(&cases) {
        let row = listed.iter().find(|r| &r.id == id).unwrap();
        assert_eq!((row.residence, &row.shape), (Residence::Disk, &original.size()));
        assert_eq!(row.dtype, DType::of(original).unwrap().name());
        assert_eq!(row.bytes as usize, original.numel() * DType::of(original).unwrap().element_size());
    }
    for (id, original) in ids.iter().zip(&cases) {
        let back = second.get(id).unwrap();
        assert_eq!(back.f_kind().unwrap(), original.f_kind().unwrap());
        assert_eq!(back.size(), original.size());
        assert!(back.f_equal(original).unwrap(), "values of {id} changed");
    }
}

#[test]
fn requires_grad_and_grad_survive() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let w = tensor(Buffer::Float(vec![1.0, 2.0]), vec![2], DType::Float32).f_requires_grad_(true).unwrap();
    w.f_mul(&w).unwrap().f_sum(Kind::Float).unwrap().f_backward().unwrap();
    let id = store.insert(w);
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let back = Store::open_as(config(dir.path()), owner()).get(&id).unwrap();
    assert!(back.requires_grad());
    assert_eq!(tensor_to_data(&back.f_grad().unwrap()).unwrap().values, Buffer::Float(vec![2.0, 4.0]));
}

#[test]
fn in_place_changes_are_spilled_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_zeros([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    let _ = store.get(&id).unwrap().f_fill_(7.0).unwrap();
    assert_eq!(store.spill_all().unwrap(), 1);
    drop(store);
    let back = Store::open_as(config(dir.path()), owner()).get(&id).unwrap();
    assert_eq!(tensor_to_data(&back).unwrap().values, Buffer::Float(vec![7.0; 4]));
}

#[test]
fn the_least_recently_used_are_evicted_beyond_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.memory_budget = Some(10_000); // room for two 4 KB tensors
    let store = Store::open_as(cfg, owner());
    let make = |v: f64| Tensor::f_full([1000], v, (Kind::Float, Device::Cpu)).unwrap();
    let a = store.insert(make(1.0));
    std::thread::sleep(Duration::from_millis(5));
    let b = store.insert(make(2.0));
    std::thread::sleep(Duration::from_millis(5));
    let c = store.insert(make(3.0));
    let where_is = |id: &str| store.list().unwrap().into_iter().find(|t| t.id == id).map(|t| t.residence);
    assert_eq!(where_is(&a), Some(Residence::Disk), "oldest should be on disk only");
    assert_eq!(where_is(&b), Some(Residence::Memory));
    assert_eq!(where_is(&c), Some(Residence::Memory));
    // Reloaded on use, with its values.
    let back = store.get(&a).unwrap();
    assert_eq!(back.f_sum(Kind::Double).unwrap().f_double_value(&[]).unwrap(), 1000.0);
    assert!(store.summary().unwrap().memory_bytes <= 10_000);
}

#[test]
fn a_dropped_tensor_leaves_memory_and_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    let file = dir.path().join("shells").join(owner()).join("tensors").join(format!("{id}.safetensors"));
    assert!(file.exists());
    store.release(&id).unwrap();
    assert!(!file.exists());
    assert!(store.get(&id).is_err());
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn a_release_after_restart_updates_the_disk_only_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    store.release(&id).unwrap();
    assert_eq!(store.list().unwrap().len(), 1, "one reference left");
    store.release(&id).unwrap();
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn a_damaged_file_fails_only_its_own_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let good = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    let bad = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    for id in [&good, &bad] {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);
    let tensors = dir.path().join("shells").join(owner()).join("tensors");
    let path = tensors.join(format!("{bad}.safetensors"));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();

    let store = Store::open_as(config(dir.path()), owner());
    let err = store.get(&bad).unwrap_err().to_string();
    assert!(err.contains(&bad) && err.contains("damaged"), "{err}");
    assert!(store.get(&good).is_ok());
    // The store keeps working: new tensors spill fine.
    let new = store.insert(Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&new).unwrap();
    store.spill_all().unwrap();
}

#[test]
fn a_crash_mid_write_leaves_a_consistent_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    // A process killed while writing a second tensor leaves only a temporary file: the index
    // never learned of it.
    let tensors = dir.path().join("shells").join(owner()).join("tensors");
    std::fs::write(tensors.join("0000-half-written.safetensors.tmp"), b"partial").unwrap();

    let store = Store::open_as(config(dir.path()), owner());
    let rows = store.list().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(store.get(&id).is_ok());
    assert!(!tensors.join("0000-half-written.safetensors.tmp").exists(), "temporaries are cleaned up");
}

#[test]
fn a_failed_write_is_an_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([8], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    let _ = store.get(&id).unwrap().f_fill_(5.0).unwrap();
    // Make the tensor directory unwritable (a file where the temporary would go).
    let tensors = dir.path().join("shells").join(owner()).join("tensors");
    std::fs::create_dir(tensors.join(format!("{id}.safetensors.tmp"))).unwrap();
    assert!(store.spill_all().is_err());
    assert_eq!(tensor_to_data(&store.get(&id).unwrap()).unwrap().values, Buffer::Float(vec![5.0; 8]));
    // What was stored before is still readable, marked out of date (a reload would say so).
    let on_disk = nutorch_store::read_tensor(&tensors.join(format!("{id}.safetensors.stale"))).unwrap();
    assert_eq!(tensor_to_data(&on_disk).unwrap().values, Buffer::Float(vec![1.0; 8]));
}

#[test]
fn two_shells_share_a_store_directory() {
    let dir = tempfile::tempdir().unwrap();
    let one = Store::open_as(config(dir.path()), owner());
    // Another live process: pid 1 always runs.
    let other = Store::open_as(config(dir.path()), nutorch_store::owner_key(1));
    let a = one.insert(Tensor::f_ones([2], (Kind::Float, Device::Cpu)).unwrap());
    let b = other.insert(Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap());
    one.retain(&a).unwrap();
    other.retain(&b).unwrap();
    one.spill_all().unwrap();
    other.spill_all().unwrap();
    assert_eq!(one.list().unwrap().len(), 1);
    assert_eq!(other.list().unwrap().len(), 1);
    // An id written down in one shell reads in the other.
    assert!(one.get(&b).is_ok());
}

#[test]
fn parts_of_exited_shells_are_reclaimed() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("shells").join("4000000000-1");
    std::fs::create_dir_all(gone.join("tensors")).unwrap();
    std::fs::write(gone.join("tensors").join("x.safetensors"), b"old").unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([2], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    assert!(!gone.exists(), "the dead shell's files should be gone");
}

#[test]
fn the_idle_spiller_writes_after_the_idle_delay() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open_as(config(dir.path()), owner()));
    store.start_idle_spiller();
    let id = {
        let _cmd = store.command();
        let id = store.insert(Tensor::f_ones([2], (Kind::Float, Device::Cpu)).unwrap());
        store.retain(&id).unwrap();
        id
    };
    let file = dir.path().join("shells").join(owner()).join("tensors").join(format!("{id}.safetensors"));
    assert!(!file.exists(), "nothing is written while commands run");
    std::thread::sleep(Duration::from_millis(800));
    assert!(file.exists(), "spilled after 200 ms idle");
}

#[test]
fn a_tensor_reloads_onto_the_device_it_came_from() {
    let device = test_device();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let t = tensor(Buffer::Float(vec![1.0, 3.140625]), vec![2], DType::BFloat16).f_to_device(device).unwrap();
    let id = store.insert(t);
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let back = Store::open_as(config(dir.path()), owner()).get(&id).unwrap();
    assert_eq!(back.device(), device);
    assert_eq!(tensor_to_data(&back).unwrap().values, Buffer::Float(vec![1.0, 3.140625]));
}

#[test]
fn two_loads_of_one_id_keep_both_retains() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    // While this retain's load has read the file but not inserted the tensor yet, another
    // call loads and retains the same id.
    let inner = id.clone();
    store.pause_at("load", move |s| s.retain(&inner).unwrap());
    store.retain(&id).unwrap();
    // 1 from before the restart + 2 now: three releases free it, not fewer.
    for _ in 0..2 {
        store.release(&id).unwrap();
        assert!(store.get(&id).is_ok(), "freed while references remain");
    }
    store.release(&id).unwrap();
    assert!(store.get(&id).is_err());
}

#[test]
fn a_release_to_zero_during_a_spill_leaves_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    // The spill has taken the tensor but not written it yet when its last value is dropped.
    let inner = id.clone();
    store.pause_at("spill", move |s| s.release(&inner).unwrap());
    store.spill_all().unwrap();
    let file = dir.path().join("shells").join(owner()).join("tensors").join(format!("{id}.safetensors"));
    assert!(!file.exists(), "a file was left for a freed id");
    assert!(store.list().unwrap().is_empty(), "an index entry was left for a freed id");
    drop(store);
    assert!(!Store::open_as(config(dir.path()), owner()).contains(&id));
}

#[test]
fn a_deletion_cut_short_never_brings_a_freed_tensor_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let id = store.insert(Tensor::f_ones([4], (Kind::Float, Device::Cpu)).unwrap());
    store.retain(&id).unwrap();
    store.spill_all().unwrap();
    let file = dir.path().join("shells").join(owner()).join("tensors").join(format!("{id}.safetensors"));
    let bytes = std::fs::read(&file).unwrap();
    store.release(&id).unwrap();
    drop(store);
    // Deletion removes the index entry first, then the file: a crash between the two leaves
    // the file alone. It must not make the freed id readable again.
    std::fs::write(&file, bytes).unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    assert!(!store.contains(&id));
    assert!(store.get(&id).is_err());
    assert!(!file.exists(), "the orphan file is removed when the store opens");
}

#[test]
fn a_graph_lost_in_a_restart_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let w = Tensor::f_ones([3], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
    let loss = w.f_mul(&w).unwrap().f_sum(Kind::Float).unwrap();
    let (w_id, loss_id) = (store.insert(w), store.insert(loss.shallow_clone()));
    store.retain(&w_id).unwrap();
    store.retain(&loss_id).unwrap();
    assert_eq!(store.keep_alive().len(), 1, "a graph keeps the plugin alive");
    assert!(store.needs_keep_alive());
    store.spill_all().unwrap();
    assert_eq!(store.keep_alive().len(), 1, "spilling does not free the graph");
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    let back = store.get(&loss_id).unwrap();
    assert!(!back.requires_grad(), "reloaded as plain data");
    let err = store.check_graph(&loss_id).unwrap_err().to_string();
    assert!(err.contains("autograd graph of this tensor was lost"), "{err}");
    assert!(store.check_graph(&w_id).is_ok(), "a leaf loses nothing");
    assert!(store.keep_alive().is_empty());
    assert!(!store.needs_keep_alive());
    // Still remembered after another write and restart.
    let _ = store.get(&loss_id).unwrap().f_fill_(2.0).unwrap();
    store.spill_all().unwrap();
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    let _ = store.get(&loss_id).unwrap();
    assert!(store.check_graph(&loss_id).is_err());
}

#[test]
fn backward_frees_the_graph_it_went_through() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let w = Tensor::f_ones([3], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
    let h = w.f_mul(&w).unwrap();
    let loss = h.f_sum(Kind::Float).unwrap();
    let other = w.f_add_scalar(1.0).unwrap();
    for t in [&h, &loss, &other] {
        let id = store.insert(t.shallow_clone());
        store.retain(&id).unwrap();
    }
    assert!(store.keep_alive()[0].starts_with("3 tensors"), "{:?}", store.keep_alive());
    loss.f_backward().unwrap();
    store.graph_freed_from(&loss);
    assert!(store.keep_alive()[0].starts_with("1 tensor "), "{:?}", store.keep_alive());
}

/// `NUTORCH_TEST_DEVICE` (e.g. cuda), cpu by default.
fn test_device() -> Device {
    let name = std::env::var("NUTORCH_TEST_DEVICE").unwrap_or_else(|_| "cpu".into());
    nutorch_core::device::parse_device(&name).unwrap()
}

fn values(t: &Tensor) -> Vec<f32> {
    Vec::<f32>::try_from(t.f_to_device(Device::Cpu).unwrap().f_contiguous().unwrap().f_view([-1]).unwrap()).unwrap()
}

fn stored_files(dir: &std::path::Path) -> Vec<String> {
    let tensors = dir.join("shells").join(owner()).join("tensors");
    let mut names: Vec<String> =
        std::fs::read_dir(tensors).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn views_reload_as_views_of_one_storage() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let x = Tensor::f_arange(6, (Kind::Float, test_device())).unwrap().f_view([2, 3]).unwrap();
    let v = x.f_view([6]).unwrap();
    let t = x.f_tr().unwrap().f_narrow(0, 1, 2).unwrap(); // strided, offset 1
    let alone = Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap();
    let ids: Vec<String> = [x, v, t, alone].into_iter().map(|t| store.insert(t)).collect();
    for id in &ids {
        store.retain(id).unwrap();
    }
    assert_eq!(store.spill_all().unwrap(), 4);
    let files = stored_files(dir.path());
    assert_eq!(files.len(), 2, "one file for the shared storage, one for the tensor alone: {files:?}");
    drop(store);

    for order in [[1usize, 0, 2], [2, 1, 0]] {
        let store = Store::open_as(config(dir.path()), owner());
        let mut got: [Option<Tensor>; 3] = [None, None, None];
        for i in order {
            got[i] = Some(store.get(&ids[i]).unwrap());
        }
        let [x, mut v, t] = got.map(Option::unwrap);
        assert_eq!(x.device(), test_device());
        assert_eq!(values(&t), [1.0, 4.0, 2.0, 5.0]);
        let _ = v.f_mul_scalar_(10.0).unwrap();
        assert_eq!(values(&x), [0.0, 10.0, 20.0, 30.0, 40.0, 50.0], "the view writes into its base");
        assert_eq!(values(&t), [10.0, 40.0, 20.0, 50.0]);
        for id in &ids {
            store.check_aliasing(id).unwrap();
        }
        let _ = v.f_div_scalar_(10.0).unwrap();
        drop(store);
    }
}

#[test]
fn a_view_reloads_over_its_live_base_and_writes_through_it_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let x = Tensor::f_zeros([2, 3], (Kind::Float, Device::Cpu)).unwrap();
    let v = x.f_view([6]).unwrap().f_narrow(0, 2, 3).unwrap();
    let ids: Vec<String> = [x, v].into_iter().map(|t| store.insert(t)).collect();
    for id in &ids {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);

    // Only the base comes back, is changed in place and written again: the view, still only on
    // disk, moves to the new file.
    let store = Store::open_as(config(dir.path()), owner());
    let mut x = store.get(&ids[0]).unwrap();
    let _ = x.f_fill_(2.0).unwrap();
    assert_eq!(store.spill_all().unwrap(), 1);
    assert_eq!(stored_files(dir.path()).len(), 1, "the old storage file is gone");
    drop(store);

    let store = Store::open_as(config(dir.path()), owner());
    let mut v = store.get(&ids[1]).unwrap();
    assert_eq!(values(&v), [2.0; 3]);
    let x = store.get(&ids[0]).unwrap();
    let _ = v.f_fill_(7.0).unwrap();
    assert_eq!(values(&x), [2.0, 2.0, 7.0, 7.0, 7.0, 2.0]);

    // Released one by one: the shared file stays while a tensor names it.
    store.release(&ids[0]).unwrap();
    store.spill_all().unwrap();
    assert_eq!(stored_files(dir.path()).len(), 1);
    store.release(&ids[1]).unwrap();
    assert!(stored_files(dir.path()).is_empty(), "{:?}", stored_files(dir.path()));
}

#[test]
fn a_base_freed_while_its_view_is_on_disk_leaves_the_view_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let x = Tensor::f_arange(4, (Kind::Int64, Device::Cpu)).unwrap();
    let v = x.f_narrow(0, 1, 2).unwrap();
    let ids: Vec<String> = [x, v].into_iter().map(|t| store.insert(t)).collect();
    for id in &ids {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    store.release(&ids[0]).unwrap(); // on disk only: its entry goes, the shared file stays
    let listed = store.list().unwrap();
    assert_eq!((listed.len(), &listed[0].shape, listed[0].bytes), (1, &vec![2i64], 16));
    let v = store.get(&ids[1]).unwrap();
    assert_eq!(Vec::<i64>::try_from(&v).unwrap(), [1, 2]);
}

#[test]
fn tensors_with_autograd_state_sharing_storage_say_their_aliasing_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let x = Tensor::f_zeros([2, 3], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
    let v = x.f_detach().unwrap().f_view([6]).unwrap();
    let alone = Tensor::f_zeros([2], (Kind::Float, Device::Cpu)).unwrap();
    let ids: Vec<String> = [x, v, alone].into_iter().map(|t| store.insert(t)).collect();
    for id in &ids {
        store.retain(id).unwrap();
    }
    store.spill_all().unwrap();
    drop(store);
    let store = Store::open_as(config(dir.path()), owner());
    for id in &ids {
        let _ = store.get(id).unwrap();
    }
    let err = store.check_aliasing(&ids[1]).unwrap_err().to_string();
    assert!(err.contains(&ids[0]) && err.contains("separate copies"), "{err}");
    assert!(store.check_aliasing(&ids[0]).unwrap_err().to_string().contains(&ids[1]));
    assert!(store.check_aliasing(&ids[2]).is_ok());
}

#[test]
fn the_random_state_and_grad_mode_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    nutorch_core::tch::manual_seed(3);
    let _ = Tensor::f_randn([2], (Kind::Float, Device::Cpu)).unwrap();
    store.set_session(nutorch_store::Session { grad_enabled: false });
    store.spill_all().unwrap();
    let expected = Vec::<f32>::try_from(Tensor::f_randn([4], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
    drop(store);
    nutorch_core::tch::manual_seed(99);
    let store = Store::open_as(config(dir.path()), owner());
    assert_eq!(store.restore_session().unwrap(), nutorch_store::Session { grad_enabled: false });
    let again = Vec::<f32>::try_from(Tensor::f_randn([4], (Kind::Float, Device::Cpu)).unwrap()).unwrap();
    assert_eq!(again, expected);
}

#[test]
fn a_tensor_with_a_live_graph_is_never_evicted() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    cfg.memory_budget = Some(6_000); // room for one 4 KB tensor
    let store = Store::open_as(cfg, owner());
    let w = Tensor::f_ones([1000], (Kind::Float, Device::Cpu)).unwrap().f_requires_grad_(true).unwrap();
    let h = store.insert(w.f_mul_scalar(2.0).unwrap());
    std::thread::sleep(Duration::from_millis(5));
    let other = store.insert(Tensor::f_ones([1000], (Kind::Float, Device::Cpu)).unwrap());
    let where_is = |id: &str| store.list().unwrap().into_iter().find(|t| t.id == id).map(|t| t.residence);
    assert_eq!(where_is(&h), Some(Residence::Memory), "the older tensor holds a graph");
    assert_eq!(where_is(&other), Some(Residence::Memory));
    assert!(store.check_graph(&h).is_ok());
}

#[test]
fn an_evicted_view_comes_back_over_the_storage_still_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_as(config(dir.path()), owner());
    let x = Tensor::f_zeros([4], (Kind::Float, test_device())).unwrap();
    let v = x.f_narrow(0, 1, 2).unwrap();
    let ids: Vec<String> = [x, v].into_iter().map(|t| store.insert(t)).collect();
    for id in &ids {
        store.retain(id).unwrap();
    }
    store.evict(&ids[1]).unwrap();
    assert_eq!(store.len(), 1, "the view left memory; its base stays");
    let mut v = store.get(&ids[1]).unwrap();
    let _ = v.f_fill_(3.0).unwrap();
    assert_eq!(values(&store.get(&ids[0]).unwrap()), [0.0, 3.0, 3.0, 0.0]);
}
