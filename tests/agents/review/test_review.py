"""``igo.agents.review``: a real short game searched position by position, the annotated SGF read
back by igo's reader and by sgfmill, the report and graph, resumption, and the judge's labels."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sgfmill import sgf

from igo.agents import create_player
from igo.agents.mcts_player import MctsPlayer
from igo.agents.review.analyse import Candidate, PositionAnalysis, ReviewSettings
from igo.agents.review.files import FileReview, outputs_for, review_file
from igo.agents.review.judge import Thresholds, judge
from igo.go.coords import Color, from_gtp
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.io.sgf import read_sgf, record_from_state, save_sgf

# A 5x5 game in GTP vertices; black passes at move 11 with a group to save (a blunder whatever
# the search's noise), and both end by passing.
MOVES = "C3 B3 C4 D4 B4 D3 C2 D2 C1 D1 pass C5 B5 D5 A4 A3 pass pass".split()
SETTINGS = ReviewSettings(visits=160)


def write_game(path: Path) -> None:
    """The game above, played by the rules engine and saved as SGF."""
    state = GameState.new(5, Rules(komi=0.5))
    for vertex in MOVES:
        state.play(from_gtp(vertex, 5))
    save_sgf(record_from_state(state, metadata={"PB": "black", "PW": "white"}), path)


@pytest.fixture(scope="module")
def player() -> MctsPlayer:
    built = create_player("mcts", seed=1)
    assert isinstance(built, MctsPlayer)
    return built


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory, player: MctsPlayer) -> FileReview:
    folder = tmp_path_factory.mktemp("review")
    write_game(folder / "game.sgf")
    outputs = outputs_for(folder / "game.sgf", None, several=False)
    return review_file(folder / "game.sgf", outputs, lambda size: player, SETTINGS)


def main_line(game: sgf.Sgf_game) -> list[sgf.Tree_node]:
    node, out = game.get_root(), []
    while len(node):
        node = node[0]
        out.append(node)
    return out


def test_outputs_sit_beside_the_input(reviewed: FileReview) -> None:
    folder = reviewed.source.parent
    assert reviewed.outputs.sgf == folder / "game.reviewed.sgf"
    assert reviewed.outputs.md == folder / "game.review.md"
    assert reviewed.outputs.png == folder / "game.review.png"
    assert not reviewed.skipped and len(reviewed.verdicts) == len(MOVES)


def test_igo_reads_the_same_main_line_with_comments(reviewed: FileReview) -> None:
    original, annotated = read_sgf(reviewed.source), read_sgf(reviewed.outputs.sgf)
    assert annotated.moves == original.moves
    assert annotated.metadata["PB"] == "black"
    assert all(c is not None and "Black's win rate" in c for c in annotated.comments)
    assert "Reviewed by igo (mcts, 160 visits" in annotated.metadata["C"]


def test_sgfmill_sees_variations_and_marks(reviewed: FileReview) -> None:
    game = sgf.Sgf_game.from_bytes(reviewed.outputs.sgf.read_bytes())
    nodes = main_line(game)
    assert [node.get_move() for node in nodes] == [
        node.get_move() for node in main_line(sgf.Sgf_game.from_bytes(reviewed.source.read_bytes()))
    ]
    marks = {"inaccuracy": "DO", "mistake": "BM", "blunder": "BM", "tesuji": "TE"}
    for node, verdict in zip(nodes, reviewed.verdicts, strict=True):
        if verdict.label is not None:
            assert node.has_property(marks[verdict.label])
            assert verdict.label in node.get("C") or verdict.label == "tesuji"
        else:
            assert not any(node.has_property(p) for p in ("BM", "DO", "TE"))
        siblings = node.parent
        if verdict.was_best:
            assert len(siblings) == 1
        else:  # the best line beside the played move, the same colour to play
            assert len(siblings) == 2 and siblings[0] is node
            line = siblings[1]
            assert line.get_move()[0] == node.get_move()[0]
            assert "igo's line instead of move" in line.get("C")
    blunder = reviewed.verdicts[10]  # black's pass with a group to save
    assert blunder.label == "blunder" and nodes[10].get("BM") == 2


def test_report_lists_each_sides_biggest_mistakes(reviewed: FileReview) -> None:
    text = reviewed.outputs.md.read_text()
    assert "## Black's biggest mistakes" in text and "## White's biggest mistakes" in text
    assert "| 11 | pass |" in text and "blunder" in text


def test_graph_is_a_png(reviewed: FileReview) -> None:
    pytest.importorskip("matplotlib", reason="the graph needs matplotlib (the train extra)")
    assert reviewed.graph_note is None
    assert reviewed.outputs.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![black's win rate by move](game.review.png)" in reviewed.outputs.md.read_text()


def test_a_second_run_skips_until_the_input_changes_or_force(
    reviewed: FileReview, player: MctsPlayer
) -> None:
    again = review_file(reviewed.source, reviewed.outputs, lambda size: player, SETTINGS)
    assert again.skipped
    later = reviewed.outputs.md.stat().st_mtime + 5
    os.utime(reviewed.source, (later, later))
    redone = review_file(reviewed.source, reviewed.outputs, lambda size: player, SETTINGS)
    assert not redone.skipped
    forced = review_file(reviewed.source, reviewed.outputs, lambda size: player, SETTINGS, True)
    assert not forced.skipped


def test_without_matplotlib_the_review_goes_on_without_a_graph(
    tmp_path: Path, player: MctsPlayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if missing
    write_game(tmp_path / "g.sgf")
    outputs = outputs_for(tmp_path / "g.sgf", tmp_path / "out.sgf", several=False)
    done = review_file(tmp_path / "g.sgf", outputs, lambda size: player, ReviewSettings(visits=8))
    assert done.graph_note is not None and "matplotlib" in done.graph_note
    assert not outputs.png.exists() and outputs.sgf == tmp_path / "out.sgf"
    assert "matplotlib" in (tmp_path / "out.review.md").read_text()
    assert review_file(tmp_path / "g.sgf", outputs, lambda size: player, SETTINGS).skipped


def analysis(
    turn: int, to_play: Color, winrate: float, *moves: tuple[str, float]
) -> PositionAnalysis:
    candidates = tuple(Candidate(from_gtp(v, 5), 10, w, (from_gtp(v, 5),)) for v, w in moves)
    return PositionAnalysis(turn, 5, to_play, winrate, 10, candidates)


def test_judge_labels_by_the_mover_s_loss() -> None:
    b, w = Color.BLACK, Color.WHITE
    positions = [
        analysis(0, b, 0.5, ("C3", 0.55), ("A1", 0.30)),  # black plays C3, the only good move
        analysis(1, w, 0.6, ("D4", 0.60), ("B2", 0.62)),  # white plays B2: 0.6 -> 0.75, a mistake
        analysis(2, b, 0.75, ("E5", 0.80)),  # black plays A1: 0.75 -> 0.69, an inaccuracy
        analysis(3, w, 0.69, ("B3", 0.70)),  # white plays pass: 0.69 -> 0.95, a blunder
        analysis(4, b, 0.95),
    ]
    moves = tuple((c, from_gtp(v, 5)) for c, v in ((b, "C3"), (w, "B2"), (b, "A1"), (w, "pass")))
    verdicts = judge(moves, positions, Thresholds())
    assert [v.label for v in verdicts] == ["tesuji", "mistake", "inaccuracy", "blunder"]
    assert verdicts[1].loss == pytest.approx(0.15) and verdicts[1].played is not None
    assert verdicts[3].loss == pytest.approx(0.26) and verdicts[3].played is None
