"""Bad command lines of every subcommand, run for real (``python -m igo ...``): each ends with a
non-zero exit, one error line on stderr (after argparse's usage, for a flag argparse refuses), no
traceback, and nothing made: no output file or folder, no run folder, no fixture file changed.

Each command runs in a fresh folder holding the fixtures below, so a relative path in the table
is one of them or an output the command must not make.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import igo
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.cli.main import main
from igo.data.records import ImportConfig, import_records

HANG_GUARD = 300  # seconds: a hang guard, not a speed test
DATA = Path(__file__).parents[1] / "io" / "data"
RANDOM_PAIR = "igo:player=random,name=a igo:player=random,name=b --size 5 --games 1"
POLICY = shipped_weights(ALPHAGO_WEIGHTS["policy"])

# (command line after ``igo``, outputs it must not make). These run as real processes: the
# defects users met, and one or more of each subcommand.
PROCESS_CASES: list[tuple[str, list[str]]] = [
    ("gtp --bogus", []),
    ("gtp --player zero --device tpu", []),
    ("play --color green", []),
    (f"match {RANDOM_PAIR} --db afile/m.sqlite", []),
    (f"match {RANDOM_PAIR} --db afile", []),  # a text file is not clobbered
    ("ratings --db nothere.sqlite", []),
    ("report --db nothere.sqlite --out rep", ["rep"]),
    ("bench rules --out afile/b.json", []),
    ("data generate --games 1 --engine igo:player=random --size 5 --out afile/g", []),
    ("data import nothere --out o", ["o"]),
    ("data import empty --out o", ["o"]),
    ("data import --bogus c.sgf --out o", ["o"]),
    ("data train-rollout nothere --out r.npz", ["r.npz"]),
    ("data train-rollout empty --out r.npz", ["r.npz"]),
    ("zero --preset tiny --device tpu --run-dir z", ["z"]),
    ("zero --preset tiny --curve --run-dir z", ["z"]),
    ("alphago --preset tiny --set seed=1.5 --run-dir a", ["a"]),
    ("alphago --preset tiny --stages sl --run-dir a", ["a"]),
]
# The rest of the sweep runs in this process through ``igo.cli.main.main`` (the same code, minus
# the interpreter start-up): an exception escaping ``main`` fails the test as a traceback would.
MAIN_CASES: list[tuple[str, list[str]]] = [
    ("gtp --size 1", []),
    ("gtp --rules bogus", []),
    ("gtp --player random --visits 3", []),
    ("gtp --player rollout --rollout-checkpoint nothere.npz", []),
    ("gtp --player mcts --checkpoint nothere.safetensors", []),
    ("gtp --player zero --checkpoint nothere.safetensors", []),
    ("play --lcb maybe", []),
    ("play --player zero --device cuda:99", []),
    ("match igo:player=random igo:player=random --db m.sqlite", ["m.sqlite"]),
    ("match igo:player=random,name=a bogus:x=1 --db m.sqlite", ["m.sqlite"]),
    (f"match {RANDOM_PAIR} --games 0 --db m.sqlite", ["m.sqlite"]),
    (f"match {RANDOM_PAIR} --jobs 0 --db m.sqlite", ["m.sqlite"]),
    (f"match {RANDOM_PAIR} --time soon --db m.sqlite", ["m.sqlite"]),
    (f"match {RANDOM_PAIR} --db m.sqlite --sgf-dir afile/sgf", ["m.sqlite"]),
    ("match a b --games many", []),
    ("ratings --db afile", []),
    ("ratings --anchor gnugo", []),
    ("report --db afile --out rep", ["rep"]),
    ("bench bogus", []),
    ("bench rules --out empty", []),
    ("data generate --games 0 --out g", ["g"]),
    ("data generate --games 1 --size 1 --out g", ["g"]),
    ("data generate --games 1 --jobs 0 --out g", ["g"]),
    ("data generate --games 1 --engine bogus:x=1 --out g", ["g"]),
    ("data generate --games 1 --engine 'nothere-prog --gtp' --out g", ["g"]),
    ("data generate --games 1 --engine igo:player=nobody --size 5 --out g", ["g"]),
    ("data generate --games 1 --out", ["g"]),
    ("data import notsgf --out o", ["o"]),
    ("data import c.sgf --heldout 2 --out o", ["o"]),
    ("data import c.sgf --shard-positions 0 --out o", ["o"]),
    ("data import c.sgf --size 1 --out o", ["o"]),
    ("data import c.sgf --out afile/o", []),
    ("data train-rollout shards --out r.npz --min-count 0", ["r.npz"]),
    ("data train-rollout shards --out afile/r.npz", []),
    ("data train-rollout shards --out empty", []),
    ("zero --preset bogus --run-dir z", ["z"]),
    ("zero --preset afile --run-dir z", ["z"]),
    ("zero --preset tiny --generations 0 --run-dir z", ["z"]),
    ("zero --preset tiny --net bogus --run-dir z", ["z"]),
    ("zero --preset tiny --device cuda:99 --run-dir z", ["z"]),
    ("zero --preset tiny --run-dir afile/z", []),
    ("alphago --preset tiny --set foo --run-dir a", ["a"]),
    ("alphago --preset tiny --set sl.bogus=1 --run-dir a", ["a"]),
    ("alphago --preset tiny --set sl.steps=abc --run-dir a", ["a"]),
    ("alphago --preset tiny --set sl.steps=-1 --run-dir a", ["a"]),
    ("alphago --preset tiny --until bogus --run-dir a", ["a"]),
    ("alphago --preset tiny --config nothere.toml --run-dir a", ["a"]),
    ("alphago --preset tiny --config afile --run-dir a", ["a"]),
    ("alphago --preset tiny --stages records --run-dir afile/a", []),
    ("compress quantize --from afile --out o.safetensors --method w4", ["o.safetensors"]),
    (f"compress quantize --from {POLICY} --out o.onnx --method int8", ["o.onnx"]),
    (f"compress quantize --from {POLICY} --out o.safetensors --method w7", ["o.safetensors"]),
    (f"compress quantize --from {POLICY} --out o.onnx --method w4", ["o.onnx"]),
    (f"compress quantize --from {POLICY} --out o.safetensors --method int8", ["o.safetensors"]),
    (f"compress quantize --from {POLICY} --out afile/o.safetensors --method w4", []),
    (f"compress quantize --from {POLICY} --out o.onnx --method int8 --calibration shards", []),
]

ERROR_LINE = re.compile(r"^igo( [a-z-]+)+: error: \S")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inputs the table names: a text file, an empty folder, a folder without SGF files, an
    SGF collection, and a shard folder imported from it."""
    root = tmp_path_factory.mktemp("fixtures")
    (root / "afile").write_text("x")
    (root / "empty").mkdir()
    (root / "notsgf").mkdir()
    (root / "notsgf" / "readme.txt").write_text("no games here\n")
    shutil.copy(DATA / "collection.sgf", root / "c.sgf")
    import_records([root / "c.sgf"], root / "shards", ImportConfig(heldout=0.0))
    return root


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its content (None for folders)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def _igo(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    source = str(Path(igo.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    env["COLUMNS"] = "100"
    return subprocess.run(
        [sys.executable, "-m", "igo", *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


def _check(code: object, err: str, work: Path, outputs: list[str], before: object) -> None:
    """Non-zero exit, one error line (after argparse's usage, if any), no traceback, nothing
    made or changed under ``work``."""
    assert code not in (0, None), "exit status 0"
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert lines and ERROR_LINE.match(lines[-1]), err
    usage = lines[:-1]  # argparse's usage message, if any: "usage: ..." and indented lines
    assert not usage or (
        usage[0].startswith("usage: igo ") and all(line.startswith(" ") for line in usage[1:])
    ), err
    assert not [path for path in outputs if (work / path).exists()]
    assert _tree(work) == before, "the failed command made or changed files"


@pytest.mark.parametrize(("command", "outputs"), PROCESS_CASES, ids=[c for c, _ in PROCESS_CASES])
def test_a_bad_command_line_fails_cleanly(
    command: str, outputs: list[str], fixtures: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    shutil.copytree(fixtures, work)
    before = _tree(work)
    done = _igo(shlex.split(command), work)
    _check(done.returncode, done.stderr, work, outputs, before)


@pytest.mark.parametrize(("command", "outputs"), MAIN_CASES, ids=[c for c, _ in MAIN_CASES])
def test_a_bad_command_line_fails_cleanly_in_main(
    command: str,
    outputs: list[str],
    fixtures: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = tmp_path / "work"
    shutil.copytree(fixtures, work)
    before = _tree(work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "100")
    try:
        code: object = main(shlex.split(command))
    except SystemExit as exit_info:  # argparse's errors
        code = exit_info.code
    _check(code, capsys.readouterr().err, work, outputs, before)


def test_an_unknown_flag_gets_the_subcommand_usage(fixtures: Path, tmp_path: Path) -> None:
    done = _igo(["data", "import", "--bogus", "c.sgf", "--out", "o"], fixtures)
    assert done.stderr.startswith("usage: igo data import ")
    assert done.stderr.strip().endswith("igo data import: error: unrecognized arguments: --bogus")


def test_an_import_of_only_bad_files_makes_no_folder(tmp_path: Path) -> None:
    (tmp_path / "bad.sgf").write_text("(;GM[1]SZ[9];B[zz")
    done = _igo(["data", "import", "bad.sgf", "--out", "o"], tmp_path)
    assert done.returncode == 1 and not (tmp_path / "o").exists()
    assert done.stderr.startswith("skipped ") and "1 skipped" in done.stdout  # lines stay apart
