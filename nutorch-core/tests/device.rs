//! Creation and conversion on the test device (`NUTORCH_TEST_DEVICE`, cpu by default; the GPU
//! machine runs this with `cuda`).

use nutorch_core::device::{cuda_device_count, device_name, parse_device};
use nutorch_core::tch::Device;
use nutorch_core::{creation, tensor_from_data, tensor_to_data, Buffer, DType, Data, Number};

fn test_device() -> Device {
    let name = std::env::var("NUTORCH_TEST_DEVICE").unwrap_or_else(|_| "cpu".into());
    parse_device(&name).unwrap_or_else(|e| panic!("NUTORCH_TEST_DEVICE={name}: {e}"))
}

#[test]
fn creation_lands_on_the_device() {
    let device = test_device();
    let t = creation::linspace(Number::Int(0), Number::Int(10), 5, DType::Int32, device).unwrap();
    assert_eq!(t.device(), device);
    assert_eq!(tensor_to_data(&t).unwrap().values, Buffer::Int(vec![0, 2, 5, 7, 10]));
}

#[test]
// 3.14159 is a value bfloat16 rounds, not an approximation of PI.
#[allow(clippy::approx_constant)]
fn data_crosses_devices_exactly() {
    let device = test_device();
    let cases = [
        (Buffer::Int(vec![i64::MAX, i64::MIN]), DType::Int64),
        (Buffer::Float(vec![1.0, 3.14159]), DType::BFloat16),
        (Buffer::Float(vec![0.1, -2.5]), DType::Float64),
        (Buffer::Bool(vec![true, false]), DType::Bool),
    ];
    for (values, dtype) in cases {
        let data = Data { shape: vec![2], values };
        let on_device = tensor_from_data(&data, Some(dtype), device).unwrap();
        assert_eq!(device_name(on_device.device()), device_name(device));
        let on_cpu = tensor_from_data(&data, Some(dtype), Device::Cpu).unwrap();
        assert_eq!(tensor_to_data(&on_device).unwrap(), tensor_to_data(&on_cpu).unwrap(), "{dtype}");
        // Reading did not move the tensor.
        assert_eq!(on_device.device(), device);
    }
}

#[test]
fn a_gpu_index_past_the_last_is_refused_with_the_count() {
    let present = cuda_device_count();
    let err = parse_device(&format!("cuda:{present}")).unwrap_err().to_string();
    let plural = if present == 1 { "" } else { "s" };
    assert!(err.starts_with(&format!("cuda:{present} requested, {present} CUDA device{plural} present")), "{err}");
}
