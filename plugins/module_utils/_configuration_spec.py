# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A backup configuration as the user declares it, and as the API holds it.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the declared settings (cloudbackup_configuration's options) beside a held
configuration (as _api returns it): the held one in the same words (``declared``), what a
declaration changes (``changes``, comparing what the API holds: its UTC start time, its
order of paths), and the full body of a create or an update (``request_body``: a PUT
replaces everything, so what the task does not mention is sent as held). No request.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._schedules import (
    api_fields,
    declared_schedule,
    normal_schedule,
    same_schedule,
    schedule_problems,
    sent_fields,
)

RETENTIONS = [0, 30, 60]  # days; 0 keeps every version (api-notes: Backup configurations)
MISSED_BACKUP = {"run_as_soon_as_possible": 1, "wait_for_next_schedule": 2}  # MissedBackupActionId
# The path settings: (option, the API's list, FileItemType).
PATHS = (("include", "inclusions", "Folder"), ("include_files", "inclusions", "File"),
         ("exclude", "exclusions", "Folder"), ("exclude_files", "exclusions", "File"))
PATH_OPTIONS = tuple(option for option, key, kind in PATHS)
# Held fields no option sets (normalized name, the API's): an update sends them back as held.
UNMODELLED = (("backup_prescript", "BackupPrescript"), ("backup_postscript", "BackupPostscript"))
# The settings a declaration may give; one it leaves out (None) stays as held.
SETTINGS = ("enabled", "schedule", "retention_days", "missed_backup", "notify_recipients", "notify_on_success",
            "notify_on_failure") + PATH_OPTIONS
# An agent's configurations, paths and all, must stay under 1 MB of JSON (api-notes: Backup configurations).
AGENT_JSON_LIMIT = 1000000


def spec_problems(spec: Dict[str, Any], label: str = "%s") -> List[str]:
    """What is wrong with a declaration beyond its argument spec, worded with ``label`` % option."""
    problems = []
    if spec.get("configuration_id") is None and (spec.get("name") is None or spec.get("agent_id") is None):
        names = (label % "name", label % "agent_id", label % "configuration_id")
        problems.append("%s and %s, or %s, must be given" % names)
    if spec.get("name") is not None and not spec["name"].strip():
        problems.append("%s must not be empty" % label % "name")
    for option in ("agent_id", "configuration_id"):
        if spec.get(option) is not None and spec[option] < 1:
            problems.append("%s must be at least 1, got %s" % (label % option, spec[option]))
    if spec.get("state") == "absent":
        given = [option for option in SETTINGS if spec.get(option) is not None]
        if given:
            problems.append("state=absent takes no settings, got %s" % ", ".join(label % option for option in given))
    if spec.get("schedule") is not None:
        problems += schedule_problems(spec["schedule"], label % "schedule")
    if spec.get("notify_recipients") is not None and not spec["notify_recipients"].strip():
        problems.append("%s must not be blank (leave it out to keep the held one)" % label % "notify_recipients")
    for option, key, kind in PATHS:
        if any(not isinstance(path, str) or not path.strip() for path in spec.get(option) or ()):
            problems.append("%s must hold only non-empty paths" % label % option)
    return problems


def declared(record: dict, now: float) -> Dict[str, Any]:
    """A configuration the API holds, in the words of cloudbackup_configuration's options (its time as at ``now``).

    Without the settings it has no value for: given back to the module as they are, they are valid options.
    """
    missed = record.get("missed_backup_action_id")
    settings = dict(
        name=record.get("backup_configuration_name"), agent_id=record.get("machine_agent_id"),
        configuration_id=record.get("backup_configuration_id"), enabled=record.get("is_active"),
        schedule=declared_schedule(record, now), retention_days=record.get("version_retention"),
        missed_backup=next((word for word, number in MISSED_BACKUP.items() if number == missed), None),
        notify_recipients=record.get("notify_recipients") or None, notify_on_success=record.get("notify_success"),
        notify_on_failure=record.get("notify_failure"))
    for option, key, kind in PATHS:
        settings[option] = sorted(item.get("file_path") for item in record.get(key) or ()
                                  if item.get("file_item_type") == kind)
    return {option: value for option, value in settings.items() if value is not None}


