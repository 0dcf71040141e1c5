"""Atomic file writes (the bottom layer: every layer may import it; it imports no igo module).

An atomic write is a temporary file in the target's folder, flushed, then renamed over it.

A reader never sees half a file, and a crash mid-write leaves the old file whole. The temporary
file is created with mode 0o666 less the umask, as ``open()`` creates files (``mkstemp`` would
make every file written private, 0o600). Its name, ``.<name>.<random>.tmp``, is what
``igo.run_dir.RunFolder.hold`` cleans up after a killed run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (the folder must exist)."""
    target = Path(path)
    temp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    # O_EXCL: never write through a file (or link) that is already there.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def check_creatable(path: str | os.PathLike[str], *, folder: bool = False) -> None:
    """Fail now if ``path`` (a file, or a folder when ``folder``) could not be written later,
    missing parent folders included: a command checks its output before its long work.

    Raises:
        NotADirectoryError: a parent is a file, or ``folder`` and ``path`` is a file.
        IsADirectoryError: ``path`` is a folder where a file is wanted.
        PermissionError: the folder that would hold it cannot be written.
    """
    target = Path(path)
    if target.exists() and target.is_dir() != folder:
        kind, code = (
            (NotADirectoryError, errno.ENOTDIR) if folder else (IsADirectoryError, errno.EISDIR)
        )
        raise kind(code, os.strerror(code), str(target))
    if folder and target.is_dir():
        holder = target
    else:  # the nearest folder above it that exists (the current folder at the latest)
        holder = next((p for p in target.parents if p.exists()), Path("."))
    if not holder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(holder))
    if not os.access(holder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(holder))
