"""Tests of the one rule set for writes that must not happen twice (_jobs.write_once)."""
import contextlib

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ServerError, TransportError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import (
    START_AMBIGUOUS_ATTEMPTS,
    START_SETTLE_WINDOW,
    Written,
    write_once,
)

URL = "https://backup.example/v1.0/123/backup/action-requested"
TIMEOUT = 20.0


def server_error():
    return ServerError(503, "POST", URL, "Service Unavailable")


def lost_reply():
    return TransportError("POST", URL, "ReadTimeout")


def refused_connection():
    return TransportError("POST", URL, "ConnectionError: connection refused", sent=False)


class Account:
    """A write's target: ``answers`` are what each send gets (an exception, or what it made)."""

    def __init__(self, clock, answers, made_after=None):
        self.clock, self.answers, self.made_after = clock, list(answers), made_after
        self.sends, self.looks, self.unclear_at_give_up = [], [], None

    def send(self, after_unclear, sent_at):
        sent_at.append(self.clock())
        self.sends.append(after_unclear)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def look(self):
        self.looks.append(self.clock())
        return "found" if self.made_after is not None and len(self.looks) > self.made_after else None

    def give_up(self, err, unclear):
        self.unclear_at_give_up = unclear
        return err

    def write(self):
        return write_once(self.send, self.look, TIMEOUT, self.clock.sleep, self.clock,
                          lambda seconds: contextlib.nullcontext(), give_up=self.give_up)


def test_a_clear_answer_is_what_was_made(fake_clock):
    account = Account(fake_clock, ["made"])

    assert account.write() == Written("made", False, 0)
    assert account.looks == []


@pytest.mark.parametrize("fault, look_for", [
    (server_error, START_SETTLE_WINDOW),
    (lost_reply, TIMEOUT + START_SETTLE_WINDOW),
], ids=["a 5xx: from its reply", "no reply: from the send, past its timeout"])
def test_an_unclear_write_is_looked_for_through_its_window_before_it_is_sent_again(fake_clock, fault, look_for):
    account = Account(fake_clock, [fault(), "made"])

    written = account.write()

    assert written == Written("made", False, 1)
    assert account.sends == [False, True]     # the second send knows the first was unclear
    assert account.looks[-1] - account.looks[0] <= look_for <= account.looks[-1] - account.looks[0] + 3


def test_what_an_unclear_write_made_is_found_and_never_made_twice(fake_clock):
    account = Account(fake_clock, [server_error()], made_after=2)

    assert account.write() == Written("found", True, 1)
    assert len(account.sends) == 1


def test_a_refused_connection_sent_nothing_so_it_is_sent_again_without_a_look(fake_clock):
    account = Account(fake_clock, [refused_connection(), "made"])

    assert account.write() == Written("made", False, 0)
    assert account.looks == []


def test_the_last_unclear_send_is_looked_for_too_then_the_write_gives_up_counting_them(fake_clock):
    account = Account(fake_clock, [refused_connection()] + [server_error()] * (START_AMBIGUOUS_ATTEMPTS - 1),
                      made_after=10 ** 6)

    with pytest.raises(ServerError):
        account.write()

    assert len(account.sends) == START_AMBIGUOUS_ATTEMPTS
    # Every unclear send was looked for through a window of its own, the last one included.
    assert fake_clock.elapsed >= (START_AMBIGUOUS_ATTEMPTS - 1) * START_SETTLE_WINDOW


def test_giving_up_says_how_many_sends_were_unclear(fake_clock):
    account = Account(fake_clock, [lost_reply(), refused_connection(), lost_reply(), lost_reply(), lost_reply()])

    with pytest.raises(TransportError):
        account.write()

    assert account.unclear_at_give_up == 4
