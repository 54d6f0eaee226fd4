# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for the backups of a whole fleet in one process.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: follow many backups at the cost of one request per poll. Each poll reads
the account's activity feed (``GET activity``: the state of every recent job at once);
a backup the feed shows ended is confirmed once, by its own id, through its report. Only
a backup that the feed does not show at all is read on its own (``GET backup/{id}``).

Feed items are matched by configuration and confirmed by id: which of ``ID`` and
``BackupId`` holds the backup id of a backup item is contradictory in the docs
(api-notes: Activity feed), so neither is relied on. Entries are plain dicts (the module option's
elements), updated in place so a caller can hand them to the next chunk of waiting.
"""

from __future__ import annotations

import time
from typing import Any, Callable, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    get_backup,
    get_configuration,
    get_report,
    list_activity,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import (
    in_flight_run,
    instead_of_skipped,
    latest_backup_id,
    runs_of,
    tells_health,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import all_retrying_within, by_region
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import (
    ended_result,
    no_backup_result,
    timed_out_result,
    unreadable_result,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import poll_ends, report_after_end
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import WaitResult, Waiter, pending


def find_latest_backups(client: Any, entries: List[dict], client_for: Optional[Callable[[dict], Any]] = None) -> None:
    """Give each entry without a backup_id its configuration's latest backup (or a no-backup result).

    ``client_for(entry)`` is the client of the entry's region (default: ``client`` for all).
    One read of each region's feed serves its entries; a configuration whose runs the feed
    no longer shows is read on its own (see _backups.latest_backup_id).
    """
    unknown = [entry for entry in pending(entries) if entry.get("backup_id") is None]
    for region_client, region_entries in by_region(client_for or (lambda entry: client), unknown):
        _find_latest(region_client, region_entries)


def _find_latest(client: Any, unknown: List[dict]) -> None:
    activity = list_activity(client)
    for entry in unknown:
        configuration = {"backup_configuration_id": entry["configuration_id"]}
        if not any(tells_health(run) for run in runs_of(activity, entry["configuration_id"])):
            # Its last run (LastRunBackupReportId) is the next place to look.
            configuration = get_configuration(client, entry["configuration_id"])
        entry["backup_id"] = latest_backup_id(client, configuration, activity)
        if entry["backup_id"] is None:
            entry["result"] = no_backup_result(entry)


def watch_fleet(client: Any, entries: List[dict], timeout: float, interval: float,
                sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                now: Callable[[], float] = time.time, client_for: Optional[Callable[[dict], Any]] = None,
                poll_at_deadline: bool = False) -> WaitResult:
    """Poll until every entry has a result or ``timeout`` passes; the value is ``entries``.

    ``client_for(entry)`` is the client of the entry's region (default: ``client`` for all);
    no region's retries outlast the wait. Unless ``poll_at_deadline``, the wait does not poll
    at its own deadline: a caller that waits in chunks polls at the start of the next chunk,
    and two polls in a row would learn nothing new.
    """
    client_for = client_for or (lambda entry: client)
    clients = [region_client for region_client, region_entries in by_region(client_for, entries)] or [client]
    waiter = Waiter(timeout, interval, clock=clock, sleep=sleep, poll_at_deadline=poll_at_deadline,
                    within=lambda seconds: all_retrying_within(clients, seconds))
    return waiter.until(lambda: poll_fleet(client, entries, sleep, now, client_for), lambda polled: not pending(polled))


def watch_one(client: Any, backup_id: int, configuration_id: Optional[int], timeout: Optional[float], interval: float,
              started_at: Optional[float] = None, sleep: Callable[[float], Any] = time.sleep,
              clock: Callable[[], float] = time.monotonic, now: Callable[[], float] = time.time) -> WaitResult:
    """Follow one backup to its end as a batch of one; the value is its entry, with its ``backup`` details.

    ``started_at`` (seconds since the epoch) is given for a backup the task started itself: if
    the API skips it, the run that went on is followed instead, and the entry carries that
    run's id. A task that waits alone polls at its deadline too, as no next chunk will; a
    ``timeout`` of None is no wait: one look, with the client's own retries. Then it reads
    the backup's details for its result: a backup that they show ended since the last poll has
    not run out of time. A backup gone or forbidden fails the wait with the API's error.
    """
    entry = dict(backup_id=backup_id, configuration_id=configuration_id, started_at=started_at, state=None, result=None)
    if timeout is None:
        waited = WaitResult(poll_fleet(client, [entry], sleep, now), 0.0, 1, False)
    else:
        waited = watch_fleet(client, [entry], timeout, interval, sleep, clock, now, poll_at_deadline=True)
    entry["backup"] = get_backup(client, entry["backup_id"])  # raises the API's error for a backup gone for good
    unreadable = (entry["result"] or {}).get("error")
    if unreadable:  # it was, for a moment: the wait still failed
        raise CloudBackupError(unreadable, backup_id=entry["backup_id"])
    if entry["result"] is None and is_terminal(entry["backup"].get("current_state")):
        _end_seen_in_details(client, entry, sleep, now)
    return waited._replace(value=entry, timed_out=entry["result"] is None)


def _end_seen_in_details(client: Any, entry: dict, sleep: Callable[[float], Any], now: Callable[[], float]) -> None:
    """The end of a backup that its details show ended after the wait's last poll, with its report.

    A start of the task's own that the API skipped gives way to the run that went on (found in
    the feed, as a poll would), whose details the entry then holds; that run may still be going.
    """
    state = entry["backup"]["current_state"]
    if entry.get("started_at") is not None and canonical_state(state) == "Skipped":
        state = follow_instead_of_skipped(list_activity(client), entry, state)
        if entry["backup_id"] != entry["backup"]["backup_id"]:
            entry["backup"] = get_backup(client, entry["backup_id"])
            state = entry["backup"].get("current_state")
    entry["state"] = state
    if is_terminal(state):
        entry["result"] = ended_result(entry, report_after_end(lambda: get_report(client, entry["backup_id"]), sleep),
                                       now())


def poll_fleet(client: Any, entries: List[dict], sleep: Callable[[float], Any] = time.sleep,
               now: Callable[[], float] = time.time, client_for: Optional[Callable[[dict], Any]] = None) -> List[dict]:
    """One look at every pending entry: read each region's feed once, confirm the ended, expire the others."""
    for region_client, waiting in by_region(client_for or (lambda entry: client), pending(entries)):
        _poll_region(region_client, waiting, sleep, now)
    # Only now: a backup that ended just before its deadline is not out of time.
    for entry in pending(entries):
        deadline = entry.get("deadline")
        if deadline is not None and now() >= deadline:
            entry["result"] = timed_out_result(entry, now())
    return entries


