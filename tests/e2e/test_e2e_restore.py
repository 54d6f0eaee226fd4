"""End-to-end tests of restores: cloudbackup_restore and playbooks/restore.yml against the simulator.

Scenario simulator/scenarios/test.yml, five times faster than real time (a restore takes
one real second): agent alpha (300001) has the restorable backups 100001 (Completed) and
100002 (CompletedWithErrors) of "nightly" (400001); beta (300002) is another agent, whose
own "nightly" restores end Failed. The last tests chain pre_upgrade_backup.yml and
restore.yml, the rollback, on the demo scenario as `make demo` runs it (ten times faster).

Each test asserts on the task results and on the simulator's request log.
"""
import json
import os
import re
from typing import Any, Dict, List

import pytest
import requests
import yaml
from cloudbackup_simulator import Simulator
from regional_account import regional_account
from collection_under_test import PLAYBOOKS

MODULE = "rackspace.cloudbackup.cloudbackup_restore"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(REPO_ROOT, "simulator", "scenarios")
ALPHA, BETA = 300001, 300002
NIGHTLY_COMPLETED, NIGHTLY_WITH_ERRORS = 100001, 100002
FIRST_RESTORE_ID = 500001
FINAL_STATES = {"Completed", "CompletedWithErrors", "Failed", "Stopped"}
HTTP_TIMEOUT = 5

PRE_UPGRADE = "- import_playbook: %s\n" % os.path.join(PLAYBOOKS, "pre_upgrade_backup.yml")
RESTORE = "- import_playbook: %s\n" % os.path.join(PLAYBOOKS, "restore.yml")
# Short chunks and polls: the restores here take seconds, not hours.
FAST_RESTORES = dict(restore_poll_interval=1, restore_progress_interval=3, restore_timeout=120)
TABLE_TASK = "Show the restore of every server"
JUDGE_TASK = "Judge every server's restore"
FAIL_TASK = "Report this server's restore"


# --- helpers -----------------------------------------------------------------------------

def playbook(*tasks) -> str:
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def task(name: str, register: str = None, **args) -> Dict[str, Any]:
    """A cloudbackup_restore task that polls every second."""
    step = {"name": name, MODULE: dict({"poll_interval": 1}, **args)}
    return dict(step, register=register) if register else step


def routes(simulator) -> List[str]:
    return [entry["route"] for entry in simulator.requests()]


def writes(simulator) -> List[str]:
    """The routes of every PUT, POST and DELETE, in order."""
    return [entry["route"] for entry in simulator.requests() if entry["method"] in ("PUT", "POST", "DELETE")]


def restores(simulator) -> List[Dict[str, Any]]:
    """Every restore the simulator holds, as the API shows it."""
    return sorted(simulator.state()["restores"], key=lambda restore: restore["RestoreId"])


def api_post(simulator, path: str, body: Any = None) -> requests.Response:
    """A POST straight to the API, without the collection, to set a scene."""
    info = simulator.info
    login = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": info["username"], "apiKey": info["api_key"]}}}
    reply = requests.post(info["identity_url"] + "tokens", json=login, timeout=HTTP_TIMEOUT)
    reply.raise_for_status()
    headers = {"X-Auth-Token": reply.json()["access"]["token"]["id"]}
    reply = requests.post(info["endpoint"] + path, json=body, headers=headers, timeout=HTTP_TIMEOUT)
    reply.raise_for_status()
    return reply


def wake_agents(simulator) -> None:
    """Wake the agents and move the clock past the wake delay."""
    api_post(simulator, "/user/wakeupagents")
    simulator.advance(30)


def recorded_keys(record: Dict[str, Any]) -> Dict[str, Any]:
    """What a record of pre_upgrade_backup.yml holds: one mapping, under pre_upgrade_backups and the run's own key."""
    record = dict(record)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record.pop("pre_upgrade_backups_recorded_at")), record
    assert sorted(record)[0] == "pre_upgrade_backups" and len(record) == 2, record
    assert re.fullmatch(r"pre_upgrade_backups_[0-9a-f]{12}", sorted(record)[1]), record
    first, second = record.values()
    assert first == second
    return first


def table(run) -> List[str]:
    """The table's lines (the task runs once, on the first host of the play)."""
    shown = [entry["result"]["msg"] for entry in run.results if entry["task"] == TABLE_TASK]
    assert len(shown) == 1, run.output
    return shown[0]


