"""Restore benchmark: playbooks/restore.yml (the rollback) over N simulated servers, against its floor.

    make bench N=200   # runs scripts/bench_fleet.py, then: python scripts/bench_restore.py --hosts 200
                       # [--speed 10] [--poll-interval 15] [--progress-interval 50] [--json out.json] [--keep]

The restore contender of `make bench`, measured as scripts/bench_fleet.py measures the
run_backup role (whose functions it imports: the shared arguments, the trivial task,
run_measured, round_trip, the request-log helpers, the first checks of a host's result, the
report's table and its ending). What it measures, in one invocation:

- The restore.yml run. An in-process simulator holds one account with N sleeping agents
  srv001..srvNNN, each with one configuration that has one backup from the start (history:
  a distinct id, Completed an hour ago), whose restore (start_requested 1 s + queued 2 s +
  preparing 2 s + in_progress) lasts between --min-duration and --max-duration simulated
  seconds, spread evenly over the fleet. A record file, {"pre_upgrade_backups": {server:
  backup id}} as pre_upgrade_backup.yml writes it, names every server's backup.
  ansible-playbook (-f FORKS) runs a playbook that imports rackspace.cloudbackup.restore,
  with -e restore_record=<record file>, then a second play that writes every host's
  restore_result to a JSON file. restore.yml logs in with the RAX_* environment variables
  (RAX_USERNAME, RAX_API_KEY, RAX_IDENTITY_URL, RAX_REGION=DFW), set for this run only.
  The inventory gives restore_poll_interval, restore_progress_interval and restore_timeout
  (1800).
- The floor: the longest restore (real seconds: its simulated duration / --speed) + the
  wall time of one trivial debug task over the same inventory and forks + one API round
  trip (the median of 5 authenticated GETs of the account's activity, each on a new
  connection). No run can be faster; the wake-up delay comes on top and is shown apart.

There are no slices, no throttle, no random faults and no uri reference playbook here
(bench_fleet.py's --slices, --throttle, --fault-rate and --reference): one ansible-playbook
process over one inventory, against a simulator that answers every request.

For the run: wall time, and the target wall <= 1.15 x floor; CPU time (user + sys) of the
ansible-playbook process tree; peak RSS and PSS of that tree (sampled every 0.5 s); both
per server. From the simulator's request log and final state: API requests (total, per
server, with the target of at most 2.5 per server; per route), logins and wake-ups
(identity.tokens and agent.wake requests; the target is one each), restores created (every
restore in the simulator's final state, started or not: must be N) and duplicates (backups
restored more than once: must be 0), and hosts whose restore_result is wrong (its state
must be Completed, its failure null, its backup_id the recorded one and its restore_id the
simulator's restore of that backup). Exit status 0 when every server was restored exactly
once and no host is wrong; 1 otherwise. Timings and targets never change the exit status.

The ansible-playbook output goes to log files in a temporary folder, removed at the end
unless --keep is given or the run failed; it also holds the record file, the simulator's
request log and final state (requests.json, state.json) and the results (results.json).
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bench_fleet import (ROUND_TRIPS, add_fleet_arguments, add_output_arguments, ansible_environment, ansible_playbook,
                         check_fleet_arguments, collect_play, completion_problem, finish, first_error, is_success, mib,
                         mib_per_server, per_server, print_table, print_wrong_hosts, progress, ratio, read_results,
                         round_trip, route_counts, run_measured, seconds, write_trivial_playbook, write_yaml)
from bench_fleet import build_scenario as fleet_scenario
from cloudbackup_simulator import Simulator

FIRST_BACKUP_ID = 700001  # the history backups' ids, one per server
WALL_TARGET = 1.15  # target: wall <= 1.15 x floor
REQUESTS_PER_SERVER_TARGET = 2.5  # target: at most 2.5 API requests per server
RESTORE_TIMEOUT = 1800
TITLE = "restore.yml run"


# --- Command line ------------------------------------------------------------------------

def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_fleet_arguments(parser, "restore", "restore_poll_interval", "restore_progress_interval")
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    check_fleet_arguments(parser, args)
    return args


# --- The scenario, the record, the inventory and the playbook ------------------------------

def build_scenario(args: argparse.Namespace) -> Dict[str, Any]:
    """bench_fleet's scenario, each configuration with one restorable backup whose restore lasts what its backup would."""
    scenario = fleet_scenario(args)
    for index, agent in enumerate(scenario["tenants"][0]["agents"]):
        configuration = agent["configurations"][0]
        configuration["history"] = [{"id": FIRST_BACKUP_ID + index, "ago": "1h", "outcome": "Completed"}]
        configuration["restore"] = {"durations": configuration.pop("durations")}
    return scenario


