"""Tests of the one verdict on a backup's or a restore's end (_verdict)."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import (
    Gate,
    Verdict,
    end_failure,
    good_states,
    judge,
    server_failure,
)

CLEAN = {"state": "Completed", "reason": "Success", "diagnostics": "No errors", "num_errors": 0}
WITH_ERRORS = dict(CLEAN, state="CompletedWithErrors", diagnostics="2 files could not be read", num_errors=2)
FAILED = dict(CLEAN, state="Failed", reason="BackupFailed", diagnostics="agent lost", num_errors=1)


@pytest.mark.parametrize("allow_errors, stopping, good", [
    (False, False, ["Completed"]),
    (True, False, ["Completed", "CompletedWithErrors"]),
    (False, True, ["Completed", "Stopped"]),
])
def test_the_good_states(allow_errors, stopping, good):
    assert good_states(allow_errors, stopping) == good


@pytest.mark.parametrize("state, report, good, why", [
    ("Completed", CLEAN, ["Completed"], None),
    ("InProgress", None, ["Completed"], None),                     # not ended: no verdict on the end
    ("Failed", FAILED, ["Completed"], "ended in state Failed: agent lost (BackupFailed, 1 error)"),
    ("Skipped", None, ["Completed"], "ended in state Skipped"),
    ("completedwitherrors", WITH_ERRORS, ["Completed"], "ended in state CompletedWithErrors: 2 files could not be "
                                                        "read (Success, 2 errors); allow_completed_with_errors is false"),
    ("Stopped", None, good_states(False, stopping=True), None),
])
def test_a_bad_end_says_its_state_its_diagnostics_and_what_would_accept_it(state, report, good, why):
    assert end_failure(state, report, good) == why


# (state, report, timed_out, gave_up, good, gate) -> the verdict: every road of judge.
VERDICTS = [
    ("InProgress", None, True, None, ["Completed"], Gate(["Completed"]), Verdict(None, None)),
    ("InProgress", None, True, "gave up", ["Completed"], Gate(["Completed"]), Verdict("s; gave up", False)),
    ("InProgress", None, True, "gave up", None, None, Verdict("s; gave up", None)),
    ("Failed", FAILED, False, None, ["Completed"], None,
     Verdict("s; ended in state Failed: agent lost (BackupFailed, 1 error)", None)),
    ("Failed", FAILED, False, None, ["Completed"], Gate(["Completed"]),
     Verdict("s; ended in state Failed: agent lost (BackupFailed, 1 error)", False)),
    ("Failed", FAILED, False, None, None, None, Verdict(None, None)),   # a report without a gate judges nothing
    ("Failed", FAILED, False, None, None, Gate(["Completed", "Failed"]), Verdict(None, True)),
    ("CompletedWithErrors", WITH_ERRORS, False, None, ["Completed", "CompletedWithErrors"], Gate(["Completed",
     "CompletedWithErrors"], max_errors=1), Verdict("s; gate failed: 2 errors, more than max_errors (1)", False)),
    ("Completed", CLEAN, False, None, ["Completed"], Gate(["Completed"], 0), Verdict(None, True)),
]


@pytest.mark.parametrize("state, report, timed_out, gave_up, good, gate, verdict", VERDICTS)
def test_the_verdict(state, report, timed_out, gave_up, good, gate, verdict):
    assert judge("s", state, report, timed_out=timed_out, gave_up=gave_up, good=good, gate=gate) == verdict


@pytest.mark.parametrize("gate, gate_passed", [(None, None), (Gate(["Completed"]), False)])
def test_a_job_that_could_not_be_read_fails_saying_why_whatever_its_last_state(gate, gate_passed):
    # Its last state as seen, still running, would have passed for now.
    assert judge("s", "InProgress", None, good=["Completed"], gate=gate, unreadable="HTTP 404") == Verdict(
        "s; HTTP 404", gate_passed)


@pytest.mark.parametrize("gate, verdict", [
    (Gate(["Completed"], 0), Verdict(None, True)),   # Completed means no errors
    (Gate(["CompletedWithErrors"]), Verdict("s; gate failed: state Completed is not one of the acceptable states "
                                            "(CompletedWithErrors)", False)),
])
def test_a_completed_job_whose_report_was_skipped_is_gated_by_its_state(gate, verdict):
    assert judge("s", "Completed", None, good=["Completed"], gate=gate, report_skipped=True) == verdict
    assert judge("s", "Completed", None, good=["Completed"], gate=gate).gate_passed is False   # not skipped: unproven


@pytest.mark.parametrize("seen, timed_out, on_timeout, failure, settings, expected", [
    (False, False, "fail", None, "restore", "job 1; its end was never seen"),
    (False, True, "continue", None, "run_backup", "job 1; its end was never seen"),   # never proven good
    (True, False, "fail", None, "restore", None),
    (True, False, "continue", "job 1; gate failed", "run_backup", "job 1; gate failed"),
    (True, True, "continue", None, "restore", None),
    (True, True, "stop", None, "run_backup", "job 1; it was asked to stop (run_backup_on_timeout=stop)"),
    (True, True, "fail", None, "run_backup",
     "job 1; it keeps running: raise run_backup_timeout, or set run_backup_on_timeout to stop or continue"),
    (True, True, "fail", None, "restore",
     "job 1; it keeps running: raise restore_timeout, or set restore_on_timeout to continue"),
])
def test_a_fleets_server_fails_when_its_end_was_never_seen_it_ran_out_of_time_or_it_failed(
        seen, timed_out, on_timeout, failure, settings, expected):
    assert server_failure("job 1", seen, timed_out, on_timeout, failure, settings) == expected
