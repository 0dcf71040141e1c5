"""The seam between search and whatever scores positions: the Evaluator protocol and simple ones.

An evaluator answers, for a batch of positions, priors over the ``size * size + 1`` moves (pass
last) and a value in [-1, 1] **from the view of the side to move in that position** (AlphaGo
Zero's convention: +1 means the player about to move wins). Priors are probabilities; they need not
be masked or normalised, as the search keeps the legal moves' shares and renormalises them (all
zero or non-finite: uniform).

Two ways to be called, both batched over the leaves of many trees at once:

- ``Evaluator.evaluate(states)`` gets :class:`~igo.go.state.GameState` objects. Simple, and enough
  for tests; the states are built by replaying each leaf's path on a copy of its root (about ten
  microseconds a move), so this is the slow path.
- ``LeafEvaluator.evaluate_leaves(leaves)`` gets a :class:`Leaves` batch of arrays the search
  already has: board vectors, legal masks, the side to move and the stones of the last
  ``history_length`` positions (AlphaGo Zero's 8), enough to encode input planes without any
  Python per leaf. A network evaluator should implement this; ``Leaves.states()`` stays available.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from igo.go.state import GameState


@dataclass(frozen=True)
class Leaves:
    """A batch of positions to evaluate, as arrays (B leaves, P = size * size points)."""

    size: int
    """Board size."""
    boards: np.ndarray
    """int64 [B, L]: board vectors (layout in ``igo.go.board``); stones are ``boards[:, :P]``."""
    to_play: np.ndarray
    """int8 [B]: the side to move, 1 black or 2 white."""
    legal_mask: np.ndarray
    """bool [B, P + 1]: legal moves, pass last."""
    history: np.ndarray
    """int8 [B, H, P]: stones of the position (h = 0) and the H - 1 before it, a pass counting as
    a move; rows from before the game's starting position are all 0 (as
    ``igo.encode.zero_planes``)."""
    source: Callable[[], tuple[tuple[GameState, ...], tuple[tuple[int, ...], ...]]] = field(
        repr=False, compare=False
    )
    """Builds (roots, paths) on demand: only the GameState path needs them."""

    def __len__(self) -> int:
        return int(self.boards.shape[0])

    @property
    def roots(self) -> tuple[GameState, ...]:
        """[B] the root position of each leaf's search."""
        return self.source()[0]

    @property
    def paths(self) -> tuple[tuple[int, ...], ...]:
        """[B] the moves from each leaf's root to the leaf (valid during the evaluator call)."""
        return self.source()[1]

    def states(self) -> list[GameState]:
        """The leaves as GameStates (each a copy of its root with its path played)."""
        out = []
        roots, paths = self.source()
        for root, path in zip(roots, paths, strict=True):
            state = root.copy()
            for move in path:
                state.play(move)
            out.append(state)
        return out


def leaves_from_states(states: Sequence[GameState], history_length: int = 0) -> Leaves:
    """``states`` as a Leaves batch (for testing a LeafEvaluator without a search).

    Args:
        states: B positions of one board size, none over.
        history_length: H, the positions of stones in ``Leaves.history``.
    """
    from igo.search.root import replay_game  # the replay lives with the root's other needs

    roots = tuple(state.copy() for state in states)
    return Leaves(
        size=states[0].size,
        boards=np.stack([state.board_vector for state in states]),
        to_play=np.array([int(state.to_play) for state in states], dtype=np.int8),
        legal_mask=np.stack([state.legal_mask() for state in states]),
        history=np.stack([replay_game(state, 0, history_length)[1] for state in states]),
        source=lambda: (roots, tuple(() for _ in roots)),
    )


@runtime_checkable
class Evaluator(Protocol):
    """Scores positions: priors [B, P + 1] and values [B] from the side to move's view."""

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """Priors over moves (pass last) and values in [-1, 1] for each state.

        Args:
            states: B positions, all of one board size; none is over.

        Returns:
            (priors [B, P + 1], values [B]).
        """
        ...


@runtime_checkable
class LeafEvaluator(Protocol):
    """An evaluator that reads leaf arrays directly (the fast path; see the module docstring)."""

    history_length: int
    """How many positions of stones ``Leaves.history`` must hold (0: none)."""

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] and values [B] for the leaves, as ``Evaluator.evaluate``."""
        ...


def evaluate_leaves(
    evaluator: Evaluator | LeafEvaluator, leaves: Leaves
) -> tuple[np.ndarray, np.ndarray]:
    """Call ``evaluator`` on ``leaves`` by its fastest interface and check the answer's shapes.

    Returns:
        (priors float32 [B, P + 1], values float64 [B] clipped to [-1, 1]).

    Raises:
        ValueError: if the evaluator answers with the wrong shapes or non-finite values.
    """
    if isinstance(evaluator, LeafEvaluator):
        priors, values = evaluator.evaluate_leaves(leaves)
    else:
        priors, values = evaluator.evaluate(leaves.states())
    num, num_moves = len(leaves), leaves.size * leaves.size + 1
    priors = np.asarray(priors, dtype=np.float32)
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if priors.shape != (num, num_moves) or values.shape != (num,):
        raise ValueError(
            f"evaluator answered priors {priors.shape} and values {values.shape}; "
            f"expected ({num}, {num_moves}) and ({num},)"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("evaluator returned non-finite values")
    return priors, np.clip(values, -1.0, 1.0)


def history_length_of(evaluator: object) -> int:
    """The stone history an evaluator asks for (0 unless it is a LeafEvaluator)."""
    return (
        int(getattr(evaluator, "history_length", 0)) if isinstance(evaluator, LeafEvaluator) else 0
    )


class UniformEvaluator:
    """Uniform priors over the legal moves and value 0: the search's own baseline.

    The search recognises this class and runs it inside its compiled loop (no Python per leaf),
    which is how the tree's raw speed is measured.
    """

    history_length = 0

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] uniform over each state's legal moves, values [B] of zeros."""
        masks = np.stack([s.legal_mask() for s in states]).astype(np.float32)
        return masks / masks.sum(axis=1, keepdims=True), np.zeros(len(states))

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """As ``evaluate``, from the leaves' legal masks."""
        masks = leaves.legal_mask.astype(np.float32)
        return masks / masks.sum(axis=1, keepdims=True), np.zeros(len(leaves))
