"""URL routing and route names.

Route names are a fixed contract (docs/dev/architecture.md): the request log and fault
matching use them, and other engineers' tests refer to them.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

IDENTITY_PREFIX = "/v2.0"
BACKUP_PREFIX = "/v1.0"
CONTROL_PREFIX = "/_simulator"
# The regions of the service; each has its own endpoint "/<region in lower case>/v1.0/..."
# when settings.regional_endpoints is on (README "Regional endpoints").
REGIONS = ("DFW", "ORD", "IAD", "LON", "SYD", "HKG")
_REGION_SEGMENTS = {region.lower(): region for region in REGIONS}

# backup/action-requested and restore/action-requested are each one URL for two routes:
# the body's Action picks the name; any other Action is logged under the rule's name.
ACTION_RULE = "backup.action"
RESTORE_ACTION_RULE = "restore.action"
ACTION_ROUTES = {
    ACTION_RULE: {"StartManual": "backup.start", "StopManual": "backup.stop"},
    RESTORE_ACTION_RULE: {"StartManual": "restore.start", "StopManual": "restore.stop"},
}
ACTIONS = ACTION_ROUTES[ACTION_RULE]

_BACKUP_RULES = [
    ("/agent/<int:agent_id>", "agent.get", "GET"),
    ("/agent/server/<server_id>", "agent.get_by_server", "GET"),
    ("/user/agents", "agent.list", "GET"),
    ("/user/wakeupagents", "agent.wake", "POST"),
    ("/backup-configuration", "configuration.list", "GET"),
    ("/backup-configuration", "configuration.create", "POST"),
    ("/backup-configuration/system/<int:agent_id>", "configuration.list_for_agent", "GET"),
    ("/backup-configuration/<int:configuration_id>", "configuration.get", "GET"),
    ("/backup-configuration/<int:configuration_id>", "configuration.update", "PUT"),
    ("/backup-configuration/<int:configuration_id>", "configuration.delete", "DELETE"),
    ("/backup-configuration/enable/<int:configuration_id>", "configuration.enable", "POST"),
    ("/backup/action-requested", ACTION_RULE, "POST"),
    ("/backup/<int:backup_id>", "backup.get", "GET"),
    ("/backup/completed/<int:configuration_id>", "backup.completed", "GET"),
    ("/backup/report/<int:backup_id>", "backup.report", "GET"),
    ("/backup/availableforrestore", "backup.available_for_restore", "GET"),
    ("/system/activity/<int:agent_id>", "activity.agent", "GET"),
    ("/activity", "activity.user", "GET"),
    ("/restore", "restore.create", "PUT"),
    ("/restore", "restore.update", "POST"),
    ("/restore/files", "restore.files_add", "PUT"),
    ("/restore/files/<int:restore_id>", "restore.files_list", "GET"),
    ("/restore/files/<int:restore_id>", "restore.delete", "DELETE"),
    ("/restore/action-requested", RESTORE_ACTION_RULE, "POST"),
    ("/restore/<int:restore_id>", "restore.get", "GET"),
    ("/restore/report/<int:restore_id>", "restore.report", "GET"),
]
_IDENTITY_RULES = [("/tokens", "identity.tokens", "POST")]

ROUTE_NAMES = tuple(
    sorted(
        {name for _rule, name, _method in _IDENTITY_RULES + _BACKUP_RULES if name not in ACTION_ROUTES}
        | {name for actions in ACTION_ROUTES.values() for name in actions.values()}
    )
)
# Random faults leave these alone unless they are named: a soak test is about Cloud Backup.
IDENTITY_ROUTES = tuple(name for _rule, name, _method in _IDENTITY_RULES)
# First path segments of Cloud Backup resources: anything else after /v1.0/ is a tenant.
_RESOURCE_ROOTS = frozenset(rule.split("/")[1] for rule, _name, _method in _BACKUP_RULES)


def _map(rules: list) -> Map:
    # No slash redirects: a client of a JSON API would not follow them; we normalise instead.
    rules = [Rule(path, endpoint=name, methods=[method]) for path, name, method in rules]
    return Map(rules, strict_slashes=False, merge_slashes=False)


_BACKUP_MAP = _map(_BACKUP_RULES)
_IDENTITY_MAP = _map(_IDENTITY_RULES)


@dataclass
class Match:
    """Where a request goes: an API route with its path arguments, or a routing error."""

    api: str  # "identity" or "backup"
    route: Optional[str] = None
    args: Dict[str, Any] = field(default_factory=dict)
    tenant: Optional[str] = None
    error: Optional[HTTPException] = None
    region: Optional[str] = None  # "ORD" for a request under "/ord/v1.0"; None for the unprefixed endpoint


def match(method: str, path: str) -> Optional[Match]:
    """Route an API request; None for paths outside the two APIs (control path, junk).

    A Cloud Backup path may start with a region ("/ord/v1.0/..."): the Match names it, and
    the same route as the unprefixed path; whether regional endpoints exist is the caller's
    decision (settings.regional_endpoints)."""
    if _under(path, IDENTITY_PREFIX):
        return _bind(_IDENTITY_MAP, "identity", method, path[len(IDENTITY_PREFIX) :], None)
    region, path = _split_region(path)
    if _under(path, BACKUP_PREFIX):
        rest, tenant = _split_tenant(path[len(BACKUP_PREFIX) :])
        return _bind(_BACKUP_MAP, "backup", method, rest, tenant, region)
    return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _split_region(path: str) -> Tuple[Optional[str], str]:
    """A regional endpoint's path to its region and the unprefixed path:
    "/ord/v1.0/123456/user/agents" -> ("ORD", "/v1.0/123456/user/agents"). The region segment
    is lower case, as in the catalog's URLs. Any other path: (None, path)."""
    segments = path.split("/", 2)
    if len(segments) == 3 and segments[1] in _REGION_SEGMENTS and _under("/" + segments[2], BACKUP_PREFIX):
        return _REGION_SEGMENTS[segments[1]], "/" + segments[2]
    return None, path


def _split_tenant(rest: str) -> tuple:
    """The tenant segment is optional (api-notes: URLs and headers): "/123456/user/agents" == "/user/agents"."""
    segments = rest.split("/")
    if len(segments) > 2 and segments[1] and segments[1] not in _RESOURCE_ROOTS:
        return "/" + "/".join(segments[2:]), segments[1]
    return rest, None


def _strip_suffixes(rest: str) -> str:
    """Accept the documented ".json" suffix and a trailing slash (api-notes: URLs and headers)."""
    rest = rest[: -len(".json")] if rest.endswith(".json") else rest
    return rest.rstrip("/") or "/"


def _bind(url_map: Map, api: str, method: str, rest: str, tenant: Optional[str], region: Optional[str] = None) -> Match:
    adapter = url_map.bind("simulator", "/")
    try:
        route, args = adapter.match(_strip_suffixes(rest), method=method)
    except HTTPException as error:  # NotFound or MethodNotAllowed
        return Match(api, tenant=tenant, error=error, region=region)
    return Match(api, route, args, tenant, region=region)


def action_route(rule: str, action: Any) -> str:
    """The route name of an action-requested call (``rule``), from its body's Action."""
    return ACTION_ROUTES[rule].get(action, rule) if isinstance(action, str) else rule


def routes_matching(pattern: str) -> Tuple[str, ...]:
    """The route names an fnmatch pattern such as "backup.*" stands for (case-sensitive, like the names)."""
    return tuple(name for name in ROUTE_NAMES if fnmatch.fnmatchcase(name, pattern))
