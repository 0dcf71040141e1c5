"""``python -m igo gtp`` over real pipes: framing, ids, errors and hostile input of every kind.

One engine process serves the whole module; after every abuse it must still answer ``name``.
"""

from __future__ import annotations

import queue
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from igo.io.gtp import clean_line

REPLY_TIMEOUT = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""
ENGINE_NAME = "igo (random)"


class RawGtp:
    """A byte-level GTP controller for one engine subprocess."""

    def __init__(self, cwd: Path, *args: str) -> None:
        command = [sys.executable, "-m", "igo", "gtp", "--player", "random", "--seed", "1", *args]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(b"")

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def reply(self) -> str:
        """The next full reply, without its final blank line."""
        lines: list[bytes] = []
        while True:
            line = self._lines.get(timeout=REPLY_TIMEOUT)
            assert line, f"engine closed its output; got so far {lines!r}"
            if line == b"\n":
                break
            lines.append(line)
        text = b"".join(lines).decode("utf-8")
        assert text[:1] in ("=", "?"), f"reply does not start with = or ?: {text!r}"
        return text.rstrip("\n")

    def send(self, line: str | bytes) -> str:
        data = line if isinstance(line, bytes) else line.encode()
        self.send_raw(data + b"\n")
        return self.reply()

    def alive(self) -> None:
        assert self.send("name") == f"= {ENGINE_NAME}"

    def send_then_alive(self, line: bytes, number: int = 0) -> str | None:
        """Send ``line`` and a sentinel ``name``; return the reply to ``line`` (None if the line
        was blank after cleaning, which gets no reply) after checking the sentinel's."""
        sentinel = f"={number} {ENGINE_NAME}"
        self.send_raw(line + b"\n" + f"{number} name\n".encode())
        first = self.reply()
        if first == sentinel:
            return None
        assert self.reply() == sentinel, line[:100]
        return first

    def close(self) -> int:
        if self.process.poll() is None:
            self.send_raw(b"quit\n")
        return self.process.wait(timeout=REPLY_TIMEOUT)


@pytest.fixture(scope="module")
def gtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawGtp]:
    engine = RawGtp(tmp_path_factory.mktemp("gtp"), "--size", "9")
    yield engine
    assert engine.close() == 0


def test_gui_style_session(gtp: RawGtp) -> None:
    # What Sabaki / GoGui / Lizzie send on connecting and during a game.
    assert gtp.send("protocol_version") == "= 2"
    assert gtp.send("name") == f"= {ENGINE_NAME}"
    assert gtp.send("version").startswith("= ")
    commands = gtp.send("list_commands").removeprefix("= ").split("\n")
    assert {"boardsize", "play", "genmove", "kata-get-rules"} <= set(commands)
    assert "lz-analyze" not in commands and "kata-analyze" not in commands
    for line in ("boardsize 19", "clear_board", "komi 6.5", "play B D4", "play W Q16"):
        assert gtp.send(line) == "= "
    assert gtp.send("genmove B")[2:] not in ("", "resign")
    assert gtp.send("lz-analyze 100") == "? unknown command"
    assert gtp.send("gogui-analyze_commands") == "= "
    assert gtp.send("undo") == "= "
    assert gtp.send("showboard").count("\n") >= 21


def test_ids_are_echoed(gtp: RawGtp) -> None:
    assert gtp.send("7 name") == f"=7 {ENGINE_NAME}"
    assert gtp.send("8 nonsense") == "?8 unknown command"
    huge = "9" * 40
    assert gtp.send(f"{huge} protocol_version") == f"={huge} 2"
    assert gtp.send("00012 protocol_version") == "=00012 2"
    assert gtp.send("5") == "?5 missing command name"


def test_blank_comment_and_crlf_lines(gtp: RawGtp) -> None:
    gtp.send_raw(b"\n   \n# comment only\n\t\n\r\n")
    assert gtp.send(b"1 name # trailing comment\r") == f"=1 {ENGINE_NAME}"
    assert gtp.send(b"2\tprotocol_version") == "=2 2"


