# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small function per Cloud Backup endpoint, returning normalized dicts.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: know each endpoint's path, method, body and quirks (see docs/dev/api-notes.md),
so that no module builds a URL or reads a PascalCase key. A 404 for an id the user gave
becomes a NotFound that names it; a 404 for a look-up that may legitimately find nothing
becomes None.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import InvalidResponse, NotFound, redact_url
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._normalize import normalize_record


def get_agent(client: Any, agent_id: int) -> dict:
    """GET agent/{id}: the one endpoint whose Status can be trusted (api-notes: Agents and waking)."""
    with _naming_not_found("agent %s" % agent_id):
        return _get(client, "agent", agent_id, expect=dict)


def is_online(agent: dict) -> bool:
    """True when an agent from get_agent says Online; the list always says Offline (api-notes: Agents and waking)."""
    return str(agent.get("status")).lower() == "online"


def find_agent_by_server(client: Any, server_id: str) -> Optional[dict]:
    """GET agent/server/{uuid}: the agent on a Cloud Server, None when it has none."""
    try:
        return _get(client, "agent", "server", server_id, expect=dict)
    except NotFound:
        return None


def list_agents(client: Any) -> List[dict]:
    """GET user/agents. Their status is always Offline here (api-notes: Agents and waking): use get_agent."""
    return _get(client, "user", "agents", expect=list)


# The docs wait 10 to 20 s after a wake-up before they trust an agent's Status (api-notes: Agents and waking):
# an agent still asleep after this long did not get the wake-up, which is posted again.
# A wake lasts about 70 s, so this also keeps an agent awake through a long wait.
WAKE_TAKES = 20.0


def wake_agents(client: Any) -> None:
    """POST user/wakeupagents: wakes every agent of the account; repeating it is harmless."""
    client.request("POST", "user", "wakeupagents", retry=True)


def list_configurations(client: Any, agent_id: Optional[int] = None, include_deleted: bool = False) -> List[dict]:
    """The account's backup configurations, or one agent's; soft-deleted ones only on request.

    Whether the API lists deleted configurations is unknown (api-notes: Backup configurations), hence the filter.
    """
    if agent_id is None:
        records = _get(client, "backup-configuration", expect=list)
    else:
        with _naming_not_found("agent %s" % agent_id):
            records = _get(client, "backup-configuration", "system", agent_id, expect=list)
    return records if include_deleted else [record for record in records if not record.get("is_deleted")]


def get_configuration(client: Any, configuration_id: int) -> dict:
    """GET backup-configuration/{id}; a deleted one still comes back, with is_deleted true."""
    with _naming_not_found("backup configuration %s" % configuration_id):
        return _get(client, "backup-configuration", configuration_id, expect=dict)


def create_configuration(client: Any, body: dict) -> dict:
    """POST backup-configuration once: the new configuration, as the API answers it (200 with the object).

    Never retried here: every accepted POST makes a configuration; _fleet_configure decides
    what is safe to repeat.
    """
    response = client.request("POST", "backup-configuration", body=body, retry=False)
    configuration = _reply_record(client, response, "POST")
    for key in ("inclusions", "exclusions"):  # the create reply's extra path fields (api-notes: Backup configurations)
        for item in configuration.get(key) or ():
            if isinstance(item, dict):
                item.pop("filter", None)
                item.pop("file_path_encoded", None)
    if not isinstance(configuration.get("backup_configuration_id"), int):
        # It was created all the same: the caller looks for it as for any unclear answer.
        raise InvalidResponse("POST", response.url, response.status_code, client.masked(response.text),
                              msg="POST %s returned no BackupConfigurationId" % redact_url(response.url))
    return configuration


def update_configuration(client: Any, configuration_id: int, body: dict) -> None:
    """PUT backup-configuration/{id}: a full replacement (every field of a create); sending it again changes nothing."""
    with _naming_not_found("backup configuration %s" % configuration_id):
        client.request("PUT", "backup-configuration", configuration_id, body=body, retry=True)


def enable_configuration(client: Any, configuration_id: int, enable: bool) -> None:
    """POST backup-configuration/enable/{id} with the documented {"Enable": bool}; sending it again changes nothing.

    Its reply (the configuration) is not read: a garbled one would hide a switch that was made.
    """
    with _naming_not_found("backup configuration %s" % configuration_id):
        client.request("POST", "backup-configuration", "enable", configuration_id, body={"Enable": bool(enable)},
                       retry=True)


