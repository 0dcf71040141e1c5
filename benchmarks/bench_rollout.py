"""Rollout-policy speed: microseconds a move of compiled policy rollouts, against uniform ones.

AlphaGo's rollout policy took about 2 microseconds a move (Silver et al. 2016, Methods). Two ways:

- ``pytest benchmarks/bench_rollout.py`` times one rollout from the empty board (policy and
  uniform, 9x9 and 19x19) under pytest-benchmark; ``--benchmark-disable`` runs each once.
- ``python benchmarks/bench_rollout.py [--policy FILE] [--seconds S]`` prints JSON: for each size,
  moves a game, and microseconds a move as the mean over all games, the median game and the best
  game, for the policy and for ``igo.go.playout.run_playout`` in alternating rounds (on a shared
  machine the best game is the closest to an idle core; the load average is recorded).

Without ``--policy`` the policy is synthetic: every 3x3 and response pattern of a few hundred
random positions, with random weights (a vocabulary of the paper's order, tens of thousands).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from igo.go.board import geometry, new_board
from igo.go.playout import new_rng, run_playout
from igo.search.rollout.patterns import NUM_FIXED, TAG_SHIFT, pattern_geometry
from igo.search.rollout.playout import policy_playout
from igo.search.rollout.policy import RolloutPolicy, candidate_features

Benchmark = Callable[..., Any]
SIZES = (9, 19)


def synthetic_policy(seed: int = 0, positions: int = 300) -> RolloutPolicy:
    """Random weights on the patterns of random 9x9 and 19x19 positions."""
    rng = np.random.default_rng(seed)
    keys = []
    for i in range(positions):
        size = SIZES[i % 2]
        g = geometry(size)
        s = new_board(size)
        run_playout(
            s, g.neighbours, g.diagonals, g.zobrist, 1, int(rng.integers(size * size)), new_rng(i)
        )
        last = int(rng.integers(size * size))
        last = last if s[last] != 0 else -1
        keys.append(candidate_features(s, 1 + i % 3 // 2, last, -1, None, False)[1].ravel())
    flat = np.concatenate(keys)
    vocab = np.unique(flat[flat >= 1 << TAG_SHIFT])
    return RolloutPolicy("rollout", vocab, rng.normal(0.0, 1.0, NUM_FIXED + vocab.shape[0]))


def _game_fn(size: int, policy: RolloutPolicy | None) -> Callable[[np.ndarray], int]:
    pg = pattern_geometry(size)
    g = geometry(size)
    cap = 3 * size * size
    if policy is None:
        return lambda rng: int(
            run_playout(new_board(size), g.neighbours, g.diagonals, g.zobrist, 1, cap, rng)
        )
    tables = policy.tables()
    return lambda rng: int(
        policy_playout(
            new_board(size), pg.neighbours, pg.diamond, pg.zobrist, tables, 1, -1, cap, rng
        )
    )


def _time_games(
    game: Callable[[np.ndarray], int], seconds: float, rng: np.ndarray
) -> list[tuple[int, float]]:
    out = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        moves = game(rng)
        out.append((moves, time.perf_counter() - t0))
    return out


def _summary(games: list[tuple[int, float]]) -> dict[str, float]:
    moves = np.array([m for m, _ in games], dtype=float)
    times = np.array([t for _, t in games])
    per_move = times / np.maximum(moves, 1) * 1e6
    return {
        "games": len(games),
        "moves_per_game": float(moves.mean()),
        "us_per_move_mean": float(times.sum() / moves.sum() * 1e6),
        "us_per_move_median_game": float(np.median(per_move)),
        "us_per_move_best_game": float(per_move.min()),
    }


def run_rollout_bench(
    policy: RolloutPolicy, seconds: float = 3.0, rounds: int = 3
) -> dict[str, Any]:
    """Policy and uniform rollouts from the empty board, in alternating rounds per size."""
    result: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cores": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "vocabulary": int(policy.vocabulary.shape[0]),
    }
    rng = new_rng(1)
    for size in SIZES:
        fns = {"policy": _game_fn(size, policy), "uniform": _game_fn(size, None)}
        timings: dict[str, list[tuple[int, float]]] = {name: [] for name in fns}
        for fn in fns.values():
            fn(rng)  # compile outside the timing
        for _ in range(rounds):
            for name, fn in fns.items():
                timings[name] += _time_games(fn, seconds / rounds, rng)
        result[f"{size}x{size}"] = {name: _summary(t) for name, t in timings.items()}
    result["machine"]["load_average_after"] = os.getloadavg()
    return result


@pytest.fixture(scope="module", name="policy")
def policy_fixture() -> RolloutPolicy:
    return synthetic_policy(positions=60)


@pytest.mark.parametrize("size", SIZES)
def test_policy_rollout(benchmark: Benchmark, policy: RolloutPolicy, size: int) -> None:
    game, rng = _game_fn(size, policy), new_rng(2)
    game(rng)
    assert benchmark(game, rng) > 0


@pytest.mark.parametrize("size", SIZES)
def test_uniform_rollout(benchmark: Benchmark, size: int) -> None:
    game, rng = _game_fn(size, None), new_rng(2)
    game(rng)
    assert benchmark(game, rng) > 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", default=None, help="a policy file (default: synthetic)")
    parser.add_argument("--seconds", type=float, default=6.0, help="per size and kind")
    args = parser.parse_args()
    chosen = synthetic_policy() if args.policy is None else RolloutPolicy.load(args.policy)
    print(json.dumps(run_rollout_bench(chosen, args.seconds), indent=2))
