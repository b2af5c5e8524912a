"""Runs many invocations of the check scripts in one Python process (each start of Python with torch
costs a second or two).

Usage: batch.py CASES.json
CASES.json: a list of argument lists, each [script, arg1, ...] as the script's own command line
(e.g. ["layer_check.py", "spec.json", "in.safetensors", "out.safetensors", "train"]). Each script is
imported once and its main(argv) called per case, in order. An exception raised by a case is caught
and recorded: CASES.json.errors.json maps the case's index (as a string) to "Type: message"; cases
not in it succeeded.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def module(script, cache={}):
    if script not in cache:
        spec = importlib.util.spec_from_file_location(script[:-3], os.path.join(HERE, script))
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        cache[script] = m
    return cache[script]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        cases = json.load(f)
    errors = {}
    for index, case in enumerate(cases):
        try:
            module(case[0]).main(list(case))
        except Exception as e:  # noqa: BLE001 - recorded for the Rust side to compare
            errors[str(index)] = f"{type(e).__name__}: {e}"
    with open(argv[1] + ".errors.json", "w") as f:
        json.dump(errors, f)


if __name__ == "__main__":
    main(sys.argv)
