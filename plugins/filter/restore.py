# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of playbooks/restore.yml: which backup each server gets, what became of it, the table.

The playbook's YAML only runs the modules and moves their results; the decisions (which
source of a backup id wins, when a server failed, how the table reads) are made here, once,
and unit-tested. Each filter is documented in the .yml file of its name.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import configurations_meant, not_one_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import human_duration

# Where a server's backup id came from, besides the record file (named by its path).
GIVEN = "restore_backup_id"
RECORDED = "pre_upgrade_backups"
NEWEST = "newest"
NOT_RECORDED = "not recorded"
NOTHING_TO_RESTORE = ("nothing to restore: no restore_backup_id, no recorded backup, and no single configuration "
                      "found for its agent")
TABLE_COLUMNS = "%-10s %-8s %-8s %-20s %7s %6s %8s  %s"
# The keys pre_upgrade_backup.yml records under: RECORDED, and RECORDED_<id of its hosts>. AWX
# merges the artifacts of a sliced job's slices with dict.update, so each slice's own key
# survives where RECORDED holds only the last slice's servers.
RECORD_KEY = re.compile(r"^%s(_[0-9a-f]+)?$" % RECORDED)
# When a record was written (ISO 8601 UTC): of two records that name one server, the newer wins.
RECORDED_AT = "%s_recorded_at" % RECORDED
RECORD_KEY_DIGITS = 12


def restore_choice(host: str, given: Any, recorded: Optional[Dict[str, Any]], record_file: str,
                   from_file: Optional[Dict[str, Any]], unrecorded: str = "skip") -> dict:
    """The backup to restore on ``host`` and where its id came from: ``{backup_id, source}``.

    The first of: the host's own ``given`` id; the ``recorded`` mapping (pre_upgrade_backups,
    an extra variable); ``from_file``, the mapping read from ``record_file``. Without an id,
    the server's newest restorable backup (backup_id None, source "newest") - unless a record
    was given and the server is not in it: its backup did not pass, so it was not upgraded,
    and it is left alone (source "not recorded") unless ``unrecorded`` is "newest".
    """
    for backup_id, source in ((given, GIVEN), ((recorded or {}).get(host), RECORDED),
                              ((from_file or {}).get(host), record_file)):
        if backup_id not in (None, ""):
            return {"backup_id": backup_id, "source": source}  # the module checks that it is an id
    a_record_was_given = recorded is not None or bool(record_file)
    return {"backup_id": None, "source": NOT_RECORDED if a_record_was_given and unrecorded != NEWEST else NEWEST}


def restore_record_key(hosts: Iterable[str]) -> str:
    """The key one run of pre_upgrade_backup.yml records its backups under, beside ``pre_upgrade_backups``.

    The same hosts always give the same key, so a run again of one slice replaces its own
    record, and slices (which share no host) never replace each other's.
    """
    digest = hashlib.sha1(",".join(sorted(hosts)).encode("utf-8")).hexdigest()
    return "%s_%s" % (RECORDED, digest[:RECORD_KEY_DIGITS])


def restore_recorded(sources: Iterable[Optional[Dict[str, Any]]]) -> Optional[Dict[str, Any]]:
    """Every server's recorded backup id, merged from the record keys of ``sources``; None when none has one.

    A source is a mapping of variables (the play's extra variables) or a record file's
    content. Keys other than the record keys are ignored. A server recorded twice keeps the
    id of the newer record (RECORDED_AT; a folder may hold the files of several runs), and
    within one record the id of its slice's own key over the plain ``pre_upgrade_backups``
    (the last slice's).
    """
    merged: Optional[Dict[str, Any]] = None
    for source in sorted(sources, key=lambda source: str((source or {}).get(RECORDED_AT) or "")):
        for key in sorted(source or {}, key=len):  # the plain key first, each slice's own over it
            if RECORD_KEY.match(key) and isinstance(source[key], dict):
                merged = dict(merged or {}, **source[key])
    return merged


