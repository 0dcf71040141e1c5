#!/usr/bin/env bash
# Set up, then run every check CI runs: format, lint, types, layer contract, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# numba caches compiled callers with the callee's code inside: after an edit to the rules kernels a
# stale cache elsewhere would run old code, so every test run compiles afresh.
find src -name '*.nbi' -delete -o -name '*.nbc' -delete
ruff format --check src tests benchmarks
ruff check src tests benchmarks
mypy
lint-imports
python3 -m pytest -q -n 2 -p no:cacheprovider "$@"
