"""Regional endpoints (setting regional_endpoints): one Cloud Backup endpoint per region,
each knowing only the agents registered in its region (README "Regional endpoints")."""

from typing import Iterator

import pytest
import requests
from sim_helpers import TIMEOUT, Api, login

from cloudbackup_simulator import ScenarioError, Simulator

TENANT = "555"
DFW_AGENTS = [1001, 1002]
ORD_AGENTS = [1003]
# agent -> (configuration, history backup)
CONFIGURATIONS = {1001: (2001, 9001), 1002: (2002, 9002), 1003: (2003, 9003)}


def _agent(agent_id: int, name: str, datacenter: str) -> dict:
    config_id, backup_id = CONFIGURATIONS[agent_id]
    return {
        "id": agent_id,
        "name": name,
        "server_id": "00000000-0000-4000-8000-00000000%04d" % agent_id,
        "datacenter": datacenter,
        "configurations": [
            {"id": config_id, "name": "%s files" % name, "history": [{"id": backup_id, "ago": "1d"}]},
        ],
    }


def regional_scenario(**settings) -> dict:
    """Two agents in DFW (the default region) and one in ORD, each with one configuration
    and one restorable backup."""
    base = {
        "wake_delay": "1s",
        "awake_window": "70s",
        "durations": {"start_requested": 1, "queued": 1, "preparing": 1, "in_progress": 2, "stop": 1},
        "restore_durations": {"start_requested": 1, "queued": 1, "preparing": 1, "in_progress": 2, "stop": 1},
    }
    return {
        "settings": dict(base, **settings),
        "tenants": [
            {
                "id": TENANT,
                "default_region": "DFW",
                "users": [{"username": "admin", "api_key": "admin-key"}],
                "agents": [_agent(1001, "dfw-a", "DFW"), _agent(1002, "dfw-b", "DFW"), _agent(1003, "ord-a", "ORD")],
            }
        ],
    }


@pytest.fixture(scope="module")
def _regional_sim() -> Iterator[Simulator]:
    with Simulator(regional_scenario(regional_endpoints=True)) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def _global_sim() -> Iterator[Simulator]:
    with Simulator(regional_scenario()) as simulator:
        yield simulator


@pytest.fixture
def rsim(_regional_sim: Simulator) -> Simulator:
    """regional_endpoints on (from the scenario), freshly reset."""
    _regional_sim.reset()
    return _regional_sim


@pytest.fixture
def gsim(_global_sim: Simulator) -> Simulator:
    """The same account with the default settings (regional_endpoints off), freshly reset."""
    _global_sim.reset()
    return _global_sim


@pytest.fixture
def rapi(rsim: Simulator) -> Api:
    return Api(rsim)


def at(api: Api, region, path: str, tenant: bool = True) -> str:
    """The URL of ``path`` at a region's endpoint (region None: the unprefixed endpoint)."""
    prefix = "/%s" % region.lower() if region else ""
    return "%s%s/v1.0%s%s" % (api.sim.base_url, prefix, "/" + TENANT if tenant else "", path)


def ids(items, key: str) -> list:
    return sorted(item[key] for item in items)


def backup_catalog(sim: Simulator) -> list:
    catalog = login(sim, "admin", "admin-key").json()["access"]["serviceCatalog"]
    return [service for service in catalog if service["name"] == "cloudBackup"][0]["endpoints"]


def status(api: Api, agent_id: int) -> str:
    return api.get(at(api, None, "/agent/%d" % agent_id)).json()["Status"]


def start(api: Api, region, config_id: int) -> requests.Response:
    return api.post(at(api, region, "/backup/action-requested"), {"Action": "StartManual", "Id": config_id})


def restore_body(backup_id: int, source: int, destination: int) -> dict:
    return {
        "BackupId": backup_id,
        "BackupMachineId": source,
        "DestinationMachineId": destination,
        "DestinationPath": "/srv/restored/",
        "OverwriteFiles": False,
    }


# -- the catalog -------------------------------------------------------------------------


def test_catalog_gives_each_region_its_own_url(rsim):
    endpoints = backup_catalog(rsim)
    base = rsim.base_url
    assert endpoints[0] == {"publicURL": "%s/v1.0/%s" % (base, TENANT), "tenantId": TENANT}  # region-less, as before
    assert [(endpoint["region"], endpoint["publicURL"]) for endpoint in endpoints[1:]] == [
        (region, "%s/%s/v1.0/%s" % (base, region.lower(), TENANT))
        for region in ("DFW", "ORD", "IAD", "LON", "SYD", "HKG")
    ]
    assert rsim.info["endpoint"] == "%s/v1.0/%s" % (base, TENANT)  # the start-up line keeps the unprefixed one


