#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer) of the ways untrusted bytes enter nutorch:
# tensor files (`nutorch load`), store files after a restart, Nushell values (`fromvalue`).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
# New coverage goes into fuzz/corpus/<target>/ (minimised afterwards); a crash is copied into
# fuzz/regressions/<target>/, which nu_plugin_nutorch/tests/fuzz_corpus.rs replays in every test
# run. Needs `cargo install cargo-fuzz`; the stable toolchain is enough (RUSTC_BOOTSTRAP lets it
# use the nightly flags libFuzzer needs).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$NUTORCH_ROOT"
seconds="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(load_file store_reload fromvalue)
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2; exit 1; }
export RUSTC_BOOTSTRAP=1
# libtorch is not instrumented; the sanitizer would only slow it down. Coverage still guides.
flags=(--sanitizer none --release --debug-assertions)
torch_lib="$(ls -d "$TORCH_VENV"/lib/python3*/site-packages/torch/lib | head -n1)"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
status=0
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/regressions/$target" "fuzz/artifacts/$target"
    echo "== $target: $seconds s"
    if ! cargo fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=4096 -timeout=20 \
        -artifact_prefix="fuzz/artifacts/$target/"; then
        status=1
    fi
    for crash in fuzz/artifacts/"$target"/*; do
        [ -f "$crash" ] && cp "$crash" "fuzz/regressions/$target/" && echo "kept $crash as a regression input"
    done
    cargo fuzz cmin "${flags[@]}" "$target" "fuzz/corpus/$target" -- -max_len=4096 >/dev/null 2>&1 || true
done
exit $status
