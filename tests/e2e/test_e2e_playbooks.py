"""End-to-end tests of the collection's playbooks against the simulator.

- The main job, exactly as `make demo` runs it (its own simulator, demo scenario, x10).
- pre_upgrade_backup.yml: servers whose backup fails are stopped before the upgrade
  steps, the others are upgraded; the upgrade steps can be replaced or skipped.
- backup_report.yml: table, JSON file, failure on old or unhealthy backups.
"""
import json
import os
import re
import subprocess
import sys
import time
from typing import Any, Dict, List

import pytest
import yaml
from collection_under_test import COLLECTIONS_PATH, INSTALLED, PLAYBOOKS

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(E2E_DIR))
BIN = os.path.dirname(sys.executable)

PRE_UPGRADE = "- import_playbook: %s\n" % os.path.join(PLAYBOOKS, "pre_upgrade_backup.yml")
BACKUP_REPORT = "- import_playbook: %s\n" % os.path.join(PLAYBOOKS, "backup_report.yml")
RUN_BACKUP = """
- name: Back up the servers
  hosts: servers
  gather_facts: false
  roles:
    - rackspace.cloudbackup.run_backup
"""
FAST = dict(run_backup_poll_interval=1, run_backup_progress_interval=2)
TABLE_TASK = "rackspace.cloudbackup.run_backup : Show the backups of every server"


@pytest.fixture
def servers(tmp_path):
    """Write an inventory of servers (group `servers`) and return the -i arguments."""

    def write(hosts: Dict[str, Dict[str, Any]]) -> List[str]:
        group_vars = dict(FAST, ansible_connection="local", ansible_python_interpreter=sys.executable)
        path = tmp_path / "servers.yml"
        path.write_text(yaml.safe_dump({"servers": {"hosts": hosts, "vars": group_vars}}))
        return ["-i", str(path)]

    return write


def debug_lines(run, task: str, host: str) -> List[str]:
    return run.result(task, host)["msg"]


def hosts_that_ran(run, task: str) -> List[str]:
    return sorted(entry["host"] for entry in run.results if entry["task"] == task and entry["status"] == "ok")


# --- the main job --------------------------------------------------------------------------

def test_the_demo_backs_up_three_servers_and_accepts_the_database_errors(tmp_path):
    """`make demo`, minus make: the demo inventory and playbook against a demo simulator at x10."""
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH,
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_NOCOLOR="1",
    )
    command = [
        sys.executable, os.path.join(REPO_ROOT, "scripts", "with_simulator.py"), "--scenario", "demo", "--speed", "10",
        "--", os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(PLAYBOOKS, "inventory", "demo.yml"),
        os.path.join(PLAYBOOKS, "pre_upgrade_backup.yml"),
    ]
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=str(tmp_path) if INSTALLED else REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)
    took = time.monotonic() - started
    output = done.stdout + done.stderr

    assert done.returncode == 0, output
    assert took < 60, "the demo took %.0f s" % took
    table = re.search(r'"server +backup +outcome.*?\]', output, re.DOTALL).group(0)
    assert re.search(r'"web1 +\d+ +started +Completed .* ok"', table)
    assert re.search(r'"db1 +\d+ +started +CompletedWithErrors +41 +512.6 MB +2 .* ok, 2 error\(s\) accepted"', table)
    assert re.search(r'"files1 +\d+ +started +Completed .* ok"', table)
    # db1's report is shown with its two locked files.
    assert "db1: db1 database dump (backup" in output
    assert "error: /var/lib/mysql/ibdata1: The process cannot access the file" in output
    assert "error: /var/lib/mysql/ib_logfile0: The process cannot access the file" in output
    # One progress line for the fleet per chunk: files1's long upload shows before it completes.
    assert re.search(r"\(item=backups: \d+ ended[^)]*\)?, [12] running; longest: files1 InProgress \d+s\)", output)
    assert re.search(r"\(item=backups: 3 ended \(2 ok, 1 with accepted errors\), 0 running\)", output)
    for host in ("web1", "db1", "files1"):
        assert "%s: backup" % host in output and "the upgrade steps would run now" in output
    assert re.search(r"^db1 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0", output, re.MULTILINE)


# --- pre_upgrade_backup.yml ------------------------------------------------------------------

FAILING_AND_GOOD = {
    "alpha": {"run_backup_configuration_name": "always fails"},
    "beta": {"run_backup_configuration_name": "nightly"},
    "racy": {},
}


