"""Tests for module_utils/_module.py: the shared argument spec, its checks and the error boundary."""
import contextlib
import json

import pytest
import yaml
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.testing import patch_module_args

from ansible_collections.rackspace.cloudbackup.plugins.doc_fragments import wait as wait_fragment
from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _module
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule

API_KEY = "apikey-0123456789abcdef-secret"
ENV_VARS = {
    "username": "RAX_USERNAME",
    "api_key": "RAX_API_KEY",
    "password": "RAX_PASSWORD",
    "auth_token": "RAX_AUTH_TOKEN",
    "tenant_id": "RAX_TENANT_ID",
    "region": "RAX_REGION",
    "identity_url": "RAX_IDENTITY_URL",
    "endpoint": "RAX_CLOUDBACKUP_ENDPOINT",
}
CREDENTIALS = {"username": "demo", "api_key": API_KEY}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENV_VARS.values():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_client(monkeypatch):
    """Replace the client so that building one (and so any HTTP call) fails the test."""
    def refuse(*args, **kwargs):
        pytest.fail("the client must not be built")
    monkeypatch.setattr(_module, "CloudBackupClient", refuse)


@pytest.fixture
def build():
    """Build a module from args; the args stay patched until the test ends, for exit_json."""
    with contextlib.ExitStack() as stack:
        def build_module(args, **kwargs):
            stack.enter_context(patch_module_args(args))
            return CloudBackupModule(**kwargs)
        yield build_module


def outcome(capsys, call):
    """Run ``call`` (which must end the module) and return the JSON it printed."""
    with pytest.raises(SystemExit):
        call()
    return json.loads(capsys.readouterr().out)


# --- the argument spec -------------------------------------------------------------------

@pytest.mark.parametrize("option, variable", sorted(ENV_VARS.items()))
def test_every_connection_option_falls_back_to_its_environment_variable(option, variable):
    assert _module.connection_argument_spec()[option]["fallback"] == (env_fallback, [variable])


@pytest.mark.parametrize("option, no_log", [
    ("username", False), ("api_key", True), ("password", True), ("auth_token", True), ("tenant_id", False),
])
def test_secrets_are_no_log(option, no_log):
    assert _module.connection_argument_spec()[option].get("no_log", False) is no_log


def test_defaults(build):
    module = build(CREDENTIALS)

    assert module.params["identity_url"] == "https://identity.api.rackspacecloud.com/v2.0/"
    assert module.params["validate_certs"] is True
    assert module.params["timeout"] == 30
    assert module.params["region"] is None


def test_environment_supplies_every_option(monkeypatch, build):
    values = {option: "value-of-%s" % variable for option, variable in ENV_VARS.items()}
    values.update(region="syd", password=None, auth_token="token-value", identity_url="https://identity.example.com/",
                  endpoint="https://backup.example.com/v1.0/1")
    for option, value in values.items():
        if value is not None:
            monkeypatch.setenv(ENV_VARS[option], value)

    module = build({})

    assert module.params["username"] == values["username"]
    assert module.params["api_key"] == values["api_key"]
    assert module.params["region"] == "SYD"
    assert module.params["endpoint"] == values["endpoint"]
    assert module.params["identity_url"] == values["identity_url"]
    assert module.params["tenant_id"] == values["tenant_id"]
    assert module.params["auth_token"] == "token-value"


def test_module_options_and_mutually_exclusive_are_merged(capsys, build):
    spec = dict(argument_spec=dict(action=dict(type="str"), backup_id=dict(type="int")),
                mutually_exclusive=[["action", "backup_id"]])

    assert build(dict(CREDENTIALS, action="start"), **spec).params["action"] == "start"
    result = outcome(capsys, lambda: build(dict(CREDENTIALS, action="start", backup_id=1), **spec))
    assert "mutually exclusive: action|backup_id" in result["msg"]


def test_wait_argument_spec_matches_the_wait_doc_fragment():
    documented = yaml.safe_load(wait_fragment.ModuleDocFragment.DOCUMENTATION)["options"]
    spec = _module.wait_argument_spec()

    assert sorted(spec) == sorted(documented)
    for name, option in spec.items():
        assert (option["type"], option["default"], option.get("choices")) == (
            documented[name]["type"], documented[name]["default"], documented[name].get("choices")), name


# --- checks before any HTTP call ---------------------------------------------------------

@pytest.mark.parametrize("region, expected", [("dfw", "DFW"), ("Lon", "LON"), ("HKG", "HKG"), ("", None)])
def test_region_is_accepted_in_any_case(region, expected, build):
    assert build(dict(CREDENTIALS, region=region)).params["region"] == expected


