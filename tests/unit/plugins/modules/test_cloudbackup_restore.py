"""cloudbackup_restore's main() against the in-process simulator, on the simulator's clock.

Each test runs the module as Ansible would and checks its result and what the simulator
holds and logged afterwards: how many restores exist, in which state, and which requests
were made. Real HTTP, no real waiting (see the simulated_time fixture).
"""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _fleet_restore
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ServerError
from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_info, cloudbackup_restore

ALPHA, BETA, GAMMA, LOCKED = 300001, 300002, 300003, 300011
NIGHTLY, LOCKED_FILES = 400001, 400011
NEWEST, WITH_ERRORS, FAILED = 100001, 100002, 100003  # alpha's nightly history
WRITES = ("restore.create", "restore.update", "restore.files_add", "restore.delete", "restore.start",
          "restore.stop", "agent.wake", "backup.start")


@pytest.fixture
def sim(simulated_time):
    """The account with every agent awake (a restore's destination must be online)."""
    simulated_time.client.request("POST", "user", "wakeupagents", retry=True)
    simulated_time.sleep(5)
    simulated_time.simulator.clear_requests()
    return simulated_time


@pytest.fixture
def restore(run_module, sim):
    """Run cloudbackup_restore with ``args`` against the simulator."""
    def run(check_mode=False, diff=False, **args):
        arguments = dict(args, username="admin", api_key="admin-key", region="DFW", poll_interval=5,
                         identity_url=sim.simulator.info["identity_url"], timeout=5)
        if args.get("action", "start") == "start" and "restores" not in args:
            arguments.setdefault("destination_path", "/")
        arguments.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
        return run_module(cloudbackup_restore, arguments, credentials=False)
    return run


def restores(sim):
    """The restores the simulator holds, in API shape."""
    return sim.simulator.state()["restores"]


def writes(sim):
    return {route: count for route, count in sim.routes().items() if route in WRITES}


# --- start ---------------------------------------------------------------------------------

def test_a_backup_is_restored_to_its_own_agent_and_the_report_is_returned(restore, sim):
    result = restore(backup_id=NEWEST, overwrite=True)

    assert not result.get("failed"), result.get("msg")
    assert (result["changed"], result["outcome"], result["state"], result["healthy"]) == (True, "started", "Completed", True)
    assert result["restore"]["destination_machine_id"] == ALPHA and result["restore"]["overwrite_files"] is True
    assert result["report"]["backup_report_id"] == NEWEST
    assert isinstance(result["report"]["num_files_restored"], int) and result["report"]["num_errors"] == 0
    assert result["summary"].startswith("restore %s of backup %s (nightly) to alpha:/: Completed," % (result["restore_id"], NEWEST))
    assert "encrypted_password" not in result["restore"]
    assert writes(sim) == {"restore.create": 1, "restore.start": 1}
    assert [one["RestoreStateId"] for one in restores(sim)] == [3]


def test_a_backup_is_restored_to_another_agent(restore, sim):
    result = restore(backup_id=NEWEST, destination_agent_id=BETA, destination_path="/srv/restored/")

    assert result["state"] == "Completed", result.get("msg")
    assert result["report"]["restore_destination_machine_id"] == BETA
    assert (restores(sim)[0]["DestinationMachineId"], restores(sim)[0]["DestinationPath"]) == (BETA, "/srv/restored/")


def test_a_configuration_name_restores_its_newest_restorable_backup(restore):
    result = restore(configuration_name="nightly", agent_id=ALPHA, wait=False)

    assert (result["backup_id"], result["outcome"]) == (NEWEST, "started")


def test_include_and_exclude_become_file_filters_of_the_restore(restore, sim):
    result = restore(backup_id=NEWEST, include=["/etc/nginx/", "/var/www/index.html"], exclude=["/var/www/cache/"],
                     wait=False)

    filters = sim.client.get_json("restore", "files", result["restore_id"], expect=list)
    assert sorted((item["FilePath"], item["Filter"], item["FileItemType"]) for item in filters) == [
        ("/etc/nginx/", 1, 1), ("/var/www/cache/", 2, 1), ("/var/www/index.html", 1, 0)]