def wanted(spec: Dict[str, Any], held: Optional[dict], now: float) -> Dict[str, Any]:
    """What the configuration is to be, in declared words: the held one with the settings the spec gives."""
    result = declared(held, now) if held else dict(enabled=True, **{option: [] for option in PATH_OPTIONS})
    result.update(name=spec.get("name") or result.get("name"), agent_id=spec.get("agent_id") or result.get("agent_id"))
    for option in SETTINGS:
        value = spec.get(option)
        if value is None:
            continue
        if option in PATH_OPTIONS:  # the paths given are all of them, or with purge_paths=false added
            value = sorted(set(value) | (set() if spec.get("purge_paths", True) else set(result[option])))
        elif option == "schedule":
            value = normal_schedule(value, (result.get("schedule") or {}).get("time_zone"))
        result[option] = value
    return result


def changes(spec: Dict[str, Any], held: dict, now: float) -> List[str]:
    """The settings whose declared value the held configuration does not have (a rename counts as ``name``)."""
    want, have = wanted(spec, held, now), declared(held, now)
    changed = [option for option in ("name",) + SETTINGS
               if option != "schedule" and want.get(option) != have.get(option)]
    if spec.get("schedule") is not None and not same_schedule(spec["schedule"], held, now):
        changed.append("schedule")
    return changed


def request_body(want: Dict[str, Any], held: Optional[dict], schedule: Optional[Dict[str, Any]],
                 now: float) -> Dict[str, Any]:
    """The full body of a create (``held`` None) or an update of the configuration ``want`` describes.

    ``schedule`` is the declared one, else the held one is sent back (_schedules.sent_fields);
    a setting neither declared nor held goes as null, for the API's default. What no option
    sets goes back as held: the scripts, a missed-backup action or paths of a kind the
    options do not name.
    """
    if schedule is not None:
        fields = api_fields(schedule)
        if fields["TimeZoneId"] is None and held is not None:  # a manual or hourly one that names no zone
            fields["TimeZoneId"] = held.get("time_zone_id")
    elif held is not None:
        fields = sent_fields(held, now)
    else:
        fields = api_fields({"frequency": "manual"})
    held = held or {}
    body = dict(fields, BackupConfigurationName=want["name"], MachineAgentId=want["agent_id"],
                IsActive=bool(want["enabled"]), VersionRetention=want.get("retention_days"),
                MissedBackupActionId=MISSED_BACKUP.get(want.get("missed_backup"), held.get("missed_backup_action_id")),
                NotifyRecipients=want.get("notify_recipients"), NotifySuccess=want.get("notify_on_success"),
                NotifyFailure=want.get("notify_on_failure"),
                **{field: held[key] for key, field in UNMODELLED if key in held})
    kinds = {kind for option, key, kind in PATHS}
    for key in ("inclusions", "exclusions"):
        body[key.capitalize()] = [{"FilePath": item.get("file_path"), "FileItemType": item.get("file_item_type")}
                                  for item in held.get(key) or () if item.get("file_item_type") not in kinds]
    for option, key, kind in PATHS:
        body[key.capitalize()] += [{"FilePath": path, "FileItemType": kind} for path in want[option]]
    return body


def check_size(body: Dict[str, Any], others: List[dict]) -> None:
    """Fail before a write that would take the agent's configurations past the API's 1 MB.

    ``others`` are the agent's other configurations (held records, or bodies about to be
    sent); their JSON is close enough to what the API counts for a limit a thousand times
    any usual configuration.
    """
    size = len(json.dumps(body)) + sum(len(json.dumps(other)) for other in others)
    if size > AGENT_JSON_LIMIT:
        raise CloudBackupError("the configurations of agent %s would take %d bytes of JSON with this one: the API "
                               "takes at most 1 MB per agent (fewer or shorter paths)" % (body["MachineAgentId"], size),
                               agent_id=body["MachineAgentId"])
