"""Restores (api-notes: Restores, Restore states): routes, lifecycle on the clock, refusals, activity,
settings, scenario keys, faults, RBAC and the request log."""

import re

import pytest
import requests
from sim_helpers import Api, scenario_with

from cloudbackup_simulator import ScenarioError, Simulator

# test.yml restore phases: StartRequested 0.5 s, Queued 1 s, Preparing 1 s, InProgress 2.5 s, stop 1 s.
PHASES = [(0, "StartRequested", 6), (0.5, "Queued", 1), (1.5, "Preparing", 9), (2.5, "InProgress", 2)]
RESTORE_FIELDS = {
    "RestoreId": int,
    "BackupId": int,
    "BackupConfigurationId": int,
    "BackupConfigurationName": str,
    "BackupRestorePoint": str,
    "BackupMachineId": int,
    "BackupMachineName": str,
    "BackupFlavor": str,
    "DestinationMachineId": int,
    "DestinationMachineName": str,
    "DestinationPath": str,
    "OverwriteFiles": bool,
    "BackupDataCenter": str,
    "IsEncrypted": bool,
    "EncryptedPassword": type(None),
    "PublicKey": dict,
    "RestoreStateId": int,
}
REPORT_FIELDS = {
    "BackupConfigurationId": int,
    "BackupConfigurationName": str,
    "BackupReportId": int,
    "RestorePoint": str,
    "StartTime": str,
    "CompletedTime": str,
    "Duration": str,
    "OriginatingComputerName": str,
    "State": str,
    "NumFilesRestored": str,
    "NumBytesRestored": str,
    "RestoreDestination": str,
    "RestoreDestinationMachineId": int,
    "NumErrors": str,
    "Reason": str,
    "Diagnostics": str,
    "ErrorList": list,
}


def body(**changes):
    """A PUT restore body: alpha's Completed history backup 100001 onto beta."""
    return dict(
        {
            "BackupId": 100001,
            "BackupMachineId": 300001,
            "DestinationMachineId": 300002,
            "DestinationPath": "/srv/restored/",
            "OverwriteFiles": False,
        },
        **changes
    )


def created(api, **changes):
    response = api.put("/restore", body(**changes))
    assert response.status_code == 200, response.text
    return response.json()


def start(api, restore_id, **extra):
    return api.post("/restore/action-requested", dict({"Action": "StartManual", "Id": restore_id}, **extra))


def stop(api, restore_id):
    return api.post("/restore/action-requested", {"Action": "StopManual", "Id": restore_id})


def started(api, **changes):
    """A restore that has just been started (agents woken first)."""
    api.wake()
    restore_id = created(api, **changes)["RestoreId"]
    response = start(api, restore_id)
    assert response.status_code == 204, response.text
    return restore_id


def state_id(api, restore_id):
    return api.get("/restore/%d" % restore_id).json()["RestoreStateId"]


def report(api, restore_id):
    return api.get("/restore/report/%d" % restore_id)


def completed_backup(sim, api, config_id):
    """Run one backup of ``config_id`` to its end; its id."""
    api.wake()
    backup_id = api.start(config_id).json()
    sim.advance(10)
    return backup_id


def feed(api, path="/activity"):
    return {item["ID"]: item for item in api.get(path).json() if item["Type"] == "Restore"}


# -- create / get -----------------------------------------------------------------------


def test_create_answers_the_restore_in_creating(sim, api):
    response = api.put("/restore", body())
    assert response.status_code == 200
    restore = response.json()
    assert {key: type(value) for key, value in restore.items()} == RESTORE_FIELDS
    assert (restore["RestoreId"], restore["RestoreStateId"]) == (500001, 0)
    assert (restore["BackupId"], restore["BackupConfigurationId"], restore["BackupConfigurationName"]) == (
        100001,
        400001,
        "nightly",
    )
    assert (restore["BackupMachineName"], restore["DestinationMachineName"]) == ("alpha", "beta")
    assert restore["BackupDataCenter"] == "DFW" and restore["IsEncrypted"] is False
    assert set(restore["PublicKey"]) == {"ModulusHex", "ExponentHex"} and restore["PublicKey"]["ExponentHex"] == 10001
    completed = api.get("/backup/completed/400001").json()
    assert restore["BackupRestorePoint"] == [b for b in completed if b["BackupId"] == 100001][0]["CompletedTime"]
    assert '"BackupRestorePoint":"\\/Date(' in response.text  # escaped like every date
    assert api.get("/restore/500001").json() == restore


