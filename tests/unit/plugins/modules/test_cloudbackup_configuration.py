"""cloudbackup_configuration against the in-process simulator: what it writes, and what it says it did.

Each test asserts the module's result and the simulator's request log (which writes were
sent, how many configurations exist). Real HTTP, no real waiting (the simulated_time fixture).
"""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _fleet_configure
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import Forbidden
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_configuration, cloudbackup_info

ALPHA, BETA, LOCKED = 300001, 300002, 300011
WRITES = ("configuration.create", "configuration.update", "configuration.enable", "configuration.delete")
NIGHTLY = dict(agent_id=ALPHA, name="web nightly", include=["/var/www", "/etc"], exclude=["/var/www/cache"],
               schedule=dict(frequency="daily", time="19:30", time_zone="Eastern Standard Time"),
               retention_days=60, notify_recipients="ops@example.com", notify_on_failure=True)


@pytest.fixture
def sim(simulated_time):
    simulated_time.simulator.clear_requests()
    return simulated_time


def connection(sim):
    return dict(username="admin", api_key="admin-key", region="DFW", identity_url=sim.simulator.info["identity_url"],
                timeout=5)


@pytest.fixture
def configure(run_module, sim):
    """Run cloudbackup_configuration with ``args`` against the simulator."""
    def run(check_mode=False, diff=False, **args):
        arguments = dict(args, **connection(sim), _ansible_check_mode=check_mode, _ansible_diff=diff)
        return run_module(cloudbackup_configuration, arguments, credentials=False)
    return run


# 19:30 in New York, in UTC: in winter, in summer.
UTC_NIGHTLY = ((12, 30, "AM"), (11, 30, "PM"))


def start_time(config):
    return config["StartTimeHour"], config["StartTimeMinute"], config["StartTimeAmPm"]


def writes(sim):
    return {route: count for route, count in sim.routes().items() if route in WRITES}


def named(sim, name, agent_id=ALPHA):
    """The simulator's configurations of that name on the agent, deleted ones included, in API shape."""
    return [config for config in sim.simulator.state()["configurations"]
            if config["BackupConfigurationName"] == name and config["MachineAgentId"] == agent_id]


def test_create_then_rerun_writes_nothing(configure, sim):
    first = configure(**NIGHTLY)
    assert first["changed"] and first["outcome"] == "created" and first["configuration_id"]
    assert writes(sim) == {"configuration.create": 1}
    held = named(sim, "web nightly")
    assert len(held) == 1 and start_time(held[0]) in UTC_NIGHTLY  # kept in UTC
    sim.simulator.clear_requests()
    second = configure(**NIGHTLY)
    assert not second["changed"] and second["outcome"] == "unchanged" and second["changed_settings"] == []
    assert writes(sim) == {} and sim.routes()["configuration.list"] == 1
    assert second["declared"]["schedule"]["time"] == "19:30"
    assert second["declared"]["include"] == ["/etc", "/var/www"]


def test_an_api_keeping_the_time_as_sent_costs_a_write_never_a_missed_change(configure, sim):
    sim.simulator.configure(start_time_echo="as_sent")
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    assert configure(**NIGHTLY)["changed_settings"] == ["schedule"]
    assert writes(sim) == {"configuration.update": 1}


@pytest.mark.parametrize("change, setting", [
    (dict(retention_days=30), "retention_days"),
    (dict(include=["/etc", "/srv"]), "include"),
    (dict(schedule=dict(frequency="daily", time="20:30", time_zone="Eastern Standard Time")), "schedule"),
    (dict(schedule=dict(frequency="weekly", day="monday", time="19:30", time_zone="Eastern Standard Time")), "schedule"),
    (dict(missed_backup="wait_for_next_schedule"), "missed_backup"),
    (dict(notify_on_success=True), "notify_on_success"),
])
def test_one_changed_setting_is_one_put_that_keeps_the_rest(configure, sim, change, setting):
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    result = configure(**dict(NIGHTLY, **change))
    assert result["changed"] and result["outcome"] == "updated" and result["changed_settings"] == [setting]
    assert writes(sim) == {"configuration.update": 1}
    held = named(sim, "web nightly")[0]
    assert {item["FilePath"] for item in held["Exclusions"]} == {"/var/www/cache"}
    assert held["NotifyRecipients"] == "ops@example.com"
    sim.simulator.clear_requests()
    assert not configure(**dict(NIGHTLY, **change))["changed"] and writes(sim) == {}


