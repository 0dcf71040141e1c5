"""The AlphaGo Zero loss: value regression, policy cross-entropy, L2 regularisation.

Silver et al. 2017, equation (1):

    l = (z - v)^2 - pi^T log p + c ||theta||^2

averaged over a minibatch, where z is the game's result from the side to move, v the value head,
pi the search's visit distribution and p the policy head's softmax. The last term is applied by
the optimiser as weight decay (its gradient, 2 c theta), so ``zero_loss`` returns the first two
and ``l2_penalty`` computes the third for reporting. Nets with pooled heads add KataGo's
auxiliary ownership and score losses (``aux_loss``), weighted by ``TrainConfig.ownership_weight``
and ``score_weight``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from igo.nn.pooled_heads import SCORE_SCALE


@dataclass(frozen=True)
class ZeroLoss:
    """The loss of one minibatch (scalar tensors)."""

    total: Tensor
    """value + policy (the term differentiated; L2 comes from the optimiser)."""
    value: Tensor
    """mean (z - v)^2."""
    policy: Tensor
    """mean -pi . log p."""


def zero_loss(
    policy_logits: Tensor, values: Tensor, target_policy: Tensor, target_value: Tensor
) -> ZeroLoss:
    """AlphaGo Zero's loss without the L2 term.

    Args:
        policy_logits: [B, A] the policy head's logits.
        values: [B] the value head's outputs in (-1, 1).
        target_policy: [B, A] search probabilities pi (rows sum to 1).
        target_value: [B] results z in {-1, 0, 1}.

    Returns:
        The total, value and policy losses, each a mean over the batch.
    """
    value = torch.mean((target_value - values.reshape(-1)) ** 2)
    policy = -torch.mean(torch.sum(target_policy * F.log_softmax(policy_logits, dim=1), dim=1))
    return ZeroLoss(value + policy, value, policy)


def l2_penalty(net: nn.Module, c: float) -> Tensor:
    """c * ||theta||^2 over every parameter (the paper's regulariser)."""
    return c * sum((p.detach() ** 2).sum() for p in net.parameters())  # type: ignore[return-value]


@dataclass(frozen=True)
class AuxLoss:
    """KataGo's auxiliary losses of one minibatch (scalar tensors), over positions with targets."""

    ownership: Tensor
    """Mean over positions and board points of (o - owner)^2."""
    score: Tensor
    """Mean Huber loss of (s - margin) / SCORE_SCALE."""


def aux_loss(
    score: Tensor,
    ownership: Tensor,
    target_score: Tensor,
    target_ownership: Tensor,
    has_target: Tensor,
) -> AuxLoss:
    """The ownership and score losses of the positions that have targets (Wu 2019, section 4.1:
    predicting the final ownership and score gives the trunk a denser signal than the result).

    Args:
        score: [B] the score head's margins for the side to move.
        ownership: [B, N, N] the ownership head's outputs in (-1, 1).
        target_score: [B] the final margins for the side to move.
        target_ownership: [B, N, N] final owners from the side to move (+1, -1, 0).
        has_target: [B] bool: the position's game was counted (others add nothing).

    Returns:
        Both losses; zero (with a gradient path) when no position has targets.
    """
    weight = has_target.to(score.dtype)
    count = weight.sum().clamp(min=1.0)
    per_point = ((ownership - target_ownership) ** 2).flatten(1).mean(dim=1)
    huber = F.huber_loss(
        score / SCORE_SCALE, target_score / SCORE_SCALE, reduction="none", delta=1.0
    )
    return AuxLoss((per_point * weight).sum() / count, (huber * weight).sum() / count)
