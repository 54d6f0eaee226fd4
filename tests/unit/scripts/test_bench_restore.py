"""The restore benchmark's pure helpers (scripts/bench_restore.py): its scenario, record,
playbook and environment, and the figures and checks it reads from the simulator's log and state.

bench_restore.py imports bench_fleet (scripts/ is on sys.path when it runs as a script); here
both are loaded from their files, bench_fleet first under its own name.
"""
import argparse
import importlib.util
import json
import os
import sys

import pytest
import yaml
from cloudbackup_simulator.scenario import load_scenario

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _load(name):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(REPO_ROOT, "scripts", name + ".py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_load("bench_fleet")
bench = _load("bench_restore")


def arguments(**changes):
    values = dict(hosts=4, forks=50, speed=1.0, min_duration=60.0, max_duration=300.0, wake_delay=10.0,
                  awake_window=70.0, poll_interval=15, progress_interval=50, json=None, keep=False)
    return argparse.Namespace(**dict(values, **changes))


def restore(restore_id, backup_id, state_id=3):
    """A restore of the simulator's state, with the fields the helpers read."""
    return {"RestoreId": restore_id, "BackupId": backup_id, "RestoreStateId": state_id}


def result(backup_id, restore_id, state="Completed", failure=None):
    return {"backup_id": backup_id, "restore_id": restore_id, "state": state, "failure": failure}


def test_every_server_has_one_restorable_backup_of_its_own_and_the_simulator_takes_the_scenario():
    scenario = bench.build_scenario(arguments())

    backups = bench.host_backups(scenario)
    loaded = load_scenario(scenario)

    assert list(backups) == ["srv001", "srv002", "srv003", "srv004"]
    assert len(set(backups.values())) == 4
    history = [configuration.history for agent in loaded.tenants[0].agents for configuration in agent.configurations]
    assert [[(entry.id, entry.outcome) for entry in one] for one in history] == [
        [(backup, "Completed")] for backup in backups.values()]


def test_the_restores_last_from_the_shortest_to_the_longest_spread_over_the_fleet():
    scenario = bench.build_scenario(arguments(min_duration=60, max_duration=300))
    agents = scenario["tenants"][0]["agents"]

    totals = [sum(agent["configurations"][0]["restore"]["durations"].values()) for agent in agents]

    assert totals == [60, 140, 220, 300]
    assert bench.longest_restore(scenario) == 300
    assert bench.longest_restore(bench.build_scenario(arguments(hosts=1, max_duration=90))) == 90


def test_the_record_is_the_one_pre_upgrade_backup_writes(tmp_path):
    path = bench.write_record(tmp_path / "record.json", {"srv001": 700001, "srv002": 700002})

    assert json.loads(path.read_text()) == {"pre_upgrade_backups": {"srv001": 700001, "srv002": 700002}}


def test_the_playbook_imports_the_collections_restore_then_collects_every_restore_result(tmp_path):
    path = bench.write_restore_playbook(tmp_path / "restore.yml", tmp_path / "results.json")

    plays = yaml.safe_load(path.read_text())

    assert plays[0] == {"import_playbook": "rackspace.cloudbackup.restore"}
    assert plays[1]["hosts"] == "localhost"
    copy = plays[1]["tasks"][0]["ansible.builtin.copy"]
    assert copy["dest"] == str(tmp_path / "results.json")
    assert "restore_result" in copy["content"]


def test_the_inventory_gives_the_restore_settings(tmp_path):
    path = bench.write_inventory(tmp_path / "inventory.yml", ["srv001", "srv002"],
                                 arguments(poll_interval=5, progress_interval=20))

    inventory = yaml.safe_load(path.read_text())["all"]

    assert list(inventory["hosts"]) == ["srv001", "srv002"]
    assert inventory["vars"]["ansible_connection"] == "local"
    assert inventory["vars"]["ansible_python_interpreter"] == sys.executable
    assert {key: inventory["vars"][key] for key in ("restore_poll_interval", "restore_progress_interval",
                                                    "restore_timeout")} == {
        "restore_poll_interval": 5, "restore_progress_interval": 20, "restore_timeout": 1800}


def test_the_run_logs_in_with_the_simulators_credentials_and_no_other_rax_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("RAX_PASSWORD", "someone-elses")
    monkeypatch.setenv("RAX_USERNAME", "someone-else")
    info = {"username": "bench", "api_key": "bench-key", "identity_url": "http://127.0.0.1:1/v2.0/"}

    env = bench.restore_environment(tmp_path, info)

    assert {key: value for key, value in env.items() if key.startswith("RAX_")} == {
        "RAX_USERNAME": "bench", "RAX_API_KEY": "bench-key", "RAX_IDENTITY_URL": "http://127.0.0.1:1/v2.0/",
        "RAX_REGION": "DFW"}


def test_restores_and_duplicates_are_counted_from_the_state():
    state = {"restores": [restore(500001, 700001), restore(500002, 700002, state_id=2), restore(500003, 700002, 0)]}
    log = [{"route": "identity.tokens", "status": 200}, {"route": "agent.wake", "status": 200},
           {"route": "restore.start", "status": 403}, {"route": "restore.start", "status": 200}]

    figures = bench.api_figures(log, state, hosts=2)

    assert (figures["restores_created"], figures["duplicates"], figures["restores_completed"]) == (3, 1, 1)
    assert (figures["requests"], figures["requests_per_host"], figures["requests_not_2xx"]) == (4, 2.0, 1)
    assert (figures["logins"], figures["wakes"]) == (1, 1)
    assert figures["routes"] == {"agent.wake": 1, "identity.tokens": 1, "restore.start": 2}


@pytest.mark.parametrize("given, problem", [
    (result(700001, 500001), None),
    (None, "no restore_result"),
    (result(700001, 500001, state="Failed"), "state Failed"),
    (result(700001, 500001, failure="it broke"), "failure it broke"),
    (result(700009, 500001), "backup_id 700009, the recorded one is 700001"),
    (result(700001, 500007), "restore_id 500007, the simulator's is 500001"),
])
def test_a_host_is_right_only_with_its_recorded_backup_and_the_simulators_restore_of_it(given, problem):
    state = {"restores": [restore(500002, 700001), restore(500001, 700001), restore(500003, 700002)]}

    wrong = bench.wrong_hosts({"srv001": given}, {"srv001": 700001}, state)

    assert wrong.get("srv001") == problem


def test_a_host_whose_backup_was_never_restored_is_wrong():
    wrong = bench.wrong_hosts({"srv001": result(700001, None)}, {"srv001": 700001}, {"restores": []})

    assert wrong == {"srv001": "the simulator created no restore of backup 700001"}


@pytest.mark.parametrize("created, duplicates, wrong, expected", [
    (3, 0, {}, True),
    (2, 0, {}, False),
    (4, 1, {}, False),
    (3, 0, {"srv002": "state Failed"}, False),
])
def test_it_passes_when_every_server_was_restored_once_and_no_host_is_wrong(created, duplicates, wrong, expected):
    figures = {"hosts": 3, "api": {"restores_created": created, "duplicates": duplicates}, "wrong_hosts": wrong}

    assert bench.passed(figures) is expected


def test_the_targets_are_the_wall_against_the_floor_the_requests_per_server_one_login_and_one_wake():
    api = {"requests_per_host": 2.5, "logins": 1, "wakes": 2}

    goal = bench.targets({"wall": 114.9}, {"wall": 100.0}, api)

    assert goal["wall"] == {"limit": pytest.approx(115.0), "met": True}
    assert bench.targets({"wall": 115.1}, {"wall": 100.0}, api)["wall"]["met"] is False
    assert goal["requests_per_host"]["met"] is True
    assert (goal["logins"]["met"], goal["wakes"]["met"]) == (True, False)


def test_the_report_has_one_row_per_route_and_the_checks(capsys):
    run = {"wall": 20.0, "cpu": 9.0, "self_cpu": 0.3, "rss_kib": 2048, "pss_kib": 1024, "rc": 0,
           "log": "/w/restore.log"}
    trivial = dict(run, wall=1.0, cpu=1.0)
    floor = {"wall": 13.0, "longest_restore": 12.0, "round_trip": 0.002, "wake_delay": 2.0}
    state = {"restores": [restore(500001, 700001), restore(500002, 700002)]}
    api = bench.api_figures([{"route": "restore.create", "status": 200}], state, hosts=2)
    figures = {"hosts": 2, "forks": 50, "speed": 1.0, "min_duration": 8.0, "max_duration": 12.0, "poll_interval": 1,
               "progress_interval": 3, "run": run, "trivial": trivial, "floor": floor, "api": api,
               "targets": bench.targets(run, floor, api), "wrong_hosts": {"srv002": "state Failed"}}

    bench.print_report(figures)
    out = capsys.readouterr().out

    assert "wall time" in out and "1.54x floor" in out
    assert "restore.create" in out
    assert "restores created / N" in out and "2 / 2" in out
    assert "wrong (1): state Failed: srv002" in out
