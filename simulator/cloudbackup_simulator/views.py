"""Render the live state as the API's JSON objects (field names and types: see docs/dev/api-notes.md).

Dates come out as "/Date(ms)/" strings; the JSON writer (wire.dotnet_json) escapes the
slashes. Counts in reports are strings and sizes human text, exactly as the service does.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Tuple

from .lifecycle import Backup, Run
from .model import Agent, Configuration, World
from .wire import MIN_DATE, date, duration, human_size

JsonDict = Dict[str, Any]

# Report Reason / Diagnostics per final state. The first two are documented (api-notes: Reports);
# the others are invented, as no sample exists [L].
_REPORT_TEXTS: Dict[str, Tuple[str, str]] = {
    "Completed": ("Success", "No errors"),
    "CompletedWithErrors": ("Success", "Completed With Errors"),
    "Failed": ("Failed", "The backup failed; check the agent log"),
    "Stopped": ("Stopped", "Stopped by request"),
    "Skipped": ("Skipped", "Another backup of this configuration was already queued"),
    "Missed": ("Missed", "The agent was offline at the scheduled time"),
}
_RESTORABLE = ("Completed", "CompletedWithErrors")
# States whose report shows what was searched: the agent indexed the files first.
_SEARCHED = ("Completed", "CompletedWithErrors", "Failed", "Stopped")


def agent(world: World, item: Agent, now: float, listing: bool = False) -> JsonDict:
    spec, settings = item.spec, world.settings
    status = "Online" if world.is_online(item, now) else "Offline"
    if listing and settings.agent_list_status != "actual":
        status = settings.agent_list_status  # GET user/agents: always "Offline" (api-notes: Agents and waking)
    # The listing may also show no vault size at all (api-notes: Sizes and counts).
    vault_size = None if listing and settings.agent_list_vault_size_null else spec.vault_size
    return {
        "MachineAgentId": spec.id,
        "AgentVersion": spec.version,
        "Architecture": spec.architecture,
        "Flavor": spec.flavor,
        "BackupVaultSize": human_size(vault_size, settings.size_base),
        "BackupContainer": _container_url(item),
        "CleanupAllowed": True,
        "Datacenter": spec.datacenter,
        "BackupDatacenter": spec.backup_datacenter,
        "IPAddress": spec.ip,
        "IsDisabled": item.disabled,
        "IsEncrypted": spec.encrypted,
        "MachineName": spec.name,
        "OperatingSystem": spec.os,
        "OperatingSystemVersion": spec.os_version,
        "PublicKey": public_key(spec.id),
        "Status": status,
        "TimeOfLastSuccessfulBackup": date(world.last_success_time(item, now)),
        "UseServiceNet": spec.use_servicenet,
        "UseFailoverUri": False,
        "HostServerId": spec.server_id,
    }


def configuration(world: World, config: Configuration, now: float, listing: bool = False) -> JsonDict:
    owner = world.agents[config.agent_id].spec
    schedule = config.schedule
    last = world.last_run(config, now)
    body = {
        "BackupConfigurationId": config.id,
        "MachineAgentId": owner.id,
        "MachineName": owner.name,
        "Flavor": owner.flavor,
        "IsEncrypted": owner.encrypted,
        "EncryptionKey": public_key(owner.id),
        "Datacenter": owner.datacenter,
        "BackupConfigurationName": config.name,
        "IsActive": config.active,
        "IsDeleted": config.deleted,
        "VersionRetention": config.retention,
        "BackupConfigurationScheduleId": config.id + 100000,
        "MissedBackupActionId": config.missed_backup_action,
        "Frequency": schedule.frequency,
        "StartTimeHour": schedule.start_hour,
        "StartTimeMinute": schedule.start_minute,
        "StartTimeAmPm": schedule.am_pm or "",
        "DayOfWeekId": schedule.day_of_week,
        "HourInterval": schedule.hour_interval,
        "TimeZoneId": config.time_zone,
        "NextScheduledRunTime": date(schedule.next_run(now)) or MIN_DATE,
        "LastRunTime": date(last.created) if last else None,
        "LastRunBackupReportId": last.id if last else None,
        "NotifyRecipients": config.notify_recipients,
        "NotifySuccess": config.notify_success,
        "NotifyFailure": config.notify_failure,
        "BackupPrescript": "",
        "BackupPostscript": "",
        "Inclusions": config.inclusions,
        "Exclusions": config.exclusions,
    }
    if listing:  # only the per-user list carries BackupState (api-notes: Backup configurations)
        latest = max(world.configuration_backups(config.id), key=lambda b: b.created, default=None)
        body["BackupState"] = latest.state_at(now) if latest else "Not Available"
    return body


def backup(world: World, run: Backup, now: float) -> JsonDict:
    owner, config = world.agents[run.agent_id].spec, world.configurations[run.configuration_id]
    changed, state = run.step_at(now)
    return {
        "BackupId": run.id,
        "BackupConfigurationId": config.id,
        "BackupConfigurationName": config.name,
        "CurrentState": state,
        "MachineAgentId": owner.id,
        "MachineName": owner.name,
        "StateChangeTime": date(changed),
        "IsEncrypted": owner.encrypted,
        "EncryptionKey": public_key(owner.id),
        "Datacenter": owner.datacenter,
        "BackupDatacenter": owner.backup_datacenter,
    }


def completed(world: World, run: Backup, now: float) -> JsonDict:
    owner, config = world.agents[run.agent_id].spec, world.configurations[run.configuration_id]
    return {
        "BackupId": run.id,
        "BackupConfigurationId": config.id,
        "BackupConfigurationName": config.name,
        "MachineName": owner.name,
        "MachineAgentId": owner.id,
        "CompletedTime": date(run.finished_at(now)),
        "BytesSearched": run.totals.bytes_searched,  # a plain integer here (api-notes: Sizes and counts)
        "NumErrors": len(run.errors),
    }


def report(world: World, run: Backup, now: float) -> JsonDict:
    owner, config = world.agents[run.agent_id].spec, world.configurations[run.configuration_id]
    state = run.state_at(now)
    finished = run.finished_at(now)
    reason, diagnostics = _REPORT_TEXTS.get(state, ("", ""))  # in flight: "partial" setting only
    return {
        "BackupId": run.id,
        "BackupConfigurationId": config.id,
        "BackupConfigurationName": config.name,
        "BackupConfigurationIsDeleted": config.deleted,
        "ComputerName": owner.name,
        "MachineAgentId": owner.id,
        "State": state,
        "CanRestore": state in _RESTORABLE,
        "StartTime": date(run.created),
        "CompletedTime": date(finished),
        "Duration": duration((finished if finished is not None else now) - run.created),
        **_report_counts(world, run, state),
        "Reason": reason,
        "Diagnostics": diagnostics,
        "ErrorList": [error_item(entry, index, run.id) for index, entry in enumerate(run.errors)],
        "Datacenter": owner.datacenter,
        "BackupDatacenter": owner.backup_datacenter,
    }


def _report_counts(world: World, run: Backup, state: str) -> JsonDict:
    """Counts are strings and sizes human text in reports (api-notes: Sizes and counts)."""
    totals, base = run.totals, world.settings.size_base
    searched = state in _SEARCHED
    uploaded = state in _RESTORABLE
    return {
        "FilesSearched": str(totals.files_searched if searched else 0),
        "BytesSearched": human_size(totals.bytes_searched if searched else 0, base),
        "FilesBackedUp": str(totals.files_backed_up if uploaded else 0),
        "BytesBackedUp": human_size(totals.bytes_backed_up if uploaded else 0, base),
        "NumErrors": len(run.errors),
    }


def error_item(entry, index: int, report_id: int, id_field: str = "BackupReportID") -> JsonDict:
    """An ErrorList item; backup reports name the report "BackupReportID" (api-notes: Wire format)."""
    return {
        id_field: report_id,
        "ListIndex": index,
        "ErrorType": entry.type,
        "ErrorDesc": entry.description,
        "ExceptionDesc": entry.exception,
        "ExceptionDetails": entry.details,
        "ExceptionCode": entry.code,
        "Path": entry.path,
    }


def activity(world: World, run: Backup, now: float) -> JsonDict:
    owner, config = world.agents[run.agent_id].spec, world.configurations[run.configuration_id]
    changed, state = run.step_at(now)
    return {
        "ID": run.id,
        "Type": "Backup",
        "ParentId": config.id,
        "DisplayName": config.name,
        "IsBackupConfigurationDeleted": config.deleted,
        "SourceMachineAgentId": owner.id,
        "SourceMachineName": owner.name,
        "DestinationMachineAgentId": 0,
        "DestinationMachineName": "",
        "CurrentState": state,
        "TimeOfActivity": date(changed),
        "BackupId": run.id,  # a backup item's own id, like ID (api-notes: Activity feed)
        "SourceDatacenter": owner.datacenter,  # the server's region
        "DestinationDatacenter": owner.backup_datacenter,  # the vault's region
    }


def restorable(world: World, config: Configuration, now: float) -> JsonDict:
    """An item of backup/availableforrestore: the configuration, not a backup (api-notes: Completed backups)."""
    owner = world.agents[config.agent_id].spec
    key = public_key(owner.id)
    return {
        "BackupConfigurationId": config.id,
        "BackupConfigurationName": config.name,
        "MachineName": owner.name,
        "MachineAgentId": owner.id,
        "IsEncrypted": owner.encrypted,
        "PublicKeyHex": key["ExponentHex"],
        "PublicKeyMod": key["ModulusHex"],
        "Flavor": owner.flavor,
        "LastSuccessfulBackupTime": date(world.last_run(config, now).finished_at(now)),
    }


def activity_time(run: Run, now: float) -> Tuple[float, int]:
    """Sort key of the activity feed: newest first, as in the 2013 capture (api-notes: Activity feed)."""
    return run.step_at(now)[0], run.id


def _container_url(item: Agent) -> str:
    region = item.spec.backup_datacenter.lower()
    return "https://storage101.%s1.clouddrive.com/v1/MossoCloudFS_%s/z_DO_NOT_DELETE_CloudBackup_v2_0_%s" % (
        region,
        item.tenant_id,
        item.spec.server_id,
    )


def public_key(seed: int) -> JsonDict:
    """A stable fake RSA public key: clients treat it as opaque."""
    modulus = "".join(hashlib.sha256(b"%d:%d" % (seed, part)).hexdigest() for part in range(8)).upper()
    return {"ModulusHex": modulus, "ExponentHex": 10001}
