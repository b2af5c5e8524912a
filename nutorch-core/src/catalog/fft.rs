//! Discrete Fourier transforms: torch.fft.<name> is `fft_<name>` here. Transforms take the
//! signal length (`n`) or lengths (`s`), the dims and the normalization ("backward", PyTorch's
//! default, scales the inverse by 1/n; "ortho" both ways by 1/sqrt(n); "forward" the forward
//! transform by 1/n). Results are complex (view_as_real reads them as pairs), except for the
//! inverse real transforms (irfft*, hfft). Some results are lazy conjugate views, as in PyTorch
//! (ifft or ihfft of a real input): view_as_real needs resolve_conj first.

use super::spec::{bad, opt, req, ArgSpec, Dflt, OpSpec, OutKind as O, Ty::*, DEVICE, DTYPE, INPUT, REQUIRES_GRAD};
use super::util::{check_dims, finish, options, t, R};
use super::Args;
use crate::dtype::DType;
use crate::op;
use tch::Tensor;

const NORM: ArgSpec = opt("norm", Str(&["backward", "ortho", "forward"]), Dflt::Str("backward"))
    .doc("backward (1/n on the inverse), ortho (1/sqrt(n) both ways) or forward (1/n on the forward)");
const N: ArgSpec = opt("n", Int, Dflt::None).doc("the signal length: the input is cut or zero-padded to it");
const DIM1: ArgSpec = opt("dim", Int, Dflt::Int(-1));
const S: ArgSpec =
    opt("s", Ints, Dflt::None).doc("the signal length along each of the dims (-1 keeps that dim's size)");
const DIM2: ArgSpec = opt("dim", Ints, Dflt::Ints(&[-2, -1]));
const DIMN: ArgSpec = opt("dim", Ints, Dflt::None).doc("the dims to transform (all, or the last len(s), by default)");

/// A one-dim transform's length, checked here so that the error names `n`.
fn length(a: &Args) -> R<Option<i64>> {
    match a.opt_int("n") {
        Some(n) if n < 1 => Err(bad("n", format!("Invalid number of data points ({n}) specified"))),
        n => Ok(n),
    }
}

/// The lengths of a multi-dim transform: positive, or -1 for "as the input is".
fn lengths(a: &Args) -> R<Option<Vec<i64>>> {
    let s = a.opt_ints("s");
    if let Some(bad_n) = s.iter().flatten().find(|&&n| n < 1 && n != -1) {
        return Err(bad("s", format!("Invalid number of data points ({bad_n}) specified")));
    }
    Ok(s)
}

type Fft1 = fn(&Tensor, Option<i64>, i64, &str) -> Result<Tensor, tch::TchError>;
type Fft2 = fn(&Tensor, Option<&[i64]>, &[i64], &str) -> Result<Tensor, tch::TchError>;
type FftN = fn(&Tensor, Option<&[i64]>, Option<&[i64]>, &str) -> Result<Tensor, tch::TchError>;

fn fft1(a: &Args, f: Fft1) -> R<Tensor> {
    let x = a.input();
    let dim = a.int("dim");
    check_dims("dim", x, &[dim])?;
    if x.dim() == 0 {
        return Err(bad("input", "a Fourier transform needs at least one dimension, got a 0-d tensor"));
    }
    Ok(f(x, length(a)?, dim, a.str("norm"))?)
}

fn fft2(a: &Args, f: Fft2) -> R<Tensor> {
    let x = a.input();
    let dims = a.ints("dim");
    check_dims("dim", x, &dims)?;
    Ok(f(x, lengths(a)?.as_deref(), &dims, a.str("norm"))?)
}

fn fftn(a: &Args, f: FftN) -> R<Tensor> {
    let x = a.input();
    let dims = a.opt_ints("dim");
    check_dims("dim", x, dims.as_deref().unwrap_or(&[]))?;
    Ok(f(x, lengths(a)?.as_deref(), dims.as_deref(), a.str("norm"))?)
}

/// fftfreq and rfftfreq: `n` sample frequencies for sample spacing `d`.
fn freq(a: &Args, f: fn(i64, f64, (tch::Kind, tch::Device)) -> Result<Tensor, tch::TchError>) -> super::spec::OpResult {
    // A negative n is left to libtorch, as in PyTorch (rfftfreq(-1) is [-0.0], fftfreq(-1) an error).
    let n = a.int("n");
    let (kind, device) = options(a, DType::Float32);
    let dt = DType::from_kind(kind)?;
    if !dt.is_floating_point() {
        // libtorch refuses ints itself, but complex only deep in arange ("not implemented").
        return Err(bad("dtype", format!("the frequencies need a floating point dtype, got {dt}")));
    }
    finish(a, f(n, a.float("d"), (kind, device))?)
}

