"""Backup and restore lifecycles: a planned timeline of states, read lazily at any simulated time.

A backup never "runs": when it is created we write down when it will enter each state
(api-notes: Backup states), and every read asks "which state at time t?". That needs no
background thread and makes ``advance()`` exact. A restore is the same kind of timeline
(api-notes: Restore states), preceded by its Creating draft until StartManual plans the rest.
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
# RestoreStateId per state name (api-notes: Restore states); restores answer numbers, their reports names.
CREATING = "Creating"
RESTORE_STATE_IDS = {
    CREATING: 0,
    "Queued": 1,
    "InProgress": 2,
    "Completed": 3,
    "Stopped": 4,
    "Failed": 5,
    "StartRequested": 6,
    "StopRequested": 7,
    "CompletedWithErrors": 8,
    "Preparing": 9,
}


@dataclass(frozen=True)
class Durations:
    """Simulated seconds spent in each phase; the defaults are guesses (api-notes: Unknowns and simulator settings)."""

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
    StartRequested for a manual start, StartScheduled for one its schedule made (api-notes: Backup states)."""
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


def scripted(outcomes: Tuple[str, ...], used: int) -> str:
    """The outcome of the next run of a script: outcomes in order, the last one repeats."""
    return outcomes[min(used, len(outcomes) - 1)]


class Run:
    """What backups and restores share: reading and stopping a ``timeline``."""

    timeline: Timeline

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


@dataclass
class Backup(Run):
    """One run of a configuration. ``errors`` are the report's error entries."""

    id: int
    configuration_id: int
    agent_id: int
    timeline: Timeline
    totals: Totals = field(default_factory=Totals)
    errors: tuple = ()


@dataclass(frozen=True)
class RestoreRequest:
    """The writable fields of a restore (PUT / POST restore, api-notes: Restores)."""

    backup_id: int
    backup_machine_id: int
    destination_machine_id: int
    destination_path: str
    overwrite_files: bool
    backup_datacenter: Optional[str]  # None: the vault's own region


@dataclass
class Restore(Run):
    """A restore: a Creating draft (files may be added) until StartManual plans its run."""

    id: int
    tenant_id: str
    request: RestoreRequest
    timeline: Timeline  # [(created, "Creating")] + the planned run once started
    files: List[dict] = field(default_factory=list)  # wire items: FilePath, Filter, RestoreId, FileItemType
    durations: Durations = Durations()
    files_restored: int = 0
    bytes_restored: int = 0
    errors: tuple = ()

    @property
    def started(self) -> Optional[float]:
        """When StartManual was accepted; None for a draft."""
        return self.timeline[1][0] if len(self.timeline) > 1 else None

    def begin(self, now: float, durations: Durations, outcome: str) -> None:
        """StartManual: plan StartRequested -> ... -> ``outcome`` from ``now`` (api-notes: Restore states)."""
        self.durations = durations
        self.timeline = self.timeline[:1] + plan(now, durations, outcome)