def host_backups(scenario: Dict[str, Any]) -> Dict[str, int]:
    """Inventory host name -> the id of its configuration's history backup (what the record names)."""
    agents = scenario["tenants"][0]["agents"]
    return {agent["name"]: agent["configurations"][0]["history"][0]["id"] for agent in agents}


def longest_restore(scenario: Dict[str, Any]) -> float:
    """Longest restore of the scenario, in simulated seconds."""
    agents = scenario["tenants"][0]["agents"]
    return max(sum(agent["configurations"][0]["restore"]["durations"].values()) for agent in agents)


def write_record(path: Path, backups: Dict[str, int]) -> Path:
    """The record file as pre_upgrade_backup.yml writes it (its pre_upgrade_backups key)."""
    path.write_text(json.dumps({"pre_upgrade_backups": backups}, indent=1) + "\n")
    return path


def write_inventory(path: Path, hosts: List[str], args: argparse.Namespace) -> Path:
    return write_yaml(path, {"all": {
        "hosts": {host: {} for host in hosts},
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "restore_poll_interval": args.poll_interval,
            "restore_progress_interval": args.progress_interval,
            "restore_timeout": RESTORE_TIMEOUT,
        },
    }})


def write_restore_playbook(path: Path, results_path: Path) -> Path:
    """The collection's restore playbook, then the collecting play."""
    return write_yaml(path, [{"import_playbook": "rackspace.cloudbackup.restore"},
                             collect_play(results_path, "restore_result")])


def restore_environment(work: Path, info: Dict[str, Any]) -> Dict[str, str]:
    """bench_fleet's environment (no RAX_* of ours) with the simulator's credentials as RAX_* variables."""
    return dict(ansible_environment(work), RAX_USERNAME=info["username"], RAX_API_KEY=info["api_key"],
                RAX_IDENTITY_URL=info["identity_url"], RAX_REGION="DFW")


# --- Reading the simulator's log and state ------------------------------------------------

def restores_per_backup(state: Dict[str, Any]) -> Dict[int, int]:
    """Backup id -> number of restores of it in the simulator's state (started or not)."""
    counts: Dict[int, int] = {}
    for restore in state["restores"]:
        counts[restore["BackupId"]] = counts.get(restore["BackupId"], 0) + 1
    return counts


def restores_by_backup(state: Dict[str, Any]) -> Dict[int, Dict[str, Any]]:
    """Backup id -> the first restore (lowest id) of it."""
    first: Dict[int, Dict[str, Any]] = {}
    for restore in sorted(state["restores"], key=lambda r: r["RestoreId"]):
        first.setdefault(restore["BackupId"], restore)
    return first


def result_problem(result: Any, backup_id: int, restore: Optional[Dict[str, Any]]) -> Optional[str]:
    """Why this host's restore_result is wrong, or None when it is right."""
    problem = completion_problem(result, "restore_result")
    if problem:
        return problem
    if result.get("failure") is not None:
        return "failure %s" % result.get("failure")
    if result.get("backup_id") != backup_id:
        return "backup_id %s, the recorded one is %s" % (result.get("backup_id"), backup_id)
    if restore is None:
        return "the simulator created no restore of backup %s" % backup_id
    if result.get("restore_id") != restore["RestoreId"]:
        return "restore_id %s, the simulator's is %s" % (result.get("restore_id"), restore["RestoreId"])
    return None


