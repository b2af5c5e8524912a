"""Fourier transforms (torch.fft). Complex inputs and results are written as (real, imaginary)
pairs. float16 transforms are CUDA-only (powers of two), so those cases are the CPU's refusal."""
import torch

from .framework import B, I, R, T, case, own_inputs

f64 = torch.float64
c64 = torch.complex64
C = lambda *shape, dtype=c64: torch.complex(R(*shape), R(*shape)).to(dtype)  # noqa: E731

for op in ["fft_fft", "fft_ifft"]:
    case(op, input=R(5))
    case(op, input=C(2, 4), norm="ortho")
    case(op, input=C(3, 4, dtype=torch.complex128), dim=0, norm="forward")
    case(op, input=R(3, 4).mT, n=5)  # non-contiguous, zero-padded
    case(op, input=R(2, 6, dtype=f64), n=3, dim=-1)  # cut
    case(op, input=I(4))  # ints become complex64
    case(op, input=B(3))
    case(op, input=R(0, 3), dim=0, err="Invalid number of data points (0)")
    case(op, input=R(4), n=0, err="Invalid number of data points (0)")
    case(op, input=R(4), dim=1, err=True)
    case(op, input=T(1.0), err=True)
    case(op, input=R(4, dtype=torch.float16), err=True, cpu_only=True)
for op in ["fft_rfft", "fft_ihfft"]:
    case(op, input=R(6))
    case(op, input=R(5, dtype=f64), norm="ortho")
    case(op, input=R(4, 3).mT, n=4, dim=-1, norm="forward")
    case(op, input=I(2, 5), dim=0)
    case(op, input=C(4), err="real input")
for op in ["fft_irfft", "fft_hfft"]:
    case(op, input=C(4))
    case(op, input=C(3, dtype=torch.complex128), n=5, norm="ortho")
    case(op, input=C(4, 3), dim=0, norm="forward")
    case(op, input=R(4))  # a real input is taken as complex
    case(op, input=C(1), err="Invalid number of data points (0)")
for op in ["fft_fft2", "fft_ifft2"]:
    case(op, input=C(3, 4))
    case(op, input=R(2, 3, 4, dtype=f64), s=[2, 5], norm="ortho")
    case(op, input=R(3, 4).mT, dim=[0, 1], norm="forward")
    case(op, input=C(3, 4), s=[-1, 2])
    case(op, input=R(4), err=True)
    case(op, input=R(3, 4), s=[3], err="same length")
case("fft_rfft2", input=R(3, 4))
case("fft_rfft2", input=R(2, 3, 5, dtype=f64), s=[4, 4], dim=[0, 2], norm="ortho")
case("fft_rfft2", input=I(3, 3))
case("fft_rfft2", input=C(3, 4), err="real")
case("fft_irfft2", input=C(3, 3))
case("fft_irfft2", input=C(2, 3, 4, dtype=torch.complex128), s=[3, 6], norm="forward")
case("fft_irfft2", input=R(2, 2))
case("fft_irfft2", input=C(2, 3), dim=[0, 0], err="unique")
for op in ["fft_fftn", "fft_ifftn"]:
    case(op, input=C(2, 3, 4))
    case(op, input=R(2, 3, 4, dtype=f64), s=[3, 3], norm="ortho")  # the last len(s) dims
    case(op, input=R(3, 4), dim=[0], norm="forward")
    case(op, input=T(2.0))  # no dims: the input, as complex
    case(op, input=R(3, 4), dim=[0, 0], err="unique")
    case(op, input=R(3, 4), s=[2, 2], dim=[0], err="same length")
case("fft_rfftn", input=R(2, 3, 4))
case("fft_rfftn", input=R(3, 4, dtype=f64), s=[4, 6], norm="ortho")
case("fft_rfftn", input=R(4, 3).mT, dim=[0])
case("fft_rfftn", input=T(2.0), err="at least one axis")
case("fft_irfftn", input=C(2, 3, 3))
case("fft_irfftn", input=C(3, 4, dtype=torch.complex128), s=[2, 6], norm="forward")
case("fft_irfftn", input=C(3, 3), dim=[0])
for op in ["fft_fftshift", "fft_ifftshift"]:
    case(op, input=T([0, 1, 2, -2, -1]))
    case(op, input=R(3, 4))
    case(op, input=R(3, 5), dim=1)
    case(op, input=R(3, 4, 5), dim=[0, 2])
    case(op, input=C(4))
    case(op, input=R(0))
    case(op, input=R(4), dim=1, err=True)
    case(op, input=T(1.0), err=True)  # PyTorch's roll needs a dim to shift
for op in ["fft_fftfreq", "fft_rfftfreq"]:
    case(op, n=5)
    case(op, n=8, d=0.1)
    case(op, n=1, dtype="float64")
    case(op, n=0)
    case(op, n=-4, err="negative dimension")
    case(op, n=4, dtype="int64", err="floating point")
