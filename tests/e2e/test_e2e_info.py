"""End-to-end: cloudbackup_info run by ansible-playbook against the simulator (scenario test.yml)."""
import re

import requests
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_info

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ALPHA, BETA = 300001, 300002


def play(*tasks):
    """A playbook of these tasks (dicts), run on localhost without facts."""
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def info(name, **args):
    return {"name": name, "rackspace.cloudbackup.cloudbackup_info": args}


def wake_agents(simulator):
    """Wake every agent through the API (as cloudbackup_action would) and let the wake delay pass."""
    session = requests.Session()
    simulator_info = simulator.info
    login = session.post(simulator_info["identity_url"] + "tokens", json={"auth": {"RAX-KSKEY:apiKeyCredentials": {
        "username": simulator_info["username"], "apiKey": simulator_info["api_key"]}}}, timeout=10)
    token = login.json()["access"]["token"]["id"]
    session.post(simulator_info["endpoint"] + "/user/wakeupagents", headers={"X-Auth-Token": token}, timeout=10)
    simulator.advance(5)


def test_every_resource_normalized(run_playbook, simulator):
    run = run_playbook(play(
        info("agents", resource="agents"),
        info("configurations", resource="configurations"),
        info("backup", resource="backup", backup_id=100002),
        info("completed", resource="completed_backups", configuration_id=400001),
        info("activity", resource="activity"),
    ))

    assert run.rc == 0, run.output
    agents = run.result("agents")["agents"]
    assert [a["machine_agent_id"] for a in agents] == [300001, 300002, 300003, 300004, 300010, 300011]
    # Sizes are int bytes with the API's text beside them; this scenario's vaults have none yet (null).
    assert all(a["backup_vault_size"] is None and "backup_vault_size_text" in a for a in agents)
    assert ISO_UTC.match(agents[0]["time_of_last_successful_backup"])
    assert {a["status"] for a in agents} == {"Offline"}

    configurations = run.result("configurations")["configurations"]
    assert [c["backup_configuration_id"] for c in configurations] == [400001, 400002, 400003, 400005, 400006, 400007, 400010, 400011]
    nightly = configurations[0]
    assert (nightly["last_run_backup_report_id"], nightly["next_scheduled_run_time"]) == (100001, None)
    assert ISO_UTC.match(nightly["last_run_time"])

    backup = run.result("backup")["backup"]
    assert (backup["backup_id"], backup["current_state"], backup["backup_configuration_id"]) == (
        100002, "CompletedWithErrors", 400001)
    assert ISO_UTC.match(backup["state_change_time"])

    completed = run.result("completed")["completed_backups"]
    assert [b["backup_id"] for b in completed] == [100001, 100002]
    assert completed[0]["completed_time"] > completed[1]["completed_time"]
    assert (completed[1]["bytes_searched"], completed[1]["num_errors"]) == (3972844748, 2)

    activity = run.result("activity")["activity"]
    assert {item["id"] for item in activity} == {100001, 100002, 100003}
    assert all(isinstance(item["id"], int) and ISO_UTC.match(item["time_of_activity"]) for item in activity)


def test_agent_filters_read_the_real_status(run_playbook, simulator):
    wake_agents(simulator)
    simulator.clear_requests()

    run = run_playbook(play(
        info("by name", resource="agents", machine_name="ALPHA"),
        info("by server", resource="agents", server_id="22222222-2222-4222-8222-222222222222"),
        info("no such server", resource="agents", server_id="99999999-9999-4999-8999-999999999999"),
        info("other tenant's agent", resource="agents", server_id="55555555-5555-4555-8555-555555555555"),
    ))

    assert run.rc == 0, run.output
    assert [(a["machine_agent_id"], a["status"]) for a in run.result("by name")["agents"]] == [(ALPHA, "Online")]
    assert [a["machine_agent_id"] for a in run.result("by server")["agents"]] == [BETA]
    assert run.result("no such server")["agents"] == []
    assert run.result("other tenant's agent")["agents"] == []
    assert len(simulator.requests(route="agent.list")) == 1
    assert [r["path"].rsplit("/", 1)[-1] for r in simulator.requests(route="agent.get")] == [str(ALPHA)]
    assert len(simulator.requests(route="agent.get_by_server")) == 3


def test_configuration_filters(run_playbook, simulator):
    run = run_playbook(play(
        info("of beta", resource="configurations", agent_id=BETA),
        info("named nightly", resource="configurations", configuration_name="nightly"),
        info("deleted by id", resource="configurations", configuration_id=400004),
        info("completed by name", resource="completed_backups", configuration_name="nightly", agent_id=ALPHA),
    ))

    assert run.rc == 0, run.output
    assert [c["backup_configuration_id"] for c in run.result("of beta")["configurations"]] == [400003]
    assert [c["machine_agent_id"] for c in run.result("named nightly")["configurations"]] == [ALPHA, BETA]
    assert run.result("deleted by id")["configurations"][0]["is_deleted"] is True
    assert [b["backup_id"] for b in run.result("completed by name")["completed_backups"]] == [100001, 100002]
    assert len(simulator.requests(route="configuration.list_for_agent")) == 2


def test_activity_of_an_agent_and_a_configuration(run_playbook, simulator):
    run = run_playbook(play(
        info("alpha nightly", resource="activity", agent_id=ALPHA, configuration_id=400001),
        info("beta", resource="activity", agent_id=BETA),
    ))

    assert run.rc == 0, run.output
    items = run.result("alpha nightly")["activity"]
    assert [(i["id"], i["type"], i["parent_id"]) for i in items] == [
        (100001, "Backup", 400001), (100002, "Backup", 400001), (100003, "Backup", 400001)]
    assert run.result("beta")["activity"] == []
    assert len(simulator.requests(route="activity.agent")) == 2
    assert simulator.requests(route="activity.user") == []


def test_query(run_playbook, simulator):
    run = run_playbook(play(
        info("ids", resource="agents", query="[].machine_agent_id"),
        info("failed ones", resource="activity", query="[?current_state == 'Failed'].id | [0]"),
        dict(info("bad query", resource="agents", query="[?status =="), ignore_errors=True),
    ))

    assert run.result("ids")["query_result"] == [300001, 300002, 300003, 300004, 300010, 300011]
    assert run.result("failed ones")["query_result"] == 100003
    assert run.status("bad query") == "failed"
    assert run.result("bad query")["msg"].startswith("query is not a valid JMESPath expression")


def test_check_mode_and_bad_options(run_playbook, simulator):
    run = run_playbook(play(
        info("in check mode", resource="backup", backup_id=100001),
        dict(info("unfit filter", resource="backup", backup_id=100001, machine_name="alpha"), ignore_errors=True),
        dict(info("unknown backup", resource="backup", backup_id=999), ignore_errors=True),
    ), "--check")

    assert run.result("in check mode")["backup"]["current_state"] == "Completed"
    assert run.result("unfit filter")["msg"] == "resource=backup does not take machine_name (it takes backup_id)"
    unknown = run.result("unknown backup")
    assert (unknown["msg"].startswith("backup 999 not found"), unknown["status"]) == (True, 404)


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_info.EXAMPLES)
    playbook = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                "vars": {"server_uuid": "11111111-1111-4111-8111-111111111111"},
                                "tasks": examples}])

    run = run_playbook(playbook)

    assert run.rc == 0, run.output
    assert len(run.results) == len(examples)
    assert run.result("Find an agent by machine name and keep only its id and status")["query_result"] == [
        {"id": ALPHA, "status": "Offline"}]
