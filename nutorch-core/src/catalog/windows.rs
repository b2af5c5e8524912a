//! Window functions: torch.signal.windows.* and the native torch.*_window ops.
//!
//! libtorch has no kernels for most of torch.signal.windows (they are Python), so they are
//! composed here from the same tensor ops in the same order as torch/signal/windows/windows.py,
//! which gives PyTorch's values to the bit.

use super::spec::{bad, opt, req, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, DEVICE, DTYPE, REQUIRES_GRAD};
use super::util::{finish, num, number_tensor, R};
use super::Args;
use crate::dtype::DType;
use crate::number::Number;
use crate::op;
use std::f64::consts::PI;
use tch::{Device, Kind, Tensor};

const M: ArgSpec = req("M", Int).doc("the window length");
const SYM: ArgSpec =
    opt("sym", Bool, Dflt::Bool(true)).doc("symmetric (for filter design); false: periodic (for spectral analysis)");
const WINDOW_LENGTH: ArgSpec = req("window_length", Int).doc("the window length");
const PERIODIC: ArgSpec =
    opt("periodic", Bool, Dflt::Bool(true)).doc("periodic (for spectral analysis); false: symmetric");

/// The checks of windows.py's `_window_function_checks`, then the window length, kind and device.
fn window_options(a: &Args, function: &str) -> R<(i64, Kind, Device)> {
    let m = a.int("M");
    if m < 0 {
        return Err(bad("M", format!("{function} requires non-negative window length, got M={m}")));
    }
    let dtype = a.dtype("dtype").unwrap_or(DType::Float32);
    if !matches!(dtype, DType::Float32 | DType::Float64) {
        return Err(bad("dtype", format!("{function} expects float32 or float64 dtypes, got: {dtype}")));
    }
    Ok((m, dtype.kind(), a.device("device").unwrap_or(Device::Cpu)))
}

fn linspace(start: f64, end: f64, m: i64, kind: Kind, device: Device) -> R<Tensor> {
    Ok(Tensor::f_linspace(start, end, m, (kind, device))?)
}

fn empty(kind: Kind, device: Device) -> R<Tensor> {
    Ok(Tensor::f_empty([0], (kind, device))?)
}

fn ones(kind: Kind, device: Device) -> R<Tensor> {
    Ok(Tensor::f_ones([1], (kind, device))?)
}

/// The denominator windows.py uses for `sym` (M - 1) or periodic (M) windows.
fn span(m: i64, sym: bool) -> f64 {
    (if sym { m - 1 } else { m }) as f64
}

/// sum_i (-1)^i a_i cos(i k) over k = linspace(0, 2 pi (M - 1) / span, M).
fn general_cosine(a: &Args, function: &str, coefficients: &[f64]) -> R<Tensor> {
    let (m, kind, device) = window_options(a, function)?;
    if m == 0 {
        return empty(kind, device);
    }
    if m == 1 {
        return ones(kind, device);
    }
    if coefficients.is_empty() {
        return Err(bad("a", "Coefficients cannot be empty"));
    }
    let constant = 2.0 * PI / span(m, a.flag("sym"));
    let k = linspace(0.0, (m - 1) as f64 * constant, m, kind, device)?;
    let signed: Vec<f64> = coefficients.iter().enumerate().map(|(i, w)| if i % 2 == 0 { *w } else { -w }).collect();
    let a_i = Tensor::f_from_slice(&signed)?.f_to_kind(kind)?.f_to_device(device)?;
    let i = Tensor::f_arange(signed.len() as i64, (kind, device))?;
    let terms = a_i.f_unsqueeze(-1)?.f_mul(&i.f_unsqueeze(-1)?.f_mul(&k)?.f_cos()?)?;
    Ok(terms.f_sum_dim_intlist(Some([0i64].as_slice()), false, None::<Kind>)?)
}

fn hamming_like(a: &Args, function: &str, alpha: f64) -> R<Tensor> {
    general_cosine(a, function, &[alpha, 1.0 - alpha])
}

fn exponential(a: &Args) -> R<Tensor> {
    let (m, kind, device) = window_options(a, "exponential")?;
    let tau = a.float("tau");
    if !(tau > 0.0) {
        return Err(bad("tau", format!("Tau must be positive, got: {tau} instead.")));
    }
    let sym = a.flag("sym");
    if sym && a.has("center") {
        return Err(bad("center", "Center must be None for symmetric windows"));
    }
    if m == 0 {
        return empty(kind, device);
    }
    let center = a.opt_float("center").unwrap_or_else(|| (if !sym && m > 1 { m } else { m - 1 }) as f64 / 2.0);
    let constant = 1.0 / tau;
    let k = linspace(-center * constant, (-center + (m - 1) as f64) * constant, m, kind, device)?;
    Ok(k.f_abs()?.f_neg()?.f_exp()?)
}

