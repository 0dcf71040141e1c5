"""Fuzz-style GTP sessions: random and malformed commands against real engines.

Every reply must be framed properly, must never carry a Python exception's name (a GTP error is
words for the controller, the traceback goes to the log) nor be an internal error, and the engine
must keep answering. The sequences are seeded, so a failure replays exactly.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from igo.agents import create_player
from igo.agents.gtp import GoEngine
from igo.go.coords import to_gtp
from igo.io.gtp import execute, parse_line

EXCEPTION_NAME = re.compile(r"[A-Za-z]*(Error|Exception)\b")
_DEEP_JSON = '{"a":' * 3000 + "1" + "}" * 3000
WORDS = (
    # colours and vertices, good and bad
    "b w black WHITE purple empty A1 E5 C3 J9 T19 Z99 I5 A0 A-1 pass PASS resign e5 "
    # numbers
    "0 1 -1 2 3 5 7 9 19 25 26 7.5 6.25 -3.75 0.1 6.3 1e400 1e308 -1e308 nan inf -inf "
    "99999999999999999999999 0x10 \u0663 \u00b2 "
    # rules, time and analysis words
    "chinese japanese tromp-taylor aga new_zealand korean martian none absolute byoyomi "
    "canadian interval ownership true false maxmoves minmoves avoid allow rootInfo pvVisits "
    "alive dead seki # = ? - -- %s {} [ {"
).split(" ")
JSON_RULES = [
    '{"ko":"POSITIONAL","suicide":true}',
    '{"komi":6.25}',
    '{"komi":7.3}',
    '{"komi":1e999}',
    '{"komi":' + "9" * 400 + "}",
    '{"komi":"x"}',
    '{"komi":true}',
    '{"ko":null}',
    '{"suicide":"false"}',
    '{"whiteHandicapBonus":"N-2"}',
    '{"scoring":["AREA"]}',
    "[1,2]",
    "{",
    _DEEP_JSON,
]
SGF_FILES = {
    "game.sgf": "(;GM[1]SZ[9]KM[6.5]RU[Japanese];B[ee];W[cc];B[gg];W[];B[])",
    "quarter.sgf": "(;GM[1]SZ[5]KM[6.25];B[cc];W[bb])",
    "five.sgf": "(;GM[1]SZ[5]HA[2]AB[bb][dd];W[cc])",
    "big.sgf": "(;GM[1]SZ[19];B[pd];W[dp])",
    "huge.sgf": "(;GM[1]SZ[30];B[aa])",
    "illegal.sgf": "(;GM[1]SZ[9];B[ee];W[ee])",
    "suicide.sgf": "(;GM[1]SZ[5]RU[Tromp-Taylor];B[ab];W[ac];B[ee];W[bb];B[ed];W[ba];B[aa])",
    "broken.sgf": "(;GM[1]SZ[9];B[ee]",
    "notgo.sgf": "(;GM[3]SZ[9])",
    "badkm.sgf": "(;GM[1]SZ[9]KM[seven])",
    "badca.sgf": "(;GM[1]SZ[9]CA[no-such-charset]C[caf\xe9])",
    "badrules.sgf": "(;GM[1]SZ[9];B[ee]IGORULES[koWEIRDsui2])",
    "setup.sgf": "(;GM[1]SZ[9]AB[aa][ab][ba]AW[bb];B[ee])",
    "empty.sgf": "",
}


def _files(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files loadsgf and printsgf get; random words are paths too, so work in ``folder``."""
    monkeypatch.chdir(folder)
    for name, text in SGF_FILES.items():
        (folder / name).write_text(text, encoding="latin-1")
    (folder / "junk.sgf").write_bytes(bytes(range(256)) * 4)
    (folder / "folder.sgf").mkdir()
    paths = [str(folder / name) for name in (*SGF_FILES, "junk.sgf", "folder.sgf")]
    return [*paths, str(folder / "missing.sgf"), str(folder / "no-dir" / "x.sgf"), str(folder)]


def _vertex(rng: random.Random, size: int) -> str:
    return to_gtp(rng.randrange(size * size + 1), size)


