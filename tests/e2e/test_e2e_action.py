"""End-to-end tests of cloudbackup_action that an integration target cannot express.

The module's cases (start, attach, fresh, check mode, stop, wake, faults, outcomes, bad
input) are in tests/integration/targets/cloudbackup_action, run by `ansible-test
integration` (scripts/integration.sh). What stays here needs pytest: a rival StartManual
sent from a thread while the module's own start is on the wire (a timing race), the screen
output of -vvv (secrets), and the module's EXAMPLES read from the collection under test.

Scenario simulator/scenarios/test.yml: agent alpha (300001) has "nightly" (400001, completes);
a backup takes 5 s; a woken agent is online after 2 s.
"""
import ast
import os
import re
import threading
import time

import pytest
import requests
import yaml
from collection_under_test import COLLECTION_DIR

MODULE = "rackspace.cloudbackup.cloudbackup_action"
MODULE_FILE = os.path.join(COLLECTION_DIR, "plugins", "modules", "cloudbackup_action.py")
ALPHA = 300001
NIGHTLY = 400001
FIRST_NEW_ID = 368785
HTTP_TIMEOUT = 5


# --- helpers -----------------------------------------------------------------------------

def playbook(*tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def task(name, register=None, **args):
    """A cloudbackup_action task polling every second (the shortest interval), so that tests stay short."""
    step = {"name": name, MODULE: dict({"poll_interval": 1}, **args)}
    return dict(step, register=register) if register else step


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


# --- a timing race -------------------------------------------------------------------------

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


# --- bad input and secrets ---------------------------------------------------------------

def test_a_password_from_the_environment_is_not_printed_when_bad_input_fails_at_vvv(run_playbook, simulator):
    # Ansible quotes the playbook's own text around a failed task: the lookup, not its value.
    bad = {"name": "bad", MODULE: {"action": "start", "configuration_id": NIGHTLY,
                                   "password": "{{ lookup('env', 'TEST_PASSWORD') }}"}, "ignore_errors": True}

    run = run_playbook(playbook(bad), "-vvv", env={"TEST_PASSWORD": "s3cret-password"})

    assert run.status("bad") == "failed"
    assert "password are mutually exclusive" in run.result("bad")["msg"]
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
        "woken", "started", "started", "attached", "fresh", "batch", "already_finished", "already_finished", "woken"]
