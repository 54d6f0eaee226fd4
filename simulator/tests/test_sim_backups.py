"""The backup lifecycle on the simulated clock (api-notes: Backup states, Completed backups, Reports, Activity feed)."""

from sim_helpers import Api, scenario_with

# test.yml phases: StartRequested 0.5 s, Queued 1 s, Preparing 1 s, InProgress 2.5 s, stop 1 s.
PHASES = [(0, "StartRequested"), (0.5, "Queued"), (1.5, "Preparing"), (2.5, "InProgress"), (5, "Completed")]


def started(api, config_id=400001):
    api.wake()
    response = api.start(config_id)
    assert response.status_code == 200, response.text
    return response.json()


def test_states_follow_the_phase_durations(sim, api):
    backup_id = started(api)
    elapsed = 0
    for moment, state in PHASES:
        sim.advance(moment - elapsed)
        elapsed = moment
        assert api.state(backup_id) == state, "at +%ds" % moment


def test_backup_details(sim, api):
    backup_id = started(api)
    details = api.get("/backup/%d" % backup_id).json()
    assert details["BackupId"] == backup_id
    assert details["BackupConfigurationId"] == 400001
    assert details["BackupConfigurationName"] == "nightly"
    assert details["MachineAgentId"] == 300001 and details["MachineName"] == "alpha"
    before = details["StateChangeTime"]
    sim.advance(2)  # Preparing began 1.5 s after the start: a later second, whatever the truncation
    assert api.get("/backup/%d" % backup_id).json()["StateChangeTime"] != before


def test_completed_run_updates_report_completed_list_configuration_and_agent(sim, api):
    backup_id = started(api)
    assert api.get("/backup/report/%d" % backup_id).status_code == 404  # not terminal yet
    assert backup_id not in [item["BackupId"] for item in api.get("/backup/completed/400001").json()]
    sim.advance(15)
    report = api.get("/backup/report/%d" % backup_id).json()
    assert (report["State"], report["Reason"], report["Diagnostics"]) == ("Completed", "Success", "No errors")
    assert report["CanRestore"] is True and report["Duration"] == "00:00:05" and report["ErrorList"] == []
    completed = api.get("/backup/completed/400001").json()
    assert completed[0]["BackupId"] == backup_id  # newest first
    config = api.get("/backup-configuration/400001").json()
    assert config["LastRunBackupReportId"] == backup_id
    assert config["LastRunTime"] == report["StartTime"]
    agent = api.get("/agent/300001").json()
    assert agent["TimeOfLastSuccessfulBackup"] == report["CompletedTime"]


def test_completed_with_errors_uses_the_scripted_errors(make_sim):
    scenario = scenario_with(
        configurations=[
            {"id": 2001, "name": "db", "outcome": "CompletedWithErrors", "errors": [{"path": "/a"}, {"path": "/b"}]}
        ]
    )
    sim = make_sim(scenario)
    api = Api(sim)
    backup_id = api.start(2001).json()
    sim.advance(3600)
    report = api.get("/backup/report/%d" % backup_id).json()
    assert report["State"] == "CompletedWithErrors" and report["NumErrors"] == 2
    first = report["ErrorList"][0]
    assert (first["Path"], first["ErrorType"], first["ExceptionCode"], first["BackupReportID"]) == (
        "/a",
        101,
        313,
        backup_id,
    )
    assert api.get("/backup/completed/2001").json()[0]["NumErrors"] == 2


def test_failed_run_has_a_failed_report_and_is_not_listed_as_completed(sim, api):
    backup_id = started(api, 400002)
    sim.advance(15)
    assert api.state(backup_id) == "Failed"
    report = api.get("/backup/report/%d" % backup_id).json()
    assert report["State"] == "Failed" and report["CanRestore"] is False and report["FilesBackedUp"] == "0"
    assert api.get("/backup/completed/400002").json() == []
    assert api.get("/backup-configuration/400002").json()["LastRunBackupReportId"] is None


def test_scripted_outcome_sequence_last_one_repeats(sim, api):
    api.wake()
    outcomes = []
    for _attempt in range(3):
        backup_id = api.start(400007).json()
        sim.advance(15)
        outcomes.append(api.state(backup_id))
    assert outcomes == ["Failed", "Completed", "Completed"]


