"""Batched inference: numpy planes in, numpy policy logits and values out.

``TorchEvaluator`` is what the agents layer wraps into a search ``Evaluator``. It picks the
device, runs under ``torch.inference_mode``, splits big inputs into batches and, on CUDA only,
runs under bf16 (or fp16) autocast; on CPU it stays fp32, because reduced precision there is
much slower, not faster (bf16 was about 20x slower on our CPU). Outputs are always float32.

Symmetry averaging (Silver et al. 2016/2017 evaluate random or all 8 board symmetries) takes the
transforms as arguments, since ``igo.nn`` knows no board geometry: each symmetry is a pair
``(transform_planes_fn, inverse_policy_fn)`` on numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Literal

import numpy as np
import torch

from igo.nn.net import Net, PolicyNet, ValueNet

Precision = Literal["auto", "float32", "bfloat16", "float16"]
PlanesFn = Callable[[np.ndarray], np.ndarray]
"""Maps planes [B, C, N, N] to the same shape (one board symmetry)."""
PolicyFn = Callable[[np.ndarray], np.ndarray]
"""Maps policies [B, N*N + 1] to the same shape (the inverse symmetry; pass stays last)."""
Symmetry = tuple[PlanesFn, PolicyFn]

_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"``: CUDA when available, else CPU; otherwise ``torch.device(device)``."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but CUDA is not available")
    return resolved


def resolve_precision(device: torch.device, precision: Precision = "auto") -> torch.dtype | None:
    """The autocast dtype, or None for plain fp32.

    ``"auto"`` is bf16 on CUDA devices that support it, fp16 on older CUDA devices, and fp32
    elsewhere. An explicit ``"bfloat16"`` / ``"float16"`` is honoured on any device.
    """
    if precision == "float32":
        return None
    if precision in _DTYPES:
        return _DTYPES[precision]
    if precision != "auto":
        raise ValueError(f"unknown precision {precision!r}")
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class TorchEvaluator:
    """Runs a PolicyValueNet, PolicyNet or ValueNet on numpy planes, in batches, in eval mode."""

    def __init__(
        self,
        net: Net,
        device: str | torch.device = "auto",
        batch_size: int = 256,
        precision: Precision = "auto",
        symmetries: Sequence[Symmetry] | None = None,
    ) -> None:
        """Args:
        net: the net; it is moved to ``device`` and put in eval mode.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...
        batch_size: most positions per forward pass.
        precision: autocast dtype (see ``resolve_precision``).
        symmetries: if given, every position is evaluated under each symmetry and the results
            are mapped back and averaged (values: mean; policies: the log of the mean
            probabilities, so softmax of the returned logits is the averaged policy).
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.device = resolve_device(device)
        self.autocast_dtype = resolve_precision(self.device, precision)
        self.net = net.to(self.device).eval()
        self.batch_size = batch_size
        self.symmetries = list(symmetries) if symmetries else []
        self.config = net.config
        self.has_policy = not isinstance(net, ValueNet)
        self.has_value = not isinstance(net, PolicyNet)

    def _check(self, planes: np.ndarray) -> np.ndarray:
        cfg = self.config
        expected = (cfg.in_planes, cfg.board_size, cfg.board_size)
        if planes.ndim != 4 or planes.shape[1:] != expected:
            raise ValueError(
                f"planes must be [B, {', '.join(map(str, expected))}], got {planes.shape}"
            )
        return np.ascontiguousarray(planes, dtype=np.float32)

    def _autocast(self) -> torch.autocast | nullcontext[None]:
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def _forward(self, planes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Raw outputs for [B, C, N, N] float32 planes, batch by batch; None for a missing head."""
        logits: list[np.ndarray] = []
        values: list[np.ndarray] = []
        with torch.inference_mode(), self._autocast():
            for start in range(0, len(planes), self.batch_size):
                x = torch.from_numpy(planes[start : start + self.batch_size])
                out = self.net(x.to(self.device, non_blocking=True))
                policy, value = out if isinstance(out, tuple) else (out, out)
                if self.has_policy:
                    logits.append(policy.float().cpu().numpy())
                if self.has_value:
                    values.append(value.float().cpu().numpy())
        num_moves = self.config.num_moves
        return (
            _concat(logits, (0, num_moves)) if self.has_policy else None,
            _concat(values, (0,)) if self.has_value else None,
        )

    def _run(self, planes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        planes = self._check(planes)
        if not self.symmetries:
            return self._forward(planes)
        prob_sum: np.ndarray | None = None
        value_sum: np.ndarray | None = None
        for transform_fn, inverse_fn in self.symmetries:
            logits, values = self._forward(np.ascontiguousarray(transform_fn(planes)))
            if logits is not None:
                probs = inverse_fn(_softmax(logits))
                prob_sum = probs if prob_sum is None else prob_sum + probs
            if values is not None:
                value_sum = values if value_sum is None else value_sum + values
        count = len(self.symmetries)
        # log of the mean probabilities: valid logits whose softmax is the averaged policy.
        mean_log_probs = None if prob_sum is None else np.log(prob_sum / count + 1e-30)
        return (
            None if mean_log_probs is None else mean_log_probs.astype(np.float32),
            None if value_sum is None else (value_sum / count).astype(np.float32),
        )

    def evaluate(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Policy logits and values of a two-headed net.

        Args:
            planes: encoded positions [B, C, N, N], float32 (other dtypes are converted).

        Returns:
            ``(policy_logits [B, N*N + 1], values [B])``, both float32.
        """
        if not (self.has_policy and self.has_value):
            raise TypeError(
                f"evaluate needs a PolicyValueNet, got {type(self.net).__name__}; "
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


def _concat(parts: list[np.ndarray], empty_shape: tuple[int, ...]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(empty_shape, dtype=np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probs
