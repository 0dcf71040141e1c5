"""The numba decorators' cache fallback and the kernels' interpreted twins.

A GTP engine runs the rules on the interpreted twins while a cold start compiles them, so the twins
must compute exactly what the compiled kernels compute, and ``compile_rules_kernels`` must compile
every kernel ``GameState`` calls with the argument types it passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from igo.go.board import KERNELS
from igo.go.coords import Color
from igo.go.jit import KernelSet, drop_stale_caches, interpreted, njit
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.go.warm import compile_rules_kernels

RULES = [
    Rules(),
    Rules(ko="positional", multi_stone_suicide=True),
    Rules(ko="situational"),
]


class _Interpreted(GameState):
    kernels: ClassVar[KernelSet] = KERNELS.pinned(interpreted=True)


@njit
def _double_sum(values: np.ndarray) -> float:
    return 2.0 * _sum(values)


@njit
def _sum(values: np.ndarray) -> float:
    total = 0.0
    for v in values:
        total += v
    return total


def test_a_twin_runs_the_source_without_compiling() -> None:
    twin = interpreted(_double_sum)
    assert twin(np.arange(4.0)) == 12.0
    assert not _double_sum.signatures and not _sum.signatures  # type: ignore[attr-defined]
    assert interpreted(len) is len  # not compiled: itself


@pytest.mark.parametrize("rules", RULES, ids=["simple", "positional-suicide", "situational"])
def test_interpreted_kernels_play_exactly_as_compiled(rules: Rules) -> None:
    rng = np.random.default_rng(7)
    for _ in range(2):
        compiled, twin = GameState.new(7, rules), _Interpreted.new(7, rules)
        while not compiled.is_over() and len(compiled.moves) < 120:
            mask = compiled.legal_mask()
            assert np.array_equal(mask, twin.legal_mask())
            assert compiled.legal_moves() == twin.legal_moves()
            point = int(rng.choice(np.flatnonzero(mask)))
            compiled.play(point)
            twin.play(point)
            assert np.array_equal(compiled.board_vector, twin.board_vector)
        compiled.undo()
        twin.undo()
        assert np.array_equal(compiled.board_vector, twin.board_vector)


def test_the_switch_changes_every_state_at_once() -> None:
    kernels = KernelSet(**KERNELS.compiled)
    assert not kernels.is_interpreted
    kernels.interpret()
    assert kernels.is_interpreted and kernels.play is not KERNELS.compiled["play"]
    kernels.use_compiled()
    assert not kernels.is_interpreted and kernels.play is KERNELS.compiled["play"]


def test_warm_up_compiles_every_signature_game_state_uses() -> None:
    compile_rules_kernels()
    before = {name: len(k.signatures) for name, k in KERNELS.compiled.items()}
    assert all(before.values()), f"not compiled: {[n for n, c in before.items() if not c]}"
    rng = np.random.default_rng(3)
    for rules in RULES:
        state = GameState.from_ascii(". X O\nX O .\n. . .", rules, to_play=Color.WHITE)
        while not state.is_over() and len(state.moves) < 40:
            state.legal_moves()
            mask = state.legal_mask()
            point = int(rng.choice(np.flatnonzero(mask)))
            if point < state.num_points:
                state.is_eye(point, state.to_play)
            state.play(point)
            for stone in np.flatnonzero(state.stones())[:3]:
                state.liberties(int(stone))
    after = {name: len(k.signatures) for name, k in KERNELS.compiled.items()}
    assert after == before, "GameState called a kernel with argument types the warm-up missed"


def test_igo_works_where_no_numba_cache_can_be_written() -> None:
    # No cache locator (as on a read-only install with no writable home): numba refuses
    # cache=True at import; igo's decorators then compile without a cache.
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES="ZipCacheLocator")
    script = (
        "from igo.go.state import GameState\n"
        "s = GameState.new(5)\n"
        "s.play(12)\n"
        "print(len(s.legal_moves()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "25"  # 24 empty points and pass


def test_cached_kernels_are_dropped_when_a_kernel_source_changes(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "__pycache__").mkdir(parents=True)
    kernels = package / "kernels.py"
    kernels.write_text("from igo.go.jit import njit\n")
    other = package / "other.py"
    other.write_text("x = 1\n")

    def cache() -> list[Path]:
        for name in ("kernels.f-1.py311.nbi", "kernels.f-1.py311.1.nbc"):
            (package / "__pycache__" / name).write_bytes(b"cached")
        return sorted((package / "__pycache__").glob("*.nb?"))

    assert drop_stale_caches(package)  # no stamp yet: whatever is cached is of unknown age
    files = cache()
    assert not drop_stale_caches(package) and all(f.exists() for f in files)
    other.write_text("x = 2\n")  # not a kernel source: the caches stay
    assert not drop_stale_caches(package) and all(f.exists() for f in files)
    kernels.write_text("from igo.go.jit import njit\n# changed\n")
    assert drop_stale_caches(package) and not any(f.exists() for f in files)