def _poll_region(client: Any, waiting: List[dict], sleep: Callable[[float], Any], now: Callable[[], float]) -> None:
    """One look at a region's pending entries: their states, then the reports of those that ended, together.

    The feed is read only when it can tell (feed_state): an entry without a configuration is read on its own.
    """
    activity = list_activity(client) if any(entry.get("configuration_id") is not None for entry in waiting) else []

    def look(entry: dict) -> bool:
        state = feed_state(activity, entry)
        if state is None:
            state = get_backup(client, entry["backup_id"]).get("current_state")
        state = follow_instead_of_skipped(activity, entry, state)
        entry["state"] = state
        return is_terminal(state)

    def unreadable(entry: dict, err: CloudBackupError) -> None:
        entry["result"] = unreadable_result(entry, err.msg, now())
    poll_ends(waiting, look, lambda entry: get_report(client, entry["backup_id"]),
              lambda entry, report: confirm_end(client, entry, report, now), sleep, unreadable)


def feed_state(activity: List[dict], entry: dict) -> Optional[str]:
    """The entry's state as the feed tells it, or None when the feed cannot tell.

    Its own item (whichever id field carries the backup id) gives its state; otherwise a
    run of its configuration in flight means it has not ended (one run at a time per
    configuration). Anything else is for the backup's own endpoint to say.
    """
    if entry.get("configuration_id") is None:
        return None
    runs = runs_of(activity, entry["configuration_id"])
    for run in runs:
        if entry["backup_id"] in (run.get("id"), run.get("backup_id")):
            return run.get("current_state")
    if entry.get("started_at") is None:
        # Not a backup this batch started or joined (the latest one of a configuration):
        # a run in flight may be a newer one.
        return None
    in_flight = in_flight_run(runs)
    return None if in_flight is None else in_flight.get("current_state")


def follow_instead_of_skipped(activity: List[dict], entry: dict, state: Optional[str]) -> Optional[str]:
    """The state to follow: an entry the batch started that the API skipped follows the run that went on.

    That run is in flight, or had its last activity after the entry's start (ISO 8601 UTC
    strings compare as the moments they name); the entry then carries its backup id (see
    _backups.instead_of_skipped).
    """
    if entry.get("started_at") is None or entry.get("configuration_id") is None:
        return state
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry["started_at"]))

    def is_new(run: dict) -> bool:
        return not is_terminal(run.get("current_state")) or (run.get("time_of_activity") or "") >= started

    going_on = instead_of_skipped(runs_of(activity, entry["configuration_id"]), entry["backup_id"], state, is_new)
    if going_on is None:
        return state
    entry["backup_id"] = going_on["id"]
    return going_on.get("current_state")


def confirm_end(client: Any, entry: dict, report: Optional[dict], now: Callable[[], float]) -> None:
    """Judge a backup the feed shows ended by its ``report`` (None: none came); one not ended after all stays pending."""
    if report is not None and not is_terminal(report.get("state")):
        return  # a report of a run still going (api-notes: Reports): wait for the end
    if report is None:
        # No report: a run that never ran (Skipped, Missed), or the feed showed another run.
        state = get_backup(client, entry["backup_id"]).get("current_state")
        entry["state"] = state
        if not is_terminal(state):
            return
    entry["result"] = ended_result(entry, report, now())
