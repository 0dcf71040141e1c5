"""When a search player gives up: a root value below a threshold for several moves in a row.

AlphaGo Zero resigned below a threshold chosen so that fewer than 5% of resigned games could
have been won (Silver et al. 2017, Methods). A player has no such statistics at match time, so
the rule here is the usual engine one: resign once the search's root value (from the side to
move, in [-1, 1]) has stayed below ``threshold`` for ``consecutive`` of the player's own moves,
and never in the first ``min_moves`` moves of the game, when a random-weight or barely trained
network's values mean little.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResignPolicy:
    """When to resign; ``threshold <= -1`` never resigns (a value cannot go below -1)."""

    threshold: float = -0.9
    """Root value (side to move's view, in [-1, 1]) below which a move counts as hopeless."""
    consecutive: int = 3
    """Hopeless moves in a row, of the player's own, before it resigns."""
    min_moves: int = 20
    """Moves of the game (both sides) before resigning is allowed."""

    def __post_init__(self) -> None:
        if not -2.0 <= self.threshold <= 1.0:
            raise ValueError(f"resign threshold must be in [-2, 1], not {self.threshold}")
        if self.consecutive < 1:
            raise ValueError("resigning needs at least one hopeless move")
        if self.min_moves < 1:
            raise ValueError("resigning needs at least one move played")


class ResignTracker:
    """Counts the player's hopeless moves in a row (one tracker per game and player)."""

    def __init__(self, policy: ResignPolicy) -> None:
        self.policy = policy
        self.hopeless = 0

    def reset(self) -> None:
        """A new game or position: forget the streak."""
        self.hopeless = 0

    def update(self, root_value: float, move_number: int) -> bool:
        """Record one move's root value; True when the player should resign now.

        Args:
            root_value: the search's root value from the player's view, in [-1, 1].
            move_number: moves already played in the game.
        """
        self.hopeless = self.hopeless + 1 if root_value < self.policy.threshold else 0
        return self.hopeless >= self.policy.consecutive and move_number >= self.policy.min_moves