def test_a_restore_in_flight_is_joined_not_started_again(restore, sim):
    first = restore(backup_id=NEWEST, wait=False)
    again = restore(backup_id=NEWEST, destination_path="/")  # "/" again; the wait follows the same restore

    assert (again["changed"], again["outcome"], again["restore_id"]) == (False, "attached", first["restore_id"])
    assert again["state"] == "Completed"
    assert writes(sim) == {"restore.create": 1, "restore.start": 1}


def test_another_path_is_another_restore(restore, sim):
    first = restore(backup_id=NEWEST, wait=False)
    other = restore(backup_id=NEWEST, destination_path="/srv/", wait=False)

    assert other["outcome"] == "started" and other["restore_id"] != first["restore_id"]


def test_check_mode_reads_and_writes_nothing(restore, sim):
    result = restore(backup_id=NEWEST, check_mode=True, diff=True)

    assert (result["changed"], result["outcome"], result["restore_id"], result["backup_id"]) == (True, "started", None, NEWEST)
    assert result["diff"]["after"]["restore"]["destination_path"] == "/"
    assert result["summary"] == "would restore backup %s (nightly) to agent %s:/" % (NEWEST, ALPHA)
    assert writes(sim) == {} and restores(sim) == []
    # The backup came from the feed, its vault's encryption from the agent list: no read of its own.
    assert sim.routes()["backup.get"] == 0 and sim.routes()["agent.list"] == 1 and sim.routes()["agent.get"] == 1


def test_a_backup_the_feed_no_longer_shows_is_read_on_its_own(restore, sim):
    sim.simulator.configure(activity_window=3600)  # NEWEST ended a day ago

    result = restore(backup_id=NEWEST, wait=False)

    assert result["changed"] and result["backup_id"] == NEWEST and sim.routes()["backup.get"] == 1
    assert [(one["BackupId"], one["BackupMachineId"]) for one in restores(sim)] == [(NEWEST, ALPHA)]


def test_an_unknown_backup_fails_before_anything_is_created(restore, sim):
    result = restore(backup_id=999999)

    assert result["failed"] and "backup 999999 not found" in result["msg"]
    assert writes(sim) == {} and restores(sim) == []


@pytest.mark.parametrize("backup_id, why", [(FAILED, "is Failed: only a backup that ended Completed or CompletedWithErrors")])
def test_a_backup_that_saved_nothing_is_refused(restore, sim, backup_id, why):
    result = restore(backup_id=backup_id)

    assert result["failed"] and why in result["msg"]
    assert writes(sim) == {}


def test_an_encrypted_vault_fails_before_anything_is_created(restore, sim):
    backup_id = int(sim.client.request("POST", "backup", "action-requested", retry=False,
                                       body={"Action": "StartManual", "Id": LOCKED_FILES}).text)
    sim.sleep(30)
    sim.simulator.clear_requests()

    result = restore(backup_id=backup_id)

    assert result["failed"] and "encrypted vault" in result["msg"] and "password" in result["msg"]
    assert writes(sim) == {} and restores(sim) == []


def test_an_asleep_destination_fails_with_the_way_to_wake_it_and_nothing_created(restore, sim):
    sim.sleep(120)  # the agents doze off again

    result = restore(backup_id=NEWEST, online_timeout=0)

    assert result["failed"] and "action=wake_agents and agent_id=%s" % ALPHA in result["msg"]
    assert writes(sim) == {}


def test_a_disabled_destination_fails_before_anything_is_created(restore, sim):
    result = restore(backup_id=NEWEST, destination_agent_id=GAMMA)

    assert result["failed"] and "is disabled" in result["msg"]
    assert writes(sim) == {}


# --- the end of a restore -------------------------------------------------------------------------

def test_a_failed_restore_fails_the_task_with_its_report_and_changed(restore, sim):
    sim.simulator.configure(restore_outcome="Failed")

    result = restore(backup_id=NEWEST)

    assert result["failed"] and result["changed"] is True
    assert (result["state"], result["report"]["state"], result["healthy"]) == ("Failed", "Failed", False)
    assert result["msg"] == "%s; ended in state Failed: %s (%s, 0 errors)" % (
        result["summary"], result["report"]["diagnostics"], result["report"]["reason"])


