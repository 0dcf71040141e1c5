"""igo's own child Python processes, started so that the current folder shadows no module.

``python -m igo ...`` and ``python -c ...`` (how multiprocessing's ``spawn`` starts a worker) put
the current folder first on ``sys.path``: a user's ``timeit.py``, ``random.py`` or ``socket.py``
there is imported instead of the standard module, and the child dies as it starts. Python 3.11's
``-P`` (``PYTHONSAFEPATH``) leaves the current folder out.

| child                                    | started by                                        |
|------------------------------------------|---------------------------------------------------|
| a command line (``igo gtp`` engines)     | ``python_argv("-m", "igo", "gtp")``: ``-P`` first |
| multiprocessing workers                  | ``spawn_context()``: started under                |
|                                          | ``PYTHONSAFEPATH=1``, which each worker then      |
|                                          | drops from its environment                        |

On Linux a worker started from the main thread also asks the kernel for SIGTERM when its parent
dies (``prctl(PR_SET_PDEATHSIG)``): an igo killed with SIGKILL or SIGTERM leaves no pool workers
behind (a pool's workers otherwise outlive it, waiting on their queue). Only from the main thread,
because the kernel sends the signal when the starting *thread* ends.

A worker drops the variable so that the programs it starts in turn (a user's engine script, which
may import modules next to itself) see the environment the user gave igo. The variable is set in
``os.environ`` only while a worker (or multiprocessing's resource tracker) is being started, under
a lock; igo starts no other process from another thread meanwhile.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from multiprocessing import resource_tracker
from multiprocessing.context import SpawnContext, SpawnProcess

_SAFE_PATH = "PYTHONSAFEPATH"
_ENVIRON_LOCK = threading.Lock()


def python_argv(*args: str) -> list[str]:
    """The command line of this Python running ``args`` with the current folder off the path,
    e.g. ``python_argv("-m", "igo", "gtp")``."""
    return [sys.executable, "-P", *args]


@contextlib.contextmanager
def _safe_path_environment() -> Iterator[str | None]:
    """``PYTHONSAFEPATH=1`` for the processes started meanwhile; yields the value it had."""
    with _ENVIRON_LOCK:
        before = os.environ.get(_SAFE_PATH)
        os.environ[_SAFE_PATH] = "1"
        try:
            yield before
        finally:
            if before is None:
                os.environ.pop(_SAFE_PATH, None)
            else:
                os.environ[_SAFE_PATH] = before


class SafePathProcess(SpawnProcess):
    """A spawned process that starts with the current folder off ``sys.path``."""

    _user_safe_path: str | None = None
    """The parent's own ``PYTHONSAFEPATH`` (None: unset), restored in the child."""
    _parent_pid: int | None = None
    """The parent's pid when it started the child from its main thread (None: another thread)."""

    def start(self) -> None:
        """Start the child under ``PYTHONSAFEPATH=1``."""
        if threading.current_thread() is threading.main_thread():
            self._parent_pid = os.getpid()
        with _safe_path_environment() as before:
            self._user_safe_path = before  # pickled with the process object into the child
            super().start()

    def run(self) -> None:
        """In the child: ``sys.flags.safe_path`` is set for good, so the environment can go back
        to the user's before the target runs."""
        if self._parent_pid is not None:
            _die_with_parent(self._parent_pid)
        if self._user_safe_path is None:
            os.environ.pop(_SAFE_PATH, None)
        super().run()


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Linux: SIGTERM to this process when ``parent_pid`` dies (elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request: nobody will signal
        os._exit(1)


class SafePathContext(SpawnContext):
    """The ``spawn`` start method with :class:`SafePathProcess` processes."""

    Process = SafePathProcess


def spawn_context() -> SafePathContext:
    """A ``spawn`` multiprocessing context whose workers start with the current folder off
    ``sys.path`` (for ``ProcessPoolExecutor(mp_context=...)`` or ``.Process(...)``)."""
    # The resource tracker is a Python child too, started by the first queue or lock.
    with _safe_path_environment():
        resource_tracker.ensure_running()
    return SafePathContext()
