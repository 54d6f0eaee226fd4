# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for plugins/module_utils/_normalize.py.

Wire examples are the API's documented samples (see docs/dev/api-notes.md). Samples are
kept as raw JSON text and decoded with json.loads, as the client does, so the escaped
"\\/Date(...)\\/" form is exercised exactly as the server sends it.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._normalize import (
    SIZE_BASE,
    normalize_record,
    parse_date,
    parse_duration,
    parse_iso8601_utc,
    parse_size,
    snake_case,
)


# --- parse_date -------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("/Date(1358530097000)/", "2013-01-18T17:28:17Z"),
    # Raw JSON text as the server usually sends it, decoded the way the client decodes it.
    (json.loads(r'"\/Date(1358530097000)\/"'), "2013-01-18T17:28:17Z"),
    # Never JSON-decoded: tolerated, same instant.
    (r"\/Date(1358530097000)\/", "2013-01-18T17:28:17Z"),
    # The +-hhmm suffix is informational: the milliseconds are UTC already.
    ("/Date(1358530097000-0600)/", "2013-01-18T17:28:17Z"),
    ("/Date(1358530097000+0530)/", "2013-01-18T17:28:17Z"),
    # Seconds precision: milliseconds are dropped, not rounded up.
    ("/Date(1358530097999)/", "2013-01-18T17:28:17Z"),
    ("/Date(1357817400000)/", "2013-01-10T11:30:00Z"),
    ("/Date(0)/", "1970-01-01T00:00:00Z"),
    ("/Date(253402300799000)/", "9999-12-31T23:59:59Z"),
    # .NET DateTime.MinValue shifted by 5 hours (api-notes: Dates), escaped and not.
    (json.loads(r'"\/Date(-62135578800000)\/"'), None),
    ("/Date(-62135578800000)/", None),
    ("/Date(-1)/", None),
    ("/Date(-1000-0500)/", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_escaped_and_plain_dates_are_the_same_string_after_decoding():
    assert json.loads(r'"\/Date(1358530097000)\/"') == json.loads('"/Date(1358530097000)/"')


@pytest.mark.parametrize("value", [
    "", "yesterday", "2013-01-18T17:28:17Z", "/Date()/", "/Date(abc)/", "Date(1358530097000)",
    "/Date(1358530097000)/ trailing", "/Date(1358530097000-06)/", "/Date(999999999999999999)/",
    1358530097000,
])
def test_parse_date_rejects_garbage(value):
    with pytest.raises(ValueError):
        parse_date(value)


# --- parse_size -------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("35.3 MB", 37014732),
    ("3.7 GB", 3972844748),
    ("178.1 MB", 186751385),
    ("60 KB", 61440),
    ("0 bytes", 0),
    ("318 bytes", 318),
    ("1 byte", 1),
    ("1 GB", 1073741824),
    ("2 TB", 2 * 1024 ** 4),
    ("1.5 tb", 1649267441664),
    ("60 kb", 61440),
    ("60 Kb", 61440),
    ("60KB", 61440),
    ("12 B", 12),
    # BytesSearched in backup/completed is a plain integer (api-notes: Sizes and counts).
    (10245674584, 10245674584),
    ("10245674584", 10245674584),
    (0, 0),
    (None, None),
])
def test_parse_size(value, expected):
    assert parse_size(value) == expected


def test_size_base_is_1024():
    assert SIZE_BASE == 1024


@pytest.mark.parametrize("value", [
    "", "MB", "lots", "3.7 XB", "-1 MB", "3,7 GB", "3.7 GB extra", "1e3 KB", 3.7, True, [],
])
def test_parse_size_rejects_garbage(value):
    with pytest.raises(ValueError):
        parse_size(value)


# --- parse_duration ---------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("00:04:33", 273),
    ("00:00:14", 14),
    ("00:00:01", 1),
    ("00:00:00", 0),
    ("26:00:00", 93600),
    ("1.02:03:04", 93784),
    ("0.00:00:05", 5),
    ("00:00:14.9", 14),
    ("1.02:03:04.1234567", 93784),
    (273, 273),
    (None, None),
])
def test_parse_duration(value, expected):
    assert parse_duration(value) == expected


