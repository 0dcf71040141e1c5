"""Games and the search thread without a web server: moves refused while igo thinks, the end of
a game by two passes and its count, and a failing search reported, not raised."""

from __future__ import annotations

import time
from typing import Any

import pytest
from serve_helpers import read_events
from starlette.testclient import TestClient

from igo.agents.kata_analysis.query import EngineSettings
from igo.go.coords import Color
from igo.go.rules import rules_from_name
from igo.go.state import GameState
from igo.serve.channels import Channel
from igo.serve.games import GameError, PlayGame
from igo.serve.worker import Done, Worker


class StuckWorker:
    """A search thread that never answers: igo thinks forever."""

    def think(self, state: GameState, done: Done) -> Channel:
        return Channel()


def test_moves_wait_while_igo_thinks() -> None:
    state = GameState.new(9, rules_from_name("chinese"))
    game = PlayGame("g1", state, Color.BLACK, StuckWorker())  # type: ignore[arg-type]
    game.play("E5")
    assert game.view()["thinking"] is True and game.view()["toPlay"] == "W"
    for action in (lambda: game.play("D4"), game.undo, game.resign):
        with pytest.raises(GameError, match="igo is thinking"):
            action()


def test_two_passes_end_the_game_and_count_it(client: TestClient) -> None:
    game = client.post("/api/games", json={"size": 9, "komi": 7.5, "color": "B"}).json()
    client.post(f"/api/games/{game['id']}/move", json={"move": "pass"})
    state = read_events(client, f"/api/games/{game['id']}/thinking")[-1]["state"]
    # Passing back wins white the count (an empty board, komi 7.5): igo passes, as in igo gtp.
    assert state["moves"] == [["B", "pass"], ["W", "pass"]] and state["lastIgo"] == "pass"
    assert state["over"] is True and state["result"] == "W+7.5"


class BrokenPlayer:
    """A player whose search fails."""

    name = "broken"

    def reset(self, state: GameState) -> None:
        pass

    def observe(self, color: Color, point: int) -> None:
        pass

    def genmove(self, state: GameState, clock: Any) -> int:
        raise RuntimeError("the network is gone")


def test_a_failing_search_ends_its_stream_with_the_error_and_the_thread_goes_on() -> None:
    worker = Worker(BrokenPlayer(), EngineSettings())  # type: ignore[arg-type]
    worker.start()
    try:
        heard: list[tuple[Any, Any]] = []

        def done(move: Any, error: Any) -> dict[str, Any]:
            heard.append((move, error))
            return {"state": "after"}

        state = GameState.new(9, rules_from_name("chinese"))
        for _ in range(2):  # the thread survives the first failure
            channel = worker.think(state, done)
            for _ in range(2000):  # a hang guard: the failure comes at once
                if channel.closed:
                    break
                time.sleep(0.01)
            assert channel.since(0) == ([{"state": "after"}], True)
        assert heard == [(None, "RuntimeError: the network is gone")] * 2
    finally:
        worker.stop()


def test_an_illegal_move_from_the_player_is_shown_not_played() -> None:
    state = GameState.new(9, rules_from_name("chinese"))
    game = PlayGame("g1", state, Color.BLACK, StuckWorker())  # type: ignore[arg-type]
    game.play("E5")
    after = game._moved(40, None)["state"]  # E5 again: occupied
    assert after["thinking"] is False and after["moves"] == [["B", "E5"]]
    assert "refused by the rules" in after["error"] and "occupied" in after["error"]
