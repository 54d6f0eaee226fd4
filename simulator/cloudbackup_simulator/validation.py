"""Typed reading of scenario mappings with error messages that name the bad key.

A scenario is hand-written YAML; a typo must fail at load time with the full key path
(``tenants[0].agents[1].wake_dealy: unknown key``), not as a wrong simulation later.
"""

from __future__ import annotations

import re
from typing import Any, List, Optional, Sequence

_REQUIRED = object()
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class ScenarioError(ValueError):
    """A scenario (or a fault given at run time) is invalid; the message names the key."""


def parse_seconds(value: Any) -> float:
    """15 -> 15.0; "90s", "2m", "1h30m", "2d" -> seconds. Raises ValueError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    text = value.replace(" ", "") if isinstance(value, str) else ""
    parts = _DURATION_RE.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise ValueError('expected seconds or a duration such as "90s", "2m", "1h30m", got %r' % (value,))
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


class Fields:
    """One mapping of the scenario; call ``done()`` after reading to reject unknown keys."""

    def __init__(self, data: Any, where: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ScenarioError("%s: expected a mapping, got %s" % (where, _kind(data)))
        self._data = dict(data)
        self._known: List[str] = []
        self.where = where

    def path(self, key: str) -> str:
        return "%s.%s" % (self.where, key) if self.where else key

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError("%s: %s" % (self.path(key), message))

    def raw(self, key: str, default: Any = _REQUIRED) -> Any:
        self._known.append(key)
        if key in self._data and self._data[key] is not None:
            return self._data[key]
        if default is _REQUIRED:
            raise self.fail(key, "is required")
        return default

    def is_null(self, key: str) -> bool:
        """True when the key is given with an explicit null (where null means something)."""
        self._known.append(key)
        return key in self._data and self._data[key] is None

    def has(self, key: str) -> bool:
        return self._data.get(key) is not None

    def text(self, key: str, default: Any = _REQUIRED, allow_int: bool = False) -> Optional[str]:
        value = self.raw(key, default)
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "expected a string, got %s (quote it in YAML)" % _kind(value))
        return value

    def integer(self, key: str, default: Any = _REQUIRED, minimum: Optional[int] = None) -> Optional[int]:
        value = self.raw(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "expected an integer, got %s" % _kind(value))
        if minimum is not None and value < minimum:
            raise self.fail(key, "must be at least %d, got %d" % (minimum, value))
        return value

    def boolean(self, key: str, default: Any = _REQUIRED) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false, got %s" % _kind(value))
        return value

    def seconds(self, key: str, default: Any = _REQUIRED) -> Optional[float]:
        value = self.raw(key, default)
        if value is None:
            return None
        try:
            return parse_seconds(value)
        except ValueError as error:
            raise self.fail(key, str(error)) from None

    def choice(self, key: str, options: Sequence[Any], default: Any = _REQUIRED) -> Any:
        value = self.raw(key, default)
        if value not in options:
            raise self.fail(key, "must be one of %s, got %r" % (", ".join(map(str, options)), value))
        return value

    def status(self, key: str, default: Any = _REQUIRED) -> Optional[int]:
        value = self.integer(key, default)
        if value is not None and not 100 <= value <= 599:
            raise self.fail(key, "expected an HTTP status code, got %d" % value)
        return value

    def items(self, key: str) -> List[Any]:
        """A list (possibly empty) for ``key``; each element is checked by the caller."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "expected a list, got %s" % _kind(value))
        return value

    def children(self, key: str) -> List["Fields"]:
        """The mappings listed under ``key``, each named by its position ("agents[1]")."""
        return [Fields(item, "%s[%d]" % (self.path(key), index)) for index, item in enumerate(self.items(key))]

    def one_or_many(self, key: str, options: Sequence[str], default: str) -> List[str]:
        """A single choice or a non-empty list of choices."""
        value = self.raw(key, default)
        values = value if isinstance(value, list) else [value]
        bad = [item for item in values if item not in options]
        if not values or bad:
            raise self.fail(key, "expected one of %s or a list of them, got %r" % (", ".join(options), value))
        return values

    def done(self) -> None:
        unknown = sorted(set(map(str, self._data)) - set(self._known))
        if unknown:
            raise self.fail(unknown[0], "unknown key (allowed: %s)" % ", ".join(sorted(set(self._known))))


def _kind(value: Any) -> str:
    return "%s %r" % (type(value).__name__, value) if not isinstance(value, (dict, list)) else type(value).__name__
