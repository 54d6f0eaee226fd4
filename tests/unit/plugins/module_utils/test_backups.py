"""Tests for module_utils/_backups.py (in-flight look-up, latest backup, stop) and for a single
start, the batch of one (_fleet_start.start_one) that goes through the same rounds as a fleet.

The _api functions that _backups and _fleet_start call are replaced by a scripted fake
account: each start attempt has an outcome (accepted, refused, or accepted but its reply
lost) and the activity feed shows what the account really did. Time is the shared fake
clock (tests/unit/conftest.py). The batch's own tests run against the simulator
(test_fleet_start.py, test_fleet_faults.py).
"""
import contextlib
import types

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _backups, _fleet_start, _jobs
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    CloudBackupError,
    Forbidden,
    ServerError,
    TransportError,
)

CONFIGURATION = {"backup_configuration_id": 29831, "machine_agent_id": 157512}
AGENT = {"machine_agent_id": 157512, "machine_name": "web1", "status": "Online"}
URL = "https://dfw.backup.example.com/v1.0/123456/backup/action-requested"


def run(backup_id, state="Queued", configuration_id=29831, kind="Backup", when=None):
    """An activity item as _api.list_activity returns it."""
    return {"id": backup_id, "type": kind, "parent_id": configuration_id, "current_state": state,
            "time_of_activity": when or "2026-01-01T00:00:%02dZ" % (backup_id % 60)}


def accepted(backup_id, state="Queued"):
    return ("accepted", backup_id, state, None)


def refused():
    return ("refused", None, None, Forbidden(403, "POST", URL, '{"message": "Forbidden"}'))


def lost(backup_id, error, state="Queued"):
    """The API created the backup, but the reply never made it back."""
    return ("lost", backup_id, state, error)


def failed(error):
    return ("failed", None, None, error)


def server_error():
    return ServerError(500, "POST", URL, "Instance Fault")


def dropped():
    return TransportError("POST", URL, "ConnectionError: connection reset by peer")


def refused_connection():
    return TransportError("POST", URL, "ConnectionError: connection refused", sent=False)


class FakeAccount:
    """Stands for the _api calls _backups makes: one scripted outcome per start POST, a feed that can lag.

    It is not FakeApi (plugins/modules/conftest.py): that one serves records to read, this
    one plays out the races of a start or a stop. ``clock`` is the shared fake clock.
    """

    def __init__(self, clock, outcomes, feed=()):
        self.clock = clock
        self.outcomes = list(outcomes)
        self.feed = list(feed)
        self.posts = []
        self.looks = 0
        # The feed hides its ``hidden`` newest runs from the first ``lag`` looks.
        self.hidden = 0
        self.lag = 0
        self.configuration_now = {}
        # Runs the first, unclear start makes only when the second POST comes: the server acted late.
        self.late_runs = []
        self.stops = []
        self.wakes = 0
        # StopManual: the state a stop leaves, or an error to raise first (then the state is kept).
        self.stop_outcomes = []

    def request_start(self, client, configuration_id):
        self.posts.append(configuration_id)
        if len(self.posts) == 2:
            self.feed[:0] = self.late_runs
        kind, backup_id, state, error = self.outcomes.pop(0)
        if backup_id is not None:
            self.feed.insert(0, run(backup_id, state, configuration_id))
        if error is not None:
            raise error
        return backup_id

    def list_activity(self, client, agent_id=None):
        assert agent_id in (None, CONFIGURATION["machine_agent_id"])  # the account's feed, or the agent's
        self.looks += 1
        return list(self.feed[self.hidden:] if self.looks <= self.lag else self.feed)

    def wake_agents(self, client):
        self.wakes += 1

    def request_stop(self, client, backup_id):
        self.stops.append(backup_id)
        state, error = self.stop_outcomes.pop(0) if self.stop_outcomes else ("StopRequested", None)
        for item in self.feed:
            if item["id"] == backup_id:
                item["current_state"] = state
        if error is not None:
            raise error

    def get_backup(self, client, backup_id):
        item = next(item for item in self.feed if item["id"] == backup_id)
        return {"backup_id": backup_id, "current_state": item["current_state"]}

    def get_configuration(self, client, configuration_id):
        assert configuration_id == CONFIGURATION["backup_configuration_id"]
        return dict(CONFIGURATION, **self.configuration_now)


