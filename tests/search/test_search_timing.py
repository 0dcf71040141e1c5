"""A timed search keeps its budget: no batched step starts that the mean step would end past the
deadline, and the first always runs. Time is simulated (a clock the fake evaluator advances by a
known amount per batch): no test here measures a real duration."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from igo.go.state import GameState
from igo.search.config import SearchConfig
from igo.search.mcts import MultiSearch
from igo.search.timing import StepTimer
from search_fakes import SimulatedClock, TimedEvaluator


def timed_search(seconds: Sequence[float]) -> tuple[MultiSearch, TimedEvaluator, SimulatedClock]:
    clock = SimulatedClock()
    evaluator = TimedEvaluator(clock, seconds)
    config = SearchConfig(num_simulations=10_000, leaves_per_batch=8)
    return MultiSearch(evaluator, config, 1, rng=0, clock=clock), evaluator, clock


def test_step_timer_fits_a_step_of_the_mean_seconds() -> None:
    clock = SimulatedClock()
    timer = StepTimer(clock)
    assert timer.step_seconds == 0.0 and timer.fits(clock.now)
    for seconds in (0.1, 0.3):
        started = clock.now
        clock.now += seconds
        timer.record(started)
    assert timer.step_seconds == pytest.approx(0.2)
    assert timer.fits(clock.now + 0.2) and not timer.fits(clock.now + 0.19)


def test_search_starts_no_batch_that_would_end_past_the_limit() -> None:
    """Batches of 0.1 s and a 0.35 s limit: three batches (0.3 s); checking only that the
    deadline had not passed started a fourth and ended at 0.4 s."""
    search, evaluator, clock = timed_search([0.1])
    started = clock.now
    result = search.search([GameState.new(9)], time_limit=0.35)[0]
    assert len(evaluator.batch_sizes) == 3
    assert clock.now - started <= 0.35
    assert result.num_simulations == 1 + 8 + 8  # the root's step, then two full batches


def test_search_follows_a_slower_machine() -> None:
    """Batches slow from 0.05 s to 0.2 s mid-search: the mean rises with them and the search
    stops short of the limit rather than one batch past it."""
    search, evaluator, clock = timed_search([0.05] * 4 + [0.2])
    started = clock.now
    search.search([GameState.new(9)], time_limit=0.6)
    assert clock.now - started <= 0.6
    assert len(evaluator.batch_sizes) >= 5


def test_search_past_its_deadline_still_visits_once() -> None:
    search, evaluator, clock = timed_search([0.1])
    search.search([GameState.new(9)], time_limit=0.35)  # the mean step is now known: 0.1 s
    result = search.search([GameState.new(9)], time_limit=0.01)[0]
    assert result.num_simulations >= 1 and len(evaluator.batch_sizes) == 4
