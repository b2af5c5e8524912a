#!/usr/bin/env python3
"""Golden cases from PyTorch's own test inputs: the OpInfo database's sample and error inputs
(torch.testing._internal.common_methods_invocations.op_db) for every catalog op that has an
OpInfo entry, with what PyTorch gives for each.

    "$NUTORCH_PYTHON" scripts/gen_opinfo_goldens.py CATALOG.json OUT.json

CATALOG.json is the catalog's signatures, `{"ops": {name: {"torch": path, "args": [names in
order], "types": [their types], "rest": the list argument that takes the rest, or null,
"record": [the fields of the record it gives], or null}}}`; the test writes it.

nu_plugin_nutorch/tests/opinfo.rs runs this (once per PyTorch version and input files; the
result is kept under target/) and replays every case through the plugin. The cases have the
format of nu_plugin_nutorch/tests/golden/ops.json (scripts/goldens/framework.py writes both)
plus `sample`, the OpInfo entry, dtype and sample number it came from.

Which samples: for each entry and each of DTYPES it supports on the CPU, up to PER_DTYPE
samples spread over its sample inputs (in PyTorch's order, after those with more than MAX_NUMEL
elements in all are left out: the replay writes every value into Nushell source), and up to
PER_ENTRY_ERRORS of its error inputs. PyTorch's global generator is seeded per entry and dtype
(make_tensor draws from it), so the file is the same on every run. An op whose result depends
on the generator (dropout, bernoulli, ...) is called after `manual_seed`, as the replay does.

A sample we cannot write as a nutorch call (a Python callable, a complex scalar, a value of a
type the op's argument does not take, more positionals than the op has, ...) is listed under
`cannot` with the reason; opinfo.rs adds those with an argument the op does not take. A sample
PyTorch's own function refuses is left out (said on stderr); an error input whose value the op's
signature refuses is kept, marked `refused_by_signature` (Nushell's parser refuses it).
"""
import contextlib
import io
import json
import math
import pathlib
import sys
import warnings
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import torch  # noqa: E402

from goldens import framework  # noqa: E402

DTYPES = [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.complex64]
PER_DTYPE = 3
PER_ENTRY_ERRORS = 2
MAX_NUMEL = 1000
# Ops whose result is uninitialised memory: only dtype and shape are compared.
UNINITIALISED = {"empty", "empty_like", "new_empty", "new_empty_strided", "empty_strided", "empty_permuted"}
SEED = 20261201


class CannotExpress(Exception):
    pass


class SampleBroken(Exception):
    """PyTorch's own call of the sample fails: nothing to compare (told on stderr)."""


def entry_name(entry):
    return entry.name + (f".{entry.variant_test_name}" if entry.variant_test_name else "")


def catalog_callable(path):
    """The PyTorch function a catalog path names (Tensor methods as torch.Tensor's)."""
    try:
        if path.startswith("Tensor."):
            return getattr(torch.Tensor, path.split(".", 1)[1])
        return framework.resolve(path)
    except AttributeError:
        return None


def match_entries(ops):
    """[(entry, catalog op)]: an entry goes with the op naming the same PyTorch function (the
    entry's function, its method variant or an alias), else with the op of the entry's name
    (`nn.functional.relu` -> relu, `linalg.det` -> linalg_det). Also the entries with no op."""
    from torch.testing._internal import common_methods_invocations as cmi

    # OpInfo's random ops seed the generator with 42 themselves; the cases seed it (as the
    # replay does with manual_seed) and are called as plainly as the op.
    cmi.wrapper_set_seed = lambda op, *args, **kwargs: op(*args, **kwargs)
    op_db = cmi.op_db

    by_fn = {}
    for name, path in ops.items():
        f = catalog_callable(path)
        if f is not None:
            by_fn.setdefault(f, []).append(name)
    matched, unmatched = [], []
    for entry in op_db:
        if entry.name == "__getitem__":
            matched.append((entry, "getitem"))  # x[index], nutorch's getitem
            continue
        if entry.name.startswith("__"):
            continue  # the rest of Python's operator protocol (`__radd__`, `__rmul__`): not ops
        hit = None
        for f in [entry.op, entry.method_variant] + [a.op for a in entry.aliases]:
            names = by_fn.get(f) if f is not None else None
            if names:
                plain = entry.name.removeprefix("nn.functional.").replace(".", "_")
                hit = plain if plain in names else names[0]
                break
        if hit is None:
            # Entries of PyTorch's in-place fills (`cauchy`, `fill`, `uniform`) go with `cauchy_`, ...
            plain = entry.name.removeprefix("nn.functional.").replace(".", "_")
            order = (plain + "_", plain) if entry.variant_test_name == "in_place" else (plain, plain + "_")
            hit = next((n for n in order if n in ops), None)
        if hit is None:
            unmatched.append(entry)
        else:
            matched.append((entry, hit))
    return matched, unmatched