def test_pre_upgrade_stops_the_servers_whose_backup_failed(run_playbook, simulator, servers, tmp_path):
    upgrade = tmp_path / "my_upgrade.yml"
    upgrade.write_text(
        "- name: My upgrade\n"
        "  ansible.builtin.debug:\n"
        "    msg: \"upgrading {{ inventory_hostname }} after backup {{ run_backup_result.backup_id }}\"\n"
    )

    run = run_playbook(PRE_UPGRADE, *servers(FAILING_AND_GOOD), "-e", "upgrade_tasks_file=%s" % upgrade)

    assert run.rc == 2, run.output
    table = debug_lines(run, TABLE_TASK, "alpha")
    assert re.match(r"alpha +\d+ +started +Failed .* STOP$", table[1])
    assert re.match(r"beta +\d+ +started +Completed .* ok$", table[2])
    assert re.match(r"racy +\d+ +started +Completed .* ok$", table[3])
    assert table[4].startswith("alpha: ") and "gate failed" in table[4]
    assert run.status("rackspace.cloudbackup.run_backup : Report this server's backup", "alpha") == "failed"
    assert hosts_that_ran(run, "My upgrade") == ["beta", "racy"]
    assert "upgrading beta after backup" in run.output


def test_pre_upgrade_runs_the_placeholder_and_can_skip_the_upgrade(run_playbook, simulator, servers):
    inventory = servers({"beta": {"run_backup_configuration_name": "nightly"}})
    upgrade_file = "upgrade_tasks_file=%s" % os.path.join(PLAYBOOKS, "tasks", "upgrade.yml")

    run = run_playbook(PRE_UPGRADE, *inventory, "-e", upgrade_file)

    assert run.rc == 0, run.output
    assert hosts_that_ran(run, "Upgrade this server (placeholder)") == ["beta"]

    skipped = run_playbook(PRE_UPGRADE, *inventory, "-e", upgrade_file, "--skip-tags", "upgrade")

    assert skipped.rc == 0, skipped.output
    assert hosts_that_ran(skipped, "Upgrade this server (placeholder)") == []
    assert len(simulator.requests(route="backup.start")) == 2


def test_pre_upgrade_in_check_mode(run_playbook, simulator, servers):
    run = run_playbook(PRE_UPGRADE, *servers({"beta": {"run_backup_configuration_name": "nightly"}}),
                       "-e", "upgrade_tasks_file=%s" % os.path.join(PLAYBOOKS, "tasks", "upgrade.yml"), "--check")

    assert run.rc == 0, run.output
    table = debug_lines(run, TABLE_TASK, "beta")
    assert re.match(r"beta +- +started +- .* check mode: would start a backup$", table[1])
    assert [entry["route"] for entry in simulator.requests() if entry["method"] != "GET"] == ["identity.tokens"]


# --- backup_report.yml -----------------------------------------------------------------------

def read_rows(path) -> Dict[int, Dict[str, Any]]:
    data = json.loads(path.read_text())
    return {row["configuration_id"]: row for row in data["backups"]}


def test_backup_report_of_the_account(run_playbook, simulator, servers, tmp_path):
    # Give "always fails" a latest backup that failed.
    failed = run_playbook(RUN_BACKUP, *servers({"alpha": {"run_backup_configuration_name": "always fails"}}))
    assert failed.rc != 0
    report = tmp_path / "backups.json"

    run = run_playbook(BACKUP_REPORT, "-e", "backup_report_json=%s" % report, "-e", "backup_report_max_age=172800")

    assert run.rc != 0
    rows = read_rows(report)
    # Live configurations of the account only: not the deleted one, not another tenant's.
    assert sorted(rows) == [400001, 400002, 400003, 400005, 400006, 400007, 400010, 400011]
    nightly = rows[400001]
    assert (nightly["backup_id"], nightly["state"], nightly["healthy"], nightly["problems"]) == (100001, "Completed", True, [])
    assert 86000 < nightly["age_seconds"] < 87000
    assert nightly["bytes_backed_up_text"] == "178.1 MB" and 178 * 2**20 < nightly["bytes_backed_up"] < 179 * 2**20
    assert rows[400002]["state"] == "Failed" and rows[400002]["problems"] == ["not healthy"]
    assert rows[400007]["backup_id"] is None and rows[400007]["problems"] == ["no backup report"]
    table = debug_lines(run, "Show the latest backups", "localhost")
    assert table[0].split() == ["server", "configuration", "backup", "state", "age", "size", "errors", "health"]
    assert re.match(r"alpha +nightly +100001 +Completed +1d00h +178.1 MB +0 +ok$", table[1 + sorted(rows).index(400001)])
    assert table[-1] == "8 configuration(s), 7 with a problem"
    assert "always fails: not healthy" in run.result("Fail when a backup is too old or not healthy", "localhost")["msg"]
    # Read-only.
    assert [entry["route"] for entry in simulator.requests() if entry["method"] != "GET"].count("backup.start") == 1


