#!/usr/bin/env bash
# The Zero net in fp32 against its compressed nets at equal time per move, with `igo match`
# (docs/compression.md, "At equal time per move"). Usage:
#   benchmarks/compress_eqtime.sh NETS_DIR OUT_DIR [SECONDS] [GAMES]
# NETS_DIR holds zero-9x9.safetensors (the shipped net, with its .json) and what `igo compress`
# wrote from it: zero-int8.onnx, zero-keep0.625.safetensors, zero-w6.safetensors,
# zero-w4.safetensors (each with its .json). One match at a time, two games at once, komi 7,
# Chinese rules, colours alternating, no seed= in the specs (each game gets its own). Prints each
# match's summary (with each side's mean visits and seconds per move); the games go to
# OUT_DIR/arena.sqlite and OUT_DIR/sgf-NAME/.
set -euo pipefail
nets=$1
out=$2
seconds=${3:-0.5}
games=${4:-100}
mkdir -p "$out"
fp32="igo:player=mcts,checkpoint=$nets/zero-9x9.safetensors,seconds=$seconds,name=fp32"
play() {  # NAME CHECKPOINT [EXTRA OPTIONS]
  echo "== fp32 against $1, $seconds s a move, load $(cut -d' ' -f1 /proc/loadavg)"
  python -m igo match "$fp32" "igo:player=mcts,checkpoint=$nets/$2,seconds=$seconds,name=$1${3:-}" \
    --games "$games" --jobs 2 --komi 7 --rules chinese --quiet \
    --db "$out/arena.sqlite" --sgf-dir "$out/sgf-$1" 2>/dev/null
}
play int8 zero-int8.onnx ",backend=onnx"
play pruned zero-keep0.625.safetensors
play w6 zero-w6.safetensors
play w4 zero-w4.safetensors
