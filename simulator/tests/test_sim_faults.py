"""Fault injection: status codes, Retry-After, drops, latency, apply, token expiry."""

import time

import pytest
import requests
from sim_helpers import TIMEOUT, Api, login, scenario_with

from cloudbackup_simulator import ScenarioError


def test_status_for_next_n_matching_requests(sim, api):
    sim.add_fault(route="agent.get", status=503, count=2, retry_after=3)
    first = api.get("/agent/300001")
    assert first.status_code == 503 and first.headers["Retry-After"] == "3"
    assert api.get("/user/agents").status_code == 200  # other routes are untouched
    assert api.get("/agent/300001").status_code == 503
    assert api.get("/agent/300001").status_code == 200
    assert "Retry-After" not in api.get("/agent/300001").headers


def test_fault_without_route_matches_every_api_request_by_method(sim, api):
    sim.add_fault(status=500, method="POST")
    assert api.get("/user/agents").status_code == 200
    assert api.post("/user/wakeupagents").status_code == 500
    assert api.post("/user/wakeupagents").status_code == 200


def test_unlimited_count(sim, api):
    sim.add_fault(route="agent.list", status=502, count=None)
    assert [api.get("/user/agents").status_code for _attempt in range(3)] == [502, 502, 502]
    sim.clear_faults()
    assert api.get("/user/agents").status_code == 200


def test_status_fault_has_no_effect(sim, api):
    api.wake()
    sim.add_fault(route="backup.start", status=500)
    assert api.start(400001).status_code == 500
    assert [item["ID"] for item in api.get("/system/activity/300001").json()] == [100001, 100002, 100003]


def test_drop_gives_the_client_a_connection_error(sim, api):
    sim.add_fault(route="backup.get", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/backup/100001")
    assert api.get("/backup/100001").status_code == 200
    entry = sim.requests("backup.get")[0]
    assert entry["status"] is None and entry["fault"] == {"drop": True}


def test_delay_adds_real_latency(sim, api):
    sim.add_fault(route="agent.list", delay=0.3)
    began = time.monotonic()
    assert api.get("/user/agents").status_code == 200
    assert time.monotonic() - began >= 0.3


def test_delay_can_trigger_a_client_timeout(sim, api):
    sim.add_fault(route="agent.list", delay=0.4)
    with pytest.raises(requests.exceptions.Timeout):
        requests.get(api.url("/user/agents"), headers=api.headers(), timeout=0.1)
    # Let the delayed request finish here, so it cannot land in the next test's log.
    deadline = time.monotonic() + 2
    while not sim.requests("agent.list") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sim.requests("agent.list")[0]["fault"] == {"delay": 0.4}


@pytest.mark.parametrize("fault", [{"status": 500}, {"drop": True}])
def test_apply_creates_the_backup_but_the_client_sees_a_failure(sim, api, fault):
    """The ambiguous start: the backup exists although the client saw a 500 or a drop."""
    api.wake()
    sim.add_fault(route="backup.start", apply=True, **fault)
    try:
        assert api.start(400001).status_code == 500
    except requests.exceptions.ConnectionError:
        assert fault == {"drop": True}
    newest = api.get("/system/activity/300001").json()[0]
    assert newest["ID"] == 368785 and newest["ParentId"] == 400001
    assert newest["CurrentState"] == "StartRequested"


def test_expire_tokens_fault_forces_a_401(sim, api):
    sim.add_fault(route="agent.get", expire_tokens=True)
    assert api.get("/agent/300001").status_code == 401
    assert Api(sim).get("/agent/300001").status_code == 200


def test_faults_on_identity(sim):
    sim.add_fault(route="identity.tokens", status=503, retry_after=1)
    assert login(sim, "admin", "admin-key").status_code == 503
    assert login(sim, "admin", "admin-key").status_code == 200


def test_scenario_faults_are_active_from_the_start_and_after_reset(make_sim):
    scenario = scenario_with()
    scenario["faults"] = [{"route": "agent.list", "status": 503, "retry_after": "2s"}]
    sim = make_sim(scenario)
    api = Api(sim)
    assert api.get("/user/agents").status_code == 503
    assert api.get("/user/agents").status_code == 200
    sim.reset()
    assert Api(sim).get("/user/agents").status_code == 503


def test_fault_body_follows_the_error_format(make_sim):
    sim = make_sim(scenario_with({"error_format": "text"}))
    sim.add_fault(route="agent.list", status=500)
    response = Api(sim).get("/user/agents")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"route": "agent.nope", "status": 500}, "route"),
        ({"status": 500, "drop": True}, "either status or drop"),
        ({"retry_after": 5}, "retry_after needs a status"),
        ({"apply": True}, "apply needs"),
        ({}, "at least one of"),
        ({"status": 99}, "HTTP status"),
        ({"status": 500, "count": 0}, "count"),
        ({"status": 500, "method": "PATCH"}, "method"),
    ],
)
def test_invalid_faults_are_refused(sim, options, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        sim.add_fault(**options)


def test_faults_over_http_control_path(sim, api):
    control = sim.info["control_url"]
    response = requests.post(control + "/faults", json={"route": "agent.get", "status": 500}, timeout=TIMEOUT)
    assert response.status_code == 200 and response.json()["remaining"] == 1
    assert requests.get(control + "/faults", timeout=TIMEOUT).json()[0]["status"] == 500
    assert api.get("/agent/300001").status_code == 500
    assert requests.get(control + "/faults", timeout=TIMEOUT).json() == []
    bad = requests.post(control + "/faults", json={"route": "agent.get", "color": "red"}, timeout=TIMEOUT)
    assert bad.status_code == 400 and "color" in bad.json()["message"]
    requests.post(control + "/faults", json={"status": 500}, timeout=TIMEOUT)
    assert requests.delete(control + "/faults", timeout=TIMEOUT).status_code == 200
    assert api.get("/agent/300001").status_code == 200