def row(lines: List[str], host: str) -> List[str]:
    """The columns of `host`'s row: server, backup, restore, state, files, errors, duration, verdict."""
    found = [line for line in lines if line.split()[:1] == [host]]
    assert len(found) == 1, lines
    columns = found[0].split(None, 7)
    return columns


def restore_result(run, host: str) -> Dict[str, Any]:
    """`host`'s restore_result (the judging task runs once, on the first host of the play)."""
    judged = [entry["result"] for entry in run.results if entry["task"] == JUDGE_TASK]
    assert len(judged) == 1, run.output
    return judged[0]["ansible_facts"]["restore__results"][host]


def progress_lines(run) -> List[str]:
    """The wait's progress lines, one per chunk: the fleet's."""
    return re.findall(r"^ok: \[\w+ -> localhost\] => \(item=(restores: .*)\)$", run.output, re.MULTILINE)


@pytest.fixture(scope="module")
def fast_simulator():
    with Simulator(scenario=os.path.join(SCENARIOS, "test.yml"), speed=5.0) as simulator:
        yield simulator


@pytest.fixture
def simulator(fast_simulator):
    """test.yml at x5, reset for each test (run_playbook points ansible-playbook at it)."""
    fast_simulator.reset()
    return fast_simulator


@pytest.fixture
def awake(simulator):
    """Agents online, request log empty: the log then shows only what the playbook sent."""
    wake_agents(simulator)
    simulator.clear_requests()
    return simulator


# --- cloudbackup_restore -----------------------------------------------------------------

def test_restore_to_its_own_agent_and_to_another_agent(run_playbook, awake):
    run = run_playbook(playbook(
        task("own", register="own", backup_id=NIGHTLY_COMPLETED, destination_path="/", wait=False),
        task("other", register="other", backup_id=NIGHTLY_COMPLETED, destination_agent_id=BETA,
             destination_path="/srv/from-alpha/", include=["/home/"], wait=False),
        task("wait own", action="wait", restore_id="{{ own.restore_id }}"),
        task("wait other", action="wait", restore_id="{{ other.restore_id }}"),
    ))

    assert run.rc == 0, run.output
    own, other = run.result("own"), run.result("other")
    assert (own["changed"], own["outcome"], own["restore_id"]) == (True, "started", FIRST_RESTORE_ID)
    assert (other["changed"], other["outcome"], other["restore_id"]) == (True, "started", FIRST_RESTORE_ID + 1)
    assert (own["restore"]["backup_machine_id"], own["restore"]["destination_machine_id"]) == (ALPHA, ALPHA)
    assert (other["restore"]["backup_machine_id"], other["restore"]["destination_machine_id"]) == (ALPHA, BETA)
    for name, restore_id in (("wait own", FIRST_RESTORE_ID), ("wait other", FIRST_RESTORE_ID + 1)):
        waited = run.result(name)
        assert (waited["changed"], waited["outcome"], waited["restore_id"], waited["state"]) == (
            False, "followed", restore_id, "Completed")
        assert (waited["report"]["num_files_restored"], waited["report"]["num_errors"], waited["healthy"]) == (6, 0, True)
    assert run.result("wait other")["summary"].startswith(
        "restore %d of backup %d (nightly) to beta:/srv/from-alpha/: Completed" % (FIRST_RESTORE_ID + 1, NIGHTLY_COMPLETED))
    # The API's record: the files went where they were asked to go, and only there.
    assert [(r["BackupId"], r["DestinationMachineId"], r["DestinationPath"]) for r in restores(awake)] == [
        (NIGHTLY_COMPLETED, ALPHA, "/"), (NIGHTLY_COMPLETED, BETA, "/srv/from-alpha/")]
    assert [entry["body"]["FilePath"] for entry in awake.requests("restore.files_add")] == ["/home/"]
    assert writes(awake).count("restore.start") == 2


def test_running_start_again_joins_the_restore_in_flight(run_playbook, awake):
    awake.configure(restore_durations={"in_progress": "60s"})  # 12 real seconds: still running at the second run
    start = task("start", backup_id=NIGHTLY_COMPLETED, destination_path="/", wait=False)
    first = run_playbook(playbook(start))
    again = run_playbook(playbook(dict(start, name="again", **{MODULE: dict(
        start[MODULE], wait=True, wait_timeout=1, on_timeout="continue")})))

    assert first.rc == 0 and again.rc == 0, first.output + again.output
    started, joined = first.result("start"), again.result("again")
    assert (started["changed"], started["outcome"], started["restore_id"]) == (True, "started", FIRST_RESTORE_ID)
    assert (joined["changed"], joined["outcome"], joined["restore_id"], joined["timed_out"]) == (
        False, "attached", FIRST_RESTORE_ID, True)
    assert joined["state"] not in FINAL_STATES
    assert writes(awake).count("restore.create") == 1
    assert writes(awake).count("restore.start") == 1
    assert len(restores(awake)) == 1


