"""The Player protocol every agent implements, time control, and the registry of players by name.

A player sees the game through :class:`~igo.go.state.GameState` and answers ``genmove`` with a
flat :data:`~igo.go.coords.Point` (pass included) or :data:`RESIGN`. Time arrives as a
:class:`Clock`, built from :class:`TimeSettings` by whoever runs the game (the GTP engine, the
arena); ``Clock.budget_seconds`` turns it into a per-move budget with a safety margin.

Players register themselves with :func:`register_player`, with the options they take
(``igo.agents.player_options``); ``igo/agents/__init__.py`` imports each player module explicitly
so that the registry is complete once ``igo.agents`` is imported.
"""

from __future__ import annotations

import enum
import functools
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from igo.go.coords import Color, Point
from igo.go.state import GameState


class Resign(enum.Enum):
    """The type of the :data:`RESIGN` sentinel, so ``Point | Resign`` type-checks."""

    RESIGN = "resign"


RESIGN = Resign.RESIGN
"""Returned by ``genmove`` to resign the game."""


@runtime_checkable
class Player(Protocol):
    """An agent that chooses moves. Implementations keep no global state."""

    name: str
    """Registry name of the player kind (``random``, ``mcts``...)."""

    def reset(self, state: GameState) -> None:
        """Forget the old game: a new game or an arbitrary new position starts at ``state``."""
        ...

    def observe(self, color: Color, point: Point) -> None:
        """``color`` played ``point`` (pass included) in the game; lets search reuse its tree."""
        ...

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        """Choose a legal move for ``state.to_play`` (``clock`` None: no time limit).

        Must not change ``state``. Returns a legal point, the pass point, or RESIGN.
        """
        ...


@runtime_checkable
class Seedable(Protocol):
    """A player whose randomness a new seed can restart between games (GTP ``set_random_seed``),
    so that an arena can keep one engine for many games and still give each its own seed."""

    def reseed(self, seed: int) -> None:
        """Restart every random generator from ``seed``, as ``--seed`` would at start-up."""
        ...


@runtime_checkable
class VisitCounting(Protocol):
    """A searching player that says how many simulations its last move's search ran (GTP
    ``igo-search_stats`` adds them up: what a faster network buys at equal time per move)."""

    last_visits: int | None
    """New simulations of the last ``genmove`` (None before the first)."""


ByoYomi = Literal["canadian", "japanese"]

# Seconds kept back for process and network lag on every timed move.
_LAG_SECONDS = 0.5


