"""Backup configurations: reads, soft delete, writes and RBAC (api-notes: Backup configurations, Roles (RBAC))."""

import pytest
from sim_helpers import Api, scenario_with

NEW_CONFIG = {
    "MachineAgentId": 300001,
    "BackupConfigurationName": "weekly site",
    "IsActive": True,
    "VersionRetention": 60,
    "MissedBackupActionId": 1,
    "Frequency": "Weekly",
    "StartTimeHour": 7,
    "StartTimeMinute": 30,
    "StartTimeAmPm": "PM",
    "DayOfWeekId": 0,
    "HourInterval": None,
    "TimeZoneId": "Eastern Standard Time",
    "NotifyRecipients": "ops@example.com",
    "NotifySuccess": False,
    "NotifyFailure": True,
    "Inclusions": [{"FilePath": "/var/www", "FileItemType": "Folder"}],
    "Exclusions": [],
}


def ids(items):
    return [item["BackupConfigurationId"] for item in items]


def test_user_list_hides_soft_deleted_and_has_backup_state(api):
    items = api.get("/backup-configuration").json()
    assert ids(items) == [400001, 400002, 400003, 400005, 400006, 400007, 400010, 400011]
    assert items[0]["BackupState"] == "Completed"
    assert items[1]["BackupState"] == "Not Available"


def test_same_name_on_two_agents(api):
    names = [
        (item["MachineAgentId"], item["BackupConfigurationName"]) for item in api.get("/backup-configuration").json()
    ]
    assert (300001, "nightly") in names and (300002, "nightly") in names


def test_list_for_agent(api):
    items = api.get("/backup-configuration/system/300002").json()
    assert ids(items) == [400003]
    assert "BackupState" not in items[0]
    assert api.get("/backup-configuration/system/300004").status_code == 200


def test_get_soft_deleted_configuration_is_200(api):
    config = api.get("/backup-configuration/400004").json()
    assert config["IsDeleted"] is True


def test_list_deleted_configurations_setting(make_sim):
    configurations = [{"id": 2001, "name": "live"}, {"id": 2002, "name": "gone", "deleted": True}]
    api = Api(make_sim(scenario_with({"list_deleted_configurations": True}, configurations=configurations)))
    assert ids(api.get("/backup-configuration").json()) == [2001, 2002]


def test_configuration_fields(api):
    config = api.get("/backup-configuration/400001").json()
    assert config["Frequency"] == "Manually" and config["StartTimeAmPm"] == ""
    assert config["Inclusions"][1] == {
        "FileId": config["Inclusions"][1]["FileId"],
        "FilePath": "/etc/hosts",
        "FileItemType": "File",
        "ParentId": 400001,
    }
    assert config["LastRunBackupReportId"] == 100001
    assert config["Datacenter"] == "DFW" and set(config["EncryptionKey"]) == {"ModulusHex", "ExponentHex"}
    assert api.get("/backup-configuration/400003").json()["Datacenter"] == "ORD"  # the agent's region


def test_create_returns_full_object_with_new_ids(api):
    response = api.post("/backup-configuration", NEW_CONFIG)
    assert response.status_code == 200
    created = response.json()
    assert created["BackupConfigurationId"] == 410002  # ids are global: after the highest one
    assert created["Inclusions"][0]["Filter"] == "Include" and created["Inclusions"][0]["FilePathEncoded"] is None
    assert created["NextScheduledRunTime"] != "/Date(-62135578800000)/"
    assert created["LastRunTime"] is None
    assert 410002 in ids(api.get("/backup-configuration/system/300001").json())


def test_start_time_is_kept_in_utc_by_the_zone_s_offset_of_the_day(api, sim):
    created = api.post("/backup-configuration", NEW_CONFIG).json()  # Sunday 7:30 PM Eastern
    held = (created["StartTimeHour"], created["StartTimeMinute"], created["StartTimeAmPm"])
    assert held in ((12, 30, "AM"), (11, 30, "PM"))  # winter, summer
    assert created["TimeZoneId"] == "Eastern Standard Time" and created["DayOfWeekId"] == 0  # the weekday stays
    sim.configure(start_time_echo="as_sent")
    api.put("/backup-configuration/%d" % created["BackupConfigurationId"], NEW_CONFIG)
    again = api.get("/backup-configuration/%d" % created["BackupConfigurationId"]).json()
    assert (again["StartTimeHour"], again["StartTimeMinute"], again["StartTimeAmPm"]) == (7, 30, "PM")