@pytest.mark.parametrize("value", [
    "", "abc", "4:33", "00:60:00", "00:00:60", "1.02:03", "-00:00:01", "00:04:33 later", 4.5, True,
])
def test_parse_duration_rejects_garbage(value):
    with pytest.raises(ValueError):
        parse_duration(value)


# --- snake_case -------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("MachineAgentId", "machine_agent_id"),
    ("ID", "id"),
    ("Id", "id"),
    ("BackupReportID", "backup_report_id"),
    ("IPAddress", "ip_address"),
    ("NumErrors", "num_errors"),
    ("BackupDataCenter", "backup_datacenter"),
    ("BackupDatacenter", "backup_datacenter"),
    ("Datacenter", "datacenter"),
    ("HostServerId", "host_server_id"),
    ("ExponentHex", "exponent_hex"),
    ("StartTimeAmPm", "start_time_am_pm"),
    ("IsBackupConfigurationDeleted", "is_backup_configuration_deleted"),
    ("AgentIdv2", "agent_idv2"),
    ("already_snake", "already_snake"),
    ("message", "message"),
])
def test_snake_case(name, expected):
    assert snake_case(name) == expected


# Every field name of the API's documented objects and request bodies.
REFERENCE_FIELD_NAMES = (
    # agent details
    "MachineAgentId", "AgentVersion", "Architecture", "Flavor", "BackupVaultSize", "BackupContainer",
    "CleanupAllowed", "Datacenter", "BackupDatacenter", "IPAddress", "IsDisabled", "IsEncrypted",
    "MachineName", "OperatingSystem", "OperatingSystemVersion", "PublicKey", "ModulusHex", "ExponentHex",
    "Status", "TimeOfLastSuccessfulBackup", "UseServiceNet", "UseFailoverUri", "HostServerId",
    # agent writes
    "BackupDataCenter", "Enable", "EncryptedPasswordHex", "OldEncryptedPasswordHex",
    "NewEncryptedPasswordHex", "SourceMachineAgentId", "DestinationMachineAgentId", "LoggingLevelId",
    # configuration
    "BackupConfigurationId", "BackupConfigurationName", "IsActive", "IsDeleted", "VersionRetention",
    "BackupConfigurationScheduleId", "MissedBackupActionId", "Frequency", "StartTimeHour",
    "StartTimeMinute", "StartTimeAmPm", "DayOfWeekId", "HourInterval", "TimeZoneId",
    "NextScheduledRunTime", "LastRunTime", "LastRunBackupReportId", "NotifyRecipients", "NotifySuccess",
    "NotifyFailure", "BackupPrescript", "BackupPostscript", "EncryptionKey", "BackupState", "Inclusions",
    "Exclusions", "FileId", "FilePath", "FileItemType", "ParentId", "Filter", "FilePathEncoded",
    # action request
    "Action", "Id",
    # backup details
    "BackupId", "CurrentState", "StateChangeTime",
    # completed backup
    "CompletedTime", "BytesSearched", "NumErrors",
    # backup report
    "BackupConfigurationIsDeleted", "ComputerName", "State", "CanRestore", "StartTime", "Duration",
    "FilesSearched", "FilesBackedUp", "BytesBackedUp", "Reason", "Diagnostics", "ErrorList",
    "BackupReportID", "ListIndex", "ErrorType", "ErrorDesc", "ExceptionDesc", "ExceptionDetails",
    "ExceptionCode", "Path", "SnapshotId",
    # available for restore
    "PublicKeyHex", "PublicKeyMod", "LastSuccessfulBackupTime",
    # activity
    "ID", "Type", "DisplayName", "IsBackupConfigurationDeleted", "SourceMachineName",
    "DestinationMachineName", "TimeOfActivity",
    # restores
    "BackupMachineId", "DestinationMachineId", "DestinationPath", "OverwriteFiles", "RestoreId",
    "BackupRestorePoint", "BackupMachineName", "BackupFlavor", "EncryptedPassword", "RestoreStateId",
    "BackupReportId", "RestorePoint", "OriginatingComputerName", "NumFilesRestored", "NumBytesRestored",
    "RestoreDestination", "RestoreDestinationMachineId",
)
DICT_METHOD_NAMES = frozenset(name for name in dir(dict) if not name.startswith("_"))


