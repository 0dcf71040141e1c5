"""SelfPlayConfig: how self-play games are played, as one frozen dataclass with validation.

Defaults follow AlphaGo Zero (Silver et al., Nature 550, 2017, Methods "Self-play"), scaled to a
9x9 board and a CPU; playout cap randomisation is KataGo's (Wu 2019, section 3.1). The search is
one ``SearchConfig``, carried whole (``SelfPlayConfig.search``, ``SELFPLAY_SEARCH`` by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from igo.go.rules import Rules, rules_from_name
from igo.go.state import GameState
from igo.search.config import SearchConfig

Scoring = Literal["tromp-taylor", "estimate"]
PolicyTarget = Literal["visits", "improved"]

SELFPLAY_SEARCH = SearchConfig(
    num_simulations=200,
    c_puct=1.25,
    dirichlet_epsilon=0.25,
    temperature=1.0,
    temperature_moves=10,
    leaves_per_batch=8,
    full_search_prob=0.25,
    cheap_simulations=40,
)
"""Self-play's search unless a preset says otherwise: 200 simulations in a full search (the
paper: 1,600 at 19x19), a full search on a quarter of the moves and 40-simulation cheap ones
(no noise, no policy target) on the rest (KataGo: 100 against 600), Dirichlet noise of weight
0.25 (alpha None: 10 / legal moves, about 0.03 at 19x19 and 0.12 at 9x9), the first 10 moves
sampled by visits (the paper: 30 at 19x19), 8 leaves per tree in each network call. Every other
knob is ``SearchConfig``'s default."""


@dataclass(frozen=True)
class SelfPlayConfig:
    """Self-play settings: board, search, resignation, parallelism."""

    board_size: int = 9
    """Board side N: the run's main size (its net is built for it and gating plays it)."""
    board_sizes: tuple[tuple[int, float, float], ...] = ()
    """A mix of sizes, ``[size, weight]`` or ``[size, weight, komi]`` entries (a preset's
    ``[[9, 0.7, 7.0], [13, 0.2], [19, 0.1]]``): each game is played on one size drawn by weight
    (KataGo's mix), with that size's komi (``komi`` where an entry gives none); ``board_size``
    must be one of them and the net's heads pooled. Stored as ``(size, weight, komi)`` triples.
    Empty: every game on ``board_size`` with ``komi``."""
    rules: str = "tromp-taylor"
    """Rule set name (``igo.go.rules`` presets); the paper used Tromp-Taylor."""
    komi: float = 7.5
    """Points given to white (7.5 in the paper; a half point rules out draws); in a mix, the
    komi of every size whose entry gives none."""
    scoring: Scoring = "tromp-taylor"
    """How a finished game is counted: every stone alive (the paper), or dead stones estimated."""
    games_per_generation: int = 200
    """Games played by the best network before each training phase."""
    num_workers: int = 1
    """Worker processes (1: play in the main process)."""
    parallel_games: int = 64
    """Games each worker plays at once, their leaves batched into one network call."""
    search: SearchConfig = SELFPLAY_SEARCH
    """The search of every move, whole (``[selfplay.search]`` in a preset; a key left out there
    keeps ``SELFPLAY_SEARCH``'s value). Its cheap searches never run more simulations than its
    full ones: a larger ``cheap_simulations`` is lowered to ``num_simulations``."""
    policy_target: PolicyTarget = "visits"
    """What the network's policy learns from a full search: 'visits' (the visit counts, AlphaGo
    Zero) or 'improved' (Gumbel AlphaZero's softmax(logits + sigma(completed Q)), made for small
    budgets; best with ``search.root_selection = "gumbel"``)."""
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
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """The network's precision in self-play and gating: auto is bf16 autocast on CUDA and on
    CPUs with AMX-BF16, fp32 elsewhere (``igo.nn.precision``; bf16 is slower than fp32 on
    AVX2-only CPUs)."""
    torch_threads: int = 1
    """Torch CPU threads per worker process."""

    def __post_init__(self) -> None:
        _check(4 <= self.board_size <= 19, "selfplay.board_size must be in 4..19")
        try:
            rules_from_name(self.rules, self.komi)
        except ValueError as err:
            raise ValueError(f"selfplay.rules / komi: {err}") from err
        mix = check_size_mix(self.board_sizes, self.board_size, self.komi)
        object.__setattr__(self, "board_sizes", mix)
        _check(self.scoring in ("tromp-taylor", "estimate"), "selfplay.scoring: unknown method")
        _check(
            self.policy_target in ("visits", "improved"),
            "selfplay.policy_target must be 'visits' or 'improved'",
        )
        for name in ("games_per_generation", "num_workers", "parallel_games", "eval_batch_size"):
            _check(getattr(self, name) >= 1, f"selfplay.{name} must be at least 1")
        _check(self.torch_threads >= 1, "selfplay.torch_threads must be at least 1")
        _check(
            self.search.full_search_prob > 0.0,
            "selfplay.search.full_search_prob must be in (0, 1]: a full search makes the policy"
            " targets",
        )
        if self.search.cheap_simulations > self.search.num_simulations:
            # --visits 20 on a preset with 32-simulation cheap searches lowers both (frozen:
            # the one field set here, before anyone sees the config).
            cheap = replace(self.search, cheap_simulations=self.search.num_simulations)
            object.__setattr__(self, "search", cheap)
        _check(self.move_cap is None or self.move_cap >= 1, "selfplay.move_cap must be >= 1")
        _check(-1.0 <= self.resign_threshold <= 1.0, "selfplay.resign_threshold must be in [-1, 1]")
        _check(
            -1.0 <= self.resign_max_threshold <= 1.0, "selfplay.resign_max_threshold: in [-1, 1]"
        )
        for name in ("resign_disabled_fraction", "false_resign_target"):
            _check(0.0 <= getattr(self, name) <= 1.0, f"selfplay.{name} must be in [0, 1]")
        _check(self.resign_calibration_games >= 1, "selfplay.resign_calibration_games >= 1")
        _check(self.resign_min_games >= 1, "selfplay.resign_min_games must be at least 1")

    @property
    def rules_object(self) -> Rules:
        """The Rules of the games on ``board_size`` (the preset with that size's komi)."""
        return self.rules_for(self.board_size)

    def komi_for(self, size: int) -> float:
        """The komi of a game on a board of side ``size``: its mix entry's, else ``komi``."""
        return next((k for s, _, k in self.board_sizes if s == size), self.komi)

    def rules_for(self, size: int) -> Rules:
        """The Rules of a game on a board of side ``size`` (the preset with its komi)."""
        return rules_from_name(self.rules, self.komi_for(size))

    @property
    def resolved_move_cap(self) -> int:
        """The move cap in force on ``board_size``."""
        return self.move_cap_for(self.board_size)

    def move_cap_for(self, size: int) -> int:
        """The move cap in force on a board of side ``size``: ``move_cap``, else 2 * size^2."""
        return self.move_cap if self.move_cap is not None else 2 * size**2

    @property
    def sizes(self) -> tuple[int, ...]:
        """The sizes games are played on: the mix's, else ``(board_size,)``."""
        return tuple(s for s, _, _ in self.board_sizes) or (self.board_size,)

    @property
    def mixed(self) -> bool:
        """Whether games are played on more than one size."""
        return len(self.sizes) > 1

    def draw_size(self, rng: np.random.Generator) -> int:
        """One game's size, drawn by the mix's weights (``board_size`` without a mix, drawing
        nothing, so a one-size run's random streams are what they were before mixes)."""
        if not self.mixed:
            return self.board_size
        weights = np.array([w for _, w, _ in self.board_sizes], dtype=np.float64)
        return self.sizes[int(rng.choice(len(weights), p=weights / weights.sum()))]

    def new_game(self, size: int | None = None) -> GameState:
        """An empty board for one game, of side ``size`` (None: ``board_size``)."""
        size = self.board_size if size is None else size
        return GameState.new(size, self.rules_for(size), self.move_cap_for(size))


