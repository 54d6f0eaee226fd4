"""The batch fault table: one fault on one server's request never fails or holds up the others.

A fleet of FLEET_SIZE servers whose agents are asleep and wake one a second (so
the first StartManuals meet 403s while agents connect) is started in one batch, with one
fault of every kind of the single-server table (tests/unit/fault_kinds.py)
on one request of each route the batch goes through. Every cell checks every server:
started, exactly one backup created for its configuration, and the id returned is that
backup. The client sleeps on the simulator's clock, so waiting costs no real time.
"""
import collections
import time

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_start import start_fleet
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import ROUND_DELAY
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import connection_argument_spec
from cloudbackup_simulator import Simulator
from fault_kinds import FAULTS, REQUEST_TIMEOUT, UNCLEAR, real_share

# A few seconds of real time in all: the main pass of `make test` runs the table, the other two do not.
pytestmark = pytest.mark.slow

FLEET_SIZE = 24
FIRST_AGENT, FIRST_CONFIGURATION = 700001, 800001
# Every route of a batch start; backup.start is hit on its first POST and on one in the middle.
ROUTES = ["identity.tokens", "agent.list", "configuration.list", "activity.user", "agent.wake", "agent.get",
          "backup.start", "backup.start@middle"]


def wake_delay(index):
    """Agents come Online 2 to 25 s after the wake-up, one a second: the first rounds meet 403s."""
    return 2 + index


def fleet_scenario():
    agents = [dict(id=FIRST_AGENT + index, name="srv%02d" % index, server_id="5e7e0000-0000-4000-8000-%012d" % index,
                   wake_delay=wake_delay(index),
                   configurations=[dict(id=FIRST_CONFIGURATION + index, name="files", outcome="Completed")])
              for index in range(FLEET_SIZE)]
    return dict(settings=dict(awake_window=300),
                tenants=[dict(id="123456", users=[dict(username="admin", api_key="admin-key",
                                                       roles=["identity:user-admin"])],
                              agents=agents)])


@pytest.fixture(scope="module")
def fleet_simulator():
    with Simulator(scenario=fleet_scenario(), speed=1e-6) as simulator:
        yield simulator


@pytest.fixture
def fleet(fleet_simulator):
    fleet_simulator.reset()
    return fleet_simulator


class Pace:
    """The clock the batch sleeps on: simulated seconds, plus ``real_share`` of each in real time.

    A late action lands real seconds after its request; without real time passing, the
    simulated settle window after it would pass before it lands.
    """

    def __init__(self, simulator, real_share=0.0):
        self.simulator, self.real_share = simulator, real_share

    def sleep(self, seconds):
        self.simulator.advance(seconds)
        time.sleep(seconds * self.real_share)


def pace_for(simulator, fault):
    return Pace(simulator, real_share(fault))


def client_of(simulator, pace):
    params = {option: spec.get("default") for option, spec in connection_argument_spec().items()}
    params.update(username="admin", api_key="admin-key", identity_url=simulator.info["identity_url"], region="DFW",
                  timeout=REQUEST_TIMEOUT)
    return CloudBackupClient(params, sleep=pace.sleep, clock=simulator.now)


def start_the_fleet(simulator, online_timeout=120, pace=None):
    pace = pace or Pace(simulator)
    specs = [dict(name="srv%02d" % index, agent_id=None, server_id=None, machine_name="srv%02d" % index,
                  configuration_id=None, configuration_name="files", skip_if_completed_within=None,
                  allow_completed_with_errors=False) for index in range(FLEET_SIZE)]
    return start_fleet(client_of(simulator, pace), specs, True, online_timeout, False, sleep=pace.sleep,
                       clock=simulator.now)


def backups_made(simulator):
    """The backups that run: a StartManual the API skipped (a run was queued already) made none."""
    return [backup for backup in simulator.state()["backups"] if backup["CurrentState"] != "Skipped"]


def assert_every_server_started_once(simulator, results):
    made = backups_made(simulator)
    assert [result["outcome"] for result in results] == ["started"] * FLEET_SIZE, [
        (result["name"], result["msg"]) for result in results if result["outcome"] != "started"]
    assert collections.Counter(backup["BackupConfigurationId"] for backup in made) == {
        FIRST_CONFIGURATION + index: 1 for index in range(FLEET_SIZE)}
    assert {result["backup_id"] for result in results} == {backup["BackupId"] for backup in made}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_one_fault_in_a_waking_fleet_fails_no_server(fleet, route, kind):
    route, where = route.split("@") if "@" in route else (route, "")
    if where == "middle":
        # The first round's POSTs of the first half go through (or meet their 403) untouched.
        fleet.add_fault(route=route, status=403, count=FLEET_SIZE // 2)
    fleet.add_fault(route=route, **FAULTS[kind])

    results = start_the_fleet(fleet, pace=pace_for(fleet, FAULTS[kind]))

    assert_every_server_started_once(fleet, results)
    assert fleet.requests(route="identity.tokens")[-1]["status"] == 200


@pytest.mark.parametrize("kind", UNCLEAR)
def test_the_unclear_start_of_one_server_holds_no_other_server_back(fleet, kind):
    # The first StartManual gets no clear answer: its run is looked for for a settle window,
    # while every other server keeps being started round by round as its agent wakes.
    fleet.add_fault(route="backup.start", **FAULTS[kind])

    results = start_the_fleet(fleet, pace=pace_for(fleet, FAULTS[kind]))

    assert_every_server_started_once(fleet, results)
    woken = fleet.requests(route="agent.wake")[0]["sim_time"]
    unclear = next(entry["body"]["Id"] for entry in fleet.requests(route="backup.start") if entry["fault"])
    for entry in fleet.requests(route="backup.start"):
        index = entry["body"]["Id"] - FIRST_CONFIGURATION
        if entry["status"] == 200 and entry["body"]["Id"] != unclear:
            online = woken + wake_delay(index)
            assert entry["sim_time"] <= online + ROUND_DELAY + 1, "srv%02d started late" % index


def test_a_throttled_batch_starts_every_server_once_and_slows_down_instead_of_storming():
    # 10 POSTs a minute: the starts (403s of waking agents included) take minutes, far past
    # online_timeout; the batch goes on as long as starts go through. Rate limits count real
    # seconds (simulated ones divided by the speed): this simulator runs at speed 1, and the
    # client's sleeps still only move its clock.
    with Simulator(scenario=fleet_scenario(), speed=1.0) as fleet:
        fleet.configure(rate_limits=[dict(method="POST", per_second=5, per_minute=10)])

        results = start_the_fleet(fleet, online_timeout=60)

        assert_every_server_started_once(fleet, results)
        refused_ids = {entry["body"]["Id"] for entry in fleet.requests(route="backup.start") if entry["status"] == 413}
        assert refused_ids and {result["configuration_id"] for result in results if result["throttled"]} == refused_ids
        posts = [entry for entry in fleet.requests() if entry["method"] == "POST" and entry["route"] != "identity.tokens"]
        refused = [entry for entry in posts if entry["status"] == 413]
        accepted = len(posts) - len(refused)  # StartManuals (403s of waking agents included) and wake-ups
        # Each refusal holds every POST back for its Retry-After, so about one refusal per full
        # window (1 s of 5 POSTs, a minute of 10), never one per request.
        assert 0 < len(refused) <= accepted // 5 + accepted // 10 + 2
        assert fleet.now() - fleet.requests(route="agent.wake")[0]["sim_time"] > 120