def test_no_reference_field_normalizes_to_a_dict_method_name():
    # A key such as "items" would be shadowed by the method in Jinja's result.items.
    assert {"items", "keys", "values", "get", "pop", "update", "copy", "clear"} <= DICT_METHOD_NAMES
    normalized = normalize_record({name: None for name in REFERENCE_FIELD_NAMES})
    assert len(normalized) > 100
    assert not set(normalized) & DICT_METHOD_NAMES
    assert not {snake_case(name) for name in REFERENCE_FIELD_NAMES} & DICT_METHOD_NAMES


# --- normalize_record on the API's documented samples ------------------------------------

AGENT_3_3 = r"""
{"MachineAgentId": 202743, "MachineName": "web2", "AgentVersion": "1.10.006176",
 "Datacenter": "DFW", "BackupDatacenter": "DFW", "IsDisabled": false, "IsEncrypted": false,
 "Status": "Online", "TimeOfLastSuccessfulBackup": null, "UseServiceNet": true,
 "HostServerId": "79aa4aa1-cd86-4416-a6c4-6942b7083130"}
"""
AGENT_3_3_NORMALIZED = {
    "machine_agent_id": 202743, "machine_name": "web2", "agent_version": "1.10.006176",
    "datacenter": "DFW", "backup_datacenter": "DFW", "is_disabled": False, "is_encrypted": False,
    "status": "Online", "time_of_last_successful_backup": None, "use_service_net": True,
    "host_server_id": "79aa4aa1-cd86-4416-a6c4-6942b7083130",
}

# The 3.3 table's example values that the short sample leaves out.
AGENT_3_3_TABLE = r"""
{"MachineAgentId": 213564, "BackupVaultSize": "35.3 MB", "IPAddress": "10.1.2.3",
 "TimeOfLastSuccessfulBackup": "\/Date(1357817400000)\/", "OperatingSystem": "",
 "PublicKey": {"ModulusHex": "C6054E90", "ExponentHex": 10001}}
"""
AGENT_3_3_TABLE_NORMALIZED = {
    "machine_agent_id": 213564, "backup_vault_size": 37014732, "backup_vault_size_text": "35.3 MB",
    "ip_address": "10.1.2.3", "time_of_last_successful_backup": "2013-01-10T11:30:00Z",
    "operating_system": "", "public_key": {"modulus_hex": "C6054E90", "exponent_hex": 10001},
}

# An agent listing may carry a null vault size (api-notes: Sizes and counts); ExponentHex may be a string,
# opaque (api-notes: Wire format).
AGENT_LIST_3_5 = r"""
[{"MachineAgentId": 202743, "BackupVaultSize": null, "Status": "Unknown",
  "PublicKey": {"ModulusHex": "AB", "ExponentHex": "09528"}}]
"""
AGENT_LIST_3_5_NORMALIZED = [
    {"machine_agent_id": 202743, "backup_vault_size": None, "backup_vault_size_text": None,
     "status": "Unknown", "public_key": {"modulus_hex": "AB", "exponent_hex": "09528"}},
]

CONFIGURATION_3_6 = r"""
{"BackupConfigurationId": 158485, "MachineAgentId": 224193, "BackupConfigurationName": "Manual Log Backup",
 "IsActive": true, "IsDeleted": false, "VersionRetention": 60, "Frequency": "Manually",
 "StartTimeHour": null, "StartTimeMinute": null, "StartTimeAmPm": "",
 "NextScheduledRunTime": "\/Date(-62135578800000)\/", "LastRunTime": null, "LastRunBackupReportId": null,
 "Inclusions": [{"FilePath": "C:\\Websites\\Logs", "ParentId": 158485, "FileItemType": "Folder", "FileId": 47085}],
 "Exclusions": []}
"""
CONFIGURATION_3_6_NORMALIZED = {
    "backup_configuration_id": 158485, "machine_agent_id": 224193,
    "backup_configuration_name": "Manual Log Backup", "is_active": True, "is_deleted": False,
    "version_retention": 60, "frequency": "Manually", "start_time_hour": None, "start_time_minute": None,
    "start_time_am_pm": "", "next_scheduled_run_time": None, "last_run_time": None,
    "last_run_backup_report_id": None,
    "inclusions": [{"file_path": "C:\\Websites\\Logs", "parent_id": 158485, "file_item_type": "Folder",
                    "file_id": 47085}],
    "exclusions": [],
}