def test_check_mode_reads_and_sends_no_write(run_playbook, simulator):
    run = run_playbook(playbook(
        {"name": "wake", "rackspace.cloudbackup.cloudbackup_action": {"action": "wake_agents"}},
        task("start", backup_id=NIGHTLY_COMPLETED, destination_agent_id=BETA, destination_path="/", overwrite=True),
    ), "--check", "--diff")

    assert run.rc == 0, run.output
    result = run.result("start")
    assert (result["changed"], result["outcome"], result["restore_id"], result["report"]) == (True, "started", None, None)
    assert result["diff"]["after"]["restore"] == {
        "backup_id": NIGHTLY_COMPLETED, "destination_agent_id": BETA, "destination_path": "/", "overwrite": True,
        "include": [], "exclude": []}
    assert writes(simulator) == ["identity.tokens"] * writes(simulator).count("identity.tokens")
    assert {"activity.user", "agent.list"} <= set(routes(simulator))  # the backup was checked, in the feed
    assert restores(simulator) == []


def test_a_failed_restore_fails_the_task_with_its_report(run_playbook, awake):
    awake.configure(restore_outcome="Failed")

    run = run_playbook(playbook(task("start", backup_id=NIGHTLY_COMPLETED, destination_path="/")))

    assert run.status("start") == "failed"
    result = run.result("start")
    assert (result["changed"], result["restore_id"], result["state"]) == (True, FIRST_RESTORE_ID, "Failed")
    assert (result["report"]["state"], result["healthy"]) == ("Failed", False)
    assert "Failed" in result["msg"] and str(FIRST_RESTORE_ID) in result["msg"]
    assert writes(awake).count("restore.start") == 1


def test_an_unknown_backup_fails_clearly_and_creates_nothing(run_playbook, awake):
    run = run_playbook(playbook(task("start", backup_id=999999, destination_path="/")))

    assert run.status("start") == "failed"
    result = run.result("start")
    assert "backup 999999 not found" in result["msg"]
    assert result["changed"] is False
    assert "restore.create" not in routes(awake)
    assert writes(awake) == ["identity.tokens"]
    assert restores(awake) == []


def test_a_500_after_the_start_took_effect_yields_one_restore(run_playbook, awake):
    # The API starts the restore, then the client sees a 500.
    awake.add_fault(route="restore.start", status=500, apply=True, count=1)

    run = run_playbook(playbook(task("start", backup_id=NIGHTLY_COMPLETED, destination_path="/")))

    assert run.rc == 0, run.output
    result = run.result("start")
    assert (result["changed"], result["restore_id"], result["state"]) == (True, FIRST_RESTORE_ID, "Completed")
    assert [entry["fault"] for entry in awake.requests("restore.start")] == [{"status": 500, "apply": True}]
    assert [restore["RestoreId"] for restore in restores(awake)] == [FIRST_RESTORE_ID]
    assert writes(awake).count("restore.create") == 1


def test_a_wait_that_times_out_reports_the_last_state(run_playbook, awake):
    awake.configure(restore_durations={"in_progress": "60s"})  # 12 real seconds

    run = run_playbook(playbook(
        task("chunk", register="chunk", backup_id=NIGHTLY_COMPLETED, destination_path="/",
             wait_timeout=1, on_timeout="continue"),
        task("give up", action="wait", restore_id="{{ chunk.restore_id }}", wait_timeout=1),
    ))

    chunk, give_up = run.result("chunk"), run.result("give up")
    assert run.status("chunk") == "ok", run.output
    assert (chunk["timed_out"], chunk["outcome"], chunk["report"]) == (True, "started", None)
    assert chunk["state"] not in FINAL_STATES and chunk["state"] == chunk["restore"]["state"]
    assert run.status("give up") == "failed"
    assert (give_up["timed_out"], give_up["restore_id"]) == (True, chunk["restore_id"])
    assert give_up["state"] not in FINAL_STATES and give_up["state"] in give_up["msg"]
    assert writes(awake).count("restore.start") == 1


