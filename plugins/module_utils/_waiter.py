# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A polling loop with a monotonic deadline.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: ``Waiter`` polls a callable until a condition holds or a deadline
passes, returning a ``WaitResult``, and a poll of a batch looks at each of its entries
(``look_at_each``) while any is ``pending``; what the states mean is _states'.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable, ContextManager, Iterable, List, NamedTuple, Optional, Tuple

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    CloudBackupError,
    Forbidden,
    NotFound,
    RateLimited,
)


class WaitResult(NamedTuple):
    """What a wait ended with: the last polled value, seconds waited, number of polls."""

    value: Any
    elapsed: float
    polls: int
    timed_out: bool


NOT_WAITED = WaitResult(None, 0.0, 0, False)


def _no_bound(seconds: float) -> ContextManager[None]:
    return contextlib.nullcontext()


class Waiter:
    """Poll at once, then every ``interval`` seconds, until done or ``timeout`` seconds pass.

    A poll that fails with a transient CloudBackupError (a 5xx, no reply, a garbled body)
    is retried at the next interval until the deadline: minutes of an API outage must not
    end a wait of hours. ``within(seconds)``, normally the client's ``retrying_within``,
    keeps the client's own retries of a poll inside the time left.

    ``clock`` and ``sleep`` are injectable so tests can run on a fake clock. The clock must
    be monotonic: wall-clock jumps (NTP, DST) must not stretch or cut a wait short.
    """

    def __init__(self, timeout: float, interval: float,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Any] = time.sleep, poll_at_deadline: bool = True,
                 within: Callable[[float], ContextManager[None]] = _no_bound) -> None:
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
        self._within = within

    def until(self, poll: Callable[[], Any], done: Callable[[Any], bool]) -> WaitResult:
        """Call ``poll`` until ``done(value)`` is true or the deadline passes.

        The last poll happens at the deadline itself, so a wait never reports a timeout
        without having looked once more. With ``poll_at_deadline=False`` the wait sleeps
        out its time but skips a poll that would come after the last interval: a caller
        that waits in chunks polls at the start of the next one, and two polls in a row
        would learn nothing new; a transient failure of its last poll is likewise left to
        the next chunk. Otherwise a transient failure of the last poll is raised. Other
        exceptions from ``poll``/``done`` propagate at once.
        """
        start = self._clock()
        deadline = start + self.timeout
        polls = 0
        value = None
        while True:
            polled, failure = self._poll_once(poll, deadline)
            polls += 1
            now = self._clock()
            if failure is None:
                value = polled
                if done(value):
                    return WaitResult(value, now - start, polls, False)
            if now >= deadline:
                if failure is not None:
                    raise failure
                return WaitResult(value, now - start, polls, True)
            if not self._poll_at_deadline and now + self.interval > deadline:
                self._sleep(deadline - now)
                return WaitResult(value, self._clock() - start, polls, True)
            # Never sleep past the deadline: the caller's timeout is a promise to the user.
            self._sleep(min(self.interval, deadline - now))

    def _poll_once(self, poll: Callable[[], Any], deadline: float) -> Tuple[Any, Optional[CloudBackupError]]:
        """(value, None), or (None, the error) for a transient failure."""
        try:
            with self._within(deadline - self._clock()):
                return poll(), None
        except CloudBackupError as err:
            if not err.transient:
                raise
            return None, err


def pending(entries: List[dict]) -> List[dict]:
    """The entries of a batch whose job has neither ended nor run out of time (no ``result`` yet)."""
    return [entry for entry in entries if not entry.get("result")]


def look_at_each(entries: Iterable[dict], look: Callable[[dict], Any],
                 unreadable: Callable[[dict, CloudBackupError], Any]) -> None:
    """One poll's ``look`` at each of a batch's entries: one that cannot be read does not hide or fail the others.

    A transient failure (a 5xx, no reply, a garbled body) of one entry's read leaves that
    entry pending, with the failure's words in its ``read_error`` for a wait that ends before
    a read succeeds, and the others are looked at. Its job gone or forbidden (HTTP 404, 403)
    is that entry's end: ``unreadable(entry, error)`` gives it its result. Anything else (a
    rate limit, refused credentials) is the account's, not the entry's: it is raised at once.
    """
    for entry in entries:
        entry.pop("read_error", None)
        try:
            look(entry)
        except (NotFound, Forbidden) as err:
            unreadable(entry, err)
        except CloudBackupError as err:
            if not err.transient or isinstance(err, RateLimited):
                raise
            entry["read_error"] = err.msg


def last_read_failure(entry: dict) -> str:
    """`` (its last read failed: ...)`` for an entry look_at_each could not read at its last look, else ""."""
    return " (its last read failed: %s)" % entry["read_error"] if entry.get("read_error") else ""
