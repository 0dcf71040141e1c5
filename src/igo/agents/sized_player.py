"""A player that is one search player per board size: what ``alphago`` and ``auto`` are.

The GTP engine builds its player once and then meets whatever ``boardsize`` a controller sends.
``SizedPlayer`` builds (cheaply: nothing is loaded until the first move or ``prepare``) the
search player that plays each size the first time it meets it, keeps it, and hands every call
to the player of the position's size. ``size_note`` says in one line what plays a size: the
engine writes it on its log when the size changes.

| player    | on its networks' size            | elsewhere                                    |
|-----------|----------------------------------|----------------------------------------------|
| alphago   | policy + value nets + rollouts   | policy net (resized) + rollouts, lambda = 1  |
| auto      | the table ``auto_player.STRONGEST`` picks a player per size                    |
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from igo.agents.analysis import SearchSession
from igo.agents.mcts_player import MctsPlayer
from igo.agents.player import Clock, Resign
from igo.go.coords import Color, Point
from igo.go.state import GameState
from igo.search.mcts import MultiSearch

DEFAULT_SIZE = 9
"""The size a sized player prepares for before it is told one."""


class SizedPlayer:
    """A search player per board size, built by ``build(size)`` on first use.

    Args:
        name: the registry name reported to GTP.
        build: the player for a size (cheap: it loads nothing until it moves).
        note: one line on what plays a size (for the engine's log).
        board_sizes: the sizes it plays (None: every size).
        size: the size ``prepare`` prepares for until ``reset`` says another.
    """

    def __init__(
        self,
        name: str,
        build: Callable[[int], MctsPlayer],
        note: Callable[[int], str],
        board_sizes: tuple[int, ...] | None = None,
        size: int = DEFAULT_SIZE,
    ) -> None:
        self.name = name
        self.board_sizes = board_sizes
        self._build = build
        self._note = note
        self._size = size
        self.start_size = size
        """The size a game starts on when nobody says (``igo gtp`` without ``--size``)."""
        self._players: dict[int, MctsPlayer] = {}
        self._lock = threading.Lock()

    def player_for(self, size: int) -> MctsPlayer:
        """The search player of ``size`` x ``size`` (built on first use, then kept)."""
        with self._lock:
            if size not in self._players:
                self._players[size] = self._build(size)
            return self._players[size]

    def size_note(self, size: int) -> str:
        """What plays ``size`` x ``size``, in one line."""
        return self._note(size)

    def plays_size(self, size: int) -> bool:
        """Whether it plays ``size`` x ``size``."""
        return self.board_sizes is None or size in self.board_sizes

    def _check_size(self, size: int) -> None:
        if not self.plays_size(size):
            raise ValueError(f"{self.name} plays {self.board_sizes} only, not {size}")

    def _for(self, state: GameState) -> MctsPlayer:
        self._check_size(state.size)
        return self.player_for(state.size)

    # ----- the Player protocol -----
    def prepare(self) -> None:
        """Prepare the player of the current size (its networks and search)."""
        if self.plays_size(self._size):
            self.player_for(self._size).prepare()

    def reset(self, state: GameState) -> None:
        """A new game or position: from now on the player of its size plays."""
        self._size = state.size
        if self.plays_size(state.size):
            self.player_for(state.size).reset(state)

    def observe(self, color: Color, point: Point) -> None:
        """Tell the current size's player."""
        if self.plays_size(self._size):
            self.player_for(self._size).observe(color, point)

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        """The move of the player of ``state``'s size."""
        return self._for(state).genmove(state, clock)

    # ----- the AnalysisPlayer protocol -----
    def start_genmove(self, state: GameState, clock: Clock | None) -> SearchSession:
        """``start_genmove`` of the player of ``state``'s size."""
        return self._for(state).start_genmove(state, clock)

    def finish_genmove(self, state: GameState, session: SearchSession) -> Point | Resign:
        """``finish_genmove`` of the player of ``state``'s size."""
        return self._for(state).finish_genmove(state, session)

    def start_analysis(self, state: GameState) -> SearchSession:
        """``start_analysis`` of the player of ``state``'s size."""
        return self._for(state).start_analysis(state)

    def policy_priors(self, state: GameState) -> np.ndarray:
        """``policy_priors`` of the player of ``state``'s size."""
        return self._for(state).policy_priors(state)

    def multi_search(self, num_trees: int, size: int | None = None) -> MultiSearch:
        """A search over ``num_trees`` trees by the player of ``size`` (None: the current)."""
        size = self._size if size is None else size
        self._check_size(size)
        return self.player_for(size).multi_search(num_trees)
