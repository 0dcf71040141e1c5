"""The only seam between torch networks and the search: nets as search ``Evaluator``s.

``ZeroNetEvaluator`` reads the arrays the search already holds for its leaves (the stones of the
last H positions and the side to move), builds AlphaGo Zero's 17 planes for the whole batch in a
few NumPy operations, runs the network through ``igo.nn.TorchEvaluator`` (batched, on CPU or
CUDA) and answers priors (softmax over legal moves) and values from the side to move's view.
AlphaGo Zero evaluated each position under one random symmetry of the board; ``symmetry="random"``
does the same per batch, ``"all"`` averages all 8 (slower, smoother), ``"none"`` uses none.
A net with pooled heads (``NetConfig.heads``) plays every board size; one with fixed heads its own.
A Zero-planes ``PolicyNet`` (no value head) works too, with values of 0.

``AlphaGoNetEvaluator`` is the 2016 counterpart for the Lee mode and the policy player: the SL/RL
policy network on the 48 planes of ``igo.encode.alphago`` and the value network on 49, each
optional (uniform priors, values of 0). It encodes ``GameState`` objects (the search's slow path):
the 48 planes need liberties, ladders and move ages that the leaf arrays do not carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch

from igo.encode.alphago import NUM_PLANES, NUM_VALUE_PLANES, encode_alphago_batch
from igo.encode.symmetry import (
    NUM_SYMMETRIES,
    apply_planes,
    evaluation_symmetry,
    random_symmetry,
)
from igo.encode.zero_planes import encode_zero_batch, zero_planes_batch
from igo.go.state import GameState
from igo.nn.heads import AlphaGoPolicyHead
from igo.nn.inference import NetRunner, TorchEvaluator, any_size, average_symmetries
from igo.nn.net import Net
from igo.nn.precision import Precision
from igo.search.evaluator import Leaves

SymmetryMode = Literal["none", "random", "all"]
NetOrRunner = Net | NetRunner
"""A torch net (run by a ``TorchEvaluator``) or a runner already built (an ``OnnxEvaluator``)."""


def as_runner(
    net: NetOrRunner, device: str, batch_size: int, precision: Precision = "auto"
) -> NetRunner:
    """``net`` as a runner: a torch net wrapped in a ``TorchEvaluator`` on ``device``."""
    if isinstance(net, NetRunner):
        return net
    return TorchEvaluator(net, device=device, batch_size=batch_size, precision=precision)


def masked_softmax(logits: np.ndarray, legal_mask: np.ndarray) -> np.ndarray:
    """Softmax over the legal entries of ``logits`` [B, M] (``legal_mask`` bool [B, M])."""
    masked = np.where(legal_mask, logits.astype(np.float64), -np.inf)
    masked -= masked.max(axis=1, keepdims=True)
    probs = np.exp(masked)
    probs /= probs.sum(axis=1, keepdims=True)
    return probs.astype(np.float32)


def is_alphago_policy(net: NetOrRunner) -> bool:
    """Whether ``net`` reads AlphaGo's 48 planes (else AlphaGo Zero's 2H + 1)."""
    return int(net.config.in_planes) == NUM_PLANES


class ZeroNetEvaluator:
    """A PolicyValueNet (or a policy-only PolicyNet) on AlphaGo Zero planes, as a search
    ``LeafEvaluator`` and ``Evaluator``."""

    def __init__(
        self,
        net: NetOrRunner,
        device: str = "auto",
        batch_size: int = 256,
        symmetry: SymmetryMode = "random",
        seed: int = 0,
        precision: Precision = "auto",
    ) -> None:
        in_planes = int(net.config.in_planes)
        if in_planes % 2 != 1 or in_planes < 3:
            raise ValueError(f"a Zero net takes 2H+1 input planes, this one takes {in_planes}")
        if symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {symmetry!r}")
        if net.config.outputs == "value":
            raise ValueError("a Zero evaluator needs a policy head; this net has a value head only")
        self.history_length = (in_planes - 1) // 2
        self.board_size = None if any_size(net.config) else int(net.config.board_size)
        """The one size the net plays; None: every size (pooled heads)."""
        self.symmetry = symmetry
        self.runner = as_runner(net, device, batch_size, precision)
        self._rng = np.random.default_rng(seed)

    def _forward(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.runner.has_value:
            return self.runner.evaluate(planes)
        return self.runner.policy_logits(planes), np.zeros(len(planes), dtype=np.float32)

    def _run(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Logits and values of ``planes`` [B, C, N, N] under the chosen symmetry mode."""
        if self.symmetry == "none":
            return self._forward(planes)
        ks = [random_symmetry(self._rng)] if self.symmetry == "random" else range(NUM_SYMMETRIES)
        symmetries = [evaluation_symmetry(k, planes.shape[-1]) for k in ks]
        logits, values = average_symmetries(self._forward, planes, symmetries)
        assert logits is not None and values is not None  # _forward gives both
        return logits, values

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
        if self.board_size is not None and size != self.board_size:
            raise ValueError(
                f"this net plays {self.board_size}x{self.board_size}, not {size}x{size}"
            )


