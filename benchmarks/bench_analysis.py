"""Analysis engine speed: positions analysed per second, many at once against one at a time.

``python benchmarks/bench_analysis.py [--player zero] [--positions 32] [--visits 64]`` analyses
the turns of one random 9x9 game through ``igo analysis``'s engine twice in the same run: with
``--parallel 16`` (16 trees, their leaves in one network batch) and with ``--parallel 1`` (one
position at a time), and prints both rates as JSON (docs/benchmarks.md). Under pytest it runs
once, tiny, as a correctness check.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

import numpy as np

from igo.agents import create_player
from igo.agents.kata_analysis.engine import AnalysisEngine
from igo.agents.kata_analysis.query import EngineSettings
from igo.agents.player import prepare_player
from igo.go.coords import to_gtp
from igo.go.sensible import sensible_moves
from igo.go.state import GameState


def game_moves(num: int, size: int = 9, seed: int = 0) -> list[list[str]]:
    """``num`` random sensible moves of one game (passes where none is left)."""
    rng = np.random.default_rng(seed)
    state, moves = GameState.new(size), []
    for _ in range(num):
        options = sensible_moves(state)
        move = int(rng.choice(options)) if options.size else state.num_points
        moves.append(["B" if state.to_play == 1 else "W", to_gtp(move, size)])
        state.play(move)
    return moves


def rate(player: Any, parallel: int, positions: int, visits: int) -> dict[str, float]:
    """Positions per second analysing every turn of one game at ``parallel`` at once."""
    settings = EngineSettings(max_visits=visits, parallel=parallel, score_playouts=8)
    engine = AnalysisEngine(player, settings)
    query = {
        "id": "bench",
        "moves": game_moves(positions - 1),
        "rules": "chinese",
        "komi": 7,
        "boardXSize": 9,
        "boardYSize": 9,
        "analyzeTurns": list(range(positions)),
    }
    started = time.perf_counter()
    assert engine.handle(json.dumps(query)) == []
    answers = []
    while engine.scheduler.busy:
        answers += engine.step()
    seconds = time.perf_counter() - started
    assert len(answers) == positions
    return {"parallel": parallel, "seconds": seconds, "positions_per_second": positions / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--player", default="zero")
    parser.add_argument("--positions", type=int, default=32)
    parser.add_argument("--visits", type=int, default=64)
    args = parser.parse_args()
    player = create_player(args.player, seed=0)
    prepare_player(player)
    rate(player, 16, 4, 16)  # warm up
    rows = [rate(player, p, args.positions, args.visits) for p in (16, 1)]
    print(json.dumps({"player": args.player, "machine": platform.processor(), "rows": rows}))


def test_batched_and_one_at_a_time_analyse_every_position() -> None:
    player = create_player("mcts", seed=0)
    for parallel in (4, 1):
        assert rate(player, parallel, 4, 8)["positions_per_second"] > 0


if __name__ == "__main__":
    main()
