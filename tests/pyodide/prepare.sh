#!/usr/bin/env bash
# Fetch what the Pyodide check needs (network): npm pyodide@0.27.7 and the pure-Python wheels
# of tests/pyodide/requirements.txt, into .cache/pyodide. The check itself runs offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.cache/pyodide
mkdir -p "$cache/wheels"
if [ ! -f "$cache/node_modules/pyodide/pyodide.mjs" ]; then
  npm install --prefix "$cache" --no-audit --no-fund --silent pyodide@0.27.7
fi
.venv/bin/python -m pip download -q --no-deps --only-binary=:all: --platform any --python-version 3.12 \
  --implementation py -d "$cache/wheels" -r tests/pyodide/requirements.txt
