# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backup operations that take several API calls.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the backup life cycle rules that no single endpoint states. Which run of
a configuration is in flight (read from the agent's activity feed), which new run is the
one a start made, which of two new runs goes on, and which backup is a configuration's
latest. Starting them is _fleet_start's.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Collection, Iterable, List, Optional, Tuple

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    get_backup,
    get_configuration,
    get_report,
    list_activity,
    list_completed_backups,
    request_stop,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import stop_confirmed
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal


def backup_and_report(client: Any, backup_id: int) -> Tuple[dict, Optional[dict]]:
    """The backup's details now, and its report once its state is final (the report endpoint 404s before)."""
    backup = get_backup(client, backup_id)
    return backup, get_report(client, backup_id) if is_terminal(backup.get("current_state")) else None


def in_flight_backup_for(client: Any, configuration: dict) -> Optional[dict]:
    """The newest activity item of a run of ``configuration`` that is not finished, or None."""
    return in_flight_run(backup_runs(client, configuration))


def in_flight_run(runs: List[dict]) -> Optional[dict]:
    """The newest of ``runs`` (activity items) that is not finished, or None."""
    return newest_run([run for run in runs if not is_terminal(run.get("current_state"))])


def backup_runs(client: Any, configuration: dict) -> List[dict]:
    """The activity items of ``configuration``'s backups, from its agent's feed (api-notes: Activity feed)."""
    return runs_of(list_activity(client, configuration["machine_agent_id"]), configuration["backup_configuration_id"])


def backup_items(items: Iterable[dict]) -> List[dict]:
    """The backups among activity ``items``: keyed on ``id`` (the id StartManual returned), their
    configuration in ``parent_id`` (api-notes: Activity feed)."""
    return [item for item in items if str(item.get("type")).lower() == "backup"]


def runs_of(items: List[dict], configuration_id: int) -> List[dict]:
    """The backups of one configuration among activity ``items``."""
    return [item for item in backup_items(items) if item.get("parent_id") == int(configuration_id)]


def one_run_goes_on(client: Any, configuration_id: int, backup_id: int, rivals: List[int],
                    warn: Callable[[str], Any], sleep: Callable[[float], Any]) -> int:
    """The run of the configuration that goes on: ``backup_id``, just started, or one of ``rivals``.

    ``rivals`` are other new runs of the configuration in flight beside it: a scheduled one
    that fired just before, a start of someone else's, or an unclear start acted on late.
    The API skips a start while another run of the configuration is queued, so the first
    one created goes on; any other is stopped at once, should it run all the same. A failed
    stop only warns: the backup is started.
    """
    first = min(rivals + [backup_id])
    try:
        for duplicate in sorted(set(rivals + [backup_id]) - {first}):
            stop_backup_confirmed(client, duplicate, sleep)
    except CloudBackupError as err:
        warn("backup configuration %s had %s in flight beside backup %s that this task started, and the stop of "
             "the second one failed: %s" % (configuration_id, _backup_list(rivals), backup_id, err.msg))
        return backup_id
    warn("backup configuration %s had %s in flight beside backup %s that this task started (a scheduled run, a "
         "start by someone else, or a start without a clear answer acted on late): backup %s goes on, and the "
         "others were stopped (or skipped by the API)"
         % (configuration_id, _backup_list(rivals), backup_id, first))
    return first


def _backup_list(ids: List[int]) -> str:
    return ("backup %s" if len(ids) == 1 else "backups %s") % ", ".join(str(backup_id) for backup_id in ids)


def instead_of_skipped(runs: List[dict], backup_id: int, state: Optional[str],
                       is_new: Callable[[dict], bool]) -> Optional[dict]:
    """The run that went on when backup ``backup_id``, just started, ended ``state`` Skipped.

    The API skips a start while another run of the configuration is queued or running; a
    scheduled run that fired a moment before the StartManual does that. That run backs up
    the same data, so the task follows it: among ``runs`` (the configuration's activity
    items), the newest one created before ours (ids grow), not skipped itself, for which
    ``is_new`` holds: it was not there, or not over, before the start (an older run must
    never stand in for ours). None when the backup was not skipped or there is no such run.
    """
    if canonical_state(state) != "Skipped":
        return None
    return newest_run([run for run in runs if (run.get("id") or 0) < backup_id and is_new(run)
                       and canonical_state(run.get("current_state")) != "Skipped"])


def stop_backup_confirmed(client: Any, backup_id: int,
                          sleep: Callable[[float], Any] = time.sleep) -> bool:
    """Send StopManual until the backup's state shows it; False when it had ended by itself first."""
    return stop_confirmed(lambda: request_stop(client, backup_id),
                          lambda: get_backup(client, backup_id).get("current_state"),
                          "backup %s" % backup_id, sleep, backup_id=backup_id)


def latest_backup_id(client: Any, configuration: dict, activity: Optional[List[dict]] = None) -> Optional[int]:
    """The configuration's newest finished run, failed ones included; None if it has none.

    The activity feed shows every run, a Failed, Missed or Stopped one too, which is what a
    health check most needs to see. A Skipped run is left out: it only means another run of
    the configuration was already queued (api-notes: Backup states), which says nothing of its health.
    LastRunBackupReportId and the completed list may count only the runs that can be
    restored (api-notes: Completed backups), and the feed's history window is undocumented: they
    answer when the feed has no finished run of the configuration. ``activity``, a feed of
    the account read just now, spares the read of the agent's feed.
    """
    runs = (backup_runs(client, configuration) if activity is None
            else runs_of(activity, configuration["backup_configuration_id"]))
    finished = newest_run([run for run in runs if tells_health(run)])
    if finished is not None:
        return finished["id"]
    last_run = configuration.get("last_run_backup_report_id")
    if last_run:
        return last_run
    completed = list_completed_backups(client, configuration["backup_configuration_id"])
    return completed[0]["backup_id"] if completed else None


def recent_good_backup(client: Any, configuration_id: int, window: float, good_states: Collection[str],
                       now: Callable[[], float] = time.time) -> Optional[dict]:
    """The newest backup in ``good_states`` that completed within ``window`` seconds, or None."""
    # ISO 8601 UTC strings sort as the moments they name, so no date needs parsing.
    cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now() - window))
    for item in list_completed_backups(client, configuration_id):
        if (item.get("completed_time") or "") < cutoff:
            return None
        backup = get_backup(client, item["backup_id"])
        if canonical_state(backup.get("current_state")) in good_states:
            return backup
    return None


