#!/usr/bin/env bash
# The SL stage on 1 process (1 and 2 torch threads) and on 2 processes under torchrun, each
# REPS times, alternating (docs/distributed.md, "Measured"). Usage:
#   benchmarks/distributed_sl.sh RUN_DIR [REPS]
# RUN_DIR: an `igo alphago --preset tiny --until shards` run folder (copied, never changed).
# Prints each run's stage line and the last row of its logs/sl/train.csv (step, loss, lr,
# samples/s).
set -euo pipefail
base=$1
reps=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S="--set sl.blocks=6 --set sl.channels=64 --set sl.steps=60 --set sl.batch_size=128 --set sl.checkpoint_every=60"
for rep in $(seq "$reps"); do
  for mode in one1 one2 two; do
    d=$work/$mode-$rep
    cp -r "$base" "$d"
    rm -f "$d/config.json" "$d/sl-policy".*
    echo "== $mode run $rep, load $(cut -d' ' -f1 /proc/loadavg)"
    case $mode in
      one1) python -m igo alphago --preset tiny --run-dir "$d" --stages sl --no-progress $S --set sl.torch_threads=1 2>&1 | grep "sl: done" ;;
      one2) python -m igo alphago --preset tiny --run-dir "$d" --stages sl --no-progress $S --set sl.torch_threads=2 2>&1 | grep "sl: done" ;;
      two) torchrun --nproc_per_node 2 -m igo alphago --preset tiny --run-dir "$d" --stages sl --no-progress $S --set sl.torch_threads=1 2>&1 | grep "sl: done" ;;
    esac
    tail -1 "$d/logs/sl/train.csv"
  done
done
