"""Self-play speed: positions per hour, igo's batched self-play against the one-leaf-at-a-time way.

The baseline is the search as alpha-zero-general (``MCTS.py``) and the dlgo book's ``ZeroAgent``
run it: one game at a time, a recursive PUCT search over dictionaries of statistics, and one
network call per leaf (``nnet.predict``: a batch of one, the eager net under ``no_grad``, torch's
default threads). igo plays the same games (same net, same simulations, no playout cap
randomisation) with ``play_selfplay_games``: ``parallel_games`` games per process in one
MultiSearch whose leaves go to the network together, in one or several worker processes. All rows
run in the same call, one after the other, for ``seconds`` each after a warm-up (the baseline
first and again last, since the load of a shared machine drifts; the speed-ups are against the
best baseline row); the net has
random weights (speed does not depend on them, game length hardly does at this scale). Training
speed (samples per second of ``igo.train.zero.training_step.train_steps``) is measured too.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from igo.data.replay_buffer import ReplayBuffer
from igo.encode.zero_planes import encode_zero
from igo.go.state import GameState
from igo.io.processes import spawn_context
from igo.nn.checkpoint import save_checkpoint
from igo.nn.inference import tune_cpu_malloc
from igo.nn.net import Net
from igo.nn.registry import create_net
from igo.nn.threads import torch_threads
from igo.selfplay.record import GameData, write_game
from igo.selfplay.runner import play_selfplay_games
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig
from igo.selfplay.worker import SelfPlayJob, load_evaluator
from igo.train.trainer import Trainer, make_optimizer
from igo.train.training_config import TrainConfig
from igo.train.zero.training_step import train_steps


class AzgMcts:
    """alpha-zero-general's MCTS over igo's rules, one network call per leaf (the baseline)."""

    def __init__(self, net: Net, num_simulations: int, c_puct: float) -> None:
        self.net, self.num_simulations, self.c_puct = net, num_simulations, c_puct
        self.q: dict[tuple[Any, Any], float] = {}
        self.n_sa: dict[tuple[Any, Any], int] = {}
        self.n_s: dict[Any, int] = {}
        self.p_s: dict[Any, np.ndarray] = {}
        self.ended: dict[Any, float] = {}
        self.valid: dict[Any, np.ndarray] = {}

    @staticmethod
    def key(state: GameState) -> tuple[int, int, int]:
        """The position's identity (stones, side to move, passes)."""
        return state.hash, int(state.to_play), state.consecutive_passes

    def predict(self, state: GameState) -> tuple[np.ndarray, float]:
        """``NNet.predict``: one position, as a batch of one, through the eager net."""
        board = torch.FloatTensor(encode_zero(state).astype(np.float64)).unsqueeze(0)
        self.net.eval()
        with torch.no_grad():
            logits, value = self.net(board)
        return torch.exp(F.log_softmax(logits, dim=1)).numpy()[0], float(value.numpy()[0])

    def action_probs(self, state: GameState, temperature: float) -> np.ndarray:
        """Run the simulations from ``state`` and return the visit distribution."""
        for _ in range(self.num_simulations):
            self.search(state.copy())
        s = self.key(state)
        counts = np.array([self.n_sa.get((s, a), 0) for a in range(state.num_points + 1)], float)
        probs: np.ndarray = counts / counts.sum()
        if temperature == 0:
            probs = np.zeros_like(counts)
            probs[int(np.argmax(counts))] = 1.0
        return probs

    def search(self, state: GameState) -> float:
        """One simulation (recursive, as ``MCTS.search``); returns minus the leaf's value."""
        s = self.key(state)
        if s not in self.ended:
            self.ended[s] = _terminal_value(state) if state.is_over() else 0.0
        if self.ended[s] != 0:
            return -self.ended[s]
        if s not in self.p_s:
            priors, value = self.predict(state)
            valid = state.legal_mask()
            priors = priors * valid
            total = priors.sum()
            self.p_s[s] = priors / total if total > 0 else valid / valid.sum()
            self.valid[s], self.n_s[s] = valid, 0
            return -value
        best, best_u = -1, -np.inf
        for a in np.flatnonzero(self.valid[s]):
            n, p = self.n_sa.get((s, a), 0), self.p_s[s][a]
            q = self.q.get((s, a), 0.0)
            u = q + self.c_puct * p * np.sqrt(self.n_s[s] + 1e-8) / (1 + n)
            if u > best_u:
                best, best_u = int(a), u
        state.play(best)
        value = self.search(state)
        n = self.n_sa.get((s, best), 0)
        self.q[(s, best)] = (n * self.q.get((s, best), 0.0) + value) / (n + 1)
        self.n_sa[(s, best)] = n + 1
        self.n_s[s] += 1
        return -value


