//! A tensor's text as PyTorch's `repr(t)` writes it: a port of `torch/_tensor_str.py`
//! (`_str_intern`, `_tensor_str`, `_Formatter`, `_tensor_str_with_formatter`, `_vector_str`,
//! `get_summarized_data`, `_add_suffixes`) with the default print options.
//!
//! PyTorch summarises a tensor of more than `threshold` elements to its first and last
//! `edgeitems` along every dimension, and both the formatter (widths, fixed or scientific
//! notation) and the text see only those elements. Here the same elements are taken on the
//! tensor's own device as one view (`unfold` picks the two edges of a dimension without
//! copying) and only they are copied to the host, so a tensor of any size prints at once.
//! PyTorch formats every element as a Python float (a double) or int; values are converted
//! to f64 / i64 first, which is exact for every dtype nutorch holds.

use crate::device::device_name;
use crate::dtype::DType;
use crate::error::Result;
use tch::{Device, Kind, Tensor};

/// PyTorch's default print options (`torch.set_printoptions(profile="default")`).
const PRECISION: usize = 4;
const THRESHOLD: i64 = 1000;
const EDGEITEMS: i64 = 3;
const LINEWIDTH: usize = 80;
/// `tensor(`: the prefix, and the indent of continuation lines and suffixes.
const PREFIX: &str = "tensor(";

/// `repr(t)` for a tensor, its grad_fn read from the autograd graph.
pub fn repr(tensor: &Tensor) -> Result<String> {
    tensor_repr(tensor, crate::state::grad_fn_name(tensor).as_deref())
}

/// `repr(t)` for a tensor whose grad_fn is called `grad_fn` (`MulBackward0`; `None` for a
/// leaf or a tensor without grad). A pure function of the tensor's values, shape, dtype,
/// device and requires_grad flag.
pub fn tensor_repr(tensor: &Tensor, grad_fn: Option<&str>) -> Result<String> {
    let dtype = DType::of(tensor)?;
    let requires_grad = tensor.requires_grad();
    let device = tensor.device();
    let shape = tensor.size();
    let numel: i64 = shape.iter().product();
    let indent = PREFIX.len();
    let mut suffixes = Vec::new();

    // PyTorch names the device unless it is the default (CPU); an MPS tensor's is 'mps:0'.
    match device {
        Device::Cpu => {}
        Device::Mps => suffixes.push("device='mps:0'".to_string()),
        other => suffixes.push(format!("device='{}'", device_name(other))),
    }

    let body = if numel == 0 {
        // Only `(0,)` goes without its size; an empty tensor has no values to tell its dtype by.
        if shape.len() != 1 {
            suffixes.push(format!("size={}", python_tuple(&shape)));
        }
        if dtype != DType::Float32 {
            suffixes.push(format!("dtype=torch.{}", dtype.name()));
        }
        "[]".to_string()
    } else {
        // float32 and complex64 (the defaults), int64 and bool go without their dtype.
        if !matches!(dtype, DType::Float32 | DType::Complex64 | DType::Int64 | DType::Bool) {
            suffixes.push(format!("dtype=torch.{}", dtype.name()));
        }
        tch::no_grad(|| tensor_str(tensor, dtype, &shape, numel, indent))?
    };

    if let Some(name) = grad_fn {
        // Python shows the node class's name; C++ nodes may be namespaced (torch::autograd::CopySlices).
        let name = name.rsplit("::").next().unwrap_or(name);
        suffixes.push(format!("grad_fn=<{name}>"));
    } else if requires_grad {
        suffixes.push("requires_grad=True".to_string());
    }
    Ok(add_suffixes(&format!("{PREFIX}{body}"), &suffixes, indent))
}

/// The text of a tensor whose values are not at hand, as PyTorch writes a meta tensor's:
/// `tensor(..., size=(2, 3), dtype=torch.int64, requires_grad=True)` (`device` as nutorch
/// names devices; only non-CPU devices are shown).
pub fn placeholder_repr(shape: &[i64], dtype: DType, device: &str, requires_grad: bool) -> String {
    let mut suffixes = Vec::new();
    if device != "cpu" {
        suffixes.push(format!("device='{device}'"));
    }
    suffixes.push(format!("size={}", python_tuple(shape)));
    if dtype != DType::Float32 {
        suffixes.push(format!("dtype=torch.{}", dtype.name()));
    }
    if requires_grad {
        suffixes.push("requires_grad=True".to_string());
    }
    add_suffixes(&format!("{PREFIX}..."), &suffixes, PREFIX.len())
}

