"""Window functions: torch.signal.windows.* and torch.*_window."""
import torch

from .framework import case

PARAMS = {
    "bartlett": [{}], "blackman": [{}], "cosine": [{}], "hamming": [{}], "hann": [{}], "nuttall": [{}],
    "exponential": [{}, {"tau": 2.5}], "gaussian": [{}, {"std": 0.7}], "kaiser": [{}, {"beta": 3.5}, {"beta": 0.0}],
    "general_hamming": [{}, {"alpha": 0.6}], "general_cosine": [{"a": [0.46, 0.23, 0.31]}, {"a": [1.0]}],
}
for name, params in PARAMS.items():
    op = "signal_windows_" + name
    first = params[0]
    for p in params:
        for m in [0, 1, 2, 5, 8]:
            case(op, M=m, **p)
        case(op, M=7, sym=False, **p)
        case(op, M=6, sym=False, dtype="float64", **p)
        case(op, M=9, dtype="float64", **p)
    case(op, M=1, sym=False, **first)
    case(op, M=4, requires_grad=True, **first)
    case(op, M=-1, err="non-negative", **first)
    case(op, M=3, dtype="int64", err="float32 or float64", **first)
    case(op, M=3, dtype="float16", err="float32 or float64", **first)
case("signal_windows_exponential", M=5, sym=False, center=1.0)
case("signal_windows_exponential", M=5, sym=False, center=3.5, tau=0.5, dtype="float64")
case("signal_windows_exponential", M=5, center=1.0, err="Center must be None")
case("signal_windows_exponential", M=5, tau=0.0, err="Tau must be positive")
case("signal_windows_gaussian", M=5, std=-1.0, err="Standard deviation must be positive")
case("signal_windows_kaiser", M=5, beta=-1.0, err="beta must be non-negative")
case("signal_windows_general_cosine", M=5, a=[], err="Coefficients cannot be empty")

for op, params in [("bartlett_window", [{}]), ("blackman_window", [{}]), ("hann_window", [{}]),
                   ("hamming_window", [{}, {"periodic": True, "alpha": 0.5, "beta": 0.5}]), ("kaiser_window", [{}, {"periodic": True, "beta": 5.0}])]:
    for p in params:
        for n in [0, 1, 2, 5, 8]:
            case(op, window_length=n, **p)
        case(op, window_length=7, **{**p, "periodic": False})
        case(op, window_length=6, dtype="float64", **p)
    case(op, window_length=5, dtype="float16")
    case(op, window_length=5, dtype="bfloat16", periodic=False)
    case(op, window_length=4, requires_grad=True)
    case(op, window_length=-1, err="non-negative")
    case(op, window_length=3, dtype="int64", err="floating point")
