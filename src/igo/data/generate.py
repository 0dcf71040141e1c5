"""Game records from engine self-play: one GTP engine plays both colours, games written as SGF.

``generate_games`` plays ``games`` games in parallel worker processes, one engine process per
game (GNU Go 3.8 at level 1 plays a 9x9 game in well under a second, at level 10 in about ten).
A seeded engine repeats itself, so every game starts with a few random moves (a broad opening
distribution) and the engine gets a seed of its own for the game:

| step            | what happens                                                            |
|-----------------|-------------------------------------------------------------------------|
| opening         | k ~ uniform{min..max} random sensible moves (``igo.go.sensible``: legal |
|                 | and filling no own eye), black first, on points of the central area     |
|                 | (third line and up; second line and up below 7x7); told to the engine   |
| middle and end  | ``genmove`` for each side in turn, checked by the GTP referee           |
|                 | (``igo.agents.referee``), until two passes, a resignation or the move   |
|                 | cap (3 * size^2 moves); a crash, hang or illegal move abandons the game |
| result          | resignation; else the engine's ``final_score`` (GNU Go counts dead      |
|                 | stones well); else igo's own count (``igo.go.scoring``)                 |

Game ``i`` is ``game-<i:06d>.sgf`` in the output folder, written atomically by the parent process
only, so a file that exists is complete: a rerun skips (and counts) the games already there and
plays only the missing ones. The engine's command line comes in as a function of the game's seed
(``argv_for_seed``), so this module needs no knowledge of engine specs (``igo.eval.engines``
turns ``gnugo:level=10`` into one in the CLI).
"""

from __future__ import annotations

import concurrent.futures as cf
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from igo.agents.referee import GameLimits, ending, referee_game
from igo.files import check_creatable
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color
from igo.go.result import GameResult
from igo.go.rules import Rules, rules_from_name
from igo.go.scoring import final_score
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError
from igo.io.processes import spawn_context
from igo.io.sgf import GameRecord, record_from_state, save_sgf