/// Python's `str(tuple(shape))`: `(0, 3)`, `(0,)`, `()`.
fn python_tuple(shape: &[i64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// `_add_suffixes`: each suffix after `, `, or on a new line when the line would pass the
/// line width. The length of the last line is computed as PyTorch does (two more than the
/// text when it has no newline), which decides where suffixes wrap.
fn add_suffixes(tensor_str: &str, suffixes: &[String], indent: usize) -> String {
    let mut out = String::from(tensor_str);
    let chars = tensor_str.chars().count() as i64;
    let mut last_line_len = match tensor_str.rfind('\n') {
        Some(pos) => chars - tensor_str[..pos].chars().count() as i64 + 1,
        None => chars + 2,
    };
    for suffix in suffixes {
        let suffix_len = suffix.chars().count() as i64;
        if last_line_len + suffix_len + 2 > LINEWIDTH as i64 {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
            out.push_str(suffix);
            last_line_len = indent as i64 + suffix_len;
        } else {
            out.push_str(", ");
            out.push_str(suffix);
            last_line_len += suffix_len + 2;
        }
    }
    out.push(')');
    out
}

/// The host copy of the elements that are printed, in row-major order.
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
    /// Real and imaginary parts.
    Complex(Vec<f64>, Vec<f64>),
}

/// `_tensor_str` for a non-empty tensor: the bracketed values.
fn tensor_str(tensor: &Tensor, dtype: DType, shape: &[i64], numel: i64, indent: usize) -> Result<String> {
    let summarize = numel > THRESHOLD;
    let tensor = tensor.f_detach()?;
    // The dimensions whose middle is left out ("..."): longer than both edges together.
    let cut: Vec<bool> = shape.iter().map(|&n| summarize && n > 2 * EDGEITEMS).collect();
    let shown = summarized_data(&tensor, shape, &cut)?;
    let shown_shape = shown.size();
    let values = host_values(&shown, dtype)?;
    let text = match &values {
        Values::Complex(re, im) => {
            let (f1, f2) = (Formatter::float(re), Formatter::float(im));
            let element = |i: usize| complex_str(&f1, &f2, re[i], im[i]);
            let extra = f2.max_width + 1;
            nested_str(&shown_shape, &cut, indent, f1.max_width + extra, &element)
        }
        Values::Float(v) => {
            let f = Formatter::float(v);
            nested_str(&shown_shape, &cut, indent, f.max_width, &|i| f.format_float(v[i]))
        }
        Values::Int(v) => {
            let texts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            let f = Formatter::text(&texts);
            nested_str(&shown_shape, &cut, indent, f.max_width, &|i| pad(&texts[i], f.max_width))
        }
        Values::Bool(v) => {
            let texts: Vec<String> = v.iter().map(|&b| if b { "True" } else { "False" }.to_string()).collect();
            let f = Formatter::text(&texts);
            nested_str(&shown_shape, &cut, indent, f.max_width, &|i| pad(&texts[i], f.max_width))
        }
    };
    Ok(text)
}

/// `get_summarized_data` as one strided view: every cut dimension of size n becomes its
/// first and last `EDGEITEMS` elements (`unfold(d, 3, n - 3)` is the two windows starting
/// at 0 and n - 3), so only the printed elements are ever copied.
fn summarized_data(tensor: &Tensor, shape: &[i64], cut: &[bool]) -> Result<Tensor> {
    if !cut.contains(&true) {
        return Ok(tensor.shallow_clone());
    }
    let ndim = shape.len() as i64;
    let mut view = tensor.shallow_clone();
    let mut order = Vec::new();
    let mut windows = 0;
    let mut out_shape = Vec::new();
    for (d, (&n, &c)) in shape.iter().zip(cut).enumerate() {
        order.push(d as i64);
        if c {
            view = view.f_unfold(d as i64, EDGEITEMS, n - EDGEITEMS)?;
            order.push(ndim + windows);
            windows += 1;
            out_shape.push(2 * EDGEITEMS);
        } else {
            out_shape.push(n);
        }
    }
    Ok(view.f_permute(order)?.f_reshape(out_shape)?)
}

/// The printed elements on the host: floats as f64, integers as i64, complex as (re, im)
/// pairs, with the negative and conjugate bits resolved.
fn host_values(shown: &Tensor, dtype: DType) -> Result<Values> {
    let shown = shown.f_to(Device::Cpu)?.f_resolve_conj()?.f_resolve_neg()?;
    let flat = |t: Tensor| t.f_contiguous()?.f_reshape([-1]);
    Ok(if dtype.is_complex() {
        let pairs = Vec::<f64>::try_from(&flat(shown.f_to_kind(Kind::ComplexDouble)?.f_view_as_real()?)?)?;
        let (re, im) = pairs.chunks_exact(2).map(|p| (p[0], p[1])).unzip();
        Values::Complex(re, im)
    } else if dtype.is_floating_point() {
        Values::Float(Vec::<f64>::try_from(&flat(shown.f_to_kind(Kind::Double)?)?)?)
    } else if dtype.is_bool() {
        // Bytes other than 0/1 (from a file) read as PyTorch reads them: nonzero is true.
        let bytes = Vec::<u8>::try_from(&flat(shown.f_view_dtype(Kind::Uint8)?)?)?;
        Values::Bool(bytes.into_iter().map(|b| b != 0).collect())
    } else {
        Values::Int(Vec::<i64>::try_from(&flat(shown.f_to_kind(Kind::Int64)?)?)?)
    })
}

/// `_Formatter`: the column width, and for floating values whether all are integers
/// (`1.`) and whether scientific notation is used, from the printed elements.
struct Formatter {
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
}

impl Formatter {
    /// Integers and bools: the widest value.
    fn text(texts: &[String]) -> Formatter {
        let max_width = texts.iter().map(|t| t.chars().count()).fold(1, usize::max);
        Formatter { int_mode: true, sci_mode: false, max_width }
    }

    fn float(values: &[f64]) -> Formatter {
        let mut f = Formatter { int_mode: true, sci_mode: false, max_width: 1 };
        let nonzero_finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite() && *v != 0.0).collect();
        if nonzero_finite.is_empty() {
            return f;
        }
        let min = nonzero_finite.iter().map(|v| v.abs()).fold(f64::INFINITY, f64::min);
        let max = nonzero_finite.iter().map(|v| v.abs()).fold(0.0, f64::max);
        f.int_mode = nonzero_finite.iter().all(|v| *v == v.ceil());
        f.sci_mode = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        let width = |v: &f64| {
            if f.sci_mode {
                py_e(*v, PRECISION).len()
            } else if f.int_mode {
                // The decimal point that marks a float.
                py_f(*v, 0).len() + 1
            } else {
                py_f(*v, PRECISION).len()
            }
        };
        f.max_width = nonzero_finite.iter().map(width).fold(1, usize::max);
        f
    }

    /// `_Formatter.format` for a floating value, right-aligned to the column width.
    fn format_float(&self, value: f64) -> String {
        let text = if self.sci_mode {
            py_e(value, PRECISION)
        } else if self.int_mode {
            let mut t = py_f(value, 0);
            if value.is_finite() {
                t.push('.');
            }
            t
        } else {
            py_f(value, PRECISION)
        };
        pad(&text, self.max_width)
    }
}