BACKUP_3_8 = r"""
{"BackupId": 368785, "BackupConfigurationId": 174084, "BackupConfigurationName": "Weekly Website Backup v2",
 "CurrentState": "Queued", "MachineAgentId": 202743, "MachineName": "web2",
 "StateChangeTime": "/Date(1406935800000)/", "IsEncrypted": false,
 "EncryptionKey": {"ExponentHex": 10001, "ModulusHex": "C6054E90..."}}
"""
BACKUP_3_8_NORMALIZED = {
    "backup_id": 368785, "backup_configuration_id": 174084,
    "backup_configuration_name": "Weekly Website Backup v2", "current_state": "Queued",
    "machine_agent_id": 202743, "machine_name": "web2", "state_change_time": "2014-08-01T23:30:00Z",
    "is_encrypted": False, "encryption_key": {"exponent_hex": 10001, "modulus_hex": "C6054E90..."},
}

COMPLETED_3_9 = r"""
[{"BackupId": 134386, "BackupConfigurationId": 158638, "BackupConfigurationName": "Weekly Website Backup",
  "MachineName": "Web Server", "MachineAgentId": 224505, "CompletedTime": "\/Date(1358535352000)\/",
  "BytesSearched": 10245674584, "NumErrors": 0}]
"""
COMPLETED_3_9_NORMALIZED = [{
    "backup_id": 134386, "backup_configuration_id": 158638,
    "backup_configuration_name": "Weekly Website Backup", "machine_name": "Web Server",
    "machine_agent_id": 224505, "completed_time": "2013-01-18T18:55:52Z",
    # An int on the wire: no text to keep.
    "bytes_searched": 10245674584, "bytes_searched_text": None, "num_errors": 0,
}]

REPORT_3_10 = r"""
{"BackupId": 8444451, "BackupConfigurationId": 87643, "BackupConfigurationName": "test_2013-12-05",
 "ComputerName": "ben-linux-dev", "MachineAgentId": 242370, "State": "Completed", "CanRestore": true,
 "StartTime": "/Date(1388424912000)/", "CompletedTime": "/Date(1388424913000)/", "Duration": "00:00:01",
 "FilesSearched": "10", "BytesSearched": "60 KB", "FilesBackedUp": "0", "BytesBackedUp": "0 bytes",
 "NumErrors": 0, "Reason": "Success", "Diagnostics": "No errors", "ErrorList": []}
"""
REPORT_3_10_NORMALIZED = {
    "backup_id": 8444451, "backup_configuration_id": 87643, "backup_configuration_name": "test_2013-12-05",
    "computer_name": "ben-linux-dev", "machine_agent_id": 242370, "state": "Completed", "can_restore": True,
    "start_time": "2013-12-30T17:35:12Z", "completed_time": "2013-12-30T17:35:13Z",
    "duration_seconds": 1, "duration": "00:00:01",
    "files_searched": 10, "bytes_searched": 61440, "bytes_searched_text": "60 KB",
    "files_backed_up": 0, "bytes_backed_up": 0, "bytes_backed_up_text": "0 bytes",
    "num_errors": 0, "reason": "Success", "diagnostics": "No errors", "error_list": [],
}

