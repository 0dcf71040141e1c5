"""``igo gtp`` analysis over real pipes, driven the way Lizzie and Sabaki drive it.

The controller sends ``lz-analyze 10``, reads info lines as they stream, then sends its next
command: the stream must end with a blank line and the next reply must follow, in order.
``LizzieLeelaz`` goes further and talks exactly as Lizzie 0.7.4's ``Leelaz.java`` does (numbered
commands, standard error merged into the output, its start-up sequence, its version check and its
parsing of ``info`` lines), checking what Lizzie would make of every line.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TIMEOUT = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""
SIZE = 5
LZ_INFO = re.compile(
    r"info move [A-E][1-5]|pass visits \d+ winrate \d+ prior \d+ lcb \d+ order \d+ pv( \S+)+"
)
KATA_INFO = re.compile(r"info move \S+ visits \d+ utility -?[\d.]+ winrate [\d.]+ prior [\d.]+ ")


class Lizzie:
    """A line-level GTP controller that reads streamed replies line by line."""

    def __init__(self, *args: str, merge_stderr: bool = False) -> None:
        command = [sys.executable, "-m", "igo", "gtp", *args]
        stderr = subprocess.STDOUT if merge_stderr else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self._lines.put(raw.decode("utf-8").rstrip("\n"))
        self._lines.put(None)

    def send_line(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def line(self, timeout: float = TIMEOUT) -> str:
        got = self._lines.get(timeout=timeout)
        assert got is not None, "the engine closed its output"
        return got

    def reply(self) -> list[str]:
        """The lines of the next reply up to its blank line."""
        lines = []
        while (line := self.line()) != "":
            lines.append(line)
        return lines

    def send(self, line: str) -> list[str]:
        self.send_line(line)
        return self.reply()

    def close(self) -> int:
        self.send_line("quit")
        assert self.reply() == ["= "]
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> str:
    from igo.nn.checkpoint import save_checkpoint
    from igo.nn.registry import create_net

    path = tmp_path_factory.mktemp("net") / "zero5.safetensors"
    save_checkpoint(create_net("resnet_b6c64", board_size=SIZE, blocks=1, channels=8), path)
    return str(path)


@pytest.fixture(name="lizzie")
def lizzie_fixture(checkpoint: str) -> Iterator[Lizzie]:
    engine = Lizzie("--player", "mcts", "--checkpoint", checkpoint, "--visits", "50", "--seed", "1")
    engine.send_line("name")
    assert engine.line() == "= igo (mcts)" and engine.line() == ""
    yield engine
    assert engine.close() == 0


def _stream(lizzie: Lizzie, command: str, count: int) -> list[str]:
    """Start an analysis, read ``count`` info lines, then stop it with the next command."""
    lizzie.send_line(command)
    assert lizzie.line() == "="
    lines = [lizzie.line() for _ in range(count)]
    assert "" not in lines
    return lines


def test_lz_analyze_streams_until_the_next_command(lizzie: Lizzie) -> None:
    assert lizzie.send("name") == ["= igo (mcts)"]
    for line in ("boardsize 5", "clear_board", "komi 7.5", "play b C3"):
        assert lizzie.send(line) == ["= "]
    lines = _stream(lizzie, "lz-analyze 10", 3)
    for line in lines:
        assert line.startswith("info move ") and LZ_INFO.search(line), line
        assert "C3" not in line.split(" pv ")[0].split()[2]
    visits = [int(re.search(r"visits (\d+)", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert visits[-1] >= visits[0]
    lizzie.send_line("play w B2")
    # Any info lines already under way, then the blank line that ends the stream, then the reply.
    tail = lizzie.reply()
    assert all(line.startswith("info move ") for line in tail)
    assert lizzie.reply() == ["= "]
    assert lizzie.send("name") == ["= igo (mcts)"]


def test_kata_analyze_with_ownership(lizzie: Lizzie) -> None:
    lizzie.send("clear_board")
    lines = _stream(lizzie, "kata-analyze b 10 ownership true", 2)
    for line in lines:
        assert KATA_INFO.match(line), line
        owner = line.split(" ownership ")[1].split()
        assert len(owner) == SIZE * SIZE and all(-1 <= float(v) <= 1 for v in owner)
    lizzie.send_line("7 name")
    lizzie.reply()
    assert lizzie.reply() == ["=7 igo (mcts)"]


def test_genmove_analyze_then_a_bare_newline_stop(lizzie: Lizzie) -> None:
    lizzie.send("clear_board")
    reply = lizzie.send("lz-genmove_analyze b 5")
    assert reply[0] == "=" and reply[-1].startswith("play ")
    assert all(line.startswith("info move ") for line in reply[1:-1])
    assert lizzie.send("showboard")[0] == "= "
    # A raw newline stops an analysis too (KataGo's rule).
    lizzie.send_line("lz-analyze 1000")
    assert lizzie.line() == "="
    lizzie.send_line("")
    assert lizzie.reply() == []
    assert lizzie.send("name") == ["= igo (mcts)"]


def test_zero_player_without_weights_fails_cleanly(tmp_path: Path) -> None:
    from igo.agents.nets import shipped_weights

    if shipped_weights().exists():
        pytest.skip("the shipped zero weights are installed")
    process = subprocess.run(
        [sys.executable, "-m", "igo", "gtp", "--player", "zero"],
        input=b"", capture_output=True, timeout=TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert process.returncode == 2 and process.stdout == b""
    assert b"Traceback" not in process.stderr
    assert b"zero-9x9.safetensors" in process.stderr and b"--checkpoint" in process.stderr


def test_arena_spec_reaches_the_player(checkpoint: str, tmp_path: Path) -> None:
    from igo.eval.engines import engine_argv, parse_engine_spec
    from igo.go.rules import PRESETS

    spec = parse_engine_spec(f"igo:player=mcts,checkpoint={checkpoint},visits=40,resign_after=30")
    argv = engine_argv(spec, PRESETS["chinese"], seed=3)
    assert argv[argv.index("--visits") + 1] == "40" and "--resign-after" in argv
    process = subprocess.run(
        argv, input=b"name\nboardsize 5\ngenmove b\nquit\n", capture_output=True, timeout=TIMEOUT,
        cwd=tmp_path,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr.decode()[-2000:]
    replies = process.stdout.decode().split("\n\n")
    assert replies[0] == "= igo (mcts)" and replies[1] == "= "
    assert re.fullmatch(r"= ([A-E][1-5]|pass)", replies[2])


# ----------------------------------------------------------------------------- Lizzie itself
JAVA_INT = re.compile(r"[+-]?\d+")
VERTEX = re.compile(r"[A-E][1-5]|pass")


def lizzie_accepts_version(reply: str) -> bool:
    """Lizzie's check of a ``version`` reply (Leelaz.parseLine): the second number of its first
    word, read with Integer.parseInt, must be 15 or more, else it shows "Lizzie requires version
    0.15 or later of Leela Zero for analysis" (and a word without a dot would throw)."""
    return int(reply.split(" ")[0].split(".")[1]) >= 15