def restore_configuration(configurations: List[dict], configuration_id: Any = None,
                          configuration_name: Optional[str] = None) -> Any:
    """The configuration whose newest backup a server without a recorded one gets, or None.

    ``configurations`` are the server's agent's; the run_backup_* variables pick one as the
    role does (_choose.configurations_meant): its id, else its name, else the agent's only
    configuration. A name that two of them share picks neither: that fails the server.
    """
    if configuration_id not in (None, ""):
        return configuration_id
    matches = configurations_meant(configurations, name=configuration_name or None)
    if len(matches) == 1:
        return matches[0]["backup_configuration_id"]
    if configuration_name and matches:
        # Ansible fails the task that uses the filter with this message (its host only).
        raise ValueError(not_one_configuration(configuration_name, matches, configurations,
                                               str(matches[0].get("machine_agent_id"))))
    return None


def restore_result(start: dict, chunks: List[dict], choice: dict, check_mode: bool, on_timeout: str,
                   timeout: float) -> dict:
    """A server's restore_result: what its restore (``start``, then the wait ``chunks``) came to.

    ``start`` and ``chunks`` are the registered results of the start task and of the wait
    loop's items; the last chunk that ran has the last word. ``failure`` says why the server
    fails, or is None; ``verdict`` is the table's last column.
    """
    last = ([chunk for chunk in chunks if not chunk.get("skipped")] or [start])[-1]
    failure = _failure(start, last, choice, check_mode, on_timeout, timeout)
    return {
        "backup_id": last.get("backup_id") or choice.get("backup_id"),
        "backup_source": choice.get("source"),
        "restore_id": last.get("restore_id"),
        "outcome": start.get("outcome"),
        "state": last.get("state"),
        "summary": last.get("summary"),
        "report": last.get("report"),
        "gate_passed": last.get("gate_passed"),
        "timed_out": bool(last.get("timed_out")),
        "check_mode": check_mode,
        "failure": failure,
        "verdict": _verdict(failure, choice, check_mode, bool(last.get("timed_out"))),
    }


def restore_table(hosts: List[dict]) -> List[str]:
    """One row per server that has a restore_result (``hosts`` are hostvars entries), then each failure."""
    lines = [TABLE_COLUMNS % ("server", "backup", "restore", "state", "files", "errors", "duration", "verdict")]
    judged = [(host["inventory_hostname"], host["restore_result"]) for host in hosts if host.get("restore_result")]
    for name, result in judged:
        report = result.get("report") or {}
        lines.append(TABLE_COLUMNS % (
            name, _cell(result.get("backup_id")), _cell(result.get("restore_id")), _cell(result.get("state")),
            _cell(report.get("num_files_restored")), _cell(report.get("num_errors")),
            _cell(human_duration(report.get("duration_seconds"))), result.get("verdict")))
    lines += ["%s: %s" % (name, result["failure"]) for name, result in judged if result.get("failure")]
    return lines


def _failure(start: dict, last: dict, choice: dict, check_mode: bool, on_timeout: str, timeout: float) -> Optional[str]:
    if choice.get("source") == NOT_RECORDED:
        return None
    if start.get("skipped"):
        return NOTHING_TO_RESTORE
    if start.get("failed"):
        return start.get("msg") or "the restore did not start"
    if check_mode:
        return None
    ended = "restore %s ended %s" % (last.get("restore_id"), last.get("state"))
    if last.get("failed"):
        return last.get("msg") or ended
    if last.get("timed_out"):
        if on_timeout == "continue":
            return None
        return "restore %s is still %s after %s seconds" % (last.get("restore_id"), last.get("state"), timeout)
    return None if last.get("gate_passed") else ended


def _verdict(failure: Optional[str], choice: dict, check_mode: bool, timed_out: bool) -> str:
    if failure:
        return "FAILED"
    if choice.get("source") == NOT_RECORDED:
        return "skipped: not in the record"
    if check_mode:
        return "check mode: would restore"
    return "still running" if timed_out else "ok"


def _cell(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


class FilterModule:
    """The restore playbook's filters."""

    def filters(self) -> Dict[str, Any]:
        return {
            "restore_choice": restore_choice,
            "restore_configuration": restore_configuration,
            "restore_record_key": restore_record_key,
            "restore_recorded": restore_recorded,
            "restore_result": restore_result,
            "restore_table": restore_table,
        }
