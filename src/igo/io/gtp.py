"""The GTP version 2 wire protocol: read commands, dispatch them to an engine, write replies.

This module knows nothing about Go or players. An :class:`Engine` supplies a table of command
handlers (``name -> handler(args) -> str``); :func:`serve` reads lines from a binary stream,
cleans them as the GTP 2 specification (section 2) asks, and writes framed replies:

| input line                | reply                       |
|---------------------------|-----------------------------|
| ``7 name``                | ``=7 igo\\n\\n``            |
| ``boardsize x``           | ``? syntax error\\n\\n``    |
| ``foo``                   | ``? unknown command\\n\\n`` |
| blank, or ``# comment``   | nothing                     |

Every reply ends with exactly one blank line and contains no other, whatever a handler returns.
A handler signals a GTP failure by raising :class:`GtpError`; any other exception becomes
``? internal error: ...`` (with a traceback on the log stream) and the server keeps answering.
``quit`` and the end of input both end :func:`serve` with exit status 0.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Protocol

Handler = Callable[[list[str]], str]
"""A command handler: takes the argument words, returns the reply text (may be multi-line)."""

PROTOCOL_VERSION = "2"

# Control characters other than HT and LF are discarded on input (GTP 2, section 2.2); CR is one
# of them, which is what makes CRLF line ends work. DEL is a control character too.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ID = re.compile(r"[0-9]+")


class GtpError(Exception):
    """A command failed in a way the controller should hear about: the reply is ``? message``."""


class Engine(Protocol):
    """What :func:`serve` needs from a GTP engine."""

    @property
    def name(self) -> str:
        """The engine's name, for the ``name`` command."""
        ...

    @property
    def version(self) -> str:
        """The engine's version, for the ``version`` command."""
        ...

    def commands(self) -> Mapping[str, Handler]:
        """The command table: GTP command name -> handler."""
        ...


@dataclass(frozen=True)
class Command:
    """One parsed command line."""

    id: str | None
    """The identity number as its digit string (never converted: it may be huge), or None."""
    name: str
    """The command name; empty when the line held only an id."""
    args: list[str]
    """The argument words."""


def clean_line(raw: bytes) -> str:
    """Decode one input line and apply the GTP 2 preprocessing (section 2.2-2.3).

    Invalid UTF-8 becomes U+FFFD, control characters other than HT and LF are dropped, ``#``
    starts a comment that runs to the end of the line, and tabs become spaces.

    Returns:
        The cleaned line without its newline, stripped of surrounding whitespace.
    """
    text = raw.decode("utf-8", errors="replace")
    text = _CONTROL.sub("", text.replace("\n", ""))
    text = text.split("#", 1)[0]
    return text.replace("\t", " ").strip()


def parse_line(raw: bytes) -> Command | None:
    """Parse one raw input line; None for lines that get no reply (blank or comment only)."""
    words = clean_line(raw).split()
    if not words:
        return None
    command_id = None
    if _ID.fullmatch(words[0]):
        command_id, words = words[0], words[1:]
    if not words:
        return Command(command_id, "", [])
    return Command(command_id, words[0], words[1:])


def sanitize(text: str) -> str:
    """Make handler output safe to frame: no CR, no control characters, no blank lines inside.

    The first line may be empty (a multi-line reply such as a board then starts on its own line
    after ``= ``); every later line that holds only whitespace is dropped, because a blank line
    would end the reply early and desynchronise the controller.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = _CONTROL.sub("", text).rstrip().split("\n")
    kept = [lines[0]] + [line.rstrip() for line in lines[1:] if line.strip()]
    return "\n".join(kept)


def format_response(command_id: str | None, success: bool, text: str) -> str:
    """Frame a reply: ``=[id] text\\n\\n`` or ``?[id] text\\n\\n``."""
    body = sanitize(text)
    return f"{'=' if success else '?'}{command_id or ''} {body}\n\n"


def execute(commands: Mapping[str, Handler], command: Command, log: Callable[[str], None]) -> str:
    """Run one command against a command table and return its framed reply."""
    if not command.name:
        return format_response(command.id, False, "missing command name")
    handler = commands.get(command.name)
    if handler is None:
        return format_response(command.id, False, "unknown command")
    try:
        result = handler(list(command.args))
    except GtpError as err:
        return format_response(command.id, False, str(err) or "failed")
    except Exception as err:  # The server must keep answering, whatever a handler does.
        log(f"internal error in {command.name!r}:\n{traceback.format_exc()}")
        return format_response(command.id, False, f"internal error: {type(err).__name__}: {err}")
    if not isinstance(result, str):
        log(f"handler {command.name!r} returned {type(result).__name__}, not str")
        return format_response(command.id, False, "internal error: bad handler result")
    return format_response(command.id, True, result)


def _stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def serve(
    engine: Engine,
    stdin: BinaryIO,
    stdout: BinaryIO,
    log: Callable[[str], None] | None = None,
) -> int:
    """Answer GTP commands from ``stdin`` on ``stdout`` until ``quit`` or end of input.

    Args:
        engine: supplies the command table; it is read once, at the start.
        stdin: binary input stream, one command per line (LF or CRLF).
        stdout: binary output stream; replies are UTF-8 and flushed one by one.
        log: where diagnostics go (one message per call); defaults to standard error.

    Returns:
        The exit status: 0 after ``quit``, end of input, or a controller that hung up.
    """
    log_fn = log or _stderr_log
    commands = dict(engine.commands())
    # quit must always work, even for an engine whose table forgot it.
    commands.setdefault("quit", lambda args: "")
    while True:
        raw = stdin.readline()
        if not raw:
            return 0
        command = parse_line(raw)
        if command is None:
            continue
        reply = execute(commands, command, log_fn)
        try:
            stdout.write(reply.encode("utf-8", errors="replace"))
            stdout.flush()
        except (BrokenPipeError, ValueError):
            # The controller closed its end (ValueError: the stream itself was closed).
            return 0
        if command.name == "quit":
            return 0


def standard_commands(engine: Engine, command_names: Callable[[], list[str]]) -> dict[str, Handler]:
    """The administrative commands every GTP engine answers the same way.

    Args:
        engine: gives ``name`` and ``version``.
        command_names: returns the names to report in ``list_commands`` / ``known_command``.

    Returns:
        Handlers for protocol_version, name, version, known_command, list_commands and quit.
    """

    def known_command(args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        return "true" if args[0] in command_names() else "false"

    return {
        "protocol_version": lambda args: PROTOCOL_VERSION,
        "name": lambda args: engine.name,
        "version": lambda args: engine.version,
        "known_command": known_command,
        "list_commands": lambda args: "\n".join(command_names()),
        "quit": lambda args: "",
    }