# Entries whose function takes the arguments in another order than the op it tests
# (`lambda x, n: torch.polygamma(n, x)`): the catalog's names for the sample's input and
# positional arguments, in the sample's order.
ARG_ORDER = {
    "polygamma": ["input", "n"],
    "special.polygamma": ["input", "n"],
    "einsum": ["operands", "equation"],
    "where": ["input", "condition", "other"],
    "nn.functional.embedding": ["weight", "input"],
    "nn.functional.embedding_bag": ["weight", "input"],
    "normal.number_mean": ["std", "mean", "size"],
}

# Entries whose function is a composition around the op (OpInfo's name for the op's variant):
# their samples are not the op's arguments.
COMPOSITE = {
    "linalg.lstsq.grad_oriented": "the entry's function is lstsq(a, b)[:2], not lstsq",
    "linalg.pinv.singular": "the entry's function is pinv(a @ b.mT), not pinv",
    "rand_like": "the entry's function is randn_like, not rand_like",
    "svd_lowrank": "the entry's function is svd_lowrank(a @ b.mT), not svd_lowrank",
    "pca_lowrank": "the entry's function is pca_lowrank(a @ b.mT), not pca_lowrank",
}

INT_TYPES = {"int", "number", "float", "ints", "ints_or_none", "ints_or_str", "num_or_str", "tensor_or_number", "float_or_floats", "floats"}


def named_args(entry, spec, sample):
    """The sample's arguments by the catalog's names: positional ones in the catalog's order
    (PyTorch's), the rest by keyword. Several ints after the last, an op's list argument that
    takes the rest (`permute(x, 1, 0)`), are that list, as are several tensors for a list of
    tensors (`block_diag(a, b)`). A bool, dtype or string that does not fit its place goes to
    the next argument of its type (PyTorch's overloads: `std(x, True)` is unbiased,
    `x.to(torch.float64)` a dtype)."""
    names, types, rest = spec["args"], spec["types"], spec.get("rest")
    order = ARG_ORDER.get(entry_name(entry), ARG_ORDER.get(entry.name))
    positional = [sample.input, *sample.args]
    out = {}
    j = 0
    for i, value in enumerate(positional):
        names_left = order[i:] if order else names[j:]
        if not names_left:
            raise CannotExpress(f"{len(positional)} positional arguments; the op takes {len(names)} arguments")
        name = names_left[0]
        ty = types[names.index(name)] if name in names else None
        tail = positional[i:]
        if name == rest and len(tail) > 1 and is_list_tail(spec, rest, tail):
            out[rest] = list(tail)
            break
        if ty == "tensors" and isinstance(value, torch.Tensor):
            out[name] = [value]  # one tensor for a list of them (`cartesian_prod(a)`)
        elif order is None and ty is not None and not fits(ty, value) and isinstance(value, (bool, str, torch.dtype)):
            later = [k for k in range(j + 1, len(names)) if fits(types[k], value) and names[k] not in out]
            if not later:
                raise CannotExpress(f"positional {describe(value)} fits no argument from `{name}` on")
            j = later[0]
            out[names[j]] = value
        else:
            out[name] = value
        j += 1
    for name, value in sample.kwargs.items():
        if name in out:
            raise CannotExpress(f"`{name}` given by position and by name")
        if name == "layout" and value == torch.strided:
            continue  # the only layout nutorch has
        out[name] = value  # one the op does not take: the replay says so
    return out


def is_list_tail(spec, rest, tail):
    """Whether the positionals from the op's rest argument on are that one list: ints when no
    later argument takes an int, or tensors for a list of tensors."""
    names, types = spec["args"], spec["types"]
    ty = types[names.index(rest)]
    if ty == "tensors":
        return all(isinstance(v, torch.Tensor) for v in tail)
    later = names[names.index(rest) + 1:]
    takes_int = any(types[names.index(n)] in INT_TYPES for n in later)
    return not takes_int and all(isinstance(v, int) and not isinstance(v, bool) for v in tail)


