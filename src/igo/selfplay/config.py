"""SelfPlayConfig: how self-play games are played, as one frozen dataclass with validation.

Defaults follow AlphaGo Zero (Silver et al., Nature 550, 2017, Methods "Self-play"), scaled to a
9x9 board and a CPU; playout cap randomisation is KataGo's (Wu 2019, section 3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from igo.go.rules import Rules, rules_from_name
from igo.go.state import GameState
from igo.search.config import SearchConfig

Scoring = Literal["tromp-taylor", "estimate"]


@dataclass(frozen=True)
class SelfPlayConfig:
    """Self-play settings: board, search, exploration, resignation, parallelism."""

    board_size: int = 9
    """Board side N."""
    rules: str = "tromp-taylor"
    """Rule set name (``igo.go.rules`` presets); the paper used Tromp-Taylor."""
    komi: float = 7.5
    """Points given to white (7.5 in the paper; a half point rules out draws)."""
    scoring: Scoring = "tromp-taylor"
    """How a finished game is counted: every stone alive (the paper), or dead stones estimated."""
    games_per_generation: int = 200
    """Games played by the best network before each training phase."""
    num_workers: int = 1
    """Worker processes (1: play in the main process)."""
    parallel_games: int = 64
    """Games each worker plays at once, their leaves batched into one network call."""
    num_simulations: int = 200
    """Simulations of a full search (the paper: 1,600 at 19x19)."""
    full_search_prob: float = 0.25
    """Playout cap randomisation: chance that a move gets a full search and a policy target."""
    cheap_simulations: int = 40
    """Simulations of a cheap search (no noise, no policy target; KataGo: 100 against 600)."""
    c_puct: float = 1.25
    """PUCT exploration constant."""
    dirichlet_alpha: float | None = None
    """Root noise concentration; None: 10 / legal moves (about 0.03 at 19x19, 0.12 at 9x9)."""
    dirichlet_epsilon: float = 0.25
    """Weight of the root noise (the paper: 0.25)."""
    temperature_moves: int = 10
    """Moves sampled in proportion to visits before playing the most visited (the paper: 30 at
    19x19)."""
    leaves_per_batch: int = 8
    """Leaves each tree adds to a network call (under virtual loss)."""
    move_cap: int | None = None
    """Moves after which a game is stopped and counted; None: 2 * N * N."""
    resign_threshold: float = -1.0
    """Resignation threshold on the root value while the playing network has too few
    played-out games to calibrate one (-1: no resignation)."""
    resign_disabled_fraction: float = 0.1
    """Share of games played out without resigning, to measure false resignations (the paper:
    10%)."""
    false_resign_target: float = 0.05
    """Largest share of false resignations the calibrated threshold allows (the paper: 5%)."""
    resign_calibration_games: int = 200
    """At most this many of the playing network's newest played-out games calibrate its
    threshold (``igo.selfplay.resign``)."""
    resign_min_games: int = 29
    """Played-out games a network plays first, before it may resign (at least what the target
    needs, 19 at 5%; 29 make the expected false-resignation rate 1/30)."""
    resign_max_threshold: float = -0.5
    """The calibrated threshold never goes above this (keeps games from getting too short)."""
    pass_when_losing: bool = False
    """Whether a side may pass while the count would lose it the game (False: Leela Zero's rule,
    against the collapse into passing; ``igo.selfplay.game.no_losing_pass``)."""
    device: str = "auto"
    """Where the network runs: auto (CUDA if available), cpu, cuda, cuda:1..."""
    eval_batch_size: int = 1024
    """Most positions per forward pass."""
    torch_threads: int = 1
    """Torch CPU threads per worker process."""

    def __post_init__(self) -> None:
        _check(4 <= self.board_size <= 19, "selfplay.board_size must be in 4..19")
        try:
            rules_from_name(self.rules, self.komi)
        except ValueError as err:
            raise ValueError(f"selfplay.rules / komi: {err}") from err
        _check(self.scoring in ("tromp-taylor", "estimate"), "selfplay.scoring: unknown method")
        positive = ("games_per_generation", "num_workers", "parallel_games", "num_simulations")
        for name in (*positive, "cheap_simulations", "leaves_per_batch", "eval_batch_size"):
            _check(getattr(self, name) >= 1, f"selfplay.{name} must be at least 1")
        _check(self.torch_threads >= 1, "selfplay.torch_threads must be at least 1")
        _check(0.0 < self.full_search_prob <= 1.0, "selfplay.full_search_prob must be in (0, 1]")
        _check(self.temperature_moves >= 0, "selfplay.temperature_moves must be >= 0")
        _check(self.move_cap is None or self.move_cap >= 1, "selfplay.move_cap must be >= 1")
        _check(-1.0 <= self.resign_threshold <= 1.0, "selfplay.resign_threshold must be in [-1, 1]")
        _check(
            -1.0 <= self.resign_max_threshold <= 1.0, "selfplay.resign_max_threshold: in [-1, 1]"
        )
        for name in ("resign_disabled_fraction", "false_resign_target"):
            _check(0.0 <= getattr(self, name) <= 1.0, f"selfplay.{name} must be in [0, 1]")
        _check(self.resign_calibration_games >= 1, "selfplay.resign_calibration_games >= 1")
        _check(self.resign_min_games >= 1, "selfplay.resign_min_games must be at least 1")
        # Checks the search knobs (c_puct, noise) with the search's own messages.
        self.search_config()

    @property
    def rules_object(self) -> Rules:
        """The Rules of the games (preset with this komi)."""
        return rules_from_name(self.rules, self.komi)

    @property
    def resolved_move_cap(self) -> int:
        """The move cap in force."""
        return self.move_cap if self.move_cap is not None else 2 * self.board_size**2

    def new_game(self) -> GameState:
        """An empty board for one game."""
        return GameState.new(self.board_size, self.rules_object, self.resolved_move_cap)

    def search_config(self) -> SearchConfig:
        """The search of self-play: noise, temperature, playout cap randomisation."""
        try:
            return SearchConfig(
                num_simulations=self.num_simulations,
                c_puct=self.c_puct,
                dirichlet_alpha=self.dirichlet_alpha,
                dirichlet_epsilon=self.dirichlet_epsilon,
                temperature=1.0,
                temperature_moves=self.temperature_moves,
                leaves_per_batch=self.leaves_per_batch,
                full_search_prob=self.full_search_prob,
                cheap_simulations=min(self.cheap_simulations, self.num_simulations),
            )
        except ValueError as err:
            raise ValueError(f"selfplay: {err}") from err


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
