"""Tests for module_utils/_report.py: the healthy rule, the one-line summary and the gate."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import acceptable_states, gate_failure
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import (
    error_count,
    healthy,
    human_duration,
    human_size,
    restore_healthy,
    restore_summary,
    summary,
)


def report(**fields):
    """A normalized report, clean unless ``fields`` say otherwise."""
    record = {"backup_id": 368785, "backup_configuration_id": 174085, "backup_configuration_name": "db1 database dump",
              "state": "Completed", "reason": "Success", "diagnostics": "No errors", "num_errors": 0, "error_list": [],
              "files_searched": 11936, "files_backed_up": 6, "bytes_searched": 3972844748,
              "bytes_searched_text": "3.7 GB", "bytes_backed_up": 186751385, "bytes_backed_up_text": "178.1 MB",
              "duration_seconds": 273}
    record.update(fields)
    return record


@pytest.mark.parametrize("fields, expected", [
    ({}, True),
    ({"state": "completed"}, True),
    ({"state": "CompletedWithErrors", "diagnostics": "Completed With Errors", "num_errors": 2}, False),
    # The documented sample: Reason stays "Success" for CompletedWithErrors (api-notes: Reports).
    ({"state": "CompletedWithErrors"}, False),
    ({"reason": "UnableToProcessSomeFiles"}, False),
    ({"diagnostics": "Completed With Errors"}, False),
    ({"num_errors": 1}, False),
    ({"num_errors": None, "error_list": [{"path": "/x"}]}, False),
    ({"state": "Failed", "reason": "Failed"}, False),
])
def test_healthy_is_completed_success_no_errors(fields, expected):
    assert healthy(report(**fields)) is expected


@pytest.mark.parametrize("value", [None, {}])
def test_no_report_is_not_healthy(value):
    assert healthy(value) is False


@pytest.mark.parametrize("fields, expected", [
    ({"num_errors": 2}, 2),
    ({"num_errors": None, "error_list": [{}, {}, {}]}, 3),
    ({"num_errors": None, "error_list": None}, 0),
])
def test_error_count(fields, expected):
    assert error_count(report(**fields)) == expected


@pytest.mark.parametrize("fields, expected", [
    ({"state": "CompletedWithErrors", "num_errors": 2},
     "db1 database dump (backup 368785): CompletedWithErrors, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, "
     "2 errors, 4m33s"),
    ({"num_errors": 1}, "db1 database dump (backup 368785): Completed, 6 of 11936 files and 178.1 MB of 3.7 GB "
                        "backed up, 1 error, 4m33s"),
    ({"bytes_backed_up_text": None, "bytes_searched_text": None, "duration_seconds": None},
     "db1 database dump (backup 368785): Completed, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, 0 errors"),
    ({"backup_configuration_name": None, "files_searched": None},
     "backup configuration 174085 (backup 368785): Completed, 6 of ? files and 178.1 MB of 3.7 GB backed up, "
     "0 errors, 4m33s"),
])
def test_summary_of_a_report(fields, expected):
    assert summary(report(**fields)) == expected


@pytest.mark.parametrize("state, expected", [
    ("Preparing", "nightly (backup 368785): Preparing, no report yet"),
    ("Skipped", "nightly (backup 368785): Skipped, no report"),
])
def test_summary_without_a_report_gives_the_backup_state(state, expected):
    backup = {"backup_id": 368785, "backup_configuration_name": "nightly", "current_state": state}

    assert summary(None, backup) == expected


@pytest.mark.parametrize("configuration, expected", [
    ({"backup_configuration_id": 1, "backup_configuration_name": "weekly"}, "weekly: no backup yet"),
    ({"backup_configuration_id": 1}, "backup configuration 1: no backup yet"),
])
def test_summary_without_a_backup_names_the_configuration(configuration, expected):
    assert summary(None, None, configuration) == expected


@pytest.mark.parametrize("size, text", [
    (0, "0 bytes"), (318, "318 bytes"), (1024, "1 KB"), (61440, "60 KB"), (186751385, "178.1 MB"),
    (3972844748, "3.7 GB"), (5 * 1024 ** 4, "5 TB"), (None, "? bytes"),
])
def test_human_size_writes_like_the_api(size, text):
    assert human_size(size) == text


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (14, "14s"), (60, "1m00s"), (273, "4m33s"), (3723, "1h02m03s"), (93784, "26h03m04s"), (None, None),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize("given, expected", [
    (["Completed"], ["Completed"]),
    (["completed", "Completed WithErrors", "STOPPED"], ["Completed", "CompletedWithErrors", "Stopped"]),
    ([], []),
])
def test_acceptable_states_are_spelled_canonically(given, expected):
    assert acceptable_states(given) == expected


@pytest.mark.parametrize("given", [["InProgress"], ["Completed", "Success"]])
def test_acceptable_states_must_be_final(given):
    with pytest.raises(ConfigurationError) as raised:
        acceptable_states(given)

    assert raised.value.msg.startswith("acceptable_states must be final backup states (")


@pytest.mark.parametrize("fields, accepted, max_errors, why", [
    ({}, ["Completed"], None, None),
    ({}, ["Completed"], 0, None),
    ({"state": "CompletedWithErrors", "num_errors": 2}, ["Completed"], None,
     "state CompletedWithErrors is not one of the acceptable states (Completed)"),
    ({"state": "CompletedWithErrors", "num_errors": 2}, ["Completed", "CompletedWithErrors"], None, None),
    ({"state": "CompletedWithErrors", "num_errors": 2}, ["Completed", "CompletedWithErrors"], 2, None),
    ({"state": "CompletedWithErrors", "num_errors": 2}, ["Completed", "CompletedWithErrors"], 1,
     "2 errors, more than max_errors (1)"),
    ({"num_errors": 1}, ["Completed"], 0, "1 error, more than max_errors (0)"),
    ({"state": "Failed"}, ["Completed", "CompletedWithErrors"],
     None, "state Failed is not one of the acceptable states (Completed, CompletedWithErrors)"),
])
def test_gate(fields, accepted, max_errors, why):
    assert gate_failure(report(**fields), None, accepted, max_errors) == why


@pytest.mark.parametrize("state, why", [
    ("InProgress", "no report yet (state InProgress)"),
    ("Missed", "no report (state Missed)"),
    (None, "no backup to check"),
])
def test_no_report_never_passes_the_gate(state, why):
    assert gate_failure(None, state, ["Completed", "CompletedWithErrors"], None) == why


# --- restore reports --------------------------------------------------------------------------

RESTORE = {"restore_id": 500001, "backup_id": 368785, "backup_configuration_name": "web1 daily files",
           "destination_machine_id": 202743, "destination_machine_name": "web1", "destination_path": "/",
           "state": "InProgress"}


def restore_report(**fields):
    record = {"state": "Completed", "reason": "Success", "diagnostics": "No errors", "num_errors": 0,
              "error_list": [], "num_files_restored": 1200, "num_bytes_restored": 367001600,
              "num_bytes_restored_text": "350 MB", "duration_seconds": 12}
    record.update(fields)
    return record


@pytest.mark.parametrize("fields, expected", [
    ({}, True),
    # What a restore's Diagnostics says on success is undocumented: it does not count.
    ({"diagnostics": "Restore completed"}, True),
    ({"state": "CompletedWithErrors", "reason": "UnableToProcessSomeFiles", "num_errors": 1}, False),
    ({"num_errors": 2}, False),
    ({"state": "Failed", "reason": "Failed"}, False),
])
def test_restore_healthy_is_completed_success_no_errors(fields, expected):
    assert restore_healthy(restore_report(**fields)) is expected


def test_restore_healthy_is_false_without_a_report():
    assert restore_healthy(None) is False


def test_restore_summary_with_a_report():
    assert restore_summary(dict(RESTORE, state="Completed"), restore_report()) == (
        "restore 500001 of backup 368785 (web1 daily files) to web1:/: Completed, 1200 files and 350 MB restored, "
        "0 errors, 12s")


def test_restore_summary_without_a_report_says_the_state():
    assert restore_summary(RESTORE, None) == (
        "restore 500001 of backup 368785 (web1 daily files) to web1:/: InProgress, no report yet")
    assert restore_summary(dict(RESTORE, destination_machine_name=None, state="Failed"), None).endswith(
        "to agent 202743:/: Failed, no report")
