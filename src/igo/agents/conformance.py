"""The contract suite every player must pass (pgx ``api_test.py`` style).

``check_player(player)`` plays the player against itself on several board sizes, with and
without handicap and a tight byo-yomi clock, and checks each ``genmove``: a legal point, pass or
RESIGN; the state left untouched; an answer within the time the clock allows (counted in the CPU
time of the thread that asked, so that a loaded machine cannot fail a player); no pass on an empty
board; and games that end. It raises ``AssertionError`` with a message naming the first broken
promise. Every GTP engine's suite is ``igo.agents.gtp.conformance.check_engine``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from igo.agents.handicap import fixed_handicap
from igo.agents.player import RESIGN, Clock, Player, Resign, TimeSettings
from igo.go.coords import Color, Point, to_gtp
from igo.go.rules import PRESETS
from igo.go.state import GameState

# A 1-second byo-yomi: the tightest clock the suite gives, to catch players that ignore time.
_TIGHT_CLOCK = TimeSettings.canadian(0.0, 1.0, 1)
HANG_GUARD_S = 600.0
"""Seconds a move may take before the suite gives up on the player: a hang guard, not a speed
claim (a first move may compile kernels for minutes on a loaded machine)."""


def _call_with_timeout(
    fn: Callable[[], Point | Resign], seconds: float
) -> tuple[Point | Resign, float]:
    """Run ``fn`` on a worker thread; fail if it has not returned after ``seconds`` (a hang
    guard). Returns its answer and the CPU seconds the worker thread spent."""
    box: list[Point | Resign | BaseException] = []
    used = [0.0]

    def target() -> None:
        started = time.thread_time()
        try:
            box.append(fn())
        except BaseException as err:  # re-raised below, on the caller's thread
            box.append(err)
        used[0] = time.thread_time() - started

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"genmove did not return within {seconds:g} s (hang guard)"
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0], used[0]


def _check_move(state: GameState, move: Point | Resign, name: str) -> None:
    if move is RESIGN:
        return
    assert isinstance(move, int | np.integer), f"{name}: genmove returned {move!r}"
    assert 0 <= move <= state.size * state.size, f"{name}: move {move} is off the board"
    assert state.is_legal(int(move)), f"{name}: illegal move {to_gtp(int(move), state.size)}"


def play_self_game(
    player: Player,
    state: GameState,
    clock_settings: TimeSettings | None = None,
    move_timeout: float = HANG_GUARD_S,
) -> GameState:
    """Let ``player`` play both sides from ``state`` to the end, checking every move.

    Returns:
        The finished game (``state`` itself, played on).
    """
    player.reset(state.copy())
    clocks = {c: Clock.start(clock_settings) for c in Color if c} if clock_settings else {}
    while not state.is_over():
        color, before = state.to_play, (state.hash, len(state.moves), state.to_play)
        clock = clocks.get(color)
        move, used = _call_with_timeout(partial(player.genmove, state, clock), move_timeout)
        assert (state.hash, len(state.moves), state.to_play) == before, "genmove changed state"
        _check_move(state, move, player.name)
        if clock is not None:
            # The clock is charged CPU time, not wall time: other jobs on a loaded machine do
            # not make a player lose, a search that ignores the clock still burns the seconds.
            assert used < clock.time_left, f"{player.name} lost on time ({used:.2f} CPU s)"
            clocks[color] = clock.after_move(used)
        if move is RESIGN:
            assert state.moves, f"{player.name} resigned before playing a move"
            state.resign(color)
            break
        point = int(move)
        if not np.any(state.stones()):
            assert point != state.size * state.size, f"{player.name} passed on an empty board"
        state.play(point, color)
        player.observe(color, point)
    return state


def _warm_up(player: Player, state: GameState, move_timeout: float) -> None:
    """One untimed move from ``state`` (left as it is), so that the kernels of its rules compile
    before a clock runs: compiling is not thinking time."""
    player.reset(state.copy())
    _call_with_timeout(lambda: player.genmove(state.copy(), None), move_timeout)


def check_player(
    player: Player,
    sizes: tuple[int, ...] = (5, 9, 19),
    move_timeout: float = HANG_GUARD_S,
) -> None:
    """Play ``player`` against itself and check the Player contract.

    For every size: an even game under Chinese rules; a game under Tromp-Taylor rules (positional
    superko, suicide allowed) with a 1-second byo-yomi; and, from 7x7 up, a 2-stone handicap
    game. Every game must end by passes or resignation within ``4 * size**2`` moves.
    """
    assert isinstance(player.name, str) and player.name, "a player needs a name"
    for size in sizes:
        cap = 4 * size * size
        games = [
            (GameState.new(size, PRESETS["chinese"], move_cap=cap), None),
            (GameState.new(size, PRESETS["tromp-taylor"], move_cap=cap), _TIGHT_CLOCK),
        ]
        if size >= 7:
            handicap = GameState.new(size, PRESETS["aga"], move_cap=cap)
            handicap.place_handicap(fixed_handicap(size, 2))
            games.append((handicap, None))
        for state, clock in games:
            if clock is not None:
                _warm_up(player, state, move_timeout)
            final = play_self_game(player, state, clock, move_timeout)
            ended = final.resigned is not None or final.consecutive_passes >= 2
            assert ended, f"{player.name}: a {size}x{size} game did not end in {cap} moves"
