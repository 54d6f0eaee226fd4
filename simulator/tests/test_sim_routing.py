"""URL forms, authentication, tenant checks and request validation (api-notes: URLs and headers)."""

import pytest
import requests
from sim_helpers import TIMEOUT, Api


@pytest.mark.parametrize(
    "path",
    [
        "/v1.0/123456/user/agents",
        "/v1.0/user/agents",
        "/v1.0/123456/user/agents/",
        "/v1.0/user/agents/",
        "/v1.0/123456/user/agents.json",
    ],
)
def test_tenant_segment_trailing_slash_and_json_suffix_are_optional(api, path):
    response = api.get(api.sim.base_url + path)
    assert response.status_code == 200
    assert len(response.json()) == 6


def test_tenantless_post_with_trailing_slash(api):
    api.wake()
    url = api.sim.base_url + "/v1.0/backup/action-requested/"
    response = api.post(url, {"Action": "StartManual", "Id": 400001})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "application/json;", "application/json; charset=utf-8"])
def test_accepted_content_type_spellings(api, content_type):
    api.wake()
    response = api.post(
        "/backup/action-requested",
        data=b'{"Action": "StartManual", "Id": 400001}',
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 200


def test_other_content_type_is_400(api):
    response = api.post(
        "/backup/action-requested", data=b'{"Action": "StartManual", "Id": 1}', headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 400


def test_missing_token_is_401(sim):
    response = requests.get(sim.info["endpoint"] + "/user/agents", timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.json()["code"] == 401


def test_unknown_token_is_401(sim):
    headers = {"X-Auth-Token": "0" * 32}
    assert requests.get(sim.info["endpoint"] + "/user/agents", headers=headers, timeout=TIMEOUT).status_code == 401


def test_expired_token_is_401_and_a_new_login_works(sim, api):
    assert sim.expire_tokens() >= 1
    assert api.get("/user/agents").status_code == 401
    assert Api(sim).get("/user/agents").status_code == 200


def test_tenant_mismatch_is_403(sim, api):
    response = api.get(sim.base_url + "/v1.0/654321/user/agents")
    assert response.status_code == 403


def test_objects_of_another_tenant_are_not_found(sim):
    other = Api(sim, "other", "other-key")
    assert other.get("/agent/300001").status_code == 404
    assert other.get("/backup-configuration/400001").status_code == 404
    assert other.get("/backup/100001").status_code == 404
    assert [agent["MachineAgentId"] for agent in other.get("/user/agents").json()] == [310001]


@pytest.mark.parametrize(
    "path",
    [
        "/agent/999",
        "/agent/server/99999999-9999-4999-8999-999999999999",
        "/backup-configuration/999",
        "/backup-configuration/system/999",
        "/backup/999",
        "/backup/completed/999",
        "/backup/report/999",
        "/system/activity/999",
        "/agent/not-a-number",
        "/no/such/thing",
    ],
)
def test_unknown_ids_and_paths_are_404(api, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    "method, path",
    [
        ("DELETE", "/agent/300001"),
        ("GET", "/backup/action-requested"),
        ("POST", "/user/agents"),
        ("GET", "/user/wakeupagents"),
        ("PUT", "/activity"),
    ],
)
def test_wrong_method_is_405(api, method, path):
    response = requests.request(method, api.url(path), headers=api.headers(), timeout=TIMEOUT)
    assert response.status_code == 405


def test_404_and_405_need_a_token_first(sim):
    assert requests.get(sim.info["endpoint"] + "/nothing", timeout=TIMEOUT).status_code == 401


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"Action": "StartNow", "Id": 400001}', "Action must be"),
        (b'{"Id": 400001}', "Action must be"),
        (b'{"Action": "StartManual"}', "Id is required"),
        (b'{"Action": "StartManual", "Id": "abc"}', "Id must be an integer"),
        (b'{"Action": "StartManual", "Id": 1.5}', "Id must be an integer"),
        (b'{"Action": "StartManual", "Id": true}', "Id must be an integer"),
        (b"", "body is required"),
    ],
)
def test_bad_action_requests_are_400_with_a_clear_message(api, body, fragment):
    response = api.post("/backup/action-requested", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_numeric_string_id_is_accepted(api):
    api.wake()
    response = api.start("400001")
    assert response.status_code == 200


def test_action_route_names_in_the_log(sim, api):
    api.wake()
    backup_id = api.start(400001).json()
    api.stop(backup_id)
    api.post("/backup/action-requested", {"Action": "Nope", "Id": 1})
    routes = [entry["route"] for entry in sim.requests() if entry["path"].endswith("action-requested")]
    assert routes == ["backup.start", "backup.stop", "backup.action"]