def test_ids_are_unique_and_growing_from_first_restore_id(sim, api):
    assert [created(api)["RestoreId"] for _attempt in range(2)] == [500001, 500002]
    assert api.delete("/restore/files/500002").status_code == 204
    assert created(api)["RestoreId"] == 500003  # a deleted id is never given again
    sim.configure(first_restore_id=600000)
    assert created(api)["RestoreId"] == 600000


def test_optional_fields_and_numeric_strings(sim, api):
    restore = created(api, BackupId="100002", BackupMachineId="300001", DestinationMachineId="300001")
    assert (restore["BackupId"], restore["DestinationMachineId"]) == (100002, 300001)  # CompletedWithErrors
    assert created(api, BackupDataCenter="ORD", OverwriteFiles=True)["BackupDataCenter"] == "ORD"


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"BackupId": None}, "BackupId is required"),
        ({"BackupMachineId": "alpha"}, "BackupMachineId must be an integer"),
        ({"DestinationMachineId": True}, "DestinationMachineId must be an integer"),
        ({"DestinationPath": ""}, "DestinationPath"),
        ({"OverwriteFiles": "yes"}, "OverwriteFiles"),
        ({"BackupDataCenter": "MARS"}, "BackupDataCenter"),
    ],
)
def test_bad_create_bodies_are_400(api, changes, fragment):
    response = api.put("/restore", body(**changes))
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_body_must_be_a_json_object(api):
    assert api.put("/restore", [1]).status_code == 400
    assert api.put("/restore").status_code == 400


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"BackupId": 999}, "BackupId 999"),
        ({"BackupId": 100003}, "Failed"),  # a run that did not complete
        ({"BackupMachineId": 300002}, "BackupMachineId"),
        ({"DestinationMachineId": 310001}, "DestinationMachineId"),  # another tenant's agent
        ({"DestinationMachineId": 999}, "DestinationMachineId"),
    ],
)
def test_bad_references_answer_the_configured_status(sim, api, changes, fragment):
    response = api.put("/restore", body(**changes))
    assert response.status_code == 400 and fragment in response.json()["message"]
    sim.configure(restore_bad_reference_status=404)
    assert api.put("/restore", body(**changes)).status_code == 404
    assert sim.state()["restores"] == []


def test_a_backup_in_flight_or_of_another_tenant_is_not_restorable(sim, api):
    api.wake()
    running = api.start(400001).json()
    assert api.put("/restore", body(BackupId=running)).status_code == 400
    other = Api(sim, "other", "other-key")
    assert other.put("/restore", body(DestinationMachineId=310001, BackupMachineId=300001)).status_code == 400


def test_other_tenants_do_not_see_a_restore(sim, api):
    restore_id = created(api)["RestoreId"]
    other = Api(sim, "other", "other-key")
    assert other.get("/restore/%d" % restore_id).status_code == 404
    assert other.delete("/restore/files/%d" % restore_id).status_code == 404
    assert restore_id not in feed(other)


def test_served_with_or_without_tenant_slash_and_json_suffix(sim, api):
    restore_id = created(api)["RestoreId"]
    for path in ("/v1.0/restore/%d" % restore_id, "/v1.0/123456/restore/%d/" % restore_id, "/v1.0/restore/%d.json"):
        assert api.get(sim.base_url + path.replace("%d", str(restore_id))).status_code == 200


# -- update / files / delete ------------------------------------------------------------


