"""Gating decisions: the paper's 55%, SPRT early stops, no gate; and a tiny gating match."""

from __future__ import annotations

from dataclasses import replace

import torch

from igo.nn.registry import create_net
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.gate import decide, play_gate
from igo.train.zero.loop_config import GATE_SEARCH, GateConfig


def test_winrate_gate_needs_55_percent_of_all_games() -> None:
    config = GateConfig(mode="winrate", num_games=40, win_rate=0.55)
    assert decide(config, 22, 0, 18) == (True, None)
    assert decide(config, 21, 1, 18) == (False, None)  # 21.5 / 40 < 0.55
    assert decide(config, 21, 2, 17) == (True, None)  # draws count half: 22 / 40
    assert decide(config, 30, 0, 0) == (None, None)  # keeps playing until 40 games


def test_sprt_gate_stops_early_both_ways() -> None:
    config = GateConfig(mode="sprt", num_games=400, sprt_elo0=0, sprt_elo1=100)
    accepted, llr = decide(config, 60, 0, 10)
    assert accepted is True and llr is not None and llr > 2.9
    rejected, _ = decide(config, 10, 0, 60)
    assert rejected is False
    assert decide(config, 3, 0, 2)[0] is None
    # Undecided when the games run out: the win-rate rule decides.
    short = GateConfig(mode="sprt", num_games=10, sprt_elo0=0, sprt_elo1=100)
    assert decide(short, 6, 0, 4)[0] is True


def test_no_gate_accepts_without_games() -> None:
    config = GateConfig(mode="none")
    assert decide(config, 0, 0, 0) == (True, None)
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=4)
    result, games = play_gate(
        (net, net),
        (3, 2),
        SelfPlayConfig(board_size=5),
        config,
        seed=0,
        resign_threshold=-1.0,
        progress=False,
    )
    assert result.accepted and result.games == 0 and games == []


def test_tiny_gating_match_counts_every_game() -> None:
    torch.manual_seed(0)
    nets = (
        create_net("resnet_b6c64", board_size=5, blocks=1, channels=4),
        create_net("resnet_b6c64", board_size=5, blocks=1, channels=4),
    )
    game = SelfPlayConfig(board_size=5, device="cpu")
    config = GateConfig(
        num_games=4, search=replace(GATE_SEARCH, num_simulations=4), parallel_games=2
    )
    result, games = play_gate(
        nets, (1, 0), game, config, seed=1, resign_threshold=-1.0, progress=False
    )
    assert result.games == len(games) == 4
    assert result.wins + result.losses + result.draws == 4
    assert result.accepted == (result.score >= 0.55)
    assert {g.first_is_black for g in games} == {True, False}