def test_catalog_without_the_global_entry_lists_only_regional_urls(rsim):
    rsim.configure(catalog_global_entry=False)
    endpoints = backup_catalog(rsim)
    segments = [endpoint["publicURL"].split("/")[3] for endpoint in endpoints]
    assert segments == ["dfw", "ord", "iad", "lon", "syd", "hkg"]


# -- agents ------------------------------------------------------------------------------


def test_each_endpoint_lists_only_its_regions_agents(rapi):
    assert ids(rapi.get(at(rapi, "DFW", "/user/agents")).json(), "MachineAgentId") == DFW_AGENTS
    assert ids(rapi.get(at(rapi, "ORD", "/user/agents")).json(), "MachineAgentId") == ORD_AGENTS
    assert rapi.get(at(rapi, "IAD", "/user/agents")).json() == []
    assert ids(rapi.get(at(rapi, None, "/user/agents")).json(), "MachineAgentId") == DFW_AGENTS + ORD_AGENTS


@pytest.mark.parametrize("path", ["/user/agents", "/user/agents/", "/user/agents.json"])
def test_regional_paths_take_the_usual_url_forms(rapi, path):
    for tenant in (True, False):
        response = rapi.get(at(rapi, "ORD", path, tenant=tenant))
        assert response.status_code == 200
        assert ids(response.json(), "MachineAgentId") == ORD_AGENTS


def test_another_regions_agent_is_not_found(rapi):
    assert rapi.get(at(rapi, "ORD", "/agent/1001")).status_code == 404
    response = rapi.get(at(rapi, "DFW", "/agent/1003"))
    assert response.status_code == 404
    assert response.json()["message"] == "Agent 1003 was not found in DFW."
    assert rapi.get(at(rapi, "ORD", "/agent/1003")).json()["Datacenter"] == "ORD"
    server = "/agent/server/00000000-0000-4000-8000-000000001003"
    assert rapi.get(at(rapi, "DFW", server)).status_code == 404
    assert rapi.get(at(rapi, "ORD", server)).json()["MachineAgentId"] == 1003


def test_wakeupagents_at_ord_wakes_only_the_ord_agent(rsim, rapi):
    assert rapi.post(at(rapi, "ORD", "/user/wakeupagents")).status_code == 200
    rsim.advance(1)
    assert [status(rapi, agent_id) for agent_id in (1001, 1002, 1003)] == ["Offline", "Offline", "Online"]
    assert rapi.post(at(rapi, "DFW", "/user/wakeupagents")).status_code == 200
    rsim.advance(1)
    assert [status(rapi, agent_id) for agent_id in (1001, 1002, 1003)] == ["Online", "Online", "Online"]


def test_the_unprefixed_wakeupagents_still_wakes_every_region(rsim, rapi):
    assert rapi.post(at(rapi, None, "/user/wakeupagents")).status_code == 200
    rsim.advance(1)
    assert {status(rapi, agent_id) for agent_id in (1001, 1002, 1003)} == {"Online"}


# -- configurations ----------------------------------------------------------------------


def test_each_endpoint_lists_only_its_regions_configurations(rapi):
    assert ids(rapi.get(at(rapi, "DFW", "/backup-configuration")).json(), "BackupConfigurationId") == [2001, 2002]
    assert ids(rapi.get(at(rapi, "ORD", "/backup-configuration")).json(), "BackupConfigurationId") == [2003]
    assert len(rapi.get(at(rapi, None, "/backup-configuration")).json()) == 3
    assert rapi.get(at(rapi, "DFW", "/backup-configuration/2003")).status_code == 404
    assert rapi.get(at(rapi, "ORD", "/backup-configuration/2003")).json()["Datacenter"] == "ORD"
    assert rapi.get(at(rapi, "DFW", "/backup-configuration/system/1003")).status_code == 404
    assert ids(rapi.get(at(rapi, "ORD", "/backup-configuration/system/1003")).json(), "BackupConfigurationId") == [2003]
    available = rapi.get(at(rapi, "ORD", "/backup/availableforrestore")).json()
    assert ids(available, "BackupConfigurationId") == [2003]


