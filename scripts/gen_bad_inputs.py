#!/usr/bin/env python3
"""Bad-input cases for every op of nutorch's catalog, with what PyTorch does for each.

Run with the torch the setup installs:
    "$(grep NUTORCH_PYTHON .cargo/config.toml | cut -d'"' -f2)" scripts/gen_bad_inputs.py
It starts from the golden cases of scripts/goldens/ (the first case of each op that PyTorch
runs without an error) and mutates them: the first tensor as bool, complex64, int64 and
float16, empty, 0-d, with NaN and infinities, not a tensor (a record) and an unknown id; an
out-of-range `dim`; huge and negative sizes for the ops that make tensors. Each mutated call is
run in PyTorch and its outcome recorded: the exception (type and first line) or the value in
the format of the goldens (nu_plugin_nutorch/tests/golden/ops.json; tensors of more than
CAP elements, and complex ones, keep only dtype and shape). tests/e2e/bad_input.rs replays
them through the real nu. Output: tests/golden/bad_inputs.json: `bases` holds each op's base
arguments once, and each case only its `change` (the mutated arguments, which replace or add
to the base ones, in that order).
"""
import importlib
import json
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import torch  # noqa: E402

import gen_goldens  # noqa: E402
from goldens import framework  # noqa: E402

# Values kept per result tensor; beyond it only dtype and shape are compared.
CAP = 64
# An id no store holds.
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"
# 10^12 elements: terabytes in every dtype, an error on any machine.
HUGE = 10**12
# Arguments of creation ops that are sizes or element counts.
SIZE_ARGS = {"size", "n", "m", "steps", "high_or_size"}
# Size lists of ops on a tensor (new_zeros, expand, repeat, reshape, ...).
TENSOR_SIZE_ARGS = {"size", "sizes", "shape", "repeats", "output_size"}


