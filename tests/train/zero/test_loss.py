"""The AlphaGo Zero loss on hand-made examples, and L2 as the optimiser's weight decay."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from igo.nn.pooled_heads import SCORE_SCALE
from igo.train.trainer import make_optimizer
from igo.train.training_config import TrainConfig
from igo.train.zero.loss import aux_loss, l2_penalty, zero_loss


def test_uniform_policy_and_known_values() -> None:
    logits = torch.zeros(2, 4)  # p = 1/4 everywhere
    target_policy = torch.tensor([[1.0, 0, 0, 0], [0.5, 0.5, 0, 0]])
    values = torch.tensor([0.5, -0.5])
    target_value = torch.tensor([1.0, 1.0])
    loss = zero_loss(logits, values, target_policy, target_value)
    # (1 - 0.5)^2 = 0.25 and (1 + 0.5)^2 = 2.25: mean 1.25.
    assert loss.value.item() == pytest.approx(1.25)
    # -sum pi log(1/4) = log 4 for any distribution pi.
    assert loss.policy.item() == pytest.approx(math.log(4))
    assert loss.total.item() == pytest.approx(1.25 + math.log(4))


def test_policy_loss_is_cross_entropy() -> None:
    logits = torch.tensor([[math.log(3.0), 0.0]])  # p = (3/4, 1/4)
    target = torch.tensor([[0.5, 0.5]])
    loss = zero_loss(logits, torch.zeros(1), target, torch.zeros(1))
    expected = -(0.5 * math.log(0.75) + 0.5 * math.log(0.25))
    assert loss.policy.item() == pytest.approx(expected)
    assert loss.value.item() == 0.0


def test_l2_penalty_and_weight_decay_agree() -> None:
    net = nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[1.0, 2.0]]))
        net.bias.fill_(3.0)
    c = 1e-2
    assert l2_penalty(net, c).item() == pytest.approx(c * (1 + 4 + 9))
    # One SGD step on a zero loss with weight decay 2c equals a step on c ||theta||^2.
    config = TrainConfig(learning_rate=0.1, momentum=0.0, l2_c=c)
    opt = make_optimizer(net, config)
    (0.0 * net.weight.sum()).backward()
    net.bias.grad = torch.zeros_like(net.bias)
    opt.step()
    reference = nn.Linear(2, 1)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor([[1.0, 2.0]]))
        reference.bias.fill_(3.0)
    penalty = c * sum((p**2).sum() for p in reference.parameters())
    penalty.backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    torch.testing.assert_close(net.weight, reference.weight)
    torch.testing.assert_close(net.bias, reference.bias)


def test_aux_loss_counts_only_positions_with_targets() -> None:
    ownership = torch.tensor([[[0.5, -0.5], [0.0, 1.0]], [[0.9, 0.9], [0.9, 0.9]]])
    target = torch.tensor([[[1.0, -1.0], [0.0, 1.0]], [[-1.0, -1.0], [-1.0, -1.0]]])
    score = torch.tensor([SCORE_SCALE * 0.5, 100.0])
    target_score = torch.tensor([0.0, -100.0])
    loss = aux_loss(score, ownership, target_score, target, torch.tensor([True, False]))
    # Position 0 only: (0.25 + 0.25 + 0 + 0) / 4 points; Huber of 0.5 is 0.5 * 0.5^2.
    assert loss.ownership.item() == pytest.approx(0.125)
    assert loss.score.item() == pytest.approx(0.125)
    # Position 1 alone would cost far more: it is masked off, not averaged in.
    none = aux_loss(score, ownership, target_score, target, torch.tensor([False, False]))
    assert none.ownership.item() == 0 and none.score.item() == 0
    both = aux_loss(score, ownership, target_score, target, torch.tensor([True, True]))
    assert both.ownership.item() > 1 and both.score.item() > 1
