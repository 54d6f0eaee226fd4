# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup operations that take several API calls.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the backup life cycle rules that no single endpoint states. Which run of
a configuration is in flight (read from the agent's activity feed), how to start exactly
one backup despite the 403 race after a wake-up and despite replies lost to a 5xx or a
dropped connection, and which backup is a configuration's latest.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Collection, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    list_activity,
    list_completed_backups,
    request_start,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import Forbidden, ServerError, TransportError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import is_terminal

# A start refused with 403 right after a wake-up is the agent race (reference 5.4): the agent
# is not connected yet. Rackspace's own SDK retries 20 times, 1 s apart; the time bound keeps
# a slow 403 reply from stretching that. A 403 that outlasts both is a real refusal.
START_FORBIDDEN_ATTEMPTS = 20
START_FORBIDDEN_DELAY = 1.0
START_FORBIDDEN_WINDOW = 30.0
FORBIDDEN_HINT = "forbidden: check the user's role or that the agent is online and enabled"
# A 5xx or a lost reply may hide an accepted start (reference 6.3): each one is followed by
# a look at the activity feed, and the POST is sent at most this many times in all.
START_AMBIGUOUS_ATTEMPTS = 3
# Time for the feed to show a start that the API accepted before it failed to answer.
START_SETTLE_DELAY = 2.0


def in_flight_backup_for(client: Any, configuration: dict) -> Optional[dict]:
    """The newest activity item of a run of ``configuration`` that is not finished, or None."""
    return _newest([run for run in backup_runs(client, configuration) if not is_terminal(run.get("current_state"))])


def backup_runs(client: Any, configuration: dict) -> List[dict]:
    """The activity items of ``configuration``'s backups, from its agent's feed (reference 3.12).

    Backup items are keyed on ``id`` (the id StartManual returned) and point at their
    configuration through ``parent_id``.
    """
    configuration_id = int(configuration["backup_configuration_id"])
    return [item for item in list_activity(client, configuration["machine_agent_id"])
            if str(item.get("type")).lower() == "backup" and item.get("parent_id") == configuration_id]


def start_backup_once(client: Any, configuration: dict,
                      sleep: Callable[[float], Any] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> int:
    """Start one backup of ``configuration`` and return its id, never two for one call.

    After a 5xx or a transport failure the start may have been accepted anyway, so before
    another POST the activity feed is searched for a run that was not there before the first
    one; if it shows one, that is the backup this call started.
    """
    known_ids = {run.get("id") for run in backup_runs(client, configuration)}
    attempt = 0
    while True:
        attempt += 1
        try:
            return _start_through_forbidden(client, configuration["backup_configuration_id"], sleep, clock)
        except (ServerError, TransportError) as err:
            sleep(START_SETTLE_DELAY)
            started = _newest_run_not_in(client, configuration, known_ids)
            if started is not None:
                return started
            if attempt >= START_AMBIGUOUS_ATTEMPTS:
                raise err


def latest_backup_id(client: Any, configuration: dict) -> Optional[int]:
    """The configuration's newest finished run, failed ones included; None if it has none.

    The activity feed shows every run, a Failed one too, which is what a health check most
    needs to see. LastRunBackupReportId and the completed list may count only the runs that
    can be restored (reference 3.9, 8.12), and the feed's history window is undocumented:
    they answer when the feed has no finished run of the configuration.
    """
    finished = _newest([run for run in backup_runs(client, configuration) if is_terminal(run.get("current_state"))])
    if finished is not None:
        return finished["id"]
    last_run = configuration.get("last_run_backup_report_id")
    if last_run:
        return last_run
    completed = list_completed_backups(client, configuration["backup_configuration_id"])
    return completed[0]["backup_id"] if completed else None


def _start_through_forbidden(client: Any, configuration_id: int,
                             sleep: Callable[[float], Any], clock: Callable[[], float]) -> int:
    """request_start, repeated while the API answers 403 and the race may still be on."""
    deadline = clock() + START_FORBIDDEN_WINDOW
    attempt = 0
    while True:
        attempt += 1
        try:
            return request_start(client, configuration_id)
        except Forbidden as err:
            if attempt >= START_FORBIDDEN_ATTEMPTS or clock() + START_FORBIDDEN_DELAY > deadline:
                raise _start_forbidden(err, configuration_id, attempt) from None
        sleep(START_FORBIDDEN_DELAY)


def _start_forbidden(err: Forbidden, configuration_id: int, attempts: int) -> Forbidden:
    msg = ("StartManual for backup configuration %s was refused with HTTP 403 %d times: %s"
           % (configuration_id, attempts, FORBIDDEN_HINT))
    return Forbidden(err.status, err.method, err.url, err.body, msg=msg)


def _newest_run_not_in(client: Any, configuration: dict, known_ids: Collection[Any]) -> Optional[int]:
    # Any state counts: a small backup can finish before the feed is read.
    run = _newest([run for run in backup_runs(client, configuration) if run.get("id") not in known_ids])
    return None if run is None else run["id"]


def _newest(runs: List[dict]) -> Optional[dict]:
    if not runs:
        return None
    # By time of activity; the id (ids grow as runs are created) breaks a tie within a second.
    return max(runs, key=lambda run: (run.get("time_of_activity") or "", run.get("id") or 0))
