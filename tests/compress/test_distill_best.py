"""The best save of a distillation (``igo.compress.distill_best``): written when a save's
held-out score beats the best so far, kept across a resume, forgotten by a new run."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from igo.compress.distill_best import best_path, forget_best, keeping_best, read_best, score
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.nn.registry import create_net


def _net(seed: int) -> Net:
    torch.manual_seed(seed)
    return create_net("resnet_b6c64", blocks=1, channels=8, board_size=9, in_planes=17)


def test_the_best_save_is_the_highest_agreement_and_survives_a_resume(tmp_path: Path) -> None:
    out = tmp_path / "s.safetensors"
    nets = [_net(seed) for seed in range(4)]
    agreements = {id(net): a for net, a in zip(nets, [0.2, 0.5, 0.4, 0.6], strict=True)}
    step = [0]

    def evaluate(net: Net) -> dict[str, float]:
        return {"agree": agreements[id(net)], "mse": 0.5}

    measure = keeping_best(evaluate, out, lambda: step[0])
    for number, net in enumerate(nets[:3], 1):
        step[0] = 10 * number
        measure(net)
    assert read_best(out) == {"step": 20, "agree": 0.5, "mse": 0.5}
    kept = load_checkpoint(best_path(out))
    assert all(torch.equal(v, nets[1].state_dict()[k]) for k, v in kept.state_dict().items())
    step[0] = 40  # a resumed run compares with the saves before it
    keeping_best(evaluate, out, lambda: step[0])(nets[3])
    assert read_best(out) == {"step": 40, "agree": 0.6, "mse": 0.5}
    forget_best(out)
    assert read_best(out) is None and not best_path(out).exists()


@pytest.mark.parametrize(
    ("metrics", "expected"),
    [({"agree": 0.3, "top1": 0.9}, 0.3), ({"top1": 0.4, "loss": 2.0}, 0.4), ({"mse": 0.25}, -0.25)],
)
def test_the_score_is_agreement_then_top1_then_minus_mse(
    metrics: dict[str, float], expected: float
) -> None:
    assert score(metrics) == expected
