"""Game records: ``igo data generate`` (engine self-play SGFs) and ``igo data import`` (SGF files
and folders -> ``sl`` shards: bad files reported, split by game, resumable)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from igo.cli.main import main
from igo.data import records
from igo.data.records import ImportConfig, import_records, is_heldout, iter_games
from igo.data.shards import read_manifest
from igo.go.coords import Color
from igo.go.result import GameResult
from igo.go.state import GameState
from igo.io.gtp_client import find_program
from igo.io.sgf import read_sgf, record_from_state, save_sgf

IO_DATA = Path(__file__).parent.parent / "io" / "data"
BAD = ("occupied.sgf", "move_off_board.sgf", "garbage_in_tree.sgf", "empty.sgf", "not_go.sgf")


def _game(size: int, seed: int, moves: int) -> GameState:
    rng = np.random.default_rng(seed)
    state = GameState.new(size)
    for _ in range(moves):
        options = [
            int(p)
            for p in np.flatnonzero(state.legal_mask()[:-1])
            if not state.is_eye(int(p), state.to_play)
        ]
        state.play(options[int(rng.integers(len(options)))] if options else state.num_points)
    return state


def _archive(folder: Path, games: int = 12) -> Path:
    """A folder of good games (two sizes, one collection, one subfolder) and bad files."""
    (folder / "sub").mkdir(parents=True)
    for i in range(games):
        state = _game(7 if i % 3 else 9, i, 20 + i)
        result = GameResult(Color.BLACK if i % 2 else Color.WHITE, "resign")
        where = folder / "sub" if i % 4 == 0 else folder
        save_sgf(record_from_state(state, result), where / f"game{i:02d}.sgf")
    shutil.copy(IO_DATA / "collection.sgf", folder / "collection.sgf")
    for name in BAD:
        shutil.copy(IO_DATA / "bad" / name, folder / f"bad_{name}")
    (folder / "notes.txt").write_text("not an SGF file, not even looked at")
    return folder


def _examples(out: Path) -> list[tuple[str, int, int]]:
    """(source file, game in file, ply) of every example in the folder's shards."""
    seen = []
    for game in iter_games(out):
        a = game.arrays
        seen += [
            (game.source, int(g), int(p)) for g, p in zip(a["source_game"], a["ply"], strict=True)
        ]
    return seen


def test_import_reports_bad_files_and_writes_shards(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "archive")
    skipped: list[tuple[str, str]] = []
    summary = import_records(
        [archive],
        tmp_path / "out",
        ImportConfig(heldout=0.3),
        lambda f, why: skipped.append((f, why)),
    )
    assert {Path(f).name for f, _ in skipped} == {f"bad_{name}" for name in BAD}
    assert all(why for _, why in skipped) and summary.skipped == skipped
    assert summary.files == 12 + 1 + len(BAD)
    games = sum(summary.games.values())
    assert games == 12 + 3 and summary.games["heldout"] >= 1  # the collection holds three
    manifest = read_manifest(tmp_path / "out")
    assert {(i.split, i.name.split("-")[2]) for i in manifest} >= {
        ("train", "7x7"),
        ("train", "9x9"),
    }
    assert sum(i.count for i in manifest) == sum(summary.positions.values())
    assert all(i.kind == "sl" and len(i.sha256) == 64 and i.sources for i in manifest)
    # Each game is whole in one split, and the split is the hash's.
    for game in iter_games(tmp_path / "out"):
        a = game.arrays
        assert np.array_equal(a["ply"], np.arange(a["ply"].shape[0]))
        split = (
            "heldout"
            if is_heldout(Path(game.source).name, int(a["source_game"][0]), 0.3)
            else "train"
        )
        assert any(split == i.split and game.source in i.sources for i in manifest)


