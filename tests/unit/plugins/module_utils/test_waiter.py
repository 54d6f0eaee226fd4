# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for plugins/module_utils/_waiter.py.

Every wait runs on the shared fake clock (``clock``, see tests/unit/conftest.py): sleep()
advances the clock instead of sleeping, and each poll's time is recorded, so schedules are
asserted exactly and no test ever waits.
"""

from __future__ import annotations

import contextlib
import inspect
import time

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    AuthenticationError,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import (
    IN_FLIGHT_STATES,
    TERMINAL_STATES,
    canonical_state,
    is_terminal,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import WaitResult, Waiter, last_read_failure, look_at_each


@pytest.fixture
def clock(fake_clock):
    """The shared fake clock, refusing sleeps of nothing: sleeping for nothing means polling in a busy loop."""
    fake_clock.forbid_zero_sleeps = True
    return fake_clock


class ScriptedPoll:
    """Returns the scripted values in order (repeating the last) and notes when it ran."""

    def __init__(self, clock, values, cost: float = 0.0) -> None:
        self.clock = clock
        self.values = list(values)
        self.cost = cost
        self.times = []

    def __call__(self):
        self.times.append(self.clock.elapsed)
        self.clock.advance(self.cost)
        return self.values[min(len(self.times), len(self.values)) - 1]


@pytest.fixture
def wait(clock):
    """Wait on ``values``, polled in turn, with the clock: returns (result, poll, clock)."""
    def wait_on(values, timeout, interval, done=is_terminal, cost=0.0):
        poll = ScriptedPoll(clock, values, cost)
        result = Waiter(timeout, interval, clock=clock, sleep=clock.sleep).until(poll, done)
        return result, poll, clock
    return wait_on


# --- states -----------------------------------------------------------------------------

def test_state_sets_match_reference_4_1():
    assert IN_FLIGHT_STATES == frozenset((
        "StartRequested", "StartScheduled", "Queued", "Preparing", "InProgress", "StopRequested", "Creating"))
    assert TERMINAL_STATES == frozenset((
        "Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed"))
    assert isinstance(IN_FLIGHT_STATES, frozenset) and isinstance(TERMINAL_STATES, frozenset)


@pytest.mark.parametrize("name, expected", [
    ("Completed WithErrors", "CompletedWithErrors"),
    ("startRequested", "StartRequested"),
    ("Stoprequested", "StopRequested"),
    ("COMPLETED", "Completed"),
    ("in progress", "InProgress"),
    (" Queued ", "Queued"),
    ("startscheduled", "StartScheduled"),
    # Unknown names pass through exactly as given.
    ("Not Available", "Not Available"),
    ("Error", "Error"),
    ("", ""),
    (None, None),
] + [(name, name) for name in sorted(IN_FLIGHT_STATES | TERMINAL_STATES)])
def test_canonical_state(name, expected):
    assert canonical_state(name) == expected


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES) + ["completed with errors", "FAILED", "skipped"])
def test_terminal_states(state):
    assert is_terminal(state) is True


@pytest.mark.parametrize("state", sorted(IN_FLIGHT_STATES) + ["queued", "Not Available", "Disconnected", "", None])
def test_in_flight_and_unknown_states_are_not_terminal(state):
    assert is_terminal(state) is False


# --- Waiter -----------------------------------------------------------------------------

def test_stops_at_first_success_state(wait):
    result, poll, clock = wait(["Queued", "Preparing", "InProgress", "Completed", "Failed"], 600, 5)
    assert result == WaitResult("Completed", 15.0, 4, False)
    assert poll.times == [0, 5, 10, 15]
    assert clock.sleeps == [5, 5, 5]


@pytest.mark.parametrize("final", ["Failed", "CompletedWithErrors", "Stopped", "Skipped", "Missed"])
def test_failure_states_end_the_wait_too(wait, final):
    result, poll, _clock = wait(["StartRequested", "InProgress", final, "Completed"], 600, 5)
    assert result.value == final
    assert result.timed_out is False
    assert result.polls == 3
    assert poll.times == [0, 5, 10]


def test_done_on_first_poll_never_sleeps(wait):
    result, poll, clock = wait(["Completed"], 600, 5)
    assert result == WaitResult("Completed", 0.0, 1, False)
    assert poll.times == [0]
    assert clock.sleeps == []


def test_done_sees_every_polled_value_in_order(wait):
    seen = []
    result, _poll, _clock = wait(["Offline", "Offline", "Online"], 60, 2,
                                 done=lambda status: seen.append(status) or status == "Online")
    assert seen == ["Offline", "Offline", "Online"]
    assert result.value == "Online"


def test_timeout_returns_last_value(wait):
    result, poll, clock = wait(["Queued", "InProgress", "InProgress ", "InProgress  ", "never seen"], 12, 5)
    # Polls at 0, 5, 10 and once more at the deadline itself.
    assert poll.times == [0, 5, 10, 12]
    assert result == WaitResult("InProgress  ", 12.0, 4, True)
    assert clock.sleeps == [5, 5, 2]


def test_state_reached_at_the_deadline_is_not_a_timeout(wait):
    result, poll, _clock = wait(["Queued", "Queued", "Queued", "Completed"], 12, 5)
    assert poll.times == [0, 5, 10, 12]
    assert result == WaitResult("Completed", 12.0, 4, False)


@pytest.mark.parametrize("timeout, interval", [(10, 3), (12, 5), (7.5, 2), (1, 0.3), (100, 7)])
def test_never_sleeps_or_polls_past_the_deadline(wait, timeout, interval):
    result, poll, clock = wait(["InProgress"], timeout, interval)
    assert result.timed_out is True
    assert all(seconds <= interval for seconds in clock.sleeps)
    assert sum(clock.sleeps) == pytest.approx(timeout)
    assert max(poll.times) == pytest.approx(timeout)
    assert result.elapsed == pytest.approx(timeout)
    assert result.polls == len(poll.times) == len(clock.sleeps) + 1


def test_interval_larger_than_timeout(wait):
    result, poll, clock = wait(["Queued"], 5, 60)
    assert clock.sleeps == [5]
    assert poll.times == [0, 5]
    assert result == WaitResult("Queued", 5.0, 2, True)


def test_zero_timeout_polls_once(wait):
    result, poll, clock = wait(["Queued"], 0, 5)
    assert result == WaitResult("Queued", 0.0, 1, True)
    assert clock.sleeps == []
    assert poll.times == [0]


def test_elapsed_counts_time_spent_polling(wait):
    # Each poll takes 2 s (a slow API): the deadline is measured from the start, not from
    # the sum of the sleeps, and the last sleep is shortened to land on the deadline.
    result, poll, clock = wait(["InProgress"], 10, 5, cost=2)
    assert poll.times == [0, 7, 10]
    assert clock.sleeps == [5, 1]
    assert result == WaitResult("InProgress", 12.0, 3, True)


def test_exceptions_from_poll_propagate(clock):

    def poll():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        Waiter(10, 1, clock=clock, sleep=clock.sleep).until(poll, is_terminal)


@pytest.mark.parametrize("timeout, interval", [(-1, 5), (10, 0), (10, -1)])
def test_rejects_bad_timing(timeout, interval):
    with pytest.raises(ValueError):
        Waiter(timeout, interval)


def test_defaults_use_the_monotonic_clock_and_real_sleep():
    parameters = inspect.signature(Waiter).parameters
    assert list(parameters) == ["timeout", "interval", "clock", "sleep", "poll_at_deadline", "within"]
    assert parameters["clock"].default is time.monotonic
    assert parameters["sleep"].default is time.sleep


def test_wait_result_fields():
    result = WaitResult(value="Completed", elapsed=1.5, polls=2, timed_out=False)
    assert WaitResult._fields == ("value", "elapsed", "polls", "timed_out")
    assert (result.value, result.elapsed, result.polls, result.timed_out) == ("Completed", 1.5, 2, False)


# --- transient failures of a poll ----------------------------------------------------------

def outage(clock, failures):
    """A poll that fails with each of ``failures`` in turn, then answers Completed."""
    script = list(failures)

    def poll():
        if script:
            raise script.pop(0)
        return "Completed"
    return poll


def test_a_wait_polls_through_an_api_outage_until_the_end(clock):
    failures = [ServerError(503, "GET", "u", "")] * 6 + [TransportError("GET", "u", "reset")]
    seen = Waiter(600, 10, clock=clock, sleep=clock.sleep).until(outage(clock, failures), lambda state: state == "Completed")

    assert (seen.value, seen.polls, seen.timed_out) == ("Completed", 8, False)


def test_an_outage_that_outlasts_the_wait_raises_its_last_error_at_the_deadline(clock):
    poll = outage(clock, [ServerError(503, "GET", "u", "")] * 100)

    with pytest.raises(ServerError):
        Waiter(30, 10, clock=clock, sleep=clock.sleep).until(poll, lambda state: True)
    assert clock.elapsed == 30


def test_an_error_that_is_not_transient_ends_the_wait_at_once(clock):
    poll = outage(clock, [NotFound(404, "GET", "u", "")])

    with pytest.raises(NotFound):
        Waiter(600, 10, clock=clock, sleep=clock.sleep).until(poll, lambda state: True)
    assert clock.elapsed == 0


def test_each_poll_is_told_the_time_left_for_its_own_retries(clock):
    bounds = []

    def within(seconds):
        bounds.append(seconds)
        return contextlib.nullcontext()

    Waiter(25, 10, clock=clock, sleep=clock.sleep, within=within).until(lambda: "InProgress", lambda state: False)

    assert bounds == [25, 15, 5, 0]


# --- look_at_each: one poll's look at a batch -------------------------------------------------

def looking(failures):
    """A look that records each entry it saw and raises ``failures[name]`` for the named ones."""
    seen = []

    def look(entry):
        seen.append(entry["name"])
        if entry["name"] in failures:
            raise failures[entry["name"]]
    return seen, look


def entries(*names):
    return [dict(name=name) for name in names]


def not_expected(entry, error):
    raise AssertionError("%s is not unreadable for good: %s" % (entry["name"], error.msg))


def test_an_entry_that_cannot_be_read_for_now_does_not_hide_the_others():
    seen, look = looking({"web": ServerError(500, "GET", "backup/1", None)})
    batch = entries("web", "copy", "db")
    look_at_each(batch, look, not_expected)
    assert seen == ["web", "copy", "db"]
    assert last_read_failure(batch[0]) == " (its last read failed: GET backup/1 failed with HTTP 500)"
    seen, look = looking({})
    look_at_each(batch, look, not_expected)
    assert [last_read_failure(entry) for entry in batch] == ["", "", ""]


def test_an_entry_that_cannot_be_read_for_good_ends_alone_and_the_others_are_read():
    seen, look = looking({"web": NotFound(404, "GET", "backup/1", None)})
    batch = entries("web", "copy")
    look_at_each(batch, look, lambda entry, error: entry.update(result=error.msg))
    assert seen == ["web", "copy"]
    assert batch[0]["result"].startswith("GET backup/1") and "result" not in batch[1]


@pytest.mark.parametrize("error", [RateLimited(413, "GET", "backup/1", None), AuthenticationError("login refused")])
def test_what_is_the_accounts_not_the_entrys_ends_the_poll_at_once(error):
    seen, look = looking({"web": error})
    with pytest.raises(type(error)):
        look_at_each(entries("web", "copy"), look, not_expected)
    assert seen == ["web"]
