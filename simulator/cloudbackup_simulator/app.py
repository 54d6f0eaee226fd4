"""The WSGI application: route, rate-limit, inject faults, authenticate, handle, log.

Order for an API request:
1. route it (the body's Action names backup.start / backup.stop, restore.start / restore.stop;
   "/ord/v1.0/..." is ORD's regional endpoint with settings.regional_endpoints, else no API path),
2. check the rate limits: a request over one is refused (413/429), logged, and does
   nothing else (it counts in no window and takes no fault),
3. take the first matching fault, else draw one of ``random_faults``: it may expire
   tokens, add latency, or replace the response (before the request has any effect, or
   after it when ``apply`` is set) or its body,
4. authenticate and run the handler under the state lock,
5. log the exchange (never the token or credentials).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any, Iterable, List, Optional, Tuple

from werkzeug.wrappers import Request, Response

from . import control, identity
from .auth import authorize
from .backup_api import HANDLERS as BACKUP_HANDLERS, Call
from .core import Core
from .errors import ApiError
from .faults import Fault
from .limits import Refusal
from .requestlog import make_entry
from .restore_api import HANDLERS as RESTORE_HANDLERS
from .responses import error_response, over_limit, read_json, replace_body
from .routes import ACTION_ROUTES, CONTROL_PREFIX, Match, action_route, match
from .wire import iso8601_front_end

# What an echo_token fault repeats from an Identity request body.
_ECHOED_FIELDS = ("username", "apiKey", "password")
# Fault options that only say which requests a fault matches, not what it does to them.
_MATCH_OPTIONS = ("route", "method", "count")
HANDLERS = {**BACKUP_HANDLERS, **RESTORE_HANDLERS}


class DropConnection(ConnectionAbortedError):
    """Raised to make the server close the socket without writing a response."""


class SimulatorApp:
    def __init__(self, core: Core) -> None:
        self.core = core

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return control.dispatch(self.core, request, base_url(request))(environ, start_response)
        return self.serve_api(request)(environ, start_response)

    def serve_api(self, request: Request) -> Response:
        found = match(request.method, request.path)
        if found is not None and found.region is not None and not self.core.settings.regional_endpoints:
            found = None  # no regional endpoints: "/ord/v1.0/..." is no API path (404, route null)
        route = _route_name(found, request)
        region = found.region if found is not None else None
        refusal = self._over_limit(route, request.method)
        if refusal is not None:
            response = self._refusal_response(refusal)
            self._log(request, route, response, rate_limit=refusal.summary(), region=region)
            return response
        fault, drawn = self._take_fault(route, request.method)
        response = None
        if fault is None or not fault.replaces_response or fault.apply:
            response = self._respond(found, request, fault is not None and fault.scheduled_first)
        if fault is not None:
            response = self._fault_response(fault, request, response)  # None for a dropped connection
        self._log(request, route, response, fault=_fault_summary(fault, drawn), region=region)
        if response is None:
            raise DropConnection("fault injection: connection dropped")
        return response

    def _over_limit(self, route: Optional[str], method: str) -> Optional[Refusal]:
        """Count the request against the rate limits; the refusal when one of them is full."""
        core = self.core
        with core.lock:
            return core.limits.admit(core.settings.rate_limits, route, method, core.clock.client_seconds())

    def _refusal_response(self, refusal: Refusal) -> Response:
        """The overLimit wrapper of Rackspace's front ends, or the ordinary error body ("plain")."""
        rule, clock = refusal.rule, self.core.clock
        if rule.body == "plain":
            return error_response(rule.status, refusal.message, self.core.settings, refusal.headers)
        # retryAfter is a date like every other the simulator writes: simulated time.
        retry_at = clock.now() + refusal.retry_seconds * clock.speed
        return over_limit(rule.status, iso8601_front_end(retry_at), refusal.headers)

    def _take_fault(self, route: Optional[str], method: str) -> Tuple[Optional[Fault], bool]:
        """Use up the first matching fault, else draw one of random_faults (then True), and
        apply its side effects (expiry, latency)."""
        with self.core.lock:
            fault = self.core.faults.take(route, method)
            drawn = self.core.draws.draw(self.core.settings.random_faults, route, method) if fault is None else None
            fault = fault or drawn
            if fault is not None and fault.expire_tokens:
                self.core.world.expire_tokens(self.core.now())
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # real seconds: it is the client's real timeout that matters
        return fault, drawn is not None

    def _respond(self, found: Optional[Match], request: Request, scheduled_first: bool = False) -> Response:
        settings = self.core.settings
        with self.core.lock:
            now = self.core.now()
            try:
                if found is None:
                    raise ApiError(404, "No such resource: %s" % request.path)
                if found.api == "identity":
                    _raise_routing_error(found)
                    return identity.tokens(self.core.world, request, now, base_url(request))
                return self._backup_route(found, request, now, scheduled_first)
            except ApiError as error:
                return error_response(error.status, error.message, settings, error.headers)

    def _backup_route(self, found: Match, request: Request, now: float, scheduled_first: bool) -> Response:
        world = self.core.world
        token = authorize(world, request.headers.get("X-Auth-Token"), found.tenant, request.method, found.route, now)
        _raise_routing_error(found)  # 404 / 405 only after authentication
        return HANDLERS[found.route](Call(world, request, token, found.args, now, scheduled_first, found.region))

    def _fault_response(self, fault: Fault, request: Request, response: Optional[Response]) -> Optional[Response]:
        """What the client gets: nothing (drop), the injected status, and/or a replaced body."""
        if fault.drop:
            return None
        if fault.status is not None:
            headers = {"Retry-After": "%g" % fault.retry_after} if fault.retry_after is not None else None
            response = error_response(fault.status, _fault_message(fault, request), self.core.settings, headers)
        if fault.body is not None:
            replace_body(response, fault.body)
        return response

    def _log(
        self,
        request: Request,
        route: Optional[str],
        response: Optional[Response],
        fault: Optional[dict] = None,
        rate_limit: Optional[dict] = None,
        region: Optional[str] = None,
    ) -> None:
        entry = make_entry(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            route=route,
            body=request.get_data(cache=True),
            status=response.status_code if response is not None else None,
            fault=fault,
            rate_limit=rate_limit,
            region=region,
            sim_time=self.core.now(),
            real_time=time.time(),
        )
        self.core.log.record(entry)


