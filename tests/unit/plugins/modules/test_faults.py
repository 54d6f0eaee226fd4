"""The fault table: every operation the modules make, under every kind of fault.

Each cell runs one module's ``main()`` against the in-process simulator (real HTTP, frozen
clock) with one fault on one route, and checks what a user depends on:

- no crash, and no false success: a task that succeeds returns what really happened;
- no duplicate: exactly the backups the task meant to start exist afterwards, and the id
  returned is a run that goes on (not one the API skipped);
- the wait keeps its promise: the task ends within ``wait_timeout`` plus one request timeout.

The kinds of fault (tests/unit/fault_kinds.py, shared with the batch table test_fleet_faults.py)
are short-lived (a few requests at most), so every cell must succeed.
The outage rows at the end check the other side: a fault that lasts ends the wait on time.
Time is the simulator's: the modules' sleeps move its clock, so a 15 s poll costs nothing;
only the late and slow replies take real time (fractions of a second).
"""
import itertools
import time

import pytest

from fault_kinds import FAULTS, LATE, OVER_LIMIT, REQUEST_TIMEOUT, real_share
from ansible_collections.rackspace.cloudbackup.plugins.modules import (
    cloudbackup_action,
    cloudbackup_configuration,
    cloudbackup_info,
    cloudbackup_report,
    cloudbackup_restore,
)

# About a minute in all: the main pass of `make test` runs the table, the other two do not.
pytestmark = pytest.mark.slow

WAIT_TIMEOUT = 600
NIGHTLY, BETA_NIGHTLY = 400001, 400003
SLOW_FILES = 400010  # a backup of about 30 s: still running through a stop's retries
SLOW_AGENT = 300010  # its agent
ALPHA, BETA = 300001, 300002
FINISHED_BACKUP = 100001  # from the scenario's history: Completed, with a report


def start(wait=True):
    return dict(action="start", configuration_id=NIGHTLY, wait=wait, online_timeout=60)


def batch():
    return dict(action="start", wait=False, targets=[
        dict(name="alpha", agent_id=ALPHA, configuration_id=NIGHTLY),
        dict(name="beta", machine_name="beta", configuration_name="nightly"),
    ])


# operation: (module, its arguments, what must exist afterwards, the routes it goes through)
OPERATIONS = {
    "start and wait": (cloudbackup_action, start(), {NIGHTLY: 1},
                       ["identity.tokens", "configuration.get", "activity.agent", "agent.get", "backup.start",
                        "activity.user", "backup.get", "backup.report"]),
    "start without waiting": (cloudbackup_action, start(wait=False), {NIGHTLY: 1}, ["backup.start", "activity.user"]),
    "stop": (cloudbackup_action, dict(action="stop", backup_id="running"), {SLOW_FILES: 1},
             ["backup.get", "backup.stop", "activity.user"]),
    "wake an agent": (cloudbackup_action, dict(action="wake_agents", agent_id=BETA, online_timeout=60), {},
                      ["agent.get", "agent.wake"]),
    "batch start": (cloudbackup_action, batch(), {NIGHTLY: 1, BETA_NIGHTLY: 1},
                    ["agent.list", "configuration.list", "activity.user", "agent.wake", "agent.get", "backup.start"]),
    "batch start and wait": (cloudbackup_action, dict(batch(), wait=True), {NIGHTLY: 1, BETA_NIGHTLY: 1},
                             ["agent.list", "configuration.list", "activity.user", "agent.wake", "agent.get",
                              "backup.start", "backup.report"]),
    "report": (cloudbackup_report, dict(backup_id=FINISHED_BACKUP, acceptable_states=["Completed"]), {},
               ["backup.get", "backup.report"]),
    "batch report": (cloudbackup_report, dict(backups=[dict(name="alpha", backup_id=FINISHED_BACKUP,
                                                            configuration_id=NIGHTLY)], wait=True), {},
                     ["activity.user", "backup.report"]),
    "info: agents": (cloudbackup_info, dict(resource="agents"), {}, ["agent.list"]),
    "info: configurations": (cloudbackup_info, dict(resource="configurations"), {}, ["configuration.list"]),
    "info: completed backups": (cloudbackup_info, dict(resource="completed_backups", configuration_id=NIGHTLY), {},
                                ["backup.completed"]),
    "info: activity": (cloudbackup_info, dict(resource="activity"), {}, ["activity.user"]),
    "restore and wait": (cloudbackup_restore, dict(backup_id=FINISHED_BACKUP, destination_path="/", online_timeout=60),
                         {}, ["agent.list", "activity.user", "agent.get", "restore.create", "restore.start",
                              "restore.get", "restore.report"]),
    "restore stop": (cloudbackup_restore, dict(action="stop", restore_id="running"), {}, ["restore.get", "restore.stop"]),
    "info: restore activity": (cloudbackup_info, dict(resource="restore_activity"), {}, ["activity.user"]),
}

