#!/usr/bin/env bash
# Install everything igo needs on a fresh Debian-like machine: GNU Go (the reference opponent and
# the rules oracle of the tests), PyTorch's pinned CPU build, and igo itself with its dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v gnugo >/dev/null 2>&1 && [ ! -x /usr/games/gnugo ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq gnugo >/dev/null
fi

# torch first and pinned: 2.13.0 is the CPU build; any other version pulls a multi-GB CUDA build.
python3 -m pip install -q --disable-pip-version-check torch==2.13.0
python3 -m pip install -q --disable-pip-version-check -e ".[dev,bench]"
