"""Restore operations (api-notes: Restores, Restore states): create, edit, add files, start, stop, delete.

A restore is created as a Creating draft; only a draft can be edited, get file filters or
(by default) be deleted. StartManual plans the rest of its timeline like a backup's, with
the outcome the scenario scripts for the restored backup's configuration.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .errors import ApiError
from .lifecycle import CREATING, Backup, Restore, RestoreRequest
from .model import Configuration, World
from .scenario import RESTORE_ERROR


def create(world: World, tenant_id: str, request: RestoreRequest, now: float, region: Optional[str] = None) -> Restore:
    """PUT restore: a new draft (RestoreStateId 0); ``region``: the regional endpoint called."""
    restorable_backup(world, tenant_id, request, now, region)
    restore = Restore(world.new_restore_id(), tenant_id, request, [(now, CREATING)])
    world.restores[restore.id] = restore
    return restore


def update(world: World, restore: Restore, request: RestoreRequest, now: float, region: Optional[str] = None) -> None:
    """POST restore: replace every field of a draft."""
    require_draft(restore, now, "changed")
    restorable_backup(world, restore.tenant_id, request, now, region)
    restore.request = request


def add_file(restore: Restore, item: dict, now: float) -> None:
    """PUT restore/files: one more include/exclude filter of a draft."""
    require_draft(restore, now, "given files")
    restore.files.append(item)


def delete(world: World, restore: Restore, now: float) -> int:
    """DELETE restore/files/{id}: the whole restore goes; returns the success status."""
    refusal = world.settings.restore_delete_started
    if restore.state_at(now) != CREATING and refusal != "allow":
        raise ApiError(refusal, "Restore %d has been started and cannot be deleted." % restore.id)
    del world.restores[restore.id]
    return world.settings.restore_delete_status


def start(world: World, restore: Restore, password: object, now: float) -> None:
    """StartManual: refuse like a backup start would, or plan the run."""
    if restore.state_at(now) != CREATING:
        status = world.settings.restore_second_start_status
        raise ApiError(status, "Restore %d has already been started." % restore.id)
    source = world.agents[restore.request.backup_machine_id]
    if source.spec.encrypted and not password:
        raise ApiError(400, "The vault of agent %d is encrypted: EncryptedPassword is required." % source.id)
    world.check_can_start(world.agents[restore.request.destination_machine_id], now)
    backup = world.backups[restore.request.backup_id]
    config = world.configurations[backup.configuration_id]
    outcome = world.settings.restore_outcome or config.next_restore_outcome()
    restore.begin(now, replace(world.settings.restore_durations, **dict(config.restore.durations)), outcome)
    _script_results(restore, config, backup, outcome)


def stop(world: World, restore: Restore, now: float) -> int:
    """StopManual: 204 and StopRequested -> Stopped, or the terminal-stop status."""
    if restore.state_at(now) == CREATING:
        raise ApiError(400, "Restore %d has not been started." % restore.id)
    if restore.stop(now, restore.durations.stop):
        return 204
    return world.terminal_stop_status("Restore %d has already finished." % restore.id)


def require_draft(restore: Restore, now: float, change: str) -> None:
    state = restore.state_at(now)
    if state != CREATING:
        raise ApiError(400, "Restore %d is %s; only a restore in Creating can be %s." % (restore.id, state, change))


def restorable_backup(
    world: World, tenant_id: str, request: RestoreRequest, now: float, region: Optional[str] = None
) -> Backup:
    """The backup to restore, checked against the request's agents; a bad reference is
    answered with settings.restore_bad_reference_status (undocumented, 400 by default).
    At a regional endpoint (``region``) the backup's agent and the destination must both be
    agents of that region: a restore across regions is a bad reference there (undocumented)."""
    status = world.settings.restore_bad_reference_status
    where = " in %s" % region if region else ""
    backup = world.backups.get(request.backup_id)
    if (
        backup is None
        or world.agents[backup.agent_id].tenant_id != tenant_id
        or not world.agent_in_region(backup.agent_id, region)
    ):
        raise ApiError(status, "BackupId %d is not a backup of this account%s." % (request.backup_id, where))
    state = backup.state_at(now)
    if state not in world.settings.completed_states:
        raise ApiError(status, "Backup %d cannot be restored: it is %s." % (backup.id, state))
    if request.backup_machine_id != backup.agent_id:
        message = "BackupMachineId %d is not the agent of backup %d (%d)."
        raise ApiError(status, message % (request.backup_machine_id, backup.id, backup.agent_id))
    destination = world.agents.get(request.destination_machine_id)
    if destination is None or destination.tenant_id != tenant_id or not world.agent_in_region(destination.id, region):
        message = "DestinationMachineId %d is not an agent of this account%s."
        raise ApiError(status, message % (request.destination_machine_id, where))
    return backup


def _script_results(restore: Restore, config: Configuration, backup: Backup, outcome: str) -> None:
    """What the report will show: the scripted counts, else what the backup uploaded."""
    script = config.restore
    restore.files_restored = _first_set(script.files_restored, backup.totals.files_backed_up)
    restore.bytes_restored = _first_set(script.bytes_restored, backup.totals.bytes_backed_up)
    if outcome == "CompletedWithErrors":  # forced by settings.restore_outcome, errors may be unscripted
        restore.errors = script.errors or (replace(RESTORE_ERROR, path=restore.request.destination_path),)


def _first_set(value, default):
    return default if value is None else value
