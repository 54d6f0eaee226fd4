"""The .NET wire format: raw JSON text, dates, sizes, durations, bare bodies (api-notes: Wire format)."""

import json
import re

import pytest

from cloudbackup_simulator import wire

DATE_RAW = re.compile(r'"\\/Date\(-?\d+\)\\/"')


@pytest.mark.parametrize(
    "size, text",
    [(0, "0 bytes"), (318, "318 bytes"), (60 * 1024, "60 KB"), (37014118, "35.3 MB"), (3972844748, "3.7 GB")],
)
def test_human_size(size, text):
    assert wire.human_size(size) == text


@pytest.mark.parametrize(
    "value, size", [("3.7 GB", 3972844748), ("60 KB", 61440), ("0 bytes", 0), ("1 byte", 1), (1234, 1234)]
)
def test_parse_size(value, size):
    assert wire.parse_size(value) == size


def test_human_size_base_1000():
    assert wire.human_size(1500, base=1000) == "1.5 KB"
    assert wire.parse_size("1.5 KB", base=1000) == 1500


@pytest.mark.parametrize("bad", ["3.7 XB", "lots", -1, True, None])
def test_parse_size_rejects(bad):
    with pytest.raises(ValueError):
        wire.parse_size(bad)


@pytest.mark.parametrize("seconds, text", [(0, "00:00:00"), (273, "00:04:33"), (93600, "26:00:00")])
def test_duration(seconds, text):
    assert wire.duration(seconds) == text


def test_dates_and_minvalue():
    assert wire.date(1358530097.0) == "/Date(1358530097000)/"
    assert wire.date(None) is None
    assert wire.MIN_DATE == "/Date(-62135578800000)/"
    assert wire.iso8601(1406001079.488) == "2014-07-22T03:51:19.000Z"  # whole seconds, documented shape


def test_dotnet_json_escapes_every_slash_and_stays_valid_json():
    text = wire.dotnet_json({"When": "/Date(1)/", "Path": "/var/www"})
    assert text == '{"When":"\\/Date(1)\\/","Path":"\\/var\\/www"}'
    assert json.loads(text) == {"When": "/Date(1)/", "Path": "/var/www"}


def test_raw_dates_are_escaped_in_api_responses(api):
    raw = api.get("/backup-configuration/400001").text
    assert '"NextScheduledRunTime":"\\/Date(-62135578800000)\\/"' in raw  # .NET MinValue, manual config
    assert DATE_RAW.search(raw.split('"LastRunTime":')[1])
    assert "/Date(" not in raw.replace("\\/Date(", "")  # no unescaped date anywhere


def test_every_date_is_whole_seconds(sim, api):
    api.wake()
    backup_id = api.start(400001).json()
    sim.advance(15.25)
    paths = [
        "/backup/%d" % backup_id,
        "/backup/report/%d" % backup_id,
        "/activity",
        "/backup-configuration/400001",
        "/agent/300001",
        "/backup/completed/400001",
        "/backup/availableforrestore",
    ]
    dates = [int(ms) for path in paths for ms in re.findall(r"Date\((-?\d+)", api.get(path).text)]
    assert len(dates) > 10 and all(ms % 1000 == 0 for ms in dates)
    assert sim.state()["tokens"][0]["expires"].endswith(".000Z") and sim.requests()[-1]["time"].endswith(".000Z")


def test_start_manual_body_is_a_bare_integer(api):
    api.wake()
    response = api.start(400001)
    assert response.status_code == 200
    assert re.fullmatch(r"\d+", response.text)
    assert response.json() == int(response.text) == 368785


def test_stop_manual_is_204_with_empty_body(api):
    api.wake()
    backup_id = api.start(400001).json()
    response = api.stop(backup_id)
    assert response.status_code == 204
    assert response.content == b""


def test_wake_is_200_with_empty_body(api):
    response = api.post("/user/wakeupagents", headers={"Content-Length": "0"})
    assert response.status_code == 200
    assert response.content == b""


def test_report_counts_are_strings_sizes_human_errors_int(api):
    report = api.get("/backup/report/100002").json()  # history: CompletedWithErrors
    assert report["FilesSearched"] == "11936" and report["FilesBackedUp"] == "6"
    assert report["BytesSearched"] == "3.7 GB" and report["BytesBackedUp"] == "178.1 MB"
    assert report["NumErrors"] == 2 and isinstance(report["NumErrors"], int)
    assert re.fullmatch(r"\d\d:\d\d:\d\d", report["Duration"])
    assert (report["Reason"], report["Diagnostics"]) == ("Success", "Completed With Errors")


def test_completed_list_has_integer_bytes(api):
    items = api.get("/backup/completed/400001").json()
    assert items and all(isinstance(item["BytesSearched"], int) for item in items)
    assert items[0]["BytesSearched"] == 3972844748


def test_ids_are_json_integers_and_field_casing_matches_reference(api):
    agent = api.get("/agent/300001").json()
    assert isinstance(agent["MachineAgentId"], int)
    assert "BackupDatacenter" in agent and "BackupDataCenter" not in agent
    activity = api.get("/activity").json()[0]
    assert "ID" in activity and "Id" not in activity
    report = api.get("/backup/report/100002").json()
    assert set(report["ErrorList"][0]) == {
        "BackupReportID",
        "ListIndex",
        "ErrorType",
        "ErrorDesc",
        "ExceptionDesc",
        "ExceptionDetails",
        "ExceptionCode",
        "Path",
    }
