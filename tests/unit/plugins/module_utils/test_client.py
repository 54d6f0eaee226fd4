"""Tests for module_utils/_client.py against a fake requests session (no network, no sleeping)."""
import email.utils
import json
import os
import time

import pytest
import requests
import urllib3
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _client
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient, catalog_endpoint, tokens_url
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    APIError,
    AuthenticationError,
    CloudBackupError,
    ConfigurationError,
    EndpointNotFound,
    InvalidResponse,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
IDENTITY = "https://identity.example.com/v2.0/tokens"
DFW = "https://dfw.backup.example.com/v1.0/123456"
ORD = "https://ord.backup.example.com/v1.0/123456"
API_KEY = "apikey-0123456789abcdef-secret"
PASSWORD = "password-secret-value"
GIVEN_TOKEN = "given-token-secret-value"
SECRETS = (API_KEY, PASSWORD, GIVEN_TOKEN, "issued-token-1", "issued-token-2")

CATALOG = [
    {"name": "cloudFiles", "type": "object-store", "endpoints": [{"region": "DFW", "publicURL": "https://files.example.com/v1"}]},
    {"name": "cloudBackup", "type": "rax:backup", "endpoints": [
        {"publicURL": "https://backup.example.com/v1.0/123456", "tenantId": "123456"},
        {"publicURL": DFW, "region": "DFW", "tenantId": "123456"},
        {"publicURL": ORD + "/", "region": "ORD", "tenantId": "123456"},
    ]},
]


def access(catalog=None, default_region="DFW", token="issued-token-1"):
    return {"access": {
        "token": {"id": token, "expires": "2026-03-02T07:11:19.488Z", "tenant": {"id": "123456", "name": "123456"}},
        "serviceCatalog": CATALOG if catalog is None else catalog,
        "user": {"id": "1", "name": "demo", "RAX-AUTH:defaultRegion": default_region},
    }}


def credentials(**overrides):
    params = dict(username="demo", api_key=API_KEY, identity_url="https://identity.example.com/v2.0/", region=None,
                  validate_certs=True, timeout=30)
    params.update(overrides)
    return params


@pytest.fixture
def make_client(fake_session, fake_clock):
    """Build a client on the fake session (scripted as given) and the fake clock: (client, session, clock).

    When a script runs out, Identity issues a fresh token (issued-token-1, -2...) with
    ``catalog`` and ``default_region``, and the API answers 200 {}.
    """
    def make(params=None, identity=(), api=(), catalog=None, default_region="DFW", **hooks):
        fake_session.script(identity, api, login=lambda number: (
            200, access(catalog, default_region, token="issued-token-%d" % number)))
        client = CloudBackupClient(credentials() if params is None else params, session=fake_session,
                                   sleep=fake_clock.sleep, clock=fake_clock, **hooks)
        return client, fake_session, fake_clock
    return make


def assert_no_secret(error):
    text = str(error) + json.dumps(error.fail_kwargs(), default=str)
    for secret in SECRETS:
        assert secret not in text


# --- endpoint from the service catalog ---------------------------------------------------

@pytest.mark.parametrize("service", [
    {"name": "cloudBackup", "type": "something-else"},
    {"name": "Backups", "type": "rax:backup"},
])
def test_catalog_entry_matches_on_name_or_type(service):
    service = dict(service, endpoints=[{"publicURL": DFW, "region": "DFW"}])

    assert catalog_endpoint(access([service])["access"], "DFW") == DFW


@pytest.mark.parametrize("region, default_region, expected", [
    ("DFW", "ORD", DFW),
    ("dfw", "ORD", DFW),
    ("Ord", "DFW", ORD),
    (None, "ORD", ORD),
    (None, "dfw", DFW),
])
def test_region_is_chosen_case_insensitively_with_the_users_default(region, default_region, expected):
    assert catalog_endpoint(access(default_region=default_region)["access"], region) == expected


def test_region_less_endpoint_is_never_chosen():
    service = {"name": "cloudBackup", "type": "rax:backup", "endpoints": [{"publicURL": "https://backup.example.com/v1.0/1"}]}

    with pytest.raises(EndpointNotFound) as raised:
        catalog_endpoint(access([service])["access"], "DFW")

    assert "regions available: none" in raised.value.msg


