"""``igo match``, ``igo ratings`` and ``igo report``: one clear message for bad input, never a
traceback; and a small end-to-end run."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from igo.cli import match, ratings, report


def _igo(argv: list[str]) -> int:
    """Run a subcommand as ``igo`` would (built here: the lead registers them in cli/main.py)."""
    parser = argparse.ArgumentParser(prog="igo")
    subparsers = parser.add_subparsers()
    for module in (match, ratings, report):
        module.add_parser(subparsers)
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["foo:level=1", "igo:player=random"], "unknown engine 'foo'"),
        (["/no/such/engine --gtp", "igo:player=random"], "not found"),
        (["igo:player", "igo:player=random"], "must be key=value"),
        (["igo:player=random", "igo:player=random", "--games", "0"], "--games must be"),
        (["igo:player=random", "gnugo", "--rules", "klingon"], "unknown rules"),
        (["igo:player=random", "gnugo", "--sprt", "5"], "--sprt takes elo0,elo1"),
        (["igo:player=random", "gnugo", "--time", "soon"], "--time takes"),
        (["igo:player=nobody", "igo:player=random"], "igo-nobody does not work"),
        (["igo:player=random", "gnugo", "--move-timeout", "0"], "--move-timeout must be"),
        (["igo:player=random", "gnugo", "--move-cap", "0"], "--move-cap must be"),
        (["igo:player=random", "gnugo", "--size", "40"], "--size must be"),
    ],
)
def test_bad_match_input_gives_one_clear_message(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _igo(["match", *argv, "--db", str(tmp_path / "a.sqlite"), "--jobs", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "Traceback" not in err
    assert err.splitlines()[-1].startswith("igo match: error:")


def test_a_bad_number_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _igo(["match", "a", "b", "--games", "many"])
    assert exit_info.value.code == 2 and "invalid int value" in capsys.readouterr().err


def test_ratings_and_report_without_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _igo(["ratings", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert _igo(["report", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert _igo(["ratings", "--anchor", "gnugo"]) == 2
    err = capsys.readouterr().err
    assert "no arena database" in err and "NAME=ELO" in err and "Traceback" not in err


def test_match_ratings_and_report_end_to_end(
    tmp_path: Path, fake: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "arena.sqlite")
    argv = ["match", fake("pass"), fake("illegal", 1), "--games", "2", "--size", "5"]
    assert _igo([*argv, "--db", db, "--jobs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "score 100.0%" in out and "illegal x2" in out and f"recorded in {db}" in out
    assert _igo(["ratings", "--db", db]) == 0
    table = capsys.readouterr().out
    assert "anchored at 0 instead" in table and "100.0%" in table
    pytest.importorskip("matplotlib")
    assert _igo(["report", "--db", db, "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "report.md").is_file()


def test_a_match_whose_every_game_is_void_fails(
    tmp_path: Path,
    fake: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from igo.eval import arena

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the arena broke")

    monkeypatch.setattr(arena, "_play_task", broken)
    db = str(tmp_path / "arena.sqlite")
    argv = ["match", fake("pass"), fake("pass", 3), "--games", "2", "--size", "5", "--db", db]
    assert _igo([*argv, "--jobs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[-1] == "igo match: error: all 2 games void (see each record's comment)"
    assert "Traceback" not in err