@pytest.mark.parametrize("allow, failed", [(True, False), (False, True)])
def test_completed_with_errors_fails_only_when_not_allowed(restore, sim, allow, failed):
    sim.simulator.configure(restore_outcome="CompletedWithErrors")

    result = restore(backup_id=NEWEST, allow_completed_with_errors=allow)

    assert result["state"] == "CompletedWithErrors" and bool(result.get("failed")) is failed
    assert not failed or "allow_completed_with_errors is false" in result["msg"]


def test_the_gate_fails_a_restore_with_errors_and_keeps_the_result(restore, sim):
    sim.simulator.configure(restore_outcome="CompletedWithErrors")

    result = restore(backup_id=NEWEST, gate=True, acceptable_states=["Completed", "CompletedWithErrors"], max_errors=0)

    assert result["failed"] and "gate failed" in result["msg"] and "more than max_errors (0)" in result["msg"]
    assert result["gate_passed"] is False and result["report"]["num_errors"] > 0


@pytest.mark.parametrize("on_timeout", ["fail", "continue"])
def test_a_timeout_reports_the_last_state(restore, sim, on_timeout):
    result = restore(backup_id=NEWEST, wait_timeout=1, poll_interval=1, on_timeout=on_timeout)

    assert result["timed_out"] is True and result["state"] in ("StartRequested", "Queued")
    assert result["changed"] is True and result["report"] is None
    assert bool(result.get("failed")) is (on_timeout == "fail")
    assert on_timeout == "continue" or "gave up waiting after 1 seconds" in result["msg"]


# --- stop and wait ----------------------------------------------------------------------------------

def test_a_running_restore_is_stopped_and_a_second_stop_changes_nothing(restore, sim):
    started = restore(backup_id=NEWEST, wait=False)

    stopped = restore(action="stop", restore_id=started["restore_id"])
    again = restore(action="stop", restore_id=started["restore_id"])

    assert (stopped["changed"], stopped["outcome"], stopped["state"]) == (True, "stop_requested", "Stopped")
    assert (again["changed"], again["outcome"]) == (False, "already_finished")
    assert writes(sim) == {"restore.create": 1, "restore.start": 1, "restore.stop": 1}


def test_wait_follows_a_restore_without_starting_anything(restore, sim):
    started = restore(backup_id=NEWEST, wait=False)

    followed = restore(action="wait", restore_id=started["restore_id"])

    assert (followed["changed"], followed["outcome"], followed["state"]) == (False, "followed", "Completed")
    assert followed["report"] is not None
    assert writes(sim) == {"restore.create": 1, "restore.start": 1}


# --- faults: never two restores, never an orphan --------------------------------------------------

def test_a_lost_reply_to_the_start_still_makes_one_restore(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=500, apply=True)

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert [one["RestoreStateId"] for one in restores(sim)] == [3]
    assert writes(sim) == {"restore.create": 1, "restore.start": 1}


def test_a_start_that_took_effect_unseen_is_not_undone_by_a_refused_second_one(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=502, apply=True)  # started, the reply lost
    sim.simulator.add_fault(route="restore.get", status=404)  # the look that would have seen it fails
    sim.simulator.add_fault(route="restore.start", status=400)  # the second StartManual: already started

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert [one["RestoreStateId"] for one in restores(sim)] == [3]
    assert sim.routes().get("restore.delete", 0) == 0


def test_a_creation_the_rate_limit_keeps_refusing_fails_after_online_timeout(restore, sim):
    sim.simulator.add_fault(route="restore.create", status=413, retry_after=10, count=None,
                            body='{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": ""}}')
    began = sim.clock()

    result = restore(backup_id=NEWEST, online_timeout=60)

    assert result["failed"] and "refused by the account's rate limit for 60 seconds" in result["msg"]
    assert 60 <= sim.clock() - began <= 60 + 10 + 2 * 2
    assert restores(sim) == []


def test_a_lost_reply_to_the_creation_adopts_the_draft(restore, sim):
    sim.simulator.add_fault(route="restore.create", status=500, apply=True)

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert len(restores(sim)) == 1 and sim.routes()["restore.create"] == 1


def test_a_start_refused_for_good_deletes_the_restore_it_created(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=403, count=None)

    result = restore(backup_id=NEWEST)

    assert result["failed"] and "was deleted again" in result["msg"] and "HTTP 403" in result["msg"]
    assert result["changed"] is False
    assert restores(sim) == [] and sim.routes()["restore.delete"] == 1


