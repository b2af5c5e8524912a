"""Dtype/device conversion and tensor facts."""
import torch

from .framework import B, I, R, SPECIAL, T, case, own_inputs

f64 = torch.float64

case("to", input=R(2, 3), dtype="float64", fn=lambda input, dtype: input.to(dtype=dtype))
case("to", input=T([1.7, -1.7, 2.5]), dtype="int32", fn=lambda input, dtype: input.to(dtype=dtype))
case("to", input=I(3), dtype="bool", fn=lambda input, dtype: input.to(dtype=dtype))
case("to", input=SPECIAL, dtype="bfloat16", fn=lambda input, dtype: input.to(dtype=dtype))
case("to", input=R(3), device="cpu", fn=lambda input, device: input.to(device=device))
case("to", input=R(3), copy=True, fn=lambda input, copy: input.to(input.dtype, copy=copy))
for op in ["float", "double", "half", "bfloat16", "int", "long", "short", "char", "byte", "bool"]:
    case(op, input=R(2, 3) * 100)
    case(op, input=I(4))
    case(op, input=B(3))
case("type_as", input=I(3), other=R(1))
case("type_as", input=R(3) * 10, other=I(1, dtype=torch.int16))
case("cpu", input=R(3))
case("cuda", input=R(2), device=99, err="cuda:99", fn=lambda input, device: input.cuda(device))
case("contiguous", input=R(2, 3))
case("contiguous", input=I(3))
case("clone", input=R(2, 3))
case("clone", input=B(4))
case("shape", input=R(2, 3, 4), fn=lambda input: input.shape)
case("shape", input=R(), fn=lambda input: input.shape)
case("size", input=R(2, 3, 4))
case("size", input=R(2, 3, 4), dim=-1)
case("size", input=R(2), dim=1, err=True)
case("numel", input=R(2, 3, 4))
case("numel", input=R(0, 3))
case("dim", input=R(2, 3))
case("dim", input=R())
case("ndimension", input=R(2, 3, 1))
case("item", input=T(2.5))
case("item", input=T([[7]]))
case("item", input=T([True]))
case("item", input=T(2.5, dtype=f64))
case("item", input=R(2), err=True)
case("element_size", input=R(2, dtype=f64))
case("element_size", input=B(2))
case("element_size", input=R(2, dtype=torch.bfloat16))
case("is_floating_point", input=R(2))
case("is_floating_point", input=I(2))
case("is_complex", input=R(2))
case("is_contiguous", input=R(2, 3))
case("is_nonzero", input=T([0.0]))
case("is_nonzero", input=T(3))
case("is_nonzero", input=R(2), err=True)
case("is_same_size", input=R(2, 3), other=R(2, 3))
case("is_same_size", input=R(2, 3), other=R(3, 2))
case("stride", input=R(2, 3, 4))
case("stride", input=R(2, 3, 4), dim=1)
case("view_as_real", input=R(3).to(torch.complex64))
case("view_as_real", input=R(3), err=True)
case("real", input=R(3))
case("real", input=R(2, 2, dtype=f64).to(torch.complex128))
case("imag", input=R(3).to(torch.complex64))
case("imag", input=R(3), err=True)
case("result_type", tensor=I(3), other=2.5)
case("result_type", tensor=I(3, dtype=torch.int32), other=2)
case("result_type", tensor=R(3, dtype=torch.float16), other=R(3))
case("result_type", tensor=R(3), other=T(1.0, dtype=f64))
case("result_type", tensor=B(3), other=1)
case("result_type", tensor=I(3, dtype=torch.uint8), other=I(3, dtype=torch.int8))
for a, b in [("int32", "float16"), ("uint8", "int8"), ("bool", "bool"), ("float32", "float64"), ("int64", "bfloat16"), ("bfloat16", "float16")]:
    case("promote_types", type1=a, type2=b, fn=lambda type1, type2: torch.promote_types(getattr(torch, type1), getattr(torch, type2)))
for a, b in [("float32", "int32"), ("int32", "float32"), ("bool", "uint8"), ("float64", "float16"), ("int64", "bool")]:
    case("can_cast", from_=a, to=b, fn=lambda from_, to: torch.can_cast(getattr(torch, from_), getattr(torch, to)))
