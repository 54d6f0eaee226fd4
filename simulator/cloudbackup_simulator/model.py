"""The live state of the simulated account(s): tokens, agents, configurations, backups, restores.

Built from a Scenario on every reset. Nothing here runs on its own: states are derived
from the simulated time passed in by the caller (``now``), and callers hold the lock.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

from .errors import ApiError
from .lifecycle import IN_FLIGHT_STATES, SUCCESS_STATES, Backup, Durations, Restore, Run, Totals, plan, scripted
from .scenario import AgentSpec, ConfigurationSpec, HistoryEntry, RestoreScript, Scenario, TenantSpec, UserSpec
from .schedule import Schedule

# FileId values of inclusions/exclusions; any number works, this one is from a doc sample.
_FIRST_FILE_ID = 47085


@dataclass
class Token:
    id: str
    tenant: TenantSpec
    user: UserSpec
    expires: float
    method: str  # "APIKEY" / "PASSWORD", echoed in RAX-AUTH:authenticatedBy


@dataclass
class Agent:
    spec: AgentSpec
    tenant_id: str
    disabled: bool
    forbidden_starts_left: int
    awake: List[Tuple[float, float]] = field(default_factory=list)  # [from, until) windows

    @property
    def id(self) -> int:
        return self.spec.id


@dataclass
class Configuration:
    """A backup configuration; the fields the API can change are plain attributes."""

    id: int
    agent_id: int
    tenant_id: str
    name: str
    schedule: Schedule
    time_zone: str
    active: bool
    deleted: bool
    retention: int
    missed_backup_action: int
    inclusions: List[dict]  # wire items: FileId, FilePath, FileItemType
    exclusions: List[dict]
    notify_recipients: str
    notify_success: bool
    notify_failure: bool
    outcomes: Tuple[str, ...] = ("Completed",)
    durations: Durations = Durations()
    totals: Totals = Totals()
    errors: tuple = ()
    restore: RestoreScript = RestoreScript()
    manual_runs: int = 0
    restores_started: int = 0

    def next_outcome(self) -> str:
        """Scripted outcomes are used in order; the last one repeats."""
        self.manual_runs += 1
        return scripted(self.outcomes, self.manual_runs - 1)

    def next_restore_outcome(self) -> str:
        """The same for restores of this configuration's backups (scenario key ``restore``)."""
        self.restores_started += 1
        return scripted(self.restore.outcomes, self.restores_started - 1)


