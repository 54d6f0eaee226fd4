"""Tests for modules/cloudbackup_action.py: each decision, check mode, waiting and diff.

The module runs for real down to the client: the api and _backups layers are real, and
the client is a small in-memory Cloud Backup account (``FakeCloudBackup``) that answers in
the API's own wire shapes. Time is the shared fake clock (tests/unit/conftest.py), so no
test sleeps.
"""
import contextlib
import json

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _jobs, _module
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import WAKE_TAKES
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    APIError,
    Forbidden,
    NotFound,
    ServerError,
)
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_action

API_KEY = "apikey-0123456789abcdef-secret"  # the shared conftest's credentials
ALPHA, BETA = 300001, 300002
NIGHTLY, WEEKLY, BETA_NIGHTLY, RETIRED = 400001, 400002, 400003, 400004
FIRST_NEW_ID = 368785
RUN_TO_COMPLETION = ("StartRequested", "Queued", "InProgress", "Completed")
DICT_METHODS = set(dir(dict))


class FakeResponse:
    def __init__(self, text, url, status_code=200):
        self.text = text
        self.url = url
        self.status_code = status_code


def wire_date(seconds):
    return "/Date(%d)/" % (seconds * 1000)


class FakeCloudBackup:
    """Stands for the client: one account, behind the two client methods the api layer calls.

    A backup is a list of states; each look at it (GET backup/{id}, the account's activity
    feed, which a wait reads) answers the current one and moves on, the last one repeating,
    while an agent's feed only looks. Agent statuses work alike.
    """

    # What the modules ask of the client itself: the secrets it holds (masked when a task
    # fails), a bound on its retries during a wait, and how many requests the rate limit refused.
    secrets = ()
    timeout = 30.0
    retrying_within = staticmethod(lambda seconds: contextlib.nullcontext())
    rate_limited = 0

    def __init__(self, clock):
        self.clock = clock
        self.calls = []
        self.agents = {ALPHA: agent_record(ALPHA, "alpha"), BETA: agent_record(BETA, "beta")}
        self.statuses = {ALPHA: ["Online"], BETA: ["Online"]}
        self.configurations = {
            NIGHTLY: configuration_record(NIGHTLY, "nightly", ALPHA),
            WEEKLY: configuration_record(WEEKLY, "weekly", ALPHA),
            BETA_NIGHTLY: configuration_record(BETA_NIGHTLY, "nightly", BETA),
            RETIRED: configuration_record(RETIRED, "retired", BETA, deleted=True),
        }
        self.backups = {}
        self.completed = {}
        self.new_run = list(RUN_TO_COMPLETION)
        self.start_failures = []
        self.next_id = FIRST_NEW_ID

    # --- scenario set-up ---

    def add_backup(self, backup_id, configuration_id, states, completed_ago=None):
        self.backups[backup_id] = {"configuration": configuration_id, "states": list(states), "at": 0,
                                   "current": states[0], "created": self.clock.time() - (completed_ago or 0) - 5}
        if completed_ago is not None:
            self.completed.setdefault(configuration_id, []).append((backup_id, self.clock.time() - completed_ago))

    # --- what the test asserts on ---

    def writes(self):
        return [call for call in self.calls if call[0] != "GET"]

    def starts(self):
        return [call for call in self.writes() if call[-1] == "StartManual"]

    # --- the client interface ---

    def get_json(self, *segments, expect=None):
        self.calls.append(("GET",) + segments)
        return self._answer(segments)

    def request(self, method, *segments, body=None, retry=None):
        self.calls.append((method,) + segments + ((body or {}).get("Action"),))
        if segments == ("user", "wakeupagents"):
            return FakeResponse("", self.url(segments))
        if body["Action"] == "StartManual":
            return self._start(body["Id"], self.url(segments))
        return self._stop(body["Id"], self.url(segments))

    # --- behind the scenes ---

    @staticmethod
    def url(segments):
        return "https://dfw.backup.example/v1.0/123456/" + "/".join(str(part) for part in segments)

    def _answer(self, segments):
        head, rest = segments[0], segments[1:]
        if head == "agent":
            return self._agent(rest[0])
        if head == "backup-configuration":
            return self._configurations(rest)
        if head == "activity":  # the account's feed, which a wait reads
            return [self._activity_item(backup_id, self._look(backup_id)) for backup_id in sorted(self.backups, reverse=True)]
        if head == "system":  # an agent's feed
            return [self._activity_item(backup_id, self._state(backup_id)) for backup_id in sorted(self.backups, reverse=True)
                    if self.configurations[self.backups[backup_id]["configuration"]]["MachineAgentId"] == rest[1]]
        if rest[0] == "completed":
            return [{"BackupId": backup_id, "BackupConfigurationId": rest[1], "CompletedTime": wire_date(when),
                     "NumErrors": 0} for backup_id, when in self.completed.get(rest[1], [])]
        if rest[0] == "report":
            return self._report(rest[1])
        return self._backup(rest[0])

    def _agent(self, agent_id):
        statuses = self.statuses[agent_id]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return dict(self.agents[agent_id], Status=status)

    def _configurations(self, rest):
        if not rest:
            return list(self.configurations.values())
        if rest[0] == "system":
            return [item for item in self.configurations.values() if item["MachineAgentId"] == rest[1]]
        if rest[0] not in self.configurations:
            raise NotFound(404, "GET", self.url(("backup-configuration",) + rest), '{"message": "not found"}')
        return self.configurations[rest[0]]

    def _state(self, backup_id):
        """The state last shown by GET backup/{id}: the other reads never move a backup on."""
        return self.backups[backup_id]["current"]

    def _look(self, backup_id):
        """The backup's state at a look that moves it on (its GET, the account's feed)."""
        backup = self.backups[backup_id]
        state = backup["current"] = backup["states"][backup["at"]]
        backup["at"] = min(backup["at"] + 1, len(backup["states"]) - 1)
        return state

    def _backup(self, backup_id):
        if backup_id not in self.backups:
            raise NotFound(404, "GET", self.url(("backup", backup_id)), '{"message": "not found"}')
        backup = self.backups[backup_id]
        state = self._look(backup_id)
        configuration = self.configurations[backup["configuration"]]
        return {"BackupId": backup_id, "BackupConfigurationId": backup["configuration"],
                "BackupConfigurationName": configuration["BackupConfigurationName"],
                "MachineAgentId": configuration["MachineAgentId"], "CurrentState": state,
                "StateChangeTime": wire_date(self.clock.time())}

    def _report(self, backup_id):
        state = self._state(backup_id)
        if state not in ("Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed"):
            raise NotFound(404, "GET", self.url(("backup", "report", backup_id)), "")
        errors = 2 if state == "CompletedWithErrors" else 0
        return {"BackupId": backup_id, "State": state, "Reason": "Success" if state.startswith("Completed") else state,
                "Diagnostics": "No errors" if state == "Completed" else "Something went wrong",
                "NumErrors": errors, "FilesBackedUp": "6", "BytesBackedUp": "178.1 MB", "Duration": "00:00:05",
                "ErrorList": [{"Path": "/locked/%d" % index} for index in range(errors)]}

    def _activity_item(self, backup_id, state):
        backup = self.backups[backup_id]
        return {"ID": backup_id, "Type": "Backup", "ParentId": backup["configuration"],
                "CurrentState": state, "TimeOfActivity": wire_date(backup["created"])}

    def _start(self, configuration_id, url):
        failure = self.start_failures.pop(0) if self.start_failures else None
        if failure == "forbidden":
            raise Forbidden(403, "POST", url, "agent not connected")
        backup_id = self.next_id
        self.next_id += 1
        self.add_backup(backup_id, configuration_id, self.new_run)
        self.backups[backup_id]["created"] = self.clock.time()
        if failure == "lost":  # accepted, but the reply never arrived
            raise ServerError(502, "POST", url, "bad gateway")
        return FakeResponse(str(backup_id), url)

    def _stop(self, backup_id, url):
        if backup_id not in self.backups:
            raise NotFound(404, "POST", url, "")
        backup = self.backups[backup_id]
        if self._state(backup_id) in ("Completed", "CompletedWithErrors", "Failed", "Stopped"):
            raise APIError(400, "POST", url, "already finished")
        backup["states"][backup["at"]:] = ["StopRequested", "Stopped"]
        return FakeResponse("", url, 204)


