"""Rate limits (413 overLimit / 429, sliding windows in client seconds) and random faults
(seeded draws of the explicit faults' effects)."""

import calendar
import time
from collections import Counter

import pytest
import requests
from sim_helpers import TIMEOUT, Api, login, scenario_with
from werkzeug.test import Client

from cloudbackup_simulator import ScenarioError
from cloudbackup_simulator.app import DropConnection, SimulatorApp


def freeze(sim, monkeypatch):
    """Real time stands still, so rate-limit windows move only with sim.advance()."""
    moment = sim.core.clock._monotonic()
    monkeypatch.setattr(sim.core.clock, "_monotonic", lambda: moment)
    return sim


@pytest.fixture
def frozen(sim, monkeypatch):
    return freeze(sim, monkeypatch)


def control(sim, method, path, **kwargs):
    return requests.request(method, sim.info["control_url"] + path, timeout=TIMEOUT, **kwargs)


def statuses(api, path, times):
    return [api.get(path).status_code for _attempt in range(times)]


def parse_utc(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


# --- Rate limits --------------------------------------------------------------------------


def test_per_minute_window_answers_413_over_limit_with_retry_after(frozen, api):
    frozen.configure(rate_limits=[{"routes": ["agent.get"], "per_minute": 2}])
    assert statuses(api, "/agent/300001", 2) == [200, 200]
    refused = api.get("/agent/300001")
    assert refused.status_code == 413 and refused.headers["Retry-After"] == "60"
    body = refused.json()["overLimit"]
    assert (body["code"], body["message"], body["details"]) == (413, "OverLimit Retry...", "Error Details...")
    assert parse_utc(body["retryAfter"]) - frozen.now() == pytest.approx(60, abs=1)
    assert api.get("/user/agents").status_code == 200  # another route: not limited


def test_the_window_slides(frozen, api):
    frozen.configure(rate_limits=[{"routes": ["agent.get"], "per_minute": 2}])
    api.get("/agent/300001")
    frozen.advance(20)
    api.get("/agent/300001")
    frozen.advance(30)
    assert api.get("/agent/300001").headers["Retry-After"] == "10"  # the first one leaves at 60 s
    frozen.advance(10)
    assert statuses(api, "/agent/300001", 2) == [200, 413]  # room for one: the second is 40 s old
    frozen.advance(20)
    assert api.get("/agent/300001").status_code == 200


def test_per_second_window(frozen, api):
    frozen.configure(rate_limits=[{"per_second": 1}])
    assert statuses(api, "/user/agents", 2) == [200, 413]
    assert api.get("/agent/300001").headers["Retry-After"] == "1"
    frozen.advance(1)
    assert statuses(api, "/user/agents", 2) == [200, 413]


def test_both_windows_retry_after_the_later_one(frozen, api):
    frozen.configure(rate_limits=[{"per_second": 1, "per_minute": 2}])
    api.get("/user/agents")
    frozen.advance(5)
    api.get("/user/agents")
    refused = api.get("/user/agents")
    assert refused.headers["Retry-After"] == "55"
    assert frozen.requests()[-1]["rate_limit"] == {"rule": 0, "window": "per_minute", "limit": 2, "retry_after": 55}


def test_refused_requests_are_logged_not_counted_and_have_no_effect(frozen, api):
    api.wake()
    frozen.configure(rate_limits=[{"routes": ["backup.start"], "per_minute": 1}])
    assert api.start(400001).json() == 368785
    assert [api.start(400001).status_code for _attempt in range(3)] == [413, 413, 413]
    assert 368786 not in {backup["BackupId"] for backup in frozen.state()["backups"]}
    entries = frozen.requests("backup.start")
    assert [entry["status"] for entry in entries] == [200, 413, 413, 413]
    assert entries[0]["rate_limit"] is None
    assert entries[1]["rate_limit"] == {"rule": 0, "window": "per_minute", "limit": 1, "retry_after": 60}
    assert entries[1]["fault"] is None and entries[1]["body"] == {"Action": "StartManual", "Id": 400001}
    frozen.advance(60)  # the refused ones did not count: the window is empty again
    assert api.start(400001).status_code == 200


def test_a_refused_request_does_not_use_up_a_fault(frozen, api):
    frozen.configure(rate_limits=[{"routes": ["agent.get"], "per_minute": 1}])
    api.get("/agent/300001")
    frozen.add_fault(route="agent.get", status=503)
    assert api.get("/agent/300001").status_code == 413
    assert frozen.core.fault_list()[0]["remaining"] == 1
    frozen.advance(60)
    assert statuses(api, "/agent/300001", 2) == [503, 413]


def test_method_and_route_patterns(frozen, api):
    api.wake()
    frozen.configure(rate_limits=[{"method": "post", "routes": ["backup.*", "restore.st*"], "per_minute": 1}])
    assert statuses(api, "/backup/100001", 3) == [200, 200, 200]  # GET: not this rule's
    backup_id = api.start(400001).json()
    assert api.stop(backup_id).status_code == 413  # backup.stop matches backup.*
    assert api.post("/user/wakeupagents").status_code == 200
    settings = frozen.configure()["rate_limits"][0]
    assert (settings["method"], settings["routes"]) == ("POST", ("backup.*", "restore.st*"))


def test_the_first_full_rule_refuses_and_every_matching_rule_counts(frozen, api):
    frozen.configure(
        rate_limits=[
            {"routes": ["agent.*"], "per_minute": 4},
            {"routes": ["agent.get"], "per_minute": 1, "status": 429},
        ]
    )
    assert statuses(api, "/agent/300001", 2) == [200, 429]
    assert frozen.requests()[-1]["rate_limit"]["rule"] == 1
    assert statuses(api, "/user/agents", 4) == [200, 200, 200, 413]  # agent.get took one of rule 0's four
    assert frozen.requests()[-1]["rate_limit"]["rule"] == 0


def test_429_has_the_plain_error_body(frozen, api):
    frozen.configure(rate_limits=[{"per_minute": 1, "status": 429}])
    api.get("/user/agents")
    refused = api.get("/user/agents")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    message = "Rate limit of 1 per minute exceeded. Retry after 60 seconds."
    assert refused.json() == {"code": 429, "message": message}


def test_body_can_be_chosen_against_the_status_default(frozen, api):
    frozen.configure(rate_limits=[{"per_minute": 1, "status": 429, "body": "overLimit"}], error_format="text")
    api.get("/user/agents")
    assert api.get("/user/agents").json()["overLimit"]["code"] == 429
    frozen.configure(rate_limits=[{"per_minute": 1, "body": "plain"}])
    api.get("/user/agents")
    refused = api.get("/user/agents")
    assert refused.status_code == 413 and refused.headers["Content-Type"].startswith("text/plain")


def test_retry_after_false_or_fixed(frozen, api):
    frozen.configure(rate_limits=[{"per_minute": 1, "retry_after": False}])
    api.get("/user/agents")
    refused = api.get("/user/agents")
    assert "Retry-After" not in refused.headers
    assert parse_utc(refused.json()["overLimit"]["retryAfter"]) - frozen.now() == pytest.approx(60, abs=1)
    assert frozen.requests()[-1]["rate_limit"]["retry_after"] is None
    frozen.configure(rate_limits=[{"per_minute": 1, "retry_after": "5s"}])
    api.get("/user/agents")
    refused = api.get("/user/agents")
    assert refused.headers["Retry-After"] == "5"
    assert parse_utc(refused.json()["overLimit"]["retryAfter"]) - frozen.now() == pytest.approx(5, abs=1)


def test_identity_is_limited_too(frozen):
    frozen.configure(rate_limits=[{"routes": ["identity.tokens"], "per_minute": 1}])
    assert login(frozen, "admin", "admin-key").status_code == 200
    refused = login(frozen, "admin", "admin-key")
    assert refused.status_code == 413 and "overLimit" in refused.json()
    frozen.configure(rate_limits=[{"per_minute": 2}])  # routes null: every API request
    api = Api(frozen)
    assert statuses(api, "/user/agents", 2) == [200, 413]


def test_the_control_path_is_never_limited(frozen, api):
    frozen.configure(rate_limits=[{"per_second": 1}])
    assert [control(frozen, "GET", "/state").status_code for _attempt in range(3)] == [200, 200, 200]
    assert statuses(api, "/user/agents", 2) == [200, 413]
    assert control(frozen, "POST", "/clock", json={"advance": 1}).status_code == 200
    assert api.get("/user/agents").status_code == 200


def test_windows_are_real_seconds_at_any_speed(make_sim, monkeypatch):
    sim = freeze(make_sim(scenario_with(), speed=10), monkeypatch)
    sim.configure(rate_limits=[{"per_minute": 1}])
    api = Api(sim)
    refused = api.get("/agent/1001")
    assert refused.headers["Retry-After"] == "60"
    assert parse_utc(refused.json()["overLimit"]["retryAfter"]) - sim.now() == pytest.approx(600, abs=1)
    sim.advance(300)  # 30 real seconds
    assert api.get("/agent/1001").headers["Retry-After"] == "30"
    sim.advance(300)
    assert api.get("/agent/1001").status_code == 200


def test_configure_over_http_scenario_settings_and_reset(make_sim, monkeypatch):
    sim = freeze(make_sim(scenario_with({"rate_limits": [{"routes": "agent.list", "per_minute": 1}]})), monkeypatch)
    api = Api(sim)
    assert statuses(api, "/user/agents", 2) == [200, 413]
    sim.reset()  # the scenario's limits again, with empty windows
    api = Api(sim)
    assert statuses(api, "/user/agents", 2) == [200, 413]
    answer = control(sim, "POST", "/settings", json={"rate_limits": [{"routes": ["agent.get"], "per_minute": 1}]})
    assert answer.json()["rate_limits"][0]["routes"] == ["agent.get"]
    assert statuses(api, "/user/agents", 2) == [200, 200]
    assert statuses(api, "/agent/1001", 2) == [200, 413]
    control(sim, "POST", "/settings", json={"rate_limits": None})
    assert control(sim, "GET", "/settings").json()["rate_limits"] == []
    assert statuses(api, "/agent/1001", 2) == [200, 200]


def test_setting_the_limits_again_starts_empty_windows(frozen, api):
    limits = [{"per_minute": 1}]
    frozen.configure(rate_limits=limits)
    assert statuses(api, "/user/agents", 2) == [200, 413]
    frozen.configure(activity_lag=5)  # another setting: the windows stay
    assert api.get("/user/agents").status_code == 413
    frozen.configure(rate_limits=limits)
    assert api.get("/user/agents").status_code == 200


@pytest.mark.parametrize(
    "limit, fragment",
    [
        ({"per_minute": 5, "status": 503}, "settings.rate_limits[0].status: must be one of 413, 429"),
        ({"routes": ["backup.*"]}, "settings.rate_limits[0].per_second: a rate limit needs per_second, per_minute"),
        ({"per_minute": 5, "burst": 2}, "settings.rate_limits[0].burst: unknown key"),
        ({"per_minute": 5, "routes": [5]}, "routes: expected route names or patterns (strings), got 5"),
        ({"per_minute": 5, "routes": {"backup": 1}}, "routes: expected a list of route names or patterns"),
        ({"per_minute": 5, "routes": []}, "routes: expected a list of route names or patterns"),
        ({"per_minute": 5, "routes": ["backup.strat"]}, "routes: 'backup.strat' matches no route name"),
        ({"per_minute": 5, "method": "PATCH"}, "method: must be one of GET, POST, PUT, DELETE"),
        ({"per_minute": 0}, "per_minute: must be at least 1"),
        ({"per_second": 1.5}, "per_second: expected an integer"),
        ({"per_minute": 5, "retry_after": "soon"}, "retry_after: expected true, false or seconds"),
        ({"per_minute": 5, "body": "html"}, "body: must be one of overLimit, plain"),
    ],
)
def test_invalid_rate_limits_are_refused(sim, limit, fragment):
    with pytest.raises(ScenarioError) as error:
        sim.configure(rate_limits=[limit])
    assert fragment in str(error.value)


def test_invalid_rate_limits_over_http_and_in_a_scenario(sim, make_sim):
    bad = control(sim, "POST", "/settings", json={"rate_limits": {"per_minute": 5}})
    assert bad.status_code == 400 and "settings.rate_limits: expected a list" in bad.json()["message"]
    with pytest.raises(ScenarioError, match=r"scenario <dict>: settings.rate_limits\[0\]: expected a mapping"):
        make_sim(scenario_with({"rate_limits": ["agent.get"]}))


# --- Random faults ------------------------------------------------------------------------


def test_same_seed_same_faults(sim, api):
    def run(seed):
        sim.configure(random_faults={"seed": seed, "status_503": 0.5})
        return statuses(api, "/agent/300001", 30)

    first = run(7)
    assert 5 < first.count(503) < 25 and set(first) == {200, 503}
    assert run(7) == first  # setting it again restarts the sequence
    assert run(8) != first
    sim.reset()
    api = Api(sim)
    assert run(7) == first


def test_rates_are_respected_over_2000_requests(sim, api):
    rates = {"status_503": 0.1, "processed_500": 0.05, "drop": 0.05, "processed_drop": 0.02}
    sim.configure(random_faults=dict(rates, seed=3, routes=["agent.get"]))
    client = Client(SimulatorApp(sim.core))  # in-process: 2000 requests in well under a second
    for _attempt in range(2000):
        try:
            client.get("/v1.0/123456/agent/300001", headers={"X-Auth-Token": api.token})
        except DropConnection:
            pass
    drawn = Counter(_kind(entry["fault"]) for entry in sim.requests("agent.get"))
    for name, rate in rates.items():
        spread = 4 * (2000 * rate * (1 - rate)) ** 0.5
        assert abs(drawn[name] - 2000 * rate) < spread, (name, drawn)
    assert drawn[None] == 2000 - sum(drawn[name] for name in rates)


def _kind(fault):
    kinds = {
        (("random", True), ("status", 503)): "status_503",
        (("apply", True), ("random", True), ("status", 500)): "processed_500",
        (("drop", True), ("random", True)): "drop",
        (("apply", True), ("drop", True), ("random", True)): "processed_drop",
    }
    return None if fault is None else kinds[tuple(sorted(fault.items()))]


def test_processed_500_acts_then_answers_500(sim, api):
    api.wake()
    sim.configure(random_faults={"routes": ["backup.start"], "processed_500": 1})
    assert api.start(400001).status_code == 500
    assert api.state(368785) == "StartRequested"
    assert sim.requests("backup.start")[0]["fault"] == {"status": 500, "apply": True, "random": True}


def test_status_503_does_nothing(sim, api):
    api.wake()
    sim.configure(random_faults={"routes": ["backup.*"], "method": "POST", "status_503": 1})
    assert api.get("/backup/100001").status_code == 200  # a GET: not drawn for
    assert api.start(400001).status_code == 503
    assert api.get("/backup/368785").status_code == 404
    assert sim.requests("backup.start")[0]["fault"] == {"status": 503, "random": True}


def test_drops_before_or_after_acting(sim, api):
    api.wake()
    sim.configure(random_faults={"routes": ["backup.start"], "drop": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.start(400001)
    assert api.get("/backup/368785").status_code == 404
    sim.configure(random_faults={"routes": ["backup.start"], "processed_drop": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.start(400001)
    assert api.state(368785) == "StartRequested"
    entries = sim.requests("backup.start")
    assert [entry["status"] for entry in entries] == [None, None]
    assert entries[1]["fault"] == {"drop": True, "apply": True, "random": True}


def test_explicit_faults_come_first_and_take_no_draw(sim, api):
    sim.configure(random_faults={"seed": 11, "status_503": 0.5})
    baseline = statuses(api, "/agent/300001", 12)
    sim.add_fault(route="agent.get", status=502)
    sim.configure(random_faults={"seed": 11, "status_503": 0.5})
    assert statuses(api, "/agent/300001", 13) == [502] + baseline
    assert sim.requests("agent.get")[-13]["fault"] == {"status": 502}


def test_rate_limited_requests_take_no_draw(frozen, api):
    spec = {"seed": 5, "routes": ["agent.get"], "status_503": 0.5}
    frozen.configure(random_faults=spec)
    baseline = statuses(api, "/agent/300001", 6)
    frozen.configure(random_faults=spec, rate_limits=[{"routes": ["agent.get"], "per_minute": 3}])
    assert statuses(api, "/agent/300001", 5) == baseline[:3] + [413, 413]
    frozen.advance(60)
    assert statuses(api, "/agent/300001", 3) == baseline[3:]


def test_identity_is_untouched_unless_named(sim):
    sim.configure(random_faults={"status_503": 1})
    assert login(sim, "admin", "admin-key").status_code == 200
    assert Api(sim).get("/user/agents").status_code == 503
    sim.configure(random_faults={"routes": ["identity.*"], "status_503": 1})
    assert login(sim, "admin", "admin-key").status_code == 503


def test_random_faults_off_by_null_and_by_reset(make_sim):
    sim = make_sim(scenario_with({"random_faults": {"status_503": 1}}))
    api = Api(sim)
    assert api.get("/user/agents").status_code == 503
    assert control(sim, "POST", "/settings", json={"random_faults": None}).json()["random_faults"] is None
    assert api.get("/user/agents").status_code == 200
    sim.reset()
    assert control(sim, "GET", "/settings").json()["random_faults"]["status_503"] == 1
    assert Api(sim).get("/user/agents").status_code == 503


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"status_503": 1.5}, "settings.random_faults.status_503: expected a rate between 0 and 1, got 1.5"),
        ({"drop": -0.1}, "settings.random_faults.drop: expected a rate between 0 and 1"),
        ({"processed_500": "often"}, "settings.random_faults.processed_500: expected a rate between 0 and 1"),
        ({"status_503": 0.6, "drop": 0.6}, "settings.random_faults: the rates add up to 1.2; at most 1"),
        ({"status_500": 0.1}, "settings.random_faults.status_500: unknown key"),
        ({"seed": "abc"}, "settings.random_faults.seed: expected an integer"),
        ({"routes": [None]}, "settings.random_faults.routes: expected route names or patterns"),
        ({"method": "HEAD"}, "settings.random_faults.method: must be one of"),
        ([0.1], "settings.random_faults: expected a mapping"),
    ],
)
def test_invalid_random_faults_are_refused(sim, spec, fragment):
    with pytest.raises(ScenarioError) as error:
        sim.configure(random_faults=spec)
    assert fragment in str(error.value)
