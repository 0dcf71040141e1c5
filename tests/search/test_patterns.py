"""Pattern features of the rollout and tree policies on ASCII boards, and the incremental codes.

Each feature must fire where it should and nowhere else (Silver et al. 2016, Extended Data
Table 4); the incremental 3x3 codes of a rollout must equal the codes recomputed from scratch.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igo.go import board as kernels
from igo.go.coords import Color, from_gtp
from igo.go.playout import new_rng
from igo.go.state import GameState
from igo.search.rollout.incremental import (
    I_CODE,
    I_STATE,
    W_BLACK,
    W_ROW_BLACK,
    W_WHITE,
    init_work,
    new_work,
    play_and_update,
)
from igo.search.rollout.patterns import (
    DISTANCE,
    K_3X3,
    K_DIAMOND,
    K_DIST1,
    K_DIST2,
    K_NAKADE,
    K_NEIGHBOUR,
    K_RESPONSE,
    K_SAVE,
    K_SELF_ATARI,
    MAX_DISTANCE,
    NAKADE,
    NEIGHBOUR,
    NUM_FIXED,
    NUM_SLOTS,
    OFF,
    RESPONSE,
    SAVE_ATARI,
    SELF_ATARI,
    SLOT_SHIFT,
    TAG_3X3,
    TAG_SHIFT,
    pattern_geometry,
    playable,
    point_states,
    swap_colours,
)
from igo.search.rollout.playout import draw, draw_factors
from igo.search.rollout.policy import RolloutPolicy, state_features
from igo.search.rollout.tables import build_table, lookup, map_keys

_SWAP = str.maketrans("XO", "OX")


def _keys(state: GameState, tree: bool = True) -> dict[int, np.ndarray]:
    cands, keys = state_features(state, tree)
    return {int(p): keys[i] for i, p in enumerate(cands)}


def _at(state: GameState, *names: str) -> list[int]:
    return [from_gtp(name, state.size) for name in names]


def _fired(keys: dict[int, np.ndarray], slot: int) -> dict[int, int]:
    return {p: int(row[slot]) for p, row in keys.items() if row[slot] >= 0}


def test_point_states_encode_colour_and_liberty_bucket() -> None:
    """Black = bit 0, white = bit 1, liberties - 1 (capped at 2) in bits 2-3."""
    state = GameState.from_ascii(
        """
        X O . . .
        . . . . .
        . . X X .
        . . . . .
        . . . . .
        """
    )
    g = pattern_geometry(5)
    states = np.zeros(25, dtype=np.int64)
    point_states(state.board_vector, g.neighbours, states)
    a5, b5, c3, d3 = _at(state, "A5", "B5", "C3", "D3")
    assert states[a5] == 1  # black, 1 liberty (A4)
    assert states[b5] == 2 | (1 << 2)  # white, 2 liberties (C5, B4)
    assert states[c3] == states[d3] == 1 | (2 << 2)  # a black string of 6 liberties: 3+
    assert states[from_gtp("E1", 5)] == 0


def test_3x3_code_layout_and_colour_normalisation() -> None:
    """The 3x3 key lists neighbour states in slot order (off-board = 3); swapping colours and
    the side to move gives the same keys at every candidate."""
    text = """
        . . . . .
        . X O . .
        . . . . .
        . . . O .
        . . . . .
        """
    black = GameState.from_ascii(text)
    white = GameState.from_ascii(text.translate(_SWAP), to_play=Color.WHITE)
    kb, kw = _keys(black), _keys(white)
    assert kb.keys() == kw.keys()
    for p in kb:
        assert np.array_equal(kb[p], kw[p])
    # B3: up B4 is black (3 liberties -> state 9) in slot 0; C4 white (state 10) is diagonal
    # (-1, +1), slot 5; the rest is empty.
    b3 = from_gtp("B3", 5)
    assert kb[b3][K_3X3] == (TAG_3X3 << TAG_SHIFT) | 9 | (10 << 20)
    # An edge point sees the board's edge: A1's left, down and three diagonals are off.
    a1 = kb[from_gtp("A1", 5)][K_3X3] & ((1 << TAG_SHIFT) - 1)
    nibbles = [(a1 >> (4 * k)) & 15 for k in range(8)]
    assert [k for k in range(8) if nibbles[k] == OFF] == [1, 2, 4, 6, 7]
    assert swap_colours(9 | (10 << 20) | (OFF << 8)) == 10 | (9 << 20) | (OFF << 8)


def test_response_and_neighbour_fire_only_around_the_previous_move() -> None:
    state = GameState.from_ascii("\n".join([". . . . . . ."] * 7))
    state.play(from_gtp("D4", 7))  # black
    state.play(from_gtp("C5", 7))  # white: the previous move for black
    keys = _keys(state)
    last = from_gtp("C5", 7)
    g = pattern_geometry(7)
    diamond = {int(q): k for k, q in enumerate(g.diamond[last]) if q >= 0}
    response = _fired(keys, K_RESPONSE)
    assert set(response) == set(diamond) - {from_gtp("D4", 7)}  # D4 is occupied
    base = {v & ~(0xF << SLOT_SHIFT) for v in response.values()}
    assert len(base) == 1  # one diamond pattern, each candidate at its own slot
    assert all((v >> SLOT_SHIFT) & 0xF == diamond[p] for p, v in response.items())
    neighbour = _fired(keys, K_NEIGHBOUR)
    assert neighbour == {p: NEIGHBOUR + k for p, k in diamond.items() if k < 8 and p in keys}


def test_save_atari_fires_at_the_escape_and_at_the_capture_of_an_attacker() -> None:
    state = GameState.from_ascii(
        """
        . . . . . . .
        . . . . . . .
        . X O . . . .
        X O X . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        to_play=Color.WHITE,
    )
    # White D4 ataris C4 (liberty C3); white B4 next to it is itself in atari (liberty B3).
    state.play(from_gtp("D4", 7))
    keys = _keys(state)
    assert _fired(keys, K_SAVE) == {
        from_gtp("C3", 7): SAVE_ATARI,
        from_gtp("B3", 7): SAVE_ATARI,
    }


