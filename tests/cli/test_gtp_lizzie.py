"""``igo gtp`` analysis over real pipes, driven the way Lizzie and Sabaki drive it.

The controller sends ``lz-analyze 10``, reads info lines as they stream, then sends its next
command: the stream must end with a blank line and the next reply must follow, in order.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
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

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "igo", "gtp", *args]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
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
