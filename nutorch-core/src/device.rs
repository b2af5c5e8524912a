//! Device names (`cpu`, `cuda`, `cuda:N`, `mps`) and what this machine has.

use crate::error::{Error, Result};
use tch::{Cuda, Device};

/// PyTorch's name of a device: `cpu`, `cuda:0`, `mps`.
pub fn device_name(device: Device) -> String {
    match device {
        Device::Cpu => "cpu".into(),
        Device::Cuda(i) => format!("cuda:{i}"),
        Device::Mps => "mps".into(),
        Device::Vulkan => "vulkan".into(),
    }
}

/// Parses a device string without checking that the device exists.
pub fn parse_device_syntax(text: &str) -> Result<Device> {
    let lower = text.trim().to_ascii_lowercase();
    let malformed = || Error::Device(format!("invalid device '{text}'; expected cpu, cuda, cuda:N or mps"));
    match lower.as_str() {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Ok(Device::Cuda(0)),
        "mps" => Ok(Device::Mps),
        other => {
            let index = other.strip_prefix("cuda:").ok_or_else(malformed)?;
            index.parse::<usize>().map(Device::Cuda).map_err(|_| malformed())
        }
    }
}

/// Parses a device string and checks that this machine has it; the error says what it has.
pub fn parse_device(text: &str) -> Result<Device> {
    let device = parse_device_syntax(text)?;
    check_available(device)?;
    Ok(device)
}

/// An error naming what is available when `device` is not.
pub fn check_available(device: Device) -> Result<()> {
    let present = cuda_device_count();
    let available = || available_devices().iter().map(|d| d.name.clone()).collect::<Vec<_>>().join(", ");
    match device {
        Device::Cpu => Ok(()),
        Device::Cuda(i) if i < present => Ok(()),
        Device::Cuda(i) => Err(Error::Device(format!(
            "cuda:{i} requested, {present} CUDA device{} present (available: {})",
            if present == 1 { "" } else { "s" },
            available()
        ))),
        Device::Mps if tch::utils::has_mps() => Ok(()),
        Device::Mps => Err(Error::Device(format!(
            "mps requested, but this machine has no MPS device (available: {})",
            available()
        ))),
        Device::Vulkan => Err(Error::Device("vulkan devices are not supported".into())),
    }
}

/// Number of CUDA devices libtorch sees (0 without CUDA).
pub fn cuda_device_count() -> usize {
    if Cuda::is_available() {
        Cuda::device_count().max(0) as usize
    } else {
        0
    }
}

/// One device of this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    /// `cpu`, `cuda:N`, `mps`.
    pub name: String,
    /// `cpu`, `cuda` or `mps`.
    pub kind: &'static str,
    /// The GPU's product name, where the CUDA driver tells it.
    pub description: Option<String>,
    /// Total memory in bytes, where the CUDA driver tells it.
    pub total_memory: Option<u64>,
}

/// The devices of this machine: cpu, each cuda:N, mps.
pub fn available_devices() -> Vec<DeviceInfo> {
    let mut devices = vec![DeviceInfo { name: "cpu".into(), kind: "cpu", description: None, total_memory: None }];
    for index in 0..cuda_device_count() {
        let (description, total_memory) = cuda_driver::describe(index).unwrap_or((None, None));
        devices.push(DeviceInfo { name: format!("cuda:{index}"), kind: "cuda", description, total_memory });
    }
    if tch::utils::has_mps() {
        devices.push(DeviceInfo { name: "mps".into(), kind: "mps", description: None, total_memory: None });
    }
    devices
}

/// GPU name and memory straight from the CUDA driver library (libcuda), loaded at run time so
/// that machines without a GPU need nothing. Only called after libtorch reported CUDA devices.
mod cuda_driver {
    use std::ffi::{c_char, c_int, c_uint, CStr};

    type CuInit = unsafe extern "C" fn(c_uint) -> c_int;
    type CuDeviceGet = unsafe extern "C" fn(*mut c_int, c_int) -> c_int;
    type CuDeviceGetName = unsafe extern "C" fn(*mut c_char, c_int, c_int) -> c_int;
    type CuDeviceTotalMem = unsafe extern "C" fn(*mut usize, c_int) -> c_int;

    pub fn describe(index: usize) -> Option<(Option<String>, Option<u64>)> {
        // SAFETY: the signatures are the CUDA driver API's (stable since CUDA 3.2); every
        // pointer passed lives for the call, and failures are return codes.
        unsafe {
            let lib = libloading::Library::new("libcuda.so.1").ok()?;
            let init: libloading::Symbol<CuInit> = lib.get(b"cuInit\0").ok()?;
            let get: libloading::Symbol<CuDeviceGet> = lib.get(b"cuDeviceGet\0").ok()?;
            let get_name: libloading::Symbol<CuDeviceGetName> = lib.get(b"cuDeviceGetName\0").ok()?;
            let total_mem: libloading::Symbol<CuDeviceTotalMem> = lib.get(b"cuDeviceTotalMem_v2\0").ok()?;
            if init(0) != 0 {
                return None;
            }
            let mut device: c_int = 0;
            if get(&mut device, index as c_int) != 0 {
                return None;
            }
            let mut buffer = [0 as c_char; 256];
            let name = (get_name(buffer.as_mut_ptr(), buffer.len() as c_int, device) == 0)
                .then(|| CStr::from_ptr(buffer.as_ptr()).to_string_lossy().into_owned());
            let mut bytes: usize = 0;
            let memory = (total_mem(&mut bytes, device) == 0).then_some(bytes as u64);
            Some((name, memory))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_strings_parse() {
        assert_eq!(parse_device_syntax("cpu").unwrap(), Device::Cpu);
        assert_eq!(parse_device_syntax("CPU").unwrap(), Device::Cpu);
        assert_eq!(parse_device_syntax("cuda").unwrap(), Device::Cuda(0));
        assert_eq!(parse_device_syntax("cuda:2").unwrap(), Device::Cuda(2));
        assert_eq!(parse_device_syntax("mps").unwrap(), Device::Mps);
    }

    #[test]
    fn malformed_device_strings_are_errors() {
        for bad in ["gpu", "cuda:x", "cuda:", "cuda:-1", "", "cpu:0"] {
            let err = parse_device_syntax(bad).unwrap_err().to_string();
            assert!(err.contains("expected cpu, cuda, cuda:N or mps"), "{bad}: {err}");
        }
    }

    #[test]
    fn cpu_is_always_available() {
        assert_eq!(parse_device("cpu").unwrap(), Device::Cpu);
        assert_eq!(available_devices()[0].name, "cpu");
    }

    #[test]
    fn an_index_past_the_last_gpu_says_how_many_there_are() {
        let present = cuda_device_count();
        let err = parse_device(&format!("cuda:{}", present + 2)).unwrap_err().to_string();
        let expected = format!("cuda:{} requested, {present} CUDA device", present + 2);
        assert!(err.starts_with(&expected), "{err}");
        assert!(err.contains("available: cpu"), "{err}");
    }

    #[test]
    fn listed_devices_match_libtorch() {
        let devices = available_devices();
        let cuda = devices.iter().filter(|d| d.kind == "cuda").count();
        assert_eq!(cuda, cuda_device_count());
        for d in devices.iter().filter(|d| d.kind == "cuda") {
            assert!(d.description.is_some(), "{d:?}");
            assert!(d.total_memory.unwrap_or(0) > 1 << 30, "{d:?}");
        }
    }
}
