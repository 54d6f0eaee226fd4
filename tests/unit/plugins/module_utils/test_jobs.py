"""Tests of the one rule set for writes that must not happen twice (_jobs.Rounds).

Every caller (a backup's StartManual, a restore's creation and StartManual, one or a
fleet's) goes through these rounds; their own tests (test_backups.py, test_fleet_start.py,
test_fleet_faults.py, the modules' fault table) run the same rules through each caller.
Here each write's answers are scripted, on the shared fake clock.
"""
import contextlib
import types

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _jobs
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import WAKE_TAKES
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    CloudBackupError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import (
    ROUND_DELAY,
    START_AMBIGUOUS_ATTEMPTS,
    START_FORBIDDEN_WINDOW,
    START_SETTLE_WINDOW,
    Rounds,
    Write,
)

URL = "https://backup.example/v1.0/123/backup/action-requested"
TIMEOUT = 20.0


def server_error():
    return ServerError(503, "POST", URL, "Service Unavailable")


def lost_reply():
    return TransportError("POST", URL, "ReadTimeout")


def refused_connection():
    return TransportError("POST", URL, "ConnectionError: connection refused", sent=False)


def forbidden():
    return Forbidden(403, "POST", URL, "Forbidden")


def over_limit():
    return RateLimited(413, "POST", URL, "overLimit")


class Subject:
    """What a write is for: ``answers`` are what each send gets (an exception, or what it made).

    ``made_after`` is how many looks miss what an unclear send made before one finds it.
    """

    def __init__(self, name, answers, made_after=None):
        self.name, self.answers, self.made_after = name, list(answers), made_after
        self.sends, self.looks = [], 0


class Batch:
    def __init__(self, clock, monkeypatch, *subjects, patience=0.0):
        self.clock, self.subjects = clock, subjects
        self.wakes = []
        monkeypatch.setattr(_jobs, "wake_agents", lambda client: self.wakes.append(clock()))
        client = types.SimpleNamespace(timeout=TIMEOUT, rate_limited=0,
                                       retrying_within=lambda seconds: contextlib.nullcontext())
        self.rounds = Rounds(client, patience, clock.sleep, clock)
        self.writes = [Write(subject) for subject in subjects]

    def send(self, write):
        subject = write.subject
        subject.sends.append(self.clock())
        answer = subject.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def look(self, writes):
        for write in writes:
            subject = write.subject
            subject.looks += 1
            if subject.made_after is not None and subject.looks > subject.made_after:
                write.find("found")

    def run(self, send=None, look=None, **rules):
        self.rounds.run(self.writes, send or self.send, look or self.look, lambda write: CloudBackupError("gave up"),
                        **rules)
        return self.writes


def test_a_clear_answer_is_what_was_made(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", ["made"])).run()

    assert (write.made, write.found, write.unclear, write.subject.looks) == ("made", False, 0, 0)
    assert fake_clock.sleeps == []


@pytest.mark.parametrize("fault, look_for", [
    (server_error, START_SETTLE_WINDOW),
    (lost_reply, TIMEOUT + START_SETTLE_WINDOW),
], ids=["a 5xx: from its reply", "no reply: from the send, past its timeout"])
def test_an_unclear_write_is_looked_for_through_its_window_before_it_is_sent_again(
        fake_clock, monkeypatch, fault, look_for):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [fault(), "made"])).run()

    assert (write.made, write.found, write.unclear) == ("made", False, 1)
    first, second = write.subject.sends
    assert look_for <= second - first <= look_for + 2 * ROUND_DELAY
    assert write.subject.looks >= look_for / ROUND_DELAY


def test_what_an_unclear_write_made_is_found_and_never_made_twice(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [server_error(), "made"], made_after=2)).run()

    assert (write.made, write.found, write.unclear) == ("found", True, 1)
    assert len(write.subject.sends) == 1


def test_a_refused_connection_sent_nothing_so_it_is_sent_again_next_round_without_a_look(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [refused_connection(), "made"])).run()

    assert (write.made, write.unclear, write.subject.looks) == ("made", 0, 0)
    assert fake_clock.sleeps == [ROUND_DELAY]


def test_the_last_unclear_send_is_looked_for_too_then_the_write_gives_up(fake_clock, monkeypatch):
    answers = [refused_connection()] + [server_error()] * (START_AMBIGUOUS_ATTEMPTS - 1)
    [write] = Batch(fake_clock, monkeypatch, Subject("a", answers, made_after=10 ** 6)).run()

    assert write.failure.msg == "gave up"
    assert (len(write.subject.sends), write.unclear) == (START_AMBIGUOUS_ATTEMPTS, START_AMBIGUOUS_ATTEMPTS - 1)
    # Every unclear send was looked for through a window of its own, the last one included.
    assert fake_clock.elapsed >= (START_AMBIGUOUS_ATTEMPTS - 1) * START_SETTLE_WINDOW


def test_refused_connections_alone_fail_with_their_own_error_after_the_last_send(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [refused_connection()] * 10)).run()

    assert "connection refused" in write.failure.msg
    assert len(write.subject.sends) == START_AMBIGUOUS_ATTEMPTS