def test_second_start_while_in_flight_ends_skipped_without_running(sim, api):
    first = started(api)
    second = api.start(400001).json()
    assert second == first + 1
    seen = set()
    for _attempt in range(16):
        seen.add(api.state(second))
        sim.advance(1)
    assert seen == {"StartRequested", "Skipped"}
    assert api.state(first) == "Completed"
    assert api.get("/backup/report/%d" % second).json()["State"] == "Skipped"


def test_second_start_setting_status(make_sim):
    api = Api(make_sim(scenario_with({"second_start": 409})))
    assert api.start(2001).status_code == 200
    assert api.start(2001).status_code == 409


def test_stop_in_flight_goes_stop_requested_then_stopped(sim, api):
    backup_id = started(api)
    sim.advance(3)
    assert api.state(backup_id) == "InProgress"
    assert api.stop(backup_id).status_code == 204
    assert api.state(backup_id) == "StopRequested"
    sim.advance(1)
    assert api.state(backup_id) == "Stopped"
    sim.advance(60)
    assert api.state(backup_id) == "Stopped"
    assert api.get("/backup/report/%d" % backup_id).json()["Reason"] == "Stopped"


def test_stop_on_finished_backup_is_204_and_changes_nothing(sim, api):
    assert api.stop(100001).status_code == 204
    assert api.state(100001) == "Completed"


def test_stop_on_finished_backup_setting(make_sim):
    sim = make_sim(scenario_with({"stop_terminal_status": 400}))
    api = Api(sim)
    backup_id = api.start(2001).json()
    sim.advance(3600)
    assert api.stop(backup_id).status_code == 400


def test_stop_unknown_backup_is_404(api):
    assert api.stop(999999).status_code == 404


def test_start_unknown_or_deleted_configuration_is_404(api):
    api.wake()
    assert api.start(999).status_code == 404
    assert api.start(400004).status_code == 404


def test_report_partial_setting(make_sim):
    api = Api(make_sim(scenario_with({"report_before_terminal": "partial"})))
    backup_id = api.start(2001).json()
    report = api.get("/backup/report/%d" % backup_id)
    assert report.status_code == 200
    assert report.json()["State"] == "StartRequested" and report.json()["CompletedTime"] is None


def test_report_for_unrun_setting_404_for_skipped_and_missed_runs(make_sim):
    configuration = {"id": 2001, "name": "solo files", "history": [{"ago": "1h", "outcome": "Missed"}]}
    sim = make_sim(scenario_with({"report_for_unrun": 404}, configurations=[configuration]))
    api = Api(sim)
    missed = api.get("/activity").json()[0]["ID"]
    first, skipped = api.start(2001).json(), api.start(2001).json()
    sim.advance(3600)
    assert (api.state(missed), api.state(skipped)) == ("Missed", "Skipped")
    assert api.get("/backup/report/%d" % missed).status_code == 404
    assert api.get("/backup/report/%d" % skipped).status_code == 404
    assert api.get("/backup/report/%d" % first).json()["State"] == "Completed"


def test_history_is_in_reports_activity_and_completed_list(api):
    completed = api.get("/backup/completed/400001").json()
    assert [item["BackupId"] for item in completed] == [100001, 100002]  # Completed, CompletedWithErrors
    assert api.get("/backup/report/100003").json()["State"] == "Failed"
    config = api.get("/backup-configuration/400001").json()
    assert config["LastRunBackupReportId"] == 100001


def test_completed_order_setting(make_sim):
    history = [{"id": 10, "ago": "2d"}, {"id": 11, "ago": "1d"}]
    sim = make_sim(
        scenario_with(
            {"completed_order": "oldest_first"}, configurations=[{"id": 2001, "name": "x", "history": history}]
        )
    )
    assert [item["BackupId"] for item in Api(sim).get("/backup/completed/2001").json()] == [10, 11]


