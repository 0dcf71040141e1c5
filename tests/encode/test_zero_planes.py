"""AlphaGo Zero planes: stone history through captures and passes, zero fill, the colour plane,
and the incremental ``ZeroHistory`` against the one-shot ``encode_zero``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.encode.zero_planes import (
    ZeroHistory,
    encode_zero,
    encode_zero_batch,
    history_stones,
    num_zero_planes,
    planes_from_stones,
    zero_planes_batch,
)
from igo.go.coords import Color, from_gtp
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]
RandomGame = Callable[..., GameState]


def _stack(stones: list[np.ndarray], history: int) -> np.ndarray:
    """Newest-first [H, P] from a list of positions oldest first, zero-filled."""
    out = np.zeros((history, stones[0].size), dtype=np.int8)
    for k, position in enumerate(reversed(stones[-history:])):
        out[k] = position
    return out


@pytest.mark.parametrize("size", [5, 9, 19])
@pytest.mark.parametrize("history", [1, 4, 8])
def test_shapes(random_game: RandomGame, size: int, history: int) -> None:
    state = random_game(size, 12, seed=size)
    planes = encode_zero(state, history)
    assert planes.shape == (num_zero_planes(history), size, size) == (2 * history + 1, size, size)
    assert planes.dtype == np.float32
    assert set(np.unique(planes)) <= {0.0, 1.0}


def test_history_through_a_capture_and_a_pass(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . . . . .
        . . X . .
        . X O X .
        . . . . .
        . . . . .
    """)
    positions = [state.stones()]
    for vertex in ("C2", "pass", "C3", "E1"):  # C2 takes the white stone; black fills C3 later
        state.play(from_gtp(vertex, 5))
        positions.append(state.stones())
    planes = encode_zero(state, history=8)
    assert state.to_play == Color.BLACK
    own, opponent, colour = planes[:8], planes[8:16], planes[16]
    # X planes are the stones of the side to play now (black) at every step, Y planes white's.
    for k in range(5):
        position = positions[-1 - k].reshape(5, 5)
        assert np.array_equal(own[k], position == Color.BLACK)
        assert np.array_equal(opponent[k], position == Color.WHITE)
    assert opponent[4, 2, 2] == 1 and opponent[3, 2, 2] == 0  # the white stone, then captured
    assert own[1, 2, 2] == 1 and own[2, 2, 2] == 0  # black's stone in the hole, and before it
    assert opponent[0, 4, 4] == 1 and opponent[1, 4, 4] == 0  # white's last move
    assert np.array_equal(planes[2], planes[3]) and np.array_equal(planes[10], planes[11])  # pass
    assert own[5:].sum() == 0 and opponent[5:].sum() == 0  # before the start: zero fill
    assert (colour == 1).all()


def test_pass_repeats_the_position(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(". . .\n. X .\n. . .", to_play=Color.WHITE)
    state.pass_move()
    planes = encode_zero(state, history=3)
    assert np.array_equal(planes[0], planes[1]) and np.array_equal(planes[3], planes[4])
    assert planes[0, 1, 1] == 1 and planes[0].sum() == 1 and planes[3].sum() == 0
    assert planes[2].sum() == 0 and planes[5].sum() == 0  # before the start
    assert (planes[6] == 1).all()  # black to play


def test_matches_a_step_by_step_record(random_game: RandomGame) -> None:
    game = random_game(9, 70, seed=3)
    state = game.start_position()
    positions = [state.stones()]
    for color, point in game.moves:
        state.play(point, color)
        positions.append(state.stones())
    for history in (1, 2, 8, 16):
        assert np.array_equal(history_stones(game, history), _stack(positions, history))
        expected = planes_from_stones(_stack(positions, history), game.to_play)
        assert np.array_equal(encode_zero(game, history), expected)


def test_handicap_start(board_from_ascii: BoardFactory) -> None:
    state = GameState.new(9)
    state.place_handicap([from_gtp("C3", 9), from_gtp("G7", 9)])
    state.play(from_gtp("E5", 9))
    planes = encode_zero(state, history=4)
    # Black to play: own = black. The handicap stones are there from the start position on.
    assert planes[0].sum() == 2 and planes[1].sum() == 2 and planes[2].sum() == 0
    assert planes[4].sum() == 1 and planes[5].sum() == 0
    assert (planes[8] == 1).all()


def test_zero_history_follows_the_game(random_game: RandomGame) -> None:
    game = random_game(9, 60, seed=5)
    state = game.start_position()
    hist = ZeroHistory.from_state(state)
    assert hist.num_positions == 1
    for i, (color, point) in enumerate(game.moves):
        state.play(point, color)
        hist.push(state)
        assert np.array_equal(hist.encode(state.to_play), encode_zero(state)), i
        if i == 30:
            branch = hist.copy()
            fresh = ZeroHistory.from_state(state)
            assert np.array_equal(fresh.stones(), hist.stones())
    assert hist.num_positions == 8
    assert not np.array_equal(branch.stones(), hist.stones())


def test_zero_history_errors() -> None:
    with pytest.raises(ValueError):
        ZeroHistory(9, history=0)
    with pytest.raises(ValueError):
        encode_zero(GameState.new(9), history=0)
    with pytest.raises(ValueError):
        ZeroHistory(9).push(GameState.new(13))


def test_batch(random_game: RandomGame) -> None:
    states = [random_game(9, 5 * i, seed=i) for i in range(4)]
    batch = encode_zero_batch(states, history=4)
    assert batch.shape == (4, 9, 9, 9)
    for i, state in enumerate(states):
        assert np.array_equal(batch[i], encode_zero(state, history=4))
    with pytest.raises(ValueError):
        encode_zero_batch([])
    with pytest.raises(ValueError):
        encode_zero_batch([GameState.new(9), GameState.new(5)])


def test_batch_from_stone_histories(random_game: RandomGame) -> None:
    """``zero_planes_batch`` (the search's leaves, the replay buffer) equals the encoder."""
    states = [random_game(9, 7 * i, seed=i) for i in range(5)]
    history = np.stack([history_stones(state, 3) for state in states])
    to_play = np.array([int(state.to_play) for state in states], dtype=np.int8)
    planes = zero_planes_batch(history, to_play, 9)
    assert planes.dtype == np.float32
    np.testing.assert_array_equal(planes, encode_zero_batch(states, history=3))
