"""Cloud Backup v1.0 route handlers: one small function per route name.

Each handler gets a ``Call`` (already authenticated, lock held) and returns a Response
or raises ApiError. Objects of other tenants are reported as 404, like unknown ids; so are
those of another region's agents at a regional endpoint (``Call.region``, README
"Regional endpoints").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from werkzeug.wrappers import Request, Response

from . import configuration_writes, restore_views, views
from .errors import ApiError
from .lifecycle import Backup, Restore, Run
from .model import Agent, Configuration, Token, World
from .responses import bare_integer, empty, integer_field, json_response, read_json
from .routes import ACTIONS

# The runs the scheduler turned away without starting (api-notes: Backup states): whether they get a
# report is unknown, hence settings.report_for_unrun.
UNRUN_STATES = ("Skipped", "Missed")


@dataclass
class Call:
    world: World
    request: Request
    token: Token
    args: Dict[str, Any]
    now: float
    scheduled_first: bool = False  # fault: the configuration's schedule fires just before a start
    region: Optional[str] = None  # the regional endpoint called ("ORD"); None: the unprefixed one

    @property
    def tenant_id(self) -> str:
        return self.token.tenant.id

    @property
    def where(self) -> str:
        """At a regional endpoint " in ORD" (to say why an object was not found there), else ""."""
        return " in %s" % self.region if self.region else ""

    def sees_agent(self, agent_id: int) -> bool:
        """The agent is the caller's and known to the endpoint called (the unprefixed one knows every region)."""
        agent = self.world.agents.get(agent_id)
        return (
            agent is not None
            and agent.tenant_id == self.tenant_id
            and self.world.agent_in_region(agent_id, self.region)
        )

    def reply(self, data: Any) -> Response:
        return json_response(data, self.world.settings)


# -- look-ups ----------------------------------------------------------------------------


def _agent(call: Call, agent_id: int) -> Agent:
    if not call.sees_agent(agent_id):
        raise ApiError(404, "Agent %d was not found%s." % (agent_id, call.where))
    return call.world.agents[agent_id]


def _configuration(call: Call, config_id: int, writable: bool = False) -> Configuration:
    config = call.world.configurations.get(config_id)
    if config is None or config.tenant_id != call.tenant_id or not call.sees_agent(config.agent_id):
        raise ApiError(404, "Backup configuration %d was not found%s." % (config_id, call.where))
    if writable and config.deleted:  # a soft-deleted configuration can still be read, not changed
        raise ApiError(404, "Backup configuration %d is deleted." % config_id)
    return config


def _backup(call: Call, backup_id: int) -> Backup:
    backup = call.world.backups.get(backup_id)
    if backup is None or not call.sees_agent(backup.agent_id):
        raise ApiError(404, "Backup %d was not found%s." % (backup_id, call.where))
    return backup


# -- agents ------------------------------------------------------------------------------


def agent_get(call: Call) -> Response:
    return call.reply(views.agent(call.world, _agent(call, call.args["agent_id"]), call.now))


def agent_get_by_server(call: Call) -> Response:
    server_id = call.args["server_id"].lower()
    for agent in call.world.tenant_agents(call.tenant_id, call.region):
        if agent.spec.server_id.lower() == server_id:
            return call.reply(views.agent(call.world, agent, call.now))
    raise ApiError(404, "No agent is registered on server %s%s." % (call.args["server_id"], call.where))


def agent_list(call: Call) -> Response:
    agents = call.world.tenant_agents(call.tenant_id, call.region)
    return call.reply([views.agent(call.world, agent, call.now, listing=True) for agent in agents])


def agent_wake(call: Call) -> Response:
    call.world.wake(call.tenant_id, call.now, call.region)
    return empty(200)


# -- configurations ----------------------------------------------------------------------


def configuration_list(call: Call) -> Response:
    configs = call.world.tenant_configurations(call.tenant_id, region=call.region)
    return call.reply([views.configuration(call.world, config, call.now, listing=True) for config in configs])


def configuration_list_for_agent(call: Call) -> Response:
    agent = _agent(call, call.args["agent_id"])
    configs = call.world.tenant_configurations(call.tenant_id, agent.id)
    return call.reply([views.configuration(call.world, config, call.now) for config in configs])


def configuration_get(call: Call) -> Response:
    config = _configuration(call, call.args["configuration_id"])
    return call.reply(views.configuration(call.world, config, call.now))


def configuration_create(call: Call) -> Response:
    values = configuration_writes.parse_body(read_json(call.request), call.world, call.tenant_id, call.now, call.region)
    config = configuration_writes.create(call.world, call.tenant_id, values)
    body = views.configuration(call.world, config, call.now)
    # The create response carries a few extra fields (api-notes: Backup configurations).
    for key, label in (("Inclusions", "Include"), ("Exclusions", "Exclude")):
        body[key] = [dict(item, Filter=label, FilePathEncoded=None) for item in body[key]]
    return call.reply(body)


def configuration_update(call: Call) -> Response:
    config = _configuration(call, call.args["configuration_id"], writable=True)
    values = configuration_writes.parse_body(read_json(call.request), call.world, call.tenant_id, call.now, call.region)
    configuration_writes.update(call.world, config, values)
    return empty(200)


