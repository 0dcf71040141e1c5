"""How far a timed move overruns its budget: the ``zero`` player at ``--seconds S`` per move.

``python benchmarks/bench_time_budget.py [--seconds 0.5] [--moves 30] [--label after]`` plays
``--moves`` moves of one game from the empty board (the player against itself, its tree kept
between moves as in a match), one torch thread, and prints one JSON line: the wall seconds of
each ``genmove``, their median and max, and the visits a move got. It uses only the player API,
so the same file measures another checkout (``PYTHONPATH=<other>/src``): docs/benchmarks.md
compares the search before and after ``igo.search.timing`` in one run, rounds interleaved.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch

from igo.agents import RESIGN, create_player
from igo.go.rules import PRESETS
from igo.go.state import GameState


def timed_moves(seconds: float, moves: int, seed: int = 0) -> dict[str, object]:
    """``moves`` moves of ``zero`` at ``seconds`` a move: wall seconds and visits of each."""
    player = create_player("zero", seconds=seconds, device="cpu", seed=seed)
    state = GameState.new(9, PRESETS["chinese"])
    player.reset(state.copy())
    player.genmove(state.copy(), None)  # load the net and compile: not thinking time
    player.reset(state.copy())
    walls, visits = [], []
    for _ in range(moves):
        if state.is_over():
            break
        started = time.perf_counter()
        move = player.genmove(state.copy(), None)
        walls.append(time.perf_counter() - started)
        visits.append(getattr(player, "last_visits", None))
        if move is RESIGN:
            break
        player.observe(state.to_play, int(move))
        state.play(int(move))
    return {
        "budget_s": seconds,
        "moves": len(walls),
        "move_s": [round(s, 3) for s in walls],
        "move_s_median": round(statistics.median(walls), 3),
        "move_s_max": round(max(walls), 3),
        "visits_median": statistics.median(v for v in visits if v is not None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = timed_moves(args.seconds, args.moves)
    load = open("/proc/loadavg").read().split()[0] if platform.system() == "Linux" else None
    print(json.dumps({"label": args.label, "load_average_1m": load, **result}))


if __name__ == "__main__":
    main()