def test_unknown_region_fails_listing_the_valid_ones(capsys, no_client, build):
    result = outcome(capsys, lambda: build(dict(CREDENTIALS, region="mars")))

    assert result["failed"] is True
    assert result["msg"] == "region must be one of DFW, HKG, IAD, LON, ORD, SYD (in any case), got mars"


@pytest.mark.parametrize("args, message", [
    ({}, "no credentials"),
    ({"username": "demo"}, "username needs api_key (preferred) or password"),
    ({"api_key": API_KEY}, "api_key needs username"),
    ({"username": "demo", "api_key": API_KEY, "password": "pw-secret"}, "api_key and password are mutually exclusive"),
    ({"auth_token": "token-secret"}, "auth_token needs tenant_id"),
    ({"auth_token": "token-secret", "tenant_id": "1"}, "needs endpoint"),
])
def test_missing_or_conflicting_credentials_fail_before_any_http_call(capsys, no_client, args, message, build):
    result = outcome(capsys, lambda: build(args))

    assert result["failed"] is True
    assert message in result["msg"]
    for secret in (API_KEY, "pw-secret", "token-secret"):
        assert secret not in json.dumps(result)


def test_missing_requests_fails_with_missing_required_lib(monkeypatch, no_client, build):
    failures = []

    def fail_json(self, **kwargs):
        failures.append(kwargs)
        raise SystemExit(1)
    monkeypatch.setattr(CloudBackupModule, "fail_json", fail_json)
    monkeypatch.setattr(_module, "HAS_REQUESTS", False)
    monkeypatch.setattr(_module, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")

    with pytest.raises(SystemExit):
        build(CREDENTIALS)

    assert "Failed to import the required Python library (requests)" in failures[0]["msg"]
    assert failures[0]["exception"] == "Traceback: No module named 'requests'"


def test_missing_jmespath_fails_only_when_required(capsys, monkeypatch, build):
    monkeypatch.setattr(_module, "HAS_JMESPATH", False)
    module = build(CREDENTIALS)

    result = outcome(capsys, module.require_jmespath)

    assert "(jmespath)" in result["msg"]


# --- the client and the error boundary ---------------------------------------------------

def test_client_is_built_once_from_the_params(monkeypatch, build):
    built = []
    monkeypatch.setattr(_module, "CloudBackupClient", lambda params, **_hooks: built.append(params) or object())
    module = build(dict(CREDENTIALS, region="iad"))

    assert built == []
    assert module.client is module.client
    assert len(built) == 1
    assert built[0]["region"] == "IAD"


def test_run_exits_with_the_result(capsys, build):
    module = build(CREDENTIALS)

    result = outcome(capsys, lambda: module.run(lambda mod: {"changed": True, "backup_id": 7}))

    assert result["changed"] is True
    assert result["backup_id"] == 7
    assert "failed" not in result


def test_run_turns_a_cloudbackup_error_into_fail_json(capsys, build):
    module = build(CREDENTIALS)
    url = "https://dfw.backup.example.com/v1.0/1/backup/9"

    def body(mod):
        raise NotFound(404, "GET", url, '{"message": "no such backup"}', msg="backup 9 not found")

    result = outcome(capsys, lambda: module.run(body))

    assert result["failed"] is True
    assert result["msg"] == "backup 9 not found"
    assert (result["status"], result["method"], result["url"]) == (404, "GET", url)
    assert result["body"] == '{"message": "no such backup"}'


@pytest.mark.parametrize("args, message", [
    ({"poll_interval": 0}, "poll_interval must be at least 1 second, got 0.0"),
    ({"wait": False, "poll_interval": -1}, "poll_interval must be at least 1 second, got -1.0"),
    ({"wait_timeout": -1}, "wait_timeout must not be negative, got -1.0"),
])
def test_run_checks_the_wait_options_of_a_module_that_takes_them(capsys, build, args, message):
    module = build(dict(CREDENTIALS, **args), argument_spec=_module.wait_argument_spec())

    result = outcome(capsys, lambda: module.run(lambda mod: pytest.fail("the body must not run")))

    assert (result["failed"], result["msg"]) == (True, message)


def test_other_exceptions_are_not_swallowed(build):
    module = build(CREDENTIALS)

    with pytest.raises(ZeroDivisionError):
        module.run(lambda mod: 1 / 0)


@pytest.mark.parametrize("diff_mode, expected", [
    (True, {"diff": {"before": {"state": "idle"}, "after": {"state": "running"}}}),
    (False, {}),
])
def test_diff_only_in_diff_mode(diff_mode, expected, build):
    module = build(dict(CREDENTIALS, _ansible_diff=diff_mode))

    assert module.diff({"state": "idle"}, {"state": "running"}) == expected