class AlphaGoNetEvaluator:
    """AlphaGo's policy net (48 planes) and value net (49 planes) as a search ``Evaluator``.

    Either may be missing: no policy net gives uniform priors over the legal moves, no value net
    gives values of 0 (then the Lee mode should lean on rollouts: lambda = 1). Without a value
    net, a torch policy net of AlphaGo's (``AlphaGoPolicyHead``) plays every size: it is resized
    (``policy_at_size``) the first time it meets one.
    """

    def __init__(
        self,
        policy_net: NetOrRunner | None = None,
        value_net: NetOrRunner | None = None,
        device: str = "auto",
        batch_size: int = 256,
    ) -> None:
        if policy_net is not None and (
            policy_net.config.outputs == "value" or int(policy_net.config.in_planes) != NUM_PLANES
        ):
            raise ValueError(
                f"an AlphaGo policy net reads {NUM_PLANES} planes and has a policy head"
            )
        if value_net is not None and (
            value_net.config.outputs == "policy"
            or int(value_net.config.in_planes) != NUM_VALUE_PLANES
        ):
            raise ValueError(
                f"an AlphaGo value net reads {NUM_VALUE_PLANES} planes and has a value head"
            )
        nets = [n for n in (policy_net, value_net) if n is not None]
        sizes = {int(n.config.board_size) for n in nets}
        if len(sizes) > 1:
            raise ValueError(f"the policy and value nets play different sizes: {sorted(sizes)}")
        fixed = [
            n for n in nets if not (any_size(n.config) if n is value_net else _plays_any_size(n))
        ]
        self.board_size = int(fixed[0].config.board_size) if fixed else None
        """The one size the nets play; None: every size."""
        self._runner = (device, batch_size)
        self._policy_net = policy_net
        self._policies: dict[int, NetRunner] = {}
        self.value = None if value_net is None else as_runner(value_net, device, batch_size)

    def _policy(self, size: int) -> NetRunner:
        """The policy net's runner for ``size`` x ``size`` (built, resized if need be, once)."""
        if size not in self._policies:
            net = self._policy_net
            assert net is not None
            if isinstance(net, Net) and not any_size(net.config) and net.config.board_size != size:
                net = policy_at_size(net, size)
            self._policies[size] = as_runner(net, *self._runner)
        return self._policies[size]

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] (softmax over legal moves) and values [B] for game states."""
        size = states[0].size
        if self.board_size is not None and size != self.board_size:
            raise ValueError(f"these nets play {self.board_size}x{self.board_size}, not {size}")
        masks = np.stack([state.legal_mask() for state in states])
        # The value net's 49 planes are the policy net's 48 plus the colour: encode once.
        planes = encode_alphago_batch(states, value_plane=self.value is not None)
        if self._policy_net is None:
            priors = masks.astype(np.float32) / masks.sum(axis=1, keepdims=True)
        else:
            logits = self._policy(size).policy_logits(planes[:, :NUM_PLANES])
            priors = masked_softmax(logits, masks)
        if self.value is None:
            return priors, np.zeros(len(states))
        return priors, self.value.values(planes)


def _plays_any_size(net: NetOrRunner) -> bool:
    """Whether ``net`` plays every size: pooled heads, or a torch net of AlphaGo's policy."""
    return any_size(net.config) or (
        isinstance(net, Net) and isinstance(getattr(net, "policy_head", None), AlphaGoPolicyHead)
    )


def policy_at_size(net: Net, size: int) -> Net:
    """AlphaGo's policy net (``AlphaGoPolicyHead``) for ``size`` x ``size`` boards.

    Its convolutions slide over any board; only the head's bias per point is sized. That bias
    mostly says how far a point is from the edges (which line it is on), so a point of the new
    board gets the bias of the point of the old one as far from both edges (capped at the old
    centre), averaged over the old board's 8 symmetries.
    """
    from igo.nn.registry import build_net

    own = int(net.config.board_size)
    state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    bias = state["policy_head.point_bias"].cpu().numpy().reshape(own, own)
    symmetric = np.mean([apply_planes(bias, k) for k in range(NUM_SYMMETRIES)], axis=0)
    line = np.minimum(np.minimum(np.arange(size), size - 1 - np.arange(size)), (own - 1) // 2)
    mapped = symmetric[line[:, None], line[None, :]].reshape(-1).astype(np.float32)
    state["policy_head.point_bias"] = torch.from_numpy(mapped)
    resized = build_net(net.config, board_size=size)
    resized.load_state_dict(state)
    return resized.to(next(net.parameters()).device).eval()