fn cosine(a: &Args) -> R<Tensor> {
    let (m, kind, device) = window_options(a, "cosine")?;
    if m == 0 {
        return empty(kind, device);
    }
    let constant = PI / (if !a.flag("sym") && m > 1 { m + 1 } else { m }) as f64;
    Ok(linspace(0.5 * constant, (0.5 + (m - 1) as f64) * constant, m, kind, device)?.f_sin()?)
}

fn gaussian(a: &Args) -> R<Tensor> {
    let (m, kind, device) = window_options(a, "gaussian")?;
    let std = a.float("std");
    if !(std > 0.0) {
        return Err(bad("std", format!("Standard deviation must be positive, got: {std} instead.")));
    }
    if m == 0 {
        return empty(kind, device);
    }
    let start = -((if !a.flag("sym") && m > 1 { m } else { m - 1 }) as f64) / 2.0;
    let constant = 1.0 / (std * 2f64.sqrt());
    let k = linspace(start * constant, (start + (m - 1) as f64) * constant, m, kind, device)?;
    Ok(k.f_square()?.f_neg()?.f_exp()?)
}

fn kaiser(a: &Args) -> R<Tensor> {
    let (m, kind, device) = window_options(a, "kaiser")?;
    let beta = a.float("beta");
    if !(beta >= 0.0) {
        return Err(bad("beta", format!("beta must be non-negative, got: {beta} instead.")));
    }
    if m == 0 {
        return empty(kind, device);
    }
    if m == 1 {
        return ones(kind, device);
    }
    // As windows.py: beta is a tensor of the window's dtype, and the bounds are computed in it.
    let beta = number_tensor(Number::Float(beta), kind, device)?;
    let start = beta.f_neg()?;
    let constant = beta.f_mul(&num(2.0, &beta)?)?.f_div(&num(span(m, a.flag("sym")), &beta)?)?;
    let end = beta.f_minimum(&start.f_add(&constant.f_mul(&num((m - 1) as f64, &beta)?)?)?)?;
    let k = linspace(start.f_double_value(&[])?, end.f_double_value(&[])?, m, kind, device)?;
    let root = beta.f_mul(&beta)?.f_sub(&k.f_square()?)?.f_sqrt()?;
    Ok(root.f_i0()?.f_div(&beta.f_i0()?)?)
}

fn bartlett(a: &Args) -> R<Tensor> {
    let (m, kind, device) = window_options(a, "bartlett")?;
    if m == 0 {
        return empty(kind, device);
    }
    if m == 1 {
        return ones(kind, device);
    }
    let constant = 2.0 / span(m, a.flag("sym"));
    let k = linspace(-1.0, -1.0 + (m - 1) as f64 * constant, m, kind, device)?;
    Ok(num(1.0, &k)?.f_sub(&k.f_abs()?)?)
}

/// The length, kind and device of a native torch.*_window op (float32 by default).
fn native_options(a: &Args) -> R<(i64, Kind, Device)> {
    let n = a.int("window_length");
    if n < 0 {
        return Err(bad("window_length", format!("window_length must be non-negative, got window_length={n}")));
    }
    let dtype = a.dtype("dtype").unwrap_or(DType::Float32);
    if !dtype.is_floating_point() {
        return Err(bad("dtype", format!("window functions expect floating point dtypes, got {dtype}")));
    }
    Ok((n, dtype.kind(), a.device("device").unwrap_or(Device::Cpu)))
}