def test_update_replaces_the_fields_of_a_draft_only(sim, api):
    restore = created(api)
    changed = dict(restore, DestinationPath="/elsewhere", OverwriteFiles=True, DestinationMachineId=300001)
    response = api.post("/restore", changed)
    assert response.status_code == 204 and response.content == b""
    after = api.get("/restore/%d" % restore["RestoreId"]).json()
    assert (after["DestinationPath"], after["OverwriteFiles"], after["DestinationMachineName"]) == (
        "/elsewhere",
        True,
        "alpha",
    )
    assert api.post("/restore", dict(changed, RestoreId=999)).status_code == 404
    assert api.post("/restore", dict(changed, BackupId=100003)).status_code == 400
    api.wake()
    assert start(api, restore["RestoreId"]).status_code == 204
    refused = api.post("/restore", changed)
    assert refused.status_code == 400 and "Creating" in refused.json()["message"]


def test_files_are_added_to_a_draft_and_listed(sim, api):
    restore_id = created(api)["RestoreId"]
    added = api.put(
        "/restore/files", {"FilePath": "/etc/hosts", "Filter": 1, "ParentId": restore_id, "FileItemType": 0}
    )
    assert added.status_code == 200 and added.content == b""
    strings = {"FilePath": "/var/cache/", "Filter": "2", "ParentId": str(restore_id), "FileItemType": "1"}
    assert api.put("/restore/files", strings).status_code == 200
    assert api.get("/restore/files/%d" % restore_id).json() == [
        {"FilePath": "/etc/hosts", "Filter": 1, "RestoreId": restore_id, "FileItemType": 0},
        {"FilePath": "/var/cache/", "Filter": 2, "RestoreId": restore_id, "FileItemType": 1},
    ]
    assert api.get("/restore/files/999").status_code == 404


@pytest.mark.parametrize(
    "changes, status",
    [
        ({"Filter": 3}, 400),
        ({"FileItemType": 5}, 400),
        ({"FilePath": ""}, 400),
        ({"ParentId": None}, 400),
        ({"ParentId": 999}, 404),
    ],
)
def test_bad_file_filters(api, changes, status):
    restore_id = created(api)["RestoreId"]
    item = dict({"FilePath": "/etc", "Filter": 1, "ParentId": restore_id, "FileItemType": 1}, **changes)
    assert api.put("/restore/files", item).status_code == status


def test_files_only_while_creating(sim, api):
    restore_id = started(api)
    item = {"FilePath": "/etc", "Filter": 1, "ParentId": restore_id, "FileItemType": 1}
    assert api.put("/restore/files", item).status_code == 400


def test_delete_removes_the_whole_draft(sim, api):
    restore_id = created(api)["RestoreId"]
    assert restore_id in feed(api)
    response = api.delete("/restore/files/%d" % restore_id)
    assert response.status_code == 204 and response.content == b""
    assert api.get("/restore/%d" % restore_id).status_code == 404
    assert api.get("/restore/files/%d" % restore_id).status_code == 404
    assert restore_id not in feed(api) and restore_id not in feed(api, "/system/activity/300002")
    assert api.delete("/restore/files/%d" % restore_id).status_code == 404


def test_delete_status_setting(sim, api):
    sim.configure(restore_delete_status=200)
    assert api.delete("/restore/files/%d" % created(api)["RestoreId"]).status_code == 200


def test_deleting_a_started_restore_is_refused_unless_allowed(sim, api):
    restore_id = started(api)
    assert api.delete("/restore/files/%d" % restore_id).status_code == 400
    assert state_id(api, restore_id) == 6
    sim.configure(restore_delete_started="allow")
    assert api.delete("/restore/files/%d" % restore_id).status_code == 204
    assert api.get("/restore/%d" % restore_id).status_code == 404


# -- start / lifecycle ------------------------------------------------------------------


def test_states_follow_the_restore_durations(sim, api):
    restore_id = started(api)
    elapsed = 0
    for moment, name, number in PHASES:
        sim.advance(moment - elapsed)
        elapsed = moment
        assert state_id(api, restore_id) == number, name
    sim.advance(5 - elapsed)
    assert state_id(api, restore_id) == 3


def test_restore_durations_setting_and_configuration_overrides(make_sim):
    config = {"id": 2001, "name": "solo files", "history": [{"id": 9001, "ago": "1h"}]}
    config["restore"] = {"durations": {"in_progress": "60s"}}
    sim = make_sim(scenario_with({"restore_durations": {"queued": "10s"}}, configurations=[config]))
    api = Api(sim)
    restore_id = created(api, BackupId=9001, BackupMachineId=1001, DestinationMachineId=1001)["RestoreId"]
    start(api, restore_id)
    sim.advance(1 + 10 + 2 + 59)  # start_requested, queued (setting), preparing, most of in_progress (override)
    assert state_id(api, restore_id) == 2
    sim.advance(1)
    assert state_id(api, restore_id) == 3


