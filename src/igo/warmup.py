"""Layer 11, ``igo warmup``: compile and cache every numba kernel ahead of use (warm first game).

numba compiles a kernel on its first call and keeps the machine code in its disk cache (next to
the sources, or in the user's cache folder). On a new install nothing is cached yet and a search
player's first move compiles for minutes. Setup runs ``warm_up`` once; each task below runs a
small real workload of one part of igo and so compiles exactly the kernels, with exactly the
argument types, that part uses:

| task    | workload                                                 | kernels of          |
|---------|----------------------------------------------------------|---------------------|
| rules   | games under simple ko and superko, a count with playouts,| ``igo.go``,         |
|         | ``igo bench rules``' playout loop                        | the bench's loop    |
| alphago | the shipped ``alphago`` player (Lee search, rollouts),   | AlphaGo planes,     |
|         | the ``rollout`` player, two batched policy-net games     | ladders, patterns   |
| zero    | the shipped ``zero`` player, two self-play games at once | Zero planes, PUCT,  |
|         | (many trees a network call), ``mcts`` without a network, | batched search      |
|         | the ``policy`` player on the zero net                    |                     |
| records | random games -> SGF -> shards -> rollout and tree        | records, pattern    |
|         | policies; the SL planes rebuilt from the shards          | training            |

The tasks run in ``jobs`` worker processes (each on one torch thread) that share the disk cache.
``check=True`` runs them on an empty cache of their own and lists every igo kernel no task
compiled (a kernel loaded from the cache carries its callees' code, so only a cold run can tell):
a new kernel needs a line in a task here.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pkgutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

_TASKS: dict[str, Callable[[], None]] = {}
_CACHE_VARIABLE = "NUMBA_CACHE_DIR"


def _task(fn: Callable[[], None]) -> Callable[[], None]:
    _TASKS[fn.__name__.removeprefix("_warm_")] = fn
    return fn


@dataclass(frozen=True)
class TaskReport:
    """One warm-up task's outcome."""

    name: str
    """The task's name (``rules``, ``alphago``...)."""
    seconds: float
    """Wall time of the task, compiling (or loading from the cache) included."""
    compiled: frozenset[str]
    """Every igo kernel compiled or loaded in the task's process (``module.function``)."""
    error: str | None = None
    """Why the task failed, if it did."""


@dataclass(frozen=True)
class WarmupReport:
    """What ``warm_up`` did."""

    tasks: tuple[TaskReport, ...]
    """Each task, in the order given."""
    seconds: float
    """Wall time of the whole warm-up."""
    missed: tuple[str, ...]
    """igo kernels no task compiled (each one still compiles on first use)."""

    @property
    def ok(self) -> bool:
        """Whether every task ran."""
        return all(task.error is None for task in self.tasks)


def task_names() -> list[str]:
    """The warm-up tasks, in their usual order."""
    return list(_TASKS)


