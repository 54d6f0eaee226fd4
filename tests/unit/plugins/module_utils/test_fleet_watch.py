"""Tests of _fleet_watch: the requests per poll stay flat in the fleet's size."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _fleet_watch
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import NotFound, ServerError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_start import FleetStarter, start_fleet
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_watch import (
    feed_state,
    find_latest_backups,
    poll_fleet,
    watch_fleet,
    watch_one,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import pending

FLEET = {"alpha": 400001, "beta": 400003, "racy": 400006, "locked": 400011}


def started_entries(account, names=None, **overrides):
    specs = [dict(name=name, agent_id=None, server_id=None, machine_name=name, configuration_id=configuration_id,
                  configuration_name=None, skip_if_completed_within=None, allow_completed_with_errors=True)
             for name, configuration_id in (names or FLEET).items()]
    started = start_fleet(account.client, specs, True, 120, False, sleep=account.sleep, clock=account.clock)
    account.simulator.clear_requests()
    entries = []
    for backup in started:
        entry = dict(name=backup["name"], backup_id=backup["backup_id"], configuration_id=backup["configuration_id"],
                     configuration_name=backup["configuration_name"], acceptable_states=["Completed"], max_errors=None,
                     started_at=account.clock(), deadline=None, state=None, result=None)
        entry.update(overrides)
        entries.append(entry)
    return entries


def watch(account, entries, timeout=60.0, interval=1.0):
    return watch_fleet(account.client, entries, timeout, interval, sleep=account.sleep, clock=account.clock,
                       now=account.clock)


def test_one_feed_read_per_poll_and_one_report_per_backup(account):
    entries = started_entries(account)

    watched = watch(account, entries)

    assert not watched.timed_out and pending(entries) == []
    routes = account.routes()
    assert routes["activity.user"] == watched.polls > 1
    assert routes["backup.report"] == len(FLEET)
    assert routes["backup.get"] == 0
    verdicts = {entry["name"]: (entry["result"]["state"], entry["result"]["gate_passed"]) for entry in entries}
    assert verdicts == {"alpha": ("Completed", True), "beta": ("Completed", True), "racy": ("Completed", True),
                        "locked": ("CompletedWithErrors", False)}
    assert entries[3]["result"]["gate_failure"].startswith("state CompletedWithErrors is not one of the acceptable")


def test_each_backup_is_judged_by_its_own_gate(account):
    entries = started_entries(account, {"locked": 400011}, acceptable_states=["Completed", "CompletedWithErrors"],
                              max_errors=2)

    watch(account, entries)

    result = entries[0]["result"]
    assert result["gate_passed"] is True and result["healthy"] is False and result["error_count"] == 2


def test_entries_with_a_result_are_passed_through_untouched(account):
    entries = started_entries(account)
    watch(account, entries)
    account.simulator.clear_requests()
    before = [dict(entry) for entry in entries]

    watched = watch(account, entries)

    assert entries == before and watched.polls == 1 and account.routes() == {}


def test_a_backup_whose_reads_keep_failing_does_not_hide_the_others(account, monkeypatch):
    entries = started_entries(account, {"alpha": 400001, "beta": 400003}, deadline=account.clock() + 600)
    confirm = _fleet_watch.confirm_end

    def failing_for_alpha(client, entry, *args):
        if entry["name"] == "alpha":
            raise ServerError(500, "GET", "backup/report/%s" % entry["backup_id"], None)
        return confirm(client, entry, *args)
    monkeypatch.setattr(_fleet_watch, "confirm_end", failing_for_alpha)

    watch(account, entries, timeout=700.0, interval=15.0)

    assert entries[1]["result"]["state"] == "Completed" and entries[0]["result"]["timed_out"]
    assert entries[0]["result"]["summary"].endswith("(its last read failed: GET backup/report/%s failed with HTTP 500)"
                                                    % entries[0]["backup_id"])


def test_reports_late_for_several_backups_cost_the_poll_one_delay_and_none_is_lost(account):
    entries = started_entries(account)
    # The three first reads of a report find none yet: the API writes a report a moment after the end.
    account.simulator.add_fault(route="backup.report", status=404, count=3)
    before = account.clock()

    watched = watch(account, entries, timeout=600.0, interval=300.0)   # one poll sees every backup ended

    assert all(entry["result"]["report"] is not None for entry in entries), [entry["result"] for entry in entries]
    assert account.routes()["backup.report"] == len(FLEET) + 3
    # Two polls, 300 s apart, and one 2 s delay between two rounds of report reads.
    # (The simulator's clock is in seconds since the epoch: a float, exact to a microsecond.)
    assert (watched.polls, round(account.clock() - before, 3)) == (2, 302.0)


def test_a_backup_that_cannot_be_read_for_good_fails_alone(account):
    entries = started_entries(account, {"alpha": 400001})
    entries.append(dict(entries[0], name="gone", backup_id=999999, configuration_id=None, configuration_name=None))

    watch(account, entries)

    assert entries[0]["result"]["state"] == "Completed" and entries[0]["result"]["gate_passed"] is True
    gone = entries[1]["result"]
    assert (gone["ended"], gone["gate_passed"], gone["summary"]) == (True, False, "backup 999999 could not be read")
    assert "404" in gone["error"] and gone["gate_failure"] == gone["error"]


def test_a_backup_without_a_configuration_is_read_on_its_own(account):
    entries = started_entries(account, {"alpha": 400001}, configuration_id=None)

    watched = watch(account, entries)

    assert entries[0]["result"]["state"] == "Completed"
    assert account.routes()["backup.get"] == watched.polls
    assert account.routes()["activity.user"] == 0  # the feed could not tell


def test_a_chunk_ends_without_polling_at_its_deadline(account):
    entries = started_entries(account, {"slow": 400010})

    watched = watch(account, entries, timeout=10.0, interval=3.0)

    # Polls at 0, 3, 6 and 9 s; the one a 12 s would be the next chunk's first.
    assert watched.timed_out and watched.polls == 4 and watched.elapsed == pytest.approx(10.0, abs=0.1)
    assert entries[0]["result"] is None and entries[0]["state"] in ("Queued", "Preparing", "InProgress")


def test_one_backup_waited_for_alone_is_looked_at_once_more_at_its_deadline(account):
    [entry] = started_entries(account, {"slow": 400010})

    watched = watch_one(account.client, entry["backup_id"], 400010, 10.0, 3.0, sleep=account.sleep,
                        clock=account.clock, now=account.clock)

    # Polls at 0, 3, 6, 9 s and at the 10 s deadline: no next chunk would look.
    assert watched.timed_out and watched.polls == 5 and watched.elapsed == pytest.approx(10.0, abs=0.1)
    assert watched.value["result"] is None and watched.value["state"] in ("Queued", "Preparing", "InProgress")


def test_one_backup_that_cannot_be_read_for_good_fails_its_wait_with_the_apis_error(account):
    with pytest.raises(NotFound, match="404"):
        watch_one(account.client, 999999, None, 60.0, 1.0, sleep=account.sleep, clock=account.clock, now=account.clock)


def test_a_backup_past_its_deadline_gets_a_timed_out_result(account):
    entries = started_entries(account, {"slow": 400010, "alpha": 400001})
    entries[0]["deadline"] = account.clock() + 5

    watch(account, entries)

    slow, alpha = entries[0]["result"], entries[1]["result"]
    assert slow["timed_out"] is True and slow["ended"] is False and slow["gate_passed"] is None
    assert slow["summary"].startswith('backup %d of "slow files" is still ' % entries[0]["backup_id"])
    assert alpha["ended"] is True


@pytest.mark.parametrize("items, state", [
    # Its own item, whichever field carries its id.
    ([dict(type="Backup", parent_id=7, id=50, current_state="InProgress")], "InProgress"),
    ([dict(type="Backup", parent_id=7, id=999, backup_id=50, current_state="Completed")], "Completed"),
    # Not its own item, but a run of its configuration in flight: not ended.
    ([dict(type="Backup", parent_id=7, id=999, current_state="Queued")], "Queued"),
    # Only other, finished runs, or another configuration's, or a restore: the feed cannot tell.
    ([dict(type="Backup", parent_id=7, id=49, current_state="Completed")], None),
    ([dict(type="Backup", parent_id=8, id=50, current_state="Completed")], None),
    ([dict(type="Restore", parent_id=7, id=51, backup_id=50, current_state="Completed")], None),
    ([], None),
])
def test_feed_state_matches_by_configuration_and_by_either_id(items, state):
    assert feed_state(items, dict(backup_id=50, configuration_id=7, started_at=0.0)) == state


def test_a_run_in_flight_says_nothing_of_a_latest_backup_looked_up():
    # backup_report.yml's entries: the configuration's latest finished backup, which a newer
    # run in flight must not hide.
    running = [dict(type="Backup", parent_id=7, id=60, current_state="InProgress")]
    assert feed_state(running, dict(backup_id=50, configuration_id=7)) is None


def test_entries_without_a_backup_id_get_their_configurations_latest_backup(account):
    entries = [dict(name="alpha", backup_id=None, configuration_id=400001, configuration_name="nightly",
                    acceptable_states=["Completed"], result=None),
               dict(name="alpha", backup_id=None, configuration_id=400007, configuration_name="fails then completes",
                    acceptable_states=["Completed"], result=None)]

    find_latest_backups(account.client, entries)
    poll_fleet(account.client, entries, sleep=account.sleep, now=account.clock)

    nightly, never_ran = entries
    assert nightly["backup_id"] == 100001 and nightly["result"]["state"] == "Completed"
    assert never_ran["backup_id"] is None and never_ran["result"]["summary"] == "fails then completes: no backup yet"
    assert never_ran["result"]["gate_passed"] is False
    routes = account.routes()
    assert routes["activity.user"] == 2 and routes["backup.report"] == 1


def test_a_backup_that_ended_just_before_its_deadline_is_not_out_of_time(account):
    entries = started_entries(account, {"alpha": 400001})
    account.sleep(60)  # the backup (5 s) has ended; its deadline passed before anyone looked
    entries[0]["deadline"] = account.clock() - 1

    watch(account, entries)

    assert entries[0]["result"]["ended"] is True and entries[0]["result"]["state"] == "Completed"


def test_a_start_the_api_skipped_for_a_scheduled_run_follows_that_run(account, monkeypatch):
    account.simulator.add_fault(route="backup.start", scheduled_first=True, count=1)
    # The start's own look for a second run (test_fleet_start.py) missed it, as a lagging feed would.
    monkeypatch.setattr(FleetStarter, "keep_one_run_each", lambda self, started, known_ids: None)
    entries = started_entries(account, {"alpha": 400001})
    skipped = entries[0]["backup_id"]

    watched = watch(account, entries)

    [entry] = watched.value
    assert entry["backup_id"] < skipped
    assert entry["result"]["gate_passed"] is True
    states = {backup["BackupId"]: backup["CurrentState"] for backup in account.backups_of(400001)}
    assert (states[skipped], states[entry["backup_id"]]) == ("Skipped", "Completed")


def test_a_start_whose_details_show_it_skipped_after_the_last_poll_gives_way_to_the_run_that_went_on(
        account, monkeypatch):
    account.simulator.add_fault(route="backup.start", scheduled_first=True, count=1)
    monkeypatch.setattr(FleetStarter, "keep_one_run_each", lambda self, started, known_ids: None)
    [entry] = started_entries(account, {"alpha": 400001})
    skipped = entry["backup_id"]
    account.sleep(60)
    # The last poll saw it still queued; the details read after it are the first to say Skipped.
    monkeypatch.setattr(_fleet_watch, "poll_fleet", lambda client, entries, *args: entries)

    watched = watch_one(account.client, skipped, 400001, None, 1.0, started_at=entry["started_at"], sleep=account.sleep,
                        clock=account.clock, now=account.clock)

    followed = watched.value
    assert followed["backup_id"] < skipped and followed["backup"]["backup_id"] == followed["backup_id"]
    assert followed["result"]["state"] == followed["backup"]["current_state"] == "Completed"
    assert not watched.timed_out