def from_info(text: str) -> dict[str, object]:
    """Lizzie's MoveData.fromInfo: ``key value`` pairs up to ``pv``, then the variation; visits,
    winrate, prior and lcb are read with Integer.parseInt (Leela Zero's format)."""
    words, move = text.strip().split(" "), {}
    for i in range(0, len(words), 2):
        if words[i] == "pv":
            move["pv"] = words[i + 1 :]
            break
        key, value = words[i], words[i + 1]
        if key in ("visits", "winrate", "prior", "lcb"):
            assert JAVA_INT.fullmatch(value), f"Integer.parseInt({value!r}) would throw"
        move[key] = value
    return move


class LizzieLeelaz(Lizzie):
    """Talks to ``igo gtp`` as Lizzie 0.7.4's ``Leelaz.java`` does: standard error merged into
    the output (``redirectErrorStream(true)``), every command numbered, every line read by the
    branches of ``parseLine`` that an engine not named KataGo reaches."""

    def __init__(self, *args: str) -> None:
        super().__init__(*args, merge_stderr=True)
        self.cmd_number, self.current_cmd_num = 1, 0
        self.checking_name = self.checking_version = self.kata_go = False
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.best_moves: list[dict[str, object]] = []

    def send_numbered(self, command: str) -> int:
        self.send_line(f"{self.cmd_number} {command}")
        self.cmd_number += 1
        return self.cmd_number - 1

    def start(self, board_size: int, komi: float) -> None:
        """Leelaz.startEngine: name (is it KataGo?), version (is it 0.15+?), size, komi."""
        self.checking_name = True
        self.send_numbered("name")
        self.checking_version = True
        self.send_numbered("version")
        self.send_numbered(f"boardsize {board_size}")
        self.send_numbered(f"komi {komi}")

    def read_until(self, done: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        while True:
            line = self.line(timeout)
            self.parse(line)
            if done(line):
                return line

    def reply_to(self, number: int, timeout: float = TIMEOUT) -> str:
        """Read (and parse) up to the reply to command ``number``; its first line."""
        return self.read_until(lambda line: line.startswith((f"={number}", f"?{number}")), timeout)

    def parse(self, line: str) -> None:
        self.console.append(line)
        assert " -> " not in line, f"MoveData.fromSummary would throw on {line!r}"
        if line.startswith("info"):
            if self.current_cmd_num >= self.cmd_number - 1:  # isAnalysisUpToDate
                self.best_moves = [from_info(v) for v in line[5:].split(" info ") if v.strip()]
        elif line.startswith(("=", "?")):
            params = line.strip().split(" ")
            self.current_cmd_num = int(params[0][1:].strip())  # every reply needs the id
            if line.startswith("?") or len(params) == 1:
                return
            if self.checking_name:
                self.kata_go = params[1].startswith("KataGo")
                self.checking_name = False
            elif self.checking_version and not self.kata_go:
                if not lizzie_accepts_version(params[1]):
                    self.dialogs.append(f"requires version 0.15 or later (found {params[1]})")
                self.checking_version = False

    def close(self) -> int:
        self.reply_to(self.send_numbered("quit"))
        return self.process.wait(timeout=TIMEOUT)


def test_lizzie_start_up_and_analysis(checkpoint: str) -> None:
    assert not lizzie_accepts_version("0.1.0")  # igo's own version: Lizzie's dialog at start
    lizzie = LizzieLeelaz(
        "--player", "mcts", "--checkpoint", checkpoint, "--visits", "50", "--gtp-version", "0.17"
    )
    try:
        lizzie.start(board_size=19, komi=7.5)  # Lizzie's default board: the network's is 5x5
        assert lizzie.reply_to(3) == "?3 unacceptable size"
        assert lizzie.reply_to(4) == "=4 "
        assert not lizzie.kata_go and lizzie.dialogs == []
        why = "igo: mcts plays 5x5 only (its networks are 5x5); for 19x19 use --player auto"
        assert any(line.startswith(why) for line in lizzie.console)  # Lizzie's GTP console
        lizzie.reply_to(
            lizzie.send_numbered("boardsize 5")
        )  # the user sets Lizzie's board size to 5
        lizzie.reply_to(lizzie.send_numbered("clear_board"))
        # Initialised after the version check, Lizzie ponders: lz-analyze, never kata-analyze.
        number = lizzie.send_numbered("lz-analyze 10")
        assert lizzie.reply_to(number) == f"={number}"
        lizzie.read_until(lambda line: line.startswith("info"))
        _check_moves(lizzie.best_moves, occupied=set())
        lizzie.send_numbered("play B C3")  # the user plays; Lizzie ponders again at once
        number = lizzie.send_numbered("lz-analyze 10")
        assert lizzie.reply_to(number - 1).startswith(f"={number - 1} ")
        lizzie.reply_to(number)
        lizzie.read_until(lambda line: line.startswith("info"))
        _check_moves(lizzie.best_moves, occupied={"C3"})
        lizzie.reply_to(lizzie.send_numbered("name"))  # togglePonder: "name" ends the analysis
        assert lizzie.close() == 0
    finally:
        lizzie.process.kill()


def _check_moves(moves: list[dict[str, object]], occupied: set[str]) -> None:
    """What Lizzie would show: candidate moves with visits, win rates in [0, 100]%, a PV."""
    assert moves
    for move in moves:
        vertex = str(move["move"])
        assert VERTEX.fullmatch(vertex) and vertex not in occupied
        assert 0 <= int(str(move["winrate"])) / 100 <= 100 and int(str(move["visits"])) >= 1
        assert all(VERTEX.fullmatch(v) for v in move["pv"])  # type: ignore[attr-defined]