def delete_configuration(client: Any, configuration_id: int) -> None:
    """DELETE backup-configuration/{id}: a soft delete (it stays readable with is_deleted true)."""
    with _naming_not_found("backup configuration %s" % configuration_id):
        client.request("DELETE", "backup-configuration", configuration_id, retry=True)


def request_start(client: Any, configuration_id: int) -> int:
    """POST StartManual once and return the new backup id (the reply is a bare integer).

    Never retried here: every accepted start creates a backup (api-notes: Starting a backup exactly once); _backups
    decides what is safe to repeat.
    """
    response = _request_action(client, "backup", "StartManual", configuration_id, "backup configuration")
    try:
        return int(response.text.strip().strip('"'))
    except ValueError:
        raise InvalidResponse("POST", response.url, response.status_code, client.masked(response.text),
                              msg="StartManual for backup configuration %s returned no backup id"
                              % configuration_id) from None


def request_stop(client: Any, backup_id: int) -> None:
    """POST StopManual; the API answers 204 (any 2xx is taken as accepted)."""
    _request_action(client, "backup", "StopManual", backup_id, "backup")


def get_backup(client: Any, backup_id: int) -> dict:
    """GET backup/{id}: the polling endpoint, with current_state."""
    with _naming_not_found("backup %s" % backup_id):
        return _get(client, "backup", backup_id, expect=dict)


def list_completed_backups(client: Any, configuration_id: int) -> List[dict]:
    """GET backup/completed/{configuration}: restorable backups, newest first.

    The API documents no order (api-notes: Completed backups); ISO 8601 UTC strings sort as dates do.
    """
    with _naming_not_found("backup configuration %s" % configuration_id):
        backups = _get(client, "backup", "completed", configuration_id, expect=list)
    return sorted(backups, key=lambda backup: backup.get("completed_time") or "", reverse=True)


def get_report(client: Any, backup_id: int) -> Optional[dict]:
    """GET backup/report/{id}; None while the report does not exist (yet)."""
    try:
        return _get(client, "backup", "report", backup_id, expect=dict)
    except NotFound:
        return None


def list_activity(client: Any, agent_id: Optional[int] = None) -> List[dict]:
    """Recent jobs of one agent (GET system/activity/{id}) or of the account (GET activity), newest first.

    The API documents no order (api-notes: Activity feed): sorted by time of activity, the id
    (ids grow as jobs are created) breaking a tie within a second.
    """
    if agent_id is None:
        items = _get(client, "activity", expect=list)
    else:
        with _naming_not_found("agent %s" % agent_id):
            items = _get(client, "system", "activity", agent_id, expect=list)
    return sorted(items, key=lambda item: (item.get("time_of_activity") or "", item.get("id") or 0), reverse=True)


def list_available_for_restore(client: Any) -> List[dict]:
    """GET backup/availableforrestore: the configurations with a backup that can be restored.

    Its items carry no backup id (api-notes: Completed backups): list_completed_backups has them.
    """
    return _get(client, "backup", "availableforrestore", expect=list)


# Restores (api-notes: Restores). A restore is a configuration of its own: created (PUT restore)
# in state Creating, given file filters while it is, then started by id.

def create_restore(client: Any, backup: dict, destination_agent_id: int, destination_path: str,
                   overwrite: bool) -> dict:
    """PUT restore once: a new restore of ``backup`` (as get_backup returns it), not started yet.

    Never retried here: every accepted PUT creates a restore configuration; _restores decides
    what is safe to repeat.
    """
    body = {"BackupId": backup["backup_id"], "BackupMachineId": backup["machine_agent_id"],
            "DestinationMachineId": int(destination_agent_id), "DestinationPath": destination_path,
            "OverwriteFiles": bool(overwrite)}
    response = client.request("PUT", "restore", body=body, retry=False)
    restore = _without_password(_reply_record(client, response, "PUT"))
    if not isinstance(restore.get("restore_id"), int):
        # It was created all the same: the caller looks for it as for any unclear answer.
        raise InvalidResponse("PUT", response.url, response.status_code, client.masked(response.text),
                              msg="PUT %s returned no RestoreId" % redact_url(response.url))
    return restore


