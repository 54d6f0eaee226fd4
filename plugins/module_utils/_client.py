# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP session to Identity v2.0 and Cloud Backup v1.0.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: turn connection options into authenticated, well-formed requests.
``CloudBackupClient`` logs in (or takes a token as given), picks the Cloud Backup endpoint
from the service catalog, reuses the token, renews it once on a 401, gives every request a
timeout and quotes every path segment, and retries what is safe to retry with backoff and
``Retry-After``. Replies that are not 2xx become exceptions through ``error_for_response``.
It never calls ``fail_json`` and never puts a secret in a URL, a message or a log: every
error it raises has the secrets it knows masked (a server may echo a token in an error
body), and ``on_secret`` hears of each token the moment Identity issues it.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import json
import random
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union
from urllib.parse import quote, urlsplit

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._deps import requests, urllib3
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    AuthenticationError,
    CloudBackupError,
    EndpointNotFound,
    InvalidResponse,
    TransportError,
    api_message,
    error_for_response,
    excerpt,
    is_rate_limited,
    mask_secrets,
    redact_url,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._normalize import parse_iso8601_utc
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import check_connection_params

# Keep in step with galaxy.yml (a unit test compares them): it names us in User-Agent.
COLLECTION_VERSION = "0.3.0"
DEFAULT_IDENTITY_URL = "https://identity.api.rackspacecloud.com/v2.0/"
DEFAULT_TIMEOUT = 30
# Both the service name and the type identify the entry; clients differ in which they
# match, so either will do (api-notes: Identity).
CATALOG_NAME = "cloudBackup"
CATALOG_TYPE = "rax:backup"

# Statuses worth another try (api-notes: Errors and retries), for GETs and for requests marked retry=True:
#   500       the API's generic "Instance Fault", which may wrap a passing failure;
#   502, 504  the load balancer lost or timed out the backend: the API may never have seen it;
#   503       "Service Unavailable", documented on every operation.
# A refusal for the account's rate limit (every 429, a 413 overLimit: _errors.is_rate_limited)
# is sent again whatever the method: nothing was done.
RETRY_STATUSES = frozenset((500, 502, 503, 504))
# Attempts in all, the first included: a blip is retried, an outage fails within seconds.
# Rate-limit refusals are not counted: a throttled account is slow, not down, so only the
# time (RETRY_BUDGET, the task's deadline) bounds them.
RETRY_ATTEMPTS = 5
# Backoff before retry n is up to BACKOFF_BASE * BACKOFF_FACTOR ** (n - 1) seconds (1, 2,
# 4, 8), never more than BACKOFF_CAP; half of it is random so that the hosts of one play
# that failed together do not retry together.
BACKOFF_BASE = 1.0
BACKOFF_FACTOR = 2.0
BACKOFF_CAP = 30.0
# A Retry-After over a minute is cut to a minute: a task silent for longer looks hung (AWX
# may kill it), and a server that asks that much is often back sooner. RETRY_BUDGET and
# RETRY_ATTEMPTS still bound the whole retrying.
RETRY_AFTER_CAP = 60.0
# The most one request may spend retrying, measured on the monotonic clock.
RETRY_BUDGET = 120.0

_RequestFailure = Union[Exception, None]