def test_missing_region_names_it_and_the_regions_available():
    with pytest.raises(EndpointNotFound) as raised:
        catalog_endpoint(access()["access"], "lon")

    assert raised.value.msg.endswith("for region LON; regions available: DFW, ORD")
    assert raised.value.details["available_regions"] == ["DFW", "ORD"]


def test_endpoint_that_is_not_v1_is_skipped():
    service = {"name": "cloudBackup", "type": "rax:backup",
               "endpoints": [{"publicURL": "https://backup.example.com/v2/123456", "region": "DFW"}]}

    with pytest.raises(EndpointNotFound):
        catalog_endpoint(access([service])["access"], "DFW")


def test_no_region_and_no_default_region():
    with pytest.raises(EndpointNotFound) as raised:
        catalog_endpoint(access(default_region=None)["access"], None)

    assert "set region" in raised.value.msg


def test_client_uses_the_catalog_endpoint_and_the_token_tenant(make_client):
    client, session, _time = make_client(credentials(region="ord"))

    client.get_json("user", "agents")

    assert session.api_calls()[0]["url"] == ORD + "/user/agents"
    assert client.tenant_id == "123456"
    assert client.token == "issued-token-1"
    assert client.token_expires == "2026-03-02T07:11:19Z"


@pytest.mark.parametrize("expires, expected", [
    ("2013-06-05T05:20:28.306-05:00", "2013-06-05T10:20:28Z"),
    ("next Tuesday", "next Tuesday"),
])
def test_token_expiry_is_given_in_utc_or_else_as_identity_wrote_it(make_client, expires, expected):
    login = access()
    login["access"]["token"]["expires"] = expires
    client, _session, _time = make_client(identity=[(200, login)])

    assert client.token_expires == expected


@pytest.mark.parametrize("params, expected", [
    (credentials(region="dfw"), "DFW"),
    (credentials(), "ORD"),
    (dict(auth_token=GIVEN_TOKEN, tenant_id="123456", endpoint=DFW), None),
])
def test_region_is_the_option_or_else_the_users_default(make_client, params, expected):
    client, _session, _time = make_client(params, default_region="ord")

    assert client.region == expected


def test_endpoint_option_overrides_the_catalog(make_client):
    client, session, _time = make_client(credentials(region="ORD", endpoint="http://127.0.0.1:8080/v1.0/123456/"))

    client.get_json("activity")

    assert session.api_calls()[0]["url"] == "http://127.0.0.1:8080/v1.0/123456/activity"
    assert client.tenant_id == "123456"
    assert session.logins == 1


@pytest.mark.parametrize("identity_url", [
    "https://identity.example.com",
    "https://identity.example.com/",
    "https://identity.example.com/v2.0",
    "https://identity.example.com/v2.0/",
    "https://identity.example.com/v2.0/tokens",
    "https://identity.example.com/v2.0/tokens/",
])
def test_identity_url_is_accepted_with_or_without_version_and_tokens(identity_url):
    assert tokens_url(identity_url) == IDENTITY


# --- authentication ----------------------------------------------------------------------

@pytest.mark.parametrize("params, body", [
    (credentials(), {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "demo", "apiKey": API_KEY}}}),
    (credentials(api_key=None, password=PASSWORD), {"auth": {"passwordCredentials": {"username": "demo", "password": PASSWORD}}}),
])
def test_login_posts_api_key_or_password_credentials(make_client, params, body):
    client, session, _time = make_client(params)

    client.authenticate()

    call = session.identity_calls()[0]
    assert (call["method"], call["url"]) == ("POST", IDENTITY)
    assert json.loads(call["data"]) == body
    assert call["headers"]["Content-Type"] == "application/json"
    assert "X-Auth-Token" not in call["headers"]


def test_one_login_serves_many_requests(make_client):
    client, session, _time = make_client()

    for _attempt in range(3):
        client.get_json("user", "agents")

    assert session.logins == 1
    assert [call["headers"]["X-Auth-Token"] for call in session.api_calls()] == ["issued-token-1"] * 3


