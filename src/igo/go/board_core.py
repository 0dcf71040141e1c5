# mypy: disable-error-code="no-untyped-call"
# (numba's lowering helpers, used by ``_field_matrix``, carry no annotations)
"""The board kernels' inline core: the layout constants and the stone/string/liberty mechanics.

``board.py`` documents the layout of a board vector ``s`` and holds the public kernels; they and
the playout loop call the functions here on two views of ``s`` made once by ``fields``:

* ``v``: the first ``NUM_FIELDS * P`` entries as a [NUM_FIELDS, P] matrix (``v[F_COLOR, p]``);
* ``meta``: the meta entries after them (``meta[M_KO]``).

Why views and ``inline="always"``: a numba call between compiled functions passes every array as
a seven-field struct through memory and reference-counts it (see ``kernel``), which cost more
than a whole capture-free move. Inlined, a playout is one function with the views built once,
the field offsets folded into the indexing, and numba's negative-index wraparound dropped where
LLVM sees a ``q >= 0`` test on the point.

Numba's on-disk cache checks only the source file of the function it compiled: after editing
this file, delete the ``.nbi``/``.nbc`` files under ``src/igo/go/__pycache__`` (and those of
any module whose compiled code calls these kernels), or stale machine code keeps running.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba.core import cgutils, types
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from igo.go.jit import inline, kernel, loop_kernel, python_version

__all__ = ["inline", "kernel", "loop_kernel"]  # re-exported: the decorators board.py uses

EMPTY, BLACK, WHITE = 0, 1, 2
OK, OCCUPIED, SUICIDE, KO = 0, 1, 2, 3

F_COLOR, F_HEAD, F_NEXT, F_STONES, F_LIBN, F_LIBS, F_LIBQ, F_ELIST, F_EPOS = range(9)
NUM_FIELDS = 9
M_KO, M_KO_COLOR, M_HASH, M_CAP_B, M_CAP_W, M_NEMPTY, M_SIZE = range(7)
NUM_META = 8


def _field_matrix_python(s: np.ndarray, n: int) -> np.ndarray:
    """What ``_field_matrix`` computes, for interpreted twins (``igo.go.jit``)."""
    return s[: NUM_FIELDS * n].reshape(NUM_FIELDS, n)


@python_version(_field_matrix_python)
@intrinsic
def _field_matrix(typingctx: Any, s: Any, n: Any) -> Any:
    """``s[: NUM_FIELDS * n]`` as a [NUM_FIELDS, n] matrix view, built without reshape's shape
    checks and C helper call, which LLVM cannot hoist out of a caller's loop (a ``check`` per
    point in a compiled loop cost several times as much). LLVM folds the strides."""
    if not isinstance(s, types.Array) or s.ndim != 1 or not isinstance(n, types.Integer):
        return None
    matrix = s.copy(ndim=2, layout="C" if s.layout == "C" else "A")

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        src = make_array(sig.args[0])(context, builder, args[0])
        out = make_array(sig.return_type)(context, builder)
        cols = context.cast(builder, args[1], sig.args[1], types.intp)
        step = cgutils.unpack_tuple(builder, src.strides, 1)[0]
        populate_array(
            out,
            data=src.data,
            shape=cgutils.pack_array(builder, [cols.type(NUM_FIELDS), cols]),
            strides=cgutils.pack_array(builder, [builder.mul(cols, step), step]),
            itemsize=src.itemsize,
            meminfo=src.meminfo,
            parent=src.parent,
        )
        return impl_ret_borrowed(context, builder, sig.return_type, out._getvalue())

    return matrix(s, n), codegen


@inline
def fields(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The [NUM_FIELDS, P] field matrix and the meta vector of board vector ``s`` (views)."""
    n = (s.shape[0] - NUM_META) // NUM_FIELDS
    return _field_matrix(s, n), s[NUM_FIELDS * n :]  # type: ignore[call-arg]  # intrinsic


