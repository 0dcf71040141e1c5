#!/usr/bin/env bash
# Set up, then run every check CI runs: format, lint, types, layer contract, and the test suite,
# each with the Python that setup.sh installed igo into (the checkout's .venv unless you chose
# another: see scripts/common.sh). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# numba caches compiled callers with the callee's code inside: after an edit to the rules kernels a
# stale cache elsewhere would run old code, so every test run compiles afresh (before setup, whose
# warmup step, where there is one, then compiles the current code).
find src -name '*.nbi' -delete -o -name '*.nbc' -delete
bash scripts/setup.sh
source scripts/common.sh
PY="$(igo_python)"
"$PY" -m ruff format --check src tests benchmarks
"$PY" -m ruff check src tests benchmarks
"$PY" -m mypy
"$(igo_scripts_dir)/lint-imports"
"$PY" -m pytest -q -n 2 -p no:cacheprovider "$@"
