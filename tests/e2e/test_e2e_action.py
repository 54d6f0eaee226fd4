"""End-to-end tests of cloudbackup_action: real ansible-playbook runs against the simulator.

Scenario simulator/scenarios/test.yml: agent alpha (300001) has "nightly" (400001, completes),
"always fails" and "fails then completes" (400007); beta (300002) has another "nightly";
gamma (300003) is disabled; racy (300004) refuses its first two starts with 403. A backup
takes 5 s; a woken agent is online after 2 s. The last tests use a copy of the scenario
with one more configuration, on a simulator five times faster.

Most tests wake the agents straight through the API (and move the simulated clock past the
wake delay) before the playbook runs, then clear the request log, so that the log holds
exactly what the module did.
"""
import ast
import os
import re
import threading
import time

import pytest
import requests
import yaml
from cloudbackup_simulator import Simulator
from collection_under_test import COLLECTION_DIR

MODULE = "rackspace.cloudbackup.cloudbackup_action"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE_FILE = os.path.join(COLLECTION_DIR, "plugins", "modules", "cloudbackup_action.py")
TEST_SCENARIO = os.path.join(REPO_ROOT, "simulator", "scenarios", "test.yml")
ALPHA = 300001
NIGHTLY, FAILS_THEN_COMPLETES, WITH_ERRORS = 400001, 400007, 400011
FIRST_NEW_ID = 368785
HTTP_TIMEOUT = 5


# --- helpers -----------------------------------------------------------------------------

