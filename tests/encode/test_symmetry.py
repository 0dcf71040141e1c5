"""The 8 board symmetries: exact inverses (hypothesis), agreement between planes, policies and
points, and commutation with both encoders."""

from __future__ import annotations

from collections.abc import Callable

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igo.encode.alphago import encode_alphago
from igo.encode.moves import one_hot_policy
from igo.encode.symmetry import (
    NUM_SYMMETRIES,
    apply_planes,
    apply_point,
    apply_policy,
    augment,
    evaluation_symmetry,
    inverse,
    random_symmetry,
)
from igo.encode.zero_planes import encode_zero
from igo.go.coords import Color
from igo.go.state import GameState

RandomGame = Callable[..., GameState]
Transform = Callable[[GameState, int], GameState]

symmetries = st.integers(0, NUM_SYMMETRIES - 1)


@st.composite
def planes(draw: st.DrawFn) -> np.ndarray:
    size = draw(st.integers(1, 7))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    return draw(hnp.arrays(np.int32, (*lead, size, size), elements=st.integers(-99, 99)))


@st.composite
def policies(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    size = draw(st.integers(1, 7))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    p = draw(hnp.arrays(np.float32, (*lead, size * size + 1), elements=st.floats(0, 1, width=32)))
    return p, size


@given(planes(), symmetries)
def test_planes_round_trip(x: np.ndarray, k: int) -> None:
    y = apply_planes(x, k)
    assert y.shape == x.shape and y.dtype == x.dtype and y.flags.c_contiguous
    assert np.array_equal(apply_planes(y, inverse(k)), x)
    assert np.array_equal(apply_planes(apply_planes(x, inverse(k)), k), x)


@given(policies(), symmetries)
def test_policy_round_trip_keeps_pass(pair: tuple[np.ndarray, int], k: int) -> None:
    p, size = pair
    q = apply_policy(p, k, size)
    assert np.array_equal(apply_policy(q, inverse(k), size), p)
    assert np.array_equal(q[..., -1], p[..., -1])
    board = p[..., :-1].reshape(*p.shape[:-1], size, size)
    assert np.array_equal(q[..., :-1], apply_planes(board, k).reshape(*p.shape[:-1], -1))


@given(
    st.integers(1, 19).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n * n))), symmetries
)
def test_points_follow_the_planes(pair: tuple[int, int], k: int) -> None:
    size, point = pair
    image = apply_point(point, k, size)
    assert apply_point(image, inverse(k), size) == point
    if point == size * size:
        assert image == point  # pass stays pass
        return
    assert np.array_equal(
        apply_policy(one_hot_policy(point, size), k, size), one_hot_policy(image, size)
    )


def test_known_transforms() -> None:
    x = np.arange(9).reshape(3, 3)
    assert np.array_equal(apply_planes(x, 0), x)
    assert apply_point(2, 1, 3) == 0  # rotating 90 degrees anticlockwise: top right -> top left
    assert apply_point(0, 4, 3) == 2  # mirror: top left -> top right
    assert [inverse(k) for k in range(8)] == [0, 3, 2, 1, 4, 5, 6, 7]
    images = {apply_planes(x, k).tobytes() for k in range(NUM_SYMMETRIES)}
    assert len(images) == NUM_SYMMETRIES
    for a in range(NUM_SYMMETRIES):  # the eight form a group
        for b in range(NUM_SYMMETRIES):
            assert apply_planes(apply_planes(x, a), b).tobytes() in images


def test_random_symmetry() -> None:
    rng = np.random.default_rng(0)
    assert {random_symmetry(rng) for _ in range(200)} == set(range(NUM_SYMMETRIES))


