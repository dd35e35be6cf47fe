#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment outside the checkout, and run the demo there:
# proves reportkit needs nothing from its repository at run time (schemas, suites, notebooks, sample ship inside).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$repo/.venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/reportkit-*.whl
cd "$work"
"$work/venv/bin/reportkit" --version
"$work/venv/bin/reportkit" codes outcome >/dev/null
"$work/venv/bin/reportkit" demo --out "$work/outputs" 2>"$work/demo.log" || { tail -20 "$work/demo.log"; exit 1; }
for folder in sample-group/2025-12-31 200001/2025-12-31 300001/2025-12-31; do
    test -f "$work/outputs/$folder/manifest.json" || { echo "wheel demo: no $folder/manifest.json"; exit 1; }
done
for folder in sample-group/mi-2025-01-01--2025-12-31 sample-group/preview-2027-2025-01-01--2025-12-31; do
    test -f "$work/outputs/$folder/html/mi.html" || { echo "wheel demo: no $folder/html/mi.html"; exit 1; }
done
ls "$work/outputs/sample-group/2025-12-31/html"
echo "wheel demo: installed outside the checkout and produced every sample return"
