"""The one home of igo's numba decorators, and the interpreted twins of compiled kernels.

Every compiled kernel in igo is declared with one of the decorators here:

| decorator       | numba options                        | used for                              |
|-----------------|--------------------------------------|---------------------------------------|
| ``njit``        | nopython                             | ordinary kernels                      |
| ``inline``      | ``inline="always"`` (IR inlining)    | small helpers of hot loops            |
| ``kernel``      | no runtime, LLVM-inlined             | small entry points (``check``...)     |
| ``loop_kernel`` | no runtime, not inlined              | whole loops (``run_playout``...)      |

Each caches its machine code on disk (numba's ``cache=True``). Where no cache folder can be
written (a read-only install with no writable home), numba refuses ``cache=True`` at import; the
decorators then compile without a cache, so igo still works, only slower to start each time.

numba's cache checks only the source file of the function it compiled, yet a compiled caller
carries its callees' code: after an edit of ``board_core.py`` (or a ``git pull``) every cached
caller elsewhere would run the old rules. So the first import of this module fingerprints every
igo source file that declares kernels and, when the fingerprint changed, deletes igo's cached
kernels (``*.nbi``, ``*.nbc`` under the package's ``__pycache__`` folders); they compile afresh.

A cold start compiles for seconds to minutes. ``interpreted(kernel)`` gives a kernel's pure-Python
twin: the same source, run by the interpreter, with every compiled function it calls swapped for
its own twin. It is slow (tens of microseconds a board move) but needs no compiler, so a GTP
engine can answer ``play`` at once while the compiled kernels build in the background
(``KernelSet``).
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba as nb
from numba.core.dispatcher import Dispatcher

from igo.files import write_text_atomic

F = TypeVar("F", bound=Callable[..., Any])

_STAMP_NAME = "igo-kernels.stamp"


def kernel_sources(package: Path) -> list[Path]:
    """The source files under ``package`` that declare compiled kernels (they import this module),
    sorted."""
    marker = "from igo.go.jit import"
    files = [p for p in sorted(package.rglob("*.py")) if marker in p.read_text(encoding="utf-8")]
    return files + [Path(__file__)]


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part + b"\0")
    return digest.hexdigest()


def drop_stale_caches(package: Path) -> bool:
    """Delete igo's cached kernels under ``package`` if any kernel source changed since they were
    cached; True if it deleted them. Does nothing where the package cannot be written.

    The stamp holds two fingerprints: of every source file's size and time (read at each start,
    a few milliseconds), and of the kernel sources' contents (read only when the first changed).
    """
    stamp_file = package / "__pycache__" / _STAMP_NAME
    files = sorted(package.rglob("*.py"))
    quick = _digest([f"{p}:{p.stat().st_mtime_ns}:{p.stat().st_size}".encode() for p in files])
    try:
        old_quick, old_full = stamp_file.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        old_quick = old_full = ""  # no stamp yet
    if quick == old_quick:
        return False
    full = _digest([p.read_bytes() for p in kernel_sources(package)])
    try:
        dropped = full != old_full
        if dropped:
            for cached in [
                *package.rglob("__pycache__/*.nbi"),
                *package.rglob("__pycache__/*.nbc"),
            ]:
                cached.unlink(missing_ok=True)
        stamp_file.parent.mkdir(exist_ok=True)
        write_text_atomic(stamp_file, f"{quick} {full}")
    except OSError:  # a read-only install: nobody edits it, its caches (if any) stay valid
        return False
    return dropped


drop_stale_caches(Path(__file__).resolve().parent.parent)


def _compiler(**options: Any) -> Callable[[F], F]:
    """A decorator compiling with ``options`` and an on-disk cache when one can be written."""

    def decorate(fn: F) -> F:
        try:
            return cast(F, nb.njit(cache=True, **options)(fn))
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return cast(F, nb.njit(**options)(fn))

    return decorate


njit = _compiler()
"""Compile in nopython mode, cached on disk."""
inline = _compiler(inline="always")
"""Compile, and inline into compiled callers at numba's IR level."""
kernel = _compiler(_nrt=False, forceinline=True)
"""Compile without numba's runtime (no array allocation, no reference counting: ``_nrt=False``
is a private but long-standing numba option numba uses itself), inlined by LLVM into callers.
Every array argument of an inlined helper otherwise costs an atomic reference count at each use,
which the pruning pass cannot remove inside loops: in a playout that was three quarters of the
time."""
loop_kernel = _compiler(_nrt=False)
"""No runtime either, but not inlined: whole loops that callers call once."""