# Built from the 3.10 table's example values; the state uses the docs' spaced spelling.
REPORT_3_10_WITH_ERRORS = r"""
{"BackupId": 92500, "BackupConfigurationId": 101145, "BackupConfigurationName": "Weekly Website Backup",
 "BackupConfigurationIsDeleted": false, "ComputerName": "web2", "MachineAgentId": 202743,
 "State": "Completed WithErrors", "CanRestore": true,
 "StartTime": "\/Date(1358530097000)\/", "CompletedTime": "\/Date(1358535352000)\/", "Duration": "00:04:33",
 "FilesSearched": "11936", "BytesSearched": "3.7 GB", "FilesBackedUp": "6", "BytesBackedUp": "178.1 MB",
 "NumErrors": 2, "Reason": "Success", "Diagnostics": "Completed With Errors",
 "Datacenter": "DFW", "BackupDatacenter": "DFW",
 "ErrorList": [{"BackupReportID": 92500, "ListIndex": 0, "ErrorType": 101,
                "ErrorDesc": "Unable to back up file", "ExceptionDesc": "Access denied",
                "ExceptionDetails": "", "ExceptionCode": 313, "Path": "C:\\pagefile.sys"}]}
"""
REPORT_3_10_WITH_ERRORS_NORMALIZED = {
    "backup_id": 92500, "backup_configuration_id": 101145, "backup_configuration_name": "Weekly Website Backup",
    "backup_configuration_is_deleted": False, "computer_name": "web2", "machine_agent_id": 202743,
    "state": "CompletedWithErrors", "can_restore": True,
    "start_time": "2013-01-18T17:28:17Z", "completed_time": "2013-01-18T18:55:52Z",
    "duration_seconds": 273, "duration": "00:04:33",
    "files_searched": 11936, "bytes_searched": 3972844748, "bytes_searched_text": "3.7 GB",
    "files_backed_up": 6, "bytes_backed_up": 186751385, "bytes_backed_up_text": "178.1 MB",
    "num_errors": 2, "reason": "Success", "diagnostics": "Completed With Errors",
    "datacenter": "DFW", "backup_datacenter": "DFW",
    "error_list": [{"backup_report_id": 92500, "list_index": 0, "error_type": 101,
                    "error_desc": "Unable to back up file", "exception_desc": "Access denied",
                    "exception_details": "", "exception_code": 313, "path": "C:\\pagefile.sys"}],
}

ACTIVITY_3_12 = r"""
[{"ID": 2436516, "Type": "Backup", "ParentId": 29831, "DisplayName": "Home Daily Backup v2",
  "IsBackupConfigurationDeleted": false, "SourceMachineAgentId": 157512, "SourceMachineName": "dev02",
  "DestinationMachineAgentId": 0, "DestinationMachineName": "", "CurrentState": "Completed",
  "TimeOfActivity": "/Date(1363731050000)/"}]
"""
ACTIVITY_3_12_NORMALIZED = [{
    "id": 2436516, "type": "Backup", "parent_id": 29831, "display_name": "Home Daily Backup v2",
    "is_backup_configuration_deleted": False, "source_machine_agent_id": 157512, "source_machine_name": "dev02",
    "destination_machine_agent_id": 0, "destination_machine_name": "", "current_state": "Completed",
    "time_of_activity": "2013-03-19T22:10:50Z",
}]

# Counts arrive as strings here, the size is in bytes, restores may use BackupDataCenter (api-notes: Restores).
RESTORE_REPORT_3_13 = r"""
{"BackupConfigurationId": 158638, "BackupReportId": 134386, "RestorePoint": "\/Date(1358535352000)\/",
 "Duration": "00:00:14", "State": "Completed", "NumFilesRestored": "35", "NumBytesRestored": "318 bytes",
 "RestoreDestinationMachineId": 156751, "NumErrors": "1", "Reason": "UnableToProcessSomeFiles",
 "BackupDataCenter": "DFW", "ErrorList": []}
"""
RESTORE_REPORT_3_13_NORMALIZED = {
    "backup_configuration_id": 158638, "backup_report_id": 134386, "restore_point": "2013-01-18T18:55:52Z",
    "duration_seconds": 14, "duration": "00:00:14", "state": "Completed",
    "num_files_restored": 35, "num_bytes_restored": 318, "num_bytes_restored_text": "318 bytes",
    "restore_destination_machine_id": 156751, "num_errors": 1, "reason": "UnableToProcessSomeFiles",
    "backup_datacenter": "DFW", "error_list": [],
}