CELLS = [pytest.param(operation, route, fault, id="%s | %s | %s" % (operation, route, fault))
         for operation, (_module_, _args, _created, routes) in OPERATIONS.items()
         for route, fault in itertools.product(routes, FAULTS)]


def pace_for(account, fault):
    account.real_share = real_share(fault)


def run_operation(run_module, account, operation):
    """Run the operation's module; return its result and the simulated seconds it took."""
    module, args, _created, _routes = OPERATIONS[operation]
    args = dict(args, timeout=REQUEST_TIMEOUT, wait_timeout=WAIT_TIMEOUT, poll_interval=15,
                identity_url=account.simulator.info["identity_url"], region="DFW")
    if module is cloudbackup_info:
        del args["wait_timeout"], args["poll_interval"]
    if args.get("backup_id") == "running":
        args["backup_id"] = running_backup(account)
    if args.get("restore_id") == "running":
        args["restore_id"] = running_restore(account)
    started = account.clock()
    result = run_module(module, dict(args, username="admin", api_key="admin-key"), credentials=False)
    return result, account.clock() - started


def running_backup(account):
    """A backup of the slow configuration in flight, made before the faults start."""
    account.client.request("POST", "user", "wakeupagents", retry=True)
    account.sleep(5)
    response = account.client.request("POST", "backup", "action-requested",
                                      body={"Action": "StartManual", "Id": SLOW_FILES}, retry=False)
    return int(response.text)


def running_restore(account):
    """A restore of the finished backup in flight, made before the faults start."""
    restore = account.client.request("PUT", "restore", retry=False, body={
        "BackupId": FINISHED_BACKUP, "BackupMachineId": ALPHA, "DestinationMachineId": ALPHA,
        "DestinationPath": "/", "OverwriteFiles": False}).json()
    account.client.request("POST", "restore", "action-requested", body={"Action": "StartManual",
                                                                        "Id": restore["RestoreId"]}, retry=False)
    return restore["RestoreId"]


def awake(account):
    account.client.request("POST", "user", "wakeupagents", retry=True)
    account.sleep(5)


def created(account, configuration_id, before):
    """The backups of a configuration that the operation made, and their final states."""
    return [backup for backup in account.backups_of(configuration_id) if backup["BackupId"] not in before]


@pytest.mark.parametrize("operation, route, fault", CELLS)
def test_fault_cell(run_module, simulated_time, operation, route, fault):
    account = simulated_time
    _module_, args, expected_backups, _routes = OPERATIONS[operation]
    awake(account)
    before = {backup["BackupId"] for configuration_id in (NIGHTLY, BETA_NIGHTLY, SLOW_FILES)
              for backup in account.backups_of(configuration_id)}
    account.simulator.add_fault(route=route, **FAULTS[fault])
    pace_for(account, FAULTS[fault])

    result, elapsed = run_operation(run_module, account, operation)
    time.sleep(FAULTS[fault].get("delay", 0))  # a late action lands by now

    assert not result.get("failed"), result.get("msg")
    assert "Traceback" not in str(result.get("exception", ""))
    assert elapsed <= WAIT_TIMEOUT + REQUEST_TIMEOUT + 60  # 60: the settle window of a start
    account.sleep(60)  # let every run end, a duplicate too
    for configuration_id, count in expected_backups.items():
        runs = [backup for backup in created(account, configuration_id, before) if backup["CurrentState"] != "Skipped"]
        assert len(runs) == count, runs
    if operation.startswith("start"):
        assert result["backup_id"] == runs[0]["BackupId"]
    if operation.startswith("restore"):
        # One restore, started (no draft left behind), and the one the task returned.
        (restore,) = account.simulator.state()["restores"]
        assert restore["RestoreStateId"] != 0 and result["restore_id"] == restore["RestoreId"]
    if operation == "restore and wait":
        assert result["state"] == "Completed"
    if operation == "batch start and wait":
        assert [(backup["failed"], backup["result"]["gate_passed"]) for backup in result["backups"]] == [(False, True)] * 2


# --- configurations: every write under every fault ---------------------------------------------

