"""Tests for modules/cloudbackup_auth.py: one login, what it returns, and what it never shows."""
import pytest
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _module
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import AuthenticationError
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_auth

API_KEY = "apikey-0123456789abcdef-secret"
PASSWORD = "password-secret-value"
ISSUED = "issued-token-0123456789abcdef"
GIVEN = "given-token-fedcba9876543210"
ENDPOINT = "https://dfw.backup.example.com/v1.0/123456"
EXPIRES = "2026-03-02T07:11:19.488Z"

ORD_ENDPOINT = ENDPOINT.replace("dfw", "ord")


class LoggedInClient:
    """A CloudBackupClient after a successful login (or a refused one)."""

    instances = []
    secrets = ()  # a failing module masks what the client holds

    def __init__(self, params, **_hooks):
        self.params = params
        self.logins = 0
        self.refuse = None
        LoggedInClient.instances.append(self)

    def authenticate(self):
        if self.refuse:
            raise self.refuse
        self.logins += 1
        self.token, self.tenant_id, self.token_expires = ISSUED, "123456", EXPIRES
        self.endpoint = self.params.get("endpoint") or ENDPOINT
        self.region = (self.params.get("region") or "DFW").upper()
        self.regional_endpoints = {"DFW": ENDPOINT, "ORD": ORD_ENDPOINT}


@pytest.fixture
def clients(monkeypatch):
    LoggedInClient.instances = []
    monkeypatch.setattr(_module, "CloudBackupClient", LoggedInClient)
    return LoggedInClient.instances


def log_in(run_module, **args):
    return run_module(cloudbackup_auth, args, credentials=False)


@pytest.mark.parametrize("args", [
    {"username": "demo", "api_key": API_KEY},
    {"username": "demo", "password": PASSWORD},
    {"username": "demo", "api_key": API_KEY, "auth_token": GIVEN, "tenant_id": "123456", "endpoint": ENDPOINT},
])
def test_logs_in_once_and_returns_what_later_tasks_need(run_module, clients, args):
    result = log_in(run_module, **args)

    # ansible-core 2.21 adds `invocation` only when the controller asks for it (INJECT_INVOCATION).
    result.pop("invocation", None)
    assert result == {"changed": False, "auth_token": ISSUED, "tenant_id": "123456", "endpoint": ENDPOINT,
                      "expires": EXPIRES, "region": "DFW", "endpoints": {"DFW": ENDPOINT, "ORD": ORD_ENDPOINT}}
    assert [client.logins for client in clients] == [1]


def test_region_and_endpoint_options_reach_the_client(run_module, clients):
    result = log_in(run_module, username="demo", api_key=API_KEY, region="ord", endpoint="http://127.0.0.1:9/v1.0/1")

    assert (result["region"], result["endpoint"]) == ("ORD", "http://127.0.0.1:9/v1.0/1")
    assert clients[0].params["region"] == "ORD"


def test_credentials_from_the_environment_are_enough(run_module, clients, monkeypatch):
    monkeypatch.setenv("RAX_USERNAME", "demo")
    monkeypatch.setenv("RAX_API_KEY", API_KEY)

    result = log_in(run_module)

    assert result["auth_token"] == ISSUED


def test_a_token_alone_is_nothing_to_log_in_with(run_module, clients):
    result = log_in(run_module, auth_token=GIVEN, tenant_id="123456", endpoint=ENDPOINT)

    assert result["failed"] is True
    assert result["msg"].startswith("cloudbackup_auth logs in, so it needs username with api_key (or password)")
    assert clients == []


def test_a_refused_login_fails_without_showing_a_secret(run_module, clients, monkeypatch):
    def refusing(params, **_hooks):
        client = LoggedInClient(params)
        client.refuse = AuthenticationError("Identity refused the credentials for user demo", status=401)
        return client
    monkeypatch.setattr(_module, "CloudBackupClient", refusing)

    result = log_in(run_module, username="demo", api_key=API_KEY)

    assert result["failed"] is True
    assert result["msg"] == "Identity refused the credentials for user demo"
    assert "auth_token" not in result


def test_the_api_key_and_a_given_token_never_appear_in_the_result(run_module, clients):
    # As the controller sends it under ansible-core >= 2.21 with INJECT_INVOCATION (always before 2.21).
    result = log_in(run_module, username="demo", api_key=API_KEY, auth_token=GIVEN, tenant_id="123456",
                    _ansible_inject_invocation=True)

    text = str(result)
    assert API_KEY not in text
    assert GIVEN not in text
    assert result["invocation"]["module_args"]["api_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_check_mode_logs_in_all_the_same(run_module, clients):
    result = log_in(run_module, username="demo", api_key=API_KEY, _ansible_check_mode=True)

    assert (result["changed"], result["auth_token"]) == (False, ISSUED)


def test_documentation_tells_to_hide_the_token():
    returned = yaml.safe_load(cloudbackup_auth.RETURN)
    examples = yaml.safe_load(cloudbackup_auth.EXAMPLES)

    assert set(returned) == {"auth_token", "tenant_id", "endpoint", "expires", "region", "endpoints"}
    assert "no_log" in " ".join(returned["auth_token"]["description"])
    login = examples[0]
    assert (login["no_log"], login["run_once"]) == (True, True)
    assert "group/rackspace.cloudbackup.cloudbackup" in examples[1]["module_defaults"]
