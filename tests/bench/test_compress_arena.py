"""benchmarks/compress_arena: the summary counts wins, draws, black's wins and resignations, and
the mean game length by outcome, from the first net's side; ``--summarize`` writes it from the
games file alone."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "compress_arena.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compress_arena", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _game(first_is_black: bool, winner: int, result: str, moves: int) -> dict:
    first = 1 if first_is_black else 2
    score = 0.5 if winner == 0 else float(winner == first)
    return {
        "chunk": 0,
        "index": 0,
        "first_is_black": first_is_black,
        "winner": winner,
        "result": result,
        "num_moves": moves,
        "first_score": score,
    }


GAMES = [
    _game(True, 1, "B+R", 40),  # first wins as black, by resignation
    _game(False, 2, "W+3", 60),  # first wins as white
    _game(True, 2, "W+R", 21),  # second wins
    _game(False, 0, "0", 90),  # draw
]


def test_summary_counts_from_the_first_nets_side() -> None:
    s = _script().summary(GAMES, ("fp32", "int8"), 64)
    assert (s["games"], s["first_wins"], s["draws"]) == (4, 2, 1)
    assert s["first_score"] == 2.5 / 4
    assert s["black_wins"] == 1
    assert s["resignations"] == 2
    assert s["mean_moves"] == (40 + 60 + 21 + 90) / 4
    assert s["mean_moves_by_outcome"] == {"first_wins": 50.0, "draws": 90.0, "second_wins": 21.0}


def test_mean_moves_of_an_absent_outcome_is_none() -> None:
    s = _script().summary(GAMES[:2], ("a", "b"), 64)
    assert s["mean_moves_by_outcome"]["second_wins"] is None
    assert s["mean_moves_by_outcome"]["draws"] is None


def test_summarize_writes_the_summary_from_the_games_file(tmp_path: Path) -> None:
    out = tmp_path / "m"
    lines = "".join(json.dumps(g) + "\n" for g in GAMES)
    (tmp_path / "m.jsonl").write_text(lines, encoding="utf-8")
    args = ["--first", "a", "--second", "b", "--names", "fp32", "w3", "--visits", "64"]
    subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--out", str(out), "--summarize"],
        check=True,
        capture_output=True,
    )
    s = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert (s["first"], s["second"], s["visits"], s["games"]) == ("fp32", "w3", 64, 4)
    assert s["mean_moves_by_outcome"]["first_wins"] == 50.0
