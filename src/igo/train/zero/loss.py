"""The AlphaGo Zero loss: value regression, policy cross-entropy, L2 regularisation.

Silver et al. 2017, equation (1):

    l = (z - v)^2 - pi^T log p + c ||theta||^2

averaged over a minibatch, where z is the game's result from the side to move, v the value head,
pi the search's visit distribution and p the policy head's softmax. The last term is applied by
the optimiser as weight decay (its gradient, 2 c theta), so ``zero_loss`` returns the first two
and ``l2_penalty`` computes the third for reporting.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


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