@pytest.fixture
def account(monkeypatch, fake_clock):
    def install(outcomes=(), feed=()):
        fake = FakeAccount(fake_clock, outcomes, feed)
        monkeypatch.setattr(_fleet_start, "request_start", fake.request_start)
        monkeypatch.setattr(_fleet_start, "list_activity", fake.list_activity)
        monkeypatch.setattr(_fleet_start, "get_agent", lambda client, agent_id: AGENT)
        monkeypatch.setattr(_backups, "list_activity", fake.list_activity)
        monkeypatch.setattr(_backups, "get_configuration", fake.get_configuration)
        monkeypatch.setattr(_backups, "request_stop", fake.request_stop)
        monkeypatch.setattr(_jobs, "wake_agents", fake.wake_agents)
        monkeypatch.setattr(_backups, "get_backup", fake.get_backup)
        return fake
    return install


# The client as start_one sees it: the api layer is faked, only its timeout counts.
REQUEST_TIMEOUT = 3.0
CLIENT = types.SimpleNamespace(timeout=REQUEST_TIMEOUT, retrying_within=lambda seconds: contextlib.nullcontext(),
                               rate_limited=0)
ROUND = _jobs.ROUND_DELAY


def start(fake, warnings=None, runs=None, online_timeout=0):
    """start_one, the configuration's runs read just before being the feed now (or ``runs``)."""
    warn = (warnings if warnings is not None else []).append
    return _fleet_start.start_one(CLIENT, AGENT, CONFIGURATION, list(fake.feed) if runs is None else runs,
                                  online_timeout, sleep=fake.clock.sleep, clock=fake.clock, warn=warn)


# --- in_flight_backup_for ----------------------------------------------------------------

@pytest.mark.parametrize("feed, expected", [
    ([], None),
    ([run(1, "Completed"), run(2, "Failed")], None),
    ([run(1, "InProgress"), run(2, "Completed")], 1),
    ([run(1, "Queued", when="2026-01-01T00:00:01Z"), run(2, "Preparing", when="2026-01-01T00:00:09Z")], 2),
    ([run(1, "InProgress", configuration_id=5)], None),
    ([run(1, "InProgress", kind="Restore"), run(2, "Creating", kind="Cleanup")], None),
    ([run(1, "SomethingNew")], 1),
])
def test_in_flight_backup_for(account, feed, expected):
    account(feed=feed)

    found = _backups.in_flight_backup_for(object(), CONFIGURATION)

    assert (found or {}).get("id") == expected


# --- start_one: the 403 race ---------------------------------------------------------------

def test_a_plain_start_posts_once(account):
    fake = account([accepted(7)])

    assert start(fake) == 7
    assert fake.posts == [29831]
    assert (fake.clock.sleeps, fake.wakes) == ([], 0)  # the agent was seen online: no wake-up first


def test_403_right_after_a_wake_is_retried_until_the_agent_accepts(account):
    fake = account([refused(), refused(), refused(), accepted(7)])

    assert start(fake) == 7
    assert len(fake.posts) == 4
    assert fake.clock.sleeps == [ROUND] * 3
    assert fake.wakes == 1  # the first refusal posts the wake-up again, once within WAKE_TAKES


@pytest.mark.parametrize("online_timeout, refused_for", [(0, _jobs.START_FORBIDDEN_WINDOW), (60, 60)])
def test_403_that_never_ends_is_a_clear_refusal_after_the_longer_of_the_race_window_and_online_timeout(
        account, online_timeout, refused_for):
    fake = account([refused()] * 50)

    with pytest.raises(CloudBackupError) as raised:
        start(fake, online_timeout=online_timeout)

    assert raised.value.msg == ("StartManual for backup configuration 29831 was refused with HTTP 403 for %d seconds: "
                                "forbidden: check the user's role or that the agent is online and enabled" % refused_for)
    assert refused_for <= fake.clock.elapsed <= refused_for + ROUND
    assert len(fake.posts) == refused_for / ROUND + 1


