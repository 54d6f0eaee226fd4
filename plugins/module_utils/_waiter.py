# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup states and a polling loop with a monotonic deadline.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

``canonical_state`` turns the API's loosely spelled state names into one spelling,
``is_terminal`` classifies them (reference section 4.1), and ``Waiter`` polls a callable
until a condition holds or a deadline passes, returning a ``WaitResult``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, NamedTuple, Optional

# Reference 4.1. StartScheduled is documented but in neither public client's list; Creating
# comes from restores shown in activity feeds. Both are clearly "not finished yet".
IN_FLIGHT_STATES = frozenset((
    "StartRequested", "StartScheduled", "Queued", "Preparing", "InProgress", "StopRequested", "Creating",
))
TERMINAL_STATES = frozenset((
    "Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed",
))

# The docs also write "startRequested", "Stoprequested" and "Completed WithErrors", so the
# lookup key ignores case and whitespace.
_CANONICAL_BY_KEY = {name.lower(): name for name in IN_FLIGHT_STATES | TERMINAL_STATES}


def canonical_state(name: Optional[str]) -> Optional[str]:
    """Return the PascalCase spelling of a known state; unknown names (and None) unchanged."""
    if not isinstance(name, str):
        return name
    key = "".join(name.split()).lower()
    return _CANONICAL_BY_KEY.get(key, name)


def is_terminal(state: Optional[str]) -> bool:
    """True for a finished backup; unknown states count as in flight until a timeout."""
    return canonical_state(state) in TERMINAL_STATES


class WaitResult(NamedTuple):
    """What a wait ended with: the last polled value, seconds waited, number of polls."""

    value: Any
    elapsed: float
    polls: int
    timed_out: bool


class Waiter:
    """Poll at once, then every ``interval`` seconds, until done or ``timeout`` seconds pass.

    ``clock`` and ``sleep`` are injectable so tests can run on a fake clock. The clock must
    be monotonic: wall-clock jumps (NTP, DST) must not stretch or cut a wait short.
    """

    def __init__(self, timeout: float, interval: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Any] = time.sleep, poll_at_deadline: bool = True) -> None:
        if timeout < 0:
            raise ValueError("timeout must not be negative, got %r" % (timeout,))
        # A zero interval would spin on the API (and forever on a fake clock).
        if interval <= 0:
            raise ValueError("interval must be positive, got %r" % (interval,))
        self.timeout = timeout
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._poll_at_deadline = poll_at_deadline

    def until(self, poll: Callable[[], Any], done: Callable[[Any], bool]) -> WaitResult:
        """Call ``poll`` until ``done(value)`` is true or the deadline passes.

        The last poll happens at the deadline itself, so a wait never reports a timeout
        without having looked once more. With ``poll_at_deadline=False`` the wait sleeps
        out its time but skips a poll that would come after the last interval: a caller
        that waits in chunks polls at the start of the next one, and two polls in a row
        would learn nothing new. Exceptions from ``poll``/``done`` propagate.
        """
        start = self._clock()
        deadline = start + self.timeout
        polls = 0
        while True:
            value = poll()
            polls += 1
            now = self._clock()
            if done(value):
                return WaitResult(value, now - start, polls, False)
            if now >= deadline:
                return WaitResult(value, now - start, polls, True)
            if not self._poll_at_deadline and now + self.interval > deadline:
                self._sleep(deadline - now)
                return WaitResult(value, self._clock() - start, polls, True)
            # Never sleep past the deadline: the caller's timeout is a promise to the user.
            self._sleep(min(self.interval, deadline - now))
