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
A handler signals a GTP failure by raising :class:`GtpError`; any other exception is a bug that
becomes ``? internal error: NAME failed; ...`` (never the exception's class: the traceback goes
to the log stream) and the server keeps answering.
``quit`` and the end of input both end :func:`serve` with exit status 0.

A handler may also return a :class:`Stream`: a reply written piece by piece, as the analysis
extensions of Leela Zero and KataGo (``lz-analyze``, ``kata-analyze``) need. :func:`serve` writes
``=[id]`` and a newline, then each text chunk the stream yields, flushed at once; an
*interruptible* stream is stopped by the next input line (a command or a bare newline: that line
is then handled as usual), any other runs to its end; the blank line that ends the reply follows.
A reader thread takes input lines as they come, so a stream never blocks on input.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass
class Stream:
    """A reply written as it is produced: ``=[id]``, a newline, the chunks, then a blank line.

    Each chunk is written as it is (a chunk that is not empty should end with a newline); an
    empty chunk writes nothing and only gives ``serve`` the chance to look for input, so a
    producer that works in short slices should yield ``""`` after each.
    """

    chunks: Iterator[str]
    """The text, chunk by chunk; closed (``GeneratorExit``) when the stream is stopped early."""
    interruptible: bool = True
    """Stop at the next input line (lz-analyze); False runs to the end (lz-genmove_analyze)."""


Handler = Callable[[list[str]], str | Stream]
"""A command handler: takes the argument words, returns the reply text (may be multi-line) or a
:class:`Stream`."""

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


def call(
    commands: Mapping[str, Handler], command: Command, log: Callable[[str], None]
) -> str | Stream:
    """Run one command against a command table: its framed reply, or the handler's Stream (to be
    run by :func:`stream_reply`)."""
    if not command.name:
        return format_response(command.id, False, "missing command name")
    handler = commands.get(command.name)
    if handler is None:
        return format_response(command.id, False, "unknown command")
    try:
        result = handler(list(command.args))
    except GtpError as err:
        return format_response(command.id, False, str(err) or "failed")
    except Exception:  # The server must keep answering, whatever a handler does.
        # The controller gets words, never a Python exception; the traceback goes to the log.
        log(f"internal error in {command.name!r}:\n{traceback.format_exc()}")
        text = f"internal error: {command.name} failed; the engine's log says why"
        return format_response(command.id, False, text)
    if isinstance(result, Stream):
        return result
    if not isinstance(result, str):
        log(f"handler {command.name!r} returned {type(result).__name__}, not str")
        return format_response(command.id, False, "internal error: bad handler result")
    return format_response(command.id, True, result)


def execute(commands: Mapping[str, Handler], command: Command, log: Callable[[str], None]) -> str:
    """Run one command against a command table and return its whole framed reply.

    A Stream runs as if input were already waiting: an interruptible one stops after its first
    chunk, any other runs to its end.
    """
    reply = call(commands, command, log)
    if isinstance(reply, Stream):
        return "".join(stream_reply(command.id, reply, lambda: True, log))
    return reply


def _stream_lines(chunk: str) -> str:
    """A chunk made safe to frame: no control characters and no blank lines, newline-ended."""
    lines = [line.rstrip() for line in sanitize(chunk).split("\n") if line.strip()]
    return "".join(line + "\n" for line in lines)


def stream_reply(
    command_id: str | None,
    stream: Stream,
    input_waiting: Callable[[], bool],
    log: Callable[[str], None],
) -> Iterator[str]:
    """The framed pieces of a streamed reply: ``=[id]\\n``, each chunk, then ``\\n``.

    Args:
        command_id: the command's id, echoed after ``=``.
        stream: the handler's stream.
        input_waiting: asked after every chunk; True stops an interruptible stream.
        log: where a failure inside the stream is reported (the reply still ends properly).
    """
    yield f"={command_id or ''}\n"
    try:
        for chunk in stream.chunks:
            text = _stream_lines(chunk) if chunk else ""
            if text:
                yield text
            if stream.interruptible and input_waiting():
                break
    except Exception:  # The reply has begun: it must still end, and the server go on.
        log(f"internal error in a streamed reply:\n{traceback.format_exc()}")
    finally:
        close = getattr(stream.chunks, "close", None)
        if close is not None:
            close()
    yield "\n"