def test_a_restore_that_cannot_be_deleted_is_named_in_the_failure(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=400, count=None)
    sim.simulator.add_fault(route="restore.delete", status=400, count=None)

    result = restore(backup_id=NEWEST)

    (left,) = restores(sim)
    assert result["failed"] and result["changed"] is True
    assert "restore configuration %s that the task created could not be deleted" % left["RestoreId"] in result["msg"]


# --- cloudbackup_info reads restores ------------------------------------------------------------

def info(run_module, sim, **args):
    return run_module(cloudbackup_info, dict(args, username="admin", api_key="admin-key", region="DFW",
                                             identity_url=sim.simulator.info["identity_url"]), credentials=False)


def test_info_reads_a_restore_the_restore_activity_and_what_can_be_restored(restore, run_module, sim):
    started = restore(backup_id=NEWEST, destination_agent_id=BETA, wait=False)

    one = info(run_module, sim, resource="restore", restore_id=started["restore_id"])
    to_beta = info(run_module, sim, resource="restore_activity", agent_id=BETA)
    of_other_backup = info(run_module, sim, resource="restore_activity", backup_id=WITH_ERRORS)
    available = info(run_module, sim, resource="available_for_restore")

    assert one["restore"]["restore_id"] == started["restore_id"] and one["restore"]["state"] != "Creating"
    assert [item["id"] for item in to_beta["restore_activity"]] == [started["restore_id"]]
    assert of_other_backup["restore_activity"] == []
    assert NIGHTLY in [item["backup_configuration_id"] for item in available["available_for_restore"]]


def test_a_creation_without_a_restore_id_in_its_reply_is_looked_for_not_a_traceback(restore, sim):
    sim.simulator.add_fault(route="restore.create", status=200, body="{}", apply=True)

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert len(restores(sim)) == 1 and sim.routes()["restore.create"] == 1


@pytest.mark.parametrize("lag, left", [(20, 0), (40, 1)])
def test_drafts_of_unclear_creations_are_deleted_or_named(restore, sim, lag, left):
    # Two creations without a clear answer, each of which made a draft. The feed shows a draft
    # `lag` s late, and each look lasts the request timeout plus 30 s (35 s here): at 20 s the
    # first look adopts the first draft; at 40 s the second look adopts it, and the second
    # draft, not in the feed yet, is left to the warning.
    sim.simulator.configure(activity_lag=lag)
    sim.simulator.add_fault(route="restore.create", status=500, apply=True, count=2)

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert sorted(one["RestoreStateId"] for one in restores(sim)) == [0] * left + [3]
    assert ("look for restores of backup %s in state Creating" % NEWEST in str(result.get("warnings"))) is bool(left)


def test_drafts_the_feed_never_shows_are_named_in_a_warning(restore, sim):
    sim.simulator.configure(restore_activity_creating=False)
    sim.simulator.add_fault(route="restore.create", status=500, apply=True)

    result = restore(backup_id=NEWEST)

    assert result["state"] == "Completed", result.get("msg")
    assert "look for restores of backup %s in state Creating" % NEWEST in str(result["warnings"])


def test_a_deletion_whose_reply_was_lost_counts_as_done(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=403, count=None)
    sim.simulator.add_fault(route="restore.delete", status=500, apply=True)

    result = restore(backup_id=NEWEST)

    assert result["failed"] and "was deleted again" in result["msg"] and result["changed"] is False
    assert restores(sim) == []


def test_a_restore_that_cannot_be_read_after_its_start_still_says_changed(restore, sim):
    sim.simulator.add_fault(route="restore.get", status=400, count=None)

    result = restore(backup_id=NEWEST, wait=False)

    assert result["failed"] and result["changed"] is True


def test_a_restore_asked_to_stop_is_not_joined_and_a_second_stop_changes_nothing(restore, sim):
    started = restore(backup_id=NEWEST, wait=False)
    restore(action="stop", restore_id=started["restore_id"], wait=False)

    again = restore(action="stop", restore_id=started["restore_id"], wait=False)
    fresh = restore(backup_id=NEWEST, wait=False)

    assert (again["changed"], again["outcome"]) == (False, "stop_requested")
    assert fresh["outcome"] == "started" and fresh["restore_id"] != started["restore_id"]


