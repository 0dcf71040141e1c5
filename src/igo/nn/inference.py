"""Batched inference: numpy planes in, numpy policy logits and values out.

``TorchEvaluator`` is what the agents layer wraps into a search ``Evaluator``. It picks the
device, runs under ``torch.inference_mode``, splits big inputs into batches and, by default,
runs under bf16 (or fp16) autocast on CUDA and on CPUs with AMX-BF16, in fp32 on other CPUs
(``igo.nn.precision``: on AMX bf16 was 2.5-4.3x faster than fp32 for ``resnet_b6c64`` at batch
32+, with logits off by about 3e-3; without it, much slower). A checkpoint stored in 16 bits runs
in them where that is fast. Outputs are always float32.

The evaluator runs a *prepared* copy of the net, built by a ``PrepareFn`` (the net itself is
only put in eval mode). The choices, measured with ``igo bench nets`` (see docs/nets.md):

| prepare_fn            | what it does                                            | setup       |
|-----------------------|---------------------------------------------------------|-------------|
| prepare_for_inference | fold batch norm into convs; on CPU in-place ReLU, NHWC  | ~0.1-1 s    |
| prepare_eager         | the net as it is (the reference)                        | none        |
| prepare_jit           | the default, traced and frozen with TorchScript         | ~1 s        |
| prepare_compiled      | the default under ``torch.compile`` (inductor, frozen)  | ~10 s/shape |

``prepare_for_inference`` is the default: on CPU it was 1.3-1.7x faster than eager and as fast
as the other two, with no compile step and no deprecated API. The prepared copy is rebuilt when
the net's weights change in place (``load_state_dict``, an optimiser step), so an evaluator never
runs stale weights. ``tune_cpu_malloc`` is the other CPU speed-up, for a program's entry point.

Symmetry averaging (Silver et al. 2016/2017 evaluate random or all 8 board symmetries) takes the
transforms as arguments, since ``igo.nn`` knows no board geometry: each symmetry is a pair
``(transform_planes_fn, inverse_policy_fn)`` on numpy arrays (``igo.encode.symmetry`` makes
Go's); ``average_symmetries`` is the one place the results are averaged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import cast

import numpy as np
import torch
from torch import Tensor, nn

from igo.nn.checkpoint import stored_precision
from igo.nn.fuse import fuse_conv_bn, relu_inplace_
from igo.nn.net import Net, NetConfig, PolicyNet, ValueNet
from igo.nn.precision import Precision, resolve_precision

PlanesFn = Callable[[np.ndarray], np.ndarray]
"""Maps planes [B, C, N, N] to the same shape (one board symmetry)."""
PolicyFn = Callable[[np.ndarray], np.ndarray]
"""Maps policies [B, N*N + 1] to the same shape (the inverse symmetry, a permutation of the
entries; pass stays last); it is applied to logits."""
Symmetry = tuple[PlanesFn, PolicyFn]
Outputs = tuple[np.ndarray | None, np.ndarray | None]
"""Policy logits [B, N*N + 1] and values [B] of a batch; None for a head the net lacks."""
ForwardFn = Callable[[np.ndarray], Outputs]
"""Runs a net on planes [B, C, N, N]."""
PrepareFn = Callable[[Net, torch.device], nn.Module]
"""Builds the module the evaluator runs from an eval-mode net on its device; same outputs."""


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"``: CUDA when available, else CPU; otherwise ``torch.device(device)``.

    Raises:
        ValueError: a device torch does not know (``tpu``), or a CUDA device this machine lacks.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as err:  # torch's message lists twenty device types
        raise ValueError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N") from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {str(device)!r} was asked for but CUDA is not available")
    if resolved.type == "cuda" and (resolved.index or 0) >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ValueError(f"device {str(device)!r} was asked for but this machine has {count} GPUs")
    return resolved


class ChannelsLast(nn.Module):
    """Runs ``net`` on NHWC (``torch.channels_last``) inputs; the net's weights are made NHWC.

    oneDNN's CPU convolutions work natively on NHWC, so a net kept in NCHW pays for a reorder of
    the activations around every convolution.
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def forward(self, x: Tensor) -> object:
        """``net(x)`` for ``x`` [B, C, N, N] in any memory format."""
        return self.net(x.contiguous(memory_format=torch.channels_last))


