# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Restore operations that take several API calls.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the restore life cycle rules that no single endpoint states. A restore is
a configuration of its own (api-notes: Restores): created in state Creating, given its file
filters, then started by id. Which restore of a backup to a destination is in flight (read
from the account's activity feed), which new draft an unclear creation made and that no
other is left beside ours, and that a restore configuration the task could not start is
deleted again. Creating and starting them, one or a fleet's, in rounds through the 403
race and unclear answers (_jobs.Rounds): _fleet_restore.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Collection, Dict, Iterable, Iterator, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    add_restore_path,
    create_restore,
    delete_restore,
    get_backup,
    get_restore,
    list_activity,
    list_completed_backups,
    request_restore_stop,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import backup_items
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError, NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import stop_confirmed
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal

# A restore that has been created but not started (RestoreStateId 0; api-notes: Restore states).
DRAFT_STATE = "Creating"
# The backup states a restore can come from: a run that saved its files (api-notes: Completed backups).
RESTORABLE_STATES = ("Completed", "CompletedWithErrors")


def backup_to_restore(client: Any, backup_id: int, activity: Iterable[dict] = (),
                      agents: Optional[Callable[[], Dict[Any, dict]]] = None) -> dict:
    """The backup ``backup_id``, provided it is one that can be restored.

    Read from the account's feed ``activity`` when it shows the backup (a backup item's ``id``
    is the backup id, api-notes: Activity feed), with its vault's encryption from the account's
    ``agents()``: a batch shares both reads. Else (an older backup, an agent not listed) GET backup/{id}.
    """
    item = next((item for item in backup_items(activity) if item.get("id") == backup_id
                 and item.get("backup_id") in (None, backup_id)), None)  # an item that names another: not trusted
    source = agents().get(item.get("source_machine_agent_id")) if item is not None and agents else None
    backup = _feed_backup(item, source) if source is not None else get_backup(client, backup_id)
    state = canonical_state(backup.get("current_state"))
    if state not in RESTORABLE_STATES:
        raise CloudBackupError("backup %s is %s: only a backup that ended %s can be restored"
                               % (backup_id, state, " or ".join(RESTORABLE_STATES)), backup_id=backup_id, state=state)
    return backup


def _feed_backup(item: dict, agent: dict) -> dict:
    """A backup as get_backup gives what restoring it needs, from its feed ``item`` and its ``agent``."""
    return dict(backup_id=item["id"], backup_configuration_id=item.get("parent_id"),
                backup_configuration_name=item.get("display_name"), current_state=item.get("current_state"),
                machine_agent_id=item.get("source_machine_agent_id"), machine_name=item.get("source_machine_name"),
                is_encrypted=bool(agent.get("is_encrypted")))


def newest_restorable_backup(client: Any, configuration: dict) -> dict:
    """The newest backup of ``configuration`` that can still be restored (GET backup/completed)."""
    completed = list_completed_backups(client, configuration["backup_configuration_id"])
    if not completed:
        raise CloudBackupError("backup configuration %s (%s) has no backup that can be restored"
                               % (configuration["backup_configuration_id"], configuration.get("backup_configuration_name")),
                               configuration_id=configuration["backup_configuration_id"])
    return backup_to_restore(client, completed[0]["backup_id"])


def restore_items(activity: Iterable[dict]) -> List[dict]:
    """The restores among activity items (``id`` is the restore id, api-notes: Activity feed)."""
    return [item for item in activity if str(item.get("type")).lower() == "restore"]


def same_path(one: Optional[str], other: Optional[str]) -> bool:
    """Whether two destination paths name the same folder: "/srv/" is "/srv", "C:\\Data\\" is "C:\\Data"."""
    return folder(one) == folder(other)


def folder(path: Optional[str]) -> str:
    """A destination path without its trailing separators (a root keeps its one)."""
    path = path or ""
    return path.rstrip("/\\") or path[:1]


class RestoreRequest:
    """What the task asks for: ``backup`` (as get_backup returns it) to an agent and a path."""

    def __init__(self, backup: dict, destination_agent_id: int, destination_path: str, overwrite: bool,
                 include: Collection[str] = (), exclude: Collection[str] = ()) -> None:
        self.backup = backup
        self.backup_id = backup["backup_id"]
        self.destination_agent_id = destination_agent_id
        self.destination_path = destination_path
        self.overwrite = overwrite
        self.include = list(include)
        self.exclude = list(exclude)

    def may_be(self, item: dict) -> bool:
        """Whether an activity item may be a restore of this request (its path is not in the feed)."""
        backup_id = item.get("backup_id")  # absent before 2014 (api-notes: Activity feed)
        return (item.get("destination_machine_agent_id") == self.destination_agent_id
                and backup_id in (None, self.backup_id))

    def matches(self, restore: dict) -> bool:
        """Whether a restore (as get_restore returns it) restores this backup to this destination."""
        return (restore.get("backup_id") == self.backup_id
                and restore.get("destination_machine_id") == self.destination_agent_id
                and same_path(restore.get("destination_path"), self.destination_path))


def in_flight_restore(client: Any, request: RestoreRequest, activity: List[dict]) -> Optional[dict]:
    """A started restore of the request that goes on (from ``activity``, the account's feed), or None.

    A draft was never started, and a restore asked to stop will not restore anything: neither
    is joined. The feed's lag is undocumented (api-notes: Activity feed): a restore started a
    moment ago by another task may not show yet.
    """
    candidates = [item for item in restore_items(activity) if request.may_be(item) and goes_on(item.get("current_state"))]
    return next(_matching(client, request, candidates, lambda restore: goes_on(restore.get("state"))), None)


def goes_on(state: Optional[str]) -> bool:
    """Whether a restore in ``state`` was started and is neither over nor stopping."""
    return not is_terminal(state) and canonical_state(state) not in (DRAFT_STATE, "StopRequested")


def create_draft(client: Any, request: RestoreRequest) -> dict:
    """PUT the restore configuration of ``request``: its draft, in state Creating."""
    return create_restore(client, request.backup, request.destination_agent_id, request.destination_path,
                          request.overwrite)


def add_paths(client: Any, request: RestoreRequest, restore_id: int) -> None:
    """Give the draft ``restore_id`` the request's include and exclude paths; a failure deletes the draft again."""
    try:
        for path in request.include:
            add_restore_path(client, restore_id, path, include=True)
        for path in request.exclude:
            add_restore_path(client, restore_id, path, include=False)
    except CloudBackupError as err:
        raise cleaned_up_after(client, restore_id, err) from None


def refuse_encrypted(backup: dict) -> None:
    """Fail before anything is created for a backup from an encrypted vault: its restore needs a password we do not send."""
    if backup.get("is_encrypted"):
        raise CloudBackupError("backup %s comes from an encrypted vault: restoring it needs the vault's password, "
                               "which this module does not send; restore it from the Control Panel"
                               % backup["backup_id"], backup_id=backup["backup_id"])


def stop_restore_confirmed(client: Any, restore_id: int, sleep: Callable[[float], Any] = time.sleep) -> bool:
    """Send StopManual until the restore's state shows it; False when it had ended by itself first."""
    return stop_confirmed(lambda: request_restore_stop(client, restore_id),
                          lambda: get_restore(client, restore_id).get("state"),
                          "restore %s" % restore_id, sleep, restore_id=restore_id)


def new_draft(client: Any, request: RestoreRequest, known_ids: Collection[Any], activity: List[dict]) -> Optional[dict]:
    """The newest draft of the request in ``activity`` (a feed read just now) that was not there before.

    What a creation without a clear answer made, if it made one. This rests on drafts
    showing in the feed, which is undocumented (api-notes: Restores): where they never do,
    an unclear PUT may leave one, and only_draft or maybe_left say so.
    """
    drafts = _new_drafts(client, request, known_ids, activity)
    return drafts[0] if drafts else None


def _new_drafts(client: Any, request: RestoreRequest, known_ids: Collection[Any], activity: List[dict]) -> List[dict]:
    """The drafts of the request in ``activity`` that were not there before, newest first, read by id."""
    candidates = [item for item in restore_items(activity) if item.get("id") not in known_ids and request.may_be(item)]
    return list(_matching(client, request, candidates, lambda restore: restore.get("state") == DRAFT_STATE))


def only_draft(client: Any, request: RestoreRequest, known_ids: Collection[Any], ours: dict, unclear: int,
               warn: Callable[[str], Any]) -> dict:
    """``ours``, once the drafts that ``unclear`` other PUTs made are deleted; best effort, as ours is made.

    A draft the feed does not show (yet) cannot be deleted: when fewer drafts than unclear
    PUTs were found, a warning says what to look for.
    """
    found = []
    try:
        found = [draft["restore_id"] for draft in _new_drafts(client, request, known_ids, list_activity(client))]
        for restore_id in found:
            if restore_id != ours["restore_id"]:
                _delete(client, restore_id)
    except CloudBackupError as err:
        warn("deleting the restore configurations that creations without a clear answer made beside %s failed: %s"
             % (ours["restore_id"], err.msg))
    unseen = unclear - len(set(found) - {ours["restore_id"]})
    if unseen > 0:
        warn("restore configuration %s is this task's; %d creation(s) without a clear answer may have made others "
             "that the activity feed does not show (yet): look for restores of backup %s in state Creating and "
             "delete them" % (ours["restore_id"], unseen, request.backup_id))
    return ours


def maybe_left(err: CloudBackupError, request: RestoreRequest, unclear: int) -> CloudBackupError:
    """``err``, saying that unclear creations may have left drafts that the feed never showed."""
    if unclear:
        err.msg += ("; %d creation(s) got no clear answer and no restore configuration of them showed in the "
                    "activity feed: look for restores of backup %s in state Creating, and delete them"
                    % (unclear, request.backup_id))
        err.args = (err.msg,)
    return err


def _matching(client: Any, request: RestoreRequest, items: List[dict],
              wanted: Callable[[dict], bool]) -> Iterator[dict]:
    """The restores among ``items`` that match the request and ``wanted``, newest first.

    Each is read by its id only when the caller asks for the next one: one that needs the
    first match reads no further.
    """
    for item in sorted(items, key=lambda item: item.get("id") or 0, reverse=True):
        try:
            restore = get_restore(client, item["id"])
        except NotFound:
            continue  # deleted since the feed was read: not one to join or adopt
        if request.matches(restore) and wanted(restore):
            yield restore


def _delete(client: Any, restore_id: int) -> None:
    """delete_restore; a 404 means it is gone already (a retried DELETE whose first try worked)."""
    try:
        delete_restore(client, restore_id)
    except NotFound:
        pass


def still_a_draft(client: Any, restore_id: int) -> bool:
    """True unless the restore can be read and has left state Creating (a draft is deleted)."""
    try:
        return get_restore(client, restore_id).get("state") == DRAFT_STATE
    except CloudBackupError:
        return True


def cleaned_up_after(client: Any, restore_id: int, err: CloudBackupError) -> CloudBackupError:
    """``err``, once the draft it left is deleted (best effort), saying what became of it."""
    try:
        _delete(client, restore_id)
    except CloudBackupError as cleanup:
        err.msg += ("; the restore configuration %s that the task created could not be deleted (%s): delete it "
                    "with DELETE restore/files/%s or the Control Panel" % (restore_id, cleanup.msg, restore_id))
        err.details.update(restore_id=restore_id, changed=True)
    else:
        err.msg += "; the restore configuration %s that the task created was deleted again" % restore_id
        err.details.update(changed=False)
    err.args = (err.msg,)
    return err