def warm_up(
    tasks: Iterable[str] | None = None,
    jobs: int = 2,
    on_task: Callable[[TaskReport], None] | None = None,
    check: bool = False,
) -> WarmupReport:
    """Run the warm-up tasks (default: all) in ``jobs`` worker processes.

    Args:
        tasks: task names (``task_names()``); None: all.
        jobs: worker processes.
        on_task: called with each task's report as it finishes.
        check: run on an empty cache of their own and report the kernels no task compiled
            (caches nothing for later use).

    Raises:
        ValueError: on an unknown task name or ``jobs`` below 1.
    """
    names = list(_TASKS) if tasks is None else list(tasks)
    unknown = [name for name in names if name not in _TASKS]
    if unknown:
        raise ValueError(f"unknown warm-up task {unknown[0]!r}; choose from {', '.join(_TASKS)}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="igo-numba-") as empty_cache:
        reports = _run_tasks(names, jobs, on_task, empty_cache if check else None)
    missed: tuple[str, ...] = ()
    if check:
        compiled = set().union(*(r.compiled for r in reports.values()))
        missed = tuple(k for k in all_kernels() if k not in compiled)
    ordered = tuple(reports[name] for name in names)
    return WarmupReport(ordered, time.monotonic() - began, missed)


def _run_tasks(
    names: list[str],
    jobs: int,
    on_task: Callable[[TaskReport], None] | None,
    cache_dir: str | None,
) -> dict[str, TaskReport]:
    """Each task in a worker process, ``cache_dir`` (if given) as their numba cache."""
    saved = os.environ.get(_CACHE_VARIABLE)
    if cache_dir is not None:
        os.environ[_CACHE_VARIABLE] = cache_dir  # read by numba when a worker imports it
    reports: dict[str, TaskReport] = {}
    try:
        # spawn: each worker starts clean (no inherited torch threads), as a user's process does.
        with multiprocessing.get_context("spawn").Pool(min(jobs, len(names)) or 1) as pool:
            for report in pool.imap_unordered(run_task, names):
                reports[report.name] = report
                if on_task is not None:
                    on_task(report)
    finally:
        if saved is None:
            os.environ.pop(_CACHE_VARIABLE, None)
        else:
            os.environ[_CACHE_VARIABLE] = saved
    return reports


def run_task(name: str) -> TaskReport:
    """Run one task in this process; its failure is reported, not raised."""
    import torch

    torch.set_num_threads(1)  # the tasks share the cores with each other
    began = time.monotonic()
    error = None
    try:
        _TASKS[name]()
    except Exception as err:  # a report line, not a crash of the whole warm-up
        error = f"{type(err).__name__}: {err}"
    return TaskReport(name, time.monotonic() - began, frozenset(_compiled_kernels()), error)


def _dispatchers() -> Iterable[tuple[str, object]]:
    """(``module.function``, dispatcher) of every compiled kernel in igo's loaded modules."""
    import sys

    from numba.core.dispatcher import Dispatcher

    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("igo.") or module is None:
            continue
        for attr, value in vars(module).items():
            if isinstance(value, Dispatcher) and value.py_func.__module__ == module_name:
                yield f"{module_name}.{attr}", value


def _compiled_kernels() -> set[str]:
    return {name for name, d in _dispatchers() if d.signatures}  # type: ignore[attr-defined]


def all_kernels() -> list[str]:
    """Every igo kernel a caller compiles on its own (not those inlined into others)."""
    import igo

    for info in pkgutil.walk_packages(igo.__path__, "igo."):
        if not info.name.startswith(("igo.cli", "igo.warmup")):
            importlib.import_module(info.name)
    kernels = []
    for name, d in _dispatchers():
        options = d.targetoptions  # type: ignore[attr-defined]
        if options.get("inline") != "always" and not options.get("forceinline"):
            kernels.append(name)
    return sorted(kernels)


# ----- the tasks -----


def _random_game(size: int, moves: int, seed: int, rules_name: str = "chinese") -> object:
    from igo.go.rules import rules_from_name
    from igo.go.sensible import sensible_moves
    from igo.go.state import GameState

    rng = np.random.default_rng(seed)
    state = GameState.new(size, rules_from_name(rules_name))
    while not state.is_over() and len(state.moves) < moves:
        candidates = sensible_moves(state)
        state.play(int(rng.choice(candidates)) if candidates.size else state.num_points)
    return state


@_task
def _warm_rules() -> None:
    from igo.bench.rules import bench_size
    from igo.go.scoring import final_score, final_status
    from igo.go.state import GameState
    from igo.go.warm import compile_rules_kernels

    compile_rules_kernels()
    state = _random_game(9, 200, seed=0)
    assert isinstance(state, GameState)
    final_score(state, final_status(state, 16), 16)
    bench_size(9, seconds=0.01, openspiel=False, num_rounds=1)  # igo bench rules' loop


def _genmove(player: object, size: int, moves: int = 6) -> None:
    from igo.agents.player import Player
    from igo.go.state import GameState

    assert isinstance(player, Player)
    state = _random_game(size, moves, seed=1)
    assert isinstance(state, GameState)
    player.reset(state)
    player.genmove(state, None)


@_task
def _warm_alphago() -> None:
    from igo.agents import create_player
    from igo.agents.nets import ALPHAGO_WEIGHTS, load_net, shipped_weights
    from igo.selfplay.policy_games import PolicyGameConfig, net_policy, play_policy_games

    _genmove(create_player("alphago", visits=32, device="cpu"), 9)
    rollout = str(shipped_weights(ALPHAGO_WEIGHTS["rollout"]))
    _genmove(create_player("rollout", rollout_checkpoint=rollout), 9)
    net = load_net(shipped_weights(ALPHAGO_WEIGHTS["policy"]))
    policy = net_policy(net, device="cpu")
    config = PolicyGameConfig(size=9, move_cap=12)
    play_policy_games([policy], 2, lambda game, ply: 0, config, np.random.default_rng(0), learner=0)


@_task
def _warm_zero() -> None:
    from igo.agents import create_player
    from igo.agents.net_evaluator import ZeroNetEvaluator
    from igo.agents.nets import load_net, zero_weights
    from igo.selfplay.runner import play_selfplay_games
    from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig

    _genmove(create_player("zero", visits=32, device="cpu"), 9)
    _genmove(create_player("policy", checkpoint=str(zero_weights()), device="cpu"), 9)
    _genmove(create_player("mcts", visits=32), 9)
    evaluator = ZeroNetEvaluator(load_net(zero_weights()), device="cpu")
    search = replace(SELFPLAY_SEARCH, num_simulations=8, cheap_simulations=4, leaves_per_batch=4)
    config = SelfPlayConfig(parallel_games=2, search=search, move_cap=12)
    play_selfplay_games(
        evaluator, config, 2, seed=0, resign_threshold=-1.0, on_game=lambda game: None
    )


@_task
def _warm_records() -> None:
    from igo.data.records import ImportConfig, import_records
    from igo.go.coords import Color
    from igo.go.result import GameResult
    from igo.go.state import GameState
    from igo.io.sgf import record_from_state, save_sgf
    from igo.train.alphago.rollout_policy_stage import RolloutTrainConfig, train_from_shards
    from igo.train.alphago.supervised_data import load_examples, planes_from_examples

    with tempfile.TemporaryDirectory(prefix="igo-warmup-") as tmp:
        root = Path(tmp)
        (root / "games").mkdir()
        for i in range(4):
            state = _random_game(9, 60, seed=10 + i)
            assert isinstance(state, GameState)
            record = record_from_state(state, GameResult(Color.BLACK, "resign"))
            save_sgf(record, root / "games" / f"{i}.sgf")
        import_records([root / "games"], root / "shards", ImportConfig(heldout=0.25))
        for kind in ("rollout", "tree"):
            config = RolloutTrainConfig(kind=kind, min_count=1, epochs=1)
            train_from_shards(root / "shards", root / f"{kind}.npz", config)
        arrays = load_examples(root / "shards", "sl", "train")
        if arrays is not None:
            planes_from_examples(arrays, value_plane=True)
