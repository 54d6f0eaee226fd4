"""The simulated clock: real time multiplied by a speed factor, plus manual jumps.

Every state in the simulator (token expiry, agent wake windows, backup phases) is a
function of this clock, so tests can move time forward with ``advance()`` instead of
sleeping, and a demo can run ten times faster than the real service.
"""

from __future__ import annotations

import time
from typing import Callable


class SimClock:
    """Simulated Unix time in seconds, starting at the real wall-clock time."""

    def __init__(
        self,
        speed: float = 1.0,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be greater than 0, got %r" % (speed,))
        self.speed = speed
        self._wall = wall
        self._monotonic = monotonic
        self.restart()

    def restart(self) -> None:
        """Start again from the current wall-clock time with no manual offset."""
        # Monotonic time measures the elapsed part so a wall-clock jump on the host
        # cannot move simulated time backwards.
        self._origin_wall = self._wall()
        self._origin_monotonic = self._monotonic()
        self.offset = 0.0

    @property
    def origin(self) -> float:
        """Simulated time at the last (re)start: scenario history is placed relative to it."""
        return self._origin_wall

    def now(self) -> float:
        elapsed = self._monotonic() - self._origin_monotonic
        return self._origin_wall + elapsed * self.speed + self.offset

    def client_seconds(self) -> float:
        """Simulated time divided by the speed: seconds as the client's own clock counts them.

        Rate limits are real-time limits of the front end, so at --speed 10 a minute is
        still 60 real seconds; advance() moves this time too, so tests need not sleep.
        """
        return self.now() / self.speed

    def advance(self, seconds: float) -> float:
        """Jump forward by ``seconds`` of simulated time; returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward; got %r seconds" % (seconds,))
        self.offset += seconds
        return self.now()
