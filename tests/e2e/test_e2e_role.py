"""End-to-end tests of the rackspace.cloudbackup.run_backup role against the simulator.

Each test runs the real ansible-playbook on a small inventory of servers (one host per
agent of the test scenario) and asserts on the role's results, on its log output and on
the simulator's request log.

The scenario is simulator/scenarios/test.yml: its agents "slow" (a backup long enough to
time out, attach to and watch progress on) and "locked" (CompletedWithErrors) exist for
these tests.
"""
import re
from xml.etree import ElementTree
import threading
import time
from typing import Any, Dict, List, Optional

import pytest
from cloudbackup_simulator import Simulator
from regional_account import regional_account


PLAYBOOK = """
- name: Back up the servers
  hosts: servers
  gather_facts: false
  roles:
    - rackspace.cloudbackup.run_backup
"""

# One line per chunk of waiting, for the whole fleet.
PROGRESS_LINE = re.compile(
    r"^ok: \[[^\]]+ -> localhost\] => \(item=backups: (?P<ended>\d+) ended(?: \([^)]*\))?, "
    r"(?:(?P<out_of_time>\d+) out of time, )?(?P<running>\d+) running"
    r"(?:; longest: (?P<host>\S+) (?P<state>\w+) (?P<elapsed>(?:\d+h)?(?:\d+m)?\d+s))?\)$",
    re.MULTILINE,
)
FAIL_TASK = "rackspace.cloudbackup.run_backup : Report this server's backup"


THREE_SERVERS = {
    "alpha": {"run_backup_configuration_name": "nightly"},
    "beta": {"run_backup_configuration_name": "nightly"},
    # racy refuses its first two starts with 403 (the agent race); it has one configuration.
    "racy": {},
}


def role_result(run, host: str) -> Optional[Dict[str, Any]]:
    """The last run_backup_result the role set for `host` (None if it never set one).

    The role sets it for every host from one looped task (delegate_facts), so it is found
    in the loop items whose item is the host.
    """
    found = None
    for entry in run.results:
        for item in entry["result"].get("results") or [entry["result"]]:
            facts = item.get("ansible_facts") or {}
            if "run_backup_result" in facts and item.get("item", entry["host"]) == host:
                found = facts["run_backup_result"]
    return found


def table_row(run, host: str) -> Dict[str, str]:
    """The columns of `host`'s row in the role's final table."""
    match = re.search(r'"%s\s+(?P<backup>\S+)\s+(?P<outcome>\S+)\s+(?P<state>\S+)\s.*\s(?P<verdict>STOP|ok[^"]*|check mode[^"]*)",?$'
                      % re.escape(host), run.output, re.MULTILINE)
    assert match, "no table row for %s in:\n%s" % (host, run.output)
    return match.groupdict()


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
    # Each server has its row in the final table.
    for host in THREE_SERVERS:
        assert table_row(run, host) == dict(backup=str(role_result(run, host)["backup_id"]), outcome="started",
                                            state="Completed", verdict="ok")
    # One module run started every backup; the wait polled the account's feed, never a backup on its own.
    assert [entry["task"] for entry in run.results if entry["result"].get("backups") and "progress" not in
            entry["result"]] == ["rackspace.cloudbackup.run_backup : Start the backups of every server of the play, "
                                 "or attach to those already running"]
    assert simulator.requests(route="backup.get") == []
    assert len(simulator.requests(route="backup.report")) == 3


def test_a_server_of_another_account_fails_alone_before_any_call_for_it(run_playbook, simulator, servers):
    # The batch runs with the first host's connection settings; beta names another user, so
    # its agent would be looked for (and maybe found and started) in the wrong account.
    hosts = dict(THREE_SERVERS, beta={"run_backup_configuration_name": "nightly", "run_backup_username": "someone"})

    run = run_playbook(PLAYBOOK, *servers(hosts))

    assert run.rc != 0
    assert run.status(FAIL_TASK, "beta") == "failed"
    assert 'run_backup_username is "someone" here but not set on alpha' in run.result(FAIL_TASK, "beta")["msg"]
    assert sorted(started_ids(simulator)) == [400001, 400006]  # alpha and racy; beta's 400003 never
    for host in ("alpha", "racy"):
        assert run.status(FAIL_TASK, host) == "ok" and role_result(host=host, run=run)["gate_passed"] is True


