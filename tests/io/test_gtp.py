"""GTP framing: parsing, cleaning, reply format and error handling, with in-memory streams."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igo.io.gtp import (
    Command,
    GtpError,
    Handler,
    clean_line,
    format_response,
    parse_line,
    sanitize,
    serve,
    standard_commands,
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
        return table

    def _fail(self, args: list[str]) -> str:
        raise GtpError("it failed")

    def _crash(self, args: list[str]) -> str:
        raise ZeroDivisionError("boom")


def run(data: bytes) -> tuple[int, str, list[str]]:
    engine = FakeEngine()
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
    assert got[0].startswith("?5 internal error: ZeroDivisionError")
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
    assert got[:4] == ["= 2", "= true", "= false", "? syntax error"]
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