def is_int(v):
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, torch.Tensor) and v.dim() == 0 and not v.is_floating_point() and not v.is_complex() and v.dtype != torch.bool)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) or (isinstance(v, torch.Tensor) and v.dim() == 0 and not v.is_complex())


def fits(ty, v):
    """Whether the catalog's argument type takes the value (None: PyTorch's None, the null
    every optional argument takes)."""
    if v is None:
        return True
    seq = isinstance(v, (list, tuple, torch.Size))
    return {
        "tensor": lambda: isinstance(v, torch.Tensor),
        "tensors": lambda: seq and all(isinstance(x, torch.Tensor) for x in v),
        "tensor_or_number": lambda: isinstance(v, (torch.Tensor, int, float)),
        "int": lambda: is_int(v),
        "float": lambda: is_number(v),
        "number": lambda: is_number(v),
        "bool": lambda: isinstance(v, bool),
        "ints": lambda: is_int(v) or (seq and all(is_int(x) for x in v)),
        "ints_or_none": lambda: is_int(v) or (seq and all(x is None or is_int(x) for x in v)),
        "float_or_floats": lambda: is_number(v) or (seq and all(is_number(x) for x in v)),
        "floats": lambda: seq and all(is_number(x) for x in v),
        "shapes": lambda: seq or is_int(v) or isinstance(v, torch.Tensor),
        "str": lambda: isinstance(v, str),
        "ints_or_str": lambda: isinstance(v, str) or is_int(v) or (seq and all(is_int(x) for x in v)),
        "num_or_str": lambda: isinstance(v, str) or is_number(v),
        "dtype": lambda: isinstance(v, torch.dtype),
        "device": lambda: isinstance(v, (str, torch.device)),
    }.get(ty, lambda: True)()


def describe(v):
    if isinstance(v, torch.Tensor):
        return f"a {v.dim()}-d {str(v.dtype).removeprefix('torch.')} tensor"
    if isinstance(v, (list, tuple)):
        return "a list of " + ", ".join(sorted({type(x).__name__ for x in v}))
    return f"a {type(v).__name__}"


def plain_value(v):
    """PyTorch's objects as nutorch writes them: a memory format or device by name."""
    if isinstance(v, torch.memory_format):
        return str(v).removeprefix("torch.")
    if isinstance(v, torch.device):
        return str(v)
    return v


def index_text(v):
    """A Python index in PyTorch's text form (`x[...]`'s brackets): '0:3, 1', '[0, 3], ...'."""
    if isinstance(v, tuple):
        return "()" if not v else ", ".join(index_text(x) for x in v) + ("," if len(v) == 1 else "")
    if isinstance(v, slice):
        part = lambda b: "" if b is None else str(b)  # noqa: E731
        return f"{part(v.start)}:{part(v.stop)}" + ("" if v.step is None else f":{v.step}")
    if isinstance(v, list):
        return "[" + ", ".join(index_text(x) for x in v) + "]"
    if v is Ellipsis:
        return "..."
    if v is None or isinstance(v, (bool, int)):
        return str(v)
    raise CannotExpress(f"an index entry {describe(v)}")


def index_arg(v):
    """getitem's index: the text form, or (with tensors in it) one tensor or a list of the
    tuple's entries, each tensor or text (`['[0, 2]', $t]`, a tuple as the replay writes it)."""
    if isinstance(v, torch.Tensor):
        return v
    if isinstance(v, tuple) and any(isinstance(x, torch.Tensor) for x in v):
        return [x if isinstance(x, torch.Tensor) else index_text(x) for x in v]
    return index_text(v)


