"""Engines kept across a match's games: one process per side in each worker, not two per game.

Starting ``igo gtp`` costs seconds of CPU (torch, ONNX Runtime, the compiled search), which a
match of hundreds of short games would pay twice a game. A worker therefore keeps each side's
engine for its next game; the referee's ``boardsize``, ``clear_board`` and ``komi`` start every
game afresh, and the game's own seed reaches the engine by GNU Go's ``set_random_seed`` (igo and
GNU Go know it), so games stay distinct and each is fixed by its seed, whichever worker plays
it. An engine that cannot take a seed that way (Leela Zero, an igo player without one) is started
anew for every game that has a seed, as before. An engine that misbehaved in a game (crashed,
hung, broke the protocol) or died is replaced by a fresh one for the next game.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError

__all__ = ["EngineSeat", "KeptEngines"]


@dataclass(frozen=True)
class EngineSeat:
    """One side of one game, as a worker needs it to find or start that side's engine."""

    name: str
    """The engine's name (the key its process is kept under)."""
    argv: tuple[str, ...]
    """The command line that starts it for this game (with this game's seed, if any)."""
    base_argv: tuple[str, ...]
    """The command line without a per-game seed: a kept engine serves a seat whose base
    command line is its own."""
    seed: int | None = None
    """This game's seed, for ``set_random_seed`` (None: the engine takes none)."""


@dataclass
class _Kept:
    client: GtpClient
    base_argv: tuple[str, ...]
    seeds: bool
    """Whether it knows ``set_random_seed``."""


class KeptEngines:
    """The engines one worker keeps between games, by name. Use as a context manager, or call
    ``close``; ``started`` counts the processes started (tests and benchmarks read it)."""

    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}
        self.started = 0

    def engine(self, seat: EngineSeat, timeout: float) -> GtpClient:
        """The engine for ``seat``: the kept one, reseeded, when it can serve; else a new one.

        Raises:
            GtpEngineError: a new engine cannot be started.
        """
        kept = self._kept.get(seat.name)
        if kept is not None and self._serves(kept, seat):
            kept.client.timeout = timeout
            return kept.client
        self.drop(seat.name)
        client = GtpClient(list(seat.argv), timeout=timeout, name=seat.name)
        self.started += 1
        self._kept[seat.name] = _Kept(client, seat.base_argv, _knows(client, "set_random_seed"))
        return client

    def _serves(self, kept: _Kept, seat: EngineSeat) -> bool:
        """Whether ``kept`` can play ``seat``'s game: running, same program and settings, and
        given the game's seed (if it has one)."""
        if not kept.client.running or kept.base_argv != seat.base_argv:
            return False
        if seat.seed is None:
            return True
        if not kept.seeds:
            return False
        try:
            kept.client.send(f"set_random_seed {seat.seed}")
        except (GtpEngineError, GtpCommandError):
            return False
        return True

    def drop(self, name: str) -> None:
        """Stop the engine kept under ``name`` (if any): the next game starts a new one."""
        kept = self._kept.pop(name, None)
        if kept is not None:
            with contextlib.suppress(OSError):
                kept.client.close()

    def close(self) -> None:
        """Stop every kept engine."""
        for name in list(self._kept):
            self.drop(name)

    def __enter__(self) -> KeptEngines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _knows(client: GtpClient, command: str) -> bool:
    try:
        return client.send(f"known_command {command}").strip().lower() == "true"
    except (GtpEngineError, GtpCommandError):
        return False