def test_403_retries_are_bounded_in_time_however_slow_the_refusals(account, monkeypatch):
    fake = account([refused()] * 50)
    slow_start = fake.request_start

    def start_taking_ten_seconds(client, configuration_id):
        fake.clock.advance(10)
        return slow_start(client, configuration_id)
    monkeypatch.setattr(_fleet_start, "request_start", start_taking_ten_seconds)

    with pytest.raises(CloudBackupError):
        start(fake)

    assert fake.clock.elapsed <= _jobs.START_FORBIDDEN_WINDOW + 10 + ROUND


# --- start_one: ambiguous failures -----------------------------------------------------------

@pytest.mark.parametrize("error", [server_error(), dropped()])
def test_a_start_accepted_despite_the_error_is_found_without_a_second_post(account, error):
    fake = account([lost(7, error), accepted(8)])

    assert start(fake) == 7
    assert len(fake.posts) == 1


def test_a_lost_start_that_already_finished_is_still_found(account):
    fake = account([lost(7, server_error(), state="Completed"), accepted(8)])

    assert start(fake) == 7
    assert len(fake.posts) == 1


@pytest.mark.parametrize("error", [server_error(), dropped()])
def test_no_new_backup_after_the_error_means_a_second_post(account, error):
    fake = account([failed(error), accepted(8)])

    assert start(fake) == 8
    assert len(fake.posts) == 2


def test_backups_in_flight_before_the_start_are_not_taken_for_new_ones(account):
    fake = account([failed(server_error()), accepted(8)], feed=[run(100, "InProgress"), run(99, "Completed")])

    assert start(fake) == 8
    assert len(fake.posts) == 2


def test_other_configurations_runs_are_not_taken_for_ours(account):
    fake = account([failed(server_error()), accepted(8)])
    fake.feed.insert(0, run(500, "Queued", configuration_id=1))

    assert start(fake) == 8


def test_a_start_the_feed_shows_only_on_the_third_look_is_not_posted_again(account):
    fake = account([lost(7, server_error()), accepted(8)])
    fake.hidden, fake.lag = 1, 2  # two looks after the POST miss it

    assert start(fake) == 7
    assert len(fake.posts) == 1
    assert fake.clock.sleeps == [ROUND] * 2


def test_a_last_run_that_moved_counts_as_the_start_the_feed_does_not_show(account):
    fake = account([failed(dropped()), accepted(8)])
    fake.configuration_now = {"last_run_time": "2026-01-01T00:01:00Z", "last_run_backup_report_id": 7}

    assert start(fake) == 7
    assert len(fake.posts) == 1


@pytest.mark.parametrize("error, settle", [
    # A reply came: the start cannot be acted on after it, and the feed may lag the window.
    (server_error(), _jobs.START_SETTLE_WINDOW),
    # No reply: the server may act on it until the request's timeout has passed.
    (dropped(), REQUEST_TIMEOUT + _jobs.START_SETTLE_WINDOW),
])
def test_the_feed_is_watched_for_the_whole_settle_window_before_another_post(account, error, settle):
    fake = account([failed(error), accepted(8)])

    assert start(fake) == 8
    assert len(fake.posts) == 2
    # looked at every round of the window; the next round after it sends again
    assert settle <= sum(fake.clock.sleeps) <= settle + 2 * ROUND
    assert fake.looks >= settle / ROUND


def test_a_refused_connection_sent_nothing_so_the_post_is_repeated_next_round(account):
    fake = account([failed(refused_connection()), accepted(8)])

    assert start(fake) == 8
    # no look for a run it cannot have made; one look after the start for a second run
    assert (len(fake.posts), fake.clock.sleeps, fake.looks) == (2, [ROUND], 1)


