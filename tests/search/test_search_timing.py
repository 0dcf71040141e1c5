"""A timed search keeps its budget: no batched step starts that a slow step (the 90th percentile
of the last ones) would end past the deadline, and the first always runs; the search without a
network checks its deadline between compiled chunks cut to the time left. Time is simulated (a clock
the fake evaluator, or the compiled chunk, advances by a known amount): no test here measures a
real duration."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from igo.go.state import GameState
from igo.search import mcts
from igo.search.config import SearchConfig
from igo.search.evaluator import UniformEvaluator
from igo.search.mcts import MultiSearch
from igo.search.timing import CHUNK_SECONDS, StepTimer
from search_fakes import SimulatedClock, TimedEvaluator


def timed_search(seconds: Sequence[float]) -> tuple[MultiSearch, TimedEvaluator, SimulatedClock]:
    clock = SimulatedClock()
    evaluator = TimedEvaluator(clock, seconds)
    config = SearchConfig(num_simulations=10_000, leaves_per_batch=8)
    return MultiSearch(evaluator, config, 1, rng=0, clock=clock), evaluator, clock


def test_step_timer_fits_a_slow_step_not_the_mean() -> None:
    clock = SimulatedClock()
    timer = StepTimer(clock)
    assert timer.step_seconds == 0.0 and timer.fits(clock.now)
    for seconds in [0.04] * 9 + [0.13]:  # mean 0.049; one step in ten is slow
        started = clock.now
        clock.now += seconds
        timer.record(started)
    assert timer.step_seconds == pytest.approx(0.04)  # the 90th percentile of ten: the 9th
    started = clock.now
    clock.now += 0.13
    timer.record(started)  # two slow steps in eleven: past the 90th percentile
    assert timer.step_seconds == pytest.approx(0.13)
    assert timer.fits(clock.now + 0.13) and not timer.fits(clock.now + 0.12)


def test_search_keeps_its_budget_when_some_batches_run_slow() -> None:
    """Batches of 0.04 s with every third at 0.13 s (a machine whose load comes and goes), ten
    searches of 0.5 s, the tree kept: none ends past its limit. Timing by the mean step (0.07 s)
    started a slow batch where only a mean one fitted and overran by 0.05 s in 3 of the 10."""
    search, evaluator, clock = timed_search([0.04, 0.04, 0.13] * 2_000)
    overruns = []
    for _ in range(10):
        started = clock.now
        result = search.search([GameState.new(9)], time_limit=0.5)[0]
        overruns.append(clock.now - started - 0.5)
        assert result.num_simulations > 8
    assert max(overruns) <= 1e-9


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


def test_step_timer_sizes_compiled_chunks_by_their_pooled_speed() -> None:
    clock = SimulatedClock()
    timer = StepTimer(clock)
    assert timer.chunk(clock.now + 1.0, 8, 1024) == 8  # no speed known yet: the smallest
    for simulations, seconds in ((10, 0.001), (90, 0.019)):  # 100 in 0.02 s: 5,000 a second
        started = clock.now
        clock.now += seconds
        timer.record_chunk(started, simulations)
    assert timer.simulation_rate == pytest.approx(5_000)
    assert timer.chunk(clock.now + 1.0, 8, 1024) == int(5_000 * CHUNK_SECONDS)
    assert timer.chunk(clock.now + 0.0025, 8, 1024) == 12  # what the time left holds
    assert timer.chunk(clock.now - 1.0, 8, 1024) == 8  # past the deadline: the smallest
    assert timer.chunk(clock.now + 1.0, 8, 20) == 20  # never more than the largest
    assert timer.chunk(clock.now + 0.1, 8, 1024, None) == 500  # all the time left: room


def test_search_without_a_network_stops_within_a_chunk_of_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The compiled search of the uniform evaluator, each simulation taking 0.2 ms of simulated
    time: a 0.1 s search ends at most one smallest chunk (8 simulations) past its limit, its
    last chunk cut to the time left (checking the clock every 1,024 simulations ended 0.1 s
    late), and an untimed one runs every simulation."""
    clock = SimulatedClock()
    compiled = mcts.run_uniform

    def timed_uniform(*args: object) -> None:
        compiled(*args)  # type: ignore[arg-type]
        clock.now += 0.0002 * int(args[5])  # type: ignore[call-overload]

    monkeypatch.setattr(mcts, "run_uniform", timed_uniform)
    config = SearchConfig(num_simulations=100_000, leaves_per_batch=8)
    search = MultiSearch(UniformEvaluator(), config, 1, rng=0, clock=clock)
    for _ in range(3):
        started = clock.now
        result = search.search([GameState.new(9)], time_limit=0.1)[0]
        assert 0.1 - 0.0002 * 8 <= clock.now - started <= 0.1 + 0.0002 * 8 + 1e-9
        assert result.num_simulations >= 0.9 * 0.1 / 0.0002
    assert search.search([GameState.new(9)], num_simulations=3_000)[0].num_simulations == 3_000
