# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the backups of a fleet read: each one's verdict, the progress line, the final table.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the words and numbers a person sees about a fleet's backups, written
once. The report module uses it while it waits; the ``run_backup`` role and the playbooks
use it through the collection's filters, so Jinja holds no logic of its own.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import error_count, healthy, human_duration, summary
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import (
    DEFAULT_ACCEPTABLE_STATES,
    acceptable_states,
    gate_failure,
    server_failure,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import last_read_failure

# A report can list thousands of errors: a summary shows the first few, the report has them all.
ERRORS_SHOWN = 10
TABLE_COLUMNS = "%-12s %-9s %-9s %-20s %7s %10s %6s %8s  %s"
PREDICTIONS = {"started": "start a backup", "attached": "attach", "fresh": "start nothing (fresh)"}


# --- what a wait follows ------------------------------------------------------------------

def watch_entry(started: dict, acceptable: List[str], max_errors: Optional[int] = None,
                deadline: Optional[float] = None) -> Dict[str, Any]:
    """A backup that a batch start started, joined or found fresh, as the wait follows it.

    The element of cloudbackup_report's ``backups`` option: ``acceptable`` states and
    ``max_errors`` are its gate, ``deadline`` (seconds since the epoch) when it is out of
    time (None: the wait's own time).
    """
    return dict(
        name=started["name"], backup_id=started["backup_id"], configuration_id=started["configuration_id"],
        configuration_name=started["configuration_name"], acceptable_states=acceptable, max_errors=max_errors,
        started_at=started["requested_at"], deadline=deadline, state=started.get("state"), result=None,
        region=started.get("region"), endpoint=started.get("endpoint"),
    )


# --- one backup's verdict (the report module's batch entries) ---------------------------

def ended_result(entry: dict, report: Optional[dict], now: float) -> Dict[str, Any]:
    """The verdict on an entry whose backup has ended, judged by the entry's own gate."""
    state = canonical_state(report.get("state")) if report else entry.get("state")
    accepted = acceptable_states(entry.get("acceptable_states") or DEFAULT_ACCEPTABLE_STATES)
    why = gate_failure(report, state, accepted, entry.get("max_errors"))
    return dict(
        ended=True, timed_out=False, state=state, report=report,
        errors=list((report or {}).get("error_list") or []), error_count=error_count(report) if report else 0,
        healthy=healthy(report), gate_passed=why is None, gate_failure=why,
        summary=summary(report, _as_backup(entry, state)), elapsed=_elapsed(entry, now),
    )


def timed_out_result(entry: dict, now: float) -> Dict[str, Any]:
    """The result of an entry whose backup is still running at its deadline: no verdict yet."""
    elapsed = _elapsed(entry, now)
    line = "%s is still %s after %s" % (backup_label(entry), entry.get("state") or "running", human_duration(elapsed))
    line += last_read_failure(entry)
    return dict(ended=False, timed_out=True, state=entry.get("state"), report=None, errors=[], error_count=0,
                healthy=False, gate_passed=None, gate_failure=None, summary=line, elapsed=elapsed)


def unreadable_result(entry: dict, why: str, now: float) -> Dict[str, Any]:
    """The result of an entry whose backup can no longer be read (gone, forbidden): it fails alone, saying why."""
    return dict(ended=True, timed_out=False, state=entry.get("state"), report=None, errors=[], error_count=0,
                healthy=False, gate_passed=False, gate_failure=why, error=why,
                summary="%s could not be read" % backup_label(entry), elapsed=_elapsed(entry, now))


def no_backup_result(entry: dict) -> Dict[str, Any]:
    """The result of an entry whose configuration has no backup at all: it fails any gate."""
    name = entry.get("configuration_name") or "backup configuration %s" % entry.get("configuration_id")
    return dict(ended=True, timed_out=False, state=None, report=None, errors=[], error_count=0, healthy=False,
                gate_passed=False, gate_failure="no backup to check", summary="%s: no backup yet" % name, elapsed=0)


def backup_label(entry: dict) -> str:
    """``backup 368785 of "nightly"``: how messages name one backup."""
    name = entry.get("configuration_name")
    return "backup %s" % entry.get("backup_id") + (' of "%s"' % name if name else "")


def _as_backup(entry: dict, state: Optional[str]) -> dict:
    return dict(backup_id=entry.get("backup_id"), backup_configuration_id=entry.get("configuration_id"),
                backup_configuration_name=entry.get("configuration_name"), current_state=state)


def _elapsed(entry: dict, now: float) -> int:
    started = entry.get("started_at")
    return 0 if started is None else max(int(now - started), 0)


# --- the fleet's progress line ------------------------------------------------------------

# What a restore wait element that is no longer running carries into the next chunk of a wait
# in chunks (cloudbackup_restore's restores[].result, the restore_carry filter): what the
# progress line counts. Its report crosses from one module run to the next once.
CARRIED_KEYS = ("ended", "timed_out", "failed", "healthy")


def progress_line(entries: List[dict], now: float, noun: str = "backups") -> str:
    """``backups: 180 ended (178 ok, 2 with accepted errors), 20 running; longest: srv042 InProgress 4m10s``.

    ``noun`` names the jobs: a batch of restores counts its entries the same way.
    """
    results = [entry["result"] for entry in entries if entry.get("result")]
    ended = [result for result in results if result["ended"]]
    kinds = [
        (sum(1 for result in ended if result["gate_passed"] and result["healthy"]), "ok"),
        (sum(1 for result in ended if result["gate_passed"] and not result["healthy"]), "with accepted errors"),
        (sum(1 for result in ended if not result["gate_passed"]), "failed"),
    ]
    kinds_seen = ", ".join("%d %s" % kind for kind in kinds if kind[0])
    parts = ["%d ended" % len(ended) + (" (%s)" % kinds_seen if kinds_seen else "")]
    timed_out = len(results) - len(ended)
    if timed_out:
        parts.append("%d out of time" % timed_out)
    running = [entry for entry in entries if not entry.get("result")]
    parts.append("%d running" % len(running))
    line = "%s: %s" % (noun, ", ".join(parts))
    if running:
        longest = min(running, key=lambda entry: entry.get("started_at") or now)
        line += "; longest: %s %s %s" % (longest.get("name") or backup_label(longest), longest.get("state") or "unknown",
                                         human_duration(_elapsed(longest, now)))
    return line


# --- the role's per-host result and table ---------------------------------------------------

def host_result(started: dict, watched: Optional[dict], policy: dict, check_mode: bool) -> Dict[str, Any]:
    """A host's ``run_backup_result``: what its start did, its backup's verdict, and ``failure``.

    ``started`` is the host's entry of the batch start, ``watched`` its entry of the last
    wait (None when nothing was waited for), ``policy`` its gate and timeout settings.
    """
    result = dict(
        backup_id=started.get("backup_id"), outcome=started.get("outcome"), state=started.get("state"),
        summary="", report=None, errors=[], error_count=0, healthy=False, gate_passed=None, elapsed=0,
        timed_out=False, check_mode=check_mode, agent_id=started.get("agent_id"),
        machine_name=started.get("machine_name"), configuration_id=started.get("configuration_id"),
        configuration_name=started.get("configuration_name"), failure=None,
        # This host's backup was started by the play (or would be, in check mode).
        changed=bool(started.get("changed")),
    )
    name = started["name"]
    if started.get("outcome") == "failed":
        result.update(summary="%s: %s" % (name, started.get("msg")), failure="%s: %s" % (name, started.get("msg")))
    elif check_mode:
        result.update(summary="%s: %s" % (name, _prediction(started, policy)))
    else:
        verdict = (watched or {}).get("result") or {}
        result.update({key: verdict[key] for key in ("state", "report", "errors", "error_count", "healthy",
                                                     "gate_passed", "elapsed", "timed_out") if key in verdict})
        result["summary"] = "%s: %s" % (name, verdict.get("summary") or backup_label(_entry_of(started)))
        if result["timed_out"]:
            result["summary"] += " (run_backup_timeout is %s s)" % policy.get("timeout")
        result["failure"] = _failure(result, verdict, policy)
    return result


def _prediction(started: dict, policy: dict) -> str:
    label = backup_label(_entry_of(started))
    if started["outcome"] == "attached":
        return "would attach to %s, now %s" % (label, started.get("state") or "in flight")
    if started["outcome"] == "fresh":
        return "would start nothing: %s completed less than %s s ago" % (label, policy.get("skip_if_completed_within"))
    return 'would start a backup of "%s" (configuration %s)' % (started.get("configuration_name"),
                                                                started.get("configuration_id"))


def _failure(result: dict, verdict: dict, policy: dict) -> Optional[str]:
    gate_failed = None if verdict.get("gate_passed") else "%s; gate failed: %s" % (result["summary"],
                                                                                   verdict.get("gate_failure"))
    return server_failure(result["summary"], bool(verdict), result["timed_out"], policy.get("on_timeout"), gate_failed,
                          "run_backup")


def _entry_of(started: dict) -> dict:
    return dict(backup_id=started.get("backup_id"), configuration_name=started.get("configuration_name"))


def summary_lines(result: dict) -> List[str]:
    """A host's summary line, then the first errors of its report."""
    errors = result.get("errors") or []
    lines = [result.get("summary") or ""]
    lines += ["  error: %s: %s" % (error.get("path") or "?", error.get("exception_desc") or error.get("error_desc") or "")
              for error in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append("  ... and %d more errors in the report" % (len(errors) - ERRORS_SHOWN))
    return lines


def table_lines(results: Dict[str, dict]) -> List[str]:
    """One row per host (backup, outcome, state, files, size, errors, duration, verdict), then each failure."""
    lines = [TABLE_COLUMNS % ("server", "backup", "outcome", "state", "files", "size", "errors", "duration", "verdict")]
    for host, result in results.items():
        report = result.get("report") or {}
        lines.append(TABLE_COLUMNS % (
            host, cell(result.get("backup_id")), cell(result.get("outcome")), cell(result.get("state")),
            cell(report.get("files_backed_up")), cell(report.get("bytes_backed_up_text")),
            "-" if result.get("check_mode") or not report else result.get("error_count"),
            cell(human_duration(report.get("duration_seconds"))), verdict(result)))
    lines += [result["failure"] for result in results.values() if result.get("failure")]
    return lines


def verdict(result: dict) -> str:
    """One word or three for a host: STOP, ok, ok with accepted errors, a check-mode prediction."""
    if result.get("failure"):
        return "STOP"
    if result.get("check_mode"):
        return "check mode: would %s" % PREDICTIONS.get(result.get("outcome"), "act")
    if result.get("timed_out"):
        return "out of time, not proven good"
    if result.get("healthy"):
        return "ok"
    return "ok, %d error(s) accepted" % result.get("error_count", 0)


def cell(value: Any) -> str:
    """A table's cell: the value, or "-" when there is none."""
    return "-" if value is None or value == "" else str(value)
