"""Rules on ASCII positions: ko, superko, suicide under each preset, game end, undo, legality."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest

from igo.go.coords import Color, from_gtp
from igo.go.rules import PRESETS, Rules, rules_from_name, rules_name
from igo.go.state import CannotUndo, GameState, IllegalMove

BoardFactory = Callable[..., GameState]


def _p(state: GameState, vertex: str) -> int:
    return from_gtp(vertex, state.size)


def _play(state: GameState, moves: str) -> None:
    """Play whitespace-separated GTP vertices (or ``pass``), alternating from the side to play."""
    for vertex in moves.split():
        state.play(_p(state, vertex))


def _reason(state: GameState, vertex: str) -> str:
    with pytest.raises(IllegalMove) as info:
        state.play(_p(state, vertex))
    return info.value.reason


KO = """
    . X O . .
    X O . O .
    . X O . .
    . . . . .
    . . . . .
"""


def test_simple_ko_ban_lasts_one_turn(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    _play(state, "C4")  # black takes B4
    assert state.captures(Color.BLACK) == 1
    assert state.ko_point == _p(state, "B4")
    assert not state.is_legal(_p(state, "B4"))
    assert not state.legal_mask()[_p(state, "B4")]
    assert _reason(state, "B4") == "ko"
    _play(state, "E1")  # a ko threat elsewhere
    assert state.ko_point is None
    _play(state, "E2")  # black answers instead of filling
    assert state.is_legal(_p(state, "B4"))
    _play(state, "B4")  # the ban is over: white retakes, and now black is banned
    assert state.captures(Color.WHITE) == 1
    assert state.ko_point == _p(state, "C4")
    assert _reason(state, "C4") == "ko"


def test_ko_ban_ends_with_a_pass(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    _play(state, "C4 pass")
    assert state.ko_point is None
    _play(state, "E1")
    assert state.is_legal(_p(state, "B4"))
    # The banned side may still fill elsewhere, and the capturer may connect the ko.
    state = board_from_ascii(KO)
    _play(state, "C4 E1 B4")
    assert state.color_at(_p(state, "B4")) == Color.BLACK


@pytest.mark.parametrize("rules", list(PRESETS.values()), ids=list(PRESETS))
def test_ko_under_every_preset(board_from_ascii: BoardFactory, rules: Rules) -> None:
    state = board_from_ascii(KO, rules=rules)
    _play(state, "C4")
    assert not state.is_legal(_p(state, "B4"))


def test_one_stone_capture_that_is_not_a_ko(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . X O . .
        X O . O .
        . X . . .
        . . . . .
        . . . . .
    """)
    _play(state, "C4")  # C4 has a second liberty (C3), so white may take back at once
    assert state.ko_point is None
    _play(state, "C3")
    assert state.captures(Color.WHITE) == 0
    assert state.is_legal(_p(state, "B4"))


# Three kos: white holds the two at the top, black the one at the bottom.
TRIPLE_KO = """
    X O . O . X O . O
    X X O O . X X O O
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    X X O O . . . . .
    X . X O . . . . .
"""
# Each side takes a ko in turn; six captures bring back the starting position, black to play.
TRIPLE_KO_CYCLE = "C9 B1 H9 B9 C1 G9"


@pytest.mark.parametrize("ko", ["simple", "positional", "situational"])
def test_triple_ko(board_from_ascii: BoardFactory, ko: str) -> None:
    state = board_from_ascii(TRIPLE_KO, rules=Rules(ko=ko))  # type: ignore[arg-type]
    start_hash, start_stones = state.hash, state.stones()
    cycle = TRIPLE_KO_CYCLE.split()
    _play(state, " ".join(cycle[:5]))
    assert state.captures(Color.BLACK) == 3 and state.captures(Color.WHITE) == 2
    last = _p(state, cycle[5])
    if ko == "simple":
        for _ in range(3):  # the cycle can go on for ever
            _play(state, cycle[5])
            assert state.hash == start_hash
            assert np.array_equal(state.stones(), start_stones)
            assert state.to_play == Color.BLACK
            _play(state, " ".join(cycle[:5]))
        assert state.captures(Color.BLACK) == 12 and state.captures(Color.WHITE) == 11
    else:
        assert not state.is_legal(last)
        assert not state.legal_mask()[last]
        assert last not in state.legal_moves()
        assert _reason(state, cycle[5]) == "superko"
        assert state.legality(_p(state, "E5")) is None


