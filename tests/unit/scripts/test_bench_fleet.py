"""The fleet benchmark's pure helpers (scripts/bench_fleet.py): its command-line specs, the
slicing of the inventory, and the figures it reads from a request log.

The benchmark itself runs in tests/e2e/test_e2e_bench.py.
"""
import argparse
import importlib.util
import os
import re
from pathlib import Path

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_SPEC = importlib.util.spec_from_file_location("bench_fleet", os.path.join(REPO_ROOT, "scripts", "bench_fleet.py"))
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def entry(method="POST", route="backup.start", status=200, rate_limit=None, fault=None):
    """A request log entry with the fields the helpers read."""
    return {"method": method, "route": route, "status": status, "rate_limit": rate_limit, "fault": fault}


@pytest.mark.parametrize("spec, rule", [
    ("POST=5/s,100/min", {"method": "POST", "routes": None, "per_second": 5, "per_minute": 100, "status": 413}),
    ("post=5/s", {"method": "POST", "routes": None, "per_second": 5, "per_minute": None, "status": 413}),
    ("identity.tokens=1/s:429",
     {"method": None, "routes": ["identity.tokens"], "per_second": 1, "per_minute": None, "status": 429}),
    ("backup.*=20/min", {"method": None, "routes": ["backup.*"], "per_second": None, "per_minute": 20, "status": 413}),
])
def test_a_throttle_spec_is_one_rate_limits_rule_and_reads_back_the_same(spec, rule):
    assert bench.parse_throttle(spec) == rule
    assert bench.parse_throttle(bench.throttle_text(rule)) == rule


@pytest.mark.parametrize("spec", ["POST", "POST=", "=5/s", "POST=5/h", "POST=0/s", "POST=5/s:500", "backups=5/s"])
def test_a_bad_throttle_spec_is_refused_with_the_spec_in_the_message(spec):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(repr(spec))):
        bench.parse_throttle(spec)


def test_a_fault_rate_spec_gives_every_rate_of_random_faults():
    assert bench.parse_fault_rates("503=0.02,processed_500=0.005,drop=0.005") == {
        "status_503": 0.02, "processed_500": 0.005, "drop": 0.005, "processed_drop": 0.0}
    assert bench.parse_fault_rates("status_503=1")["status_503"] == 1.0


@pytest.mark.parametrize("spec", ["500=0.1", "503=x", "503=1.5", "503=-0.1", "503=0.6,drop=0.6"])
def test_a_bad_fault_rate_spec_is_refused(spec):
    with pytest.raises(argparse.ArgumentTypeError):
        bench.parse_fault_rates(spec)


def test_the_conditions_are_the_two_simulator_settings_and_only_those_asked_for():
    none = argparse.Namespace(throttle=[], fault_rate=None, seed=0)
    both = argparse.Namespace(throttle=[bench.parse_throttle("POST=5/s")],
                              fault_rate=bench.parse_fault_rates("503=0.1"), seed=7)

    assert bench.simulator_conditions(none) == {}
    assert bench.simulator_conditions(both) == {
        "rate_limits": both.throttle,
        "random_faults": {"seed": 7, "status_503": 0.1, "processed_500": 0.0, "drop": 0.0, "processed_drop": 0.0}}


@pytest.mark.parametrize("count, spec, seconds", [
    (0, "POST=5/s", 0.0),
    (5, "POST=5/s", 0.0),
    (6, "POST=5/s", 1.0),
    (12, "POST=5/s", 2.0),
    (20, "POST=20/min", 0.0),
    (21, "POST=5/s,20/min", 60.0),  # 20 within 3 s, the 21st once the first leaves the minute
    (40, "POST=5/s,20/min", 63.0),  # the second twenty, again 5 a second, from 60 s on
])
def test_the_least_wall_is_that_of_sliding_windows(count, spec, seconds):
    assert bench.least_wall(count, bench.parse_throttle(spec)) == seconds


def test_the_throttle_minimum_counts_the_accepted_requests_each_rule_matches():
    rules = [bench.parse_throttle("POST=2/s"), bench.parse_throttle("identity.*=1/min")]
    log = ([entry() for count in range(5)]
           + [entry(status=413, rate_limit={"rule": 0}) for count in range(9)]  # refused: not counted
           + [entry(method="GET", route="backup.get") for count in range(30)]  # no rule matches
           + [entry(route=None) for count in range(1)]  # a POST outside both APIs: the POST rule's
           + [entry(route="identity.tokens") for count in range(2)])

    assert bench.throttle_minimum(rules[:1], log) == 3.0  # 8 POSTs at 2/s
    assert bench.throttle_minimum(rules, log) == 60.0  # 2 logins at 1/min
    assert bench.throttle_minimum([], log) == 0.0
    assert sum(map(bench.is_refused, log)) == 9


def test_faults_met_are_counted_by_the_name_of_their_rate():
    log = [entry(fault={"status": 503, "random": True}), entry(fault={"status": 503, "random": True}),
           entry(fault={"status": 500, "apply": True, "random": True}), entry(status=None, fault={"drop": True}),
           entry(status=None, fault={"drop": True, "apply": True, "random": True}), entry()]

    assert bench.fault_counts(log) == {"drop": 1, "processed_500": 1, "processed_drop": 1, "status_503": 2}


def test_backups_are_counted_from_the_state_so_a_start_whose_answer_was_lost_counts():
    state = {"backups": [{"BackupConfigurationId": 600001}, {"BackupConfigurationId": 600002},
                         {"BackupConfigurationId": 600002}]}

    assert bench.backups_per_configuration(state) == {600001: 1, 600002: 2}


def test_slice_i_holds_every_kth_host_of_the_name_sorted_inventory():
    configurations = {"srv%03d" % index: 600000 + index for index in (7, 3, 1, 5, 2, 6, 4)}

    slices = bench.slice_hosts(configurations, 3)

    assert [list(one) for one in slices] == [["srv001", "srv004", "srv007"], ["srv002", "srv005"], ["srv003", "srv006"]]
    assert slices[1]["srv005"] == 600005
    assert bench.slice_hosts(configurations, 1) == [dict(sorted(configurations.items()))]


def test_files_are_numbered_per_slice_only_when_there_are_several():
    work = Path("/w")

    assert bench.slice_path(work, "role.log", 0, 1) == Path("/w/role.log")
    assert bench.slice_path(work, "results-reference.json", 1, 3) == Path("/w/results-reference-2.json")
