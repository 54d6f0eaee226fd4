"""Tests for module_utils/_api.py: paths, bodies, quirks and 404 handling, on a fake client."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _api
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import InvalidResponse, NotFound

BASE = "https://dfw.backup.example.com/v1.0/123456"


class FakeReply:
    def __init__(self, text, status=200, url=BASE + "/backup/action-requested"):
        self.text = text
        self.status_code = status
        self.url = url


class RecordingClient:
    """Records calls; answers each path (tuple of segments) from ``routes``; a missing path is a 404."""

    def __init__(self, routes=None, reply=None):
        self.routes = routes or {}
        self.reply = reply or FakeReply("")
        self.calls = []

    def url(self, *segments):
        return "/".join((BASE,) + tuple(str(segment) for segment in segments))

    @staticmethod
    def masked(text):
        return text

    def get_json(self, *segments, expect=None):
        self.calls.append(("GET",) + segments + (expect,))
        if segments not in self.routes:
            url = "/".join((BASE,) + tuple(str(segment) for segment in segments))
            raise NotFound(404, "GET", url, '{"message": "not found"}')
        return self.routes[segments]

    def request(self, method, *segments, body=None, retry=None):
        self.calls.append((method,) + segments + (body, retry))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


AGENT = {"MachineAgentId": 202743, "MachineName": "web2", "Status": "Online", "IsDisabled": False,
         "HostServerId": "79aa4aa1-cd86-4416-a6c4-6942b7083130", "TimeOfLastSuccessfulBackup": "/Date(1357817400000)/"}


def test_get_agent_returns_a_normalized_record():
    client = RecordingClient({("agent", 202743): AGENT})

    agent = _api.get_agent(client, 202743)

    assert agent["machine_agent_id"] == 202743
    assert agent["status"] == "Online"
    assert agent["time_of_last_successful_backup"] == "2013-01-10T11:30:00Z"
    assert client.calls == [("GET", "agent", 202743, dict)]


@pytest.mark.parametrize("call, what", [
    (lambda client: _api.get_agent(client, 77), "agent 77"),
    (lambda client: _api.get_configuration(client, 158485), "backup configuration 158485"),
    (lambda client: _api.get_backup(client, 368785), "backup 368785"),
    (lambda client: _api.list_completed_backups(client, 158485), "backup configuration 158485"),
    (lambda client: _api.list_configurations(client, agent_id=77), "agent 77"),
    (lambda client: _api.list_activity(client, agent_id=77), "agent 77"),
])
def test_404_for_an_id_the_user_gave_names_it(call, what):
    with pytest.raises(NotFound) as raised:
        call(RecordingClient())

    assert raised.value.msg.startswith("%s not found (GET %s/" % (what, BASE))
    assert raised.value.status == 404


def test_find_agent_by_server_returns_none_when_the_server_has_no_agent():
    assert _api.find_agent_by_server(RecordingClient(), "79aa4aa1-cd86-4416-a6c4-6942b7083130") is None


def test_find_agent_by_server():
    client = RecordingClient({("agent", "server", AGENT["HostServerId"]): AGENT})

    assert _api.find_agent_by_server(client, AGENT["HostServerId"])["machine_agent_id"] == 202743


def test_list_agents():
    client = RecordingClient({("user", "agents"): [AGENT, dict(AGENT, MachineAgentId=5)]})

    assert [agent["machine_agent_id"] for agent in _api.list_agents(client)] == [202743, 5]
    assert client.calls == [("GET", "user", "agents", list)]


def test_wake_agents_is_a_retryable_post():
    client = RecordingClient()

    assert _api.wake_agents(client) is None
    assert client.calls == [("POST", "user", "wakeupagents", None, True)]


@pytest.mark.parametrize("agent_id, path", [
    (None, ("backup-configuration",)),
    (224193, ("backup-configuration", "system", 224193)),
])
def test_list_configurations_leaves_out_deleted_ones_by_default(agent_id, path):
    configurations = [{"BackupConfigurationId": 1, "IsDeleted": False}, {"BackupConfigurationId": 2, "IsDeleted": True}]
    client = RecordingClient({path: configurations})

    live = _api.list_configurations(client, agent_id)
    everything = _api.list_configurations(client, agent_id, include_deleted=True)

    assert [cfg["backup_configuration_id"] for cfg in live] == [1]
    assert [cfg["backup_configuration_id"] for cfg in everything] == [1, 2]


def test_get_configuration_keeps_a_deleted_one():
    client = RecordingClient({("backup-configuration", 9): {"BackupConfigurationId": 9, "IsDeleted": True}})

    assert _api.get_configuration(client, 9) == {"backup_configuration_id": 9, "is_deleted": True}


@pytest.mark.parametrize("text, backup_id", [
    ("368785", 368785),
    ('"368785"', 368785),
    (" 368785\r\n", 368785),
    ('"368785"\n', 368785),
])
def test_request_start_reads_the_bare_integer_body(text, backup_id):
    client = RecordingClient(reply=FakeReply(text))

    assert _api.request_start(client, "148325") == backup_id
    assert client.calls == [("POST", "backup", "action-requested", {"Action": "StartManual", "Id": 148325}, False)]


@pytest.mark.parametrize("text", ["", "{}", "null", "OK", "368785.5"])
def test_request_start_without_an_id_is_an_invalid_response(text):
    with pytest.raises(InvalidResponse) as raised:
        _api.request_start(RecordingClient(reply=FakeReply(text)), 148325)

    assert raised.value.msg == "StartManual for backup configuration 148325 returned no backup id"


def test_request_start_404_names_the_configuration():
    client = RecordingClient(reply=NotFound(404, "POST", BASE + "/backup/action-requested", ""))

    with pytest.raises(NotFound) as raised:
        _api.request_start(client, 148325)

    assert raised.value.msg.startswith("backup configuration 148325 not found")


def test_request_stop_posts_stop_manual_once():
    client = RecordingClient(reply=FakeReply("", status=204))

    assert _api.request_stop(client, 368785) is None
    assert client.calls == [("POST", "backup", "action-requested", {"Action": "StopManual", "Id": 368785}, False)]


def test_get_backup():
    client = RecordingClient({("backup", 368785): {"BackupId": 368785, "CurrentState": "Queued"}})

    assert _api.get_backup(client, 368785) == {"backup_id": 368785, "current_state": "Queued"}


def test_list_completed_backups_newest_first():
    completed = [
        {"BackupId": 1, "CompletedTime": "/Date(1358535352000)/"},
        {"BackupId": 3, "CompletedTime": "/Date(1358535999000)/"},
        {"BackupId": 2, "CompletedTime": "/Date(1358535400000)/"},
    ]
    client = RecordingClient({("backup", "completed", 158638): completed})

    assert [backup["backup_id"] for backup in _api.list_completed_backups(client, 158638)] == [3, 2, 1]


def test_get_report_is_none_until_it_exists():
    assert _api.get_report(RecordingClient(), 8444451) is None


def test_get_report():
    report = {"BackupId": 8444451, "State": "Completed", "Duration": "00:00:01", "BytesSearched": "60 KB", "NumErrors": 0}
    client = RecordingClient({("backup", "report", 8444451): report})

    result = _api.get_report(client, 8444451)

    assert result["duration_seconds"] == 1
    assert result["bytes_searched"] == 60 * 1024
    assert client.calls == [("GET", "backup", "report", 8444451, dict)]


@pytest.mark.parametrize("agent_id, path", [(None, ("activity",)), (157512, ("system", "activity", 157512))])
def test_list_activity(agent_id, path):
    client = RecordingClient({path: [{"ID": 2436516, "Type": "Backup", "ParentId": 29831, "CurrentState": "Completed"}]})

    assert _api.list_activity(client, agent_id) == [
        {"id": 2436516, "type": "Backup", "parent_id": 29831, "current_state": "Completed"}]


def test_list_activity_newest_first_the_id_breaking_ties():
    items = [
        {"ID": 1, "TimeOfActivity": "/Date(1358535352000)/"},
        {"ID": 3, "TimeOfActivity": "/Date(1358535999000)/"},
        {"ID": 5, "TimeOfActivity": "/Date(1358535352000)/"},
        {"ID": 2, "TimeOfActivity": "/Date(1358535400000)/"},
    ]
    client = RecordingClient({("activity",): items})

    assert [item["id"] for item in _api.list_activity(client)] == [3, 2, 5, 1]


@pytest.mark.parametrize("field, value", [
    ("BytesSearched", "1,234 KB"), ("BytesSearched", "N/A"), ("BytesSearched", "3 PB"),
    ("Duration", ""), ("NumErrors", "N/A"), ("FilesSearched", "1,200"),
])
def test_a_value_that_cannot_be_read_is_an_invalid_response_naming_the_url_and_field(field, value):
    client = RecordingClient({("backup", "report", 42): {"BackupId": 42, field: value}})

    with pytest.raises(InvalidResponse) as raised:
        _api.get_report(client, 42)

    assert raised.value.msg.startswith("GET %s/backup/report/42 returned a value that cannot be read: %s: " % (BASE, field))
    assert repr(value) in raised.value.msg
    assert (raised.value.url, raised.value.status) == (BASE + "/backup/report/42", 200)