def test_windows_folders_end_with_a_backslash(restore, sim):
    result = restore(backup_id=NEWEST, destination_path="C:\\Restored\\", include=["C:\\Data\\", "C:\\boot.ini"],
                     wait=False)

    filters = sim.client.get_json("restore", "files", result["restore_id"], expect=list)
    assert sorted((item["FilePath"], item["FileItemType"]) for item in filters) == [
        ("C:\\Data\\", 1), ("C:\\boot.ini", 0)]


# --- many restores (restores) -------------------------------------------------------------------

def restore_of(name, **settings):
    return dict(dict(name=name, destination_path="/"), **settings)


def batch(restore, restores_given, action="start", **args):
    """Run the module over ``restores_given``; its elements by name."""
    result = restore(action=action, restores=restores_given, **dict(dict(wait=False) if action == "start" else {}, **args))
    assert not result.get("failed"), result.get("msg")
    return result, {element["name"]: element for element in result["restores"]}


def wait_list(started, **settings):
    return [dict(dict(name=element["name"], restore_id=element["restore_id"], started_at=element["started_at"],
                      destination_path=element["destination_path"]), **settings) for element in started["restores"] if element["restore_id"] is not None]


def test_a_batch_shares_its_reads_and_makes_one_restore_each(restore, sim):
    result, started = batch(restore, [restore_of("web", backup_id=NEWEST),
                                      restore_of("copy", backup_id=NEWEST, destination_agent_id=BETA,
                                                 destination_path="/srv/copy/", include=["/etc/"]),
                                      restore_of("bad", backup_id=999999)])

    assert result["changed"] is True and result["outcome"] == "batch"
    assert {name: element["outcome"] for name, element in started.items()} == {
        "web": "started", "copy": "started", "bad": "failed"}
    assert started["bad"]["failed"] and "999999" in started["bad"]["msg"] and started["bad"]["changed"] is False
    assert (started["copy"]["destination_agent_id"], started["copy"]["state"]) == (BETA, "StartRequested")
    assert writes(sim) == {"restore.create": 2, "restore.files_add": 1, "restore.start": 2}
    routes = sim.routes()
    # One read of an agent says the (woken) fleet is online before the first round of starts.
    assert routes["activity.user"] == 1 and routes["agent.list"] == 1 and routes["agent.get"] == 1
    # The backups come from the feed; only the one it does not show is read on its own.
    assert routes["backup.get"] == 1

    result, waited = batch(restore, wait_list(result), action="wait", wait_timeout=600)

    assert (result["running"], result["progress"]) == (0, "restores: 2 ended (2 ok), 0 running")
    assert {name: (element["state"], element["failed"], element["healthy"]) for name, element in waited.items()} == {
        "web": ("Completed", False, True), "copy": ("Completed", False, True)}
    assert waited["copy"]["summary"].startswith("restore %s of backup %s (nightly) to beta:/srv/copy/: Completed"
                                                % (waited["copy"]["restore_id"], NEWEST))
    assert waited["web"]["report"]["backup_report_id"] == NEWEST
    assert [one["RestoreStateId"] for one in restores(sim)] == [3, 3]


def test_a_restore_whose_reads_keep_failing_does_not_hide_the_others(restore, sim, monkeypatch):
    result, started = batch(restore, [restore_of("web", backup_id=NEWEST),
                                      restore_of("copy", backup_id=NEWEST, destination_agent_id=BETA)])
    web = started["web"]["restore_id"]
    read_report = _fleet_restore.get_restore_report

    def failing_for_web(client, restore_id):
        if restore_id == web:
            raise ServerError(500, "GET", "restore/report/%s" % restore_id, "Internal Server Error")
        return read_report(client, restore_id)
    monkeypatch.setattr(_fleet_restore, "get_restore_report", failing_for_web)

    result = restore(action="wait", restores=wait_list(result), wait_timeout=600, on_timeout="continue")

    waited = {element["name"]: element for element in result["restores"]}
    assert (waited["copy"]["state"], waited["copy"]["ended"]) == ("Completed", True)
    assert waited["web"]["timed_out"] and not waited["web"]["ended"]
    assert waited["web"]["summary"].endswith("(its last read failed: GET restore/report/%s failed with HTTP 500)" % web)


