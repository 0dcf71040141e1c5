"""A replay folder of a Zero net's own games: calibration and held-out positions for compression.

``igo compress quantize --calibration`` (and ``igo.compress.positions``) reads a Zero run's
``replay/`` folder; this plays a short self-play burst of any Zero checkpoint (the shipped one by
default) into ``OUT/replay/gen-000000`` with the self-play code of ``igo zero`` (Dirichlet noise,
the first moves sampled, playout caps off so every position has a policy target), resumable: a
rerun tops the folder up to ``--games``.

    python benchmarks/zero_selfplay.py --out runs/zero-replay --games 300 --visits 32
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig
from igo.selfplay.worker import SelfPlayJob, run_selfplay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=None, help="Zero net (default: the shipped 9x9)")
    parser.add_argument("--out", required=True, help="folder; games go to OUT/replay/gen-000000")
    parser.add_argument("--games", type=int, default=300)
    parser.add_argument("--visits", type=int, default=32, help="simulations of each search")
    parser.add_argument("--parallel", type=int, default=32, help="games at once")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    checkpoint = args.checkpoint or str(
        Path(__file__).parents[1] / "src/igo/weights/zero-9x9.safetensors"
    )
    search = replace(SELFPLAY_SEARCH, num_simulations=args.visits, full_search_prob=1.0)
    config = SelfPlayConfig(
        rules="chinese",
        scoring="estimate",
        komi=7.0,
        parallel_games=args.parallel,
        search=search,
        device="cpu",
    )
    job = SelfPlayJob(
        checkpoint, config, generation=0, network=0, seed=args.seed, resign_threshold=-1.0
    )
    folder = Path(args.out) / "replay" / "gen-000000"
    folder.mkdir(parents=True, exist_ok=True)
    stats = run_selfplay(job, folder, args.games)
    print(f"{stats.games} games, {stats.positions} positions in {stats.seconds:.0f} s -> {folder}")


if __name__ == "__main__":
    main()
