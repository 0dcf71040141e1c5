"""``generate_games`` without GNU Go: its checks, and no folder from a run whose games all fail
(the GNU Go runs are in test_records.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from igo.data.generate import GenerateConfig, generate_games


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