def test_examples_rebuild_the_game(tmp_path: Path) -> None:
    state = _game(7, 3, 30)
    state.play(state.num_points)  # a pass among the moves
    state.play(state.legal_moves()[0])
    save_sgf(record_from_state(state, GameResult(Color.WHITE, "score", 2.5)), tmp_path / "g.sgf")
    import_records([tmp_path / "g.sgf"], tmp_path / "out", ImportConfig(heldout=0.0))
    (game,) = list(iter_games(tmp_path / "out"))
    a = game.arrays
    replay = GameState.new(7)
    for t, (color, point) in enumerate(state.moves):
        assert np.array_equal(a["stones"][t], replay.stones())
        assert a["to_play"][t] == color and a["move"][t] == point
        assert a["result"][t] == (1 if color == Color.WHITE else -1)
        expect = [p for _, p in state.moves[:t][::-1][:8]]
        assert list(a["recent"][t][: len(expect)]) == expect and all(
            a["recent"][t][len(expect) :] == -1
        )
        replay.play(point)
    assert a["size"][0] == 7 and a["komi"][0] == pytest.approx(state.rules.komi)


def test_a_killed_import_resumes_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _archive(tmp_path / "archive", games=16)
    config = ImportConfig(heldout=0.25, shard_positions=60)
    clean = tmp_path / "clean"
    import_records([archive], clean, config)
    expected = sorted(_examples(clean))
    assert len({i.extra["chunk"] for i in read_manifest(clean)}) > 3

    # Killed at the second shard after the first chunk: chunk 0 is done, chunk 1 maybe half.
    kill_at = sum(i.extra["chunk"] == "0" for i in read_manifest(clean)) + 2
    real = records.write_shard
    calls = {"n": 0}

    def dying(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == kill_at:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "write_shard", dying)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        import_records([archive], out, config)
    monkeypatch.setattr(records, "write_shard", real)
    first = len(read_manifest(out))
    summary = import_records([archive], out, config)
    assert summary.files_done_before >= 1
    assert sorted(_examples(out)) == expected
    assert len(read_manifest(out)) == len(read_manifest(clean)) > first
    again = import_records([archive], out, config)
    assert again.shards == 0 and again.files_done_before == again.files - len(BAD)


def test_missing_or_empty_inputs_are_errors_and_make_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        import_records([tmp_path / "nothere"], out)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no SGF files"):
        import_records([tmp_path / "empty"], out)
    (tmp_path / "bad.sgf").write_text("(;GM[1]SZ[9];B[zz")
    summary = import_records([tmp_path / "bad.sgf"], out)  # read, skipped, nothing to write
    assert len(summary.skipped) == 1 and summary.shards == 0
    assert not out.exists()


def test_cli_import_prints_the_skipped_files_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _archive(tmp_path / "archive", games=3)
    assert main(["data", "import", str(archive), "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert sum(line.startswith("skipped ") for line in err.splitlines()) == len(BAD)
    assert out.count("\n") == 1 and f"{3 + 1 + len(BAD)} files" in out  # the summary alone


@pytest.mark.gnugo
@pytest.mark.skipif(find_program("gnugo") is None, reason="GNU Go is not installed")
def test_generate_plays_varied_gnugo_games_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "games"
    argv = ["data", "generate", "--engine", "gnugo:level=1", "--games", "3", "--size", "5"]
    argv += ["--out", str(out), "--jobs", "2", "--seed", "3"]
    assert main(argv) == 0
    assert "3 played, 0 already there, 0 failed" in capsys.readouterr().out
    games = [read_sgf(p) for p in sorted(out.glob("game-*.sgf"))]
    assert len(games) == 3 and all(g.size == 5 and g.result is not None for g in games)
    assert len({g.moves[:6] for g in games}) == 3  # the random openings differ
    assert all(g.metadata["PB"] == "gnugo-l1" for g in games)
    (out / "game-000001.sgf").unlink()
    assert main([*argv[:-4], "--jobs", "1", "--seed", "3"]) == 0
    assert "1 played, 2 already there" in capsys.readouterr().out
    summary = import_records([out], tmp_path / "shards", ImportConfig(heldout=0.0))
    assert summary.games["train"] == 3 and not summary.skipped
