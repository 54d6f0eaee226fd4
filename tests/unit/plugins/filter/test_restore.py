"""Tests of playbooks/restore.yml's filters: the backup chosen, the verdict, the table."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.filter.restore import (
    restore_record_key,
    restore_recorded,
    NOTHING_TO_RESTORE,
    restore_choice,
    restore_configuration,
    restore_result,
    restore_table,
)

RECORD = {"web1": 368785}


@pytest.mark.parametrize("given, recorded, record_file, from_file, unrecorded, expected", [
    (5, RECORD, "/r.json", {"web1": 7}, "skip", (5, "restore_backup_id")),
    (None, RECORD, "/r.json", {"web1": 7}, "skip", (368785, "pre_upgrade_backups")),
    ("", None, "/r.json", {"web1": 7}, "skip", (7, "/r.json")),
    (None, None, "", None, "skip", (None, "newest")),            # no record at all: the newest backup
    (None, {"db1": 1}, "", None, "skip", (None, "not recorded")),  # left out of the record: not upgraded
    (None, None, "/r.json", {}, "skip", (None, "not recorded")),
    (None, {"db1": 1}, "", None, "newest", (None, "newest")),
])
def test_restore_choice_takes_the_first_source_with_an_id(given, recorded, record_file, from_file, unrecorded,
                                                          expected):
    choice = restore_choice("web1", given, recorded, record_file, from_file, unrecorded)
    assert (choice["backup_id"], choice["source"]) == expected


CHOSEN = {"backup_id": 368785, "source": "pre_upgrade_backups"}
STARTED = {"changed": True, "outcome": "started", "restore_id": 500001, "backup_id": 368785, "state": "Queued",
           "timed_out": False}
REPORT = {"state": "Completed", "num_files_restored": 1200, "num_errors": 0, "duration_seconds": 75}


def chunk(**fields):
    result = dict(STARTED, changed=False, outcome="followed", timed_out=True, state="InProgress", gate_passed=None)
    result.update(fields)
    return result


@pytest.mark.parametrize("start, chunks, choice, check_mode, on_timeout, failure, verdict", [
    (STARTED, [chunk(), chunk(timed_out=False, state="Completed", gate_passed=True, report=REPORT)], CHOSEN, False,
     "fail", None, "ok"),
    (STARTED, [chunk(failed=True, msg="restore 500001 ...: Failed", state="Failed")], CHOSEN, False, "fail",
     "restore 500001 ...: Failed", "FAILED"),
    (STARTED, [chunk(), chunk()], CHOSEN, False, "fail", "restore 500001 is still InProgress after 60 seconds",
     "FAILED"),
    (STARTED, [chunk()], CHOSEN, False, "continue", None, "still running"),
    (STARTED, [chunk(timed_out=False, state="Completed", gate_passed=False)], CHOSEN, False, "fail",
     "restore 500001 ended Completed", "FAILED"),
    ({"failed": True, "msg": "backup 9 not found"}, [], CHOSEN, False, "fail", "backup 9 not found", "FAILED"),
    ({"skipped": True}, [{"skipped": True}], {"backup_id": None, "source": "newest"}, False, "fail",
     NOTHING_TO_RESTORE, "FAILED"),
    ({"skipped": True}, [], {"backup_id": None, "source": "not recorded"}, False, "fail", None,
     "skipped: not in the record"),
    (dict(STARTED, restore_id=None, state=None), [{"skipped": True}], CHOSEN, True, "fail", None,
     "check mode: would restore"),
])
def test_restore_result_says_why_a_server_fails(start, chunks, choice, check_mode, on_timeout, failure, verdict):
    result = restore_result(start, chunks, choice, check_mode, on_timeout, 60)
    assert (result["failure"], result["verdict"]) == (failure, verdict)


def test_restore_result_takes_the_last_chunk_that_ran():
    result = restore_result(STARTED, [chunk(), chunk(timed_out=False, state="Completed", gate_passed=True,
                                                     report=REPORT), {"skipped": True}], CHOSEN, False, "fail", 60)
    assert (result["state"], result["report"], result["backup_source"]) == ("Completed", REPORT, "pre_upgrade_backups")


def test_restore_table_has_a_row_per_judged_server_then_the_failures():
    ok = restore_result(STARTED, [chunk(timed_out=False, state="Completed", gate_passed=True, report=REPORT)], CHOSEN,
                        False, "fail", 60)
    failed = restore_result({"failed": True, "msg": "backup 9 not found"}, [], CHOSEN, False, "fail", 60)
    lines = restore_table([{"inventory_hostname": "web1", "restore_result": ok},
                           {"inventory_hostname": "db1", "restore_result": failed},
                           {"inventory_hostname": "skipped-host"}])
    assert lines[0].split() == ["server", "backup", "restore", "state", "files", "errors", "duration", "verdict"]
    assert lines[1].split() == ["web1", "368785", "500001", "Completed", "1200", "0", "1m15s", "ok"]
    assert lines[2].split()[:4] == ["db1", "368785", "-", "-"] and lines[2].endswith("FAILED")
    assert lines[3:] == ["db1: backup 9 not found"]


OWN = [{"backup_configuration_id": 1, "backup_configuration_name": "files"},
       {"backup_configuration_id": 2, "backup_configuration_name": "dump"}]


@pytest.mark.parametrize("configurations, configuration_id, configuration_name, expected", [
    (OWN, 9, "files", 9),
    (OWN, None, "dump", 2),
    (OWN, None, "nothing", None),
    (OWN, None, None, None),            # two configurations and no name: none can be picked
    (OWN[:1], None, None, 1),
    ([], None, None, None),
])
def test_restore_configuration_picks_as_the_role_does(configurations, configuration_id, configuration_name, expected):
    assert restore_configuration(configurations, configuration_id, configuration_name) == expected


def test_a_name_two_configurations_share_fails_with_both_ids():
    twins = OWN + [{"backup_configuration_id": 3, "backup_configuration_name": "dump"}]

    with pytest.raises(ValueError, match=r'2 live backup configurations of agent .* are named "dump": 2 \(agent .*\), 3 '
                                         r'.*; give configuration_id$'):
        restore_configuration(twins, None, "dump")


# --- the records of pre_upgrade_backup.yml, slice by slice ----------------------------------

def test_a_record_key_names_its_hosts_whatever_their_order():
    key = restore_record_key(["web1", "db1"])

    assert key == restore_record_key(["db1", "web1"])
    assert key != restore_record_key(["db1"])
    assert key.startswith("pre_upgrade_backups_") and len(key) == len("pre_upgrade_backups_") + 12


def test_the_slices_of_a_sliced_job_are_merged_back():
    # AWX merged three slices' artifacts with dict.update: pre_upgrade_backups is the last slice's.
    slices = [{"db1": 1}, {"files1": 2}, {"web1": 3}]
    artifacts = {}
    for record in slices:
        artifacts.update({"pre_upgrade_backups": record, restore_record_key(record): record})

    assert restore_recorded([artifacts]) == {"db1": 1, "files1": 2, "web1": 3}


@pytest.mark.parametrize("sources, merged", [
    ([], None),
    ([None, {}], None),
    ([{"unrelated": {"db1": 1}, "pre_upgrade_backups_zz": {"db1": 1}}], None),
    ([{"pre_upgrade_backups": {}}], {}),
    ([{"pre_upgrade_backups": {"db1": 1}}, {"pre_upgrade_backups_00ff": {"web1": 2}}], {"db1": 1, "web1": 2}),
    # A slice's own key wins over the plain one (the last slice's), whatever the order.
    ([{"pre_upgrade_backups_00ff": {"db1": 5}, "pre_upgrade_backups": {"db1": 1}}], {"db1": 5}),
])
def test_record_keys_and_only_those_are_merged(sources, merged):
    assert restore_recorded(sources) == merged


def test_of_two_records_that_name_a_server_the_newer_wins_whatever_their_order():
    # A record folder holds the files of several runs (a --limit run again writes another key).
    old = {"pre_upgrade_backups_0a": {"web1": 1, "db1": 2}, "pre_upgrade_backups_recorded_at": "2026-12-01T10:00:00Z"}
    new = {"pre_upgrade_backups_0b": {"web1": 3}, "pre_upgrade_backups_recorded_at": "2026-12-06T10:00:00Z"}

    assert restore_recorded([new, old]) == restore_recorded([old, new]) == {"web1": 3, "db1": 2}