@pytest.mark.parametrize("error", [server_error(), dropped(), refused_connection()])
def test_ambiguous_failures_are_bounded(account, error):
    fake = account([failed(error)] * 10)

    with pytest.raises(CloudBackupError) as raised:
        start(fake)

    assert len(fake.posts) == _jobs.START_AMBIGUOUS_ATTEMPTS
    assert "29831" in raised.value.msg or error.msg in raised.value.msg


def test_a_403_after_an_ambiguous_failure_still_gets_the_race_treatment(account):
    fake = account([failed(dropped()), refused(), accepted(8)])

    assert start(fake) == 8
    assert len(fake.posts) == 3
    assert fake.wakes == 1  # the agent may have dozed off during the settle window


def test_an_unclear_start_that_shows_up_after_the_second_post_is_the_one_followed(account):
    fake = account([failed(dropped()), accepted(8, state="InProgress")])
    fake.late_runs = [run(7, "InProgress")]
    warnings = []

    assert start(fake, warnings) == 7
    assert fake.stops == [8]
    assert "had backup 7 in flight beside backup 8" in warnings[0]


def test_a_late_run_created_after_ours_is_the_one_stopped(account):
    fake = account([failed(server_error()), accepted(7, state="InProgress")])
    fake.late_runs = [run(8, "InProgress")]

    assert start(fake) == 7
    assert fake.stops == [8]


def test_a_new_run_that_is_already_over_is_left_alone(account):
    fake = account([failed(server_error()), accepted(8, state="InProgress")])
    fake.late_runs = [run(7, "Failed")]

    assert start(fake) == 8
    assert fake.stops == []


def test_a_failed_look_for_a_second_run_only_warns(account, monkeypatch):
    fake = account([accepted(8)])

    def feed_down(client, agent_id=None):
        raise server_error()
    monkeypatch.setattr(_fleet_start, "list_activity", feed_down)
    warnings = []

    assert start(fake, warnings) == 8
    assert "the look for a second run of them failed" in warnings[0]


def test_a_failed_stop_of_the_second_run_only_warns(account):
    fake = account([failed(server_error()), accepted(7, state="InProgress")])
    fake.late_runs = [run(8, "InProgress")]
    fake.stop_outcomes = [("InProgress", Forbidden(403, "POST", URL, "Forbidden"))]
    warnings = []

    assert start(fake, warnings) == 7
    assert "the stop of the second one failed" in warnings[0]


def test_a_scheduled_run_that_fired_just_before_the_start_is_the_one_that_goes_on(account):
    fake = account([accepted(8, state="StartRequested")], feed=[run(6, "Completed")])
    runs_read_before = list(fake.feed)
    fake.feed.insert(0, run(7, "StartScheduled"))  # after the caller's read, before the POST
    warnings = []

    assert start(fake, warnings, runs=runs_read_before) == 7
    assert fake.stops == [8]
    assert len(warnings) == 1


def test_a_clear_start_costs_one_look_after_the_post(account):
    fake = account([accepted(8)])

    assert start(fake) == 8
    assert (fake.looks, fake.stops) == (1, [])


# --- instead_of_skipped -------------------------------------------------------------------

@pytest.mark.parametrize("state, feed, expected", [
    ("Skipped", [run(7, "InProgress"), run(8, "Skipped")], 7),
    ("Skipped", [run(7, "Completed"), run(8, "Skipped")], 7),  # a short scheduled run, over by the next poll
    ("Skipped", [run(5, "Completed"), run(7, "Skipped"), run(8, "Skipped")], None),  # 5 is older than the start
    ("Skipped", [run(8, "Skipped"), run(9, "InProgress")], None),  # started after ours: not why ours was skipped
    ("Skipped", [run(8, "Skipped")], None),
    ("Completed", [run(7, "InProgress"), run(8, "Completed")], None),
])
def test_a_skipped_start_gives_way_to_the_run_started_just_before(state, feed, expected):
    found = _backups.instead_of_skipped(feed, 8, state, lambda item: item["id"] > 5)

    assert (found or {}).get("id") == expected