# Black builds a two-stone string between white pass moves, then removes it by suicide: the stones
# repeat the start, but with white (not black) to play.
SUPERKO_PASS = """
    . . O . .
    . O . . .
    O . . . .
    . . . . .
    . . . . .
"""


@pytest.mark.parametrize(
    ("ko", "suicide", "reason"),
    [
        ("simple", True, None),
        ("situational", True, None),
        ("positional", True, "superko"),
        ("situational", False, "suicide"),
        ("positional", False, "suicide"),
    ],
)
def test_positional_and_situational_superko_differ(
    board_from_ascii: BoardFactory, ko: str, suicide: bool, reason: str | None
) -> None:
    rules = Rules(ko=ko, multi_stone_suicide=suicide)  # type: ignore[arg-type]
    state = board_from_ascii(SUPERKO_PASS, rules=rules)
    start_hash, start_stones = state.hash, state.stones()
    _play(state, "A5 pass B5 pass")
    assert state.legality(_p(state, "A4")) == reason
    assert state.legal_mask()[_p(state, "A4")] == (reason is None)
    if reason is None:
        _play(state, "A4")
        assert state.hash == start_hash
        assert np.array_equal(state.stones(), start_stones)
        assert state.captures(Color.WHITE) == 3
        assert state.to_play == Color.WHITE


@pytest.mark.parametrize("name", list(PRESETS))
def test_single_stone_suicide_is_illegal_everywhere(
    board_from_ascii: BoardFactory, name: str
) -> None:
    state = board_from_ascii(
        """
        . O . . .
        O . . . .
        . . . . .
        . . . . .
        . . . . .
    """,
        rules=PRESETS[name],
    )
    assert not state.is_legal(_p(state, "A5"))
    assert not state.legal_mask()[_p(state, "A5")]
    assert _reason(state, "A5") == "suicide"
    assert state.is_legal(_p(state, "A5"), Color.WHITE)


MULTI_SUICIDE = """
    . X O . .
    O O . . .
    . . . . .
    . . . . .
    . . . . .
"""


@pytest.mark.parametrize("name", list(PRESETS))
def test_multi_stone_suicide(board_from_ascii: BoardFactory, name: str) -> None:
    rules = PRESETS[name]
    state = board_from_ascii(MULTI_SUICIDE, rules=rules)
    allowed = name in ("tromp-taylor", "new-zealand")
    assert rules.multi_stone_suicide == allowed
    assert state.is_legal(_p(state, "A5")) == allowed
    assert state.legal_mask()[_p(state, "A5")] == allowed
    if not allowed:
        assert _reason(state, "A5") == "suicide"
        return
    expected = state.copy()
    expected.setup(empty=[_p(state, "B5")])
    _play(state, "A5")
    assert np.array_equal(state.stones(), expected.stones())
    assert state.hash == expected.hash
    assert state.captures(Color.WHITE) == 2
    assert state.captures(Color.BLACK) == 0
    assert state.to_play == Color.WHITE
    assert state.moves == ((Color.BLACK, _p(state, "A5")),)
    assert state.ko_point is None


def test_two_passes_end_the_game() -> None:
    state = GameState.new(5)
    pss = state.num_points
    _play(state, "pass C3 pass")
    assert not state.is_over()
    assert state.consecutive_passes == 1
    _play(state, "pass")
    assert state.is_over()
    assert state.consecutive_passes == 2
    assert not state.is_legal(pss)
    assert not state.legal_mask().any()
    assert state.legal_moves() == []
    assert state.legality(0) == "game over"
    with pytest.raises(IllegalMove) as info:
        state.play(0)
    assert info.value.reason == "game over"
    state.undo()
    assert not state.is_over()
    assert state.is_legal(pss)


def test_resignation() -> None:
    state = GameState.new(5)
    _play(state, "C3")
    state.resign()
    assert state.resigned == Color.WHITE
    assert state.is_over()
    assert not state.is_legal(0)
    state.undo()
    assert state.resigned is None and not state.is_over()
    assert state.moves == ((Color.BLACK, _p(state, "C3")),)
    state.resign(Color.BLACK)
    assert state.resigned == Color.BLACK


def test_move_cap() -> None:
    state = GameState.new(5, move_cap=3)
    _play(state, "C3 pass D4")
    assert state.is_over()
    assert not state.legal_mask().any()
    with pytest.raises(IllegalMove):
        state.play(0)


