"""An engine's heavy start-up work, done in the background so that it answers GTP at once.

A cold start (no numba cache yet) compiles the rules kernels for seconds and a search player's
kernels for minutes; loading networks imports torch. ``Startup`` does all of it on a daemon
thread while the engine already answers ``name``, ``boardsize``, ``play`` and the rest:

1. the rules kernels run interpreted (``KERNELS.interpret()``, pure Python, nothing to compile)
   while the thread compiles them, or loads them from numba's cache, then switch back;
2. the player's ``prepare()`` loads its networks and compiles its search.

Each step writes a line on the log (standard error) with what it does and, when done, how long
it took. A move waits for the steps to finish (``wait``); a failure becomes one error message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from igo.agents.player import Player, prepare_player
from igo.go.board import KERNELS
from igo.go.warm import compile_rules_kernels


class StartupError(RuntimeError):
    """The player could not be prepared (a network that does not load, say)."""


class Startup:
    """Prepares ``player`` (and the rules kernels) on a background thread.

    Args:
        player: the engine's player; its optional ``prepare()`` is called.
        log: where the progress lines go (one message a call).
    """

    def __init__(self, player: Player, log: Callable[[str], None]) -> None:
        self.player = player
        self.log = log
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="igo-startup", daemon=True)

    def start(self) -> Startup:
        """Start the work; the rules kernels are interpreted until they are compiled."""
        KERNELS.interpret()
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        """Whether the work has finished (successfully or not)."""
        return not self._thread.is_alive() and self._thread.ident is not None

    def wait(self) -> None:
        """Block until the player is ready.

        Raises:
            StartupError: with the reason it could not be prepared.
        """
        if self._thread.ident is not None:
            self._thread.join()
        if self._error is not None:
            raise StartupError(self._error)

    def _run(self) -> None:
        began = time.monotonic()
        try:
            compile_rules_kernels()
        except Exception as err:  # interpreted kernels stay correct, only slower
            self.log(f"rules kernels not compiled ({err}); running them interpreted")
        else:
            KERNELS.use_compiled()
            self.log(f"rules kernels ready ({time.monotonic() - began:.1f} s)")
        if getattr(self.player, "prepare", None) is None:
            return
        name = self.player.name
        self.log(
            f"preparing {name}: loading its networks and compiling its search (minutes on the"
            " first start after installing without `igo warmup`, seconds afterwards)"
        )
        began = time.monotonic()
        try:
            prepare_player(self.player)
        except Exception as err:  # reported to the controller at its first move
            self._error = f"cannot prepare {name}: {err}"
            self.log(self._error)
            return
        self.log(f"{name} ready ({time.monotonic() - began:.1f} s)")
