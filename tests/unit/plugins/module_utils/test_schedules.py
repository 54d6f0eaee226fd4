"""_schedules and _configuration_spec: the declared words beside what the API holds, without a request."""
import calendar

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _schedules
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configuration_spec import (
    changes,
    declared,
    request_body,
    wanted,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._schedules import (
    api_fields,
    declared_schedule,
    same_schedule,
    sent_fields,
    utc_times,
    zone_offsets,
)

WINTER = calendar.timegm((2026, 1, 15, 12, 0, 0))
SUMMER = calendar.timegm((2026, 7, 15, 12, 0, 0))
EASTERN = "Eastern Standard Time"


def held(frequency="Daily", hour=None, minute=None, am_pm=None, day=None, interval=None, zone=EASTERN, **extra):
    """A configuration as _api returns it."""
    return dict(dict(backup_configuration_id=400001, backup_configuration_name="web", machine_agent_id=300001,
                     is_active=True, version_retention=30, missed_backup_action_id=1, frequency=frequency,
                     start_time_hour=hour, start_time_minute=minute, start_time_am_pm=am_pm, day_of_week_id=day,
                     hour_interval=interval, time_zone_id=zone, notify_recipients="", notify_success=False,
                     notify_failure=False, inclusions=[], exclusions=[]), **extra)


def daily(time, zone=EASTERN):
    return dict(frequency="daily", time=time, time_zone=zone)


def test_api_fields_are_twelve_hour_with_nulls_where_they_do_not_apply():
    assert api_fields(daily("19:30")) == dict(Frequency="Daily", HourInterval=None, StartTimeHour=7, StartTimeMinute=30,
                                              StartTimeAmPm="PM", DayOfWeekId=None, TimeZoneId=EASTERN)
    sunday = api_fields(dict(frequency="weekly", day="Sunday", time="00:05", time_zone="UTC"))
    assert (sunday["DayOfWeekId"], sunday["StartTimeHour"], sunday["StartTimeAmPm"]) == (0, 12, "AM")
    assert api_fields(dict(frequency="daily", time="12:00", time_zone="UTC"))["StartTimeAmPm"] == "PM"
    assert api_fields(dict(frequency="hourly", every_hours=6))["HourInterval"] == 6


@pytest.mark.parametrize("now, offset", [(WINTER, -300), (SUMMER, -240)])
def test_the_offset_in_effect_on_the_day(now, offset):
    assert zone_offsets(EASTERN, now) == (offset,)
    assert zone_offsets("Mars Standard Time", now) == (0,)


# The reference's capture: 7:30 PM Eastern, written in summer, held as 11:30 PM (UTC).
@pytest.mark.parametrize("record, now, same", [
    (held(hour=11, minute=30, am_pm="PM"), SUMMER, True),
    (held(hour=12, minute=30, am_pm="AM"), WINTER, True),
    (held(hour=11, minute=30, am_pm="PM"), WINTER, False),  # written in summer, read in winter: one write
    (held(hour=7, minute=30, am_pm="PM"), SUMMER, False),  # kept as sent: a write, never a missed change
    (held(hour=12, minute=30, am_pm="AM", zone="UTC"), WINTER, False),  # another zone
    (held(frequency="Weekly", hour=12, minute=30, am_pm="AM", day=1), WINTER, False),  # another frequency
])
def test_a_held_start_time_is_compared_in_utc(record, now, same):
    assert same_schedule(daily("19:30"), record, now) is same


def test_the_weekday_may_move_across_midnight_or_not():
    monday_evening = dict(frequency="weekly", day="monday", time="19:30", time_zone=EASTERN)
    assert utc_times(19 * 60 + 30, 1, EASTERN, WINTER) == {(30, 1), (30, 2)}
    for day in (1, 2):
        assert same_schedule(monday_evening, held("Weekly", 12, 30, "AM", day=day), WINTER)
    assert not same_schedule(monday_evening, held("Weekly", 12, 30, "AM", day=3), WINTER)


def test_a_half_hour_zone_moves_the_minutes():
    india = held(hour=2, minute=0, am_pm="PM", zone="India Standard Time")  # 19:30 IST is 14:00 UTC
    assert same_schedule(daily("19:30", "India Standard Time"), india, WINTER)
    assert declared_schedule(india, WINTER)["time"] == "19:30"


def test_declared_time_gives_back_what_was_declared():
    record = held(hour=12, minute=30, am_pm="AM")
    schedule = declared_schedule(record, WINTER)
    assert schedule == daily("19:30")
    assert same_schedule(schedule, record, WINTER)


def test_order_of_paths_and_defaults_do_not_read_as_a_change():
    record = held(frequency="Manually", zone=None, inclusions=[
        dict(file_path="/srv", file_item_type="Folder", file_id=9, parent_id=400001),
        dict(file_path="/etc", file_item_type="Folder", file_id=3, parent_id=400001),
        dict(file_path="/etc/hosts", file_item_type="File", file_id=4, parent_id=400001)])
    spec = dict(name="web", agent_id=300001, include=["/etc", "/srv"], include_files=["/etc/hosts"],
                schedule=dict(frequency="manual"))
    assert changes(spec, record, WINTER) == []
    assert changes(dict(spec, include=["/etc"]), record, WINTER) == ["include"]
    assert changes(dict(spec, include=["/home"], purge_paths=False), record, WINTER) == ["include"]
    assert wanted(dict(spec, include=["/home"], purge_paths=False), record, WINTER)["include"] == ["/etc", "/home", "/srv"]


def test_an_update_sends_every_held_setting_and_the_start_time_as_local():
    record = held(hour=12, minute=30, am_pm="AM", notify_recipients="ops@example.com", notify_failure=True,
                  exclusions=[dict(file_path="/tmp", file_item_type="Folder")])
    body = request_body(wanted(dict(retention_days=60), record, WINTER), record, None, WINTER)
    assert (body["StartTimeHour"], body["StartTimeMinute"], body["StartTimeAmPm"]) == (7, 30, "PM")
    assert body["VersionRetention"] == 60 and body["NotifyRecipients"] == "ops@example.com" and body["NotifyFailure"]
    assert body["Exclusions"] == [{"FilePath": "/tmp", "FileItemType": "Folder"}]
    assert body["BackupConfigurationName"] == "web" and body["MachineAgentId"] == 300001


def test_an_update_sends_back_what_no_option_sets():
    record = held(missed_backup_action_id=3, backup_prescript="pre.sh", backup_postscript="",
                  inclusions=[dict(file_path="/srv", file_item_type="Folder"),
                              dict(file_path="appdb", file_item_type="Database")])
    body = request_body(wanted(dict(include=["/home"]), record, WINTER), record, None, WINTER)
    assert body["MissedBackupActionId"] == 3 and body["BackupPrescript"] == "pre.sh" and body["BackupPostscript"] == ""
    assert body["Inclusions"] == [{"FilePath": "appdb", "FileItemType": "Database"},
                                  {"FilePath": "/home", "FileItemType": "Folder"}]
    declared_missed = request_body(wanted(dict(missed_backup="wait_for_next_schedule"), record, WINTER), record, None,
                                   WINTER)
    assert declared_missed["MissedBackupActionId"] == 2
    assert "BackupPrescript" not in request_body(wanted(dict(name="new"), None, WINTER) | {"agent_id": 1}, None,
                                                 None, WINTER)


def test_a_held_start_time_is_not_sent_back_by_a_guessed_offset(monkeypatch):
    def no_zone_data(name):
        raise _schedules.ZoneInfoNotFoundError(name)
    monkeypatch.setattr(_schedules, "ZoneInfo", no_zone_data)
    assert zone_offsets(EASTERN, SUMMER) == (-300, -240)
    with pytest.raises(CloudBackupError, match="install the tzdata package"):
        sent_fields(held(hour=11, minute=30, am_pm="PM"), SUMMER)
    assert sent_fields(held(frequency="Manually"), SUMMER)["Frequency"] == "Manually"


def test_a_declared_schedule_reads_as_the_held_one_would():
    record = held(hour=12, minute=30, am_pm="AM")
    assert wanted(dict(schedule=dict(frequency="daily", time="7:30", day=None, every_hours=None, time_zone=EASTERN)),
                  record, WINTER)["schedule"] == daily("07:30")
    assert wanted(dict(schedule=dict(frequency="hourly", every_hours=4)), record, WINTER)["schedule"] == dict(
        frequency="hourly", every_hours=4, time_zone=EASTERN)


def test_declared_leaves_out_what_the_api_holds_no_value_for():
    words = declared(held(frequency="Manually", zone=None, missed_backup_action_id=None), WINTER)
    assert "missed_backup" not in words and words["schedule"] == {"frequency": "manual"}
    assert "notify_recipients" not in words


def test_a_weekly_schedule_across_midnight_shows_its_day_and_reads_back_as_no_change():
    friday_evening = dict(frequency="weekly", day="friday", time="21:15", time_zone=EASTERN)
    for held_day in (5, 6):  # the API keeps the weekday, or moves it with the time
        record = held("Weekly", 2, 15, "AM", day=held_day)
        shown = declared_schedule(record, WINTER)
        assert same_schedule(friday_evening, record, WINTER) and same_schedule(shown, record, WINTER)
    assert declared_schedule(held("Weekly", 2, 15, "AM", day=5), WINTER) == friday_evening
