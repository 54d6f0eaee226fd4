"""Tests of _fleet_start against the in-process simulator on a frozen clock (see conftest.py).

Each test counts the requests by route: the point of the batch is that the fleet shares
its reads, so a test that only checked outcomes could not fail when that broke.
"""
import dataclasses

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import WAKE_TAKES
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import START_AMBIGUOUS_ATTEMPTS
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_start import start_fleet


def target(name, **settings):
    spec = dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=None,
                configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=True)
    spec.update(settings)
    return spec


FLEET = [
    target("alpha", configuration_name="nightly"),
    target("beta", configuration_name="nightly"),
    target("racy"),  # refuses its first two starts with 403 (the agent race)
    target("locked"),
]


def start(account, specs, wake=True, online_timeout=120, check_mode=False):
    results = start_fleet(account.client, specs, wake, online_timeout, check_mode, sleep=account.sleep,
                          clock=account.clock)
    return {result["name"]: result for result in results}


def started_configurations(account):
    return sorted(entry["body"]["Id"] for entry in account.simulator.requests(route="backup.start")
                  if entry["status"] == 200)


def test_a_fleet_shares_its_reads_and_starts_one_backup_each(account):
    results = start(account, FLEET)

    assert {name: result["outcome"] for name, result in results.items()} == dict.fromkeys(
        ("alpha", "beta", "racy", "locked"), "started")
    assert results["alpha"]["configuration_id"] == 400001 and results["beta"]["configuration_id"] == 400003
    assert started_configurations(account) == [400001, 400003, 400006, 400011]
    routes = account.routes()
    assert routes["identity.tokens"] == 1
    assert routes["agent.list"] == 1 and routes["configuration.list"] == 1
    # one read finds the runs in flight; one more, once the starts are done, a second new run beside one
    assert routes["activity.user"] == 2
    assert routes["agent.wake"] == 1
    # racy's two refusals cost two more POSTs; every other backup exactly one.
    assert routes["backup.start"] == 4 + 2
    for result in results.values():
        assert result["changed"] is True and isinstance(result["backup_id"], int)


@pytest.mark.parametrize("spec, message", [
    (target("nosuchserver"), 'machine name "nosuchserver" matches no agent'),
    (target("gamma"), "agent 300003 (gamma) is disabled"),
    (target("x", agent_id=300001, configuration_name="nosuchconfig"),
     'no live backup configuration of agent 300001 (alpha) is named "nosuchconfig" (names in use: "always fails", '
     '"fails then completes", "nightly")'),
    (target("x", agent_id=300001), 'agent 300001 (alpha) has 3 live backup configurations ("always fails", '),
    (target("x", agent_id=300001, configuration_id=400003),
     'configuration 400003 ("nightly") belongs to agent 300002, not to agent 300001 (alpha)'),
    (target("x", agent_id=300002, configuration_id=400004), 'backup configuration 400004 ("retired") is deleted'),
    (target("x", agent_id=300002, configuration_id=499999), "backup configuration 499999 not found"),
    (target("x", agent_id=399999), "agent id 399999 matches no agent"),
    (target("x", server_id="22222222-2222-4222-8222-222222222222", machine_name=None), None),
])
def test_a_bad_target_fails_alone(account, spec, message):
    results = start(account, [spec, target("alpha", configuration_name="nightly")])

    assert results["alpha"]["outcome"] == "started"
    if message is None:
        assert results["x"]["outcome"] == "started" and results["x"]["agent_id"] == 300002
        return
    failed = results[spec["name"]]
    assert failed["outcome"] == "failed" and failed["failed"] is True and failed["changed"] is False
    assert message in failed["msg"]
    assert started_configurations(account) == [400001]


def test_a_backup_in_flight_is_joined(account):
    first = start(account, [target("slow")])["slow"]

    again = start(account, [target("slow"), target("alpha", configuration_name="nightly")])

    assert again["slow"]["outcome"] == "attached" and again["slow"]["backup_id"] == first["backup_id"]
    assert again["slow"]["changed"] is False
    assert started_configurations(account) == [400001, 400010]


