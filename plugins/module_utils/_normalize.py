# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Turn Cloud Backup wire values into the values our modules return.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

The API speaks .NET: PascalCase keys with inconsistent casing, ``/Date(ms)/`` dates,
human-readable sizes ("3.7 GB"), ``HH:MM:SS`` durations and numbers that are sometimes
strings (api-notes: Wire format). ``normalize_record`` applies all of the parsers below to a
decoded JSON object so that no module ever has to know about those quirks.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, Optional, Union

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state

# The ms are UTC whatever the optional +-hhmm suffix says (api-notes: Dates). The
# optional backslashes accept a value that was never JSON-decoded ("\/Date(...)\/").
_DATE_RE = re.compile(r"\\?/Date\((-?\d+)([+-]\d{4})?\)\\?/")
_EPOCH = datetime.datetime(1970, 1, 1)

# Identity writes its dates in ISO 8601, with milliseconds and a "Z" or a UTC offset (api-notes: Identity).
_ISO_RE = re.compile(r"\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|([+-])(\d\d):?(\d\d))\s*", re.IGNORECASE)

# The server's base for "KB", "MB"... is undocumented (api-notes: Sizes and counts); rcbu, the
# only client that converts, uses 1024, and so do we.
SIZE_BASE = 1024
_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")
_SIZE_EXPONENTS = {"": 0, "b": 0, "byte": 0, "bytes": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4}

# .NET TimeSpan: [d.]hh:mm:ss[.fffffff]; rcbu lets the hours exceed 24 (api-notes: Durations).
_DURATION_RE = re.compile(r"\s*(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2})(?:\.\d+)?\s*")

# snake_case: split an acronym from the next word (IPAddress), then lower/digit -> upper.
_ACRONYM_RE = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_RE = re.compile(r"([a-z0-9])([A-Z])")
_DIGITS_RE = re.compile(r"[0-9]+")

# Field names after snake_case. Sizes and counts are typed by field because the same text
# (e.g. "6") is also a legitimate string elsewhere.
SIZE_FIELDS = frozenset(("backup_vault_size", "bytes_searched", "bytes_backed_up", "num_bytes_restored"))
COUNT_FIELDS = frozenset(("files_searched", "files_backed_up", "num_errors", "num_files_restored"))
# BackupState (per-user configuration list) carries the same names as CurrentState.
STATE_FIELDS = frozenset(("current_state", "state", "backup_state"))
# A restore's state is a number on the wire (api-notes: Restore states); its report and the activity feed
# use the names, which are the backup states' names.
RESTORE_STATE_NAMES = {
    0: "Creating", 1: "Queued", 2: "InProgress", 3: "Completed", 4: "Stopped", 5: "Failed",
    6: "StartRequested", 7: "StopRequested", 8: "CompletedWithErrors", 9: "Preparing",
}


def parse_date(value: Optional[str]) -> Optional[str]:
    """Convert "/Date(1358530097000)/" to "2013-01-18T17:28:17Z"; years before 1970 and None -> None."""
    if value is None:
        return None
    match = _DATE_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError("not a /Date(milliseconds)/ value: %r" % (value,))
    milliseconds = int(match.group(1))
    # Anything before 1970 means "no date": .NET DateTime.MinValue shifted by a time zone.
    if milliseconds < 0:
        return None
    try:
        moment = _EPOCH + datetime.timedelta(milliseconds=milliseconds)
    except OverflowError:
        raise ValueError("date out of range: %r" % (value,)) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601_utc(value: Optional[str]) -> Optional[str]:
    """Convert "2013-06-05T05:20:28.306-05:00" to "2013-06-05T10:20:28Z" (fractions dropped); None -> None."""
    if value is None:
        return None
    match = _ISO_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("not an ISO 8601 date and time with a time zone: %r" % (value,))
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    if match.group(3):
        offset = datetime.timedelta(hours=int(match.group(4)), minutes=int(match.group(5)))
        moment -= offset if match.group(3) == "+" else -offset
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_size(value: Union[str, int, None]) -> Optional[int]:
    """Convert "3.7 GB" to 3972844748 bytes (powers of SIZE_BASE, truncated); int -> int; None -> None."""
    if value is None or _is_int(value):
        return value
    match = _SIZE_RE.fullmatch(value) if isinstance(value, str) else None
    exponent = _SIZE_EXPONENTS.get(match.group(2).lower()) if match else None
    if exponent is None:
        raise ValueError("not a size such as '3.7 GB': %r" % (value,))
    # Decimal keeps "3.7" exact; float would make the truncation depend on rounding noise.
    return int(Decimal(match.group(1)) * SIZE_BASE ** exponent)