@inline
def atari(v: np.ndarray, h: int) -> bool:
    """Whether the string headed at ``h`` has exactly one liberty (see ``board.in_atari``)."""
    c = v[F_LIBN, h]
    return bool(c > 0 and c * v[F_LIBQ, h] == v[F_LIBS, h] * v[F_LIBS, h])


@inline
def add_lib(v: np.ndarray, h: int, p: int, sign: int) -> None:
    v[F_LIBN, h] += sign
    v[F_LIBS, h] += sign * p
    v[F_LIBQ, h] += sign * p * p


@inline
def empty_remove(v: np.ndarray, meta: np.ndarray, p: int) -> None:
    last_i = meta[M_NEMPTY] - 1
    i = v[F_EPOS, p]
    last = v[F_ELIST, last_i]
    v[F_ELIST, i] = last
    v[F_EPOS, last] = i
    meta[M_NEMPTY] = last_i


@inline
def empty_add(v: np.ndarray, meta: np.ndarray, p: int) -> None:
    k = meta[M_NEMPTY]
    v[F_ELIST, k] = p
    v[F_EPOS, p] = k
    meta[M_NEMPTY] = k + 1


@inline
def merge(v: np.ndarray, a: int, b: int) -> int:
    """Join the strings headed at ``a`` and ``b``; relabel the smaller. Returns the new head."""
    if v[F_STONES, a] < v[F_STONES, b]:
        a, b = b, a
    r = b
    while True:
        v[F_HEAD, r] = a
        r = v[F_NEXT, r]
        if r == b:
            break
    # splice the two circular lists
    na = v[F_NEXT, a]
    v[F_NEXT, a] = v[F_NEXT, b]
    v[F_NEXT, b] = na
    v[F_STONES, a] += v[F_STONES, b]
    v[F_LIBN, a] += v[F_LIBN, b]
    v[F_LIBS, a] += v[F_LIBS, b]
    v[F_LIBQ, a] += v[F_LIBQ, b]
    return a


@inline
def remove_string(v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, zob: np.ndarray, h: int) -> int:
    """Take the string headed at ``h`` off the board. Returns the number of stones removed."""
    color = v[F_COLOR, h]
    count = 0
    key = 0
    r = h
    # Empty every stone first, so that the second pass credits liberties only to other strings.
    while True:
        v[F_COLOR, r] = EMPTY
        key ^= zob[color, r]
        count += 1
        r = v[F_NEXT, r]
        if r == h:
            break
    meta[M_HASH] ^= key
    while True:
        nxt = v[F_NEXT, r]
        v[F_HEAD, r] = -1
        v[F_NEXT, r] = r
        empty_add(v, meta, r)
        for k in range(4):
            q = nbr[r, k]
            if q >= 0 and v[F_COLOR, q] != EMPTY:
                add_lib(v, v[F_HEAD, q], r, 1)
        r = nxt
        if r == h:
            break
    return count


@inline
def place(
    v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int
) -> tuple[int, int]:
    """Put a stone on empty ``p``, take ``p`` from its neighbours' liberties and join its friends,
    capturing nothing. Returns (head of its string, bit k set where neighbour k is an opponent
    string left without liberties)."""
    v[F_COLOR, p] = color
    v[F_HEAD, p] = p
    v[F_NEXT, p] = p
    v[F_STONES, p] = 1
    v[F_LIBN, p] = 0
    v[F_LIBS, p] = 0
    v[F_LIBQ, p] = 0
    meta[M_HASH] ^= zob[color, p]
    empty_remove(v, meta, p)
    # One pass: the new stone's own liberties add up locally and join its string at the end
    # (a merge adds the stone's fields, so the order does not matter).
    libn = libs = libq = 0
    h = p
    dead = 0
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        c = v[F_COLOR, q]
        if c == EMPTY:
            libn += 1
            libs += q
            libq += q * q
            continue
        hq = v[F_HEAD, q]
        add_lib(v, hq, p, -1)
        if c == color:
            if hq != h:
                h = merge(v, h, hq)
        elif v[F_LIBN, hq] == 0:
            dead |= 1 << k
    v[F_LIBN, h] += libn
    v[F_LIBS, h] += libs
    v[F_LIBQ, h] += libq
    return h, dead