def test_save_atari_does_not_fire_when_the_escape_stays_in_atari() -> None:
    state = GameState.from_ascii(
        """
        . O . . .
        . X O . .
        O . O . .
        . . . . .
        . . . . .
        """,
        to_play=Color.WHITE,
    )
    state.play(from_gtp("A4", 5))  # B4 in atari, its liberty B3
    keys = _keys(state)
    # Extending at B3 leaves one liberty (B2; A3 and C3 are white): no save.
    assert _fired(keys, K_SAVE) == {}


def test_nakade_fires_at_the_vital_point_of_a_freshly_captured_three_space() -> None:
    state = GameState.from_ascii(
        """
        . . . . . . .
        . O O O O O .
        . O X X X . .
        . O O O O O .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        to_play=Color.WHITE,
    )
    state.play(from_gtp("F5", 7))  # captures C5 D5 E5
    keys = _keys(state)
    vital = from_gtp("D5", 7)
    mask = (1 << 12) | (1 << 2) | (1 << 3)  # itself, left and right
    assert _fired(keys, K_NAKADE) == {vital: NAKADE + mask}
    # A capture of two stones, or no capture, makes no nakade.
    state.play(from_gtp("A1", 7))
    assert _fired(_keys(state), K_NAKADE) == {}


def test_self_atari_is_a_tree_feature_and_fires_only_where_one_liberty_is_left() -> None:
    state = GameState.from_ascii(
        """
        . . . . .
        . . O . .
        . O . O .
        . . . . .
        . . . . .
        """
    )
    tree = _keys(state, tree=True)
    assert _fired(tree, K_SELF_ATARI) == {from_gtp("C3", 5): SELF_ATARI}
    rollout = _keys(state, tree=False)
    assert _fired(rollout, K_SELF_ATARI) == {} and _fired(rollout, K_DIAMOND) == {}


def test_distance_to_the_two_previous_moves() -> None:
    state = GameState.new(9)
    state.play(from_gtp("A1", 9))
    state.play(from_gtp("J9", 9))
    keys = _keys(state)
    e5 = from_gtp("E5", 9)
    assert keys[e5][K_DIST1] == DISTANCE + 8 - 1  # 4 + 4 from J9
    assert keys[e5][K_DIST2] == DISTANCE + MAX_DISTANCE + 8 - 1
    far = from_gtp("A2", 9)  # 8 + 7 = 15 from J9; 1 from A1
    assert keys[far][K_DIST1] == DISTANCE + 15 - 1
    assert keys[far][K_DIST2] == DISTANCE + MAX_DISTANCE + 0


def test_12_point_pattern_adds_the_distance_two_points() -> None:
    state = GameState.from_ascii(
        """
        . . . . .
        . . X . .
        . . . . .
        . . . . .
        . . . . .
        """
    )
    keys = _keys(state)
    c2 = from_gtp("C2", 5)  # C4 is two above: slot 8
    code12 = keys[c2][K_DIAMOND] & ((1 << TAG_SHIFT) - 1)
    # Slot 8 (two up): black, 3+ liberties; slot 9 (two down) off the board; 10, 11 empty.
    assert code12 >> 32 == 9 | (OFF << 4)
    assert keys[c2][K_3X3] & 0xFFFFFFFF == code12 & 0xFFFFFFFF


def _random_position(size: int, seed: int, moves: int) -> GameState:
    rng = np.random.default_rng(seed)
    state = GameState.new(size)
    for _ in range(moves):
        legal = np.flatnonzero(state.legal_mask()[:-1])
        legal = [p for p in legal if not state.is_eye(int(p), state.to_play)]
        if not legal:
            break
        state.play(int(rng.choice(legal)))
    return state


@settings(max_examples=15, deadline=None)
@given(size=st.sampled_from([5, 7, 9]), seed=st.integers(0, 10_000))
def test_playable_reads_legality_and_eyes_off_the_3x3_code(size: int, seed: int) -> None:
    state = _random_position(size, seed, size * size)
    g = pattern_geometry(size)
    s = state.board_vector
    ints, _, _ = new_work(size * size)
    point_states(s, g.neighbours, ints[I_STATE])
    geo = kernels.geometry(size)
    for color in (1, 2):
        for p in range(size * size):
            if s[p] != 0:
                continue
            code = sum(
                (int(ints[I_STATE, q]) if q >= 0 else OFF) << (4 * k)
                for k, q in enumerate(g.diamond[p, :8])
            )
            legal = kernels.check(s, geo.neighbours, p, color, False) in (kernels.OK, kernels.KO)
            eye = kernels.is_eye(s, geo.neighbours, geo.diagonals, p, color)
            assert playable(code, color) == (legal and not eye)


@settings(max_examples=12, deadline=None)
@given(size=st.sampled_from([5, 7, 9, 13]), seed=st.integers(0, 10_000))
def test_incremental_codes_equal_codes_recomputed_from_scratch(size: int, seed: int) -> None:
    """A rollout's states, 3x3 codes, weights and row sums after every move equal a fresh
    computation on the same board (random weights, so the weights matter too)."""
    n = size * size
    g = pattern_geometry(size)
    rng = np.random.default_rng(seed)
    # Half the patterns of a random position get random weights; the rest keep the default.
    _, keys = state_features(_random_position(size, seed, n // 2), tree=False)
    seen = np.unique(keys[keys >= 1 << TAG_SHIFT])
    vocab = np.sort(rng.choice(seen, size=seen.shape[0] // 2, replace=False))
    policy = RolloutPolicy("rollout", vocab, rng.normal(size=vocab.shape[0] + NUM_FIXED))
    tables = policy.tables()
    s = kernels.new_board(size)
    ints, floats, small = new_work(n)
    init_work(ints, floats, small, s, g.neighbours, g.diamond, tables)
    xs = new_rng(seed)
    color, last, passes = 1, -1, 0
    for _ in range(2 * n):
        draw_factors(ints, floats, small, s, g.neighbours, g.diamond, tables, color, last)
        p = draw(floats, small, color, xs)
        if p >= 0:
            play_and_update(
                ints, floats, small, s, g.neighbours, g.diamond, g.zobrist, tables, p, color
            )
        passes = passes + 1 if p < 0 else 0
        if passes == 2:
            break
        last, color = p, 3 - color
        fresh = new_work(n)
        init_work(*fresh, s, g.neighbours, g.diamond, tables)
        assert np.array_equal(ints[I_STATE, :n], fresh[0][I_STATE, :n])
        assert np.array_equal(ints[I_CODE, :n], fresh[0][I_CODE, :n])
        assert np.array_equal(floats[[W_BLACK, W_WHITE]], fresh[1][[W_BLACK, W_WHITE]])
        rows = [W_ROW_BLACK, W_ROW_BLACK + 1]
        assert np.allclose(floats[rows, :size], fresh[1][rows, :size], rtol=1e-12)


def test_pattern_table_maps_keys_and_sets_the_response_flag() -> None:
    keys = np.array([5, 17, 1 << 58, (2 << TAG_SHIFT) | 99], dtype=np.int64)
    ids = np.arange(100, 104, dtype=np.int64)
    table_keys, table_ids = build_table(keys, ids)
    for key, i in zip(keys, ids, strict=True):
        assert lookup(table_keys, table_ids, int(key)) == i
    assert lookup(table_keys, table_ids, 6) == -1
    raw = np.full((2, NUM_SLOTS), -1, dtype=np.int64)
    raw[0, K_RESPONSE] = (2 << TAG_SHIFT) | 99
    raw[0, K_SAVE] = SAVE_ATARI
    raw[1, K_RESPONSE] = (2 << TAG_SHIFT) | 98  # unknown pattern: nothing fires
    out = np.empty((2, NUM_SLOTS + 1), dtype=np.int64)
    map_keys(raw, table_keys, table_ids, out)
    assert out[0, K_RESPONSE] == 103 and out[0, K_SAVE] == SAVE_ATARI
    assert out[0, NUM_SLOTS] == RESPONSE
    assert out[1, K_RESPONSE] == -1 and out[1, NUM_SLOTS] == -1


@pytest.mark.parametrize("size", [2, 3])
def test_tiny_boards_have_patterns_too(size: int) -> None:
    state = GameState.new(size)
    cands, keys = state_features(state)
    assert cands.shape[0] == size * size and np.all(keys[:, K_3X3] >= 0)