def check_value(name, v):
    """A value the framework writes as a nutorch argument, or CannotExpress."""
    if name == "indices":
        return index_arg(v)
    if v is None or isinstance(v, (bool, int, str, torch.Tensor, torch.dtype)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, complex):
        raise CannotExpress(f"`{name}` is a complex number")
    if isinstance(v, torch.device):
        return str(v)
    if isinstance(v, torch.memory_format):
        return str(v).removeprefix("torch.")
    if isinstance(v, (list, tuple, torch.Size)):
        items = [check_value(name, x) for x in v]
        if any(isinstance(x, (list, tuple)) for x in items) and not all(isinstance(x, (list, tuple)) for x in items):
            raise CannotExpress(f"`{name}` mixes lists and values")
        return [list(x) if isinstance(x, tuple) else x for x in items]
    raise CannotExpress(f"`{name}` is a {type(v).__name__}")


def numel(v):
    if isinstance(v, torch.Tensor):
        return v.numel()
    if isinstance(v, (list, tuple)):
        return sum(numel(x) for x in v)
    return 0


def sample_size(s):
    return numel(s.input) + numel(list(s.args)) + numel(list(s.kwargs.values()))


def spread(items, k):
    """k items spread evenly over the list (its first and last among them)."""
    if len(items) <= k:
        return list(items)
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def seed_for(*parts):
    return zlib.crc32("/".join(parts).encode()) & 0x7FFFFFFF


def run(entry, sample, seed):
    """The sample's call as OpInfo makes it (the entry's function, its own arguments), on
    copies of the inputs (in-place ops would change the recorded ones)."""
    torch.manual_seed(seed)
    copy = framework.copy_arg
    return entry.op(copy(sample.input), *[copy(a) for a in sample.args], **{k: copy(v) for k, v in sample.kwargs.items()})


def same(a, b):
    try:
        return json.dumps(framework.enc_out(a), allow_nan=True) == json.dumps(framework.enc_out(b), allow_nan=True)
    except Exception:  # noqa: BLE001 - an unencodable result is told apart later
        return True