def test_401_renews_the_token_once_and_repeats_the_request(make_client):
    client, session, _time = make_client(api=[(401, {"message": "token expired"}), (200, {"ok": 1})])

    assert client.get_json("backup", 42) == {"ok": 1}

    assert session.logins == 2
    assert [call["headers"]["X-Auth-Token"] for call in session.api_calls()] == ["issued-token-1", "issued-token-2"]


def test_second_401_in_a_row_says_the_token_was_rejected(make_client):
    client, session, _time = make_client(api=[(401, {}), (401, {})])

    with pytest.raises(AuthenticationError) as raised:
        client.get_json("backup", 42)

    assert "rejected the token" in raised.value.msg
    assert raised.value.details["status"] == 401
    assert session.logins == 2
    assert len(session.api_calls()) == 2
    assert_no_secret(raised.value)


def test_token_only_mode_makes_no_identity_call(make_client):
    params = dict(auth_token=GIVEN_TOKEN, tenant_id="123456", endpoint=DFW)
    client, session, _time = make_client(params)

    client.get_json("user", "agents")

    assert session.identity_calls() == []
    assert session.api_calls()[0]["headers"]["X-Auth-Token"] == GIVEN_TOKEN
    assert (client.tenant_id, client.endpoint, client.token_expires) == ("123456", DFW, None)


def test_token_only_mode_cannot_renew_a_rejected_token(make_client):
    client, session, _time = make_client(dict(auth_token=GIVEN_TOKEN, tenant_id="123456", endpoint=DFW), api=[(401, {})])

    with pytest.raises(AuthenticationError) as raised:
        client.get_json("user", "agents")

    assert "expired or revoked" in raised.value.msg
    assert session.identity_calls() == []
    assert_no_secret(raised.value)


def test_token_with_credentials_is_used_first_and_renewed_on_401(make_client):
    params = credentials(auth_token=GIVEN_TOKEN, tenant_id="123456", endpoint=DFW)
    client, session, _time = make_client(params, api=[(200, {}), (401, {}), (200, {})])

    client.get_json("user", "agents")
    assert session.logins == 0
    client.get_json("user", "agents")

    tokens = [call["headers"]["X-Auth-Token"] for call in session.api_calls()]
    assert tokens == [GIVEN_TOKEN, GIVEN_TOKEN, "issued-token-1"]
    assert session.logins == 1


def test_token_with_credentials_but_no_endpoint_logs_in_for_the_catalog(make_client):
    client, session, _time = make_client(credentials(auth_token=GIVEN_TOKEN, tenant_id="123456"))

    assert client.endpoint == DFW
    assert session.logins == 1


def test_identity_refusal_names_the_user_never_the_key(make_client):
    body = {"unauthorized": {"code": 401, "message": "Unable to authenticate user with credentials provided."}}
    client, session, _time = make_client(identity=[(401, body)])

    with pytest.raises(AuthenticationError) as raised:
        client.authenticate()

    assert raised.value.msg == ("Identity refused the credentials for user demo: "
                                "Unable to authenticate user with credentials provided.")
    assert len(session.identity_calls()) == 1
    assert_no_secret(raised.value)


def test_identity_refusal_of_a_password_with_mfa_suggests_the_api_key(make_client):
    challenge = {"WWW-Authenticate": "OS-MF sessionId='1', factor='PASSCODE'"}
    client, _session, _time = make_client(credentials(api_key=None, password=PASSWORD), identity=[(401, {}, challenge)])

    with pytest.raises(AuthenticationError) as raised:
        client.authenticate()

    assert "use api_key" in raised.value.msg
    assert_no_secret(raised.value)


def test_identity_is_retried_on_5xx_and_connection_errors(make_client):
    client, session, fake_time = make_client(identity=[(503, "down"), requests.exceptions.ConnectionError("reset")])

    client.authenticate()

    assert len(session.identity_calls()) == 3
    assert len(fake_time.sleeps) == 2
    assert client.token == "issued-token-1"


def test_identity_400_is_not_retried(make_client):
    client, session, _time = make_client(identity=[(400, {"badRequest": {"code": 400, "message": "Invalid request body"}})])

    with pytest.raises(APIError) as raised:
        client.authenticate()

    assert "Invalid request body" in raised.value.msg
    assert len(session.identity_calls()) == 1
    assert_no_secret(raised.value)


