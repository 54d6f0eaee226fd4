"""Tests for modules/cloudbackup_info.py: every resource and filter, option checks and the query."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _module
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_info

ALPHA, BETA = 300001, 300002
ALPHA_SERVER = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def api(fake_api, monkeypatch):
    fake_api.install(monkeypatch, cloudbackup_info)
    agent, configuration, activity_item = fake_api.agent, fake_api.configuration, fake_api.activity_item
    fake_api.agents = {ALPHA: agent(ALPHA, "alpha", server_id=ALPHA_SERVER),
                       BETA: agent(BETA, "Beta", status="Offline", server_id="22222222-2222-4222-8222-222222222222")}
    fake_api.configurations = {
        400001: configuration(400001, "nightly", ALPHA, last_run=100001),
        400002: configuration(400002, "always fails", ALPHA),
        400003: configuration(400003, "nightly", BETA),
        400004: configuration(400004, "retired", BETA, deleted=True),
    }
    fake_api.states = {100001: ["Completed"]}
    fake_api.completed = {400001: [{"backup_id": 100001, "completed_time": "2026-01-18T17:32:50Z", "num_errors": 0}]}
    fake_api.activity = [activity_item(100004, 400001, "InProgress"), activity_item(100003, 400003, agent_id=BETA),
                         activity_item(100002, 400002, "Failed"), activity_item(100001, 400001)]
    return fake_api


def info(run_module, **args):
    return run_module(cloudbackup_info, args)


def ids(records, key):
    return [record[key] for record in records]


# --- agents ------------------------------------------------------------------------------

def test_all_agents_come_from_the_list_whose_status_is_not_real(run_module, api):
    result = info(run_module, resource="agents")

    assert result["changed"] is False
    assert ids(result["agents"], "machine_agent_id") == [ALPHA, BETA]
    assert api.called("get_agent") == []
    assert "query_result" not in result


@pytest.mark.parametrize("args, expected_ids, calls", [
    ({"agent_id": ALPHA}, [ALPHA], ["get_agent"]),
    ({"server_id": ALPHA_SERVER}, [ALPHA], ["find_agent_by_server"]),
    ({"server_id": "99999999-9999-4999-8999-999999999999"}, [], ["find_agent_by_server"]),
    ({"machine_name": "ALPHA"}, [ALPHA], ["list_agents", "get_agent"]),
    ({"machine_name": "beta"}, [BETA], ["list_agents", "get_agent"]),
    ({"machine_name": "gamma"}, [], ["list_agents"]),
])
def test_agent_filters(run_module, api, args, expected_ids, calls):
    result = info(run_module, resource="agents", **args)

    assert ids(result["agents"], "machine_agent_id") == expected_ids
    assert [call[0] for call in api.calls] == calls


def test_agents_by_machine_name_carry_the_real_status(run_module, api):
    result = info(run_module, resource="agents", machine_name="alpha")

    assert result["agents"][0]["status"] == "Online"


def test_an_agent_id_that_does_not_exist_fails_naming_it(run_module, api):
    result = info(run_module, resource="agents", agent_id=399999)

    assert result["failed"] is True
    assert result["msg"].startswith("agent 399999 not found")
    assert result["status"] == 404


# --- configurations ----------------------------------------------------------------------

@pytest.mark.parametrize("args, expected_ids", [
    ({}, [400001, 400002, 400003]),
    ({"include_deleted": True}, [400001, 400002, 400003, 400004]),
    ({"agent_id": BETA}, [400003]),
    ({"agent_id": BETA, "include_deleted": True}, [400003, 400004]),
    ({"configuration_id": 400004}, [400004]),
    ({"configuration_name": "nightly"}, [400001, 400003]),
    ({"configuration_name": "nightly", "agent_id": BETA}, [400003]),
    ({"configuration_name": "retired"}, []),
    ({"configuration_name": "retired", "include_deleted": True}, [400004]),
    ({"configuration_name": "Nightly"}, []),
])
def test_configuration_filters(run_module, api, args, expected_ids):
    result = info(run_module, resource="configurations", **args)

    assert ids(result["configurations"], "backup_configuration_id") == expected_ids


# --- backup, completed backups, activity ------------------------------------------------

def test_backup_by_id_is_a_dict(run_module, api):
    result = info(run_module, resource="backup", backup_id=100001)

    assert result["backup"] == api.backup(100001, 400001, "Completed")


def test_unknown_backup_id_fails_naming_it(run_module, api):
    result = info(run_module, resource="backup", backup_id=42)

    assert result["failed"] is True
    assert result["msg"].startswith("backup 42 not found")


@pytest.mark.parametrize("args", [
    {"configuration_id": 400001},
    {"configuration_name": "nightly", "agent_id": ALPHA},
    {"configuration_name": "always fails"},
])
def test_completed_backups_of_a_configuration(run_module, api, args):
    api.completed[400002] = api.completed[400001]

    result = info(run_module, resource="completed_backups", **args)

    assert ids(result["completed_backups"], "backup_id") == [100001]


@pytest.mark.parametrize("name, agent_id, message", [
    ("nightly", None, '2 live backup configurations are named "nightly": 400001 (agent 300001, agent-300001), '
                      "400003 (agent 300002, agent-300002); give configuration_id, or agent_id to choose"),
    ("weekly", None, 'no live backup configuration is named "weekly" (names in use: "always fails", "nightly")'),
    ("retired", BETA, 'no live backup configuration of agent 300002 is named "retired" (names in use: "nightly")'),
])
def test_completed_backups_need_a_name_that_picks_one_configuration(run_module, api, name, agent_id, message):
    args = {"configuration_name": name} if agent_id is None else {"configuration_name": name, "agent_id": agent_id}

    result = info(run_module, resource="completed_backups", **args)

    assert result["failed"] is True
    assert result["msg"] == message
    assert api.called("list_completed_backups") == []


@pytest.mark.parametrize("args, expected_ids", [
    ({}, [100004, 100003, 100002, 100001]),
    ({"agent_id": ALPHA}, [100004, 100002, 100001]),
    ({"configuration_id": 400001}, [100004, 100001]),
    ({"agent_id": BETA, "configuration_id": 400001}, []),
])
def test_activity_of_the_account_or_an_agent_optionally_of_one_configuration(run_module, api, args, expected_ids):
    result = info(run_module, resource="activity", **args)

    assert ids(result["activity"], "id") == expected_ids


def test_activity_filter_keeps_only_backups_of_the_configuration(run_module, api):
    api.activity.append(api.activity_item(100005, 400001, kind="Restore"))

    result = info(run_module, resource="activity", configuration_id=400001)

    assert ids(result["activity"], "id") == [100004, 100001]


# --- option checks: before any API call ------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"resource": "backup"}, "resource is backup but all of the following are missing: backup_id"),
    ({"resource": "completed_backups"},
     "resource is completed_backups but any of the following are missing: configuration_id, configuration_name"),
    ({"resource": "agents", "agent_id": 1, "machine_name": "alpha"},
     "parameters are mutually exclusive: agent_id|machine_name|server_id"),
    ({"resource": "configurations", "configuration_id": 1, "configuration_name": "x"},
     "parameters are mutually exclusive: configuration_id|configuration_name"),
    ({"resource": "agents", "configuration_id": 1},
     "resource=agents does not take configuration_id (it takes agent_id, machine_name, server_id)"),
    ({"resource": "backup", "backup_id": 1, "agent_id": 2, "include_deleted": True},
     "resource=backup does not take agent_id, include_deleted (it takes backup_id)"),
    ({"resource": "activity", "configuration_name": "nightly"},
     "resource=activity does not take configuration_name (it takes agent_id, configuration_id)"),
    ({"resource": "configurations", "machine_name": "alpha"},
     "resource=configurations does not take machine_name (it takes agent_id, configuration_id, configuration_name, "
     "include_deleted)"),
    ({"resource": "completed_backups", "configuration_id": 1, "agent_id": 2},
     "configuration_id names one configuration: agent_id only goes with configuration_name "
     "(resource=completed_backups)"),
    ({"resource": "configurations", "configuration_id": 1, "agent_id": 2},
     "configuration_id names one configuration: agent_id only goes with configuration_name "
     "(resource=configurations)"),
    ({"resource": "configurations", "configuration_id": 1, "include_deleted": True},
     "include_deleted applies to lists: a configuration read by configuration_id is returned even when it is deleted"),
    ({"resource": "volumes"}, "value of resource must be one of: agents, configurations, backup, completed_backups, "
                              "activity, restore, restore_activity, available_for_restore, got: volumes"),
])
def test_options_that_do_not_fit_fail_before_any_api_call(run_module, api, args, message):
    result = run_module(cloudbackup_info, args)

    assert result["failed"] is True
    assert result["msg"] == message
    assert api.calls == []


# --- query ---------------------------------------------------------------------------

@pytest.mark.parametrize("resource, args, query, expected", [
    ("agents", {}, "[].machine_agent_id", [ALPHA, BETA]),
    ("agents", {"agent_id": ALPHA}, "[0].{id: machine_agent_id, status: status}", {"id": ALPHA, "status": "Online"}),
    ("configurations", {}, "[?machine_agent_id == `300002`].backup_configuration_name", ["nightly"]),
    ("backup", {"backup_id": 100001}, "current_state", "Completed"),
    ("activity", {}, "length([?current_state == 'InProgress'])", 1),
    ("agents", {}, "[?machine_name == 'nobody'] | [0]", None),
])
def test_query_selects_from_the_result(run_module, api, resource, args, query, expected):
    result = info(run_module, resource=resource, query=query, **args)

    assert result["query_result"] == expected
    assert resource in result


@pytest.mark.parametrize("query", ["[?status ==", "agents[", "[].{id}"])
def test_a_bad_query_fails_clearly_before_any_api_call(run_module, api, query):
    result = info(run_module, resource="agents", query=query)

    assert result["failed"] is True
    assert result["msg"].startswith("query is not a valid JMESPath expression: ")
    assert result["query"] == query
    assert api.calls == []


@pytest.mark.parametrize("query", ["sum([].machine_name)", "no_such_function(@)"])
def test_a_query_that_fails_on_the_data_says_so(run_module, api, query):
    result = info(run_module, resource="agents", query=query)

    assert result["failed"] is True
    assert result["msg"].startswith("query failed on the result: ")


@pytest.mark.parametrize("error, said", [
    (RecursionError("maximum recursion depth exceeded"), "it is nested too deeply to evaluate"),
    (ValueError("odd data"), "odd data"),
    (KeyError(), "KeyError"),
])
def test_any_error_of_the_query_on_the_result_names_the_query(run_module, api, monkeypatch, error, said):
    class Expression:
        def search(self, data):
            raise error
    monkeypatch.setattr(cloudbackup_info, "jmespath", type("FakeJmespath", (), {"compile": staticmethod(lambda query: Expression())}))

    result = info(run_module, resource="agents", query="[].machine_name")

    assert (result["failed"], result["query"]) == (True, "[].machine_name")
    assert result["msg"] == "query failed on the result: %s" % said
    assert "exception" not in result


def test_query_without_jmespath_is_a_missing_library(run_module, api, monkeypatch):
    monkeypatch.setattr(_module, "HAS_JMESPATH", False)
    monkeypatch.setattr(_module, "JMESPATH_IMPORT_ERROR", "Traceback: No module named 'jmespath'")

    result = info(run_module, resource="agents", query="[].machine_name")

    assert result["failed"] is True
    assert "Failed to import the required Python library (jmespath)" in result["msg"]
    assert api.calls == []


def test_no_query_needs_no_jmespath(run_module, api, monkeypatch):
    monkeypatch.setattr(_module, "HAS_JMESPATH", False)

    result = info(run_module, resource="agents")

    assert "failed" not in result


# --- read-only ---------------------------------------------------------------------------

def test_check_mode_reads_all_the_same(run_module, api):
    result = run_module(cloudbackup_info, {"resource": "configurations", "agent_id": ALPHA, "_ansible_check_mode": True})

    assert result["changed"] is False
    assert ids(result["configurations"], "backup_configuration_id") == [400001, 400002]


def test_no_return_key_is_a_dict_method_name(run_module, api):
    result = info(run_module, resource="agents")

    assert not set(result) & set(dir(dict))
