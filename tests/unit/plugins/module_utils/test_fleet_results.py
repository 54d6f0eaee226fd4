"""Tests of _fleet_results: the words a person reads about a fleet's backups."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import (
    ended_result,
    host_result,
    progress_line,
    table_lines,
    timed_out_result,
    verdict,
)

REPORT = dict(backup_id=7, state="CompletedWithErrors", reason="Success", diagnostics="2 errors", files_backed_up=41,
              files_searched=2311, bytes_backed_up_text="512.6 MB", bytes_searched_text="1.4 GB", num_errors=2,
              duration_seconds=273, backup_configuration_name="db1 dump",
              error_list=[dict(path="/var/lib/mysql/ibdata1", exception_desc="locked")] * 2)


def entry(name, state="InProgress", started_at=0.0, **extra):
    return dict(dict(name=name, backup_id=len(name), configuration_id=1, configuration_name="files", state=state,
                     started_at=started_at, acceptable_states=["Completed", "CompletedWithErrors"], max_errors=None,
                     result=None), **extra)


def test_an_ended_backup_is_judged_by_its_entrys_gate():
    accepted = ended_result(entry("db1"), REPORT, now=300.0)
    limited = ended_result(entry("db1", max_errors=1), REPORT, now=300.0)

    assert (accepted["gate_passed"], accepted["healthy"], accepted["error_count"], accepted["elapsed"]) == (
        True, False, 2, 300)
    assert accepted["summary"].startswith("db1 dump (backup 7): CompletedWithErrors, 41 of 2311 files")
    assert limited["gate_passed"] is False and limited["gate_failure"] == "2 errors, more than max_errors (1)"


def test_a_backup_that_ended_without_a_report_fails_its_gate():
    result = ended_result(entry("web1", state="Skipped"), None, now=10.0)

    assert result["state"] == "Skipped" and result["gate_passed"] is False and result["report"] is None


def test_a_timed_out_backup_has_no_verdict():
    result = timed_out_result(entry("web1", state="InProgress"), now=3723.0)

    assert result["summary"] == 'backup 4 of "files" is still InProgress after 1h02m03s'
    assert (result["timed_out"], result["ended"], result["gate_passed"]) == (True, False, None)


@pytest.mark.parametrize("entries, line", [
    ([entry("a"), entry("b", started_at=-250.0, state="Queued")],
     "backups: 0 ended, 2 running; longest: b Queued 4m10s"),
    ([entry("a", result=dict(ended=True, gate_passed=True, healthy=True)),
      entry("b", result=dict(ended=True, gate_passed=True, healthy=False)),
      entry("c", result=dict(ended=True, gate_passed=False, healthy=False)),
      entry("d", result=dict(ended=False, timed_out=True)), entry("e", started_at=-10.0)],
     "backups: 3 ended (1 ok, 1 with accepted errors, 1 failed), 1 out of time, 1 running; longest: e InProgress 10s"),
    ([entry("a", result=dict(ended=True, gate_passed=True, healthy=True))], "backups: 1 ended (1 ok), 0 running"),
])
def test_the_progress_line(entries, line):
    assert progress_line(entries, now=0.0) == line


STARTED = dict(name="web1", outcome="started", backup_id=7, state=None, agent_id=3, machine_name="web1",
               configuration_id=1, configuration_name="files", msg=None)
POLICY = dict(name="web1", timeout=600, on_timeout="fail", skip_if_completed_within=None)


def test_a_host_result_keeps_the_role_fields():
    report = dict(REPORT, state="Completed", num_errors=0, diagnostics="No errors", error_list=[])
    watched = entry("web1", result=ended_result(entry("web1"), report, 60.0))

    result = host_result(STARTED, watched, POLICY, check_mode=False)

    assert set(result) == {"backup_id", "outcome", "state", "summary", "report", "errors", "error_count", "healthy",
                           "gate_passed", "elapsed", "timed_out", "check_mode", "agent_id", "machine_name",
                           "configuration_id", "configuration_name", "failure", "changed"}
    assert result["summary"].startswith("web1: db1 dump (backup 7): Completed")
    assert (result["healthy"], result["gate_passed"], result["failure"]) == (True, True, None)


@pytest.mark.parametrize("on_timeout, failure", [
    ("fail", "it keeps running: raise run_backup_timeout"),
    ("stop", "it was asked to stop (run_backup_on_timeout=stop)"),
    ("continue", None),
])
def test_a_timed_out_host_fails_by_its_policy(on_timeout, failure):
    watched = entry("web1", result=timed_out_result(entry("web1"), 600.0))

    result = host_result(STARTED, watched, dict(POLICY, on_timeout=on_timeout), check_mode=False)

    assert result["summary"].endswith("is still InProgress after 10m00s (run_backup_timeout is 600 s)")
    assert (result["failure"] is None) if failure is None else (failure in result["failure"])


def test_a_backup_whose_end_was_never_seen_is_not_a_success():
    result = host_result(STARTED, entry("web1"), POLICY, check_mode=False)

    assert result["failure"] == 'web1: backup 7 of "files"; its end was never seen'
    assert result["gate_passed"] is None and verdict(result) == "STOP"


def test_a_failed_start_and_a_check_mode_prediction():
    failed = host_result(dict(STARTED, outcome="failed", msg="agent 3 (web1) is disabled"), None, POLICY, False)
    predicted = host_result(dict(STARTED, backup_id=None), None, POLICY, check_mode=True)

    assert failed["failure"] == "web1: agent 3 (web1) is disabled" and verdict(failed) == "STOP"
    assert predicted["summary"] == 'web1: would start a backup of "files" (configuration 1)'
    assert predicted["failure"] is None and verdict(predicted) == "check mode: would start a backup"


def test_the_table_has_a_row_per_host_then_the_failures():
    ok = dict(backup_id=7, outcome="started", state="Completed", healthy=True, error_count=0, check_mode=False,
              report=dict(files_backed_up=6, bytes_backed_up_text="178.1 MB", duration_seconds=40), failure=None)
    bad = dict(ok, state="Failed", healthy=False, failure="db1: gate failed")

    lines = table_lines({"web1": ok, "db1": bad})

    assert lines[0].split() == ["server", "backup", "outcome", "state", "files", "size", "errors", "duration", "verdict"]
    assert lines[1].split() == ["web1", "7", "started", "Completed", "6", "178.1", "MB", "0", "40s", "ok"]
    assert lines[2].split()[-1] == "STOP" and lines[3] == "db1: gate failed"