def test_identity_reply_without_a_tenant_is_invalid_and_not_quoted(make_client):
    reply = {"access": {"token": {"id": "issued-token-1"}, "serviceCatalog": []}}
    client, session, _time = make_client(identity=[(200, reply)] * _client.RETRY_ATTEMPTS)

    with pytest.raises(InvalidResponse) as raised:
        client.authenticate()

    assert "no access.token with an id and a tenant" in raised.value.msg
    assert len(session.identity_calls()) == _client.RETRY_ATTEMPTS
    assert_no_secret(raised.value)


# --- retries -----------------------------------------------------------------------------

def test_get_is_retried_on_503_until_it_succeeds(make_client):
    client, session, fake_time = make_client(api=[(503, "busy"), (503, "busy"), (200, [1])])

    assert client.get_json("user", "agents") == [1]

    assert len(session.api_calls()) == 3
    assert len(fake_time.sleeps) == 2


@pytest.mark.parametrize("status", sorted(_client.RETRY_STATUSES))
def test_get_retries_are_bounded_with_backoff(make_client, status):
    client, session, fake_time = make_client(api=[(status, {"message": "nope"})] * 10)

    with pytest.raises(CloudBackupError) as raised:
        client.get_json("user", "agents")

    assert raised.value.details["status"] == status
    assert len(session.api_calls()) == _client.RETRY_ATTEMPTS
    for attempt, delay in enumerate(fake_time.sleeps, start=1):
        step = min(_client.BACKOFF_CAP, _client.BACKOFF_BASE * _client.BACKOFF_FACTOR ** (attempt - 1))
        assert step / 2 <= delay <= step


@pytest.mark.parametrize("retry_after, expected", [
    ("7", 7.0),
    ("0", 0.0),
    ("3600", _client.RETRY_AFTER_CAP),
    (email.utils.formatdate(time.time() + 3 * 3600, usegmt=True), _client.RETRY_AFTER_CAP),
    (email.utils.formatdate(time.time() - 3600, usegmt=True), 0.0),
])
def test_retry_after_is_honoured_and_capped(make_client, retry_after, expected):
    client, _session, fake_time = make_client(api=[(503, "", {"Retry-After": retry_after}), (200, {})])

    client.get_json("user", "agents")

    assert fake_time.sleeps == [expected]


def test_retry_after_as_a_near_http_date(make_client):
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    client, _session, fake_time = make_client(api=[(429, "", {"Retry-After": when}), (200, {})])

    client.get_json("user", "agents")

    assert 17 <= fake_time.sleeps[0] <= 20


def test_unparsable_retry_after_falls_back_to_backoff(make_client):
    client, _session, fake_time = make_client(api=[(503, "", {"Retry-After": "soon"}), (200, {})])

    client.get_json("user", "agents")

    assert _client.BACKOFF_BASE / 2 <= fake_time.sleeps[0] <= _client.BACKOFF_BASE


def test_retries_stop_at_the_time_budget(make_client):
    client, session, fake_time = make_client(api=[(503, "", {"Retry-After": "60"})] * 10)

    with pytest.raises(ServerError):
        client.get_json("user", "agents")

    assert fake_time.sleeps == [60.0, 60.0]
    assert len(session.api_calls()) == 3


def test_post_is_not_retried_on_503(make_client):
    client, session, fake_time = make_client(api=[(503, "busy"), (200, "1")])

    with pytest.raises(ServerError):
        client.request("POST", "backup", "action-requested", body={"Action": "StartManual", "Id": 1})

    assert len(session.api_calls()) == 1
    assert fake_time.sleeps == []


def test_a_post_refused_with_429_is_sent_again_after_retry_after(make_client):
    # 429 says nothing was done, so even a start that creates a backup is safe to repeat.
    client, session, fake_time = make_client(api=[(429, "slow down", {"Retry-After": "7"}), (200, b"368785")])

    response = client.request("POST", "backup", "action-requested", body={"Action": "StartManual", "Id": 1}, retry=False)

    assert response.text == "368785"
    assert fake_time.sleeps == [7.0]
    assert len(session.api_calls()) == 2


