"""The learning-rate schedules both pipelines train under (``TrainConfig``)."""

from __future__ import annotations

import pytest

from igo.train.training_config import TrainConfig, learning_rate_at


def test_learning_rate_schedules() -> None:
    step = TrainConfig(learning_rate=0.1, schedule="step", lr_drops=(0.5, 0.75))
    assert [learning_rate_at(step, s, 100) for s in (0, 49, 50, 75, 99)] == pytest.approx(
        [0.1, 0.1, 0.01, 0.001, 0.001]
    )
    cosine = TrainConfig(learning_rate=0.1, schedule="cosine", warmup_steps=10)
    assert learning_rate_at(cosine, 0, 100) == pytest.approx(0.01)
    assert learning_rate_at(cosine, 50, 100) == pytest.approx(0.05)