def agent_record(agent_id, name, disabled=False):
    return {"MachineAgentId": agent_id, "MachineName": name, "IsDisabled": disabled, "AgentVersion": "1.10.006176"}


def configuration_record(configuration_id, name, agent_id, deleted=False):
    return {"BackupConfigurationId": configuration_id, "BackupConfigurationName": name, "MachineAgentId": agent_id,
            "MachineName": {ALPHA: "alpha", BETA: "beta"}[agent_id], "IsActive": True, "IsDeleted": deleted}


@pytest.fixture
def clock(monkeypatch, fake_clock):
    """The shared fake clock, as the module's ``time``."""
    monkeypatch.setattr(cloudbackup_action, "time", fake_clock)
    return fake_clock


@pytest.fixture
def account(monkeypatch, clock):
    fake = FakeCloudBackup(clock)
    monkeypatch.setattr(_module, "CloudBackupClient", lambda params, **_hooks: fake)
    return fake


@pytest.fixture
def run(run_module, account):
    """Run the module with these args (credentials, region and a 5 s poll added) and return its result."""
    def run_action(args, check_mode=False, diff=False):
        arguments = dict({"region": "DFW", "poll_interval": 5}, **args)
        arguments.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
        return run_module(cloudbackup_action, arguments)
    return run_action


