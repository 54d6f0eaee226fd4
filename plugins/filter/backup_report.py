# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of playbooks/backup_report.yml: which configurations, their rows, the table.

The playbook reads the account with a few module runs; choosing the configurations of the
targeted hosts, judging each latest backup (age, health) and laying out the table is
decided here, once. Each filter is documented in the .yml file of its name.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import agents_meant
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import human_duration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import good_states

TABLE_COLUMNS = "%-10s %-26s %-8s %-20s %8s %10s %6s  %s"
NAME_WIDTH = 26


def backup_report_selection(configurations: List[dict], agents: List[dict], hosts: Optional[List[str]] = None,
                            hostvars: Optional[Any] = None) -> List[dict]:
    """The configurations of the hosts' agents (all of them when ``hosts`` is None), in the list's order.

    A host names its agent as the run_backup role does, through its inventory variables:
    ``run_backup_agent_id``, else ``run_backup_server_id``, else ``run_backup_machine_name``
    or the host's name (compared without case: names are typed by people).
    """
    if hosts is None:
        return list(configurations)
    wanted = {agent["machine_agent_id"] for host in hosts for agent in agents_meant(agents, **_agent_settings(host, hostvars[host]))}
    return [configuration for configuration in configurations if configuration.get("machine_agent_id") in wanted]


def _agent_settings(host: str, host_vars: Any) -> dict:
    """A host's run_backup_* settings that name its agent, as _choose.agents_meant takes them."""
    return dict(agent_id=host_vars.get("run_backup_agent_id") or None, server_id=host_vars.get("run_backup_server_id"),
                machine_name=host_vars.get("run_backup_machine_name") or host)


def backup_report_entries(configurations: List[dict], allow_errors: bool = False) -> List[dict]:
    """cloudbackup_report ``backups``: the latest backup of each configuration, judged by the health rule."""
    states = good_states(bool(allow_errors))
    return [dict(configuration_id=configuration["backup_configuration_id"],
                 configuration_name=configuration.get("backup_configuration_name"),
                 name=configuration.get("machine_name"), acceptable_states=states)
            for configuration in configurations]


def backup_report_rows(entries: List[dict], configurations: List[dict], max_age: int, allow_errors: bool = False,
                       now: Optional[float] = None) -> List[dict]:
    """One row per configuration: its latest backup, its age, its health and its problems."""
    now = time.time() if now is None else now
    by_id = {configuration["backup_configuration_id"]: configuration for configuration in configurations}
    return [_row(entry, by_id.get(entry["configuration_id"]) or {}, int(max_age), bool(allow_errors), now)
            for entry in entries]


def _row(entry: dict, configuration: dict, max_age: int, allow_errors: bool, now: float) -> Dict[str, Any]:
    result = entry.get("result") or {}
    report = result.get("report") or {}
    completed = report.get("completed_time")
    age = _age(completed, now)
    healthy = bool(report) and (bool(result.get("healthy"))
                                or (allow_errors and report.get("state") == "CompletedWithErrors"))
    problems = [] if report else ["no backup report"]
    if age is not None and age > max_age:
        problems.append("older than %d s" % max_age)
    if report and not healthy:
        problems.append("not healthy")
    return dict(
        machine_name=configuration.get("machine_name"), agent_id=configuration.get("machine_agent_id"),
        configuration_id=entry["configuration_id"], configuration_name=entry.get("configuration_name"),
        backup_id=entry.get("backup_id"), state=report.get("state"), completed_time=completed, age_seconds=age,
        files_backed_up=report.get("files_backed_up"), bytes_backed_up=report.get("bytes_backed_up"),
        bytes_backed_up_text=report.get("bytes_backed_up_text"), error_count=report.get("num_errors"),
        healthy=healthy, summary=result.get("summary"), problems=problems,
    )


def _age(completed: Optional[str], now: float) -> Optional[int]:
    """Seconds since an ISO 8601 UTC time (as the modules return them); None without one."""
    if not completed:
        return None
    moment = datetime.datetime.strptime(completed, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(now - moment.timestamp())


def backup_report_table(rows: List[dict]) -> List[str]:
    """The table: one line per row, then how many have a problem."""
    lines = [TABLE_COLUMNS % ("server", "configuration", "backup", "state", "age", "size", "errors", "health")]
    for row in rows:
        lines.append(TABLE_COLUMNS % (
            row.get("machine_name") or "-", _truncated(row.get("configuration_name") or ""),
            row.get("backup_id") or "-", row.get("state") or "-", age_text(row.get("age_seconds")),
            row.get("bytes_backed_up_text") or "-", "-" if row.get("error_count") is None else row["error_count"],
            "PROBLEM: " + ", ".join(row["problems"]) if row["problems"] else "ok"))
    lines.append("%d configuration(s), %d with a problem" % (len(rows), len(backup_report_problems(rows))))
    return lines


def backup_report_problems(rows: List[dict]) -> List[str]:
    """``<configuration>: <problems>`` for each row that has one."""
    return ["%s: %s" % (row.get("configuration_name"), ", ".join(row["problems"])) for row in rows if row["problems"]]


def age_text(seconds: Optional[int]) -> str:
    """90000 -> "1d01h", 3900 -> "1h05m", 303 -> "5m03s"; None -> "-"."""
    if seconds is None:
        return "-"
    if seconds >= 86400:
        return "%dd%02dh" % (seconds // 86400, seconds % 86400 // 3600)
    if seconds >= 3600:
        return (human_duration(seconds) or "")[:-3]
    return "%dm%02ds" % (seconds // 60, seconds % 60)


def _truncated(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[:NAME_WIDTH - 1] + "\u2026"


class FilterModule:
    """The backup_report.yml playbook's filters."""

    def filters(self) -> Dict[str, Any]:
        return {
            "backup_report_selection": backup_report_selection,
            "backup_report_entries": backup_report_entries,
            "backup_report_rows": backup_report_rows,
            "backup_report_table": backup_report_table,
            "backup_report_problems": backup_report_problems,
        }