class CloudBackupClient:
    """Authenticated access to the Cloud Backup API of one account and region.

    ``params`` are the module's connection options (see the ``connection`` doc fragment).
    With username plus api_key (or password) the client logs in to Identity when first
    needed and takes the endpoint from the catalog. With auth_token plus tenant_id it uses
    the token as given and needs ``endpoint``; when credentials are given as well, the
    token is used first and the credentials only renew it after a 401 (the run_backup role
    authenticates once per play that way). ``on_secret`` is called with every token
    Identity issues, before it is used. ``sleep`` and ``clock`` exist for tests.
    """

    def __init__(self, params: dict, session: Any = None,
                 sleep: Callable[[float], Any] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 on_secret: Callable[[str], Any] = lambda secret: None) -> None:
        check_connection_params(params)
        self._username = params.get("username")
        self._api_key = params.get("api_key")
        self._password = params.get("password")
        self._region = params.get("region")
        self._identity_url = tokens_url(params.get("identity_url") or DEFAULT_IDENTITY_URL)
        self._endpoint_override = (params.get("endpoint") or "").rstrip("/") or None
        self._timeout = params.get("timeout") or DEFAULT_TIMEOUT
        self._verify = _verify_setting(params)
        self._session = session
        self._sleep = sleep
        self._clock = clock
        self._token = params.get("auth_token")
        self._tenant_id = params.get("tenant_id")
        self._token_expires = None
        self._default_region = None
        self._access: Optional[dict] = None  # Identity's last reply: the service catalog
        self._endpoint = self._endpoint_override
        self._on_secret = on_secret
        self._secrets = [value for value in (self._api_key, self._password, self._token) if value]
        # Retries of one request end by this moment (on self._clock) too: see retrying_within.
        self._retry_deadline: Optional[float] = None
        # After a rate-limit refusal, no request of that method leaves before this moment (on
        # self._clock): the whole batch of a module run slows down instead of each of its
        # requests meeting the limit in turn.
        self._held_until: dict = {}
        self.rate_limited = 0  # refusals for the account's rate limit met so far

    @property
    def endpoint(self) -> str:
        """The Cloud Backup base URL (normally .../v1.0/{tenant}), without a trailing slash."""
        self._ensure_authenticated()
        return self._endpoint

    @property
    def token(self) -> str:
        """The token sent as X-Auth-Token: the one given, or the one Identity issued."""
        self._ensure_authenticated()
        return self._token

    @property
    def tenant_id(self) -> str:
        """The account number: from Identity after a login, else the tenant_id option."""
        self._ensure_authenticated()
        return self._tenant_id

    @property
    def token_expires(self) -> Optional[str]:
        """When the token expires (ISO 8601 UTC, "2026-03-02T07:11:19Z"); None for a token given as an option."""
        self._ensure_authenticated()
        return self._token_expires

    @property
    def region(self) -> Optional[str]:
        """The region option, else the user's default region from Identity; None when neither is known."""
        self._ensure_authenticated()
        region = self._region or self._default_region
        return region.upper() if region else None

    @property
    def regional_endpoints(self) -> Dict[str, str]:
        """The Cloud Backup v1.0 endpoint of each region in the catalog, by region; {} without a login (a token given)."""
        self._ensure_authenticated()
        if self._access is None:
            return {}
        return {endpoint["region"].upper(): endpoint["publicURL"].rstrip("/")
                for endpoint in _regional_backup_endpoints(self._access)}

    @property
    def timeout(self) -> float:
        """Seconds one request may wait for a reply (the timeout option)."""
        return self._timeout

    @property
    def secrets(self) -> List[str]:
        """Every secret the client holds: the credentials, the token given, each token issued."""
        return list(self._secrets)

    @contextlib.contextmanager
    def retrying_within(self, seconds: float) -> Iterator[None]:
        """Within the block, no request retries past ``seconds`` from now: a wait keeps its deadline."""
        outer = self._retry_deadline
        deadline = self._clock() + max(seconds, 0.0)
        self._retry_deadline = deadline if outer is None else min(outer, deadline)
        try:
            yield
        finally:
            self._retry_deadline = outer

    def authenticate(self) -> None:
        """Log in to Identity now if credentials are at hand (a given token needs no call)."""
        if not self._has_credentials():
            return
        access = self._login()
        token = access["token"]
        self._keep_secret(token["id"])
        self._token = token["id"]
        self._tenant_id = str(token["tenant"]["id"])
        self._token_expires = _utc_expiry(token.get("expires"))
        self._default_region = (access.get("user") or {}).get("RAX-AUTH:defaultRegion")
        self._access = access
        self._endpoint = self._endpoint_override or catalog_endpoint(access, self._region)

    def request(self, method: str, *segments: Any, body: Any = None, retry: Optional[bool] = None) -> Any:
        """Send one API request and return its 2xx ``requests.Response``.

        Segments are quoted and joined under the endpoint. ``retry=None`` retries GETs only:
        a POST may create something, so the caller must say that repeating it is harmless.
        """
        method = method.upper()
        retry = method == "GET" if retry is None else retry
        response = self._send(method, self.url(*segments), body, retry, authenticated=True)
        if response.status_code == 401 and self._has_credentials():
            # The token expired or was revoked since it was issued: one new login, one more try.
            self.authenticate()
            response = self._send(method, self.url(*segments), body, retry, authenticated=True)
        if response.status_code == 401:
            raise self._token_rejected(method, response)
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, self.masked(response.text))
        return response

    def get_json(self, *segments: Any, expect: Optional[type] = None) -> Any:
        """GET and decode JSON of type ``expect``; a garbled body is fetched again, like a 5xx.

        A proxy's HTML page or a body cut short answers 200 now and then; after the last
        try, InvalidResponse.
        """
        return self._read_retrying(lambda: self.request("GET", *segments),
                                   lambda response: _json_of(response, expect, self.masked(response.text)))

    def _read_retrying(self, send: Callable[[], Any], read: Callable[[Any], Any]) -> Any:
        """``read(send())``, sent again with backoff while ``read`` raises InvalidResponse."""
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            response = send()
            try:
                return read(response)
            except InvalidResponse as err:
                delay = self._retry_delay(attempt, started, None) if err.transient else None
                if delay is None:
                    raise
            self._sleep(delay)

    def masked(self, text: Optional[str]) -> Optional[str]:
        """``text`` (a reply body) with every secret the client holds masked: a server may echo them."""
        return mask_secrets(text, self._secrets)

    def _keep_secret(self, secret: str) -> None:
        self._secrets.append(secret)
        self._on_secret(secret)

    def _has_credentials(self) -> bool:
        return bool(self._username and (self._api_key or self._password))

    def _ensure_authenticated(self) -> None:
        if self._token is None or self._endpoint is None:
            self.authenticate()

    def url(self, *segments: Any) -> str:
        """The API URL of ``segments``, each one quoted."""
        # safe='' quotes "/" too: an id can never reach another path than the one meant.
        return "/".join([self.endpoint] + [quote(str(segment), safe="") for segment in segments])

    def _login(self) -> dict:
        """POST the credentials to Identity and return the ``access`` object of its reply."""
        return self._read_retrying(
            lambda: self._send("POST", self._identity_url, self._credentials_body(), retry=True, authenticated=False),
            self._access_or_error)

    def _access_or_error(self, response: Any) -> dict:
        if response.status_code == 401:
            raise self._credentials_refused(response)
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, self.masked(response.text))
        access = _access_from(response)
        if access is None:
            # The body is not quoted: it may hold a token.
            raise InvalidResponse("POST", self._identity_url, response.status_code, None,
                                  msg="Identity's reply to POST %s has no access.token with an id and a tenant"
                                  % self._identity_url)
        return access

    def _credentials_body(self) -> dict:
        # API keys are preferred: multi-factor authentication never applies to them (api-notes: Identity).
        if self._api_key:
            return {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": self._username, "apiKey": self._api_key}}}
        return {"auth": {"passwordCredentials": {"username": self._username, "password": self._password}}}

    def _credentials_refused(self, response: Any) -> AuthenticationError:
        msg = "Identity refused the credentials for user %s" % self._username
        if "OS-MF" in response.headers.get("WWW-Authenticate", ""):
            msg += " (the user has multi-factor authentication: use api_key instead of password)"
        text = self.masked(response.text)
        message = api_message(text)
        if message:
            msg = "%s: %s" % (msg, message)
        return AuthenticationError(msg, status=401, method="POST", url=redact_url(self._identity_url),
                                   body=excerpt(text))

    def _token_rejected(self, method: str, response: Any) -> AuthenticationError:
        url = redact_url(response.url)
        if self._has_credentials():
            msg = ("Cloud Backup rejected the token for %s %s even right after a new login: check that user %s "
                   "has a Cloud Backup role on this account" % (method, url, self._username))
        else:
            msg = ("Cloud Backup rejected the token for %s %s (expired or revoked?): get a new auth_token, "
                   "or give username and api_key so that it can be renewed" % (method, url))
        return AuthenticationError(msg, status=401, method=method, url=url, body=excerpt(self.masked(response.text)))

    def _send(self, method: str, url: str, body: Any, retry: bool, authenticated: bool) -> Any:
        """Send, retrying transient failures when ``retry``; return the last reply.

        Without ``retry``, only a reply that says nothing was done (a rate-limit refusal) is retried.
        """
        started = self._clock()
        attempt = 0
        while True:
            self._keep_to_rate_limit(method)
            response, failure = self._attempt(method, url, body, authenticated)
            limited = is_rate_limited(response)
            attempt += 1
            worth_retrying = is_transient(response, failure) if retry else limited
            delay = self._retry_delay(attempt, started, response) if worth_retrying else None
            if limited:
                self.rate_limited += 1
                hold = delay if delay is not None else retry_after_seconds(response) or backoff_delay(attempt)
                self._held_until[method] = self._clock() + hold
            if delay is None:
                break
            self._sleep(delay)
        if failure is not None:
            # The reason may quote a header (the token) the request was refused for.
            raise TransportError(method, url, self.masked(_failure_reason(failure, self._timeout)),
                                 sent=not never_connected(failure), transient=is_transient(None, failure))
        return response

    def _attempt(self, method: str, url: str, body: Any, authenticated: bool) -> Tuple[Any, _RequestFailure]:
        """One HTTP exchange: (response, None), or (None, the exception) when no reply came."""
        headers = request_headers(method, body, self._token if authenticated else None)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        if data is None and method in ("POST", "PUT"):
            data = b""
        try:
            return self._http().request(method, url, headers=headers, data=data,
                                        timeout=self._timeout, verify=self._verify), None
        except requests.exceptions.RequestException as exc:
            return None, exc

    def _keep_to_rate_limit(self, method: str) -> None:
        """Wait until a rate-limit refusal's Retry-After has passed for ``method`` (within the deadline)."""
        wait = self._held_until.get(method, 0.0) - self._clock()
        if self._retry_deadline is not None:
            wait = min(wait, self._retry_deadline - self._clock())
        if wait > 0:
            self._sleep(wait)

    def _retry_delay(self, attempt: int, started: float, response: Any) -> Optional[float]:
        """Seconds to wait before another attempt, or None when the attempts or the time are used up."""
        if attempt >= RETRY_ATTEMPTS and not is_rate_limited(response):
            return None
        delay = retry_after_seconds(response)
        if not delay:
            # Without a Retry-After, or with one of 0 (a date already past), back off all the
            # same: a refusal resent at once would only be refused again.
            delay = backoff_delay(attempt) if delay is None or is_rate_limited(response) else delay
        now = self._clock()
        if now - started + delay > RETRY_BUDGET:
            return None
        if self._retry_deadline is not None and now + delay > self._retry_deadline:
            return None
        return delay

    def _http(self) -> Any:
        if self._session is None:
            self._session = requests.Session()
        return self._session


def by_client(items: List[Any], client_for: Callable[[Any], "CloudBackupClient"]) -> List[Tuple[Any, List[Any]]]:
    """``items`` grouped by the client that reaches each (``client_for(item)``: its region's), in order of first appearance.

    Each group is one batch of a fleet job: one set of reads, one wake-up. A
    CloudBackupError raised for an item (its connection settings are bad) takes the place
    of its client, so a caller can fail that batch alone.
    """
    groups: Dict[int, Tuple[Any, List[Any]]] = {}
    for item in items:
        try:
            client: Any = client_for(item)
        except CloudBackupError as err:
            client = err
        groups.setdefault(id(client), (client, []))[1].append(item)
    return list(groups.values())


def by_region(client_for: Callable[[Any], "CloudBackupClient"], items: List[Any]) -> Iterator[Tuple[Any, List[Any]]]:
    """``items`` grouped as by_client, for a wait: bad connection settings of a region fail the wait."""
    for client, region_items in by_client(items, client_for):
        if isinstance(client, CloudBackupError):
            raise client
        yield client, region_items


def per_region(specs: List[dict], client_for: Callable[[dict], "CloudBackupClient"],
               start_batch: Callable[[Any, List[dict]], List[Any]],
               failed: Callable[[dict, CloudBackupError], Any],
               started: Callable[[Any], Any]) -> List[Tuple[Optional[str], Any]]:
    """``(endpoint, outcome)`` of every spec, in order: ``start_batch(client, specs)`` once per region.

    A fleet job's start: each region's specs are one batch, with its own reads and wake-up.
    When that batch cannot run (its region's list, its credentials, its endpoint), its own
    specs get ``failed(spec, error)`` and the other regions go on; with a single region,
    the error is the task's. ``endpoint`` is where a later task follows the job: its
    region's endpoint when the spec names a region and ``started(outcome)``, else None.
    """
    results: List[Tuple[Optional[str], Any]] = [(None, None)] * len(specs)
    regions = by_client(list(enumerate(specs)), lambda indexed_spec: client_for(indexed_spec[1]))
    for region_client, indexed in regions:
        batch = [spec for index, spec in indexed]
        try:
            if isinstance(region_client, CloudBackupError):
                raise region_client
            outcomes = start_batch(region_client, batch)
        except CloudBackupError as err:
            if len(regions) == 1:
                raise
            outcomes = [failed(spec, err) for spec in batch]
        for (index, spec), outcome in zip(indexed, outcomes):
            endpoint = region_client.endpoint if spec.get("region") and started(outcome) else None
            results[index] = (endpoint, outcome)
    return results


@contextlib.contextmanager
def all_retrying_within(clients: List["CloudBackupClient"], seconds: float) -> Iterator[None]:
    """CloudBackupClient.retrying_within for each of ``clients`` at once: no region's retries outlast a wait."""
    with contextlib.ExitStack() as stack:
        for client in clients:
            stack.enter_context(client.retrying_within(seconds))
        yield


def _json_of(response: Any, expect: Optional[type], text: str) -> Any:
    """The decoded body of a 2xx reply; InvalidResponse if it is not JSON (or not of type ``expect``).

    ``text`` is the body as an error may show it. Valid JSON of another type will be the
    same on the next try: that error is not transient.
    """
    try:
        data = response.json()
    except ValueError:
        raise InvalidResponse("GET", response.url, response.status_code, text) from None
    if expect is not None and not isinstance(data, expect):
        error = InvalidResponse("GET", response.url, response.status_code, text,
                                msg="GET %s returned JSON %s where %s was expected"
                                % (redact_url(response.url), type(data).__name__, expect.__name__))
        error.transient = False
        raise error
    return data


def _access_from(response: Any) -> Optional[dict]:
    """The ``access`` object of an Identity reply, or None when it lacks a token id and tenant."""
    try:
        access = response.json()["access"]
        token = access["token"]
        return access if token["id"] and token["tenant"]["id"] is not None else None
    except (ValueError, KeyError, TypeError):
        return None


def _utc_expiry(expires: Optional[str]) -> Optional[str]:
    # Identity writes "Z" or an offset (api-notes: Identity). The expiry is only shown to the user,
    # so a form we do not know is passed on as given rather than failing the login.
    try:
        return parse_iso8601_utc(expires)
    except ValueError:
        return expires


def tokens_url(identity_url: str) -> str:
    """The token URL for an identity_url given as https://host, .../v2.0(/) or .../v2.0/tokens(/)."""
    base = identity_url.rstrip("/")
    if base.endswith("/tokens"):
        return base
    if not base.endswith("/v2.0"):
        base += "/v2.0"
    return base + "/tokens"


def catalog_endpoint(access: dict, region: Optional[str]) -> str:
    """The publicURL of the Cloud Backup v1.0 endpoint for ``region`` (default: the user's)."""
    wanted = (region or (access.get("user") or {}).get("RAX-AUTH:defaultRegion") or "").upper()
    if not wanted:
        raise EndpointNotFound("no region given and Identity names no default region for this user: set region")
    endpoints = _regional_backup_endpoints(access)
    for endpoint in endpoints:
        if endpoint["region"].upper() == wanted:
            return endpoint["publicURL"].rstrip("/")
    available = sorted({endpoint["region"].upper() for endpoint in endpoints})
    raise EndpointNotFound("the service catalog has no Cloud Backup v1.0 endpoint for region %s; regions available: %s"
                           % (wanted, ", ".join(available) or "none"), region=wanted, available_regions=available)


def _regional_backup_endpoints(access: dict) -> list:
    # The region-less entry is the legacy global host (api-notes: Identity): never the one to use.
    found = []
    for service in access.get("serviceCatalog") or []:
        if service.get("name") == CATALOG_NAME or service.get("type") == CATALOG_TYPE:
            found.extend(endpoint for endpoint in service.get("endpoints") or []
                         if endpoint.get("region") and _is_v1_url(endpoint.get("publicURL")))
    return found


def _is_v1_url(url: Any) -> bool:
    # A lone global entry with another path is the v2 API's catalog (api-notes: Identity). A
    # front end may serve the API under a path of its own (/dfw/v1.0/...): v1.0 is a segment.
    path = urlsplit(url).path if isinstance(url, str) else ""
    return "v1.0" in path.split("/")


def _verify_setting(params: dict) -> Union[bool, str]:
    """``verify`` for requests: False, a CA bundle path, or True."""
    if params.get("validate_certs") is False:
        return False
    return params.get("ca_path") or True


def user_agent() -> str:
    return "ansible-collection-rackspace.cloudbackup/%s python-requests/%s" % (COLLECTION_VERSION, requests.__version__)


def request_headers(method: str, body: Any, token: Optional[str]) -> dict:
    """Headers for one request; a body-less POST still says JSON and Content-Length 0 (api-notes: URLs and headers)."""
    headers = {"Accept": "application/json", "User-Agent": user_agent()}
    if token:
        headers["X-Auth-Token"] = token
    if body is not None or method in ("POST", "PUT"):
        headers["Content-Type"] = "application/json"
    if body is None and method in ("POST", "PUT"):
        headers["Content-Length"] = "0"
    return headers


def is_transient(response: Any, failure: _RequestFailure) -> bool:
    """A reply status or a connection failure that another attempt may well not meet."""
    if failure is None:
        return response.status_code in RETRY_STATUSES or is_rate_limited(response)
    # A certificate problem will be the same next time; a dropped or slow connection may not.
    if isinstance(failure, requests.exceptions.SSLError):
        return False
    return isinstance(failure, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                                requests.exceptions.ChunkedEncodingError))


