# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Starting the backups of a whole fleet in one process.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: turn a list of targets (one per server: its agent and its configuration)
into one backup each, with the API work shared by all of them. One agent list, one
configuration list and one read of the account's activity feed find every agent, every
configuration and every run already in flight; one wake-up wakes every agent; each
backup then costs one StartManual. A server whose agent, configuration or start fails is
marked failed with a message; the others go on. A single start is a batch of one
(start_one): the rules of a StartManual live in FleetStarter alone.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._agents import PROBE_WINDOW, wait_for_an_agent
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    find_agent_by_server,
    is_online,
    get_agent,
    get_configuration,
    list_activity,
    list_agents,
    list_configurations,
    request_start,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import (
    in_flight_run,
    new_run_since,
    one_run_goes_on,
    recent_good_backup,
    runs_of,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import (
    agent_label,
    agent_wanted,
    agents_meant,
    configurations_meant,
    not_one_agent,
    not_one_configuration,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._client import per_region
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError, NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import Rounds, Write, gave_up
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import good_states


class TargetFailed(CloudBackupError):
    """One server of the batch cannot be backed up; the others go on."""


class FleetTarget:
    """One server of the batch: what was asked, what was found, what happened."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.name = spec["name"]
        self.agent: Optional[dict] = None
        self.configuration: Optional[dict] = None
        self.outcome: Optional[str] = None
        self.backup_id: Optional[int] = None
        self.state: Optional[str] = None
        self.msg: Optional[str] = None
        self.requested_at: Optional[float] = None
        # Its StartManual, as the rounds see it.
        self.start = Write(self)

    def finish(self, outcome: str, backup_id: Optional[int] = None, state: Optional[str] = None) -> None:
        self.outcome, self.backup_id, self.state = outcome, backup_id, state
        self.requested_at = time.time()

    def fail(self, msg: str) -> None:
        self.outcome, self.msg = "failed", msg

    def follow(self, leader: "FleetTarget") -> None:
        """Share the backup of another target of the same configuration (attached to it, not started)."""
        if leader.outcome == "failed":
            self.fail(leader.msg)
        else:
            self.finish("attached", leader.backup_id, leader.state)

    @property
    def configuration_id(self) -> int:
        return self.configuration["backup_configuration_id"]

    def as_result(self) -> Dict[str, Any]:
        agent, configuration = self.agent or {}, self.configuration or {}
        return dict(
            name=self.name, outcome=self.outcome, changed=self.outcome == "started", failed=self.outcome == "failed",
            msg=self.msg, backup_id=self.backup_id, state=self.state, requested_at=self.requested_at,
            agent_id=agent.get("machine_agent_id"), machine_name=agent.get("machine_name"),
            configuration_id=configuration.get("backup_configuration_id"),
            configuration_name=configuration.get("backup_configuration_name"), throttled=self.start.throttled,
        )


# --- finding each target's agent and configuration ----------------------------------------

def resolve_targets(client: Any, specs: List[dict]) -> List[FleetTarget]:
    """A FleetTarget per spec, its agent and configuration found, or failed with the reason."""
    targets = [FleetTarget(spec) for spec in specs]
    agents = list_agents(client)
    configurations = list_configurations(client)
    for target in targets:
        try:
            target.agent = agent_of(client, target.spec, agents)
            target.configuration = configuration_of(client, target.spec, target.agent, configurations)
        except TargetFailed as err:
            target.fail(err.msg)
    return targets


def agent_of(client: Any, spec: dict, agents: List[dict]) -> dict:
    """The target's enabled agent: by agent_id, else server_id, else machine_name (_choose.agents_meant)."""
    settings = {key: spec.get(key) for key in ("agent_id", "server_id", "machine_name")}
    matches = agents_meant(agents, **settings)
    if not matches and settings["agent_id"] is None and settings["server_id"]:
        # The list may leave HostServerId out (api-notes: Agents and waking): then ask the server endpoint.
        found = find_agent_by_server(client, settings["server_id"])
        matches = [found] if found is not None else []
    if len(matches) != 1:
        raise TargetFailed(not_one_agent(agent_wanted(**settings), matches))
    agent = matches[0]
    if agent.get("is_disabled"):
        raise TargetFailed("agent %s is disabled and runs no backups: enable it in the Cloud Backup control panel "
                           "or API first" % agent_label(agent))
    return agent


def configuration_of(client: Any, spec: dict, agent: dict, configurations: List[dict]) -> dict:
    """The target's live configuration: by id, by name among the agent's, or the agent's only one."""
    agent_id = agent["machine_agent_id"]
    if spec.get("configuration_id") is not None:
        configuration = _configuration_by_id(client, spec["configuration_id"], configurations)
        if configuration["machine_agent_id"] != agent_id:
            raise TargetFailed('configuration %s ("%s") belongs to agent %s, not to agent %s'
                               % (configuration["backup_configuration_id"], configuration.get("backup_configuration_name"),
                                  configuration["machine_agent_id"], agent_label(agent)))
        return configuration
    own = configurations_meant(configurations, agent_id)
    matches = configurations_meant(own, name=spec.get("configuration_name"))
    if len(matches) != 1:
        raise TargetFailed(not_one_configuration(spec.get("configuration_name"), matches, own, agent_label(agent)))
    return matches[0]


def _configuration_by_id(client: Any, configuration_id: int, configurations: List[dict]) -> dict:
    listed = [configuration for configuration in configurations
              if configuration.get("backup_configuration_id") == configuration_id]
    if listed:
        return listed[0]
    try:
        configuration = get_configuration(client, configuration_id)
    except NotFound:
        raise TargetFailed("backup configuration %s not found" % configuration_id) from None
    if configuration.get("is_deleted"):
        raise TargetFailed('backup configuration %s ("%s") is deleted and cannot be backed up'
                           % (configuration_id, configuration.get("backup_configuration_name")))
    return configuration


# --- what each target needs: attach, fresh, or a start --------------------------------------

def attach_or_skip(client: Any, targets: List[FleetTarget], activity: List[dict]) -> List[FleetTarget]:
    """Attach to the runs in flight, keep fresh backups; return the targets that need a start."""
    to_start = []
    for target in _live(targets):
        running = in_flight_run(runs_of(activity, target.configuration_id))
        if running is not None:
            target.finish("attached", running["id"], running.get("current_state"))
            continue
        fresh = _fresh_backup(client, target)
        if fresh is not None:
            target.finish("fresh", fresh["backup_id"], fresh.get("current_state"))
        else:
            to_start.append(target)
    return to_start


def _fresh_backup(client: Any, target: FleetTarget) -> Optional[dict]:
    window = target.spec.get("skip_if_completed_within")
    if not window:
        return None
    return recent_good_backup(client, target.configuration_id, window,
                              good_states(target.spec.get("allow_completed_with_errors")))


def _live(targets: List[FleetTarget]) -> List[FleetTarget]:
    return [target for target in targets if target.outcome is None]


# --- starting: one wake-up for all, one StartManual each -----------------------------------

class FleetStarter:
    """Starts one backup per target, waking the agents once and again only when needed.

    The StartManuals go through _jobs.Rounds, the rules of every write that must not happen
    twice: no target holds another back, a 403 or a rate-limit refusal is sent again next
    round (the wake-up re-posted while they go on), and a start without a clear answer is
    looked for, in one read of the account's activity feed per round for all of them
    (_backups.new_run_since), before it is sent again. Once every start is settled, one more
    feed read finds a second new run beside a started one (an unclear start acted on late,
    a scheduled run that fired just before): one of the two goes on (_backups.one_run_goes_on).
    """

    def __init__(self, client: Any, wake: bool, online_timeout: float,
                 sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 warn: Callable[[str], Any] = lambda msg: None, agent_id: Optional[int] = None) -> None:
        self.client = client
        self.wake = wake
        # The feed the runs are looked for in: the one the known runs came from (an agent's, or the account's).
        self.agent_id = agent_id
        self.clock = clock
        self.sleep = sleep
        self.warn = warn
        self.rounds = Rounds(client, online_timeout, sleep, clock)

    def start_all(self, targets: List[FleetTarget], activity: List[dict]) -> None:
        if not targets:
            return
        known_ids = {run.get("id") for run in activity}
        if self.wake:
            self.rounds.wake_up()
            self.wait_for_an_agent(list(dict.fromkeys(target.agent["machine_agent_id"] for target in targets)))
        self.rounds.run([target.start for target in targets], self.send, lambda starts: self.look(starts, known_ids),
                        self.give_up)
        for target in targets:
            if target.start.failure is not None:
                target.fail(target.start.failure.msg)
        self.keep_one_run_each([target for target in targets if target.outcome == "started"], known_ids)

    def wait_for_an_agent(self, agent_ids: List[int]) -> None:
        """_agents.wait_for_an_agent, re-posting the wake-up when it may have lapsed."""
        wait_for_an_agent(self.client, agent_ids, PROBE_WINDOW, clock=self.clock, sleep=self.sleep,
                          before_read=lambda: self.rounds.wake_up(again=True))

    def send(self, start: Write) -> int:
        target = start.subject
        target.finish("started", request_start(self.client, target.configuration_id))
        return target.backup_id

    def look(self, unclear: List[Write], known_ids: set) -> None:
        """One feed read for every unclear start: the new run of its configuration, if it shows."""
        activity = list_activity(self.client, self.agent_id)
        for start in unclear:
            run_id = new_run_since(self.client, start.subject.configuration, activity, known_ids)
            if run_id is not None:
                start.subject.finish("started", run_id)
                start.find(run_id)

    def keep_one_run_each(self, started: List[FleetTarget], known_ids: set) -> None:
        """One feed read: where a second new run of a started configuration is in flight, one of the two goes on.

        Best effort: the backups are started, so a failure to look only warns.
        """
        if not started:
            return
        try:
            activity = list_activity(self.client, self.agent_id)
        except CloudBackupError as err:
            self.warn("%d backup(s) were started, but the look for a second run of them failed: %s"
                      % (len(started), err.msg))
            return
        for target in started:
            rivals = [run["id"] for run in runs_of(activity, target.configuration_id)
                      if run.get("id") not in known_ids and run["id"] != target.backup_id
                      and not is_terminal(run.get("current_state"))]
            if rivals:
                target.backup_id = one_run_goes_on(self.client, target.configuration_id, target.backup_id, rivals,
                                                   self.warn, self.sleep)

    def give_up(self, start: Write) -> CloudBackupError:
        """Why a target's start failed in the rounds, saying whether its agent is asleep."""
        target, patience = start.subject, self.rounds.patience
        what = "StartManual for backup configuration %s" % target.configuration_id
        if start.unclear:
            return CloudBackupError("%s got no clear answer %d times (the last: %s), and no new run of it appeared"
                                    % (what, start.unclear, start.last_unclear.msg))
        if start.refused == "403":
            try:
                agent = get_agent(self.client, target.agent["machine_agent_id"])
            except CloudBackupError:
                agent = dict(target.agent, status=None)
            if agent.get("status") is not None and not is_online(agent):
                return CloudBackupError("agent %s is %s after %d seconds and %d wake-up(s): check that the agent "
                                        "service (driveclient) runs on the server"
                                        % (agent_label(agent), agent["status"], patience, self.rounds.wakes))
        return gave_up(start, what, patience)


def start_fleet(client: Any, specs: List[dict], wake: bool, online_timeout: float, check_mode: bool,
                sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                client_for: Optional[Callable[[dict], Any]] = None,
                warn: Callable[[str], Any] = lambda msg: None) -> List[dict]:
    """Start or attach to a backup for every target spec; one result dict per spec, in order.

    ``client_for(spec)`` gives the client of a spec's region (default: ``client`` for all):
    each region's specs are one batch, with its own reads and wake-up.
    """
    def failed(spec: dict, err: CloudBackupError) -> dict:
        return dict(FleetTarget(spec).as_result(), outcome="failed", failed=True, msg=err.msg)

    started = per_region(specs, client_for or (lambda spec: client),
                         lambda region_client, batch: _start_batch(region_client, batch, wake, online_timeout,
                                                                   check_mode, sleep, clock, warn), failed,
                         started=lambda outcome: outcome["backup_id"])
    return [dict(outcome, region=spec.get("region"), endpoint=endpoint)
            for spec, (endpoint, outcome) in zip(specs, started)]


def start_one(client: Any, agent: dict, configuration: dict, runs: List[dict], online_timeout: float,
              sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
              warn: Callable[[str], Any] = lambda msg: None) -> int:
    """Start one backup of ``configuration`` as a batch of one; the id of the run that goes on.

    ``agent``, the configuration's, was just seen online, so no wake-up is posted first (a
    refused start still re-posts one); ``runs``, the configuration's activity items read
    just before, are what a new run is told apart from.
    """
    target = FleetTarget(dict(name=configuration.get("backup_configuration_name")))
    target.agent, target.configuration = agent, configuration
    FleetStarter(client, False, online_timeout, sleep, clock, warn, agent_id=agent["machine_agent_id"]).start_all(
        [target], runs)
    if target.outcome == "failed":
        raise target.start.failure or CloudBackupError(target.msg)  # the API's own error (status, url) when it was one
    return target.backup_id


def _start_batch(client: Any, specs: List[dict], wake: bool, online_timeout: float, check_mode: bool,
                 sleep: Callable[[float], Any], clock: Callable[[], float], warn: Callable[[str], Any]) -> List[dict]:
    """The results of one region's specs: resolved, attached or started with one set of reads and one wake-up."""
    targets = resolve_targets(client, specs)
    activity = list_activity(client) if _live(targets) else []
    leaders, followers = one_per_configuration(attach_or_skip(client, targets, activity))
    if check_mode:
        for target in leaders:
            target.finish("started")
    else:
        FleetStarter(client, wake, online_timeout, sleep, clock, warn).start_all(leaders, activity)
    for follower, leader in followers:
        follower.follow(leader)
    return [target.as_result() for target in targets]


def one_per_configuration(targets: List[FleetTarget]) -> Tuple[List[FleetTarget], List[Tuple[FleetTarget, FleetTarget]]]:
    """The targets to start, one per configuration, and (follower, leader) for the others.

    Two hosts can name one configuration (one server under two inventory names): a second
    StartManual would only queue a Skipped run, so the second host joins the first's.
    """
    leaders: Dict[int, FleetTarget] = {}
    followers = []
    for target in targets:
        if target.configuration_id in leaders:
            followers.append((target, leaders[target.configuration_id]))
        else:
            leaders[target.configuration_id] = target
    return list(leaders.values()), followers
