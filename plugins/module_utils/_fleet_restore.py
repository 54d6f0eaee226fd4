# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Starting restores, one or a whole fleet's, and following a fleet's at once.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the restores of many servers at the cost of few requests each; a single
restore is a batch of one, started by the same code. One read of the account's activity
feed finds the restores already running (joined, never repeated) and the backups to restore
(an older one it does not show is read on its own); one agent list tells their vaults'
encryption and the disabled destinations (a single restore waits for its agent to be online
instead). Each restore then costs its creation and its start, both sent in rounds by
the rules of every write that must not happen twice (_jobs.Rounds): a destination agent
that refuses with 403 (not connected yet) is tried again in the next round while the
others go on, and a creation without a clear answer is looked for in one feed read per
round for all of them. The wait reads the feed once per poll for all of them, and a
restore's report once it has ended. A server whose restore fails is marked failed with a
message; the others go on.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional, Set

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._agents import (
    PROBE_WINDOW,
    AccountAgents,
    wait_for_an_agent,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    get_restore,
    get_restore_report,
    list_activity,
    request_restore_start,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import backup_items
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import all_retrying_within, by_region, per_region
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import (
    Rounds,
    Write,
    gave_up,
    poll_ends,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import (
    HEALTHY_STATE,
    restore_healthy,
    restore_summary,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._restores import (
    RestoreRequest,
    add_paths,
    backup_to_restore,
    cleaned_up_after,
    create_draft,
    folder,
    goes_on,
    in_flight_restore,
    maybe_left,
    new_draft,
    newest_restorable_backup,
    only_draft,
    refuse_encrypted,
    restore_items,
    still_a_draft,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state, is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import WaitResult, Waiter, last_read_failure, pending
from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _verdict


class FleetRestore:
    """One server's restore in the batch: what was asked, what became of it."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.outcome: Optional[str] = None
        self.msg: Optional[str] = None
        self.changed = False
        self.request: Optional[RestoreRequest] = None
        self.restore: Optional[dict] = None
        self.started_at: Optional[float] = None
        self.error: Optional[CloudBackupError] = None
        self.endpoint: Optional[str] = None  # of spec["region"], when the restore has one

    def fail(self, err: CloudBackupError) -> None:
        self.outcome, self.msg, self.error = "failed", err.msg, err
        self.changed = bool(err.details.get("changed", False))
        if not self.changed:
            self.restore = None  # its draft, if it had one, was deleted again

    def as_result(self) -> Dict[str, Any]:
        restore = self.restore or {}
        request = self.request
        return dict(
            name=self.spec["name"], outcome=self.outcome, changed=self.changed, failed=self.outcome == "failed",
            msg=self.msg, restore_id=restore.get("restore_id"),
            backup_id=restore.get("backup_id") or (request.backup_id if request else self.spec.get("backup_id")),
            destination_agent_id=request.destination_agent_id if request else None,
            destination_path=self.spec.get("destination_path"), state=restore.get("state"),
            summary=restore_summary(restore, None) if restore else None, started_at=self.started_at,
            region=self.spec.get("region"), endpoint=self.endpoint,
        )


# --- starting ---------------------------------------------------------------------------------

def start_restores(client: Any, specs: List[dict], check_mode: bool, sleep: Callable[[float], Any] = time.sleep,
                   clock: Callable[[], float] = time.monotonic, warn: Callable[[str], Any] = lambda msg: None,
                   ready: Optional[Callable[[int], Any]] = None, online_timeout: float = PROBE_WINDOW,
                   client_for: Optional[Callable[[dict], Any]] = None) -> List[FleetRestore]:
    """Start (or join) the restore of every element of ``specs``; each one says what became of it.

    ``client_for(spec)`` gives the client of a spec's region (default: ``client`` for all):
    each region's specs are one batch (_client.per_region).
    """

    def failed(spec: dict, err: CloudBackupError) -> FleetRestore:
        one = FleetRestore(spec)
        one.fail(err)
        return one

    started = per_region(specs, client_for or (lambda spec: client),
                         lambda region_client, batch: _start_batch(region_client, batch, check_mode, sleep, clock,
                                                                   warn, ready, online_timeout), failed,
                         started=lambda one: one.restore)
    for endpoint, one in started:
        one.endpoint = endpoint
    return [one for endpoint, one in started]


def _start_batch(client: Any, specs: List[dict], check_mode: bool, sleep: Callable[[float], Any],
                 clock: Callable[[], float], warn: Callable[[str], Any], ready: Optional[Callable[[int], Any]],
                 online_timeout: float) -> List[FleetRestore]:
    """The restores of one region's specs, with one feed read and one agent list.

    An element is the module's ``restores`` option element: ``name``, ``backup_id`` or
    ``configuration_id`` (its newest restorable backup; or ``configuration``, already read),
    ``destination_agent_id`` (default the backup's own agent), ``destination_path``,
    ``overwrite``, ``include``, ``exclude``. ``ready(agent_id)`` raises when a destination
    agent cannot take a restore (a single restore's waits until it is online). By default
    only an unknown or a disabled one fails (one agent list), and the starts wait, at most
    ``online_timeout`` and PROBE_WINDOW, for one of the agents, woken together a moment ago,
    to be online (_agents.wait_for_an_agent) rather than meet a fleet of 403s. Two elements
    that ask for one restore (backup, agent and folder) would make two: the second fails.
    """
    feed = FeedIndex(list_activity(client))
    known_ids = set(feed.restore_ids)
    agents = AccountAgents(client)
    probe = ready is None
    ready = ready or _not_disabled(agents)
    restores = [FleetRestore(spec) for spec in specs]
    asked: Dict[Any, FleetRestore] = {}
    for one in restores:
        try:
            _prepare(client, one, feed, agents, ready, check_mode, asked)
        except CloudBackupError as err:
            one.fail(err)
    to_create = [one for one in restores if one.outcome is None]
    if not to_create:
        return restores
    rounds = Rounds(client, online_timeout, sleep, clock)
    drafts = _create_drafts(client, rounds, to_create, known_ids, warn)
    if drafts and probe:
        _probe(client, drafts, min(online_timeout, PROBE_WINDOW), clock, sleep)
    if drafts:
        _start_drafts(client, rounds, drafts)
    return restores


def _probe(client: Any, drafts: List[FleetRestore], window: float, clock: Callable[[], float],
           sleep: Callable[[float], Any]) -> None:
    """_agents.wait_for_an_agent over the drafts' agents; it only sets the pace, so a failed read ends it."""
    try:
        wait_for_an_agent(client, list(dict.fromkeys(one.request.destination_agent_id for one in drafts)),
                          window, clock=clock, sleep=sleep)
    except CloudBackupError:
        pass


def _not_disabled(agents: AccountAgents) -> Callable[[int], None]:
    """The batch's readiness check: the agent is the account's and not disabled, by the account's agent list.

    Whether an agent is online shows in the 403s of its start (the list's Status is not to be trusted).
    """

    def check(agent_id: int) -> None:
        if agent_id not in agents():
            raise CloudBackupError("destination agent %s is not an agent of the account" % agent_id, agent_id=agent_id)
        if agents()[agent_id].get("is_disabled"):
            raise CloudBackupError("destination agent %s is disabled: it restores nothing until it is enabled again"
                                   % agent_id, agent_id=agent_id)
    return check


class FeedIndex:
    """The account's feed as a batch's preparation reads it, indexed once rather than scanned per server."""

    def __init__(self, activity: List[dict]) -> None:
        restores = restore_items(activity)
        self.restore_ids = [item.get("id") for item in restores]
        self.running = [item for item in restores if goes_on(item.get("current_state"))]
        self._backups: Dict[Any, List[dict]] = {}
        for item in backup_items(activity):
            self._backups.setdefault(item.get("id"), []).append(item)

    def backup(self, backup_id: int) -> List[dict]:
        """The feed's items of the backup ``backup_id`` (for _restores.backup_to_restore)."""
        return self._backups.get(backup_id, [])


def _prepare(client: Any, one: FleetRestore, feed: FeedIndex, agents: AccountAgents, ready: Callable[[int], Any],
             check_mode: bool, asked: Dict[Any, FleetRestore]) -> None:
    """Join the element's running restore, or check that it can be made (outcome stays None until started)."""
    spec = one.spec
    if spec.get("backup_id") is not None:
        backup = backup_to_restore(client, spec["backup_id"], feed.backup(spec["backup_id"]), agents)
    else:
        backup = newest_restorable_backup(
            client, spec.get("configuration") or {"backup_configuration_id": spec["configuration_id"]})
    refuse_encrypted(backup)
    one.request = request = RestoreRequest(
        backup, spec.get("destination_agent_id") or backup["machine_agent_id"], spec["destination_path"],
        bool(spec.get("overwrite")), spec.get("include") or (), spec.get("exclude") or ())
    same = asked.setdefault((request.backup_id, request.destination_agent_id, folder(request.destination_path)), one)
    if same is not one:
        raise CloudBackupError("%s asks for the same restore as %s (backup %s to agent %s:%s): one restore does both"
                               % (spec["name"], same.spec["name"], request.backup_id, request.destination_agent_id,
                                  request.destination_path))
    running = in_flight_restore(client, request, feed.running)
    if running is not None:
        one.outcome, one.restore, one.started_at = "attached", running, time.time()
        return
    ready(request.destination_agent_id)
    if check_mode:
        one.outcome, one.changed = "started", True


def _create_drafts(client: Any, rounds: Rounds, restores: List[FleetRestore], known_ids: Set[Any],
                   warn: Callable[[str], Any]) -> List[FleetRestore]:
    """PUT every restore's draft in rounds (_jobs.Rounds) and give it its paths; the restores that have one.

    A creation without a clear answer is looked for among the new drafts of one feed read
    per round (_restores.new_draft); once one is ours, any other draft of the request
    (an unclear PUT the feed showed late) is deleted (_restores.only_draft). A 403 on a
    creation is no agent race: it fails at once.
    """
    creations = [Write(one) for one in restores]
    rounds.run(creations, lambda creation: create_draft(client, creation.subject.request),
               lambda unclear: _find_drafts(client, unclear, known_ids),
               lambda creation: gave_up(creation, "The creation of a restore of backup %s"
                                        % creation.subject.request.backup_id, rounds.patience),
               races=False)
    drafts = []
    for creation in creations:
        one = creation.subject
        try:
            if creation.failure is not None:
                raise maybe_left(creation.failure, one.request, creation.unclear)
            draft = creation.made
            if creation.unclear:
                draft = only_draft(client, one.request, known_ids, draft, creation.unclear - creation.found, warn)
            known_ids.add(draft["restore_id"])
            one.restore = draft
            add_paths(client, one.request, draft["restore_id"])
            drafts.append(one)
        except CloudBackupError as err:
            one.fail(err)
    return drafts


def _find_drafts(client: Any, unclear: List[Write], known_ids: Set[Any]) -> None:
    """One feed read for every unclear creation; a draft that cannot be read fails its own creation alone."""
    activity = list_activity(client)
    for creation in unclear:
        try:
            draft = new_draft(client, creation.subject.request, known_ids, activity)
        except CloudBackupError as err:
            if err.transient:
                raise
            creation.failure = err
            continue
        if draft is not None:
            creation.find(draft)


def _start_drafts(client: Any, rounds: Rounds, drafts: List[FleetRestore]) -> None:
    """StartManual for every draft in rounds (_jobs.Rounds); a draft that does not start is deleted again.

    The agents were seen online first (a single restore's, or one of a batch's woken
    together), so a 403 means an agent dozed off since, or the race of one still
    connecting: it is sent again, the wake-up posted again while refusals go on. An unclear
    answer is judged at once by the restore's state: sending a restore's StartManual again
    never makes a second restore.
    """
    starts = [Write(one) for one in drafts]

    def send(start: Write) -> int:
        request_restore_start(client, start.subject.restore["restore_id"])
        return start.subject.restore["restore_id"]

    def look(unclear: List[Write]) -> None:
        for start in unclear:
            if not still_a_draft(client, start.subject.restore["restore_id"]):
                start.find(start.subject.restore["restore_id"])  # an earlier, unclear start took effect

    rounds.run(starts, send, look,
               lambda start: gave_up(start, "StartManual for restore %s" % start.subject.restore["restore_id"],
                                     rounds.patience),
               settles=False)
    for start in starts:
        one, restore_id = start.subject, start.subject.restore["restore_id"]
        # A start that failed may follow an unclear one that took effect after all: the state tells.
        if start.made is not None or not still_a_draft(client, restore_id):
            one.outcome, one.changed, one.started_at = "started", True, time.time()
            one.restore = dict(one.restore, state="StartRequested")
        else:
            one.fail(cleaned_up_after(client, restore_id, start.failure))


# --- waiting ----------------------------------------------------------------------------------

def watch_restores(client: Any, entries: List[dict], timeout: float, interval: float,
                   sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                   now: Callable[[], float] = time.time, poll_at_deadline: bool = False,
                   client_for: Optional[Callable[[dict], Any]] = None) -> WaitResult:
    """Poll until every entry has a ``result`` or ``timeout`` passes; the value is ``entries``.

    An entry is the module's wait element (``name``, ``restore_id``, ``destination_path``,
    ``deadline`` in seconds since the epoch, ``allow_completed_with_errors``, ``max_errors``,
    ``completed_report``: whether a Completed restore's report is read), updated in place.
    As the batch backup wait, it does not poll at its own deadline (a wait in chunks polls
    at the start of the next one) unless ``poll_at_deadline``.
    ``client_for(entry)`` is the client of the entry's region (default: ``client`` for all).
    """
    client_for = client_for or (lambda entry: client)
    clients = [region_client for region_client, region_entries in by_region(client_for, entries)] or [client]
    waiter = Waiter(timeout, interval, clock=clock, sleep=sleep, poll_at_deadline=poll_at_deadline,
                    within=lambda seconds: all_retrying_within(clients, seconds))
    return waiter.until(lambda: poll_restores(client, entries, sleep, now, client_for),
                        lambda polled: not pending(polled))


def poll_restores(client: Any, entries: List[dict], sleep: Callable[[float], Any] = time.sleep,
                  now: Callable[[], float] = time.time, client_for: Optional[Callable[[dict], Any]] = None
                  ) -> List[dict]:
    """One look at every pending entry: each region's feed once, a restore's own read only where it cannot tell."""
    for region_client, waiting in by_region(client_for or (lambda entry: client), pending(entries)):
        _poll_region(region_client, waiting, sleep)
    for entry in pending(entries):  # only now: a restore that ended just before its deadline is not out of time
        if entry.get("deadline") is not None and now() >= entry["deadline"]:
            entry["result"] = dict(ended=False, timed_out=True, report=None, healthy=False)
    return entries


def _poll_region(client: Any, waiting: List[dict], sleep: Callable[[float], Any]) -> None:
    """A region's pending entries: their states from one feed read, then the reports of those that ended, together.

    The feed's item gives an entry's state; an entry it does not show is read on its own
    (GET restore/{id}). The report of one that ended confirms its end by the restore's own
    id (_jobs.reports_after_end: a late report costs the batch one delay); without one, the
    restore tells. An entry that ended Completed and whose ``completed_report`` is false
    ends by that state alone: its report would only count the files.
    """
    feed = {item.get("id"): item for item in restore_items(list_activity(client))}
    read: Dict[int, dict] = {}  # the restores read on their own, by id(entry)

    def look(entry: dict) -> bool:
        item = feed.get(entry["restore_id"])
        if item:  # (an element's backup_id option is None unless given)
            entry["backup_id"] = entry.get("backup_id") or item.get("backup_id")
            entry.setdefault("destination_machine_name", item.get("destination_machine_name"))
            entry["state"] = item.get("current_state")
        else:
            read[id(entry)] = restore = get_restore(client, entry["restore_id"])
            _take(entry, restore)
        if entry.get("completed_report") is False and canonical_state(entry["state"]) == HEALTHY_STATE:
            entry["result"] = dict(ended=True, timed_out=False, report=None, healthy=True, report_skipped=True)
            return False
        return is_terminal(entry["state"])

    poll_ends(waiting, look, lambda entry: get_restore_report(client, entry["restore_id"]),
              lambda entry, report: _confirm_end(client, entry, report, read.get(id(entry))), sleep, _unreadable)


def _confirm_end(client: Any, entry: dict, report: Optional[dict], restore: Optional[dict]) -> None:
    """Judge an entry seen ended by its ``report`` (None: none came), else by ``restore`` (read now if None)."""
    if report is not None and is_terminal(report.get("state")):
        entry.update(state=report["state"], backup_id=report.get("backup_report_id"),
                     configuration_name=report.get("backup_configuration_name"),
                     destination_machine_name=report.get("restore_destination"))
        entry["result"] = dict(ended=True, timed_out=False, report=report, healthy=restore_healthy(report))
        return
    _take(entry, restore or get_restore(client, entry["restore_id"]))
    if is_terminal(entry["state"]):
        entry["result"] = dict(ended=True, timed_out=False, report=report, healthy=restore_healthy(report))


def _take(entry: dict, restore: dict) -> None:
    """What the restore's own read tells of the entry."""
    entry.update(state=restore.get("state"), backup_id=restore.get("backup_id"),
                 configuration_name=restore.get("backup_configuration_name"),
                 destination_machine_name=restore.get("destination_machine_name"),
                 destination_path=restore.get("destination_path"))


def _unreadable(entry: dict, err: CloudBackupError) -> None:
    """A restore that cannot be read (deleted, forbidden) fails alone."""
    entry["result"] = dict(ended=True, timed_out=False, report=None, healthy=False, error=err.msg)


def judged(entry: dict, gave_up: Optional[str], gate: Optional[_verdict.Gate]) -> Dict[str, Any]:
    """What a wait element comes to: its summary, and ``failed``/``msg`` by the one verdict (_verdict.judge).

    ``gave_up`` is the words for a restore still running at the end of the wait (None:
    on_timeout=continue); ``gate`` the module's, whose max_errors the element may override.
    The entry's result learns whether it passed, for the progress line.
    """
    result = entry.setdefault("result", None) or dict(ended=False, timed_out=True, report=None, healthy=False)
    report_skipped = bool(result.get("report_skipped"))
    summary = entry_summary(entry, result["report"], report_skipped)
    if gate is not None and entry.get("max_errors") is not None:
        gate = _verdict.Gate(gate.accepted, entry["max_errors"])
    verdict = _verdict.judge(summary, entry.get("state"), result["report"], timed_out=not result["ended"],
                             gave_up=gave_up, good=_verdict.good_states(entry.get("allow_completed_with_errors", True)),
                             gate=gate, unreadable=result.get("error"), report_skipped=report_skipped)
    # What the progress line (_fleet_results.progress_line) counts as passed: this element's verdict.
    result["gate_passed"] = verdict.failure is None
    return dict(name=entry.get("name"), restore_id=entry["restore_id"], backup_id=entry.get("backup_id"),
                state=entry.get("state"), report=result["report"], healthy=result["healthy"], ended=result["ended"],
                timed_out=not result["ended"], summary=summary, gate_passed=verdict.gate_passed,
                failed=verdict.failure is not None, msg=verdict.failure)


def entry_summary(entry: dict, report: Optional[dict], report_skipped: bool) -> str:
    """restore_summary of a wait element: what the feed, the report or the restore told of it."""
    return restore_summary(dict(restore_id=entry["restore_id"], backup_id=entry.get("backup_id"),
                                backup_configuration_name=entry.get("configuration_name"),
                                destination_machine_name=entry.get("destination_machine_name"),
                                destination_path=entry.get("destination_path") or "?", state=entry.get("state")),
                           report, report_skipped) + last_read_failure(entry)
