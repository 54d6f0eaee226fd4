"""Run one command against a freshly started Cloud Backup simulator, then stop it.

    python scripts/with_simulator.py --scenario demo --speed 10 -- ansible-playbook ...

The command sees the simulator's address and first user through the same RAX_*
environment variables the modules read, so a playbook runs unchanged against it.
The simulator stops whatever the command did; the command's exit code is returned.
"""
import argparse
import os
import subprocess
import sys

from cloudbackup_simulator import Simulator


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="demo", help="scenario file or packaged scenario name")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("give the command to run after --")
    return args


def simulator_environment(info: dict) -> dict:
    return dict(
        os.environ,
        RAX_USERNAME=info["username"],
        RAX_API_KEY=info["api_key"],
        RAX_IDENTITY_URL=info["identity_url"],
        RAX_REGION=os.environ.get("RAX_REGION", "DFW"),
        CLOUDBACKUP_SIMULATOR_CONTROL_URL=info["control_url"],
    )


def main() -> int:
    args = parse_args()
    with Simulator(scenario=args.scenario, speed=args.speed) as simulator:
        print("simulator: %s (scenario %s, speed x%g)" % (simulator.info["endpoint"], args.scenario, args.speed), flush=True)
        return subprocess.call(args.command, env=simulator_environment(simulator.info))


if __name__ == "__main__":
    sys.exit(main())