def _raise_routing_error(found: Match) -> None:
    if found.error is not None:
        # Keep werkzeug's Allow header on 405 so clients can see what the URL accepts.
        headers = {key: value for key, value in found.error.get_headers() if key == "Allow"}
        raise ApiError(found.error.code, found.error.description, headers)


def _route_name(found: Optional[Match], request: Request) -> Optional[str]:
    if found is None or found.route not in ACTION_ROUTES:
        return found.route if found else None
    try:
        body = read_json(request)
    except ApiError:
        return found.route
    return action_route(found.route, body.get("Action") if isinstance(body, dict) else None)


def _fault_message(fault: Fault, request: Request) -> str:
    if not fault.echo_token:
        return "Injected fault: HTTP %d." % fault.status
    # Some services put what they were given into error text; clients must never show it.
    echoed = ", ".join(_secrets(request)) or "the request"
    return "Instance Fault: %s is not valid for %s %s." % (echoed, request.method, request.path)


def _secrets(request: Request) -> List[str]:
    """The request's token and the Identity credentials of its body, as "name value" texts."""
    token = request.headers.get("X-Auth-Token")
    try:
        body = json.loads(request.get_data(cache=True))
    except ValueError:
        body = None
    return (["token %s" % token] if token else []) + ["%s %s" % pair for pair in _credentials(body)]


def _credentials(value: Any) -> List[tuple]:
    """(key, value) of every username, apiKey and password in a JSON body, at any depth."""
    if isinstance(value, list):
        return [pair for item in value for pair in _credentials(item)]
    if not isinstance(value, dict):
        return []
    found = [(key, item) for key, item in value.items() if key in _ECHOED_FIELDS and isinstance(item, str)]
    return found + [pair for item in value.values() for pair in _credentials(item)]


def _fault_summary(fault: Optional[Fault], drawn: bool = False) -> Optional[dict]:
    """The options that acted on the request, for the log (unset ones left out); a fault
    of ``random_faults`` is logged like the explicit one it equals, plus ``"random": true``."""
    if fault is None:
        return None
    acted = {key: value for key, value in asdict(fault).items() if key not in _MATCH_OPTIONS}
    summary = {key: value for key, value in acted.items() if value not in (None, False, 0)}
    return dict(summary, random=True) if drawn else summary


def base_url(request: Request) -> str:
    """The address the client used, so catalog URLs always point back here."""
    return request.host_url.rstrip("/")