def playbook(*tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def task(name, register=None, **args):
    """A cloudbackup_action task polling every half second, so that tests stay short."""
    step = {"name": name, MODULE: dict({"poll_interval": 1}, **args)}
    return dict(step, register=register) if register else step


def routes(simulator):
    return [entry["route"] for entry in simulator.requests()]


def writes(simulator):
    return [entry["route"] for entry in simulator.requests() if entry["method"] != "GET"]


def new_backups(simulator):
    """Backups created during the test (the scenario's history has lower ids)."""
    return [backup for backup in simulator.state()["backups"] if backup["BackupId"] >= FIRST_NEW_ID]


class DirectApi:
    """The API without the collection, to set a scene before the playbook runs."""

    def __init__(self, simulator):
        info = simulator.info
        body = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": info["username"], "apiKey": info["api_key"]}}}
        reply = requests.post(info["identity_url"] + "tokens", json=body, timeout=HTTP_TIMEOUT)
        reply.raise_for_status()
        self.simulator = simulator
        self.headers = {"X-Auth-Token": reply.json()["access"]["token"]["id"]}
        self.endpoint = info["endpoint"]

    def post(self, path, body=None):
        reply = requests.post(self.endpoint + path, json=body, headers=self.headers, timeout=HTTP_TIMEOUT)
        reply.raise_for_status()
        return reply

    def wake(self):
        self.post("/user/wakeupagents")
        self.simulator.advance(2)  # the scenario's wake delay

    def start(self, configuration_id):
        return int(self.post("/backup/action-requested", {"Action": "StartManual", "Id": configuration_id}).text)


@pytest.fixture
def awake(simulator):
    """Agents online, request log empty: the log then shows only what the module sent."""
    api = DirectApi(simulator)
    api.wake()
    simulator.clear_requests()
    return api


# --- start -------------------------------------------------------------------------------

def test_start_waits_until_the_backup_completes(run_playbook, simulator, awake):
    run = run_playbook(playbook(task("start", action="start", configuration_name="nightly", agent_id=ALPHA)))

    assert run.rc == 0, run.output
    result = run.result("start")
    assert (result["changed"], result["outcome"], result["backup_id"], result["state"]) == (
        True, "started", FIRST_NEW_ID, "Completed")
    assert (result["report"]["state"], result["report"]["files_backed_up"], result["timed_out"]) == ("Completed", 6, False)
    assert result["polls"] > 1 and result["elapsed"] > 0
    assert writes(simulator) == ["identity.tokens", "backup.start"]
    assert routes(simulator)[-1] == "backup.report"


def test_running_start_again_attaches_to_the_same_backup(run_playbook, simulator, awake):
    run = run_playbook(playbook(
        task("start", action="start", configuration_id=NIGHTLY, wait=False),
        task("again", action="start", configuration_id=NIGHTLY),
    ))

    assert run.rc == 0, run.output
    first, again = run.result("start"), run.result("again")
    assert (first["changed"], first["outcome"]) == (True, "started")
    assert (again["changed"], again["outcome"], again["backup_id"], again["state"]) == (
        False, "attached", first["backup_id"], "Completed")
    assert routes(simulator).count("backup.start") == 1
    assert len(new_backups(simulator)) == 1


def test_a_fresh_backup_is_not_repeated(run_playbook, simulator, awake):
    run = run_playbook(playbook(
        task("recent enough", action="start", configuration_id=NIGHTLY, skip_if_completed_within=2 * 86400),
        task("too old", action="start", configuration_id=NIGHTLY, skip_if_completed_within=3600, wait=False),
    ))

    assert run.rc == 0, run.output
    fresh = run.result("recent enough")
    assert (fresh["changed"], fresh["outcome"], fresh["backup_id"], fresh["state"]) == (False, "fresh", 100001, "Completed")
    assert run.result("too old")["outcome"] == "started"
    assert routes(simulator).count("backup.start") == 1


def test_the_403_race_of_a_just_woken_agent_is_ridden_out(run_playbook, simulator, awake):
    run = run_playbook(playbook(task("start", action="start", configuration_name="racy files", wait=False)))

    assert run.rc == 0, run.output
    assert run.result("start")["outcome"] == "started"
    assert [entry["status"] for entry in simulator.requests("backup.start")] == [403, 403, 200]
    assert len(new_backups(simulator)) == 1


def test_check_mode_reads_everything_and_writes_nothing(run_playbook, simulator):
    run = run_playbook(playbook(
        task("wake one", action="wake_agents", agent_id=ALPHA),
        task("start", action="start", configuration_name="nightly", agent_id=ALPHA),
        task("stop", action="stop", configuration_id=NIGHTLY),
        task("wake all", action="wake_agents"),
    ), "--check", "--diff")

    assert run.rc == 0, run.output
    assert (run.result("wake one")["changed"], run.result("wake one")["outcome"]) == (True, "woken")
    start = run.result("start")
    assert (start["changed"], start["outcome"], start["backup_id"]) == (True, "started", None)
    assert start["diff"]["after"] == {"backup_id": None, "state": "StartRequested"}
    assert "action=wake_agents" in str(start["warnings"])  # the agent sleeps: nobody woke it
    assert (run.result("stop")["changed"], run.result("stop")["outcome"]) == (False, "already_finished")
    assert run.result("wake all")["changed"] is True
    assert set(writes(simulator)) == {"identity.tokens"}
    assert {"agent.get", "configuration.list_for_agent", "activity.agent"} <= set(routes(simulator))


def test_a_disabled_agent_fails_clearly(run_playbook, simulator, awake):
    run = run_playbook(playbook(task("start", action="start", configuration_name="gamma files")))

    assert run.status("start") == "failed"
    assert "agent 300003 (gamma) is disabled" in run.result("start")["msg"]
    assert "backup.start" not in routes(simulator)


def test_a_sleeping_agent_fails_telling_to_wake_it(run_playbook, simulator):
    run = run_playbook(playbook(task("start", action="start", configuration_id=NIGHTLY, online_timeout=1)))

    assert run.status("start") == "failed"
    assert run.result("start")["msg"] == ("agent 300001 (alpha) is Offline after waiting 1 seconds: "
                                          "run this module with action=wake_agents and agent_id=300001 first")
    assert "backup.start" not in routes(simulator)


def test_an_ambiguous_configuration_name_fails_listing_the_candidates(run_playbook, simulator, awake):
    run = run_playbook(playbook(task("start", action="start", configuration_name="nightly")))

    assert run.status("start") == "failed"
    msg = run.result("start")["msg"]
    assert '2 live backup configurations are named "nightly"' in msg
    assert "400001 (agent 300001, alpha)" in msg and "400003 (agent 300002, beta)" in msg
    assert "backup.start" not in routes(simulator)


# --- how backups end ---------------------------------------------------------------------

def test_a_start_that_a_rival_beat_follows_the_rivals_run(run_playbook, simulator, awake):
    """Someone else starts the configuration while our start is on the wire: ours gives way to theirs."""
    simulator.add_fault(route="backup.start", delay=1.5)

    def start_while_ours_waits():
        deadline = time.monotonic() + 60
        while simulator.state()["faults"] and time.monotonic() < deadline:
            time.sleep(0.05)
        awake.start(NIGHTLY)

    rival = threading.Thread(target=start_while_ours_waits)
    rival.start()
    run = run_playbook(playbook(task("start", action="start", configuration_id=NIGHTLY)))
    rival.join()

    assert run.status("start") == "ok", run.output
    result = run.result("start")
    rival, ours = sorted(new_backups(simulator), key=lambda backup: backup["BackupId"])
    assert (result["backup_id"], result["state"], result["changed"]) == (rival["BackupId"], "Completed", True)
    assert ours["CurrentState"] in ("Skipped", "Stopped")
    assert "backup %d goes on" % rival["BackupId"] in str(result["warnings"])


def test_a_wait_that_times_out(run_playbook, simulator, awake):
    run = run_playbook(playbook(
        task("chunk", action="start", configuration_id=NIGHTLY, wait_timeout=1, on_timeout="continue"),
        task("give up", action="start", configuration_id=NIGHTLY, wait_timeout=1),
    ))

    chunk, give_up = run.result("chunk"), run.result("give up")
    assert run.status("chunk") == "ok"
    assert (chunk["timed_out"], chunk["outcome"]) == (True, "started")
    assert chunk["state"] in ("StartRequested", "Queued", "Preparing")
    assert run.status("give up") == "failed"
    assert (give_up["timed_out"], give_up["backup_id"]) == (True, chunk["backup_id"])
    assert give_up["msg"].startswith("backup %d is still %s after 1 seconds" % (chunk["backup_id"], give_up["state"]))
    assert routes(simulator).count("backup.start") == 1


# --- stop and wake -----------------------------------------------------------------------

def test_stop_is_idempotent(run_playbook, simulator, awake):
    run = run_playbook(playbook(
        task("start", register="started", action="start", configuration_id=NIGHTLY, wait=False),
        task("stop", action="stop", backup_id="{{ started.backup_id }}"),
        task("stop again", action="stop", backup_id="{{ started.backup_id }}"),
        task("stop by configuration", action="stop", configuration_name="nightly", agent_id=ALPHA),
    ))

    assert run.rc == 0, run.output
    stop, again, by_configuration = run.result("stop"), run.result("stop again"), run.result("stop by configuration")
    assert (stop["changed"], stop["outcome"], stop["state"]) == (True, "stop_requested", "Stopped")
    assert (again["changed"], again["outcome"], again["state"]) == (False, "already_finished", "Stopped")
    assert (by_configuration["changed"], by_configuration["outcome"]) == (False, "already_finished")
    assert routes(simulator).count("backup.stop") == 1


def test_wake_waits_until_online_and_then_changes_nothing(run_playbook, simulator):
    run = run_playbook(playbook(
        task("wake", action="wake_agents", agent_id=ALPHA),
        task("wake again", action="wake_agents", agent_id=ALPHA),
    ), "--diff")

    assert run.rc == 0, run.output
    wake, again = run.result("wake"), run.result("wake again")
    assert (wake["changed"], wake["outcome"], wake["agent"]["status"]) == (True, "woken", "Online")
    assert wake["elapsed"] >= 1.5 and wake["polls"] > 1
    assert wake["diff"] == {"before": {"agent_id": ALPHA, "status": "Offline"}, "after": {"agent_id": ALPHA, "status": "Online"}}
    assert (again["changed"], again["outcome"]) == (False, "already_online")
    assert routes(simulator).count("agent.wake") == 1
    assert "agent.list" not in routes(simulator)


# --- faults ------------------------------------------------------------------------------

def test_a_token_that_expires_during_the_wait_is_renewed(run_playbook, simulator, awake):
    # The first two polls pass untouched; all tokens expire just before the third one.
    simulator.add_fault(route="backup.get", delay=0.01, count=2)
    simulator.add_fault(route="backup.get", expire_tokens=True, count=1)

    run = run_playbook(playbook(task("start", action="start", configuration_id=NIGHTLY)))

    assert run.rc == 0, run.output
    assert run.result("start")["state"] == "Completed"
    assert routes(simulator).count("identity.tokens") == 2
    statuses = [entry["status"] for entry in simulator.requests("backup.get")]
    assert statuses[:4] == [200, 200, 401, 200]


def test_a_burst_of_503_while_polling_is_survived(run_playbook, simulator, awake):
    simulator.add_fault(route="backup.get", status=503, count=3)

    run = run_playbook(playbook(task("start", action="start", configuration_id=NIGHTLY)))

    assert run.rc == 0, run.output
    assert run.result("start")["state"] == "Completed"
    assert [entry["status"] for entry in simulator.requests("backup.get")][:4] == [503, 503, 503, 200]


def test_a_start_accepted_despite_a_failed_reply_yields_one_backup(run_playbook, simulator, awake):
    # The API creates the backup, then the client sees a 500 (first start) or a dropped connection (second).
    simulator.add_fault(route="backup.start", status=500, apply=True)
    simulator.add_fault(route="backup.start", drop=True, apply=True)

    run = run_playbook(playbook(
        task("after a 500", action="start", configuration_id=NIGHTLY, wait=False),
        task("after a drop", action="start", configuration_name="fails then completes", wait=False),
    ))

    assert run.rc == 0, run.output
    assert [entry["fault"] for entry in simulator.requests("backup.start")] == [
        {"status": 500, "apply": True}, {"drop": True, "apply": True}]
    started = sorted((backup["BackupConfigurationId"], backup["BackupId"]) for backup in new_backups(simulator))
    assert started == [(NIGHTLY, run.result("after a 500")["backup_id"]),
                       (FAILS_THEN_COMPLETES, run.result("after a drop")["backup_id"])]


# --- bad input and secrets ---------------------------------------------------------------

BAD_INPUT = [
    ({"action": "start", "configuration_id": "abc"}, "configuration_id"),
    ({"action": "start"}, "missing: configuration_id, configuration_name"),
    ({"action": "stop", "configuration_id": NIGHTLY, "backup_id": 1}, "mutually exclusive"),
    ({"action": "start", "configuration_id": NIGHTLY, "region": "XYZ"}, "region must be one of"),
    # From the environment: Ansible quotes the playbook's own text around a failed task.
    ({"action": "start", "configuration_id": NIGHTLY, "password": "{{ lookup('env', 'TEST_PASSWORD') }}"},
     "password are mutually exclusive"),
    ({"action": "wake_agents", "poll_interval": 0}, "poll_interval must be at least 1 second"),
]


def test_bad_input_fails_clearly_before_any_http_call(run_playbook, simulator):
    tasks = [{"name": message, MODULE: args, "ignore_errors": True} for args, message in BAD_INPUT]

    run = run_playbook(playbook(*tasks), "-vvv", env={"TEST_PASSWORD": "s3cret-password"})

    for args, message in BAD_INPUT:
        assert run.status(message) == "failed", args
        assert message in run.result(message)["msg"]
    assert simulator.requests() == []
    assert "s3cret-password" not in run.output


def test_no_secret_reaches_the_output_at_vvv(run_playbook, simulator, awake):
    info = simulator.info
    run = run_playbook(playbook(
        task("wake", action="wake_agents", agent_id=ALPHA),
        task("start", action="start", configuration_id=NIGHTLY, wait=False),
        task("bad id", action="stop", backup_id=999),
    ), "-vvv")

    assert run.status("start") == "ok" and run.status("bad id") == "failed", run.output
    assert info["api_key"] not in run.output
    # Tokens are 32 hex digits; nothing of that shape should be printed.
    assert re.findall(r"\b[0-9a-f]{32}\b", run.output) == []
    assert "backup 999 not found" in run.result("bad id")["msg"]


def test_the_documented_examples_run(run_playbook, simulator):
    # At real speed: the examples attach to a backup they started, which must still be running.
    with open(MODULE_FILE, encoding="utf-8") as stream:
        examples = next(node.value.value for node in ast.parse(stream.read()).body
                        if isinstance(node, ast.Assign) and node.targets[0].id == "EXAMPLES")
    plays = yaml.safe_load(examples)
    for play in plays:
        play["module_defaults"]["group/rackspace.cloudbackup.cloudbackup"]["poll_interval"] = 1
    info = simulator.info

    run = run_playbook(yaml.safe_dump(plays), "-e", "rax_username=%s rax_api_key=%s" % (info["username"], info["api_key"]))

    assert run.rc == 0, run.output
    outcomes = [result["result"].get("outcome") for result in run.results]
    assert [outcome for outcome in outcomes if outcome] == [
        "woken", "started", "started", "attached", "fresh", "already_finished", "already_finished", "woken"]


# --- on a faster simulator ---------------------------------------------------------------

@pytest.fixture(scope="module")
def fast_simulator():
    """test.yml five times faster than real time.

    For tests about where backups end rather than about timing on the way there.
    """
    with Simulator(scenario=TEST_SCENARIO, speed=5.0) as simulator:
        yield simulator


class TestOnAFastSimulator:

    @pytest.fixture
    def simulator(self, fast_simulator):
        fast_simulator.reset()
        return fast_simulator

    @pytest.fixture
    def awake(self, simulator):
        return DirectApi(simulator).wake()

    def test_a_failed_backup_fails_the_task_with_its_report(self, run_playbook, awake):
        run = run_playbook(playbook(task("start", action="start", configuration_name="always fails")))

        assert run.status("start") == "failed"
        result = run.result("start")
        assert result["msg"].startswith("backup %d ended in state Failed: " % FIRST_NEW_ID)
        assert (result["backup_id"], result["state"], result["report"]["state"]) == (FIRST_NEW_ID, "Failed", "Failed")

    def test_completed_with_errors_succeeds_by_default(self, run_playbook, awake):
        run = run_playbook(playbook(task("start", action="start", configuration_id=WITH_ERRORS)))

        assert run.rc == 0, run.output
        result = run.result("start")
        assert (result["state"], result["report"]["num_errors"]) == ("CompletedWithErrors", 2)

    def test_completed_with_errors_fails_when_not_allowed(self, run_playbook, awake):
        run = run_playbook(playbook(task("start", action="start", configuration_id=WITH_ERRORS,
                                         allow_completed_with_errors=False)))

        assert run.status("start") == "failed"
        result = run.result("start")
        assert result["msg"].endswith("allow_completed_with_errors is false")
        assert len(result["report"]["error_list"]) == 2
