"""GoEngine's game across rule changes, quarter komi, loadsgf's reasons, sizes a network refuses.

The positions are ASCII boards (``X`` black, ``O`` white) set up with ``play`` commands, and the
rest are GTP scripts, as a controller would send them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from igo.agents import create_player
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.nets import MissingWeightsError
from igo.agents.player import Clock, Resign
from igo.go.coords import Color, Point, to_gtp
from igo.go.state import GameState
from igo.go.text import parse_ascii


def engine(size: int = 9, player: object | None = None) -> tuple[GtpSession, list[str]]:
    """A session with a random player (unless given) and the engine's log."""
    log: list[str] = []
    player = player or create_player("random", seed=0)
    return GtpSession(GoEngine(player, size=size, log=log.append)), log  # type: ignore[arg-type]


def board(gtp: GtpSession) -> str:
    """The stones as ``showboard`` rows, coordinates stripped: comparable with an ASCII board."""
    rows = gtp.ok("showboard").split("\n")[1:-2]
    return "\n".join(" ".join(row.split()[1:-1]) for row in rows)


def place(gtp: GtpSession, ascii_board: str) -> None:
    """Put the stones of ``ascii_board`` on the empty board with ``play`` (any order works: a
    subset of a position has no string without liberties)."""
    size, black, white = parse_ascii(ascii_board)
    for color, points in (("b", black), ("w", white)):
        for point in points:
            gtp.ok(f"play {color} {to_gtp(point, size)}")