def test_configuration_writes_only_for_the_regions_agents(rapi):
    wrong = at(rapi, "DFW", "/backup-configuration/enable/2003")
    assert rapi.post(wrong, {"Enable": False}).status_code == 404
    assert rapi.delete(at(rapi, "DFW", "/backup-configuration/2003")).status_code == 404
    body = {"MachineAgentId": 1003, "BackupConfigurationName": "ord-a files", "Inclusions": []}
    assert rapi.put(at(rapi, "DFW", "/backup-configuration/2003"), body).status_code == 404
    assert rapi.get(at(rapi, None, "/backup-configuration/2003")).json()["IsActive"] is True  # untouched
    right = at(rapi, "ORD", "/backup-configuration/enable/2003")
    assert rapi.post(right, {"Enable": False}).json()["IsActive"] is False


def test_creating_a_configuration_for_another_regions_agent_is_400(rapi):
    body = {"MachineAgentId": 1003, "BackupConfigurationName": "new one"}
    response = rapi.post(at(rapi, "DFW", "/backup-configuration"), body)
    assert response.status_code == 400
    assert "not an agent of this account in DFW" in response.json()["message"]
    created = rapi.post(at(rapi, "ORD", "/backup-configuration"), body).json()["BackupConfigurationId"]
    assert created in ids(rapi.get(at(rapi, "ORD", "/backup-configuration")).json(), "BackupConfigurationId")
    assert rapi.get(at(rapi, "DFW", "/backup-configuration/%d" % created)).status_code == 404


# -- backups -----------------------------------------------------------------------------


def test_start_of_another_regions_configuration_is_404_there_and_works_at_its_own(rsim, rapi):
    rapi.post(at(rapi, None, "/user/wakeupagents"))
    rsim.advance(1)
    refused = start(rapi, "DFW", 2003)
    assert refused.status_code == 404
    assert refused.json()["message"] == "Backup configuration 2003 was not found in DFW."
    response = start(rapi, "ORD", 2003)
    assert response.status_code == 200
    backup_id = response.json()
    assert rapi.get(at(rapi, "DFW", "/backup/%d" % backup_id)).status_code == 404
    assert rapi.get(at(rapi, "ORD", "/backup/%d" % backup_id)).json()["CurrentState"] == "StartRequested"
    rsim.advance(10)
    assert rapi.get(at(rapi, "DFW", "/backup/report/%d" % backup_id)).status_code == 404
    assert rapi.get(at(rapi, "ORD", "/backup/report/%d" % backup_id)).json()["State"] == "Completed"
    assert rapi.get(at(rapi, "DFW", "/backup/completed/2003")).status_code == 404
    assert backup_id in ids(rapi.get(at(rapi, "ORD", "/backup/completed/2003")).json(), "BackupId")
    assert rapi.get(at(rapi, None, "/backup/%d" % backup_id)).status_code == 200  # unprefixed: every region


def test_stop_of_another_regions_backup_is_404(rsim, rapi):
    rapi.post(at(rapi, "ORD", "/user/wakeupagents"))
    rsim.advance(1)
    backup_id = start(rapi, "ORD", 2003).json()
    stop = {"Action": "StopManual", "Id": backup_id}
    assert rapi.post(at(rapi, "DFW", "/backup/action-requested"), stop).status_code == 404
    assert rapi.post(at(rapi, "ORD", "/backup/action-requested"), stop).status_code == 204


def test_start_at_a_region_needs_that_regions_wake_up(rsim, rapi):
    rapi.post(at(rapi, "DFW", "/user/wakeupagents"))
    rsim.advance(1)
    assert start(rapi, "ORD", 2003).status_code == 403  # ORD's agent was not woken
    assert start(rapi, "DFW", 2001).status_code == 200


# -- activity ----------------------------------------------------------------------------


def test_each_endpoint_shows_only_its_regions_activity(rsim, rapi):
    assert ids(rapi.get(at(rapi, "DFW", "/activity")).json(), "ID") == [9001, 9002]
    assert ids(rapi.get(at(rapi, "ORD", "/activity")).json(), "ID") == [9003]
    assert ids(rapi.get(at(rapi, None, "/activity")).json(), "ID") == [9001, 9002, 9003]
    assert rapi.get(at(rapi, "DFW", "/system/activity/1003")).status_code == 404
    assert ids(rapi.get(at(rapi, "ORD", "/system/activity/1003")).json(), "ID") == [9003]
    assert {item["SourceDatacenter"] for item in rapi.get(at(rapi, "ORD", "/activity")).json()} == {"ORD"}