START = {"action": "start", "configuration_id": NIGHTLY}


# --- start -------------------------------------------------------------------------------

def test_start_posts_once_and_waits_until_the_backup_ends(run, account, clock):
    result = run(START)

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"], result["backup_id"], result["state"]) == (
        True, "started", FIRST_NEW_ID, "Completed")
    assert account.starts() == [("POST", "backup", "action-requested", "StartManual")]
    assert result["backup"]["backup_configuration_name"] == "nightly"
    assert result["report"]["files_backed_up"] == 6
    assert (result["polls"], result["elapsed"], result["timed_out"]) == (4, 15.0, False)


def test_start_by_name_within_an_agent(run, account):
    result = run({"action": "start", "configuration_name": "nightly", "agent_id": BETA})

    assert result["outcome"] == "started"
    assert result["backup"]["backup_configuration_id"] == BETA_NIGHTLY


def test_start_attaches_to_the_backup_in_flight(run, account):
    account.add_backup(5000, NIGHTLY, ["InProgress", "InProgress", "Completed"])

    result = run(START)

    assert (result["changed"], result["outcome"], result["backup_id"], result["state"]) == (
        False, "attached", 5000, "Completed")
    assert account.writes() == []


def test_a_finished_backup_is_not_attached_to(run, account):
    account.add_backup(5000, NIGHTLY, ["Completed"], completed_ago=60)

    result = run(START)

    assert (result["outcome"], result["backup_id"]) == ("started", FIRST_NEW_ID)


@pytest.mark.parametrize("state, ago, window, allow_errors, expected", [
    ("Completed", 3600, 7200, True, "fresh"),
    ("Completed", 3600, 1800, True, "started"),
    ("CompletedWithErrors", 600, 7200, True, "fresh"),
    ("CompletedWithErrors", 600, 7200, False, "started"),
])
def test_skip_if_completed_within(run, account, state, ago, window, allow_errors, expected):
    account.add_backup(5000, NIGHTLY, [state], completed_ago=ago)

    result = run(dict(START, skip_if_completed_within=window, allow_completed_with_errors=allow_errors))

    assert result["outcome"] == expected
    if expected == "fresh":
        assert (result["changed"], result["backup_id"], result["state"], result["polls"]) == (False, 5000, state, 0)
        assert result["report"]["state"] == state
        assert account.writes() == []
    else:
        assert len(account.starts()) == 1


