"""SearchConfig defaults and validation."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from igo.search import SearchConfig


def test_defaults_follow_the_papers() -> None:
    config = SearchConfig()
    assert config.num_simulations == 800
    assert config.dirichlet_epsilon == 0.25 and config.dirichlet_alpha is None
    assert config.virtual_loss == 3 and config.lee_lambda == 0.5
    assert config.expand_threshold == 40
    assert config.rollout_weight == 0.0 and config.prior_threshold == 0
    lee = SearchConfig(mode="lee")
    assert lee.rollout_weight == 0.5 and lee.prior_threshold == 40


def test_every_field_is_documented() -> None:
    lines = inspect.getsource(SearchConfig).splitlines()
    for f in dataclasses.fields(SearchConfig):
        line = next(i for i, text in enumerate(lines) if text.strip().startswith(f"{f.name}:"))
        assert lines[line + 1].strip().startswith('"""'), f.name


@pytest.mark.parametrize(
    "changes",
    [
        {"num_simulations": 0},
        {"mode": "alphago"},
        {"c_puct": -1.0},
        {"c_base": 0.0},
        {"fpu_value": 2.0},
        {"dirichlet_alpha": 0.0},
        {"dirichlet_epsilon": 1.5},
        {"temperature": -1.0},
        {"temperature_moves": -1},
        {"virtual_loss": -1},
        {"leaves_per_batch": 0},
        {"lee_lambda": 1.5},
        {"expand_threshold": -1},
        {"rollout_cap": -1},
        {"lcb_min_visit_fraction": 2.0},
        {"full_search_prob": -0.1},
        {"cheap_simulations": 0},
        {"c_puct": float("nan")},
    ],
)
def test_invalid_values_are_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SearchConfig(**changes)  # type: ignore[arg-type]


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SearchConfig().num_simulations = 1  # type: ignore[misc]