def test_second_start_is_refused_with_the_configured_status(sim, api):
    restore_id = started(api)
    assert start(api, restore_id).status_code == 400
    sim.advance(10)
    sim.configure(restore_second_start_status=409)
    assert start(api, restore_id).status_code == 409
    assert state_id(api, restore_id) == 3


def test_start_on_a_sleeping_or_disabled_destination_is_forbidden(sim, api):
    restore_id = created(api)["RestoreId"]
    assert start(api, restore_id).status_code == 403  # not woken
    api.wake()
    disabled = created(api, DestinationMachineId=300003)["RestoreId"]
    assert start(api, disabled).status_code == 403
    sim.configure(unavailable_start_status=503)
    assert start(api, disabled).status_code == 503
    assert state_id(api, disabled) == 0


def test_start_meets_the_destinations_403_race(sim, api):
    api.wake()
    restore_id = created(api, DestinationMachineId=300004)["RestoreId"]  # racy: refuses two starts
    assert [start(api, restore_id).status_code for _attempt in range(3)] == [403, 403, 204]


def test_unknown_restore_and_bad_actions(api):
    assert start(api, 999).status_code == 404
    assert stop(api, 999).status_code == 404
    response = api.post("/restore/action-requested", {"Action": "Resume", "Id": 1})
    assert response.status_code == 400 and "Action" in response.json()["message"]
    assert api.post("/restore/action-requested", {"Action": "StartManual"}).status_code == 400


def test_an_encrypted_vault_needs_the_password(sim, api):
    backup_id = completed_backup(sim, api, 400011)  # locked: encrypted vault
    restorable = {item["MachineAgentId"]: item for item in api.get("/backup/availableforrestore").json()}
    assert restorable[300011]["IsEncrypted"] is True
    restore = created(api, BackupId=backup_id, BackupMachineId=300011, DestinationMachineId=300011)
    assert restore["IsEncrypted"] is True and restore["EncryptedPassword"] is None
    refused = start(api, restore["RestoreId"])
    assert refused.status_code == 400 and "EncryptedPassword" in refused.json()["message"]
    assert start(api, restore["RestoreId"], EncryptedPassword="not hex").status_code == 400
    assert start(api, restore["RestoreId"], EncryptedPassword="0A1b2C3d").status_code == 204


def test_destination_stays_online_while_a_restore_runs(sim, api):
    sim.configure(restore_durations={"in_progress": "200s"})
    started(api)
    sim.advance(100)  # the 70 s awake window is over
    assert api.get("/agent/300002").json()["Status"] == "Online"
    assert api.get("/agent/300004").json()["Status"] == "Offline"


# -- stop -------------------------------------------------------------------------------


def test_stop_an_in_flight_restore(sim, api):
    restore_id = started(api)
    sim.advance(3)
    response = stop(api, restore_id)
    assert response.status_code == 204 and response.content == b""
    assert state_id(api, restore_id) == 7
    assert stop(api, restore_id).status_code == 204  # repeated: no new countdown
    sim.advance(1)
    assert state_id(api, restore_id) == 4
    finished = report(api, restore_id).json()
    assert (finished["State"], finished["Reason"], finished["NumFilesRestored"]) == ("Stopped", "StoppedByUser", "0")


def test_stop_a_draft_or_a_finished_restore(sim, api):
    draft = created(api)["RestoreId"]
    assert stop(api, draft).status_code == 400
    restore_id = started(api)
    sim.advance(10)
    assert stop(api, restore_id).status_code == 204 and state_id(api, restore_id) == 3
    sim.configure(stop_terminal_status=400)
    assert stop(api, restore_id).status_code == 400


# -- report / outcomes ------------------------------------------------------------------