def test_a_put_of_other_settings_keeps_the_start_time(configure, sim):
    configure(**NIGHTLY)
    without_schedule = {key: value for key, value in NIGHTLY.items() if key != "schedule"}
    configure(**dict(without_schedule, retention_days=0))
    held = named(sim, "web nightly")[0]
    assert start_time(held) in UTC_NIGHTLY
    assert not configure(**dict(NIGHTLY, retention_days=0))["changed"]


def test_paths_added_without_purge(configure, sim):
    configure(**NIGHTLY)
    result = configure(agent_id=ALPHA, name="web nightly", include=["/home"], purge_paths=False)
    assert result["changed_settings"] == ["include"]
    assert result["declared"]["include"] == ["/etc", "/home", "/var/www"]


def test_check_mode_predicts_and_writes_nothing(configure, sim):
    result = configure(check_mode=True, diff=True, **NIGHTLY)
    assert result["changed"] and result["outcome"] == "created" and result["configuration_id"] is None
    assert result["declared"]["retention_days"] == 60 and result["diff"]["before"] == {}
    assert writes(sim) == {} and named(sim, "web nightly") == []
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    update = configure(check_mode=True, **dict(NIGHTLY, retention_days=30))
    assert update["changed"] and update["declared"]["retention_days"] == 30 and writes(sim) == {}


def test_diff_shows_before_and_after_in_option_words(configure, sim):
    configure(**NIGHTLY)
    result = configure(diff=True, **dict(NIGHTLY, retention_days=30))
    assert result["diff"]["before"]["retention_days"] == 60 and result["diff"]["after"]["retention_days"] == 30
    assert result["diff"]["after"]["schedule"]["time"] == "19:30"


def test_disable_and_enable_use_the_switch_only(configure, sim):
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    off = configure(**dict(NIGHTLY, enabled=False))
    assert off["outcome"] == "disabled" and writes(sim) == {"configuration.enable": 1}
    assert named(sim, "web nightly")[0]["IsActive"] is False
    assert not configure(**dict(NIGHTLY, enabled=False))["changed"]
    assert configure(**dict(NIGHTLY, enabled=True))["outcome"] == "enabled"
    assert named(sim, "web nightly")[0]["IsActive"] is True


def test_absent_twice_deletes_once_and_present_creates_anew(configure, sim):
    first = configure(**NIGHTLY)
    sim.simulator.clear_requests()
    gone = configure(agent_id=ALPHA, name="web nightly", state="absent")
    assert gone["changed"] and gone["outcome"] == "deleted" and gone["declared"] is None
    again = configure(agent_id=ALPHA, name="web nightly", state="absent")
    assert not again["changed"] and again["outcome"] == "absent"
    assert writes(sim) == {"configuration.delete": 1}
    anew = configure(**NIGHTLY)
    assert anew["outcome"] == "created" and anew["configuration_id"] != first["configuration_id"]
    assert [config["IsDeleted"] for config in named(sim, "web nightly")] == [True, False]


def test_a_delete_answered_404_after_it_went_through_is_a_delete(configure, sim):
    configure(**NIGHTLY)
    sim.simulator.add_fault(route="configuration.delete", status=404, apply=True)
    result = configure(agent_id=ALPHA, name="web nightly", state="absent")
    assert result["changed"] and result["outcome"] == "deleted" and not result.get("failed"), result
    assert [config["IsDeleted"] for config in named(sim, "web nightly")] == [True]


def test_two_live_configurations_of_the_name_fail_with_both_ids_unless_the_id_is_given(configure, sim):
    first = configure(**NIGHTLY)["configuration_id"]
    twin = make_twin(sim, "web nightly")
    result = configure(**NIGHTLY)
    assert result["failed"] and str(first) in result["msg"] and str(twin) in result["msg"]
    by_id = configure(configuration_id=first, retention_days=0)
    assert by_id["changed"] and by_id["configuration_id"] == first