# --- playbooks/restore.yml ---------------------------------------------------------------

def test_the_rollback_takes_the_host_variable_then_the_record_then_the_newest(run_playbook, simulator, servers, tmp_path):
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"pre_upgrade_backups": {"alpha": NIGHTLY_WITH_ERRORS, "again": NIGHTLY_WITH_ERRORS}}))
    inventory = servers({
        "alpha": {"run_backup_configuration_name": "nightly"},
        # the host variable beats the record
        "again": {"run_backup_agent_id": ALPHA, "restore_backup_id": NIGHTLY_COMPLETED,
                  "restore_destination_path": "/srv/again/"},
        # not in the record: the newest restorable backup (restore_unrecorded=newest), found by machine name
        "newest": {"run_backup_machine_name": "ALPHA", "run_backup_configuration_name": "nightly",
                   "restore_destination_path": "/srv/newest/"},
    }, **FAST_RESTORES)

    run = run_playbook(RESTORE, *inventory, "-e", "restore_record=%s" % record, "-e", "restore_unrecorded=newest")

    assert run.rc == 0, run.output
    sources = {host: (restore_result(run, host)["backup_source"], restore_result(run, host)["backup_id"])
               for host in ("alpha", "again", "newest")}
    assert sources == {"alpha": (str(record), NIGHTLY_WITH_ERRORS), "again": ("restore_backup_id", NIGHTLY_COMPLETED),
                       "newest": ("newest", NIGHTLY_COMPLETED)}
    assert sorted((r["BackupId"], r["DestinationMachineId"], r["DestinationPath"]) for r in restores(simulator)) == [
        (NIGHTLY_COMPLETED, ALPHA, "/srv/again/"), (NIGHTLY_COMPLETED, ALPHA, "/srv/newest/"),
        (NIGHTLY_WITH_ERRORS, ALPHA, "/")]
    lines = table(run)
    assert lines[0].split() == ["server", "backup", "restore", "state", "files", "errors", "duration", "verdict"]
    assert row(lines, "alpha")[1] == str(NIGHTLY_WITH_ERRORS) and row(lines, "alpha")[3] == "Completed"
    assert [row(lines, host)[-1] for host in ("alpha", "again", "newest")] == ["ok", "ok", "ok"]
    assert writes(simulator).count("restore.start") == 3
    # A Completed restore passes by its state: its report is not read (restore_completed_reports=false).
    assert "restore.report" not in routes(simulator) and row(lines, "again")[4:7] == ["-", "-", "-"]
    # The newest backup was looked up once for the play, and the batch start lists the agents once (the
    # disabled ones); the OverwriteFiles default of a rollback is true.
    assert routes(simulator).count("agent.list") == 2 and routes(simulator).count("activity.user") >= 1
    assert {entry["body"]["OverwriteFiles"] for entry in simulator.requests("restore.create")} == {True}


def test_a_listing_that_fails_fails_each_server_that_needed_it_with_its_reason(run_playbook, simulator, servers):
    inventory = servers({"alpha": {"run_backup_configuration_name": "nightly"}}, **FAST_RESTORES)

    # The login is refused: the listing fails (its error shown, and ignored), and the server with it.
    run = run_playbook(RESTORE, *inventory, env={"RAX_API_KEY": "wrong"})

    assert run.rc == 2, run.output
    assert restore_result(run, "alpha")["failure"] == (
        "the agents of the login's region could not be listed: Identity refused the credentials for user admin: "
        "Unable to authenticate user with credentials provided.")
    assert run.status(FAIL_TASK, "alpha") == "failed" and set(writes(simulator)) == {"identity.tokens"}