/// The Fourier transforms and their helpers.
pub static OPS: &[OpSpec] = &[
    op!("fft_fft", Fft, "torch.fft.fft", "One-dimensional discrete Fourier transform along dim.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0 4.0] | nutorch fft_fft | nutorch view_as_real | nutorch tovalue" => "[[10.0, 0.0], [-2.0, 2.0], [-2.0, 0.0], [-2.0, -2.0]]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_fft(n, d, m))?)),
    op!("fft_ifft", Fft, "torch.fft.ifft", "One-dimensional inverse discrete Fourier transform along dim.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [4.0 0.0] | nutorch fft_ifft | nutorch resolve_conj | nutorch view_as_real | nutorch tovalue" => "[[2.0, 0.0], [2.0, 0.0]]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_ifft(n, d, m))?)),
    op!("fft_rfft", Fft, "torch.fft.rfft", "Fourier transform of a real signal: the n // 2 + 1 non-negative frequencies.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [1.0 2.0 3.0 4.0] | nutorch fft_rfft | nutorch view_as_real | nutorch tovalue" => "[[10.0, 0.0], [-2.0, 2.0], [-2.0, 0.0]]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_rfft(n, d, m))?)),
    op!("fft_irfft", Fft, "torch.fft.irfft", "The real signal of length n (default 2 * (size - 1)) whose rfft is the input.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [[10.0 0.0] [-2.0 2.0] [-2.0 0.0]] | nutorch view_as_complex | nutorch fft_irfft | nutorch tovalue" => "[1.0, 2.0, 3.0, 4.0]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_irfft(n, d, m))?)),
    op!("fft_hfft", Fft, "torch.fft.hfft", "Fourier transform of a Hermitian-symmetric signal given by its first half: a real result of length n.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [1.0 0.0] | nutorch fft_hfft | nutorch tovalue" => "[1.0, 1.0]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_hfft(n, d, m))?)),
    op!("fft_ihfft", Fft, "torch.fft.ihfft", "Inverse of hfft: the first half of the inverse transform of a real signal.",
        [INPUT, N, DIM1, NORM], O::Tensor,
        "nutorch fromvalue [1.0 1.0] | nutorch fft_ihfft | nutorch real | nutorch tovalue" => "[1.0, 0.0]",
        |a| t(fft1(a, |x, n, d, m| x.f_fft_ihfft(n, d, m))?)),
    op!("fft_fft2", Fft, "torch.fft.fft2", "Two-dimensional discrete Fourier transform (the last two dims by default).",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 0.0] [0.0 0.0]] | nutorch fft_fft2 | nutorch real | nutorch tovalue" => "[[1.0, 1.0], [1.0, 1.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_fft2(s, d, m))?)),
    op!("fft_ifft2", Fft, "torch.fft.ifft2", "Two-dimensional inverse discrete Fourier transform.",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[4.0 0.0] [0.0 0.0]] | nutorch fft_ifft2 | nutorch real | nutorch tovalue" => "[[1.0, 1.0], [1.0, 1.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_ifft2(s, d, m))?)),
    op!("fft_rfft2", Fft, "torch.fft.rfft2", "Two-dimensional Fourier transform of a real signal (the last dim halved).",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 0.0] [0.0 0.0]] | nutorch fft_rfft2 | nutorch real | nutorch tovalue" => "[[1.0, 1.0], [1.0, 1.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_rfft2(s, d, m))?)),
    op!("fft_irfft2", Fft, "torch.fft.irfft2", "The real two-dimensional signal whose rfft2 is the input.",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[[4.0 0.0] [0.0 0.0]]] | nutorch view_as_complex | nutorch fft_irfft2 | nutorch tovalue" => "[[2.0, 2.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_irfft2(s, d, m))?)),
    op!("fft_fftn", Fft, "torch.fft.fftn", "N-dimensional discrete Fourier transform (all dims by default).",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 1.0] [1.0 1.0]] | nutorch fft_fftn | nutorch real | nutorch tovalue" => "[[4.0, 0.0], [0.0, 0.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_fftn(s, d, m))?)),
    op!("fft_ifftn", Fft, "torch.fft.ifftn", "N-dimensional inverse discrete Fourier transform.",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[4.0 0.0] [0.0 0.0]] | nutorch fft_ifftn | nutorch real | nutorch tovalue" => "[[1.0, 1.0], [1.0, 1.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_ifftn(s, d, m))?)),
    op!("fft_rfftn", Fft, "torch.fft.rfftn", "N-dimensional Fourier transform of a real signal (the last dim halved).",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 1.0] [1.0 1.0]] | nutorch fft_rfftn | nutorch real | nutorch tovalue" => "[[4.0, 0.0], [0.0, 0.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_rfftn(s, d, m))?)),
    op!("fft_irfftn", Fft, "torch.fft.irfftn", "The real N-dimensional signal whose rfftn is the input.",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[[4.0 0.0] [0.0 0.0]]] | nutorch view_as_complex | nutorch fft_irfftn | nutorch tovalue" => "[[2.0, 2.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_irfftn(s, d, m))?)),
    op!("fft_hfft2", Fft, "torch.fft.hfft2", "Two-dimensional Fourier transform of a Hermitian-symmetric signal given by its first half along the last dim: a real result.",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 0.0]] | nutorch fft_hfft2 | nutorch tovalue" => "[[1.0, 1.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_hfft2(s, d, m))?)),
    op!("fft_ihfft2", Fft, "torch.fft.ihfft2", "Inverse of hfft2: the inverse two-dimensional transform of a real signal, the last dim halved.",
        [INPUT, S, DIM2, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 1.0]] | nutorch fft_ihfft2 | nutorch real | nutorch tovalue" => "[[1.0, 0.0]]",
        |a| t(fft2(a, |x, s, d, m| x.f_fft_ihfft2(s, d, m))?)),
    op!("fft_hfftn", Fft, "torch.fft.hfftn", "N-dimensional Fourier transform of a Hermitian-symmetric signal given by its first half along the last dim: a real result.",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 0.0]] | nutorch fft_hfftn | nutorch tovalue" => "[[1.0, 1.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_hfftn(s, d, m))?)),
    op!("fft_ihfftn", Fft, "torch.fft.ihfftn", "Inverse of hfftn: the inverse N-dimensional transform of a real signal, the last dim halved.",
        [INPUT, S, DIMN, NORM], O::Tensor,
        "nutorch fromvalue [[1.0 1.0]] | nutorch fft_ihfftn | nutorch real | nutorch tovalue" => "[[1.0, 0.0]]",
        |a| t(fftn(a, |x, s, d, m| x.f_fft_ihfftn(s, d, m))?)),
    op!("fft_fftshift", Fft, "torch.fft.fftshift", "Rolls the zero frequency to the middle of dims (all by default).",
    [INPUT, opt("dim", Ints, Dflt::None)], O::Tensor,
    "nutorch fromvalue [0 1 2 -2 -1] | nutorch fft_fftshift | nutorch tovalue" => "[-2, -1, 0, 1, 2]",
    |a| {
        let dims = a.opt_ints("dim");
        check_dims("dim", a.input(), dims.as_deref().unwrap_or(&[]))?;
        t(a.input().f_fft_fftshift(dims.as_deref())?)
    }),
    op!("fft_ifftshift", Fft, "torch.fft.ifftshift", "Inverse of fftshift: the zero frequency back to the front.",
    [INPUT, opt("dim", Ints, Dflt::None)], O::Tensor,
    "nutorch fromvalue [-2 -1 0 1 2] | nutorch fft_ifftshift | nutorch tovalue" => "[0, 1, 2, -2, -1]",
    |a| {
        let dims = a.opt_ints("dim");
        check_dims("dim", a.input(), dims.as_deref().unwrap_or(&[]))?;
        t(a.input().f_fft_ifftshift(dims.as_deref())?)
    }),
    op!("fft_fftfreq", Fft, "torch.fft.fftfreq", "The sample frequencies of an n-point fft, for sample spacing d.",
        [req("n", Int), opt("d", Float, Dflt::Float(1.0)).pos(), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fft_fftfreq 4 | nutorch tovalue" => "[0.0, 0.25, -0.5, -0.25]",
        |a| freq(a, Tensor::f_fft_fftfreq)),
    op!("fft_rfftfreq", Fft, "torch.fft.rfftfreq", "The sample frequencies of an n-point rfft (n // 2 + 1 of them), for sample spacing d.",
        [req("n", Int), opt("d", Float, Dflt::Float(1.0)).pos(), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fft_rfftfreq 4 | nutorch tovalue" => "[0.0, 0.25, 0.5]",
        |a| freq(a, Tensor::f_fft_rfftfreq)),
    op!("stft", Fft, "torch.stft", "Short-time Fourier transform: the FFT of each n_fft-long frame, hop_length apart, as a (freq, frames) complex tensor.",
        [INPUT, req("n_fft", Int), opt("hop_length", Int, Dflt::None).doc("the step between frames (default n_fft / 4)"),
         opt("win_length", Int, Dflt::None).doc("the window's length (default n_fft)"), opt("window", Tensor, Dflt::None).doc("a 1-d window of win_length (default all ones)"),
         opt("center", Bool, Dflt::Bool(true)).doc("pad the input by n_fft / 2 on both sides, so frame t is centered at t * hop_length"),
         opt("pad_mode", Str(&["constant", "reflect", "replicate", "circular"]), Dflt::Str("reflect")),
         opt("normalized", Bool, Dflt::Bool(false)).doc("scale by 1/sqrt(n_fft)"),
         opt("onesided", Bool, Dflt::None).doc("only the n_fft / 2 + 1 non-negative frequencies (default for real input and window)"),
         opt("return_complex", Bool, Dflt::None).doc("complex output; false gives view_as_real's pairs (required for real inputs)"),
         opt("align_to_window", Bool, Dflt::None).doc("with --center=false: frames start at the window's start")], O::Tensor,
        "nutorch ones 8 | nutorch stft 4 --hop-length 4 --return-complex --center=false | nutorch abs | nutorch tovalue" => "[[4.0, 4.0], [0.0, 0.0], [0.0, 0.0]]",
        |a| t(stft(a)?)),
    op!("istft", Fft, "torch.istft", "Inverse short-time Fourier transform: the signal whose stft (same parameters) is the input.",
    [INPUT, req("n_fft", Int), opt("hop_length", Int, Dflt::None).doc("the step between frames (default n_fft / 4)"),
     opt("win_length", Int, Dflt::None).doc("the window's length (default n_fft)"), opt("window", Tensor, Dflt::None).doc("a 1-d window of win_length (default all ones)"),
     opt("center", Bool, Dflt::Bool(true)).doc("the input was padded by n_fft / 2 on both sides (stft's default)"),
     opt("normalized", Bool, Dflt::Bool(false)).doc("the stft was scaled by 1/sqrt(n_fft)"),
     opt("onesided", Bool, Dflt::None).doc("the input holds only the non-negative frequencies (default: unless it has n_fft of them)"),
     opt("length", Int, Dflt::None).doc("the output's length (cut or zero-padded)"),
     opt("return_complex", Bool, Dflt::Bool(false)).doc("a complex output (for a two-sided input)")], O::Tensor,
    "nutorch ones 8 | nutorch stft 4 --return-complex | nutorch istft 4 | nutorch tovalue" => "[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
    |a| {
        let x = a.input();
        // ATen infers a two-sided input from its size: n_fft frequencies.
        let onesided = if a.has("onesided") { a.flag("onesided") } else { x.dim() < 2 || x.size()[x.dim() - 2] != a.int("n_fft") };
        let window = a.opt_tensor("window");
        let (n_fft, hop, win) = (a.int("n_fft"), a.opt_int("hop_length"), a.opt_int("win_length"));
        t(x.f_istft(n_fft, hop, win, window, a.flag("center"), a.flag("normalized"), onesided, a.opt_int("length"), a.flag("return_complex"))?)
    }),
];

/// torch.stft as torch/functional.py runs it: the centering pad first (F.pad of the signal
/// viewed as 3-d), then the transform without centering.
fn stft(a: &Args) -> R<Tensor> {
    let x = a.input();
    let complex_in = super::util::dtype(x)?.is_complex();
    let window = a.opt_tensor("window");
    let complex_window = match window {
        Some(w) => super::util::dtype(w)?.is_complex(),
        None => false,
    };
    let real_only = !(complex_in || complex_window);
    if real_only && !a.has("return_complex") {
        return Err(bad(
            "return_complex",
            "stft requires the return_complex parameter be given for real inputs, and will further require that return_complex=True in a future PyTorch release.",
        ));
    }
    let center = a.flag("center");
    if center && a.has("align_to_window") {
        return Err(bad("align_to_window", "stft align_to_window should only be set when center = false"));
    }
    let n_fft = a.int("n_fft");
    let signal = if center {
        let signal_dim = x.dim();
        let mut extended: Vec<i64> = vec![1; 3usize.saturating_sub(signal_dim)];
        extended.extend(x.size());
        let pad = n_fft.div_euclid(2);
        let padded = x.f_view(extended.as_slice())?.f_pad([pad, pad], a.str("pad_mode"), None)?;
        let shape = padded.size();
        padded.f_view(&shape[shape.len() - signal_dim..])?
    } else {
        x.shallow_clone()
    };
    let onesided = if a.has("onesided") { a.flag("onesided") } else { real_only };
    let (hop, win) = (a.opt_int("hop_length"), a.opt_int("win_length"));
    let out =
        signal.f_stft(n_fft, hop, win, window, a.flag("normalized"), onesided, true, a.flag("align_to_window"))?;
    if a.has("return_complex") && !a.flag("return_complex") {
        return Ok(out.f_view_as_real()?);
    }
    Ok(out)
}
