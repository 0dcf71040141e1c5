"""A typed wrapper around ``numba.njit`` so compiled kernels keep their signatures under mypy.

numba ships no type stubs, so a bare ``@nb.njit`` would make every decorated function ``Any``;
this wrapper tells mypy the decorated function keeps its own annotated signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba as nb

F = TypeVar("F", bound=Callable[..., Any])


def njit(fn: F) -> F:
    """Compile ``fn`` in nopython mode with an on-disk cache (first import pays the compile)."""
    return cast(F, nb.njit(cache=True)(fn))
