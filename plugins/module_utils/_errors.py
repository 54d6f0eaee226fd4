# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's exception tree and the one mapping from an HTTP reply to it.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Every error carries a message and the details a user needs to act on it (status, method,
URL, a short body excerpt); ``fail_kwargs()`` hands both to ``fail_json``. No detail ever
holds a secret: the token travels in a header, request bodies are never copied here, and
any user:password part of a URL is dropped.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit, urlunsplit

# Enough of a reply body to recognise an error page or an API fault, short enough for a log.
BODY_EXCERPT_LIMIT = 500
# A plain-text error body longer than this is not a message, it is a page: keep it out of msg.
PLAIN_MESSAGE_LIMIT = 200
# The API's own message, quoted in msg, is cut to this: a fault may wrap a whole stack trace.
API_MESSAGE_LIMIT = 300
# What a secret is replaced with in any text the collection shows (Ansible's own mask).
MASK = "********"


class CloudBackupError(Exception):
    """Base of every error the collection raises on purpose.

    ``transient`` is True for a failure that a later try may well not meet (a 5xx, a 429,
    no reply, a garbled body): a wait keeps polling through those until its deadline.
    """

    transient = False

    def __init__(self, msg: str, **details: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def without(self, secrets: Iterable[str]) -> "CloudBackupError":
        """This error with every one of ``secrets`` masked in its message and details (in place)."""
        self.msg = mask_secrets(self.msg, secrets)
        self.args = (self.msg,)
        self.details = mask_secrets(self.details, secrets)
        for name in ("url", "body"):
            if isinstance(getattr(self, name, None), str):
                setattr(self, name, mask_secrets(getattr(self, name), secrets))
        return self

    def fail_kwargs(self) -> dict:
        """``msg`` plus the details that are set, ready for ``module.fail_json(**...)``."""
        kwargs = {key: value for key, value in self.details.items() if value is not None}
        kwargs["msg"] = self.msg
        return kwargs


class ConfigurationError(CloudBackupError):
    """Bad or conflicting options, found before any HTTP call."""


class AuthenticationError(CloudBackupError):
    """Identity refused the credentials, or Cloud Backup refused a token that cannot be renewed."""


class EndpointNotFound(CloudBackupError):
    """The service catalog has no usable Cloud Backup endpoint for the region."""


class TransportError(CloudBackupError):
    """The request got no HTTP reply: connection refused, dropped, TLS failure or timeout.

    ``sent`` is False only when the connection itself could not be made (refused, no such
    host, connect timeout): the server never saw the request. Anything else may have
    reached it, so True is the safe default.
    """

    def __init__(self, method: str, url: str, reason: str, msg: Optional[str] = None, sent: bool = True,
                 transient: bool = True) -> None:
        url = redact_url(url)
        super().__init__(msg or "%s %s failed: %s" % (method, url, reason), method=method, url=url, reason=reason)
        self.method = method
        self.url = url
        self.reason = reason
        self.sent = sent
        # False for a TLS failure: the certificate will be the same on the next try.
        self.transient = transient


class InvalidResponse(CloudBackupError):
    """A successful reply whose body is not what the endpoint is documented to return.

    Transient: a proxy's error page or a body cut short in transit is gone on the next try;
    the client retries a garbled body a few times before it raises this.
    """

    transient = True

    def __init__(self, method: str, url: str, status: int, body: Optional[str], msg: Optional[str] = None) -> None:
        url = redact_url(url)
        msg = msg or "%s %s returned HTTP %s with a body that is not the JSON expected" % (method, url, status)
        super().__init__(msg, status=status, method=method, url=url, body=excerpt(body))
        self.status = status
        self.method = method
        self.url = url


class APIError(CloudBackupError):
    """A non-2xx reply; the subclasses name the statuses callers branch on."""

    def __init__(self, status: int, method: str, url: str, body: Optional[str], msg: Optional[str] = None) -> None:
        url = redact_url(url)
        msg = msg or "%s %s failed with HTTP %s" % (method, url, status)
        super().__init__(msg, status=status, method=method, url=url, body=excerpt(body))
        self.status = status
        self.method = method
        self.url = url
        self.body = excerpt(body)


class RateLimited(APIError):
    """The account is over its rate limit (see ``is_rate_limited``): nothing was done; send it again later."""

    transient = True


class Forbidden(APIError):
    """HTTP 403: a missing role, or a start refused while the agent is not connected yet."""


class NotFound(APIError):
    """HTTP 404."""


class ServerError(APIError):
    """HTTP 5xx."""

    transient = True


class WaitTimeout(CloudBackupError):
    """The deadline passed before a terminal state (raised only where that is a failure)."""

    def __init__(self, state: Optional[str], elapsed: float, polls: int, msg: Optional[str] = None) -> None:
        msg = msg or "gave up waiting after %d seconds and %d polls; last state: %s" % (elapsed, polls, state)
        super().__init__(msg, state=state, elapsed=elapsed, polls=polls)
        self.state = state
        self.elapsed = elapsed
        self.polls = polls


class BackupFailed(CloudBackupError):
    """A backup reached a terminal state that the task does not accept."""

    def __init__(self, backup_id: int, state: Optional[str], report: Optional[dict] = None, msg: Optional[str] = None) -> None:
        msg = msg or "backup %s ended in state %s" % (backup_id, state)
        super().__init__(msg, backup_id=backup_id, state=state, report=report)
        self.backup_id = backup_id
        self.state = state
        self.report = report


class ReportFailed(CloudBackupError):
    """The report task fails (a closed gate, a wait given up on) and still returns its whole result."""

    def __init__(self, msg: str, result: dict) -> None:
        super().__init__(msg)
        self.result = result

    def fail_kwargs(self) -> dict:
        # Every key of the result, null ones included: the module documents them as always returned.
        return dict(self.result, msg=self.msg)


_ERROR_BY_STATUS = {403: Forbidden, 404: NotFound}
# How a Rackspace front end names an over-limit refusal in a 413 body (api-notes: Errors and retries).
OVER_LIMIT_MARK = "overlimit"


def is_rate_limited(response: Any) -> bool:
    """True for a reply that refuses a request for the account's rate limit, so nothing was done.

    Every 429 is one. Rackspace's front ends answer 413 ``overLimit`` with Retry-After for
    a request over the account's limits, and Identity documents "413 overLimit ...
    resubmit"; a 413 with neither sign is an ordinary error (a body too large) and stays one.
    """
    if response is None or response.status_code not in (413, 429):
        return False
    if response.status_code == 429 or response.headers.get("Retry-After", "").strip():
        return True
    return OVER_LIMIT_MARK in (response.text or "")[:BODY_EXCERPT_LIMIT].lower()


def error_for_response(response: Any, text: Optional[str] = None) -> APIError:
    """Map a non-2xx ``requests.Response`` to its APIError, with the API's message if it sent one.

    Only the status chooses the class: Cloud Backup's error bodies are undocumented
    (api-notes: Errors and retries), so the body is only shown, never interpreted. ``text`` is the body to
    show instead of the reply's own: the client passes it with its secrets masked, before
    anything is cut short (a cut could leave part of a token).
    """
    text = response.text if text is None else text
    status = response.status_code
    method = response.request.method if response.request is not None else "HTTP"
    url = redact_url(response.url)
    msg = "%s %s failed with HTTP %s" % (method, url, " ".join(filter(None, (str(status), response.reason))))
    message = api_message(text)
    if message:
        msg = "%s: %s" % (msg, message)
    if is_rate_limited(response):
        # The client has already sent it again for as long as the task's time allowed.
        msg = ("%s: the account's rate limit refused it until the time allowed ran out; run fewer jobs or "
               "slices at once on this account" % msg)
        error_class = RateLimited
    else:
        error_class = ServerError if status >= 500 else _ERROR_BY_STATUS.get(status, APIError)
    return error_class(status, method, url, text, msg=msg)


def api_message(body: Optional[str]) -> Optional[str]:
    """The human message in an error body: JSON ``message``/``Message``, or one short line of text."""
    if not body or not body.strip():
        return None
    try:
        return _json_message(json.loads(body))
    except ValueError:
        return _plain_message(body)


def _json_message(data: Any) -> Optional[str]:
    if isinstance(data, str):
        return _shortened(data) or None
    if not isinstance(data, dict):
        return None
    for key in ("message", "Message"):
        if isinstance(data.get(key), str):
            return _shortened(data[key])
    # Identity faults wrap the message once: {"unauthorized": {"code": 401, "message": "..."}}.
    if len(data) == 1:
        return _json_message(next(iter(data.values())))
    return None


def _plain_message(body: str) -> Optional[str]:
    text = body.strip()
    # An HTML error page from a proxy says nothing a status line does not; the excerpt keeps it.
    if text.startswith("<") or "\n" in text or len(text) > PLAIN_MESSAGE_LIMIT:
        return None
    return text


def _shortened(message: str) -> str:
    return message if len(message) <= API_MESSAGE_LIMIT else message[:API_MESSAGE_LIMIT] + "..."


def mask_secrets(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (a string, or dicts and lists of them) with every secret replaced by MASK.

    A secret is also found as Python quotes it (``repr``): an exception about a header
    with a control character in it shows the value that way.
    """
    if isinstance(value, str):
        for secret in secrets:
            for form in {secret, repr(secret)[1:-1]} if secret else ():
                value = value.replace(form, MASK)
        return value
    if isinstance(value, dict):
        return {key: mask_secrets(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_secrets(item, secrets) for item in value]
    return value


def excerpt(body: Optional[str]) -> Optional[str]:
    """The first BODY_EXCERPT_LIMIT characters of a reply body (None stays None)."""
    return None if body is None else body[:BODY_EXCERPT_LIMIT]


def redact_url(url: Optional[str]) -> Optional[str]:
    """Drop a user:password@ part, should an endpoint option ever carry one."""
    if not url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
