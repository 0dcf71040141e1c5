"""Self-play positions per hour on Ray actors against the number of actors (docs/distributed.md,
"Self-play on a Ray cluster"):

    python benchmarks/ray_selfplay.py [--preset 9x9] [--visits 32] [--games 16] [--rounds 2]

A local Ray cluster of ``--cpus`` CPUs (``ray.init``); the preset's network with random weights
(speed does not depend on them) is published once, as ``igo zero --ray`` does. Each round times
1, then 2 actors (``--actors``) playing ``--games`` games each with the preset's self-play
settings at ``--visits`` simulations, torch at 1 thread per actor, every game streamed back to
this process as in a run (no learner training here, so the rows measure the actors alone). An
untimed warm-up game per actor first (the actors load the net and compile the search). The
figure is positions per hour (searched moves of the finished games over the wall time), with the
per-actor rate beside it, and positions per CPU-hour of the actors (their processes' CPU time,
``time.process_time``: unlike wall time it hardly depends on other users' load, so it is the
rate one actor has on a core of its own); ``--json PATH`` writes the raw rows.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from igo.files import write_text_atomic
from igo.nn.checkpoint import save_checkpoint
from igo.selfplay.worker import SelfPlayJob
from igo.train.zero.loop_config import ZERO_CONFIGS
from igo.train.zero.ray_selfplay import ActorPool, import_ray


def _row(ray: object, actors: int, job: SelfPlayJob, games: int, net: Path) -> dict[str, float]:
    pool = ActorPool(ray, actors, torch_threads=1)  # type: ignore[arg-type]
    try:
        pool.publish(net, 0)
        for _ in pool.games(job, actors, seed=1):  # warm-up: one game per actor
            pass
        cpu = _cpu(ray, pool)
        start, positions = time.perf_counter(), 0
        for _, game in pool.games(job, games * actors, seed=2):
            positions += game.num_positions
        seconds = time.perf_counter() - start
        cpu = _cpu(ray, pool) - cpu
    finally:
        pool.close()
    rate = positions * 3600 / seconds
    return {
        "actors": actors,
        "games": games * actors,
        "positions": positions,
        "seconds": round(seconds, 1),
        "actor_cpu_seconds": round(cpu, 1),
        "positions_per_hour": round(rate),
        "per_actor": round(rate / actors),
        "per_actor_cpu_hour": round(positions * 3600 / cpu),
    }


def _cpu(ray: Any, pool: ActorPool) -> float:
    """CPU seconds the pool's actors have used so far, all together."""
    return float(sum(ray.get([actor.cpu_seconds.remote() for actor in pool.actors])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="9x9")
    parser.add_argument("--visits", type=int, default=32)
    parser.add_argument("--games", type=int, default=16, help="timed games per actor")
    parser.add_argument("--parallel-games", type=int, default=16, help="games at once per actor")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--json", help="write the raw rows here")
    args = parser.parse_args()
    overrides = {
        "selfplay.search.num_simulations": args.visits,
        "selfplay.parallel_games": args.parallel_games,
        "selfplay.torch_threads": 1,
        "selfplay.device": "cpu",
    }
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset(args.preset), overrides)
    torch.manual_seed(0)
    folder = Path(tempfile.mkdtemp(prefix="igo-ray-bench-"))
    net = folder / "net.safetensors"
    save_checkpoint(config.build_net(), net)
    job = SelfPlayJob("", config.selfplay, 0, 0, 0, config.selfplay.resign_threshold)
    ray = import_ray("benchmarks/ray_selfplay.py")
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    rows = []
    try:
        for round_ in range(args.rounds):
            for actors in args.actors:
                row = {"round": round_, **_row(ray, actors, job, args.games, net)}
                print(json.dumps(row), flush=True)
                rows.append(row)
    finally:
        ray.shutdown()
    print(f"{'actors':>6} {'positions/h':>12} {'per actor':>10} {'per CPU-hour':>13}  (round, s)")
    for row in rows:
        print(
            f"{row['actors']:>6} {row['positions_per_hour']:>12,} {row['per_actor']:>10,}"
            f" {row['per_actor_cpu_hour']:>13,}  ({row['round']}, {row['seconds']} s)"
        )
    if args.json:
        meta = {
            "preset": args.preset,
            "visits": args.visits,
            "parallel_games": args.parallel_games,
            "cpus": args.cpus,
            "machine_cpus": os.cpu_count(),
            "torch": torch.__version__,
            "date": time.strftime("%Y-%m-%d"),
        }
        write_text_atomic(args.json, json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
