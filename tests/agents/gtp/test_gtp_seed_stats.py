"""GTP ``set_random_seed`` (a game's seed for a kept engine) and ``igo-search_stats``."""

from __future__ import annotations

from igo.agents import create_player
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.nets import zero_weights
from igo.agents.player import Seedable


def _moves(gtp: GtpSession, seed: int, count: int = 6) -> list[str]:
    gtp.ok("clear_board")
    gtp.ok(f"set_random_seed {seed}")
    return [gtp.ok(f"genmove {'bw'[i % 2]}") for i in range(count)]


def test_set_random_seed_restarts_the_random_player() -> None:
    gtp = GtpSession(GoEngine(create_player("random", seed=0), size=9))
    first = _moves(gtp, 7)
    assert _moves(gtp, 8) != first
    assert _moves(gtp, 7) == first
    assert gtp.ok("known_command set_random_seed") == "true"
    gtp.fails("set_random_seed x", "syntax error: set_random_seed takes one whole number")


def test_set_random_seed_restarts_the_search_player_after_other_games() -> None:
    player = create_player("mcts", visits=8, seed=3, temperature=1.0)
    gtp = GtpSession(GoEngine(player, size=5))
    first = _moves(gtp, 3)
    _moves(gtp, 4)
    assert _moves(gtp, 3) == first


def test_search_stats_count_the_moves_and_visits_since_the_new_game() -> None:
    gtp = GtpSession(GoEngine(create_player("mcts", visits=8, seed=0), size=5))
    gtp.ok("genmove b")
    gtp.ok("genmove w")
    words = gtp.ok("igo-search_stats").split()
    stats = dict(zip(words[::2], words[1::2], strict=True))
    assert stats["moves"] == "2" and int(stats["visits"]) >= 16
    gtp.ok("clear_board")
    assert gtp.ok("igo-search_stats") == "moves 0 seconds 0.000 visits 0"


def test_a_player_that_does_not_search_reports_no_visits() -> None:
    gtp = GtpSession(GoEngine(create_player("random", seed=0), size=5))
    gtp.ok("genmove b")
    assert gtp.ok("igo-search_stats").split()[:2] == ["moves", "1"]
    assert "visits" not in gtp.ok("igo-search_stats")


def test_every_player_takes_a_seed_over_gtp() -> None:
    net = {"checkpoint": str(zero_weights())}
    for name, options in (("random", {}), ("mcts", {}), ("zero", {}), ("policy", net)):
        player = create_player(name, seed=1, **options)
        assert isinstance(player, Seedable), name
        assert "set_random_seed" in GoEngine(player, size=9).commands(), name


def test_set_random_seed_restarts_the_policy_players_sampling() -> None:
    player = create_player("policy", checkpoint=str(zero_weights()), temperature=1.0, seed=0)
    gtp = GtpSession(GoEngine(player, size=9))
    first = _moves(gtp, 7)
    _moves(gtp, 8)
    assert _moves(gtp, 7) == first