@pytest.mark.parametrize("raw_text, expected", [
    pytest.param(AGENT_3_3, AGENT_3_3_NORMALIZED, id="agent-3.3"),
    pytest.param(AGENT_3_3_TABLE, AGENT_3_3_TABLE_NORMALIZED, id="agent-3.3-table"),
    pytest.param(AGENT_LIST_3_5, AGENT_LIST_3_5_NORMALIZED, id="agent-list-3.5"),
    pytest.param(CONFIGURATION_3_6, CONFIGURATION_3_6_NORMALIZED, id="configuration-3.6"),
    pytest.param(BACKUP_3_8, BACKUP_3_8_NORMALIZED, id="backup-3.8"),
    pytest.param(COMPLETED_3_9, COMPLETED_3_9_NORMALIZED, id="completed-3.9"),
    pytest.param(REPORT_3_10, REPORT_3_10_NORMALIZED, id="report-3.10"),
    pytest.param(REPORT_3_10_WITH_ERRORS, REPORT_3_10_WITH_ERRORS_NORMALIZED, id="report-3.10-with-errors"),
    pytest.param(ACTIVITY_3_12, ACTIVITY_3_12_NORMALIZED, id="activity-3.12"),
    pytest.param(RESTORE_REPORT_3_13, RESTORE_REPORT_3_13_NORMALIZED, id="restore-report-3.13"),
])
def test_normalize_record_reference_samples(raw_text, expected):
    raw = json.loads(raw_text)
    original = json.loads(raw_text)
    assert normalize_record(raw) == expected
    assert raw == original, "the input must not be modified"


# --- normalize_record rules one by one ---------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    # Ids become int whatever the wire type; UUIDs and names stay strings.
    ({"Id": "368785"}, {"id": 368785}),
    ({"MachineAgentId": "202743"}, {"machine_agent_id": 202743}),
    ({"BackupReportID": "92500"}, {"backup_report_id": 92500}),
    ({"HostServerId": "79aa4aa1-cd86-4416-a6c4-6942b7083130"},
     {"host_server_id": "79aa4aa1-cd86-4416-a6c4-6942b7083130"}),
    ({"TimeZoneId": "Eastern Standard Time"}, {"time_zone_id": "Eastern Standard Time"}),
    ({"ParentId": "12a"}, {"parent_id": "12a"}),
    ({"SnapshotId": -1}, {"snapshot_id": -1}),
    ({"BackupId": None}, {"backup_id": None}),
    # Only *Id fields: a digit string elsewhere is data (ExponentHex is opaque, 1.3 item 5).
    ({"ExponentHex": "09528"}, {"exponent_hex": "09528"}),
    ({"MachineName": "2013"}, {"machine_name": "2013"}),
    # Counts.
    ({"FilesSearched": "11936", "FilesBackedUp": 6}, {"files_searched": 11936, "files_backed_up": 6}),
    ({"NumErrors": "1"}, {"num_errors": 1}),
    ({"NumFilesRestored": None}, {"num_files_restored": None}),
    # Sizes and durations keep the wire text next to the number.
    ({"BytesBackedUp": "178.1 MB"}, {"bytes_backed_up": 186751385, "bytes_backed_up_text": "178.1 MB"}),
    ({"BackupVaultSize": None}, {"backup_vault_size": None, "backup_vault_size_text": None}),
    ({"Duration": None}, {"duration_seconds": None, "duration": None}),
    # State names get their canonical spelling; unknown ones are kept.
    ({"CurrentState": "startRequested"}, {"current_state": "StartRequested"}),
    ({"CurrentState": "Stoprequested"}, {"current_state": "StopRequested"}),
    ({"State": "Completed WithErrors"}, {"state": "CompletedWithErrors"}),
    ({"BackupState": "Not Available"}, {"backup_state": "Not Available"}),
    ({"CurrentState": None}, {"current_state": None}),
    # Dates anywhere, including inside lists and unknown fields.
    ({"SomeNewDates": ["/Date(0)/", None]}, {"some_new_dates": ["1970-01-01T00:00:00Z", None]}),
    # Unknown fields: only renamed, nested objects too.
    ({"UseFailoverUri": True, "NewThing": {"InnerValue": "x", "Entries": [1]}},
     {"use_failover_uri": True, "new_thing": {"inner_value": "x", "entries": [1]}}),
    ({"Reason": "6", "Path": "/Date"}, {"reason": "6", "path": "/Date"}),
    ({}, {}),
])
def test_normalize_record_rules(raw, expected):
    assert normalize_record(raw) == expected