def test_a_batch_joins_a_restore_in_flight_and_writes_nothing_in_check_mode(restore, sim):
    first = restore(backup_id=NEWEST, wait=False)
    sim.simulator.clear_requests()

    result, started = batch(restore, [restore_of("web", backup_id=NEWEST), restore_of("more", configuration_id=NIGHTLY,
                                                                                      destination_path="/srv/")],
                            check_mode=True)

    assert (started["web"]["outcome"], started["web"]["restore_id"], started["web"]["changed"]) == (
        "attached", first["restore_id"], False)
    assert (started["more"]["outcome"], started["more"]["restore_id"], started["more"]["backup_id"]) == (
        "started", None, NEWEST)
    assert result["changed"] is True and writes(sim) == {}


def test_a_batch_element_is_judged_by_its_own_settings(restore, sim):
    sim.simulator.configure(restore_outcome="CompletedWithErrors")
    started = batch(restore, [restore_of("strict", backup_id=NEWEST),
                              restore_of("counted", backup_id=NEWEST, destination_path="/srv/"),
                              restore_of("lenient", backup_id=NEWEST, destination_path="/tmp/")])[0]
    strict, counted, lenient = wait_list(started)

    result, waited = batch(restore, [dict(strict, allow_completed_with_errors=False), dict(counted, max_errors=0),
                                     lenient], action="wait", wait_timeout=600, gate=True,
                           acceptable_states=["Completed", "CompletedWithErrors"])

    assert "allow_completed_with_errors is false" in waited["strict"]["msg"]
    assert "more than max_errors (0)" in waited["counted"]["msg"] and waited["counted"]["gate_passed"] is False
    assert (waited["lenient"]["failed"], waited["lenient"]["gate_passed"]) == (False, True)
    assert result["progress"] == "restores: 3 ended (1 with accepted errors, 2 failed), 0 running"


def test_a_batch_start_refused_for_a_moment_wakes_the_agents_once_and_starts_all(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=403, count=3)  # the first three starts: an agent dozed off

    started = batch(restore, [restore_of("web", backup_id=NEWEST),
                              restore_of("copy", backup_id=NEWEST, destination_agent_id=BETA)])[1]

    assert [element["outcome"] for element in started.values()] == ["started", "started"]
    # The agents were seen online before the starts: a 403 then is worth one wake-up for the batch.
    assert writes(sim) == {"restore.create": 2, "restore.start": 2 + 3, "agent.wake": 1}
    assert 0 not in [one["RestoreStateId"] for one in restores(sim)]


def test_a_batch_whose_agents_dozed_off_wakes_them_once_and_starts_all(restore, sim):
    sim.sleep(120)  # the agents doze off again: every start is refused until a wake-up

    started = batch(restore, [restore_of("web", backup_id=NEWEST),
                              restore_of("copy", backup_id=NEWEST, destination_agent_id=BETA)])[1]

    assert [element["outcome"] for element in started.values()] == ["started", "started"]
    assert sim.routes()["agent.wake"] == 1 and sim.routes()["restore.create"] == 2


def test_a_batch_waits_for_its_woken_agents_instead_of_meeting_403s(restore, sim):
    sim.sleep(120)  # the agents doze off, then a wake-up a moment ago, as restore.yml's
    sim.client.request("POST", "user", "wakeupagents", retry=True)
    sim.simulator.clear_requests()

    batch(restore, [restore_of("web", backup_id=NEWEST), restore_of("copy", backup_id=NEWEST, destination_agent_id=BETA)])

    starts = [entry["status"] for entry in sim.simulator.requests("restore.start")]
    assert starts == [204, 204] and 1 <= sim.routes()["agent.get"] <= 3


def test_a_batch_start_refused_for_good_deletes_its_draft(restore, sim):
    sim.simulator.add_fault(route="restore.start", status=403, count=None)

    started = batch(restore, [restore_of("web", backup_id=NEWEST)])[1]

    assert started["web"]["outcome"] == "failed" and "HTTP 403" in started["web"]["msg"]
    assert "was deleted again" in started["web"]["msg"]
    assert (started["web"]["restore_id"], started["web"]["changed"]) == (None, False)
    assert restores(sim) == []
    # Refused through online_timeout (120 s): the wake-up went again once per 20 s, not at every refusal.
    # (one StartManual per 2 s round; whether the last round fits the 120 s is a matter of microseconds)
    assert sim.routes()["agent.wake"] == 120 / 20 and 120 / 2 <= sim.routes()["restore.start"] <= 120 / 2 + 1