@dataclass(frozen=True)
class TimeSettings:
    """A time control with a limit (no limit at all is expressed as ``None`` by callers)."""

    main_time: float = 0.0
    """Seconds of main time per player."""
    byo_yomi_time: float = 0.0
    """Seconds per byo-yomi period; 0 means absolute time (no byo-yomi)."""
    byo_yomi_stones: int = 0
    """Canadian: stones to play in each period. Japanese: 1 (one move per period)."""
    byo_yomi_periods: int = 1
    """Japanese: number of periods; canadian: always 1 (the period repeats)."""
    byo_yomi: ByoYomi = "canadian"
    """Canadian (N stones in T seconds) or Japanese (P periods of T seconds, one move each)."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.main_time) and self.main_time >= 0):
            raise ValueError(f"main time must be a non-negative number, not {self.main_time!r}")
        if not (math.isfinite(self.byo_yomi_time) and self.byo_yomi_time >= 0):
            raise ValueError(f"byo-yomi time must be non-negative, not {self.byo_yomi_time!r}")
        if self.byo_yomi_stones < 0 or self.byo_yomi_periods < 0:
            raise ValueError("byo-yomi stones and periods must be non-negative")
        if self.byo_yomi not in ("canadian", "japanese"):
            raise ValueError(f"byo-yomi must be canadian or japanese, not {self.byo_yomi!r}")
        if self.has_byo_yomi and (self.byo_yomi_stones < 1 or self.byo_yomi_periods < 1):
            raise ValueError("byo-yomi needs at least one stone and one period")
        if self.main_time == 0 and not self.has_byo_yomi:
            raise ValueError("a time control needs main time or byo-yomi")

    @property
    def has_byo_yomi(self) -> bool:
        """Whether any time remains after main time runs out."""
        return self.byo_yomi_time > 0

    @staticmethod
    def absolute(main_time: float) -> TimeSettings:
        """Sudden death: ``main_time`` seconds for the whole game."""
        return TimeSettings(main_time=main_time)

    @staticmethod
    def canadian(main_time: float, period_time: float, stones: int) -> TimeSettings:
        """Main time, then ``stones`` moves in every ``period_time`` seconds (GTP time_settings)."""
        return TimeSettings(main_time, period_time, stones, 1, "canadian")

    @staticmethod
    def japanese(main_time: float, period_time: float, periods: int) -> TimeSettings:
        """Main time, then ``periods`` periods of ``period_time`` seconds, one move each."""
        return TimeSettings(main_time, period_time, 1, periods, "japanese")


@dataclass(frozen=True)
class Clock:
    """One side's clock, in GTP ``time_left`` terms."""

    settings: TimeSettings
    """The time control in force."""
    time_left: float
    """Seconds left in main time, or in the current byo-yomi period."""
    stones_left: int = 0
    """0 while in main time; in byo-yomi, canadian: stones still to play in this period,
    japanese: periods left (as KGS reports them)."""

    @staticmethod
    def start(settings: TimeSettings) -> Clock:
        """A fresh clock at the start of a game."""
        if settings.main_time > 0:
            return Clock(settings, settings.main_time, 0)
        return Clock(settings, settings.byo_yomi_time, _period_stones(settings))

    @property
    def in_byo_yomi(self) -> bool:
        """Whether main time is used up."""
        return self.stones_left > 0

    def budget_seconds(self, moves_left_estimate: int) -> float:
        """Seconds the next move may take without risking a loss on time.

        Args:
            moves_left_estimate: how many more moves this side expects to play (see
                :func:`estimate_moves_left`); only main and absolute time are spread over them.

        Returns:
            A non-negative budget, kept well under what the clock allows (lag margin included).
        """
        moves = max(1, moves_left_estimate)
        if self.in_byo_yomi:
            return _safe(self.time_left / self._period_moves())
        spread = _safe(self.time_left / moves)
        if not self.settings.has_byo_yomi:
            return spread
        # Overrunning main time starts a period, so one period's safe share adds to the budget.
        per_move = self.settings.byo_yomi_time
        if self.settings.byo_yomi == "canadian":
            per_move /= self.settings.byo_yomi_stones
        return spread + _safe(per_move)

    def _period_moves(self) -> int:
        return self.stones_left if self.settings.byo_yomi == "canadian" else 1

    def after_move(self, elapsed: float) -> Clock:
        """The clock after this side spent ``elapsed`` seconds on a move (our own bookkeeping
        when the controller sends no ``time_left``). A lost clock stays at zero time left."""
        settings, left = self.settings, self.time_left - max(0.0, elapsed)
        if not self.in_byo_yomi:
            if left > 0 or not settings.has_byo_yomi:
                return replace(self, time_left=max(0.0, left))
            # Main time ran out during this move: the overrun continues into the first period.
            return Clock(settings, settings.byo_yomi_time, _period_stones(settings)).after_move(
                -left
            )
        if settings.byo_yomi == "japanese":
            periods = self.stones_left
            while left < 0 and periods > 1:
                periods, left = periods - 1, left + settings.byo_yomi_time
            if left < 0:
                return replace(self, time_left=0.0, stones_left=1)
            return Clock(settings, settings.byo_yomi_time, periods)
        if left < 0:
            return replace(self, time_left=0.0)
        if self.stones_left <= 1:
            return Clock(settings, settings.byo_yomi_time, settings.byo_yomi_stones)
        return Clock(settings, left, self.stones_left - 1)


