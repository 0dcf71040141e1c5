"""A quantized net measured against its original on real positions.

``compare(reference, candidate, positions)`` runs both (any ``NetRunner``: torch, bf16, ONNX)
and answers ``Agreement``: the policy's top-1 agreement with the original and with the move
played, and the value's mean squared error against the game's result and against the
original's values. Moves are compared over the whole policy (legality is not known here), as the
SL stage's held-out top-1 accuracy is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from igo.compress.positions import Positions
from igo.nn.inference import NetRunner


@dataclass(frozen=True)
class Agreement:
    """How close a net's outputs are to the original's and to the games'; NaN: no such head."""

    positions: int
    """Positions measured."""
    top1_agreement: float
    """Share of positions whose most probable move is the original net's."""
    top1_true: float
    """Share whose most probable move is the move played."""
    reference_top1_true: float
    """The same for the original net."""
    value_mse: float
    """Mean squared error of the values against the game results."""
    reference_value_mse: float
    """The same for the original net."""
    value_mse_to_reference: float
    """Mean squared difference of the values from the original net's."""
    max_value_error: float
    """Largest absolute difference of a value from the original net's."""


def _outputs(runner: NetRunner, planes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    if runner.has_policy and runner.has_value:
        return runner.evaluate(planes)
    if runner.has_policy:
        return runner.policy_logits(planes), None
    return None, runner.values(planes)


def compare(reference: NetRunner, candidate: NetRunner, positions: Positions) -> Agreement:
    """``candidate``'s outputs on ``positions`` against ``reference``'s and the games'."""
    ref_logits, ref_values = _outputs(reference, positions.planes)
    logits, values = _outputs(candidate, positions.planes)
    nan = float("nan")
    top1 = agree = ref_true = nan
    if logits is not None and ref_logits is not None:
        moves, ref_moves = logits.argmax(axis=1), ref_logits.argmax(axis=1)
        agree = float(np.mean(moves == ref_moves))
        top1 = float(np.mean(moves == positions.moves))
        ref_true = float(np.mean(ref_moves == positions.moves))
    mse = ref_mse = to_ref = worst = nan
    if values is not None and ref_values is not None:
        mse = float(np.mean((values - positions.results) ** 2))
        ref_mse = float(np.mean((ref_values - positions.results) ** 2))
        to_ref = float(np.mean((values - ref_values) ** 2))
        worst = float(np.max(np.abs(values - ref_values)))
    return Agreement(len(positions), agree, top1, ref_true, mse, ref_mse, to_ref, worst)