_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_cpu_malloc(mmap_threshold: int = 256 << 20, trim_threshold: int = 1 << 30) -> bool:
    """Make glibc's malloc keep freed activations for reuse: a process-wide setting.

    PyTorch's CPU tensors come straight from malloc, and by default glibc serves large blocks
    with fresh ``mmap`` pages or trims them off the heap when freed, so every forward pass
    page-faults its activations in again: 20-30% of a batch-64+ forward pass here. Like
    ``torch.set_num_threads``, this belongs to a program's entry point, not to library code;
    the process then keeps up to ``trim_threshold`` bytes of freed memory.

    Args:
        mmap_threshold: blocks at least this big still get their own mapping.
        trim_threshold: free memory at the heap's top kept before returning it to the OS.

    Returns:
        True if both settings were applied (glibc); False elsewhere, where nothing changes.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    applied = mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1
    return bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1 and applied)


def prepare_eager(net: Net, device: torch.device) -> nn.Module:
    """The net itself, unchanged: the reference path."""
    return net


def prepare_for_inference(net: Net, device: torch.device) -> nn.Module:
    """The default: batch norm folded into the convs and, on CPU, NHWC with in-place ReLUs.

    Args:
        net: an eval-mode net on ``device``; left unchanged.
        device: where it runs.

    Returns:
        A new module with the net's outputs (to about 1e-6).
    """
    fused = fuse_conv_bn(net)
    if device.type != "cpu":
        return fused
    relu_inplace_(fused)
    return ChannelsLast(fused).eval()


def prepare_jit(net: Net, device: torch.device) -> nn.Module:
    """``prepare_for_inference``, then traced, frozen and optimised with TorchScript.

    TorchScript is deprecated upstream (torch 2.5+) and was no faster than the default here; kept
    for comparison. Tracing fixes Python control flow, which igo's nets do not branch on, and
    the board width pooled heads read off the input's shape (a constant in the trace, so a trace
    at 9x9 is wrong at 13x13). A net with pooled heads is therefore not traced: traced once per
    size it was no faster than untraced (0.85-1.04x at 9x9 and 13x13, batch 8 and 32), besides
    2-12 s of tracing per size (``benchmarks/pooled_jit.py``, docs/zero.md "Mixed sizes").
    """
    model = prepare_for_inference(net, device)
    if any_size(net.config):
        return model
    example = torch.zeros(1, net.config.in_planes, net.config.board_size, net.config.board_size)
    return trace_frozen(model, example.to(device))


def trace_frozen(model: nn.Module, example: Tensor) -> nn.Module:
    """``model`` traced on ``example`` by TorchScript, frozen and optimised for inference."""
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the deprecation and the input-check tracer warnings
        traced = torch.jit.trace(model, example)  # type: ignore[no-untyped-call]
        frozen: nn.Module = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    return frozen


def prepare_compiled(net: Net, device: torch.device) -> nn.Module:
    """``prepare_for_inference``, then ``torch.compile`` (inductor, frozen weights, static shapes).

    Needs a C++ compiler on CPU. Each new batch size compiles again (seconds each), so give the
    evaluator a fixed ``batch_size`` and full batches.
    """
    model = prepare_for_inference(net, device)
    compiled = torch.compile(model, dynamic=False, options={"freezing": True})
    return cast(nn.Module, compiled)


class NetRunner(ABC):
    """Runs a net on numpy planes: what the evaluators (torch, ONNX Runtime) share.

    A subclass sets the attributes below and ``_forward`` (a batch of checked float32 planes in,
    raw outputs out); checks, symmetry averaging and the head-specific calls are here.
    """

    config: NetConfig
    """The net's config (board size, planes, heads)."""
    has_policy: bool
    """Whether the net has a policy head."""
    has_value: bool
    """Whether the net has a value head."""
    symmetries: list[Symmetry]
    """Symmetries every position is averaged over (none: as it is)."""

    @abstractmethod
    def _forward(self, planes: np.ndarray) -> Outputs:
        """Raw (policy logits, values) of checked float32 planes [B, C, N, N]."""

    def _check(self, planes: np.ndarray) -> np.ndarray:
        """``planes`` as float32, checked: [B, C, N, N] with the net's C, and its N unless its
        heads are pooled (they play any N)."""
        cfg = self.config
        size = planes.shape[-1] if planes.ndim == 4 and any_size(cfg) else cfg.board_size
        expected = (cfg.in_planes, size, size)
        if planes.ndim != 4 or planes.shape[1:] != expected:
            raise ValueError(
                f"planes must be [B, {', '.join(map(str, expected))}], got {planes.shape}"
            )
        return np.ascontiguousarray(planes, dtype=np.float32)

    def _run(self, planes: np.ndarray) -> Outputs:
        planes = self._check(planes)
        if not self.symmetries:
            return self._forward(planes)
        return average_symmetries(self._forward, planes, self.symmetries)

    def evaluate(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Policy logits and values of a two-headed net.

        Args:
            planes: encoded positions [B, C, N, N], float32 (other dtypes are converted).

        Returns:
            ``(policy_logits [B, N*N + 1], values [B])``, both float32.
        """
        if not (self.has_policy and self.has_value):
            raise TypeError(
                f"evaluate needs a net with both heads, got a {self.config.outputs} net; "
                "use policy_logits() or values()"
            )
        logits, values = self._run(planes)
        assert logits is not None and values is not None
        return logits, values

    __call__ = evaluate

    def policy_logits(self, planes: np.ndarray) -> np.ndarray:
        """Policy logits [B, N*N + 1] float32 of a PolicyValueNet or PolicyNet."""
        if not self.has_policy:
            raise TypeError("a ValueNet has no policy head")
        logits, _ = self._run(planes)
        assert logits is not None
        return logits

    def values(self, planes: np.ndarray) -> np.ndarray:
        """Values [B] float32 of a PolicyValueNet or ValueNet."""
        if not self.has_value:
            raise TypeError("a PolicyNet has no value head")
        _, values = self._run(planes)
        assert values is not None
        return values


class TorchEvaluator(NetRunner):
    """Runs a PolicyValueNet, PolicyNet or ValueNet on numpy planes, in batches, in eval mode."""

    def __init__(
        self,
        net: Net,
        device: str | torch.device = "auto",
        batch_size: int = 256,
        precision: Precision = "auto",
        symmetries: Sequence[Symmetry] | None = None,
        prepare_fn: PrepareFn = prepare_for_inference,
    ) -> None:
        """Args:
        net: the net; it is moved to ``device`` and put in eval mode.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...
        batch_size: most positions per forward pass.
        precision: autocast dtype (``igo.nn.precision.resolve_precision``; ``auto`` also
            follows a 16-bit checkpoint's ``precision``).
        symmetries: if given, every position is evaluated under each symmetry and the results
            are mapped back and averaged (``average_symmetries``).
        prepare_fn: builds the module that is run from the net (see the module docstring);
            rebuilt when the net's weights change.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.device = resolve_device(device)
        stored = stored_precision(net)
        self.autocast_dtype = resolve_precision(self.device, precision, stored)
        self.net = net.to(self.device).eval()
        self.batch_size = batch_size
        self.symmetries = list(symmetries) if symmetries else []
        self.config = net.config
        self.has_policy = not isinstance(net, ValueNet)
        self.has_value = not isinstance(net, PolicyNet)
        self.prepare_fn = prepare_fn
        self._model: nn.Module | None = None
        self._weights: list[Tensor] = []
        self._versions: list[int] = []

    @property
    def model(self) -> nn.Module:
        """The prepared module that is run, rebuilt if ``net``'s weights changed since.

        A change is a parameter or buffer modified in place (``load_state_dict``, an optimiser
        step), seen through the tensors' version counters: a check of a few microseconds.
        """
        if self._model is None or [t._version for t in self._weights] != self._versions:
            self.net.eval()
            self._model = self.prepare_fn(self.net, self.device)
            self._weights = [*self.net.parameters(), *self.net.buffers()]
            self._versions = [t._version for t in self._weights]
        return self._model

    def _autocast(self) -> torch.autocast | nullcontext[None]:
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def _forward(self, planes: np.ndarray) -> Outputs:
        """Raw outputs for [B, C, N, N] float32 planes, batch by batch; None for a missing head."""
        logits: list[np.ndarray] = []
        values: list[np.ndarray] = []
        model = self.model
        with torch.inference_mode(), self._autocast():
            for start in range(0, len(planes), self.batch_size):
                x = torch.from_numpy(planes[start : start + self.batch_size])
                out = model(x.to(self.device, non_blocking=True))
                policy, value = out if isinstance(out, tuple) else (out, out)
                if self.has_policy:
                    logits.append(policy.float().cpu().numpy())
                if self.has_value:
                    values.append(value.float().cpu().numpy())
        num_moves = planes.shape[2] * planes.shape[3] + 1
        return (
            concat_or_empty(logits, (0, num_moves)) if self.has_policy else None,
            concat_or_empty(values, (0,)) if self.has_value else None,
        )


def average_symmetries(
    forward_fn: ForwardFn, planes: np.ndarray, symmetries: Sequence[Symmetry]
) -> Outputs:
    """Outputs of ``planes`` averaged over board symmetries (test-time augmentation).

    Args:
        forward_fn: runs the net on planes [B, C, N, N].
        planes: the positions.
        symmetries: (transform_planes_fn, inverse_policy_fn) pairs, at least one.

    Returns:
        (log of the mean probabilities [B, N*N + 1]: valid logits whose softmax is the averaged
        policy; mean values [B]), float32; None for a head the net lacks.
    """
    prob_sum: np.ndarray | None = None
    value_sum: np.ndarray | None = None
    for transform_fn, inverse_fn in symmetries:
        logits, values = forward_fn(np.ascontiguousarray(transform_fn(planes)))
        if logits is not None:
            probs = _softmax(inverse_fn(logits))
            prob_sum = probs if prob_sum is None else prob_sum + probs
        if values is not None:
            value_sum = values if value_sum is None else value_sum + values
    count = len(symmetries)
    mean_log_probs = None if prob_sum is None else np.log(prob_sum / count + 1e-30)
    return (
        None if mean_log_probs is None else mean_log_probs.astype(np.float32, copy=False),
        None if value_sum is None else (value_sum / count).astype(np.float32, copy=False),
    )


def any_size(config: NetConfig) -> bool:
    """Whether a net of ``config`` plays every board size (pooled heads), not only its own."""
    return config.heads == "pooled"


def concat_or_empty(parts: list[np.ndarray], empty_shape: tuple[int, ...]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(empty_shape, dtype=np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probs