def test_the_run_backup_roles_connection_variables_serve_the_rollback(run_playbook, simulator, servers):
    account = dict(run_backup_username="admin", run_backup_api_key="admin-key",
                   run_backup_identity_url=simulator.info["identity_url"])
    inventory = servers({
        "alpha": {"restore_backup_id": NIGHTLY_COMPLETED, "run_backup_agent_id": ALPHA,
                  "restore_completed_reports": True},
        # another account's server: restored through the batch's (the first server's) account, it would be wrong
        "other": {"restore_backup_id": NIGHTLY_COMPLETED, "run_backup_agent_id": ALPHA,
                  "run_backup_username": "creator", "restore_destination_path": "/srv/other/"},
    }, **dict(FAST_RESTORES, **account))
    no_rax_credentials = dict.fromkeys(("RAX_USERNAME", "RAX_API_KEY", "RAX_IDENTITY_URL"))

    run = run_playbook(RESTORE, *inventory, "-vvv", env=no_rax_credentials)

    assert run.rc == 2, run.output
    assert row(table(run), "alpha")[-1] == "ok" and run.status(FAIL_TASK, "alpha") == "ok"
    # restore_completed_reports=true (the play's first server's): the report's files are in the table.
    assert row(table(run), "alpha")[4].isdigit() and len(simulator.requests("restore.report")) == 1
    assert restore_result(run, "other")["failure"].startswith(
        'run_backup_username is "creator" here but "admin" on alpha, whose connection settings this play\'s batch '
        'uses: restore each account in a play of its own'), restore_result(run, "other")["failure"]
    assert [entry["DestinationPath"] for entry in restores(simulator)] == ["/"]
    # One login, the key never shown.
    assert len(simulator.requests("identity.tokens")) == 1 and "admin-key" not in run.output


def test_the_rollback_in_check_mode_writes_nothing(run_playbook, simulator, servers):
    inventory = servers({"alpha": {"restore_backup_id": NIGHTLY_COMPLETED}}, **FAST_RESTORES)

    run = run_playbook(RESTORE, *inventory, "--check", "--diff")

    assert run.rc == 0, run.output
    start = run.result("Start the restore of every server (or join the one already running)", "alpha")["restores"]
    assert [(one["name"], one["changed"], one["outcome"], one["restore_id"]) for one in start] == [
        ("alpha", True, "started", None)]
    assert row(table(run), "alpha")[-1] == "check mode: would restore"
    assert set(writes(simulator)) == {"identity.tokens"}
    assert restores(simulator) == []


def test_the_rollback_reports_the_last_state_of_a_restore_out_of_time(run_playbook, simulator, servers):
    simulator.configure(restore_durations={"in_progress": "60s"})  # 12 real seconds
    inventory = servers({
        "alpha": {"run_backup_agent_id": ALPHA, "restore_backup_id": NIGHTLY_COMPLETED},
        "patient": {"run_backup_agent_id": ALPHA, "restore_backup_id": NIGHTLY_COMPLETED,
                    "restore_destination_path": "/srv/patient/", "restore_on_timeout": "continue"},
    }, **dict(FAST_RESTORES, restore_timeout=2))

    run = run_playbook(RESTORE, *inventory)

    assert run.rc == 2, run.output
    lines = table(run)
    for host in ("alpha", "patient"):
        result = restore_result(run, host)
        assert result["timed_out"] is True and result["state"] not in FINAL_STATES and result["report"] is None
        assert row(lines, host)[3] == result["state"]
    assert row(lines, "alpha")[-1] == "FAILED" and row(lines, "patient")[-1] == "still running"
    failure = run.result(FAIL_TASK, "alpha")["msg"]
    assert failure.startswith("alpha: restore %d " % restore_result(run, "alpha")["restore_id"]), failure
    assert failure.endswith(": %s, no report yet (restore_timeout is 2 s); it keeps running: raise restore_timeout, or "
                            "set restore_on_timeout to continue" % restore_result(run, "alpha")["state"]), failure
    assert run.status(FAIL_TASK, "patient") == "ok"
    # One progress line for the fleet per chunk of waiting (restore_progress_interval 3 s: chunks of 1 s),
    # until both restores are out of their time (restore_timeout 2 s).
    progress = progress_lines(run)
    assert len(progress) == 2 and all(line.startswith("restores: 0 ended, ") for line in progress), run.output
    # Waiting never started anything: one restore each, both still running.
    assert writes(simulator).count("restore.start") == 2 and len(restores(simulator)) == 2


