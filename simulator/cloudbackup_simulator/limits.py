"""Rate limits: refuse the requests over the account's limits, as Rackspace's front ends do.

Cloud Backup's real limits are not published, so every part of a rule is a setting
(README "Rate limits and random faults"). A refused request is answered 413 (or 429) with
Retry-After and has no other effect: it counts in no window and takes no fault. Windows
slide over the client's seconds (``SimClock.client_seconds``), not simulated ones.
"""

from __future__ import annotations

import fnmatch
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Deque, Dict, Optional, Sequence, Tuple, Union

from .faults import METHODS
from .routes import routes_matching
from .validation import Fields, parse_seconds

STATUSES = (413, 429)
BODIES = ("overLimit", "plain")
# (setting, window length in client seconds); the longest comes last.
WINDOWS = (("per_second", 1.0), ("per_minute", 60.0))


@dataclass(frozen=True)
class RateLimit:
    """One rule: at most ``per_second`` / ``per_minute`` accepted requests that match it.

    retry_after  True: Retry-After = whole seconds until the rule accepts again (at least 1);
                 False: no header; a number: that many seconds, whatever the wait
    body         "overLimit" (Rackspace's front-end wrapper) or "plain" (the ordinary error body)
    """

    method: Optional[str] = None  # None = any method
    routes: Optional[Tuple[str, ...]] = None  # route names or fnmatch patterns; None = every API request
    per_second: Optional[int] = None
    per_minute: Optional[int] = None
    status: int = 413
    retry_after: Union[bool, float] = True
    body: str = "overLimit"

    def matches(self, route: Optional[str], method: str) -> bool:
        return selects(self.routes, self.method, route, method)

    def windows(self) -> Tuple[Tuple[str, float, int], ...]:
        """(setting, window seconds, limit) of each window the rule sets."""
        return tuple((name, seconds, getattr(self, name)) for name, seconds in WINDOWS if getattr(self, name))


def selects(patterns: Optional[Sequence[str]], wanted: Optional[str], route: Optional[str], method: str) -> bool:
    """Whether a request is picked by route patterns (None: every request) and a method (None: any)."""
    if wanted not in (None, method):
        return False
    return patterns is None or (route is not None and any(fnmatch.fnmatchcase(route, item) for item in patterns))


@dataclass(frozen=True)
class Refusal:
    """A request over a limit: the rule (by position) and window that refused it."""

    index: int
    rule: RateLimit
    window: str
    limit: int
    wait: float  # client seconds until the rule accepts again

    @property
    def retry_seconds(self) -> float:
        """The rule's fixed Retry-After, else the wait in whole seconds (a client retrying then is not early)."""
        if isinstance(self.rule.retry_after, bool):
            return max(1, math.ceil(round(self.wait, 6)))
        return self.rule.retry_after

    @property
    def headers(self) -> Dict[str, str]:
        return {} if self.rule.retry_after is False else {"Retry-After": "%g" % self.retry_seconds}

    @property
    def message(self) -> str:
        per = self.window.replace("_", " ")
        return "Rate limit of %d %s exceeded. Retry after %g seconds." % (self.limit, per, self.retry_seconds)

    def summary(self) -> Dict[str, Any]:
        """The request log's ``rate_limit``: which rule refused, and the Retry-After sent (None: no header)."""
        retry_after = None if self.rule.retry_after is False else self.retry_seconds
        return {"rule": self.index, "window": self.window, "limit": self.limit, "retry_after": retry_after}


class RateLimitBook:
    """When each rule accepted its recent requests (client seconds); callers hold the core lock."""

    def __init__(self) -> None:
        self._accepted: Dict[int, Deque[float]] = {}

    def clear(self) -> None:
        """Forget every window: the rules were replaced, or the simulator was reset."""
        self._accepted.clear()

    def admit(self, rules: Sequence[RateLimit], route: Optional[str], method: str, now: float) -> Optional[Refusal]:
        """The first full matching rule's refusal; else None, and the request counts in every matching rule."""
        matching = [(index, rule) for index, rule in enumerate(rules) if rule.matches(route, method)]
        for index, rule in matching:
            refusal = self._refusal(index, rule, now)
            if refusal is not None:
                return refusal
        for index, _rule in matching:
            self._accepted.setdefault(index, deque()).append(now)
        return None

    def _refusal(self, index: int, rule: RateLimit, now: float) -> Optional[Refusal]:
        """The refusal if a window of the rule is full; with both full, the one that frees up last."""
        accepted = self._accepted.setdefault(index, deque())
        while accepted and accepted[0] <= now - WINDOWS[-1][1]:
            accepted.popleft()
        full = []
        for name, seconds, limit in rule.windows():
            recent = [moment for moment in accepted if moment > now - seconds]
            if len(recent) >= limit:
                # Room comes back when the oldest request that keeps the window full leaves it.
                full.append((recent[len(recent) - limit] + seconds - now, name, limit))
        if not full:
            return None
        wait, name, limit = max(full)
        return Refusal(index, rule, name, limit, wait)


def rate_limits_setting(parent: Fields, key: str, default: Tuple[RateLimit, ...]) -> Tuple[RateLimit, ...]:
    """The ``rate_limits`` setting: left out keeps ``default``; null or [] turns every limit off."""
    if parent.is_null(key):
        return ()
    if not parent.has(key):
        return default
    return tuple(_rate_limit(fields) for fields in parent.children(key))


def _rate_limit(fields: Fields) -> RateLimit:
    status = fields.choice("status", STATUSES, 413)
    rule = RateLimit(
        method=method_field(fields),
        routes=routes_field(fields),
        per_second=fields.integer("per_second", None, minimum=1),
        per_minute=fields.integer("per_minute", None, minimum=1),
        status=status,
        retry_after=_retry_after(fields),
        # Rackspace's front ends wrap their 413 in overLimit; services that answer 429 do not.
        body=fields.choice("body", BODIES, "overLimit" if status == 413 else "plain"),
    )
    fields.done()
    if not rule.windows():
        raise fields.fail("per_second", "a rate limit needs per_second, per_minute or both")
    return rule


def _retry_after(fields: Fields) -> Union[bool, float]:
    value = fields.raw("retry_after", True)
    if isinstance(value, bool):
        return value
    try:
        return parse_seconds(value)
    except ValueError:
        raise fields.fail("retry_after", "expected true, false or seconds, got %r" % (value,)) from None


def method_field(fields: Fields) -> Optional[str]:
    """``method``: GET, POST, PUT or DELETE (any case), or null for any method."""
    method = fields.text("method", None)
    if method is None:
        return None
    if method.upper() not in METHODS:
        raise fields.fail("method", "must be one of %s, or null for any, got %r" % (", ".join(METHODS), method))
    return method.upper()


def routes_field(fields: Fields) -> Optional[Tuple[str, ...]]:
    """``routes``: route names or fnmatch patterns ("backup.*"), one bare or a list; None when null.

    A pattern that matches no route name is refused: it is a typo that would silently
    leave every request alone.
    """
    value = fields.raw("routes", None)
    if value is None:
        return None
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns:
        raise fields.fail("routes", "expected a list of route names or patterns such as backup.*, got %r" % (value,))
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise fields.fail("routes", "expected route names or patterns (strings), got %r" % (pattern,))
        if not routes_matching(pattern):
            raise fields.fail("routes", "%r matches no route name (README: Routes and route names)" % pattern)
    return tuple(patterns)
