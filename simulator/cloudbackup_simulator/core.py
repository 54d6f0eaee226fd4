"""The in-process simulator: scenario, clock, live state, rate limits, faults and request log.

Both the HTTP control path and the Python ``Simulator`` API call these methods, so the
two can never disagree. One re-entrant lock serialises every read and change of state.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any, Container, Dict, List, Optional

from . import restore_views, views
from .clock import SimClock
from .faults import FaultBook, make_fault
from .limits import RateLimitBook
from .model import World
from .random_faults import FaultDraws
from .requestlog import RequestLog
from .scenario import Scenario, Settings, settings_update
from .wire import iso8601


class Core:
    def __init__(self, scenario: Scenario, speed: float = 1.0) -> None:
        self.scenario = scenario
        self.clock = SimClock(speed)
        self.lock = threading.RLock()
        self.faults = FaultBook()
        self.limits = RateLimitBook()
        self.draws = FaultDraws()
        self.log = RequestLog()
        self.reset()

    @property
    def settings(self) -> Settings:
        """The live settings: the scenario's, as changed by configure() since the last reset."""
        return self.world.settings

    def now(self) -> float:
        return self.clock.now()

    def reset(self) -> None:
        """Back to the scenario's initial state: clock, state, settings, rate limits, faults, log."""
        with self.lock:
            self.clock.restart()
            self.world = World(self.scenario, self.clock.origin)
            self._restart_counting(("rate_limits", "random_faults"))
            self.faults.clear()
            for fault in self.scenario.faults:
                self.faults.add(fault)
            self.log.clear()

    def advance(self, seconds: float) -> float:
        with self.lock:
            return self.clock.advance(seconds)

    def configure(self, **changes: Any) -> Dict[str, Any]:
        """Change settings at run time; returns every setting's current value."""
        with self.lock:
            self.world.settings = settings_update(self.world.settings, changes)
            self._restart_counting(changes)
            return self.settings_info()

    def _restart_counting(self, names: Container[str]) -> None:
        """New rate limits start with empty windows; random_faults given again (even unchanged)
        starts its sequence again, so a test can replay the same faults."""
        if "rate_limits" in names:
            self.limits.clear()
        if "random_faults" in names:
            self.draws.restart(self.settings.random_faults)

    def settings_info(self) -> Dict[str, Any]:
        return asdict(self.settings)

    def expire_tokens(self) -> int:
        with self.lock:
            return self.world.expire_tokens(self.now())

    def add_fault(self, **options: Any) -> Dict[str, Any]:
        fault = make_fault(**options)
        with self.lock:
            return self.faults.add(fault)

    def fault_list(self) -> List[Dict[str, Any]]:
        with self.lock:
            return self.faults.describe()

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests(self, route: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.log.entries(route)

    def clear_requests(self) -> None:
        self.log.clear()

    def clock_info(self) -> Dict[str, Any]:
        now = self.now()
        return {"now": now, "time": iso8601(now), "speed": self.clock.speed, "offset": self.clock.offset}

    def state(self) -> Dict[str, Any]:
        """A debugging snapshot of everything, in the API's own shapes (no token values)."""
        with self.lock:
            world, now = self.world, self.now()
            return {
                "clock": self.clock_info(),
                "settings": self.settings_info(),
                "agents": [views.agent(world, agent, now) for agent in world.agents.values()],
                "configurations": [views.configuration(world, config, now) for config in world.configurations.values()],
                "backups": [views.backup(world, backup, now) for backup in world.backups.values()],
                "restores": [restore_views.restore(world, item, now) for item in world.restores.values()],
                "tokens": [
                    {"username": token.user.username, "tenant_id": token.tenant.id, "expires": iso8601(token.expires)}
                    for token in world.tokens.values()
                ],
                "faults": self.fault_list(),
            }

    def info(self, base_url: str) -> Dict[str, Any]:
        """The start-up line: where to connect and with which first user."""
        tenant, user = self.scenario.first_user
        return {
            "identity_url": base_url + "/v2.0/",
            "endpoint": "%s/v1.0/%s" % (base_url, tenant.id),
            "tenant_id": tenant.id,
            "username": user.username,
            "api_key": user.api_key,
            "control_url": base_url + "/_simulator",
        }