def test_augment_gives_each_example_its_own_symmetry() -> None:
    """Planes and targets (policies or moves) of example i move under one drawn symmetry."""
    batch = 64
    x = np.random.default_rng(1).random((batch, 3, 5, 5)).astype(np.float32)
    p = np.random.default_rng(2).random((batch, 26)).astype(np.float32)
    moves = np.random.default_rng(3).integers(0, 26, size=batch)
    ks = np.random.default_rng(4).integers(NUM_SYMMETRIES, size=batch)  # the draw augment makes
    assert set(ks) == set(range(NUM_SYMMETRIES))
    out_x, out_p = augment(x, p, np.random.default_rng(4))
    assert out_x is not x and out_p is not p
    same_x, out_moves = augment(x, moves, np.random.default_rng(4))
    plain_x, nothing = augment(x.astype(np.uint8), None, np.random.default_rng(4))
    assert nothing is None and plain_x.dtype == np.uint8
    assert np.array_equal(same_x, out_x)
    for i, k in enumerate(ks):
        assert np.array_equal(out_x[i], apply_planes(x[i], int(k)))
        assert np.array_equal(out_p[i], apply_policy(p[i], int(k), 5))
        assert out_moves[i] == apply_point(int(moves[i]), int(k), 5)
        assert np.array_equal(plain_x[i], apply_planes(x[i].astype(np.uint8), int(k)))
    x_copy, p_copy = x.copy(), p.copy()
    in_x, in_p = augment(x_copy, p_copy, np.random.default_rng(4), in_place=True)
    assert in_x is x_copy and in_p is p_copy
    assert np.array_equal(in_x, out_x) and np.array_equal(in_p, out_p)
    with pytest.raises(ValueError, match="policies"):
        augment(x, p[:, :25], np.random.default_rng(0))


def test_evaluation_symmetry_maps_policies_back() -> None:
    """A net that answers each point's own plane value: averaged over a symmetry and mapped back,
    each point gets its own value again."""
    x = np.random.default_rng(5).random((2, 1, 5, 5)).astype(np.float32)
    for k in range(NUM_SYMMETRIES):
        planes_fn, back_fn = evaluation_symmetry(k, 5)
        seen = planes_fn(x)
        logits = np.concatenate([seen.reshape(2, 25), np.full((2, 1), -1.0)], axis=1)
        expected = np.concatenate([x.reshape(2, 25), np.full((2, 1), -1.0)], axis=1)
        assert np.array_equal(back_fn(logits), expected)


def test_errors() -> None:
    with pytest.raises(ValueError):
        inverse(8)
    with pytest.raises(ValueError):
        apply_planes(np.zeros((2, 3, 4)), 1)
    with pytest.raises(ValueError):
        apply_policy(np.zeros(9), 1, 3)
    with pytest.raises(ValueError):
        apply_point(10, 1, 3)


@pytest.mark.parametrize("seed", range(3))
def test_encoding_commutes_with_symmetry(
    random_game: RandomGame, transformed: Transform, seed: int
) -> None:
    state = random_game(9, 30 + 20 * seed, seed)
    zero, alphago = encode_zero(state), encode_alphago(state, value_plane=True)
    for k in range(NUM_SYMMETRIES):
        image = transformed(state, k)
        assert np.array_equal(encode_zero(image), apply_planes(zero, k))
        assert np.array_equal(encode_alphago(image, value_plane=True), apply_planes(alphago, k))
        move = state.moves[-1][1]
        target = apply_policy(one_hot_policy(move, 9), k, 9)
        assert np.array_equal(target, one_hot_policy(apply_point(move, k, 9), 9))


def test_ladder_planes_commute_with_symmetry(transformed: Transform) -> None:
    state = GameState.from_ascii(
        """
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . X X . . . .
        . . X O . . . . .
        . . . X . . . . .
        . . . . . . O . .
        . . . . . . . . .
        . . . . . . . . .
    """,
        to_play=Color.WHITE,
    )
    planes = encode_alphago(state)
    assert planes[45].sum() == 1
    for k in range(NUM_SYMMETRIES):
        assert np.array_equal(encode_alphago(transformed(state, k)), apply_planes(planes, k))


# The fixtures hand out plain functions, so sharing them across examples is safe.
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10_000), symmetries)
def test_alphago_planes_commute_on_random_positions(
    random_game: RandomGame, transformed: Transform, seed: int, k: int
) -> None:
    state = random_game(7, 25 + seed % 40, seed)
    assert np.array_equal(
        encode_alphago(transformed(state, k)), apply_planes(encode_alphago(state), k)
    )
