"""Shared fixtures for module tests: run main() with patched arguments, read its JSON result.

``run_module(module, args)`` runs a module's ``main()`` the way Ansible would (arguments
patched in, the result printed as JSON on stdout, then SystemExit) and returns the decoded
result. ``fake_api`` replaces the _api functions with an in-memory account of normalized
records, and the real client with one that refuses to be used (``no_network``).
Waits run on the shared ``fake_clock`` (tests/unit/conftest.py) or, with ``simulated_time``,
on the simulator's clock, so no test sleeps.
"""
import contextlib
import functools
import json
import time
import types

import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _backups, _configurations, _fleet_watch, _module
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.modules import (
    cloudbackup_action,
    cloudbackup_configuration,
    cloudbackup_report,
    cloudbackup_restore,
)

ENDPOINT = "https://dfw.backup.example.com/v1.0/123456"
API_KEY = "apikey-0123456789abcdef-secret"
CREDENTIALS = {"username": "demo", "api_key": API_KEY}
RAX_VARIABLES = ("RAX_USERNAME", "RAX_API_KEY", "RAX_PASSWORD", "RAX_AUTH_TOKEN", "RAX_TENANT_ID", "RAX_REGION",
                 "RAX_IDENTITY_URL", "RAX_CLOUDBACKUP_ENDPOINT", "RAX_VALIDATE_CERTS", "RAX_CA_PATH", "RAX_API_TIMEOUT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """The developer's own RAX_* variables must not leak into the module arguments."""
    for name in RAX_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Warnings and deprecations are process-wide: one module run's must not show in the next one's result."""
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
    monkeypatch.setattr(ansible_warnings, "_global_deprecations", {})


class RefusingClient:
    """Stands in for CloudBackupClient where the api layer is faked: any other use of it is a test bug."""

    # What the modules ask of the client itself: the secrets it holds (masked when a task
    # fails) and a bound on its retries during a wait.
    secrets = ()
    retrying_within = staticmethod(lambda seconds: contextlib.nullcontext())

    def __init__(self, params, **_hooks):
        self.params = params

    def __getattr__(self, name):
        pytest.fail("the module used client.%s: the api layer should have been faked" % name)


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(_module, "CloudBackupClient", RefusingClient)


@pytest.fixture
def run_module(capsys):
    """Run ``module.main()`` with ``args`` (credentials added unless given) and return its JSON result."""

    def run(module, args, credentials=True):
        arguments = dict(CREDENTIALS, **args) if credentials else dict(args)
        with patch_module_args(arguments):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)

    return run


# --- a fake account behind the api layer ---------------------------------------------------

def agent(agent_id, name, status="Online", server_id=None, **extra):
    """An agent as _api.get_agent returns it (normalized)."""
    record = {"machine_agent_id": agent_id, "machine_name": name, "status": status, "host_server_id": server_id,
              "is_disabled": False, "backup_vault_size": 37014732, "backup_vault_size_text": "35.3 MB",
              "time_of_last_successful_backup": "2026-01-18T17:28:17Z"}
    record.update(extra)
    return record


def configuration(configuration_id, name, agent_id, deleted=False, last_run=None, **extra):
    record = {"backup_configuration_id": configuration_id, "backup_configuration_name": name,
              "machine_agent_id": agent_id, "machine_name": "agent-%s" % agent_id, "is_active": True,
              "is_deleted": deleted, "last_run_backup_report_id": last_run, "next_scheduled_run_time": None}
    record.update(extra)
    return record


def backup(backup_id, configuration_id, state, name="nightly", agent_id=300001):
    return {"backup_id": backup_id, "backup_configuration_id": configuration_id, "backup_configuration_name": name,
            "machine_agent_id": agent_id, "machine_name": "alpha", "current_state": state,
            "state_change_time": "2026-01-18T17:32:50Z"}


def report(backup_id, state="Completed", errors=0, name="nightly", reason="Success", diagnostics=None, **extra):
    """A normalized report; ``errors`` entries are generated into error_list."""
    if diagnostics is None:
        diagnostics = "No errors" if state == "Completed" and not errors else "Completed With Errors"
    record = {
        "backup_id": backup_id, "backup_configuration_id": 400001, "backup_configuration_name": name,
        "computer_name": "alpha", "machine_agent_id": 300001, "state": state, "can_restore": True,
        "start_time": "2026-01-18T17:28:17Z", "completed_time": "2026-01-18T17:32:50Z",
        "duration": "00:04:33", "duration_seconds": 273,
        "files_searched": 11936, "files_backed_up": 6,
        "bytes_searched": 3972844748, "bytes_searched_text": "3.7 GB",
        "bytes_backed_up": 186751385, "bytes_backed_up_text": "178.1 MB",
        "num_errors": errors, "reason": reason, "diagnostics": diagnostics,
        "error_list": [{"backup_report_id": backup_id, "list_index": index, "error_type": 101,
                        "error_desc": "Unable to back up file", "exception_code": 313,
                        "path": "/var/lib/app/file%d" % index} for index in range(errors)],
    }
    record.update(extra)
    return record


def activity_item(item_id, configuration_id, state="Completed", agent_id=300001, kind="Backup"):
    return {"id": item_id, "type": kind, "parent_id": configuration_id, "display_name": "nightly",
            "source_machine_agent_id": agent_id, "current_state": state,
            "time_of_activity": "2026-01-18T17:%02d:00Z" % (item_id % 60)}


def _not_found(what, path):
    url = ENDPOINT + "/" + path
    return NotFound(404, "GET", url, "", msg="%s not found (GET %s returned HTTP 404)" % (what, url))


class FakeApi:
    """Stands for the _api read functions, over an in-memory account; each call is recorded as (name, args).

    For a module that only reads (info, report); tests/unit/conftest.py says which fake suits
    which layer.

    ``states[backup_id]`` scripts what successive get_backup calls see (the last state
    repeats); ``reports[backup_id]`` is the report, served once the backup is final.
    """

    # Record builders, for tests (conftest cannot be imported from a test module).
    agent = staticmethod(agent)
    configuration = staticmethod(configuration)
    backup = staticmethod(backup)
    report = staticmethod(report)
    activity_item = staticmethod(activity_item)

    FUNCTIONS = ("get_agent", "find_agent_by_server", "list_agents", "list_configurations", "get_configuration",
                 "get_backup", "list_completed_backups", "get_report", "list_activity")

    def __init__(self):
        self.agents = {}
        self.configurations = {}
        self.states = {}
        self.backup_names = {}
        self.reports = {}
        self.completed = {}
        self.activity = []
        self.calls = []

    def install(self, monkeypatch, *namespaces):
        for namespace in namespaces + (_backups, _configurations, _fleet_watch):
            for name in self.FUNCTIONS:
                if hasattr(namespace, name):
                    monkeypatch.setattr(namespace, name, functools.partial(self._call, name))

    def called(self, name=None):
        return [call for call in self.calls if name in (None, call[0])]

    def _call(self, name, client, *args, **kwargs):
        self.calls.append((name,) + args + tuple(kwargs.values()))
        return getattr(self, "_" + name)(*args, **kwargs)

    def _get_agent(self, agent_id):
        if agent_id not in self.agents:
            raise _not_found("agent %s" % agent_id, "agent/%s" % agent_id)
        return dict(self.agents[agent_id])

    def _find_agent_by_server(self, server_id):
        return next((dict(a) for a in self.agents.values() if a["host_server_id"] == server_id), None)

    def _list_agents(self):
        # As the API does: the listing always says Offline (api-notes: Agents and waking).
        return [dict(a, status="Offline") for a in self.agents.values()]

    def _list_configurations(self, agent_id=None, include_deleted=False):
        if agent_id is not None and agent_id not in self.agents:
            raise _not_found("agent %s" % agent_id, "backup-configuration/system/%s" % agent_id)
        return [dict(c) for c in self.configurations.values()
                if agent_id in (None, c["machine_agent_id"]) and (include_deleted or not c["is_deleted"])]

    def _get_configuration(self, configuration_id):
        if configuration_id not in self.configurations:
            raise _not_found("backup configuration %s" % configuration_id, "backup-configuration/%s" % configuration_id)
        return dict(self.configurations[configuration_id])

    def _get_backup(self, backup_id):
        if backup_id not in self.states:
            raise _not_found("backup %s" % backup_id, "backup/%s" % backup_id)
        script = self.states[backup_id]
        state = script.pop(0) if len(script) > 1 else script[0]
        return backup(backup_id, 400001, state, name=self.backup_names.get(backup_id, "nightly"))

    def _list_completed_backups(self, configuration_id):
        if configuration_id not in self.configurations:
            raise _not_found("backup configuration %s" % configuration_id, "backup/completed/%s" % configuration_id)
        return [dict(b) for b in self.completed.get(configuration_id, [])]

    def _get_report(self, backup_id):
        found = self.reports.get(backup_id)
        return dict(found) if found is not None else None

    def _list_activity(self, agent_id=None):
        if agent_id is not None and agent_id not in self.agents:
            raise _not_found("agent %s" % agent_id, "system/activity/%s" % agent_id)
        return [dict(item) for item in self.activity if agent_id in (None, item["source_machine_agent_id"])]

    def finished(self, backup_id, final_report):
        """A backup that has finished with ``final_report``."""
        self.states[backup_id] = [final_report["state"]]
        self.reports[backup_id] = final_report
        assert is_terminal(final_report["state"])


@pytest.fixture
def fake_api(monkeypatch, no_network):
    """A FakeApi installed in _backups and _configurations; call .install(monkeypatch, module) too."""
    api = FakeApi()
    api.install(monkeypatch)
    return api


# --- the in-process simulator on its own clock ---------------------------------------------------

@pytest.fixture
def simulated_time(monkeypatch, account):
    """The modules' clocks and sleeps are the simulator's (see tests/unit/conftest.py): waits of minutes take no time.

    ``account.real_share`` of each simulated second slept is also slept for real: a late
    action (held in real seconds) then lands inside the settle window it must land in.
    """
    simulator = account.simulator
    account.real_share = 0.0

    def sleep(seconds):
        account.sleep(seconds)
        time.sleep(seconds * account.real_share)

    simulated = types.SimpleNamespace(sleep=sleep, monotonic=account.clock, time=simulator.now)
    monkeypatch.setattr(_module, "CloudBackupClient", functools.partial(CloudBackupClient, sleep=sleep, clock=account.clock))
    monkeypatch.setattr(cloudbackup_action, "time", simulated)
    monkeypatch.setattr(cloudbackup_restore, "time", simulated)
    monkeypatch.setattr(cloudbackup_configuration, "time", simulated)
    monkeypatch.setattr(cloudbackup_report, "time", simulated)
    return account
