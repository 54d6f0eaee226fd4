# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small function per Cloud Backup endpoint, returning normalized dicts.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: know each endpoint's path, method, body and quirks (reference section 3),
so that no module builds a URL or reads a PascalCase key. A 404 for an id the user gave
becomes a NotFound that names it; a 404 for a look-up that may legitimately find nothing
becomes None.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import InvalidResponse, NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._normalize import normalize_record


def get_agent(client: Any, agent_id: int) -> dict:
    """GET agent/{id}: the one endpoint whose Status can be trusted (reference 3.3)."""
    with _naming_not_found("agent %s" % agent_id):
        return _get(client, "agent", agent_id, expect=dict)


def is_online(agent: dict) -> bool:
    """True when an agent read with get_agent says Online; the list always says Offline (reference 3.5)."""
    return str(agent.get("status")).lower() == "online"


def find_agent_by_server(client: Any, server_id: str) -> Optional[dict]:
    """GET agent/server/{uuid}: the agent on a Cloud Server, None when it has none."""
    try:
        return _get(client, "agent", "server", server_id, expect=dict)
    except NotFound:
        return None


def list_agents(client: Any) -> List[dict]:
    """GET user/agents. Their status is always Offline here (reference 3.5): use get_agent."""
    return _get(client, "user", "agents", expect=list)


# The docs wait 10 to 20 s after a wake-up before they trust an agent's Status (reference
# 5.3): an agent still asleep after this long did not get the wake-up, which is posted again.
# A wake lasts about 70 s, so this also keeps an agent awake through a long wait.
WAKE_TAKES = 20.0


def wake_agents(client: Any) -> None:
    """POST user/wakeupagents: wakes every agent of the account; repeating it is harmless."""
    client.request("POST", "user", "wakeupagents", retry=True)


def list_configurations(client: Any, agent_id: Optional[int] = None, include_deleted: bool = False) -> List[dict]:
    """The account's backup configurations, or one agent's; soft-deleted ones only on request.

    Whether the API lists deleted configurations is unknown (reference 3.6), hence the filter.
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


def request_start(client: Any, configuration_id: int) -> int:
    """POST StartManual once and return the new backup id (the reply is a bare integer).

    Never retried here: every accepted start creates a backup (reference 6.3); _backups
    decides what is safe to repeat.
    """
    body = {"Action": "StartManual", "Id": int(configuration_id)}
    with _naming_not_found("backup configuration %s" % configuration_id):
        response = client.request("POST", "backup", "action-requested", body=body, retry=False)
    try:
        return int(response.text.strip().strip('"'))
    except ValueError:
        raise InvalidResponse("POST", response.url, response.status_code, client.masked(response.text),
                              msg="StartManual for backup configuration %s returned no backup id"
                              % configuration_id) from None


def request_stop(client: Any, backup_id: int) -> None:
    """POST StopManual; the API answers 204 (any 2xx is taken as accepted)."""
    body = {"Action": "StopManual", "Id": int(backup_id)}
    with _naming_not_found("backup %s" % backup_id):
        client.request("POST", "backup", "action-requested", body=body, retry=False)


def get_backup(client: Any, backup_id: int) -> dict:
    """GET backup/{id}: the polling endpoint, with current_state."""
    with _naming_not_found("backup %s" % backup_id):
        return _get(client, "backup", backup_id, expect=dict)


def list_completed_backups(client: Any, configuration_id: int) -> List[dict]:
    """GET backup/completed/{configuration}: restorable backups, newest first.

    The API documents no order (reference 3.9); ISO 8601 UTC strings sort as dates do.
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

    The API documents no order (reference 3.12, 8.13): sorted by time of activity, the id
    (ids grow as jobs are created) breaking a tie within a second.
    """
    if agent_id is None:
        items = _get(client, "activity", expect=list)
    else:
        with _naming_not_found("agent %s" % agent_id):
            items = _get(client, "system", "activity", agent_id, expect=list)
    return sorted(items, key=lambda item: (item.get("time_of_activity") or "", item.get("id") or 0), reverse=True)


def _get(client: Any, *segments: Any, expect: type) -> Any:
    """GET ``segments`` and normalize the body; a value we cannot read is an InvalidResponse.

    The wire formats are only partly documented (reference 1.3): a size such as "1,234 KB"
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
