"""``cloudbackup-simulator``: serve a scenario until SIGINT/SIGTERM.

Prints one JSON line (the ``info`` dict) once the port is open, so a script can start
the simulator with ``--port 0`` and read where it listens through a pipe.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import List, Optional

from .server import Simulator
from .validation import ScenarioError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudbackup-simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--scenario", default="demo", help="scenario YAML file, or the name of a packaged one (default: demo)"
    )
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second (default 1)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        simulator = Simulator(args.scenario, speed=args.speed).start(args.host, args.port)
    except (ScenarioError, ValueError, OSError) as error:
        print("cloudbackup-simulator: %s" % error, file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(json.dumps(simulator.info), flush=True)
    # A timed wait keeps the main thread responsive to signals on every platform.
    while not stop.wait(0.5):
        pass
    simulator.stop()
    return 0
