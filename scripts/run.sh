#!/usr/bin/env bash
# Set up, then run igo's main job on its embedded defaults: a real 9x9 game between igo's best
# player (the shipped alphago player, 800 simulations a move) and GNU Go level 10, printed move by
# move; the result is printed and the SGF saved under runs/main/. Runs the Python that setup.sh
# installed igo into (the checkout's .venv unless you chose another: see scripts/common.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/common.sh
"$(igo_python)" -m igo match igo:player=alphago,visits=800,threads=1 gnugo:level=10 --size 9 \
  --games 1 --rules chinese --komi 7 --moves --db runs/main/arena.sqlite