def test_an_unclear_write_holds_no_other_one_back(fake_clock, monkeypatch):
    slow, quick = Subject("slow", [lost_reply(), "made"]), Subject("quick", [forbidden(), "made"])

    Batch(fake_clock, monkeypatch, slow, quick).run()

    assert quick.sends[1] - quick.sends[0] == ROUND_DELAY  # sent again next round, not after slow's look
    assert slow.sends[1] - slow.sends[0] >= TIMEOUT + START_SETTLE_WINDOW


def test_a_403_is_the_agent_race_sent_again_with_the_wake_up_posted_again_once_per_wake_time(fake_clock, monkeypatch):
    rounds_refused = int(WAKE_TAKES / ROUND_DELAY) + 2
    batch = Batch(fake_clock, monkeypatch, Subject("a", [forbidden()] * rounds_refused + ["made"]))

    [write] = batch.run()

    assert write.made == "made" and write.sends == 0  # refusals are no sends: nothing was done
    assert len(batch.wakes) == 2 and batch.wakes[1] - batch.wakes[0] >= WAKE_TAKES


@pytest.mark.parametrize("patience, refused_for", [(0, START_FORBIDDEN_WINDOW), (60, 60)])
def test_a_write_refused_for_its_patience_fails(fake_clock, monkeypatch, patience, refused_for):
    subject = Subject("a", [forbidden()] * 100)

    [write] = Batch(fake_clock, monkeypatch, subject, patience=patience).run()

    assert write.failure.msg == "gave up" and write.refused == "403"
    assert refused_for <= subject.sends[-1] - subject.sends[0] <= refused_for + ROUND_DELAY


def test_a_batch_that_moves_on_keeps_its_refused_writes_going(fake_clock, monkeypatch):
    # A throttled account: one write goes through every 20 s (ten refused rounds), the others wait their turn.
    subjects = [Subject("s%d" % index, [over_limit()] * 10 + ["made"]) for index in range(4)]

    writes = Batch(fake_clock, monkeypatch, *subjects).run()

    assert [write.made for write in writes] == ["made"] * 4
    assert fake_clock.elapsed >= 4 * 10 * ROUND_DELAY > START_FORBIDDEN_WINDOW


def test_a_rate_limit_refusal_ends_the_round_for_the_writes_after_it(fake_clock, monkeypatch):
    first, second = Subject("first", [over_limit(), "made"]), Subject("second", ["made"])

    Batch(fake_clock, monkeypatch, first, second).run()

    assert second.sends == [first.sends[1]]  # not sent into the limit: next round, after the first


def test_a_403_fails_at_once_where_it_is_no_race(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [forbidden(), "made"])).run(races=False)

    assert write.failure.status == 403 and len(write.subject.sends) == 1


def test_another_api_error_fails_the_write_alone(fake_clock, monkeypatch):
    bad, good = Subject("bad", [NotFound(404, "POST", URL, "")]), Subject("good", ["made"])

    writes = Batch(fake_clock, monkeypatch, bad, good).run()

    assert writes[0].failure.status == 404 and writes[1].made == "made"


def test_a_write_judged_by_its_state_is_looked_at_once_and_sent_again_next_round(fake_clock, monkeypatch):
    [write] = Batch(fake_clock, monkeypatch, Subject("a", [server_error(), "made"])).run(settles=False)

    assert (write.made, write.subject.looks) == ("made", 1)
    assert fake_clock.sleeps == [ROUND_DELAY]


def test_a_write_whose_window_ends_while_the_feed_is_down_fails_rather_than_going_twice(fake_clock, monkeypatch):
    batch = Batch(fake_clock, monkeypatch, Subject("a", [server_error(), "made"]))

    def feed_down(writes):
        raise server_error()
    [write] = batch.run(look=feed_down)

    assert write.failure.status == 503 and len(write.subject.sends) == 1
    assert fake_clock.elapsed >= START_SETTLE_WINDOW


def test_a_lost_reply_is_looked_for_from_when_it_came_back_at_the_earliest(fake_clock, monkeypatch):
    # The client waited out a Retry-After (here 50 s) before the request that got no reply.
    batch = Batch(fake_clock, monkeypatch, Subject("a", [lost_reply(), "made"]))
    send = batch.send

    def send_after_a_rate_limit_wait(write):
        fake_clock.advance(50)
        return send(write)

    batch.run(send=send_after_a_rate_limit_wait)

    first, second = batch.subjects[0].sends
    assert second - first >= START_SETTLE_WINDOW + 50


# --- report_after_end --------------------------------------------------------------------

@pytest.mark.parametrize("reports, looks, sleeps", [
    ([{"backup_id": 7}], 1, []),
    # The report can lag the terminal state by a moment.
    ([None, None, {"backup_id": 7}], 3, [_jobs.REPORT_LOOK_DELAY] * 2),
])
def test_a_report_is_looked_for_again_while_it_lags_the_end(fake_clock, reports, looks, sleeps):
    answers = list(reports)

    assert _jobs.report_after_end(lambda: answers.pop(0), fake_clock.sleep) == {"backup_id": 7}
    assert (len(reports) - len(answers), fake_clock.sleeps) == (looks, sleeps)


def test_a_job_that_never_gets_a_report_has_none_after_a_few_looks(fake_clock):
    looks = []

    assert _jobs.report_after_end(lambda: looks.append(1), fake_clock.sleep) is None
    assert (len(looks), fake_clock.sleeps) == (_jobs.REPORT_LOOKS, [_jobs.REPORT_LOOK_DELAY] * (_jobs.REPORT_LOOKS - 1))