DECLARED = dict(agent_id=ALPHA, name="declared", include=["/srv"], retention_days=30)
# operation: (arguments, the routes it goes through, what the agent holds afterwards: live configurations
# named "declared", and the IsActive and VersionRetention of the one left)
DECLARATIONS = {
    "declare a configuration": (DECLARED, ["identity.tokens", "configuration.list", "configuration.create"],
                                (1, True, 30)),
    "update a configuration": (dict(DECLARED, retention_days=60), ["configuration.update", "configuration.get"],
                               (1, True, 60)),
    "disable a configuration": (dict(DECLARED, enabled=False), ["configuration.enable", "configuration.get"],
                                (1, False, 30)),
    "delete a configuration": (dict(agent_id=ALPHA, name="declared", state="absent"), ["configuration.delete"],
                               (0, None, None)),
}
DECLARATION_CELLS = [pytest.param(operation, route, fault, id="%s | %s | %s" % (operation, route, fault))
                     for operation, (_args, routes, _held) in DECLARATIONS.items()
                     for route, fault in itertools.product(routes, FAULTS)]


@pytest.mark.parametrize("operation, route, fault", DECLARATION_CELLS)
def test_declaration_fault_cell(run_module, simulated_time, operation, route, fault):
    """No duplicate configuration, no false ``changed: false``, and the agent holds what was declared."""
    account = simulated_time
    args, _routes, (count, active, retention) = DECLARATIONS[operation]
    account.simulator.configure(duplicate_names="allow")  # nothing but the module stands between a retry and a twin
    if operation != "declare a configuration":
        run_module(cloudbackup_configuration, dict(DECLARED, username="admin", api_key="admin-key", region="DFW",
                                                   identity_url=account.simulator.info["identity_url"]),
                   credentials=False)
    account.simulator.add_fault(route=route, **FAULTS[fault])
    pace_for(account, FAULTS[fault])

    result = run_module(cloudbackup_configuration, dict(args, username="admin", api_key="admin-key", region="DFW",
                                                        timeout=REQUEST_TIMEOUT,
                                                        identity_url=account.simulator.info["identity_url"]),
                        credentials=False)
    time.sleep(FAULTS[fault].get("delay", 0))  # a late action lands by now

    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True
    live = [config for config in account.simulator.state()["configurations"]
            if config["BackupConfigurationName"] == "declared" and not config["IsDeleted"]]
    assert len(live) == count, live
    if live:
        assert (live[0]["IsActive"], live[0]["VersionRetention"]) == (active, retention)
        assert result["configuration_id"] == live[0]["BackupConfigurationId"]


# --- faults that last: the task fails clearly, on time, and says what it changed ----------------

SHORT_WAIT = 120
ALWAYS_FAILS = 400002

# (operation arguments, route, fault, message expected, changed)
LASTING = {
    "503s through the whole wait": (start(), "backup.get", dict(status=503, count=None), "HTTP 503", True),
    "503s asking for minutes": (start(), "backup.get", dict(status=503, count=None, retry_after=50), "HTTP 503", True),
    "no reply through the whole wait": (start(), "backup.get", dict(drop=True, count=None), "backup/", True),
    "garbled replies through the whole wait": (start(), "backup.get", dict(status=200, body="{oops", count=None),
                                               "not the JSON expected", True),
    "every start unclear": (start(), "backup.start", dict(status=500, count=None), "HTTP 500", False),
    "every stop unclear": (dict(action="stop", backup_id="running", configuration_id=SLOW_FILES), "backup.stop",
                           dict(status=503, count=None), "HTTP 503", False),
    "a backup that fails": (dict(start(), configuration_id=ALWAYS_FAILS), None, None, "ended in state Failed", True),
    "a rate limit through the whole wait": (start(), "backup.get", dict(status=413, body=OVER_LIMIT, retry_after=50,
                                                                        count=None), "rate limit", True),
}


@pytest.mark.parametrize("case", LASTING)
def test_a_lasting_fault_fails_on_time(run_module, simulated_time, case):
    account = simulated_time
    args, route, fault, message, changed = LASTING[case]
    awake(account)
    counted = args.get("configuration_id") or NIGHTLY
    before = {backup["BackupId"] for backup in account.backups_of(counted)}
    if args.get("backup_id") == "running":
        args = dict(args, backup_id=running_backup(account))
        del args["configuration_id"]  # named above only for the count of backups below
    if fault is not None:
        account.simulator.add_fault(route=route, **fault)
    started = account.clock()

    result = run_module(cloudbackup_action, dict(
        args, timeout=REQUEST_TIMEOUT, wait_timeout=SHORT_WAIT, poll_interval=15, username="admin",
        api_key="admin-key", identity_url=account.simulator.info["identity_url"], region="DFW"), credentials=False)

    assert result.get("failed") and message in result["msg"], result
    assert result.get("changed", False) is changed
    assert "Traceback" not in str(result.get("exception", ""))
    if route == "backup.get":
        assert account.clock() - started <= SHORT_WAIT + REQUEST_TIMEOUT + 10  # 10: the start before the wait
    account.simulator.clear_faults()
    account.sleep(60)
    assert len([backup for backup in account.backups_of(counted)
                if backup["CurrentState"] != "Skipped" and backup["BackupId"] not in before]) <= 1