def test_fresh_takes_an_older_good_backup_behind_a_newer_one_with_errors(run, account):
    account.add_backup(5000, NIGHTLY, ["Completed"], completed_ago=3000)
    account.add_backup(5001, NIGHTLY, ["CompletedWithErrors"], completed_ago=100)

    result = run(dict(START, skip_if_completed_within=7200, allow_completed_with_errors=False))

    assert (result["outcome"], result["backup_id"]) == ("fresh", 5000)


@pytest.mark.parametrize("args, expected", [
    ({"configuration_name": "nightly"},
     '2 live backup configurations are named "nightly": 400001 (agent 300001, alpha), 400003 (agent 300002, beta)'),
    ({"configuration_name": "Nightly"}, 'no live backup configuration is named "Nightly" (names in use: "nightly", "weekly")'),
    ({"configuration_name": "retired"}, 'no live backup configuration is named "retired"'),
    ({"configuration_name": "weekly", "agent_id": BETA},
     'no live backup configuration of agent 300002 is named "weekly" (names in use: "nightly")'),
    ({"configuration_id": RETIRED}, "backup configuration 400004 (retired) is deleted"),
    ({"configuration_id": 999}, "backup configuration 999 not found"),
    ({"configuration_id": NIGHTLY, "agent_id": BETA}, "backup configuration 400001 belongs to agent 300001, not to agent_id 300002"),
])
def test_a_configuration_that_is_not_exactly_one_live_one_fails_clearly(run, account, args, expected):
    result = run(dict(args, action="start"))

    assert result["failed"] is True
    assert expected in result["msg"]
    assert account.writes() == []


def test_a_disabled_agent_fails_before_any_start(run, account):
    account.agents[ALPHA]["IsDisabled"] = True
    account.statuses[ALPHA] = ["Offline"]

    result = run(START)

    assert result["failed"] is True
    assert result["msg"] == "agent 300001 (alpha) is disabled: it runs no backups until it is enabled again"
    assert account.writes() == []


def test_an_offline_agent_is_waited_for_then_the_start_goes_ahead(run, account, clock):
    account.statuses[ALPHA] = ["Offline", "Offline", "Online"]

    result = run(dict(START, poll_interval=2))

    assert result["outcome"] == "started"
    assert clock.sleeps[:2] == [2, 2]
    assert len(account.starts()) == 1


def test_an_agent_that_stays_offline_fails_telling_to_wake_it(run, account, clock):
    account.statuses[ALPHA] = ["Offline"]

    result = run(dict(START, online_timeout=30, poll_interval=10))

    assert result["failed"] is True
    assert result["msg"] == ("agent 300001 (alpha) is Offline after waiting 30 seconds: "
                             "run this module with action=wake_agents and agent_id=300001 first")
    assert account.writes() == []
    assert clock.elapsed == 30


def test_online_timeout_zero_fails_at_once(run, account, clock):
    account.statuses[ALPHA] = ["Offline"]

    result = run(dict(START, online_timeout=0))

    assert result["msg"].startswith("agent 300001 (alpha) is Offline: run this module with action=wake_agents")
    assert clock.sleeps == []


def test_the_403_race_after_a_wake_is_ridden_out(run, account, clock):
    account.start_failures = ["forbidden", "forbidden"]

    result = run(START)

    assert (result["outcome"], result["backup_id"]) == ("started", FIRST_NEW_ID)
    assert len(account.starts()) == 3
    assert len(account.backups) == 1


def test_a_start_whose_reply_was_lost_is_found_in_the_activity_feed_not_repeated(run, account):
    account.start_failures = ["lost"]

    result = run(START)

    assert (result["outcome"], result["backup_id"], result["state"]) == ("started", FIRST_NEW_ID, "Completed")
    assert len(account.starts()) == 1
    assert list(account.backups) == [FIRST_NEW_ID]


# --- waiting -----------------------------------------------------------------------------

