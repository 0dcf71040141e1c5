"""Gating decisions: the paper's 55%, SPRT early stops, no gate; and a tiny gating match."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import torch

from igo.nn.registry import create_net
from igo.run_dir import ZeroRunDir
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.gate import GateResult, decide, describe_sizes, play_gate, recorded_gate
from igo.train.zero.generation_summary import describe_generation
from igo.train.zero.loop_config import GATE_SEARCH, GateConfig

_SUMMARY = {
    "selfplay.games": 8,
    "selfplay.mean_length": 20,
    "selfplay.black_win_rate": 0.5,
    "selfplay.positions_per_hour": 100,
    "train.steps": 10,
    "best_generation": 1,
    "selfplay.resign_threshold": -1.0,
    "selfplay.false_resign_rate": math.nan,
}


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


def test_a_mixed_gate_plays_the_mix_and_scores_each_size() -> None:
    torch.manual_seed(0)
    nets = tuple(
        create_net("resnet_b6c64", board_size=5, heads="pooled", blocks=1, channels=4)
        for _ in range(2)
    )
    game = SelfPlayConfig(
        board_size=5, board_sizes=((5, 1.0, 0.5), (7, 1.0, 3.5)), device="cpu", move_cap=16
    )
    config = GateConfig(
        num_games=8, search=replace(GATE_SEARCH, num_simulations=2), parallel_games=4
    )

    def play() -> tuple[GateResult, list]:
        return play_gate(nets, (1, 0), game, config, seed=2, resign_threshold=-1.0, progress=False)

    result, games = play()
    assert {g.board_size for g in games} == {5, 7}
    for g in games:  # each on its own board, with its size's komi
        assert (
            f"SZ[{g.board_size}]" in g.sgf and f"KM[{0.5 if g.board_size == 5 else 3.5:g}]" in g.sgf
        )
    assert set(result.by_size) == {"5x5", "7x7"}
    assert [sum(c) for c in zip(*result.by_size.values(), strict=True)] == [
        result.wins,
        result.losses,
        result.draws,
    ]
    for name, (won, lost, drawn) in result.by_size.items():
        size = int(name.split("x")[0])
        assert won + lost + drawn == sum(g.board_size == size for g in games)
        assert won == sum(g.board_size == size and g.first_score == 1.0 for g in games)
    again, _ = play()
    assert again.by_size == result.by_size  # the same seed draws the same sizes
    assert "5x5" in describe_generation(0, _SUMMARY, result)
    assert not SelfPlayConfig(board_size=5).mixed  # a one-size gate keeps no per-size counts
    one, _ = play_gate(
        nets, (1, 0), replace(game, board_sizes=()), replace(config, num_games=2),
        seed=2, resign_threshold=-1.0, progress=False,
    )  # fmt: skip
    assert one.by_size == {} and describe_sizes(one) == ""


def test_a_gate_record_from_before_mixes_reads_back(tmp_path: Path) -> None:
    run = ZeroRunDir(tmp_path)
    run.gating_path.parent.mkdir(parents=True)
    old = {"candidate": 2, "best": 1, "mode": "winrate", "games": 4, "wins": 3, "losses": 1}
    run.gating_path.write_text(json.dumps(old | {"draws": 0, "accepted": True, "score": 0.75}))
    result = recorded_gate(run, 2)
    assert result is not None and result.by_size == {} and result.score == 0.75