OVER_LIMIT = {"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details..."}}
START = dict(body={"Action": "StartManual", "Id": 1}, retry=False)


def test_a_throttled_post_is_sent_again_as_long_as_the_time_allows(make_client):
    # A 413 overLimit says nothing was done; a throttled account is slow, not down, so the
    # refusals do not count toward RETRY_ATTEMPTS.
    refusals = [(413, OVER_LIMIT, {"Retry-After": "2"})] * (_client.RETRY_ATTEMPTS + 2)
    client, session, fake_time = make_client(api=refusals + [(200, b"368785")])

    response = client.request("POST", "backup", "action-requested", **START)

    assert response.text == "368785"
    assert fake_time.sleeps == [2.0] * len(refusals)
    assert client.rate_limited == len(refusals)


def test_a_throttle_that_outlasts_the_time_left_fails_naming_the_rate_limit(make_client):
    client, session, fake_time = make_client(api=[(413, OVER_LIMIT, {"Retry-After": "20"})] * 10)

    with client.retrying_within(50):
        with pytest.raises(RateLimited) as raised:
            client.request("POST", "backup", "action-requested", **START)

    assert fake_time.sleeps == [20.0, 20.0]
    assert "rate limit" in raised.value.msg and raised.value.status == 413 and raised.value.transient


def test_after_a_refusal_the_next_request_of_that_method_waits_its_turn(make_client):
    # One module run drives a whole batch: after a refusal its next POST waits for the
    # Retry-After instead of meeting the limit again; reads go on.
    client, session, fake_time = make_client(api=[(429, "", {"Retry-After": "30"}), (200, {}), (200, b"1")])
    with client.retrying_within(10):
        with pytest.raises(RateLimited):
            client.request("POST", "user", "wakeupagents", retry=False)
    client.get_json("user", "agents")
    assert fake_time.sleeps == []

    client.request("POST", "backup", "action-requested", **START)

    assert fake_time.sleeps == [30.0]


@pytest.mark.parametrize("retry_after", ["0", None])
def test_a_refusal_without_a_wait_to_honour_backs_off_instead_of_resending_at_once(make_client, retry_after):
    refusal = (429, "", {"Retry-After": retry_after} if retry_after else {})
    client, session, fake_time = make_client(api=[refusal] * 3 + [(200, b"1")])

    client.request("POST", "backup", "action-requested", **START)

    for attempt, delay in enumerate(fake_time.sleeps, start=1):
        step = min(_client.BACKOFF_CAP, _client.BACKOFF_BASE * _client.BACKOFF_FACTOR ** (attempt - 1))
        assert step / 2 <= delay <= step


@pytest.mark.parametrize("reply", [
    (413, {"message": "Request Entity Too Large", "code": 413}),
    (413, ""),
])
def test_a_413_without_the_signs_of_a_rate_limit_stays_an_error(make_client, reply):
    client, session, fake_time = make_client(api=[reply, (200, b"1")])

    with pytest.raises(APIError) as raised:
        client.request("POST", "backup", "action-requested", **START)

    assert not isinstance(raised.value, RateLimited)
    assert len(session.api_calls()) == 1 and fake_time.sleeps == []


def test_a_throttled_login_is_sent_again(make_client):
    client, session, fake_time = make_client(identity=[(413, OVER_LIMIT, {"Retry-After": "1"})] * 3)

    client.get_json("user", "agents")

    assert fake_time.sleeps == [1.0, 1.0, 1.0]
    assert client.rate_limited == 3


def test_the_catalog_gives_the_endpoint_of_every_region(make_client):
    client, _session, _time = make_client(catalog=[{"name": "cloudBackup", "type": "rax:backup", "endpoints": [
        {"publicURL": "https://backup.example.com/v1.0/123456", "tenantId": "123456"},
        {"publicURL": DFW, "region": "DFW"}, {"publicURL": ORD + "/", "region": "ord"},
        {"publicURL": "https://syd.backup.example.com/v2/123456", "region": "SYD"},
        {"publicURL": "https://proxy.example.com/hkg/v1.0/123456", "region": "HKG"}]}])

    assert client.regional_endpoints == {"DFW": DFW, "ORD": ORD, "HKG": "https://proxy.example.com/hkg/v1.0/123456"}