def parse_duration(value: Union[str, int, None]) -> Optional[int]:
    """Convert "00:04:33" to 273 seconds ("1.02:03:04" -> 93784); fractions truncated; None -> None."""
    if value is None or _is_int(value):
        return value
    match = _DURATION_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("not a duration such as '00:04:33': %r" % (value,))
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if minutes > 59 or seconds > 59:
        raise ValueError("minutes and seconds must be below 60: %r" % (value,))
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def restore_state_name(state_id: Any) -> Optional[str]:
    """RestoreStateId 8 -> "CompletedWithErrors"; an unknown number -> "RestoreState<n>" (in flight until a timeout)."""
    if not _is_int(state_id):
        return None
    return RESTORE_STATE_NAMES.get(state_id, "RestoreState%d" % state_id)


def snake_case(name: str) -> str:
    """MachineAgentId -> machine_agent_id, BackupReportID -> backup_report_id, IPAddress -> ip_address."""
    # The API spells this field both BackupDatacenter and BackupDataCenter (api-notes: Wire format);
    # users should see one name.
    name = name.replace("DataCenter", "Datacenter")
    name = _WORD_RE.sub(r"\1_\2", _ACRONYM_RE.sub(r"\1_\2", name))
    return name.lower()


def normalize_record(raw: dict) -> dict:
    """Normalize a decoded API object recursively (lists of objects work too).

    Keys become snake_case; /Date()/ strings become ISO 8601 UTC; sizes become int bytes
    plus "<key>_text"; Duration becomes duration_seconds plus duration (the text); counts
    and numeric ids become int; state names get their canonical spelling, and a restore's
    numeric restore_state_id gets its name beside it, as ``state``. Unknown keys are kept
    (the API adds undocumented fields) and only renamed. Unparsable sizes, durations,
    counts and dates raise ValueError.
    """
    return _normalize_value(raw)


def _normalize_value(value: Any) -> Any:
    if isinstance(value, dict):
        normalized = {}
        for key, item in value.items():
            try:
                normalized.update(_normalize_field(snake_case(key), item))
            except ValueError as err:
                # Name the field, outermost first ("ErrorList: ExceptionCode: ..."): the caller knows the URL.
                raise ValueError("%s: %s" % (key, err)) from None
        return normalized
    if isinstance(value, list):
        return [_normalize_value(item) for item in value]
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        return parse_date(value)
    return value


def _normalize_field(name: str, value: Any) -> dict:
    """One wire field -> one or two output fields."""
    if name in SIZE_FIELDS:
        return {name: parse_size(value), name + "_text": value if isinstance(value, str) else None}
    if name == "duration":
        return {"duration_seconds": parse_duration(value), "duration": value}
    if name in COUNT_FIELDS:
        return {name: _to_count(value)}
    if name in STATE_FIELDS and isinstance(value, str):
        return {name: canonical_state(value)}
    if name == "restore_state_id":
        state_id = _to_count(value)
        return {name: state_id, "state": restore_state_name(state_id)}
    if _is_id_name(name) and (_is_int(value) or (isinstance(value, str) and _DIGITS_RE.fullmatch(value))):
        # Ids are ints on the wire in every sample, but the doc tables type them as strings.
        return {name: int(value)}
    return {name: _normalize_value(value)}


def _to_count(value: Any) -> Optional[int]:
    """Counts arrive as ints or as digit strings ("11936") depending on the endpoint."""
    if value is None or _is_int(value):
        return value
    if isinstance(value, str) and _DIGITS_RE.fullmatch(value.strip()):
        return int(value)
    raise ValueError("not a count: %r" % (value,))


def _is_id_name(name: str) -> bool:
    # "HostServerId" also matches; its UUID value fails the digit test and stays a string.
    return name == "id" or name.endswith("_id")


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but True is never a size, count or id.
    return isinstance(value, int) and not isinstance(value, bool)
