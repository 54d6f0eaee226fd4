"""A fleet over two regions of one account: one batch per region, at each region's own endpoint.

The simulator's ``regional_endpoints`` gives each region its own Cloud Backup endpoint,
which knows only that region's agents, as Rackspace's do. The task logs in once (in DFW);
the ORD client reuses the token at the ORD endpoint of the catalog.
"""
import collections

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_restore import start_restores, watch_restores
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_start import start_fleet
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_watch import watch_fleet
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import connection_argument_spec
from cloudbackup_simulator import Simulator

SERVERS = {"dfw1": "DFW", "ord1": "ORD", "dfw2": "DFW", "ord2": "ORD"}


def scenario():
    agents = [dict(id=710001 + index, name=name, datacenter=region, wake_delay=5,
                   server_id="5e7e0000-0000-4000-8000-%012d" % index,
                   configurations=[dict(id=810001 + index, name="files", outcome="Completed")])
              for index, (name, region) in enumerate(SERVERS.items())]
    return dict(settings=dict(regional_endpoints=True),
                tenants=[dict(id="123456", default_region="DFW", agents=agents,
                              users=[dict(username="admin", api_key="admin-key", roles=["identity:user-admin"])])])


@pytest.fixture
def regions():
    with Simulator(scenario=scenario(), speed=1e-6) as simulator:
        params = {option: spec.get("default") for option, spec in connection_argument_spec().items()}
        params.update(username="admin", api_key="admin-key", identity_url=simulator.info["identity_url"], region="DFW",
                      timeout=5.0)
        dfw = CloudBackupClient(params, sleep=simulator.advance, clock=simulator.now)
        ord_params = dict(params, region="ORD", auth_token=dfw.token, tenant_id=dfw.tenant_id,
                          endpoint=dfw.regional_endpoints["ORD"])
        ord_ = CloudBackupClient(ord_params, sleep=simulator.advance, clock=simulator.now)
        # ORD's endpoint as a wrong one (an outage): nothing but 404 there.
        broken = CloudBackupClient(dict(ord_params, endpoint=ord_params["endpoint"].replace("/ord/", "/nowhere/")),
                                   sleep=simulator.advance, clock=simulator.now)
        yield simulator, {None: dfw, "DFW": dfw, "ORD": ord_, "broken": broken}


def test_one_regions_outage_fails_its_own_servers_only(regions):
    simulator, clients = regions
    specs = [dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=None,
                  configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=False,
                  region=region) for name, region in SERVERS.items()]

    results = start_fleet(clients[None], specs, True, 120, False, sleep=simulator.advance, clock=simulator.now,
                          client_for=lambda spec: clients[None] if spec["region"] == "DFW" else clients["broken"])

    assert [result["outcome"] for result in results] == ["started", "failed", "started", "failed"]
    assert "404" in results[1]["msg"]


def test_each_region_is_a_batch_at_its_own_endpoint_with_one_login(regions):
    simulator, clients = regions
    specs = [dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=None,
                  configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=False,
                  region=None if region == "DFW" else region) for name, region in SERVERS.items()]

    results = start_fleet(clients[None], specs, True, 120, False, sleep=simulator.advance, clock=simulator.now,
                          client_for=lambda spec: clients[spec["region"]])

    assert [result["outcome"] for result in results] == ["started"] * 4, results
    assert [result["endpoint"] for result in results] == [None, clients["ORD"].endpoint, None, clients["ORD"].endpoint]
    starts = simulator.requests(route="backup.start")
    assert {(entry["body"]["Id"], entry["region"]) for entry in starts if entry["status"] == 200} == {
        (810001, "DFW"), (810002, "ORD"), (810003, "DFW"), (810004, "ORD")}
    assert collections.Counter(entry["region"] for entry in simulator.requests(route="agent.wake")) == {"DFW": 1, "ORD": 1}
    assert len(simulator.requests(route="identity.tokens")) == 1

    entries = [dict(name=result["name"], backup_id=result["backup_id"], configuration_id=result["configuration_id"],
                    acceptable_states=["Completed"], started_at=result["requested_at"], result=None,
                    region=spec["region"]) for result, spec in zip(results, specs)]
    simulator.clear_requests()

    watched = watch_fleet(clients[None], entries, 600, 15, sleep=simulator.advance, clock=simulator.now,
                          now=simulator.now, client_for=lambda entry: clients[entry["region"]])

    assert [entry["result"]["gate_passed"] for entry in watched.value] == [True] * 4
    # One read of each region's feed per poll, whatever the number of its servers.
    feeds = collections.Counter(entry["region"] for entry in simulator.requests(route="activity.user"))
    assert feeds["DFW"] == feeds["ORD"] == watched.polls