def _stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _private(stdin: BinaryIO) -> BinaryIO:
    """A reader of its own over ``stdin``'s file descriptor, when it has one.

    The reader thread is still blocked in ``readline`` when ``serve`` returns; if it held the
    lock of ``sys.stdin.buffer``, the interpreter would abort at exit ("could not acquire lock
    ... at interpreter shutdown, possibly due to daemon threads"). Nothing else touches a
    private reader, so the process exits cleanly.
    """
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return stdin  # an in-memory stream: no lock that shutdown needs
    return open(fd, "rb", closefd=False)  # noqa: SIM115 (lives as long as the reader thread)


def _read_lines(stdin: BinaryIO, lines: queue.Queue[bytes | None]) -> None:
    """Reader thread: every input line into ``lines``, then None at the end of input."""
    try:
        while raw := stdin.readline():
            lines.put(raw)
    except (OSError, ValueError):
        pass  # a closed stream is the end of input
    finally:
        lines.put(None)


def serve(
    engine: Engine,
    stdin: BinaryIO,
    stdout: BinaryIO,
    log: Callable[[str], None] | None = None,
) -> int:
    """Answer GTP commands from ``stdin`` on ``stdout`` until ``quit`` or end of input.

    Args:
        engine: supplies the command table; it is read once, at the start.
        stdin: binary input stream, one command per line (LF or CRLF); read by a daemon thread,
            so that a streamed reply can stop as soon as the next line arrives.
        stdout: binary output stream; replies are UTF-8 and flushed piece by piece.
        log: where diagnostics go (one message per call); defaults to standard error.

    Returns:
        The exit status: 0 after ``quit``, end of input, or a controller that hung up.
    """
    log_fn = log or _stderr_log
    commands = dict(engine.commands())
    # quit must always work, even for an engine whose table forgot it.
    commands.setdefault("quit", lambda args: "")
    lines: queue.Queue[bytes | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(_private(stdin), lines), daemon=True)
    reader.start()
    while True:
        raw = lines.get()
        if raw is None:
            return 0
        command = parse_line(raw)
        if command is None:
            continue
        reply = call(commands, command, log_fn)
        if isinstance(reply, Stream):
            pieces: Iterator[str] = stream_reply(
                command.id, reply, lambda: not lines.empty(), log_fn
            )
        else:
            pieces = iter([reply])
        if not _write_all(pieces, stdout):
            return 0
        if command.name == "quit":
            return 0


def _write_all(pieces: Iterator[str], stdout: BinaryIO) -> bool:
    """Write and flush each piece; False if the controller closed its end."""
    try:
        for piece in pieces:
            stdout.write(piece.encode("utf-8", errors="replace"))
            stdout.flush()
    except (BrokenPipeError, ValueError):
        # The controller closed its end (ValueError: the stream itself was closed).
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
        return False
    return True


def standard_commands(engine: Engine, command_names: Callable[[], list[str]]) -> dict[str, Handler]:
    """The administrative commands every GTP engine answers the same way.

    Args:
        engine: gives ``name`` and ``version``.
        command_names: returns the names to report in ``list_commands`` / ``known_command``.

    Returns:
        Handlers for protocol_version, name, version, known_command, list_commands and quit.
    """

    def known_command(args: list[str]) -> str:
        # No name names no known command: "false", as GNU Go answers (it reads the first word).
        return "true" if args and args[0] in command_names() else "false"

    return {
        "protocol_version": lambda args: PROTOCOL_VERSION,
        "name": lambda args: engine.name,
        "version": lambda args: engine.version,
        "known_command": known_command,
        "list_commands": lambda args: "\n".join(command_names()),
        "quit": lambda args: "",
    }
