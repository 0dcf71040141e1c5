"""SearchConfig: every knob of the tree search, as one frozen dataclass with validation.

Defaults follow AlphaGo Zero (Silver et al., Nature 550, 2017) and, for the Lee mode, AlphaGo
(Silver et al., Nature 529, 2016); the growing exploration constant is AlphaZero's (Silver et al.,
Science 362, 2018); first-play urgency and LCB move choice are Leela Zero's; playout cap
randomisation is KataGo's (Wu, 2019); Gumbel root selection with sequential halving is Gumbel
AlphaZero's (Danihelka et al., ICLR 2022; ``igo.search.gumbel``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

SearchMode = Literal["zero", "lee"]
RootSelection = Literal["puct", "gumbel"]


@dataclass(frozen=True)
class SearchConfig:
    """How one search runs: knobs only. The evaluator and the tree and rollout policies are
    ``MultiSearch``'s arguments, not fields."""

    num_simulations: int = 800
    """Playouts per move: leaves evaluated by one search (reused visits come on top)."""
    mode: SearchMode = "zero"
    """'zero': leaves scored by the value alone; 'lee': value and rollout mixed by lee_lambda."""
    c_puct: float = 1.25
    """Exploration constant c (AlphaGo 5, AlphaGo Zero 1.25-2); AlphaZero's c_init with c_base."""
    c_base: float | None = None
    """None: constant c_puct; else AlphaZero's c(s) = log((1 + N(s) + c_base) / c_base) + c_puct."""
    fpu_reduction: float = 0.25
    """Unvisited moves get Q = parent Q - fpu_reduction * sqrt(prior mass of visited moves)."""
    fpu_value: float | None = None
    """A fixed Q for unvisited moves instead (0.0: AlphaGo Zero's paper; -1.0: a loss)."""
    dirichlet_alpha: float | None = None
    """Root noise concentration; None: 10 / number of legal moves (0.03 on an open 19x19)."""
    dirichlet_epsilon: float = 0.25
    """Weight of the Dirichlet noise in the root priors; 0 turns noise off (match play)."""
    temperature: float = 1.0
    """Move sampling temperature of the opening, by visits ** (1 / T) (0: the most visited move);
    also applied to the policy target."""
    temperature_moves: int = 30
    """Moves of the game played with the temperature; later moves take the most visited."""
    virtual_loss: int = 3
    """n_vl: losses added to every edge on a pending path, so one batch spreads out (AlphaGo: 3)."""
    leaves_per_batch: int = 8
    """Leaves collected from each tree (under virtual loss) before one evaluator call."""
    lee_lambda: float = 0.5
    """Lee mode: Q = (1 - lambda) * value mean + lambda * rollout mean (AlphaGo: 0.5)."""
    expand_threshold: int = 40
    """Lee mode n_thr: a node gets evaluator priors once visited this often; tree policy before."""
    rollout_cap: int | None = None
    """Most moves one rollout plays before it is scored; None: 4 * size * size + 100."""
    reuse_tree: bool = True
    """Keep the subtree of the move played (``advance``) for the next search."""
    use_lcb: bool = False
    """Choose the move with the best lower confidence bound of Q instead of the most visits."""
    lcb_z: float = 1.96
    """Standard deviations below the mean for the lower confidence bound."""
    lcb_min_visit_fraction: float = 0.1
    """Moves need this fraction of the most visits to be chosen by LCB."""
    full_search_prob: float = 1.0
    """Playout cap randomisation: chance of a full search; otherwise a cheap one without noise."""
    cheap_simulations: int = 100
    """Simulations of a cheap search (KataGo: 100 cheap against 600 full)."""
    root_selection: RootSelection = "puct"
    """'puct': PUCT everywhere, the move by visits (temperature, LCB); 'gumbel': Gumbel noise
    and sequential halving at the root (PUCT below it), the move the halving's winner, no
    Dirichlet noise and no temperature (``igo.search.gumbel``)."""
    gumbel_considered: int = 16
    """Gumbel: m, the most root moves sequential halving starts with (the paper: 16 in Go)."""
    gumbel_c_visit: float = 50.0
    """Gumbel: c_visit of sigma(q) = (c_visit + max N) * c_scale * q (mctx: 50)."""
    gumbel_c_scale: float = 0.1
    """Gumbel: c_scale of sigma(q), q normalised to [0, 1] (mctx: 0.1)."""
    gumbel_scale: float = 1.0
    """Gumbel: the noise's scale in full searches (1: the paper; 0: the top moves by prior).
    Cheap searches of playout cap randomisation draw none."""

    def __post_init__(self) -> None:
        _check(self.num_simulations >= 1, "num_simulations must be at least 1")
        _check(self.mode in ("zero", "lee"), f"mode must be 'zero' or 'lee', not {self.mode!r}")
        _check(_finite(self.c_puct) and self.c_puct >= 0, "c_puct must be finite and >= 0")
        _check(
            self.c_base is None or (_finite(self.c_base) and self.c_base > 0),
            "c_base must be None or > 0",
        )
        _check(_finite(self.fpu_reduction), "fpu_reduction must be finite")
        _check(
            self.fpu_value is None or -1.0 <= self.fpu_value <= 1.0,
            "fpu_value must be None or in [-1, 1]",
        )
        _check(
            self.dirichlet_alpha is None
            or (_finite(self.dirichlet_alpha) and self.dirichlet_alpha > 0),
            "dirichlet_alpha must be None or > 0",
        )
        _check(0.0 <= self.dirichlet_epsilon <= 1.0, "dirichlet_epsilon must be in [0, 1]")
        _check(_finite(self.temperature) and self.temperature >= 0, "temperature must be >= 0")
        _check(self.temperature_moves >= 0, "temperature_moves must be >= 0")
        _check(self.virtual_loss >= 0, "virtual_loss must be >= 0")
        _check(self.leaves_per_batch >= 1, "leaves_per_batch must be at least 1")
        _check(0.0 <= self.lee_lambda <= 1.0, "lee_lambda must be in [0, 1]")
        _check(self.expand_threshold >= 0, "expand_threshold must be >= 0")
        _check(self.rollout_cap is None or self.rollout_cap >= 0, "rollout_cap must be >= 0")
        _check(_finite(self.lcb_z) and self.lcb_z >= 0, "lcb_z must be >= 0")
        _check(
            0.0 <= self.lcb_min_visit_fraction <= 1.0, "lcb_min_visit_fraction must be in [0, 1]"
        )
        _check(0.0 <= self.full_search_prob <= 1.0, "full_search_prob must be in [0, 1]")
        _check(self.cheap_simulations >= 1, "cheap_simulations must be at least 1")
        _check(
            self.root_selection in ("puct", "gumbel"),
            f"root_selection must be 'puct' or 'gumbel', not {self.root_selection!r}",
        )
        _check(self.gumbel_considered >= 1, "gumbel_considered must be at least 1")
        _check(
            _finite(self.gumbel_c_visit) and self.gumbel_c_visit >= 0, "gumbel_c_visit must be >= 0"
        )
        _check(
            _finite(self.gumbel_c_scale) and self.gumbel_c_scale >= 0, "gumbel_c_scale must be >= 0"
        )
        _check(_finite(self.gumbel_scale) and self.gumbel_scale >= 0, "gumbel_scale must be >= 0")
        _check(
            not (self.use_lcb and self.gumbel),
            "use_lcb chooses by visits; with root_selection 'gumbel' the halving's winner plays",
        )

    @property
    def gumbel(self) -> bool:
        """Whether the root selects by Gumbel noise and sequential halving."""
        return self.root_selection == "gumbel"

    @property
    def rollout_weight(self) -> float:
        """Lambda as the search uses it: 0 in Zero mode (no rollouts), lee_lambda in Lee mode."""
        return 0.0 if self.mode == "zero" else self.lee_lambda

    @property
    def prior_threshold(self) -> int:
        """Visits before a node gets evaluator priors: 0 in Zero mode, expand_threshold in Lee."""
        return 0 if self.mode == "zero" else self.expand_threshold


def _finite(x: float) -> bool:
    return math.isfinite(x)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