def test_a_zone_the_simulator_does_not_know_keeps_the_time_as_sent(api):
    created = api.post("/backup-configuration", dict(NEW_CONFIG, TimeZoneId="Mars Standard Time")).json()
    assert (created["StartTimeHour"], created["StartTimeAmPm"]) == (7, "PM")


def test_created_configuration_can_be_started(api):
    config_id = api.post("/backup-configuration", NEW_CONFIG).json()["BackupConfigurationId"]
    api.wake()
    assert api.start(config_id).status_code == 200


def test_create_duplicate_name_on_same_agent_is_409(api):
    assert api.post("/backup-configuration", dict(NEW_CONFIG, BackupConfigurationName="nightly")).status_code == 409
    other_agent = dict(NEW_CONFIG, BackupConfigurationName="nightly", MachineAgentId=300004)
    assert api.post("/backup-configuration", other_agent).status_code == 200


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"MachineAgentId": 999}, "MachineAgentId"),
        ({"MachineAgentId": 310001}, "MachineAgentId"),  # another tenant's agent
        ({"BackupConfigurationName": None}, "BackupConfigurationName"),
        ({"Frequency": "Sometimes"}, "Frequency"),
        ({"StartTimeHour": 13}, "StartTimeHour"),
        ({"DayOfWeekId": None}, "DayOfWeekId"),
        ({"VersionRetention": 7}, "VersionRetention"),
        ({"IsActive": "true"}, "IsActive"),
        ({"Inclusions": [{"FilePath": "/x", "FileItemType": 0}]}, "Inclusions"),
    ],
)
def test_create_validation(api, change, fragment):
    response = api.post("/backup-configuration", dict(NEW_CONFIG, **change))
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_update_is_a_full_replacement_with_empty_body(api):
    body = dict(NEW_CONFIG, MachineAgentId=300002, BackupConfigurationName="nightly v2", Frequency="Manually")
    response = api.put("/backup-configuration/400003", body)
    assert response.status_code == 200 and response.content == b""
    config = api.get("/backup-configuration/400003").json()
    assert config["BackupConfigurationName"] == "nightly v2"
    assert config["Frequency"] == "Manually" and config["NotifyRecipients"] == "ops@example.com"


def test_update_cannot_move_to_another_agent(api):
    assert api.put("/backup-configuration/400003", NEW_CONFIG).status_code == 400


def test_enable_and_disable(api):
    response = api.post("/backup-configuration/enable/400001", {"Enable": False})
    assert response.status_code == 200 and response.json()["IsActive"] is False
    assert api.post("/backup-configuration/enable/400001", {"Enabled": True}).status_code == 400
    assert api.post("/backup-configuration/enable/400001", {"Enable": "true"}).status_code == 400


def test_soft_delete(api):
    response = api.delete("/backup-configuration/400003")
    assert response.status_code == 200 and response.content == b""
    assert api.get("/backup-configuration/400003").json()["IsDeleted"] is True
    assert 400003 not in ids(api.get("/backup-configuration").json())
    assert api.post("/backup-configuration/enable/400003", {"Enable": True}).status_code == 404


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/user/wakeupagents", None),
        ("post", "/backup/action-requested", {"Action": "StartManual", "Id": 400001}),
        ("post", "/backup/action-requested", {"Action": "StopManual", "Id": 100001}),
        ("post", "/backup-configuration", NEW_CONFIG),
        ("put", "/backup-configuration/400001", NEW_CONFIG),
        ("post", "/backup-configuration/enable/400001", {"Enable": True}),
        ("delete", "/backup-configuration/400001", None),
    ],
)
def test_observer_cannot_write(sim, method, path, body):
    observer = Api(sim, "observer", "observer-key")
    response = getattr(observer, method)(path, body) if body is not None else getattr(observer, method)(path)
    assert response.status_code == 403


def test_observer_can_read(sim):
    observer = Api(sim, "observer", "observer-key")
    assert observer.get("/user/agents").status_code == 200
    assert observer.get("/backup/report/100001").status_code == 200


def test_creator_can_write_but_not_delete(sim):
    creator = Api(sim, "creator", "creator-key")
    assert creator.post("/user/wakeupagents").status_code == 200
    assert creator.delete("/backup-configuration/400001").status_code == 403
    assert Api(sim).delete("/backup-configuration/400001").status_code == 200


def test_rbac_can_be_switched_off(make_sim):
    scenario = scenario_with({"rbac": False})
    scenario["tenants"][0]["users"][0]["roles"] = ["observer"]
    assert Api(make_sim(scenario)).post("/user/wakeupagents").status_code == 200