def make_twin(sim, name):
    """A second live configuration of ``name`` on alpha, made straight through the API; its id."""
    sim.simulator.configure(duplicate_names="allow")
    response = sim.client.request("POST", "backup-configuration", retry=False, body=dict(
        MachineAgentId=ALPHA, BackupConfigurationName=name, Frequency="Manually"))
    return response.json()["BackupConfigurationId"]


def test_a_rename_to_a_live_name_fails_before_any_write(configure, sim):
    other = configure(agent_id=ALPHA, name="other")["configuration_id"]
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    result = configure(configuration_id=other, name="web nightly")
    assert result["failed"] and "cannot be renamed" in result["msg"] and writes(sim) == {}
    renamed = configure(configuration_id=other, name="web weekly")
    assert renamed["changed_settings"] == ["name"] and named(sim, "web weekly")[0]["BackupConfigurationId"] == other


def test_a_refused_write_says_nothing_changed(configure, sim):
    sim.simulator.add_fault(route="configuration.update", status=400)
    configure(**NIGHTLY)
    result = configure(**dict(NIGHTLY, retention_days=30))
    assert result["failed"] and result["changed"] is False


def test_a_declared_schedule_without_zone_keeps_the_held_one(configure, sim):
    configure(**NIGHTLY)
    configure(**dict(NIGHTLY, schedule=dict(frequency="hourly", every_hours=4)))
    assert named(sim, "web nightly")[0]["TimeZoneId"] == "Eastern Standard Time"


def test_the_1_mb_limit_counts_the_batch_s_other_creates(configure, sim):
    big = ["/srv/%s/%06d" % ("x" * 40, index) for index in range(9000)]  # about 600 kB of JSON each
    result = configure(configurations=[dict(agent_id=ALPHA, name="big one", include=big),
                                       dict(agent_id=ALPHA, name="big two", include=big),
                                       dict(agent_id=BETA, name="big three", include=big)])
    assert [element["outcome"] for element in result["configurations"]] == ["created", "failed", "created"]
    assert "1 MB" in result["configurations"][1]["msg"] and writes(sim) == {"configuration.create": 2}


def test_the_batch_diff_has_one_entry_per_change(configure, sim):
    configure(**NIGHTLY)
    result = configure(diff=True, configurations=[NIGHTLY, dict(agent_id=BETA, name="beta files", include=["/srv"])])
    assert [(entry["before"], entry["after"]["include"]) for entry in result["diff"]] == [({}, ["/srv"])]
    assert "beta files" in result["diff"][0]["after_header"]


def test_a_look_that_fails_for_good_fails_only_the_creates(configure, sim, monkeypatch):
    configure(**NIGHTLY)
    reads = []
    real = _fleet_configure.list_configurations

    def list_then_refuse(client, *args, **kwargs):
        reads.append(1)
        if len(reads) > 1:
            raise Forbidden(403, "GET", "backup-configuration", None)
        return real(client, *args, **kwargs)

    monkeypatch.setattr(_fleet_configure, "list_configurations", list_then_refuse)
    sim.simulator.add_fault(route="configuration.create", status=500, apply=True)
    result = configure(configurations=[dict(NIGHTLY, retention_days=30), dict(agent_id=BETA, name="beta files")])
    updated, created = result["configurations"]
    assert updated["outcome"] == "updated" and updated["changed"]
    assert created["failed"] and created["changed"] and "may have been created" in created["msg"]


def test_a_create_answered_unclearly_makes_one_configuration(configure, sim):
    sim.simulator.add_fault(route="configuration.create", status=500, apply=True)
    result = configure(**NIGHTLY)
    assert result["changed"] and result["outcome"] == "created" and result["configuration_id"]
    assert len(named(sim, "web nightly")) == 1 and writes(sim) == {"configuration.create": 1}


@pytest.mark.parametrize("fault", [dict(drop=True, apply=True), dict(status=200, body="<html>", apply=True),
                                   dict(status=502), dict(drop=True)])
def test_every_unclear_create_ends_with_one_configuration(configure, sim, fault):
    sim.simulator.configure(duplicate_names="allow")  # the API would not stop a second one
    sim.simulator.add_fault(route="configuration.create", **fault)
    result = configure(**NIGHTLY)
    assert result["changed"] and not result.get("failed")
    assert len([config for config in named(sim, "web nightly") if not config["IsDeleted"]]) == 1


