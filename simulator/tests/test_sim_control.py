"""The control path /_simulator/... and the Python API around it."""

import requests
from sim_helpers import TIMEOUT, Api, login

from cloudbackup_simulator import ROUTE_NAMES, Simulator


def control(sim, method, path, **kwargs):
    return requests.request(method, sim.info["control_url"] + path, timeout=TIMEOUT, **kwargs)


def test_info_matches_the_python_api(sim):
    info = control(sim, "GET", "/info").json()
    assert info == sim.info
    assert info["identity_url"].endswith("/v2.0/")
    assert info["endpoint"].endswith("/v1.0/123456")
    assert (info["tenant_id"], info["username"], info["api_key"]) == ("123456", "admin", "admin-key")


def test_request_log_entries(sim, api):
    api.get("/agent/300001")
    entry = control(sim, "GET", "/requests").json()[-1]
    assert entry["route"] == "agent.get" and entry["method"] == "GET" and entry["status"] == 200
    assert entry["path"] == "/v1.0/123456/agent/300001"
    assert {"seq", "time", "sim_time", "real_time", "fault", "body", "query"} <= set(entry)
    assert control(sim, "GET", "/requests", params={"route": "agent.get"}).json() == sim.requests("agent.get")


def test_request_log_never_holds_tokens_or_credentials(sim, api):
    requests.post(
        sim.info["identity_url"] + "tokens",
        json={"auth": {"passwordCredentials": {"username": "admin", "password": "admin-password"}}},
        timeout=TIMEOUT,
    )
    api.get("/user/agents")
    text = control(sim, "GET", "/requests").text
    for secret in ("admin-key", "admin-password", api.token):
        assert secret not in text
    body = sim.requests("identity.tokens")[0]["body"]
    assert body["auth"]["RAX-KSKEY:apiKeyCredentials"]["username"] == "admin"


def test_request_log_records_the_json_body(sim, api):
    api.wake()
    api.start(400001)
    assert sim.requests("backup.start")[0]["body"] == {"Action": "StartManual", "Id": 400001}


def test_clear_requests(sim, api):
    api.get("/user/agents")
    assert control(sim, "DELETE", "/requests").status_code == 200
    assert sim.requests() == []
    api.get("/user/agents")
    sim.clear_requests()
    assert sim.requests() == []


def test_control_requests_are_not_logged(sim):
    control(sim, "GET", "/state")
    assert sim.requests() == []


def test_clock_advance_over_http(sim):
    before = control(sim, "GET", "/clock").json()
    after = control(sim, "POST", "/clock", json={"advance": "1h"}).json()
    assert after["offset"] == 3600 and after["now"] - before["now"] >= 3600
    assert control(sim, "POST", "/clock", json={"advance": -5}).status_code == 400
    assert control(sim, "POST", "/clock", data="nope").status_code == 400


def test_expire_tokens_over_http(sim, api):
    assert control(sim, "POST", "/tokens/expire").json()["expired"] >= 1
    assert api.get("/user/agents").status_code == 401


def test_reset_restores_state_clock_faults_and_log(sim, api):
    api.wake()
    api.start(400001)
    sim.advance(100)
    sim.add_fault(status=500)
    assert control(sim, "POST", "/reset").status_code == 200
    assert sim.requests() == [] and sim.core.clock.offset == 0
    fresh = Api(sim)  # tokens are gone too
    assert api.get("/user/agents").status_code == 401
    assert fresh.get("/agent/300001").json()["Status"] == "Offline"
    assert fresh.get("/backup/368785").status_code == 404


def test_state_snapshot(sim, api):
    api.wake()
    state = control(sim, "GET", "/state").json()
    assert {agent["MachineAgentId"] for agent in state["agents"]} >= {300001, 310001}
    assert {backup["BackupId"] for backup in state["backups"]} >= {100001, 100002, 100003}
    assert state["tokens"][0]["username"] == "admin" and "id" not in state["tokens"][0]
    assert state["clock"]["speed"] == 1.0