def make_case(entry, op, spec, sample, tag, error_expected):
    """One case in ops.json's format, or CannotExpress."""
    if entry_name(entry) in COMPOSITE:
        raise CannotExpress(COMPOSITE[entry_name(entry)])
    entry_out = {"op": op, "sample": tag}
    seed = seed_for(tag)
    # PyTorch's outcome first: a sample its own function refuses (a Python number where it
    # takes a tensor) is no sample.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run(entry, sample, seed)
    except Exception as e:  # noqa: BLE001 - PyTorch's error is the expected outcome
        if not error_expected:
            raise SampleBroken(f"PyTorch raised {type(e).__name__} on its own sample: {str(e).splitlines()[0][:120]}") from None
        entry_out["expect"] = {"error": ""}
    else:
        if error_expected:
            raise CannotExpress("no error on the CPU for this error input")
    args = {k: plain_value(v) for k, v in named_args(entry, spec, sample).items()}
    types = dict(zip(spec["args"], spec["types"]))
    for k, v in args.items():
        if k in types and not fits(types[k], v):
            if not error_expected:
                raise CannotExpress(f"`{k}` is {describe(v)}; the op takes {types[k]}")
            # PyTorch refuses the type, and so does the op's Nushell signature, when the call
            # is parsed: the replay takes that refusal for the error.
            entry_out["refused_by_signature"] = f"`{k}` is {describe(v)}; the op takes {types[k]}"
    if "out" in args:
        raise CannotExpress("`out=` (nutorch ops return their result)")
    args = {k: check_value(k, v) for k, v in args.items()}
    if not args:
        raise CannotExpress("no arguments")
    if "expect" not in entry_out:
        if op in UNINITIALISED:
            t = framework.enc_out(result)["tensor"]
            entry_out["expect"] = {"random": {"dtype": t["dtype"], "shape": t["shape"], "min": "-inf", "max": "inf"}}
        else:
            # A result that changes with the generator's state is replayed after manual_seed.
            if not same(result, run(entry, sample, seed + 1)):
                entry_out["seed"] = seed
            entry_out["expect"] = encode_result(as_record(result, spec.get("record")))
    entry_out["args"] = {k: framework.enc_arg(v) for k, v in args.items() if v is not None}
    if any(isinstance(v, dict) and "tensor" in v and v["tensor"]["dtype"] == "complex32" for v in entry_out["args"].values()):
        raise CannotExpress("complex32 input")
    try:
        json.dumps(entry_out, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise CannotExpress(f"a value JSON cannot hold ({e})") from None
    return entry_out


def as_record(result, fields):
    """A plain tuple (OpInfo lambdas, `return_indices=True`) as the record the op gives."""
    if fields and isinstance(result, tuple) and not hasattr(result, "_fields") and len(result) == len(fields):
        return dict(zip(fields, result))
    return result


def encode_result(result):
    if isinstance(result, (bool, int, float)) and not isinstance(result, torch.Tensor):
        if isinstance(result, float) and not math.isfinite(result):
            return {"value": framework.flt(result)}
    try:
        return framework.enc_out(result)
    except Exception as e:  # noqa: BLE001
        raise CannotExpress(f"a result of type {type(result).__name__}") from e


def is_public(entry):
    """Whether an entry tests a public PyTorch function: not private (`_...`), a jiterator
    kernel, an aten op reached only through torch.ops (native_dropout_backward), or a function
    the test suite defines itself (max_pool2d_with_indices_backward)."""
    if entry.name.startswith(("_", "jiterator_", "torch.", "__")):
        return False
    if isinstance(entry.op, (torch._ops.OpOverloadPacket, torch._ops.OpOverload)):
        return False
    return not (getattr(entry.op, "__module__", None) or "").startswith("torch.testing")


def seed_random_entries(cases):
    """An entry one of whose samples changed with the generator's state is random: all its
    samples are replayed after manual_seed (a small sample can give the same result twice)."""
    random = {c["sample"].rsplit("/", 2)[0] for c in cases if "seed" in c}
    for c in cases:
        if "seed" not in c and c["sample"].rsplit("/", 2)[0] in random and "error" not in c["expect"]:
            c["seed"] = seed_for(c["sample"])


def main():
    catalog = json.loads(pathlib.Path(sys.argv[1]).read_text())["ops"]
    out_path = pathlib.Path(sys.argv[2])
    warnings.filterwarnings("ignore")
    torch.set_default_dtype(torch.float32)
    ops = {name: spec["torch"] for name, spec in catalog.items()}
    with contextlib.redirect_stderr(io.StringIO()):
        matched, unmatched = match_entries(ops)
    cases, cannot = [], []
    for entry, op in matched:
        name = entry_name(entry)
        supported = entry.supported_dtypes("cpu")
        for dtype in DTYPES:
            if dtype not in supported:
                continue
            dt = str(dtype).removeprefix("torch.")
            torch.manual_seed(seed_for(SEED_TAG, name, dt))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    samples = [s for s in entry.sample_inputs("cpu", dtype) if sample_size(s) <= MAX_NUMEL]
            except Exception as e:  # noqa: BLE001 - PyTorch's own sample function failed
                print(f"{name} {dt}: no samples ({type(e).__name__}: {e})", file=sys.stderr)
                continue
            for i, s in enumerate(spread(samples, PER_DTYPE)):
                tag = f"{name}/{dt}/{i}"
                try:
                    cases.append(make_case(entry, op, catalog[op], s, tag, False))
                except CannotExpress as e:
                    cannot.append({"entry": name, "op": op, "sample": tag, "reason": str(e)})
                except SampleBroken as e:
                    print(f"{tag}: {e}", file=sys.stderr)
        torch.manual_seed(seed_for(SEED_TAG, name, "errors"))
        try:
            errors = list(entry.error_inputs("cpu"))
        except Exception:  # noqa: BLE001 - entries without error inputs raise or yield nothing
            errors = []
        errors = [e for e in errors if sample_size(e.sample_input) <= MAX_NUMEL]
        for i, e in enumerate(errors[:PER_ENTRY_ERRORS]):
            tag = f"{name}/error/{i}"
            try:
                cases.append(make_case(entry, op, catalog[op], e.sample_input, tag, True))
            except CannotExpress as err:
                cannot.append({"entry": name, "op": op, "sample": tag, "reason": str(err)})
    seed_random_entries(cases)
    public_unmatched = [entry_name(e) for e in unmatched if is_public(e)]
    doc = {"torch": torch.__version__, "cases": cases, "cannot": cannot, "unmatched": public_unmatched}
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text.replace(',{"op":', ',\n{"op":') + "\n")
    print(f"{len(cases)} cases from {len(matched)} OpInfo entries, {len(cannot)} samples not expressible, "
          f"{len(public_unmatched)} public entries without an op -> {out_path}", file=sys.stderr)


SEED_TAG = str(SEED)

if __name__ == "__main__":
    main()