class World:
    """Everything the API can see or change for all tenants of one scenario."""

    def __init__(self, scenario: Scenario, origin: float) -> None:
        self.settings = scenario.settings
        self.tenants: Dict[str, TenantSpec] = {tenant.id: tenant for tenant in scenario.tenants}
        self.tokens: Dict[str, Token] = {}
        self.agents: Dict[int, Agent] = {}
        self.configurations: Dict[int, Configuration] = {}
        self.backups: Dict[int, Backup] = {}
        self.restores: Dict[int, Restore] = {}
        self._last_restore_id = 0
        self._file_ids = itertools.count(_FIRST_FILE_ID)
        for tenant in scenario.tenants:
            self._load_tenant(tenant, origin)
        self._load_history(scenario, origin)
        self._backup_ids = itertools.count(max([self.settings.first_backup_id - 1, *self.backups]) + 1)
        self._configuration_ids = itertools.count(max([0, *self.configurations]) + 1)

    # -- loading ---------------------------------------------------------------------

    def _load_tenant(self, tenant: TenantSpec, origin: float) -> None:
        for user in tenant.users:
            if user.token:  # pre-issued, e.g. to test the auth_token connection option
                self.tokens[user.token] = Token(
                    user.token, tenant, user, origin + self.settings.token_lifetime, "APIKEY"
                )
        for spec in tenant.agents:
            self.agents[spec.id] = Agent(spec, tenant.id, spec.disabled, spec.forbid_first_starts)
            for config in spec.configurations:
                self.configurations[config.id] = self._configuration_from_spec(config, spec.id, tenant.id)
                # Explicit history ids are reserved first so generated ids never collide.
                for entry in config.history:
                    if entry.id is not None:
                        self._add_history(entry.id, config, spec.id, entry, origin)

    def _load_history(self, scenario: Scenario, origin: float) -> None:
        """History entries without an id get free ids below first_backup_id, in the order
        they ran, so the first backup started in the simulator is first_backup_id."""
        pending = [
            (origin - entry.ago, config, agent.id, entry)
            for tenant in scenario.tenants
            for agent in tenant.agents
            for config in agent.configurations
            for entry in config.history
            if entry.id is None
        ]
        free_ids = (number for number in range(self.settings.first_backup_id - 1, 0, -1) if number not in self.backups)
        ids = sorted(itertools.islice(free_ids, len(pending)))
        for backup_id, (_ran_at, config, agent_id, entry) in zip(ids, sorted(pending, key=lambda item: item[0])):
            self._add_history(backup_id, config, agent_id, entry, origin)

    def _add_history(
        self, backup_id: int, config: ConfigurationSpec, agent_id: int, entry: HistoryEntry, origin: float
    ) -> None:
        timeline = plan(origin - entry.ago, entry.durations, entry.outcome)
        errors = entry.errors if entry.outcome == "CompletedWithErrors" else ()
        self.backups[backup_id] = Backup(backup_id, config.id, agent_id, timeline, config.totals, errors)

    def _configuration_from_spec(self, spec: ConfigurationSpec, agent_id: int, tenant_id: str) -> Configuration:
        return Configuration(
            id=spec.id,
            agent_id=agent_id,
            tenant_id=tenant_id,
            name=spec.name,
            schedule=spec.schedule,
            time_zone=spec.time_zone,
            active=spec.active,
            deleted=spec.deleted,
            retention=spec.retention,
            missed_backup_action=spec.missed_backup_action,
            inclusions=self.file_items(spec.inclusions, spec.id),
            exclusions=self.file_items(spec.exclusions, spec.id),
            notify_recipients=spec.notify_recipients,
            notify_success=spec.notify_success,
            notify_failure=spec.notify_failure,
            outcomes=spec.outcomes,
            durations=spec.durations,
            totals=spec.totals,
            errors=spec.errors,
            restore=spec.restore,
        )

    def file_items(self, paths, configuration_id: int) -> List[dict]:
        """Inclusion/exclusion items as the API shows them, with fresh FileIds."""
        return [
            {"FileId": next(self._file_ids), "FilePath": path, "FileItemType": kind, "ParentId": configuration_id}
            for path, kind in paths
        ]

    def new_configuration_id(self) -> int:
        return next(self._configuration_ids)

    def new_restore_id(self) -> int:
        """Unique and growing; settings.first_restore_id may raise the floor at run time."""
        self._last_restore_id = max(self._last_restore_id + 1, self.settings.first_restore_id)
        return self._last_restore_id

    # -- identity --------------------------------------------------------------------

    def find_user(self, username: str) -> Optional[Tuple[TenantSpec, UserSpec]]:
        for tenant in self.tenants.values():
            for user in tenant.users:
                if user.username == username:
                    return tenant, user
        return None

    def issue_token(self, tenant: TenantSpec, user: UserSpec, method: str, now: float) -> Token:
        token = Token(uuid.uuid4().hex, tenant, user, now + self.settings.token_lifetime, method)
        self.tokens[token.id] = token
        return token

    def valid_token(self, token_id: Optional[str], now: float) -> Optional[Token]:
        token = self.tokens.get(token_id or "")
        return token if token is not None and now < token.expires else None

    def expire_tokens(self, now: float) -> int:
        """Make every token issued so far invalid; returns how many were still valid."""
        live = [token for token in self.tokens.values() if now < token.expires]
        for token in live:
            token.expires = now
        return len(live)

    # -- agents ----------------------------------------------------------------------

    def tenant_agents(self, tenant_id: str, region: Optional[str] = None) -> List[Agent]:
        """A tenant's agents; with ``region`` (a regional endpoint) only those registered there."""
        return sorted(
            (agent for agent in self.agents.values() if agent.tenant_id == tenant_id and in_region(agent, region)),
            key=lambda a: a.id,
        )

    def agent_in_region(self, agent_id: int, region: Optional[str]) -> bool:
        """Whether the regional endpoint of ``region`` knows the agent (None: the unprefixed one knows all)."""
        agent = self.agents.get(agent_id)
        return agent is not None and in_region(agent, region)

    def is_online(self, agent: Agent, now: float) -> bool:
        """Awake after a wake-up, or busy with a backup or with a restore to it (api-notes: Agents and waking)."""
        if agent.spec.always_online or any(start <= now < end for start, end in agent.awake):
            return True
        runs: List[Run] = [*self.agent_backups(agent.id), *self.restores_to(agent.id)]
        return any(run.state_at(now) in IN_FLIGHT_STATES for run in runs)

    def wake(self, tenant_id: str, now: float, region: Optional[str] = None) -> None:
        """One call wakes every agent of the account (api-notes: Agents and waking); at a
        regional endpoint, every agent of the account in that region."""
        for agent in self.tenant_agents(tenant_id, region):
            window = agent.spec.awake_window
            # An agent that is already awake stays awake; a sleeping one needs its delay.
            start = now if self.is_online(agent, now) else now + agent.spec.wake_delay
            agent.awake = [span for span in agent.awake if span[1] > now] + [(start, start + window)]

    def last_success_time(self, agent: Agent, now: float) -> Optional[float]:
        finished = [b.finished_at(now) for b in self.agent_backups(agent.id) if b.state_at(now) in SUCCESS_STATES]
        return max(finished, default=None)

    # -- configurations --------------------------------------------------------------

    def tenant_configurations(
        self, tenant_id: str, agent_id: Optional[int] = None, region: Optional[str] = None
    ) -> List[Configuration]:
        """The list endpoints; soft-deleted ones only if the settings say so (api-notes: Backup configurations).
        With ``region``, only the configurations of that region's agents."""
        return [
            config
            for config in sorted(self.configurations.values(), key=lambda c: c.id)
            if config.tenant_id == tenant_id
            and agent_id in (None, config.agent_id)
            and self.agent_in_region(config.agent_id, region)
            and (self.settings.list_deleted_configurations or not config.deleted)
        ]

    def last_run(self, config: Configuration, now: float) -> Optional[Backup]:
        """The latest run that updates LastRunTime/LastRunBackupReportId (settings.completed_states)."""
        return max(self.completed_backups(config, now), key=lambda b: b.finished_at(now), default=None)

    # -- backups ---------------------------------------------------------------------

    def agent_backups(self, agent_id: int) -> Iterator[Backup]:
        return (backup for backup in self.backups.values() if backup.agent_id == agent_id)

    def configuration_backups(self, config_id: int) -> Iterator[Backup]:
        return (backup for backup in self.backups.values() if backup.configuration_id == config_id)

    def completed_backups(self, config: Configuration, now: float) -> List[Backup]:
        states = self.settings.completed_states
        return [b for b in self.configuration_backups(config.id) if b.state_at(now) in states]

    def start_backup(self, config: Configuration, now: float) -> Backup:
        """StartManual: refuse like the real service, or plan a new run."""
        self.check_can_start(self.agents[config.agent_id], now)
        if self._has_run_in_flight(config, now) and self.settings.second_start != "skipped":
            raise ApiError(self.settings.second_start, "A backup of configuration %d is already queued." % config.id)
        return self._new_run(config, now, "StartRequested")

    def start_scheduled(self, config: Configuration, now: float) -> Backup:
        """A run its schedule started (fault scheduled_first), whatever the agent's state:
        nothing in the simulator runs on a schedule otherwise."""
        return self._new_run(config, now, "StartScheduled")

    def _new_run(self, config: Configuration, now: float, first: str) -> Backup:
        """A new run of the configuration: Skipped while another one is in flight (api-notes: Backup states)."""
        outcome = "Skipped" if self._has_run_in_flight(config, now) else config.next_outcome()
        errors = config.errors if outcome == "CompletedWithErrors" else ()
        timeline = plan(now, config.durations, outcome, first)
        backup = Backup(next(self._backup_ids), config.id, config.agent_id, timeline, config.totals, errors)
        self.backups[backup.id] = backup
        return backup

    def check_can_start(self, agent: Agent, now: float) -> None:
        """403 (or settings.unavailable_start_status) when a job cannot start on ``agent``."""
        status = self.settings.unavailable_start_status
        if agent.disabled:
            raise ApiError(status, "Agent %d is disabled." % agent.id)
        if not self.is_online(agent, now):
            raise ApiError(status, "Agent %d is not online; wake it up first." % agent.id)
        if agent.forbidden_starts_left:  # the scenario's reproduction of the 403 race (api-notes: The 403 race)
            agent.forbidden_starts_left -= 1
            raise ApiError(403, "Agent %d is not connected yet." % agent.id)

    def _has_run_in_flight(self, config: Configuration, now: float) -> bool:
        return any(backup.state_at(now) in IN_FLIGHT_STATES for backup in self.configuration_backups(config.id))

    def stop_backup(self, backup: Backup, now: float) -> int:
        """StopManual; returns the success status: 204, or the configured one for a finished run."""
        if backup.stop(now, self.configurations[backup.configuration_id].durations.stop):
            return 204
        return self.terminal_stop_status("Backup %d has already finished." % backup.id)

    def terminal_stop_status(self, message: str) -> int:
        """StopManual on a finished backup or restore: 204 by default (api-notes: Backup states)."""
        status = self.settings.stop_terminal_status
        if status >= 400:
            raise ApiError(status, message)
        return status

    def tenant_backups(
        self, tenant_id: str, agent_id: Optional[int] = None, region: Optional[str] = None
    ) -> List[Backup]:
        agents = {agent.id for agent in self.tenant_agents(tenant_id, region) if agent_id in (None, agent.id)}
        return [backup for backup in self.backups.values() if backup.agent_id in agents]

    # -- restores --------------------------------------------------------------------

    def restores_to(self, agent_id: int) -> Iterator[Restore]:
        return (item for item in self.restores.values() if item.request.destination_machine_id == agent_id)

    def tenant_restores(
        self, tenant_id: str, agent_id: Optional[int] = None, region: Optional[str] = None
    ) -> List[Restore]:
        """A tenant's restores; with ``agent_id``, those it is the source or the destination of;
        with ``region``, those whose source and destination agents are both in that region."""
        return [
            item
            for item in sorted(self.restores.values(), key=lambda r: r.id)
            if item.tenant_id == tenant_id
            and agent_id in (None, item.request.backup_machine_id, item.request.destination_machine_id)
            and self.restore_in_region(item, region)
        ]

    def restore_in_region(self, item: Restore, region: Optional[str]) -> bool:
        """A regional endpoint knows a restore only when it knows both its agents."""
        request = item.request
        return self.agent_in_region(request.backup_machine_id, region) and self.agent_in_region(
            request.destination_machine_id, region
        )


def in_region(agent: Agent, region: Optional[str]) -> bool:
    """Regional endpoints (settings.regional_endpoints) only know the agents registered in
    their region (the agent's Datacenter); ``region`` None is the unprefixed endpoint: all."""
    return region is None or agent.spec.datacenter == region
