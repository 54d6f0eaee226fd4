"""Fixtures for end-to-end tests: real ansible-playbook runs against the simulator.

Each test gets the simulator freshly reset (scenario state, request log, faults, clock)
and a `run_playbook` function that runs a playbook text and returns its task results,
read from the test-only `record_results` callback rather than from the screen output.
"""
import json
import os
import subprocess
import sys
from typing import Any, Dict, List, Optional

import pytest
import yaml

from cloudbackup_simulator import Simulator
from collection_under_test import COLLECTION_DIR, COLLECTIONS_PATH, INSTALLED

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(E2E_DIR))
SCENARIOS = os.path.join(REPO_ROOT, "simulator", "scenarios")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
# Fast polling for the run_backup role: the test scenario's backups take seconds, not hours.
FAST_ROLE_VARIABLES = dict(run_backup_poll_interval=1, run_backup_progress_interval=2)
INVENTORY = "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable


class PlaybookRun:
    """What one ansible-playbook run left behind: exit code, screen output, task results."""

    def __init__(self, rc: int, output: str, results: List[Dict[str, Any]]) -> None:
        self.rc = rc
        self.output = output
        self.results = results

    def result(self, task: str, host: str = "localhost") -> Dict[str, Any]:
        """The result of the (last) run of the task named `task` on `host`."""
        matches = [r for r in self.results if r["task"] == task and r["host"] == host]
        assert matches, "no result for task %r on %s in:\n%s" % (task, host, self.output)
        return matches[-1]["result"]

    def status(self, task: str, host: str = "localhost") -> str:
        matches = [r for r in self.results if r["task"] == task and r["host"] == host]
        assert matches, "no result for task %r on %s in:\n%s" % (task, host, self.output)
        return matches[-1]["status"]


def pytest_report_header(config):
    return "rackspace.cloudbackup under test: %s%s" % (
        os.path.realpath(COLLECTION_DIR), " (installed copy, CLOUDBACKUP_COLLECTIONS_PATH)" if INSTALLED else "")


@pytest.fixture(scope="session")
def simulator_session():
    with Simulator(scenario=os.path.join(SCENARIOS, "test.yml"), speed=1.0) as simulator:
        yield simulator


@pytest.fixture
def simulator(simulator_session):
    simulator_session.reset()
    return simulator_session


def ansible_environment(info: Dict[str, str], results_file: str, tmp_path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH,
        ANSIBLE_CALLBACK_PLUGINS=os.path.join(E2E_DIR, "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="record_results",
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        RECORD_RESULTS_FILE=results_file,
        RAX_USERNAME=info["username"],
        RAX_API_KEY=info["api_key"],
        RAX_IDENTITY_URL=info["identity_url"],
        RAX_REGION="DFW",
    )
    return env


@pytest.fixture
def run_playbook(simulator, tmp_path):
    """Run a playbook (YAML text) against the simulator; return a PlaybookRun."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(INVENTORY)

    def run(playbook: str, *args: str, env: Optional[Dict[str, str]] = None, timeout: float = 300) -> PlaybookRun:
        path = tmp_path / "playbook.yml"
        path.write_text(playbook)
        results_file = tmp_path / "results.jsonl"
        if results_file.exists():
            results_file.unlink()
        environment = ansible_environment(simulator.info, str(results_file), tmp_path)
        for name, value in (env or {}).items():
            # None removes a variable, e.g. a RAX_* one the play must do without.
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        command = [ANSIBLE_PLAYBOOK, "-i", str(inventory), str(path), *args]
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=timeout, check=False)
        lines = results_file.read_text().splitlines() if results_file.exists() else []
        return PlaybookRun(done.returncode, done.stdout + done.stderr, [json.loads(line) for line in lines])

    return run


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
                    **dict(FAST_ROLE_VARIABLES, **group_vars),
                ),
            }
        }
        path = tmp_path / "servers.yml"
        path.write_text(yaml.safe_dump(inventory))
        return ["-i", str(path)]

    return write
