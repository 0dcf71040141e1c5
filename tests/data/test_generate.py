"""``generate_games`` without GNU Go: its checks, and no folder from a run whose games all fail
(the GNU Go runs are in test_records.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from igo.data.generate import GenerateConfig, game_path, generate_games
from igo.go.coords import Color
from igo.io.sgf import read_sgf

# A scripted engine that plays the first free point, then misbehaves on cue; it refuses to be told
# a move twice, as an engine playing both colours would if it were told its own moves again.
FAKE = Path(__file__).parent.parent / "eval" / "fakes" / "fake_gtp.py"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"games": 0}, "games must be at least 1, not 0"),
        ({"jobs": 0}, "jobs must be at least 1, not 0"),
        ({"size": 1}, "size must be from 2 to 25, not 1"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GenerateConfig(**{"out": "games", "games": 1, **settings})


def test_a_run_whose_games_all_fail_makes_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "games"
    dead = [sys.executable, "-c", "raise SystemExit(3)"]  # an engine that dies at once
    summary = generate_games(GenerateConfig(str(out), games=2, size=5), lambda seed: dead)
    assert summary.played == 0 and len(summary.failed) == 2
    assert not out.exists()


def test_an_output_under_a_file_is_refused_before_any_game(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    config = GenerateConfig(str(tmp_path / "afile" / "games"), games=1, size=5)
    with pytest.raises(NotADirectoryError):
        generate_games(config, lambda seed: pytest.fail("no game may start"))


def test_one_engine_plays_both_colours_after_the_opening(tmp_path: Path) -> None:
    out = tmp_path / "games"
    engine = [sys.executable, str(FAKE), "resign", "4"]  # four moves, then it resigns
    config = GenerateConfig(str(out), games=2, size=5, opening_moves=(2, 2))
    summary = generate_games(config, lambda seed: engine, name="fake")
    assert summary.played == 2 and not summary.failed
    for index in range(2):
        record = read_sgf(game_path(out, index))
        assert len(record.moves) == 2 + 4 and record.metadata["PB"] == "fake"
        assert record.result is not None and record.result.reason == "resign"
        assert record.result.winner == Color.WHITE  # black, to move after 2 + 4 moves, resigned


def test_an_engine_that_misbehaves_abandons_its_game(tmp_path: Path) -> None:
    engine = [sys.executable, str(FAKE), "illegal", "1"]  # one move, then an occupied point
    summary = generate_games(GenerateConfig(str(tmp_path / "g"), games=1, size=5), lambda s: engine)
    assert summary.played == 0
    assert [reason.split(" (")[0] for _, reason in summary.failed] == [
        "illegal: illegal move A1 by engine"
    ]
