#!/usr/bin/env bash
# Builds the Rust test binaries here and packs them (stripped) into .device/ for the GPU
# machine, which has libtorch but no Rust toolchain. .device/ must be ignored by git
# (listed in .git/info/exclude). Then, there: scripts/gpu/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device && mkdir -p .device/bin
cargo test --workspace --exclude nutorch-e2e --no-run --message-format=json 2>/dev/null \
  | python3 -c '
import json, sys, shutil, os
for line in sys.stdin:
    m = json.loads(line)
    exe = m.get("executable")
    if m.get("reason") == "compiler-artifact" and exe and m.get("profile", {}).get("test"):
        name = m["target"]["name"] + "-" + m["target"]["kind"][0]
        shutil.copy(exe, os.path.join(".device/bin", name))
        print(name, m["manifest_path"], file=open(".device/manifest", "a"))
'
strip .device/bin/*
# The in-process plugin test binaries carry a Nushell engine each (~45 MB): compressed, the
# whole set travels within the GPU machine's upload limit.
tar -C .device -cJf .device/bins.tar.xz bin && rm -rf .device/bin
du -sh .device
