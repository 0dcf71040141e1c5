"""The exceptions of a game in progress: ``IllegalMove`` (with its reason) and ``CannotUndo``.

``GameState`` raises them, and ``igo.go.state`` re-exports them.
"""

from __future__ import annotations


class IllegalMove(ValueError):
    """A move the rules forbid. ``reason``: occupied, suicide, ko, superko, game over, off board."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"illegal move ({reason})")
        self.reason = reason


class CannotUndo(ValueError):
    """Undo asked for at the starting position."""