def test_report_of_a_completed_restore(sim, api):
    restore_id = started(api)
    assert report(api, restore_id).status_code == 404  # not terminal yet
    sim.advance(10)
    response = report(api, restore_id)
    body_ = response.json()
    assert {key: type(value) for key, value in body_.items()} == REPORT_FIELDS
    assert (body_["State"], body_["Reason"], body_["Diagnostics"]) == ("Completed", "Success", "No errors")
    assert (body_["NumFilesRestored"], body_["NumBytesRestored"], body_["NumErrors"]) == ("6", "178.1 MB", "0")
    assert (body_["BackupReportId"], body_["OriginatingComputerName"]) == (100001, "alpha")
    assert (body_["RestoreDestination"], body_["RestoreDestinationMachineId"]) == ("beta", 300002)
    assert body_["Duration"] == "00:00:05" and body_["ErrorList"] == []
    assert body_["RestorePoint"] == api.get("/restore/%d" % restore_id).json()["BackupRestorePoint"]
    assert re.search(r'"StartTime":"\\/Date\(\d+000\)\\/"', response.text)


def test_partial_report_before_the_end(sim, api):
    sim.configure(report_before_terminal="partial")
    draft = report(api, created(api)["RestoreId"]).json()
    assert (draft["State"], draft["StartTime"], draft["Duration"]) == ("Creating", None, "00:00:00")
    restore_id = started(api)
    sim.advance(3)
    partial = report(api, restore_id).json()
    assert (partial["State"], partial["CompletedTime"], partial["NumFilesRestored"]) == ("InProgress", None, "0")


def test_restores_of_a_configuration_scripted_to_fail(sim, api):
    backup_id = completed_backup(sim, api, 400003)  # beta "nightly": restores end Failed
    restore_id = started(api, BackupId=backup_id, BackupMachineId=300002)
    sim.advance(10)
    assert state_id(api, restore_id) == 5
    failed = report(api, restore_id).json()
    assert (failed["State"], failed["Reason"], failed["NumFilesRestored"]) == ("Failed", "RestoreFailed", "0")
    assert failed["Diagnostics"] != "No errors"


def test_restore_outcome_setting_overrides_every_later_restore(sim, api):
    sim.configure(restore_outcome="Failed")
    failed = started(api)
    sim.configure(restore_outcome="CompletedWithErrors")
    with_errors = started(api)
    sim.configure(restore_outcome=None)
    normal = started(api)
    sim.advance(10)
    assert [state_id(api, rid) for rid in (failed, with_errors, normal)] == [5, 8, 3]
    partly = report(api, with_errors).json()
    assert (partly["State"], partly["Reason"], partly["NumErrors"]) == (
        "CompletedWithErrors",
        "UnableToProcessSomeFiles",
        "1",
    )
    assert set(partly["ErrorList"][0]) == {
        "RestoreReportID",
        "ListIndex",
        "ErrorType",
        "ErrorDesc",
        "ExceptionDesc",
        "ExceptionDetails",
        "ExceptionCode",
        "Path",
    }
    assert (
        partly["ErrorList"][0]["Path"] == "/srv/restored/" and partly["ErrorList"][0]["RestoreReportID"] == with_errors
    )
    assert sim.state()["settings"]["restore_outcome"] is None


def test_scripted_outcome_list_counts_and_errors(make_sim):
    restore = {
        "outcome": ["CompletedWithErrors", "Completed"],
        "files_restored": 35,
        "bytes_restored": 318,
        "errors": [{"path": "/data/locked.db", "code": 32}],
    }
    config = {"id": 2001, "name": "solo files", "history": [{"id": 9001, "ago": "1h"}], "restore": restore}
    sim = make_sim(scenario_with(configurations=[config]))
    api = Api(sim)
    ids = [started(api, BackupId=9001, BackupMachineId=1001, DestinationMachineId=1001) for _attempt in range(3)]
    sim.advance(60)
    reports = [report(api, rid).json() for rid in ids]
    assert [item["State"] for item in reports] == ["CompletedWithErrors", "Completed", "Completed"]
    first = reports[0]
    assert (first["NumFilesRestored"], first["NumBytesRestored"], first["NumErrors"]) == ("35", "318 bytes", "1")
    error = first["ErrorList"][0]
    assert (error["Path"], error["ExceptionCode"], error["ErrorDesc"], error["ListIndex"]) == (
        "/data/locked.db",
        32,
        "Unable to restore the file",
        0,
    )


