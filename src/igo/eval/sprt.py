"""Sequential probability ratio test for gating: stop a match once the result is clear.

H0: the first engine is ``elo0`` stronger than the second; H1: it is ``elo1`` stronger (logistic
Elo). After every game the log-likelihood ratio of H1 against H0 is compared with Wald's bounds
``log(beta / (1 - alpha))`` and ``log((1 - beta) / alpha)``; crossing the lower one accepts H0,
the upper one H1. The LLR is the generalised SPRT approximation fishtest uses for trinomial
(win/draw/loss) results (M. Van den Bergh, "A practical introduction to the GSPRT"): with ``N``
games of empirical score distribution ``p`` and ``s_k = 1 / (1 + 10 ** (-elo_k / 400))``,
``LLR = N / 2 * log(r(s0) / r(s1))`` where ``r(s) = sum_x p(x) (x - s)^2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Decision = Literal["H0", "H1"]

# As fishtest: a small count in every cell keeps the variance positive after a few games.
_EPSILON = 1e-3


def logistic_score(elo: float) -> float:
    """Expected score of a player ``elo`` points stronger than its opponent."""
    return float(1.0 / (1.0 + 10.0 ** (-elo / 400.0)))


@dataclass(frozen=True)
class Sprt:
    """An SPRT between two Elo hypotheses."""

    elo0: float
    """Elo difference under H0 (e.g. 0: no better)."""
    elo1: float
    """Elo difference under H1 (e.g. 10: better by that much); must exceed elo0."""
    alpha: float = 0.05
    """Probability of accepting H1 when H0 is true."""
    beta: float = 0.05
    """Probability of accepting H0 when H1 is true."""

    def __post_init__(self) -> None:
        if not self.elo1 > self.elo0:
            raise ValueError(f"SPRT needs elo0 < elo1, not {self.elo0:g},{self.elo1:g}")
        if not (0 < self.alpha < 0.5 and 0 < self.beta < 0.5):
            raise ValueError("SPRT alpha and beta must be between 0 and 0.5")

    @property
    def bounds(self) -> tuple[float, float]:
        """(lower, upper) LLR bounds: below accepts H0, above accepts H1."""
        lower = math.log(self.beta / (1.0 - self.alpha))
        upper = math.log((1.0 - self.beta) / self.alpha)
        return lower, upper

    def llr(
        self, wins: np.ndarray | float, draws: np.ndarray | float, losses: np.ndarray | float
    ) -> np.ndarray:
        """Log-likelihood ratio of H1 against H0 (any array shape; counts broadcast)."""
        counts = [np.maximum(np.asarray(c, dtype=float), _EPSILON) for c in (losses, draws, wins)]
        total = counts[0] + counts[1] + counts[2]
        s0, s1 = logistic_score(self.elo0), logistic_score(self.elo1)

        def spread(s: float) -> np.ndarray:
            terms = [c / total * (x - s) ** 2 for c, x in zip(counts, (0.0, 0.5, 1.0), strict=True)]
            return np.asarray(terms[0] + terms[1] + terms[2])

        return np.asarray(total / 2.0 * np.log(spread(s0) / spread(s1)))

    def decide(self, wins: int, draws: int, losses: int) -> tuple[float, Decision | None]:
        """The LLR after these results, and the decision if a bound is crossed."""
        llr = float(self.llr(wins, draws, losses))
        lower, upper = self.bounds
        if llr >= upper:
            return llr, "H1"
        if llr <= lower:
            return llr, "H0"
        return llr, None


def parse_sprt(text: str, alpha: float = 0.05, beta: float = 0.05) -> Sprt:
    """``"elo0,elo1"`` (e.g. ``"0,10"``) as an ``Sprt``.

    Raises:
        ValueError: not two numbers, or not elo0 < elo1.
    """
    parts = text.split(",")
    try:
        elo0, elo1 = (float(p) for p in parts)
    except ValueError as exc:
        raise ValueError(f"--sprt takes elo0,elo1 (e.g. 0,10), not {text!r}") from exc
    return Sprt(elo0, elo1, alpha, beta)