def test_a_batch_restore_past_its_deadline_is_out_of_time_alone(restore, sim):
    sim.simulator.configure(restore_durations={"in_progress": "600s"})
    result = batch(restore, [restore_of("web", backup_id=NEWEST)])[0]
    waiting = wait_list(result, deadline=sim.simulator.now() + 30)

    result, waited = batch(restore, waiting, action="wait", wait_timeout=120, poll_interval=5, on_timeout="continue")

    assert (waited["web"]["timed_out"], waited["web"]["running"], waited["web"]["failed"]) == (True, False, False)
    assert result["running"] == 0 and result["progress"].startswith("restores: 0 ended, 1 out of time")
    assert result["elapsed"] < 60


def test_a_restore_that_ended_in_an_earlier_chunk_is_counted_not_followed(restore, sim):
    started = batch(restore, [restore_of("web", backup_id=NEWEST)])[0]
    earlier = dict(name="db", restore_id=999999, result=dict(ended=True, timed_out=False, failed=True, healthy=False))

    result, waited = batch(restore, [earlier] + wait_list(started), action="wait", wait_timeout=600)

    assert result["progress"] == "restores: 2 ended (1 ok, 1 failed), 0 running"
    assert (waited["db"]["carried"], waited["db"]["failed"], waited["web"]["carried"]) == (True, True, False)
    assert "restore.get" not in sim.routes() or all("999999" not in entry["path"]
                                                    for entry in sim.simulator.requests("restore.get"))


def test_a_batch_start_with_wait_follows_and_judges_every_restore(restore, sim):
    result, started = batch(restore, [restore_of("web", backup_id=NEWEST),
                                      restore_of("copy", backup_id=NEWEST, destination_path="/srv/")],
                            wait=True, wait_timeout=600)

    assert result["running"] == 0 and result["progress"] == "restores: 2 ended (2 ok), 0 running"
    assert {name: (element["outcome"], element["changed"], element["state"], element["failed"])
            for name, element in started.items()} == {"web": ("started", True, "Completed", False),
                                                      "copy": ("started", True, "Completed", False)}


@pytest.mark.parametrize("outcome, reports_read", [("Completed", 0), ("CompletedWithErrors", 2), ("Failed", 2)])
def test_without_completed_reports_a_completed_restore_passes_by_its_state_and_only_other_ends_are_read(
        restore, sim, outcome, reports_read):
    sim.simulator.configure(restore_outcome=outcome)
    started = batch(restore, [restore_of("web", backup_id=NEWEST), restore_of("copy", backup_id=NEWEST,
                                                                              destination_path="/srv/")])[0]
    sim.simulator.clear_requests()

    result = restore(action="wait", restores=wait_list(started), wait_timeout=600, gate=True, max_errors=5,
                     acceptable_states=["Completed", "CompletedWithErrors"], completed_reports=False)

    assert sim.routes().get("restore.report", 0) == reports_read
    web = result["restores"][0]
    assert (web["state"], web["ended"], web["failed"]) == (outcome, True, outcome == "Failed")
    if outcome == "Completed":
        assert (web["report"], web["healthy"], web["gate_passed"]) == (None, True, True)
        assert web["summary"] == "restore %s of backup %s to alpha:/: Completed, report not read" % (
            web["restore_id"], NEWEST)
        assert web["backup_id"] == NEWEST
        assert result["progress"] == "restores: 2 ended (2 ok), 0 running"
    else:
        assert web["report"]["state"] == outcome and web["healthy"] is False


def test_a_batch_element_that_cannot_be_restored_fails_alone_and_nothing_is_made_for_it(restore, sim):
    result, started = batch(restore, [restore_of("web", backup_id=NEWEST),
                                      restore_of("again", backup_id=NEWEST, destination_path="//"),
                                      restore_of("disabled", backup_id=NEWEST, destination_agent_id=GAMMA),
                                      restore_of("unknown", backup_id=NEWEST, destination_agent_id=399999)])

    assert started["web"]["outcome"] == "started"
    assert "asks for the same restore as web" in started["again"]["msg"]
    assert "destination agent %s is disabled" % GAMMA in started["disabled"]["msg"]
    assert "destination agent 399999 is not an agent of the account" in started["unknown"]["msg"]
    assert writes(sim) == {"restore.create": 1, "restore.start": 1}