@pytest.mark.parametrize("end, allow_errors, fails", [
    ("Completed", True, False),
    ("CompletedWithErrors", True, False),
    ("CompletedWithErrors", False, True),
    ("Failed", True, True),
    ("Skipped", True, True),
    ("Missed", True, True),
    ("Stopped", True, True),
])
def test_waiting_ends_at_the_first_final_state_and_judges_it(run, account, end, allow_errors, fails):
    account.new_run = ["Queued", end, "Completed"]  # what comes after the first final state is never seen

    result = run(dict(START, allow_completed_with_errors=allow_errors))

    assert result["state"] == end
    assert result["polls"] == 2
    assert result["report"]["state"] == end
    assert result.get("failed", False) is fails
    if fails:
        assert result["msg"].startswith("backup 368785 ended in state %s: " % end)
        assert result["backup_id"] == FIRST_NEW_ID
        assert result["timed_out"] is False
    if end == "CompletedWithErrors" and fails:
        assert result["msg"].endswith("; allow_completed_with_errors is false")
        assert len(result["report"]["error_list"]) == 2


def test_an_attached_backup_is_judged_like_a_started_one(run, account):
    account.add_backup(5000, NIGHTLY, ["InProgress", "Failed"])

    result = run(START)

    assert result["failed"] is True
    assert (result["backup_id"], result["state"]) == (5000, "Failed")
    assert account.writes() == []


@pytest.mark.parametrize("on_timeout", ["fail", "continue"])
def test_a_wait_that_times_out(run, account, clock, on_timeout):
    account.new_run = ["Queued", "InProgress"]

    result = run(dict(START, wait_timeout=30, poll_interval=10, on_timeout=on_timeout))

    assert (result["timed_out"], result["state"], result["polls"], result["elapsed"]) == (True, "InProgress", 4, 30.0)
    assert result["backup_id"] == FIRST_NEW_ID
    assert clock.elapsed == 30
    if on_timeout == "fail":
        assert result["failed"] is True
        assert result["msg"] == "backup 368785 is still InProgress after 30 seconds and 4 polls; it keeps running"
        assert (result["outcome"], result["backup"]["current_state"]) == ("started", "InProgress")
    else:
        assert not result.get("failed")
        assert (result["changed"], result["outcome"], result["report"]) == (True, "started", None)


def test_a_backup_that_ended_just_after_the_last_poll_has_not_run_out_of_time(run, account, clock):
    account.new_run = ["Queued", "InProgress", "InProgress", "InProgress", "Completed"]  # polls at 0, 10, 20, 30 s

    result = run(dict(START, wait_timeout=30, poll_interval=10))

    assert not result.get("failed"), result.get("msg")
    assert (result["timed_out"], result["state"], result["polls"], result["report"]["state"]) == (
        False, "Completed", 4, "Completed")


def test_no_wait_looks_at_the_backup_once_in_the_feed_then_reads_it(run, account, clock):
    result = run(dict(START, wait=False))

    # The feed's look would see a skipped start give way; the details come a look later (Queued).
    assert (result["outcome"], result["state"], result["polls"], result["elapsed"]) == ("started", "Queued", 0, 0.0)
    assert result["report"] is None and result["backup"]["current_state"] == "Queued"
    assert [call[:2] for call in account.calls if call[0] == "GET"][-2:] == [("GET", "activity"), ("GET", "backup")]
    assert clock.elapsed == 0


# --- stop --------------------------------------------------------------------------------

def test_stop_a_backup_in_flight_and_wait_until_stopped(run, account):
    account.add_backup(5000, NIGHTLY, ["InProgress", "InProgress", "InProgress"])

    result = run({"action": "stop", "backup_id": 5000})

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"], result["state"]) == (True, "stop_requested", "Stopped")
    assert account.writes() == [("POST", "backup", "action-requested", "StopManual")]
    assert result["report"]["state"] == "Stopped"


def test_stop_the_backup_in_flight_of_a_configuration_by_name(run, account):
    account.add_backup(5000, NIGHTLY, ["InProgress"])

    result = run({"action": "stop", "configuration_name": "nightly", "agent_id": ALPHA, "wait": False})

    assert (result["changed"], result["outcome"], result["backup_id"]) == (True, "stop_requested", 5000)
    assert result["state"] in ("StopRequested", "Stopped")