def _terminal_value(state: GameState) -> float:
    """+1 if the side to move has won the finished game, -1 if lost (Tromp-Taylor count)."""
    from igo.go.scoring import tromp_taylor_score

    black_margin = tromp_taylor_score(state)
    to_play_black = int(state.to_play) == 1
    return 1.0 if (black_margin > 0) == to_play_black else -1.0


def run_baseline(
    net: Net, config: SelfPlayConfig, seconds: float, threads: int, seed: int = 0
) -> float:
    """Positions per hour of alpha-zero-general-style self-play for ``seconds`` with ``threads``
    torch threads (after a warm-up search)."""
    with torch_threads(threads):
        search = config.search
        AzgMcts(net, 20, search.c_puct).action_probs(config.new_game(), 1.0)
        rng = np.random.default_rng(seed)
        positions, start = 0, time.monotonic()
        while time.monotonic() - start < seconds:
            state, mcts = config.new_game(), AzgMcts(net, search.num_simulations, search.c_puct)
            while not state.is_over() and time.monotonic() - start < seconds:
                temperature = 1.0 if len(state.moves) < search.temperature_moves else 0.0
                probs = mcts.action_probs(state, temperature)
                state.play(int(rng.choice(probs.size, p=probs)))
                positions += 1
        return positions * 3600.0 / (time.monotonic() - start)


def _igo_worker(job: SelfPlayJob, seconds: float, out: Any) -> None:
    """Warm up, then play for ``seconds``; put the positions per hour on ``out``."""
    torch.set_num_threads(job.config.torch_threads)
    tune_cpu_malloc()
    evaluator = load_evaluator(job, job.seed)
    warm = [0]
    play_selfplay_games(  # one move of every game: compiles and warms everything up
        evaluator,
        job.config,
        job.config.parallel_games,
        seed=0,
        resign_threshold=-1.0,
        on_game=lambda g: None,
        on_moves=lambda n: warm.__setitem__(0, 1),
        should_stop=lambda: warm[0] > 0,
    )
    moves = [0]
    start = time.monotonic()

    def count(n: int) -> None:
        moves[0] += n

    play_selfplay_games(
        evaluator,
        job.config,
        10**9,
        seed=job.seed,
        resign_threshold=job.resign_threshold,
        on_game=lambda g: None,
        on_moves=count,
        should_stop=lambda: time.monotonic() - start > seconds,
    )
    out.put(moves[0] * 3600.0 / (time.monotonic() - start))


def run_igo(job: SelfPlayJob, seconds: float) -> float:
    """Positions per hour of igo self-play in ``job.config.num_workers`` processes at once."""
    ctx = spawn_context()
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_igo_worker, args=(replace(job, seed=w), seconds, out))
        for w in range(job.config.num_workers)
    ]
    for proc in procs:
        proc.start()
    rates = [out.get(timeout=seconds + 300) for _ in procs]
    for proc in procs:
        proc.join()
    return float(sum(rates))