def test_two_batch_elements_of_one_name_fail_before_any_request(restore, sim):
    result = restore(restores=[restore_of("web", backup_id=NEWEST), restore_of("web", backup_id=WITH_ERRORS)])

    assert result["failed"] and "restores[1].name 'web' is the name of another element" in result["msg"]
    assert sim.routes() == {}


def test_a_restore_that_cannot_be_read_fails_its_element_alone_in_the_wait(restore, sim):
    started = batch(restore, [restore_of("web", backup_id=NEWEST)])[0]

    result, waited = batch(restore, wait_list(started) + [dict(name="gone", restore_id=599999)], action="wait",
                           wait_timeout=600)

    assert (waited["web"]["state"], waited["web"]["failed"]) == ("Completed", False)
    assert waited["gone"]["failed"] and "599999" in waited["gone"]["msg"] and not waited["gone"]["running"]
    assert result["progress"] == "restores: 2 ended (1 ok, 1 failed), 0 running"


def test_a_batch_wait_in_check_mode_reads_once_and_fails_nothing(restore, sim):
    sim.simulator.configure(restore_durations={"in_progress": "600s"})
    started = batch(restore, [restore_of("web", backup_id=NEWEST)])[0]

    result, waited = batch(restore, wait_list(started), action="wait", check_mode=True)

    assert (waited["web"]["failed"], waited["web"]["running"], result["running"]) == (False, True, 1)


@pytest.mark.parametrize("element, message", [
    (dict(name="x", destination_path="/"), "restores[0] names no backup to restore"),
    (dict(name="x", backup_id=1, configuration_id=2, destination_path="/"), "mutually exclusive"),
    (dict(name="x", backup_id=1), "restores[0] names no destination path"),
    (dict(name="x", backup_id=0, destination_path="/"), "restores[0].backup_id"),
    (dict(name="", backup_id=1, destination_path="/"), "restores[0].name"),
    (dict(name="x", backup_id=1, destination_path="/", region="Chicago"), "restores[0].region"),
    (dict(name="x", backup_id=1, destination_path="/", region="ORD", endpoint="ord.example.com"),
     "restores[0].endpoint"),
])
def test_a_bad_batch_element_fails_before_any_request(restore, sim, element, message):
    result = restore(restores=[element])

    assert result["failed"] and message in result["msg"], result["msg"]
    assert sim.routes() == {}


def test_each_element_is_restored_at_its_regions_endpoint_and_a_region_that_fails_fails_its_own(restore, sim):
    # Each region's endpoint knows only its own agents, as Rackspace's do: alpha's are DFW's.
    sim.simulator.configure(regional_endpoints=True)

    result, started = batch(restore, [restore_of("web", backup_id=NEWEST, region="dfw"),
                                      restore_of("elsewhere", backup_id=NEWEST, region="ORD")],
                            wait=True, wait_timeout=600)

    assert (started["web"]["state"], started["web"]["failed"], started["web"]["region"]) == ("Completed", False, "dfw")
    assert started["elsewhere"]["failed"] and "404" in started["elsewhere"]["msg"], started["elsewhere"]["msg"]
    assert [entry["region"] for entry in sim.simulator.requests("restore.start")] == ["DFW"]
    assert {entry["region"] for entry in sim.simulator.requests("activity.user")} == {"DFW", "ORD"}


def test_reports_late_for_several_restores_are_all_read_with_one_delay_per_round(restore, sim):
    # The three first reads of a report find none yet: the API writes it a moment after the end.
    sim.simulator.add_fault(route="restore.report", status=404, count=3)

    both = [restore_of("web", backup_id=NEWEST), restore_of("copy", backup_id=NEWEST, destination_path="/srv/")]

    # The second poll sees both ended.
    result, started = batch(restore, both, wait=True, wait_timeout=600, poll_interval=60)

    assert {name: element["report"] is not None for name, element in started.items()} == {"web": True, "copy": True}
    assert sim.routes()["restore.report"] == 2 + 3
