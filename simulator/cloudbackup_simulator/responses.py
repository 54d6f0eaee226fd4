"""HTTP responses in the service's formats, and reading JSON request bodies."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .scenario import Settings
from .wire import dotnet_json

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def json_response(data: Any, settings: Optional[Settings] = None, status: int = 200) -> Response:
    """Cloud Backup replies (settings given) use .NET escaping; Identity's do not."""
    escape = settings.escape_slashes if settings is not None else False
    return Response(dotnet_json(data, escape), status=status, content_type=JSON_TYPE)


def bare_integer(value: int) -> Response:
    """StartManual's body is the new backup id alone, e.g. ``368785`` (api-notes: Wire format)."""
    return Response(str(value), status=200, content_type=JSON_TYPE)


def empty(status: int = 200) -> Response:
    # No Content-Type on an empty body, like the captured 204s.
    response = Response(b"", status=status)
    response.headers.pop("Content-Type", None)
    return response


def error_response(status: int, message: str, settings: Settings, headers: Optional[Dict[str, str]] = None) -> Response:
    """The error body format is unknown (api-notes: Errors and retries): JSON by default, text if configured."""
    if settings.error_format == "text":
        response = Response(message, status=status, content_type="text/plain; charset=utf-8")
    else:
        response = json_response({"message": message, "code": status}, settings, status)
    response.headers.update(headers or {})
    return response


def replace_body(response: Response, body: str) -> None:
    """A fault's raw body: an HTML page (a proxy's, say) when it starts with "<", else
    labelled JSON however broken, so clients meet the lie their parser will see."""
    response.set_data(body.encode("utf-8"))
    response.content_type = HTML_TYPE if body.lstrip().startswith("<") else JSON_TYPE


def identity_fault(status: int, name: str, message: str) -> Response:
    """Identity's documented fault wrapper: {"unauthorized": {"code": 401, "message": ...}}."""
    return json_response({name: {"code": status, "message": message}}, status=status)


def over_limit(status: int, retry_at: str, headers: Dict[str, str]) -> Response:
    """Rackspace's front-end refusal (Rackspace API docs, "Rate limits"), written by the front end,
    not by the .NET service, so never slash-escaped:
    {"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details...", "retryAfter": ...}}."""
    body = {"code": status, "message": "OverLimit Retry...", "details": "Error Details...", "retryAfter": retry_at}
    response = json_response({"overLimit": body}, status=status)
    response.headers.update(headers)
    return response


def integer_field(body: Dict[str, Any], name: str) -> int:
    """A required integer of a request body. The docs type ids as strings while every client
    sends integers: both are accepted (api-notes: Wire format); anything else is 400 naming the field."""
    value = body.get(name)
    if value is None:
        raise ApiError(400, "%s is required." % name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError(400, "%s must be an integer, got %r." % (name, value))
    return value


def read_json(request: Request, required: bool = True) -> Any:
    """The request's JSON body; ApiError 400 when it is missing, not JSON or mistyped."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "A JSON request body is required.")
        return None
    # Docs send "application/json;", cbu-sdk "application/json; charset=utf-8": the
    # mimetype ignores parameters, so all three spellings are accepted (api-notes: URLs and headers).
    if request.mimetype != "application/json":
        raise ApiError(400, "Content-Type must be application/json, got %r." % (request.content_type or ""))
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "The request body is not valid JSON: %s" % error) from None
