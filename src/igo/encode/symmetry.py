"""The 8 symmetries of the square board (the dihedral group D4), for planes, policies and points.

Go's rules are invariant under rotation and reflection, so AlphaGo Zero (Silver et al. 2017,
Methods "Self-play training pipeline") augments its training data with all 8 and evaluates each
position under one chosen at random. A symmetry index ``k`` in 0..7 means: rotate ``k % 4``
quarter-turns counter-clockwise (``np.rot90``), then, if ``k >= 4``, mirror left-right.

| k | transform            | inverse |
|---|----------------------|---------|
| 0 | identity             | 0       |
| 1 | rotate 90            | 3       |
| 2 | rotate 180           | 2       |
| 3 | rotate 270           | 1       |
| 4 | mirror               | 4       |
| 5 | rotate 90, mirror    | 5       |
| 6 | rotate 180, mirror   | 6       |
| 7 | rotate 270, mirror   | 7       |

Planes ``[..., C, N, N]`` move with their points; a policy vector ``[..., N*N + 1]`` has its
first N*N entries moved the same way and the pass entry kept in place; a ``Point`` maps to the
point its stone lands on. All three agree, so transforming a position and then encoding it gives
the same arrays as encoding it and then transforming the planes and the policy target.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from igo.go.coords import Point

NUM_SYMMETRIES = 8
"""How many symmetries the square board has."""


def _check(k: int) -> int:
    if not 0 <= k < NUM_SYMMETRIES:
        raise ValueError(f"symmetry index must be in 0..7, not {k}")
    return k


def inverse(k: int) -> int:
    """The symmetry that undoes ``k``: rotations reverse, mirrored ones undo themselves."""
    _check(k)
    return (-k) % 4 if k < 4 else k


def apply_planes(x: np.ndarray, k: int) -> np.ndarray:
    """Transform the last two (square) axes of ``x`` by symmetry ``k``.

    Args:
        x: [..., N, N] (for example planes [C, N, N] or a batch [B, C, N, N]).
        k: symmetry index, 0..7.

    Returns:
        A new C-contiguous array of the same shape and dtype.
    """
    _check(k)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"expected [..., N, N] planes, got shape {x.shape}")
    y = np.rot90(x, k % 4, axes=(-2, -1))
    if k >= 4:
        y = np.flip(y, axis=-1)
    return np.ascontiguousarray(y)


@lru_cache(maxsize=256)
def _gather(k: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(gather, scatter) int64 [N*N + 1]: ``out = p[gather]`` transforms a policy, and
    ``scatter[point]`` is where a point goes; the last entry (pass) maps to itself."""
    flat = apply_planes(np.arange(size * size).reshape(size, size), k).ravel()
    gather = np.append(flat, size * size).astype(np.int64)
    scatter = np.argsort(gather).astype(np.int64)
    for table in (gather, scatter):
        table.setflags(write=False)
    return gather, scatter


def apply_policy(p: np.ndarray, k: int, size: int) -> np.ndarray:
    """Transform policy vectors by symmetry ``k``, leaving the pass entry in place.

    Args:
        p: [..., N*N + 1], the last entry being pass.
        k: symmetry index, 0..7.
        size: board size N.

    Returns:
        A new array of the same shape and dtype.
    """
    _check(k)
    if p.shape[-1] != size * size + 1:
        raise ValueError(f"expected [..., {size * size + 1}] policies, got shape {p.shape}")
    return p[..., _gather(k, size)[0]]


def apply_point(point: Point, k: int, size: int) -> Point:
    """Where ``point`` (a flat index; ``size * size`` is pass) goes under symmetry ``k``."""
    _check(k)
    if not 0 <= point <= size * size:
        raise ValueError(f"point {point} is not on a {size}x{size} board")
    return int(_gather(k, size)[1][point])


def random_symmetry(rng: np.random.Generator) -> int:
    """A symmetry index drawn uniformly from 0..7."""
    return int(rng.integers(NUM_SYMMETRIES))


def augment(planes: np.ndarray, policy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All 8 symmetries of a training example, for data augmentation.

    Args:
        planes: [..., C, N, N] input planes.
        policy: [..., N*N + 1] policy target (pass last).

    Returns:
        (planes [8, ..., C, N, N], policy [8, ..., N*N + 1]); index k holds symmetry k.
    """
    size = planes.shape[-1]
    return (
        np.stack([apply_planes(planes, k) for k in range(NUM_SYMMETRIES)]),
        np.stack([apply_policy(policy, k, size) for k in range(NUM_SYMMETRIES)]),
    )
