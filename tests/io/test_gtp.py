"""GTP framing: parsing, cleaning, reply format and error handling, with in-memory streams."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igo.io.gtp import (
    Command,
    GtpError,
    Handler,
    Stream,
    clean_line,
    execute,
    format_response,
    parse_line,
    sanitize,
    serve,
    standard_commands,
    stream_reply,
)


class FakeEngine:
    """A tiny engine: echo, a multi-line reply with blank lines, a failure and a crash."""

    name = "fake"
    version = "1.0"

    def __init__(self) -> None:
        self.logs: list[str] = []

    def commands(self) -> Mapping[str, Handler]:
        table: dict[str, Handler] = standard_commands(self, lambda: sorted(table))
        table["echo"] = lambda args: " ".join(args)
        table["blanks"] = lambda args: "\nline1\n\n\n  \nline2\r\n\r\n"
        table["fail"] = self._fail
        table["crash"] = self._crash
        table["notstr"] = lambda args: 42  # type: ignore[assignment,return-value]
        table["ticks"] = self._ticks
        table["count"] = lambda args: Stream(iter(["one\n", "", "two\n\n", "three"]), False)
        table["broken"] = lambda args: Stream(self._broken(), interruptible=False)
        return table

    def _ticks(self, args: list[str]) -> Stream:
        """Endless: a line, then empty chunks (time to look at the input), like lz-analyze."""
        self.closed = False

        def chunks() -> Iterator[str]:
            try:
                for i in itertools.count():
                    yield f"tick {i}\n" if i % 3 == 0 else ""
                    time.sleep(0.001)
            finally:
                self.closed = True

        return Stream(chunks(), interruptible=True)

    def _broken(self) -> Iterator[str]:
        yield "partial\n"
        raise RuntimeError("stream failed")

    def _fail(self, args: list[str]) -> str:
        raise GtpError("it failed")

    def _crash(self, args: list[str]) -> str:
        raise ZeroDivisionError("boom")


def run(data: bytes, engine: FakeEngine | None = None) -> tuple[int, str, list[str]]:
    engine = engine or FakeEngine()
    out = io.BytesIO()
    logs: list[str] = []
    status = serve(engine, io.BytesIO(data), out, log=logs.append)
    return status, out.getvalue().decode("utf-8"), logs


def replies(text: str) -> list[str]:
    assert text.endswith("\n\n") or text == ""
    return [r for r in text.split("\n\n") if r]


def test_clean_line_drops_controls_comments_and_tabs() -> None:
    assert clean_line(b"  play\tb  D4 # a comment\r\n") == "play b  D4"
    assert clean_line(b"na\x00me\x07\x1b\x7f") == "name"
    assert clean_line(b"# only a comment") == ""
    assert clean_line(b"\xff\xfename") == "\ufffd\ufffdname"


def test_parse_line_ids_and_blank_lines() -> None:
    assert parse_line(b"\n") is None
    assert parse_line(b"   # nothing\n") is None
    assert parse_line(b"7 play b d4") == Command("7", "play", ["b", "d4"])
    assert parse_line(b"play b d4") == Command(None, "play", ["b", "d4"])
    huge = b"99999999999999999999999999999999"
    assert parse_line(huge + b" name") == Command(huge.decode(), "name", [])
    assert parse_line(b"12") == Command("12", "", [])
    # Only ASCII digits make an id; other Unicode digits are part of the command name.
    assert parse_line("\u0663 name".encode()) == Command(None, "\u0663", ["name"])


def test_sanitize_never_leaves_blank_lines() -> None:
    assert sanitize("a\n\nb\n\n") == "a\nb"
    assert sanitize("\nboard\n \n row") == "\nboard\n row"
    assert sanitize("x\r\ny\rz") == "x\ny\nz"
    assert format_response("3", True, "") == "=3 \n\n"
    assert format_response(None, False, "bad\n\nthing") == "? bad\nthing\n\n"


def test_serve_success_error_and_ids() -> None:
    status, text, _ = run(b"1 echo hi there\nfail\n22 fail\nnosuch\n3 name\nversion\n")
    assert status == 0
    assert replies(text) == [
        "=1 hi there",
        "? it failed",
        "?22 it failed",
        "? unknown command",
        "=3 fake",
        "= 1.0",
    ]


def test_serve_skips_blank_and_comment_lines() -> None:
    _, text, _ = run(b"\n\n# comment\n   \t \necho a\r\n\r\n")
    assert replies(text) == ["= a"]


def test_internal_error_is_reported_and_server_continues() -> None:
    status, text, logs = run(b"5 crash\nnotstr\necho still alive\n")
    assert status == 0
    got = replies(text)
    # Words for the controller, never the exception's class: the traceback goes to the log.
    assert got[0] == "?5 internal error: crash failed; the engine's log says why"
    assert "ZeroDivisionError" not in text and "Error" not in text
    assert got[1].startswith("? internal error")
    assert got[2] == "= still alive"
    assert any("Traceback" in line for line in logs)


def test_multiline_reply_has_exactly_one_blank_line() -> None:
    _, text, _ = run(b"blanks\necho x\n")
    assert text == "= \nline1\nline2\n\n= x\n\n"


def test_quit_stops_reading() -> None:
    status, text, _ = run(b"echo a\n9 quit\necho b\n")
    assert status == 0
    assert text == "= a\n\n=9 \n\n"


def test_standard_commands() -> None:
    _, text, _ = run(
        b"protocol_version\nknown_command echo\nknown_command nope\nknown_command\nlist_commands\n"
    )
    got = replies(text)
    assert got[:4] == ["= 2", "= true", "= false", "= false"]  # no name: false, as GNU Go
    assert "echo" in got[4].split("\n")[1:] or "echo" in got[4]


def test_huge_line_nul_bytes_and_bad_utf8() -> None:
    big = b"echo " + b"x" * 1_200_000 + b"\n"
    _, text, _ = run(big + b"ec\x00ho \xff\xfe ok\n" + b"\x00\x00\n" + b"echo end\n")
    got = replies(text)
    assert len(got) == 3
    assert got[0] == "= " + "x" * 1_200_000
    assert got[1] == "= \ufffd\ufffd ok"
    assert got[2] == "= end"


def test_end_of_input_without_newline() -> None:
    status, text, _ = run(b"echo last")
    assert status == 0 and replies(text) == ["= last"]


class ClosedOutput(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise BrokenPipeError


def test_controller_hanging_up_ends_cleanly() -> None:
    assert serve(FakeEngine(), io.BytesIO(b"echo a\n"), ClosedOutput()) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=8))
def test_random_bytes_never_break_framing(lines: list[bytes]) -> None:
    # quit would (rightly) end the session early, so lines that spell it are left out.
    kept = [line for line in b"\n".join(lines).split(b"\n") if "quit" not in clean_line(line)]
    data = b"\n".join(kept) + b"\necho end\n"
    status, text, _ = run(data)
    assert status == 0
    assert text.endswith("= end\n\n")
    # Every reply starts with = or ? and there are no stray blank lines.
    for reply in text[:-2].split("\n\n"):
        assert reply[:1] in ("=", "?")


@pytest.mark.parametrize("line", [b"quit\n", b"  quit extra\n", b"1 quit\r\n"])
def test_quit_forms(line: bytes) -> None:
    status, text, _ = run(line + b"echo after\n")
    assert status == 0 and "after" not in text


def test_stream_is_stopped_by_the_next_line() -> None:
    engine = FakeEngine()
    status, text, _ = run(b"5 ticks\necho after\n", engine)
    assert status == 0 and engine.closed
    # Input was already waiting: the stream stops after its first chunk and ends with "\n".
    assert text == "=5\ntick 0\n\n= after\n\n"


def test_stream_stopped_by_a_bare_newline_and_by_end_of_input() -> None:
    engine = FakeEngine()
    _, text, _ = run(b"ticks\n\n", engine)
    assert text == "=\ntick 0\n\n" and engine.closed
    _, text, _ = run(b"ticks", engine)
    assert text == "=\ntick 0\n\n"


def test_uninterruptible_stream_runs_to_its_end() -> None:
    _, text, _ = run(b"7 count\necho next\n")
    # Chunks lose blank lines and get a final newline; the reply ends with one blank line.
    assert text == "=7\none\ntwo\nthree\n\n= next\n\n"
    assert replies(text) == ["=7\none\ntwo\nthree", "= next"]


def test_failing_stream_still_ends_its_reply() -> None:
    _, text, logs = run(b"broken\necho ok\n")
    assert text == "=\npartial\n\n= ok\n\n"
    assert any("stream failed" in line for line in logs)


def test_execute_runs_a_stream_as_if_input_were_waiting() -> None:
    engine = FakeEngine()
    commands = engine.commands()
    assert execute(commands, Command("3", "ticks", []), print) == "=3\ntick 0\n\n"
    assert execute(commands, Command(None, "count", []), print) == "=\none\ntwo\nthree\n\n"
    pieces = stream_reply("9", Stream(iter(["a\n", "b\n"])), lambda: False, print)
    assert list(pieces) == ["=9\n", "a\n", "b\n", "\n"]


def test_streams_are_cut_by_input_arriving_later() -> None:
    import os
    import threading

    read_fd, write_fd = os.pipe()
    out = io.BytesIO()
    engine = FakeEngine()
    reader = os.fdopen(read_fd, "rb")
    done = threading.Thread(target=lambda: serve(engine, reader, out, log=lambda m: None))
    with os.fdopen(write_fd, "wb") as writer:
        writer.write(b"ticks\n")
        writer.flush()
        done.start()
        time.sleep(0.3)
        writer.write(b"echo stop\n")
    done.join(10)
    assert not done.is_alive()
    text = out.getvalue().decode()
    reply, rest = text.split("\n\n", 1)
    lines = reply.split("\n")
    assert lines[0] == "=" and len(lines) > 3 and all(line.startswith("tick") for line in lines[1:])
    assert rest == "= stop\n\n"