def configuration_enable(call: Call) -> Response:
    config = _configuration(call, call.args["configuration_id"], writable=True)
    config.active = configuration_writes.enable_flag(read_json(call.request))
    return call.reply(views.configuration(call.world, config, call.now))


def configuration_delete(call: Call) -> Response:
    _configuration(call, call.args["configuration_id"]).deleted = True  # soft delete
    return empty(200)


# -- backups -----------------------------------------------------------------------------


def backup_action(call: Call) -> Response:
    """POST backup/action-requested: StartManual (config id) or StopManual (backup id)."""
    action, target = parse_action(read_json(call.request))
    if action == "StartManual":
        config = _configuration(call, target, writable=True)
        if call.scheduled_first:
            call.world.start_scheduled(config, call.now)
        return bare_integer(call.world.start_backup(config, call.now).id)
    return empty(call.world.stop_backup(_backup(call, target), call.now))


def parse_action(body: Any) -> Tuple[str, int]:
    if not isinstance(body, dict):
        raise ApiError(400, 'The body must be a JSON object such as {"Action": "StartManual", "Id": 42}.')
    action = body.get("Action")
    if action not in ACTIONS:
        raise ApiError(400, 'Action must be "StartManual" or "StopManual", got %r.' % (action,))
    return action, integer_field(body, "Id")


def backup_get(call: Call) -> Response:
    return call.reply(views.backup(call.world, _backup(call, call.args["backup_id"]), call.now))


def backup_completed(call: Call) -> Response:
    config = _configuration(call, call.args["configuration_id"])
    runs = sorted(call.world.completed_backups(config, call.now), key=lambda run: run.finished_at(call.now))
    if call.world.settings.completed_order == "newest_first":
        runs.reverse()
    return call.reply([views.completed(call.world, run, call.now) for run in runs])


def backup_available_for_restore(call: Call) -> Response:
    """Configurations with a restorable run: not deleted, listed by backup/completed (api-notes: Completed backups)."""
    configs = [
        config
        for config in call.world.tenant_configurations(call.tenant_id, region=call.region)
        if not config.deleted and call.world.last_run(config, call.now) is not None
    ]
    return call.reply([views.restorable(call.world, config, call.now) for config in configs])


def backup_report(call: Call) -> Response:
    backup = _backup(call, call.args["backup_id"])
    if not backup.is_terminal_at(call.now) and call.world.settings.report_before_terminal == 404:
        raise ApiError(404, "The report of backup %d is not available yet." % backup.id)
    if backup.state_at(call.now) in UNRUN_STATES and call.world.settings.report_for_unrun == 404:
        raise ApiError(404, "Backup %d did not run and has no report." % backup.id)
    return call.reply(views.report(call.world, backup, call.now))


# -- activity ----------------------------------------------------------------------------


def activity_agent(call: Call) -> Response:
    agent_id = _agent(call, call.args["agent_id"]).id
    world, tenant_id, region = call.world, call.tenant_id, call.region
    return _activity(
        call, world.tenant_backups(tenant_id, agent_id, region), world.tenant_restores(tenant_id, agent_id, region)
    )


def activity_user(call: Call) -> Response:
    world, tenant_id, region = call.world, call.tenant_id, call.region
    return _activity(
        call, world.tenant_backups(tenant_id, region=region), world.tenant_restores(tenant_id, region=region)
    )


def _activity(call: Call, runs: List[Backup], restores: List[Restore]) -> Response:
    """Backups and restores, newest first; each shows up only activity_lag after it began, and a
    backup no longer once activity_window has passed since."""
    settings, now = call.world.settings, call.now
    window = settings.activity_window
    items: List[Tuple[Run, Callable]] = [
        (run, views.activity) for run in runs
        if run.created + settings.activity_lag <= now and (window is None or now - run.created <= window)
    ]
    for restore in restores:
        since = restore_views.listed_from(restore, settings.activity_lag, settings.restore_activity_creating)
        if since is not None and since <= now:
            items.append((restore, restore_views.activity))
    items.sort(key=lambda item: views.activity_time(item[0], now), reverse=True)
    return call.reply([render(call.world, run, now) for run, render in items])


HANDLERS: Dict[str, Callable[[Call], Response]] = {
    "agent.get": agent_get,
    "agent.get_by_server": agent_get_by_server,
    "agent.list": agent_list,
    "agent.wake": agent_wake,
    "configuration.list": configuration_list,
    "configuration.list_for_agent": configuration_list_for_agent,
    "configuration.get": configuration_get,
    "configuration.create": configuration_create,
    "configuration.update": configuration_update,
    "configuration.enable": configuration_enable,
    "configuration.delete": configuration_delete,
    "backup.start": backup_action,
    "backup.stop": backup_action,
    "backup.action": backup_action,
    "backup.get": backup_get,
    "backup.completed": backup_completed,
    "backup.report": backup_report,
    "backup.available_for_restore": backup_available_for_restore,
    "activity.agent": activity_agent,
    "activity.user": activity_user,
}
