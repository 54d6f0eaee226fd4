"""Fleet benchmark: the run_backup role over N simulated servers, against its floor.

    make bench N=200 [SLICES=5]   # or: python scripts/bench_fleet.py --hosts 200 [--slices 5] [--reference]
                                  #     [--throttle POST=5/s,100/min] [--fault-rate 503=0.02 --seed 1] [--json out.json]

What it measures, in one invocation:

- The role run. An in-process simulator holds one account with N sleeping agents
  srv001..srvNNN, each with one manual configuration whose backup (start_requested 1 s +
  queued 2 s + preparing 2 s + in_progress) lasts between --min-duration and
  --max-duration simulated seconds, spread evenly over the fleet. ansible-playbook
  (-f FORKS) runs the role rackspace.cloudbackup.run_backup on every host, with the
  credentials only in play-level module_defaults (no RAX_* variables), then a second play
  writes every host's run_backup_result to a JSON file. (--credentials role-vars gives
  them as the role's run_backup_* variables instead, for a role whose own block-level
  module_defaults replace the play's: Ansible merges module_defaults per group key.)
- Slices (--slices K, default 1), as an AWX sliced job runs: the name-sorted hosts are
  dealt into K inventory files, slice i holding hosts[i::K] (i = 0..K-1), and K
  ansible-playbook processes, one per inventory, each with -f FORKS and its own results
  file, start at once against the one simulator and account. K = 1 is one process over
  one inventory of every host.
- The floor: the longest backup (real seconds: its simulated duration / --speed) + the
  wall time of one trivial debug task run the same way (the same K inventories, K
  processes at once, the same forks; so for K > 1 about that of the largest slice) + one
  API round trip (the median of 5 authenticated GETs of the account's activity, each on
  a new connection). No run can be faster; the wake-up delay comes on top and is shown apart.
- With --reference, a third column: the uri playbook, what a careful user writes by hand
  with ansible.builtin.uri and no collection. Once on localhost: log in, wake the agents,
  pause the cookbook's fixed 30 simulated seconds; then on every host: StartManual its
  configuration (host var bench_configuration_id), poll GET backup/{id} every
  --poll-interval seconds until a terminal state, set run_backup_result (backup_id, state,
  gate_passed); then the same collecting play. It runs after the role run against a second,
  fresh simulator with the same scenario, inventories, slices, forks, throttle and faults,
  and is measured the same way (--playbook-extra-vars does not apply to it). Off by
  default: it doubles the run time.

API conditions, on during each measured run (role and uri playbook; not during the
trivial task, which makes no request, nor the round trip) through the simulator's
settings (Simulator.configure):

- --throttle RULE (repeatable) sets rate_limits, one rule each: WHAT=LIMITS[:STATUS], WHAT
  a method (GET, POST, PUT, DELETE) or a route name or fnmatch pattern ("backup.*"),
  LIMITS N/s and/or N/min, STATUS 413 (default) or 429; e.g. POST=5/s,100/min or
  identity.tokens=1/s:429. Shown: requests refused (413 or 429; the request log names
  the rule that refused each); the throttle minimum, the least wall time in which the
  requests each rule matched and the API accepted (counted in the request log) could
  have been accepted under its limits, the largest over the rules (windows sliding over
  1 and 60 real seconds as the simulator's: n requests under one limit of L per W
  seconds need (ceil(n / L) - 1) x W); and whether wall <= minimum + 1.3 x (longest
  backup + 20 s).
- --fault-rate SPEC with --seed S (default 0) sets random_faults = {seed, status_503,
  processed_500, drop, processed_drop}, SPEC giving their rates, e.g. 503=0.02,drop=0.005
  (the simulator applies them on every Cloud Backup route, never Identity). Shown: the
  faults met (log entries the simulator marked, by kind), and whether wall <= 1.5 x floor.

For every ansible-playbook run: wall time (first start to last end, and each slice's);
CPU time (user + sys) of the ansible-playbook process trees, from
getrusage(RUSAGE_CHILDREN) around them (the simulator runs in this process and is not
counted); peak RSS and peak PSS, sampled every 0.5 s from /proc (VmRSS of
/proc/PID/status, Pss of /proc/PID/smaps_rollup, summed over every slice's
ansible-playbook process and its descendants; the largest sum is kept); and both per server
(divided by N).

From the simulator's request log and state: API requests (total, per host, per route;
refused ones included), logins and wake-ups (requests of identity.tokens and agent.wake;
the target is one each per slice), backups created (backups in the
simulator's final state, so a StartManual whose answer was lost counts too; must equal N),
duplicates (configurations with more than one backup), hosts whose run_backup_result is
wrong, and how long after each backup ended the play first asked about it (see
KNOWN_DEFINITION); for the uri playbook, from its own simulator. Exit status 0 when
backups created == N, no duplicates and no wrong host, in every column run; 1 otherwise.
Timings and targets never change the exit status.

The ansible-playbook output goes to log files in a temporary folder, removed at the end
unless --keep is given or the run failed; it also holds the simulator's request log and
final state (requests.json, state.json; requests-reference.json, state-reference.json).
With K > 1 slices, each slice's inventory, log, results file and playbook (but the one
trivial.yml) is numbered: inventory-1.yml, role-1.log, results-1.json, fleet-1.yml, ...
"""
import argparse
import contextlib
import fnmatch
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import requests
import yaml
from cloudbackup_simulator import ROUTE_NAMES, Simulator

REPO = Path(__file__).resolve().parent.parent
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
TENANT, USERNAME, API_KEY = "123456", "bench", "bench-key"
FIRST_AGENT_ID, FIRST_CONFIGURATION_ID = 500001, 600001
FIXED_PHASES = {"start_requested": 1, "queued": 2, "preparing": 2}  # in_progress = the rest
TERMINAL_STATES = {"Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed"}
SAMPLE_INTERVAL = 0.5
ROUND_TRIPS = 5
KNOWN_DEFINITION = (
    "end to known: from a backup's end (time of its terminal state) to the first later request "
    "that can tell the play so: GET activity (account-wide), or GET backup/{id} or backup/report/{id} "
    "of that backup"
)
BACKUP_ID_PATH = re.compile(r"/backup/(?:report/)?(\d+)(?:\.json)?/?$")
COOKBOOK_WAKE_PAUSE = 30  # simulated seconds the uri playbook pauses after the wake-up, as the cookbook does
REFERENCE_SPARE_POLLS = 4  # polls the uri playbook allows beyond the longest backup
THROTTLE_METHODS = ("GET", "POST", "PUT", "DELETE")
THROTTLE_LIMIT = re.compile(r"^(\d+)/(s|min)$")
THROTTLE_WINDOWS = {"per_second": 1, "per_minute": 60}  # rate_limits key -> its window, real seconds
THROTTLE_SLACK, THROTTLE_BACKUP_MARGIN = 1.3, 20  # target: wall <= minimum + 1.3 x (longest backup + 20 s)
FAULT_TARGET = 1.5  # target with random faults: wall <= 1.5 x floor
FAULT_RATES = {"503": "status_503", "status_503": "status_503", "processed_500": "processed_500",
               "drop": "drop", "processed_drop": "processed_drop"}  # --fault-rate names -> random_faults keys


