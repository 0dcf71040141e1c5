"""The JSON API through Starlette's test client: every route, and every bad input answered as a
JSON error (never a crash, never a traceback)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from serve_helpers import GAME, make_app, read_events
from starlette.testclient import TestClient

from igo.selfplay.record import GameData, write_game
from igo.serve.app import MAX_JSON, MAX_SGF


def new_game(client: TestClient, color: str = "B", size: int = 9) -> dict:
    response = client.post("/api/games", json={"size": size, "komi": 7.5, "color": color})
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_igo(client: TestClient, game: dict) -> tuple[list[dict], dict]:
    """The analyses streamed while igo thinks, and the game after its move."""
    events = read_events(client, f"/api/games/{game['id']}/thinking")
    assert "state" in events[-1], events[-1]
    return events[:-1], events[-1]["state"]


def error_of(response) -> str:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}
    assert "Traceback" not in body["error"]
    return body["error"]


def test_the_page_and_its_scripts_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<svg id="board"' in page.text
    for name in ("app.js", "board.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_info_names_the_player_and_its_sizes(client: TestClient) -> None:
    info = client.get("/api/info").json()
    assert info["player"] == "mcts" and info["canAnalyse"] is True
    assert 9 in info["sizes"] and 19 in info["sizes"] and info["defaultSize"] == 9
    assert info["watch"] is not None


def test_a_move_gets_igos_reply_with_its_search_streamed(client: TestClient) -> None:
    game = new_game(client)
    assert game["toPlay"] == "B" and game["board"] == "." * 81 and not game["thinking"]
    after = client.post(f"/api/games/{game['id']}/move", json={"move": "E5"}).json()
    assert after["moves"] == [["B", "E5"]] and after["board"][40] == "b"
    analyses, state = wait_for_igo(client, after)
    assert len(state["moves"]) == 2 and state["moves"][1][0] == "W"
    assert state["toPlay"] == "B" and state["lastIgo"] == state["moves"][1][1]
    assert state["board"].count("w") == 1 and not state["thinking"]
    final = analyses[-1]
    assert final["isDuringSearch"] is False and final["rootInfo"]["currentPlayer"] == "W"
    assert len(final["policy"]) == 82 and final["policy"][40] == -1.0  # E5 is taken
    best = final["moveInfos"][0]
    assert best["pv"][0] == best["move"] and sum(m["visits"] for m in final["moveInfos"]) > 0
    # Once igo has moved, its search is replayed (a page that connects late still sees it).
    replayed = read_events(client, f"/api/games/{game['id']}/thinking")
    assert replayed == [*analyses, {"state": state}]


def test_the_position_is_analysed_on_request(client: TestClient) -> None:
    game = new_game(client)
    played = client.post(f"/api/games/{game['id']}/move", json={"move": "C3"}).json()
    wait_for_igo(client, played)
    answers = read_events(client, f"/api/games/{game['id']}/analysis")
    assert answers and answers[-1]["isDuringSearch"] is False
    assert {a["turnNumber"] for a in answers} == {2}
    assert answers[-1]["rootInfo"]["currentPlayer"] == "B" and len(answers[-1]["policy"]) == 82
    client.post(f"/api/games/{game['id']}/resign")
    (ended,) = read_events(client, f"/api/games/{game['id']}/analysis")
    assert ended == {"error": "the game is over"}


def test_igo_opens_when_the_person_plays_white(client: TestClient) -> None:
    game = new_game(client, color="W")
    assert game["human"] == "W"
    _, state = wait_for_igo(client, game)
    assert [color for color, _ in state["moves"]] == ["B"] and state["toPlay"] == "W"


def test_undo_takes_back_the_pair_and_resign_ends_the_game(client: TestClient) -> None:
    game = new_game(client)
    assert "nothing to undo" in error_of(client.post(f"/api/games/{game['id']}/undo"))
    played = client.post(f"/api/games/{game['id']}/move", json={"move": "C3"}).json()
    wait_for_igo(client, played)
    undone = client.post(f"/api/games/{game['id']}/undo").json()
    assert undone["moves"] == [] and undone["board"] == "." * 81
    assert read_events(client, f"/api/games/{game['id']}/thinking") == [{"state": undone}]
    over = client.post(f"/api/games/{game['id']}/resign").json()
    assert over["over"] and over["result"] == "W+R"
    assert "over" in error_of(client.post(f"/api/games/{game['id']}/move", json={"move": "D4"}))
    assert "over" in error_of(client.post(f"/api/games/{game['id']}/undo"))


def test_bad_moves_are_errors_with_the_rules_reason(client: TestClient) -> None:
    game = new_game(client)
    path = f"/api/games/{game['id']}/move"
    assert "not a move" in error_of(client.post(path, json={"move": "Z99"}))
    assert "not a move" in error_of(client.post(path, json={"move": "I5"}))  # GTP has no I
    assert "give the move" in error_of(client.post(path, json={"move": 40}))
    assert "give the move" in error_of(client.post(path, json={}))
    wait_for_igo(client, client.post(path, json={"move": "E5"}).json())
    assert "illegal move E5: occupied" in error_of(client.post(path, json={"move": "e5"}))
    assert client.get(f"/api/games/{game['id']}").json()["moves"][0] == ["B", "E5"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"size": 99, "komi": 7.5, "color": "B"}, "size must be one of"),
        ({"size": "9", "komi": 7.5, "color": "B"}, "size must be one of"),
        ({"size": True, "komi": 7.5, "color": "B"}, "size must be one of"),
        ({"size": 9, "komi": 1e9, "color": "B"}, "komi must be a whole or half number"),
        ({"size": 9, "komi": 0.3, "color": "B"}, "komi must be a whole or half number"),
        ({"size": 9, "komi": "7.5", "color": "B"}, "komi must be a number"),
        ({"size": 9, "komi": 7.5, "color": "red"}, "color must be B or W"),
    ],
)
def test_bad_new_games_are_errors(client: TestClient, body: dict, message: str) -> None:
    assert message in error_of(client.post("/api/games", json=body))


def test_bad_bodies_and_unknown_ids_are_errors(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert "not JSON" in error_of(client.post("/api/games", content=b"[1", headers=headers))
    assert "JSON object" in error_of(client.post("/api/games", content=b"[1]", headers=headers))
    big = b'{"size": 9, "pad": "' + b"x" * MAX_JSON + b'"}'
    response = client.post("/api/games", content=big, headers=headers)
    assert response.status_code == 413 and "too large" in response.json()["error"]
    assert "no game" in error_of(client.get("/api/games/g999999"))
    assert "no game" in error_of(client.post("/api/games/nope/move", json={"move": "D4"}))
    assert "no record" in error_of(client.get("/api/records/r999"))
    assert client.get("/api/nothing").json() == {"error": "Not Found"}
    assert client.delete("/api/games").status_code == 405


def test_an_uploaded_record_is_replayed_and_analysed_position_by_position(
    client: TestClient,
) -> None:
    record = client.post("/api/records?name=short.sgf", content=GAME).json()
    assert record["name"] == "short.sgf" and record["size"] == 9 and record["black"] == "Alice"
    assert record["moves"] == [["B", "E5"], ["W", "C7"], ["B", "G7"], ["W", "C3"]]
    assert len(record["boards"]) == 5 and record["boards"][0] == "." * 81
    assert record["boards"][4].count("b") == 2 and record["comments"][0] == "the centre"
    assert client.get(f"/api/records/{record['id']}").json() == record
    answers = read_events(client, f"/api/records/{record['id']}/analysis")
    final = {a["turnNumber"]: a for a in answers if not a["isDuringSearch"]}
    assert sorted(final) == [0, 1, 2, 3, 4]
    for turn, answer in final.items():
        assert 0.0 <= answer["rootInfo"]["winrate"] <= 1.0
        assert answer["rootInfo"]["currentPlayer"] == "BW"[turn % 2]
        assert len(answer["policy"]) == 82 and answer["moveInfos"]


def test_a_record_the_analysis_engine_refuses_is_an_error_in_its_stream(
    client: TestClient,
) -> None:
    quarter = GAME.replace(b"KM[7.5]", b"KM[0.25]")  # igo reads it; KataGo's protocol does not
    record = client.post("/api/records", content=quarter).json()
    assert record["komi"] == 0.25
    (answer,) = read_events(client, f"/api/records/{record['id']}/analysis")
    assert answer["error"].startswith("komi: ") and "integer or half-integer" in answer["error"]


def test_a_multipart_upload_works_too(client: TestClient) -> None:
    files = {"file": ("form.sgf", GAME, "application/x-go-sgf")}
    record = client.post("/api/records", files=files).json()
    assert record["name"] == "form.sgf" and len(record["moves"]) == 4
    assert "choose an SGF file" in error_of(client.post("/api/records", files={"x": ("a", b"")}))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not sgf", "not a readable SGF"),
        (b"(;GM[1]FF[4]SZ[9];B[ee];W[ee])", "illegal"),
        (b"(;GM[1]FF[4]SZ[99];B[ee])", "not a readable SGF"),
        (b"(;GM[1]FF[4]SZ[9];B[ee]", "not a readable SGF"),
        (b"\xff\xfe\x00garbage", "not a readable SGF"),
        (b"   ", "empty"),
    ],
)
def test_bad_uploads_are_errors(client: TestClient, data: bytes, message: str) -> None:
    assert message in error_of(client.post("/api/records?name=bad.sgf", content=data))


def test_an_oversize_upload_is_refused(client: TestClient) -> None:
    big = b"(;GM[1]C[" + b"x" * MAX_SGF + b"])"
    response = client.post("/api/records", content=big)
    assert response.status_code == 413 and "too large" in response.json()["error"]
    files = {"file": ("big.sgf", big, "application/x-go-sgf")}
    assert client.post("/api/records", files=files).status_code == 413


def _zero_game(sgf: str, moves: int) -> GameData:
    t, p = moves, 81
    return GameData(
        stones=np.zeros((t, p), np.int8),
        to_play=np.ones(t, np.int8),
        moves=np.zeros(t, np.int16),
        policy=np.zeros((t, p + 1), np.float32),
        full=np.zeros(t, bool),
        root_value=np.zeros(t, np.float32),
        winner=1,
        result="B+R",
        resign_allowed=True,
        resign_threshold=-0.9,
        sgf=sgf,
    )


def test_watch_shows_the_newest_game_of_the_folder(client: TestClient, watched: Path) -> None:
    assert client.get("/api/watch").json() == {"folder": str(watched), "games": 0, "game": None}
    games = watched / "games"
    games.mkdir()
    (games / "a.sgf").write_bytes(b"(;GM[1]FF[4]SZ[9];B[ee];W[cc])")
    found = client.get("/api/watch").json()
    assert found["games"] == 1 and found["game"]["name"] == "games/a.sgf"
    assert len(found["game"]["moves"]) == 2 and len(found["game"]["boards"]) == 3
    # The file grows: the new moves are read.
    (games / "a.sgf").write_bytes(b"(;GM[1]FF[4]SZ[9];B[ee];W[cc];B[gg])")
    os.utime(games / "a.sgf", (1e9 + 10, 1e9 + 10))
    assert len(client.get("/api/watch").json()["game"]["moves"]) == 3
    # A Zero run's self-play game (its SGF inside the shard) is newer: it is shown.
    replay = watched / "replay" / "gen-000001"
    write_game(replay, 0, _zero_game("(;GM[1]FF[4]SZ[9];B[ee];W[dd];B[cc];W[ff])", 4))
    found = client.get("/api/watch").json()
    assert found["games"] == 2 and found["game"]["name"] == "replay/gen-000001/game-000000.npz"
    assert len(found["game"]["moves"]) == 4
    # A file caught half-written (not readable yet) is passed over for the next newest.
    (replay / "game-000001.npz").write_bytes(b"PK\x03\x04 half")
    assert client.get("/api/watch").json()["game"]["name"].endswith("game-000000.npz")


def test_without_a_watched_folder_watch_is_an_error() -> None:
    with TestClient(make_app(None)) as client:
        assert "--watch" in error_of(client.get("/api/watch"))
        assert client.get("/api/info").json()["watch"] is None


def test_a_player_that_does_not_search_plays_but_cannot_analyse() -> None:
    from igo.agents import create_player
    from igo.serve.server import ServeConfig, build

    _, app = build(create_player("random", seed=3), ServeConfig())
    with TestClient(app) as client:
        assert client.get("/api/info").json()["canAnalyse"] is False
        game = new_game(client)
        played = client.post(f"/api/games/{game['id']}/move", json={"move": "A1"}).json()
        analyses, state = wait_for_igo(client, played)
        assert analyses == [] and len(state["moves"]) == 2
        record = client.post("/api/records", content=GAME).json()
        (answer,) = read_events(client, f"/api/records/{record['id']}/analysis")
        assert "does not search" in answer["error"]
