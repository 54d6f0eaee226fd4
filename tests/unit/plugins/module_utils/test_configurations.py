"""Tests for module_utils/_configurations.py: configurations by name, and the one a name must pick."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _configurations
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError

CONFIGURATIONS = [
    {"backup_configuration_id": 1, "backup_configuration_name": "nightly", "machine_agent_id": 10, "machine_name": "a"},
    {"backup_configuration_id": 2, "backup_configuration_name": "weekly", "machine_agent_id": 10, "machine_name": "a"},
    {"backup_configuration_id": 3, "backup_configuration_name": "nightly", "machine_agent_id": 20, "machine_name": "b"},
    {"backup_configuration_id": 4, "backup_configuration_name": "old", "machine_agent_id": 20, "machine_name": "b",
     "is_deleted": True},
]


@pytest.fixture
def calls(monkeypatch):
    """_api replaced by the CONFIGURATIONS above; returns the calls made."""
    made = []

    def list_configurations(client, agent_id=None, include_deleted=False):
        made.append(("list", agent_id, include_deleted))
        return [c for c in CONFIGURATIONS if agent_id in (None, c["machine_agent_id"])
                and (include_deleted or not c.get("is_deleted"))]

    def get_configuration(client, configuration_id):
        made.append(("get", configuration_id))
        return {"backup_configuration_id": configuration_id}

    monkeypatch.setattr(_configurations, "list_configurations", list_configurations)
    monkeypatch.setattr(_configurations, "get_configuration", get_configuration)
    return made


@pytest.mark.parametrize("name, agent_id, include_deleted, expected", [
    ("nightly", None, False, [1, 3]),
    ("nightly", 20, False, [3]),
    ("Nightly", None, False, []),
    ("old", None, False, []),
    ("old", None, True, [4]),
])
def test_configurations_named(calls, name, agent_id, include_deleted, expected):
    found = _configurations.configurations_named(None, name, agent_id, include_deleted)

    assert [c["backup_configuration_id"] for c in found] == expected


def test_resolve_by_id_reads_that_configuration(calls):
    assert _configurations.resolve_configuration(None, configuration_id=4) == {"backup_configuration_id": 4}
    assert calls == [("get", 4)]


@pytest.mark.parametrize("name, agent_id, expected", [("weekly", None, 2), ("nightly", 10, 1), ("nightly", 20, 3)])
def test_resolve_by_name_picks_the_one_live_match(calls, name, agent_id, expected):
    found = _configurations.resolve_configuration(None, configuration_name=name, agent_id=agent_id)

    assert found["backup_configuration_id"] == expected
    assert calls == [("list", agent_id, False)]


@pytest.mark.parametrize("name, agent_id, message, details", [
    ("nightly", None, '2 live backup configurations are named "nightly": 1 (agent 10, a), 3 (agent 20, b); '
                      "give configuration_id, or agent_id to choose", {"configuration_ids": [1, 3]}),
    ("old", None, 'no live backup configuration is named "old" (names in use: "nightly", "weekly")', {}),
    ("weekly", 20, 'no live backup configuration of agent 20 is named "weekly" (names in use: "nightly")',
     {"agent_id": 20}),
])
def test_resolve_by_name_fails_on_none_or_several(calls, name, agent_id, message, details):
    with pytest.raises(CloudBackupError) as raised:
        _configurations.resolve_configuration(None, configuration_name=name, agent_id=agent_id)

    assert raised.value.msg == message
    assert raised.value.fail_kwargs()["configuration_name"] == name
    for key, value in details.items():
        assert raised.value.details[key] == value


def test_the_names_shown_are_bounded(calls, monkeypatch):
    many = [{"backup_configuration_id": n, "backup_configuration_name": "c%02d" % n} for n in range(15)]
    monkeypatch.setattr(_configurations, "list_configurations", lambda client, agent_id=None, include_deleted=False: many)

    with pytest.raises(CloudBackupError) as raised:
        _configurations.resolve_configuration(None, configuration_name="x")

    assert raised.value.msg.endswith('"c08", "c09", ...)')
