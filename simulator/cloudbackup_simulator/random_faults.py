"""Random faults: the effects of explicit faults, drawn at given rates for soak tests and benchmarks.

One number is drawn per matching request from a ``random.Random(seed)`` that reset() and
every new value of the setting start again, so a seed and an order of requests always
give the same faults. Explicit faults come first: a request that takes one is not drawn for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional, Tuple

from .faults import Fault
from .limits import method_field, routes_field, selects
from .routes import IDENTITY_ROUTES
from .validation import Fields, ScenarioError

# Each rate's fault, exactly as add_fault would make it, in the order the draw checks them.
OUTCOMES = (
    ("status_503", Fault(status=503)),  # answered 503, nothing done
    ("processed_500", Fault(status=500, apply=True)),  # done, then answered 500
    ("drop", Fault(drop=True)),  # connection closed before anything is done
    ("processed_drop", Fault(drop=True, apply=True)),  # done, then the connection closed
)


@dataclass(frozen=True)
class RandomFaults:
    """The ``random_faults`` setting: which requests are drawn for, and each fault's rate."""

    seed: int = 0
    routes: Optional[Tuple[str, ...]] = None  # None: every route but Identity's
    method: Optional[str] = None  # None = any method
    status_503: float = 0.0
    processed_500: float = 0.0
    drop: float = 0.0
    processed_drop: float = 0.0

    def matches(self, route: Optional[str], method: str) -> bool:
        if self.routes is not None:
            return selects(self.routes, self.method, route, method)
        # A soak test is about Cloud Backup: a client that cannot log in measures nothing.
        return route is not None and route not in IDENTITY_ROUTES and self.method in (None, method)


class FaultDraws:
    """The random source of ``random_faults``; callers hold the core lock."""

    def __init__(self) -> None:
        self.restart(None)

    def restart(self, spec: Optional[RandomFaults]) -> None:
        self._random = random.Random(spec.seed if spec is not None else 0)

    def draw(self, spec: Optional[RandomFaults], route: Optional[str], method: str) -> Optional[Fault]:
        """One draw for a matching request: the fault whose share of [0, 1) it falls in, or None."""
        if spec is None or not spec.matches(route, method):
            return None
        roll = self._random.random()
        for name, fault in OUTCOMES:
            roll -= getattr(spec, name)
            if roll < 0:
                return fault
        return None


def random_faults_setting(parent: Fields, key: str, default: Optional[RandomFaults]) -> Optional[RandomFaults]:
    """The ``random_faults`` setting: left out keeps ``default``; null turns random faults off."""
    if parent.is_null(key):
        return None
    if not parent.has(key):
        return default
    fields = Fields(parent.raw(key), parent.path(key))
    spec = RandomFaults(
        seed=fields.integer("seed", 0),
        routes=routes_field(fields),
        method=method_field(fields),
        **{name: _rate(fields, name) for name, _fault in OUTCOMES},
    )
    fields.done()
    total = sum(getattr(spec, name) for name, _fault in OUTCOMES)
    if total > 1 + 1e-9:
        # One draw picks at most one fault, so the shares of [0, 1) cannot overlap.
        raise ScenarioError("%s: the rates add up to %g; at most 1 is possible" % (fields.where, total))
    return spec


def _rate(fields: Fields, key: str) -> float:
    value = fields.raw(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise fields.fail(key, "expected a rate between 0 and 1, got %r" % (value,))
    return float(value)
