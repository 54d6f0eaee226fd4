"""Cloud Backup v1.0 restore routes (api-notes: Restores): one small function per route name.

Request bodies use the API's field names; ids may be integers or numeric strings, and a
bad field is answered 400 naming it. Restores of other tenants are 404, like unknown ids;
so are, at a regional endpoint, restores whose source or destination agent is in another
region (README "Regional endpoints").
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Optional, Sequence

from werkzeug.wrappers import Response

from . import restore_views, restores
from .backup_api import Call, parse_action
from .errors import ApiError
from .lifecycle import Restore, RestoreRequest
from .responses import empty, integer_field, read_json
from .scenario import REGIONS

_HEX = re.compile(r"[0-9A-Fa-f]+")
FILTERS = (1, 2)  # include, exclude
FILE_ITEM_TYPES = (0, 1, 2)  # file, folder, database


def _restore(call: Call, restore_id: int) -> Restore:
    restore = call.world.restores.get(restore_id)
    if restore is None or restore.tenant_id != call.tenant_id or not call.world.restore_in_region(restore, call.region):
        raise ApiError(404, "Restore %d was not found%s." % (restore_id, call.where))
    return restore


def _object(body: Any) -> Dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def parse_request(body: Dict[str, Any]) -> RestoreRequest:
    """The fields of PUT restore (and of POST restore, which also names the RestoreId)."""
    path = body.get("DestinationPath")
    if not isinstance(path, str) or not path.strip():
        raise ApiError(400, "DestinationPath must be a non-empty string, got %r." % (path,))
    overwrite = body.get("OverwriteFiles", False)
    if not isinstance(overwrite, bool):
        raise ApiError(400, "OverwriteFiles must be true or false, got %r." % (overwrite,))
    datacenter = body.get("BackupDataCenter")
    if datacenter is not None and datacenter not in REGIONS:
        raise ApiError(400, "BackupDataCenter must be one of %s, got %r." % (", ".join(REGIONS), datacenter))
    return RestoreRequest(
        backup_id=integer_field(body, "BackupId"),
        backup_machine_id=integer_field(body, "BackupMachineId"),
        destination_machine_id=integer_field(body, "DestinationMachineId"),
        destination_path=path,
        overwrite_files=overwrite,
        backup_datacenter=datacenter,
    )


def _choice_field(body: Dict[str, Any], name: str, allowed: Sequence[int]) -> int:
    value = integer_field(body, name)
    if value not in allowed:
        raise ApiError(400, "%s must be one of %s, got %d." % (name, ", ".join(map(str, allowed)), value))
    return value


def _password(body: Dict[str, Any]) -> Optional[str]:
    """The optional EncryptedPassword of a StartManual: hex text, "" counts as none."""
    password = body.get("EncryptedPassword")
    if password in (None, ""):
        return None
    if not isinstance(password, str) or not _HEX.fullmatch(password):
        raise ApiError(400, "EncryptedPassword must be a hex string.")
    return password


# -- routes ------------------------------------------------------------------------------


def restore_create(call: Call) -> Response:
    request = parse_request(_object(read_json(call.request)))
    restore = restores.create(call.world, call.tenant_id, request, call.now, call.region)
    return call.reply(restore_views.restore(call.world, restore, call.now))


def restore_update(call: Call) -> Response:
    """POST restore: every field again plus RestoreId; RestoreStateId is the server's, ignored."""
    body = _object(read_json(call.request))
    restore = _restore(call, integer_field(body, "RestoreId"))
    restores.update(call.world, restore, parse_request(body), call.now, call.region)
    return empty(204)


def restore_files_add(call: Call) -> Response:
    body = _object(read_json(call.request))
    path = body.get("FilePath")
    if not isinstance(path, str) or not path.strip():
        raise ApiError(400, "FilePath must be a non-empty string, got %r." % (path,))
    include_filter = _choice_field(body, "Filter", FILTERS)
    item_type = _choice_field(body, "FileItemType", FILE_ITEM_TYPES)
    restore = _restore(call, integer_field(body, "ParentId"))
    restores.add_file(restore, restore_views.file_item(restore.id, path, include_filter, item_type), call.now)
    return empty(200)


def restore_files_list(call: Call) -> Response:
    return call.reply(_restore(call, call.args["restore_id"]).files)


def restore_delete(call: Call) -> Response:
    return empty(restores.delete(call.world, _restore(call, call.args["restore_id"]), call.now))


def restore_action(call: Call) -> Response:
    """POST restore/action-requested: StartManual or StopManual of a RestoreId; 204 for both."""
    body = read_json(call.request)
    action, restore_id = parse_action(body)
    restore = _restore(call, restore_id)
    if action == "StartManual":
        restores.start(call.world, restore, _password(body), call.now)
        return empty(204)
    return empty(restores.stop(call.world, restore, call.now))


def restore_get(call: Call) -> Response:
    return call.reply(restore_views.restore(call.world, _restore(call, call.args["restore_id"]), call.now))


def restore_report(call: Call) -> Response:
    restore = _restore(call, call.args["restore_id"])
    if not restore.is_terminal_at(call.now) and call.world.settings.report_before_terminal == 404:
        raise ApiError(404, "The report of restore %d is not available yet." % restore.id)
    return call.reply(restore_views.report(call.world, restore, call.now))


HANDLERS: Dict[str, Callable[[Call], Response]] = {
    "restore.create": restore_create,
    "restore.update": restore_update,
    "restore.files_add": restore_files_add,
    "restore.files_list": restore_files_list,
    "restore.delete": restore_delete,
    "restore.start": restore_action,
    "restore.stop": restore_action,
    "restore.action": restore_action,
    "restore.get": restore_get,
    "restore.report": restore_report,
}