def new_run_since(client: Any, configuration: dict, activity: List[dict], known_ids: Collection[Any]) -> Optional[int]:
    """A run of the configuration that was not there before, or None.

    A new run in ``activity`` (a feed read just now), or else the configuration's last run
    when its last_run_time moved since ``configuration`` was read: the feed may lag behind
    (api-notes: Starting a backup exactly once).
    """
    # Any state counts: a small backup can finish before the feed is read.
    run = newest_run([run for run in runs_of(activity, configuration["backup_configuration_id"])
                      if run.get("id") not in known_ids])
    if run is not None:
        return run["id"]
    now = get_configuration(client, configuration["backup_configuration_id"])
    moved = now.get("last_run_time") != configuration.get("last_run_time")
    last_run = now.get("last_run_backup_report_id")
    return last_run if moved and last_run and last_run not in known_ids else None


def tells_health(run: dict) -> bool:
    return is_terminal(run.get("current_state")) and canonical_state(run.get("current_state")) != "Skipped"


def newest_run(runs: List[dict]) -> Optional[dict]:
    """The newest of ``runs`` (activity items), or None when there are none."""
    if not runs:
        return None
    # By time of activity; the id (ids grow as runs are created) breaks a tie within a second.
    return max(runs, key=lambda run: (run.get("time_of_activity") or "", run.get("id") or 0))
