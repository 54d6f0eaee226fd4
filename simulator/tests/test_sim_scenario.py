"""Scenario loading and validation: every error names the bad key."""

import copy

import pytest
from sim_helpers import scenario_with

from cloudbackup_simulator import ScenarioError
from cloudbackup_simulator.scenario import load_scenario, packaged_names
from cloudbackup_simulator.validation import parse_seconds


def with_change(path, value):
    """scenario_with() with one value replaced; path like "tenants.0.agents.0.wake_delay"."""
    scenario = copy.deepcopy(scenario_with())
    *parents, last = path.split(".")
    target = scenario
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return scenario


def test_packaged_scenarios_load():
    assert {"demo", "test"} <= set(packaged_names())
    demo = load_scenario("demo")
    tenant, user = demo.first_user
    assert (tenant.id, user.username) == ("123456", "demo")
    assert [agent.name for agent in tenant.agents] == ["web1", "db1", "files1"]


def test_load_from_file_path(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("tenants:\n  - id: 42\n    users: [{username: u, password: p}]\n")
    scenario = load_scenario(str(path))
    assert scenario.name == "mine.yml" and scenario.tenants[0].id == "42"


def test_defaults_are_applied():
    scenario = load_scenario(scenario_with())
    settings = scenario.settings
    assert (settings.agent_list_status, settings.report_before_terminal) == ("Offline", 404)
    assert (settings.second_start, settings.report_for_unrun) == ("skipped", "report")
    assert settings.activity_lag == 0 and settings.catalog_global_entry and not settings.agent_list_vault_size_null
    assert settings.token_lifetime == 86400 and settings.size_base == 1024
    config = scenario.tenants[0].agents[0].configurations[0]
    assert config.outcomes == ("Completed",) and config.schedule.frequency == "Manually"
    assert scenario.tenants[0].users[0].roles == ("identity:user-admin",)


@pytest.mark.parametrize(
    "path, value, fragment",
    [
        ("settings", {"list_staus": "Online"}, "settings.list_staus: unknown key"),
        ("settings", {"error_format": "xml"}, "settings.error_format: must be one of json, text"),
        ("settings", {"second_start": "maybe"}, "settings.second_start: expected an integer"),
        ("settings", {"token_lifetime": "soon"}, "settings.token_lifetime: expected seconds or a duration"),
        ("settings", {"completed_states": ["Done"]}, "settings.completed_states"),
        ("settings", {"durations": {"queud": 1}}, "settings.durations.queud: unknown key"),
        ("tenants.0.id", None, "tenants[0].id: is required"),
        ("tenants.0.users.0.api_key", None, "tenants[0].users[0].api_key: a user needs"),
        ("tenants.0.users.0.api_key", 12345, "tenants[0].users[0].api_key: expected a string"),
        ("tenants.0.agents.0.wake_dealy", 5, "tenants[0].agents[0].wake_dealy: unknown key"),
        ("tenants.0.agents.0.id", "abc", "tenants[0].agents[0].id: expected an integer"),
        ("tenants.0.agents.0.datacenter", "MARS", "tenants[0].agents[0].datacenter: must be one of"),
        ("tenants.0.agents.0.configurations.0.outcome", "Exploded", "configurations[0].outcome: expected one of"),
        (
            "tenants.0.agents.0.configurations.0.outcome",
            "CompletedWithErrors",
            "configurations[0].errors: outcome CompletedWithErrors needs",
        ),
        ("tenants.0.agents.0.configurations.0.frequency", "Daily", "StartTimeHour is required for Daily"),
        ("tenants.0.agents.0.configurations.0.bytes_searched", "3.7 XB", "bytes_searched: expected bytes or a size"),
        ("tenants.0.agents.0.configurations.0.history", [{"outcome": "Completed"}], "history[0].ago: is required"),
        ("tenants.0.agents.0.configurations.0.inclusions", [{"path": "/x", "type": "Disk"}], "inclusions[0].type"),
        ("faults", [{"route": "agent.get"}], "faults[0]: a fault needs at least one of"),
        ("faults", [{"route": "agents.get", "status": 500}], "faults[0].route: must be one of"),
        ("tenants", [], "tenants: at least one tenant"),
        ("colour", "blue", "colour: unknown key"),
    ],
)
def test_validation_errors_name_the_key(path, value, fragment):
    with pytest.raises(ScenarioError) as error:
        load_scenario(with_change(path, value))
    assert fragment in str(error.value)
    assert str(error.value).startswith("scenario <dict>: ")


def test_duplicate_ids_are_refused():
    scenario = scenario_with()
    agents = scenario["tenants"][0]["agents"]
    agents.append(dict(agents[0], server_id="other"))
    with pytest.raises(ScenarioError, match="duplicate agent id: 1001"):
        load_scenario(scenario)


def test_bad_yaml_and_missing_files(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("tenants: [unclosed\n")
    with pytest.raises(ScenarioError, match="broken.yml: not valid YAML"):
        load_scenario(str(path))
    with pytest.raises(ScenarioError, match="no packaged scenario of that name .packaged: demo, test"):
        load_scenario("nope")
    path.write_text("- just a list\n")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_scenario(str(path))


@pytest.mark.parametrize(
    "text, seconds", [(15, 15), (1.5, 1.5), ("90s", 90), ("2m", 120), ("1h30m", 5400), ("2d", 172800)]
)
def test_durations(text, seconds):
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m5", -1, True, "1h 30"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_seconds(text)