@pytest.mark.parametrize(
    "line",
    [
        b"\x00\x00\x00",
        b"na\x00me",
        b"\xff\xfe\xfd invalid utf-8",
        b"play b \xc3\x28",
        b"\x1b[31m colour codes",
        b"boardsize " + b"9" * 5000,
        b"x" * 1_100_000,
        b"play " + b"b D4 " * 200_000,
        b"1 " * 1000,
    ],
    ids=[
        "nul",
        "nul-in-name",
        "bad-utf8",
        "bad-utf8-arg",
        "escape",
        "huge-number",
        "1mb-word",
        "1mb-args",
        "many-ids",
    ],  # fmt: skip
)
def test_hostile_lines_get_at_most_one_reply(gtp: RawGtp, line: bytes) -> None:
    reply = gtp.send_then_alive(line)
    if clean_line(line):
        assert reply is not None and "internal error" not in reply
    else:
        assert reply is None  # a line of control characters is blank once cleaned


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("boardsize", "? syntax error"),
        ("boardsize 9 9", "? syntax error"),
        ("boardsize 99", "? unacceptable size"),
        ("boardsize -1", "? unacceptable size"),
        ("komi", "? syntax error"),
        ("komi seven", "? syntax error"),
        ("play", "? syntax error"),
        ("play black", "? syntax error"),
        ("play black D4 extra", "? syntax error"),
        ("play blue D4", "? syntax error"),
        ("play black Z9", "? syntax error"),
        ("play black D99", "? syntax error"),
        ("play black D0", "? syntax error"),
        ("play black 44", "? syntax error"),
        ("genmove", "? syntax error"),
        ("genmove purple", "? syntax error"),
        ("known_command", "= false"),
        ("fixed_handicap", "? syntax error"),
        ("final_status_list", "? syntax error"),
        ("is_legal black", "? syntax error"),
        ("captures", "? syntax error"),
    ],
)
def test_bad_arguments(gtp: RawGtp, line: str, expected: str) -> None:
    gtp.send("boardsize 9")
    assert gtp.send(line) == expected
    gtp.alive()


def test_illegal_moves_and_undo_past_start(gtp: RawGtp) -> None:
    assert gtp.send("boardsize 9") == "= "
    assert gtp.send("play b E5") == "= "
    assert gtp.send("play w E5") == "? illegal move"
    assert gtp.send("undo") == "= "
    for _ in range(3):
        assert gtp.send("undo") == "? cannot undo"
    gtp.alive()


def test_a_full_game_then_scoring(gtp: RawGtp) -> None:
    for line in ("boardsize 7", "clear_board", "komi 7.5"):
        assert gtp.send(line) == "= "
    color, passes = "b", 0
    for _ in range(400):
        move = gtp.send(f"genmove {color}")[2:]
        passes = passes + 1 if move == "pass" else 0
        if passes == 2:
            break
        color = "w" if color == "b" else "b"
    assert passes == 2
    assert gtp.send("final_score")[2:4] in ("B+", "W+")
    assert gtp.send("final_status_list dead").startswith("= ")
    sgf = gtp.send("printsgf")
    assert sgf.startswith("= (;") and "\n\n" not in sgf


def test_fuzz_random_lines(gtp: RawGtp) -> None:
    """Seeded random lines, raw bytes and shuffled command words: every line gets at most one
    reply, framing holds, and the engine answers the sentinel after each."""
    rng = random.Random(1234)
    words = (
        "play genmove boardsize komi undo b w D4 pass 19 -1 fixed_handicap set_free_handicap "
        "time_left kgs-time_settings byoyomi kata-set-rules { } final_status_list is_legal 7 "
        "\t # list_stones showboard time_settings 0 1e400 nan A1 T19 clear_board"
    ).split(" ")
    gtp.send("boardsize 5")
    for number in range(300):
        if rng.random() < 0.5:
            line = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
        else:
            line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5))).encode()
        line = line.replace(b"\n", b" ")
        cleaned = clean_line(line).split()
        name = next((w for w in cleaned if not w.isdigit()), "")
        if name in ("quit", "loadsgf", "printsgf"):
            continue
        reply = gtp.send_then_alive(line, number)
        assert reply is None or "internal error" not in reply, (line, reply)


def test_end_of_input_exits_cleanly(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "igo", "gtp", "--player", "random", "--size", "9"],
        input=b"1 name\n2 genmove b", capture_output=True, timeout=REPLY_TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert process.returncode == 0
    replies = process.stdout.decode().split("\n\n")
    assert replies[0] == f"=1 {ENGINE_NAME}" and replies[1].startswith("=2 ")
    assert b"Traceback" not in process.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--size", "1"],
        ["--size", "x"],
        ["--rules", "martian"],
        ["--komi", "7.3"],
        ["--player", "nobody"],
        ["--bogus"],
        ["--seed", "1.5"],
    ],  # fmt: skip
)
def test_bad_command_line(args: list[str], tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "igo", "gtp", *args],
        input=b"", capture_output=True, timeout=REPLY_TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert process.returncode != 0
    assert b"Traceback" not in process.stderr
    assert b"error" in process.stderr
    assert process.stdout == b""
