"""Fixtures for the simulator tests: one running simulator per scenario, reset per test."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from sim_helpers import Api

from cloudbackup_simulator import Simulator


@pytest.fixture(scope="session")
def _test_sim() -> Iterator[Simulator]:
    with Simulator("test") as sim:
        yield sim


@pytest.fixture(scope="session")
def _demo_sim() -> Iterator[Simulator]:
    with Simulator("demo", speed=10) as sim:
        yield sim


@pytest.fixture
def sim(_test_sim: Simulator) -> Simulator:
    """The test scenario, freshly reset (state, clock, faults, log)."""
    _test_sim.reset()
    return _test_sim


@pytest.fixture
def demo(_demo_sim: Simulator) -> Simulator:
    _demo_sim.reset()
    return _demo_sim


@pytest.fixture
def api(sim: Simulator) -> Api:
    return Api(sim)


@pytest.fixture
def make_sim() -> Iterator:
    """Start extra simulators (e.g. with other settings); all are stopped afterwards."""
    started = []

    def _make(scenario: Any = "test", speed: float = 1.0) -> Simulator:
        started.append(Simulator(scenario, speed=speed).start())
        return started[-1]

    yield _make
    for simulator in started:
        simulator.stop()
