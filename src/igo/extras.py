"""Layer 0: optional dependencies, the packages some commands need and the extra installing them.

igo's core (``igo gtp``, ``igo play``, ``igo match``, the rules, search and networks) needs only
the package's plain dependencies. Plots and TensorBoard logs need the ``train`` extra
(``pip install 'igo[train]'``), ONNX export, ONNX Runtime and int8 quantization the ``compress``
extra (onnx, onnxruntime); ``scripts/setup.sh`` installs every extra. Code that needs such a
package imports it through :func:`require` where it is used, never at module level, so the core
runs without it and a missing one is one clear line naming the extra.
"""

from __future__ import annotations

import importlib
import io
from types import ModuleType
from typing import Any

TRAIN_EXTRA = "train"
"""The extra with training's, plotting's and TensorBoard's packages (matplotlib, tensorboard)."""
COMPRESS_EXTRA = "compress"
"""The extra with ONNX export's and ONNX Runtime's packages (onnx, onnxruntime)."""
SERVE_EXTRA = "serve"
"""The extra with the browser board's web framework and server (starlette, uvicorn)."""
DISTRIBUTED_EXTRA = "distributed"
"""The extra with Ray (the parameter server, self-play on a Ray cluster)."""


class MissingExtraError(ValueError):
    """An optional package is not installed; the message names it, the extra and the command."""


def require(
    module: str, purpose: str, package: str | None = None, extra: str = TRAIN_EXTRA
) -> ModuleType:
    """``module`` imported, for ``purpose`` (``"igo report"``); ``package`` is what pip installs
    (default: the module's top-level name), ``extra`` the optional extra that has it.

    Raises:
        MissingExtraError: if it cannot be imported.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        name = package or module.partition(".")[0]
        raise MissingExtraError(
            f"{purpose} needs {name}, from igo's optional {extra!r} extra: "
            f"pip install {name} (or pip install -e '.[{extra}]' in igo's checkout)"
        ) from err


def figure_class(purpose: str) -> Any:
    """matplotlib's ``Figure``: its object API draws on the Agg canvas, so plots need no display
    and leave no pyplot state behind.

    Raises:
        MissingExtraError: without matplotlib.
    """
    return require("matplotlib.figure", purpose, "matplotlib").Figure


def png_bytes(fig: Any, dpi: int = 100) -> bytes:
    """A figure drawn as PNG bytes, for an atomic write (``igo.files``): a plot half-written by a
    killed run would be a broken image."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


__all__ = [
    "COMPRESS_EXTRA",
    "SERVE_EXTRA",
    "TRAIN_EXTRA",
    "MissingExtraError",
    "figure_class",
    "png_bytes",
    "require",
]
