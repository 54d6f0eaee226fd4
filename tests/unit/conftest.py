"""What the unit tests stand on: one fake clock, one fake HTTP session, and the simulator.

``fake_clock`` (FakeClock) stands for ``time``: a monotonic clock that moves only when the
code under test sleeps, and records each sleep. Every test whose code reads the time or
sleeps, and is not on the simulator's clock, uses it, so no test really waits.

``fake_session`` (FakeSession) stands for the ``requests.Session`` a CloudBackupClient is
given: scripted replies, every request recorded. It is for the tests of the client itself.

``account`` is the in-process simulator as a frozen-clock account. Its clock barely moves
by itself (speed 1e-6): ``account.sleep`` moves it forward instead, so waits of minutes take
milliseconds and every wake-up, awake window and backup phase happens exactly where a test
puts it. ``account.client`` is the real client, talking HTTP to the simulator;
``account.routes()`` counts the requests it made, by route.

Which account to fake, by the layer a test exercises:

* everything from the module down to HTTP, or several calls working together (fleets,
  restores, faults): the simulator, ``account`` (``simulated_time`` for modules);
* the client (_client.py): ``fake_session``;
* _api.py: a stand-in for the client (RecordingClient in test_api.py, a route table);
* the login module (cloudbackup_auth): LoggedInClient in test_cloudbackup_auth.py, a client
  after a login (or a refused one);
* a module down to the client (cloudbackup_action): FakeCloudBackup in
  test_cloudbackup_action.py, one account answering the client's two methods in the API's
  wire shapes, each read of a backup or agent moving it one scripted state on, which the
  simulator, driven by its clock, cannot do read by read;
* a module over the _api layer (info, report): FakeApi in plugins/modules/conftest.py,
  normalized records;
* the start protocol (a single start, _fleet_start.start_one) and _backups' stop: FakeAccount
  in test_backups.py, the _api calls with one scripted outcome per POST and an activity feed
  that can lag.

Conftest files cannot be imported from a test module: the fakes come as fixtures.
"""
import collections
import json
import os
import time as real_time

import pytest
import requests

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import CloudBackupClient
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import connection_argument_spec
from cloudbackup_simulator import Simulator

SCENARIO = os.path.join(os.path.dirname(__file__), "..", "..", "simulator", "scenarios", "test.yml")


class SimulatedAccount:
    """Stands for a Cloud Backup account: the frozen simulator, and the real client talking to it."""

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


class FakeClock:
    """Stands for ``time``: a monotonic clock that moves only when slept on, starting at START.

    Give it as ``clock=fake_clock, sleep=fake_clock.sleep`` (reading it is calling it), or
    install it as a module's ``time`` (``monotonic``, ``time``, ``sleep``, ``gmtime``,
    ``strftime``). ``sleeps`` records every sleep; ``elapsed`` is the time since the start;
    ``time()`` is the wall clock, WALL at the start. ``advance`` moves it without a sleep
    (the time a request takes). With ``forbid_zero_sleeps``, a sleep of nothing fails the
    test (a poll loop that sleeps nothing is a busy loop).
    """

    START = 1000.0  # a monotonic clock does not start at zero
    WALL = 1_800_000_000.0

    gmtime = staticmethod(real_time.gmtime)
    strftime = staticmethod(real_time.strftime)

    def __init__(self) -> None:
        self.now = self.START
        self.sleeps = []
        self.forbid_zero_sleeps = False

    def __call__(self) -> float:
        return self.now

    monotonic = __call__

    @property
    def elapsed(self) -> float:
        return self.now - self.START

    def time(self) -> float:
        return self.WALL + self.elapsed

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, "a sleep of %r seconds" % seconds
        assert seconds > 0 or not self.forbid_zero_sleeps, "sleeping for nothing means polling in a busy loop"
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()


class FakeSession:
    """Stands for the requests.Session a CloudBackupClient is given: scripted replies, each request recorded.

    Identity (a URL ending in /tokens) and the API have scripts of their own (``script``): a
    reply is (status, body[, headers]) or an exception to raise. When a script runs out,
    Identity answers ``login(n)`` for the n-th login and the API answers 200 {}. ``calls``
    holds every request's arguments; ``logins`` counts the unscripted logins.
    """

    def __init__(self) -> None:
        self.identity_script = []
        self.api_script = []
        self.login = None
        self.calls = []
        self.logins = 0

    def script(self, identity=(), api=(), login=None) -> "FakeSession":
        self.identity_script = list(identity)
        self.api_script = list(api)
        self.login = login
        return self

    def request(self, method, url, headers=None, data=None, timeout=None, verify=None):
        self.calls.append(dict(method=method, url=url, headers=headers, data=data, timeout=timeout, verify=verify))
        is_identity = url.endswith("/tokens")
        script = self.identity_script if is_identity else self.api_script
        if script:
            reply = script.pop(0)
        elif is_identity:
            assert self.login is not None, "Identity was asked for a token, but the test scripted no login"
            self.logins += 1
            reply = self.login(self.logins)
        else:
            reply = (200, {})
        if isinstance(reply, Exception):
            raise reply
        return self.response(method, url, *reply)

    @staticmethod
    def response(method, url, status, body=b"", headers=None) -> requests.Response:
        """A requests.Response as the wire gives it: ``body`` is bytes, or JSON to encode."""
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        response.headers.update(headers or {})
        response.url = url
        response.request = requests.Request(method, url).prepare()
        return response

    def api_calls(self) -> list:
        return [call for call in self.calls if not call["url"].endswith("/tokens")]

    def identity_calls(self) -> list:
        return [call for call in self.calls if call["url"].endswith("/tokens")]


@pytest.fixture
def fake_session():
    return FakeSession()


@pytest.fixture(scope="session")
def frozen_simulator():
    with Simulator(scenario=SCENARIO, speed=1e-6) as simulator:
        yield simulator


@pytest.fixture
def account(frozen_simulator):
    frozen_simulator.reset()
    return SimulatedAccount(frozen_simulator)