# --- Command line ------------------------------------------------------------------------

def add_fleet_arguments(parser: argparse.ArgumentParser, job: str, poll_help: str, progress_help: str) -> None:
    """The fleet and timing arguments both benchmarks take; `job` (backup, restore) and the two
    role variables the intervals set are what their help texts differ in."""
    add = parser.add_argument
    add("--hosts", type=int, default=10, help="number of servers N (default 10)")
    add("--forks", type=int, default=50, help="ansible-playbook -f (default 50)")
    add("--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)")
    add("--min-duration", type=float, default=60, help="shortest %s, simulated seconds (default 60)" % job)
    add("--max-duration", type=float, default=300, help="longest %s, simulated seconds (default 300)" % job)
    add("--wake-delay", type=float, default=10, help="wake-up to Online, simulated seconds (default 10)")
    add("--awake-window", type=float, default=70, help="how long a wake-up lasts, simulated seconds (default 70)")
    add("--poll-interval", type=int, default=15, help=poll_help + " (default 15)")
    add("--progress-interval", type=int, default=50, help=progress_help + " (default 50)")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """The last arguments of both benchmarks: where the figures and the work folder go."""
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (inventory, playbooks, logs)")


def check_fleet_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit through parser.error when add_fleet_arguments' values cannot make a fleet."""
    minimum = sum(FIXED_PHASES.values())
    if args.hosts < 1:
        parser.error("--hosts must be at least 1")
    if not minimum < args.min_duration <= args.max_duration:
        parser.error("need %g < --min-duration <= --max-duration" % minimum)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_fleet_arguments(parser, "backup", "run_backup_poll_interval, and the uri playbook's poll delay",
                        "run_backup_progress_interval")
    add = parser.add_argument
    add("--slices", type=int, default=1, metavar="K",
        help="run as an AWX sliced job: K ansible-playbook processes at once, slice i over hosts[i::K] (default 1)")
    add("--throttle", action="append", default=[], type=parse_throttle, metavar="RULE",
        help="a rate_limits rule of the simulator (repeatable): WHAT=LIMITS[:STATUS], e.g. POST=5/s,100/min"
             " or identity.tokens=1/s:429 (WHAT: a method or a route pattern; STATUS 413 or 429)")
    add("--fault-rate", type=parse_fault_rates, metavar="SPEC",
        help="random_faults rates of the simulator, e.g. 503=0.02,processed_500=0.005,drop=0.005,processed_drop=0")
    add("--seed", type=int, default=0, help="seed of --fault-rate's random faults (default 0)")
    add("--credentials", choices=["module-defaults", "role-vars"], default="module-defaults",
        help="how the play gives the credentials: play-level module_defaults (default) or run_backup_* play vars")
    add("--playbook-extra-vars", action="append", default=[], metavar="VARS",
        help="passed as -e VARS to the role run (repeatable), e.g. run_backup_online_timeout=300")
    add("--reference", action="store_true",
        help="also run the hand-written ansible.builtin.uri playbook against a fresh simulator (doubles the run time)")
    add_output_arguments(parser)
    args = parser.parse_args()
    check_fleet_arguments(parser, args)
    if not 1 <= args.slices <= args.hosts:
        parser.error("--slices must be between 1 and --hosts")
    return args


def parse_throttle(spec: str) -> Dict[str, Any]:
    """'POST=5/s,100/min' or 'identity.tokens=1/s:429' -> one rule of the simulator's rate_limits."""
    what, rest = spec.split("=", 1) if "=" in spec else (spec, "")
    limits, status = rest.split(":", 1) if ":" in rest else (rest, "")
    if not what or not limits:
        raise argparse.ArgumentTypeError("%r: expected WHAT=LIMITS[:STATUS], e.g. POST=5/s,100/min" % spec)
    method = what.upper() if what.upper() in THROTTLE_METHODS else None
    if not method and not fnmatch.filter(ROUTE_NAMES, what):
        raise argparse.ArgumentTypeError("%r: %r is neither a method (%s) nor a route name or pattern such as backup.*"
                                         % (spec, what, ", ".join(THROTTLE_METHODS)))
    rule: Dict[str, Any] = {"method": method, "routes": None if method else [what],
                            "per_second": None, "per_minute": None, "status": 413}
    for limit in limits.split(","):
        match = THROTTLE_LIMIT.match(limit.strip())
        if not match or int(match.group(1)) < 1:
            raise argparse.ArgumentTypeError("%r: a limit is N/s or N/min with N >= 1, not %r" % (spec, limit))
        rule["per_second" if match.group(2) == "s" else "per_minute"] = int(match.group(1))
    if status:
        if status not in ("413", "429"):
            raise argparse.ArgumentTypeError("%r: the status is 413 or 429, not %r" % (spec, status))
        rule["status"] = int(status)
    return rule


def parse_fault_rates(spec: str) -> Dict[str, float]:
    """'503=0.02,drop=0.005' -> every rate of the simulator's random_faults (0 when not given)."""
    rates = dict.fromkeys(sorted(set(FAULT_RATES.values())), 0.0)
    for item in spec.split(","):
        name, value = item.strip().split("=", 1) if "=" in item else (item.strip(), "")
        if name not in FAULT_RATES:
            raise argparse.ArgumentTypeError("%r: unknown fault %r (known: %s)" % (spec, name, ", ".join(FAULT_RATES)))
        rates[FAULT_RATES[name]] = fault_rate(spec, name, value)
    if sum(rates.values()) > 1:
        raise argparse.ArgumentTypeError("%r: the rates add up to more than 1" % spec)
    return rates


