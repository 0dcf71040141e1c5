"""Matches: many refereed games between two engine specs, in parallel, recorded as they finish.

Colours alternate (the first engine takes black in games 1, 3, 5...). Each game runs in a worker
process, which keeps each side's engine process for its next game (``igo.eval.kept_engines``:
reset over GTP, reseeded per game, replaced after a crash or hang, so a fault costs only that
game); workers send their ``GameOutcome`` back and only this (parent) process writes the SGF
files and the arena database.
An SPRT, when given, stops handing out new games once a bound is crossed; games already running
finish and are recorded.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import multiprocessing.util
import os
import random
import signal
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from igo.agents.player import TimeSettings
from igo.agents.referee import GameLimits, MoveCallback
from igo.eval.engine_game import GameOutcome, forfeit_outcome, play_game
from igo.eval.engines import EngineSpec, engine_argv, parse_engine_spec, probe_engine
from igo.eval.kept_engines import EngineSeat, KeptEngines
from igo.eval.sprt import Sprt
from igo.eval.store import ArenaStore
from igo.eval.summary import MatchSummary, Tally
from igo.files import check_creatable
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color
from igo.go.result import GameResult
from igo.go.rules import Rules, rules_from_name
from igo.go.state import GameState
from igo.io.gtp_client import GtpEngineError
from igo.io.processes import spawn_context
from igo.io.sgf import record_from_state, save_sgf

GameCallback = Callable[[GameOutcome, MatchSummary], None]


class ArenaError(RuntimeError):
    """The arena itself cannot go on (its worker processes keep dying)."""


@dataclass(frozen=True)
class MatchConfig:
    """How a match is played and where it is recorded."""

    games: int = 2
    """Number of games (at most; an SPRT may stop earlier)."""
    size: int = 9
    """Board size."""
    rules: str = "chinese"
    """Rules preset name (see igo.go.rules); igo referees by it."""
    komi: float | None = None
    """Komi; None keeps the preset's."""
    limits: GameLimits = field(default_factory=GameLimits)
    """Move cap, move deadline and time control of every game."""
    jobs: int | None = None
    """Games played at once, each in its own process; None uses every core."""
    db: str | None = "runs/arena.sqlite"
    """The arena database that results accumulate in; None records nothing."""
    sgf_dir: str | None = None
    """Folder for the games' SGF files; None: ``games/match-NNNN`` next to the database."""
    sprt: Sprt | None = None
    """Stop early when this test decides (from the first engine's point of view)."""
    seed: int | None = None
    """Base of the per-game seeds given to engines that take one; None draws a fresh one."""

    def __post_init__(self) -> None:
        if self.games < 1:
            raise ValueError(f"--games must be at least 1, not {self.games}")
        if not MIN_SIZE <= self.size <= MAX_SIZE:
            raise ValueError(f"--size must be from {MIN_SIZE} to {MAX_SIZE}, not {self.size}")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError(f"--jobs must be at least 1, not {self.jobs}")
        self.resolved_rules()

    def resolved_rules(self) -> Rules:
        """The Rules object of this match."""
        return rules_from_name(self.rules, self.komi)


def parse_time_control(text: str) -> TimeSettings:
    """``MAIN`` (sudden death) or ``MAIN,PERIOD,STONES`` (canadian byo-yomi), in seconds.

    Raises:
        ValueError: anything else.
    """
    try:
        parts = [float(p) for p in text.split(",")]
        if len(parts) == 1:
            return TimeSettings.absolute(parts[0])
        main, period, stones = parts
        if stones != int(stones):
            raise ValueError("stones must be a whole number")
        return TimeSettings.canadian(main, period, int(stones))
    except ValueError as exc:
        raise ValueError(f"--time takes MAIN or MAIN,PERIOD,STONES seconds, not {text!r}") from exc


@dataclass(frozen=True)
class _Task:
    """One game to play, as a worker receives it (everything picklable)."""

    index: int
    seats: tuple[EngineSeat, EngineSeat]
    """(black, white) engines."""
    size: int
    rules: Rules
    limits: GameLimits
    metadata: dict[str, str]

    @property
    def names(self) -> tuple[str, str]:
        """(black, white) engine names."""
        return self.seats[0].name, self.seats[1].name


def _play_task(
    task: _Task, engines: KeptEngines, on_move: MoveCallback | None = None
) -> GameOutcome:
    """Play the game on ``engines`` (kept from the last game where they can serve, else
    started); an engine that misbehaved is stopped, so the next game starts a new one."""
    colors = (Color.BLACK, Color.WHITE)
    names = dict(zip(colors, task.names, strict=True))
    clients = {}
    for color, seat in zip(colors, task.seats, strict=True):
        try:
            clients[color] = engines.engine(seat, task.limits.move_timeout)
        except GtpEngineError as exc:
            return forfeit_outcome(
                task.size, task.rules, names, color, exc.kind, str(exc), task.metadata
            )
    try:
        outcome = play_game(
            clients[Color.BLACK],
            clients[Color.WHITE],
            task.size,
            task.rules,
            task.limits,
            task.metadata,
            on_move,
        )
    except BaseException:
        for seat in task.seats:  # their state is unknown: start afresh
            engines.drop(seat.name)
        raise
    if outcome.faulty is not None:
        engines.drop(names[outcome.faulty])
    return outcome