def _snapshot(state: GameState) -> tuple[object, ...]:
    return (
        state.board_vector.copy(),
        state.to_play,
        state.moves,
        state.consecutive_passes,
        state.hash,
        state.captures(Color.BLACK),
        state.captures(Color.WHITE),
        state.ko_point,
        state.num_handicap,
        state.legal_mask().copy(),
        state.legal_mask(state.to_play.opponent).copy(),
    )


def _assert_same(a: tuple[object, ...], b: tuple[object, ...]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y)  # type: ignore[arg-type]
        else:
            assert x == y


@pytest.mark.parametrize("name", ["tromp-taylor", "chinese", "aga"])
def test_undo_restores_exactly(board_from_ascii: BoardFactory, name: str) -> None:
    state = board_from_ascii(TRIPLE_KO, rules=PRESETS[name])
    snaps = [_snapshot(state)]
    rng = random.Random(7)
    for vertex in TRIPLE_KO_CYCLE.split()[:5]:
        state.play(_p(state, vertex))
        snaps.append(_snapshot(state))
    for _ in range(60):
        moves = state.legal_moves()
        state.play(rng.choice(moves[:-1]) if len(moves) > 1 and rng.random() < 0.9 else moves[-1])
        snaps.append(_snapshot(state))
        if state.is_over():
            break
    while snaps:
        _assert_same(_snapshot(state), snaps.pop())
        if snaps:
            state.undo()
    with pytest.raises(CannotUndo):
        state.undo()


def test_undo_after_handicap_and_suicide() -> None:
    state = GameState.new(5, rules=PRESETS["tromp-taylor"])
    state.place_handicap([6, 8])
    assert state.num_handicap == 2 and state.to_play == Color.WHITE
    start = _snapshot(state)
    for vertex in "A5 C5 B5 A3".split():
        state.play(_p(state, vertex))
    after = _snapshot(state)
    state.play(_p(state, "A4"))  # white's three stones commit suicide
    assert state.captures(Color.BLACK) == 3
    assert state.color_at(_p(state, "A5")) == Color.EMPTY
    state.undo()
    _assert_same(_snapshot(state), after)
    for _ in range(4):
        state.undo()
    _assert_same(_snapshot(state), start)
    with pytest.raises(CannotUndo):
        state.undo()


def _random_game(state: GameState, rng: random.Random, num_moves: int) -> GameState:
    for _ in range(num_moves):
        if state.is_over():
            break
        moves = state.legal_moves()
        state.play(rng.choice(moves) if rng.random() < 0.97 else state.num_points)
    return state


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("size", [3, 4, 6])
def test_legal_mask_agrees_with_is_legal(name: str, size: int) -> None:
    rng = random.Random(size * 100 + len(name))
    for _ in range(3):
        state = GameState.new(size, rules=PRESETS[name])
        for _ in range(6 * size * size):
            if state.is_over():
                break
            for color in (Color.BLACK, Color.WHITE):
                mask = state.legal_mask(color)
                assert mask.shape == (size * size + 1,) and mask.dtype == np.bool_
                expected = [state.is_legal(p, color) for p in range(size * size + 1)]
                assert mask.tolist() == expected
                assert state.legal_moves(color) == [int(p) for p in np.flatnonzero(mask)]
            _random_game(state, rng, 1)


def test_play_out_of_turn() -> None:
    state = GameState.new(5)
    state.play(_p(state, "C3"), Color.WHITE)
    assert state.color_at(_p(state, "C3")) == Color.WHITE
    assert state.to_play == Color.BLACK
    state.play(_p(state, "D3"), Color.BLACK)
    assert state.to_play == Color.WHITE


def test_presets_table() -> None:
    table = {
        "tromp-taylor": ("positional", True, "area", 7.5, "0"),
        "chinese": ("simple", False, "area", 7.5, "N"),
        "japanese": ("simple", False, "territory", 6.5, "0"),
        "korean": ("simple", False, "territory", 6.5, "0"),
        "aga": ("situational", False, "area", 7.5, "N-1"),
        "new-zealand": ("situational", True, "area", 7.5, "0"),
    }
    for name, (ko, suicide, scoring, komi, bonus) in table.items():
        rules = PRESETS[name]
        assert (
            rules.ko,
            rules.multi_stone_suicide,
            rules.scoring,
            rules.komi,
            rules.white_handicap_bonus,
        ) == (ko, suicide, scoring, komi, bonus)
        assert rules_name(rules) == name or (name == "korean" and rules_name(rules) == "japanese")
        assert rules_from_name(name) == rules


