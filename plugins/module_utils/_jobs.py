# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What starting and stopping a job (a backup or a restore) have in common.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the rules of starting, stopping and reporting that hold for backups and
restores alike. Every write that must not happen twice goes through Rounds, one or many at
once: a StartManual refused with 403 right after a wake-up is the agent race and is sent
again for a while; a write without a clear answer is looked for until its look window ends
before it is sent again. A StopManual is judged by the job's state, not by its reply; the
report of a job that has just ended may take a moment to appear.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import WAKE_TAKES, wake_agents
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    APIError,
    CloudBackupError,
    Forbidden,
    InvalidResponse,
    RateLimited,
    ServerError,
    TransportError,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import look_at_each

# A start refused with 403 right after a wake-up is the agent race (api-notes: The 403 race): the agent
# is not connected yet. Rackspace's own SDK retries 20 times, 1 s apart: a start is sent
# again for at least this window (for online_timeout when longer); a 403 that outlasts it
# is a real refusal.
START_FORBIDDEN_WINDOW = 30.0
FORBIDDEN_HINT = "forbidden: check the user's role or that the agent is online and enabled"
# A 5xx or a lost reply may hide an accepted start or creation (api-notes: Starting a backup exactly once): each one
# is followed by looks for what it made (a new backup run, a restore configuration), and the
# request is sent at most this many times in all, a connection that was refused (nothing
# sent) included: enough to ride out a burst of 5xx replies, each of which costs the request
# timeout plus the settle window, and few enough to end an outage.
START_AMBIGUOUS_ATTEMPTS = 5
# How long the feed may take to show what a request made is undocumented, and a second one
# costs a Skipped backup (or an orphan restore configuration): look for half a minute before
# sending another, counted from the moment the unclear request could last have been acted
# on (its timeout).
START_SETTLE_WINDOW = 30.0
# Seconds between two rounds of writes: refused ones are sent again, unclear ones looked for.
ROUND_DELAY = 2.0


def unclear_look_ends(err: CloudBackupError, sent_at: float, now: float, timeout: float) -> float:
    """When the look for what an unclear request made may end (on the clock of ``sent_at`` and ``now``).

    ``err`` is what the request got, at ``now``, instead of a clear answer. The look lasts
    START_SETTLE_WINDOW after the last moment the request could have been acted on: its
    reply, when one came (a 5xx, a garbled body); else the moment the server must have
    given up on it, ``timeout`` after it was sent, and not before ``now``: the client may
    have sent it again after ``sent_at`` (a rate-limit refusal waits out its Retry-After).
    """
    replied = not isinstance(err, TransportError)
    return (now if replied else max(sent_at + timeout, now)) + START_SETTLE_WINDOW


# The answers after which a write may have been acted on all the same.
UNCLEAR = (ServerError, TransportError, InvalidResponse)


class Write:
    """One write that must not happen twice (a StartManual, a restore creation), as the rounds see it.

    ``subject`` is what the caller writes for (a server's target, a restore); ``made`` what
    the write made, once it went through or a look found it (``found``); ``failure`` why
    it will not.
    """

    def __init__(self, subject: Any) -> None:
        self.subject = subject
        self.made: Any = None
        self.found = False
        self.failure: Optional[CloudBackupError] = None
        # Sends that may have reached the server (a refusal did not), and those without a clear answer.
        self.sends = 0
        self.unclear = 0
        self.last_unclear: Optional[CloudBackupError] = None
        # While set, the last send got no clear answer: what it made is looked for until then.
        self.look_until: Optional[float] = None
        # How the last send was refused, when it was (nothing was done): "403" or "rate limit",
        # and since when its sends have been refused without a break.
        self.refused: Optional[str] = None
        self.refused_since: Optional[float] = None
        # Whether it ever waited for the account's rate limit.
        self.throttled = False

    @property
    def settled(self) -> bool:
        return self.made is not None or self.failure is not None

    def find(self, made: Any) -> None:
        """What an unclear send made, found by a look."""
        self.made, self.found = made, True