# --- stop_backup_confirmed ----------------------------------------------------------------

@pytest.mark.parametrize("outcomes, stops, confirmed", [
    ([], 1, True),
    ([("InProgress", server_error())], 2, True),
    ([("StopRequested", server_error())], 1, True),
    ([("InProgress", dropped()), ("InProgress", None)], 3, True),
    ([("Completed", ServerError(400, "POST", URL, "already finished"))], 1, False),
])
def test_a_stop_is_sent_until_the_state_shows_it(account, outcomes, stops, confirmed):
    fake = account(feed=[run(7, "InProgress")])
    fake.stop_outcomes = list(outcomes)

    assert _backups.stop_backup_confirmed(object(), 7, sleep=fake.clock.sleep) is confirmed
    assert len(fake.stops) == stops


def test_a_stop_that_never_shows_fails_after_the_last_attempt(account):
    fake = account(feed=[run(7, "InProgress")])
    fake.stop_outcomes = [("InProgress", server_error())] * _jobs.STOP_ATTEMPTS

    with pytest.raises(ServerError):
        _backups.stop_backup_confirmed(object(), 7, sleep=fake.clock.sleep)
    assert len(fake.stops) == _jobs.STOP_ATTEMPTS


# --- latest_backup_id --------------------------------------------------------------------

def feed_of(*runs):
    return lambda client, agent_id: list(runs)


@pytest.mark.parametrize("feed, expected", [
    # A Failed run newer than the last good one is the latest: a health check must see it.
    ([run(7, "Failed", when="2026-01-02T00:00:00Z"), run(5, "Completed", when="2026-01-01T00:00:00Z")], 7),
    # Runs still in flight, and other configurations' runs, are not finished runs of this one.
    ([run(8, "InProgress", when="2026-01-03T00:00:00Z"), run(9, "Completed", configuration_id=1),
      run(5, "CompletedWithErrors", when="2026-01-01T00:00:00Z")], 5),
    # A Skipped run only says another one was queued; Missed and Stopped runs do tell.
    ([run(9, "Skipped", when="2026-01-03T00:00:00Z"), run(5, "Completed", when="2026-01-01T00:00:00Z")], 5),
    ([run(9, "Missed", when="2026-01-03T00:00:00Z"), run(5, "Completed", when="2026-01-01T00:00:00Z")], 9),
    ([run(9, "Stopped", when="2026-01-03T00:00:00Z"), run(5, "Completed", when="2026-01-01T00:00:00Z")], 9),
])
def test_latest_backup_is_the_newest_finished_run_in_the_feed(monkeypatch, feed, expected):
    monkeypatch.setattr(_backups, "list_activity", feed_of(*feed))
    monkeypatch.setattr(_backups, "list_completed_backups", pytest.fail)

    assert _backups.latest_backup_id(object(), dict(CONFIGURATION, last_run_backup_report_id=42)) == expected


def test_latest_backup_is_the_last_run_when_the_feed_has_none(monkeypatch):
    monkeypatch.setattr(_backups, "list_activity", feed_of(run(8, "InProgress")))
    monkeypatch.setattr(_backups, "list_completed_backups", pytest.fail)

    assert _backups.latest_backup_id(object(), dict(CONFIGURATION, last_run_backup_report_id=42)) == 42


@pytest.mark.parametrize("completed, expected", [
    ([{"backup_id": 9}, {"backup_id": 3}], 9),
    ([], None),
])
def test_latest_backup_falls_back_to_the_newest_completed(monkeypatch, completed, expected):
    monkeypatch.setattr(_backups, "list_activity", feed_of())
    monkeypatch.setattr(_backups, "list_completed_backups", lambda client, configuration_id: completed)

    assert _backups.latest_backup_id(object(), dict(CONFIGURATION, last_run_backup_report_id=None)) == expected
