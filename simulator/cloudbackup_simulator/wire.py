"""Wire format of the Cloud Backup API: .NET JSON, dates, sizes and durations.

The real service is a .NET application (api-notes: Wire format): it escapes every ``/``
in JSON strings, writes dates as ``\\/Date(ms)\\/``, sizes as "3.7 GB" and durations as
"HH:MM:SS". Clients must survive all of that, so the simulator reproduces it exactly.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from decimal import Decimal
from typing import Any, Optional, Union

# .NET DateTime.MinValue (0001-01-01) shifted by 5 hours, as captured for manual
# configurations' NextScheduledRunTime (api-notes: Dates).
MIN_DATE = "/Date(-62135578800000)/"

_SIZE_UNITS = ("bytes", "KB", "MB", "GB", "TB")
_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(bytes?|KB|MB|GB|TB)?\s*", re.IGNORECASE)


def dotnet_json(value: Any, escape_slashes: bool = True) -> str:
    """Serialize like the service: compact JSON, every "/" written as "\\/" if asked."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # "/" never appears in JSON outside string literals, so a plain replace is exact.
    return text.replace("/", "\\/") if escape_slashes else text


def date(timestamp: Optional[float]) -> Optional[str]:
    """Seconds since the epoch -> "/Date(ms)/" (the JSON writer adds the backslashes).

    Whole seconds, as in every real capture: a client comparing its own clock (with
    fractions) to an API date must allow for the truncation.
    """
    if timestamp is None:
        return None
    return "/Date(%d)/" % (math.floor(timestamp) * 1000)


def iso8601(timestamp: float) -> str:
    """Identity's format, 2014-07-22T07:11:19.000Z: the documented shape, whole seconds like date()."""
    moment = datetime.datetime.fromtimestamp(math.floor(timestamp), tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso8601_front_end(timestamp: float) -> str:
    """The front end's format, 2012-06-28T20:08:45Z (overLimit's retryAfter): whole seconds,
    rounded up so a client that waits until then is never early."""
    moment = datetime.datetime.fromtimestamp(math.ceil(timestamp), tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def human_size(size: Optional[int], base: int = 1024) -> Optional[str]:
    """12345678 -> "11.8 MB"; below one KB -> "318 bytes"; one decimal, ".0" dropped."""
    if size is None:
        return None
    value, unit = float(size), 0
    while value >= base and unit < len(_SIZE_UNITS) - 1:
        value /= base
        unit += 1
    if unit == 0:
        return "%d bytes" % size
    text = "%.1f" % value
    return "%s %s" % (text[:-2] if text.endswith(".0") else text, _SIZE_UNITS[unit])


def parse_size(value: Union[int, str], base: int = 1024) -> int:
    """Scenario sizes may be bytes (int) or text like "3.7 GB"; returns bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("expected bytes or a size such as '3.7 GB', got %r" % (value,))
    unit = (match.group(2) or "bytes").upper()
    exponent = 0 if unit.startswith("BYTE") else _SIZE_UNITS.index(unit)
    return int(Decimal(match.group(1)) * base**exponent)


def duration(seconds: float) -> str:
    """273 -> "00:04:33"; hours may exceed 24 as rcbu allows (api-notes: Durations)."""
    total = max(0, int(round(seconds)))
    return "%02d:%02d:%02d" % (total // 3600, total // 60 % 60, total % 60)
