"""The in-process simulator as a frozen-clock account for the fleet tests.

Its clock barely moves by itself (speed 1e-6): ``account.sleep`` moves it forward instead,
so waits of minutes take milliseconds and every wake-up, awake window and backup phase
happens exactly where a test puts it. ``account.client`` is the real client, talking HTTP
to the simulator; ``account.routes()`` counts the requests it made, by route.
"""
import collections
import os

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import connection_argument_spec
from cloudbackup_simulator import Simulator

SCENARIO = os.path.join(os.path.dirname(__file__), "..", "..", "simulator", "scenarios", "test.yml")


class SimulatedAccount:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        params = {option: spec.get("default") for option, spec in connection_argument_spec().items()}
        params.update(username="admin", api_key="admin-key", identity_url=simulator.info["identity_url"], region="DFW",
                      timeout=5.0)
        self.client = CloudBackupClient(params)

    def sleep(self, seconds: float) -> None:
        self.simulator.advance(seconds)

    def clock(self) -> float:
        return self.simulator.now()

    def routes(self, status_ok: bool = False) -> collections.Counter:
        return collections.Counter(entry["route"] for entry in self.simulator.requests()
                                   if not status_ok or (entry["status"] or 0) < 300)

    def backups_of(self, configuration_id: int) -> list:
        """The backups the simulator holds for one configuration, oldest first (scripted history included)."""
        return [backup for backup in self.simulator.state()["backups"] if backup["BackupConfigurationId"] == configuration_id]


@pytest.fixture(scope="session")
def frozen_simulator():
    with Simulator(scenario=SCENARIO, speed=1e-6) as simulator:
        yield simulator


@pytest.fixture
def account(frozen_simulator):
    frozen_simulator.reset()
    return SimulatedAccount(frozen_simulator)
