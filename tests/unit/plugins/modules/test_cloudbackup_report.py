"""Tests for modules/cloudbackup_report.py: finding the backup, waiting on a fake clock, judging, gating."""

import pytest
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _jobs
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import Forbidden
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_report

ALPHA, BETA = 300001, 300002
CLEAN = "nightly (backup 100001): Completed, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, 0 errors, 4m33s"
WITH_ERRORS = ("nightly (backup 100002): CompletedWithErrors, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, "
               "2 errors, 4m33s")
RESULT_KEYS = {"changed", "backup_id", "state", "backup", "report", "errors", "healthy", "summary", "gate_passed",
               "elapsed", "polls", "timed_out"}


@pytest.fixture
def api(fake_api, monkeypatch):
    fake_api.install(monkeypatch, cloudbackup_report)
    fake_api.agents = {ALPHA: fake_api.agent(ALPHA, "alpha"), BETA: fake_api.agent(BETA, "beta")}
    fake_api.configurations = {
        400001: fake_api.configuration(400001, "nightly", ALPHA, last_run=100001),
        400002: fake_api.configuration(400002, "weekly", ALPHA),
        400003: fake_api.configuration(400003, "nightly", BETA),
        400005: fake_api.configuration(400005, "never run", BETA),
    }
    fake_api.completed = {400002: [{"backup_id": 100003}, {"backup_id": 100002}]}
    fake_api.finished(100001, fake_api.report(100001))
    fake_api.finished(100002, fake_api.report(100002, "CompletedWithErrors", errors=2))
    fake_api.finished(100003, fake_api.report(100003, "Failed", reason="Failed", diagnostics="The backup failed"))
    fake_api.states[100004] = ["InProgress"]
    return fake_api


@pytest.fixture
def clock(fake_clock, monkeypatch):
    """The module's time (its waits and the looks for a late report) on the shared fake clock."""
    monkeypatch.setattr(cloudbackup_report, "time", fake_clock)
    return fake_clock


def get_report(run_module, **args):
    return run_module(cloudbackup_report, args)


# --- which backup --------------------------------------------------------------------------

def test_report_of_a_finished_backup(run_module, api):
    result = get_report(run_module, backup_id=100001)

    assert set(result) >= RESULT_KEYS
    assert result["changed"] is False
    assert (result["backup_id"], result["state"], result["healthy"]) == (100001, "Completed", True)
    assert result["report"] == api.report(100001)
    assert result["backup"]["current_state"] == "Completed"
    assert result["errors"] == []
    assert result["summary"] == CLEAN
    assert result["gate_passed"] is None
    assert (result["elapsed"], result["polls"], result["timed_out"]) == (0, 1, False)
    assert [call[0] for call in api.calls] == ["get_backup", "get_report"]


def test_report_with_errors_is_not_healthy_and_lists_them(run_module, api):
    result = get_report(run_module, backup_id=100002)

    assert (result["state"], result["healthy"]) == ("CompletedWithErrors", False)
    assert [error["path"] for error in result["errors"]] == ["/var/lib/app/file0", "/var/lib/app/file1"]
    assert result["summary"] == WITH_ERRORS
    assert "failed" not in result


def test_a_failed_backup_is_reported_without_failing_the_task(run_module, api):
    result = get_report(run_module, backup_id=100003)

    assert "failed" not in result
    assert (result["state"], result["healthy"]) == ("Failed", False)


@pytest.mark.parametrize("args, backup_id", [
    ({"configuration_id": 400001}, 100001),
    ({"configuration_name": "nightly", "agent_id": ALPHA}, 100001),
    ({"configuration_id": 400002}, 100003),
    ({"configuration_name": "weekly"}, 100003),
])
def test_latest_backup_of_a_configuration_is_its_last_run_or_else_its_newest_completed(run_module, api, args, backup_id):
    result = get_report(run_module, **args)

    assert result["backup_id"] == backup_id
    assert result["report"]["backup_id"] == backup_id


def test_a_configuration_without_backups_returns_no_report(run_module, api):
    result = get_report(run_module, configuration_id=400005)

    assert "failed" not in result
    assert (result["backup_id"], result["state"], result["backup"], result["report"]) == (None, None, None, None)
    assert result["summary"] == "never run: no backup yet"
    assert (result["healthy"], result["polls"]) == (False, 0)


def test_a_name_of_several_configurations_fails_clearly(run_module, api):
    result = get_report(run_module, configuration_name="nightly")

    assert result["failed"] is True
    assert result["msg"].startswith('2 live backup configurations are named "nightly"')
    assert result["configuration_ids"] == [400001, 400003]


def test_an_unknown_backup_fails_naming_it(run_module, api):
    result = get_report(run_module, backup_id=42)

    assert result["failed"] is True
    assert result["msg"].startswith("backup 42 not found")


# --- a backup that has not finished ------------------------------------------------------

def test_a_running_backup_without_wait_gives_its_state_and_no_report(run_module, api):
    result = get_report(run_module, backup_id=100004)

    assert "failed" not in result
    assert (result["state"], result["report"], result["errors"], result["healthy"]) == ("InProgress", None, [], False)
    assert result["summary"] == "nightly (backup 100004): InProgress, no report yet"
    assert api.called("get_report") == []


