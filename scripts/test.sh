#!/usr/bin/env bash
# Set up, then run every check CI runs: format, lint, types, layer contract, and the test suite,
# each with the Python that setup.sh installed igo into (the checkout's .venv unless you chose
# another: see scripts/common.sh). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# numba's cached callers carry their callees' code; igo drops its cached kernels itself whenever a
# kernel source changes (igo.go.jit), so the kernels setup compiled ahead serve the tests too.
bash scripts/setup.sh
source scripts/common.sh
PY="$(igo_python)"
"$PY" -m ruff format --check src tests benchmarks
"$PY" -m ruff check src tests benchmarks
"$PY" -m mypy
"$(igo_scripts_dir)/lint-imports"
"$PY" -m pytest -q -n 2 -p no:cacheprovider "$@"