def wrong_hosts(results: Dict[str, Any], backups: Dict[str, int], state: Dict[str, Any]) -> Dict[str, str]:
    restores = restores_by_backup(state)
    problems = {host: result_problem(results.get(host), backup_id, restores.get(backup_id))
                for host, backup_id in backups.items()}
    return {host: problem for host, problem in problems.items() if problem}


def api_figures(log: List[Dict[str, Any]], state: Dict[str, Any], hosts: int) -> Dict[str, Any]:
    restores = restores_per_backup(state)
    routes = route_counts(log)
    return {
        "requests": len(log),
        "requests_per_host": len(log) / hosts,
        "requests_not_2xx": sum(1 for entry in log if not is_success(entry)),
        "routes": routes,
        "logins": routes.get("identity.tokens", 0),
        "wakes": routes.get("agent.wake", 0),
        "restores_created": sum(restores.values()),
        "duplicates": sum(1 for count in restores.values() if count > 1),
        "restores_completed": sum(1 for restore in state["restores"] if restore["RestoreStateId"] == 3),
    }


def targets(run: Dict[str, Any], floor: Dict[str, Any], api: Dict[str, Any]) -> Dict[str, Any]:
    """wall <= 1.15 x floor; at most 2.5 requests per server; one login, one wake-up."""
    return {
        "wall": {"limit": WALL_TARGET * floor["wall"], "met": run["wall"] <= WALL_TARGET * floor["wall"]},
        "requests_per_host": {"limit": REQUESTS_PER_SERVER_TARGET,
                              "met": api["requests_per_host"] <= REQUESTS_PER_SERVER_TARGET},
        "logins": {"limit": 1, "met": api["logins"] == 1},
        "wakes": {"limit": 1, "met": api["wakes"] == 1},
    }


def passed(figures: Dict[str, Any]) -> bool:
    """Every server restored exactly once, and no host wrong."""
    api = figures["api"]
    return api["restores_created"] == figures["hosts"] and api["duplicates"] == 0 and not figures["wrong_hosts"]


# --- Output -------------------------------------------------------------------------------

Row = Tuple[str, str, str]  # label, the run's cell, the floor's cell


def met(target: Dict[str, Any]) -> str:
    return "met" if target["met"] else "NOT met"


def table_rows(figures: Dict[str, Any]) -> List[Row]:
    run, trivial, floor, api, goal = (figures["run"], figures["trivial"], figures["floor"], figures["api"],
                                      figures["targets"])
    n = figures["hosts"]
    rows: List[Row] = [
        ("wall time", seconds(run["wall"]) + ratio(run["wall"], floor["wall"], "floor"), seconds(floor["wall"])),
        ("  target: %g x floor" % WALL_TARGET, "<= %.1f s: %s" % (goal["wall"]["limit"], met(goal["wall"])), "-"),
        ("  longest restore", "", seconds(floor["longest_restore"])),
        ("  trivial task over all hosts", "", seconds(trivial["wall"])),
        ("  one API round trip", "", "%.3f s" % floor["round_trip"]),
        ("  (wake-up delay, not in floor)", "", seconds(floor["wake_delay"])),
        ("CPU user+sys (floor: trivial task)", seconds(run["cpu"]) + ratio(run["cpu"], trivial["cpu"], "trivial"),
         seconds(trivial["cpu"])),
        ("  per server", per_server(run["cpu"], n, "s"), per_server(trivial["cpu"], n, "s")),
        ("  (this process: simulator, sampler)", seconds(run["self_cpu"]), seconds(trivial["self_cpu"])),
        ("peak RSS, summed over the tree", mib(run["rss_kib"]), mib(trivial["rss_kib"])),
        ("  per server", mib_per_server(run["rss_kib"], n), mib_per_server(trivial["rss_kib"], n)),
        ("peak PSS, summed over the tree", mib(run["pss_kib"]), mib(trivial["pss_kib"])),
        ("  per server", mib_per_server(run["pss_kib"], n), mib_per_server(trivial["pss_kib"], n)),
        ("ansible-playbook exit code", str(run["rc"]), str(trivial["rc"])),
        ("API requests", str(api["requests"]), "-"),
        ("  per server", "%.2f: %s" % (api["requests_per_host"], met(goal["requests_per_host"])),
         "target <= %g" % REQUESTS_PER_SERVER_TARGET),
        ("  not 2xx", str(api["requests_not_2xx"]), "-"),
    ]
    rows += [("  " + route, str(count), "-") for route, count in api["routes"].items()]
    return rows + [
        ("logins (identity.tokens)", "%d: %s" % (api["logins"], met(goal["logins"])), "target 1"),
        ("wakes (agent.wake)", "%d: %s" % (api["wakes"], met(goal["wakes"])), "target 1"),
        ("restores created / N", "%d / %d" % (api["restores_created"], n), "must be %d / %d" % (n, n)),
        ("duplicates (backups restored twice+)", str(api["duplicates"]), "must be 0"),
        ("restores Completed (simulator)", str(api["restores_completed"]), "-"),
        ("hosts wrong", str(len(figures["wrong_hosts"])), "must be 0"),
    ]