@pytest.mark.parametrize(
    "restore, fragment",
    [
        ({"outcome": "Skipped"}, "configurations[0].restore.outcome"),
        ({"outcome": "CompletedWithErrors"}, "configurations[0].restore.errors"),
        ({"durations": {"in_progres": 1}}, "configurations[0].restore.durations.in_progres: unknown key"),
        ({"files": 3}, "configurations[0].restore.files: unknown key"),
        ({"bytes_restored": "lots"}, "configurations[0].restore.bytes_restored"),
    ],
)
def test_invalid_restore_blocks_name_the_key(restore, fragment):
    scenario = scenario_with(configurations=[{"id": 2001, "name": "x", "restore": restore}])
    with pytest.raises(ScenarioError, match=re.escape(fragment)):
        Simulator(scenario)


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"restore_outcome": "Skipped"}, "settings.restore_outcome"),
        ({"restore_delete_status": 202}, "settings.restore_delete_status"),
        ({"restore_delete_started": "maybe"}, "settings.restore_delete_started"),
        ({"restore_durations": {"stop": "soon"}}, "settings.restore_durations.stop"),
        ({"first_restore_id": 0}, "settings.first_restore_id"),
    ],
)
def test_invalid_restore_settings_name_the_key(sim, settings, fragment):
    with pytest.raises(ScenarioError, match=re.escape(fragment)):
        sim.configure(**settings)


# -- activity ---------------------------------------------------------------------------


def test_activity_items_in_the_account_and_both_agents_feeds(sim, api):
    restore_id = created(api)["RestoreId"]
    item = feed(api)[restore_id]
    assert item == dict(
        item,
        Type="Restore",
        ParentId=400001,
        DisplayName="Restore of nightly",
        BackupId=100001,
        SourceMachineAgentId=300001,
        SourceMachineName="alpha",
        DestinationMachineAgentId=300002,
        DestinationMachineName="beta",
        CurrentState="Creating",
        IsBackupConfigurationDeleted=False,
    )
    assert item == feed(api, "/system/activity/300001")[restore_id] == feed(api, "/system/activity/300002")[restore_id]
    assert restore_id not in feed(api, "/system/activity/300004")
    assert api.get("/activity").json()[0]["ID"] == restore_id  # newest first


def test_activity_follows_the_state_names(sim, api):
    restore_id = started(api)
    seen = []
    for delay in (0, 0.5, 1, 1, 2.5):
        sim.advance(delay)
        seen.append(feed(api)[restore_id]["CurrentState"])
    assert seen == ["StartRequested", "Queued", "Preparing", "InProgress", "Completed"]
    assert feed(api)[restore_id]["TimeOfActivity"] == report(api, restore_id).json()["CompletedTime"]


def test_backup_id_can_be_left_out_of_restore_items(sim, api):
    sim.configure(restore_activity_backup_id=False)
    restore_id = created(api)["RestoreId"]
    assert "BackupId" not in feed(api)[restore_id]
    assert all("BackupId" in item for item in api.get("/activity").json() if item["Type"] == "Backup")


def test_drafts_can_be_hidden_from_the_feeds(sim, api):
    sim.configure(restore_activity_creating=False)
    restore_id = created(api)["RestoreId"]
    assert restore_id not in feed(api) and restore_id not in feed(api, "/system/activity/300002")
    api.wake()
    start(api, restore_id)
    assert feed(api)[restore_id]["CurrentState"] == "StartRequested"


def test_activity_lag_applies_to_restores(sim, api):
    sim.configure(activity_lag=30)
    restore_id = created(api)["RestoreId"]
    sim.advance(29)
    assert restore_id not in feed(api)
    assert api.get("/restore/%d" % restore_id).status_code == 200  # only the feeds lag
    sim.advance(1)
    assert restore_id in feed(api)


# -- faults, RBAC, log, state -----------------------------------------------------------