def test_a_fresh_backup_is_kept(account):
    # alpha's nightly completed a day ago (history backup 100001).
    results = start(account, [target("alpha", configuration_name="nightly", skip_if_completed_within=2 * 86400)])

    assert results["alpha"]["outcome"] == "fresh" and results["alpha"]["backup_id"] == 100001
    assert account.routes()["backup.start"] == 0 and account.routes()["agent.wake"] == 0


def test_check_mode_reads_and_predicts(account):
    results = start(account, FLEET + [target("gamma")], check_mode=True)

    assert [result["outcome"] for result in results.values()] == ["started"] * 4 + ["failed"]
    assert all(result["backup_id"] is None for result in results.values())
    assert [entry for entry in account.simulator.requests() if entry["method"] != "GET"
            and entry["route"] != "identity.tokens"] == []


def test_agents_that_fall_asleep_before_their_start_are_woken_again(account):
    # The fleet is slow: by the first look at an agent, the wake-up has lapsed (awake window 70 s).
    slept = []

    def slow_sleep(seconds):
        account.sleep(100 if not slept else seconds)
        slept.append(seconds)

    results = start_fleet(account.client, FLEET, True, 300, False, sleep=slow_sleep, clock=account.clock)

    assert [result["outcome"] for result in results] == ["started"] * 4
    assert account.routes()["agent.wake"] == 2
    assert started_configurations(account) == [400001, 400003, 400006, 400011]


def test_the_wake_up_is_repeated_once_per_wake_time_while_starts_are_refused(account):
    # Every start is refused for 90 s of rounds, 2 s apart: the wake-up did not take, so it is
    # posted again each time WAKE_TAKES (20 s) passes, and no more often.
    account.simulator.add_fault(route="backup.start", status=403, count=45)

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=300)

    assert results["alpha"]["outcome"] == "started"
    assert account.routes()["agent.wake"] == 1 + 90 // WAKE_TAKES
    assert started_configurations(account) == [400001]


def test_a_start_refused_until_the_deadline_fails_with_the_reason(account):
    account.simulator.add_fault(route="backup.start", status=403, count=None)

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=30)

    assert results["alpha"]["outcome"] == "failed"
    assert "refused with HTTP 403 for 30 seconds" in results["alpha"]["msg"]
    assert account.routes()["agent.wake"] == 2  # at the start, and once WAKE_TAKES (20 s) had passed


def never_wakes(account, agent_id):
    agent = account.simulator.core.world.agents[agent_id]
    agent.spec = dataclasses.replace(agent.spec, wake_delay=10 ** 6)


def test_an_agent_that_never_wakes_fails_with_its_status(account):
    never_wakes(account, 300001)

    results = start(account, [target("alpha", configuration_name="nightly")], wake=False, online_timeout=40)

    assert results["alpha"]["outcome"] == "failed"
    # none first (wake=False); the refusals posted one, and one more once WAKE_TAKES had passed
    assert "agent 300001 (alpha) is Offline after 40 seconds and 2 wake-up(s)" in results["alpha"]["msg"]


def test_a_refused_start_gets_the_race_window_however_short_online_timeout(account):
    never_wakes(account, 300001)
    began = account.clock()

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=0)

    assert "is Offline after 30 seconds" in results["alpha"]["msg"]
    assert account.clock() - began >= 30


@pytest.mark.parametrize("fault", [
    dict(status=500, apply=True),   # the server acted, then answered 500
    dict(drop=True, apply=True),    # the server acted, the reply was lost
    dict(status=503),               # refused: nothing was created
    dict(drop=True),                # dropped before acting
])
def test_an_ambiguous_start_inside_a_batch_makes_one_backup(account, fault):
    account.simulator.add_fault(route="backup.start", count=1, **fault)

    results = start(account, [target("alpha", configuration_name="nightly"), target("beta", configuration_name="nightly")])

    assert [result["outcome"] for result in results.values()] == ["started", "started"]
    created = [backup["BackupId"] for backup in account.backups_of(400001) if backup["BackupId"] >= 368785]
    assert created == [results["alpha"]["backup_id"]]
    assert len([backup for backup in account.backups_of(400003) if backup["BackupId"] >= 368785]) == 1


