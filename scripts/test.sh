#!/usr/bin/env bash
# Set up, then run every check CI runs: format, lint, types, layer contract, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ruff format --check src tests benchmarks
ruff check src tests benchmarks
mypy
lint-imports
python3 -m pytest -q -n 2 -p no:cacheprovider "$@"