def test_apply_fault_on_start_starts_the_restore_but_fails_the_reply(sim, api):
    api.wake()
    restore_id = created(api)["RestoreId"]
    sim.add_fault(route="restore.start", status=500, apply=True)
    assert start(api, restore_id).status_code == 500
    assert state_id(api, restore_id) == 6  # it started all the same
    assert start(api, restore_id).status_code == 400  # a retry is a second start


def test_status_fault_on_start_does_nothing(sim, api):
    api.wake()
    restore_id = created(api)["RestoreId"]
    sim.add_fault(route="restore.start", status=503)
    assert start(api, restore_id).status_code == 503
    assert state_id(api, restore_id) == 0


def test_apply_drop_on_create_leaves_a_restore_the_client_never_saw(sim, api):
    sim.add_fault(route="restore.create", drop=True, apply=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        api.put("/restore", body())
    assert [item["RestoreId"] for item in sim.state()["restores"]] == [500001]
    assert sim.requests("restore.create")[0]["status"] is None


def test_body_delay_and_echo_token_faults_on_restore_routes(sim, api):
    restore_id = created(api)["RestoreId"]
    sim.add_fault(route="restore.get", status=200, body="<html>proxy</html>")
    assert api.get("/restore/%d" % restore_id).text == "<html>proxy</html>"
    sim.add_fault(route="restore.files_list", status=500, echo_token=True)
    assert api.token in api.get("/restore/files/%d" % restore_id).json()["message"]
    sim.add_fault(route="restore.report", delay=0.2)
    assert report(api, restore_id).status_code == 404
    assert sim.requests("restore.report")[0]["fault"] == {"delay": 0.2}


def test_observers_read_restores_and_cannot_write_them(sim, api):
    restore_id = created(api)["RestoreId"]
    observer = Api(sim, "observer", "observer-key")
    assert observer.get("/restore/%d" % restore_id).status_code == 200
    assert observer.get("/restore/files/%d" % restore_id).status_code == 200
    assert observer.put("/restore", body()).status_code == 403
    assert observer.post("/restore", body(RestoreId=restore_id)).status_code == 403
    assert start(observer, restore_id).status_code == 403
    assert observer.delete("/restore/files/%d" % restore_id).status_code == 403
    creator = Api(sim, "creator", "creator-key")  # every restore write, delete included
    assert creator.delete("/restore/files/%d" % restore_id).status_code == 204


def test_request_log_names_every_restore_route(sim, api):
    restore_id = started(api)
    api.put("/restore/files", {})
    api.post("/restore", {})
    api.get("/restore/files/%d" % restore_id)
    api.get("/restore/%d" % restore_id)
    api.get("/restore/report/%d" % restore_id)
    stop(api, restore_id)
    api.post("/restore/action-requested", {"Action": "Nope", "Id": restore_id})
    api.delete("/restore/files/%d" % restore_id)
    routes = [entry["route"] for entry in sim.requests() if "/restore" in entry["path"]]
    assert routes == [
        "restore.create",
        "restore.start",
        "restore.files_add",
        "restore.update",
        "restore.files_list",
        "restore.get",
        "restore.report",
        "restore.stop",
        "restore.action",
        "restore.delete",
    ]
    assert sim.requests("restore.start")[0]["body"] == {"Action": "StartManual", "Id": restore_id}


def test_state_shows_restores_and_reset_clears_them(sim, api):
    restore = created(api)
    assert sim.state()["restores"] == [restore]
    sim.reset()
    assert sim.state()["restores"] == []
    assert Api(sim).get("/restore/%d" % restore["RestoreId"]).status_code == 404  # reset drops tokens too


def test_demo_backups_restore_within_seconds_at_speed_10(demo):
    api = Api(demo, "demo", "demo-api-key-0123456789abcdef")
    api.wake(15)
    for agent_id, config_id, seconds in ((202743, 174084, 30), (202745, 174086, 50)):
        backup_id = api.get("/backup/completed/%d" % config_id).json()[0]["BackupId"]
        restore_id = created(api, BackupId=backup_id, BackupMachineId=agent_id, DestinationMachineId=agent_id)["RestoreId"]
        assert start(api, restore_id).status_code == 204
        demo.advance(seconds)  # 3 and 5 real seconds at --speed 10
        assert report(api, restore_id).json()["State"] == "Completed"