@dataclass(frozen=True)
class GenerateConfig:
    """How ``generate_games`` plays its games."""

    out: str
    """Folder of the SGF files (made with the first game written)."""
    games: int = 100
    """Games wanted in the folder (existing ``game-*.sgf`` files count)."""
    size: int = 9
    """Board size."""
    rules: str = "chinese"
    """Rules preset of the games (the engine is told area or territory scoring)."""
    komi: float = 7.0
    """Komi."""
    jobs: int = 1
    """Games played at once (worker processes)."""
    seed: int = 0
    """Master seed: game ``i`` uses seed ``seed * 1_000_003 + i`` for the opening and the engine."""
    opening_moves: tuple[int, int] = (2, 6)
    """Inclusive range of the number of random opening moves."""
    move_timeout: float = 120.0
    """Seconds the engine may think about one move before the game is abandoned."""

    def __post_init__(self) -> None:
        for name in ("games", "jobs"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if not MIN_SIZE <= self.size <= MAX_SIZE:
            raise ValueError(f"size must be from {MIN_SIZE} to {MAX_SIZE}, not {self.size}")
        low, high = self.opening_moves
        if not 0 <= low <= high:
            raise ValueError(f"opening_moves must be 0 <= min <= max, not {self.opening_moves}")
        rules_from_name(self.rules)  # raises on an unknown preset

    def game_seed(self, index: int) -> int:
        """The seed of game ``index``."""
        return self.seed * 1_000_003 + index


@dataclass(frozen=True)
class GameTask:
    """One game as a worker receives it (everything picklable)."""

    index: int
    argv: list[str]
    name: str
    size: int
    rules: Rules
    seed: int
    opening_moves: tuple[int, int]
    move_timeout: float


@dataclass
class GenerateSummary:
    """What ``generate_games`` did."""

    played: int = 0
    """Games played and written now."""
    existing: int = 0
    """Games already in the folder (skipped)."""
    failed: list[tuple[int, str]] = field(default_factory=list)
    """(game index, reason) of games abandoned (engine crash, hang, illegal move)."""


def game_path(out: str | Path, index: int) -> Path:
    """Where game ``index`` is written."""
    return Path(out) / f"game-{index:06d}.sgf"


def opening_points(size: int) -> np.ndarray:
    """The central area random opening moves are drawn from (flat points)."""
    margin = 2 if size >= 7 else 1
    lines = range(margin, size - margin) if size > 2 * margin else range(size)
    return np.array([r * size + c for r in lines for c in lines], dtype=np.int64)


def random_opening(state: GameState, count: int, rng: np.random.Generator) -> list[int]:
    """Play up to ``count`` random sensible moves (legal, filling no own eye) from the central
    area; returns the points played."""
    played = []
    area = opening_points(state.size)
    for _ in range(count):
        options = np.intersect1d(sensible_moves(state), area)  # in increasing order
        if options.shape[0] == 0:
            break
        point = int(options[int(rng.integers(options.shape[0]))])
        state.play(point)
        played.append(point)
    return played


class GameAbandoned(Exception):
    """The engine misbehaved (crash, hang, refused command, illegal or malformed move)."""


def play_selfplay_game(task: GameTask) -> GameRecord:
    """Play one game of the engine against itself (see the module docstring), refereed by
    ``igo.agents.referee`` with the engine on both sides.

    Raises:
        GtpEngineError: the engine would not start, or failed while counting.
        GameAbandoned: it misbehaved during the game.
    """
    rng = np.random.default_rng(task.seed)
    state = GameState.new(task.size, task.rules, move_cap=3 * task.size * task.size)
    low, high = task.opening_moves
    opening = random_opening(state, int(rng.integers(low, high + 1)), rng)
    # One deadline for every reply, the first genmove included (GameLimits gives that one more).
    limits = GameLimits(move_timeout=task.move_timeout, first_move_timeout=task.move_timeout)
    with GtpClient(task.argv, timeout=task.move_timeout, name=task.name) as engine:
        engines = {Color.BLACK: engine, Color.WHITE: engine}
        game = referee_game(engines, state, limits, _engine_count)
    if game.fault is not None:
        raise GameAbandoned(f"{game.fault}: {game.detail}")
    meta = {
        "PB": task.name,
        "PW": task.name,
        "GC": f"igo data generate: game {task.index}, seed {task.seed}, "
        f"{len(opening)} random opening moves",
    }
    return record_from_state(game.state, game.result, meta)


def _engine_count(state: GameState, engines: dict[Color, GtpClient]) -> tuple[GameResult, str]:
    """The engine's own count (GNU Go counts dead stones well), else igo's estimate."""
    try:
        theirs = GameResult.from_sgf(engines[Color.BLACK].send("final_score"))
        if theirs.reason in ("score", "draw"):
            return theirs, ending(state)
    except GtpCommandError:
        pass
    return final_score(state), ending(state) + ", igo's count"


def _run_task(task: GameTask) -> GameRecord | str:
    """A game, or the reason it was abandoned."""
    try:
        return play_selfplay_game(task)
    except GameAbandoned as exc:
        return str(exc)
    except (GtpEngineError, ValueError) as exc:  # would not start, or died or garbled counting
        return f"{type(exc).__name__}: {exc}"


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def generate_games(
    config: GenerateConfig,
    argv_for_seed: Callable[[int], list[str]],
    name: str = "engine",
    on_game: Callable[[int, GameRecord | str], None] | None = None,
) -> GenerateSummary:
    """Play the games missing from ``config.out`` and write them as SGF.

    Args:
        config: what to play and where.
        argv_for_seed: the engine's command line for a game seed.
        name: the engine's name in the records (PB, PW).
        on_game: called with (index, record or failure reason) as each game finishes.

    Returns:
        Counts of games played, found and abandoned.

    Raises:
        OSError: ``config.out`` cannot be written (checked before any game).
    """
    out = Path(config.out)
    check_creatable(out, folder=True)
    summary = GenerateSummary()
    rules = rules_from_name(config.rules, config.komi)
    tasks = []
    for index in range(config.games):
        if game_path(out, index).exists():
            summary.existing += 1
            continue
        seed = config.game_seed(index)
        argv = argv_for_seed(seed)
        tasks.append(
            GameTask(
                index,
                argv,
                name,
                config.size,
                rules,
                seed,
                config.opening_moves,
                config.move_timeout,
            )
        )
    for task, outcome in _run_all(tasks, config.jobs):
        if isinstance(outcome, str):
            summary.failed.append((task.index, outcome))
        else:
            out.mkdir(parents=True, exist_ok=True)  # here: a run whose every game fails makes none
            save_sgf(outcome, game_path(out, task.index))
            summary.played += 1
        if on_game is not None:
            on_game(task.index, outcome)
    return summary


def _run_all(tasks: list[GameTask], jobs: int) -> Iterator[tuple[GameTask, GameRecord | str]]:
    """Play ``tasks`` on ``jobs`` worker processes (here, with one job), yielding each as it
    finishes."""
    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            yield task, _run_task(task)
        return
    # spawn, not fork: the parent may hold threads (GTP pipe readers) that fork would copy.
    context = spawn_context()
    pool = cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_interrupts)
    try:
        running = {pool.submit(_run_task, task): task for task in tasks}
        for future in cf.as_completed(running):
            task = running[future]
            try:
                yield task, future.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker costs its game, not the run
                yield task, f"worker failed: {type(exc).__name__}: {exc}"
    finally:
        # On Ctrl-C (or any early exit) the queued games are dropped, not played out; the games
        # in flight end with their engines, which get the interrupt too.
        pool.shutdown(wait=True, cancel_futures=True)
