"""The WSGI application: route, inject faults, authenticate, handle, log.

Order for an API request:
1. route it (the body's Action names backup.start / backup.stop),
2. take the first matching fault: it may expire tokens, add latency, or replace the
   response (before the request has any effect, or after it when ``apply`` is set),
3. authenticate and run the handler under the state lock,
4. log the exchange (never the token or credentials).
"""

from __future__ import annotations

import time
from typing import Iterable, Optional

from werkzeug.wrappers import Request, Response

from . import control, identity
from .auth import authorize
from .backup_api import HANDLERS, Call
from .core import Core
from .errors import ApiError
from .faults import Fault
from .requestlog import make_entry
from .responses import error_response, read_json
from .routes import ACTION_RULE, CONTROL_PREFIX, Match, action_route, match


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
        route = _route_name(found, request)
        fault = self._take_fault(route, request.method)
        replaced = fault is not None and fault.replaces_response
        response = self._respond(found, request) if not replaced or fault.apply else None
        if replaced:
            response = self._fault_response(fault)  # None for a dropped connection
        self._log(request, route, response, fault)
        if response is None:
            raise DropConnection("fault injection: connection dropped")
        return response

    def _take_fault(self, route: Optional[str], method: str) -> Optional[Fault]:
        """Use up the first matching fault and apply its side effects (expiry, latency)."""
        with self.core.lock:
            fault = self.core.faults.take(route, method)
            if fault is not None and fault.expire_tokens:
                self.core.world.expire_tokens(self.core.now())
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # real seconds: it is the client's real timeout that matters
        return fault

    def _respond(self, found: Optional[Match], request: Request) -> Response:
        settings = self.core.settings
        with self.core.lock:
            now = self.core.now()
            try:
                if found is None:
                    raise ApiError(404, "No such resource: %s" % request.path)
                if found.api == "identity":
                    _raise_routing_error(found)
                    return identity.tokens(self.core.world, request, now, base_url(request))
                return self._backup_route(found, request, now)
            except ApiError as error:
                return error_response(error.status, error.message, settings, error.headers)

    def _backup_route(self, found: Match, request: Request, now: float) -> Response:
        world = self.core.world
        token = authorize(world, request.headers.get("X-Auth-Token"), found.tenant, request.method, found.route, now)
        _raise_routing_error(found)  # 404 / 405 only after authentication
        return HANDLERS[found.route](Call(world, request, token, found.args, now))

    def _fault_response(self, fault: Fault) -> Optional[Response]:
        if fault.drop:
            return None
        headers = {"Retry-After": "%g" % fault.retry_after} if fault.retry_after is not None else None
        return error_response(fault.status, "Injected fault: HTTP %d." % fault.status, self.core.settings, headers)

    def _log(
        self, request: Request, route: Optional[str], response: Optional[Response], fault: Optional[Fault]
    ) -> None:
        entry = make_entry(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            route=route,
            body=request.get_data(cache=True),
            status=response.status_code if response is not None else None,
            fault=_fault_summary(fault),
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
    if found is None or found.route != ACTION_RULE:
        return found.route if found else None
    try:
        body = read_json(request)
    except ApiError:
        return ACTION_RULE
    return action_route(body.get("Action") if isinstance(body, dict) else None)


def _fault_summary(fault: Optional[Fault]) -> Optional[dict]:
    if fault is None:
        return None
    kinds = {
        "status": fault.status,
        "retry_after": fault.retry_after,
        "drop": fault.drop or None,
        "delay": fault.delay or None,
        "apply": fault.apply or None,
        "expire_tokens": fault.expire_tokens or None,
    }
    return {key: value for key, value in kinds.items() if value is not None}


def base_url(request: Request) -> str:
    """The address the client used, so catalog URLs always point back here."""
    return request.host_url.rstrip("/")