class Rounds:
    """Writes that must not happen twice, sent for many subjects at once in rounds: one rule set for all.

    Each round sends every write that is due (``send(write)`` returns what it made), then
    calls ``look(writes)`` once for every write whose last send got no clear answer (it
    calls ``write.find(made)`` for those whose work shows), then waits ROUND_DELAY; no
    write ever holds another back. A send refused with 403 (with ``races``: the agent race,
    api-notes: The 403 race) or by the account's rate limit did nothing and is due again
    next round; while refusals go on, the wake-up is posted again at most once per
    WAKE_TAKES. A write refused for ``patience`` (at least START_FORBIDDEN_WINDOW) since its
    refusals began and since the last write of the rounds went through (a throttled account
    makes a few per window) fails. A 5xx, a garbled reply or a reply lost after sending may
    hide an accepted write: it is looked for until its look window ends
    (unclear_look_ends; with ``settles`` false, a write judged by its subject's state, only
    in its own round), and only then due again; a refused connection sent nothing and is
    due again at once. At most START_AMBIGUOUS_ATTEMPTS sends in all, the last one looked
    for too. Another API error fails the write. ``give_up(write)`` words a failure of the
    rounds themselves (gave_up gives the usual words).
    """

    def __init__(self, client: Any, patience: float, sleep: Callable[[float], Any], clock: Callable[[], float]) -> None:
        self.client, self.sleep, self.clock = client, sleep, clock
        self.patience = max(patience, START_FORBIDDEN_WINDOW)
        self.wakes = 0
        self._last_wake: Optional[float] = None

    def wake_up(self, again: bool = False) -> None:
        """Post the wake-up; ``again``: only once the last one may have lapsed, best effort."""
        if again:
            if self._last_wake is not None and self.clock() - self._last_wake < WAKE_TAKES:
                return
            wake_again(self.client)
        else:
            wake_agents(self.client)
        self.wakes += 1
        self._last_wake = self.clock()

    def run(self, writes: List[Write], send: Callable[[Write], Any], look: Callable[[List[Write]], Any],
            give_up: Callable[[Write], CloudBackupError], races: bool = True, settles: bool = True) -> None:
        """Send every write until each one has made something or failed (see the class)."""
        deadline = self.clock() + self.patience
        pending = _unsettled(writes)
        while pending:
            made = _made(writes)
            refused = self._send_round([write for write in pending if write.look_until is None], send, deadline,
                                       races, settles)
            self._look_round([write for write in pending if write.look_until is not None], look, give_up)
            if _made(writes) > made:
                deadline = max(deadline, self.clock() + self.patience)
            # Refused writes stop here; unclear ones were answered, so their look goes on.
            for write in _unsettled(pending):
                if write.refused and self.clock() + ROUND_DELAY > max(deadline, write.refused_since + self.patience):
                    write.failure = give_up(write)
            pending = _unsettled(pending)
            if pending:
                self.sleep(ROUND_DELAY)
                if refused:
                    self.wake_up(again=True)

    def _send_round(self, due: List[Write], send: Callable[[Write], Any], deadline: float, races: bool,
                    settles: bool) -> bool:
        """Send each due write once; True when an agent refused one (403).

        No send waits out a rate limit past ``deadline``; once the account's rate limit
        refuses one for longer than that, the round ends there: the others are due next
        round, when the client's hold of its Retry-After has passed (no storm of refusals).
        """
        refused = False
        for position, write in enumerate(due):
            sent_at, refusals = self.clock(), self.client.rate_limited
            try:
                with self.client.retrying_within(deadline - sent_at):
                    write.made = send(write)
            except Forbidden as err:
                if not races:
                    write.failure = err
                    continue
                _refused(write, "403", sent_at)
                refused = True
            except RateLimited:
                for waiting in due[position:]:
                    _refused(waiting, "rate limit", sent_at)
                break
            except UNCLEAR as err:
                self._unclear(write, err, sent_at, settles)
            except APIError as err:
                write.failure = err
            finally:
                # The client sends a throttled request again by itself: its count tells.
                write.throttled = write.throttled or self.client.rate_limited > refusals
        return refused

    def _unclear(self, write: Write, err: CloudBackupError, sent_at: float, settles: bool) -> None:
        """Note a send without a clear answer: look for what it made, or send it again if it never left."""
        write.refused = write.refused_since = None
        write.sends += 1
        write.last_unclear = err
        if isinstance(err, TransportError) and not err.sent:
            if write.sends >= START_AMBIGUOUS_ATTEMPTS:
                write.failure = err
            return  # nothing was sent: due again next round
        write.unclear += 1
        write.look_until = unclear_look_ends(err, sent_at, self.clock(), self.client.timeout) if settles \
            else self.clock()

    def _look_round(self, unclear: List[Write], look: Callable[[List[Write]], Any],
                    give_up: Callable[[Write], CloudBackupError]) -> None:
        """One look for every unclear write: what it made found, or due again once its look window ends."""
        if not unclear:
            return
        failed_look = None
        try:
            look(unclear)
        except CloudBackupError as err:
            if not err.transient:
                raise
            failed_look = err  # the next round looks again
        for write in _unsettled(unclear):
            if self.clock() < write.look_until:
                continue
            if failed_look is not None:
                # Only a look that worked may say the write was never acted on: sending it
                # again unseen could make it twice.
                write.failure = failed_look
            elif write.sends >= START_AMBIGUOUS_ATTEMPTS:
                write.failure = give_up(write)
            else:
                write.look_until = None  # never acted on: due again


