"""Synchronous against asynchronous data parallelism on the parameter server (docs/distributed.md,
"Asynchronous data parallelism"):

    python benchmarks/bench_parameter_server.py --shards SL_SHARDS --work DIR [--gradients 1200]
        [--workers 1,2,4] [--rounds 1] [--json PATH]

One local Ray cluster for every run (its start-up is not timed). Each run trains the same small SL
policy net from the same seed on the ``sl`` shards with the same number of gradients (each a
minibatch of ``--batch-size`` positions on one worker): async applies each one (``max_staleness``
``--staleness``), sync applies the mean of one per worker, so sync with W workers makes
gradients / W updates of W x batch positions. The server evaluates the held-out positions
(``--eval-positions``) every ``--eval-every`` gradients; its ``heldout.csv`` gives the held-out
loss against the seconds since the first pull. Reported per run: wall seconds of training, the
seconds to reach the target held-out loss (default: the worst run's final loss, which every run
reaches), the final held-out loss and top-1, mean and max staleness, gradients dropped. Torch runs
1 thread per worker; each worker reserves 1 logical CPU (the cluster gets the largest worker
count), whatever the machine's cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import time
from pathlib import Path
from typing import Any

from igo.files import write_text_atomic
from igo.train.alphago.sl_policy_stage import SlConfig
from igo.train.parameter_server import PsConfig, ps_stats_path
from igo.train.parameter_server_ray import connect, drive, ray_module, start


def _run(args: argparse.Namespace, mode: str, workers: int, round_: int) -> dict[str, Any]:
    ray = ray_module()
    folder = Path(args.work) / f"{mode}-w{workers}-r{round_}"
    shutil.rmtree(folder, ignore_errors=True)
    config = SlConfig(
        blocks=args.blocks, channels=args.channels, steps=args.gradients,
        batch_size=args.batch_size, checkpoint_every=args.eval_every,
        eval_positions=args.eval_positions, torch_threads=1, learning_rate=args.lr,
    )  # fmt: skip
    ps = PsConfig(mode=mode, workers=workers, max_staleness=args.staleness)
    out = folder / "sl.safetensors"
    server, actors, positions = start(args.shards, out, config, ps, folder / "logs")
    ray.get([a.positions.remote() for a in actors])
    ray.get(server.done.remote())  # every actor up before the clock starts
    began = time.perf_counter()
    drive(server, actors, ps)
    wall = time.perf_counter() - began
    report = ray.get(server.finish.remote(positions))
    for actor in [server, *actors]:
        ray.kill(actor)
    with (folder / "logs" / "heldout.csv").open(encoding="utf-8") as handle:
        curve = [
            (float(r["seconds"]), float(r["loss"]), int(r["step"])) for r in csv.DictReader(handle)
        ]
    stats = json.loads(ps_stats_path(out).read_text(encoding="utf-8"))
    return {
        "mode": mode, "workers": workers, "round": round_, "wall_s": wall,
        "heldout_loss": report["loss"], "top1": report["top1"], "curve": curve,
        "staleness_mean": stats["staleness_mean"], "staleness_max": stats["staleness_max"],
        "dropped": stats["dropped"], "applied": stats["applied"],
        "staleness_histogram": stats["staleness_histogram"],
    }  # fmt: skip


def _time_to(curve: list[tuple[float, float, int]], target: float) -> float | None:
    return next((seconds for seconds, loss, _ in curve if loss <= target), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", required=True)
    parser.add_argument("--work", required=True, help="a scratch folder for the runs")
    parser.add_argument("--gradients", type=int, default=1200)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--staleness", type=int, default=16)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--eval-positions", type=int, default=1000)
    parser.add_argument("--target", type=float, default=None)
    parser.add_argument("--json")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    connect(PsConfig(workers=max(counts)))
    runs = []
    for round_ in range(args.rounds):
        for workers in counts:
            for mode in ("sync", "async"):
                runs.append(_run(args, mode, workers, round_))
                r = runs[-1]
                print(
                    f"{mode:5} W={workers} round {round_}: {r['wall_s']:.1f} s, held-out loss "
                    f"{r['heldout_loss']:.3f}, top-1 {r['top1']:.3f}, staleness mean "
                    f"{r['staleness_mean']:.2f} max {r['staleness_max']}, dropped {r['dropped']}",
                    flush=True,
                )
    worst = max(r["curve"][-1][1] for r in runs)  # the logged figures, as the curves hold them
    target = args.target if args.target is not None else worst
    print(f"target held-out loss {target:.3f}")
    for r in runs:
        r["time_to_target_s"] = _time_to(r["curve"], target)
        print(
            f"{r['mode']:5} W={r['workers']} round {r['round']}: "
            f"{r['time_to_target_s']} s to target"
        )
    if args.json:
        settings = {k: v for k, v in vars(args).items() if k not in ("json", "shards", "work")}
        write_text_atomic(
            args.json,
            json.dumps({"settings": settings, "target": target, "runs": runs}, indent=1) + "\n",
        )


if __name__ == "__main__":
    main()
