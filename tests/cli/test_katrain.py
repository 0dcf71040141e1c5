"""``igo analysis`` driven by KaTrain's own engine client (KaTrain 1.20, ``pip install
'igo[katrain]'``), the way KaTrain drives it: its ``KataGoEngine`` starts the custom command
(``engine/altcommand``) through the shell, its ``Game`` sends every node of a loaded SGF through
``request_analysis`` (its queries, its ``overrideSettings``, its priorities), its callbacks store
the answers, and its own readers (``candidate_moves``, ``points_lost``, ``policy_ranking``,
ownership) and its default AI use them. Games: GNU Go 3.8 against itself on 9x9, an even game
under Chinese rules and a two-stone handicap game under Japanese rules (KaTrain's default)."""

from __future__ import annotations

import math
import os
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Kivy (imported by KaTrain's engine for its platform name) reads these at import: no argv
# parsing, no console or file logs, and its settings in a scratch folder, not ~/.kivy.
os.environ.setdefault("KIVY_HOME", str(Path(tempfile.gettempdir()) / "igo-test-kivy"))
for _flag in ("KIVY_NO_ARGS", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG"):
    os.environ.setdefault(_flag, "1")

pytest.importorskip("katrain", reason="KaTrain is not installed (pip install 'igo[katrain]')")

from katrain.core.ai import generate_ai_move  # noqa: E402
from katrain.core.base_katrain import KaTrainBase  # noqa: E402
from katrain.core.constants import AI_DEFAULT, OUTPUT_ERROR  # noqa: E402
from katrain.core.engine import KataGoEngine  # noqa: E402
from katrain.core.game import Game, KaTrainSGF  # noqa: E402
from katrain.core.game_node import GameNode  # noqa: E402

DATA = Path(__file__).parent / "data"
GAMES = ("gnugo_9x9_even.sgf", "gnugo_9x9_handicap2.sgf")
VISITS = 24
HANG_GUARD = 600.0
"""Seconds before a wait counts as a hang: a guard, not a speed claim (a fresh process may
compile kernels for minutes)."""


class HeadlessKaTrain(KaTrainBase):
    """KaTrain without its GUI (as KaTrain's own tests run it): the package config, and every
    log line and popup request kept for the test to read."""

    def __init__(self) -> None:
        self.logs: list[tuple[float, str]] = []
        super().__init__(force_package_config=True, debug_level=0)

    def log(self, message: Any, level: float = 0) -> None:
        self.logs.append((level, str(message)))

    def __call__(self, message: str, *args: Any) -> None:  # the GUI's popups, e.g. recovery
        self.logs.append((OUTPUT_ERROR, f"popup {message} {args}"))

    def errors(self) -> list[str]:
        return [text for level, text in self.logs if level <= OUTPUT_ERROR]


def igo_command() -> str:
    """The custom command as docs/analysis.md gives it, with mcts (no network: fast)."""
    python = shlex.quote(sys.executable)
    return f"{python} -m igo analysis --player mcts --size 9 --visits {VISITS} --seed 1"


@pytest.fixture
def katrain() -> Iterator[tuple[HeadlessKaTrain, KataGoEngine]]:
    app = HeadlessKaTrain()
    config = {**app.config("engine"), "altcommand": igo_command(), "max_visits": VISITS}
    engine = KataGoEngine(app, config)
    yield app, engine
    stopper = threading.Thread(target=engine.shutdown, kwargs={"finish": False}, daemon=True)
    stopper.start()
    # KaTrain terminates the shell it started and then waits for the engine's pipes to close:
    # igo must end with its parent, or KaTrain's engine restart hangs.
    stopper.join(HANG_GUARD)
    assert not stopper.is_alive(), "KaTrain's shutdown hung: igo outlived its shell"


def wait_for(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while not done():
        assert time.monotonic() < deadline, "no answer: hang guard"
        time.sleep(0.05)


def check_numbers(node: GameNode) -> None:
    """What KaTrain stores and reads of one answer, complete and in range."""
    root = node.analysis["root"]
    assert root["visits"] >= 1 and 0.0 <= root["winrate"] <= 1.0
    assert math.isfinite(root["scoreLead"]) and abs(root["scoreLead"]) <= 81 + 10
    assert len(node.ownership) == 81 and all(-1.0 <= v <= 1.0 for v in node.ownership)
    legal = [p for p in node.policy if p >= 0]
    assert len(node.policy) == 82 and math.isclose(sum(legal), 1.0, abs_tol=1e-3)
    assert node.policy_ranking[0][0] == max(node.policy)
    for move in node.candidate_moves:
        assert 0.0 <= move["winrate"] <= 1.0 and math.isfinite(move["pointsLost"])
        assert move["visits"] >= 1 and move["pv"][0] == move["move"]
        # A played move's entry is its child's rootInfo, merged by KaTrain: no prior there.
        assert 0.0 <= move.get("prior", 0.0) <= 1.0


@pytest.mark.parametrize("name", GAMES)
def test_katrain_reviews_a_game(katrain: tuple[HeadlessKaTrain, KataGoEngine], name: str) -> None:
    app, engine = katrain
    game = Game(app, engine, move_tree=KaTrainSGF.parse_file(str(DATA / name)))
    nodes = list(game.root.nodes_in_tree)
    wait_for(lambda: all(node.analysis_complete for node in nodes))
    assert app.errors() == []
    for node in nodes:
        check_numbers(node)
    # Every position but the two after the closing passes (a finished game) is searched fully.
    assert all(node.analysis["root"]["visits"] == VISITS for node in nodes[:-2])
    # Each move's loss as KaTrain computes it (black's scores, KaTrain forces BLACK).
    assert all(math.isfinite(node.points_lost) for node in nodes[1:])
    # KaTrain reads every number from black's view: black's stones are black's at the end, and
    # the even game's clear win (B+16 by GNU Go's count) is a black lead. (The handicap game's
    # B+13.5 needs dead stones read, which the random-playout estimate cannot: docs/analysis.md.)
    final = nodes[-1]
    if name == GAMES[0]:
        assert final.analysis["root"]["scoreLead"] > 0
    game.set_current_node(final)
    # KataGo's ownership is row-major from the top left; KaTrain's y counts from the bottom.
    black = [final.ownership[(8 - s.coords[1]) * 9 + s.coords[0]] for s in game.stones]
    black = [v for v, s in zip(black, game.stones, strict=True) if s.player == "B"]
    assert sum(black) / len(black) > 0.5


def test_katrain_default_ai_plays_igo_move(katrain: tuple[HeadlessKaTrain, KataGoEngine]) -> None:
    app, engine = katrain
    game = Game(app, engine, move_tree=KaTrainSGF.parse_file(str(DATA / GAMES[0])))
    node = game.root
    for _ in range(6):  # into the opening, as a player stepping through the record
        node = node.children[0]
    game.set_current_node(node)
    move, played = generate_ai_move(game, AI_DEFAULT, app.config(f"ai/{AI_DEFAULT}"))
    assert played is not None and move is not None and not move.is_pass
    assert move.gtp() == node.candidate_moves[0]["move"]
    assert app.errors() == []


def test_katrain_ponders_and_stops(katrain: tuple[HeadlessKaTrain, KataGoEngine]) -> None:
    app, engine = katrain
    game = Game(app, engine, move_tree=KaTrainSGF.parse_file(str(DATA / GAMES[1])))
    node = game.root.children[0].children[0]
    answers: list[tuple[dict[str, Any], bool]] = []
    engine.request_analysis(node, lambda a, partial: answers.append((a, partial)), ponder=True)
    wait_for(lambda: any(partial for _, partial in answers))
    engine.stop_pondering()  # KaTrain's terminate; it keeps listening for the final answer
    wait_for(lambda: any(not partial for _, partial in answers))
    final = next(a for a, partial in answers if not partial)
    assert 0 < final["rootInfo"]["visits"] < 10_000_000
    warned = " ".join(text for _, text in app.logs if "'warning'" in text)
    assert "maxVisits" in warned  # 10,000,000 capped to --max-visits-cap, said once
    assert app.errors() == []
