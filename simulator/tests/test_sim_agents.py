"""Agents: details, look-up by server, the unreliable list, waking, the 403 cases
(api-notes: Agents and waking, The 403 race)."""

import pytest
from sim_helpers import Api, scenario_with


def status(api, agent_id=300001):
    return api.get("/agent/%d" % agent_id).json()["Status"]


def test_agent_details(api):
    agent = api.get("/agent/300001").json()
    assert agent["MachineAgentId"] == 300001
    assert agent["MachineName"] == "alpha"
    assert agent["HostServerId"] == "11111111-1111-4111-8111-111111111111"
    assert agent["Datacenter"] == agent["BackupDatacenter"] == "DFW"
    assert agent["IsDisabled"] is False and agent["Status"] == "Offline"
    assert agent["TimeOfLastSuccessfulBackup"].startswith("/Date(")
    assert api.get("/agent/300003").json()["IsDisabled"] is True


def test_agent_by_server_uuid(api):
    agent = api.get("/agent/server/22222222-2222-4222-8222-222222222222").json()
    assert agent["MachineAgentId"] == 300002
    assert api.get("/agent/server/" + "22222222-2222-4222-8222-222222222222".upper()).status_code == 200


def test_agent_list_always_says_offline(api):
    api.wake()
    assert status(api) == "Online"
    agents = api.get("/user/agents").json()
    assert [agent["MachineAgentId"] for agent in agents] == [300001, 300002, 300003, 300004, 300010, 300011]
    assert {agent["Status"] for agent in agents} == {"Offline"}


def test_agent_list_status_setting_actual(make_sim):
    api = Api(make_sim(scenario_with({"agent_list_status": "actual"})))
    assert api.get("/user/agents").json()[0]["Status"] == "Online"


def test_wake_delay_then_awake_window_then_asleep(sim, api):
    assert status(api) == "Offline"
    assert api.post("/user/wakeupagents").status_code == 200
    sim.advance(1.5)  # test.yml: wake_delay 2s, awake_window 70s
    assert status(api) == "Offline"
    sim.advance(0.5)
    assert status(api) == "Online"
    assert status(api, 300002) == "Online"  # one call wakes every agent of the account
    sim.advance(69)
    assert status(api) == "Online"
    sim.advance(1)
    assert status(api) == "Offline"


def test_waking_an_awake_agent_extends_the_window_at_once(sim, api):
    api.wake()
    sim.advance(60)
    api.post("/user/wakeupagents")
    sim.advance(60)
    assert status(api) == "Online"


def test_wake_does_not_touch_other_tenants(sim, api):
    api.wake()
    assert status(Api(sim, "other", "other-key"), 310001) == "Offline"


def test_start_on_sleeping_agent_is_403(api):
    response = api.start(400001)
    assert response.status_code == 403
    assert "not online" in response.json()["message"]


def test_start_on_disabled_agent_is_403_even_when_awake(api):
    api.wake()
    assert api.start(400005).status_code == 403


def test_race_forbids_first_starts_even_when_awake(api):
    api.wake()
    assert [api.start(400006).status_code for _attempt in range(3)] == [403, 403, 200]


def test_race_counter_only_counts_calls_on_an_awake_agent(api):
    assert api.start(400006).status_code == 403  # asleep: does not use up the race
    api.wake()
    assert [api.start(400006).status_code for _attempt in range(3)] == [403, 403, 200]


def test_agent_stays_online_while_its_backup_runs(make_sim):
    long_run = [{"id": 2001, "name": "long", "durations": {"in_progress": "5m"}}]
    sim = make_sim(scenario_with({"wake_delay": 1, "awake_window": 10}, always_online=False, configurations=long_run))
    api = Api(sim)
    api.wake(1)
    backup_id = api.start(2001).json()
    sim.advance(200)  # the wake window is long over
    assert status(api, 1001) == "Online"
    sim.advance(200)
    assert api.state(backup_id) == "Completed"
    assert status(api, 1001) == "Offline"


@pytest.mark.parametrize("agent_id, expected", [(300001, True), (300004, False)])
def test_time_of_last_successful_backup(api, agent_id, expected):
    value = api.get("/agent/%d" % agent_id).json()["TimeOfLastSuccessfulBackup"]
    assert (value is not None) is expected


def test_agent_list_unknown_status_and_null_vault_size(make_sim):
    settings = {"agent_list_status": "Unknown", "agent_list_vault_size_null": True}
    api = Api(make_sim(scenario_with(settings, vault_size="35.3 MB")))
    listed = api.get("/user/agents").json()[0]
    assert (listed["Status"], listed["BackupVaultSize"]) == ("Unknown", None)
    assert api.get("/agent/1001").json()["BackupVaultSize"] == "35.3 MB"  # details are not affected