case("fft_fftfreq", n=-1, err="negative dimension")
case("fft_rfftfreq", n=-1)  # n // 2 + 1 in C++ (rounding toward zero) is 1: [-0.0], as PyTorch gives

with own_inputs(206):  # the inputs of the cases above and after stay as they were
    # Short-time transforms. PyTorch asks real inputs for return_complex.
    hann = lambda n, dtype=torch.float32: torch.hann_window(n, dtype=dtype)  # noqa: E731
    case("stft", input=R(16), n_fft=8, return_complex=True)
    case("stft", input=R(32, dtype=f64), n_fft=8, hop_length=3, window=hann(8, f64), return_complex=True)
    case("stft", input=R(2, 20), n_fft=6, win_length=4, window=hann(4), return_complex=True)
    case("stft", input=R(16), n_fft=8, center=False, return_complex=True)
    case("stft", input=R(16), n_fft=8, center=False, align_to_window=True, win_length=5, window=hann(5), return_complex=True)
    case("stft", input=R(16), n_fft=8, pad_mode="constant", return_complex=True)
    case("stft", input=R(16), n_fft=8, pad_mode="replicate", normalized=True, return_complex=True)
    case("stft", input=R(16), n_fft=8, pad_mode="circular", onesided=False, return_complex=True)
    case("stft", input=R(16), n_fft=8, return_complex=False)
    case("stft", input=C(16), n_fft=8)
    case("stft", input=C(16), n_fft=8, onesided=True, err=True)
    case("stft", input=R(16), n_fft=8, window=C(8), return_complex=True)
    case("stft", input=R(16), n_fft=8, err="return_complex")
    case("stft", input=R(16), n_fft=8, align_to_window=True, return_complex=True, err="align_to_window")
    case("stft", input=R(16), n_fft=0, return_complex=True, err=True)
    case("stft", input=R(16), n_fft=40, return_complex=True, err=True)
    case("stft", input=R(16), n_fft=8, hop_length=0, return_complex=True, err=True)
    case("stft", input=R(16), n_fft=8, win_length=9, return_complex=True, err=True)
    case("stft", input=R(16), n_fft=8, window=torch.ones(5), return_complex=True, err=True)
    case("stft", input=R(2, 3, 16), n_fft=8, return_complex=True, err=True)
    case("stft", input=I(16), n_fft=8, return_complex=True, err=True)
    _spec = torch.stft(R(16), 8, return_complex=True)
    _spec64 = torch.stft(R(30, dtype=f64), 8, hop_length=4, window=hann(8, f64), return_complex=True)
    case("istft", input=_spec, n_fft=8)
    case("istft", input=_spec, n_fft=8, length=12)
    case("istft", input=_spec64, n_fft=8, hop_length=4, window=hann(8, f64))
    case("istft", input=_spec64, n_fft=8, hop_length=4, window=hann(8, f64), length=40)
    case("istft", input=torch.stft(R(2, 16), 8, return_complex=True, normalized=True), n_fft=8, normalized=True)
    case("istft", input=torch.stft(R(16), 8, return_complex=True, onesided=False), n_fft=8)
    case("istft", input=torch.stft(R(16), 8, return_complex=True, onesided=False), n_fft=8, return_complex=True)
    case("istft", input=torch.stft(R(16), 8, return_complex=True, center=False), n_fft=8, center=False)
    case("istft", input=_spec, n_fft=8, return_complex=True, err=True)
    case("istft", input=R(5, 9), n_fft=8, err="complex")
    case("istft", input=_spec, n_fft=8, window=hann(8), center=False, err=True)
    case("istft", input=_spec, n_fft=8, hop_length=0, err=True)


with own_inputs(324):
    for op in ["fft_hfft2", "fft_hfftn"]:
        case(op, input=R(3, 4, dtype=torch.complex64))
        case(op, input=R(2, 3, 4), s=[4, 6], dim=[0, 2] if op == "fft_hfft2" else [0, 2], norm="ortho")
        case(op, input=R(3, 4, dtype=torch.complex128), norm="forward")
        case(op, input=I(2, 3))
        case(op, input=R(3, 4, dtype=torch.complex64), dim=[-1, 3], err=True)
        case(op, input=R(3, 4, dtype=torch.complex64), s=[0, 2], err="Invalid number of data points")
    case("fft_hfftn", input=R(2, 3, 4, dtype=torch.complex64), dim=[1])
    for op in ["fft_ihfft2", "fft_ihfftn"]:
        case(op, input=R(3, 4))
        case(op, input=R(2, 3, 4, dtype=torch.float64), s=[4, 6], dim=[0, 2], norm="ortho")
        case(op, input=I(2, 3), norm="forward")
        case(op, input=R(3, 4, dtype=torch.complex64), err=True)
        case(op, input=R(3, 4), dim=[0, 5], err=True)
    case("fft_ihfftn", input=R(2, 3, 5), dim=[0])