def test_409_on_create_says_what_it_may_mean(configure, sim):
    sim.simulator.add_fault(route="configuration.create", status=409)
    result = configure(**NIGHTLY)
    assert result["failed"] and "409" in result["msg"] and "web nightly" in result["msg"]
    assert named(sim, "web nightly") == []


def test_batch_reads_once_writes_what_differs_and_fails_alone(configure, sim):
    configure(**NIGHTLY)
    sim.simulator.clear_requests()
    result = configure(configurations=[NIGHTLY, dict(agent_id=BETA, name="beta files", include=["/srv"]),
                                       dict(agent_id=999999, name="nobody's")])
    outcomes = [element["outcome"] for element in result["configurations"]]
    assert outcomes == ["unchanged", "created", "failed"] and result["changed"] and not result.get("failed")
    assert "999999" in result["configurations"][2]["msg"]
    assert sim.routes()["configuration.list"] == 1 and writes(sim) == {"configuration.create": 2}


def test_an_element_with_bad_options_fails_alone(configure, sim):
    no_zone = dict(NIGHTLY, schedule=dict(frequency="daily", time="19:30"))
    result = configure(configurations=[no_zone, dict(agent_id=BETA, name="beta files", include=["/srv"])])
    assert [element["outcome"] for element in result["configurations"]] == ["failed", "created"]
    assert "configurations[0].schedule.time_zone" in result["configurations"][0]["msg"]
    assert result["changed"] and not result.get("failed") and writes(sim) == {"configuration.create": 1}


def test_a_held_schedule_of_an_unknown_frequency(configure, sim, monkeypatch):
    configure(**NIGHTLY)
    held_list = _fleet_configure.list_configurations

    def monthly(client, **options):
        return [dict(config, frequency="Monthly") for config in held_list(client, **options)]
    monkeypatch.setattr(_fleet_configure, "list_configurations", monthly)
    sim.simulator.clear_requests()
    without_schedule = {key: value for key, value in NIGHTLY.items() if key != "schedule"}
    assert configure(**without_schedule)["outcome"] == "unchanged"
    refused = configure(**dict(without_schedule, retention_days=0))
    assert refused["failed"] and "Frequency Monthly" in refused["msg"] and writes(sim) == {}


def test_check_mode_declares_the_schedule_the_run_then_holds(configure, sim):
    seven = dict(NIGHTLY, schedule=dict(frequency="daily", time="7:30", time_zone="Eastern Standard Time"))
    predicted = configure(check_mode=True, **seven)["declared"]["schedule"]
    assert predicted == configure(**seven)["declared"]["schedule"] == dict(seven["schedule"], time="07:30")


def test_info_returns_what_the_module_takes(configure, run_module, sim):
    configure(**NIGHTLY)
    info = run_module(cloudbackup_info, dict(resource="configurations", agent_id=ALPHA, configuration_name="web nightly",
                                             **connection(sim)), credentials=False)
    declared = info["configurations"][0]["declared"]
    sim.simulator.clear_requests()
    again = configure(**declared)
    assert not again.get("changed") and not again.get("failed"), again
    assert writes(sim) == {}


def test_an_encrypted_agent_s_configuration_is_declared_with_a_warning(configure, sim):
    result = configure(agent_id=LOCKED, name="logs", include=["/var/log"])
    assert result["changed"] and result["configuration"]["is_encrypted"]
    assert "encrypted vault" in str(result.get("warnings")), result


@pytest.mark.parametrize("listed", [True, False])
def test_deleted_configurations_listed_or_not_are_never_present(configure, sim, listed):
    sim.simulator.configure(list_deleted_configurations=listed)
    first = configure(**NIGHTLY)["configuration_id"]
    assert configure(agent_id=ALPHA, name="web nightly", state="absent")["changed"]
    assert not configure(agent_id=ALPHA, name="web nightly", state="absent")["changed"]
    assert not configure(configuration_id=first, state="absent")["changed"]
    by_id = configure(configuration_id=first, retention_days=0)
    assert by_id["failed"] and "was deleted" in by_id["msg"]
    anew = configure(**NIGHTLY)
    assert anew["outcome"] == "created" and anew["configuration_id"] != first
    assert writes(sim) == {"configuration.create": 2, "configuration.delete": 1}
