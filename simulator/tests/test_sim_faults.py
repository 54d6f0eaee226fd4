"""Fault injection: status codes, Retry-After, drops, latency, apply, token expiry,
broken bodies, echoed secrets, late actions, a schedule firing first."""

import time

import pytest
import requests
from sim_helpers import TIMEOUT, Api, login, scenario_with

from cloudbackup_simulator import ScenarioError


def wait_for_log(sim, route):
    """A delayed request finishes in the server after the client gave up: wait for its log entry."""
    deadline = time.monotonic() + 2
    while not sim.requests(route) and time.monotonic() < deadline:
        time.sleep(0.02)
    return sim.requests(route)


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
    assert wait_for_log(sim, "agent.list")[0]["fault"] == {"delay": 0.4}


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


def test_late_action_a_start_takes_effect_after_the_client_timed_out(sim, api):
    api.wake()
    sim.add_fault(route="backup.start", delay=0.5)
    with pytest.raises(requests.exceptions.Timeout):
        requests.post(
            api.url("/backup/action-requested"),
            json={"Action": "StartManual", "Id": 400001},
            headers=api.headers(),
            timeout=0.1,
        )
    assert 368785 not in {backup["BackupId"] for backup in sim.state()["backups"]}  # not yet: the server waits
    assert wait_for_log(sim, "backup.start")[0]["status"] == 200
    assert api.get("/backup/368785").json()["BackupConfigurationId"] == 400001


def test_body_with_status_200_replaces_the_whole_reply(sim, api):
    sim.add_fault(route="backup.get", status=200, body="<html><body>proxy</body></html>")
    response = api.get("/backup/100001")
    assert response.status_code == 200 and response.text == "<html><body>proxy</body></html>"
    assert response.headers["Content-Type"].startswith("text/html")


def test_body_alone_keeps_the_real_status_and_effect(sim, api):
    api.wake()
    sim.add_fault(route="backup.start", body='{"broken')
    response = api.start(400001)
    assert (response.status_code, response.text) == (200, '{"broken')
    assert response.headers["Content-Type"].startswith("application/json")
    assert api.state(368785) == "StartRequested"


def test_body_with_apply_acts_then_answers_the_broken_body(sim, api):
    api.wake()
    backup_id = api.start(400001).json()
    sim.add_fault(route="backup.stop", status=200, body='{"broken', apply=True)
    response = api.stop(backup_id)
    assert (response.status_code, response.text) == (200, '{"broken')
    assert api.state(backup_id) == "StopRequested"
    assert sim.requests("backup.stop")[0]["fault"] == {"status": 200, "body": '{"broken', "apply": True}


def test_echo_token_repeats_the_token_in_the_error_message(sim, api):
    sim.add_fault(route="agent.get", status=500, echo_token=True)
    response = api.get("/agent/300001")
    assert response.status_code == 500
    assert response.json()["message"].startswith("Instance Fault: token %s is not valid for GET " % api.token)


@pytest.mark.parametrize(
    "credentials, secrets",
    [
        ({"RAX-KSKEY:apiKeyCredentials": {"username": "admin", "apiKey": "admin-key"}}, ["admin", "admin-key"]),
        ({"passwordCredentials": {"username": "admin", "password": "admin-password"}}, ["admin", "admin-password"]),
    ],
)
def test_echo_token_on_identity_repeats_the_credentials(sim, credentials, secrets):
    sim.add_fault(route="identity.tokens", status=500, echo_token=True)
    response = requests.post(sim.info["identity_url"] + "tokens", json={"auth": credentials}, timeout=TIMEOUT)
    assert response.status_code == 500
    assert all(secret in response.json()["message"] for secret in secrets)
    assert secrets[1] not in str(sim.requests())  # the log still masks them


def test_scheduled_first_makes_the_manual_start_skipped(sim, api):
    api.wake()
    sim.add_fault(route="backup.start", scheduled_first=True)
    manual = api.start(400001)
    assert (manual.status_code, manual.json()) == (200, 368786)
    assert api.state(368785) == "StartScheduled"  # the schedule's run, started just before
    sim.advance(15)
    assert (api.state(368785), api.state(368786)) == ("Completed", "Skipped")
    assert sim.requests("backup.start")[0]["fault"] == {"scheduled_first": True}


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
    scenario["faults"] = [
        {"route": "agent.list", "status": 503, "retry_after": "2s"},
        {"route": "agent.get", "status": 200, "body": "<html></html>"},
    ]
    sim = make_sim(scenario)
    api = Api(sim)
    assert api.get("/user/agents").status_code == 503
    assert api.get("/user/agents").status_code == 200
    assert api.get("/agent/1001").text == "<html></html>"
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
        ({"drop": True, "body": "x"}, "either body or drop"),
        ({"echo_token": True}, "echo_token needs a status"),
        ({"status": 500, "echo_token": True, "body": "x"}, "either body or echo_token"),
        ({"route": "backup.get", "scheduled_first": True}, "scheduled_first needs route backup.start"),
        ({"route": "backup.start", "scheduled_first": True, "status": 500}, "needs apply"),
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