def same_stones(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n"))


# ----------------------------------------------------------------------------- rule changes
SUICIDE_BEFORE = """
. . . . X
. . . . X
O . . . .
X O . . .
. O . . .
"""
SUICIDE_AFTER = """
. . . . X
. . . . X
O . . . .
. O . . .
. O . . .
"""


def test_multi_stone_suicide_then_chinese_rules() -> None:
    gtp, _ = engine(size=5)
    gtp.ok("kata-set-rules tromp-taylor")
    for line in ("b A2", "w A3", "b E5", "w B2", "b E4", "w B1"):
        gtp.ok(f"play {line}")
    assert board(gtp) == same_stones(SUICIDE_BEFORE)
    gtp.ok("play b A1")  # A1 + A2: a two-stone suicide, legal under Tromp-Taylor
    assert board(gtp) == same_stones(SUICIDE_AFTER)
    # It used to answer "? internal error: IllegalMove: illegal move (suicide)".
    gtp.ok("kata-set-rules chinese")
    assert board(gtp) == same_stones(SUICIDE_AFTER)
    assert gtp.ok("captures white") == "2"
    assert json.loads(gtp.ok("kata-get-rules"))["suicide"] is False
    gtp.ok("undo")  # across the change: the suicide is taken back, the rules stay Chinese
    assert board(gtp) == same_stones(SUICIDE_BEFORE)
    assert gtp.ok("is_legal b A1") == "0"
    gtp.fails("play b A1", "illegal move")
    gtp.ok("kgs-rules tromp-taylor")
    gtp.ok("play b A1")
    assert board(gtp) == same_stones(SUICIDE_AFTER)


TRIPLE_KO = """
. X O . . . . . .
X O . O . . . . .
. X O . . . . . .
. . . . . . . . .
. . . . . . . . .
. . . . . . . . .
. X O . . . X O .
X . X O . X O . O
. X O . . . X O .
"""
"""Three kos: black holds the lower left one, white the others; black to play."""
CYCLE = ("b H2", "w B2", "b C8", "w G2", "b C2", "w B8")
"""Each side takes a ko in turn: after six moves the position is back, black to play."""


def test_triple_ko_under_simple_ko_then_tromp_taylor() -> None:
    gtp, _ = engine()
    gtp.ok("kata-set-rules japanese")
    place(gtp, TRIPLE_KO)
    for move in CYCLE * 2 + CYCLE[:1]:
        gtp.ok(f"play {move}")  # simple ko allows the cycle
    repeated = board(gtp)
    # It used to answer "? internal error: IllegalMove: illegal move (superko)".
    gtp.ok("kata-set-rules tromp-taylor")
    assert board(gtp) == repeated
    # From here on, no earlier position may come back, whatever rules it was played under.
    gtp.fails(f"play {CYCLE[1]}", "illegal move")
    assert gtp.ok("is_legal w B2") == "0" and gtp.ok("is_legal w D5") == "1"
    gtp.ok("undo")  # across the change: back to the repeated position, black to play
    assert board(gtp) == same_stones(TRIPLE_KO)
    assert gtp.ok("is_legal b H2") == "0"
    assert json.loads(gtp.ok("kata-get-rules"))["ko"] == "POSITIONAL"
    gtp.ok("kata-set-rules japanese")
    assert gtp.ok("is_legal b H2") == "1"


def test_printsgf_then_loadsgf_reads_back_rule_changes(tmp_path: Path) -> None:
    gtp, _ = engine()
    gtp.ok("kata-set-rules japanese")
    place(gtp, TRIPLE_KO)
    for move in CYCLE * 2:
        gtp.ok(f"play {move}")
    gtp.ok("kata-set-rules tromp-taylor")
    gtp.ok("play b D5")
    gtp.ok("komi 0.25")  # komi counts for the whole game: no change recorded for it
    text = gtp.ok("printsgf")
    assert "KM[0.25]" in text and text.count("IGORULES[") == 1
    # On the node of move 33, after which the change applies.
    assert "IGORULES[koPOSITIONALsui1]W[bb];B[de])" in text.replace("\n", "")
    path = tmp_path / "game.sgf"
    gtp.ok(f"printsgf {path}")
    other, _ = engine()
    other.ok(f"loadsgf {path}")
    assert board(other) == board(gtp)
    for probe in ("is_legal w B2", "is_legal b H2", "kata-get-rules", "final_score"):
        assert other.ok(probe) == gtp.ok(probe), probe
    changed_after = 21 + len(CYCLE) * 2  # the stones placed, then the cycle twice
    other.ok(f"loadsgf {path} {changed_after}")  # the position before that move: Japanese
    assert json.loads(other.ok("kata-get-rules"))["ko"] == "SIMPLE"
    other.ok(f"loadsgf {path} {changed_after + 1}")  # after it: Tromp-Taylor
    assert json.loads(other.ok("kata-get-rules"))["ko"] == "POSITIONAL"


def test_komi_changes_keep_working_around_rule_changes() -> None:
    gtp, _ = engine(size=5)
    gtp.ok("play b C3")
    gtp.ok("komi 5")
    gtp.ok("kgs-rules japanese")  # keeps komi 5
    gtp.ok("play w B2")
    gtp.ok("komi 0.5")
    gtp.ok("undo")
    assert "KM[0.5]" in gtp.ok("printsgf")
    assert gtp.ok("list_stones black") == "C3" and gtp.ok("list_stones white") == ""


# ----------------------------------------------------------------------------- quarter komi
def test_quarter_komi_is_kept_and_scored() -> None:
    gtp, log = engine(size=5)
    gtp.ok("komi 0.25")
    assert gtp.ok("final_score") == "W+0.25"  # an empty board: komi alone
    gtp.ok("komi -3.75")
    assert gtp.ok("final_score") == "B+3.75"
    assert log == []
    gtp.ok("komi 6.3")  # GTP: any komi is accepted; played in quarter points, and said so
    assert gtp.ok("final_score") == "W+6.25"
    assert log == ["komi 6.3 is played as 6.25 (komi goes in quarter points)"]
    gtp.ok('kata-set-rules {"komi":3.75,"scoring":"AREA"}')
    assert gtp.ok("final_score") == "W+3.75"
    gtp.fails('kata-set-rules {"komi":3.3}')
    assert "KM[3.75]" in gtp.ok("printsgf")


# ----------------------------------------------------------------------------- loadsgf
class NinePlayer:
    """A player whose network plays 9x9 only, as alphago's do."""

    name = "alphago"
    board_sizes = (9,)

    def reset(self, state: GameState) -> None:
        pass

    def observe(self, color: Color, point: Point) -> None:
        pass

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        if state.size != 9:
            raise ValueError(f"alphago plays 9x9 only, not {state.size}x{state.size}")
        return state.num_points


def test_loadsgf_says_why_it_cannot(tmp_path: Path) -> None:
    gtp, log = engine(player=NinePlayer())
    gtp.ok("play b E5")
    files = {
        "broken.sgf": "(;GM[1]SZ[9];B[ee]",
        "illegal.sgf": "(;GM[1]SZ[9];B[ee];W[dd];B[dd])",
        "huge.sgf": "(;GM[1]SZ[30])",
        "big.sgf": "(;GM[1]SZ[19];B[pd])",
        "komi.sgf": "(;GM[1]SZ[9]KM[six])",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    why = {
        "missing.sgf": "no such file or directory",
        "broken.sgf": "unbalanced tree: 1 '(' never closed",
        "illegal.sgf": "move 3 (B[dd] D6) is illegal: occupied",
        "huge.sgf": "SZ[30] is out of range 2..25",
        "komi.sgf": "bad KM[six]: could not convert string to float: 'six'",
        "big.sgf": "a 19x19 game; alphago plays 9x9 only (its networks are 9x9); for 19x19 use "
        "--player auto (the default) or a --checkpoint with pooled heads",
    }
    for name, reason in why.items():
        gtp.fails(f"loadsgf {tmp_path / name}", f"cannot load file: {tmp_path / name}: {reason}")
    gtp.fails(f"loadsgf {tmp_path}", f"cannot load file: {tmp_path}: is a directory")
    assert gtp.ok("list_stones black") == "E5"  # every failed load left the game alone
    assert log == [why["big.sgf"].split("; ", 1)[1]]
    (tmp_path / "quarter.sgf").write_text("(;GM[1]SZ[9]KM[6.25]RE[W+0.25];B[ee];W[cc])")
    gtp.ok(f"loadsgf {tmp_path / 'quarter.sgf'}")
    assert "KM[6.25]" in gtp.ok("printsgf") and gtp.ok("list_stones white") == "C7"


# ----------------------------------------------------------------------------- sizes, version
def test_a_size_the_network_cannot_play_is_refused_with_a_reason() -> None:
    gtp, log = engine(player=NinePlayer())
    gtp.fails("boardsize 19", "unacceptable size")
    assert log == [
        "alphago plays 9x9 only (its networks are 9x9); for 19x19 use --player auto "
        "(the default) or a --checkpoint with pooled heads"
    ]
    gtp.fails("boardsize 26", "unacceptable size")
    assert log[-1] == "igo plays board sizes 2 to 25, not 26"
    gtp.ok("boardsize 9")
    assert gtp.ok("genmove b") == "pass"


def test_the_zero_player_says_why_it_refuses_19x19() -> None:
    """The real player (its shipped 9x9 network, fixed heads), as ``igo gtp --player zero``
    runs it; ``alphago`` plays 19x19 (rollouts and its policy net resized) and says so."""
    try:
        player = create_player("zero", visits=2, device="cpu")
    except MissingWeightsError:
        pytest.skip("the zero weights are not installed")
    gtp, log = engine(player=player)
    gtp.fails("boardsize 19", "unacceptable size")
    assert log == [
        "zero plays 9x9 only (its networks are 9x9); for 19x19 use --player auto "
        "(the default) or a --checkpoint with pooled heads"
    ]
    assert gtp.ok("name") == "igo (zero)" and board(gtp).count("\n") == 8
    try:
        alphago = create_player("alphago", visits=2, device="cpu")
    except MissingWeightsError:
        return
    gtp, log = engine(player=alphago)
    gtp.ok("boardsize 19")
    assert log[-1].startswith("alphago at 19x19: its value network plays 9x9 only")


def test_a_position_the_player_refuses_is_a_gtp_error() -> None:
    player = NinePlayer()
    player.board_sizes = (9, 13)  # the engine believes 13 is fine; the player refuses it
    gtp, _ = engine(player=player)
    gtp.ok("boardsize 13")
    for command in ("genmove b", "reg_genmove w", "kgs-genmove_cleanup b"):
        gtp.fails(command, "cannot generate a move: alphago plays 9x9 only, not 13x13")


def test_known_command_and_version() -> None:
    gtp, _ = engine()
    assert gtp.ok("known_command") == "false"  # as GNU Go
    assert gtp.ok("known_command play") == "true"
    assert gtp.ok("version") != "0.17"
    lizzie = GtpSession(GoEngine(create_player("random"), size=9, version="0.17"))
    assert lizzie.ok("version") == "0.17"
