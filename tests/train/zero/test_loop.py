"""The Zero loop end to end on 5x5: it learns, and a kill at any point loses and repeats nothing."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.agents.random_player import RandomPlayer
from igo.data.shards import read_manifest
from igo.go.coords import Color
from igo.nn.checkpoint import load_checkpoint
from igo.run_dir import ZeroRunDir
from igo.search.config import SearchConfig
from igo.search.mcts import MultiSearch
from igo.selfplay.game import final_result
from igo.train.trainer import load_trainer
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.loop_state import load_state

HANG_GUARD_S = 900.0
"""A hang guard, not a speed claim: generous, as a fresh process on a loaded machine compiles
kernels before its first game."""


class Killed(Exception):
    """Stands for the process being killed at a hook point."""


# The tiny preset cut down further: two generations of eight games, for the resume tests.
SMOKE = {
    "generations": 2,
    "checkpoint_every": 10,
    "selfplay.games_per_generation": 8,
    "selfplay.parallel_games": 8,
    "selfplay.search.num_simulations": 8,
    "train.steps_per_generation": 20,
    "gate.num_games": 4,
    "gate.parallel_games": 4,
    "gate.search.num_simulations": 8,
}


def tiny(tmp_path: Path, name: str = "run", smoke: bool = True) -> ZeroConfig:
    overrides = {"run_dir": str(tmp_path / name), **(SMOKE if smoke else {})}
    return ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)


def kill_at(event: str, count: int):  # type: ignore[no-untyped-def]
    seen = [0]

    def hook(name: str) -> None:
        if name == event:
            seen[0] += 1
            if seen[0] == count:
                raise Killed(f"{event} #{count}")

    return hook


def check_complete(config: ZeroConfig) -> None:
    """Everything a finished run must hold, each thing exactly once."""
    run = ZeroRunDir(config.run_dir)
    state = load_state(run.state_path)
    assert state is not None
    total = config.total_steps
    assert (state.generation, state.phase, state.train_steps) == (
        config.generations,
        "selfplay",
        total,
    )
    for g in range(config.generations):
        names = sorted(i.name for i in read_manifest(run.replay_dir(g)))
        want = [f"game-{i:06d}.npz" for i in range(config.selfplay.games_per_generation)]
        assert names == want
        assert sorted(p.name for p in run.replay_dir(g).glob("*.npz")) == want
        assert not list(run.replay_dir(g).glob("*.tmp"))
    with (run.logs / "train.csv").open() as handle:
        steps = [int(row["step"]) for row in csv.DictReader(handle)]
    assert steps == list(range(1, total + 1))
    with (run.logs / "generations.csv").open() as handle:
        gens = [int(row["generation"]) for row in csv.DictReader(handle)]
    assert gens == list(range(config.generations))
    lines = run.gating_path.read_text().splitlines()
    assert [json.loads(line)["candidate"] for line in lines] == list(
        range(1, config.generations + 1)
    )
    assert [h["generation"] for h in state.history] == list(range(config.generations))
    trainer = load_trainer(run.checkpoint_path(total), config.train, torch.device("cpu"))
    assert trainer.step == total
    best = json.loads(run.best_path.with_suffix(".json").read_text())
    assert best["extra"]["generation"] == state.best_generation


def play_random(net_path: Path, games: int, visits: int) -> float:
    """The net's score with search against the random player, colours alternating; the net's
    moves of all games are searched together (one MultiSearch)."""
    evaluator = ZeroNetEvaluator(load_checkpoint(net_path), device="cpu", symmetry="none")
    config = ZERO_CONFIGS.load_preset("tiny").selfplay
    search_config = SearchConfig(
        num_simulations=visits, dirichlet_epsilon=0.0, temperature_moves=0, leaves_per_batch=4
    )
    search = MultiSearch(evaluator, search_config, games, rng=0)
    states = [config.new_game() for _ in range(games)]
    colors = [Color.BLACK if i % 2 == 0 else Color.WHITE for i in range(games)]
    randoms = [RandomPlayer(seed=i) for i in range(games)]
    while not all(s.is_over() for s in states):
        for i, state in enumerate(states):
            if not state.is_over() and state.to_play != colors[i]:
                state.play(int(randoms[i].genmove(state, None)))  # type: ignore[arg-type]
        turn = [i for i, s in enumerate(states) if not s.is_over() and s.to_play == colors[i]]
        if turn:
            results = search.search([states[i] for i in turn], trees=turn)
            for i, result in zip(turn, results, strict=True):
                states[i].play(result.move)
    wins = [
        final_result(s, "tromp-taylor").winner == c for s, c in zip(states, colors, strict=True)
    ]
    return float(np.mean(wins))


def test_tiny_loop_learns_and_beats_random(tmp_path: Path) -> None:
    """The tiny preset (5x5, a 2x16 net, three generations of 128 games): the network trained
    last, searching 128 visits, beats the random player in at least 6 of 8 games (the random
    initial network manages about half)."""
    config = tiny(tmp_path, smoke=False)
    state = run_zero(config, progress=False)
    check_complete(config)
    assert all(h["selfplay.games"] == 128 for h in state.history)
    with (ZeroRunDir(config.run_dir).logs / "train.csv").open() as handle:
        losses = [float(row["loss"]) for row in csv.DictReader(handle)]
    assert np.mean(losses[-20:]) < np.mean(losses[:20])
    latest = ZeroRunDir(config.run_dir).model_path(config.generations)
    load_checkpoint(ZeroRunDir(config.run_dir).best_path)  # the best is loadable too
    assert play_random(latest, games=8, visits=128) >= 6 / 8


@pytest.mark.parametrize(
    ("event", "count"),
    [("game", 3), ("phase", 1), ("train_step", 5), ("checkpoint", 3), ("game", 12), ("phase", 6)],
)
def test_killed_anywhere_resumes_without_loss_or_repeat(
    tmp_path: Path, event: str, count: int
) -> None:
    config = tiny(tmp_path)
    with pytest.raises(Killed):
        run_zero(config, progress=False, hook=kill_at(event, count))
    run_zero(config, progress=False)
    check_complete(config)


def test_resumed_training_is_the_uninterrupted_training(tmp_path: Path) -> None:
    """Killed at step 15 (checkpoint at 10), the run redoes steps 11-15 from the checkpoint with
    the same minibatches, so its networks equal those of a run never killed."""
    whole, killed = tiny(tmp_path, "whole"), tiny(tmp_path, "killed")
    run_zero(whole, progress=False)
    with pytest.raises(Killed):
        run_zero(killed, progress=False, hook=kill_at("train_step", 15))
    run_zero(killed, progress=False)
    check_complete(killed)
    for g in range(1, whole.generations + 1):
        a = load_checkpoint(ZeroRunDir(whole.run_dir).model_path(g)).state_dict()
        b = load_checkpoint(ZeroRunDir(killed.run_dir).model_path(g)).state_dict()
        for key in a:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def _smoke_preset(tmp_path: Path) -> Path:
    """The tiny preset with the SMOKE values, as a TOML file (``--preset PATH``)."""
    path = tmp_path / "smoke.toml"
    path.write_text(
        ZERO_CONFIGS.to_toml(ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), SMOKE))
    )
    return path


def _games_listed(run_dir: Path, generation: int) -> int:
    try:
        return len(read_manifest(ZeroRunDir(run_dir).replay_dir(generation)))
    except ValueError:
        return 0


def _steps_logged(run_dir: Path) -> int:
    path = run_dir / "logs" / "train.csv"
    return max(0, len(path.read_text().splitlines()) - 1) if path.exists() else 0


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_sigkill_at_a_random_moment_then_resume(tmp_path: Path, seed: int) -> None:
    """``python -m igo zero`` killed with SIGKILL at a random moment of its work (after a random
    number of games or training steps, plus a random fraction of a second), then run again."""
    preset, run_dir = _smoke_preset(tmp_path), tmp_path / "run"
    command = [sys.executable, "-m", "igo", "zero", "--preset", str(preset)]
    command += ["--run-dir", str(run_dir), "--no-progress"]
    rng = random.Random(seed)
    games, steps, later = rng.randint(1, 8), rng.randint(1, 40), rng.randint(1, 7)
    moment = rng.choice(
        [
            lambda: _games_listed(run_dir, 0) >= games,
            lambda: _steps_logged(run_dir) >= steps,
            lambda: _games_listed(run_dir, 1) >= later,
        ]
    )
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + HANG_GUARD_S
    while not moment():
        assert proc.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline, "hang guard: the moment never came"
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.2))
    proc.kill()
    proc.wait()
    done = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert done.returncode == 0, done.stderr
    check_complete(
        ZERO_CONFIGS.with_overrides(
            ZERO_CONFIGS.load_preset(str(preset)), {"run_dir": str(run_dir)}
        )
    )
