"""Contract suites every player and every GTP engine must pass (pgx ``api_test.py`` style).

``check_player(player)`` plays the player against itself on several board sizes, with and
without handicap and a tight byo-yomi clock, and checks each ``genmove``: a legal point, pass or
RESIGN; the state left untouched; an answer within the time the clock allows (counted in the CPU
time of the thread that asked, so that a loaded machine cannot fail a player); no pass on an empty
board; and games that end. ``check_engine(engine)`` drives a GTP engine through its command table
(framing included) with the commands GUIs and tournament tools send, good and bad, and checks
the replies. Both raise ``AssertionError`` with a message naming the first broken promise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from igo.agents.handicap import fixed_handicap
from igo.agents.player import RESIGN, Clock, Player, Resign, TimeSettings
from igo.go.coords import Color, Point, from_gtp, to_gtp
from igo.go.rules import PRESETS
from igo.go.state import GameState
from igo.io.gtp import Engine, execute, parse_line

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


class GtpSession:
    """Sends GTP lines to an engine's command table through the real framing code."""

    def __init__(self, engine: Engine) -> None:
        self.commands = engine.commands()
        self.log: list[str] = []

    def send(self, line: str) -> tuple[bool, str]:
        command = parse_line(line.encode("utf-8", errors="surrogateescape") + b"\n")
        assert command is not None, f"no command in {line!r}"
        reply = execute(self.commands, command, self.log.append)
        assert reply.endswith("\n\n") and "\n\n" not in reply[:-2], f"bad framing: {reply!r}"
        assert not reply.startswith("? internal error"), f"{line!r} crashed: {reply!r}"
        return reply[0] == "=", reply[1 + len(command.id or "") : -2].strip()

    def ok(self, line: str) -> str:
        success, text = self.send(line)
        assert success, f"{line!r} failed: {text}"
        return text

    def fails(self, line: str, message: str | None = None) -> None:
        success, text = self.send(line)
        assert not success, f"{line!r} should fail but answered {text!r}"
        if message is not None:
            assert text == message, f"{line!r}: expected '? {message}', got '? {text}'"


REQUIRED_COMMANDS = (
    "protocol_version", "name", "version", "known_command", "list_commands", "quit",
    "boardsize", "clear_board", "komi", "play", "genmove", "undo", "showboard",
    "fixed_handicap", "place_free_handicap", "set_free_handicap", "final_score",
    "final_status_list", "time_settings", "time_left",
)  # fmt: skip


def check_engine(engine: Engine, size: int = 9, max_moves: int = 200) -> None:
    """Drive a GTP engine as a GUI would and check its replies (see the module docstring).

    Args:
        engine: a fresh engine; its game state is changed.
        size: board size for the played game.
        max_moves: moves after which the game is stopped if nobody has passed twice.
    """
    gtp = GtpSession(engine)
    assert gtp.ok("protocol_version") == "2"
    assert gtp.ok("name") and gtp.ok("version") is not None
    listed = gtp.ok("list_commands").split("\n")
    for name in REQUIRED_COMMANDS:
        assert name in listed, f"list_commands lacks {name}"
        assert gtp.ok(f"known_command {name}") == "true"
    assert gtp.ok("known_command no-such-command") == "false"
    gtp.fails("no-such-command", "unknown command")
    _check_setup_errors(gtp)
    _check_moves(gtp, size)
    _check_handicap(gtp)
    _play_engine_game(gtp, size, max_moves)


def _check_setup_errors(gtp: GtpSession) -> None:
    for bad in ("boardsize 1", "boardsize 26", "boardsize 0"):
        gtp.fails(bad, "unacceptable size")
    for bad in ("boardsize x", "boardsize", "komi abc", "komi", "komi nan", "play", "genmove"):
        gtp.fails(bad)
    gtp.ok("boardsize 19")
    gtp.ok("komi 6.5")
    gtp.ok("time_settings 300 30 5")
    gtp.ok("time_left black 100 0")
    gtp.fails("time_left black soon 0")


def _check_moves(gtp: GtpSession, size: int) -> None:
    gtp.ok(f"boardsize {size}")
    gtp.ok("clear_board")
    gtp.fails("undo", "cannot undo")
    gtp.ok("play black C3")
    gtp.fails("play white C3", "illegal move")
    for bad in ("play purple D4", "play black Z99", "play black", "play black I5", "play b 4D"):
        gtp.fails(bad, "syntax error")
    gtp.ok("play white pass")
    board = gtp.ok("showboard")
    assert "X" in board and "\n\n" not in board
    gtp.ok("undo")
    gtp.ok("undo")
    gtp.fails("undo", "cannot undo")
    reply = gtp.ok("genmove b")
    if reply.lower() not in ("pass", "resign"):
        from_gtp(reply, size)
    gtp.ok("clear_board")


def _check_handicap(gtp: GtpSession) -> None:
    gtp.ok("boardsize 19")
    gtp.ok("clear_board")
    assert gtp.ok("fixed_handicap 9").split() == [
        "D4", "Q16", "D16", "Q4", "D10", "Q10", "K4", "K16", "K10",
    ]  # fmt: skip
    gtp.fails("fixed_handicap 2", "board not empty")
    gtp.ok("clear_board")
    gtp.fails("fixed_handicap 10", "invalid number of stones")
    gtp.fails("fixed_handicap 1", "invalid number of stones")
    assert len(gtp.ok("place_free_handicap 4").split()) == 4
    gtp.fails("set_free_handicap D4 Q16", "board not empty")
    gtp.ok("clear_board")
    gtp.fails("set_free_handicap D4 Z99", "bad vertex list")
    gtp.fails("set_free_handicap D4 D4", "bad vertex list")
    gtp.fails("set_free_handicap D4", "invalid number of stones")
    gtp.ok("set_free_handicap D4 Q16 K10")
    genmove = gtp.ok("genmove white")
    assert genmove.lower() != "resign"
    gtp.ok("clear_board")


def _play_engine_game(gtp: GtpSession, size: int, max_moves: int) -> None:
    gtp.ok(f"boardsize {size}")
    gtp.ok("clear_board")
    gtp.ok("komi 7.5")
    passes, color = 0, "black"
    for _ in range(max_moves):
        move = gtp.ok(f"genmove {color}").lower()
        if move == "resign":
            break
        passes = passes + 1 if move == "pass" else 0
        if passes == 2:
            break
        color = "white" if color == "black" else "black"
    score = gtp.ok("final_score")
    assert score == "0" or score[:2] in ("B+", "W+"), f"bad final_score {score!r}"
    for status in ("alive", "dead", "seki"):
        gtp.ok(f"final_status_list {status}")
    gtp.ok("clear_board")