_WORKER_ENGINES = KeptEngines()
"""A worker process's engines, kept from game to game (closed when the worker exits)."""


def _play_in_worker(task: _Task) -> GameOutcome:
    return _play_task(task, _WORKER_ENGINES)


def _void(task: _Task, error: BaseException) -> GameOutcome:
    """A game lost to a failure of the arena itself: recorded, but rated for nobody."""
    state = GameState.new(task.size, task.rules)
    detail = f"arena error: {type(error).__name__}: {error}"
    meta = {"PB": task.names[0], "PW": task.names[1], **task.metadata, "GC": detail}
    return GameOutcome(
        record_from_state(state, GameResult(None, "void"), meta), GameResult(None, "void"), detail
    )


def _run_tasks(
    tasks: list[_Task],
    jobs: int,
    stopped: Callable[[], bool],
    on_move: MoveCallback | None = None,
) -> Iterator[tuple[_Task, GameOutcome]]:
    """Play ``tasks`` on ``jobs`` processes, yielding each as it finishes, until ``stopped``.
    With one job the games run in this process, and ``on_move`` hears every move."""
    if jobs == 1:
        with KeptEngines() as engines:
            for task in tasks:
                if stopped():
                    return
                try:
                    yield task, _play_task(task, engines, on_move)
                except Exception as exc:  # noqa: BLE001 - a bug costs one game, not the match
                    yield task, _void(task, exc)
        return
    queue = collections.deque(tasks)
    while queue and not stopped():
        finished = 0
        # A worker killed from outside breaks its whole pool: the games it held are void,
        # and the rest go on in a fresh pool unless the new one cannot play a single game.
        for task, outcome, ok in _run_pool(queue, jobs, stopped):
            finished += ok
            yield task, outcome
        if queue and finished == 0:
            raise ArenaError("the arena's worker processes keep dying; try --jobs 1")


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent: the engines, which get it too, die, so the games in
    flight end at once and the parent can stop cleanly (no traceback from every worker). A
    worker quits its kept engines when it exits (the pool's end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    multiprocessing.util.Finalize(_WORKER_ENGINES, _WORKER_ENGINES.close, exitpriority=10)


def _run_pool(
    queue: collections.deque[_Task], jobs: int, stopped: Callable[[], bool]
) -> Iterator[tuple[_Task, GameOutcome, bool]]:
    """Run tasks from ``queue`` on one process pool until done, stopped or the pool breaks."""
    # spawn, not fork: the parent has threads (progress bar, pipe readers) that fork would copy.
    context = spawn_context()
    with cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker) as pool:
        running: dict[cf.Future[GameOutcome], _Task] = {}
        broken = False
        while True:
            while queue and len(running) < jobs and not broken and not stopped():
                task = queue.popleft()
                try:
                    running[pool.submit(_play_in_worker, task)] = task
                except BrokenProcessPool:
                    queue.appendleft(task)
                    broken = True
            if not running:
                return
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    yield task, future.result(), True
                except BrokenProcessPool as exc:
                    broken = True
                    yield task, _void(task, exc), False
                except Exception as exc:  # noqa: BLE001 - a bug costs one game, not the match
                    yield task, _void(task, exc), True


def _prepare(first: str, second: str, config: MatchConfig) -> list[EngineSpec]:
    """Parse, resolve and probe both specs.

    Raises:
        ValueError: a bad spec, a missing program, an engine that does not work, or two engines
            with one name (the database tells engines apart by name).
        OSError: the database or SGF folder cannot be written (checked before anything is).
    """
    if config.db is not None:
        check_creatable(config.db)
    if config.sgf_dir is not None:
        check_creatable(config.sgf_dir, folder=True)
    specs = [parse_engine_spec(first), parse_engine_spec(second)]
    rules = config.resolved_rules()
    argvs = [engine_argv(spec, rules) for spec in specs]
    if specs[0].name == specs[1].name:
        raise ValueError(f"both engines are named {specs[0].name!r}: give one a name=... option")
    probe_timeout = max(30.0, config.limits.move_timeout)
    for argv, spec in zip(argvs, specs, strict=True):
        probe_engine(argv, spec.name, config.size, probe_timeout)
    return specs


