"""``igo review`` from the command line: a batch with a broken file, a missing one and a size the
player cannot review among good ones; one line on stderr each, the rest reviewed, exit 1; a second
run skips what is done."""

from __future__ import annotations

from pathlib import Path

import pytest
from sgfmill import sgf

from igo.cli.main import main

GAME = "(;FF[4]GM[1]SZ[5]KM[0.5];B[cc];W[bc];B[cb];W[db];B[bb];W[dc];B[tt];W[ca];B[tt];W[tt])"


def test_a_batch_reviews_the_good_files_and_names_the_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.sgf").write_text(GAME)
    (tmp_path / "b.sgf").write_text(GAME.replace("B[bb]", "B[bd]"))
    (tmp_path / "broken.sgf").write_text("(;FF[4]SZ[5](;B[cc]")
    (tmp_path / "huge.sgf").write_text("(;FF[4]SZ[30];B[aa])")
    files = [
        tmp_path / name for name in ("a.sgf", "broken.sgf", "missing.sgf", "huge.sgf", "b.sgf")
    ]
    argv = ["review", *map(str, files), "--player", "mcts", "--visits", "16", "--seed", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 1
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if line.startswith("igo review: error:")]
    assert len(errors) == 3
    assert any("broken.sgf" in line and "never closed" in line for line in errors)
    assert any("missing.sgf: No such file or directory" in line for line in errors)
    assert any("huge.sgf" in line and "SZ[30]" in line for line in errors)
    assert "3 of 5 files not reviewed" in err and "Traceback" not in err
    for stem in ("a", "b"):
        reviewed = tmp_path / "out" / f"{stem}.reviewed.sgf"
        game = sgf.Sgf_game.from_bytes(reviewed.read_bytes())
        assert "Reviewed by igo (mcts, 16 visits" in game.get_root().get("C")
        assert (tmp_path / "out" / f"{stem}.review.md").is_file()
    assert not list((tmp_path / "out").glob(".*.tmp"))  # atomic writes leave no temporary file
    assert main([*argv[:2], "--player", "mcts", "--out", str(tmp_path / "out")]) == 0
    assert "up to date, skipped" in capsys.readouterr().out


def test_a_size_the_player_cannot_review_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "g.sgf").write_text(GAME)
    assert main(["review", str(tmp_path / "g.sgf"), "--player", "zero"]) == 1
    err = capsys.readouterr().err
    assert "g.sgf: 5x5: --player zero reviews 9x9 only" in err
    assert not (tmp_path / "g.reviewed.sgf").exists()


def test_a_player_that_does_not_search_is_refused(tmp_path: Path) -> None:
    (tmp_path / "g.sgf").write_text(GAME)
    with pytest.raises(SystemExit) as stop:
        main(["review", str(tmp_path / "g.sgf"), "--player", "random"])
    assert stop.value.code == 2


@pytest.mark.parametrize("out", ["new/folder", "new/folder/game.sgf"])
def test_one_game_into_a_folder_that_does_not_exist_yet(tmp_path: Path, out: str) -> None:
    (tmp_path / "g.sgf").write_text(GAME)
    target = tmp_path / out
    argv = ["review", str(tmp_path / "g.sgf"), "--player", "mcts", "--visits", "8"]
    assert main([*argv, "--out", str(target)]) == 0
    reviewed = target if out.endswith(".sgf") else target / "g.reviewed.sgf"
    assert "Reviewed by igo" in sgf.Sgf_game.from_bytes(reviewed.read_bytes()).get_root().get("C")
