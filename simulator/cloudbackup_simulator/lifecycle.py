"""Backup lifecycle: a planned timeline of states, read lazily at any simulated time.

A backup never "runs": when it is created we write down when it will enter each state
(reference 4.1/4.2), and every read asks "which state at time t?". That needs no
background thread and makes ``advance()`` exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

IN_FLIGHT_STATES = ("StartRequested", "StartScheduled", "Queued", "Preparing", "InProgress", "StopRequested")
TERMINAL_STATES = ("Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed")
# What a configuration may script for its manual runs; history may also record the rest.
RUN_OUTCOMES = ("Completed", "CompletedWithErrors", "Failed")
HISTORY_OUTCOMES = TERMINAL_STATES
SUCCESS_STATES = ("Completed", "CompletedWithErrors")


@dataclass(frozen=True)
class Durations:
    """Simulated seconds spent in each phase (defaults: reference 4.2)."""

    start_requested: float = 1.0
    queued: float = 2.0
    preparing: float = 2.0
    in_progress: float = 10.0
    stop: float = 2.0  # StopRequested -> Stopped

    @property
    def total(self) -> float:
        return self.start_requested + self.queued + self.preparing + self.in_progress


@dataclass(frozen=True)
class Totals:
    """What a run searches and uploads; reports show them as text, as the API does."""

    files_searched: int = 0
    bytes_searched: int = 0
    files_backed_up: int = 0
    bytes_backed_up: int = 0


Timeline = List[Tuple[float, str]]


def plan(start: float, durations: Durations, outcome: str, first: str = "StartRequested") -> Timeline:
    """The (time, state) steps of a run that will end in ``outcome``. ``first`` is
    StartRequested for a manual start, StartScheduled for one its schedule made (4.1)."""
    if outcome == "Missed":  # decided by the scheduler; the run never starts
        return [(start, "Missed")]
    if outcome == "Skipped":  # another run of the configuration was already queued
        return [(start, first), (start + durations.start_requested, "Skipped")]
    steps = [
        (first, durations.start_requested),
        ("Queued", durations.queued),
        ("Preparing", durations.preparing),
        ("InProgress", durations.in_progress),
    ]
    timeline, moment = [], start
    for state, length in steps:
        timeline.append((moment, state))
        moment += length
    if outcome == "Stopped":  # history only: stopped half-way through the upload
        return _stopped(timeline, moment - durations.in_progress / 2, durations.stop)
    return timeline + [(moment, outcome)]


def _stopped(timeline: Timeline, moment: float, stop: float) -> Timeline:
    kept = [step for step in timeline if step[0] <= moment]
    return kept + [(moment, "StopRequested"), (moment + stop, "Stopped")]


@dataclass
class Backup:
    """One run of a configuration. ``errors`` are the report's error entries."""

    id: int
    configuration_id: int
    agent_id: int
    timeline: Timeline
    totals: Totals = field(default_factory=Totals)
    errors: tuple = ()

    @property
    def created(self) -> float:
        return self.timeline[0][0]

    def step_at(self, now: float) -> Tuple[float, str]:
        """(time the current state began, state) at ``now``."""
        current = self.timeline[0]
        for step in self.timeline:
            if step[0] > now:
                break
            current = step
        return current

    def state_at(self, now: float) -> str:
        return self.step_at(now)[1]

    def is_terminal_at(self, now: float) -> bool:
        return self.state_at(now) in TERMINAL_STATES

    def finished_at(self, now: float) -> Optional[float]:
        """When the run reached its terminal state, if it has by ``now``."""
        moment, state = self.step_at(now)
        return moment if state in TERMINAL_STATES else None

    def stop(self, now: float, stop_duration: float) -> bool:
        """Ask an in-flight run to stop; False (and no change) when it already ended."""
        state = self.state_at(now)
        if state in TERMINAL_STATES:
            return False
        if state != "StopRequested":  # a repeated stop does not restart the countdown
            self.timeline = _stopped(self.timeline, now, stop_duration)
        return True