def _tasks(specs: list[EngineSpec], config: MatchConfig) -> list[_Task]:
    rules = config.resolved_rules()
    names = [spec.name for spec in specs]
    base = config.seed if config.seed is not None else random.SystemRandom().randrange(2**30)
    tasks = []
    for index in range(config.games):
        order = (0, 1) if index % 2 == 0 else (1, 0)
        seats = [_seat(specs[k], rules, base + 2 * index + k) for k in order]
        meta = {"EV": f"igo match {names[0]} vs {names[1]}", "RO": str(index + 1)}
        meta["DT"] = date.today().isoformat()
        task = _Task(index, (seats[0], seats[1]), config.size, rules, config.limits, meta)
        tasks.append(task)
    return tasks


def _seat(spec: EngineSpec, rules: Rules, seed: int) -> EngineSeat:
    """``spec`` in a game whose seed is ``seed`` (the spec's own ``seed=``, if it sets one)."""
    argv = tuple(engine_argv(spec, rules, seed))
    own = spec.options.get("seed", str(seed))
    game_seed = int(own) if spec.kind != "command" and own.lstrip("-").isdigit() else None
    return EngineSeat(spec.name, argv, tuple(engine_argv(spec, rules)), game_seed)


def run_match(
    first: str,
    second: str,
    config: MatchConfig,
    on_game: GameCallback | None = None,
    on_start: Callable[[], None] | None = None,
    on_move: MoveCallback | None = None,
) -> MatchSummary:
    """Play a match between two engine specs; record every game; return the tally.

    Args:
        first: Spec of the engine the score is counted for (black in the first game).
        second: Spec of its opponent.
        config: Games, board, rules, limits, parallelism, database and SPRT.
        on_game: Called in this process after each game is recorded (progress display).
        on_start: Called once both engines have been checked, before the first game.
        on_move: Called after every move; games then run one at a time in this process.

    Raises:
        ValueError: a spec that cannot be parsed or started, or a database that cannot be opened.
        OSError: the database or SGF folder cannot be written (checked before the first game).
        ArenaError: the worker processes cannot play.
    """
    specs = _prepare(first, second, config)
    jobs = 1 if on_move is not None else min(config.jobs or os.cpu_count() or 1, config.games)
    tally = Tally(specs[0].name, specs[1].name, config.sprt)
    with _Recorder(config, specs) as recorder:
        if on_start is not None:
            on_start()
        for task, outcome in _run_tasks(_tasks(specs, config), jobs, tally.stopped, on_move):
            recorder.save(task.index, outcome)
            tally.add(outcome)
            if on_game is not None:
                on_game(outcome, tally.summary())
        recorder.finish(tally.summary())
        return replace(
            tally.summary(),
            match_id=recorder.match_id,
            db=config.db,
            sgf_dir=None if recorder.sgf_dir is None else str(recorder.sgf_dir),
        )


class _Recorder:
    """Writes each finished game: its SGF file, then its database row (parent process only)."""

    def __init__(self, config: MatchConfig, specs: list[EngineSpec]) -> None:
        self.config = config
        names = [spec.name for spec in specs]
        self.store: ArenaStore | None = None
        self.match_id: int | None = None
        self.ids: dict[str, int] = {}
        self.sgf_dir = Path(config.sgf_dir) if config.sgf_dir else None
        if config.db is not None:
            self.store = ArenaStore(config.db)
            rules = config.resolved_rules()
            for spec in specs:
                command = engine_argv(spec, rules)
                self.ids[spec.name] = self.store.engine_id(spec.name, spec.text, command)
            settings = {
                "games": config.games,
                "limits": asdict(config.limits),
                "sprt": None if config.sprt is None else asdict(config.sprt),
            }
            self.match_id = self.store.begin_match(
                self.ids[names[0]],
                self.ids[names[1]],
                config.size,
                config.rules,
                rules.komi,
                settings,
            )
            if self.sgf_dir is None:
                self.sgf_dir = Path(config.db).parent / "games" / f"match-{self.match_id:04d}"
        if self.sgf_dir is not None:
            self.sgf_dir.mkdir(parents=True, exist_ok=True)

    def save(self, index: int, outcome: GameOutcome) -> None:
        path = None
        if self.sgf_dir is not None:
            path = self.sgf_dir / f"game-{index + 1:04d}.sgf"
            save_sgf(outcome.record, path)
        if self.store is not None and self.match_id is not None:
            meta = outcome.record.metadata
            self.store.add_game(
                self.match_id,
                index,
                self.ids[meta["PB"]],
                self.ids[meta["PW"]],
                outcome,
                self.config.rules,
                None if path is None else str(path),
            )

    def finish(self, summary: MatchSummary) -> None:
        if self.store is not None and self.match_id is not None:
            self.store.finish_match(self.match_id, summary.as_dict())

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.store is not None:
            self.store.close()
