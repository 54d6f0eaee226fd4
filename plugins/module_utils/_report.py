# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a backup or restore report: is it healthy, what it says in one line.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: read a normalized report (as ``_api.get_report`` returns it) the same
way wherever the collection does, so the modules and the filters never disagree about
"healthy" or word the summary differently. Whether a job passed is _verdict's.
"""

from __future__ import annotations

from typing import Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._normalize import SIZE_BASE
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal

# monplugin's alert rule (api-notes: Reports): anything else deserves a look. CompletedWithErrors
# reports still say "Success", so the state and the diagnostics must be checked as well.
HEALTHY_STATE = "Completed"
HEALTHY_REASON = "Success"
HEALTHY_DIAGNOSTICS = "No errors"
# The server's base for size text is undocumented; we assume 1024, as rcbu does (api-notes: Sizes and counts).
_SIZE_UNITS = ("KB", "MB", "GB", "TB")


def error_count(report: dict) -> int:
    """NumErrors, or the length of the error list when the API left it out."""
    count = report.get("num_errors")
    return count if count is not None else len(report.get("error_list") or [])


def healthy(report: Optional[dict]) -> bool:
    """Completed, Reason "Success", Diagnostics "No errors" and no errors; False without a report."""
    if not report:
        return False
    return (canonical_state(report.get("state")) == HEALTHY_STATE
            and report.get("reason") == HEALTHY_REASON
            and report.get("diagnostics") == HEALTHY_DIAGNOSTICS
            and error_count(report) == 0)


def summary(report: Optional[dict], backup: Optional[dict] = None, configuration: Optional[dict] = None) -> str:
    """One line for humans about a backup's report, or about why there is none yet.

    ``nightly (backup 368785): CompletedWithErrors, 6 of 11936 files and 178.1 MB of 3.7 GB
    backed up, 2 errors, 4m33s``; without a report, the backup's current state; without a
    backup, the configuration that has none.
    """
    if report:
        return "%s: %s" % (_title(report), _report_line(report))
    if backup:
        return "%s: %s, %s" % (_title(backup), backup.get("current_state"), no_report(backup.get("current_state")))
    name = (configuration or {}).get("backup_configuration_name")
    return "%s: no backup yet" % (name or "backup configuration %s" % (configuration or {}).get("backup_configuration_id"))


def restore_healthy(report: Optional[dict]) -> bool:
    """A restore report that says Completed, Reason "Success" and no errors; False without a report.

    What a restore's Diagnostics says on success is undocumented, so unlike a backup's it
    is not checked.
    """
    if not report:
        return False
    return (canonical_state(report.get("state")) == HEALTHY_STATE and report.get("reason") == HEALTHY_REASON
            and error_count(report) == 0)


def restore_summary(restore: dict, report: Optional[dict], report_skipped: bool = False) -> str:
    """One line for humans about a restore.

    ``restore 500001 of backup 368785 (nightly) to web1:/: Completed, 1200 files and 350 MB
    restored, 0 errors, 12s``; without a report, the restore's state, and why there is
    none (``report_skipped``: not read on purpose).
    """
    configuration = restore.get("backup_configuration_name")  # the feed does not give it
    title = "restore %s of backup %s%s to %s:%s" % (
        restore.get("restore_id"), restore.get("backup_id"), " (%s)" % configuration if configuration else "",
        restore.get("destination_machine_name") or "agent %s" % restore.get("destination_machine_id"),
        restore.get("destination_path"))
    if not report:
        state = restore.get("state")
        return "%s: %s, %s" % (title, state, "report not read" if report_skipped else no_report(state))
    parts = [
        canonical_state(report.get("state")),
        "%s files and %s restored" % (_number(report.get("num_files_restored")), _size_text(report, "num_bytes_restored")),
        counted(error_count(report), "error"),
        human_duration(report.get("duration_seconds")),
    ]
    return "%s: %s" % (title, ", ".join(str(part) for part in parts if part is not None))


def human_size(size: Optional[int]) -> str:
    """3972844748 -> "3.7 GB", 318 -> "318 bytes", as the API writes sizes."""
    if size is None:
        return "? bytes"
    if size < SIZE_BASE:
        return "%d bytes" % size
    value, unit = float(size), "bytes"
    for unit in _SIZE_UNITS:
        value /= SIZE_BASE
        if value < SIZE_BASE:
            break
    text = ("%.1f" % value).rstrip("0").rstrip(".")
    return "%s %s" % (text, unit)


def human_duration(seconds: Optional[int]) -> Optional[str]:
    """273 -> "4m33s", 3723 -> "1h02m03s", 14 -> "14s"; None stays None."""
    if seconds is None:
        return None
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return "%dh%02dm%02ds" % (hours, minutes, seconds)
    if minutes:
        return "%dm%02ds" % (minutes, seconds)
    return "%ds" % seconds


def no_report(state: Optional[str]) -> str:
    """Why a job has no report: a job that ended without one (Skipped, Missed) will never have one."""
    return "no report" if is_terminal(state) else "no report yet"


def _title(record: dict) -> str:
    name = record.get("backup_configuration_name") or "backup configuration %s" % record.get("backup_configuration_id")
    return "%s (backup %s)" % (name, record.get("backup_id"))


def _report_line(report: dict) -> str:
    parts = [
        canonical_state(report.get("state")),
        "%s of %s files and %s of %s backed up" % (
            _number(report.get("files_backed_up")), _number(report.get("files_searched")),
            _size_text(report, "bytes_backed_up"), _size_text(report, "bytes_searched")),
        counted(error_count(report), "error"),
        human_duration(report.get("duration_seconds")),
    ]
    return ", ".join(str(part) for part in parts if part is not None)


def _size_text(report: dict, field: str) -> str:
    # The API's own text ("178.1 MB") reads best; the bytes are the fallback.
    return report.get(field + "_text") or human_size(report.get(field))


def _number(value: Optional[int]) -> str:
    return "?" if value is None else str(value)


def counted(number: int, noun: str) -> str:
    """"1 error", "2 errors"."""
    return "%d %s%s" % (number, noun, "" if number == 1 else "s")
