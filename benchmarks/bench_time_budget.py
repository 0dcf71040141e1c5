"""How far a timed move overruns its budget: a player (``zero`` by default, or ``mcts``, the
search without a network) at ``--seconds S`` per move.

``python benchmarks/bench_time_budget.py [--player zero] [--size 9] [--seconds 0.5] [--moves 30]
[--label after]`` plays
``--moves`` moves of one game from the empty board (the player against itself, its tree kept
between moves as in a match), one torch thread, and prints one JSON line: the wall seconds of
each ``genmove``, their median and max, the visits a move got and the visits a second. It uses
only the player API, so the same file measures another checkout (``PYTHONPATH=<other>/src``):
docs/benchmarks.md
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


def timed_moves(
    seconds: float, moves: int, seed: int = 0, name: str = "zero", size: int = 9
) -> dict[str, object]:
    """``moves`` moves of player ``name`` at ``seconds`` a move: wall seconds and visits of
    each."""
    options: dict[str, object] = {"device": "cpu"} if name == "zero" else {}
    player = create_player(name, seconds=seconds, seed=seed, **options)
    state = GameState.new(size, PRESETS["chinese"])
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
    counted = [v for v in visits if v is not None]
    return {
        "player": name,
        "size": size,
        "budget_s": seconds,
        "moves": len(walls),
        "move_s": [round(s, 3) for s in walls],
        "move_s_median": round(statistics.median(walls), 3),
        "move_s_max": round(max(walls), 3),
        "visits_median": statistics.median(counted),
        "visits_per_s": round(sum(counted) / sum(walls), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--label", default="")
    parser.add_argument("--player", default="zero", help="zero, or mcts (no network)")
    parser.add_argument("--size", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = timed_moves(args.seconds, args.moves, name=args.player, size=args.size)
    load = open("/proc/loadavg").read().split()[0] if platform.system() == "Linux" else None
    print(json.dumps({"label": args.label, "load_average_1m": load, **result}))


if __name__ == "__main__":
    main()
