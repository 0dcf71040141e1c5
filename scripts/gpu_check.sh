#!/usr/bin/env bash
# The GPU check (issue 15, docs/distributed.md "The GPU check"): on a machine with a CUDA GPU,
# in under 8 minutes on one GPU,
#   1. the CUDA tests (pytest -m gpu; they skip themselves without CUDA),
#   2. `igo bench nets --device cuda` (every family's standard net, eager and igo's path),
#   3. a short self-play burst on the GPU (`igo zero --preset tiny`, one 128-game generation:
#      its line gives positions/hour), then its training and gate,
#   4. a one-GPU DDP step: the same run's next generation under `torchrun --nproc_per_node 1`
#      (NCCL, the net under DistributedDataParallel with SyncBatchNorm).
# Where torch sees no GPU it prints one line and exits 0. Usage: scripts/gpu_check.sh [OUT_DIR]
# (OUT_DIR keeps the bench JSON and the run; default: a temporary folder, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
PY="$(igo_python)"

# A Python without torch is an error (run scripts/setup.sh); a torch without a GPU is a skip.
cuda=$("$PY" -c "import torch; print(int(torch.cuda.is_available()))") || {
  echo "gpu_check: error: $PY cannot import torch: run scripts/setup.sh first" >&2
  exit 1
}
if [ "$cuda" != 1 ]; then
  echo "gpu_check: skipped: torch sees no CUDA GPU on this machine"
  exit 0
fi

if [ $# -ge 1 ]; then
  out=$1
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
start=$SECONDS
say() { echo "gpu_check: [$((SECONDS - start)) s] $*"; }

say "$("$PY" -c "import torch; print(torch.cuda.get_device_name(0), 'torch', torch.__version__)")"

say "1/4 the CUDA tests"
"$PY" -m pytest -q -p no:cacheprovider -m gpu tests

say "2/4 igo bench nets --device cuda"
"$PY" -m igo bench nets --device cuda --out "$out/nets-gpu.json" >/dev/null
"$PY" - "$out/nets-gpu.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
print(f"matmul peak {data['matmul_peak']['gflops']:.0f} GFLOP/s")
for row in data["results"]:
    if row["batch_size"] in (1, 256):
        print(f"{row['name']:<24} {row['board_size']:>2}x{row['board_size']:<2} {row['path']:<6}"
              f" batch {row['batch_size']:>3}: {row['positions_per_s']:>9.0f} positions/s")
EOF

say "3/4 self-play burst on the GPU (one generation of the tiny preset)"
"$PY" -m igo zero --preset tiny --device cuda --run-dir "$out/zero" --generations 1 \
  --games-per-generation 128 --no-progress

say "4/4 one-GPU DDP step (torchrun --nproc_per_node 1, NCCL)"
"$PY" -m torch.distributed.run --nproc_per_node 1 --master_port 29517 -m igo zero \
  --preset tiny --device cuda --run-dir "$out/zero" --generations 2 --no-progress

say "done (positions/h: the 'igo zero: generation' lines above; bench JSON: $out/nets-gpu.json)"
