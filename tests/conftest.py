"""Shared test fixtures: ASCII boards (minigo ``test_go.py`` style)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from igo.go.coords import Color
from igo.go.rules import Rules
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]


def board_from_ascii(
    text: str, rules: Rules | None = None, to_play: Color = Color.BLACK, move_cap: int | None = None
) -> GameState:
    """A game starting from an ASCII board: rows of ``X`` (black), ``O`` (white) and ``.``, top
    row first, spaces ignored; the size is the number of rows. See ``GameState.from_ascii``."""
    return GameState.from_ascii(text, rules=rules, to_play=to_play, move_cap=move_cap)


@pytest.fixture(name="board_from_ascii")
def board_from_ascii_fixture() -> BoardFactory:
    """The ``board_from_ascii`` helper, as a fixture."""
    return board_from_ascii