def test_unknown_control_path_is_404(sim):
    assert control(sim, "GET", "/nothing").status_code == 404


def test_route_names_match_the_contract():
    assert set(ROUTE_NAMES) == {
        "identity.tokens",
        "agent.get",
        "agent.get_by_server",
        "agent.list",
        "agent.wake",
        "configuration.list",
        "configuration.list_for_agent",
        "configuration.get",
        "configuration.create",
        "configuration.update",
        "configuration.enable",
        "configuration.delete",
        "backup.start",
        "backup.stop",
        "backup.get",
        "backup.completed",
        "backup.report",
        "backup.available_for_restore",
        "activity.agent",
        "activity.user",
        "restore.create",
        "restore.update",
        "restore.files_add",
        "restore.files_list",
        "restore.delete",
        "restore.start",
        "restore.stop",
        "restore.get",
        "restore.report",
    }


def test_every_route_is_logged_under_its_name(sim, api):
    api.wake()
    backup_id = api.start(400001).json()
    calls = [
        ("get", "/agent/300001"),
        ("get", "/agent/server/11111111-1111-4111-8111-111111111111"),
        ("get", "/user/agents"),
        ("get", "/backup-configuration"),
        ("get", "/backup-configuration/system/300001"),
        ("get", "/backup-configuration/400001"),
        ("get", "/backup/%d" % backup_id),
        ("get", "/backup/completed/400001"),
        ("get", "/backup/report/100001"),
        ("get", "/backup/availableforrestore"),
        ("get", "/system/activity/300001"),
        ("get", "/activity"),
        ("post", "/backup-configuration/enable/400001"),
        ("put", "/backup-configuration/400001"),
        ("post", "/backup-configuration"),
        ("delete", "/backup-configuration/400002"),
        ("put", "/restore"),
        ("post", "/restore"),
        ("put", "/restore/files"),
        ("get", "/restore/files/500001"),
        ("delete", "/restore/files/500001"),
        ("get", "/restore/500001"),
        ("get", "/restore/report/500001"),
    ]
    for method, path in calls:
        getattr(api, method)(path) if method in ("get", "delete") else getattr(api, method)(path, {})
    api.stop(backup_id)
    for action in ("StartManual", "StopManual"):
        api.post("/restore/action-requested", {"Action": action, "Id": 500001})
    assert {entry["route"] for entry in sim.requests()} == set(ROUTE_NAMES)


def test_simulator_lifecycle_and_speed():
    sim = Simulator("test", speed=1000).start()
    try:
        assert login(sim, "admin", "admin-key").status_code == 200
        api = Api(sim)
        api.post("/user/wakeupagents")
        first = sim.now()
        while sim.now() - first < 10:  # 10 simulated seconds take about 10 ms
            pass
        assert api.get("/agent/300001").json()["Status"] == "Online"
    finally:
        sim.stop()
    sim.stop()  # idempotent
    with Simulator({"tenants": [{"id": 1, "users": [{"username": "u", "api_key": "k"}]}]}) as other:
        assert other.info["tenant_id"] == "1"


def test_settings_change_at_run_time_and_reset_restores_them(sim, api):
    assert sim.configure(agent_list_status="Unknown")["agent_list_status"] == "Unknown"
    assert {agent["Status"] for agent in api.get("/user/agents").json()} == {"Unknown"}
    assert control(sim, "POST", "/settings", json={"activity_lag": "1m"}).json()["activity_lag"] == 60
    assert control(sim, "GET", "/settings").json() == control(sim, "GET", "/state").json()["settings"]
    sim.reset()
    assert control(sim, "GET", "/settings").json()["agent_list_status"] == "Offline"
    assert sim.state()["settings"]["activity_lag"] == 0


def test_invalid_or_load_time_settings_are_refused(sim):
    bad = control(sim, "PATCH", "/settings", json={"agent_list_status": "Asleep"})
    assert bad.status_code == 400 and "settings.agent_list_status" in bad.json()["message"]
    assert "only read when the scenario loads" in control(sim, "POST", "/settings", json={"wake_delay": 1}).text
