#!/usr/bin/env bash
# Builds the Rust test binaries here and packs them (stripped) for the GPU machine, which has
# libtorch but no Rust toolchain.
#
#   scripts/gpu/pack.sh [BUNDLE_DIR]
#   PACK_ONLY="commands-test golden-test store-test device-test" scripts/gpu/pack.sh
#       (only those binaries: the whole set can exceed the device upload)
#
# BUNDLE_DIR (default: .device in this checkout, which .gitignore ignores) receives
#   bins.tar.xz  the test binaries,
#   manifest     one line per binary: its name and its crate's directory relative to the
#                workspace root (where it runs, to find its goldens and Python helpers),
#   built_at     the absolute workspace root the binaries were built in (they find their data
#                under it; run.sh links it to the checkout it runs in).
# Then, on the GPU machine: scripts/gpu/run.sh [BUNDLE_DIR] [TORCH_LIB]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$root/.device}"
mkdir -p "$bundle"
bundle="$(cd "$bundle" && pwd)"
cd "$root"
rm -rf "$bundle/bin" "$bundle/manifest" "$bundle/bins.tar.xz" && mkdir -p "$bundle/bin"
printf '%s\n' "$root" > "$bundle/built_at"
cargo test --workspace --exclude nutorch-e2e --no-run --message-format=json 2>/dev/null \
  | ROOT="$root" BUNDLE="$bundle" python3 -c '
import json, sys, shutil, os
root, bundle = os.environ["ROOT"], os.environ["BUNDLE"]
only = os.environ.get("PACK_ONLY", "").split()
with open(os.path.join(bundle, "manifest"), "a") as manifest:
    for line in sys.stdin:
        m = json.loads(line)
        exe = m.get("executable")
        if m.get("reason") == "compiler-artifact" and exe and m.get("profile", {}).get("test"):
            name = m["target"]["name"] + "-" + m["target"]["kind"][0]
            if only and name not in only:
                continue
            shutil.copy(exe, os.path.join(bundle, "bin", name))
            crate_dir = os.path.relpath(os.path.dirname(m["manifest_path"]), root)
            print(name, crate_dir, file=manifest)
'
strip "$bundle"/bin/*
# The in-process plugin test binaries carry a Nushell engine each (~45 MB): compressed, the
# whole set travels within the GPU machine's upload limit.
tar -C "$bundle" -cJf "$bundle/bins.tar.xz" bin && rm -rf "$bundle/bin"
du -sh "$bundle"