def two_regions_scenario():
    return regional_account({"dfw1": "DFW", "ord1": "ORD", "dfw2": "DFW"}, 720001, 2, lambda index: dict(
        id=820001 + index, name="files", outcome="Completed", durations=dict(in_progress=3)))


class TestTwoRegions:
    """Each region's Cloud Backup endpoint knows only its own agents, as Rackspace's do."""

    @pytest.fixture
    def simulator(self):
        with Simulator(scenario=two_regions_scenario(), speed=1.0) as regional:
            yield regional

    def test_each_region_is_a_batch_at_its_own_endpoint_with_one_login(self, run_playbook, simulator, servers):
        hosts = {"dfw1": {}, "ord1": {"run_backup_region": "ORD"}, "dfw2": {}}

        run = run_playbook(PLAYBOOK, *servers(hosts, run_backup_configuration_name="files"))

        assert run.rc == 0, run.output
        for host in hosts:
            assert role_result(run, host)["gate_passed"] is True and run.result(FAIL_TASK, host)["changed"] is True
        starts = {(entry["body"]["Id"], entry["region"]) for entry in successful(simulator.requests(route="backup.start"))}
        assert starts == {(820001, "DFW"), (820002, "ORD"), (820003, "DFW")}
        assert sorted(entry["region"] for entry in simulator.requests(route="agent.wake")) == ["DFW", "ORD"]
        # One login for the play: the ORD batch uses its token at the ORD endpoint of its catalog.
        assert len(simulator.requests(route="identity.tokens")) == 1
        assert {entry["region"] for entry in simulator.requests(route="backup.report")} == {"DFW", "ORD"}


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
    assert table_row(second, "slow")["outcome"] == "attached"
    assert started_ids(simulator) == [400010]
    # A second StartManual would have created a backup that ends Skipped.
    states = {backup["BackupId"]: backup["CurrentState"] for backup in simulator.state()["backups"]}
    assert "Skipped" not in [state for backup_id, state in states.items() if backup_id >= 368785]
    # One login per play; the second play started nothing, so it woke nothing.
    assert len(simulator.requests(route="identity.tokens")) == 2
    assert len(simulator.requests(route="agent.wake")) == 1


