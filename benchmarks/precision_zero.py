"""Self-play positions/s and training steps/s of the Zero loop at fp32 and bf16, in one run.

``python benchmarks/precision_zero.py [--out FILE]`` plays the same 9x9 self-play games
(``resnet_b6c64`` at random weights, the 9x9 preset's self-play with ``--visits`` full searches,
one torch thread, one process) once at each precision, then times ``--steps`` training steps of
batch 256 on those games at each precision (autocast of the forward pass and loss, fp32 weights:
``train.precision``). The rows alternate fp32, bf16, fp32 so a drift of the machine's load shows.
The result, with the CPU's flags, goes to ``--out`` (JSON) and stdout. Recorded in
docs/compression.md ("bf16 in the Zero loop") and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from igo.bench.machine import machine_info
from igo.data.replay_buffer import ReplayBuffer
from igo.files import write_text_atomic
from igo.nn.checkpoint import save_checkpoint
from igo.selfplay.worker import SelfPlayJob, run_selfplay
from igo.train.trainer import Trainer, make_optimizer
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.training_step import train_steps


def selfplay_rate(config: ZeroConfig, net_path: Path, root: Path, games: int) -> dict[str, Any]:
    """Plays ``games`` games into ``root/gen-000000`` and returns their positions per second."""
    job = SelfPlayJob(str(net_path), config.selfplay, 0, 0, 0, -2.0, True)
    stats = run_selfplay(job, root / "gen-000000", games, progress=False)
    return {"positions": stats.positions, "seconds": stats.seconds}


def training_rate(config: ZeroConfig, buffer: ReplayBuffer, steps: int) -> dict[str, Any]:
    torch.manual_seed(0)
    net = config.build_net()
    trainer = Trainer(net, make_optimizer(net, config.train), np.random.default_rng(0), 0)
    device = torch.device("cpu")
    train_steps(trainer, buffer, config.train, num_steps=1, total_steps=steps + 1, device=device)
    start = time.perf_counter()
    train_steps(
        trainer, buffer, config.train, num_steps=steps, total_steps=steps + 1, device=device
    )
    return {"steps": steps, "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=16, help="self-play games per row")
    parser.add_argument("--visits", type=int, default=16, help="simulations per move")
    parser.add_argument("--steps", type=int, default=4, help="training steps per row")
    parser.add_argument("--out", type=Path, help="JSON result file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = ZERO_CONFIGS.load_preset("9x9")
        net_path = root / "net.safetensors"
        torch.manual_seed(0)
        save_checkpoint(base.build_net(), net_path)
        for i, choice in enumerate(("fp32", "bf16", "fp32")):
            config = ZERO_CONFIGS.with_overrides(
                base,
                {
                    "selfplay.precision": choice,
                    "train.precision": choice,
                    "selfplay.parallel_games": args.games,
                    "selfplay.search.num_simulations": args.visits,
                    "selfplay.search.full_search_prob": 1.0,
                    "selfplay.resign_disabled_fraction": 1.0,
                    "selfplay.device": "cpu",
                },
            )
            played = selfplay_rate(config, net_path, root / f"row{i}", args.games)
            buffer = ReplayBuffer(root / f"row{i}", 9, config.history)
            buffer.refresh(args.games)
            trained = training_rate(config, buffer, args.steps)
            row = {
                "precision": choice,
                "selfplay_positions_per_s": played["positions"] / played["seconds"],
                "train_steps_per_s": trained["steps"] / trained["seconds"],
                "train_samples_per_s": trained["steps"] * 256 / trained["seconds"],
                **{f"selfplay_{k}": v for k, v in played.items()},
                **{f"train_{k}": v for k, v in trained.items()},
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    result = {
        "machine": machine_info(),
        "args": vars(args) | {"out": args.out and args.out.name},
        "rows": rows,
    }
    if args.out is not None:
        write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
