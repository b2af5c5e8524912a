"""The golden-case machinery: inputs, the PyTorch call, and the JSON the Rust test replays.

A case names a catalog op and its arguments by their PyTorch names (as the catalog does):
    case("add", input=R(2, 3), other=2.5, alpha=2)
The expected result is what PyTorch gives for the same call. Unless `fn` is given, the call
is the op's PyTorch equivalent as the catalog names it (`torch.add`, `Tensor.repeat`,
`torch.nn.functional.relu`), with the arguments as keywords.
"""
import contextlib
import math
import pathlib
import re
import warnings

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
CATALOG = ROOT / "nutorch-core" / "src" / "catalog"
CASES = []

# Inputs come from one fixed generator, so the file is the same on every run.
_gen = torch.Generator().manual_seed(20240611)


def catalog_ops():
    """{op name: PyTorch equivalent}, read from the catalog's tables (each entry starts with
    `op!("name", Category, "torch.path", ...` or one of the table macros)."""
    ops = {}
    pattern = re.compile(r'\b(?:op|unary|binop|binop_t|inplace|cast|polynomial)!\(\s*"(\w+)",\s*\w+,\s*"([^"]+)"')
    for path in sorted(CATALOG.glob("*.rs")):
        for m in pattern.finditer(path.read_text()):
            ops[m.group(1)] = m.group(2)
    return ops


@contextlib.contextmanager
def own_inputs(seed):
    """Inputs drawn inside come from a generator of their own, so that cases added later
    leave the inputs of every case after them (and the bad-input cases made from them) as
    they were."""
    global _gen
    saved, _gen = _gen, torch.Generator().manual_seed(seed)
    try:
        yield
    finally:
        _gen = saved


def R(*shape, dtype=torch.float32, lo=-2.0, hi=2.0):
    """Uniform random values (deterministic)."""
    x = torch.rand(shape, generator=_gen, dtype=torch.float64) * (hi - lo) + lo
    return x.to(dtype)


def P(*shape, dtype=torch.float32, lo=0.1, hi=2.0):
    """Positive values."""
    return R(*shape, dtype=dtype, lo=lo, hi=hi)


def I(*shape, lo=-5, hi=6, dtype=torch.int64):
    """Random integers in [lo, hi)."""
    return torch.randint(lo, hi, shape, generator=_gen, dtype=torch.int64).to(dtype)


def B(*shape):
    return torch.rand(shape, generator=_gen) > 0.5


def T(data, dtype=None):
    return torch.tensor(data, dtype=dtype)


SPECIAL = T([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.0, -1.5])


def case(op, fn=None, err=None, may_err=False, cpu_only=False, seeded=None, random=None, rtol=None, atol=None, **args):
    """One golden case. err: a substring of the expected error (True: any error); may_err:
    whatever PyTorch does, error or value, is expected (for sweeps over dtypes). cpu_only:
    the outcome is the CPU's (another device may differ: ties, unsupported dtypes, solvers).
    seeded: manual_seed(seeded) before the call (exact values on the CPU). random: (lo, hi) bounds of
    values that are random (only shape, dtype and range are compared)."""
    CASES.append(dict(op=op, fn=fn, err=err, may_err=may_err, cpu_only=cpu_only, seed=seeded, random=random, rtol=rtol, atol=atol, args=args))


def flt(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def enc_tensor(t):
    """dtype, shape and flat values; a complex tensor's values are its (real, imaginary) pairs,
    flattened (what view_as_real gives), so that any complex result can be compared."""
    t = t.detach().cpu()
    if t.is_complex():
        pairs = torch.view_as_real(t.resolve_conj().resolve_neg().contiguous())
        return {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape), "values": [flt(v) for v in pairs.reshape(-1).tolist()]}
    values = [flt(v) for v in t.reshape(-1).tolist()]
    return {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape), "values": values}


def enc_input(t):
    """An input tensor. A non-contiguous one whose last two dims swapped are contiguous (a
    transposed matrix) is written as that contiguous tensor with `mT`: the replay builds it
    and swaps the dims back, so the op sees the same strides as in PyTorch."""
    if t.dim() >= 2 and not t.is_contiguous() and t.mT.is_contiguous():
        e = enc_tensor(t.mT)
        e["mT"] = True
        return e
    return enc_tensor(t)


def enc_arg(v):
    if isinstance(v, torch.Tensor):
        e = enc_input(v)
        if v.requires_grad:
            e["requires_grad"] = True
        return {"tensor": e}
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, torch.Tensor) for x in v):
        return {"tensors": [enc_arg(x)["tensor"] for x in v]}
    if isinstance(v, torch.dtype):
        return str(v).removeprefix("torch.")
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return {"float": flt(v)}
    if isinstance(v, (list, tuple)) and any(isinstance(x, torch.Tensor) for x in v):
        # Numbers and 0-d tensors mixed in an int list (`reshape([torch.tensor(3), 2])`).
        return [enc_arg(x) for x in v]
    if isinstance(v, (list, tuple)):
        return list(v)
    return v