@pytest.mark.parametrize("raw", [
    {"NumErrors": "two"},
    {"FilesSearched": "-3"},
    {"BytesSearched": "huge"},
    {"Duration": "four minutes"},
])
def test_normalize_record_reports_unparsable_values(raw):
    with pytest.raises(ValueError):
        normalize_record(raw)


def test_an_unparsable_value_is_named_by_its_path_of_wire_keys():
    with pytest.raises(ValueError, match=r"^Restores: NumErrors: not a count: 'x'$"):
        normalize_record({"Restores": [{"NumErrors": "1"}, {"NumErrors": "x"}]})


@pytest.mark.parametrize("value, expected", [
    ("2014-07-22T07:11:19.488Z", "2014-07-22T07:11:19Z"),
    ("2013-06-05T05:20:28.306-05:00", "2013-06-05T10:20:28Z"),
    ("2013-06-05T23:20:28+0130", "2013-06-05T21:50:28Z"),
    ("2013-12-31T22:00:00-05:00", "2014-01-01T03:00:00Z"),
    (None, None),
])
def test_parse_iso8601_utc(value, expected):
    assert parse_iso8601_utc(value) == expected


@pytest.mark.parametrize("value", ["2014-07-22T07:11:19", "2014-07-22", "", "tomorrow", 1406013079])
def test_parse_iso8601_utc_wants_a_date_time_and_zone(value):
    with pytest.raises(ValueError):
        parse_iso8601_utc(value)


# --- restores (api-notes: Restores, Restore states) ------------------------------------------

RESTORE_SAMPLE = r"""{"RestoreId": 500001, "BackupId": 368785, "BackupConfigurationId": 174084,
 "BackupConfigurationName": "web1 daily files", "BackupRestorePoint": "\/Date(1358535352000)\/",
 "BackupMachineId": 202743, "DestinationMachineId": 202743, "DestinationPath": "/",
 "OverwriteFiles": true, "BackupDataCenter": "DFW", "IsEncrypted": false, "EncryptedPassword": null,
 "RestoreStateId": 8}"""
RESTORE_REPORT_SAMPLE = r"""{"BackupReportId": 368785, "State": "Completed WithErrors", "NumFilesRestored": "35",
 "NumBytesRestored": "178.1 MB", "NumErrors": "1", "Duration": "00:00:12", "Reason": "UnableToProcessSomeFiles",
 "StartTime": "\/Date(1358535352000)\/", "RestoreDestinationMachineId": 202743, "ErrorList": []}"""


def test_a_restore_gets_the_name_of_its_state_beside_the_number():
    restore = normalize_record(json.loads(RESTORE_SAMPLE))
    assert (restore["restore_state_id"], restore["state"]) == (8, "CompletedWithErrors")
    assert restore["backup_restore_point"] == "2013-01-18T18:55:52Z"
    assert restore["backup_datacenter"] == "DFW"  # BackupDataCenter, spelled like everywhere else


@pytest.mark.parametrize("state_id, name", [
    (0, "Creating"), (1, "Queued"), (2, "InProgress"), (3, "Completed"), (4, "Stopped"), (5, "Failed"),
    (6, "StartRequested"), (7, "StopRequested"), (8, "CompletedWithErrors"), (9, "Preparing"),
    ("3", "Completed"), (42, "RestoreState42"),
])
def test_restore_state_ids_map_to_names(state_id, name):
    assert normalize_record({"RestoreStateId": state_id})["state"] == name


def test_a_restore_report_has_numbers_where_the_wire_has_text():
    report = normalize_record(json.loads(RESTORE_REPORT_SAMPLE))
    assert (report["num_files_restored"], report["num_errors"]) == (35, 1)
    assert (report["num_bytes_restored"], report["num_bytes_restored_text"]) == (186751385, "178.1 MB")
    assert (report["state"], report["duration_seconds"]) == ("CompletedWithErrors", 12)
