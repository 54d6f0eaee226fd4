"""End-to-end tests of the rackspace.cloudbackup.run_backup role against the simulator.

Each test runs the real ansible-playbook on a small inventory of servers (one host per
agent of the test scenario) and asserts on the role's results, on its log output and on
the simulator's request log.

The scenario is simulator/scenarios/test.yml: its agents "slow" (a backup long enough to
time out, attach to and watch progress on) and "locked" (CompletedWithErrors) exist for
these tests.
"""
import re
import sys
from typing import Any, Dict, List, Optional

import pytest
import yaml


PLAYBOOK = """
- name: Back up the servers
  hosts: servers
  gather_facts: false
  roles:
    - rackspace.cloudbackup.run_backup
"""

# Fast polling: the test scenario's backups take seconds, not hours.
FAST = dict(
    run_backup_poll_interval=1,
    run_backup_online_poll_interval=1,
    run_backup_progress_interval=2,
)

PROGRESS_LINE = re.compile(
    r'^ok: \[(?P<host>[^\]]+) -> localhost\] => \(item=backup (?P<id>\d+) of "(?P<name>[^"]+)": '
    r"(?P<state>\w+), (?P<elapsed>(?:\d+h)?(?:\d+m)?\d+s) elapsed\)$",
    re.MULTILINE,
)


@pytest.fixture
def servers(tmp_path):
    """Write an inventory of servers (group `servers`) and return the -i arguments."""

    def write(hosts: Dict[str, Dict[str, Any]], **group_vars: Any) -> List[str]:
        inventory = {
            "servers": {
                "hosts": hosts,
                "vars": dict(
                    ansible_connection="local",
                    ansible_python_interpreter=sys.executable,
                    **dict(FAST, **group_vars),
                ),
            }
        }
        path = tmp_path / "servers.yml"
        path.write_text(yaml.safe_dump(inventory))
        return ["-i", str(path)]

    return write


THREE_SERVERS = {
    "alpha": {"run_backup_configuration_name": "nightly"},
    "beta": {"run_backup_configuration_name": "nightly"},
    # racy refuses its first two starts with 403 (the agent race); it has one configuration.
    "racy": {},
}


def role_result(run, host: str) -> Optional[Dict[str, Any]]:
    """The last run_backup_result the role set for `host` (None if it never set one)."""
    found = None
    for entry in run.results:
        facts = entry["result"].get("ansible_facts") or {}
        if entry["host"] == host and "run_backup_result" in facts:
            found = facts["run_backup_result"]
    return found


