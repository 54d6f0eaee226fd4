"""The control path /_simulator/...: the Python API over HTTP, for scripts and other languages.

Control requests are not logged and never faulted; replies are plain JSON.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .core import Core
from .responses import json_response
from .validation import ScenarioError, parse_seconds

_MAP = Map(
    [
        Rule("/_simulator/info", endpoint="info", methods=["GET"]),
        Rule("/_simulator/state", endpoint="state", methods=["GET"]),
        Rule("/_simulator/requests", endpoint="requests", methods=["GET"]),
        Rule("/_simulator/requests", endpoint="clear_requests", methods=["DELETE"]),
        Rule("/_simulator/faults", endpoint="faults", methods=["GET"]),
        Rule("/_simulator/faults", endpoint="add_fault", methods=["POST"]),
        Rule("/_simulator/faults", endpoint="clear_faults", methods=["DELETE"]),
        Rule("/_simulator/tokens/expire", endpoint="expire_tokens", methods=["POST"]),
        Rule("/_simulator/clock", endpoint="clock", methods=["GET"]),
        Rule("/_simulator/clock", endpoint="advance", methods=["POST"]),
        Rule("/_simulator/settings", endpoint="settings", methods=["GET"]),
        Rule("/_simulator/settings", endpoint="configure", methods=["POST", "PATCH"]),
        Rule("/_simulator/reset", endpoint="reset", methods=["POST"]),
    ],
    strict_slashes=False,
)


class _BadControlRequest(Exception):
    pass


def dispatch(core: Core, request: Request, base_url: str) -> Response:
    try:
        name, _arguments = _MAP.bind("simulator", "/").match(request.path, method=request.method)
    except HTTPException as error:
        return json_response({"message": error.description, "code": error.code}, status=error.code)
    try:
        return json_response(_ACTIONS[name](core, request, base_url))
    except (_BadControlRequest, ScenarioError) as error:
        return json_response({"message": str(error), "code": 400}, status=400)


def _body(request: Request) -> Dict[str, Any]:
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise _BadControlRequest("the body is not valid JSON: %s" % error) from None
    if not isinstance(body, dict):
        raise _BadControlRequest("the body must be a JSON object")
    return body


def _advance(core: Core, request: Request, _base: str) -> Dict[str, Any]:
    try:
        core.advance(parse_seconds(_body(request).get("advance", 0)))
    except ValueError as error:
        raise _BadControlRequest("advance: %s" % error) from None
    return core.clock_info()


def _reset(core: Core, _request: Request, base: str) -> Dict[str, Any]:
    core.reset()
    return core.info(base)


def _clear_requests(core: Core, _request: Request, _base: str) -> Dict[str, Any]:
    core.clear_requests()
    return {"cleared": True}


def _clear_faults(core: Core, _request: Request, _base: str) -> Dict[str, Any]:
    core.clear_faults()
    return {"cleared": True}


_ACTIONS: Dict[str, Callable[[Core, Request, str], Any]] = {
    "info": lambda core, _request, base: core.info(base),
    "state": lambda core, _request, _base: core.state(),
    "requests": lambda core, request, _base: core.requests(request.args.get("route")),
    "clear_requests": _clear_requests,
    "faults": lambda core, _request, _base: core.fault_list(),
    "add_fault": lambda core, request, _base: core.add_fault(**_body(request)),
    "clear_faults": _clear_faults,
    "expire_tokens": lambda core, _request, _base: {"expired": core.expire_tokens()},
    "clock": lambda core, _request, _base: core.clock_info(),
    "advance": _advance,
    "settings": lambda core, _request, _base: core.settings_info(),
    "configure": lambda core, request, _base: core.configure(**_body(request)),
    "reset": _reset,
}