def run_train_bench(
    net_name: str, board_size: int, batch_size: int, steps: int, threads: int = 1
) -> float:
    """Training samples per second of ``train_steps`` on a synthetic replay window, with
    ``threads`` torch threads (the Zero loop trains with ``train.torch_threads``, 1 by default)."""
    with torch_threads(threads):
        return _train_rate(net_name, board_size, batch_size, steps)


def _train_rate(net_name: str, board_size: int, batch_size: int, steps: int) -> float:
    net = create_net(net_name, board_size=board_size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gen-000000"
        rng = np.random.default_rng(0)
        points = board_size * board_size
        for i in range(8):
            t = 60
            policy = rng.dirichlet(np.ones(points + 1), size=t).astype(np.float32)
            game = GameData(
                rng.integers(0, 3, (t, points)).astype(np.int8),
                (np.arange(t) % 2 + 1).astype(np.int8),
                np.zeros(t, np.int16),
                policy,
                np.ones(t, bool),
                np.zeros(t, np.float32),
                1,
                "B+R",
                True,
                -0.9,
                "(;)",
            )
            write_game(folder, i, game)
        buffer = ReplayBuffer(Path(tmp), board_size)
        buffer.refresh(100)
        config = TrainConfig(batch_size=batch_size)
        trainer = Trainer(net, make_optimizer(net, config), rng, 0)
        device = torch.device("cpu")
        train_steps(trainer, buffer, config, num_steps=2, total_steps=steps, device=device)
        start = time.perf_counter()
        train_steps(trainer, buffer, config, num_steps=steps, total_steps=steps, device=device)
        return steps * batch_size / (time.perf_counter() - start)


def run_selfplay_bench(
    seconds: float = 45.0,
    net: str = "resnet_b6c64",
    board_size: int = 9,
    num_simulations: int = 200,
    workers: int = 2,
    parallel_games: int = 64,
) -> dict[str, Any]:
    """Measure self-play positions per hour (baseline, igo in 1 and ``workers`` processes, igo
    with playout cap randomisation) and training samples per second; a few minutes in all."""
    torch.manual_seed(0)
    model = create_net(net, board_size=board_size)
    config = SelfPlayConfig(
        board_size=board_size,
        search=replace(SELFPLAY_SEARCH, num_simulations=num_simulations, full_search_prob=1.0),
        parallel_games=parallel_games,
        resign_disabled_fraction=1.0,
    )
    rows: dict[str, float] = {}
    tune_cpu_malloc()
    threads = torch.get_num_threads()
    rows["baseline_batch1_1_thread"] = run_baseline(model, config, seconds, 1)
    if threads > 1:
        rows[f"baseline_batch1_{threads}_threads"] = run_baseline(model, config, seconds, threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "net.safetensors"
        save_checkpoint(model, path)
        job = SelfPlayJob(str(path), config, 0, 0, 0, -1.0)
        rows["igo_1_process"] = run_igo(job, seconds)
        many = replace(config, num_workers=workers, torch_threads=1)
        rows[f"igo_{workers}_processes"] = run_igo(replace(job, config=many), seconds)
        pcr = replace(
            many, search=replace(many.search, full_search_prob=0.25, cheap_simulations=40)
        )
        rows[f"igo_{workers}_processes_pcr"] = run_igo(replace(job, config=pcr), seconds)
    # The baseline again at the end: the machine's load drifts, the better of the two counts.
    rows["baseline_batch1_1_thread_again"] = run_baseline(model, config, seconds, 1)
    base = max(v for k, v in rows.items() if k.startswith("baseline"))
    return {
        "machine": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "net": net,
        "board_size": board_size,
        "num_simulations": num_simulations,
        "seconds_per_row": seconds,
        "positions_per_hour": {k: round(v) for k, v in rows.items()},
        "speedup_vs_best_baseline": {k: round(v / base, 2) for k, v in rows.items()},
        "train_samples_per_s": round(run_train_bench(net, board_size, 256, 20), 1),
    }
