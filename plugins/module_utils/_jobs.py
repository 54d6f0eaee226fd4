# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What starting and stopping a job (a backup or a restore) have in common.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the rules of starting, stopping and reporting that hold for backups and
restores alike. A StartManual refused with 403 right after a wake-up is the agent race and
is sent again for a while; a write without a clear answer is looked for until its look
window ends before it is sent again; a StopManual is judged by the job's state, not by its
reply; the report of a job that has just ended may take a moment to appear.
"""

from __future__ import annotations

from typing import Any, Callable, ContextManager, List, NamedTuple, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import wake_agents
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    CloudBackupError,
    InvalidResponse,
    ServerError,
    TransportError,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import Waiter

# A start refused with 403 right after a wake-up is the agent race (api-notes: The 403 race): the agent
# is not connected yet. Rackspace's own SDK retries 20 times, 1 s apart: a start is sent
# again for at least this window (a batch's, for its online_timeout when longer); a 403 that
# outlasts it is a real refusal.
START_FORBIDDEN_DELAY = 1.0
START_FORBIDDEN_WINDOW = 30.0
FORBIDDEN_HINT = "forbidden: check the user's role or that the agent is online and enabled"
# A 5xx or a lost reply may hide an accepted start or creation (api-notes: Starting a backup exactly once): each one
# is followed by looks for what it made (a new backup run, a restore configuration), and the
# request is sent at most this many times in all, a connection that was refused (nothing
# sent) included: enough to ride out a burst of 5xx replies, each of which costs the request
# timeout plus the settle window, and few enough to end an outage.
START_AMBIGUOUS_ATTEMPTS = 5
# How long the feed may take to show what a request made is undocumented, and a second one
# costs a Skipped backup (or an orphan restore configuration): look every few seconds for
# half a minute before sending another, counted from the moment the unclear request could
# last have been acted on (its timeout).
START_SETTLE_INTERVAL = 3.0
START_SETTLE_WINDOW = 30.0


def unclear_look_ends(err: CloudBackupError, sent_at: float, now: float, timeout: float) -> float:
    """When the look for what an unclear request made may end (on the clock of ``sent_at`` and ``now``).

    ``err`` is what the request got, at ``now``, instead of a clear answer. The look lasts
    START_SETTLE_WINDOW after the last moment the request could have been acted on: its
    reply, when one came (a 5xx, a garbled body); else the moment the server must have
    given up on it, ``timeout`` after it was sent.
    """
    replied = not isinstance(err, TransportError)
    return (now if replied else sent_at + timeout) + START_SETTLE_WINDOW


# The answers after which a write may have been acted on all the same.
UNCLEAR = (ServerError, TransportError, InvalidResponse)


class Written(NamedTuple):
    """What an unclear-safe write made: ``value``, whether a ``look`` found it, and how many sends were ``unclear``."""

    value: Any
    found: bool
    unclear: int


def write_once(send: Callable[[bool, List[float]], Any], look: Callable[[], Any], timeout: float,
               sleep: Callable[[float], Any], clock: Callable[[], float],
               within: Callable[[float], ContextManager[None]],
               give_up: Callable[[CloudBackupError, int], CloudBackupError] = lambda err, unclear: err) -> Written:
    """Make a write that must not happen twice (a StartManual, a restore creation): one rule set for all.

    ``send(after_unclear, sent_at)`` sends it and returns what it made, noting in
    ``sent_at`` when each request went out (a send may repeat a request refused with 403);
    ``after_unclear`` says that the last send got no clear answer. After a 5xx, a garbled
    reply or one lost once the request went out, ``look()`` is called every
    START_SETTLE_INTERVAL until the look window ends (unclear_look_ends) or it returns what
    the write made; only then is it sent again. A connection refused sent nothing: it is
    sent again after a pause. At most START_AMBIGUOUS_ATTEMPTS sends in all (the last
    unclear one is looked for too); then ``give_up(error, unclear sends)`` is raised.
    """
    attempt, unclear = 0, 0
    while True:
        attempt += 1
        sent_at: List[float] = []
        started = clock()
        try:
            return Written(send(unclear > 0, sent_at), False, unclear)
        except UNCLEAR as err:
            refused = isinstance(err, TransportError) and not err.sent
            if not refused:
                unclear += 1
                window = unclear_look_ends(err, (sent_at or [started])[-1], clock(), timeout) - clock()
                waiter = Waiter(max(window, 0.0), START_SETTLE_INTERVAL, clock=clock, sleep=sleep, within=within)
                found = waiter.until(look, lambda made: made is not None).value
                if found is not None:
                    return Written(found, True, unclear)
            if attempt >= START_AMBIGUOUS_ATTEMPTS:
                raise give_up(err, unclear) from None
            if refused:
                sleep(START_SETTLE_INTERVAL)


# A stop is confirmed by the job's state; a StopManual whose effect does not show is sent
# again this many times in all, STOP_CONFIRM_DELAY apart.
STOP_ATTEMPTS = 5
STOP_CONFIRM_DELAY = 3.0
# A report may appear a moment after its job's terminal state, and a backup run the scheduler
# turned away (Skipped, Missed) may never get one (api-notes: Reports): a few looks, then None.
REPORT_LOOKS = 3
REPORT_LOOK_DELAY = 2.0


def wake_again(client: Any) -> None:
    """Post the wake-up once more, best effort: a failed one leaves the 403s to tell, and must not pass for an unclear start."""
    try:
        wake_agents(client)
    except CloudBackupError:
        pass


def stop_confirmed(stop: Callable[[], Any], read_state: Callable[[], Optional[str]], what: str,
                   sleep: Callable[[float], Any], **details: Any) -> bool:
    """Send ``stop()`` until ``read_state()`` shows it; False when the job had ended by itself first.

    The reply proves little: a lost or garbled one may hide an accepted stop, and the
    answer to stopping a finished job is undocumented (api-notes: Backup states). So each attempt is
    judged by reading the state; a transient failure is sent again, a lasting one raised.
    """
    for attempt in range(1, STOP_ATTEMPTS + 1):
        try:
            stop()
            failure = None
        except CloudBackupError as err:
            failure = err
        state = canonical_state(read_state())
        if state in ("StopRequested", "Stopped"):
            return True
        if is_terminal(state):
            return False
        if failure is not None and (not failure.transient or attempt == STOP_ATTEMPTS):
            raise failure
        if attempt < STOP_ATTEMPTS:
            sleep(STOP_CONFIRM_DELAY)
    raise CloudBackupError("%s is still %s after %d StopManual requests" % (what, state, STOP_ATTEMPTS),
                           state=state, **details)


def report_after_end(read_report: Callable[[], Optional[dict]], sleep: Callable[[float], Any]) -> Optional[dict]:
    """The report of a job that has just reached a terminal state; None if it has none."""
    for look in range(REPORT_LOOKS):
        if look:
            sleep(REPORT_LOOK_DELAY)
        report = read_report()
        if report is not None:
            return report
    return None
