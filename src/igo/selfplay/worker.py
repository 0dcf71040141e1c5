"""Self-play workers: play a generation's games in one or several processes, write each one.

``run_selfplay`` tops a generation's replay folder up to its target: it counts the games the
folder's manifest already lists (a game counts only once listed there, so a killed run resumes
with nothing lost or counted twice), plays the rest and writes each finished game atomically.
With ``num_workers == 1`` the games are played in this process; otherwise each worker process
loads the network, plays its share with :func:`~igo.selfplay.runner.play_selfplay_games` and
sends finished games back through a queue, and this process alone writes them (one writer per
manifest).
"""

from __future__ import annotations

import queue as queue_lib
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.data.shards import read_manifest
from igo.io.processes import spawn_context
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import tune_cpu_malloc
from igo.nn.precision import CHOICES
from igo.nn.threads import torch_threads
from igo.selfplay.record import GameData, write_game
from igo.selfplay.runner import play_selfplay_games
from igo.selfplay.selfplay_config import SelfPlayConfig


@dataclass(frozen=True)
class SelfPlayJob:
    """What a worker needs to play its games (picklable, for worker processes)."""

    net_path: str
    """The network's weights file (``igo.nn`` checkpoint)."""
    config: SelfPlayConfig
    """The self-play settings."""
    generation: int
    """The loop generation the games belong to."""
    network: int
    """The generation of the network."""
    seed: int
    """Seeds this job's games (each worker derives its own)."""
    resign_threshold: float
    """The resignation threshold in force."""
    calibration: bool = False
    """Play every game out to calibrate the threshold (``igo.selfplay.resign``)."""


@dataclass
class SelfPlayStats:
    """What one ``run_selfplay`` call wrote."""

    games: int = 0
    """Games written."""
    positions: int = 0
    """Positions (searched moves) in them."""
    targets: int = 0
    """Positions with a policy target (full searches)."""
    seconds: float = 0.0
    """Wall time."""
    results: list[int] = field(default_factory=list)
    """The winners (1 black, 2 white, 0 none)."""

    def add(self, game: GameData) -> None:
        """Count one written game."""
        self.games += 1
        self.positions += game.num_positions
        self.targets += int(game.full.sum())
        self.results.append(game.winner)


def load_evaluator(job: SelfPlayJob, seed: int) -> ZeroNetEvaluator:
    """The job's network as a batched search evaluator (one random symmetry per batch)."""
    net = load_checkpoint(job.net_path)
    config = job.config
    precision = CHOICES[config.precision]
    return ZeroNetEvaluator(net, config.device, config.eval_batch_size, "random", seed, precision)


def run_selfplay(
    job: SelfPlayJob,
    out_dir: str | Path,
    target_games: int,
    *,
    progress: bool = True,
    on_written: Callable[[GameData], None] | None = None,
) -> SelfPlayStats:
    """Play and write games until ``out_dir``'s manifest lists ``target_games`` of them.

    Args:
        job: the network and settings.
        out_dir: the generation's replay folder.
        target_games: how many games the folder must hold in the end.
        progress: show a progress bar on stderr.
        on_written: called after each game is written (and listed).

    Returns:
        What this call wrote.
    """
    folder = Path(out_dir)
    done = len(read_manifest(folder))
    stats = SelfPlayStats()
    remaining = target_games - done
    if remaining <= 0:
        return stats
    start = time.monotonic()
    # A resumed session must not replay the games of the session it replaces: fold in ``done``.
    seed = int(np.random.SeedSequence([job.seed, job.generation, done]).generate_state(1)[0])
    bar = tqdm(
        total=target_games,
        initial=done,
        desc=f"self-play gen {job.generation}",
        unit="game",
        disable=not progress,
        leave=False,
        dynamic_ncols=True,
    )

    def write(game: GameData) -> None:
        write_game(folder, done + stats.games, game)
        stats.add(game)
        bar.update(1)
        if on_written is not None:
            on_written(game)

    try:
        job = replace(job, seed=seed)
        if job.config.num_workers <= 1:
            _play_here(job, remaining, write)
        else:
            _play_in_workers(job, remaining, write)
    finally:
        bar.close()
    stats.seconds = time.monotonic() - start
    return stats


def _play_here(job: SelfPlayJob, num_games: int, write: Callable[[GameData], None]) -> None:
    with torch_threads(job.config.torch_threads):
        evaluator = load_evaluator(job, job.seed)
        play_selfplay_games(
            evaluator,
            job.config,
            num_games,
            seed=job.seed,
            resign_threshold=job.resign_threshold,
            on_game=write,
            generation=job.generation,
            network=job.network,
            calibration=job.calibration,
        )


def _worker_main(job: SelfPlayJob, worker: int, quota: int, out: Any, stop: Any) -> None:
    """A worker process: load the network, play ``quota`` games, send each one to ``out``."""
    try:
        torch.set_num_threads(job.config.torch_threads)
        tune_cpu_malloc()  # a worker process is an entry point (see igo.nn.inference)
        seed = int(np.random.SeedSequence([job.seed, worker]).generate_state(1)[0])
        evaluator = load_evaluator(job, seed)
        play_selfplay_games(
            evaluator,
            job.config,
            quota,
            seed=seed,
            resign_threshold=job.resign_threshold,
            on_game=lambda game: out.put(("game", game)),
            generation=job.generation,
            network=job.network,
            calibration=job.calibration,
            should_stop=stop.is_set,
        )
        out.put(("done", worker))
    except BaseException:  # reported to the parent, which stops the run with it
        out.put(("error", f"self-play worker {worker} failed:\n{traceback.format_exc()}"))


def _play_in_workers(job: SelfPlayJob, num_games: int, write: Callable[[GameData], None]) -> None:
    """Play ``num_games`` in ``num_workers`` processes; this process writes every game."""
    ctx = spawn_context()  # fork after torch has started threads can deadlock
    out, stop = ctx.Queue(), ctx.Event()
    workers = job.config.num_workers
    quotas = [num_games // workers + (w < num_games % workers) for w in range(workers)]
    procs = [
        ctx.Process(target=_worker_main, args=(job, w, q, out, stop), daemon=True)
        for w, q in enumerate(quotas)
        if q > 0
    ]
    for proc in procs:
        proc.start()
    written, running = 0, len(procs)
    try:
        while written < num_games and running > 0:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue_lib.Empty:
                _check_alive(procs)
                continue
            if kind == "game":
                write(payload)
                written += 1
            elif kind == "done":
                running -= 1
            else:
                raise RuntimeError(payload)
    finally:
        stop.set()
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join()


def _check_alive(procs: list[Any]) -> None:
    for proc in procs:
        if not proc.is_alive() and proc.exitcode not in (0, None):
            raise RuntimeError(f"a self-play worker died with exit code {proc.exitcode}")
