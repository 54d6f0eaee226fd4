# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the run_backup role: the fleet's data, shaped in Python.

The role's YAML only moves data between its batch module runs and the hosts. Which hosts
can be started, what each one waits for, what its ``run_backup_result`` holds, what fails
it and how the final table reads is decided here, once, on top of
module_utils/_fleet_results.py. Each filter is documented in the .yml file of its name.

A "host target" is what the role's first task records per host, read by run_backup_hosts:
the host's name and its run_backup_* settings (agent, configuration, gate and timeout).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import (
    host_result,
    summary_lines,
    table_lines,
    watch_entry,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    ACCOUNT_KEYS,
    RESULT_KEYS,
    ROLE_TARGET_RULES,
    account_problems,
    problems,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import good_states

# The run_backup_* variables whose values a host's own task records (the role's
# run_backup__described_vars), named here by their key in the host target.
RENAMED_SETTINGS = {"allow_errors": "allow_completed_with_errors"}
# The keys of a host target that cloudbackup_action's targets option takes.
START_KEYS = ("name", "agent_id", "server_id", "machine_name", "configuration_id", "configuration_name",
              "skip_if_completed_within", "allow_completed_with_errors", "region")


def run_backup_hosts(described: List[list], variables: List[str]) -> List[dict]:
    """The host targets: each host's name and the values of ``variables``, as its own task recorded them.

    A host's task only looks its variables up (one lookup is the cheapest per-host task);
    what they mean is decided here, once for the play: which of agent, server and machine
    name picks the agent, and which connection settings name the account.
    """
    targets = []
    for name, *values in described:
        settings = {RENAMED_SETTINGS.get(variable[len("run_backup_"):], variable[len("run_backup_"):]): value
                    for variable, value in zip(variables, values)}
        connection = {key: settings.pop(key) for key in ACCOUNT_KEYS}  # a host's region is its own
        agent_id, server_id = settings["agent_id"], settings["server_id"]
        targets.append(dict(
            settings, name=name, server_id=None if agent_id else server_id,
            machine_name=None if agent_id or server_id else settings["machine_name"],
            allow_completed_with_errors=boolean(settings["allow_completed_with_errors"], strict=False),
            connection={key: value for key, value in connection.items() if value not in (None, "")}))
    return targets


def target_problems(target: dict) -> List[str]:
    """Every run_backup_* setting of a host that cannot work, one message each naming it (none: []).

    The types are checked by meta/argument_specs.yml; the values here, by the rules the
    modules use (module_utils/_options.py), so that a host that passes is never refused by
    the batch start for all hosts at once.
    """
    return problems(target, ROLE_TARGET_RULES, "run_backup_%s")


def target_problem(target: dict, batch_host: Optional[dict] = None) -> Optional[str]:
    """Why a host's run_backup_* settings cannot work (every problem, "; "-separated), or None.

    ``batch_host`` is the target of the host whose connection settings the batch uses
    (the first of the play): a host that names another account or region is not part of it.
    """
    found = target_problems(target)
    if batch_host is not None:
        found += account_problems(target.get("connection") or {}, batch_host.get("connection") or {},
                                  batch_host["name"], "back up")
    return "; ".join(found) or None


def run_backup_carry(entries: List[dict]) -> List[dict]:
    """What the next chunk of the wait gets: the running entries whole, the ended ones in short.

    An ended entry keeps only what the progress line counts, so a report crosses from one
    module run to the next once, not at every chunk.
    """
    return [entry if not entry.get("result") else dict(
        name=entry["name"], backup_id=entry["backup_id"], state=entry.get("state"), region=entry.get("region"),
        endpoint=entry.get("endpoint"), result={key: entry["result"].get(key) for key in RESULT_KEYS})
        for entry in entries]


def run_backup_targets(targets: List[dict], endpoints: Optional[Dict[str, str]] = None) -> List[dict]:
    """The ``targets`` of the batch start: the hosts whose settings are sound, with the keys it takes.

    ``endpoints`` are the Cloud Backup endpoints of the play's login, by region: a host of
    another region gets its region's, so the batch reaches it with the play's token.
    """
    return [dict({key: target.get(key) for key in START_KEYS},
                 endpoint=(endpoints or {}).get(str(target.get("region") or "").upper()) if target.get("region") else None)
            for target in targets if target_problem(target, targets[0]) is None]


def run_backup_watch_list(started: List[dict], targets: List[dict]) -> List[dict]:
    """The ``backups`` of the first wait: one entry per backup started, joined or found fresh."""
    by_name = {target["name"]: target for target in targets}
    return [watch_entry(backup, acceptable_states(by_name[backup["name"]]), by_name[backup["name"]].get("max_errors"),
                        backup["requested_at"] + int(by_name[backup["name"]]["timeout"]))
            for backup in started if backup["outcome"] != "failed" and backup["backup_id"] is not None]


def last_watched(waits: Optional[dict]) -> List[dict]:
    """Each backup's entry as the role's wait loop (its registered result) last returned it.

    A chunk gets the backups that ended before it only in short (see run_backup_carry), so
    an entry's verdict is taken from the chunk where it ended (or ran out of time).
    """
    latest: Dict[str, dict] = {}
    for chunk in (waits or {}).get("results") or []:
        for entry in chunk.get("backups") or []:
            if not (latest.get(entry["name"]) or {}).get("result"):
                latest[entry["name"]] = entry
    return list(latest.values())


def run_backup_to_stop(waits: Optional[dict], targets: List[dict]) -> List[dict]:
    """The waited-for entries out of time whose host says run_backup_on_timeout=stop."""
    stop = {target["name"] for target in targets if target.get("on_timeout") == "stop"}
    return [entry for entry in last_watched(waits)
            if (entry.get("result") or {}).get("timed_out") and entry["name"] in stop]


def run_backup_results(started: List[dict], waits: Optional[dict], targets: List[dict],
                       check_mode: bool = False) -> Dict[str, dict]:
    """Every host's ``run_backup_result``, keyed by host name; ``failure`` says why a host fails."""
    started_by_name = {backup["name"]: backup for backup in started or []}
    watched_by_name = {entry["name"]: entry for entry in last_watched(waits)}
    results = {}
    for target in targets:
        name = target["name"]
        problem = target_problem(target, targets[0])
        backup = started_by_name.get(name) or dict(name=name, outcome="failed", msg="run_backup: %s" % problem)
        results[name] = host_result(backup, watched_by_name.get(name), target, bool(check_mode))
    return results


def run_backup_table(results: Dict[str, dict]) -> List[str]:
    """The final table, then each failure, then the first errors of each report that has some."""
    lines = table_lines(results)
    for result in results.values():
        if result.get("errors"):
            lines += summary_lines(result)
    return lines


def acceptable_states(target: dict) -> List[str]:
    return good_states(bool(target.get("allow_completed_with_errors")))


class FilterModule:
    """The run_backup role's filters."""

    def filters(self) -> Dict[str, Any]:
        return {
            "run_backup_carry": run_backup_carry,
            "run_backup_hosts": run_backup_hosts,
            "run_backup_targets": run_backup_targets,
            "run_backup_watch_list": run_backup_watch_list,
            "run_backup_to_stop": run_backup_to_stop,
            "run_backup_results": run_backup_results,
            "run_backup_table": run_backup_table,
        }
