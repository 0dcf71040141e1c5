"""Magnitude pruning (Han et al. 2015): the alpha rule on hand-made layers, and retraining with
the mask fixed on real positions, resumable."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from igo.compress.prune import MagnitudePruneConfig, MaskKeeper, magnitude_mask, magnitude_prune
from igo.compress.prune_train import mask_path, retrain_policy
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.nn.registry import create_net
from igo.train.alphago import supervised_loop
from igo.train.alphago.sl_policy_stage import SlConfig


def small_policy() -> Net:
    torch.manual_seed(0)
    return create_net("alphago_policy_l13c192", blocks=2, channels=8, norm="batch")


def test_the_alpha_rule_on_a_hand_made_layer() -> None:
    # mean 0, population... torch's std is the sample one: std of these 8 values is 2.0
    weight = torch.tensor([-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0])
    std = float(weight.std())
    mask, threshold = magnitude_mask(weight, 1.0 / std)  # threshold exactly 1.0
    assert threshold == pytest.approx(1.0)
    assert mask.tolist() == [True, True, True, False, False, True, True, True]
    mask, _ = magnitude_mask(weight, 0.0)
    assert bool(mask.all())


def test_magnitude_prune_counts_per_layer_and_leaves_the_original() -> None:
    net = small_policy()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    pruned = magnitude_prune(net, MagnitudePruneConfig(1.0))
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    state = pruned.net.state_dict()
    names = [layer.name for layer in pruned.layers]
    assert names == [
        "body.layers.0.0.weight",
        "body.layers.1.0.weight",
        "policy_head.conv.weight",
        "policy_head.pass_fc.weight",
    ]
    for layer in pruned.layers:
        original = before[layer.name]
        expected = int((original.abs() < 1.0 * original.std()).sum())
        assert layer.removed == expected == int((state[layer.name] == 0).sum())
        assert layer.threshold == pytest.approx(float(original.std()))
    assert pruned.removed == sum(x.removed for x in pruned.layers)
    assert 0.4 < pruned.fraction < 0.8  # about 58% for a normal law at one std
    # what is not a conv or linear weight is untouched
    assert torch.equal(state["policy_head.point_bias"], before["policy_head.point_bias"])


@pytest.mark.parametrize("alpha", [-0.5, float("nan"), float("inf")])
def test_a_bad_alpha_is_refused(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha must be"):
        MagnitudePruneConfig(alpha)


def test_the_mask_keeper_holds_zeros_through_sgd_with_momentum_and_decay() -> None:
    layer = nn.Linear(6, 4)
    pruned = magnitude_prune(nn.Sequential(layer), MagnitudePruneConfig(1.0))  # type: ignore[arg-type]
    net = pruned.net
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1)
    keeper = MaskKeeper(net, optimizer, pruned.masks)
    mask = pruned.masks["0.weight"]
    for _ in range(5):
        optimizer.zero_grad()
        net(torch.randn(8, 6)).pow(2).sum().backward()
        optimizer.step()
    weight = net.state_dict()["0.weight"]
    assert bool((weight[~mask] == 0).all()) and bool((weight[mask] != 0).all())
    keeper.close()


def _retrain(net: Net, masks: object, shards: Path, out: Path, steps: int = 4) -> None:
    config = SlConfig(steps=steps, batch_size=16, checkpoint_every=2, eval_positions=64,
                      torch_threads=1, learning_rate=0.05)  # fmt: skip
    retrain_policy(net, masks, shards, out, config)  # type: ignore[arg-type]


def test_retraining_keeps_the_mask_and_writes_an_ordinary_checkpoint(
    sl_shards: Path, tmp_path: Path
) -> None:
    pruned = magnitude_prune(small_policy(), MagnitudePruneConfig(1.3))
    start = {k: v.clone() for k, v in pruned.net.state_dict().items()}
    out = tmp_path / "p.safetensors"
    _retrain(pruned.net, pruned.masks, sl_shards, out)
    loaded = load_checkpoint(out).state_dict()
    for name, mask in pruned.masks.items():
        assert bool((loaded[name][~mask] == 0).all()), name
    assert not torch.equal(loaded["body.layers.1.0.weight"], start["body.layers.1.0.weight"])
    assert not mask_path(out).exists() and not out.with_suffix(".trainer.pt").exists()


def test_a_killed_retraining_resumes_where_it_stopped(
    sl_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = magnitude_prune(small_policy(), MagnitudePruneConfig(1.0))
    _retrain(whole.net, whole.masks, sl_shards, tmp_path / "whole.safetensors")

    save = supervised_loop.save_trainer

    def save_then_die(path: Path, trainer: object) -> None:
        save(path, trainer)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    out = tmp_path / "killed.safetensors"
    killed = magnitude_prune(small_policy(), MagnitudePruneConfig(1.0))
    monkeypatch.setattr(supervised_loop, "save_trainer", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        _retrain(killed.net, killed.masks, sl_shards, out)
    assert mask_path(out).exists() and not out.exists()
    monkeypatch.setattr(supervised_loop, "save_trainer", save)
    # another pruning cannot take over the killed run's files
    other = magnitude_prune(small_policy(), MagnitudePruneConfig(2.0))
    with pytest.raises(ValueError, match="another pruning's masks"):
        _retrain(other.net, other.masks, sl_shards, out)
    again = magnitude_prune(small_policy(), MagnitudePruneConfig(1.0))
    _retrain(again.net, again.masks, sl_shards, out)
    expected = load_checkpoint(tmp_path / "whole.safetensors").state_dict()
    for name, tensor in load_checkpoint(out).state_dict().items():
        torch.testing.assert_close(tensor, expected[name])