# FileItemType and Filter of a restore file filter are integers (api-notes: Restores).
FILE_ITEM_FILE = 0
FILE_ITEM_FOLDER = 1
FILTER_INCLUDE = 1
FILTER_EXCLUDE = 2


def add_restore_path(client: Any, restore_id: int, path: str, include: bool) -> None:
    """PUT restore/files: restore only ``path`` (include) or leave it out; ending in "/" or "\\", a folder.

    Sending the same filter twice adds nothing that matters, so a failed one is retried.
    """
    body = {"FilePath": path, "Filter": FILTER_INCLUDE if include else FILTER_EXCLUDE, "ParentId": int(restore_id),
            "FileItemType": FILE_ITEM_FOLDER if path.endswith(("/", "\\")) else FILE_ITEM_FILE}
    with _naming_not_found("restore %s" % restore_id):
        client.request("PUT", "restore", "files", body=body, retry=True)


def delete_restore(client: Any, restore_id: int) -> None:
    """DELETE restore/files/{id}: deletes the whole restore configuration (api-notes: Restores)."""
    with _naming_not_found("restore %s" % restore_id):
        client.request("DELETE", "restore", "files", restore_id, retry=True)


def request_restore_start(client: Any, restore_id: int) -> None:
    """POST StartManual for a restore once; the API answers 204."""
    _request_action(client, "restore", "StartManual", restore_id, "restore")


def request_restore_stop(client: Any, restore_id: int) -> None:
    """POST StopManual for a restore; the API answers 204."""
    _request_action(client, "restore", "StopManual", restore_id, "restore")


def get_restore(client: Any, restore_id: int) -> dict:
    """GET restore/{id}: the polling endpoint; ``state`` is the name of its RestoreStateId."""
    with _naming_not_found("restore %s" % restore_id):
        return _without_password(_get(client, "restore", restore_id, expect=dict))


def _without_password(restore: dict) -> dict:
    """A restore without its EncryptedPassword: never sent by the collection, never shown should the API echo one."""
    restore.pop("encrypted_password", None)
    return restore


def get_restore_report(client: Any, restore_id: int) -> Optional[dict]:
    """GET restore/report/{id}; None while the report does not exist (yet)."""
    try:
        return _get(client, "restore", "report", restore_id, expect=dict)
    except NotFound:
        return None


def _request_action(client: Any, kind: str, action: str, target_id: int, what: str) -> Any:
    """POST {kind}/action-requested once (StartManual, StopManual); ``what`` names the id in a 404's message."""
    with _naming_not_found("%s %s" % (what, target_id)):
        return client.request("POST", kind, "action-requested", body={"Action": action, "Id": int(target_id)},
                              retry=False)


def _reply_record(client: Any, response: Any, method: str) -> dict:
    """The normalized JSON object a write answered with; InvalidResponse for anything else."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidResponse(method, response.url, response.status_code, client.masked(response.text),
                              msg="%s %s returned no JSON object" % (method, redact_url(response.url)))
    try:
        return normalize_record(data)
    except ValueError as err:
        raise InvalidResponse(method, response.url, response.status_code, None,
                              msg="%s %s returned a value that cannot be read: %s"
                              % (method, redact_url(response.url), err)) from None


def _get(client: Any, *segments: Any, expect: type) -> Any:
    """GET ``segments`` and normalize the body; a value we cannot read is an InvalidResponse.

    The wire formats are only partly documented (api-notes: Wire format): a size such as "1,234 KB"
    must fail the task with the URL and the field, not with a traceback.
    """
    data = client.get_json(*segments, expect=expect)
    try:
        return normalize_record(data)
    except ValueError as err:
        url = client.url(*segments)
        error = InvalidResponse("GET", url, 200, None,
                                msg="GET %s returned a value that cannot be read: %s" % (url, err))
        error.transient = False  # the same value comes back on every read
        raise error from None


@contextlib.contextmanager
def _naming_not_found(what: str) -> Iterator[None]:
    """Re-raise a 404 as a NotFound whose message names what the user asked for."""
    try:
        yield
    except NotFound as err:
        raise NotFound(err.status, err.method, err.url, err.body,
                       msg="%s not found (%s %s returned HTTP 404)" % (what, err.method, err.url)) from None