def gave_up(write: Write, what: str, patience: float) -> CloudBackupError:
    """Why the rounds gave up on ``write`` (``what`` names it).

    Refused for ``patience`` seconds by the rate limit or with 403, else its last unclear answer.
    """
    if write.refused == "rate limit":
        return CloudBackupError("%s was refused by the account's rate limit for %d seconds: run fewer jobs or slices "
                                "at once on this account, or raise online_timeout" % (what, patience))
    if write.refused:
        return CloudBackupError("%s was refused with HTTP 403 for %d seconds: %s" % (what, patience, FORBIDDEN_HINT))
    return write.last_unclear


def _refused(write: Write, how: str, at: float) -> None:
    """Note a send refused ``how`` at ``at``: nothing was done, it is due again next round."""
    write.refused = how
    if write.refused_since is None:
        write.refused_since = at


def _unsettled(writes: List[Write]) -> List[Write]:
    return [write for write in writes if not write.settled]


def _made(writes: List[Write]) -> int:
    return sum(1 for write in writes if write.made is not None)


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
    """The report of a job that has just reached a terminal state; None if it has none (a batch of one)."""
    job: dict = {}
    return reports_after_end([job], lambda one: read_report(), sleep)[id(job)]


def reports_after_end(jobs: List[dict], read_report: Callable[[dict], Optional[dict]], sleep: Callable[[float], Any],
                      unreadable: Optional[Callable[[dict, CloudBackupError], Any]] = None
                      ) -> Dict[int, Optional[dict]]:
    """The reports of jobs that have just reached a terminal state: ``{id(job): its report or None}``.

    A report may take a moment to appear: each is looked for REPORT_LOOKS times, with one
    wait between two rounds of reads for all the reports still missing, so the lateness of
    many reports costs a poll one delay, not one per job. Without ``unreadable`` a failed
    read is raised (one job's wait); with it, the reads of a batch's jobs go through
    _waiter.look_at_each: a job whose read fails is not in the answer, it stays pending or
    ``unreadable`` ends it.
    """
    found: Dict[int, Optional[dict]] = {}
    still_missing: List[dict] = []

    def read(job: dict) -> None:
        report = read_report(job)
        if report is None:
            still_missing.append(job)
        else:
            found[id(job)] = report

    missing = list(jobs)
    for look in range(REPORT_LOOKS):
        if not missing:
            break
        if look:
            sleep(REPORT_LOOK_DELAY)
        still_missing.clear()
        if unreadable is None:
            for job in missing:
                read(job)
        else:
            look_at_each(missing, read, unreadable)
        missing = list(still_missing)
    found.update((id(job), None) for job in missing)
    return found


def poll_ends(entries: List[dict], look: Callable[[dict], bool], read_report: Callable[[dict], Optional[dict]],
              confirm: Callable[[dict, Optional[dict]], Any], sleep: Callable[[float], Any],
              unreadable: Callable[[dict, CloudBackupError], Any]) -> None:
    """One poll of a batch's entries: ``look`` at each (True: its job has ended), then the reports of those that
    ended, read together (reports_after_end), then ``confirm(entry, report)`` of each (None: no report came).

    Each step goes through _waiter.look_at_each: an entry that cannot be read for now stays
    pending, one that cannot be read for good ends by ``unreadable``.
    """
    ended: List[dict] = []

    def look_and_note(entry: dict) -> None:
        if look(entry):
            ended.append(entry)

    look_at_each(entries, look_and_note, unreadable)
    reports = reports_after_end(ended, read_report, sleep, unreadable)
    look_at_each([entry for entry in ended if id(entry) in reports and not entry.get("result")],
                 lambda entry: confirm(entry, reports[id(entry)]), unreadable)