def test_a_token_given_with_its_endpoint_knows_no_other_region(make_client):
    client, session, _time = make_client(dict(credentials(), auth_token="given-token", tenant_id="123456", endpoint=DFW))

    assert client.regional_endpoints == {} and session.identity_calls() == []


def test_retries_within_a_wait_stop_at_the_time_left(make_client):
    client, session, fake_time = make_client(api=[(503, "busy", {"Retry-After": "50"})] * 5)

    with client.retrying_within(60):
        with pytest.raises(ServerError):
            client.get_json("user", "agents")

    assert fake_time.sleeps == [50.0]  # a second 50 s would end past the 60 s left
    with pytest.raises(ServerError):  # outside the block the usual budget applies again
        client.get_json("user", "agents")
    assert fake_time.sleeps == [50.0, 50.0, 50.0]


@pytest.mark.parametrize("identity, api", [
    ([], [(500, {"message": "Instance Fault: token issued-token-1 is not valid"})] * 5),
    ([], [(503, "token issued-token-1 rejected")] * 5),
    ([(400, {"badRequest": {"message": "bad apiKey %s for demo" % API_KEY}})], []),
    ([], [(401, "token issued-token-1 expired")] * 2),
])
def test_a_server_that_echoes_a_secret_never_gets_it_shown(make_client, identity, api):
    client, _session, _time = make_client(identity=identity, api=api)

    with pytest.raises(CloudBackupError) as raised:
        client.get_json("user", "agents")

    assert "********" in raised.value.msg + json.dumps(raised.value.fail_kwargs())
    assert_no_secret(raised.value)


def test_a_token_echoed_where_the_message_is_cut_leaves_no_part_of_it(make_client):
    echo = "x" * 290 + " token issued-token-1 is not valid"
    client, _session, _time = make_client(api=[(400, {"message": echo})])

    with pytest.raises(CloudBackupError) as raised:
        client.get_json("user", "agents")

    shown = raised.value.msg + json.dumps(raised.value.fail_kwargs())
    assert "issued-" not in shown and "********" in shown


def test_a_token_quoted_by_an_exception_is_masked_too(make_client):
    token = "issued-token\nsecret"  # Identity's to choose: options refuse such a token
    failure = requests.exceptions.InvalidHeader("Invalid return character or leading space in header: "
                                                "X-Auth-Token: %r" % token)
    client, _session, _time = make_client(identity=[(200, access(token=token))], api=[failure])

    with pytest.raises(TransportError) as raised:
        client.get_json("user", "agents")

    assert "secret" not in raised.value.msg + json.dumps(raised.value.fail_kwargs())


def test_every_issued_token_is_told_before_it_is_used(make_client):
    told = []
    client, _session, _time = make_client(api=[(401, "expired")], on_secret=told.append)

    client.get_json("user", "agents")

    assert told == ["issued-token-1", "issued-token-2"]
    assert client.secrets == [API_KEY, "issued-token-1", "issued-token-2"]


def test_a_long_api_message_is_cut_short(make_client):
    client, _session, _time = make_client(api=[(400, {"message": "x" * 5000})])

    with pytest.raises(CloudBackupError) as raised:
        client.get_json("user", "agents")

    assert len(raised.value.msg) < 500


def test_post_with_retry_true_is_retried(make_client):
    client, session, _time = make_client(api=[(503, "busy"), (200, "")])

    client.request("POST", "user", "wakeupagents", retry=True)

    assert len(session.api_calls()) == 2


def test_get_with_retry_false_is_not_retried(make_client):
    client, session, _time = make_client(api=[(503, "busy")])

    with pytest.raises(ServerError):
        client.request("GET", "user", "agents", retry=False)

    assert len(session.api_calls()) == 1