# -- restores ----------------------------------------------------------------------------


def test_restores_at_a_regional_endpoint(rapi):
    response = rapi.put(at(rapi, "ORD", "/restore"), restore_body(9003, 1003, 1003))
    assert response.status_code == 200
    restore_id = response.json()["RestoreId"]
    assert rapi.get(at(rapi, "ORD", "/restore/%d" % restore_id)).status_code == 200
    assert rapi.get(at(rapi, "DFW", "/restore/%d" % restore_id)).status_code == 404
    assert rapi.get(at(rapi, "DFW", "/restore/files/%d" % restore_id)).status_code == 404
    assert restore_id in ids(rapi.get(at(rapi, "ORD", "/activity")).json(), "ID")
    assert restore_id not in ids(rapi.get(at(rapi, "DFW", "/activity")).json(), "ID")
    assert rapi.delete(at(rapi, "DFW", "/restore/files/%d" % restore_id)).status_code == 404
    assert rapi.delete(at(rapi, "ORD", "/restore/files/%d" % restore_id)).status_code == 204


@pytest.mark.parametrize(
    "region, backup_id, source, destination, fragment",
    [
        ("ORD", 9001, 1001, 1003, "BackupId 9001 is not a backup of this account in ORD"),
        ("DFW", 9001, 1001, 1003, "DestinationMachineId 1003 is not an agent of this account in DFW"),
        ("DFW", 9003, 1003, 1001, "BackupId 9003 is not a backup of this account in DFW"),
    ],
)
def test_a_restore_across_regions_is_a_bad_reference_at_a_regional_endpoint(
    rapi, region, backup_id, source, destination, fragment
):
    response = rapi.put(at(rapi, region, "/restore"), restore_body(backup_id, source, destination))
    assert response.status_code == 400  # restore_bad_reference_status
    assert fragment in response.json()["message"]


def test_a_restore_across_regions_is_a_bad_reference_on_update_too(rsim, rapi):
    restore_id = rapi.put(at(rapi, "DFW", "/restore"), restore_body(9001, 1001, 1002)).json()["RestoreId"]
    body = dict(restore_body(9001, 1001, 1003), RestoreId=restore_id)
    assert rapi.post(at(rapi, "DFW", "/restore"), body).status_code == 400
    rsim.configure(restore_bad_reference_status=422)
    assert rapi.post(at(rapi, "DFW", "/restore"), body).status_code == 422


def test_a_cross_region_restore_made_unprefixed_is_seen_only_there(rapi):
    response = rapi.put(at(rapi, None, "/restore"), restore_body(9001, 1001, 1003))
    assert response.status_code == 200  # as before: the unprefixed endpoint knows every region
    restore_id = response.json()["RestoreId"]
    for region in ("DFW", "ORD"):
        assert rapi.get(at(rapi, region, "/restore/%d" % restore_id)).status_code == 404
        assert restore_id not in ids(rapi.get(at(rapi, region, "/activity")).json(), "ID")
    assert restore_id in ids(rapi.get(at(rapi, None, "/system/activity/1003")).json(), "ID")


# -- the request log, route names, faults ------------------------------------------------


def test_the_request_log_records_the_region(rsim, rapi):
    rsim.clear_requests()
    rapi.get(at(rapi, "ORD", "/user/agents"))
    rapi.get(at(rapi, None, "/user/agents"))
    rapi.get(at(rapi, "DFW", "/agent/1003"))
    entries = rsim.requests()
    assert [(entry["route"], entry["region"], entry["status"]) for entry in entries] == [
        ("agent.list", "ORD", 200),
        ("agent.list", None, 200),
        ("agent.get", "DFW", 404),
    ]
    assert entries[0]["path"] == "/ord/v1.0/%s/user/agents" % TENANT
    assert [entry["region"] for entry in rsim.requests(route="agent.list")] == ["ORD", None]
    login(rsim, "admin", "admin-key")
    assert rsim.requests(route="identity.tokens")[0]["region"] is None


def test_regional_requests_keep_their_route_names_for_faults_and_actions(rsim, rapi):
    rsim.add_fault(route="agent.list", status=503, count=1)
    assert rapi.get(at(rapi, "ORD", "/user/agents")).status_code == 503
    assert rapi.get(at(rapi, "ORD", "/user/agents")).status_code == 200
    rapi.post(at(rapi, "ORD", "/user/wakeupagents"))
    rsim.advance(1)
    start(rapi, "ORD", 2003)
    assert [(entry["region"], entry["status"]) for entry in rsim.requests(route="backup.start")] == [("ORD", 200)]