def test_backup_report_of_targeted_servers(run_playbook, simulator, servers, tmp_path):
    inventory = servers({"beta": {"run_backup_configuration_name": "nightly"}})
    assert run_playbook(RUN_BACKUP, *inventory).rc == 0
    report = tmp_path / "backups.json"

    run = run_playbook(BACKUP_REPORT, *inventory, "-e", "backup_report_hosts=servers",
                       "-e", "backup_report_json=%s" % report)

    assert run.rc == 0, run.output
    rows = read_rows(report)
    assert list(rows) == [400003]
    assert rows[400003]["state"] == "Completed" and rows[400003]["problems"] == []
    assert "All 1 latest backups are recent and healthy." in run.output

    time.sleep(2)
    too_old = run_playbook(BACKUP_REPORT, *inventory, "-e", "backup_report_hosts=servers",
                           "-e", "backup_report_json=%s" % report, "-e", "backup_report_max_age=1")

    assert too_old.rc != 0
    assert read_rows(report)[400003]["problems"] == ["older than 1 s"]


# --- configure_backups.yml -------------------------------------------------------------------

CONFIGURE = "- import_playbook: %s\n" % os.path.join(PLAYBOOKS, "configure_backups.yml")
CONFIGURATION_WRITES = ("configuration.create", "configuration.update", "configuration.enable", "configuration.delete")


def declared_hosts():
    """Five servers: alpha and beta declare a configuration, ghost one on an agent that is not the account's,
    typo one without the zone of its start time, and bare none (it is skipped)."""
    hosts = {name: {"backup_configuration": dict(agent_id=agent, name="%s files" % name, include=["/srv", "/etc"],
                                                 schedule=dict(frequency="daily", time="02:30", time_zone="UTC"),
                                                 retention_days=30)}
             for name, agent in (("ghost", 999999), ("typo", 300002), ("alpha", 300001), ("beta", 300002))}
    del hosts["typo"]["backup_configuration"]["schedule"]["time_zone"]
    return dict(hosts, bare={})


def writes_of(simulator):
    """The configuration writes the simulator carried out."""
    return [entry["route"] for entry in simulator.requests()
            if entry["route"] in CONFIGURATION_WRITES and (entry["status"] or 0) < 300]


def test_configure_backups_declares_each_server_once_and_then_writes_nothing(run_playbook, simulator, servers):
    inventory = servers(declared_hosts())
    check = run_playbook(CONFIGURE, *inventory, "--check")
    assert writes_of(simulator) == [] and check.result(SHOW_CONFIGURATION, "alpha")["changed"]

    first = run_playbook(CONFIGURE, *inventory)

    # ghost's agent is not the account's, typo's options are bad: those hosts fail, and each of the
    # others (after them in the play's order) shows its own result.
    assert first.rc != 0
    assert [first.result(SHOW_CONFIGURATION, host)["changed"] for host in ("alpha", "beta")] == [True, True]
    assert first.result(SHOW_CONFIGURATION, "alpha")["msg"] == "created"
    assert first.status(SHOW_CONFIGURATION, "ghost") == "failed"
    assert "999999" in first.result(SHOW_CONFIGURATION, "ghost")["msg"]
    assert first.status(SHOW_CONFIGURATION, "typo") == "failed"
    assert "schedule.time_zone is required" in first.result(SHOW_CONFIGURATION, "typo")["msg"]
    assert first.status(SHOW_CONFIGURATION, "bare") == "skipped"
    assert writes_of(simulator) == ["configuration.create"] * 2
    simulator.clear_requests()

    fine = {name: host for name, host in declared_hosts().items() if name not in ("ghost", "typo")}
    again = run_playbook(CONFIGURE, *servers(fine))

    assert again.rc == 0 and writes_of(simulator) == []
    assert [again.result(SHOW_CONFIGURATION, host)["changed"] for host in ("alpha", "beta")] == [False, False]
    assert [entry["route"] for entry in simulator.requests()].count("configuration.list") == 1
    held = [config for config in simulator.state()["configurations"] if config["BackupConfigurationName"] == "alpha files"]
    assert len(held) == 1 and held[0]["VersionRetention"] == 30

    # The run_backup role finds the declared configuration by its name.
    backup = run_playbook(RUN_BACKUP, *servers({"alpha": {"run_backup_configuration_name": "alpha files"}}))
    assert backup.rc == 0, backup.output
    assert [run["BackupConfigurationId"] for run in simulator.state()["backups"]
            if run["BackupConfigurationId"] == held[0]["BackupConfigurationId"]] == [held[0]["BackupConfigurationId"]]


SHOW_CONFIGURATION = "Show what became of each server's configuration"
