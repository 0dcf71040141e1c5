"""GTP client: drive another Go program (GNU Go, Leela Zero, igo itself) as a subprocess.

One ``GtpClient`` owns one engine process. Every command has a deadline, so a hung or crashed
engine raises ``GtpEngineError`` instead of hanging the caller; replies are read on a background
thread because a blocking pipe read cannot otherwise be timed out portably.
"""

from __future__ import annotations

import queue
import shlex
import shutil
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

# Debian installs GNU Go and Leela Zero under /usr/games, which is not on root's PATH.
_EXTRA_BIN_DIRS = ("/usr/games", "/usr/local/games")


class GtpEngineError(RuntimeError):
    """The engine crashed, hung past its deadline, or broke the protocol.

    ``kind`` says which, so that a referee can record why a game was lost: ``start`` (it could
    not be started), ``exit`` (it died), ``timeout`` (no reply in time), ``protocol`` (a reply
    out of protocol) or ``input`` (it stopped reading commands).
    """

    def __init__(self, message: str, kind: str = "protocol") -> None:
        super().__init__(message)
        self.kind = kind


class GtpCommandError(RuntimeError):
    """The engine answered a command with a GTP failure (``? message``)."""


def find_program(name: str) -> str | None:
    """Path of program ``name`` on PATH or in the Debian games folders, or None."""
    found = shutil.which(name)
    if found:
        return found
    for folder in _EXTRA_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return None


class GtpClient:
    """A running GTP engine. Use as a context manager, or call ``close``."""

    def __init__(
        self,
        argv: Sequence[str] | str,
        timeout: float = 60.0,
        name: str | None = None,
        stderr_path: str | None = None,
    ) -> None:
        args = shlex.split(argv) if isinstance(argv, str) else list(argv)
        if not args:
            raise ValueError("empty engine command line")
        program = find_program(args[0]) or args[0]
        self.argv = [program, *args[1:]]
        self.name = name or Path(args[0]).name
        self.timeout = timeout
        self._err: IO[bytes] | None = open(stderr_path, "ab") if stderr_path else None  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._err if self._err is not None else subprocess.DEVNULL,
            )
        except OSError as exc:
            if self._err is not None:
                self._err.close()
            raise GtpEngineError(f"cannot start {self.argv[0]!r}: {exc}", "start") from exc
        # Once a command has failed at the protocol level the reply stream may be out of step
        # (a late answer can still arrive), so the client is only fit to be killed.
        self.broken = False
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _readline(self, deadline: float) -> str:
        try:
            line = self._lines.get(timeout=deadline)
        except queue.Empty as exc:
            self.broken = True
            message = f"{self.name} did not answer within {deadline:g} s"
            raise GtpEngineError(message, "timeout") from exc
        if line is None:
            self._lines.put(None)
            self.broken = True
            try:  # stdout closes a moment before the process can be reaped
                code = self._proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            raise GtpEngineError(f"{self.name} exited (code {code})", "exit")
        return line.decode("utf-8", errors="replace").rstrip("\r\n")

    def send(self, command: str, timeout: float | None = None) -> str:
        """Send one command; return the reply text without ``=``.

        Raises:
            GtpCommandError: the engine replied ``? message``.
            GtpEngineError: it died, hung past ``timeout`` or replied out of protocol.
        """
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(command.encode() + b"\n")
            self._proc.stdin.flush()
        except OSError as exc:
            self.broken = True
            raise GtpEngineError(f"{self.name} is not accepting input: {exc}", "input") from exc
        deadline = self.timeout if timeout is None else timeout
        first = self._readline(deadline)
        while first.strip() == "":  # tolerate stray blank lines before a reply
            first = self._readline(deadline)
        if first[:1] not in "=?":
            self.broken = True
            message = f"{self.name} sent a malformed reply {first[:80]!r} to {command!r}"
            raise GtpEngineError(message, "protocol")
        body = [first[1:].strip()]
        while (line := self._readline(deadline)) != "":
            body.append(line)
        text = "\n".join(body).strip()
        if first[0] == "?":
            raise GtpCommandError(text)
        return text

    @property
    def running(self) -> bool:
        """Whether the engine can take another command: alive, and its replies in step."""
        return not self.broken and self._proc.poll() is None

    def close(self) -> None:
        """Ask the engine to quit, then make sure it is gone (at once if it is broken)."""
        if self._proc.poll() is None and self.broken:
            self._proc.kill()
            self._proc.wait()
        if self._proc.poll() is None:
            try:
                self.send("quit", timeout=5)
            except (GtpEngineError, GtpCommandError):
                pass
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._err is not None:
            self._err.close()

    def __enter__(self) -> GtpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