def test_a_failing_server_does_not_hide_the_others(run_playbook, simulator, servers, tmp_path):
    hosts = dict(THREE_SERVERS, alpha={"run_backup_configuration_name": "always fails"})
    junit = tmp_path / "junit"

    run = run_playbook(PLAYBOOK, *servers(hosts), env=dict(
        ANSIBLE_CALLBACKS_ENABLED="record_results,ansible.builtin.junit", JUNIT_OUTPUT_DIR=str(junit),
        JUNIT_HIDE_TASK_ARGUMENTS="true"))

    assert run.rc != 0
    failed = role_result(run, "alpha")
    assert failed["state"] == "Failed"
    assert failed["gate_passed"] is False
    assert failed["healthy"] is False
    assert run.status(FAIL_TASK, "alpha") == "failed"
    assert "gate failed" in run.result(FAIL_TASK, "alpha")["msg"]
    assert table_row(run, "alpha")["verdict"] == "STOP"
    for host in ("beta", "racy"):
        result = role_result(run, host)
        assert result["state"] == "Completed" and result["gate_passed"] is True
    assert re.search(r"^alpha\s+: .*failed=1", run.output, re.MULTILINE)
    assert re.search(r"^beta\s+: .*failed=0", run.output, re.MULTILINE)
    # Each server's own recap line says its backup was started, not only the batch's host's.
    for host in hosts:
        assert run.status(FAIL_TASK, host) == ("failed" if host == "alpha" else "ok")
        assert run.result(FAIL_TASK, host)["changed"] is True
        assert re.search(r"^%s\s+: ok=\d+\s+changed=[1-9]" % host, run.output, re.MULTILINE), run.output
    # A pipeline's junit report: one test case per server with its verdict.
    cases = {case.get("name"): case for report in junit.glob("*.xml")
             for case in ElementTree.parse(report).iter("testcase") if "Report this server" in case.get("name")}
    case_name = "[%s] Back up the servers: " + FAIL_TASK
    assert sorted(cases) == sorted(case_name % host for host in hosts)
    assert [name for name, case in cases.items() if case.find("failure") is not None or case.find("error") is not None
            ] == [case_name % "alpha"]


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
    message = run.result(FAIL_TASK, "slow")["msg"]
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
    assert len(lines) >= 4, run.output
    running, last = lines[:-1], lines[-1]
    assert {line["host"] for line in running} == {"slow"}
    assert "InProgress" in [line["state"] for line in running]
    assert (last["ended"], last["running"], last["host"]) == ("1", "0", None)
    # A line at least every interval (2 s), plus the few seconds one module run costs.
    elapsed = [seconds(line["elapsed"]) for line in running]
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
    # Every token dies just before the first poll of the feed: the module that meets the
    # 401 logs in again with the credentials it still has, and the play goes on.
    simulator.add_fault(route="activity.user", expire_tokens=True, count=1)

    run = run_playbook(PLAYBOOK, *servers({"alpha": {"run_backup_configuration_name": "nightly"}}))

    assert run.rc == 0, run.output
    assert role_result(run, "alpha")["state"] == "Completed"
    assert len(simulator.requests(route="identity.tokens")) >= 2
    assert any(entry["status"] == 401 for entry in simulator.requests(route="activity.user"))


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
        "badname": 'no live backup configuration of agent 300001 (alpha) is named "nosuchconfig"',
        "unnamed": 'agent 300001 (alpha) has 3 live backup configurations ("always fails", "fails then completes", '
                   '"nightly"): give configuration_id or configuration_name',
        "elsewhere": "configuration 400003 (\"nightly\") belongs to agent 300002, not to agent 300001",
        "gamma": "agent 300003 (gamma) is disabled",
    }

    run = run_playbook(PLAYBOOK, *servers(hosts))

    assert run.rc != 0
    for host, message in messages.items():
        failure = [entry for entry in run.results if entry["host"] == host and entry["status"] == "failed"]
        assert len(failure) == 1 and message in failure[0]["result"]["msg"], (host, failure)
        assert failure[0]["task"] == FAIL_TASK
        result = role_result(run, host)
        assert result["outcome"] == "failed" and message in result["failure"]
        assert table_row(run, host)["verdict"] == "STOP"
    assert simulator.requests(route="backup.start") == []


def test_bad_variables_fail_their_host_with_one_message_each_and_no_api_call(run_playbook, simulator, servers):
    hosts = {
        "zero": {"run_backup_agent_id": 0, "run_backup_timeout": 0},
        "blank": {"run_backup_server_id": " ", "run_backup_configuration_id": 400001,
                  "run_backup_configuration_name": "nightly"},
    }
    messages = {
        "zero": ["run_backup_agent_id must be an id (an integer of at least 1), got 0",
                 "run_backup_timeout must be at least 1 second, got 0"],
        "blank": ["run_backup_server_id must not be empty or blank",
                  "run_backup_configuration_id and run_backup_configuration_name are mutually exclusive"],
    }

    run = run_playbook(PLAYBOOK, *servers(hosts))

    assert run.rc != 0
    for host, expected in messages.items():
        failure = [entry for entry in run.results if entry["host"] == host and entry["status"] == "failed"]
        assert len(failure) == 1 and failure[0]["task"] == FAIL_TASK, (host, failure)
        for message in expected:
            assert message in failure[0]["result"]["msg"] and message in role_result(run, host)["failure"]
    assert simulator.requests() == []


MODULE_DEFAULTS_PLAYBOOK = """
- name: Back up the servers, credentials only in the play's module_defaults
  hosts: servers
  gather_facts: false
  module_defaults:
    group/rackspace.cloudbackup.cloudbackup:
      username: admin
      api_key: %(api_key)s
      identity_url: %(identity_url)s
      region: DFW
  roles:
    - rackspace.cloudbackup.run_backup
"""
NO_RAX_ENVIRONMENT = dict.fromkeys(("RAX_USERNAME", "RAX_API_KEY", "RAX_IDENTITY_URL", "RAX_REGION"))