def test_a_backup_that_completes_before_the_stop_is_honoured_is_already_finished(run, account, monkeypatch):
    account.add_backup(5000, NIGHTLY, ["InProgress", "Completed"])
    monkeypatch.setattr(account, "_stop", lambda backup_id, url: FakeResponse("", url, 204))

    result = run({"action": "stop", "backup_id": 5000})

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"], result["state"]) == (False, "already_finished", "Completed")


@pytest.mark.parametrize("state", ["Completed", "Failed", "Stopped"])
def test_stop_of_a_finished_backup_changes_nothing(run, account, state):
    account.add_backup(5000, NIGHTLY, [state], completed_ago=60)

    result = run({"action": "stop", "backup_id": 5000})

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"], result["state"], result["polls"]) == (False, "already_finished", state, 0)
    assert result["report"]["state"] == state
    assert account.writes() == []


def test_stop_refused_because_the_backup_just_ended_is_already_finished(run, account, monkeypatch):
    account.add_backup(5000, NIGHTLY, ["InProgress", "Completed"])

    def refuse(backup_id, url):  # it ended between our read and our stop
        raise APIError(400, "POST", url, "already finished")
    monkeypatch.setattr(account, "_stop", refuse)

    result = run({"action": "stop", "backup_id": 5000})

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"], result["state"]) == (False, "already_finished", "Completed")


@pytest.mark.parametrize("states_after_the_error, fails", [
    (["StopRequested", "Stopped"], False),
    (["InProgress", "StopRequested", "Stopped"], False),  # sent again, and this time it shows
    (["InProgress"] * _jobs.STOP_ATTEMPTS, True),
])
def test_a_stop_whose_reply_was_lost_is_checked_against_the_backup(run, account, monkeypatch, states_after_the_error,
                                                                   fails):
    account.add_backup(5000, NIGHTLY, ["InProgress"] + states_after_the_error)

    def lose_the_reply(backup_id, url):
        raise ServerError(502, "POST", url, "bad gateway")
    monkeypatch.setattr(account, "_stop", lose_the_reply)

    result = run({"action": "stop", "backup_id": 5000, "wait": False})

    assert result.get("failed", False) is fails
    if fails:
        assert "failed with HTTP 502" in result["msg"]
    else:
        assert (result["changed"], result["outcome"]) == (True, "stop_requested")


def test_stop_by_configuration_with_nothing_in_flight(run, account):
    account.add_backup(5000, NIGHTLY, ["Completed"], completed_ago=60)

    result = run({"action": "stop", "configuration_id": NIGHTLY})

    assert (result["changed"], result["outcome"], result["backup_id"], result["state"]) == (
        False, "already_finished", None, None)
    assert account.writes() == []


def test_stop_of_an_unknown_backup_names_it(run, account):
    result = run({"action": "stop", "backup_id": 42})

    assert result["failed"] is True
    assert result["msg"].startswith("backup 42 not found")


# --- wake_agents -------------------------------------------------------------------------

def test_wake_without_agent_posts_once_and_always_changes(run, account):
    result = run({"action": "wake_agents"})

    assert (result["changed"], result["outcome"], result["agent"]) == (True, "woken", None)
    assert account.calls == [("POST", "user", "wakeupagents", None)]


def test_wake_of_an_online_agent_changes_nothing(run, account):
    result = run({"action": "wake_agents", "agent_id": ALPHA})

    assert (result["changed"], result["outcome"], result["agent"]["status"]) == (False, "already_online", "Online")
    assert account.writes() == []
    assert account.calls == [("GET", "agent", ALPHA)]


def test_wake_waits_until_the_agent_is_online(run, account, clock):
    account.statuses[ALPHA] = ["Offline", "Offline", "Offline", "Online"]

    result = run({"action": "wake_agents", "agent_id": ALPHA, "poll_interval": 3})

    assert (result["changed"], result["outcome"], result["agent"]["status"]) == (True, "woken", "Online")
    assert (result["polls"], result["elapsed"], result["timed_out"]) == (3, 6.0, False)
    assert len(account.writes()) == 1


