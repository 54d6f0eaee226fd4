"""Identity v2.0: POST /v2.0/tokens (api-notes: Identity)."""

import re

import pytest
import requests
from sim_helpers import TIMEOUT, Api, login, scenario_with


def post_tokens(sim, body=None, data=None):
    return requests.post(sim.info["identity_url"] + "tokens", json=body, data=data, timeout=TIMEOUT)


def test_api_key_login_returns_token_tenant_and_user(sim):
    access = login(sim, "admin", "admin-key").json()["access"]
    token = access["token"]
    assert re.fullmatch(r"[0-9a-f]{32}", token["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", token["expires"])
    assert token["tenant"] == {"id": "123456", "name": "123456"}
    assert token["RAX-AUTH:authenticatedBy"] == ["APIKEY"]
    assert access["user"]["name"] == "admin"
    assert access["user"]["RAX-AUTH:defaultRegion"] == "DFW"
    assert [role["name"] for role in access["user"]["roles"]] == ["identity:user-admin"]


def test_password_login(sim):
    body = {"auth": {"passwordCredentials": {"username": "admin", "password": "admin-password"}}}
    response = post_tokens(sim, body)
    assert response.status_code == 200
    assert response.json()["access"]["token"]["RAX-AUTH:authenticatedBy"] == ["PASSWORD"]


def test_catalog_has_cloud_backup_with_regionless_endpoint_first(sim):
    catalog = login(sim, "admin", "admin-key").json()["access"]["serviceCatalog"]
    backup = [service for service in catalog if service["name"] == "cloudBackup"]
    assert len(backup) == 1 and backup[0]["type"] == "rax:backup"
    endpoints = backup[0]["endpoints"]
    assert "region" not in endpoints[0]
    assert [endpoint["region"] for endpoint in endpoints[1:]] == ["DFW", "ORD", "IAD", "LON", "SYD", "HKG"]
    for endpoint in endpoints:
        assert endpoint["publicURL"] == sim.info["endpoint"]
        assert endpoint["tenantId"] == "123456"
    assert {"cloudFiles", "cloudServersOpenStack"} <= {service["name"] for service in catalog}


def test_catalog_without_the_regionless_entry(sim):
    sim.configure(catalog_global_entry=False)
    catalog = login(sim, "admin", "admin-key").json()["access"]["serviceCatalog"]
    endpoints = [service for service in catalog if service["name"] == "cloudBackup"][0]["endpoints"]
    assert [endpoint["region"] for endpoint in endpoints] == ["DFW", "ORD", "IAD", "LON", "SYD", "HKG"]


def test_catalog_urls_use_the_host_the_client_called(sim):
    url = sim.info["identity_url"].replace("127.0.0.1", "localhost") + "tokens"
    body = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "admin", "apiKey": "admin-key"}}}
    catalog = requests.post(url, json=body, timeout=TIMEOUT).json()["access"]["serviceCatalog"]
    assert catalog[1]["endpoints"][0]["publicURL"].startswith("http://localhost:")


def test_identity_output_is_not_dotnet_escaped(sim):
    assert "\\/" not in login(sim, "admin", "admin-key").text


@pytest.mark.parametrize(
    "credentials",
    [
        {"RAX-KSKEY:apiKeyCredentials": {"username": "admin", "apiKey": "wrong"}},
        {"RAX-KSKEY:apiKeyCredentials": {"username": "nobody", "apiKey": "admin-key"}},
        {"passwordCredentials": {"username": "admin", "password": "wrong"}},
        {"passwordCredentials": {"username": "observer", "password": ""}},  # user without a password
    ],
)
def test_bad_credentials_give_401_unauthorized(sim, credentials):
    response = post_tokens(sim, {"auth": credentials})
    assert response.status_code == 401
    assert response.json() == {
        "unauthorized": {"code": 401, "message": "Unable to authenticate user with credentials provided."}
    }


@pytest.mark.parametrize(
    "data", ["not json", "[]", '{"auth": 1}', '{"auth": {}}', '{"auth": {"passwordCredentials": {"username": 1}}}']
)
def test_unparsable_body_gives_400_bad_request(sim, data):
    response = post_tokens(sim, data=data)
    assert response.status_code == 400
    assert response.json()["badRequest"] == {
        "code": 400,
        "message": "Invalid request body: unable to parse Auth data. Please review XML or JSON formatting",
    }


def test_token_rescoping(sim):
    token = login(sim, "admin", "admin-key").json()["access"]["token"]["id"]
    response = post_tokens(sim, {"auth": {"tenantId": "123456", "token": {"id": token}}})
    assert response.status_code == 200
    assert response.json()["access"]["token"]["id"] != token
    assert post_tokens(sim, {"auth": {"tenantId": "654321", "token": {"id": token}}}).status_code == 401


def test_wrong_method_on_tokens_is_405(sim):
    response = requests.get(sim.info["identity_url"] + "tokens", timeout=TIMEOUT)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_token_expires_after_configured_lifetime(make_sim):
    sim = make_sim(scenario_with({"token_lifetime": "1h"}))
    api = Api(sim)
    assert api.get("/user/agents").status_code == 200
    sim.advance(3599)
    assert api.get("/user/agents").status_code == 200
    sim.advance(2)
    assert api.get("/user/agents").status_code == 401


def test_preissued_scenario_token(make_sim):
    scenario = scenario_with()
    scenario["tenants"][0]["users"][0]["token"] = "fixed-token"
    sim = make_sim(scenario)
    response = requests.get(
        sim.info["endpoint"] + "/user/agents", headers={"X-Auth-Token": "fixed-token"}, timeout=TIMEOUT
    )
    assert response.status_code == 200