def _period_stones(settings: TimeSettings) -> int:
    if settings.byo_yomi == "japanese":
        return settings.byo_yomi_periods
    return settings.byo_yomi_stones


def _safe(seconds: float) -> float:
    """Keep back a margin for lag: a fixed amount on long budgets, a fraction on short ones."""
    return max(0.0, 0.8 * seconds - min(_LAG_SECONDS, 0.3 * seconds))


def estimate_moves_left(state: GameState) -> int:
    """A rough count of the moves the side to play still has to make (at least 10)."""
    # Games last about 1.5 moves per point in total, half of them for each side.
    expected_total = int(1.5 * state.size * state.size)
    return max(10, (expected_total - len(state.moves)) // 2)


def prepare_player(player: Player) -> None:
    """Do a player's heavy start-up work now (load its networks, compile its kernels), if it has
    any. Such players define ``prepare()``: idempotent, thread-safe, and run by their first move
    otherwise; building a player stays cheap, so an engine can answer at once."""
    prepare = getattr(player, "prepare", None)
    if prepare is not None:
        prepare()


PlayerFactory = Callable[..., Player]
F = TypeVar("F", bound=PlayerFactory)
OptionDefaults = dict[str, dict[str, Any]]
"""A player's option defaults: label (``mcts``, ``mcts --checkpoint``) -> option -> default."""


@dataclass(frozen=True)
class _Kind:
    """A registered player: its factory and the options (``igo.agents.player_options``) it
    takes."""

    factory: PlayerFactory
    options: tuple[str, ...]
    defaults: Callable[[], OptionDefaults]


_PLAYERS: dict[str, _Kind] = {}


def register_player(
    name: str,
    options: tuple[str, ...] | None = None,
    defaults: Callable[[], OptionDefaults] | None = None,
) -> Callable[[F], F]:
    """Decorator: register a player class or factory under ``name`` (must be new).

    Args:
        name: the player's name (``--player NAME``).
        options: the keywords of the options it takes; None: its factory's parameters.
        defaults: its options' defaults (for help pages); None: its parameters' defaults.
    """

    def decorate(factory: F) -> F:
        if name in _PLAYERS and _PLAYERS[name].factory is not factory:
            raise ValueError(f"player {name!r} is already registered")
        keys = _parameters(factory) if options is None else options
        found = defaults or functools.partial(_parameter_defaults, name, factory)
        _PLAYERS[name] = _Kind(factory, keys, found)
        return factory

    return decorate


def _kind(name: str) -> _Kind:
    if name not in _PLAYERS:
        raise ValueError(f"unknown player {name!r}; choose one of {', '.join(list_players())}")
    return _PLAYERS[name]


def create_player(name: str, **kwargs: Any) -> Player:
    """Build a registered player; keyword arguments are its options (e.g. ``seed``)."""
    return _kind(name).factory(**kwargs)


def list_players() -> list[str]:
    """Names of all registered players, sorted."""
    return sorted(_PLAYERS)


def accepted_options(name: str) -> tuple[str, ...]:
    """The options player ``name`` takes (what the CLI may pass its factory)."""
    return _kind(name).options


def option_defaults(name: str) -> OptionDefaults:
    """The defaults of player ``name``'s options, by label (its presets, for a search player)."""
    return _kind(name).defaults()


def _parameters(factory: PlayerFactory) -> tuple[str, ...]:
    parameters = inspect.signature(factory).parameters.values()
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in kinds)


def _parameter_defaults(name: str, factory: PlayerFactory) -> OptionDefaults:
    parameters = inspect.signature(factory).parameters.values()
    return {name: {p.name: p.default for p in parameters if p.default is not p.empty}}


def board_sizes_of(player: object) -> tuple[int, ...] | None:
    """The board sizes a player can play, from its optional ``board_sizes`` attribute (a network
    plays the size it was built for); None: any size."""
    sizes = getattr(player, "board_sizes", None)
    return None if sizes is None else tuple(int(s) for s in sizes)
