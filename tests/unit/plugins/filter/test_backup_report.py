"""Tests of playbooks/backup_report.yml's filters."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.filter.backup_report import (
    age_text,
    backup_report_entries,
    backup_report_problems,
    backup_report_rows,
    backup_report_selection,
    backup_report_table,
)

CONFIGURATIONS = [
    dict(backup_configuration_id=1, backup_configuration_name="web files", machine_agent_id=10, machine_name="web1"),
    dict(backup_configuration_id=2, backup_configuration_name="db dump", machine_agent_id=20, machine_name="db1"),
    dict(backup_configuration_id=3, backup_configuration_name="db files", machine_agent_id=20, machine_name="db1"),
]
AGENTS = [dict(machine_agent_id=10, machine_name="WEB1", host_server_id="uuid-web"),
          dict(machine_agent_id=20, machine_name="db1", host_server_id="uuid-db")]
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize("hosts, hostvars, ids", [
    (None, None, [1, 2, 3]),
    (["web1"], {"web1": {}}, [1]),                                        # by name, without case
    (["x"], {"x": {"run_backup_agent_id": 20}}, [2, 3]),
    (["x"], {"x": {"run_backup_server_id": "uuid-web"}}, [1]),
    (["x"], {"x": {"run_backup_machine_name": "db1"}}, [2, 3]),
    (["nobody"], {"nobody": {}}, []),
])
def test_the_selection_finds_each_hosts_agent_as_the_role_does(hosts, hostvars, ids):
    selected = backup_report_selection(CONFIGURATIONS, AGENTS, hosts, hostvars)
    assert [configuration["backup_configuration_id"] for configuration in selected] == ids


def test_entries_ask_for_each_configurations_latest_backup():
    assert backup_report_entries(CONFIGURATIONS[:1], allow_errors=True) == [dict(
        configuration_id=1, configuration_name="web files", name="web1",
        acceptable_states=["Completed", "CompletedWithErrors"])]


def reported(configuration_id, state, healthy, completed="2027-01-14T08:00:00Z", backup_id=7):
    report = dict(state=state, completed_time=completed, num_errors=0 if healthy else 2, files_backed_up=5,
                  bytes_backed_up=1024, bytes_backed_up_text="1 KB")
    return dict(configuration_id=configuration_id, configuration_name="c%d" % configuration_id, backup_id=backup_id,
                result=dict(report=report, healthy=healthy, summary="..."))


def test_rows_judge_age_and_health():
    entries = [reported(1, "Completed", True), reported(2, "CompletedWithErrors", False),
               dict(configuration_id=3, configuration_name="c3", backup_id=None, result=dict(report=None))]

    strict = backup_report_rows(entries, CONFIGURATIONS, max_age=3600, now=NOW)
    lenient = backup_report_rows(entries, CONFIGURATIONS, max_age=2 * 86400, allow_errors=True, now=NOW)

    assert [row["problems"] for row in strict] == [["older than 3600 s"], ["older than 3600 s", "not healthy"],
                                                   ["no backup report"]]
    assert [row["problems"] for row in lenient] == [[], [], ["no backup report"]]
    assert strict[0]["age_seconds"] == 86400 and strict[0]["machine_name"] == "web1"
    assert backup_report_problems(lenient) == ["c3: no backup report"]


def test_the_table():
    rows = backup_report_rows([reported(1, "Completed", True)], CONFIGURATIONS, max_age=2 * 86400, now=NOW)

    lines = backup_report_table(rows)

    assert lines[0].split() == ["server", "configuration", "backup", "state", "age", "size", "errors", "health"]
    assert lines[1].split() == ["web1", "c1", "7", "Completed", "1d00h", "1", "KB", "0", "ok"]
    assert lines[2] == "1 configuration(s), 0 with a problem"


@pytest.mark.parametrize("seconds, text", [(None, "-"), (59, "0m59s"), (3600, "1h00m"), (3900, "1h05m"),
                                           (90000, "1d01h")])
def test_age_text(seconds, text):
    assert age_text(seconds) == text