def successful(requests: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [entry for entry in requests if entry["status"] is not None and 200 <= entry["status"] < 300]


def started_ids(simulator) -> List[int]:
    """Configuration ids of the accepted StartManual requests, in order."""
    return [entry["body"]["Id"] for entry in successful(simulator.requests(route="backup.start"))]


def progress_lines(run) -> List[Dict[str, str]]:
    return [match.groupdict() for match in PROGRESS_LINE.finditer(run.output)]


def seconds(text: str) -> int:
    hours, minutes, secs = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(\d+)s", text).groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(secs)


def test_three_servers_are_backed_up_in_parallel(run_playbook, simulator, servers):
    run = run_playbook(PLAYBOOK, *servers(THREE_SERVERS))

    assert run.rc == 0, run.output
    for host in THREE_SERVERS:
        result = role_result(run, host)
        assert result["outcome"] == "started"
        assert result["state"] == "Completed"
        assert result["healthy"] is True
        assert result["gate_passed"] is True
        assert result["timed_out"] is False
        assert result["report"]["state"] == "Completed"
        assert isinstance(result["backup_id"], int)
        assert "%s: " % host in result["summary"]
    assert role_result(run, "alpha")["configuration_id"] == 400001
    assert role_result(run, "beta")["configuration_id"] == 400003
    assert role_result(run, "racy")["configuration_id"] == 400006
    # One login and one wake-up for the whole play, whatever the number of hosts.
    assert len(simulator.requests(route="identity.tokens")) == 1
    assert len(simulator.requests(route="agent.wake")) == 1
    # One accepted start per server (racy's two refusals were retried by the module).
    assert sorted(started_ids(simulator)) == [400001, 400003, 400006]
    # In parallel: every backup was started before the first report was read.
    last_start = max(entry["seq"] for entry in successful(simulator.requests(route="backup.start")))
    first_report = min(entry["seq"] for entry in simulator.requests(route="backup.report"))
    assert last_start < first_report
    # The summary line of each backup is printed.
    for host in THREE_SERVERS:
        assert role_result(run, host)["summary"] in run.output


def test_a_second_run_attaches_to_the_backup_in_flight(run_playbook, simulator, servers):
    inventory = servers({"slow": {}})
    first = run_playbook(PLAYBOOK, *inventory, "-e", "run_backup_timeout=1", "-e", "run_backup_on_timeout=continue")
    assert first.rc == 0, first.output
    started = role_result(first, "slow")
    assert started["outcome"] == "started" and started["timed_out"] is True

    second = run_playbook(PLAYBOOK, *inventory)

    assert second.rc == 0, second.output
    attached = role_result(second, "slow")
    assert attached["outcome"] == "attached"
    assert attached["backup_id"] == started["backup_id"]
    assert attached["state"] == "Completed" and attached["gate_passed"] is True
    assert "was already running: attached to it" in second.output
    assert started_ids(simulator) == [400010]
    # A second StartManual would have created a backup that ends Skipped.
    states = {backup["BackupId"]: backup["CurrentState"] for backup in simulator.state()["backups"]}
    assert "Skipped" not in [state for backup_id, state in states.items() if backup_id >= 368785]
    # One login and one wake-up per play.
    assert len(simulator.requests(route="identity.tokens")) == 2
    assert len(simulator.requests(route="agent.wake")) == 2


def test_a_failing_server_does_not_hide_the_others(run_playbook, simulator, servers):
    hosts = dict(THREE_SERVERS, alpha={"run_backup_configuration_name": "always fails"})

    run = run_playbook(PLAYBOOK, *servers(hosts))

    assert run.rc != 0
    failed = role_result(run, "alpha")
    assert failed["state"] == "Failed"
    assert failed["gate_passed"] is False
    assert failed["healthy"] is False
    assert run.status("rackspace.cloudbackup.run_backup : Fail the host whose backup did not pass the gate", "alpha") == "failed"
    assert "gate failed" in run.result(
        "rackspace.cloudbackup.run_backup : Fail the host whose backup did not pass the gate", "alpha")["msg"]
    for host in ("beta", "racy"):
        result = role_result(run, host)
        assert result["state"] == "Completed" and result["gate_passed"] is True
    assert re.search(r"^alpha\s+: .*failed=1", run.output, re.MULTILINE)
    assert re.search(r"^beta\s+: .*failed=0", run.output, re.MULTILINE)


@pytest.mark.parametrize(
    "allow_errors, max_errors, passes",
    [(False, None, False), (True, 2, True), (True, 1, False)],
)
def test_the_gate_on_completed_with_errors(run_playbook, simulator, servers, allow_errors, max_errors, passes):
    host_vars = {"run_backup_allow_errors": allow_errors}
    if max_errors is not None:
        host_vars["run_backup_max_errors"] = max_errors

    run = run_playbook(PLAYBOOK, *servers({"locked": host_vars}))

    result = role_result(run, "locked")
    assert result["state"] == "CompletedWithErrors"
    assert result["error_count"] == 2
    assert [error["path"] for error in result["errors"]] == ["/var/lib/mysql/ibdata1", "/var/lib/mysql/ib_logfile0"]
    assert result["gate_passed"] is passes
    assert (run.rc == 0) is passes, run.output
    # The errors are shown, whatever the gate says.
    assert "error: /var/lib/mysql/ibdata1: The process cannot access the file" in run.output


@pytest.mark.parametrize("policy", ["fail", "stop", "continue"])
def test_timeout_policies(run_playbook, simulator, servers, policy):
    run = run_playbook(PLAYBOOK, *servers({"slow": {}}), "-e", "run_backup_timeout=2",
                       "-e", "run_backup_on_timeout=%s" % policy)

    result = role_result(run, "slow")
    assert result["timed_out"] is True
    assert result["state"] in ("StartRequested", "Queued", "Preparing", "InProgress")
    assert result["gate_passed"] is None
    assert "is still %s after" % result["state"] in result["summary"]
    stops = simulator.requests(route="backup.stop")
    if policy == "continue":
        assert run.rc == 0, run.output
        assert stops == []
        return
    assert run.rc != 0
    message = run.result("rackspace.cloudbackup.run_backup : Fail the host whose backup ran out of time", "slow")["msg"]
    if policy == "stop":
        assert [entry["body"]["Id"] for entry in stops] == [result["backup_id"]]
        assert "asked to stop" in message
    else:
        assert stops == []
        assert "it keeps running" in message


def test_check_mode_writes_nothing(run_playbook, simulator, servers):
    run = run_playbook(PLAYBOOK, *servers(THREE_SERVERS), "--check")

    assert run.rc == 0, run.output
    posts = [entry["route"] for entry in simulator.requests() if entry["method"] != "GET"]
    assert posts == ["identity.tokens"]
    for host in THREE_SERVERS:
        result = role_result(run, host)
        assert result["check_mode"] is True
        assert result["outcome"] == "started"
        assert result["backup_id"] is None
        assert "would start a backup of" in result["summary"]


def test_check_mode_predicts_an_attach(run_playbook, simulator, servers):
    inventory = servers({"slow": {}})
    first = run_playbook(PLAYBOOK, *inventory, "-e", "run_backup_timeout=1", "-e", "run_backup_on_timeout=continue")
    assert first.rc == 0, first.output
    simulator.clear_requests()

    run = run_playbook(PLAYBOOK, *inventory, "--check")

    assert run.rc == 0, run.output
    assert [entry["route"] for entry in simulator.requests() if entry["method"] != "GET"] == ["identity.tokens"]
    result = role_result(run, "slow")
    assert result["outcome"] == "attached"
    assert result["backup_id"] == role_result(first, "slow")["backup_id"]
    assert "would attach to backup %d" % result["backup_id"] in result["summary"]


def test_progress_lines_while_waiting(run_playbook, simulator, servers):
    run = run_playbook(PLAYBOOK, *servers({"slow": {}}, run_backup_progress_interval=2))

    assert run.rc == 0, run.output
    lines = progress_lines(run)
    result = role_result(run, "slow")
    assert len(lines) >= 4, run.output
    assert {line["id"] for line in lines} == {str(result["backup_id"])}
    assert {line["name"] for line in lines} == {"slow files"}
    assert "InProgress" in [line["state"] for line in lines[:-1]]
    assert lines[-1]["state"] == "Completed"
    # A line at least every interval (2 s), plus the few seconds one module run costs.
    elapsed = [seconds(line["elapsed"]) for line in lines]
    assert elapsed == sorted(elapsed)
    assert max(later - earlier for earlier, later in zip(elapsed, elapsed[1:])) <= 2 + 3


def test_a_fresh_backup_is_reported_instead_of_starting_one(run_playbook, simulator, servers):
    # alpha's "nightly" completed a day ago (history backup 100001).
    run = run_playbook(PLAYBOOK, *servers({"alpha": {"run_backup_configuration_name": "nightly"}}),
                       "-e", "run_backup_skip_if_completed_within=172800")

    assert run.rc == 0, run.output
    result = role_result(run, "alpha")
    assert result["outcome"] == "fresh"
    assert result["backup_id"] == 100001
    assert result["state"] == "Completed" and result["gate_passed"] is True
    assert started_ids(simulator) == []


def test_an_expired_token_is_renewed(run_playbook, simulator, servers):
    # Every token dies just before the first read of a backup: the module that meets the
    # 401 logs in again with the credentials it still has, and the play goes on.
    simulator.add_fault(route="backup.get", expire_tokens=True, count=1)

    run = run_playbook(PLAYBOOK, *servers({"alpha": {"run_backup_configuration_name": "nightly"}}))

    assert run.rc == 0, run.output
    assert role_result(run, "alpha")["state"] == "Completed"
    assert len(simulator.requests(route="identity.tokens")) >= 2
    assert any(entry["status"] == 401 for entry in simulator.requests(route="backup.get"))


def test_clear_failures_before_anything_starts(run_playbook, simulator, servers):
    hosts = {
        "nosuchserver": {},
        "badname": {"run_backup_agent_id": 300001, "run_backup_configuration_name": "nosuchconfig"},
        # alpha has three configurations: one must be named.
        "unnamed": {"run_backup_agent_id": 300001},
        "elsewhere": {"run_backup_agent_id": 300001, "run_backup_configuration_id": 400003},
        "gamma": {},
    }
    messages = {
        "nosuchserver": 'machine name "nosuchserver" matches no agent',
        "badname": 'configuration "nosuchconfig" of agent 300001 (alpha) matches 0 live configurations',
        "unnamed": "matches 3 live configurations (nightly, always fails, fails then completes)",
        "elsewhere": "configuration 400003 (\"nightly\") belongs to agent 300002, not to agent 300001",
        "gamma": "agent 300003 (gamma) is disabled",
    }

    run = run_playbook(PLAYBOOK, *servers(hosts))

    assert run.rc != 0
    for host, message in messages.items():
        failure = [entry for entry in run.results if entry["host"] == host and entry["status"] == "failed"]
        assert len(failure) == 1 and message in failure[0]["result"]["msg"], (host, failure)
        assert role_result(run, host) is None
    assert simulator.requests(route="backup.start") == []
