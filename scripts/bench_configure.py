"""Configuration benchmark: playbooks/configure_backups.yml declaring N simulated servers' configurations, twice.

    make bench N=200   # runs the two other benchmarks, then: python scripts/bench_configure.py --hosts 200
                       # [--forks 50] [--json out.json] [--keep]

The configuration contender of `make bench`, measured as scripts/bench_fleet.py measures the
run_backup role (whose functions it imports: the trivial task, run_measured, the request-log
helpers, the table and the ending). What it measures, in one invocation:

- The first run. An in-process simulator holds one account with N agents srv001..srvNNN and
  no configuration of the names declared. Every inventory host declares one configuration
  in `backup_configuration` (its agent, "srvNNN declared", a daily schedule at 02:30 Eastern
  time, two folders to include, one to exclude, 60 days of versions, a notification address).
  ansible-playbook (-f FORKS) imports rackspace.cloudbackup.configure_backups, which logs
  in with the RAX_* environment variables (set for this run only).
- The second run: the same playbook and inventory again, which must write nothing.
- The floor: the wall time of one trivial debug task over the same inventory and forks.
- The module floor: the same task after one run-once module run on the controller (ping):
  the least a play costs that runs one module for the whole fleet and then shows each host
  its own result, as playbooks/configure_backups.yml does.

For each run: wall time (for the second, the target wall <= 1.15 x floor; also beside the
module floor), CPU time (user +
sys) of the ansible-playbook process tree, peak RSS and PSS per server. From the simulator's
request log: requests per route, configuration writes (the first run: one create per server;
the second: none), requests per server after the login (the second run: at most 0.05). From
its final state and the play recaps: configurations per declared name (must be exactly one,
holding the declared retention and paths: no duplicate, nothing dropped), and hosts whose
recap is wrong (the first run: changed=1 on every host; the second: changed=0, and no host
failed). Exit status 0 when every server has its one configuration and no host is wrong; 1
otherwise. Timings and targets never change the exit status.
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bench_fleet import (API_KEY, FIRST_AGENT_ID, TENANT, USERNAME, add_output_arguments, ansible_playbook, finish,
                         first_error, host_name, mib_per_server, per_server, print_table, print_wrong_hosts, progress,
                         ratio, route_counts, run_measured, seconds, write_trivial_playbook, write_yaml)
from bench_restore import restore_environment as simulator_environment
from cloudbackup_simulator import Simulator

WALL_TARGET = 1.15  # target for the second run: wall <= 1.15 x floor
REQUESTS_AFTER_LOGIN_TARGET = 0.05  # target for the second run: requests per server besides the login
WRITES = ("configuration.create", "configuration.update", "configuration.enable", "configuration.delete")
RETENTION, INCLUDE, EXCLUDE = 60, ["/var/www", "/etc"], ["/var/www/cache"]
RUNS = (("first", "first run (creates)"), ("second", "second run (no change)"))


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10, help="number of servers N (default 10)")
    parser.add_argument("--forks", type=int, default=50, help="ansible-playbook -f (default 50)")
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    if args.hosts < 1:
        parser.error("--hosts must be at least 1")
    return args


# --- The scenario, the inventory and the playbook -----------------------------------------

def build_scenario(hosts: int) -> Dict[str, Any]:
    """One account whose N agents have no configuration yet."""
    agents = [{"id": FIRST_AGENT_ID + index, "name": host_name(index, hosts),
               "server_id": "5e7e0000-0000-4000-8000-%012d" % (FIRST_AGENT_ID + index)} for index in range(hosts)]
    return {"tenants": [{"id": TENANT, "agents": agents,
                         "users": [{"username": USERNAME, "api_key": API_KEY, "roles": ["identity:user-admin"]}]}]}


def declaration(agent_id: int, host: str) -> Dict[str, Any]:
    return {"agent_id": agent_id, "name": "%s declared" % host, "include": INCLUDE, "exclude": EXCLUDE,
            "schedule": {"frequency": "daily", "time": "02:30", "time_zone": "Eastern Standard Time"},
            "retention_days": RETENTION, "notify_recipients": "ops@example.com", "notify_on_failure": True}


def write_module_floor_playbook(path: Path) -> Path:
    """The trivial task after one run-once module run on the controller."""
    return write_yaml(path, [{"name": "One module run, then one trivial task", "hosts": "all", "gather_facts": False,
                              "tasks": [{"name": "Run one module for the fleet", "ansible.builtin.ping": None,
                                         "delegate_to": "localhost", "run_once": True},
                                        {"name": "Say ok", "ansible.builtin.debug": {"msg": "ok"}}]}])


def write_inventory(path: Path, scenario: Dict[str, Any]) -> Path:
    agents = scenario["tenants"][0]["agents"]
    return write_yaml(path, {"all": {
        "hosts": {agent["name"]: {"backup_configuration": declaration(agent["id"], agent["name"])} for agent in agents},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
    }})


# --- Reading the simulator's log and state, and the recaps --------------------------------

def api_figures(log: List[Dict[str, Any]], hosts: int) -> Dict[str, Any]:
    routes = route_counts(log)
    return {"requests": len(log), "routes": routes, "logins": routes.get("identity.tokens", 0),
            "writes": sum(routes.get(route, 0) for route in WRITES), "creates": routes.get("configuration.create", 0),
            "after_login_per_host": (len(log) - routes.get("identity.tokens", 0)) / hosts}


def configuration_problems(state: Dict[str, Any], hosts: List[str]) -> Dict[str, str]:
    """Hosts whose declared configuration is not there exactly once, live, with the declared settings."""
    problems = {}
    for host in hosts:
        held = [config for config in state["configurations"]
                if config["BackupConfigurationName"] == "%s declared" % host and not config["IsDeleted"]]
        if len(held) != 1:
            problems[host] = "%d live configurations of its name" % len(held)
            continue
        paths = sorted(item["FilePath"] for item in held[0]["Inclusions"] + held[0]["Exclusions"])
        if held[0]["VersionRetention"] != RETENTION or paths != sorted(INCLUDE + EXCLUDE):
            problems[host] = "holds retention %s and paths %s" % (held[0]["VersionRetention"], paths)
    return problems


RECAP = re.compile(r"^(?P<host>\S+)\s*: ok=\d+\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)",
                   re.MULTILINE)


def recap_problems(log_path: str, hosts: List[str], changed: int) -> Dict[str, str]:
    """Hosts whose play recap does not show ``changed`` changes and no failure."""
    recap = {match["host"]: (int(match["changed"]), int(match["failed"]))
             for match in RECAP.finditer(Path(log_path).read_text())}
    return {host: "recap changed=%s failed=%s, expected changed=%d" % (recap.get(host, (None, None)) + (changed,))
            for host in hosts if recap.get(host) != (changed, 0)}


def targets(second: Dict[str, Any], floor: float, api: Dict[str, Dict[str, Any]], hosts: int) -> Dict[str, Any]:
    return {
        "creates": {"limit": hosts, "met": api["first"]["creates"] == hosts and api["first"]["writes"] == hosts},
        "second_writes": {"limit": 0, "met": api["second"]["writes"] == 0},
        "after_login": {"limit": REQUESTS_AFTER_LOGIN_TARGET,
                        "met": api["second"]["after_login_per_host"] <= REQUESTS_AFTER_LOGIN_TARGET},
        "wall": {"limit": WALL_TARGET * floor, "met": second["wall"] <= WALL_TARGET * floor},
    }


# --- Output -------------------------------------------------------------------------------

def times(value: float, base: float) -> str:
    return "%.2fx" % (value / base) if base else "-"


def met(target: Dict[str, Any]) -> str:
    return "met" if target["met"] else "NOT met"


def table_rows(figures: Dict[str, Any]) -> List[Tuple[str, ...]]:
    n, floor, goal, api = figures["hosts"], figures["trivial"], figures["targets"], figures["api"]
    first, second, module_floor = figures["runs"]["first"], figures["runs"]["second"], figures["module_floor"]
    rows = [
        ("wall time", seconds(first["wall"]) + ratio(first["wall"], floor["wall"], "floor"),
         seconds(second["wall"]) + ratio(second["wall"], floor["wall"], "floor"), seconds(floor["wall"])),
        ("  target: %g x floor" % WALL_TARGET, "-", "<= %.1f s: %s" % (goal["wall"]["limit"], met(goal["wall"])), "-"),
        ("  beside the module floor", times(first["wall"], module_floor["wall"]),
         times(second["wall"], module_floor["wall"]), "module floor: %s" % seconds(module_floor["wall"])
         + (" (exit code %d)" % module_floor["rc"] if module_floor["rc"] else "")),
        ("CPU user+sys per server", per_server(first["cpu"], n, "s"), per_server(second["cpu"], n, "s"),
         per_server(floor["cpu"], n, "s")),
        ("peak PSS per server", mib_per_server(first["pss_kib"], n), mib_per_server(second["pss_kib"], n),
         mib_per_server(floor["pss_kib"], n)),
        ("ansible-playbook exit code", str(first["rc"]), str(second["rc"]), str(floor["rc"])),
        ("API requests", str(api["first"]["requests"]), str(api["second"]["requests"]), "-"),
    ]
    routes = sorted(set(api["first"]["routes"]) | set(api["second"]["routes"]))
    rows += [("  " + route, str(api["first"]["routes"].get(route, 0)), str(api["second"]["routes"].get(route, 0)), "-")
             for route in routes]
    return rows + [
        ("configuration writes", "%d: %s" % (api["first"]["writes"], met(goal["creates"])),
         "%d: %s" % (api["second"]["writes"], met(goal["second_writes"])), "target N creates, then 0"),
        ("requests per server after the login", "%.3f" % api["first"]["after_login_per_host"],
         "%.3f: %s" % (api["second"]["after_login_per_host"], met(goal["after_login"])),
         "target <= %g" % REQUESTS_AFTER_LOGIN_TARGET),
        ("hosts wrong (configuration, recap)", str(len(figures["wrong_hosts"]["first"])),
         str(len(figures["wrong_hosts"]["second"])), "must be 0"),
    ]


def print_report(figures: Dict[str, Any]) -> None:
    print("\n%(hosts)d hosts, forks %(forks)d" % figures)
    print()
    print_table([("", RUNS[0][1], RUNS[1][1], "floor (trivial task)")] + table_rows(figures))
    print()
    for key, title in RUNS:
        if figures["runs"][key]["rc"] != 0:
            print("first error of the %s: %s" % (title, first_error(figures["runs"][key]["log"])))
        print_wrong_hosts(figures["wrong_hosts"][key])


# --- Main ---------------------------------------------------------------------------------

def benchmark(args: argparse.Namespace, work: Path) -> Dict[str, Any]:
    scenario = build_scenario(args.hosts)
    hosts = [agent["name"] for agent in scenario["tenants"][0]["agents"]]
    inventory = write_inventory(work / "inventory.yml", scenario)
    playbook = write_yaml(work / "configure.yml", [{"import_playbook": "rackspace.cloudbackup.configure_backups"}])
    runs, api, wrong = {}, {}, {}
    with Simulator(scenario=scenario) as sim:
        env = simulator_environment(work, sim.info)
        progress("trivial task over %d hosts (forks %d)..." % (args.hosts, args.forks))
        trivial = run_measured([ansible_playbook(inventory, write_trivial_playbook(work / "trivial.yml"), args.forks,
                                                 [])], env, [work / "trivial.log"])
        progress("one module run, then the trivial task (module floor)...")
        module_floor = run_measured([ansible_playbook(inventory, write_module_floor_playbook(work / "module_floor.yml"),
                                                      args.forks, [])], env, [work / "module_floor.log"])
        for (key, title), changed in zip(RUNS, (1, 0)):
            progress("configure_backups.yml, %s..." % title)
            sim.clear_requests()
            runs[key] = run_measured([ansible_playbook(inventory, playbook, args.forks, [])], env,
                                     [work / ("%s.log" % key)])
            api[key] = api_figures(sim.requests(), args.hosts)
            wrong[key] = dict(configuration_problems(sim.state(), hosts),
                              **recap_problems(runs[key]["log"], hosts, changed))
    return {"hosts": args.hosts, "forks": args.forks, "runs": runs, "trivial": trivial, "module_floor": module_floor,
            "api": api,
            "targets": targets(runs["second"], trivial["wall"], api, args.hosts), "wrong_hosts": wrong}


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_configure."))
    figures = benchmark(args, work)
    print_report(figures)
    verdict = not figures["wrong_hosts"]["first"] and not figures["wrong_hosts"]["second"]
    return finish(args, work, figures, verdict, figures["runs"]["second"]["log"], figures["trivial"]["log"])


if __name__ == "__main__":
    sys.exit(main())