pub static OPS: &[OpSpec] = &[
    op!("signal_windows_bartlett", Creation, "torch.signal.windows.bartlett", "The Bartlett (triangular) window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_bartlett 5 | nutorch tovalue" => "[0.0, 0.5, 1.0, 0.5, 0.0]",
        |a| finish(a, bartlett(a)?)),
    op!("signal_windows_blackman", Creation, "torch.signal.windows.blackman", "The Blackman window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_blackman 3 --dtype float64 | nutorch tovalue" => "[-1.3877787807814457e-17, 0.9999999999999999, -1.3877787807814457e-17]",
        |a| finish(a, general_cosine(a, "blackman", &[0.42, 0.5, 0.08])?)),
    op!("signal_windows_cosine", Creation, "torch.signal.windows.cosine", "The cosine (sine) window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_cosine 1 | nutorch tovalue" => "[1.0]",
        |a| finish(a, cosine(a)?)),
    op!("signal_windows_exponential", Creation, "torch.signal.windows.exponential", "The exponential (Poisson) window exp(-|n - center| / tau) of length M.",
        [M, opt("center", Float, Dflt::None).doc("the window's center (default its middle; only for sym=false)"),
         opt("tau", Float, Dflt::Float(1.0)).doc("the decay"), SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_exponential 3 --tau 1 --dtype float64 | nutorch tovalue" => "[0.36787944117144233, 1.0, 0.36787944117144233]",
        |a| finish(a, exponential(a)?)),
    op!("signal_windows_gaussian", Creation, "torch.signal.windows.gaussian", "The Gaussian window of length M and standard deviation std.",
        [M, opt("std", Float, Dflt::Float(1.0)), SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_gaussian 3 --dtype float64 | nutorch tovalue" => "[0.6065306597126335, 1.0, 0.6065306597126335]",
        |a| finish(a, gaussian(a)?)),
    op!("signal_windows_general_cosine", Creation, "torch.signal.windows.general_cosine", "A sum of cosines with coefficients a (alternating in sign) over M points.",
        [M, req("a", Floats).doc("the coefficients, as a list"), SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_general_cosine 3 [0.5 0.5] --dtype float64 | nutorch tovalue" => "[0.0, 1.0, 0.0]",
        |a| finish(a, general_cosine(a, "general_cosine", &a.opt_floats("a").unwrap_or_default())?)),
    op!("signal_windows_general_hamming", Creation, "torch.signal.windows.general_hamming", "The generalized Hamming window alpha - (1 - alpha) cos(...) of length M.",
        [M, opt("alpha", Float, Dflt::Float(0.54)), SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_general_hamming 3 --alpha 0.5 --dtype float64 | nutorch tovalue" => "[0.0, 1.0, 0.0]",
        |a| finish(a, hamming_like(a, "general_cosine", a.float("alpha"))?)),
    op!("signal_windows_hamming", Creation, "torch.signal.windows.hamming", "The Hamming window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_hamming 3 --dtype float64 | nutorch tovalue" => "[0.08000000000000007, 1.0, 0.08000000000000007]",
        |a| finish(a, hamming_like(a, "general_cosine", 0.54)?)),
    op!("signal_windows_hann", Creation, "torch.signal.windows.hann", "The Hann window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_hann 3 --dtype float64 | nutorch tovalue" => "[0.0, 1.0, 0.0]",
        |a| finish(a, hamming_like(a, "general_cosine", 0.5)?)),
    op!("signal_windows_kaiser", Creation, "torch.signal.windows.kaiser", "The Kaiser window of length M and shape beta.",
        [M, opt("beta", Float, Dflt::Float(12.0)), SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_kaiser 1 | nutorch tovalue" => "[1.0]",
        |a| finish(a, kaiser(a)?)),
    op!("signal_windows_nuttall", Creation, "torch.signal.windows.nuttall", "The minimum 4-term Blackman-Harris (Nuttall) window of length M.",
        [M, SYM, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch signal_windows_nuttall 1 | nutorch tovalue" => "[1.0]",
        |a| finish(a, general_cosine(a, "general_cosine", &[0.3635819, 0.4891775, 0.1365995, 0.0106411])?)),
    op!("bartlett_window", Creation, "torch.bartlett_window", "The Bartlett (triangular) window (periodic unless --periodic=false).",
    [WINDOW_LENGTH, PERIODIC, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch bartlett_window 4 | nutorch tovalue" => "[0.0, 0.5, 1.0, 0.5]",
    |a| {
        let (n, kind, device) = native_options(a)?;
        finish(a, Tensor::f_bartlett_window_periodic(n, a.flag("periodic"), (kind, device))?)
    }),
    op!("blackman_window", Creation, "torch.blackman_window", "The Blackman window (periodic unless --periodic=false).",
    [WINDOW_LENGTH, PERIODIC, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch blackman_window 1 | nutorch tovalue" => "[1.0]",
    |a| {
        let (n, kind, device) = native_options(a)?;
        finish(a, Tensor::f_blackman_window_periodic(n, a.flag("periodic"), (kind, device))?)
    }),
    op!("hamming_window", Creation, "torch.hamming_window", "The Hamming window alpha - beta cos(...) (periodic unless --periodic=false).",
    [WINDOW_LENGTH, PERIODIC, opt("alpha", Float, Dflt::Float(0.54)), opt("beta", Float, Dflt::Float(0.46)), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch hamming_window 2 --dtype float64 | nutorch tovalue" => "[0.08000000000000002, 1.0]",
    |a| {
        let (n, kind, device) = native_options(a)?;
        let window = Tensor::f_hamming_window_periodic_alpha_beta(n, a.flag("periodic"), a.float("alpha"), a.float("beta"), (kind, device))?;
        finish(a, window)
    }),
    op!("hann_window", Creation, "torch.hann_window", "The Hann window (periodic unless --periodic=false).",
    [WINDOW_LENGTH, PERIODIC, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch hann_window 4 | nutorch tovalue" => "[0.0, 0.5, 1.0, 0.5]",
    |a| {
        let (n, kind, device) = native_options(a)?;
        finish(a, Tensor::f_hann_window_periodic(n, a.flag("periodic"), (kind, device))?)
    }),
    op!("kaiser_window", Creation, "torch.kaiser_window", "The Kaiser window of shape beta (periodic unless --periodic=false).",
    [WINDOW_LENGTH, PERIODIC, opt("beta", Float, Dflt::Float(12.0)), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch kaiser_window 1 | nutorch tovalue" => "[1.0]",
    |a| {
        let (n, kind, device) = native_options(a)?;
        finish(a, Tensor::f_kaiser_window_beta(n, a.flag("periodic"), a.float("beta"), (kind, device))?)
    }),
];
