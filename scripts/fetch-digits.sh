#!/usr/bin/env bash
# scikit-learn's 8x8 handwritten digits (1797 images) as a plain CSV in the cache.
#
# The data ships inside the scikit-learn wheel (sklearn/datasets/data/digits.csv.gz): the wheel is
# downloaded once with `pip download --no-deps` into $NUTORCH_CACHE/wheels, the file is read out of
# it (a wheel is a zip) and written to $NUTORCH_CACHE/data/digits.csv. Nothing is fetched when the
# CSV is already there. Prints the CSV's path.
#
# The CSV has a header line `p0,p1,...,p63,label` (the file in the wheel has none), so that `open`
# in Nushell gives a table: p0..p63 are the pixels row by row (integers 0..16), label is the digit
# (0..9), 1797 rows in the wheel's order.
set -euo pipefail
source "$(dirname "$0")/env.sh"
SKLEARN_VERSION=1.5.2
wheels="$NUTORCH_CACHE/wheels"
csv="$NUTORCH_CACHE/data/digits.csv"
if [ ! -s "$csv" ]; then
  mkdir -p "$wheels" "$(dirname "$csv")"
  wheel="$(ls "$wheels"/scikit_learn-"$SKLEARN_VERSION"-*.whl 2>/dev/null | head -n1 || true)"
  if [ -z "$wheel" ]; then
    echo "downloading the scikit-learn $SKLEARN_VERSION wheel (for its digits data, once)" >&2
    "$TORCH_PY" -m pip download --quiet --no-deps --only-binary=:all: \
      --dest "$wheels" "scikit-learn==$SKLEARN_VERSION" >&2
    wheel="$(ls "$wheels"/scikit_learn-"$SKLEARN_VERSION"-*.whl | head -n1)"
  fi
  tmp="$csv.tmp.$$"
  "$TORCH_PY" - "$wheel" "$tmp" <<'PY'
import csv, gzip, io, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    raw = gzip.decompress(z.read("sklearn/datasets/data/digits.csv.gz")).decode()
rows = [line.split(",") for line in raw.splitlines() if line.strip()]
assert len(rows) == 1797 and all(len(r) == 65 for r in rows), (len(rows), {len(r) for r in rows})
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow([f"p{i}" for i in range(64)] + ["label"])
    for r in rows:
        w.writerow([str(int(float(v))) for v in r])
PY
  mv "$tmp" "$csv"
fi
echo "$csv"