def enc_tensor_capped(t):
    t = t.detach().cpu()
    meta = {"dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape)}
    if t.numel() > CAP or t.is_complex():
        return meta
    return framework.enc_tensor(t)


def enc_out_capped(r):
    """framework.enc_out with the cap on every tensor."""
    if isinstance(r, torch.Tensor):
        return {"tensor": enc_tensor_capped(r)}
    if isinstance(r, dict):
        return {"record": {k: framework.enc_field(v, enc_tensor_capped) for k, v in r.items()}}
    fields = getattr(r, "_fields", None) or getattr(type(r), "__match_args__", None)
    if isinstance(r, tuple) and fields:
        return {"record": {k: framework.enc_field(getattr(r, k), enc_tensor_capped) for k in fields}}
    if isinstance(r, (list, tuple)) and all(isinstance(x, torch.Tensor) for x in r) and not isinstance(r, torch.Size):
        return {"list": [enc_tensor_capped(x) for x in r]}
    return framework.enc_out(r)


def first_tensor(args):
    """The name of the case's first tensor argument (the piped one, as the catalog orders
    its arguments the way PyTorch does)."""
    for k, v in args.items():
        if isinstance(v, torch.Tensor):
            return k
    return None


def mutations(c):
    """(label, changed args) for one base case."""
    args = c["args"]
    out = []
    name = first_tensor(args)
    if name is not None:
        x = args[name]
        rg = x.requires_grad
        x = x.detach()

        def grad(t):
            return t.requires_grad_(True) if rg and (t.is_floating_point() or t.is_complex()) else t

        if x.dtype != torch.bool:
            out.append(("bool", {name: x != 0}))
        if x.dtype != torch.complex64:
            out.append(("complex64", {name: grad(x.to(torch.complex64))}))
        if x.dtype != torch.int64:
            out.append(("int64", {name: x.round().to(torch.int64) if x.is_floating_point() else x.to(torch.int64)}))
        if x.dtype != torch.float16:
            out.append(("float16", {name: grad(x.to(torch.float16))}))
        shape = list(x.shape)
        empty = [0] + shape[1:] if shape else [0]
        out.append(("empty", {name: grad(torch.zeros(empty, dtype=x.dtype))}))
        if x.dim() > 0 and x.numel() > 0:
            out.append(("0-d", {name: grad(x.reshape(-1)[0].clone())}))
        if x.is_floating_point() and x.numel() >= 3:
            y = x.clone().reshape(-1)
            y[0], y[1], y[2] = float("nan"), float("inf"), float("-inf")
            out.append(("nan-inf", {name: grad(y.reshape(x.shape))}))
        out.append(("not-a-tensor", {name: {"nu": "{a: 1}"}}))
        out.append(("unknown-id", {name: {"nu": f"'{UNKNOWN_ID}'"}}))
        dim = args.get("dim")
        if isinstance(dim, int) and not isinstance(dim, bool):
            nd = max(x.dim(), 1)
            out.append(("dim-high", {"dim": nd}))
            out.append(("dim-low", {"dim": -nd - 1}))
        elif isinstance(dim, list) and dim and all(isinstance(d, int) for d in dim):
            out.append(("dim-high", {"dim": [max(x.dim(), 1)]}))
        # The second tensor (other, weight, target, ...) of another dtype: type promotion and
        # PyTorch's dtype checks between operands.
        second = next((k for k, v in args.items() if k != name and isinstance(v, torch.Tensor)), None)
        if second is not None:
            y = args[second].detach()
            if y.dtype != torch.bool:
                out.append((f"{second}-bool", {second: y != 0}))
            if y.dtype != torch.float16:
                out.append((f"{second}-float16", {second: y.to(torch.float16)}))
        for k, v in args.items():
            if k in TENSOR_SIZE_ARGS and isinstance(v, list) and v and all(isinstance(d, int) for d in v):
                out.append((f"huge-{k}", {k: [10**6, 10**6] + v[2:]}))
                out.append((f"negative-{k}", {k: [-3] + v[1:]}))
    else:
        for k, v in args.items():
            if k not in SIZE_ARGS:
                continue
            if isinstance(v, list):
                out.append((f"huge-{k}", {k: [10**6, 10**6]}))
                out.append((f"negative-{k}", {k: [2, -3]}))
            elif isinstance(v, int) and not isinstance(v, bool):
                out.append((f"huge-{k}", {k: HUGE}))
                out.append((f"negative-{k}", {k: -3}))
    return out


# Mutated calls that crash the Python process (a segmentation fault in LAPACK's geev, which
# PyTorch 2.11's CPU build reaches with NaN or infinite input): they are not run; nutorch
# refuses such input, so an error is the outcome expected.
CRASHES = {("linalg_eig", "nan-inf"), ("linalg_eigvals", "nan-inf")}


def outcome(c, args, fn, seed, label=None):
    """What PyTorch does: {"error": "Type: first line"} or the value."""
    if any(isinstance(v, dict) and "nu" in v for v in args.values()):
        return {"error": "TypeError: not a tensor"}
    if (c["op"], label) in CRASHES:
        return {"error": "crash: PyTorch ends the process (segmentation fault in LAPACK)"}
    if seed is not None:
        torch.manual_seed(seed)
    pyargs = {k: getattr(torch, v) if k == "dtype" and isinstance(v, str) else framework.copy_arg(v) for k, v in args.items()}
    try:
        r = fn(**pyargs) if c["fn"] is not None else framework.call_flex(fn, pyargs)
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        first = (str(e).strip().splitlines() or [""])[0]
        return {"error": f"{type(e).__name__}: {first[:200]}"}
    out = enc_out_capped(r)
    try:
        json.dumps(out, allow_nan=False)
    except (TypeError, ValueError):
        # A plain value JSON cannot hold (a complex number, NaN in a list): only success counts.
        return {"opaque": type(r).__name__}
    return out


def enc_args(args):
    return {k: (v if isinstance(v, dict) and "nu" in v else framework.enc_arg(v)) for k, v in args.items() if v is not None}


def main():
    torch.set_default_dtype(torch.float32)
    framework.warnings.filterwarnings("ignore")
    for name in gen_goldens.MODULES:
        if (pathlib.Path(framework.__file__).parent / f"cases_{name}.py").exists():
            importlib.import_module(f"goldens.cases_{name}")
    ops = framework.catalog_ops()
    bases = {}
    for c in framework.CASES:
        if c["op"] in bases or c["op"] not in ops or c["err"] is not None or c["may_err"]:
            continue
        bases[c["op"]] = c
    cases = []
    base_args = {}
    for op, c in bases.items():
        fn = c["fn"] or framework.resolve(ops[op])
        random = c["random"] is not None
        base_args[op] = enc_args({k: v for k, v in c["args"].items() if v is not None})
        for label, change in mutations(c):
            args = {k: v for k, v in {**c["args"], **change}.items() if v is not None}
            expect = outcome(c, args, fn, c["seed"], label)
            if random:
                # Random values: only dtype and shape are compared.
                for t in [expect.get("tensor")] + list((expect.get("record") or {}).values()) + (expect.get("list") or []):
                    if isinstance(t, dict):
                        t.pop("values", None)
            # Only the changed arguments: the replay takes the rest from the op's base arguments.
            entry = {"op": op, "mutation": label, "change": enc_args(change), "expect": expect}
            for key in ("seed", "rtol", "atol"):
                if c[key] is not None:
                    entry[key] = c[key]
            cases.append(entry)
    out = framework.ROOT / "tests" / "golden" / "bad_inputs.json"
    cases = [gen_goldens.shortest_floats(c) for c in cases]
    used = {c["op"] for c in cases}
    base_args = {op: gen_goldens.shortest_floats(a) for op, a in base_args.items() if op in used}
    dump = lambda v: json.dumps(v, separators=(",", ":"), allow_nan=False)  # noqa: E731
    # One op's base arguments per line, then one case per line.
    bases_text = ",\n".join(f"{dump(op)}:{dump(a)}" for op, a in base_args.items())
    cases_text = ",\n".join(dump(c) for c in cases)
    text = f'{{"torch":{dump(torch.__version__)},"bases":{{\n{bases_text}}},\n"cases":[{cases_text}]}}'
    out.write_text(text + "\n")
    errors = sum("error" in c["expect"] for c in cases)
    print(f"{len(cases)} cases for {len(bases)} ops ({errors} PyTorch errors) -> {out.relative_to(framework.ROOT)}, {len(text) // 1024} KiB")
    missing = sorted(set(ops) - set(bases))
    if missing:
        print(f"ops without a base case ({len(missing)}): {' '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