MIX_SIZES = (5, 19)
"""The sizes a mix may hold: those a net with pooled heads plays."""


def check_size_mix(
    mix: Sequence[Sequence[int | float]], board_size: int, komi: float
) -> tuple[tuple[int, float, float], ...]:
    """``selfplay.board_sizes`` as ``(size, weight, komi)`` triples, checked: sizes distinct, in
    ``MIX_SIZES``, ``board_size`` among them; weights positive; a komi a multiple of 0.25 (an
    entry without one gets ``komi``). Raises ValueError naming the problem."""
    triples: list[tuple[int, float, float]] = []
    for entry in mix:
        _check(
            len(entry) in (2, 3)
            and isinstance(entry[0], int)
            and not any(isinstance(x, bool) or not isinstance(x, int | float) for x in entry),
            "selfplay.board_sizes: each entry is [size, weight] or [size, weight, komi], "
            f"not {list(entry)!r}",
        )
        size, weight = int(entry[0]), float(entry[1])
        own = float(entry[2]) if len(entry) == 3 else komi
        low, high = MIX_SIZES
        _check(low <= size <= high, f"selfplay.board_sizes: size {size} is not in {low}..{high}")
        _check(weight > 0 and np.isfinite(weight), f"selfplay.board_sizes: weight of {size} > 0")
        try:
            Rules(komi=own)
        except ValueError as err:
            raise ValueError(f"selfplay.board_sizes: komi of {size}: {err}") from err
        triples.append((size, weight, own))
    sizes = [s for s, _, _ in triples]
    _check(len(set(sizes)) == len(sizes), "selfplay.board_sizes: a size is listed twice")
    _check(
        not triples or board_size in sizes,
        f"selfplay.board_sizes must include selfplay.board_size ({board_size})",
    )
    return tuple(triples)


def with_mix_komi(selfplay: dict[str, Any]) -> dict[str, Any]:
    """A saved ``[selfplay]`` table whose two-element ``board_sizes`` entries (written before a
    size could carry its komi) get the table's ``komi``, as they meant: what a config of today
    stores, so that such a run resumes."""
    mix, komi = selfplay.get("board_sizes"), selfplay.get("komi", 7.5)
    if not isinstance(mix, list | tuple):
        return selfplay
    entries = [[*e, komi] if isinstance(e, list | tuple) and len(e) == 2 else e for e in mix]
    return selfplay | {"board_sizes": entries}


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
