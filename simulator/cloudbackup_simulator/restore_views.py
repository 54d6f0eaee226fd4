"""Restores as the API's JSON objects (api-notes: Restores, Restore states, Activity feed).

A restore names its parts by id; each view looks them up in the world: the restored
backup, its configuration, the source agent (whose vault it reads) and the destination.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple

from .lifecycle import RESTORE_STATE_IDS, SUCCESS_STATES, Backup, Restore
from .model import Configuration, World
from .scenario import AgentSpec
from .views import JsonDict, error_item, public_key
from .wire import date, duration, human_size

# Report Reason / Diagnostics per final state: the first two words of Reason are
# documented (api-notes: Restores); the Failed and Stopped texts are invented [L].
_REPORT_TEXTS: Dict[str, Tuple[str, str]] = {
    "Completed": ("Success", "No errors"),
    "CompletedWithErrors": ("UnableToProcessSomeFiles", "Completed With Errors"),
    "Failed": ("RestoreFailed", "The restore failed; check the agent log"),
    "Stopped": ("StoppedByUser", "Stopped by request"),
}


class _Parts(NamedTuple):
    backup: Backup
    configuration: Configuration
    source: AgentSpec
    destination: AgentSpec


def _parts(world: World, item: Restore) -> _Parts:
    backup = world.backups[item.request.backup_id]
    return _Parts(
        backup,
        world.configurations[backup.configuration_id],
        world.agents[backup.agent_id].spec,
        world.agents[item.request.destination_machine_id].spec,
    )


def vault_datacenter(world: World, item: Restore) -> str:
    """The body's BackupDataCenter, else the region of the source agent's vault."""
    return item.request.backup_datacenter or world.agents[item.request.backup_machine_id].spec.backup_datacenter


def restore(world: World, item: Restore, now: float) -> JsonDict:
    """GET restore/{id} and the PUT restore reply; RestoreStateId is a number."""
    parts = _parts(world, item)
    source = parts.source
    return {
        "RestoreId": item.id,
        "BackupId": parts.backup.id,
        "BackupConfigurationId": parts.configuration.id,
        "BackupConfigurationName": parts.configuration.name,
        "BackupRestorePoint": date(parts.backup.finished_at(now)),
        "BackupMachineId": source.id,
        "BackupMachineName": source.name,
        "BackupFlavor": source.flavor,
        "DestinationMachineId": parts.destination.id,
        "DestinationMachineName": parts.destination.name,
        "DestinationPath": item.request.destination_path,
        "OverwriteFiles": item.request.overwrite_files,
        "BackupDataCenter": vault_datacenter(world, item),
        "IsEncrypted": source.encrypted,
        "EncryptedPassword": None,
        "PublicKey": public_key(source.id),
        "RestoreStateId": RESTORE_STATE_IDS[item.state_at(now)],
    }


def report(world: World, item: Restore, now: float) -> JsonDict:
    """GET restore/report/{id}: State is a name, the counts are strings (api-notes: Restores)."""
    parts = _parts(world, item)
    state = item.state_at(now)
    started, finished = item.started, item.finished_at(now)
    reason, diagnostics = _REPORT_TEXTS.get(state, ("", ""))  # in flight: "partial" setting only
    restored = state in SUCCESS_STATES
    return {
        "BackupConfigurationId": parts.configuration.id,
        "BackupConfigurationName": parts.configuration.name,
        "BackupReportId": parts.backup.id,
        "RestorePoint": date(parts.backup.finished_at(now)),
        "StartTime": date(started),
        "CompletedTime": date(finished),
        "Duration": _duration(started, finished, now),
        "OriginatingComputerName": parts.source.name,
        "State": state,
        "NumFilesRestored": str(item.files_restored if restored else 0),
        "NumBytesRestored": human_size(item.bytes_restored if restored else 0, world.settings.size_base),
        "RestoreDestination": parts.destination.name,
        "RestoreDestinationMachineId": parts.destination.id,
        "NumErrors": str(len(item.errors)),
        "Reason": reason,
        "Diagnostics": diagnostics,
        "ErrorList": [error_item(entry, index, item.id, "RestoreReportID") for index, entry in enumerate(item.errors)],
    }


def _duration(started: Optional[float], finished: Optional[float], now: float) -> str:
    """Start to end, or to now while running; "00:00:00" for a draft."""
    if started is None:
        return duration(0)
    return duration((finished if finished is not None else now) - started)


def file_item(restore_id: int, path: str, include_filter: int, item_type: int) -> JsonDict:
    """An item of GET restore/files/{id}: Filter 1 include / 2 exclude, FileItemType 0 file /
    1 folder / 2 database, all integers (api-notes: Restores)."""
    return {"FilePath": path, "Filter": include_filter, "RestoreId": restore_id, "FileItemType": item_type}


def activity(world: World, item: Restore, now: float) -> JsonDict:
    """A "Restore" item of the activity feeds. ParentId and DisplayName are undocumented for
    restores: the backup configuration's id and "Restore of <its name>"."""
    parts = _parts(world, item)
    changed, state = item.step_at(now)
    body = {
        "ID": item.id,
        "Type": "Restore",
        "ParentId": parts.configuration.id,
        "DisplayName": "Restore of %s" % parts.configuration.name,
        "IsBackupConfigurationDeleted": parts.configuration.deleted,
        "SourceMachineAgentId": parts.source.id,
        "SourceMachineName": parts.source.name,
        "DestinationMachineAgentId": parts.destination.id,
        "DestinationMachineName": parts.destination.name,
        "CurrentState": state,
        "TimeOfActivity": date(changed),
        "BackupId": parts.backup.id,  # added in 2014 (api-notes: Activity feed): settings.restore_activity_backup_id
        "SourceDatacenter": vault_datacenter(world, item),  # where the data comes from
        "DestinationDatacenter": parts.destination.datacenter,
    }
    if not world.settings.restore_activity_backup_id:
        del body["BackupId"]
    return body


def listed_from(item: Restore, lag: float, show_drafts: bool) -> Optional[float]:
    """When a restore enters the activity feeds: ``lag`` after its creation (or after its
    start when drafts are hidden); None while a hidden draft is not started."""
    since = item.created if show_drafts else item.started
    return None if since is None else since + lag