@inline
def play_v(
    v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int
) -> int:
    """``board.play`` on the views."""
    meta[M_KO] = -1
    h, dead = place(v, meta, nbr, zob, p, color)
    if dead:
        opp = 3 - color
        captured = 0
        last_captured = -1
        for k in range(4):
            q = nbr[p, k]
            # a string next to p twice is gone (EMPTY) at its second sighting
            if dead >> k & 1 and v[F_COLOR, q] == opp:
                captured += remove_string(v, meta, nbr, zob, v[F_HEAD, q])
                last_captured = q
        meta[M_CAP_B + color - 1] += captured
        # Simple ko: one stone took one stone and now sits alone with that single liberty.
        if captured == 1 and v[F_STONES, h] == 1 and v[F_LIBN, h] == 1:
            meta[M_KO] = last_captured
            meta[M_KO_COLOR] = opp
        return captured
    if v[F_LIBN, h] == 0:
        lost = remove_string(v, meta, nbr, zob, h)
        meta[M_CAP_B + 2 - color] += lost
        return -lost
    return 0


@inline
def check_v(
    v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, p: int, color: int, multi_suicide: bool
) -> int:
    """``board.check`` on the views."""
    if v[F_COLOR, p] != EMPTY:
        return OCCUPIED
    if p == meta[M_KO] and color == meta[M_KO_COLOR]:
        return KO
    has_friend = False
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        c = v[F_COLOR, q]
        if c == EMPTY:
            return OK
        in_atari = atari(v, v[F_HEAD, q])
        if c == color:
            has_friend = True
            if not in_atari:
                return OK
        elif in_atari:
            return OK
    if multi_suicide and has_friend:
        return OK
    return SUICIDE


@inline
def eye_diagonals(v: np.ndarray, diag: np.ndarray, p: int, color: int) -> bool:
    """Whether the diagonals of ``p`` let it be a true eye of ``color``: no opponent on them at
    the edge, at most one in the centre."""
    bad = 0
    edge = False
    for k in range(4):
        q = diag[p, k]
        if q < 0:
            edge = True
        elif v[F_COLOR, q] == 3 - color:
            bad += 1
    return bad == 0 if edge else bad <= 1


@inline
def is_eye_v(v: np.ndarray, nbr: np.ndarray, diag: np.ndarray, p: int, color: int) -> bool:
    """``board.is_eye`` on the views."""
    if v[F_COLOR, p] != EMPTY:
        return False
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and v[F_COLOR, q] != color:
            return False
    return eye_diagonals(v, diag, p, color)


@inline
def playable(v: np.ndarray, nbr: np.ndarray, diag: np.ndarray, p: int, color: int) -> bool:
    """Whether ``color`` may play empty ``p`` (not the ko point) without suicide and without
    filling its own true eye: ``check`` and ``is_eye`` in one look at the neighbours."""
    # Colours first. Most candidates have an empty neighbour: legal, and not an eye. Late in a
    # playout most rejections are own eyes, which the diagonals settle without liberty sums.
    all_own = True
    for k in range(4):
        q = nbr[p, k]
        if q >= 0:
            c = v[F_COLOR, q]
            if c == EMPTY:
                return True
            all_own &= c == color
    if all_own and eye_diagonals(v, diag, p, color):
        return False
    # Legal if it joins a friendly string that keeps a liberty, or captures.
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and atari(v, v[F_HEAD, q]) != (v[F_COLOR, q] == color):
            return True
    return False
