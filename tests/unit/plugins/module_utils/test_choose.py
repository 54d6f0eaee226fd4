"""Tests of the one rule set that picks a server's agent and configuration (_choose)."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import (
    agent_wanted,
    agents_meant,
    configurations_meant,
    not_one_agent,
    not_one_configuration,
)

AGENTS = [
    {"machine_agent_id": 1, "machine_name": "WEB1", "host_server_id": "srv-a"},
    {"machine_agent_id": 2, "machine_name": "db1", "host_server_id": "srv-b"},
    {"machine_agent_id": 3, "machine_name": "db1"},
]
CONFIGURATIONS = [
    {"backup_configuration_id": 10, "backup_configuration_name": "nightly", "machine_agent_id": 1, "machine_name": "WEB1"},
    {"backup_configuration_id": 11, "backup_configuration_name": "nightly", "machine_agent_id": 2, "machine_name": "db1"},
    {"backup_configuration_id": 12, "backup_configuration_name": "dump", "machine_agent_id": 2, "machine_name": "db1"},
    {"backup_configuration_id": 13, "backup_configuration_name": "dump", "machine_agent_id": 2, "machine_name": "db1"},
]


@pytest.mark.parametrize("settings, ids", [
    (dict(agent_id=2, server_id="srv-a", machine_name="web1"), [2]),   # the id first
    (dict(agent_id="2"), [2]),                                          # as an inventory gives it
    (dict(server_id="srv-a", machine_name="db1"), [1]),                 # then the server
    (dict(machine_name="web1"), [1]),                                   # then the name, in any case
    (dict(machine_name="db1"), [2, 3]),
    (dict(machine_name="nosuch"), []),
])
def test_the_agent_is_named_by_its_id_else_its_server_else_its_machine_name(settings, ids):
    assert [agent["machine_agent_id"] for agent in agents_meant(AGENTS, **settings)] == ids


def test_not_one_agent_says_which_setting_and_gives_the_ids_to_choose_from():
    assert not_one_agent(agent_wanted(machine_name="db1"), agents_meant(AGENTS, machine_name="db1")) == (
        'machine name "db1" matches 2 agents in the account of these credentials (2, 3): give agent_id')
    assert not_one_agent(agent_wanted(agent_id=9), []) == "agent id 9 matches no agent in the account of these credentials"


@pytest.mark.parametrize("agent_id, name, ids", [
    (None, "nightly", [10, 11]),
    (1, "nightly", [10]),
    (2, None, [11, 12, 13]),
    (2, "dump", [12, 13]),
    (1, "dump", []),
])
def test_a_configuration_is_named_among_its_agents_or_the_accounts(agent_id, name, ids):
    assert [item["backup_configuration_id"] for item in configurations_meant(CONFIGURATIONS, agent_id, name)] == ids


@pytest.mark.parametrize("name, agent_id, agent, message", [
    ("dump", 2, "2 (db1)", '2 live backup configurations of agent 2 (db1) are named "dump": 12 (agent 2, db1), '
                           "13 (agent 2, db1); give configuration_id"),
    ("nightly", None, None, '2 live backup configurations are named "nightly": 10 (agent 1, WEB1), 11 (agent 2, db1); '
                            "give configuration_id, or agent_id to choose"),
    ("weekly", 1, "1", 'no live backup configuration of agent 1 is named "weekly" (names in use: "nightly")'),
    (None, 2, "2 (db1)", 'agent 2 (db1) has 3 live backup configurations ("dump", "nightly"): give configuration_id '
                         "or configuration_name"),
])
def test_a_name_that_means_several_configurations_or_none_fails_with_their_ids_or_the_names_in_use(
        name, agent_id, agent, message):
    candidates = configurations_meant(CONFIGURATIONS, agent_id)

    assert not_one_configuration(name, configurations_meant(candidates, name=name), candidates, agent) == message
