//! Creation and random ops: zeros, ones, full, eye, arange, linspace, rand, ... and *_like.

use super::args::Args;
use super::spec::{
    bad, opt, req, Dflt, OpError, OpResult, OpSpec, Out, OutKind as O, Ty::*, DEVICE, DTYPE, INPUT, REQUIRES_GRAD,
};
use super::util::{at, finish, like_options, non_negative, number_dtype, options, sizes, t};
use crate::dtype::DType;
use crate::op;
use tch::Tensor;

const SIZE: super::spec::ArgSpec = req("size", Ints).doc("the shape: sizes as arguments or one list");

/// torch.normal: numbers and a size draw N(mean, std) into a new tensor. With a tensor mean
/// or std, PyTorch fills a tensor of their (broadcast) shape, and of mean's dtype (std's when
/// mean is a number), with N(0, 1) (N(0, std) for a number std), then scales it by std and
/// adds mean in place, so the values follow its generator's stream.
fn normal(a: &Args) -> OpResult {
    use super::args::Operand::{N, T};
    let (mean, std) = (a.operand("mean"), a.operand("std"));
    if let N(s) = std {
        let s = s.as_f64();
        if s.is_nan() || s < 0.0 {
            return Err(bad("std", format!("std must be non-negative, got {s}")));
        }
    }
    if let (N(m), N(s)) = (&mean, &std) {
        if !a.has("size") {
            return Err(bad("size", "with a number mean and std, normal needs a size"));
        }
        let base = Tensor::f_empty(sizes(a, "size")?, options(a, DType::Float32))?;
        return finish(a, base.f_normal_functional(m.as_f64(), s.as_f64())?);
    }
    for name in ["size", "dtype", "device"] {
        if a.has(name) {
            return Err(bad(
                name,
                format!("{name} is only for a number mean and std: a tensor mean or std gives the result's"),
            ));
        }
    }
    if let T(s) = std {
        check_std(s)?;
    }
    let mut out = match (&mean, &std) {
        (T(m), N(s)) => m.f_empty_like()?.f_normal_functional(0.0, s.as_f64())?,
        (N(_), T(s)) => s.f_empty_like()?.f_normal_functional(0.0, 1.0)?,
        (T(m), T(s)) => {
            let shape = Tensor::f_broadcast_tensors(&[*m, *s])?[0].size();
            Tensor::f_empty(shape.as_slice(), (m.f_kind()?, m.device()))?.f_normal_functional(0.0, 1.0)?
        }
        (N(_), N(_)) => return Err(bad("mean", "a number mean and std take a size")),
    };
    // The in-place ops give `out` back; it is used below.
    if let T(s) = std {
        let _ = out.f_mul_(s)?;
    }
    let _ = match mean {
        T(m) => out.f_add_(m)?,
        N(m) => out.f_add_scalar_(m.scalar())?,
    };
    finish(a, out)
}

/// A std tensor with a negative (or NaN) element is PyTorch's error.
fn check_std(s: &Tensor) -> Result<(), OpError> {
    if s.numel() == 0 {
        return Ok(());
    }
    let min = s.f_min()?.f_to_kind(tch::Kind::Double)?.f_double_value(&[])?;
    if !(min >= 0.0) {
        return Err(bad("std", "normal expects all elements of std >= 0.0"));
    }
    Ok(())
}

