"""End-to-end: cloudbackup_report run by ansible-playbook against the simulator (scenario test.yml).

History of configuration 400001 "nightly" on agent alpha: 100001 Completed (1 day ago),
100002 CompletedWithErrors with two errors (2 days ago), 100003 Failed (3 days ago).
"""
import os
import re

import pytest
import requests
import yaml
from cloudbackup_simulator import Simulator

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_report

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
IN_FLIGHT = {"StartRequested", "Queued", "Preparing", "InProgress"}
FAST = {"poll_interval": 1}  # the smallest poll_interval allowed
TEST_SCENARIO = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "simulator", "scenarios", "test.yml")


def play(*tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def report(name, ignore_errors=False, **args):
    task = {"name": name, "rackspace.cloudbackup.cloudbackup_report": args}
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def start_backup(simulator, configuration_id):
    """Wake the agents and start a backup through the API, as cloudbackup_action would; return its id."""
    return start_backups(simulator, configuration_id, 1)[0]


def start_backups(simulator, configuration_id, count):
    """Wake the agents and start ``count`` backups at once; all but the first end Skipped."""
    info = simulator.info
    session = requests.Session()
    login = session.post(info["identity_url"] + "tokens", json={"auth": {"RAX-KSKEY:apiKeyCredentials": {
        "username": info["username"], "apiKey": info["api_key"]}}}, timeout=10)
    session.headers["X-Auth-Token"] = login.json()["access"]["token"]["id"]
    session.post(info["endpoint"] + "/user/wakeupagents", timeout=10).raise_for_status()
    simulator.advance(3)  # the scenario's wake delay is 2 s
    ids = []
    for _start in range(count):
        started = session.post(info["endpoint"] + "/backup/action-requested",
                               json={"Action": "StartManual", "Id": configuration_id}, timeout=10)
        started.raise_for_status()
        ids.append(int(started.text))
    return ids


def backup_ids(simulator, route):
    return [int(entry["path"].rstrip("/").rsplit("/", 1)[-1]) for entry in simulator.requests(route=route)]


def test_report_of_history_backups(run_playbook, simulator):
    run = run_playbook(play(
        report("clean", backup_id=100001),
        report("with errors", backup_id=100002),
        report("failed", backup_id=100003),
    ))

    assert run.rc == 0, run.output
    clean = run.result("clean")
    assert (clean["state"], clean["healthy"], clean["errors"], clean["gate_passed"]) == ("Completed", True, [], None)
    assert clean["summary"] == "nightly (backup 100001): Completed, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, 0 errors, 5s"
    body = clean["report"]
    assert (body["backup_id"], body["files_searched"], body["bytes_searched"], body["bytes_searched_text"]) == (
        100001, 11936, 3972844748, "3.7 GB")
    assert (body["duration_seconds"], body["reason"], body["diagnostics"]) == (5, "Success", "No errors")
    assert ISO_UTC.match(body["start_time"]) and ISO_UTC.match(body["completed_time"])

    with_errors = run.result("with errors")
    assert (with_errors["state"], with_errors["healthy"], with_errors["report"]["num_errors"]) == (
        "CompletedWithErrors", False, 2)
    assert [error["path"] for error in with_errors["errors"]] == ["/var/lib/app/locked.db", "/var/lib/app/journal"]
    assert with_errors["summary"] == ("nightly (backup 100002): CompletedWithErrors, 6 of 11936 files and 178.1 MB "
                                      "of 3.7 GB backed up, 2 errors, 5s")

    failed = run.result("failed")
    assert (run.status("failed"), failed["state"], failed["healthy"]) == ("ok", "Failed", False)
    # One read of the state, then one of the report, per backup.
    assert backup_ids(simulator, "backup.get") == [100001, 100002, 100003]
    assert backup_ids(simulator, "backup.report") == [100001, 100002, 100003]


def test_latest_backup_of_a_configuration(run_playbook, simulator):
    run = run_playbook(play(
        report("by name", configuration_name="nightly", agent_id=300001),
        report("by id", configuration_id=400001),
        report("never ran", configuration_id=400003),
        report("ambiguous", ignore_errors=True, configuration_name="nightly"),
    ))

    assert run.result("by name")["backup_id"] == run.result("by id")["backup_id"] == 100001
    never = run.result("never ran")
    assert (run.status("never ran"), never["backup_id"], never["report"], never["summary"]) == (
        "ok", None, None, "nightly: no backup yet")
    assert run.result("ambiguous")["msg"].startswith('2 live backup configurations are named "nightly"')


def test_gate(run_playbook, simulator):
    both = ["Completed", "CompletedWithErrors"]
    run = run_playbook(play(
        report("clean passes", backup_id=100001, gate=True),
        report("errors fail by default", ignore_errors=True, backup_id=100002, gate=True),
        report("errors accepted", backup_id=100002, gate=True, acceptable_states=both, max_errors=2),
        report("too many errors", ignore_errors=True, backup_id=100002, gate=True, acceptable_states=both, max_errors=1),
        report("failed fails", ignore_errors=True, backup_id=100003, gate=True, acceptable_states=both),
    ))

    assert run.result("clean passes")["gate_passed"] is True
    assert run.result("errors accepted")["gate_passed"] is True
    for task, why in [("errors fail by default", "state CompletedWithErrors is not one of the acceptable states (Completed)"),
                      ("too many errors", "2 errors, more than max_errors (1)"),
                      ("failed fails", "state Failed is not one of the acceptable states (Completed, CompletedWithErrors)")]:
        result = run.result(task)
        assert run.status(task) == "failed"
        assert result["msg"] == "%s; gate failed: %s" % (result["summary"], why)
        assert result["gate_passed"] is False
        assert result["report"]["backup_id"] in (100002, 100003)
    assert len(run.result("too many errors")["errors"]) == 2


def test_wait_for_the_report_of_a_backup_started_just_before(run_playbook, simulator):
    backup_id = start_backup(simulator, 400001)

    run = run_playbook(play(
        report("right away", backup_id=backup_id),
        report("gate while running", ignore_errors=True, backup_id=backup_id, gate=True),
        report("waited", backup_id=backup_id, wait=True, wait_timeout=60, gate=True, **FAST),
    ))

    right_away = run.result("right away")
    if right_away["report"] is None:  # the backup runs for 5 s: normally still running here
        assert right_away["state"] in IN_FLIGHT
        assert right_away["summary"].endswith("no report yet")
        assert run.result("gate while running")["msg"].endswith("gate failed: no report yet (state %s)"
                                                                % run.result("gate while running")["state"])
    waited = run.result("waited")
    assert run.status("waited") == "ok", run.output
    assert (waited["backup_id"], waited["state"], waited["healthy"], waited["gate_passed"]) == (
        backup_id, "Completed", True, True)
    assert waited["timed_out"] is False and waited["polls"] >= 1
    # The report is read only once the backup is final: the last read, after every state read.
    reports = simulator.requests(route="backup.report")
    assert [entry["status"] for entry in reports][-1] == 200
    assert reports[-1]["seq"] > max(entry["seq"] for entry in simulator.requests(route="backup.get"))


def test_a_report_that_lags_the_final_state_is_looked_for_again(run_playbook, simulator):
    simulator.add_fault(route="backup.report", status=404, count=2)

    run = run_playbook(play(report("waited", backup_id=100001, wait=True, wait_timeout=30, **FAST)))

    waited = run.result("waited")
    assert (waited["polls"], waited["healthy"], waited["timed_out"]) == (1, True, False)
    assert [entry["status"] for entry in simulator.requests(route="backup.report")] == [404, 404, 200]


def test_a_wait_that_times_out_fails_or_continues(run_playbook, simulator):
    backup_id = start_backup(simulator, 400001)

    run = run_playbook(play(
        report("continue", backup_id=backup_id, wait=True, wait_timeout=0, on_timeout="continue", gate=True, **FAST),
        report("fail", ignore_errors=True, backup_id=backup_id, wait=True, wait_timeout=0, **FAST),
    ))

    go_on, give_up = run.result("continue"), run.result("fail")
    if go_on["report"] is None:  # normally still running (the backup takes 5 s)
        assert (run.status("continue"), go_on["timed_out"], go_on["gate_passed"]) == ("ok", True, None)
        assert go_on["state"] in IN_FLIGHT
    if give_up["report"] is None:
        assert (run.status("fail"), give_up["timed_out"]) == ("failed", True)
        assert "gave up waiting for the report after 0 seconds and 1 polls" in give_up["msg"]


def test_check_mode_reads_all_the_same(run_playbook, simulator):
    run = run_playbook(play(report("checked", backup_id=100002)), "--check")

    assert (run.status("checked"), run.result("checked")["state"]) == ("ok", "CompletedWithErrors")


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_report.EXAMPLES)
    playbook = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                "vars": {"started": {"backup_id": 100001}}, "tasks": examples}])

    run = run_playbook(playbook)

    assert run.rc == 0, run.output
    assert len(run.results) == len(examples)
    assert run.result("Show it in one line")["msg"].startswith("nightly (backup 100002): CompletedWithErrors")