def backed_up(simulator, clients):
    """Each server's completed backup, by name: one backup per server, started and watched over both regions."""
    specs = [dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=None,
                  configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=False,
                  region=None if region == "DFW" else region) for name, region in SERVERS.items()]
    results = start_fleet(clients[None], specs, True, 120, False, sleep=simulator.advance, clock=simulator.now,
                          client_for=lambda spec: clients[spec["region"]])
    entries = [dict(name=result["name"], backup_id=result["backup_id"], configuration_id=result["configuration_id"],
                    acceptable_states=["Completed"], started_at=result["requested_at"], result=None,
                    region=spec["region"]) for result, spec in zip(results, specs)]
    watch_fleet(clients[None], entries, 600, 15, sleep=simulator.advance, clock=simulator.now, now=simulator.now,
                client_for=lambda entry: clients[entry["region"]])
    simulator.clear_requests()
    return {entry["name"]: entry["backup_id"] for entry in entries}


def restore_specs(backups, region_of):
    return [dict(name=name, backup_id=backups[name], destination_path="/", overwrite=True, region=region_of(name))
            for name in SERVERS]


def test_restores_of_each_region_start_and_are_followed_at_its_own_endpoint(regions):
    simulator, clients = regions
    backups = backed_up(simulator, clients)
    specs = restore_specs(backups, lambda name: None if SERVERS[name] == "DFW" else SERVERS[name])

    started = start_restores(clients[None], specs, False, sleep=simulator.advance, clock=simulator.now,
                             client_for=lambda spec: clients[spec["region"]])

    assert [one.outcome for one in started] == ["started"] * 4, [one.msg for one in started]
    assert [one.as_result()["endpoint"] for one in started] == [None, clients["ORD"].endpoint,
                                                                None, clients["ORD"].endpoint]
    assert sorted(entry["region"] for entry in successful(simulator, "restore.start")) == ["DFW", "DFW", "ORD", "ORD"]
    # One feed read and one agent list per region for the batch's preparation.
    assert collections.Counter(entry["region"] for entry in simulator.requests(route="agent.list")) == {
        "DFW": 1, "ORD": 1}
    simulator.clear_requests()

    entries = [dict(name=one.spec["name"], restore_id=one.restore["restore_id"], destination_path="/",
                    region=one.spec["region"]) for one in started]
    watched = watch_restores(clients[None], entries, 3600, 15, sleep=simulator.advance, clock=simulator.now,
                             now=simulator.now, client_for=lambda entry: clients[entry["region"]])

    assert [entry["state"] for entry in watched.value] == ["Completed"] * 4
    feeds = collections.Counter(entry["region"] for entry in simulator.requests(route="activity.user"))
    assert feeds["DFW"] == feeds["ORD"] == watched.polls


def test_one_regions_outage_fails_its_own_restores_only(regions):
    simulator, clients = regions
    backups = backed_up(simulator, clients)
    specs = restore_specs(backups, lambda name: SERVERS[name])

    started = start_restores(clients[None], specs, False, sleep=simulator.advance, clock=simulator.now,
                             client_for=lambda spec: clients[None] if spec["region"] == "DFW" else clients["broken"])

    assert [one.outcome for one in started] == ["started", "failed", "started", "failed"]
    assert "404" in started[1].msg
    assert [one.as_result()["region"] for one in started] == ["DFW", "ORD", "DFW", "ORD"]


def successful(simulator, route):
    return [entry for entry in simulator.requests(route=route) if entry["status"] in (200, 204)]