def test_waiting_polls_the_state_then_fetches_the_report(run_module, api, clock):
    api.states[100005] = ["Queued", "Preparing", "InProgress", "Completed"]
    api.reports[100005] = api.report(100005)

    result = get_report(run_module, backup_id=100005, wait=True, poll_interval=5, wait_timeout=60)

    assert (result["state"], result["healthy"], result["timed_out"]) == ("Completed", True, False)
    assert (result["polls"], result["elapsed"]) == (4, 15)
    assert clock.sleeps == [5, 5, 5]
    # A backup given by id alone is read on its own (no feed), and once more for the result.
    assert [call[0] for call in api.calls] == ["get_backup"] * 4 + ["get_report", "get_backup"]


def test_a_report_that_lags_the_final_state_is_looked_for_again(run_module, api, clock):
    api.states[100005] = ["Completed"]

    def report_on_second_look(backup_id):
        return api.report(backup_id) if len(api.called("get_report")) > 1 else None
    api._get_report = report_on_second_look

    result = get_report(run_module, backup_id=100005, wait=True, poll_interval=2, wait_timeout=60)

    assert (result["polls"], result["report"]["backup_id"]) == (1, 100005)
    assert clock.sleeps == [_jobs.REPORT_LOOK_DELAY]


@pytest.mark.parametrize("unrun", ["Skipped", "Missed"])
def test_the_wait_ends_with_a_backup_that_never_ran_and_has_no_report(run_module, api, clock, unrun):
    api.states[100005] = ["Queued", unrun]

    result = get_report(run_module, backup_id=100005, wait=True, poll_interval=5, wait_timeout=3600, gate=True)

    assert (result["state"], result["report"], result["timed_out"], result["polls"]) == (unrun, None, False, 2)
    assert clock.sleeps == [5] + [_jobs.REPORT_LOOK_DELAY] * (_jobs.REPORT_LOOKS - 1)
    assert result["failed"] is True
    assert result["msg"] == "nightly (backup 100005): %s, no report; gate failed: no report (state %s)" % (unrun, unrun)


def test_a_backup_forbidden_during_the_wait_fails_the_task_with_that_error(run_module, api, clock):
    api.states[100005] = ["InProgress"]
    url = "https://dfw.backup.example.com/v1.0/123456/backup/100005"
    answers = [Forbidden(403, "GET", url, "", msg="GET %s returned HTTP 403" % url)]

    def forbidden_once(backup_id):
        if answers:
            raise answers.pop()
        return api.backup(backup_id, 400001, "InProgress")
    api._get_backup = forbidden_once

    result = get_report(run_module, backup_id=100005, wait=True, poll_interval=5, wait_timeout=60)

    assert result["failed"] is True and result["msg"] == "GET %s returned HTTP 403" % url


def test_a_wait_that_times_out_fails_by_default_with_the_last_state(run_module, api, clock):
    result = get_report(run_module, backup_id=100004, wait=True, poll_interval=3, wait_timeout=10)

    assert result["failed"] is True
    assert result["msg"] == ("nightly (backup 100004): InProgress, no report yet; "
                             "gave up waiting for the report after 10 seconds and 5 polls")
    assert (result["timed_out"], result["state"], result["report"], result["polls"]) == (True, "InProgress", None, 5)
    assert clock.sleeps == [3, 3, 3, 1]


def test_a_backup_that_ended_just_after_the_last_poll_has_not_run_out_of_time(run_module, api, clock):
    api.states[100005] = ["InProgress"] * 3 + ["Completed"]  # polls at 0, 3 and 6 s, then the details
    api.reports[100005] = api.report(100005)

    result = get_report(run_module, backup_id=100005, wait=True, poll_interval=3, wait_timeout=6, gate=True)

    assert (result["timed_out"], result["state"], result["gate_passed"], result["polls"]) == (False, "Completed", True, 3)
    assert result["report"]["backup_id"] == 100005 and result["backup"]["current_state"] == "Completed"


def test_a_wait_that_times_out_can_continue(run_module, api, clock):
    result = get_report(run_module, backup_id=100004, wait=True, poll_interval=3, wait_timeout=10, on_timeout="continue")

    assert "failed" not in result
    assert (result["timed_out"], result["state"], result["elapsed"]) == (True, "InProgress", 10)


@pytest.mark.parametrize("on_timeout, failed, gate_passed", [("continue", False, None), ("fail", True, False)])
def test_a_gate_has_no_verdict_on_a_wait_that_continues(run_module, api, clock, on_timeout, failed, gate_passed):
    result = get_report(run_module, backup_id=100004, wait=True, poll_interval=3, wait_timeout=6,
                        on_timeout=on_timeout, gate=True)

    assert result.get("failed", False) is failed
    assert result["gate_passed"] is gate_passed


def test_wait_false_is_the_default_in_the_spec_and_in_the_documentation():
    documented = yaml.safe_load(cloudbackup_report.DOCUMENTATION)["options"]["wait"]

    assert cloudbackup_report.argument_spec()["wait"]["default"] is False
    assert documented["default"] is False