def _shaped_args(rng: random.Random, name: str, size: int, files: list[str]) -> list[str]:
    """Arguments of the shape ``name`` takes (the values may still be out of range)."""
    color = rng.choice(("b", "w", "black", "white"))
    number = rng.choice(("-1", "0", "0.5", "6.25", "7.5", "30", "1e9"))
    shapes = {
        "play": [color, _vertex(rng, size)],
        "is_legal": [color, _vertex(rng, size)],
        "boardsize": [rng.choice(("0", "1", "2", "3", "5", "7", "9", "19", "25", "26"))],
        "komi": [number],
        "fixed_handicap": [str(rng.randint(-1, 10))],
        "place_free_handicap": [str(rng.randint(-1, 30))],
        "set_free_handicap": [_vertex(rng, size) for _ in range(rng.randint(1, 6))],
        "final_status_list": [rng.choice(("alive", "dead", "seki"))],
        "loadsgf": [rng.choice(files), *([str(rng.randint(-1, 9))] if rng.random() < 0.4 else [])],
        "printsgf": [rng.choice(files)] if rng.random() < 0.7 else [],
        "time_settings": [number, number, str(rng.randint(-1, 5))],
        "kgs-time_settings": [rng.choice(("none", "absolute", "byoyomi", "canadian"))]
        + [number for _ in range(rng.randint(0, 3))],
        "time_left": [color, number, str(rng.randint(-1, 5))],
        "kgs-rules": [rng.choice(("chinese", "japanese", "tromp-taylor", "aga", "nz", "x"))],
        "kata-set-rules": [rng.choice([*JSON_RULES, "japanese", "tromp_taylor", "stone-scoring"])],
    }
    if name in shapes:
        return shapes[name]
    if "analyze" in name:
        keys = rng.choice(([], ["ownership", "true"], ["maxmoves", "2"], ["avoid", "b", "A1", "1"]))
        return [color, str(rng.choice((0, 1, 5, 50))), *keys]
    return [color] if name in ("genmove", "reg_genmove", "kgs-genmove_cleanup") else []


def _line(rng: random.Random, names: list[str], size: int, files: list[str]) -> bytes:
    """One random command line: mostly a known command with arguments of its shape, sometimes
    random words, now and then junk bytes."""
    roll = rng.random()
    if roll < 0.03:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 30))).replace(b"\n", b" ")
    name = rng.choice(names) if roll < 0.95 else rng.choice(WORDS)
    if rng.random() < 0.7:
        args = _shaped_args(rng, name, size, files)
    else:
        pool = files if name in ("loadsgf", "printsgf") else WORDS
        args = [rng.choice(pool) for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4)))]
    prefix = f"{rng.randint(0, 10**12)} " if rng.random() < 0.1 else ""
    return (prefix + " ".join([name, *args])).encode("utf-8")


def fuzz(engine: GoEngine, files: list[str], seed: int, count: int) -> None:
    """Send ``count`` random lines, checking every reply; the engine answers ``name`` after."""
    commands = engine.commands()
    # Moves more often than the rest, so that games get somewhere.
    names = sorted(set(commands) - {"quit"}) + ["play"] * 12 + ["genmove"] * 4 + ["undo"] * 2
    rng, log = random.Random(seed), []
    for number in range(count):
        raw = _line(rng, names, engine.size, files)
        command = parse_line(raw)
        if command is None or command.name == "quit":
            continue
        reply = execute(commands, command, log.append)
        where = f"line {number}: {raw[:200]!r} -> {reply[:300]!r}"
        assert reply.endswith("\n\n") and "\n\n" not in reply[:-2], where
        assert EXCEPTION_NAME.search(reply) is None, where
        assert "internal error" not in reply, f"{where}\n{log[-1] if log else ''}"
        if number % 25 == 0:
            name = execute(commands, parse_line(b"7 name"), log.append)  # type: ignore[arg-type]
            assert name == f"=7 {engine.name}\n\n", where


def _quiet(message: str) -> None:
    """The engine's log (size refusals, komi rounding): not checked here."""


def test_random_player_survives_fuzzing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = GoEngine(create_player("random", seed=1), size=9, num_scoring_playouts=8, log=_quiet)
    fuzz(engine, _files(tmp_path, monkeypatch), seed=12, count=1500)


def test_mcts_player_without_network_survives_fuzzing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    player = create_player("mcts", visits=3, seed=2)
    engine = GoEngine(player, size=7, num_scoring_playouts=8, log=_quiet)
    fuzz(engine, _files(tmp_path, monkeypatch), seed=13, count=400)


def test_mcts_player_with_a_5x5_network_survives_fuzzing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zero_checkpoint: str
) -> None:
    """A network that plays 5x5 only: boardsize, loadsgf and genmove meet sizes it refuses."""
    player = create_player("mcts", checkpoint=zero_checkpoint, visits=3, seed=3, device="cpu")
    engine = GoEngine(player, size=5, num_scoring_playouts=8, log=_quiet)
    fuzz(engine, _files(tmp_path, monkeypatch), seed=14, count=400)
