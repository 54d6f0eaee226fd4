"""Who may call a Cloud Backup route: token, tenant and RBAC checks (api-notes: URLs and headers, Roles (RBAC))."""

from __future__ import annotations

from typing import Iterable, Optional

from .errors import ApiError
from .model import Token, World

READ, WRITE, ADMIN = 1, 2, 3

# Role names are compared case-insensitively: the docs spell them cloudBackup:* and
# cloudbackup:*. The broadest role wins (api-notes: Roles (RBAC)).
_ROLE_LEVELS = {
    "cloudbackup:observer": READ,
    "observer": READ,
    "cloudbackup:creator": WRITE,
    "cloudbackup:admin": ADMIN,
    "admin": ADMIN,
    "identity:user-admin": ADMIN,
}
# Every GET needs observer; deleting a configuration needs admin; other writes creator.
_ROUTE_LEVELS = {"configuration.delete": ADMIN}


def required_level(method: str, route: Optional[str]) -> int:
    return _ROUTE_LEVELS.get(route or "", READ if method == "GET" else WRITE)


def role_level(roles: Iterable[str]) -> int:
    return max((_ROLE_LEVELS.get(role.lower(), 0) for role in roles), default=0)


def authorize(
    world: World, token_id: Optional[str], path_tenant: Optional[str], method: str, route: Optional[str], now: float
) -> Token:
    """The caller's token, or ApiError 401/403 (the tenant mismatch status is a setting)."""
    if not token_id:
        raise ApiError(401, "The X-Auth-Token header is required.")
    token = world.valid_token(token_id, now)
    if token is None:
        raise ApiError(401, "The token is invalid or has expired.")
    if path_tenant is not None and path_tenant != token.tenant.id:
        # Undocumented (api-notes: URLs and headers): 403 by default.
        raise ApiError(world.settings.tenant_mismatch_status, "The token is not valid for tenant %s." % path_tenant)
    if world.settings.rbac and role_level(token.user.roles) < required_level(method, route):
        raise ApiError(403, "User %s is not authorized to perform this action." % token.user.username)
    return token
