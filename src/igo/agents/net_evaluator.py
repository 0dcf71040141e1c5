"""The only seam between torch networks and the search: nets as search ``Evaluator``s.

``ZeroNetEvaluator`` reads the arrays the search already holds for its leaves (the stones of the
last H positions and the side to move), builds AlphaGo Zero's 17 planes for the whole batch in a
few NumPy operations, runs the network through ``igo.nn.TorchEvaluator`` (batched, on CPU or
CUDA) and answers priors (softmax over legal moves) and values from the side to move's view.
AlphaGo Zero evaluated each position under one random symmetry of the board; ``symmetry="random"``
does the same per batch, ``"all"`` averages all 8 (slower, smoother), ``"none"`` uses none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from igo.encode.symmetry import NUM_SYMMETRIES, apply_planes, apply_policy, inverse
from igo.encode.zero import encode_zero_batch
from igo.go.state import GameState
from igo.nn.inference import TorchEvaluator
from igo.nn.net import PolicyValueNet
from igo.search.evaluator import Leaves

SymmetryMode = Literal["none", "random", "all"]


def zero_planes_batch(history: np.ndarray, to_play: np.ndarray, size: int) -> np.ndarray:
    """AlphaGo Zero planes for a batch.

    Args:
        history: int8 [B, H, P] stones of the last H positions, newest first (0/1/2).
        to_play: [B] the side to move (1 black, 2 white).
        size: board size N (P = N * N).

    Returns:
        float32 [B, 2H + 1, N, N]: own stones x H, opponent stones x H, 1 if black is to play.
    """
    batch, depth, _ = history.shape
    me = to_play.astype(np.int8).reshape(batch, 1, 1)
    out = np.empty((batch, 2 * depth + 1, size * size), dtype=np.float32)
    out[:, :depth] = history == me
    out[:, depth:-1] = history == (3 - me)
    out[:, -1] = (to_play == 1).reshape(batch, 1)
    return out.reshape(batch, 2 * depth + 1, size, size)


def masked_softmax(logits: np.ndarray, legal_mask: np.ndarray) -> np.ndarray:
    """Softmax over the legal entries of ``logits`` [B, M] (``legal_mask`` bool [B, M])."""
    masked = np.where(legal_mask, logits.astype(np.float64), -np.inf)
    masked -= masked.max(axis=1, keepdims=True)
    probs = np.exp(masked)
    probs /= probs.sum(axis=1, keepdims=True)
    return probs.astype(np.float32)


class ZeroNetEvaluator:
    """A PolicyValueNet on AlphaGo Zero planes, as a search ``LeafEvaluator`` and ``Evaluator``."""

    def __init__(
        self,
        net: PolicyValueNet,
        device: str = "auto",
        batch_size: int = 256,
        symmetry: SymmetryMode = "random",
        seed: int = 0,
    ) -> None:
        in_planes = int(net.config.in_planes)
        if in_planes % 2 != 1 or in_planes < 3:
            raise ValueError(f"a Zero net takes 2H+1 input planes, this one takes {in_planes}")
        if symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {symmetry!r}")
        self.history_length = (in_planes - 1) // 2
        self.board_size = int(net.config.board_size)
        self.symmetry = symmetry
        self.torch = TorchEvaluator(net, device=device, batch_size=batch_size)
        self._rng = np.random.default_rng(seed)

    def _run(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Logits and values of ``planes`` [B, C, N, N] under the chosen symmetry mode."""
        if self.symmetry == "none":
            return self.torch.evaluate(planes)
        ks = [int(self._rng.integers(NUM_SYMMETRIES))] if self.symmetry == "random" else range(8)
        probs, values = [], []
        for k in ks:
            logits, value = self.torch.evaluate(apply_planes(planes, k))
            logits = apply_policy(logits, inverse(k), self.board_size)
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs.append(exp / exp.sum(axis=1, keepdims=True))
            values.append(value)
        return np.log(np.mean(probs, axis=0) + 1e-30), np.mean(values, axis=0)

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] and values [B] for the search's leaves (no Python per leaf)."""
        self._check_size(leaves.size)
        planes = zero_planes_batch(leaves.history, leaves.to_play, leaves.size)
        logits, values = self._run(planes)
        return masked_softmax(logits, leaves.legal_mask), values

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] and values [B] for game states."""
        self._check_size(states[0].size)
        planes = encode_zero_batch(states, self.history_length)
        logits, values = self._run(planes)
        masks = np.stack([state.legal_mask() for state in states])
        return masked_softmax(logits, masks), values

    def _check_size(self, size: int) -> None:
        if size != self.board_size:
            raise ValueError(
                f"this net plays {self.board_size}x{self.board_size}, not {size}x{size}"
            )