@pytest.mark.parametrize("failure", [
    requests.exceptions.ConnectionError("connection reset by peer"),
    requests.exceptions.ReadTimeout("read timed out"),
    requests.exceptions.ConnectTimeout("connect timed out"),
    requests.exceptions.ChunkedEncodingError("connection dropped mid-body"),
])
def test_get_is_retried_after_a_connection_failure(make_client, failure):
    client, session, _time = make_client(api=[failure, (200, {"ok": True})])

    assert client.get_json("user", "agents") == {"ok": True}
    assert len(session.api_calls()) == 2


def test_connection_failures_are_bounded_then_a_transport_error(make_client):
    client, session, _time = make_client(api=[requests.exceptions.ConnectionError("refused")] * 10)

    with pytest.raises(TransportError) as raised:
        client.get_json("user", "agents")

    assert len(session.api_calls()) == _client.RETRY_ATTEMPTS
    assert raised.value.msg.startswith("GET %s/user/agents failed: ConnectionError: refused" % DFW)


def test_timeout_on_a_post_is_reported_not_retried(make_client):
    client, session, _time = make_client(api=[requests.exceptions.ReadTimeout("read timed out")])

    with pytest.raises(TransportError) as raised:
        client.request("POST", "backup", "action-requested", body={"Action": "StartManual", "Id": 1})

    assert "no reply within 30 seconds" in raised.value.msg
    assert len(session.api_calls()) == 1


def refused_connection():
    """What requests raises when nothing listens: a ConnectionError around urllib3's NewConnectionError."""
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: Connection refused")
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason=reason))


@pytest.mark.parametrize("failure, sent", [
    (refused_connection(), False),
    (requests.exceptions.ConnectTimeout("connect timed out"), False),
    (requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"), True),
    (requests.exceptions.ReadTimeout("read timed out"), True),
    (requests.exceptions.ChunkedEncodingError("connection dropped mid-body"), True),
])
def test_a_transport_error_says_whether_the_request_may_have_been_sent(make_client, failure, sent):
    client, _session, _time = make_client(api=[failure])

    with pytest.raises(TransportError) as raised:
        client.request("POST", "backup", "action-requested", body={"Action": "StartManual", "Id": 1})

    assert raised.value.sent is sent


def test_tls_failure_is_not_retried_and_points_at_the_options(make_client):
    client, session, _time = make_client(api=[requests.exceptions.SSLError("certificate verify failed")])

    with pytest.raises(TransportError) as raised:
        client.get_json("user", "agents")

    assert "validate_certs" in raised.value.msg
    assert len(session.api_calls()) == 1


# --- requests on the wire ----------------------------------------------------------------

def test_path_segments_are_quoted(make_client):
    client, session, _time = make_client()

    client.get_json("agent", "server", "../a/b c?d", 42)

    assert session.api_calls()[0]["url"] == DFW + "/agent/server/..%2Fa%2Fb%20c%3Fd/42"


def test_get_headers_timeout_and_verification(make_client):
    client, session, _time = make_client(credentials(timeout=12.5, ca_path="/etc/ssl/rax.pem"))

    client.get_json("user", "agents")

    call = session.api_calls()[0]
    assert call["headers"]["Accept"] == "application/json"
    assert call["headers"]["X-Auth-Token"] == "issued-token-1"
    assert "Content-Type" not in call["headers"]
    assert call["data"] is None
    assert (call["timeout"], call["verify"]) == (12.5, "/etc/ssl/rax.pem")
    assert session.identity_calls()[0]["timeout"] == 12.5


@pytest.mark.parametrize("validate_certs, ca_path, verify", [
    (True, None, True),
    (False, None, False),
    (False, "/ca.pem", False),
    (True, "/ca.pem", "/ca.pem"),
])
def test_verify_follows_validate_certs_and_ca_path(make_client, validate_certs, ca_path, verify):
    client, session, _time = make_client(credentials(validate_certs=validate_certs, ca_path=ca_path))

    client.get_json("activity")

    assert {call["verify"] for call in session.calls} == {verify}


def test_post_with_a_body_sends_json(make_client):
    client, session, _time = make_client()

    client.request("POST", "backup", "action-requested", body={"Action": "StopManual", "Id": 7})

    call = session.api_calls()[0]
    assert json.loads(call["data"]) == {"Action": "StopManual", "Id": 7}
    assert call["headers"]["Content-Type"] == "application/json"


def test_body_less_post_sends_content_length_zero(make_client):
    client, session, _time = make_client()

    client.request("POST", "user", "wakeupagents", retry=True)

    call = session.api_calls()[0]
    assert call["data"] == b""
    assert call["headers"]["Content-Length"] == "0"


def test_user_agent_names_the_collection_version_of_galaxy_yml(make_client):
    with open(os.path.join(REPO_ROOT, "galaxy.yml")) as galaxy:
        version = yaml.safe_load(galaxy)["version"]
    client, session, _time = make_client()

    client.get_json("activity")

    expected = "ansible-collection-rackspace.cloudbackup/%s python-requests/%s" % (version, requests.__version__)
    assert {call["headers"]["User-Agent"] for call in session.calls} == {expected}


def test_non_2xx_becomes_the_mapped_error(make_client):
    client, _session, _time = make_client(api=[(404, {"message": "no such backup"})])

    with pytest.raises(NotFound) as raised:
        client.get_json("backup", 9)

    assert raised.value.msg == "GET %s/backup/9 failed with HTTP 404: no such backup" % DFW


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"", b"{not json"])
def test_a_body_that_is_not_json_is_fetched_again(make_client, body):
    client, session, fake_time = make_client(api=[(200, body), (200, {"BackupId": 9})])

    assert client.get_json("backup", 9) == {"BackupId": 9}
    assert len(session.api_calls()) == 2
    assert len(fake_time.sleeps) == 1