def test_a_throttled_batch_wait_says_so_in_its_progress_line(run_module, simulated_time):
    account = simulated_time
    account.simulator.add_fault(route="activity.user", status=413, body=OVER_LIMIT, retry_after=5, count=2)

    result, _elapsed = run_operation(run_module, account, "batch report")

    assert not result.get("failed"), result.get("msg")
    assert result["progress"].endswith("; the API throttled 2 requests (account rate limit)"), result["progress"]


def test_a_throttled_batch_start_warns_how_many_starts_waited(run_module, simulated_time):
    account = simulated_time
    awake(account)
    account.simulator.add_fault(route="backup.start", status=413, body=OVER_LIMIT, retry_after=5, count=1)

    result, _elapsed = run_operation(run_module, account, "batch start")

    assert not result.get("failed"), result.get("msg")
    assert [backup["throttled"] for backup in result["backups"]] == [True, False]
    assert "refused 1 requests of this task, among them the starts of 1 of the 2 servers" in str(result["warnings"])


@pytest.mark.parametrize("on_timeout, failed", [("fail", True), ("continue", False)])
def test_a_batch_that_waits_judges_each_backup_and_fails_only_its_bad_ones(
        run_module, simulated_time, on_timeout, failed):
    account = simulated_time
    awake(account)
    args = dict(action="start", wait=True, wait_timeout=20, on_timeout=on_timeout, online_timeout=60, targets=[
        dict(name="good", agent_id=ALPHA, configuration_id=NIGHTLY),
        dict(name="bad", agent_id=ALPHA, configuration_id=ALWAYS_FAILS),
        dict(name="slow", agent_id=SLOW_AGENT, configuration_id=SLOW_FILES)])

    result = run_module(cloudbackup_action, dict(args, timeout=REQUEST_TIMEOUT, poll_interval=5, username="admin",
                                                 api_key="admin-key", region="DFW",
                                                 identity_url=account.simulator.info["identity_url"]),
                        credentials=False)

    assert not result.get("failed"), result.get("msg")
    good, bad, slow = result["backups"]
    assert (good["failed"], good["result"]["gate_passed"], good["state"]) == (False, True, "Completed")
    assert bad["failed"] and bad["msg"] == "%s; ended in state Failed: %s (%s, 0 errors)" % (
        bad["result"]["summary"], bad["result"]["report"]["diagnostics"], bad["result"]["report"]["reason"])
    assert (slow["failed"], slow["result"]) == (failed, None) and result["timed_out"], slow["msg"]
    if failed:
        assert slow["msg"] == "backup %s is still InProgress after 20 seconds; it keeps running" % slow["backup_id"]


# --- starts that race with something else: still one backup, and the id of the one that runs ----

RACES = {
    "a scheduled run starts just before ours": (dict(scheduled_first=True), {}),
    "a lost reply while the feed lags 45 s": (dict(status=500, apply=True), {"activity_lag": 45}),
    "a dropped reply while the feed lags 45 s": (dict(drop=True, apply=True), {"activity_lag": 45}),
    "a garbled reply while the feed lags 45 s": (dict(status=200, body="<html>", apply=True), {"activity_lag": 45}),
    "the server acts after the client's timeout": (dict(delay=LATE), {}),
}


@pytest.mark.parametrize("wait", [True, False], ids=["wait", "no wait"])
@pytest.mark.parametrize("race", RACES)
def test_a_start_that_races_makes_one_backup_and_returns_it(run_module, simulated_time, race, wait):
    account = simulated_time
    fault, settings = RACES[race]
    awake(account)
    before = {backup["BackupId"] for backup in account.backups_of(NIGHTLY)}
    account.simulator.configure(**settings)
    account.simulator.add_fault(route="backup.start", **fault)
    pace_for(account, fault)

    result, _elapsed = run_operation(run_module, account, "start and wait" if wait else "start without waiting")

    assert not result.get("failed"), result.get("msg")
    time.sleep(LATE)  # a late action lands now
    account.sleep(60)
    # A duplicate either never runs (the API skips it) or is stopped at once.
    runs = [backup for backup in account.backups_of(NIGHTLY)
            if backup["BackupId"] not in before and backup["CurrentState"] not in ("Skipped", "Stopped")]
    assert len(runs) == 1, runs
    assert result["backup_id"] == runs[0]["BackupId"]
    if wait:
        assert result["state"] == "Completed"