@pytest.fixture(scope="module")
def no_report_simulator():
    """test.yml where a run that never started (Skipped, Missed) has no report at all."""
    with open(TEST_SCENARIO, encoding="utf-8") as handle:
        scenario = yaml.safe_load(handle)
    scenario["settings"]["report_for_unrun"] = 404
    with Simulator(scenario=scenario, speed=1.0) as simulator:
        yield simulator


class TestRunsWithoutAReport:

    @pytest.fixture
    def simulator(self, no_report_simulator):
        no_report_simulator.reset()
        return no_report_simulator

    def test_the_wait_ends_with_a_skipped_backup_and_no_report(self, run_playbook, simulator):
        skipped = start_backups(simulator, 400001, 2)[1]

        run = run_playbook(play(report("waited", ignore_errors=True, backup_id=skipped, wait=True, wait_timeout=120,
                                       gate=True, **FAST)))

        waited = run.result("waited")
        assert (waited["state"], waited["report"], waited["timed_out"]) == ("Skipped", None, False), run.output
        # It ends with the backup, after a few seconds' looks for the report, not at the timeout.
        assert waited["elapsed"] < 10
        assert [entry["status"] for entry in simulator.requests(route="backup.report")] == [404] * 3
        assert (run.status("waited"), waited["gate_passed"]) == ("failed", False)
        assert waited["msg"].endswith("Skipped, no report; gate failed: no report (state Skipped)")
