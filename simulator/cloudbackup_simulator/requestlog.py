"""The request log that tests and benchmarks read (GET /_simulator/requests, .requests()).

It never holds a secret: no X-Auth-Token, and Identity credentials are masked.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List, Optional

from .wire import iso8601

_SECRET_KEYS = frozenset(("apiKey", "password", "id", "passcode"))
_MASK = "********"
_MAX_TEXT = 500


class RequestLog:
    def __init__(self) -> None:
        self._entries: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._seq = 0

    def record(self, entry: Dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            self._entries.append(dict(entry, seq=self._seq))

    def entries(self, route: Optional[str] = None) -> List[Dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._entries if route in (None, entry["route"])]

    def clear(self) -> None:
        """Forget the entries; sequence numbers keep counting so they stay unique."""
        with self._lock:
            self._entries.clear()


def make_entry(
    method: str,
    path: str,
    query: str,
    route: Optional[str],
    body: bytes,
    status: Optional[int],
    fault: Optional[Dict[str, Any]],
    sim_time: float,
    real_time: float,
    rate_limit: Optional[Dict[str, Any]] = None,
    region: Optional[str] = None,
) -> Dict[str, Any]:
    return {
        "time": iso8601(sim_time),
        "sim_time": sim_time,
        "real_time": real_time,
        "method": method,
        "path": path,
        "query": query,
        "route": route,
        "region": region,  # the regional endpoint called ("ORD"), None for the unprefixed one
        "status": status,  # None when the connection was dropped
        "fault": fault,  # the explicit or random fault that acted, or None
        "rate_limit": rate_limit,  # the rule that refused the request, or None
        "body": loggable_body(body, masked=route == "identity.tokens"),
    }


def loggable_body(body: bytes, masked: bool) -> Any:
    """The request's JSON (credentials masked), its text if not JSON, None if empty."""
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return _MASK if masked else text[:_MAX_TEXT]
    return _mask(data) if masked else data


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _MASK if key in _SECRET_KEYS else _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value
