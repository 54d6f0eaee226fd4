# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether a backup or a restore passed: one verdict for every module and filter.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the rules that judge a job's end, so the modules, the batch and the
playbooks' filters never disagree: which final states are good, whether a report passes
a gate (accepted states, ``max_errors``), and what a wait that ran out of time, a bad end
or a closed gate make of the task. It reads reports through _report and makes no request.
"""

from __future__ import annotations

from typing import Iterable, List, NamedTuple, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import (
    HEALTHY_STATE,
    counted,
    error_count,
    no_report,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import (
    TERMINAL_STATES,
    canonical_state,
    is_terminal,
)

DEFAULT_ACCEPTABLE_STATES = (HEALTHY_STATE,)
WITH_ERRORS = "CompletedWithErrors"


class Gate(NamedTuple):
    """What a job's report must show to pass: one of ``accepted`` states, at most ``max_errors`` errors."""

    accepted: List[str]
    max_errors: Optional[int] = None


class Verdict(NamedTuple):
    """``failure``: why the task (or the server) fails, or None; ``gate_passed``: None without a gate or a verdict."""

    failure: Optional[str]
    gate_passed: Optional[bool]


def good_states(allow_errors: bool, stopping: bool = False) -> List[str]:
    """The final states that count as a good end: Completed, CompletedWithErrors when allowed, Stopped when asked for."""
    return [HEALTHY_STATE] + ([WITH_ERRORS] if allow_errors else []) + (["Stopped"] if stopping else [])


def acceptable_states(states: Iterable[str]) -> List[str]:
    """The canonical spelling of each state; ConfigurationError for one that is not final."""
    canonical = [canonical_state(state) for state in states]
    unknown = [state for state in canonical if state not in TERMINAL_STATES]
    if unknown:
        raise ConfigurationError("acceptable_states must be final backup states (%s), got %s"
                                 % (", ".join(sorted(TERMINAL_STATES)), ", ".join(unknown)))
    return canonical


def gate_failure(report: Optional[dict], state: Optional[str], accepted: Iterable[str],
                 max_errors: Optional[int] = None, report_skipped: bool = False) -> Optional[str]:
    """Why the job does not pass the gate, or None when it does.

    ``state`` is what is known without a report (the job's current state, or None when
    there is no job at all): a gate never passes without a report, unless it was
    ``report_skipped`` on purpose for a job that ended Completed - a state that means no
    errors.
    """
    if report is None and not report_skipped:
        return "%s (state %s)" % (no_report(state), state) if state else "no backup to check"
    state = canonical_state(report.get("state") if report else state)
    accepted = list(accepted)
    if state not in accepted:
        return "state %s is not one of the acceptable states (%s)" % (state, ", ".join(accepted))
    errors = error_count(report) if report else 0
    if max_errors is not None and errors > max_errors:
        return "%s, more than max_errors (%d)" % (counted(errors, "error"), max_errors)
    return None


def end_failure(state: Optional[str], report: Optional[dict], good: Iterable[str]) -> Optional[str]:
    """Why a job that ended in ``state`` did not end well; None when it did, or has not ended."""
    state = canonical_state(state)
    if not is_terminal(state) or state in good:
        return None
    why = "ended in state %s" % state
    if report:
        why += ": %s (%s, %s)" % (report.get("diagnostics"), report.get("reason"), counted(error_count(report), "error"))
    if state == WITH_ERRORS:
        why += "; allow_completed_with_errors is false"
    return why


def judge(summary: str, state: Optional[str], report: Optional[dict], timed_out: bool = False,
          gave_up: Optional[str] = None, good: Optional[Iterable[str]] = None, gate: Optional[Gate] = None,
          unreadable: Optional[str] = None, report_skipped: bool = False) -> Verdict:
    """The verdict on a job, each reason after its ``summary`` line.

    A job that a batch wait could no longer read fails with why (``unreadable``). A wait
    that ran out of time has no verdict, the job still runs: it fails with
    ``gave_up`` (the caller's words for its on_timeout=fail), and a gate is not passed;
    else it passes for now, and a gate has no verdict either. A job
    that ended outside the ``good`` states (when given) fails, saying why. With a ``gate``,
    the gate decides the rest and ``gate_passed`` says how it went (gate_failure: a
    ``report_skipped`` job is judged by its Completed state).
    """
    if unreadable is not None:
        return Verdict("%s; %s" % (summary, unreadable), None if gate is None else False)
    if timed_out:
        if gave_up is None:
            return Verdict(None, None)
        return Verdict("%s; %s" % (summary, gave_up), None if gate is None else False)
    bad_end = None if good is None else end_failure(state, report, good)
    if bad_end is not None:
        return Verdict("%s; %s" % (summary, bad_end), None if gate is None else False)
    if gate is None:
        return Verdict(None, None)
    why = gate_failure(report, state, gate.accepted, gate.max_errors, report_skipped)
    return Verdict(None if why is None else "%s; gate failed: %s" % (summary, why), why is None)


def server_failure(summary: str, seen: bool, timed_out: bool, on_timeout: Optional[str], failure: Optional[str],
                   settings: str) -> Optional[str]:
    """Why a server of a fleet job (a role's or a playbook's) fails at the end of the play, or None.

    ``summary`` names its job; ``seen`` is whether a wait saw it end or run out of time - a
    job whose end was never seen is not proven good; ``failure`` is its own verdict's (a bad
    end, a closed gate). ``on_timeout`` is the server's ``<settings>_on_timeout``: a job
    still running at its deadline fails, unless it is V(continue); V(stop) says it was stopped.
    """
    if not seen:
        return "%s; its end was never seen" % summary
    if not timed_out:
        return failure
    if on_timeout == "stop":
        return "%s; it was asked to stop (%s_on_timeout=stop)" % (summary, settings)
    if on_timeout == "continue":
        return None
    return ("%s; it keeps running: raise %s_timeout, or set %s_on_timeout to %s" % (
        summary, settings, settings, "stop or continue" if settings == "run_backup" else "continue"))