def test_a_body_that_stays_garbled_is_an_invalid_response_after_the_last_try(make_client):
    client, session, _time = make_client(api=[(200, b"<html>oops</html>")] * _client.RETRY_ATTEMPTS)

    with pytest.raises(InvalidResponse) as raised:
        client.get_json("backup", 9)

    assert raised.value.msg == "GET %s/backup/9 returned HTTP 200 with a body that is not the JSON expected" % DFW
    assert raised.value.transient
    assert len(session.api_calls()) == _client.RETRY_ATTEMPTS


def test_json_of_the_wrong_type_is_an_invalid_response_at_once(make_client):
    client, session, _time = make_client(api=[(200, {"not": "a list"})])

    with pytest.raises(InvalidResponse) as raised:
        client.get_json("user", "agents", expect=list)

    assert "returned JSON dict where list was expected" in raised.value.msg
    assert not raised.value.transient and len(session.api_calls()) == 1


# --- configuration -----------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ({}, "no credentials"),
    (dict(username="demo"), "username needs api_key (preferred) or password"),
    (dict(api_key=API_KEY), "api_key needs username"),
    (dict(password=PASSWORD), "password needs username"),
    (dict(username="demo", api_key=API_KEY, password=PASSWORD), "mutually exclusive"),
    (dict(auth_token=GIVEN_TOKEN), "auth_token needs tenant_id"),
    (dict(auth_token=GIVEN_TOKEN, tenant_id="1"), "needs endpoint"),
    (dict(tenant_id="1", endpoint=DFW), "no credentials"),
    (dict(username="demo", api_key=API_KEY, timeout=0), "timeout must be a positive number"),
])
def test_missing_or_conflicting_options_fail_before_any_http_call(fake_session, params, message):
    session = fake_session

    with pytest.raises(ConfigurationError) as raised:
        CloudBackupClient(params, session=session)

    assert message in raised.value.msg
    assert session.calls == []
    assert_no_secret(raised.value)


def test_a_fleets_items_are_grouped_by_the_client_that_reaches_them_and_a_bad_connection_fails_alone():
    clients = {"DFW": object(), "ORD": object()}

    def client_for(item):
        if item["region"] == "LON":
            raise ConfigurationError("endpoint must be an https URL")
        return clients[item["region"]]

    items = [dict(name=name, region=region) for name, region in [("a", "ORD"), ("b", "DFW"), ("c", "ORD"), ("d", "LON")]]

    groups = _client.by_client(items, client_for)

    assert [([item["name"] for item in batch]) for client, batch in groups] == [["a", "c"], ["b"], ["d"]]
    assert [client for client, batch in groups[:2]] == [clients["ORD"], clients["DFW"]]
    assert isinstance(groups[2][0], ConfigurationError)