def test_wake_is_posted_again_during_a_long_wait(run, account):
    account.statuses[ALPHA] = ["Offline"] * 10 + ["Online"]

    result = run({"action": "wake_agents", "agent_id": ALPHA, "poll_interval": 10, "online_timeout": 300})

    assert result["outcome"] == "woken"
    # Offline for 90 s (10 reads, 10 s apart): the first wake-up, then one each time WAKE_TAKES
    # (20 s) passed without the agent online, at 20, 40, 60 and 80 s.
    assert WAKE_TAKES == 20
    assert len(account.writes()) == 5


def test_wake_without_waiting(run, account, clock):
    offline(account)

    result = run({"action": "wake_agents", "agent_id": ALPHA, "wait": False})

    assert (result["changed"], result["outcome"], result["polls"], result["agent"]["status"]) == (True, "woken", 0, "Offline")
    assert len(account.writes()) == 1
    assert clock.elapsed == 0


def test_waking_a_disabled_agent_warns(run, account):
    account.agents[ALPHA]["IsDisabled"] = True
    account.statuses[ALPHA] = ["Offline", "Online"]

    result = run({"action": "wake_agents", "agent_id": ALPHA})

    assert result["outcome"] == "woken"
    assert "agent 300001 (alpha) is disabled: it runs no backups even when online" in json.dumps(result["warnings"])


@pytest.mark.parametrize("on_timeout", ["fail", "continue"])
def test_wake_timeout(run, account, on_timeout):
    account.statuses[ALPHA] = ["Offline"]

    result = run({"action": "wake_agents", "agent_id": ALPHA, "online_timeout": 20, "poll_interval": 10,
                  "on_timeout": on_timeout})

    assert (result["timed_out"], result["polls"], result["elapsed"]) == (True, 3, 20.0)
    assert result.get("failed", False) is (on_timeout == "fail")
    if on_timeout == "fail":
        assert result["msg"] == "agent 300001 is still Offline after 20 seconds and 3 polls"
        assert (result["agent_id"], result["agent"]["status"]) == (ALPHA, "Offline")
    else:
        assert (result["changed"], result["agent"]["status"]) == (True, "Offline")


# --- check mode --------------------------------------------------------------------------

def in_flight(account):
    account.add_backup(5000, NIGHTLY, ["InProgress"])


def offline(account):
    account.statuses[ALPHA] = ["Offline"]


@pytest.mark.parametrize("args, prepare, changed, outcome", [
    (START, None, True, "started"),
    (START, in_flight, False, "attached"),
    (START, offline, True, "started"),
    ({"action": "stop", "backup_id": 5000}, in_flight, True, "stop_requested"),
    ({"action": "stop", "configuration_id": NIGHTLY}, None, False, "already_finished"),
    ({"action": "wake_agents"}, None, True, "woken"),
    ({"action": "wake_agents", "agent_id": ALPHA}, None, False, "already_online"),
    ({"action": "wake_agents", "agent_id": ALPHA}, offline, True, "woken"),
])
def test_check_mode_reads_but_never_writes_or_waits(run, account, clock, args, prepare, changed, outcome):
    if prepare:
        prepare(account)

    result = run(args, check_mode=True)

    assert not result.get("failed"), result
    assert (result["changed"], result["outcome"]) == (changed, outcome)
    assert account.writes() == []
    assert clock.sleeps == []
    if args["action"] != "wake_agents":
        assert any(call[0] == "GET" for call in account.calls)


def test_check_mode_start_predicts_no_backup_id_and_warns_about_an_offline_agent(run, account):
    offline(account)

    result = run(START, check_mode=True)

    assert (result["backup_id"], result["backup"], result["state"]) == (None, None, None)
    assert "agent 300001 (alpha) is Offline: run this module with action=wake_agents and agent_id=300001 first" in (
        json.dumps(result["warnings"]))


def test_check_mode_still_validates_the_agent(run, account):
    account.agents[ALPHA]["IsDisabled"] = True

    result = run(START, check_mode=True)

    assert result["failed"] is True
    assert "disabled" in result["msg"]


