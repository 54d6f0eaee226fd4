"""Identity v2.0: POST /v2.0/tokens (api-notes: Identity)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from werkzeug.wrappers import Request, Response

from .model import Token, World
from .responses import identity_fault, json_response
from .scenario import REGIONS, TenantSpec, UserSpec
from .wire import iso8601

_BAD_REQUEST = "Invalid request body: unable to parse Auth data. Please review XML or JSON formatting"
_UNAUTHORIZED = "Unable to authenticate user with credentials provided."
# (credentials key, secret field, UserSpec attribute, RAX-AUTH:authenticatedBy value)
_CREDENTIALS = (
    ("RAX-KSKEY:apiKeyCredentials", "apiKey", "api_key", "APIKEY"),
    ("passwordCredentials", "password", "password", "PASSWORD"),
)


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def tokens(world: World, request: Request, now: float, base_url: str) -> Response:
    """Authenticate by API key, password or an existing token and return the catalog."""
    try:
        tenant, user, method = _authenticate(world, _auth_block(request), now)
    except _Refused as refused:
        return refused.response
    token = world.issue_token(tenant, user, method, now)
    settings = world.settings
    return json_response(
        {"access": _access(token, base_url, settings.catalog_global_entry, settings.regional_endpoints)}
    )


def _auth_block(request: Request) -> Dict[str, Any]:
    try:
        auth = json.loads(request.get_data(cache=True).decode("utf-8"))["auth"]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        auth = None
    if not isinstance(auth, dict):
        raise _Refused(identity_fault(400, "badRequest", _BAD_REQUEST))
    return auth


def _authenticate(world: World, auth: Dict[str, Any], now: float) -> Tuple[TenantSpec, UserSpec, str]:
    for key, field, attribute, method in _CREDENTIALS:
        if key in auth:
            username, secret = _pair(auth[key], field)
            found = world.find_user(username)
            expected = getattr(found[1], attribute) if found else None
            if not expected or expected != secret:  # a user without that credential cannot use it
                raise _Refused(identity_fault(401, "unauthorized", _UNAUTHORIZED))
            return found[0], found[1], method
    if "token" in auth:
        return _rescope(world, auth, now)
    raise _Refused(identity_fault(400, "badRequest", _BAD_REQUEST))


def _pair(credentials: Any, field: str) -> Tuple[str, str]:
    values = (credentials.get("username"), credentials.get(field)) if isinstance(credentials, dict) else (None, None)
    if not all(isinstance(value, str) for value in values):
        raise _Refused(identity_fault(400, "badRequest", _BAD_REQUEST))
    return values


def _rescope(world: World, auth: Dict[str, Any], now: float) -> Tuple[TenantSpec, UserSpec, str]:
    """{"auth": {"tenantId": ..., "token": {"id": ...}}} (api-notes: Identity)."""
    token_id = auth["token"].get("id") if isinstance(auth["token"], dict) else None
    token: Optional[Token] = world.valid_token(token_id, now)
    tenant = auth.get("tenantId", auth.get("tenantName"))
    if token is None or tenant not in (None, token.tenant.id):
        raise _Refused(identity_fault(401, "unauthorized", _UNAUTHORIZED))
    return token.tenant, token.user, token.method


def _access(token: Token, base_url: str, global_entry: bool, regional: bool) -> Dict[str, Any]:
    tenant, user = token.tenant, token.user
    return {
        "token": {
            "id": token.id,
            "expires": iso8601(token.expires),
            "tenant": {"id": tenant.id, "name": tenant.id},
            "RAX-AUTH:authenticatedBy": [token.method],
        },
        "serviceCatalog": catalog(base_url, tenant.id, global_entry, regional),
        "user": {
            "id": user.id,
            "name": user.username,
            "RAX-AUTH:defaultRegion": user.default_region,
            "roles": [
                {"id": str(index + 1), "name": role, "description": "Scenario role %s." % role}
                for index, role in enumerate(user.roles)
            ],
        },
    }


def catalog(base_url: str, tenant_id: str, global_entry: bool = True, regional: bool = False) -> List[Dict[str, Any]]:
    """cloudBackup between two unrelated services, so clients must search, not index.

    With ``regional`` (settings.regional_endpoints) each region's cloudBackup URL is its own,
    ``<base>/<region in lower case>/v1.0/<tenant>``, as each real region has its own host;
    the region-less entry keeps the unprefixed URL, which answers for every region."""
    backup_url = "%s/v1.0/%s" % (base_url, tenant_id)
    # The region-less endpoint comes first, as in the documented sample (api-notes: Identity).
    regionless = [{"publicURL": backup_url, "tenantId": tenant_id}] if global_entry else []

    def region_url(region: str) -> str:
        return "%s/%s/v1.0/%s" % (base_url, region.lower(), tenant_id) if regional else backup_url

    files_tenant = "MossoCloudFS_%s" % tenant_id
    return [
        {
            "name": "cloudFiles",
            "type": "object-store",
            "endpoints": [
                _endpoint(region, files_tenant, "%s/cloudFiles/v1/%s" % (base_url, files_tenant)) for region in REGIONS
            ],
        },
        {
            "name": "cloudBackup",
            "type": "rax:backup",
            "endpoints": regionless + [_endpoint(region, tenant_id, region_url(region)) for region in REGIONS],
        },
        {
            "name": "cloudServersOpenStack",
            "type": "compute",
            "endpoints": [
                _endpoint(region, tenant_id, "%s/cloudServers/v2/%s" % (base_url, tenant_id)) for region in REGIONS
            ],
        },
    ]


def _endpoint(region: str, tenant_id: str, url: str) -> Dict[str, str]:
    return {"publicURL": url, "region": region, "tenantId": tenant_id}