pub static OPS: &[OpSpec] = &[
    op!("zeros", Creation, "torch.zeros", "A tensor filled with zeros.",
        [SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch zeros 2 | nutorch tovalue" => "[0.0, 0.0]",
        |a| finish(a, Tensor::f_zeros(sizes(a, "size")?, options(a, DType::Float32))?)),
    op!("ones", Creation, "torch.ones", "A tensor filled with ones.",
        [SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch ones 2 2 --dtype int32 | nutorch tovalue" => "[[1, 1], [1, 1]]",
        |a| finish(a, Tensor::f_ones(sizes(a, "size")?, options(a, DType::Float32))?)),
    op!("empty", Creation, "torch.empty", "An uninitialized tensor (its values are whatever the memory held).",
        [SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch empty 2 3).shape" => "[2, 3]",
        |a| finish(a, Tensor::f_empty(sizes(a, "size")?, options(a, DType::Float32))?)),
    op!("full", Creation, "torch.full", "A tensor filled with one value.",
        [req("size", Ints).doc("the shape, as a list"), req("fill_value", Number), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch full [2] 7 | nutorch tovalue" => "[7, 7]",
        |a| {
            let fill = a.number("fill_value");
            let (kind, device) = options(a, number_dtype(&[fill]));
            let value = super::util::checked_number("fill_value", fill, kind, device)?;
            finish(a, value.f_expand(sizes(a, "size")?, false)?.f_contiguous()?)
        },
        notes: "Without --dtype the dtype follows the value, as in torch: an int gives int64, a float float32."),
    op!("eye", Creation, "torch.eye", "An identity matrix (n rows, m columns, default m = n).",
    [req("n", Int), opt("m", Int, Dflt::None).pos(), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch eye 2 --dtype int64 | nutorch tovalue" => "[[1, 0], [0, 1]]",
    |a| {
        let n = non_negative("n", a.int("n"))?;
        let m = non_negative("m", a.opt_int("m").unwrap_or(n))?;
        finish(a, Tensor::f_eye_m(n, m, options(a, DType::Float32))?)
    }),
    op!("arange", Creation, "torch.arange", "Values from start (default 0) up to end (excluded) in steps of step.",
        [req("start", Number).doc("the end when it is the only number given"),
         opt("end", Number, Dflt::None).pos(), opt("step", Number, Dflt::Int(1)).pos(), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch arange 1 7 2 | nutorch tovalue" => "[1, 3, 5]",
        |a| {
            let (start, end) = match a.opt_number("end") {
                Some(end) => (a.number("start"), end),
                None => (crate::Number::Int(0), a.number("start")),
            };
            let step = a.number("step");
            // Checked here: libtorch's refusal would surface as a panic (Scalar arguments).
            let (s, e, st) = (start.as_f64(), end.as_f64(), step.as_f64());
            if !(s.is_finite() && e.is_finite() && st.is_finite()) {
                return Err(bad("start", format!("arange needs finite bounds and step, got {s}, {e}, {st}")));
            }
            if st == 0.0 {
                return Err(bad("step", "step must be nonzero"));
            }
            if (e - s) * st.signum() < 0.0 {
                return Err(bad("step", format!("upper bound and lower bound inconsistent with step sign (from {s} to {e} by {st})")));
            }
            if ((e - s) / st).abs() > 1e12 {
                return Err(bad("step", "arange would hold more than 10^12 values"));
            }
            let kind = options(a, number_dtype(&[start, end, step]));
            finish(a, at("end", Tensor::f_arange_start_step(start.scalar(), end.scalar(), step.scalar(), kind))?)
        },
        notes: "`arange 5` counts 0..5; `arange 1 7 2` gives 1 3 5. All ints give int64, any float float32."),
    op!("linspace", Creation, "torch.linspace", "Evenly spaced values from start to end, inclusive.",
        [req("start", Number).doc("first value"), req("end", Number).doc("last value (included)"),
         req("steps", Int).doc("number of values (>= 0)"), DTYPE.doc("element type (default float32)"), DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch linspace 0 1 5 | nutorch tovalue" => "[0.0, 0.25, 0.5, 0.75, 1.0]",
        |a| {
            let dtype = a.dtype("dtype").unwrap_or(DType::Float32);
            if dtype.is_bool() {
                return Err(bad("dtype", "linspace does not support dtype bool (torch refuses it too)"));
            }
            let device = a.device("device").unwrap_or(tch::Device::Cpu);
            for name in ["start", "end"] {
                if !super::util::fits(a.number(name), dtype.kind()) {
                    return Err(bad(name, format!("value {} cannot be converted to {dtype} without overflow", a.number(name).as_f64())));
                }
            }
            let tensor = at("steps", crate::creation::linspace(a.number("start"), a.number("end"), a.int("steps"), dtype, device))?;
            finish(a, tensor)
        },
        notes: "Integer dtypes get torch's values (computed in floating point, then truncated): `linspace 0 10 5 --dtype int32` gives 0 2 5 7 10."),
    op!("logspace", Creation, "torch.logspace", "Values from base^start to base^end, evenly spaced in the exponent.",
    [req("start", Number), req("end", Number), req("steps", Int), opt("base", Float, Dflt::Float(10.0)), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch logspace 0 2 3 | nutorch tovalue" => "[1.0, 10.0, 100.0]",
    |a| {
        let steps = non_negative("steps", a.int("steps"))?;
        finish(a, Tensor::f_logspace(a.number("start").scalar(), a.number("end").scalar(), steps, a.float("base"), options(a, DType::Float32))?)
    }),
    op!("scalar_tensor", Creation, "torch.scalar_tensor", "A 0-d tensor holding one number (float32 unless --dtype).",
    [req("s", Number), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch scalar_tensor 3 | nutorch tovalue" => "3.0",
    |a| {
        let (kind, device) = options(a, DType::Float32);
        finish(a, super::util::checked_number("s", a.number("s"), kind, device)?)
    }),
    op!("tril_indices", Creation, "torch.tril_indices", "Row and column indices (a 2xN tensor) of the lower triangle of a row x col matrix.",
        [req("row", Int), req("col", Int), opt("offset", Int, Dflt::Int(0)), DTYPE, DEVICE], O::Tensor,
        "nutorch tril_indices 2 2 | nutorch tovalue" => "[[0, 1, 1], [0, 0, 1]]",
        |a| t(Tensor::f_tril_indices(non_negative("row", a.int("row"))?, non_negative("col", a.int("col"))?, a.int("offset"), options(a, DType::Int64))?)),
    op!("triu_indices", Creation, "torch.triu_indices", "Row and column indices (a 2xN tensor) of the upper triangle of a row x col matrix.",
        [req("row", Int), req("col", Int), opt("offset", Int, Dflt::Int(0)), DTYPE, DEVICE], O::Tensor,
        "nutorch triu_indices 2 2 | nutorch tovalue" => "[[0, 0, 1], [0, 1, 1]]",
        |a| t(Tensor::f_triu_indices(non_negative("row", a.int("row"))?, non_negative("col", a.int("col"))?, a.int("offset"), options(a, DType::Int64))?)),
    // *_like: the input's shape, and its dtype and device unless given.
    op!("zeros_like", Creation, "torch.zeros_like", "Zeros with the shape (and dtype, device) of the input.",
        [INPUT, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch zeros_like | nutorch tovalue" => "[0, 0]",
        |a| finish(a, Tensor::f_zeros(a.input().size(), like_options(a)?)?)),
    op!("ones_like", Creation, "torch.ones_like", "Ones with the shape (and dtype, device) of the input.",
        [INPUT, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fromvalue [1.5 2] | nutorch ones_like | nutorch tovalue" => "[1.0, 1.0]",
        |a| finish(a, Tensor::f_ones(a.input().size(), like_options(a)?)?)),
    op!("full_like", Creation, "torch.full_like", "A value repeated in the shape (and dtype, device) of the input.",
    [INPUT, req("fill_value", Number), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch full_like 7 | nutorch tovalue" => "[7, 7]",
    |a| {
        let (kind, device) = like_options(a)?;
        let value = super::util::checked_number("fill_value", a.number("fill_value"), kind, device)?;
        finish(a, value.f_expand(a.input().size(), false)?.f_contiguous()?)
    }),
    op!("empty_like", Creation, "torch.empty_like", "An uninitialized tensor with the shape (and dtype, device) of the input.",
        [INPUT, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch fromvalue [1 2] | nutorch empty_like).shape" => "[2]",
        |a| finish(a, Tensor::f_empty(a.input().size(), like_options(a)?)?)),
    // Tensor.new_*: the dtype and device of the input unless given, a shape of their own.
    op!("new_zeros", Creation, "Tensor.new_zeros", "Zeros of the given size, with the input's dtype and device unless given.",
        [INPUT, SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fromvalue [1 2] | nutorch new_zeros 3 | nutorch tovalue" => "[0, 0, 0]",
        |a| finish(a, Tensor::f_zeros(sizes(a, "size")?, like_options(a)?)?)),
    op!("new_ones", Creation, "Tensor.new_ones", "Ones of the given size, with the input's dtype and device unless given.",
        [INPUT, SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "nutorch fromvalue [1.5] | nutorch new_ones 2 | nutorch tovalue" => "[1.0, 1.0]",
        |a| finish(a, Tensor::f_ones(sizes(a, "size")?, like_options(a)?)?)),
    op!("new_full", Creation, "Tensor.new_full", "fill_value in the given size, with the input's dtype and device unless given.",
    [INPUT, req("size", Ints).doc("the shape, as a list"), req("fill_value", Number), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch new_full [3] 7 | nutorch tovalue" => "[7, 7, 7]",
    |a| {
        let (kind, device) = like_options(a)?;
        let value = super::util::checked_number("fill_value", a.number("fill_value"), kind, device)?;
        finish(a, value.f_expand(sizes(a, "size")?, false)?.f_contiguous()?)
    }),
    op!("new_empty", Creation, "Tensor.new_empty", "An uninitialized tensor of the given size, with the input's dtype and device unless given.",
        [INPUT, SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch fromvalue [1 2] | nutorch new_empty 2 3).shape" => "[2, 3]",
        |a| finish(a, Tensor::f_empty(sizes(a, "size")?, like_options(a)?)?)),
    op!("empty_strided", Creation, "torch.empty_strided", "An uninitialized tensor of the given size laid out with the given strides.",
    [req("size", Ints).doc("the shape, as a list"), req("stride", Ints).doc("the step in elements along each dim"), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch empty_strided [2 3] [1 2] | nutorch stride" => "[1, 2]",
    |a| {
        let (size, stride) = (a.ints("size"), a.ints("stride"));
        super::util::strided_extent("size", &size, &stride, 0)?;
        finish(a, Tensor::f_empty_strided(size.as_slice(), stride.as_slice(), options(a, DType::Float32))?)
    }),
    op!("empty_permuted", Creation, "torch.empty_permuted", "An uninitialized dense tensor of the given size whose dims lie in memory in the order physical_layout gives (outermost first).",
    [req("size", Ints).doc("the shape, as a list"), req("physical_layout", Ints).doc("the dims from outermost to innermost in memory (a permutation of 0..len(size))"), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch empty_permuted [2 3 4] [0 2 1] | nutorch stride" => "[12, 1, 3]",
    |a| {
        let size = sizes(a, "size")?;
        let layout = a.ints("physical_layout");
        if layout.len() != size.len() {
            return Err(bad("size", format!("Number of dimensions in size does not match the length of the physical_layout; i.e. len(size) = {} is not equal to len(physical_layout) = {}", size.len(), layout.len())));
        }
        let mut seen = vec![false; size.len()];
        for (i, &d) in layout.iter().enumerate() {
            if d < 0 || d as usize >= size.len() {
                return Err(bad("physical_layout", format!("Dimension out of range (expected to be between 0 and {}, but got {d} at index {i}).  NB: negative dims not currently supported; file an issue if you want it.", size.len() as i64 - 1)));
            }
            if std::mem::replace(&mut seen[d as usize], true) {
                return Err(bad("physical_layout", "Duplicate dim not allowed"));
            }
        }
        finish(a, Tensor::f_empty_permuted(size.as_slice(), layout.as_slice(), options(a, DType::Float32))?)
    }),
    op!("new_empty_strided", Creation, "Tensor.new_empty_strided", "An uninitialized tensor of the given size and strides, with the input's dtype and device unless given.",
    [INPUT, req("size", Ints).doc("the shape, as a list"), req("stride", Ints).doc("the step in elements along each dim"), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "nutorch fromvalue [1 2] | nutorch new_empty_strided [2 3] [1 2] | nutorch stride" => "[1, 2]",
    |a| {
        let (size, stride) = (a.ints("size"), a.ints("stride"));
        super::util::strided_extent("size", &size, &stride, 0)?;
        finish(a, a.input().f_new_empty_strided(size.as_slice(), stride.as_slice(), like_options(a)?)?)
    }),
    // Random ops draw from libtorch's generator: `manual_seed` makes them repeatable, and on
    // the CPU they give the same values as PyTorch after `torch.manual_seed`.
    op!("manual_seed", Random, "torch.manual_seed", "Seeds the random number generators (CPU and every GPU).",
    [req("seed", Int)], O::Nothing,
    "nutorch manual_seed 0" => "null",
    |a| {
        let seed = a.int("seed");
        tch::manual_seed(seed);
        if tch::Cuda::is_available() {
            tch::Cuda::manual_seed_all(seed as u64);
        }
        Ok(Out::Nothing)
    }),
    op!("rand", Random, "torch.rand", "Uniform random values in [0, 1).",
        [SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch rand 2 3).shape" => "[2, 3]",
        |a| finish(a, Tensor::f_rand(sizes(a, "size")?, options(a, DType::Float32))?)),
    op!("randn", Random, "torch.randn", "Standard normal random values (mean 0, variance 1).",
        [SIZE, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch randn 4).shape" => "[4]",
        |a| finish(a, Tensor::f_randn(sizes(a, "size")?, options(a, DType::Float32))?)),
    op!("randint", Random, "torch.randint", "Random integers in [low, high) (low defaults to 0): `randint high size` or `randint low high size`.",
        [req("low_or_high", Int).doc("high (excluded) in `randint high size`; low in `randint low high size`"),
         req("high_or_size", Ints).doc("the shape (an int or a list) in `randint high size`; high in `randint low high size`"),
         opt("size", Ints, Dflt::None).pos().doc("the shape (an int or a list), after low and high"),
         DTYPE.doc("element type (default int64)"), DEVICE], O::Tensor,
        "(nutorch randint 10 3).shape" => "[3]",
        |a| {
            // torch.randint's two overloads: (high, size) and (low, high, size).
            let (low, high, size) = if a.has("size") {
                if a.is_list("high_or_size") {
                    return Err(bad("high_or_size", "in `randint low high size`, high is one int"));
                }
                (a.int("low_or_high"), a.int("high_or_size"), sizes(a, "size")?)
            } else {
                (0, a.int("low_or_high"), sizes(a, "high_or_size")?)
            };
            if low >= high {
                let at = if a.has("size") { "high_or_size" } else { "low_or_high" };
                return Err(bad(at, format!("high ({high}) must be greater than low ({low})")));
            }
            t(Tensor::f_randint_low(low, high, size, options(a, DType::Int64))?)
        },
        notes: "As torch.randint: `randint 10 [2 3]` draws from [0, 10), `randint 5 10 [2 3]` from [5, 10); the size is one int or a list."),
    op!("randperm", Random, "torch.randperm", "A random permutation of 0..n.",
        [req("n", Int), DTYPE, DEVICE], O::Tensor,
        "nutorch randperm 1 | nutorch tovalue" => "[0]",
        |a| t(Tensor::f_randperm(non_negative("n", a.int("n"))?, options(a, DType::Int64))?)),
    op!("normal", Random, "torch.normal", "Normal random values with the given mean and standard deviation (numbers and a size, or tensors).",
    [req("mean", TensorOrNumber), req("std", TensorOrNumber), opt("size", Ints, Dflt::None).pos().doc("the shape, with a number mean and std"), DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
    "(nutorch normal 0 1 [2 2]).shape" => "[2, 2]",
    |a| normal(a),
    notes: "With a tensor mean or std, the result has their (broadcast) shape, dtype and device, as torch.normal(mean, std)."),
    op!("rand_like", Random, "torch.rand_like", "Uniform random values in [0, 1) shaped like the input.",
        [INPUT, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch fromvalue [1.0 2.0] | nutorch rand_like).shape" => "[2]",
        |a| finish(a, Tensor::f_rand(a.input().size(), like_options(a)?)?)),
    op!("randn_like", Random, "torch.randn_like", "Standard normal random values shaped like the input.",
        [INPUT, DTYPE, DEVICE, REQUIRES_GRAD], O::Tensor,
        "(nutorch fromvalue [1.0 2.0] | nutorch randn_like).shape" => "[2]",
        |a| finish(a, Tensor::f_randn(a.input().size(), like_options(a)?)?)),
    op!("randint_like", Random, "torch.randint_like", "Random integers in [low, high) shaped like the input: `randint_like high` or `randint_like low high`.",
    [INPUT, req("low_or_high", Int).doc("high (excluded) in `randint_like high`; low in `randint_like low high`"),
     opt("high", Int, Dflt::None).pos().doc("high (excluded), after low"), DTYPE, DEVICE], O::Tensor,
    "(nutorch fromvalue [1 2 3] | nutorch randint_like 5).shape" => "[3]",
    |a| {
        // torch.randint_like's two overloads: (input, high) and (input, low, high).
        let (low, high) = match a.opt_int("high") {
            None => (0, a.int("low_or_high")),
            Some(high) => (a.int("low_or_high"), high),
        };
        if low >= high {
            let at = if a.has("high") { "high" } else { "low_or_high" };
            return Err(bad(at, format!("high ({high}) must be greater than low ({low})")));
        }
        t(Tensor::f_randint_low(low, high, a.input().size(), like_options(a)?)?)
    }),
    op!("bernoulli", Random, "torch.bernoulli", "0 or 1 drawn with the probability in each element (or --p for all).",
    [INPUT, opt("p", Float, Dflt::None)], O::Tensor,
    "nutorch fromvalue [0.0 1.0] | nutorch bernoulli | nutorch tovalue" => "[0.0, 1.0]",
    |a| match a.opt_float("p") {
        Some(p) if !(0.0..=1.0).contains(&p) => Err(bad("p", format!("p must be in [0, 1], got {p}"))),
        Some(p) => t(a.input().f_bernoulli_p(p)?),
        None => {
            super::util::check_range("input", a.input(), 0.0, 1.0, "probabilities in [0, 1]")?;
            t(a.input().f_bernoulli()?)
        }
    }),
    op!("multinomial", Random, "torch.multinomial", "Indices drawn from the categorical distributions in each row of weights.",
    [INPUT, req("num_samples", Int), opt("replacement", Bool, Dflt::Bool(false))], O::Tensor,
    "nutorch fromvalue [0.0 1.0 0.0] | nutorch multinomial 1 | nutorch tovalue" => "[1]",
    |a| {
        let x = a.input();
        super::util::check_range("input", x, 0.0, f64::INFINITY, "finite, non-negative weights")?;
        if x.f_isfinite()?.f_all()?.f_int64_value(&[])? == 0 {
            return Err(bad("input", "all elements of input should be finite, non-negative weights"));
        }
        if x.dim() == 0 || x.dim() > 2 {
            return Err(bad("input", format!("multinomial takes a 1-d or 2-d tensor of weights, got {}-d", x.dim())));
        }
        let sums = x.f_sum_dim_intlist(Some([-1i64].as_slice()), false, None)?;
        if x.numel() > 0 && sums.f_le_tensor(&super::util::num(0.0, &sums)?)?.f_any()?.f_int64_value(&[])? != 0 {
            return Err(bad("input", "every distribution needs a positive total weight"));
        }
        t(x.f_multinomial(super::util::positive("num_samples", a.int("num_samples"))?, a.flag("replacement"))?)
    }),
    op!("poisson", Random, "torch.poisson", "Poisson samples with the rate in each element.",
        [INPUT], O::Tensor,
        "nutorch fromvalue [0.0 0.0] | nutorch poisson | nutorch tovalue" => "[0.0, 0.0]",
        |a| t(a.input().f_poisson()?)),
];