# --- gate ------------------------------------------------------------------------------

@pytest.mark.parametrize("backup_id, gate_args, why", [
    (100001, {}, None),
    (100002, {}, "state CompletedWithErrors is not one of the acceptable states (Completed)"),
    (100002, {"acceptable_states": ["Completed", "CompletedWithErrors"]}, None),
    (100002, {"acceptable_states": ["completed", "completed witherrors"], "max_errors": 2}, None),
    (100002, {"acceptable_states": ["Completed", "CompletedWithErrors"], "max_errors": 1},
     "2 errors, more than max_errors (1)"),
    (100002, {"acceptable_states": ["CompletedWithErrors"], "max_errors": 0}, "2 errors, more than max_errors (0)"),
    (100003, {"acceptable_states": ["Completed", "CompletedWithErrors"]},
     "state Failed is not one of the acceptable states (Completed, CompletedWithErrors)"),
    (100004, {}, "no report yet (state InProgress)"),
])
def test_gate(run_module, api, backup_id, gate_args, why):
    result = get_report(run_module, backup_id=backup_id, gate=True, **gate_args)

    assert result["gate_passed"] is (why is None)
    if why is None:
        assert "failed" not in result
    else:
        assert result["failed"] is True
        assert result["msg"] == "%s; gate failed: %s" % (result["summary"], why)
        assert set(result) >= RESULT_KEYS


def test_a_failed_gate_still_returns_the_report_summary_and_errors(run_module, api):
    result = get_report(run_module, backup_id=100002, gate=True)

    assert result["failed"] is True
    assert result["msg"].startswith(WITH_ERRORS + "; gate failed: ")
    assert result["report"]["num_errors"] == 2
    assert len(result["errors"]) == 2
    assert result["summary"] == WITH_ERRORS


def test_a_gate_on_a_configuration_without_backups_fails(run_module, api):
    result = get_report(run_module, configuration_id=400005, gate=True)

    assert result["failed"] is True
    assert result["msg"] == "never run: no backup yet; gate failed: no backup to check"


# --- options -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({}, "one of the following is required: backup_id, configuration_id, configuration_name, backups"),
    ({"backup_id": 1, "configuration_id": 2},
     "parameters are mutually exclusive: backup_id|configuration_id|configuration_name"),
    ({"configuration_id": 2, "agent_id": 3}, "missing parameter(s) required by 'agent_id': configuration_name"),
    ({"backup_id": 1, "gate": True, "acceptable_states": ["Completed", "Queued", "Done"]},
     "acceptable_states must be final backup states (Completed, CompletedWithErrors, Failed, Missed, Skipped, "
     "Stopped), got Queued, Done"),
    ({"backup_id": 1, "wait": True, "poll_interval": 0}, "poll_interval must be at least 1 second, got 0.0"),
    ({"backup_id": 1, "wait": True, "wait_timeout": -1}, "wait_timeout must not be negative, got -1.0"),
    ({"backup_id": 1, "gate": True, "max_errors": -1}, "max_errors must not be negative, got -1"),
    ({"backup_id": 1, "on_timeout": "stop"}, "value of on_timeout must be one of: fail, continue, got: stop"),
])
def test_bad_options_fail_before_any_api_call(run_module, api, args, message):
    result = get_report(run_module, **args)

    assert result["failed"] is True
    assert result["msg"] == message
    assert api.calls == []


def test_max_errors_without_a_gate_is_ignored_with_a_warning(run_module, api):
    result = get_report(run_module, backup_id=100002, max_errors=0)

    assert "failed" not in result
    assert result["gate_passed"] is None
    assert "max_errors is ignored without gate=true" in str(result["warnings"])


def test_check_mode_reads_all_the_same(run_module, api):
    result = get_report(run_module, backup_id=100001, _ansible_check_mode=True)

    assert (result["changed"], result["healthy"]) == (False, True)


def test_no_return_key_is_a_dict_method_name(run_module, api):
    result = get_report(run_module, backup_id=100001)

    assert not set(result) & set(dir(dict))
    assert not set(yaml.safe_load(cloudbackup_report.RETURN)) & set(dir(dict))


def test_a_batch_backup_that_cannot_be_read_fails_its_gate_alone_saying_why(run_module, simulated_time):
    sim = simulated_time.simulator
    result = run_module(cloudbackup_report, dict(
        backups=[dict(name="alpha", backup_id=100001, configuration_id=400001), dict(name="gone", backup_id=999999)],
        gate=True, wait=True, wait_timeout=60, poll_interval=5,
        username="admin", api_key="admin-key", region="DFW", identity_url=sim.info["identity_url"]), credentials=False)

    assert result["failed"] and result["msg"].startswith("1 of 2 backups failed the gate: backup 999999 could not be "
                                                         "read (backup 999999 not found ("), result["msg"]
    assert "returned HTTP 404" in result["msg"]
    gate = {entry["name"]: entry["result"]["gate_passed"] for entry in result["backups"]}
    assert gate == {"alpha": True, "gone": False}
