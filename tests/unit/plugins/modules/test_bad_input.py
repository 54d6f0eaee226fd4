"""Bad input, option by option: every module fails with a message naming the option, before any HTTP call.

ROWS is the whole table: one row per (module, option, bad value), as
``(module, arguments, what the message must name)``. The arguments are added to the
credentials of conftest.CREDENTIALS (an argument set to None removes one). Each row runs
the module's main() and asserts a clean failure: ``failed``, the option named in ``msg``,
no HTTP request at all (requests.Session is patched to fail the test) and no traceback.
"""
import json

import pytest
import requests

from ansible_collections.rackspace.cloudbackup.plugins.modules import (
    cloudbackup_action,
    cloudbackup_auth,
    cloudbackup_configuration,
    cloudbackup_info,
    cloudbackup_report,
    cloudbackup_restore,
)

ACTION, AUTH, INFO, REPORT = cloudbackup_action, cloudbackup_auth, cloudbackup_info, cloudbackup_report
RESTORE, CONFIGURE = cloudbackup_restore, cloudbackup_configuration
# The least each module needs besides the connection options.
BASE = {ACTION: {"action": "wake_agents"}, AUTH: {}, INFO: {"resource": "agents"}, REPORT: {"backup_id": 1},
        RESTORE: {"backup_id": 1, "destination_path": "/"}, CONFIGURE: {"agent_id": 300001, "name": "web1"}}
START = {"action": "start", "configuration_id": 1}
BATCH = {"action": "start", "wait": False}
WAIT_MODULES = (ACTION, REPORT, RESTORE)
STOP_RESTORE = {"action": "stop", "restore_id": 1}
NO_CREDENTIALS = {"username": None, "api_key": None}
TOKEN = {"auth_token": "token-secret", "tenant_id": "123456"}
DEEP_QUERY = "(" * 3000 + "a" + ")" * 3000


def target(**settings):
    return dict({"name": "web1", "agent_id": 300001}, **settings)


def without_nulls(args):
    return {name: value for name, value in args.items() if value is not None}


def entry(**settings):
    return dict({"backup_id": 100001}, **settings)