/// Right-aligns `text` to `width` (never cuts it).
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        text.to_string()
    } else {
        format!("{}{text}", " ".repeat(width - len))
    }
}

/// Python's `format(v, ".{precision}f")`: `nan`, `inf`, `-inf`, `-0.0000` for negative zero.
fn py_f(value: f64, precision: usize) -> String {
    match non_finite(value) {
        Some(text) => text.to_string(),
        None => format!("{value:.precision$}"),
    }
}

/// Python's `format(v, ".{precision}e")`: the exponent signed and of at least two digits
/// (`1.0000e+08`, `1.2346e-05`, `1.0000e+100`).
fn py_e(value: f64, precision: usize) -> String {
    if let Some(text) = non_finite(value) {
        return text.to_string();
    }
    let text = format!("{value:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// Python writes every NaN as `nan`, whatever its sign bit.
fn non_finite(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("nan")
    } else if value == f64::INFINITY {
        Some("inf")
    } else if value == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// `_val_formatter` / `_scalar_str` for a complex value: `1.+2.j`, `-0.5000-1.2500j`.
fn complex_str(real: &Formatter, imag: &Formatter, re: f64, im: f64) -> String {
    let real_str = real.format_float(re);
    let imag_str = format!("{}j", imag.format_float(im));
    let imag_str = imag_str.trim_start();
    if imag_str.starts_with('+') || imag_str.starts_with('-') {
        format!("{real_str}{imag_str}")
    } else {
        format!("{real_str}+{imag_str}")
    }
}

/// `_tensor_str_with_formatter` over the printed elements (row-major, of shape `shape`):
/// `element(i)` formats the i-th, `element_width` is a formatted element's width (the
/// complex part and its `j` included), `cut[d]` puts `...` between the edges of dimension d.
fn nested_str(
    shape: &[i64],
    cut: &[bool],
    indent: usize,
    element_width: usize,
    element: &dyn Fn(usize) -> String,
) -> String {
    if shape.is_empty() {
        return element(0);
    }
    let strides: Vec<usize> = (0..shape.len()).map(|d| shape[d + 1..].iter().product::<i64>() as usize).collect();
    let mut out = String::new();
    level(&mut out, shape, &strides, cut, 0, 0, indent, element_width, element);
    out
}

#[allow(clippy::too_many_arguments)]
fn level(
    out: &mut String,
    shape: &[i64],
    strides: &[usize],
    cut: &[bool],
    d: usize,
    offset: usize,
    indent: usize,
    element_width: usize,
    element: &dyn Fn(usize) -> String,
) {
    let n = shape[d] as usize;
    let remaining = shape.len() - d;
    let gap = |i: usize| cut[d] && i == EDGEITEMS as usize;
    out.push('[');
    if remaining == 1 {
        // `_vector_str`: as many elements per line as fit the line width, `...` as one of them.
        let per_line = (((LINEWIDTH as f64 - indent as f64) / (element_width + 2) as f64).floor() as i64).max(1);
        let mut data = Vec::with_capacity(n + 1);
        for i in 0..n {
            if gap(i) {
                data.push(" ...".to_string());
            }
            data.push(element(offset + i));
        }
        let lines: Vec<String> = data.chunks(per_line as usize).map(|line| line.join(", ")).collect();
        out.push_str(&lines.join(&format!(",\n{}", " ".repeat(indent + 1))));
    } else {
        let separator = format!(",{}{}", "\n".repeat(remaining - 1), " ".repeat(indent + 1));
        for i in 0..n {
            if i > 0 {
                out.push_str(&separator);
            }
            if gap(i) {
                out.push_str("...");
                out.push_str(&separator);
            }
            level(out, shape, strides, cut, d + 1, offset + i * strides[d], indent + 1, element_width, element);
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_formats() {
        assert_eq!(py_e(1e8, 4), "1.0000e+08");
        assert_eq!(py_e(-1.23456e-5, 4), "-1.2346e-05");
        assert_eq!(py_e(1e100, 4), "1.0000e+100");
        assert_eq!(py_e(-0.0, 4), "-0.0000e+00");
        assert_eq!(py_f(-0.0, 0), "-0");
        assert_eq!(py_f(-f64::NAN, 4), "nan");
        assert_eq!(python_tuple(&[0, 3]), "(0, 3)");
        assert_eq!(python_tuple(&[0]), "(0,)");
    }

    #[test]
    fn a_placeholder_names_shape_and_dtype() {
        assert_eq!(placeholder_repr(&[2, 3], DType::Float32, "cpu", false), "tensor(..., size=(2, 3))");
        assert_eq!(
            placeholder_repr(&[4], DType::Int64, "cuda:0", true),
            "tensor(..., device='cuda:0', size=(4,), dtype=torch.int64, requires_grad=True)"
        );
    }

    #[test]
    fn a_large_tensor_prints_its_edges() {
        let t = Tensor::f_arange(2000i64, (Kind::Int64, Device::Cpu)).unwrap();
        assert_eq!(tensor_repr(&t, None).unwrap(), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
    }
}
