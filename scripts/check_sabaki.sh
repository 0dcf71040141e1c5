#!/usr/bin/env bash
# Does Sabaki open igo review's SGF? Sabaki reads files with its own parser, @sabaki/sgf (npm);
# this installs it into a temporary folder and parses each reviewed SGF given, printing what
# Sabaki would see: nodes, main-line length, comments, variations, move marks.
#   bash scripts/check_sabaki.sh runs/review/game.reviewed.sgf [...]
# Needs node and npm (Debian: apt-get install nodejs npm) and the npm registry.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bash scripts/check_sabaki.sh FILE.sgf [...]" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "check_sabaki: error: needs node and npm" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm install --silent --prefix "$work" @sabaki/sgf@3 >/dev/null
for file in "$@"; do
  printf '%s: ' "$file"
  NODE_PATH="$work/node_modules" node "$here/sabaki_parse.js" "$file"
done
