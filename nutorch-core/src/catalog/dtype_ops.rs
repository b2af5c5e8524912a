//! Dtype and device conversion (to, float, long, cpu, ...) and a tensor's facts (shape, numel,
//! item, is_floating_point, ...), which come back as plain values.

use super::spec::{bad, opt, req, ten, ArgSpec, Dflt, OpSpec, Out, OutKind as O, Ty::*, DEVICE, DTYPE, INPUT, OTHER};
use super::util::{dtype, norm_dim, t, wrapped, R};
use super::{Args, Operand};
use crate::dtype::DType;
use crate::op;
use tch::{Device, Kind, Tensor};

/// A conversion to one dtype: Tensor.float() and friends.
macro_rules! cast {
    ($name:literal, $cat:ident, $torch:literal, $dtype:ident, $ex:literal => $res:literal) => {
        op!($name, $cat, $torch, concat!("A copy as ", stringify!($dtype), " (the tensor itself if it already is)."), [INPUT, MEMORY_FORMAT], O::Tensor,
            $ex => $res,
            |a| t(in_memory_format(&a.input().f_to_dtype(DType::$dtype.kind(), false, false)?, a.str("memory_format"))?))
    };
}

/// The device of `to`/`cuda`, checked to exist.
fn device_arg(a: &Args) -> R<Option<Device>> {
    Ok(a.device("device"))
}

/// PyTorch's memory formats, by the names of their torch objects.
const MEMORY_FORMATS: &[&str] = &["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"];
/// The casts' `memory_format` (`x.float(memory_format=...)`).
const MEMORY_FORMAT: ArgSpec = opt("memory_format", Str(MEMORY_FORMATS), Dflt::Str("preserve_format"));

/// `x` laid out in memory as `format` says (a view of `x` when it already is): row-major, or
/// channels last ((N, C, H, W) stored as (N, H, W, C), PyTorch's strides; `_3d` for 5-d).
/// preserve_format keeps the layout.
fn in_memory_format(x: &Tensor, format: &str) -> R<Tensor> {
    let (rank, order): (usize, &[i64]) = match format {
        "channels_last" => (4, &[0, 2, 3, 1]),
        "channels_last_3d" => (5, &[0, 2, 3, 4, 1]),
        "preserve_format" => return Ok(x.shallow_clone()),
        _ => return Ok(x.f_contiguous()?),
    };
    if x.dim() != rank {
        return Err(bad("memory_format", format!("required rank {rank} tensor to use {format} format")));
    }
    let back: Vec<i64> = (0..rank as i64).map(|d| order.iter().position(|&o| o == d).unwrap_or(0) as i64).collect();
    Ok(x.f_permute(order)?.f_contiguous()?.f_permute(back.as_slice())?)
}

/// Small slices of `x` keeping its rank: enough to read the dtype an op would give.
fn probe(x: &Tensor) -> R<Tensor> {
    let mut p = x.f_detach()?;
    for d in 0..x.dim() as i64 {
        let n = p.size()[d as usize].min(1);
        p = p.f_narrow(d, 0, n)?;
    }
    Ok(p)
}

fn empty_of(d: DType) -> R<Tensor> {
    Ok(Tensor::f_empty([0], (d.kind(), Device::Cpu))?)
}

