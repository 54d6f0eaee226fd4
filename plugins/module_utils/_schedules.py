# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A backup configuration's schedule, in the user's words and in the API's fields.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: turn ``{frequency, every_hours, time, day, time_zone}`` into the API's
Frequency, HourInterval, StartTimeHour/Minute/AmPm, DayOfWeekId and TimeZoneId, and tell
whether a schedule the API holds is the one declared. The API keeps the start time it was
given converted to UTC beside the unchanged TimeZoneId (api-notes: Backup configurations),
so the comparison converts the declared time by the zone's offset in effect (ZONES); whether
the day of a weekly schedule moves with it is unknown, so both are taken.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Set, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError

FREQUENCIES = {"manual": "Manually", "hourly": "Hourly", "daily": "Daily", "weekly": "Weekly"}
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")  # DayOfWeekId 0-6
TIME = re.compile(r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$")
_DAY_MINUTES = 24 * 60

# Windows time zone names (the API's TimeZoneId) -> (IANA zone, standard and daylight-saving
# offsets from UTC in minutes). The IANA zone tells which offset is in effect; where this
# Python has no time zone data, either offset is taken. A zone missing here is compared as
# the API echoes it (see utc_times).
ZONES = {
    "Dateline Standard Time": ("Etc/GMT+12", -720, -720), "UTC-11": ("Etc/GMT+11", -660, -660),
    "Hawaiian Standard Time": ("Pacific/Honolulu", -600, -600), "Alaskan Standard Time": ("America/Anchorage", -540, -480),
    "Pacific Standard Time": ("America/Los_Angeles", -480, -420),
    "US Mountain Standard Time": ("America/Phoenix", -420, -420), "Mountain Standard Time": ("America/Denver", -420, -360),
    "Central America Standard Time": ("America/Guatemala", -360, -360),
    "Canada Central Standard Time": ("America/Regina", -360, -360), "Central Standard Time": ("America/Chicago", -360, -300),
    "SA Pacific Standard Time": ("America/Bogota", -300, -300), "Eastern Standard Time": ("America/New_York", -300, -240),
    "US Eastern Standard Time": ("America/Indiana/Indianapolis", -300, -240),
    "Atlantic Standard Time": ("America/Halifax", -240, -180), "Newfoundland Standard Time": ("America/St_Johns", -210, -150),
    "E. South America Standard Time": ("America/Sao_Paulo", -180, -180),
    "Argentina Standard Time": ("America/Argentina/Buenos_Aires", -180, -180),
    "UTC": ("Etc/UTC", 0, 0), "Greenwich Standard Time": ("Atlantic/Reykjavik", 0, 0),
    "GMT Standard Time": ("Europe/London", 0, 60), "W. Europe Standard Time": ("Europe/Berlin", 60, 120),
    "Central Europe Standard Time": ("Europe/Budapest", 60, 120),
    "Central European Standard Time": ("Europe/Warsaw", 60, 120), "Romance Standard Time": ("Europe/Paris", 60, 120),
    "W. Central Africa Standard Time": ("Africa/Lagos", 60, 60), "GTB Standard Time": ("Europe/Bucharest", 120, 180),
    "FLE Standard Time": ("Europe/Kiev", 120, 180), "E. Europe Standard Time": ("Europe/Chisinau", 120, 180),
    "Israel Standard Time": ("Asia/Jerusalem", 120, 180), "Egypt Standard Time": ("Africa/Cairo", 120, 180),
    "South Africa Standard Time": ("Africa/Johannesburg", 120, 120), "Russian Standard Time": ("Europe/Moscow", 180, 180),
    "Arab Standard Time": ("Asia/Riyadh", 180, 180), "E. Africa Standard Time": ("Africa/Nairobi", 180, 180),
    "Iran Standard Time": ("Asia/Tehran", 210, 210), "Arabian Standard Time": ("Asia/Dubai", 240, 240),
    "Pakistan Standard Time": ("Asia/Karachi", 300, 300), "India Standard Time": ("Asia/Kolkata", 330, 330),
    "Nepal Standard Time": ("Asia/Kathmandu", 345, 345), "Bangladesh Standard Time": ("Asia/Dhaka", 360, 360),
    "SE Asia Standard Time": ("Asia/Bangkok", 420, 420), "China Standard Time": ("Asia/Shanghai", 480, 480),
    "Singapore Standard Time": ("Asia/Singapore", 480, 480), "Taipei Standard Time": ("Asia/Taipei", 480, 480),
    "W. Australia Standard Time": ("Australia/Perth", 480, 480), "Tokyo Standard Time": ("Asia/Tokyo", 540, 540),
    "Korea Standard Time": ("Asia/Seoul", 540, 540), "AUS Central Standard Time": ("Australia/Darwin", 570, 570),
    "Cen. Australia Standard Time": ("Australia/Adelaide", 570, 630),
    "E. Australia Standard Time": ("Australia/Brisbane", 600, 600),
    "AUS Eastern Standard Time": ("Australia/Sydney", 600, 660), "New Zealand Standard Time": ("Pacific/Auckland", 720, 780),
}

# What each frequency takes besides frequency and time_zone.
_TAKES = {"manual": (), "hourly": ("every_hours",), "daily": ("time",), "weekly": ("time", "day")}


def schedule_problems(schedule: Dict[str, Any], label: str = "schedule") -> List[str]:
    """What is wrong with a declared schedule, worded for the user; nothing is read from the API."""
    frequency = schedule.get("frequency")
    if frequency not in FREQUENCIES:
        return ["%s.frequency must be one of %s, got %s" % (label, ", ".join(FREQUENCIES), frequency)]
    takes = _TAKES[frequency]
    problems = ["%s.%s is required with frequency=%s" % (label, name, frequency)
                for name in takes if schedule.get(name) is None]
    problems += ["%s.%s does not go with frequency=%s" % (label, name, frequency)
                 for name in ("every_hours", "time", "day") if name not in takes and schedule.get(name) is not None]
    if "time" in takes and schedule.get("time_zone") is None:
        problems.append("%s.time_zone is required with frequency=%s: the Windows name of the zone of %s.time, "
                        "for example Eastern Standard Time or UTC" % (label, frequency, label))
    if schedule.get("every_hours") is not None and not 1 <= schedule["every_hours"] <= 23:
        problems.append("%s.every_hours must be from 1 to 23, got %s" % (label, schedule["every_hours"]))
    if schedule.get("time") is not None and not TIME.match(str(schedule["time"])):
        problems.append('%s.time must be a 24-hour "HH:MM" time (quoted in YAML: "19:30"), got %s'
                        % (label, schedule["time"]))
    if schedule.get("day") is not None and str(schedule["day"]).lower() not in DAYS:
        problems.append("%s.day must be one of %s, got %s" % (label, ", ".join(DAYS), schedule["day"]))
    zone = schedule.get("time_zone")
    if zone is not None and (not str(zone).strip() or "/" in str(zone)):
        problems.append("%s.time_zone must be the Windows name of a time zone, for example Eastern Standard Time, "
                        "got %r" % (label, zone))
    return problems


def api_fields(schedule: Dict[str, Any]) -> Dict[str, Any]:
    """The API's schedule fields for a declared (valid) schedule; null where a field does not apply."""
    frequency = schedule["frequency"]
    fields = {"Frequency": FREQUENCIES[frequency], "HourInterval": schedule.get("every_hours"),
              "StartTimeHour": None, "StartTimeMinute": None, "StartTimeAmPm": None, "DayOfWeekId": None,
              "TimeZoneId": schedule.get("time_zone")}
    if schedule.get("time") is not None:
        fields["StartTimeHour"], fields["StartTimeMinute"], fields["StartTimeAmPm"] = _twelve_hour(
            _minutes(schedule["time"]))
    if schedule.get("day") is not None:
        fields["DayOfWeekId"] = DAYS.index(schedule["day"].lower())
    return fields


def zone_offsets(zone: Optional[str], now: float) -> Tuple[int, ...]:
    """The offsets from UTC (minutes) ``zone`` may have at ``now``: the one in effect, else both; (0,) if unknown."""
    if zone not in ZONES:
        return (0,)
    name, standard, daylight = ZONES[zone]
    try:
        offset = datetime.fromtimestamp(now, ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return tuple(dict.fromkeys((standard, daylight)))
    return (int(offset.total_seconds() // 60),)


def declared_schedule(record: dict, now: float) -> Dict[str, Any]:
    """The schedule of a configuration (as _api returns it) in the user's words.

    Its time is the one the API holds (UTC) in the zone's time at ``now``, its weekday the
    held one: given back to the module, it reads as no change.
    """
    frequency = next((word for word, name in FREQUENCIES.items() if name == record.get("frequency")), None)
    schedule = {"frequency": frequency, "every_hours": record.get("hour_interval") if frequency == "hourly" else None,
                "time": None, "day": None, "time_zone": record.get("time_zone_id") or None}
    held = held_time(record)
    if frequency in ("daily", "weekly") and held is not None:
        minutes, day = held
        local = minutes + zone_offsets(schedule["time_zone"], now)[0]
        schedule["time"] = "%02d:%02d" % divmod(local % _DAY_MINUTES, 60)
        if frequency == "weekly" and day is not None:
            # Whether the API moves the weekday with the time is unknown: it is shown as held
            # (given back, it matches either way, see utc_times).
            schedule["day"] = DAYS[day % 7]
    return {key: value for key, value in schedule.items() if value is not None}


def normal_schedule(schedule: Dict[str, Any], held_zone: Optional[str] = None) -> Dict[str, Any]:
    """A declared (valid) schedule in the words declared_schedule gives a held one.

    Without the options left empty, its time as HH:MM, its day in lower case; without a zone,
    the held one (which an update keeps, see request_body).
    """
    words = {key: value for key, value in schedule.items() if value is not None}
    if "time" in words:
        words["time"] = "%02d:%02d" % divmod(_minutes(words["time"]), 60)
    if "day" in words:
        words["day"] = words["day"].lower()
    if "time_zone" not in words and held_zone:
        words["time_zone"] = held_zone
    return words


def same_schedule(schedule: Dict[str, Any], record: dict, now: float) -> bool:
    """Whether the configuration ``record`` holds the declared ``schedule`` (see utc_times for the start time)."""
    wanted = api_fields(schedule)
    if wanted["Frequency"] != record.get("frequency"):
        return False
    if schedule.get("time_zone") is not None and schedule["time_zone"] != record.get("time_zone_id"):
        return False
    if schedule["frequency"] == "hourly":
        return schedule["every_hours"] == record.get("hour_interval")
    if schedule["frequency"] == "manual":
        return True
    held = held_time(record)
    times = utc_times(_minutes(schedule["time"]), wanted["DayOfWeekId"], schedule["time_zone"], now)
    if held is None or schedule["frequency"] == "daily":
        return held is not None and held[0] in {minutes for minutes, day in times}
    return held in times


def utc_times(local_minutes: int, day: Optional[int], zone: str, now: float) -> Set[Tuple[int, Optional[int]]]:
    """(minute of the day, weekday) pairs the API may hold for a local start time in ``zone``.

    The time converted to UTC by the zone's offset at ``now`` (zone_offsets), the weekday
    moved across midnight or not. An API that held the time as sent would read as changed
    (a write each run), never the reverse: a time moved by the zone's offset is a change.
    """
    times = set()
    for offset in zone_offsets(zone, now):
        shift, minutes = divmod(local_minutes - offset, _DAY_MINUTES)
        times.add((minutes, day))
        if day is not None:
            times.add((minutes, (day + shift) % 7))
    return times


def held_time(record: dict) -> Optional[Tuple[int, Optional[int]]]:
    """The (minute of the day, weekday) a configuration holds; None without a start time."""
    hour, minute, am_pm = record.get("start_time_hour"), record.get("start_time_minute"), record.get("start_time_am_pm")
    if hour is None or minute is None or am_pm not in ("AM", "PM"):
        return None
    return (hour % 12 + (12 if am_pm == "PM" else 0)) * 60 + minute, record.get("day_of_week_id")


def sent_fields(record: dict, now: float) -> Dict[str, Any]:
    """The schedule fields to send back for a held schedule the task leaves as it is.

    The API holds the start time in UTC; sent as it is, it would be read as a time of the
    zone and moved again. It goes back as the local time of declared_schedule.
    """
    schedule = declared_schedule(record, now)
    if schedule.get("frequency") is None:
        raise CloudBackupError("backup configuration %s has a schedule this collection does not know (Frequency %s): "
                               "declare its schedule" % (record.get("backup_configuration_id"), record.get("frequency")))
    if "time" in schedule and len(zone_offsets(schedule.get("time_zone"), now)) > 1:
        # Sent back by a guessed offset, the start time would move by an hour.
        raise CloudBackupError("backup configuration %s: the offset of time zone %r today is unknown here (no time "
                               "zone data: install the tzdata package), so its held start time cannot be sent back: "
                               "declare its schedule" % (record.get("backup_configuration_id"),
                                                         schedule.get("time_zone")))
    return api_fields(schedule)


def _minutes(time: str) -> int:
    match = TIME.match(str(time))
    return int(match.group("hour")) * 60 + int(match.group("minute"))


def _twelve_hour(minutes: int) -> Tuple[int, int, str]:
    hour, minute = divmod(minutes, 60)
    return (hour % 12 or 12), minute, ("PM" if hour >= 12 else "AM")