def enc_field(v, enc=enc_tensor):
    """A record's field: a tensor, or a list of them (histogramdd's bin_edges)."""
    return enc(v) if isinstance(v, torch.Tensor) else [enc(x) for x in v]


def enc_out(r):
    if isinstance(r, torch.Tensor):
        return {"tensor": enc_tensor(r)}
    if isinstance(r, dict):
        return {"record": {k: enc_field(v) for k, v in r.items()}}
    # Named results (torch.return_types, namedtuples) become records.
    fields = getattr(r, "_fields", None) or getattr(type(r), "__match_args__", None)
    if isinstance(r, tuple) and fields:
        return {"record": {k: enc_field(getattr(r, k)) for k in fields}}
    if isinstance(r, (list, tuple)) and all(isinstance(x, torch.Tensor) for x in r) and not isinstance(r, torch.Size):
        return {"list": [enc_tensor(x) for x in r]}
    if isinstance(r, torch.Size):
        return {"value": list(r)}
    if isinstance(r, float):
        return {"value": flt(r)}
    if isinstance(r, torch.dtype):
        return {"value": str(r).removeprefix("torch.")}
    return {"value": r}


def copy_arg(v):
    """A fresh copy (with the same strides), so that in-place ops do not change the recorded
    inputs."""
    if isinstance(v, torch.Tensor):
        c = v.detach().clone()
        return c.requires_grad_(True) if v.requires_grad else c
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, torch.Tensor) for x in v):
        return [copy_arg(x) for x in v]
    return v


def _tensorish(v):
    return isinstance(v, torch.Tensor) or (isinstance(v, (list, tuple)) and v and all(isinstance(x, torch.Tensor) for x in v))


def _signature_error(e):
    text = str(e)
    return "argument" in text or "positional" in text


def call_flex(f, kw):
    """Calls f with the case's arguments by name; PyTorch functions that name them otherwise
    (`A`, `x`) or take them positionally get the leading tensors by position, then all."""
    try:
        return f(**kw)
    except TypeError as e:
        if not _signature_error(e):
            raise
    items = list(kw.items())
    lead = []
    while items and _tensorish(items[0][1]):
        lead.append(items.pop(0)[1])
    try:
        return f(*lead, **dict(items))
    except TypeError as e:
        if not _signature_error(e):
            raise
    return f(*kw.values())


def resolve(path):
    parts = path.split(".")
    if parts[0] == "Tensor":
        return lambda input, **kw: call_flex(getattr(input, parts[1]), kw)
    obj = torch
    for p in parts[1:]:
        obj = getattr(obj, p)
    return obj


def build():
    warnings.filterwarnings("ignore")  # PyTorch's deprecation notes are not results
    ops = catalog_ops()
    out = []
    problems = []
    for n, c in enumerate(CASES):
        try:
            out.append(build_case(n, c, ops))
        except CaseError as e:
            problems.append(str(e))
        except ValueError as e:
            problems.append(f"case {n} ({c['op']}): {e}")
    if problems:
        raise SystemExit("\n".join(problems) + f"\n{len(problems)} cases do not hold")
    missing = sorted(set(ops) - {c["op"] for c in CASES})
    return out, missing


class CaseError(Exception):
    pass


def build_case(n, c, ops):
    if True:
        op = c["op"]
        if op not in ops:
            raise CaseError(f"case {n}: no op {op} in the catalog")
        fn = c["fn"] or resolve(ops[op])
        args = {k: v for k, v in c["args"].items() if v is not None}
        entry = {"op": op, "args": {k: enc_arg(v) for k, v in args.items()}}
        for key in ("seed", "rtol", "atol"):
            if c[key] is not None:
                entry[key] = c[key]
        # Outcomes that hold on the CPU only (the replay checks just that the op runs elsewhere).
        if c["cpu_only"] or c["may_err"]:
            entry["cpu_only"] = True
        if c["seed"] is not None:
            torch.manual_seed(c["seed"])
        # Dtypes are written as names (as a nutorch user writes them); PyTorch wants objects.
        pyargs = {k: getattr(torch, v) if k == "dtype" and isinstance(v, str) else copy_arg(v) for k, v in args.items()}
        try:
            result = fn(**pyargs) if c["fn"] is not None else call_flex(fn, pyargs)
        except Exception as e:  # noqa: BLE001 - any PyTorch error is the expected outcome
            if c["err"] is None and not c["may_err"]:
                raise CaseError(f"case {n} ({op} {short(args)}): PyTorch raised {type(e).__name__}: {str(e).splitlines()[0]}")
            entry["expect"] = {"error": c["err"] if isinstance(c["err"], str) else ""}
        else:
            if c["err"] is not None:
                raise CaseError(f"case {n} ({op} {short(args)}): PyTorch gave a result where an error was expected")
            expect = enc_out(result)
            if c["random"] is not None:
                t = expect["tensor"]
                expect = {"random": {"dtype": t["dtype"], "shape": t["shape"], "min": flt(c["random"][0]), "max": flt(c["random"][1])}}
            entry["expect"] = expect
        return entry


def short(args):
    return {k: (f"tensor{list(v.shape)}:{str(v.dtype)[6:]}" if isinstance(v, torch.Tensor) else v) for k, v in args.items()}