# (module, arguments, what the message must name)
ROWS = [
    # --- the connection options, for every module ----------------------------------------
    *[(module, dict(BASE[module], **args), named) for module in (ACTION, AUTH, INFO, REPORT, RESTORE, CONFIGURE) for args, named in [
        ({"username": "   "}, "username"),
        ({"api_key": " "}, "api_key"),
        ({"api_key": None}, "api_key"),
        ({"password": "pw-secret"}, "password"),
        ({"password": "\t"}, "password"),
        ({"auth_token": "  "}, "auth_token"),
        ({"tenant_id": " "}, "tenant_id"),
        (dict(NO_CREDENTIALS, auth_token="token-secret"), "tenant_id"),
        (dict(NO_CREDENTIALS, **TOKEN), "endpoint"),
        ({"region": "mars"}, "region"),
        ({"region": " "}, "region"),
        ({"identity_url": "not a url"}, "identity_url"),
        ({"identity_url": "ftp://identity.example.com/v2.0/"}, "identity_url"),
        ({"identity_url": "https://"}, "identity_url"),
        ({"identity_url": "http://[::1/v2.0"}, "identity_url"),
        ({"identity_url": "https://identity.example.com:99999/"}, "identity_url"),
        ({"endpoint": "not a url"}, "endpoint"),
        ({"endpoint": "ftp://backup.example.com/v1.0/1"}, "endpoint"),
        ({"endpoint": "https://back up.example.com/v1.0/1"}, "endpoint"),
        ({"endpoint": "https://:443/v1.0/1"}, "endpoint"),
        ({"validate_certs": "maybe"}, "validate_certs"),
        ({"ca_path": "/nonexistent/rax-ca.pem"}, "ca_path"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": "nan"}, "timeout"),
        ({"timeout": "inf"}, "timeout"),
        ({"timeout": "-inf"}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": 1e300}, "timeout"),
        ({"auth_token": "token\nsecret", "tenant_id": "123456"}, "auth_token"),
        ({"no_such_option": 1}, "no_such_option"),
    ]],
    (AUTH, dict(NO_CREDENTIALS, endpoint="https://backup.example.com/v1.0/1", **TOKEN), "username"),
    # --- the wait options, for the modules that wait ---------------------------------------
    *[(module, dict(BASE[module], **args), named) for module in WAIT_MODULES for args, named in [
        ({"wait": "maybe"}, "wait"),
        ({"wait_timeout": -1}, "wait_timeout"),
        ({"wait_timeout": "nan"}, "wait_timeout"),
        ({"wait_timeout": "inf"}, "wait_timeout"),
        ({"wait_timeout": 1e300}, "wait_timeout"),
        ({"poll_interval": 1e300}, "poll_interval"),
        ({"wait_timeout": "later"}, "wait_timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": -1}, "poll_interval"),
        ({"poll_interval": 0.5}, "poll_interval"),
        ({"poll_interval": 0.000001}, "poll_interval"),
        ({"poll_interval": "nan"}, "poll_interval"),
        ({"poll_interval": "inf"}, "poll_interval"),
        ({"poll_interval": "often"}, "poll_interval"),
        ({"on_timeout": "stop"}, "on_timeout"),
    ]],
    # --- cloudbackup_action ----------------------------------------------------------------
    (ACTION, {"action": None}, "action"),
    (ACTION, {"action": "restart"}, "action"),
    (ACTION, {"action": "start"}, "configuration_id"),
    (ACTION, {"action": "stop"}, "backup_id"),
    (ACTION, {"action": "start", "configuration_id": None}, "configuration_id"),
    (ACTION, {"action": "stop", "backup_id": None}, "backup_id"),
    (ACTION, dict(START, configuration_id=0), "configuration_id"),
    (ACTION, dict(START, configuration_id=-1), "configuration_id"),
    (ACTION, dict(START, configuration_id="abc"), "configuration_id"),
    (ACTION, dict(START, configuration_id=1.5), "configuration_id"),
    (ACTION, dict(START, configuration_name="nightly"), "configuration_name"),
    (ACTION, {"action": "start", "configuration_name": ""}, "configuration_name"),
    (ACTION, {"action": "start", "configuration_name": "   "}, "configuration_name"),
    (ACTION, {"action": "wake_agents", "configuration_name": "nightly"}, "configuration_name"),
    (ACTION, {"action": "wake_agents", "configuration_id": 1}, "configuration_id"),
    (ACTION, dict(START, agent_id=0), "agent_id"),
    (ACTION, dict(START, agent_id=-5), "agent_id"),
    (ACTION, dict(START, agent_id="abc"), "agent_id"),
    (ACTION, {"action": "wake_agents", "agent_id": 0}, "agent_id"),
    (ACTION, {"action": "stop", "backup_id": 0}, "backup_id"),
    (ACTION, {"action": "stop", "backup_id": -1}, "backup_id"),
    (ACTION, {"action": "stop", "backup_id": "abc"}, "backup_id"),
    (ACTION, dict(START, backup_id=2), "backup_id"),
    (ACTION, {"action": "wake_agents", "backup_id": 2}, "backup_id"),
    (ACTION, dict(START, skip_if_completed_within=0), "skip_if_completed_within"),
    (ACTION, dict(START, skip_if_completed_within=-60), "skip_if_completed_within"),
    (ACTION, dict(START, skip_if_completed_within="nan"), "skip_if_completed_within"),
    (ACTION, {"action": "stop", "backup_id": 1, "skip_if_completed_within": 60}, "skip_if_completed_within"),
    (ACTION, dict(START, allow_completed_with_errors="maybe"), "allow_completed_with_errors"),
    (ACTION, dict(START, online_timeout=-1), "online_timeout"),
    (ACTION, dict(START, online_timeout="nan"), "online_timeout"),
    (ACTION, dict(START, online_timeout=1.5), "online_timeout"),
    (ACTION, dict(START, online_timeout="soon"), "online_timeout"),
    (ACTION, dict(BATCH, wake_agents="maybe", targets=[target()]), "wake_agents"),
    # targets and their suboptions
    (ACTION, dict(BATCH, targets="web1"), "targets"),
    (ACTION, dict(BATCH, targets=["web1"]), "targets"),
    (ACTION, dict(BATCH, targets=[target()], configuration_id=1), "targets"),
    (ACTION, dict(BATCH, targets=[target()], agent_id=1), "targets"),
    (ACTION, {"action": "stop", "backup_id": 1, "wait": False, "targets": [target()]}, "targets"),
    (ACTION, dict(BATCH, targets=[target(name=None)]), "name"),
    (ACTION, dict(BATCH, targets=[target(name="")]), "targets[0].name"),
    (ACTION, dict(BATCH, targets=[target(name="  ")]), "targets[0].name"),
    (ACTION, dict(BATCH, targets=[target(agent_id=0)]), "targets[0].agent_id"),
    (ACTION, dict(BATCH, targets=[target(agent_id=-1)]), "targets[0].agent_id"),
    (ACTION, dict(BATCH, targets=[target(agent_id="abc")]), "agent_id"),
    (ACTION, dict(BATCH, targets=[target(agent_id=None, server_id="")]), "targets[0].server_id"),
    (ACTION, dict(BATCH, targets=[target(agent_id=None, server_id=" ")]), "targets[0].server_id"),
    (ACTION, dict(BATCH, targets=[target(agent_id=None, machine_name="")]), "targets[0].machine_name"),
    (ACTION, dict(BATCH, targets=[target(agent_id=None, machine_name="\n")]), "targets[0].machine_name"),
    (ACTION, dict(BATCH, targets=[target(agent_id=None)]), "targets[0].agent_id"),
    (ACTION, dict(BATCH, targets=[target(), target(name="db1", configuration_id=0)]), "targets[1].configuration_id"),
    (ACTION, dict(BATCH, targets=[target(configuration_name="")]), "targets[0].configuration_name"),
    (ACTION, dict(BATCH, targets=[target(configuration_id=1, configuration_name="nightly")]), "targets[0].configuration_id"),
    (ACTION, dict(BATCH, targets=[target(skip_if_completed_within=0)]), "targets[0].skip_if_completed_within"),
    (ACTION, dict(BATCH, targets=[target(skip_if_completed_within=-5)]), "targets[0].skip_if_completed_within"),
    (ACTION, dict(BATCH, targets=[target(region="XYZ")]), "targets[0].region"),
    (ACTION, dict(BATCH, targets=[target(region="ORD", endpoint="ord.example.com")]), "targets[0].endpoint"),
    (ACTION, dict(BATCH, targets=[target(region="ORD", endpoint="ftp://ord.example.com/v1.0/1")]), "targets[0].endpoint"),
    (ACTION, dict(BATCH, targets=[target(allow_completed_with_errors="maybe")]), "allow_completed_with_errors"),
    (ACTION, dict(BATCH, targets=[target(colour="blue")]), "colour"),
    # --- cloudbackup_info ------------------------------------------------------------------
    (INFO, {"resource": None}, "resource"),
    (INFO, {"resource": "servers"}, "resource"),
    (INFO, {"resource": "agents", "agent_id": 0}, "agent_id"),
    (INFO, {"resource": "agents", "agent_id": -1}, "agent_id"),
    (INFO, {"resource": "agents", "agent_id": "abc"}, "agent_id"),
    (INFO, {"resource": "agents", "machine_name": ""}, "machine_name"),
    (INFO, {"resource": "agents", "machine_name": "  "}, "machine_name"),
    (INFO, {"resource": "agents", "server_id": ""}, "server_id"),
    (INFO, {"resource": "agents", "server_id": " "}, "server_id"),
    (INFO, {"resource": "agents", "agent_id": 1, "machine_name": "alpha"}, "machine_name"),
    (INFO, {"resource": "configurations", "configuration_id": 0}, "configuration_id"),
    (INFO, {"resource": "configurations", "configuration_id": "abc"}, "configuration_id"),
    (INFO, {"resource": "configurations", "configuration_name": ""}, "configuration_name"),
    (INFO, {"resource": "configurations", "configuration_name": "\t"}, "configuration_name"),
    (INFO, {"resource": "configurations", "configuration_id": 1, "configuration_name": "nightly"}, "configuration_name"),
    (INFO, {"resource": "configurations", "configuration_id": 1, "agent_id": 1}, "agent_id"),
    (INFO, {"resource": "configurations", "configuration_id": 1, "include_deleted": True}, "include_deleted"),
    (INFO, {"resource": "configurations", "include_deleted": "maybe"}, "include_deleted"),
    (INFO, {"resource": "agents", "configuration_id": 1}, "configuration_id"),
    (INFO, {"resource": "agents", "backup_id": 1}, "backup_id"),
    (INFO, {"resource": "activity", "machine_name": "alpha"}, "machine_name"),
    (INFO, {"resource": "backup"}, "backup_id"),
    (INFO, {"resource": "backup", "backup_id": None}, "backup_id"),
    (INFO, {"resource": "backup", "backup_id": 0}, "backup_id"),
    (INFO, {"resource": "backup", "backup_id": -1}, "backup_id"),
    (INFO, {"resource": "backup", "backup_id": "abc"}, "backup_id"),
    (INFO, {"resource": "completed_backups"}, "configuration_id"),
    (INFO, {"resource": "completed_backups", "configuration_name": None}, "configuration_id"),
    (INFO, {"resource": "completed_backups", "configuration_id": 0}, "configuration_id"),
    (INFO, {"resource": "agents", "query": ""}, "query"),
    (INFO, {"resource": "agents", "query": "   "}, "query"),
    (INFO, {"resource": "agents", "query": "[?status =="}, "query"),
    (INFO, {"resource": "agents", "query": "----"}, "query"),
    (INFO, {"resource": "agents", "query": DEEP_QUERY}, "query"),
    (INFO, {"resource": "agents", "query": "[" * 3000}, "query"),
    # --- cloudbackup_report ----------------------------------------------------------------
    (REPORT, {"backup_id": None}, "backup_id"),
    (REPORT, {"configuration_id": None, "configuration_name": None}, "backup_id"),
    (REPORT, {"backup_id": 0}, "backup_id"),
    (REPORT, {"backup_id": -1}, "backup_id"),
    (REPORT, {"backup_id": "abc"}, "backup_id"),
    (REPORT, {"backup_id": 1, "configuration_id": 1}, "configuration_id"),
    (REPORT, {"configuration_id": 0}, "configuration_id"),
    (REPORT, {"configuration_name": ""}, "configuration_name"),
    (REPORT, {"configuration_name": "  "}, "configuration_name"),
    (REPORT, {"configuration_name": "nightly", "agent_id": 0}, "agent_id"),
    (REPORT, {"configuration_id": 1, "agent_id": 1}, "agent_id"),
    (REPORT, {"backup_id": 1, "gate": "maybe"}, "gate"),
    (REPORT, {"backup_id": 1, "gate": True, "acceptable_states": []}, "acceptable_states"),
    (REPORT, {"backup_id": 1, "gate": True, "acceptable_states": ["Queued"]}, "acceptable_states"),
    (REPORT, {"backup_id": 1, "gate": True, "acceptable_states": [""]}, "acceptable_states"),
    (REPORT, {"backup_id": 1, "gate": True, "acceptable_states": "Done"}, "acceptable_states"),
    (REPORT, {"backup_id": 1, "gate": True, "max_errors": -1}, "max_errors"),
    (REPORT, {"backup_id": 1, "gate": True, "max_errors": "abc"}, "max_errors"),
    (REPORT, {"backup_id": 1, "gate": True, "max_errors": 1.5}, "max_errors"),
    # backups and their suboptions
    (REPORT, {"backup_id": 1, "backups": [entry()]}, "backup_id"),
    (REPORT, {"agent_id": 1, "configuration_name": "x", "backups": [entry()]}, "agent_id"),
    (REPORT, {"backups": "100001"}, "backups"),
    (REPORT, {"backups": [entry(backup_id=0)]}, "backups[0].backup_id"),
    (REPORT, {"backups": [entry(backup_id=-1)]}, "backups[0].backup_id"),
    (REPORT, {"backups": [entry(backup_id="abc")]}, "backup_id"),
    (REPORT, {"backups": [entry(configuration_id=0)]}, "backups[0].configuration_id"),
    (REPORT, {"backups": [entry(backup_id=None)]}, "backups[0].backup_id"),
    (REPORT, {"backups": [entry(), entry(configuration_name="")]}, "backups[1].configuration_name"),
    (REPORT, {"backups": [entry(name=" ")]}, "backups[0].name"),
    (REPORT, {"backups": [entry(acceptable_states=[])]}, "backups[0].acceptable_states"),
    (REPORT, {"backups": [entry(acceptable_states=["InProgress"])]}, "backups[0].acceptable_states"),
    (REPORT, {"backups": [entry(max_errors=-1)]}, "backups[0].max_errors"),
    (REPORT, {"backups": [entry(started_at="nan")]}, "backups[0].started_at"),
    (REPORT, {"backups": [entry(started_at="inf")]}, "backups[0].started_at"),
    (REPORT, {"backups": [entry(started_at=-1)]}, "backups[0].started_at"),
    (REPORT, {"backups": [entry(started_at="yesterday")]}, "started_at"),
    (REPORT, {"backups": [entry(deadline="nan")]}, "backups[0].deadline"),
    (REPORT, {"backups": [entry(deadline="-inf")]}, "backups[0].deadline"),
    (REPORT, {"backups": [entry(deadline=-5)]}, "backups[0].deadline"),
    (REPORT, {"backups": [entry(result="done")]}, "result"),
    (REPORT, {"backups": [entry(region="Chicago")]}, "backups[0].region"),
    (REPORT, {"backups": [entry(region="ORD", endpoint="https://")]}, "backups[0].endpoint"),
    (REPORT, {"backups": [entry(result={"ended": True})]}, "backups[0].result"),
    (REPORT, {"gate": True,
              "backups": [entry(result={"ended": True, "timed_out": False, "gate_passed": False, "healthy": False})]},
     "backups[0].result"),
    (REPORT, {"backups": [entry(colour="blue")]}, "colour"),
    # --- cloudbackup_restore ---------------------------------------------------------------
    # None leaves an option of BASE out (AnsibleModule counts a null as given for mutually_exclusive).
    *[(RESTORE, without_nulls(dict(BASE[RESTORE], **args)), named) for args, named in [
        ({"action": "rollback"}, "action"),
        ({"backup_id": None}, "backup_id"),
        ({"backup_id": 0}, "backup_id"),
        ({"backup_id": -1}, "backup_id"),
        ({"backup_id": "abc"}, "backup_id"),
        ({"backup_id": 1, "configuration_id": 1}, "configuration_id"),
        ({"backup_id": None, "configuration_id": 0}, "configuration_id"),
        ({"backup_id": None, "configuration_name": ""}, "configuration_name"),
        ({"backup_id": None, "configuration_name": "  "}, "configuration_name"),
        ({"backup_id": None, "configuration_name": "nightly", "agent_id": 0}, "agent_id"),
        ({"agent_id": 300001}, "agent_id"),  # not the destination: that is destination_agent_id
        ({"restore_id": 1}, "restore_id"),
        ({"destination_path": None}, "destination_path"),
        ({"destination_path": ""}, "destination_path"),
        ({"destination_path": " "}, "destination_path"),
        ({"destination_agent_id": 0}, "destination_agent_id"),
        ({"destination_agent_id": "web1"}, "destination_agent_id"),
        ({"overwrite": "maybe"}, "overwrite"),
        ({"include": ["/etc/", ""]}, "include[1]"),
        ({"exclude": [" "]}, "exclude[0]"),
        ({"include": {"path": "/etc/"}}, "include"),
        ({"online_timeout": -1}, "online_timeout"),
        ({"online_timeout": "soon"}, "online_timeout"),
        ({"allow_completed_with_errors": "maybe"}, "allow_completed_with_errors"),
        ({"gate": "maybe"}, "gate"),
        ({"gate": True, "acceptable_states": []}, "acceptable_states"),
        ({"gate": True, "acceptable_states": ["Creating"]}, "acceptable_states"),
        ({"gate": True, "max_errors": -1}, "max_errors"),
        ({"gate": True, "max_errors": 1.5}, "max_errors"),
        ({"action": "stop", "backup_id": None, "destination_path": None}, "restore_id"),
        ({"action": "wait", "backup_id": None, "destination_path": None}, "restore_id"),
        (dict(STOP_RESTORE, restore_id=0, backup_id=None, destination_path=None), "restore_id"),
        (dict(STOP_RESTORE, destination_path=None), "backup_id"),
        (dict(STOP_RESTORE, backup_id=None), "destination_path"),
        (dict(STOP_RESTORE, backup_id=None, destination_path=None, include=["/etc/"]), "include"),
    ]],
    (INFO, {"resource": "restore"}, "restore_id"),
    (INFO, {"resource": "restore", "restore_id": 0}, "restore_id"),
    (INFO, {"resource": "restore_activity", "configuration_id": 1}, "configuration_id"),
    (INFO, {"resource": "available_for_restore", "agent_id": 1}, "agent_id"),
    (INFO, {"resource": "agents", "restore_id": 1}, "restore_id"),
    # --- cloudbackup_configuration -----------------------------------------------------------
    *[(CONFIGURE, dict(BASE[CONFIGURE], **args), named) for args, named in [
        ({"agent_id": None}, "agent_id"),
        ({"agent_id": 0}, "agent_id"),
        ({"configuration_id": 0}, "configuration_id"),
        ({"name": " "}, "name"),
        ({"state": "gone"}, "state"),
        ({"state": "absent", "retention_days": 30}, "retention_days"),
        ({"state": "absent", "include": ["/srv"]}, "include"),
        ({"retention_days": 7}, "retention_days"),
        ({"missed_backup": "later"}, "missed_backup"),
        ({"notify_recipients": " "}, "notify_recipients"),
        ({"include": [""]}, "include"),
        ({"exclude_files": [" "]}, "exclude_files"),
        ({"enabled": "maybe"}, "enabled"),
        ({"schedule": "daily"}, "schedule"),
        ({"schedule": {"frequency": "monthly"}}, "frequency"),
        ({"schedule": {"frequency": "hourly"}}, "schedule.every_hours"),
        ({"schedule": {"frequency": "hourly", "every_hours": 24}}, "schedule.every_hours"),
        ({"schedule": {"frequency": "hourly", "every_hours": 0}}, "schedule.every_hours"),
        ({"schedule": {"frequency": "daily", "time_zone": "UTC"}}, "schedule.time"),
        ({"schedule": {"frequency": "daily", "time": "7pm", "time_zone": "UTC"}}, "schedule.time"),
        ({"schedule": {"frequency": "daily", "time": "24:00", "time_zone": "UTC"}}, "schedule.time"),
        ({"schedule": {"frequency": "daily", "time": "19:00"}}, "schedule.time_zone"),
        ({"schedule": {"frequency": "daily", "time": "19:00", "time_zone": " "}}, "schedule.time_zone"),
        ({"schedule": {"frequency": "weekly", "time": "19:00", "time_zone": "UTC"}}, "schedule.day"),
        ({"schedule": {"frequency": "weekly", "day": "someday", "time": "19:00", "time_zone": "UTC"}}, "day"),
        ({"schedule": {"frequency": "manual", "time": "19:00"}}, "schedule.time"),
        ({"schedule": {"frequency": "daily", "every_hours": 2, "time": "19:00", "time_zone": "UTC"}},
         "schedule.every_hours"),
        ({"configurations": [{"name": "web1", "agent_id": 300001}]}, "configurations"),
    ]],
    *[(CONFIGURE, args, named) for args, named in [
        ({"configurations": [{"name": "web1"}]}, "configurations[0].agent_id"),
        # Every element bad: the task fails (one bad element among good ones fails alone).
        ({"configurations": [{"name": "web1"}, {"agent_id": 300001, "name": " "}]}, "configurations[1].name"),
        ({"configurations": [{"name": "web1", "agent_id": 300001, "schedule": {"frequency": "hourly"}}]},
         "configurations[0].schedule.every_hours"),
        ({"configurations": [{"name": "web1", "agent_id": 300001, "retention_days": 1}]}, "retention_days"),
        ({"state": "absent", "configurations": []}, "configurations[].state"),
        ({"configurations": "web1"}, "configurations"),
    ]],
]


def row_id(row):
    module, args, named = row
    return "%s-%s-%r" % (module.__name__.rpartition("_")[2], named, args.get(named, "")[:20]
                         if isinstance(args.get(named), str) else args.get(named))


@pytest.fixture
def no_http(monkeypatch):
    """Fail the test on any HTTP request; the list of attempts is returned for the assertion too."""
    attempts = []

    def refuse(self, method, url, *args, **kwargs):
        attempts.append((method, url))
        pytest.fail("an HTTP request was made: %s %s" % (method, url))

    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", lambda self, request, **kwargs: refuse(
        self, request.method, request.url))
    return attempts


@pytest.mark.parametrize("module, args, named", ROWS, ids=[row_id(row) for row in ROWS])
def test_bad_input_fails_cleanly_before_any_http_call(run_module, no_http, module, args, named):
    result = run_module(module, args)

    shown = json.dumps(result)
    assert result.get("failed") is True, result
    assert named in result["msg"], result["msg"]
    assert no_http == []
    assert "exception" not in result and "MODULE FAILURE" not in shown and "Traceback" not in shown, result
    for secret in ("token-secret", "pw-secret"):
        assert secret not in shown
