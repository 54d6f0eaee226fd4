"""Backup configuration schedules: validation and the next scheduled run time.

Shared by the scenario loader and the configuration create/update routes, so a scenario
cannot hold a schedule the API would refuse. The simulator never starts scheduled runs;
it only shows a plausible NextScheduledRunTime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Optional

FREQUENCIES = ("Manually", "Hourly", "Daily", "Weekly")
_DAY = 86400.0


@dataclass(frozen=True)
class Schedule:
    frequency: str = "Manually"
    start_hour: Optional[int] = None  # 1-12, Daily/Weekly
    start_minute: Optional[int] = None  # 0-59, Daily/Weekly
    am_pm: Optional[str] = None  # "AM"/"PM", Daily/Weekly
    day_of_week: Optional[int] = None  # 0 = Sunday, Weekly
    hour_interval: Optional[int] = None  # 1-23, Hourly

    def problem(self) -> Optional[str]:
        """Why this schedule is invalid (field named as in the API), or None."""
        if self.frequency not in FREQUENCIES:
            return "Frequency must be one of %s" % ", ".join(FREQUENCIES)
        checks = {
            "Hourly": [("HourInterval", self.hour_interval, range(1, 24))],
            "Daily": self._time_checks(),
            "Weekly": self._time_checks() + [("DayOfWeekId", self.day_of_week, range(0, 7))],
        }.get(self.frequency, [])
        for name, value, allowed in checks:
            if value not in allowed or isinstance(value, bool):
                return "%s is required for %s schedules and must be in %s" % (name, self.frequency, _show(allowed))
        return None

    def _time_checks(self) -> list:
        return [
            ("StartTimeHour", self.start_hour, range(1, 13)),
            ("StartTimeMinute", self.start_minute, range(0, 60)),
            ("StartTimeAmPm", self.am_pm, ("AM", "PM")),
        ]

    def shifted(self, minutes: int) -> "Schedule":
        """The same schedule with its start time moved by ``minutes`` (wrapping around the day; the weekday stays)."""
        start = (self.start_hour % 12 + (12 if self.am_pm == "PM" else 0)) * 60 + self.start_minute + minutes
        hour, minute = divmod(start % (24 * 60), 60)
        return replace(self, start_hour=hour % 12 or 12, start_minute=minute, am_pm="PM" if hour >= 12 else "AM")

    def next_run(self, now: float) -> Optional[float]:
        """Next run time in UTC seconds; None for manual schedules (shown as MinValue).

        Time zones are ignored (the hour is taken as UTC): nothing in the simulator runs
        on a schedule, and clients must not compare the echoed hour anyway (api-notes: Backup configurations).
        """
        if self.frequency == "Hourly":
            return (math.floor(now / 3600) + self.hour_interval) * 3600.0
        if self.frequency not in ("Daily", "Weekly"):
            return None
        hour = self.start_hour % 12 + (12 if self.am_pm == "PM" else 0)
        start_of_day = math.floor(now / _DAY) * _DAY
        candidate = start_of_day + hour * 3600 + self.start_minute * 60
        step = _DAY
        if self.frequency == "Weekly":
            # 1970-01-01 was a Thursday (day 4 when Sunday is 0).
            weekday = (int(start_of_day // _DAY) + 4) % 7
            candidate += ((self.day_of_week - weekday) % 7) * _DAY
            step = 7 * _DAY
        return candidate if candidate > now else candidate + step


def _show(allowed) -> str:
    return "%d-%d" % (allowed[0], allowed[-1]) if isinstance(allowed, range) else "/".join(allowed)
