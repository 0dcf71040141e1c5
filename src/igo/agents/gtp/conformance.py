"""The contract suite every GTP engine must pass.

``check_engine(engine)`` drives a GTP engine through its command table (framing included) with
the commands GUIs and tournament tools send, good and bad, and checks the replies; it raises
``AssertionError`` with a message naming the first broken promise. ``GtpSession`` sends single
lines the same way, for tests of one command. (Every player's suite is
``igo.agents.conformance.check_player``.)
"""

from __future__ import annotations

from igo.go.coords import from_gtp
from igo.io.gtp import Engine, execute, parse_line

__all__ = ["REQUIRED_COMMANDS", "GtpSession", "check_engine"]


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