def test_credentials_from_the_plays_module_defaults_reach_every_module(run_playbook, simulator, servers):
    playbook = MODULE_DEFAULTS_PLAYBOOK % dict(api_key="admin-key", identity_url=simulator.info["identity_url"])

    run = run_playbook(playbook, *servers(THREE_SERVERS), env=NO_RAX_ENVIRONMENT)

    assert run.rc == 0, run.output
    assert {role_result(run, host)["state"] for host in THREE_SERVERS} == {"Completed"}
    assert len(simulator.requests(route="identity.tokens")) == 1


def test_a_refused_login_says_why_without_the_secret(run_playbook, simulator, servers):
    playbook = MODULE_DEFAULTS_PLAYBOOK % dict(api_key="wrong-key-0123456789", identity_url=simulator.info["identity_url"])

    run = run_playbook(playbook, *servers(THREE_SERVERS), "-vvv", env=NO_RAX_ENVIRONMENT)

    assert run.rc != 0
    failed = [entry for entry in run.results if entry["status"] == "failed"]
    assert [entry["task"] for entry in failed] == [
        "rackspace.cloudbackup.run_backup : Start the backups of every server of the play, or attach to those already "
        "running"]
    assert "refused" in failed[0]["result"]["msg"] or "401" in failed[0]["result"]["msg"], failed[0]["result"]["msg"]
    assert "wrong-key-0123456789" not in run.output
    # The play ends there for every host: no backup, no result.
    assert simulator.requests(route="backup.start") == []
    assert all(role_result(run, host) is None for host in THREE_SERVERS)


def test_an_ambiguous_start_inside_a_batch_still_makes_one_backup(run_playbook, simulator, servers):
    # beta's start is acted on, then answered 500: the batch finds the run in the feed.
    simulator.add_fault(route="backup.start", status=500, apply=True, count=1)

    run = run_playbook(PLAYBOOK, *servers(THREE_SERVERS))

    assert run.rc == 0, run.output
    # racy refuses its first two starts (403), then takes the third.
    posted = sorted(entry["body"]["Id"] for entry in simulator.requests(route="backup.start"))
    assert posted == [400001, 400003, 400006, 400006, 400006]
    new = [backup for backup in simulator.state()["backups"] if backup["BackupId"] >= 368785]
    assert sorted(backup["BackupConfigurationId"] for backup in new) == [400001, 400003, 400006]
    assert {role_result(run, host)["backup_id"] for host in THREE_SERVERS} == {backup["BackupId"] for backup in new}


@pytest.mark.slow
def test_an_agent_that_falls_asleep_before_its_start_is_woken_again(run_playbook, simulator, servers):
    # The fleet is slow: once the play has woken the agents, 100 s pass on the simulator's
    # clock before any start, and the 70 s awake window lapses. The starts are refused until
    # the batch wakes the agents again (at most once a minute of its own time).
    def doze_off_after_the_wake_up():
        deadline = time.monotonic() + 60
        while not simulator.requests(route="agent.wake") and time.monotonic() < deadline:
            time.sleep(0.05)
        simulator.advance(100)

    sleeper = threading.Thread(target=doze_off_after_the_wake_up, daemon=True)
    sleeper.start()
    run = run_playbook(PLAYBOOK, *servers({"alpha": {"run_backup_configuration_name": "nightly"}}))
    sleeper.join()

    assert run.rc == 0, run.output
    assert role_result(run, "alpha")["state"] == "Completed"
    assert len(simulator.requests(route="agent.wake")) == 2
    assert started_ids(simulator) == [400001]


def test_no_secret_at_vvv_with_the_roles_connection_variables(run_playbook, simulator, servers):
    run = run_playbook(PLAYBOOK, *servers({"alpha": {"run_backup_configuration_name": "nightly"}}), "-vvv",
                       "-e", "run_backup_username=admin", "-e", "run_backup_api_key=admin-key",
                       "-e", "run_backup_identity_url=%s" % simulator.info["identity_url"], "-e", "run_backup_region=dfw",
                       env=NO_RAX_ENVIRONMENT)

    assert run.rc == 0, run.output
    assert role_result(run, "alpha")["state"] == "Completed"
    # The login's token and the key travel as no_log module options, never in an EXEC line.
    assert "admin-key" not in run.output.replace("-e run_backup_api_key=admin-key", "")
    assert "RAX_AUTH_TOKEN" not in run.output and "RAX_API_KEY" not in run.output
    # One login: the later module runs got the token.
    assert len(simulator.requests(route="identity.tokens")) == 1