# --- diff --------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode, after", [
    (True, {"backup_id": None, "state": "StartRequested"}),
    (False, {"backup_id": FIRST_NEW_ID, "state": "Completed"}),
])
def test_start_diff_shows_the_last_run_and_the_new_one(run, account, check_mode, after):
    account.add_backup(5000, NIGHTLY, ["Completed"], completed_ago=60)

    result = run(START, check_mode=check_mode, diff=True)

    assert result["diff"] == {"before": {"backup_id": 5000, "state": "Completed"}, "after": after}


def test_stop_diff(run, account):
    in_flight(account)

    result = run({"action": "stop", "backup_id": 5000}, check_mode=True, diff=True)

    assert result["diff"] == {"before": {"backup_id": 5000, "state": "InProgress"},
                              "after": {"backup_id": 5000, "state": "StopRequested"}}


def test_wake_diff(run, account):
    offline(account)

    result = run({"action": "wake_agents", "agent_id": ALPHA}, check_mode=True, diff=True)

    assert result["diff"] == {"before": {"agent_id": ALPHA, "status": "Offline"},
                              "after": {"agent_id": ALPHA, "status": "Online"}}


def test_no_diff_key_and_no_extra_read_without_diff_mode(run, account):
    result = run(START, check_mode=True)

    assert "diff" not in result
    assert [call for call in account.calls if call[:2] == ("GET", "system")] == [("GET", "system", "activity", ALPHA)]


# --- options -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"action": "start"}, "action is start but any of the following are missing: configuration_id, configuration_name"),
    ({"action": "stop"}, "action is stop but any of the following are missing: backup_id, configuration_id, configuration_name"),
    ({"action": "start", "configuration_id": 1, "configuration_name": "x"}, "mutually exclusive"),
    ({"action": "stop", "backup_id": 1, "configuration_id": 1}, "mutually exclusive"),
    ({"action": "start", "configuration_id": 1, "backup_id": 2}, "mutually exclusive"),
    ({"action": "wake_agents", "configuration_name": "x"}, "configuration_name is not used with action=wake_agents"),
    ({"action": "stop", "backup_id": 1, "skip_if_completed_within": 60}, "skip_if_completed_within is not used with action=stop"),
    ({"action": "start", "configuration_id": "abc"}, "configuration_id"),
    ({"action": "restart", "configuration_id": 1}, "value of action must be one of"),
    ({"action": "start", "configuration_id": 1, "poll_interval": 0}, "poll_interval must be at least 1 second, got 0"),
    ({"action": "start", "configuration_id": 1, "skip_if_completed_within": 0}, "skip_if_completed_within must be at least 1 second"),
    ({"action": "start", "configuration_id": 1, "wait_timeout": -1}, "wait_timeout must not be negative, got -1"),
    ({"action": "wake_agents", "online_timeout": -5}, "online_timeout must not be negative"),
    ({"action": "wake_agents", "region": "mars"}, "region must be one of"),
    ({"action": "wake_agents", "password": "pw-secret"}, "password are mutually exclusive"),
])
def test_bad_options_fail_before_any_http_call(run, account, args, message):
    result = run(args)

    assert result["failed"] is True
    assert message in result["msg"]
    assert account.calls == []
    assert API_KEY not in json.dumps(result)
    assert "pw-secret" not in json.dumps(result)


# --- the result --------------------------------------------------------------------------

@pytest.mark.parametrize("args", [START, {"action": "stop", "backup_id": 5000}, {"action": "wake_agents", "agent_id": ALPHA}])
def test_every_result_key_is_present_and_none_is_a_dict_method(run, account, args):
    in_flight(account)

    result = run(dict(args, wait=False), diff=True)

    expected = {"changed", "outcome", "backup_id", "backup", "state", "report", "agent", "elapsed", "polls",
                "timed_out", "diff"}
    assert expected <= set(result)
    assert not set(result) & DICT_METHODS
    assert API_KEY not in json.dumps(result)