def never_connected(failure: Exception) -> bool:
    """True when no connection was made (refused, no such host, connect timeout): nothing was sent.

    requests raises ConnectTimeout for a connect timeout, and a plain ConnectionError that
    wraps urllib3's NewConnectionError for a refused or unresolvable connection; a reset or
    a read timeout after the request went out looks different (ProtocolError, ReadTimeout).
    """
    if isinstance(failure, requests.exceptions.ConnectTimeout):
        return True
    cause = failure.args[0] if isinstance(failure, requests.exceptions.ConnectionError) and failure.args else None
    return isinstance(getattr(cause, "reason", None), urllib3.exceptions.NewConnectionError)


def backoff_delay(attempt: int) -> float:
    """Exponential backoff with "equal jitter": between half and all of the capped step."""
    step = min(BACKOFF_CAP, BACKOFF_BASE * BACKOFF_FACTOR ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


def retry_after_seconds(response: Any) -> Optional[float]:
    """The reply's Retry-After (delta seconds or HTTP-date) in seconds, within [0, RETRY_AFTER_CAP]."""
    value = response.headers.get("Retry-After", "").strip() if response is not None else ""
    if not value:
        return None
    seconds = float(value) if value.isdigit() else _seconds_until(value)
    return None if seconds is None else min(max(seconds, 0.0), RETRY_AFTER_CAP)


def _seconds_until(http_date: str) -> Optional[float]:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


def _failure_reason(failure: Exception, timeout: float) -> str:
    if isinstance(failure, requests.exceptions.SSLError):
        return "TLS error (%s): check validate_certs and ca_path" % failure
    if isinstance(failure, requests.exceptions.Timeout):
        return "no reply within %g seconds (timeout option)" % timeout
    return "%s: %s" % (type(failure).__name__, failure)
