# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every module of the collection.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: what all modules share at their edge with Ansible. ``CloudBackupModule``
adds the connection options (documented once in the ``connection`` doc fragment) with
their environment fallbacks, checks them and the ``requests`` dependency before any HTTP
call, builds the client on first use, and is the one place where a CloudBackupError
becomes ``fail_json``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.errors import NoLogError

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import (
    DEFAULT_IDENTITY_URL,
    DEFAULT_TIMEOUT,
    CloudBackupClient,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._deps import (
    HAS_JMESPATH,
    HAS_REQUESTS,
    JMESPATH_IMPORT_ERROR,
    REQUESTS_IMPORT_ERROR,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError, ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    CONNECTION_PATH_RULES,
    REGIONS,
    WAIT_RULES,
    check,
    check_connection_params,
)
DEFAULT_WAIT_TIMEOUT = 3600
DEFAULT_POLL_INTERVAL = 15


def _env(name: str) -> tuple:
    return (env_fallback, [name])


def connection_argument_spec() -> dict:
    """The shared connection options; keep in step with doc_fragments/connection.py."""
    return dict(
        username=dict(type="str", fallback=_env("RAX_USERNAME")),
        api_key=dict(type="str", no_log=True, fallback=_env("RAX_API_KEY")),
        password=dict(type="str", no_log=True, fallback=_env("RAX_PASSWORD")),
        auth_token=dict(type="str", no_log=True, fallback=_env("RAX_AUTH_TOKEN")),
        tenant_id=dict(type="str", fallback=_env("RAX_TENANT_ID")),
        # No "choices": they would be case-sensitive. CloudBackupModule checks the value.
        region=dict(type="str", fallback=_env("RAX_REGION")),
        identity_url=dict(type="str", default=DEFAULT_IDENTITY_URL, fallback=_env("RAX_IDENTITY_URL")),
        endpoint=dict(type="str", fallback=_env("RAX_CLOUDBACKUP_ENDPOINT")),
        validate_certs=dict(type="bool", default=True, fallback=_env("RAX_VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=_env("RAX_CA_PATH")),
        timeout=dict(type="float", default=DEFAULT_TIMEOUT, fallback=_env("RAX_API_TIMEOUT")),
    )


def wait_argument_spec() -> dict:
    """The options of the ``wait`` doc fragment, for modules that can wait."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="float", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="float", default=DEFAULT_POLL_INTERVAL),
        on_timeout=dict(type="str", choices=["fail", "continue"], default="fail"),
    )


class CloudBackupModule(AnsibleModule):
    """An AnsibleModule with the connection options, their checks and the client.

    ``argument_spec`` holds only the module's own options; the other keyword arguments are
    AnsibleModule's. Construction fails the task (before any HTTP call) when requests is
    missing, the region is unknown, the credentials are incomplete or conflicting, or
    another connection option is bad (see _options.CONNECTION_RULES).

    Every token Identity issues to the client is masked in the module's output like a
    ``no_log`` option, unless ``returns_token`` (cloudbackup_auth hands it on on purpose).
    """

    def __init__(self, argument_spec: Optional[dict] = None, returns_token: bool = False, **kwargs: Any) -> None:
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        # api_key and password are not declared mutually exclusive here: AnsibleModule would
        # count an empty environment variable as given, and AWX injects every variable of a
        # credential type, blank ones as "". check_connection_params() rejects both non-empty.
        super().__init__(argument_spec=spec, **kwargs)
        # A no_log option given as whitespace is masked wherever that whitespace appears, which
        # garbles every message; it is no secret, and _options rejects it by name anyway.
        self.no_log_values.difference_update([value for value in self.no_log_values if isinstance(value, str) and not value.strip()])
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._normalize_region()
        try:
            check_connection_params(self.params)
            check(self.params, CONNECTION_PATH_RULES)  # where the module runs: ca_path exists
        except ConfigurationError as err:
            self.fail_json(**err.fail_kwargs())
        self._client = None
        self._regional_clients: Dict[Tuple[str, Optional[str]], CloudBackupClient] = {}
        self._returns_token = returns_token

    @property
    def client(self) -> CloudBackupClient:
        """The API client, built on first use (it authenticates on its first request)."""
        if self._client is None:
            self._client = CloudBackupClient(self.params, on_secret=self._issued_token)
        return self._client

    def client_for(self, element: dict) -> CloudBackupClient:
        """The client of a batch element's ``region`` (of the same account), or the task's own client.

        The element's ``endpoint`` is that region's Cloud Backup endpoint, when known (the
        run_backup role passes the ones of its login): the token serves every region of the
        account, so no new login is needed. Without it the client logs in to read the catalog.
        One client per region and endpoint for the whole task.
        """
        region, endpoint = element.get("region"), element.get("endpoint")
        region = region.upper() if region else None
        if region is None or region == self.params["region"]:
            # The task's own region, at its own endpoint (which may be one the user gave).
            return self.client
        key = (region, endpoint)
        if key not in self._regional_clients:
            self._regional_clients[key] = CloudBackupClient(dict(self.params, region=region, endpoint=endpoint),
                                                            on_secret=self._issued_token)
        return self._regional_clients[key]

    @property
    def _clients(self) -> List[CloudBackupClient]:
        return ([self._client] if self._client is not None else []) + list(self._regional_clients.values())

    @property
    def secrets(self) -> List[str]:
        """Every secret the task's clients hold."""
        return [secret for client in self._clients for secret in client.secrets]

    @property
    def rate_limited(self) -> int:
        """The requests of this task that the account's rate limit refused (each was sent again)."""
        return sum(client.rate_limited for client in self._clients)

    def _issued_token(self, token: str) -> None:
        if not self._returns_token:
            self.no_log_values.add(token)

    def fail_json(self, msg: str, **kwargs: Any) -> None:  # pylint: disable=arguments-differ
        """AnsibleModule's fail_json; a validation failure that names no option is given the error that does."""
        super().fail_json(_named_validation_error(getattr(self, "validation_result", None), msg), **kwargs)

    def run(self, body: Callable[["CloudBackupModule"], dict]) -> None:
        """Exit with the result ``body(self)`` returns; a CloudBackupError fails the task instead."""
        try:
            if "poll_interval" in self.params:  # the module took wait_argument_spec()
                check(self.params, WAIT_RULES)
            result = body(self)
        except CloudBackupError as err:
            self.fail_json(**err.without(self.secrets).fail_kwargs())
        else:
            self.exit_json(**result)

    def diff(self, before: Any, after: Any) -> dict:
        """``{"diff": {"before": ..., "after": ...}}`` in diff mode, to merge into a result; else {}."""
        return self.diffs({"before": before, "after": after})

    def diffs(self, diff: Any) -> dict:
        """``{"diff": diff}`` in diff mode (one before/after dict, or a list of them), to merge into a result; else {}."""
        return {"diff": diff} if self._diff else {}

    def require_jmespath(self) -> None:
        """Fail the task unless jmespath is installed (only the ``query`` option needs it)."""
        if not HAS_JMESPATH:
            self.fail_json(msg=missing_required_lib("jmespath"), exception=JMESPATH_IMPORT_ERROR)

    def _normalize_region(self) -> None:
        # Users write "dfw" as often as "DFW"; the catalog compares in upper case anyway.
        region = self.params.get("region")
        if not region:
            self.params["region"] = None
        elif region.upper() in REGIONS:
            self.params["region"] = region.upper()
        else:
            self.fail_json(msg="region must be one of %s (in any case), got %s" % (", ".join(REGIONS), region))


def _named_validation_error(validation_result: Any, msg: str) -> str:
    """The first argument spec error that names its option, when ``msg`` is one that does not.

    For a list of dicts given a string (``targets: web1``), ansible-core's first error is a
    NoLogError ("dictionary requested, could not parse JSON or key=value"); the next one
    says which option it is.
    """
    errors = list(getattr(validation_result, "errors", None) or [])
    if not errors or not isinstance(errors[0], NoLogError) or msg != str(errors[0]):
        return msg
    return next((str(error) for error in errors[1:] if not isinstance(error, NoLogError)), msg)
