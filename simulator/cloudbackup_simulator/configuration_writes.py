"""Backup configuration create / update / enable / delete (api-notes: Backup configurations).

Request bodies use the API's field names; invalid values answer 400 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ApiError
from .model import Configuration, World
from .schedule import Schedule

_ABSENT = object()

# The Windows time zones whose start times the simulator keeps in UTC (setting
# start_time_echo; api-notes: Backup configurations), converted by the offset in effect when
# written: a request for 7:30 PM "Eastern Standard Time" in summer is held as 11:30 PM.
ZONES = {
    "UTC": "Etc/UTC", "GMT Standard Time": "Europe/London", "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago", "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles", "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris", "India Standard Time": "Asia/Kolkata",
    "AUS Eastern Standard Time": "Australia/Sydney",
}


def parse_body(body: Any, world: World, tenant_id: str, now: float, region: Optional[str] = None) -> Dict[str, Any]:
    """Configuration attributes from a create/update body (every field, as chef sends).
    At a regional endpoint (``region``) an agent of another region is unknown, like any other."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    values = {
        "agent_id": _field(body, "MachineAgentId", int),
        "name": _field(body, "BackupConfigurationName", str),
        "active": _field(body, "IsActive", bool, True),
        "retention": _choice(body, "VersionRetention", (0, 30, 60), 30),
        "missed_backup_action": _choice(body, "MissedBackupActionId", (1, 2), 1),
        "schedule": _schedule(body, world.settings.start_time_echo, now),
        "time_zone": _field(body, "TimeZoneId", str, "Eastern Standard Time"),
        "notify_recipients": _field(body, "NotifyRecipients", str, ""),
        "notify_success": _field(body, "NotifySuccess", bool, False),
        "notify_failure": _field(body, "NotifyFailure", bool, False),
        "inclusions": _paths(body, "Inclusions"),
        "exclusions": _paths(body, "Exclusions"),
    }
    agent = world.agents.get(values["agent_id"])
    if agent is None or agent.tenant_id != tenant_id:
        raise ApiError(400, "MachineAgentId %d is not an agent of this account." % values["agent_id"])
    if not world.agent_in_region(agent.id, region):
        raise ApiError(400, "MachineAgentId %d is not an agent of this account in %s." % (agent.id, region))
    if not values["name"].strip():
        raise ApiError(400, "BackupConfigurationName must not be empty.")
    return values


def check_name_free(world: World, values: Dict[str, Any], config_id: int = 0) -> None:
    """409 for a name the agent already uses (a guessed trigger; api-notes: Backup configurations)."""
    policy = world.settings.duplicate_names
    taken = any(
        other.name == values["name"]
        and other.agent_id == values["agent_id"]
        and not other.deleted
        and other.id != config_id
        for other in world.configurations.values()
    )
    if taken and policy != "allow":
        raise ApiError(policy, "Agent %d already has a configuration named %r." % (values["agent_id"], values["name"]))


def create(world: World, tenant_id: str, values: Dict[str, Any]) -> Configuration:
    check_name_free(world, values)
    config_id = world.new_configuration_id()
    attributes = _with_file_items(world, values, config_id)
    config = Configuration(
        id=config_id, tenant_id=tenant_id, deleted=False, durations=world.settings.durations, **attributes
    )
    world.configurations[config_id] = config
    return config


def update(world: World, config: Configuration, values: Dict[str, Any]) -> None:
    """PUT is a full replacement of the create fields (api-notes: Backup configurations)."""
    if values["agent_id"] != config.agent_id:
        message = "MachineAgentId cannot change (configuration %d belongs to agent %d)."
        raise ApiError(400, message % (config.id, config.agent_id))
    check_name_free(world, values, config.id)
    for name, value in _with_file_items(world, values, config.id).items():
        setattr(config, name, value)


def _with_file_items(world: World, values: Dict[str, Any], config_id: int) -> Dict[str, Any]:
    """The body's (path, type) pairs become wire items with fresh FileIds."""
    items = {key: world.file_items(values[key], config_id) for key in ("inclusions", "exclusions")}
    return dict(values, **items)


def enable_flag(body: Any) -> bool:
    """{"Enable": true|false}; cbu-sdk's "Enabled" and the string "true" are refused
    (api-notes: Backup configurations)."""
    if not isinstance(body, dict) or not isinstance(body.get("Enable"), bool):
        raise ApiError(400, 'The body must be {"Enable": true} or {"Enable": false}.')
    return body["Enable"]


def _field(body: Dict[str, Any], name: str, kind: type, default: Any = _ABSENT) -> Any:
    value = body.get(name)
    if value is None:
        if default is _ABSENT:
            raise ApiError(400, "%s is required." % name)
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(
            400, "%s must be a %s, got %r." % (name, {int: "integer", str: "string", bool: "boolean"}[kind], value)
        )
    return value


def _choice(body: Dict[str, Any], name: str, allowed: tuple, default: Any) -> Any:
    value = _field(body, name, int, default)
    if value not in allowed:
        raise ApiError(400, "%s must be one of %s, got %r." % (name, ", ".join(map(str, allowed)), value))
    return value


def _schedule(body: Dict[str, Any], echo: str, now: float) -> Schedule:
    schedule = Schedule(
        frequency=_field(body, "Frequency", str, "Manually"),
        start_hour=body.get("StartTimeHour"),
        start_minute=body.get("StartTimeMinute"),
        am_pm=body.get("StartTimeAmPm") or None,
        day_of_week=body.get("DayOfWeekId"),
        hour_interval=body.get("HourInterval"),
    )
    problem = schedule.problem()
    if problem:
        raise ApiError(400, problem + ".")
    offset = _utc_offset(body.get("TimeZoneId"), now) if echo == "utc" and schedule.start_hour is not None else None
    return schedule if offset is None else schedule.shifted(-offset)


def _utc_offset(zone: Any, now: float) -> Optional[int]:
    """Minutes east of UTC of a known zone at ``now``; None for another one (kept as sent)."""
    try:
        offset = datetime.fromtimestamp(now, ZoneInfo(ZONES[zone])).utcoffset()
    except (KeyError, TypeError, ZoneInfoNotFoundError):
        return None
    return int(offset.total_seconds() // 60)


def _paths(body: Dict[str, Any], name: str) -> List[tuple]:
    items = body.get(name) or []
    if not isinstance(items, list):
        raise ApiError(400, "%s must be a list." % name)
    paths = []
    for item in items:
        path = item.get("FilePath") if isinstance(item, dict) else None
        kind = item.get("FileItemType", "Folder") if isinstance(item, dict) else None
        if not isinstance(path, str) or not path or kind not in ("File", "Folder"):
            raise ApiError(400, '%s items need a FilePath and a FileItemType of "File" or "Folder".' % name)
        paths.append((path, kind))
    return paths