def test_the_agents_are_read_in_turn_until_one_is_online(account):
    start(account, [target("alpha", configuration_name="nightly"), target("beta", configuration_name="nightly")])

    # Right after the wake-up alpha is still Offline (wake delay 2 s); 2 s later beta is up.
    reads = [entry["path"].rsplit("/", 1)[-1] for entry in account.simulator.requests(route="agent.get")]
    assert reads == ["300001", "300002"]


def test_agents_that_stay_asleep_hold_the_starts_back_for_30_seconds_at_most(account):
    never_wakes(account, 300001)
    began = account.clock()

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=120)

    first_start = account.simulator.requests(route="backup.start")[0]["sim_time"]
    assert 30 <= first_start - began < 33
    assert results["alpha"]["outcome"] == "failed"


def test_refusals_do_not_count_against_the_unclear_starts(account):
    # Two refusals (nothing created), then one 500 that was not acted on: one unclear start
    # of the START_AMBIGUOUS_ATTEMPTS allowed, so the start is looked for, then sent again.
    account.simulator.add_fault(route="backup.start", status=403, count=2)
    account.simulator.add_fault(route="backup.start", status=500, count=1)

    results = start(account, [target("alpha", configuration_name="nightly")])

    assert results["alpha"]["outcome"] == "started"
    assert started_configurations(account) == [400001]


def test_unclear_starts_without_a_new_run_fail_after_the_last_attempt(account):
    account.simulator.add_fault(route="backup.start", status=500, count=START_AMBIGUOUS_ATTEMPTS)

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=600)

    assert results["alpha"]["outcome"] == "failed"
    assert results["alpha"]["msg"].startswith(
        "StartManual for backup configuration 400001 got no clear answer %d times (the last: POST "
        % START_AMBIGUOUS_ATTEMPTS)
    assert "failed with HTTP 500" in results["alpha"]["msg"]
    assert results["alpha"]["msg"].endswith("and no new run of it appeared")
    assert started_configurations(account) == []


def test_unclear_starts_still_unsettled_at_the_deadline_fail_as_unclear(account):
    account.simulator.add_fault(route="backup.start", status=500, count=None)

    results = start(account, [target("alpha", configuration_name="nightly")], online_timeout=60)

    assert results["alpha"]["outcome"] == "failed"
    assert "got no clear answer" in results["alpha"]["msg"]


def test_machine_names_match_without_case(account):
    results = start(account, [target("ALPHA", configuration_name="nightly")])

    assert results["ALPHA"]["outcome"] == "started" and results["ALPHA"]["agent_id"] == 300001


def test_two_hosts_of_one_configuration_share_one_backup(account):
    results = start(account, [target("alpha", configuration_name="nightly"),
                              target("alpha-again", agent_id=300001, machine_name=None, configuration_id=400001)])

    assert results["alpha"]["outcome"] == "started"
    assert results["alpha-again"]["outcome"] == "attached"
    assert results["alpha-again"]["backup_id"] == results["alpha"]["backup_id"]
    assert started_configurations(account) == [400001]


def test_a_scheduled_run_that_fired_just_before_a_start_is_the_one_that_goes_on(account):
    account.simulator.add_fault(route="backup.start", scheduled_first=True, count=1)

    results = start(account, [target("alpha", configuration_name="nightly"), target("beta", configuration_name="nightly")])

    scheduled, posted = [backup["BackupId"] for backup in account.backups_of(400001) if backup["BackupId"] >= 368785]
    assert results["alpha"]["backup_id"] == scheduled
    assert [entry["body"]["Id"] for entry in account.simulator.requests(route="backup.stop")] == [posted]
    assert len([backup for backup in account.backups_of(400003) if backup["BackupId"] >= 368785]) == 1