C = lambda *shape, dtype=torch.complex64: torch.complex(R(*shape), R(*shape)).to(dtype)  # noqa: E731
case("view_as_complex", input=R(3, 2))
case("view_as_complex", input=R(2, 2, 2, dtype=f64))
case("view_as_complex", input=R(0, 2))
case("view_as_complex", input=R(3, 3), err=True)
case("view_as_complex", input=R(2, 3).mT, err=True)  # the last dim's stride is not 1
case("view_as_complex", input=I(3, 2), err=True)
case("view_as_real", input=C(2, 3))
case("complex", real=R(3), imag=R(3))
case("complex", real=R(2, 1, dtype=f64), imag=R(3, dtype=f64))  # broadcast
case("complex", real=R(3), imag=R(3, dtype=f64), err=True)
case("complex", real=I(3), imag=I(3), err=True)
case("polar", abs=R(3, lo=0.0), angle=R(3))
case("polar", abs=R(2, 2, dtype=f64, lo=0.0), angle=R(2, 2, dtype=f64))
case("polar", abs=R(3), angle=R(3, dtype=f64), err=True)
for op in ["conj", "conj_physical", "resolve_conj", "resolve_neg"]:
    case(op, input=C(2, 3))
    case(op, input=C(3, dtype=torch.complex128))
    case(op, input=R(3))
    case(op, input=I(2, 2))
    case(op, input=R(0))

with own_inputs(106):
    # to(other): the dtype and device of another tensor.
    case("to", input=I(3), other=R(2, dtype=torch.float64))
    case("to", input=R(3), other=B(1))
    case("to", input=R(3), other=I(2), copy=True, fn=lambda input, other, copy: input.to(other, copy=copy))

    # memory_format: values unchanged (strides are checked in nu_plugin_nutorch/tests/commands.rs), PyTorch's errors.
    def _contiguous(input, memory_format):
        return input.contiguous(memory_format=getattr(torch, memory_format))


    def _to(input, memory_format, dtype=None):
        return input.to(dtype=dtype, memory_format=getattr(torch, memory_format)) if dtype else input.to(memory_format=getattr(torch, memory_format))


    case("contiguous", input=R(2, 3, 4, 5), memory_format="channels_last", fn=_contiguous)
    case("contiguous", input=R(2, 3, 4, 5, 2).mT, memory_format="channels_last_3d", fn=_contiguous)
    case("contiguous", input=R(3, 4).mT, memory_format="contiguous_format", fn=_contiguous)
    case("contiguous", input=R(2, 3, 4), memory_format="channels_last", err="required rank 4", fn=_contiguous)
    case("contiguous", input=R(2, 3).mT, memory_format="preserve_format", err="preserve memory format", fn=_contiguous)
    case("contiguous", input=R(2, 3), memory_format="preserve_format", fn=_contiguous)
    case("to", input=R(2, 3, 4, 5), memory_format="channels_last", fn=_to)
    case("to", input=I(2, 3, 4, 5), dtype="float64", memory_format="channels_last", fn=_to)
    case("to", input=R(3, 4).mT, memory_format="preserve_format", fn=_to)
    case("to", input=R(2, 3), memory_format="channels_last_3d", err="required rank 5", fn=_to)

    def _cast(name):
        return lambda input, memory_format: getattr(input, name)(memory_format=getattr(torch, memory_format))

    with own_inputs(406):
        case("double", input=R(2, 3, 4, 5), memory_format="channels_last", fn=_cast("double"))
        case("int", input=R(3, 4).mT, memory_format="contiguous_format", fn=_cast("int"))
        case("half", input=R(3, 4).mT, memory_format="preserve_format", fn=_cast("half"))
        case("bool", input=R(2, 3), memory_format="channels_last", err="required rank 4", fn=_cast("bool"))



def sparse_refused(**_):
    """PyTorch makes a sparse tensor; nutorch holds only strided ones and refuses."""
    raise RuntimeError("sparse tensors are not supported")


case("to_sparse", input=R(2, 3), err="sparse tensors are not supported", fn=sparse_refused)
case("to_sparse", input=I(2, 3), sparse_dim=1, err="sparse tensors are not supported", fn=sparse_refused)


with own_inputs(320):
    for op in ["cfloat", "cdouble"]:
        case(op, input=R(2, 3))
        case(op, input=I(4))
        case(op, input=R(dtype=torch.float64))
        case(op, input=R(2, dtype=torch.complex64))
        case(op, input=B(0, 2))


def complex32_refused(**_):
    """PyTorch makes a complex32 tensor; nutorch has no complex32 dtype and refuses."""
    raise RuntimeError("complex32 (chalf) tensors are not supported")


with own_inputs(321):
    case("chalf", input=R(2, 3), err="complex32 (chalf) tensors are not supported", fn=complex32_refused)
    case("chalf", input=I(0), err="complex32 (chalf) tensors are not supported", fn=complex32_refused)