def test_pre_upgrade_records_the_good_backups_and_the_rollback_restores_only_those(
        run_playbook, simulator, servers, tmp_path):
    """alpha's backup fails: it is recorded with null, not upgraded, and not rolled back. beta's restore fails."""
    record = tmp_path / "record.json"
    inventory = servers({"alpha": {"run_backup_configuration_name": "always fails"},
                         "beta": {"run_backup_configuration_name": "nightly"}}, **FAST_RESTORES)

    backed_up = run_playbook(PRE_UPGRADE, *inventory, "-e", "pre_upgrade_backup_record=%s" % record,
                             "--skip-tags", "upgrade")

    assert backed_up.rc == 2, backed_up.output
    assert sorted(entry["body"]["Id"] for entry in simulator.requests("backup.start")) == [400002, 400003]
    beta_backup = json.loads(record.read_text())["pre_upgrade_backups"]["beta"]
    assert recorded_keys(json.loads(record.read_text())) == {"alpha": None, "beta": beta_backup}
    assert {backup["BackupConfigurationId"]: backup["BackupId"] for backup in simulator.state()["backups"]
            if backup["BackupId"] == beta_backup} == {400003: beta_backup}
    stats = backed_up.result("Record the good backups for a later restore (pre_upgrade_backups)", "alpha")
    assert recorded_keys(stats["ansible_stats"]["data"]) == {"alpha": None, "beta": beta_backup}
    simulator.clear_requests()

    run = run_playbook(RESTORE, *inventory, "-e", "@%s" % record)

    assert run.rc == 2, run.output
    lines = table(run)
    assert row(lines, "alpha")[1:4] == ["-", "-", "-"] and row(lines, "alpha")[-1] == "skipped: not in the record"
    beta = row(lines, "beta")
    assert (beta[1], beta[3], beta[-1]) == (str(beta_backup), "Failed", "FAILED")
    result = restore_result(run, "beta")
    assert (result["backup_source"], result["state"], result["report"]["state"]) == ("pre_upgrade_backups", "Failed", "Failed")
    assert run.status(FAIL_TASK, "beta") == "failed" and run.status(FAIL_TASK, "alpha") == "ok"
    assert run.result(FAIL_TASK, "beta")["msg"].startswith("beta: ")
    assert [(r["BackupId"], r["DestinationMachineId"]) for r in restores(simulator)] == [(beta_backup, BETA)]
    assert writes(simulator).count("restore.start") == 1


def two_regions_scenario():
    """dfw1 and ord1, each with a restorable backup of "files" (7100x1), in its own region."""
    return regional_account({"dfw1": "DFW", "ord1": "ORD"}, 710001, 1, lambda index: dict(
        id=810001 + index, name="files", outcome="Completed",
        history=[dict(id=710101 + index * 10, ago="1d", outcome="Completed")]))


class TestTheRollbackOverTwoRegions:
    """Each region's Cloud Backup endpoint knows only its own agents, as Rackspace's do."""

    @pytest.fixture
    def simulator(self):
        with Simulator(scenario=two_regions_scenario(), speed=5.0) as regional:
            yield regional

    @pytest.mark.parametrize("ord1", [{"restore_backup_id": 710111}, {}], ids=["recorded", "newest"])
    def test_each_server_is_restored_in_its_own_region_with_one_login(self, run_playbook, simulator, servers, ord1):
        inventory = servers({"dfw1": {}, "ord1": dict(ord1, run_backup_region="ord")}, **FAST_RESTORES)

        run = run_playbook(RESTORE, *inventory)

        assert run.rc == 0, run.output
        assert [row(table(run), host)[-1] for host in ("dfw1", "ord1")] == ["ok", "ok"]
        starts = {(entry["path"].rsplit("/", 1)[-1], entry["region"]) for entry in simulator.requests("restore.start")}
        assert {region for path, region in starts} == {"DFW", "ORD"} and len(starts) == 2
        assert sorted(entry["region"] for entry in simulator.requests("agent.wake")) == ["DFW", "ORD"]
        # The newest backup is looked for in each server's own region; the play logs in once.
        assert sorted(entry["region"] for entry in simulator.requests("configuration.list")) == (
            ["DFW"] if ord1 else ["DFW", "ORD"])
        assert len(simulator.requests("identity.tokens")) == 1


# --- the rollback on the demo scenario ---------------------------------------------------

@pytest.fixture(scope="module")
def demo_simulator():
    # x10 as `make demo`: faster, and the agents' 180 s awake window would end within the
    # real-time intervals at which a refused start wakes them again.
    with Simulator(scenario=os.path.join(SCENARIOS, "demo.yml"), speed=10.0) as simulator:
        yield simulator


