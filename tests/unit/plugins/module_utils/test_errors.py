"""Tests for module_utils/_errors.py: the exception tree and error_for_response()."""
import json

import pytest
import requests

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _errors
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    APIError,
    BackupFailed,
    CloudBackupError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    WaitTimeout,
    error_for_response,
    is_rate_limited,
)

URL = "https://dfw.backup.api.rackspacecloud.com/v1.0/123456/backup/42"


def make_response(status, body="", method="GET", url=URL, reason=None):
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response._content = body.encode("utf-8")
    response.url = url
    response.request = requests.Request(method, url).prepare()
    return response


@pytest.mark.parametrize("status, error_class", [
    (400, APIError),
    (401, APIError),
    (403, Forbidden),
    (404, NotFound),
    (409, APIError),
    (500, ServerError),
    (501, ServerError),
    (502, ServerError),
    (503, ServerError),
    (504, ServerError),
    (405, APIError),
    (413, APIError),
    (429, RateLimited),
])
def test_status_chooses_the_class(status, error_class):
    error = error_for_response(make_response(status, "{}"))

    assert error.__class__ is error_class
    assert error.status == status
    assert error.fail_kwargs()["status"] == status


OVER_LIMIT = '{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details..."}}'


@pytest.mark.parametrize("status, body, headers, limited", [
    (429, "", {}, True),
    (429, "Too Many Requests", {"Retry-After": "3"}, True),
    (413, OVER_LIMIT, {}, True),
    (413, OVER_LIMIT, {"Retry-After": "12"}, True),
    (413, "", {"Retry-After": "12"}, True),
    (413, '{"message": "Request Entity Too Large", "code": 413}', {}, False),
    (413, "", {}, False),
    (503, OVER_LIMIT, {"Retry-After": "5"}, False),
    (400, OVER_LIMIT, {}, False),
])
def test_a_rate_limit_refusal_is_a_429_or_a_413_with_its_signs(status, body, headers, limited):
    response = make_response(status, body)
    response.headers.update(headers)

    assert is_rate_limited(response) is limited
    error = error_for_response(response)
    assert isinstance(error, RateLimited) is limited
    assert error.transient is (limited or status >= 500)
    if limited:
        assert "rate limit" in error.msg


@pytest.mark.parametrize("body, expected", [
    ('{"unauthorized": {"code": 401, "message": "Unable to authenticate user."}}', "Unable to authenticate user."),
    ('{"itemNotFound": {"code": 404, "message": "No such agent"}}', "No such agent"),
    ('{"message": "Agent is offline", "code": 403}', "Agent is offline"),
    ('{"Message": "An error has occurred."}', "An error has occurred."),
    ('"Backup configuration is deleted"', "Backup configuration is deleted"),
    ("Agent not connected", "Agent not connected"),
])
def test_message_reports_the_api_message(body, expected):
    error = error_for_response(make_response(403, body, method="POST"))

    assert error.msg == "POST %s failed with HTTP 403: %s" % (URL, expected)


@pytest.mark.parametrize("body", [
    "",
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    '{"code": 500, "details": "no message key"}',
    '[1, 2, 3]',
    "line one\nline two",
])
def test_bodies_without_a_message_leave_msg_to_the_status(body):
    error = error_for_response(make_response(502, body, reason="Bad Gateway"))

    assert error.msg == "GET %s failed with HTTP 502 Bad Gateway" % URL
    assert error.fail_kwargs().get("body", "") == body


def test_fail_kwargs_carries_the_request_context_and_a_short_excerpt():
    body = json.dumps({"message": "x" * 2000})

    kwargs = error_for_response(make_response(500, body, method="POST")).fail_kwargs()

    assert kwargs["method"] == "POST"
    assert kwargs["url"] == URL
    assert kwargs["status"] == 500
    assert kwargs["body"] == body[:_errors.BODY_EXCERPT_LIMIT]
    assert len(kwargs["body"]) == 500


def test_fail_kwargs_leaves_out_unset_details():
    assert CloudBackupError("boom", status=None, url="u").fail_kwargs() == {"msg": "boom", "url": "u"}


def test_credentials_in_an_url_are_dropped():
    url = "https://user:secret@backup.example.com/v1.0/1/agent/2"

    error = error_for_response(make_response(404, url=url))

    assert "secret" not in error.msg
    assert "secret" not in json.dumps(error.fail_kwargs())
    assert error.url == "https://backup.example.com/v1.0/1/agent/2"


def test_transport_error_names_request_and_reason():
    error = TransportError("GET", URL, "connection refused")

    assert error.msg == "GET %s failed: connection refused" % URL
    assert error.fail_kwargs() == {"msg": error.msg, "method": "GET", "url": URL, "reason": "connection refused"}


def test_wait_timeout_and_backup_failed_carry_their_facts():
    timeout = WaitTimeout("InProgress", 3600.4, 241)
    failed = BackupFailed(42, "Failed", {"num_errors": 3})

    assert timeout.fail_kwargs() == {"msg": timeout.msg, "state": "InProgress", "elapsed": 3600.4, "polls": 241}
    assert "InProgress" in timeout.msg
    assert failed.fail_kwargs()["report"] == {"num_errors": 3}
    assert failed.msg == "backup 42 ended in state Failed"


def test_report_failed_hands_over_the_whole_result_null_keys_included():
    result = {"changed": False, "state": "InProgress", "report": None, "gate_passed": False}

    assert _errors.ReportFailed("gate failed", result).fail_kwargs() == dict(result, msg="gate failed")


def test_every_error_is_a_cloudbackup_error():
    for error_class in (Forbidden, NotFound, ServerError):
        assert issubclass(error_class, APIError)
    for error_class in (APIError, TransportError, WaitTimeout, BackupFailed, _errors.ConfigurationError,
                        _errors.AuthenticationError, _errors.EndpointNotFound, _errors.InvalidResponse,
                        _errors.ReportFailed):
        assert issubclass(error_class, CloudBackupError)
