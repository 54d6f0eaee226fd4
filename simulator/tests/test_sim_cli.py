"""The cloudbackup-simulator command: JSON line on start, clean exit on SIGTERM/SIGINT."""

import json
import os
import signal
import subprocess
import sys

import pytest
import requests
from sim_helpers import TIMEOUT

SCENARIO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scenarios", "demo.yml")


def start(*args):
    command = [sys.executable, "-m", "cloudbackup_simulator", "--port", "0", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    "scenario, stop_signal", [(SCENARIO, signal.SIGTERM), ("demo", signal.SIGINT)], ids=["file-sigterm", "name-sigint"]
)
def test_prints_one_json_line_serves_and_exits_cleanly(scenario, stop_signal):
    process = start("--scenario", scenario, "--speed", "10")
    try:
        info = json.loads(process.stdout.readline())
        assert set(info) == {"identity_url", "endpoint", "tenant_id", "username", "api_key", "control_url"}
        assert info["endpoint"].endswith("/v1.0/123456") and info["identity_url"].endswith("/v2.0/")
        body = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": info["username"], "apiKey": info["api_key"]}}}
        token = requests.post(info["identity_url"] + "tokens", json=body, timeout=TIMEOUT).json()["access"]["token"][
            "id"
        ]
        agents = requests.get(info["endpoint"] + "/user/agents", headers={"X-Auth-Token": token}, timeout=TIMEOUT)
        assert [agent["MachineName"] for agent in agents.json()] == ["web1", "db1", "files1"]
    finally:
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    assert process.stdout.read() == ""


def test_invalid_scenario_exits_2_with_a_message(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("tenants: [{id: 1, users: [{username: u}]}]\n")
    process = start("--scenario", str(path))
    assert process.wait(timeout=10) == 2
    assert "tenants[0].users[0].api_key" in process.stderr.read()
    process.stdout.close()
    process.stderr.close()
