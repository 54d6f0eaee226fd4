"""Tests of the run_backup role's filters."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.filter.run_backup import (
    FilterModule,
    run_backup_carry,
    run_backup_hosts,
    run_backup_results,
    run_backup_targets,
    run_backup_to_stop,
    run_backup_watch_list,
    target_problem,
    target_problems,
)


def host(name, **settings):
    target = dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=None,
                  configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=False,
                  max_errors=None, timeout=600, on_timeout="fail", progress_interval=50, poll_interval=15,
                  online_timeout=120)
    target.update(settings)
    return target


ROLE_VARIABLES = ["run_backup_agent_id", "run_backup_server_id", "run_backup_machine_name", "run_backup_allow_errors",
                  "run_backup_timeout", "run_backup_username", "run_backup_tenant_id", "run_backup_identity_url",
                  "run_backup_endpoint"]


@pytest.mark.parametrize("agent_id, server_id, chosen", [
    (None, None, dict(agent_id=None, server_id=None, machine_name="web1")),
    (None, "srv-1", dict(agent_id=None, server_id="srv-1", machine_name=None)),
    (7, "srv-1", dict(agent_id=7, server_id=None, machine_name=None)),
], ids=["machine name", "server id", "agent id"])
def test_a_hosts_recorded_variables_become_its_target_with_one_way_to_its_agent(agent_id, server_id, chosen):
    recorded = ["web1", agent_id, server_id, "web1", "yes", 600, "ops", "", None, None]

    [target] = run_backup_hosts([recorded], ROLE_VARIABLES)

    assert target == dict(chosen, name="web1", allow_completed_with_errors=True, timeout=600,
                          connection={"username": "ops"})


# (settings of a host, the message its check must give): one bad run_backup_* variable per row.
BAD_SETTINGS = [
    (dict(configuration_id=1, configuration_name="x"),
     "run_backup_configuration_id and run_backup_configuration_name are mutually exclusive"),
    (dict(timeout=0), "run_backup_timeout must be at least 1 second, got 0"),
    (dict(timeout="0"), "run_backup_timeout must be at least 1 second, got 0"),
    (dict(timeout=-600), "run_backup_timeout must be at least 1 second, got -600"),
    (dict(poll_interval=0), "run_backup_poll_interval must be at least 1 second"),
    (dict(poll_interval=-1), "run_backup_poll_interval must be at least 1 second"),
    (dict(progress_interval=-5), "run_backup_progress_interval must be at least 1 second"),
    (dict(progress_interval=0), "run_backup_progress_interval must be at least 1 second"),
    (dict(online_timeout=0), "run_backup_online_timeout must be at least 1 second"),
    (dict(skip_if_completed_within=0), "run_backup_skip_if_completed_within must be at least 1 second"),
    (dict(skip_if_completed_within=-1), "run_backup_skip_if_completed_within must be at least 1 second"),
    (dict(max_errors=-1), "run_backup_max_errors must not be negative, got -1"),
    (dict(agent_id=0), "run_backup_agent_id must be an id (an integer of at least 1), got 0"),
    (dict(agent_id=-3), "run_backup_agent_id must be an id (an integer of at least 1), got -3"),
    (dict(configuration_id=0), "run_backup_configuration_id must be an id (an integer of at least 1), got 0"),
    (dict(server_id=""), "run_backup_server_id must not be empty or blank"),
    (dict(server_id="   "), "run_backup_server_id must not be empty or blank"),
    (dict(machine_name=""), "run_backup_machine_name must not be empty or blank"),
    (dict(machine_name=" "), "run_backup_machine_name must not be empty or blank"),
    (dict(configuration_name=""), "run_backup_configuration_name must not be empty or blank"),
    (dict(configuration_name="\t"), "run_backup_configuration_name must not be empty or blank"),
    (dict(region="Dallas"), "run_backup_region must be one of DFW, HKG, IAD, LON, ORD, SYD (in any case), got Dallas"),
]


@pytest.mark.parametrize("settings, problem", BAD_SETTINGS)
def test_each_unworkable_setting_has_its_own_message(settings, problem):
    found = target_problems(host("web1", **settings))

    assert len(found) == 1 and problem in found[0]


def test_sound_settings_have_no_problem():
    assert (target_problems(host("web1")), target_problem(host("web1"))) == ([], None)


def test_every_bad_setting_of_a_host_is_reported():
    found = target_problems(host("web1", agent_id=0, timeout=0, poll_interval=0, server_id=""))

    assert [problem.split()[0] for problem in found] == ["run_backup_agent_id", "run_backup_server_id",
                                                         "run_backup_timeout", "run_backup_poll_interval"]
    assert target_problem(host("web1", agent_id=0, timeout=0)) == "; ".join(
        target_problems(host("web1", agent_id=0, timeout=0)))


def test_only_sound_hosts_are_started_with_the_keys_the_module_takes():
    targets = run_backup_targets([host("web1"), host("db1", timeout=0)])

    assert targets == [dict(name="web1", agent_id=None, server_id=None, machine_name="web1", configuration_id=None,
                            configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=False,
                            region=None, endpoint=None)]


def test_a_host_of_another_region_is_started_at_its_regions_endpoint_with_the_plays_token():
    endpoints = {"DFW": "https://dfw.example/v1.0/1", "ORD": "https://ord.example/v1.0/1"}

    targets = run_backup_targets([host("web1"), host("db1", region="ord"), host("files1", region="DFW")], endpoints)

    assert [(target["region"], target["endpoint"]) for target in targets] == [
        (None, None), ("ord", endpoints["ORD"]), ("DFW", endpoints["DFW"])]
    # Without the login's endpoints (a token given to the play), the module finds them itself.
    assert run_backup_targets([host("db1", region="ORD")])[0]["endpoint"] is None


def test_a_host_with_unworkable_settings_fails_alone():
    started = [dict(name="web1", outcome="started", backup_id=None, configuration_id=1, configuration_name="f")]

    results = run_backup_results(started, None, [host("web1"), host("db1", timeout=0)], check_mode=True)

    assert results["web1"]["failure"] is None
    assert results["db1"]["failure"] == "db1: run_backup: run_backup_timeout must be at least 1 second, got 0"


@pytest.mark.parametrize("first, other, message", [
    (dict(username="ops"), dict(username="other-account"), 'run_backup_username is "other-account" here but "ops"'),
    ({}, dict(tenant_id="654321"), 'run_backup_tenant_id is "654321" here but not set on web1'),
    (dict(identity_url="https://id.example"), {}, 'run_backup_identity_url is not set here but "https://id.example"'),
])
def test_a_host_of_another_account_fails_alone_and_is_never_started(first, other, message):
    # The batch runs with the first host's connection settings: the other account's server
    # would be looked for, and maybe started, in the wrong place.
    targets = [host("web1", connection=first), host("db1", connection=other), host("files1", connection=dict(first))]

    assert [target["name"] for target in run_backup_targets(targets)] == ["web1", "files1"]
    failure = run_backup_results([], None, targets)["db1"]["failure"]
    assert message in failure and "in a play of its own" in failure
    assert target_problem(targets[2], targets[0]) is None


def test_the_watch_list_carries_each_hosts_gate_and_deadline():
    started = [dict(name="web1", outcome="started", backup_id=7, configuration_id=1, configuration_name="f",
                    requested_at=1000.0, state=None),
               dict(name="db1", outcome="failed", backup_id=None, configuration_id=None, configuration_name=None,
                    requested_at=None, state=None)]

    entries = run_backup_watch_list(started, [host("web1", allow_completed_with_errors=True, max_errors=2), host("db1")])

    assert entries == [dict(name="web1", backup_id=7, configuration_id=1, configuration_name="f",
                            acceptable_states=["Completed", "CompletedWithErrors"], max_errors=2, started_at=1000.0,
                            deadline=1600.0, state=None, result=None, region=None, endpoint=None)]


def test_only_timed_out_backups_of_hosts_that_say_stop_are_stopped():
    watched = [dict(name=name, backup_id=index, result=dict(timed_out=True)) for index, name in enumerate("abc")]
    watched[2]["result"] = dict(timed_out=False)

    to_stop = run_backup_to_stop({"results": [{"backups": watched}]}, [host("a", on_timeout="stop"), host("b"), host("c", on_timeout="stop")])

    assert [entry["name"] for entry in to_stop] == ["a"]


def test_every_filter_is_registered():
    assert sorted(FilterModule().filters()) == ["run_backup_carry", "run_backup_hosts", "run_backup_results", "run_backup_table", "run_backup_targets",
                                                "run_backup_to_stop", "run_backup_watch_list"]


def test_ended_backups_are_carried_to_the_next_chunk_in_short():
    report = dict(state="Completed", error_list=[dict(path="/x")] * 100)
    ended = dict(name="a", backup_id=1, state="Completed", configuration_id=9,
                 result=dict(ended=True, timed_out=False, gate_passed=True, healthy=True, report=report))
    running = dict(name="b", backup_id=2, state="InProgress", configuration_id=9, result=None)

    carried = run_backup_carry([ended, running])

    assert carried == [dict(name="a", backup_id=1, state="Completed", region=None, endpoint=None,
                            result=dict(ended=True, timed_out=False, gate_passed=True, healthy=True)), running]


def test_each_verdict_is_taken_from_the_chunk_where_it_came():
    whole = dict(name="a", backup_id=1, result=dict(ended=True, report=dict(state="Completed")))
    waits = {"results": [{"backups": [dict(name="a", backup_id=1, result=None), dict(name="b", result=None)]},
                         {"backups": [whole, dict(name="b", result=None)]},
                         {"backups": run_backup_carry([whole]) + [dict(name="b", result=dict(ended=True))]}]}

    results = run_backup_results([dict(name="a", outcome="started", backup_id=1), dict(name="b", outcome="started")],
                                 waits, [host("a"), host("b")])

    assert results["a"]["report"] == dict(state="Completed")
    assert results["b"]["failure"] is not None