def test_tenant_and_token_checks_apply_at_regional_endpoints(rsim, rapi):
    assert rapi.get(rsim.base_url + "/ord/v1.0/654321/user/agents").status_code == 403
    assert requests.get(at(rapi, "ORD", "/user/agents"), timeout=TIMEOUT).status_code == 401


def test_only_lower_case_region_segments_are_endpoints(rsim, rapi):
    assert rapi.get(rsim.base_url + "/ORD/v1.0/%s/user/agents" % TENANT).status_code == 404
    assert rapi.get(rsim.base_url + "/xyz/v1.0/%s/user/agents" % TENANT).status_code == 404
    assert rapi.get(rsim.base_url + "/ord/v2.0/tokens").status_code == 404


# -- the setting -------------------------------------------------------------------------


def test_off_by_default_every_region_has_the_same_url_and_prefixed_paths_are_404(gsim):
    assert gsim.state()["settings"]["regional_endpoints"] is False
    endpoints = backup_catalog(gsim)
    assert {endpoint["publicURL"] for endpoint in endpoints} == {gsim.info["endpoint"]}
    api = Api(gsim)
    gsim.clear_requests()
    response = api.get(at(api, "ORD", "/user/agents"))
    assert response.status_code == 404
    assert api.get(at(api, "ORD", "/agent/1003")).status_code == 404
    assert ids(api.get(at(api, None, "/user/agents")).json(), "MachineAgentId") == DFW_AGENTS + ORD_AGENTS
    entries = gsim.requests()
    assert [(entry["route"], entry["region"], entry["status"]) for entry in entries] == [
        (None, None, 404),
        (None, None, 404),
        ("agent.list", None, 200),
    ]


def test_off_by_default_unprefixed_calls_act_on_every_region(gsim):
    api = Api(gsim)
    api.post(at(api, None, "/user/wakeupagents"))
    gsim.advance(1)
    assert {status(api, agent_id) for agent_id in (1001, 1002, 1003)} == {"Online"}
    assert ids(api.get(at(api, None, "/activity")).json(), "ID") == [9001, 9002, 9003]
    assert api.put(at(api, None, "/restore"), restore_body(9001, 1001, 1003)).status_code == 200


def test_configure_at_run_time_and_reset(gsim):
    api = Api(gsim)
    assert api.get(at(api, "ORD", "/user/agents")).status_code == 404
    assert gsim.configure(regional_endpoints=True)["regional_endpoints"] is True
    assert ids(api.get(at(api, "ORD", "/user/agents")).json(), "MachineAgentId") == ORD_AGENTS
    assert backup_catalog(gsim)[2]["publicURL"] == "%s/ord/v1.0/%s" % (gsim.base_url, TENANT)
    gsim.configure(regional_endpoints=False)
    assert api.get(at(api, "ORD", "/user/agents")).status_code == 404
    gsim.configure(regional_endpoints=True)
    gsim.reset()
    api = Api(gsim)
    assert api.get(at(api, "ORD", "/user/agents")).status_code == 404
    assert {endpoint["publicURL"] for endpoint in backup_catalog(gsim)} == {gsim.info["endpoint"]}


def test_configure_over_http_and_validation(gsim):
    url = gsim.info["control_url"] + "/settings"
    response = requests.post(url, json={"regional_endpoints": True}, timeout=TIMEOUT)
    assert response.status_code == 200 and response.json()["regional_endpoints"] is True
    assert requests.get(url, timeout=TIMEOUT).json()["regional_endpoints"] is True
    api = Api(gsim)
    assert ids(api.get(at(api, "DFW", "/user/agents")).json(), "MachineAgentId") == DFW_AGENTS
    refused = requests.post(url, json={"regional_endpoints": "yes"}, timeout=TIMEOUT)
    assert refused.status_code == 400 and "regional_endpoints" in refused.json()["message"]
    with pytest.raises(ScenarioError, match="regional_endpoints"):
        gsim.configure(regional_endpoints="yes")


def test_the_setting_in_a_scenario_is_validated():
    with pytest.raises(ScenarioError, match="settings.regional_endpoints"):
        Simulator(regional_scenario(regional_endpoints=3))
