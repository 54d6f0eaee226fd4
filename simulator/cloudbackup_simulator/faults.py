"""Fault injection: replace, corrupt, delay or drop the responses of matching requests.

Faults come from the scenario's ``faults:`` list or are added at run time (Python API
or POST /_simulator/faults). Each one fires for the next ``count`` matching requests
(``count: null`` = every one), in the order they were added.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, fields as dataclass_fields
from typing import Any, Dict, List, Optional

from .routes import ROUTE_NAMES
from .validation import Fields, ScenarioError

METHODS = ("GET", "POST", "PUT", "DELETE")


@dataclass(frozen=True)
class Fault:
    """What to do to a matching request.

    status       reply with this status (and an error body) instead of the real answer
    retry_after  add a Retry-After header (seconds) to that reply
    drop         close the connection without any reply
    delay        real seconds to wait before acting and answering (client timeouts are real
                 time, so a delay longer than the client's timeout is a late action)
    apply        let the request take effect first, then replace the reply: the
                 "backup was created but the client saw a 500 / a dropped connection" case
    expire_tokens  expire every token just before the request is checked (forced 401)
    body         raw text replacing the reply body (of the real reply, or of ``status``'s)
    echo_token   the ``status`` error message repeats the request's token and credentials
    scheduled_first  backup.start: the configuration's schedule fires just before the start
    """

    route: Optional[str] = None  # a name from routes.ROUTE_NAMES; None = any API request
    method: Optional[str] = None
    status: Optional[int] = None
    count: Optional[int] = 1
    retry_after: Optional[float] = None
    drop: bool = False
    delay: float = 0.0
    apply: bool = False
    expire_tokens: bool = False
    body: Optional[str] = None
    echo_token: bool = False
    scheduled_first: bool = False

    def matches(self, route: Optional[str], method: str) -> bool:
        return self.route in (None, route) and self.method in (None, method)

    @property
    def replaces_response(self) -> bool:
        return self.status is not None or self.drop


def make_fault(**options: Any) -> Fault:
    """Build a fault from keyword options, rejecting contradictions with a clear message."""
    known = {item.name for item in dataclass_fields(Fault)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ScenarioError("unknown fault option %r (allowed: %s)" % (unknown[0], ", ".join(sorted(known))))
    return fault_from_fields(Fields(options, "fault"))


def fault_from_fields(fields: Fields) -> Fault:
    method = fields.text("method", None)
    fault = Fault(
        route=fields.choice("route", ROUTE_NAMES + (None,), None),
        method=method.upper() if method else None,
        status=fields.status("status", None),
        count=None if fields.is_null("count") else fields.integer("count", 1, minimum=1),
        retry_after=fields.seconds("retry_after", None),
        drop=fields.boolean("drop", False),
        delay=fields.seconds("delay", 0.0),
        apply=fields.boolean("apply", False),
        expire_tokens=fields.boolean("expire_tokens", False),
        body=fields.text("body", None),
        echo_token=fields.boolean("echo_token", False),
        scheduled_first=fields.boolean("scheduled_first", False),
    )
    fields.done()
    problem = _problem(fault)
    if problem:
        raise ScenarioError("%s: %s" % (fields.where, problem))
    return fault


def _problem(fault: Fault) -> Optional[str]:
    """The first contradiction in a fault's options, as a message; None when it is valid."""
    effects = (fault.replaces_response, fault.delay, fault.expire_tokens, fault.body is not None, fault.scheduled_first)
    rules = (
        (fault.method is not None and fault.method not in METHODS, "method must be one of %s" % ", ".join(METHODS)),
        (fault.status is not None and fault.drop, "choose either status or drop, not both"),
        (fault.retry_after is not None and fault.status is None, "retry_after needs a status"),
        (fault.apply and not fault.replaces_response, "apply needs a status or drop (it replaces the real response)"),
        (fault.body is not None and fault.drop, "choose either body or drop, not both"),
        (fault.echo_token and fault.status is None, "echo_token needs a status (it is an error message)"),
        (fault.echo_token and fault.body is not None, "choose either body or echo_token, not both"),
        (fault.scheduled_first and fault.route != "backup.start", "scheduled_first needs route backup.start"),
        # Without apply a replaced reply means the start never happens, so the schedule would not fire.
        (
            fault.scheduled_first and fault.replaces_response and not fault.apply,
            "scheduled_first with status or drop needs apply",
        ),
        (not any(effects), "a fault needs at least one of status, drop, delay, expire_tokens, body or scheduled_first"),
    )
    return next((message for broken, message in rules if broken), None)


class FaultBook:
    """The active faults with their remaining counts; callers hold the world lock."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._active: List[Dict[str, Any]] = []

    def add(self, fault: Fault) -> Dict[str, Any]:
        entry = {"id": next(self._ids), "fault": fault, "remaining": fault.count}
        self._active.append(entry)
        return self._describe(entry)

    def take(self, route: Optional[str], method: str) -> Optional[Fault]:
        """The first fault matching the request, counting it as used."""
        for entry in self._active:
            if entry["fault"].matches(route, method):
                if entry["remaining"] is not None:
                    entry["remaining"] -= 1
                    if entry["remaining"] == 0:
                        self._active.remove(entry)
                return entry["fault"]
        return None

    def clear(self) -> None:
        self._active.clear()

    def describe(self) -> List[Dict[str, Any]]:
        return [self._describe(entry) for entry in self._active]

    @staticmethod
    def _describe(entry: Dict[str, Any]) -> Dict[str, Any]:
        return dict(asdict(entry["fault"]), id=entry["id"], remaining=entry["remaining"])