def fault_rate(spec: str, name: str, value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not 0 <= rate <= 1:  # also false for nan
        raise argparse.ArgumentTypeError("%r: the rate of %s is a number from 0 to 1, not %r" % (spec, name, value))
    return rate


def throttle_text(rule: Dict[str, Any]) -> str:
    """A rate_limits rule written back as its --throttle RULE."""
    limits = ["%d/%s" % (rule[key], unit) for key, unit in (("per_second", "s"), ("per_minute", "min")) if rule.get(key)]
    return "%s=%s:%d" % (rule["method"] or ",".join(rule["routes"]), ",".join(limits), rule["status"])


def simulator_conditions(args: argparse.Namespace) -> Dict[str, Any]:
    """The simulator settings --throttle and --fault-rate ask for; empty without them."""
    conditions: Dict[str, Any] = {}
    if args.throttle:
        conditions["rate_limits"] = args.throttle
    if args.fault_rate:
        conditions["random_faults"] = dict(args.fault_rate, seed=args.seed)
    return conditions


# --- The scenario, the inventory and the playbooks -----------------------------------------

def host_name(index: int, count: int) -> str:
    return "srv%0*d" % (max(3, len(str(count))), index + 1)


def backup_durations(count: int, shortest: float, longest: float) -> List[float]:
    """Total backup times, evenly spread from shortest to longest."""
    if count == 1:
        return [longest]
    return [round(shortest + (longest - shortest) * i / (count - 1), 2) for i in range(count)]


def build_scenario(args: argparse.Namespace) -> Dict[str, Any]:
    agents = []
    for index, total in enumerate(backup_durations(args.hosts, args.min_duration, args.max_duration)):
        name = host_name(index, args.hosts)
        durations = dict(FIXED_PHASES, in_progress=round(total - sum(FIXED_PHASES.values()), 2))
        agents.append({
            "id": FIRST_AGENT_ID + index,
            "name": name,
            "server_id": "5e7e0000-0000-4000-8000-%012d" % (FIRST_AGENT_ID + index),
            "configurations": [{
                "id": FIRST_CONFIGURATION_ID + index,
                "name": "%s files" % name,
                "outcome": "Completed",
                "durations": durations,
            }],
        })
    return {
        "settings": {"wake_delay": args.wake_delay, "awake_window": args.awake_window},
        "tenants": [{
            "id": TENANT,
            "users": [{"username": USERNAME, "api_key": API_KEY, "roles": ["identity:user-admin"]}],
            "agents": agents,
        }],
    }


def host_configurations(scenario: Dict[str, Any]) -> Dict[str, int]:
    """Inventory host name -> the id of its only configuration."""
    agents = scenario["tenants"][0]["agents"]
    return {agent["name"]: agent["configurations"][0]["id"] for agent in agents}


def longest_backup(scenario: Dict[str, Any]) -> float:
    """Longest backup of the scenario, in simulated seconds."""
    agents = scenario["tenants"][0]["agents"]
    return max(sum(agent["configurations"][0]["durations"].values()) for agent in agents)


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000))
    return path


def write_inventory(path: Path, configurations: Dict[str, int], args: argparse.Namespace) -> Path:
    """Every host with bench_configuration_id, which only the uri playbook reads (the role finds it alone)."""
    return write_yaml(path, {"all": {
        "hosts": {host: {"bench_configuration_id": configuration} for host, configuration in configurations.items()},
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "run_backup_poll_interval": args.poll_interval,
            "run_backup_progress_interval": args.progress_interval,
            "run_backup_timeout": 1800,
        },
    }})


class Slice(NamedTuple):
    """One slice of the fleet: its inventory file and its hosts (name -> configuration id)."""
    inventory: Path
    configurations: Dict[str, int]


def slice_path(work: Path, name: str, index: int, count: int) -> Path:
    """work/name when there is one slice; numbered from 1 (role.log -> role-2.log) when there are several."""
    if count == 1:
        return work / name
    stem, dot, suffix = name.partition(".")
    return work / ("%s-%d%s%s" % (stem, index + 1, dot, suffix))


def slice_hosts(configurations: Dict[str, int], count: int) -> List[Dict[str, int]]:
    """Slice i holds hosts[i::count] of the name-sorted hosts, as AWX slices a job."""
    hosts = sorted(configurations)
    return [{host: configurations[host] for host in hosts[index::count]} for index in range(count)]


def write_slices(work: Path, configurations: Dict[str, int], args: argparse.Namespace) -> List[Slice]:
    """Each slice's own inventory file, as AWX gives each slice a pared-down inventory."""
    return [Slice(write_inventory(slice_path(work, "inventory.yml", index, args.slices), hosts, args), hosts)
            for index, hosts in enumerate(slice_hosts(configurations, args.slices))]


def backup_play(info: Dict[str, Any], how: str) -> Dict[str, Any]:
    """The play that runs the role, with the credentials given the way `how` says."""
    credentials = {"username": info["username"], "api_key": info["api_key"],
                   "identity_url": info["identity_url"], "region": "DFW"}
    play: Dict[str, Any] = {"name": "Back up the fleet", "hosts": "all", "gather_facts": False}
    if how == "role-vars":
        play["vars"] = {"run_backup_" + key: value for key, value in credentials.items()}
    else:
        play["module_defaults"] = {"group/rackspace.cloudbackup.cloudbackup": credentials}
    play["roles"] = ["rackspace.cloudbackup.run_backup"]
    return play


def collect_play(results_path: Path, variable: str) -> Dict[str, Any]:
    """One task on localhost that writes every host's `variable` (null when unset) to results_path."""
    results = ("{{ dict(groups['all'] | zip(groups['all'] | map('extract', hostvars)"
               " | map(attribute='%s', default=none))) | to_json }}" % variable)
    return {"name": "Collect every host's %s" % variable, "hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": "Write the results", "ansible.builtin.copy": {
                "dest": str(results_path), "content": results, "mode": "0644"}}]}


def write_role_playbook(path: Path, play: Dict[str, Any], results_path: Path) -> Path:
    """The backup play, then the collecting play."""
    return write_yaml(path, [play, collect_play(results_path, "run_backup_result")])


def reference_vars(info: Dict[str, Any]) -> Dict[str, Any]:
    """Play vars of the uri playbook: the endpoint is given, as a user would copy it from the catalog."""
    return {"bench_identity_url": info["identity_url"], "bench_endpoint": info["endpoint"],
            "bench_username": info["username"], "bench_api_key": info["api_key"]}


def login_play(info: Dict[str, Any], pause: int) -> Dict[str, Any]:
    """Once for the whole fleet: log in, wake every agent of the account, wait the cookbook's fixed delay."""
    login = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "{{ bench_username }}", "apiKey": "{{ bench_api_key }}"}}}
    tasks = [
        {"name": "Log in to Identity", "no_log": True, "register": "bench_login", "ansible.builtin.uri": {
            "url": "{{ bench_identity_url }}tokens", "method": "POST", "body_format": "json", "body": login,
            "headers": {"Content-Type": "application/json"}, "return_content": True}},
        {"name": "Wake the agents", "ansible.builtin.uri": {
            "url": "{{ bench_endpoint }}/user/wakeupagents", "method": "POST", "return_content": True,
            "headers": {"X-Auth-Token": "{{ bench_login.json.access.token.id }}"}}},
        {"name": "Give the agents time to come online", "ansible.builtin.pause": {"seconds": pause}},
    ]
    return {"name": "Log in and wake the agents", "hosts": "localhost", "gather_facts": False, "vars": reference_vars(info),
            "tasks": tasks}