_PYTHON_VERSIONS: dict[int, Callable[..., Any]] = {}
_TWINS: dict[int, Callable[..., Any]] = {}
_TWIN_GLOBALS: dict[int, dict[str, Any]] = {}


def python_version(python: Callable[..., Any]) -> Callable[[F], F]:
    """Decorator: ``python`` computes what a numba intrinsic computes, for interpreted twins (an
    intrinsic is code generation and cannot run in the interpreter)."""

    def register(intrinsic: F) -> F:
        _PYTHON_VERSIONS[id(intrinsic)] = python
        return intrinsic

    return register


def interpreted(fn: F) -> F:
    """The pure-Python twin of a compiled kernel (``fn`` itself if it is not compiled).

    The twin runs the kernel's own source with a copy of its module's globals in which every
    compiled function is replaced by its twin, so calling it never compiles anything.
    """
    if id(fn) in _PYTHON_VERSIONS:
        return cast(F, _PYTHON_VERSIONS[id(fn)])
    if not isinstance(fn, Dispatcher):
        return fn
    twin = _TWINS.get(id(fn))
    if twin is None:
        source = fn.py_func
        env = _twin_globals(source.__globals__)
        twin = types.FunctionType(
            source.__code__, env, source.__name__, source.__defaults__, source.__closure__
        )
        _TWINS[id(fn)] = twin
    return cast(F, twin)


def _twin_globals(module_globals: dict[str, Any]) -> dict[str, Any]:
    """A module's globals with its compiled functions and intrinsics replaced by twins."""
    env = _TWIN_GLOBALS.get(id(module_globals))
    if env is None:
        env = dict(module_globals)
        _TWIN_GLOBALS[id(module_globals)] = env  # before recursing: kernels call each other
        for name, value in module_globals.items():
            if isinstance(value, Dispatcher) or id(value) in _PYTHON_VERSIONS:
                env[name] = interpreted(value)
    return env


class KernelSet:
    """Compiled kernels by name, called as attributes (``KERNELS.play(...)``).

    ``interpret()`` swaps in their interpreted twins; ``use_compiled()`` swaps the compiled
    kernels back. Both states compute the same thing on the same arrays, so a caller may switch
    at any moment (the GTP engine interprets while a background thread compiles).
    """

    def __init__(self, **kernels: Callable[..., Any]) -> None:
        self._compiled = dict(kernels)
        self.__dict__.update(kernels)

    def __getattr__(self, name: str) -> Any:  # only reached for unknown names
        raise AttributeError(f"no kernel named {name!r}")

    @property
    def compiled(self) -> dict[str, Callable[..., Any]]:
        """The compiled kernels by name."""
        return dict(self._compiled)

    def pinned(self, interpreted: bool = False) -> KernelSet:
        """Another set over the same kernels, compiled or interpreted, for one use that must not
        follow this set's switches (warming the compiled kernels up while this set interprets)."""
        pinned = KernelSet(**self._compiled)
        if interpreted:
            pinned.interpret()
        return pinned

    def interpret(self) -> None:
        """Run the interpreted twins from now on (nothing compiles)."""
        self.__dict__.update({name: interpreted(k) for name, k in self._compiled.items()})

    def use_compiled(self) -> None:
        """Run the compiled kernels from now on."""
        self.__dict__.update(self._compiled)

    @property
    def is_interpreted(self) -> bool:
        """Whether the twins run now."""
        return any(self.__dict__[name] is not k for name, k in self._compiled.items())
