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

Two uses: ``augment`` gives each example of a training batch its own random symmetry (planes and
policy or move targets alike), and ``evaluation_symmetry`` hands a symmetry to ``igo.nn``'s
averaging over symmetries at evaluation time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import overload

import numpy as np

from igo.go.coords import Point

NUM_SYMMETRIES = 8
"""How many symmetries the square board has."""
PlanesFn = Callable[[np.ndarray], np.ndarray]
"""Planes [..., N, N] under one symmetry."""
PolicyFn = Callable[[np.ndarray], np.ndarray]
"""Policies [..., N*N + 1] under one symmetry."""


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


@lru_cache(maxsize=64)
def _move_table(size: int) -> np.ndarray:
    """int64 [8, N*N + 1]: row k is where symmetry k sends each point (pass stays)."""
    table = np.stack([_gather(k, size)[1] for k in range(NUM_SYMMETRIES)])
    table.setflags(write=False)
    return table


@overload
def augment(
    planes: np.ndarray, targets: np.ndarray, rng: np.random.Generator, *, in_place: bool = False
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def augment(
    planes: np.ndarray, targets: None, rng: np.random.Generator, *, in_place: bool = False
) -> tuple[np.ndarray, None]: ...
def augment(
    planes: np.ndarray,
    targets: np.ndarray | None,
    rng: np.random.Generator,
    *,
    in_place: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Each example of a training batch under its own random symmetry (data augmentation).

    Args:
        planes: [B, C, N, N] input planes, any dtype.
        targets: what the net is trained to predict, moved with the points: policy vectors
            [B, N*N + 1] (pass last) or moves [B] (flat points, N*N = pass); None for none
            (a value target needs no transform).
        rng: draws each example's symmetry, uniformly from the 8.
        in_place: write the results back into ``planes`` and policy ``targets`` (a batch the
            caller just built): a second array this size costs more in fresh pages than the
            transforms themselves.

    Returns:
        (planes, targets): example i under symmetry i of the draw; new arrays unless
        ``in_place``.
    """
    size, batch = planes.shape[-1], planes.shape[0]
    ks = rng.integers(NUM_SYMMETRIES, size=batch)
    policies = targets if targets is not None and targets.ndim == 2 else None
    if policies is not None and policies.shape[-1] != size * size + 1:
        raise ValueError(f"expected [B, {size * size + 1}] policies, got shape {policies.shape}")
    out = planes if in_place else np.empty_like(planes)
    out_policies = policies if in_place or policies is None else np.empty_like(policies)
    for k in range(1 if in_place else 0, NUM_SYMMETRIES):  # in place, the identity is done
        chosen = ks == k
        if chosen.any():
            out[chosen] = apply_planes(planes[chosen], k)
            if policies is not None and out_policies is not None:
                out_policies[chosen] = apply_policy(policies[chosen], k, size)
    if targets is None or out_policies is not None:
        return out, out_policies
    return out, _move_table(size)[ks, targets.astype(np.int64)]  # moves: where each point goes


def evaluation_symmetry(k: int, size: int) -> tuple[PlanesFn, PolicyFn]:
    """Symmetry ``k`` as ``igo.nn``'s averaging takes it (``average_symmetries``): planes
    [B, C, N, N] transformed by ``k``, and policies (logits) mapped back by its inverse."""
    _check(k)
    back = inverse(k)

    def planes_fn(planes: np.ndarray) -> np.ndarray:
        return apply_planes(planes, k)

    def policy_fn(policy: np.ndarray) -> np.ndarray:
        return apply_policy(policy, back, size)

    return planes_fn, policy_fn