# About 30 s (two whole playbooks at x10): in the main pass only.
@pytest.mark.slow
class TestTheRollbackOnTheDemoScenario:

    @pytest.fixture
    def simulator(self, demo_simulator):
        demo_simulator.reset()
        return demo_simulator

    def test_restore_puts_back_the_backups_pre_upgrade_recorded(self, run_playbook, simulator, tmp_path):
        record = tmp_path / "backups.json"
        demo = ["-i", os.path.join(PLAYBOOKS, "inventory", "demo.yml")]

        upgraded = run_playbook(PRE_UPGRADE, *demo, "-e", "pre_upgrade_backup_record=%s" % record)

        assert upgraded.rc == 0, upgraded.output
        recorded = json.loads(record.read_text())["pre_upgrade_backups"]
        backups = {entry["body"]["Id"]: entry for entry in simulator.requests("backup.start")}
        assert sorted(recorded) == ["db1", "files1", "web1"] and len(backups) == 3
        # A newer good backup of web1 than the recorded one: the rollback must not take it.
        newer = int(api_post(simulator, "/backup/action-requested", {"Action": "StartManual", "Id": 174084}).text)
        simulator.advance(120)
        states = {backup["BackupId"]: backup["CurrentState"] for backup in simulator.state()["backups"]}
        assert newer > recorded["web1"] and states[newer] == "Completed"
        simulator.clear_requests()

        run = run_playbook(RESTORE, *demo, "-e", "restore_record=%s" % record,
                           "-e", "restore_progress_interval=3 restore_poll_interval=1")

        assert run.rc == 0, run.output
        lines = table(run)
        agents = {"web1": 202743, "db1": 202744, "files1": 202745}
        by_backup = {r["BackupId"]: r for r in restores(simulator)}
        assert sorted(by_backup) == sorted(recorded.values())
        for host, backup_id in recorded.items():
            server, backup, restore_id, state, files, errors, duration, verdict = row(lines, host)
            # Completed passes by its state: no report read, none shown (restore_completed_reports=false).
            assert (backup, state, files, errors, verdict) == (str(backup_id), "Completed", "-", "-", "ok"), lines
            restored = by_backup[backup_id]
            assert (restored["RestoreId"], restored["DestinationMachineId"], restored["DestinationPath"]) == (
                int(restore_id), agents[host], "/")
            assert restored["OverwriteFiles"] is True
            assert restore_result(run, host)["backup_source"] == str(record)
        assert not simulator.requests("restore.report")
        # One accepted start each (an agent still connecting refuses with 403: tried again in the next round).
        assert [entry["status"] for entry in simulator.requests("restore.start") if entry["status"] != 403] == [204] * 3
        assert writes(simulator).count("agent.wake") == 1
        # The last progress line is the fleet's end.
        assert progress_lines(run)[-1] == "restores: 3 ended (3 ok), 0 running", run.output

    def test_the_rollback_after_a_sliced_backup_job_restores_every_slice(self, run_playbook, simulator, tmp_path):
        # As AWX runs a job with job_slice_count=3: one ansible-playbook per slice over
        # hosts[i::3] of the name-sorted inventory, each with its own artifacts; the next
        # job of the workflow gets them merged with dict.update, slice after slice.
        demo = ["-i", os.path.join(PLAYBOOKS, "inventory", "demo.yml")]
        records = tmp_path / "records"
        records.mkdir()
        artifacts = {}
        for host in ["db1", "files1", "web1"]:
            run = run_playbook(PRE_UPGRADE, *demo, "--limit", host, "--skip-tags", "upgrade",
                               "-e", "pre_upgrade_backup_record=%s/" % records)
            assert run.rc == 0, run.output
            artifacts.update(run.result("Record the good backups for a later restore (pre_upgrade_backups)",
                                        host)["ansible_stats"]["data"])
        backups = {entry["body"]["Id"] for entry in simulator.requests("backup.start")}
        # The last slice's pre_upgrade_backups and pre_upgrade_backups_recorded_at, a key per slice.
        assert len(backups) == 3 and len(artifacts) == 5
        assert len(list(records.glob("pre_upgrade_backups_*.json"))) == 3
        extra_vars = tmp_path / "artifacts.json"
        extra_vars.write_text(json.dumps(artifacts))

        for source in (["-e", "@%s" % extra_vars], ["-e", "restore_record=%s" % records]):
            simulator.clear_requests()

            run = run_playbook(RESTORE, *demo, *source, "-e", "restore_progress_interval=3 restore_poll_interval=1")

            assert run.rc == 0, run.output
            lines = table(run)
            assert [row(lines, host)[-1] for host in ("db1", "files1", "web1")] == ["ok"] * 3, lines
            assert writes(simulator).count("restore.start") == 3
