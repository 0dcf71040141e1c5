"""Visits a move at equal time: the ``mcts`` player (the ``zero`` player's search) with each of
several checkpoints, the same seconds a move, on the same real positions, interleaved position by
position so that a shared machine's load hits each alike.

The positions are taken from held-out games of ``sl`` shards (every ``--every``-th move of the
first games, replayed with ``igo.go``); each player searches each position from a fresh tree
(``genmove``'s budget: ``seconds`` only, as ``igo match igo:player=mcts,checkpoint=C,seconds=S``
plays) and the root's visits are recorded. Prints and writes (``--json``) the median and mean
visits a move per checkpoint and their ratio to the first.

    python benchmarks/zero_student_visits.py --data SL_SHARDS --seconds 0.5 \\
        --checkpoint teacher.safetensors --checkpoint student.safetensors --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

import torch

from igo.agents.mcts_player import MctsPlayer
from igo.agents.player import create_player
from igo.bench.machine import machine_info
from igo.data.records import iter_games
from igo.files import write_text_atomic
from igo.go.coords import Color
from igo.go.state import GameState


def positions(data: str, count: int, every: int) -> list[GameState]:
    """``count`` positions: every ``every``-th move (from move ``every``) of held-out games."""
    states: list[GameState] = []
    for game in iter_games(data, "heldout"):
        state = GameState.new(game.size)
        for ply, (move, color) in enumerate(
            zip(game.arrays["move"], game.arrays["to_play"], strict=True)
        ):
            if ply and ply % every == 0:
                states.append(state.copy())
                if len(states) == count:
                    return states
            state.play(int(move), Color(int(color)))
    return states


def visits_of(player: MctsPlayer, state: GameState) -> int:
    """The root's visits after one genmove-budget search of ``state`` from a fresh tree."""
    session = player.start_genmove(state, None)
    session.run()
    assert session.result is not None
    return int(session.result.visit_counts.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="sl shards with a held-out split")
    parser.add_argument("--checkpoint", action="append", required=True, help="repeat")
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--positions", type=int, default=30)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    states = positions(args.data, args.positions, args.every)
    players = {
        path: create_player("mcts", checkpoint=path, seconds=args.seconds, seed=1)
        for path in args.checkpoint
    }
    counts: dict[str, list[int]] = {path: [] for path in players}
    for state in states:
        for path, player in players.items():
            player.reset(state)
            counts[path].append(visits_of(player, state))  # type: ignore[arg-type]
    first = statistics.median(counts[args.checkpoint[0]])
    result: dict[str, Any] = {"machine": machine_info(), "seconds": args.seconds,
                              "positions": len(states), "nets": {}}  # fmt: skip
    for path, seen in counts.items():
        median = statistics.median(seen)
        result["nets"][Path(path).name] = {
            "median": median, "mean": statistics.fmean(seen), "ratio": median / first,
            "visits": seen,
        }  # fmt: skip
        print(f"{Path(path).name}: median {median:.0f} visits, mean "
              f"{statistics.fmean(seen):.1f}, {median / first:.2f}x the first")  # fmt: skip
    if args.json:
        write_text_atomic(Path(args.json), json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