def test_history_still_running_at_start_is_in_flight(make_sim):
    history = [{"id": 10, "ago": "5s", "durations": {"in_progress": "1m"}}]
    api = Api(make_sim(scenario_with(configurations=[{"id": 2001, "name": "x", "history": history}])))
    assert api.state(10) == "InProgress"  # started 5 s before the simulator did
    second = api.start(2001).json()
    api.sim.advance(1)
    assert api.state(second) == "Skipped"


def test_activity_items_newest_first(sim, api):
    backup_id = started(api)
    items = api.get("/system/activity/300001").json()
    assert items[0]["ID"] == backup_id
    assert items[0]["Type"] == "Backup" and items[0]["ParentId"] == 400001
    assert items[0]["CurrentState"] == "StartRequested"
    assert items[0]["SourceMachineAgentId"] == 300001 and items[0]["DestinationMachineAgentId"] == 0
    assert [item["ID"] for item in items[1:]] == [100001, 100002, 100003]
    everything = api.get("/activity").json()
    assert {item["SourceMachineAgentId"] for item in everything} == {300001}
    assert everything[0]["ID"] == backup_id


def test_demo_runs_finish_in_a_few_real_seconds(demo):
    """Demo durations: wake 15 s, each run at most 80 simulated s (8 real s at --speed 10)."""
    api = Api(demo, "demo", demo.info["api_key"])
    api.wake(15)
    ids = {config: api.start(config).json() for config in (174084, 174085, 174086)}
    assert ids[174084] == 368785
    demo.advance(80)
    reports = {config: api.get("/backup/report/%d" % backup).json() for config, backup in ids.items()}
    assert reports[174084]["State"] == "Completed"
    assert reports[174085]["State"] == "CompletedWithErrors" and reports[174085]["NumErrors"] == 2
    assert [error["ExceptionCode"] for error in reports[174085]["ErrorList"]] == [313, 313]
    assert reports[174086]["State"] == "Completed"


def test_activity_items_carry_backup_id_and_datacenters(make_sim):
    api = Api(make_sim(scenario_with(datacenter="ORD", backup_datacenter="IAD")))
    backup_id = api.start(2001).json()
    item = api.get("/activity").json()[0]
    assert (item["ID"], item["BackupId"]) == (backup_id, backup_id)
    assert (item["SourceDatacenter"], item["DestinationDatacenter"]) == ("ORD", "IAD")


def test_activity_lag_hides_a_new_backup_from_the_feeds_only(sim, api):
    sim.configure(activity_lag=30)
    backup_id = started(api)
    sim.advance(29)
    assert backup_id not in [item["ID"] for item in api.get("/activity").json()]
    assert backup_id not in [item["ID"] for item in api.get("/system/activity/300001").json()]
    assert api.get("/backup-configuration/400001").json()["LastRunBackupReportId"] == backup_id
    assert api.state(backup_id) == "Completed"
    sim.advance(1)
    assert api.get("/system/activity/300001").json()[0]["ID"] == backup_id


def test_activity_window_drops_old_backups_from_the_feeds_only(sim, api):
    backup_id = started(api)
    sim.configure(activity_window=3600)
    assert backup_id in [item["ID"] for item in api.get("/activity").json()]
    assert 100001 not in [item["ID"] for item in api.get("/activity").json()]  # history: a day old
    sim.advance(3601)
    assert backup_id not in [item["ID"] for item in api.get("/system/activity/300001").json()]
    assert api.state(backup_id) == "Completed"


def test_available_for_restore_lists_configurations_with_a_restorable_run(sim, api):
    items = api.get("/backup/availableforrestore").json()
    assert [item["BackupConfigurationId"] for item in items] == [400001]  # history: Completed
    assert set(items[0]) == {
        "BackupConfigurationId",
        "BackupConfigurationName",
        "MachineName",
        "MachineAgentId",
        "IsEncrypted",
        "PublicKeyHex",
        "PublicKeyMod",
        "Flavor",
        "LastSuccessfulBackupTime",
    }
    assert items[0]["LastSuccessfulBackupTime"] == api.get("/backup/completed/400001").json()[0]["CompletedTime"]
    started(api, 400002)  # always fails: never restorable
    sim.advance(15)
    assert [item["BackupConfigurationId"] for item in api.get("/backup/availableforrestore").json()] == [400001]