def backup_uri_play(info: Dict[str, Any], delay: int, retries: int) -> Dict[str, Any]:
    """On every host: start its configuration, poll the backup to a terminal state, set run_backup_result.

    run_backup_result has the keys result_problem checks, so the wrong-host check is the role's.
    """
    auth = {"X-Auth-Token": "{{ hostvars['localhost'].bench_login.json.access.token.id }}"}
    state = "{{ bench_poll.json.CurrentState }}"
    return {"name": "Back up the fleet with uri", "hosts": "all", "gather_facts": False,
            "vars": dict(reference_vars(info), bench_terminal_states=sorted(TERMINAL_STATES)),
            "tasks": [
                {"name": "Start the backup", "register": "bench_start", "ansible.builtin.uri": {
                    "url": "{{ bench_endpoint }}/backup/action-requested", "method": "POST",
                    "headers": dict(auth, **{"Content-Type": "application/json"}),
                    "body_format": "json", "body": {"Action": "StartManual", "Id": "{{ bench_configuration_id }}"},
                    "return_content": True}},
                {"name": "Wait for the backup to end", "register": "bench_poll", "ansible.builtin.uri": {
                    "url": "{{ bench_endpoint }}/backup/{{ bench_start.content | int }}", "headers": auth,
                    "return_content": True},  # no body_format: with json, uri would send a "null" body
                 "until": "(bench_poll.json.CurrentState | default('')) in bench_terminal_states",
                 "delay": delay, "retries": retries},
                {"name": "Record the result", "ansible.builtin.set_fact": {"run_backup_result": {
                    "backup_id": "{{ bench_start.content | int }}", "state": state,
                    "gate_passed": "{{ bench_poll.json.CurrentState == 'Completed' }}"}}},
            ]}


def reference_timing(args: argparse.Namespace, longest: float) -> Dict[str, int]:
    """Real seconds of the uri playbook's wake pause and poll delay, and its number of polls.

    The cookbook's pause is in the API's (simulated) time, so it is divided by the speed like
    the backups (past the awake window the agents would be asleep again); at least 1 s, the
    least ansible.builtin.pause waits. The poll delay is the role's, for a fair comparison.
    """
    return {"wake_pause": max(1, round(COOKBOOK_WAKE_PAUSE / args.speed)), "poll_delay": args.poll_interval,
            "retries": math.ceil(longest / args.speed / args.poll_interval) + REFERENCE_SPARE_POLLS}


def write_reference_playbook(path: Path, info: Dict[str, Any], timing: Dict[str, int], results_path: Path) -> Path:
    """The uri playbook: login play, backup play, collecting play."""
    return write_yaml(path, [login_play(info, timing["wake_pause"]),
                             backup_uri_play(info, timing["poll_delay"], timing["retries"]),
                             collect_play(results_path, "run_backup_result")])


def write_trivial_playbook(path: Path) -> Path:
    return write_yaml(path, [{"name": "One trivial task", "hosts": "all", "gather_facts": False,
                              "tasks": [{"name": "Say ok", "ansible.builtin.debug": {"msg": "ok"}}]}])


# --- Running ansible-playbook and measuring it ---------------------------------------------

def ansible_environment(work: Path) -> Dict[str, str]:
    """This environment without RAX_* variables, with Ansible's files under `work`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAX_")}
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO / ".build" / "pytest-collections"))
    for name, folder in (("ANSIBLE_HOME", "ansible-home"), ("ANSIBLE_LOCAL_TEMP", "ansible-tmp"),
                         ("ANSIBLE_REMOTE_TEMP", "ansible-remote-tmp")):
        env[name] = str(work / folder)
        (work / folder).mkdir(exist_ok=True)
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def parent_pid(pid: int) -> Optional[int]:
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after state; comm may hold spaces


def process_trees(roots: List[int]) -> List[int]:
    """The pids `roots` and all their descendants."""
    children: Dict[Optional[int], List[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            ppid = parent_pid(int(entry.name))
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def kib_field(path: str, name: str) -> int:
    """A `Name:   1234 kB` field of a /proc file, 0 when absent or gone."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def memory_sample(roots: List[int]) -> Tuple[int, int]:
    """(RSS, PSS) in KiB summed over the process trees of `roots`."""
    pids = process_trees(roots)
    rss = sum(kib_field("/proc/%d/status" % pid, "VmRSS") for pid in pids)
    pss = sum(kib_field("/proc/%d/smaps_rollup" % pid, "Pss") for pid in pids)
    return rss, pss


def sample_peaks(processes: List[subprocess.Popen], peaks: Dict[str, int]) -> None:
    while any(process.poll() is None for process in processes):
        rss, pss = memory_sample([process.pid for process in processes])
        peaks["rss_kib"] = max(peaks["rss_kib"], rss)
        peaks["pss_kib"] = max(peaks["pss_kib"], pss)
        time.sleep(SAMPLE_INTERVAL)


def cpu_seconds(who: int) -> Tuple[float, float]:
    usage = resource.getrusage(who)
    return usage.ru_utime, usage.ru_stime


def start_logged(command: List[str], env: Dict[str, str], log_path: Path,
                 logs: contextlib.ExitStack) -> subprocess.Popen:
    """Start the command with its output in log_path (closed when `logs` closes)."""
    log = logs.enter_context(open(log_path, "w", encoding="utf-8"))
    log.write("$ %s\n\n" % " ".join(command))
    log.flush()
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=log_path.parent)


def wait_all(processes: List[subprocess.Popen], started: float) -> List[float]:
    """Wait for every process at once; each one's wall time since `started`."""
    walls = [0.0] * len(processes)

    def wait(index: int) -> None:
        processes[index].wait()
        walls[index] = time.monotonic() - started

    waiters = [threading.Thread(target=wait, args=(index,)) for index in range(len(processes))]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    return walls


def run_measured(commands: List[List[str]], env: Dict[str, str], log_paths: List[Path]) -> Dict[str, Any]:
    """Run the commands at once, each with its output in its log: exit code, wall, CPU and peak memory.

    wall runs from the first start to the last end; cpu and the peaks are summed over the
    commands; rc and log are those of the first command that failed, else the first's.
    self_cpu is this process's own CPU meanwhile (simulator and sampler), not part of cpu.
    """
    peaks = {"rss_kib": 0, "pss_kib": 0}
    with contextlib.ExitStack() as logs:
        before, self_before = cpu_seconds(resource.RUSAGE_CHILDREN), cpu_seconds(resource.RUSAGE_SELF)
        started = time.monotonic()
        processes = [start_logged(command, env, path, logs) for command, path in zip(commands, log_paths)]
        sampler = threading.Thread(target=sample_peaks, args=(processes, peaks), daemon=True)
        sampler.start()
        walls = wait_all(processes, started)
        after = cpu_seconds(resource.RUSAGE_CHILDREN)
        sampler.join()
        self_after = cpu_seconds(resource.RUSAGE_SELF)
    cpu_user, cpu_sys = after[0] - before[0], after[1] - before[1]
    slices = [{"wall": wall, "rc": process.returncode, "log": str(path)}
              for wall, process, path in zip(walls, processes, log_paths)]
    failed = next((one for one in slices if one["rc"] != 0), slices[0])
    return {"rc": failed["rc"], "wall": max(walls), "cpu": cpu_user + cpu_sys, "cpu_user": cpu_user, "cpu_sys": cpu_sys,
            "self_cpu": sum(self_after) - sum(self_before), "log": failed["log"], "slices": slices, **peaks}


def ansible_playbook(inventory: Path, playbook: Path, forks: int, extra_vars: List[str]) -> List[str]:
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-f", str(forks), str(playbook)]
    for extra in extra_vars:
        command += ["-e", extra]
    return command