def print_report(figures: Dict[str, Any]) -> None:
    print("\n%(hosts)d hosts, forks %(forks)d, speed x%(speed)g, restores of %(min_duration)g to %(max_duration)g s,"
          " poll %(poll_interval)d s, progress %(progress_interval)d s" % figures)
    print()
    print_table([("", TITLE, "floor")] + table_rows(figures))
    print()
    print("floor = longest restore + trivial task + one round trip (median of %d GET activity)." % ROUND_TRIPS)
    if figures["run"]["rc"] != 0:
        print("first error of the %s: %s" % (TITLE, first_error(figures["run"]["log"])))
    print_wrong_hosts(figures["wrong_hosts"])


# --- Main ---------------------------------------------------------------------------------

def benchmark(args: argparse.Namespace, work: Path) -> Dict[str, Any]:
    scenario = build_scenario(args)
    backups = host_backups(scenario)
    inventory = write_inventory(work / "inventory.yml", list(backups), args)
    record = write_record(work / "record.json", backups)
    results = work / "results.json"
    playbook = write_restore_playbook(work / "restore.yml", results)
    fleet = "%d hosts (forks %d)" % (args.hosts, args.forks)
    with Simulator(scenario=scenario, speed=args.speed) as sim:
        env = restore_environment(work, sim.info)
        progress("trivial task over %s..." % fleet)
        trivial_playbook = write_trivial_playbook(work / "trivial.yml")
        trivial = run_measured([ansible_playbook(inventory, trivial_playbook, args.forks, [])], env,
                               [work / "trivial.log"])
        progress("restore.yml over %s, longest restore %g s at speed x%g..."
                 % (fleet, longest_restore(scenario), args.speed))
        run = run_measured([ansible_playbook(inventory, playbook, args.forks, ["restore_record=%s" % record])],
                           env, [work / "restore.log"])
        log, state = sim.requests(), sim.state()
        trip = round_trip(sim.info)
    (work / "requests.json").write_text(json.dumps(log, indent=1))
    (work / "state.json").write_text(json.dumps(state, indent=1))
    floor = {"longest_restore": longest_restore(scenario) / args.speed, "round_trip": trip,
             "wake_delay": args.wake_delay / args.speed}
    floor["wall"] = floor["longest_restore"] + trivial["wall"] + trip
    api = api_figures(log, state, args.hosts)
    return {
        "hosts": args.hosts, "forks": args.forks, "speed": args.speed, "min_duration": args.min_duration,
        "max_duration": args.max_duration, "poll_interval": args.poll_interval,
        "progress_interval": args.progress_interval,
        "run": run, "trivial": trivial, "floor": floor, "api": api, "targets": targets(run, floor, api),
        "wrong_hosts": wrong_hosts(read_results([results]), backups, state),
    }


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_restore."))
    figures = benchmark(args, work)
    print_report(figures)
    return finish(args, work, figures, passed(figures), figures["run"]["log"], figures["trivial"]["log"])


if __name__ == "__main__":
    sys.exit(main())