pub static OPS: &[OpSpec] = &[
    op!("to", Conversion, "Tensor.to", "The tensor with another dtype and/or on another device, or those of other (a copy with --copy).",
    [INPUT, opt("other", Tensor, Dflt::None).pos().doc("a tensor whose dtype and device to take"), DTYPE, DEVICE, opt("copy", Bool, Dflt::Bool(false)),
     opt("memory_format", Str(MEMORY_FORMATS), Dflt::Str("preserve_format"))], O::Tensor,
    "nutorch fromvalue [1.7 -1.7] | nutorch to --dtype int32 | nutorch tovalue" => "[1, -1]",
    |a| {
        let x = a.input();
        if let Some(other) = a.opt_tensor("other") {
            if a.has("dtype") || a.has("device") {
                return Err(bad("other", "give other or --dtype/--device, not both"));
            }
            let y = x.f_to_dtype_layout((other.f_kind()?, other.device()), false, a.flag("copy"))?;
            return t(in_memory_format(&y, a.str("memory_format"))?);
        }
        let kind = match a.dtype("dtype") {
            Some(d) => d.kind(),
            None => x.f_kind()?,
        };
        let device = device_arg(a)?.unwrap_or_else(|| x.device());
        let y = x.f_to_dtype_layout((kind, device), false, a.flag("copy"))?;
        t(in_memory_format(&y, a.str("memory_format"))?)
    }),
    cast!("float", Conversion, "Tensor.float", Float32, "nutorch fromvalue [1 2] | nutorch float | nutorch tovalue" => "[1.0, 2.0]"),
    cast!("double", Conversion, "Tensor.double", Float64, "nutorch fromvalue [1 2] | nutorch double | nutorch tovalue" => "[1.0, 2.0]"),
    cast!("half", Conversion, "Tensor.half", Float16, "nutorch fromvalue [0.5] | nutorch half | nutorch tovalue" => "[0.5]"),
    cast!("bfloat16", Conversion, "Tensor.bfloat16", BFloat16, "nutorch fromvalue [0.5] | nutorch bfloat16 | nutorch tovalue" => "[0.5]"),
    cast!("int", Conversion, "Tensor.int", Int32, "nutorch fromvalue [1.9 -1.9] | nutorch int | nutorch tovalue" => "[1, -1]"),
    cast!("long", Conversion, "Tensor.long", Int64, "nutorch fromvalue [true false] | nutorch long | nutorch tovalue" => "[1, 0]"),
    cast!("short", Conversion, "Tensor.short", Int16, "nutorch fromvalue [300] | nutorch short | nutorch tovalue" => "[300]"),
    cast!("char", Conversion, "Tensor.char", Int8, "nutorch fromvalue [100] | nutorch char | nutorch tovalue" => "[100]"),
    cast!("byte", Conversion, "Tensor.byte", UInt8, "nutorch fromvalue [200] | nutorch byte | nutorch tovalue" => "[200]"),
    cast!("bool", Conversion, "Tensor.bool", Bool, "nutorch fromvalue [0 2] | nutorch bool | nutorch tovalue" => "[false, true]"),
    cast!("cfloat", Conversion, "Tensor.cfloat", Complex64, "nutorch fromvalue [1.5] | nutorch cfloat | nutorch view_as_real | nutorch tovalue" => "[[1.5, 0.0]]"),
    cast!("cdouble", Conversion, "Tensor.cdouble", Complex128, "nutorch fromvalue [1.5] | nutorch cdouble | nutorch view_as_real | nutorch tovalue" => "[[1.5, 0.0]]"),
    op!("chalf", Conversion, "Tensor.chalf", "A copy as complex32 (not supported: always an error).",
        [INPUT], O::Tensor,
        "try { nutorch ones 2 | nutorch chalf } catch {|e| $e.msg }" => "\"Invalid argument\"",
        |_| Err(bad("input", "complex32 (chalf) tensors are not supported: nutorch's dtypes stop at complex64 and complex128 (use cfloat)")),
        notes: "complex32 is not one of nutorch's dtypes: such a tensor could be neither shown, read back nor stored."),
    op!("type_as", Conversion, "Tensor.type_as", "The input with the dtype of other.",
        [INPUT, OTHER], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch type_as (nutorch fromvalue [0.5]) | nutorch tovalue" => "[1.0, 2.0]",
        |a| t(a.input().f_type_as(a.tensor("other"))?)),
    op!("cpu", Conversion, "Tensor.cpu", "The tensor in CPU memory.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch cpu | nutorch tovalue" => "[1, 2]",
        |a| t(a.input().f_to_device(Device::Cpu)?)),
    op!("cuda", Conversion, "Tensor.cuda", "The tensor in GPU memory (cuda:0 unless --device names another).",
        [INPUT, opt("device", Int, Dflt::Int(0)).doc("the GPU's index")], O::Tensor,
        "try { nutorch fromvalue [1] | nutorch cuda | nutorch tovalue } catch { [1] }" => "[1]",
        |a| {
            let index = a.int("device");
            let device = Device::Cuda(index.max(0) as usize);
            if index < 0 {
                return Err(bad("device", format!("a GPU index is non-negative, got {index}")));
            }
            super::util::at("device", crate::device::check_available(device))?;
            t(a.input().f_to_device(device)?)
        },
        notes: "On a machine without that GPU this is an error naming the devices there are."),
    op!("contiguous", Conversion, "Tensor.contiguous", "The tensor with its elements in row-major order in memory (a copy only if needed).",
    [INPUT, opt("memory_format", Str(MEMORY_FORMATS), Dflt::Str("contiguous_format"))], O::Tensor,
    "nutorch fromvalue [[1 2] [3 4]] | nutorch t | nutorch contiguous | nutorch tovalue" => "[[1, 3], [2, 4]]",
    |a| {
        let format = a.str("memory_format");
        // As Tensor.contiguous: a contiguous tensor comes back before the format is looked at.
        if format == "preserve_format" && !a.input().is_contiguous() {
            return Err(bad("memory_format", "preserve memory format is unsupported by the contiguous operator"));
        }
        t(in_memory_format(a.input(), format)?)
    }),
    op!("clone", Conversion, "torch.clone", "A copy with its own memory (gradients flow back to the original).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch clone | nutorch tovalue" => "[1, 2]",
        |a| t(a.input().f_to_dtype(a.input().f_kind()?, false, true)?)),
    op!("shape", Conversion, "Tensor.shape", "The sizes of the dimensions, as a list.",
        [INPUT], O::Value,
        "nutorch zeros 2 3 | nutorch shape" => "[2, 3]",
        |a| Ok(Out::Ints(a.input().size()))),
    op!("size", Conversion, "Tensor.size", "The sizes of the dimensions, or the size of --dim.",
    [INPUT, opt("dim", Int, Dflt::None)], O::Value,
    "nutorch zeros 2 3 | nutorch size --dim -1" => "3",
    |a| match a.opt_int("dim") {
        None => Ok(Out::Ints(a.input().size())),
        Some(d) => Ok(Out::Int(super::util::size_at("dim", a.input(), d)?)),
    }),
    op!("numel", Conversion, "torch.numel", "The number of elements.",
        [INPUT], O::Value,
        "nutorch zeros 2 3 | nutorch numel" => "6",
        |a| Ok(Out::Int(a.input().numel() as i64))),
    op!("dim", Conversion, "Tensor.dim", "The number of dimensions.",
        [INPUT], O::Value,
        "nutorch zeros 2 3 | nutorch dim" => "2",
        |a| Ok(Out::Int(a.input().dim() as i64))),
    op!("ndimension", Conversion, "Tensor.ndimension", "The number of dimensions (alias of dim).",
        [INPUT], O::Value,
        "nutorch fromvalue 5 | nutorch ndimension" => "0",
        |a| Ok(Out::Int(a.input().dim() as i64))),
    op!("item", Conversion, "Tensor.item", "The value of a one-element tensor, as a number (or bool).",
    [INPUT], O::Value,
    "nutorch fromvalue [[2.5]] | nutorch item" => "2.5",
    |a| {
        let x = a.input();
        if x.numel() != 1 {
            return Err(bad("input", format!("a Tensor with {} elements cannot be converted to a scalar", x.numel())));
        }
        let dt = dtype(x)?;
        let one = x.f_reshape([-1])?;
        Ok(if dt.is_bool() {
            Out::Bool(one.f_int64_value(&[0])? != 0)
        } else if dt.is_integer() {
            Out::Int(one.f_int64_value(&[0])?)
        } else if dt.is_complex() {
            return Err(bad("input", "a complex number has no Nushell equivalent; take view_as_real first"));
        } else {
            Out::Float(one.f_double_value(&[0])?)
        })
    }),
    op!("element_size", Conversion, "Tensor.element_size", "Bytes per element.",
        [INPUT], O::Value,
        "nutorch zeros 1 --dtype float64 | nutorch element_size" => "8",
        |a| Ok(Out::Int(dtype(a.input())?.element_size() as i64))),
    op!("is_floating_point", Conversion, "torch.is_floating_point", "Whether the dtype is a floating point type.",
        [INPUT], O::Value,
        "nutorch fromvalue [1] | nutorch is_floating_point" => "false",
        |a| Ok(Out::Bool(a.input().f_is_floating_point()?))),
    op!("is_complex", Conversion, "torch.is_complex", "Whether the dtype is a complex type.",
        [INPUT], O::Value,
        "nutorch fromvalue [1.0] | nutorch is_complex" => "false",
        |a| Ok(Out::Bool(a.input().f_is_complex()?))),
    op!("is_contiguous", Conversion, "Tensor.is_contiguous", "Whether the elements lie in row-major order in memory.",
        [INPUT], O::Value,
        "nutorch zeros 2 3 | nutorch t | nutorch is_contiguous" => "false",
        |a| Ok(Out::Bool(a.input().is_contiguous()))),
    op!("is_nonzero", Conversion, "torch.is_nonzero", "Whether a one-element tensor is nonzero.",
    [INPUT], O::Value,
    "nutorch fromvalue [0.5] | nutorch is_nonzero" => "true",
    |a| {
        if a.input().numel() != 1 {
            return Err(bad("input", format!("Boolean value of Tensor with {} values is ambiguous", a.input().numel())));
        }
        Ok(Out::Bool(a.input().f_is_nonzero()?))
    }),
    op!("is_same_size", Conversion, "Tensor.is_same_size", "Whether two tensors have the same shape.",
        [INPUT, OTHER], O::Value,
        "nutorch zeros 2 | nutorch is_same_size (nutorch ones 2)" => "true",
        |a| Ok(Out::Bool(a.input().f_is_same_size(a.tensor("other"))?))),
    op!("stride", Conversion, "Tensor.stride", "The step in memory (in elements) along each dimension, or along --dim.",
    [INPUT, opt("dim", Int, Dflt::None)], O::Value,
    "nutorch zeros 2 3 | nutorch stride" => "[3, 1]",
    |a| {
        let strides = a.input().stride();
        match a.opt_int("dim") {
            None => Ok(Out::Ints(strides)),
            Some(d) => {
                let d = norm_dim("dim", d, a.input().dim() as i64)?;
                Ok(Out::Int(strides.get(d as usize).copied().unwrap_or(1)))
            }
        }
    }),
    op!("view_as_real", Conversion, "torch.view_as_real", "A complex tensor as floats with a last dimension of 2 (real, imaginary).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.0 2.0] --dtype complex64 | nutorch view_as_real | nutorch tovalue" => "[[1.0, 0.0], [2.0, 0.0]]",
        |a| t(a.input().f_view_as_real()?)),
    op!("view_as_complex", Conversion, "torch.view_as_complex", "A float tensor whose last dimension is 2 (real, imaginary) as complex numbers.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1.0 2.0]] | nutorch view_as_complex | nutorch imag | nutorch tovalue" => "[2.0]",
        |a| t(a.input().f_view_as_complex()?)),
    op!("complex", Conversion, "torch.complex", "A complex tensor from its real and imaginary parts (float tensors of one dtype).",
        [ten("real"), ten("imag")], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch complex (nutorch fromvalue [2.0]) | nutorch view_as_real | nutorch tovalue" => "[[1.0, 2.0]]",
        |a| t(Tensor::f_complex(a.tensor("real"), a.tensor("imag"))?)),
    op!("polar", Conversion, "torch.polar", "A complex tensor from absolute values and angles: abs * (cos(angle) + i sin(angle)).",
        [ten("abs"), ten("angle")], O::Tensor,
        "nutorch fromvalue [2.0] | nutorch polar (nutorch fromvalue [0.0]) | nutorch view_as_real | nutorch tovalue" => "[[2.0, 0.0]]",
        |a| t(Tensor::f_polar(a.tensor("abs"), a.tensor("angle"))?)),
    op!("conj", Conversion, "torch.conj", "The complex conjugate, as a lazy view (the tensor itself for real dtypes).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1.0 2.0]] | nutorch view_as_complex | nutorch conj | nutorch resolve_conj | nutorch view_as_real | nutorch tovalue" => "[[1.0, -2.0]]",
        |a| t(a.input().f_conj()?)),
    op!("conj_physical", Conversion, "torch.conj_physical", "The complex conjugate, computed into new memory.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[1.0 2.0]] | nutorch view_as_complex | nutorch conj_physical | nutorch view_as_real | nutorch tovalue" => "[[1.0, -2.0]]",
        |a| t(a.input().f_conj_physical()?)),
    op!("resolve_conj", Conversion, "torch.resolve_conj", "The tensor with a lazy conjugation (from conj) carried out; the tensor itself otherwise.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [[0.0 1.0]] | nutorch view_as_complex | nutorch conj | nutorch resolve_conj | nutorch imag | nutorch tovalue" => "[-1.0]",
        |a| t(a.input().f_resolve_conj()?)),
    op!("resolve_neg", Conversion, "torch.resolve_neg", "The tensor with a lazy negation (a view such as imag of conj) carried out; the tensor itself otherwise.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.0] | nutorch resolve_neg | nutorch tovalue" => "[1.0]",
        |a| t(a.input().f_resolve_neg()?)),
    op!("real", Conversion, "torch.real", "The real part (the tensor itself for real dtypes).",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.5] --dtype complex128 | nutorch real | nutorch tovalue" => "[1.5]",
        |a| t(a.input().f_real()?)),
    op!("imag", Conversion, "torch.imag", "The imaginary part of a complex tensor.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [1.5] --dtype complex64 | nutorch imag | nutorch tovalue" => "[0.0]",
        |a| t(a.input().f_imag()?)),
    op!("result_type", Conversion, "torch.result_type", "The dtype an arithmetic op on these operands gives.",
    [ten_("tensor"), req("other", TensorOrNumber)], O::Value,
    "nutorch fromvalue [1 2] | nutorch result_type 2.5" => "\"float32\"",
    |a| {
        let x = probe(a.tensor("tensor"))?;
        let y = match a.operand("other") {
            Operand::T(o) => probe(o)?,
            Operand::N(n) => wrapped(n, &x)?,
        };
        let kind = x.f_add(&y)?.f_kind()?;
        Ok(Out::Str(DType::from_kind(kind)?.name().to_string()))
    }),
    op!("promote_types", Conversion, "torch.promote_types", "The smallest dtype both dtypes convert to safely.",
    [req("type1", DType), req("type2", DType)], O::Value,
    "nutorch promote_types int32 float16" => "\"float16\"",
    |a| {
        let (x, y) = (empty_of(a.dtype("type1").unwrap_or(DType::Float32))?, empty_of(a.dtype("type2").unwrap_or(DType::Float32))?);
        Ok(Out::Str(DType::from_kind(x.f_add(&y)?.f_kind()?)?.name().to_string()))
    }),
    op!("can_cast", Conversion, "torch.can_cast", "Whether casting from one dtype to another is allowed by PyTorch's rules.",
    [req("from_", DType), req("to", DType)], O::Value,
    "nutorch can_cast float32 int32" => "false",
    |a| {
        let from: Kind = a.dtype("from_").unwrap_or(DType::Float32).kind();
        let to: Kind = a.dtype("to").unwrap_or(DType::Float32).kind();
        Ok(Out::Bool(Tensor::f_can_cast(from, to)?))
    }),
];

const fn ten_(name: &'static str) -> super::spec::ArgSpec {
    super::spec::ten(name)
}
