#!/usr/bin/env bash
# Install everything igo needs on a fresh Debian-like machine: GNU Go (the reference opponent and
# the rules oracle of the tests), a virtual environment in the checkout (.venv), PyTorch's pinned
# CPU build, and igo itself with every extra (train, compress, dev, bench, katrain, serve). Safe to
# rerun: a second run checks and skips what is there. Chromium too, for igo serve's browser tests.
#
# Debian's own python3 refuses pip installs (externally managed), so nothing goes into it: igo
# lives in .venv (use it as .venv/bin/igo, or `source .venv/bin/activate`). Inside a virtual
# environment of your own ($VIRTUAL_ENV), or with IGO_PYTHON=/path/to/python, igo is installed
# there instead (see scripts/common.sh); a torch >= 2.4 already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

TORCH_PIN="torch==2.13.0"  # the CPU build; any other version pulls a multi-GB CUDA build
EXTRAS="train,compress,dev,bench,katrain,serve,distributed"

say() { echo "setup: $*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup: error: need root or sudo to run: $*" >&2
    exit 1
  fi
}

apt_install() {
  say "installing $* (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The checkout's .venv, made with the system's python3 (3.11 or newer). Debian splits venv's pip
# bootstrap (ensurepip) into python3.X-venv: without it `python3 -m venv` fails, so install it.
make_venv() {
  local base=python3
  if ! command -v "$base" >/dev/null 2>&1; then
    echo "setup: error: no python3; install Python 3.11 or newer (apt-get install python3)" >&2
    exit 1
  fi
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: error: igo needs Python 3.11 or newer; python3 is $("$base" -V 2>&1)" >&2
    exit 1
  fi
  say "creating .venv with $("$base" -V 2>&1)"
  rm -rf .venv
  if ! "$base" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    apt_install "python$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
    "$base" -m venv .venv
  fi
}

# --- GNU Go ------------------------------------------------------------------------------------
if ! command -v gnugo >/dev/null 2>&1; then
  apt_install gnugo
fi

# --- Chromium, the browser of igo serve's browser tests (tests/serve/test_browser.py) ------------
# Debian's package, driven by Playwright (the dev extra) without Playwright's own browser download.
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; then
    apt_install chromium
  else
    say "skipping Chromium (needs root or sudo): the browser tests will skip"
  fi
fi

# --- the Python environment --------------------------------------------------------------------
PY="$(igo_python)"
if [ -z "${IGO_PYTHON:-}${VIRTUAL_ENV:-}" ] && ! "$PY" -c 'import pip' 2>/dev/null; then
  make_venv  # none yet, or a broken one (a venv left without pip by a failed `python3 -m venv`)
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: error: $PY is not a working Python 3.11 or newer" >&2
  exit 1
fi
if ! "$PY" -c 'import pip' 2>/dev/null; then  # environments made by uv come without pip
  "$PY" -m ensurepip -q >/dev/null || {
    echo "setup: error: $PY has no pip and ensurepip cannot add it" >&2
    exit 1
  }
fi

# --- igo and its dependencies ------------------------------------------------------------------
# A stamp in the virtual environment records what was installed: the same pyproject.toml,
# checkout and extras again (and igo and torch still there) means nothing to do. A Python outside
# a virtual environment gets no stamp (pip checks it each time).
prefix="$("$PY" -c 'import sys; print(sys.prefix)')"
stamp=/dev/null
if "$PY" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
  stamp="$prefix/.igo-setup-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
fi
want="$(sha256sum pyproject.toml | cut -c1-64) $EXTRAS $TORCH_PIN"
# (igo must be this checkout's: one environment may have served another checkout since.)
installed='import importlib.util as u, sys
igo = u.find_spec("igo")
sys.exit(not (igo and str(igo.origin).startswith(sys.argv[1]) and u.find_spec("torch")))'
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && "$PY" -c "$installed" "$PWD/src/"; then
  say "igo is installed in $prefix (nothing to do)"
else
  pip=("$PY" -m pip install -q --disable-pip-version-check)
  # torch first and pinned, so that `torch>=2.4` below is already met by the CPU build.
  if ! "$PY" -c 'import sys, importlib.metadata as m
v = tuple(int(p) for p in m.version("torch").split("+")[0].split(".")[:2])
sys.exit(v < (2, 4))' 2>/dev/null; then
    say "installing $TORCH_PIN into $prefix"
    "${pip[@]}" "$TORCH_PIN"
  fi
  say "installing igo (editable, extras $EXTRAS) into $prefix"
  "${pip[@]}" -e ".[$EXTRAS]"
  printf '%s\n' "$want" >"$stamp"
fi

# --- ahead-of-time compilation -----------------------------------------------------------------
# numba compiles each kernel on first use: minutes for a search player's first move on a new
# install. `igo warmup` compiles every kernel the players, pipelines and benchmarks use now, into
# numba's disk cache (seconds when they are cached already), and prints how long it took.
"$PY" -m igo warmup
