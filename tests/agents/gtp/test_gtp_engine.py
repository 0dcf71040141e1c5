"""GoEngine: the check_engine conformance suite plus the commands GUIs and servers rely on."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from igo.agents import RESIGN, Clock, create_player
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession, check_engine
from igo.agents.handicap import fixed_handicap, free_handicap, max_fixed_handicap
from igo.agents.player import Resign
from igo.go.coords import Color, Point, to_gtp
from igo.go.state import GameState


class ScriptedPlayer:
    """Plays a fixed list of moves (then passes) and records what the engine told it."""

    name = "scripted"

    def __init__(self, moves: list[Point | Resign] | None = None) -> None:
        self.moves = list(moves or [])
        self.clocks: list[Clock | None] = []
        self.resets = 0
        self.observed: list[tuple[Color, Point]] = []

    def reset(self, state: GameState) -> None:
        self.resets += 1

    def observe(self, color: Color, point: Point) -> None:
        self.observed.append((color, point))

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        self.clocks.append(clock)
        return self.moves.pop(0) if self.moves else state.num_points


def session(player: object | None = None, size: int = 9) -> GtpSession:
    engine = GoEngine(player or create_player("random", seed=0), size=size)  # type: ignore[arg-type]
    return GtpSession(engine)


def test_random_engine_conforms() -> None:
    check_engine(GoEngine(create_player("random", seed=0)))


def test_kata_get_rules_matches_katago() -> None:
    gtp = session()
    assert json.loads(gtp.ok("kata-get-rules")) == {
        "ko": "SIMPLE", "scoring": "AREA", "tax": "NONE", "suicide": False,
        "hasButton": False, "whiteHandicapBonus": "N", "friendlyPassOk": False,
    }  # fmt: skip
    gtp.ok("kata-set-rules tromp-taylor")
    rules = json.loads(gtp.ok("kata-get-rules"))
    assert (rules["ko"], rules["suicide"], rules["whiteHandicapBonus"]) == ("POSITIONAL", True, "0")
    gtp.ok("kata-set-rules japanese")
    assert json.loads(gtp.ok("kata-get-rules"))["scoring"] == "TERRITORY"
    gtp.ok('kata-set-rules {"ko":"SITUATIONAL","scoring":"AREA","suicide":true}')
    assert json.loads(gtp.ok("kata-get-rules"))["ko"] == "SITUATIONAL"
    gtp.ok("kata-set-rules chinese-ogs")
    gtp.fails("kata-set-rules nonsense")
    gtp.fails('kata-set-rules {"ko":"WEIRD"}')
    gtp.fails("kata-set-rules")


def test_kgs_rules_keep_komi_and_the_game() -> None:
    gtp = session()
    gtp.ok("komi 0.5")
    gtp.ok("play b E5")
    for name in ("japanese", "chinese", "aga", "new_zealand", "tromp-taylor"):
        gtp.ok(f"kgs-rules {name}")
    gtp.fails("kgs-rules martian")
    assert gtp.ok("list_stones black") == "E5"
    engine_rules = json.loads(gtp.ok("kata-get-rules"))
    assert engine_rules["ko"] == "POSITIONAL"


def test_komi_changes_keep_the_game() -> None:
    gtp = session()
    gtp.ok("play b E5")
    gtp.ok("komi 6.5")
    gtp.ok("komi -3")
    gtp.ok("komi 6.75")  # quarter komi is kept (test_gtp_game.py)
    assert gtp.ok("list_stones black") == "E5"
    for bad in ("komi inf", "komi 1e9", "komi 7.5 1"):
        gtp.fails(bad, "syntax error")


def test_play_goes_on_after_two_passes() -> None:
    gtp = session()
    gtp.ok("play b pass")
    gtp.ok("play w pass")
    gtp.ok("play b E5")
    assert gtp.ok("is_legal w E5") == "0"
    assert gtp.ok("is_legal w D5") == "1"
    gtp.ok("play w pass")
    gtp.ok("play b pass")
    move = gtp.ok("genmove w")
    assert move != "pass"
    gtp.ok("undo")
    gtp.ok("undo")
    assert gtp.ok("list_stones black") == "E5"


def test_captures_and_undo() -> None:
    gtp = session()
    for line in ("play b A2", "play w A1", "play b B1"):
        gtp.ok(line)
    assert gtp.ok("captures black") == "1"
    assert gtp.ok("list_stones white") == ""
    gtp.ok("undo")
    assert gtp.ok("captures black") == "0"
    assert gtp.ok("list_stones white") == "A1"
    gtp.fails("captures purple", "syntax error")


def test_genmove_for_either_colour_and_reg_genmove() -> None:
    player = ScriptedPlayer([40, 41, 42])
    gtp = session(player)
    assert gtp.ok("genmove white") == to_gtp(40, 9)
    assert gtp.ok("genmove white") == to_gtp(41, 9)  # same colour twice is allowed in GTP
    assert gtp.ok("reg_genmove black") == to_gtp(42, 9)
    assert gtp.ok("list_stones black") == ""
    assert player.observed == [(Color.WHITE, 40), (Color.WHITE, 41)]


def test_resign_and_illegal_player_moves() -> None:
    logs: list[str] = []
    player = ScriptedPlayer([RESIGN, 40, 40])
    gtp = GtpSession(GoEngine(player, size=9, log=logs.append))
    assert gtp.ok("genmove b") == "resign"
    assert gtp.ok("genmove b") == to_gtp(40, 9)
    assert gtp.ok("genmove w") == "pass"  # 40 is taken: the engine passes instead
    assert any("illegal" in line for line in logs)


def test_kgs_genmove_cleanup_does_not_pass_while_moves_remain() -> None:
    gtp = session(ScriptedPlayer())
    assert gtp.ok("genmove b") == "pass"
    assert gtp.ok("kgs-genmove_cleanup b") != "pass"


def test_time_commands_reach_the_player() -> None:
    player = ScriptedPlayer()
    gtp = session(player)
    gtp.ok("genmove b")
    gtp.ok("time_settings 300 30 5")
    gtp.ok("genmove w")
    gtp.ok("time_left black 12 3")
    gtp.ok("genmove b")
    gtp.ok("kgs-time_settings byoyomi 0 10 3")
    gtp.ok("genmove w")
    gtp.ok("time_settings 0 1 0")  # byo-yomi time without stones: no limit (GTP 2, 4.2)
    gtp.ok("genmove b")
    none, canadian, in_period, japanese, unlimited = player.clocks
    assert none is None and unlimited is None
    assert canadian is not None and canadian.time_left == 300 and not canadian.in_byo_yomi
    assert in_period is not None and (in_period.time_left, in_period.stones_left) == (12, 3)
    assert japanese is not None and japanese.settings.byo_yomi == "japanese"
    for good in ("kgs-time_settings none", "kgs-time_settings absolute 60",
                 "kgs-time_settings canadian 60 30 5"):  # fmt: skip
        gtp.ok(good)
    for bad in ("time_settings 1 2", "time_settings a b c", "time_settings -1 0 0",
                "kgs-time_settings byoyomi 1", "kgs-time_settings fischer 1 2", "time_left b x 0",
                "time_left b 1", "time_left green 1 0"):  # fmt: skip
        gtp.fails(bad, "syntax error")


@pytest.mark.parametrize("size", [7, 8, 9, 10, 13, 19, 25])
def test_fixed_handicap_for_every_size(size: int) -> None:
    gtp = session(size=size)
    limit = max_fixed_handicap(size)
    for count in range(2, limit + 1):
        gtp.ok("clear_board")
        vertices = gtp.ok(f"fixed_handicap {count}").split()
        assert len(set(vertices)) == count
        assert gtp.ok("list_stones black").split() == sorted_vertices(vertices, size)
    gtp.ok("clear_board")
    gtp.fails(f"fixed_handicap {limit + 1}", "invalid number of stones")
    gtp.fails("fixed_handicap x", "syntax error")


def sorted_vertices(vertices: list[str], size: int) -> list[str]:
    from igo.go.coords import from_gtp

    return [to_gtp(p, size) for p in sorted(from_gtp(v, size) for v in vertices)]


def test_no_fixed_handicap_below_seven() -> None:
    gtp = session(size=6)
    gtp.fails("fixed_handicap 2", "invalid number of stones")
    assert len(gtp.ok("place_free_handicap 3").split()) == 3


def test_odd_boards_use_tengen_only_for_odd_counts() -> None:
    centre = {to_gtp(p, 19) for p in fixed_handicap(19, 5)} - {
        to_gtp(p, 19) for p in fixed_handicap(19, 4)
    }
    assert centre == {"K10"}
    assert "K10" not in {to_gtp(p, 19) for p in fixed_handicap(19, 6)}
    assert "K10" not in {to_gtp(p, 19) for p in fixed_handicap(19, 8)}


def test_free_handicap_spreads_beyond_the_fixed_points() -> None:
    points = free_handicap(19, 13)
    assert points[:9] == fixed_handicap(19, 9) and len(set(points)) == 13
    assert len(set(free_handicap(3, 8))) == 8
    gtp = session(size=5)
    gtp.fails("place_free_handicap 25", "invalid number of stones")
    assert len(gtp.ok("place_free_handicap 24").split()) == 24


@pytest.mark.gnugo
@pytest.mark.skipif(shutil.which("gnugo", path="/usr/games:/usr/bin") is None, reason="no GNU Go")
def test_fixed_handicap_agrees_with_gnugo() -> None:
    gnugo = shutil.which("gnugo", path="/usr/games:/usr/bin")
    assert gnugo is not None
    script, expected = [], []
    for size in (7, 8, 9, 12, 13, 19):
        for count in range(2, max_fixed_handicap(size) + 1):
            script += [f"boardsize {size}", f"fixed_handicap {count}"]
            expected.append({to_gtp(p, size) for p in fixed_handicap(size, count)})
    out = subprocess.run(
        [gnugo, "--mode", "gtp"], input="\n".join(script) + "\n", capture_output=True,
        text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    replies = [r.removeprefix("=").split() for r in out.strip().split("\n\n")][1::2]
    assert [set(r) for r in replies] == expected


def test_final_status_and_score() -> None:
    gtp = session()
    # A lone white stone deep inside a black wall is dead; the wall is alive.
    for row in range(1, 10):
        gtp.ok(f"play b D{row}")
    gtp.ok("play w B5")
    assert gtp.ok("final_status_list dead") == "B5"
    alive = gtp.ok("final_status_list alive").split("\n")
    assert alive == ["D9 D8 D7 D6 D5 D4 D3 D2 D1"]  # one string per line, in board order
    assert gtp.ok("final_status_list seki") == ""
    assert gtp.ok("final_score") == "B+73.5"
    gtp.fails("final_status_list maybe", "syntax error")


def test_showboard_has_no_blank_lines() -> None:
    gtp = session(size=19)
    board = gtp.ok("showboard")
    assert "\n\n" not in board and board.count("\n") >= 20


def test_set_free_handicap_and_printsgf_roundtrip(tmp_path: Path) -> None:
    gtp = session()
    gtp.ok("set_free_handicap C3 G7 E5")
    gtp.ok("play w C7")
    gtp.ok("play b pass")
    gtp.ok("play w pass")
    gtp.ok("play b G3")  # after two passes, still a game in GTP
    text = gtp.ok("printsgf")
    assert "HA[3]" in text and "AB[" in text and "W[cc]" in text
    path = tmp_path / "game.sgf"
    gtp.ok(f"printsgf {path}")
    other = session()
    other.ok(f"loadsgf {path}")
    assert set(other.ok("list_stones black").split()) == {"G7", "E5", "C3", "G3"}
    assert other.ok("list_stones white") == "C7"
    other.ok(f"loadsgf {path} 2")  # the position before move 2: handicap and W C7
    assert set(other.ok("list_stones black").split()) == {"G7", "E5", "C3"}
    assert other.ok("list_stones white") == "C7"
    missing = tmp_path / "missing.sgf"
    other.fails(f"loadsgf {missing}", f"cannot load file: {missing}: no such file or directory")
    other.fails("loadsgf", "syntax error")
    (tmp_path / "bad.sgf").write_text("(;SZ[9];B[ee];W[ee])")
    bad = tmp_path / "bad.sgf"
    other.fails(
        f"loadsgf {bad}", f"cannot load file: {bad}: move 2 (W[ee] E5) is illegal: occupied"
    )
    assert other.ok("list_stones white") == "C7"  # a failed load leaves the game alone
    other.fails(f"printsgf {tmp_path / 'no-such-dir' / 'x.sgf'}")


def test_boardsize_and_clear_board_reset_the_player() -> None:
    player = ScriptedPlayer()
    gtp = session(player)
    before = player.resets
    gtp.ok("boardsize 13")
    gtp.ok("clear_board")
    gtp.ok("play b D4")
    gtp.ok("undo")
    assert player.resets == before + 3
    gtp.fails("boardsize 13 13", "syntax error")