def test_rules_from_name() -> None:
    assert rules_from_name("TT") == PRESETS["tromp-taylor"]
    assert rules_from_name("Tromp_Taylor") == PRESETS["tromp-taylor"]
    assert rules_from_name("new zealand") == PRESETS["new-zealand"]
    assert rules_from_name("cn", komi=5.5).komi == 5.5
    assert rules_name(PRESETS["chinese"].with_komi(0.5)) == "chinese"
    assert rules_name(Rules(ko="positional", scoring="territory")) is None
    with pytest.raises(ValueError):
        rules_from_name("ing")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ko": "super"},
        {"scoring": "stones"},
        {"komi": 7.3},
        {"komi": 6.125},
        {"komi": 1000.25},
        {"komi": float("nan")},
        {"white_handicap_bonus": "2"},
    ],
)
def test_rules_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Rules(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bonus", "expected"), [("0", [0, 0, 0, 0]), ("N-1", [0, 0, 1, 8]), ("N", [0, 0, 2, 9])]
)
def test_handicap_bonus(bonus: str, expected: list[int]) -> None:
    rules = Rules(white_handicap_bonus=bonus)  # type: ignore[arg-type]
    assert [rules.handicap_bonus(n) for n in (0, 1, 2, 9)] == expected


def test_undo_after_a_resumed_game() -> None:
    """A game that went on after two passes (GTP, SGF) undoes into the resumed state."""
    state = GameState.new(5)
    _play(state, "pass pass")
    assert state.is_over()
    state.resume()
    _play(state, "C3 pass pass")
    state.resume()
    _play(state, "pass D4")
    for consecutive in (1, 0, 1, 0, 0, 1):
        state.undo()
        assert state.consecutive_passes == consecutive, state.moves
        assert not state.is_over()
    state.undo()
    assert state.moves == () and not state.is_over()


def test_quarter_komi_is_a_komi() -> None:
    for komi in (6.25, 3.75, -0.25, 1000.0):
        assert Rules(komi=komi).komi == komi
    assert rules_from_name("japanese", 6.75).komi == 6.75


def test_playing_as_takes_ko_and_suicide_only() -> None:
    tromp, chinese = PRESETS["tromp-taylor"], PRESETS["japanese"].with_komi(0.25)
    mixed = chinese.playing_as(tromp)
    assert (mixed.ko, mixed.multi_stone_suicide) == ("positional", True)
    assert (mixed.scoring, mixed.komi, mixed.white_handicap_bonus) == ("territory", 0.25, "0")


def test_change_rules_keeps_the_position_and_judges_later_moves() -> None:
    """A multi-stone suicide under Tromp-Taylor stays played; Chinese rules forbid the next."""
    state = GameState.from_ascii(
        """
        . . . . .
        . . . . .
        O . . . .
        X O . . .
        . O . . .
        """,
        rules=PRESETS["tromp-taylor"],
    )
    _play(state, "A1")
    stones, captures = state.stones(), state.captures(Color.WHITE)
    state.change_rules(PRESETS["chinese"])
    assert (state.stones() == stones).all() and state.captures(Color.WHITE) == captures == 2
    assert state.rules == PRESETS["chinese"] and state.moves == ((Color.BLACK, _p(state, "A1")),)
    _play(state, "pass A2 pass")
    assert _reason(state, "A1") == "suicide"


@pytest.mark.parametrize(
    ("before", "after", "legal_after"),
    [("positional", "situational", True), ("situational", "positional", False)],
)
def test_change_rules_rekeys_earlier_positions(before: str, after: str, legal_after: bool) -> None:
    """Every earlier position counts after a change, keyed for the new ko rule: white's retake
    recreates a position seen only with white to play, which situational superko allows and
    positional superko forbids."""
    state = GameState.from_ascii(KO, rules=Rules(ko=before))  # type: ignore[arg-type]
    state.play(_p(state, "E1"), Color.BLACK)  # white to play, white holding the ko
    state.play(_p(state, "C4"), Color.BLACK)  # black takes it (GTP plays either colour)
    state.pass_move(Color.WHITE)  # the capture is no longer fresh: only superko is left
    retake = _p(state, "B4")
    assert state.is_legal(retake, Color.WHITE) == (before == "situational")
    state.change_rules(Rules(ko=after))  # type: ignore[arg-type]
    assert state.is_legal(retake, Color.WHITE) == legal_after