def timed_get(url: str, headers: Dict[str, str]) -> float:
    started = time.monotonic()
    requests.get(url, headers=headers, timeout=30).raise_for_status()
    return time.monotonic() - started


def round_trip(info: Dict[str, Any]) -> float:
    """Median seconds of an authenticated GET of the account's activity (new connection each)."""
    login = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": info["username"], "apiKey": info["api_key"]}}}
    answer = requests.post(info["identity_url"].rstrip("/") + "/tokens", json=login, timeout=30)
    answer.raise_for_status()
    headers = {"X-Auth-Token": answer.json()["access"]["token"]["id"]}
    return statistics.median(timed_get(url, headers) for url in [info["endpoint"] + "/activity"] * ROUND_TRIPS)


# --- Reading the simulator's log and state ------------------------------------------------

def is_success(entry: Dict[str, Any]) -> bool:
    return entry["status"] is not None and 200 <= entry["status"] < 300


def route_counts(log: List[Dict[str, Any]]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for entry in log:
        route = entry["route"] or "(no route)"
        counts[route] = counts.get(route, 0) + 1
    return dict(sorted(counts.items()))


def backups_per_configuration(state: Dict[str, Any]) -> Dict[int, int]:
    """Configuration id -> number of backups the simulator created for it.

    From the state rather than the log's 2xx StartManual answers: a start whose answer a
    fault replaced (processed_500, processed_drop) created its backup all the same.
    """
    backups: Dict[int, int] = {}
    for backup in state["backups"]:
        configuration = backup["BackupConfigurationId"]
        backups[configuration] = backups.get(configuration, 0) + 1
    return backups


def is_refused(entry: Dict[str, Any]) -> bool:
    """Refused by a rate limit (answered 413 or 429): the log names the rule that refused it."""
    return entry.get("rate_limit") is not None


def rule_matches(rule: Dict[str, Any], entry: Dict[str, Any]) -> bool:
    """Whether a rate_limits rule counts this request (method, and route name or pattern)."""
    if rule.get("method") and entry["method"] != rule["method"]:
        return False
    routes = rule.get("routes")
    return routes is None or (entry["route"] is not None
                              and any(fnmatch.fnmatchcase(entry["route"], pattern) for pattern in routes))


def least_wall(count: int, rule: Dict[str, Any]) -> float:
    """Least seconds from the first to the last of `count` requests that a rule's limits accept.

    Sliding windows, as the simulator's: at most L accepted in any window of W seconds, so
    each request comes as early as the one before it and W after the L-th before it.
    With one limit that is (ceil(count / L) - 1) x W.
    """
    limits = [(rule[key], window) for key, window in THROTTLE_WINDOWS.items() if rule.get(key)]
    moments: List[float] = []
    for index in range(count):
        moments.append(max([moments[-1] if moments else 0.0]
                           + [moments[index - limit] + window for limit, window in limits if index >= limit]))
    return moments[-1] if moments else 0.0


def throttle_minimum(rules: List[Dict[str, Any]], log: List[Dict[str, Any]]) -> float:
    """Least wall time in which the requests each rule matched and the API accepted fit its limits."""
    accepted = [entry for entry in log if not is_refused(entry)]
    return max((least_wall(sum(1 for entry in accepted if rule_matches(rule, entry)), rule) for rule in rules),
               default=0.0)


def fault_counts(log: List[Dict[str, Any]]) -> Dict[str, int]:
    """Kind -> number of requests the simulator marked with a fault."""
    counts: Dict[str, int] = {}
    for entry in log:
        if entry["fault"]:
            kind = fault_kind(entry["fault"])
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def fault_kind(fault: Dict[str, Any]) -> str:
    """A log entry's `fault` by the name of its random_faults rate: status_503, processed_500, drop, processed_drop."""
    if fault.get("drop"):
        return "processed_drop" if fault.get("apply") else "drop"
    if fault.get("status"):
        return "%s_%d" % ("processed" if fault.get("apply") else "status", fault["status"])
    return ", ".join(sorted(key for key in fault if key != "random"))


def date_seconds(value: str) -> float:
    """'/Date(1796184020405)/' (or with escaped slashes) -> Unix seconds."""
    return int(re.search(r"-?\d+", value).group()) / 1000.0


def backups_by_configuration(state: Dict[str, Any]) -> Dict[int, Dict[str, Any]]:
    """Configuration id -> the first backup (lowest id) the simulator created for it."""
    first: Dict[int, Dict[str, Any]] = {}
    for backup in sorted(state["backups"], key=lambda b: b["BackupId"]):
        first.setdefault(backup["BackupConfigurationId"], backup)
    return first


def tells_about(entry: Dict[str, Any], backup_id: int) -> bool:
    """Whether this request could tell the play that backup backup_id ended."""
    if entry["route"] == "activity.user":
        return True
    if entry["route"] in ("backup.get", "backup.report"):
        match = BACKUP_ID_PATH.search(entry["path"])
        return bool(match) and int(match.group(1)) == backup_id
    return False


def end_to_known(state: Dict[str, Any], log: List[Dict[str, Any]], speed: float) -> Dict[int, Optional[float]]:
    """Backup id -> real seconds from its end to the first request that could tell the play.

    Only for ended backups; None when no such request came after the end. Computed in
    simulated time (the state's StateChangeTime, the log's sim_time) and divided by the
    speed: exact as long as nobody moved the simulator's clock.
    """
    delays: Dict[int, Optional[float]] = {}
    for backup in state["backups"]:
        if backup["CurrentState"] not in TERMINAL_STATES:
            continue
        ended = date_seconds(backup["StateChangeTime"])
        later = (e for e in log if e["sim_time"] >= ended and tells_about(e, backup["BackupId"]))
        known = next(later, None)
        delays[backup["BackupId"]] = None if known is None else (known["sim_time"] - ended) / speed
    return delays


def percentile(values: List[float], fraction: float) -> Optional[float]:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


# --- Checking the hosts' results ----------------------------------------------------------

def read_results(paths: List[Path]) -> Dict[str, Any]:
    """Every slice's results file, merged (a missing or broken one adds nothing)."""
    results: Dict[str, Any] = {}
    for path in paths:
        try:
            results.update(json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            pass
    return results


def completion_problem(result: Any, variable: str) -> Optional[str]:
    """Why a host's `variable` (run_backup_result, restore_result) is no completed job's, or None when it is."""
    if not isinstance(result, dict):
        return "no %s" % variable
    if result.get("state") != "Completed":
        return "state %s" % result.get("state")
    return None


def result_problem(result: Any, expected: Optional[Dict[str, Any]]) -> Optional[str]:
    """Why this host's run_backup_result is wrong, or None when it is right."""
    problem = completion_problem(result, "run_backup_result")
    if problem:
        return problem
    if result.get("gate_passed") is not True:
        return "gate_passed %s" % result.get("gate_passed")
    if expected is None:
        return "the simulator created no backup for its configuration"
    if result.get("backup_id") != expected["BackupId"]:
        return "backup_id %s, the simulator's is %s" % (result.get("backup_id"), expected["BackupId"])
    return None


def wrong_hosts(results: Dict[str, Any], configurations: Dict[str, int], state: Dict[str, Any]) -> Dict[str, str]:
    backups = backups_by_configuration(state)
    problems = {host: result_problem(results.get(host), backups.get(configuration))
                for host, configuration in configurations.items()}
    return {host: problem for host, problem in problems.items() if problem}


def api_figures(log: List[Dict[str, Any]], state: Dict[str, Any], args: argparse.Namespace) -> Dict[str, Any]:
    starts = backups_per_configuration(state)
    by_backup = end_to_known(state, log, args.speed)
    delays = [delay for delay in by_backup.values() if delay is not None]
    routes = route_counts(log)
    return {
        "requests": len(log),
        "requests_per_host": len(log) / args.hosts,
        "requests_not_2xx": sum(1 for entry in log if not is_success(entry)),
        "refused": sum(1 for entry in log if is_refused(entry)),
        "throttle_minimum": throttle_minimum(args.throttle, log),
        "faults": fault_counts(log),
        "routes": routes,
        "logins": routes.get("identity.tokens", 0),
        "wakes": routes.get("agent.wake", 0),
        "backups_created": sum(starts.values()),
        "duplicates": sum(1 for count in starts.values() if count > 1),
        "end_to_known_median": statistics.median(delays) if delays else None,
        "end_to_known_p95": percentile(delays, 0.95),
        "ended_never_known": len(by_backup) - len(delays),
        "end_to_known_by_backup": by_backup,
    }


# --- Output -------------------------------------------------------------------------------

def seconds(value: Optional[float]) -> str:
    return "-" if value is None else "%.1f s" % value


def ratio(value: float, base: float, name: str) -> str:
    return "" if not base else " (%.2fx %s)" % (value / base, name)


def mib(kib: int) -> str:
    return "%.0f MiB" % (kib / 1024.0)


class Column(NamedTuple):
    """One measured ansible-playbook run, as a column of the table."""
    title: str
    run: Dict[str, Any]
    api: Dict[str, Any]
    wrong: Dict[str, str]
    targets: Dict[str, Any]


def run_columns(figures: Dict[str, Any]) -> List[Column]:
    """The role run, then the uri playbook when it ran."""
    columns = [Column("role run", figures["role"], figures["api"], figures["wrong_hosts"], figures["targets"])]
    reference = figures.get("reference")
    if reference:
        columns.append(Column("uri playbook", reference["run"], reference["api"], reference["wrong_hosts"],
                              reference["targets"]))
    return columns


Row = Tuple[str, Optional[Callable[[Column], str]], str]  # label, cell of a run column (None: blank), floor cell


def per_server(value: float, hosts: int, unit: str) -> str:
    return "%.2f %s" % (value / hosts, unit)


def mib_per_server(kib: int, hosts: int) -> str:
    return per_server(kib / 1024.0, hosts, "MiB")


def target_cell(target: Dict[str, Any]) -> str:
    return "<= %.1f s: %s" % (target["limit"], "met" if target["met"] else "NOT met")


def time_rows(figures: Dict[str, Any]) -> List[Row]:
    """Wall time against the floor and its parts; each slice's wall when there are several."""
    floor, trivial, count = figures["floor"], figures["trivial"], figures["slices"]
    rows: List[Row] = [
        ("wall time", lambda c: seconds(c.run["wall"]) + ratio(c.run["wall"], floor["wall"], "floor"), seconds(floor["wall"])),
        ("  longest backup", None, seconds(floor["longest_backup"])),
        ("  trivial task over all hosts" if count == 1 else "  trivial task, %d slices at once" % count, None,
         seconds(trivial["wall"])),
        ("  one API round trip", None, "%.3f s" % floor["round_trip"]),
        ("  (wake-up delay, not in floor)", None, seconds(floor["wake_delay"])),
    ]
    return rows + [("slice %d wall, %d host%s" % (index + 1, one["hosts"], "s"[:one["hosts"] != 1]),
                    lambda c, index=index: seconds(c.run["slices"][index]["wall"]), "trivial " + seconds(one["wall"]))
                   for index, one in enumerate(trivial["slices"]) if count > 1]


def resource_rows(figures: Dict[str, Any]) -> List[Row]:
    """CPU and peak memory of the ansible-playbook trees, in all and per server."""
    trivial, n = figures["trivial"], figures["hosts"]
    trees = "the tree" if figures["slices"] == 1 else "the %d trees" % figures["slices"]
    return [
        ("CPU user+sys (floor: trivial task)", lambda c: seconds(c.run["cpu"]) + ratio(c.run["cpu"], trivial["cpu"], "trivial"),
         seconds(trivial["cpu"])),
        ("  per server", lambda c: per_server(c.run["cpu"], n, "s"), per_server(trivial["cpu"], n, "s")),
        ("  (this process: simulator, sampler)", lambda c: seconds(c.run["self_cpu"]), seconds(trivial["self_cpu"])),
        ("peak RSS, summed over " + trees, lambda c: mib(c.run["rss_kib"]), mib(trivial["rss_kib"])),
        ("  per server", lambda c: mib_per_server(c.run["rss_kib"], n), mib_per_server(trivial["rss_kib"], n)),
        ("peak PSS, summed over " + trees, lambda c: mib(c.run["pss_kib"]), mib(trivial["pss_kib"])),
        ("  per server", lambda c: mib_per_server(c.run["pss_kib"], n), mib_per_server(trivial["pss_kib"], n)),
        ("ansible-playbook exit code", lambda c: str(c.run["rc"]), str(trivial["rc"])),
    ]


def request_rows(routes: List[str]) -> List[Row]:
    rows: List[Row] = [
        ("API requests", lambda c: str(c.api["requests"]), "-"),
        ("  per host", lambda c: "%.1f" % c.api["requests_per_host"], "-"),
        ("  not 2xx", lambda c: str(c.api["requests_not_2xx"]), "-"),
    ]
    return rows + [("  " + route, lambda c, route=route: str(c.api["routes"].get(route, 0)), "-") for route in routes]


def check_rows(figures: Dict[str, Any]) -> List[Row]:
    """Logins, wake-ups, the correctness checks and end to known."""
    n, count = figures["hosts"], figures["slices"]
    once = "-" if count == 1 else "target %d" % count  # one per slice
    return [
        ("logins (identity.tokens)", lambda c: str(c.api["logins"]), once),
        ("wakes (agent.wake)", lambda c: str(c.api["wakes"]), once),
        ("backups created / N", lambda c: "%d / %d" % (c.api["backups_created"], n), "must be %d / %d" % (n, n)),
        ("duplicates", lambda c: str(c.api["duplicates"]), "must be 0"),
        ("hosts wrong", lambda c: str(len(c.wrong)), "must be 0"),
        ("end to known, median", lambda c: seconds(c.api["end_to_known_median"]), "-"),
        ("end to known, p95", lambda c: seconds(c.api["end_to_known_p95"]), "-"),
        ("ended, never asked about", lambda c: str(c.api["ended_never_known"]), "-"),
    ]


def condition_rows(figures: Dict[str, Any], kinds: List[str]) -> List[Row]:
    """With --throttle: refusals, the throttle minimum and its target; with --fault-rate: faults met and the target."""
    rows: List[Row] = []
    if "rate_limits" in figures["conditions"]:
        rows += [
            ("requests refused (413/429)", lambda c: str(c.api["refused"]), "-"),
            ("throttle minimum", lambda c: seconds(c.api["throttle_minimum"]), "-"),
            ("  target: min + %g x (longest + %d s)" % (THROTTLE_SLACK, THROTTLE_BACKUP_MARGIN),
             lambda c: target_cell(c.targets["throttle"]), "-"),
        ]
    if "random_faults" in figures["conditions"]:
        rows.append(("random faults met", lambda c: str(sum(c.api["faults"].values())), "-"))
        rows += [("  " + kind, lambda c, kind=kind: str(c.api["faults"].get(kind, 0)), "-") for kind in kinds]
        rows.append(("  target: %g x floor" % FAULT_TARGET, lambda c: target_cell(c.targets["faults"]), "-"))
    return rows


def table_rows(figures: Dict[str, Any]) -> List[List[str]]:
    """Label, one cell per run column, floor; the routes and fault kinds are those any run met."""
    columns = run_columns(figures)
    routes = sorted({route for column in columns for route in column.api["routes"]})
    kinds = sorted({kind for column in columns for kind in column.api["faults"]})
    specs = (time_rows(figures) + resource_rows(figures) + request_rows(routes) + check_rows(figures)
             + condition_rows(figures, kinds))
    return [[label] + [cell(column) if cell else "" for column in columns] + [floor_cell]
            for label, cell, floor_cell in specs]


def print_report(figures: Dict[str, Any]) -> None:
    slices = "" if figures["slices"] == 1 else ", %d slices at once" % figures["slices"]
    print("\n%(hosts)d hosts, forks %(forks)d, speed x%(speed)g, backups of %(min_duration)g to %(max_duration)g s,"
          " credentials through %(credentials)s" % figures + slices)
    print_conditions(figures["conditions"])
    print()
    columns = run_columns(figures)
    print_table([[""] + [column.title for column in columns] + ["floor"]] + table_rows(figures))
    print()
    print_definitions(figures)
    for column in columns:
        if column.run["rc"] != 0:
            print("first error of the %s: %s" % (column.title, first_error(column.run["log"])))
    for column in columns:
        print_wrong_hosts(column.wrong, "" if column.title == "role run" else column.title + ": ")


def print_table(rows: List[Sequence[str]]) -> None:
    """The header row, a rule under it, then the other rows; labels left-aligned, cells right-aligned."""
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in [rows[0], ["-" * w for w in width]] + rows[1:]:
        print("  ".join([row[0].ljust(width[0])] + [cell.rjust(w) for cell, w in zip(row[1:], width[1:])]))


def print_conditions(conditions: Dict[str, Any]) -> None:
    if "rate_limits" in conditions:
        print("throttle (simulator rate_limits): %s" % "; ".join(map(throttle_text, conditions["rate_limits"])))
    if "random_faults" in conditions:
        faults = conditions["random_faults"]
        rates = ", ".join("%s %g" % (key, value) for key, value in sorted(faults.items()) if key != "seed")
        print("random faults (simulator random_faults): %s, seed %d" % (rates, faults["seed"]))


def print_definitions(figures: Dict[str, Any]) -> None:
    """What the floor, the uri playbook, end to known and the targets are."""
    count = figures["slices"]
    trivial = "trivial task" if count == 1 else "trivial task (%d processes at once, one per slice inventory)" % count
    print("floor = longest backup + %s + one round trip (median of %d GET activity)." % (trivial, ROUND_TRIPS))
    if count > 1:
        print("wall time = first start to last end of the %d ansible-playbook processes;"
              " CPU and memory summed over them." % count)
    if figures.get("reference"):
        print("uri playbook = ansible.builtin.uri by hand: log in, wake, pause %(wake_pause)d s, start, poll every"
              " %(poll_delay)d s (at most %(retries)d times); on a fresh simulator with the same scenario."
              % figures["reference"]["timing"])
    print(KNOWN_DEFINITION + ".")
    if "rate_limits" in figures["conditions"]:
        print("throttle minimum = least wall time in which the requests each rule matched and the API accepted fit"
              " its limits (windows sliding over 1 s and 60 s, as the simulator's), the largest over the rules.")
    if "random_faults" in figures["conditions"]:
        print("random faults met = requests the simulator answered with a random fault (the log marks them), by kind.")


def print_wrong_hosts(wrong: Dict[str, str], prefix: str = "") -> None:
    """One line per reason, with the first ten hosts it applies to."""
    by_problem: Dict[str, List[str]] = {}
    for host, problem in sorted(wrong.items()):
        by_problem.setdefault(problem, []).append(host)
    for problem, hosts in by_problem.items():
        more = " and %d more" % (len(hosts) - 10) if len(hosts) > 10 else ""
        print("%swrong (%d): %s: %s%s" % (prefix, len(hosts), problem, ", ".join(hosts[:10]), more))


def first_error(log_path: str) -> Optional[str]:
    """The first [ERROR] or fatal line of an ansible-playbook log."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        return next((line.strip() for line in log if line.startswith(("[ERROR]", "fatal:"))), None)


def run_logs(run: Dict[str, Any]) -> str:
    return ", ".join(one["log"] for one in run["slices"])


def passed(figures: Dict[str, Any]) -> bool:
    """Every run column created each backup once and left no host wrong."""
    return all(column.api["backups_created"] == figures["hosts"] and column.api["duplicates"] == 0 and not column.wrong
               for column in run_columns(figures))


# --- Main ---------------------------------------------------------------------------------

def progress(message: str) -> None:
    print(message, flush=True)


def fleet_text(args: argparse.Namespace) -> str:
    if args.slices == 1:
        return "%d hosts (forks %d)" % (args.hosts, args.forks)
    return "%d hosts in %d slices (forks %d each)" % (args.hosts, args.slices, args.forks)


def slice_paths(work: Path, name: str, count: int) -> List[Path]:
    return [slice_path(work, name, index, count) for index in range(count)]


@contextlib.contextmanager
def conditions_on(sim: Simulator, conditions: Dict[str, Any]):
    """The simulator settings of --throttle and --fault-rate on meanwhile (fresh windows and
    random sequence), then off again as the scenario has them (null)."""
    sim.configure(**conditions)
    try:
        yield
    finally:
        sim.configure(**dict.fromkeys(conditions))


def play_slices(slices: List[Slice], playbooks: List[Path], logs: List[Path], extra_vars: List[str],
                env: Dict[str, str], args: argparse.Namespace) -> Dict[str, Any]:
    """Each slice's playbook over its inventory, all at once, measured together (see run_measured)."""
    commands = [ansible_playbook(one.inventory, playbook, args.forks, extra_vars)
                for one, playbook in zip(slices, playbooks)]
    run = run_measured(commands, env, logs)
    for one, measured in zip(slices, run["slices"]):
        measured["hosts"] = len(one.configurations)
    return run


def simulator_outcome(sim: Simulator, work: Path, suffix: str, results_paths: List[Path], configurations: Dict[str, int],
                      args: argparse.Namespace) -> Dict[str, Any]:
    """API figures and wrong hosts of the run just made; its request log and state saved under work."""
    log, state = sim.requests(), sim.state()
    (work / ("requests%s.json" % suffix)).write_text(json.dumps(log, indent=1))
    (work / ("state%s.json" % suffix)).write_text(json.dumps(state, indent=1))
    return {"api": api_figures(log, state, args),
            "wrong_hosts": wrong_hosts(read_results(results_paths), configurations, state)}


class Files(NamedTuple):
    """Names of a column's files in the work folder (numbered per slice, except requests and state)."""
    playbook: str
    log: str
    suffix: str  # of results{suffix}.json, requests{suffix}.json, state{suffix}.json


ROLE_FILES = Files("fleet.yml", "role.log", "")
REFERENCE_FILES = Files("reference.yml", "reference.log", "-reference")


def measured_column(sim: Simulator, work: Path, files: Files, slices: List[Slice],
                    write_playbook: Callable[[Path, Path], Path], env: Dict[str, str], args: argparse.Namespace,
                    extra_vars: List[str]) -> Dict[str, Any]:
    """Each slice's playbook, written by write_playbook(path, results path), all at once under
    the API conditions: run, api, wrong_hosts."""
    count = len(slices)
    results = slice_paths(work, "results%s.json" % files.suffix, count)
    playbooks = [write_playbook(path, one) for path, one in zip(slice_paths(work, files.playbook, count), results)]
    with conditions_on(sim, simulator_conditions(args)):
        run = play_slices(slices, playbooks, slice_paths(work, files.log, count), extra_vars, env, args)
    configurations = {host: configuration for one in slices for host, configuration in one.configurations.items()}
    return dict(simulator_outcome(sim, work, files.suffix, results, configurations, args), run=run)


def role_column(sim: Simulator, work: Path, slices: List[Slice], env: Dict[str, str],
                args: argparse.Namespace) -> Dict[str, Any]:
    """The role over every slice: run, api, wrong_hosts."""
    play = backup_play(sim.info, args.credentials)
    return measured_column(sim, work, ROLE_FILES, slices, lambda path, results: write_role_playbook(path, play, results),
                           env, args, args.playbook_extra_vars)


def reference_run(args: argparse.Namespace, work: Path, scenario: Dict[str, Any], slices: List[Slice],
                  env: Dict[str, str]) -> Dict[str, Any]:
    """The uri playbook over the same slices and forks: run, api, wrong_hosts, timing.

    A new Simulator rather than reset() of the role's: clock, backup ids, tokens, awake agents
    and log all start from nothing, as they did for the role run.
    """
    longest = longest_backup(scenario)
    timing = reference_timing(args, longest)
    with Simulator(scenario=scenario, speed=args.speed) as sim:
        progress("uri playbook over %s, fresh simulator, longest backup %g s at speed x%g..."
                 % (fleet_text(args), longest, args.speed))
        column = measured_column(sim, work, REFERENCE_FILES, slices,
                                 lambda path, results: write_reference_playbook(path, sim.info, timing, results),
                                 env, args, [])
    return dict(column, timing=timing)


def run_targets(column: Dict[str, Any], floor: Dict[str, Any], args: argparse.Namespace) -> Dict[str, Any]:
    """The issue's targets for this run's wall time: with --throttle, with --fault-rate."""
    limits = {}
    if args.throttle:
        limits["throttle"] = (column["api"]["throttle_minimum"]
                              + THROTTLE_SLACK * (floor["longest_backup"] + THROTTLE_BACKUP_MARGIN))
    if args.fault_rate:
        limits["faults"] = FAULT_TARGET * floor["wall"]
    return {name: {"limit": limit, "met": column["run"]["wall"] <= limit} for name, limit in limits.items()}


def benchmark(args: argparse.Namespace, work: Path) -> Dict[str, Any]:
    scenario = build_scenario(args)
    env = ansible_environment(work)
    slices = write_slices(work, host_configurations(scenario), args)
    with Simulator(scenario=scenario, speed=args.speed) as sim:
        progress("trivial task over %s..." % fleet_text(args))
        trivial = play_slices(slices, [write_trivial_playbook(work / "trivial.yml")] * len(slices),
                              slice_paths(work, "trivial.log", len(slices)), [], env, args)
        progress("role over %s, longest backup %g s at speed x%g..."
                 % (fleet_text(args), longest_backup(scenario), args.speed))
        role = role_column(sim, work, slices, env, args)
        trip = round_trip(sim.info)
    floor = {"longest_backup": longest_backup(scenario) / args.speed, "round_trip": trip,
             "wake_delay": args.wake_delay / args.speed}
    floor["wall"] = floor["longest_backup"] + trivial["wall"] + trip
    reference = reference_run(args, work, scenario, slices, env) if args.reference else None
    for column in filter(None, (role, reference)):
        column["targets"] = run_targets(column, floor, args)
    return {
        "hosts": args.hosts, "forks": args.forks, "speed": args.speed, "credentials": args.credentials,
        "min_duration": args.min_duration, "max_duration": args.max_duration, "slices": args.slices,
        "conditions": simulator_conditions(args),
        "role": role["run"], "trivial": trivial, "floor": floor, "api": role["api"], "wrong_hosts": role["wrong_hosts"],
        "targets": role["targets"], "reference": reference, "end_to_known_definition": KNOWN_DEFINITION,
    }


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_fleet."))
    figures = benchmark(args, work)
    print_report(figures)
    # the uri playbook's logs, when it ran, are named after the trivial task's, in the same parentheses
    reference = "; uri playbook: %s" % run_logs(figures["reference"]["run"]) if figures["reference"] else ""
    return finish(args, work, figures, passed(figures), run_logs(figures["role"]),
                  run_logs(figures["trivial"]) + reference)


def finish(args: argparse.Namespace, work: Path, figures: Dict[str, Any], verdict: bool, logs: str,
           trivial_logs: str) -> int:
    """After the report: the verdict, added to the figures as "passed" (their last key in the JSON file);
    the work folder kept (--keep or a failed run) or removed; the result. Returns the exit status."""
    figures["passed"] = verdict
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
        print("json: %s" % args.json)
    if args.keep or not verdict:
        print("log: %s (trivial task: %s; folder kept)" % (logs, trivial_logs))
    else:
        shutil.rmtree(work, ignore_errors=True)
        print("log: removed with %s (use --keep to keep it)" % work)
    print("result: %s" % ("PASS" if verdict else "FAIL"))
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
