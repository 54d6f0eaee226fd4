"""Tests for module_utils/_options.py: the checks' edge cases (the modules' rows are in modules/test_bad_input.py)."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _options
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError


@pytest.mark.parametrize("value", ["https://user:pw-secret@host:99999/v1.0", "ftp://user:pw-secret@host/v1.0",
                                   "http://user:pw-secret@[::1/v1.0"])
def test_a_bad_url_is_shown_without_its_password(value):
    problem = _options.url({"endpoint": value}, "endpoint", "endpoint")

    assert problem.startswith("endpoint must be an http:// or https:// URL with a host")
    assert "pw-secret" not in problem


@pytest.mark.parametrize("value", ["https://identity.example.com", "http://127.0.0.1:8080/v2.0/", "", None])
def test_good_or_unset_urls_pass(value):
    assert _options.url({"identity_url": value}, "identity_url", "identity_url") is None


@pytest.mark.parametrize("value, problem", [
    ("15", None),
    ("0", "poll_interval must be at least 1 second, got 0"),
    (True, "poll_interval must be a number of seconds, got True"),
    ("1e999", "poll_interval must be a finite number of seconds, got 1e999"),
    (float("nan"), "poll_interval must be a finite number of seconds, got nan"),
])
def test_numbers_may_come_as_strings_from_role_variables(value, problem):
    assert _options.seconds({"poll_interval": value}, "poll_interval", "poll_interval", minimum=1) == problem


def test_empty_is_unset_only_for_connection_options():
    assert _options.problems({"username": "", "tenant_id": ""}, _options.CONNECTION_RULES) == []
    assert _options.problems({"configuration_name": ""}, _options.INFO_RULES) == [
        "configuration_name must not be empty or blank"]


def test_check_raises_the_first_problem_and_labels_suboptions():
    params = {"targets": [{"name": "a", "agent_id": 1}, {"name": "b", "agent_id": 0, "configuration_id": 0}]}

    with pytest.raises(ConfigurationError) as raised:
        _options.check_elements(params, "targets", _options.TARGET_RULES)

    assert raised.value.msg == "targets[1].agent_id must be an id (an integer of at least 1), got 0"
