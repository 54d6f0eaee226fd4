"""Scenario files: load (path, packaged name or dict), validate, apply defaults.

The result is a tree of frozen dataclasses; the live state (``model.World``) is rebuilt
from it on every reset, so a scenario is never modified by a simulation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import yaml

from . import scenarios as _packaged
from .faults import Fault, fault_from_fields
from .lifecycle import HISTORY_OUTCOMES, RUN_OUTCOMES, TERMINAL_STATES, Durations, Totals
from .limits import RateLimit, rate_limits_setting
from .random_faults import RandomFaults, random_faults_setting
from .routes import REGIONS
from .schedule import FREQUENCIES, Schedule
from .validation import Fields, ScenarioError
from .wire import parse_size

# Settings that only shape the live state built at load (ids, agent and phase defaults).
LOAD_TIME_SETTINGS = ("first_backup_id", "wake_delay", "awake_window", "durations")
# Resolved through the import system so it works for editable and regular installs alike.
_SCENARIO_DIR = os.path.dirname(os.path.abspath(_packaged.__file__))


@dataclass(frozen=True)
class Settings:
    """Every unknown of the API as a setting (api-notes: Unknowns and simulator settings; README "Settings")."""

    error_format: str = "json"
    escape_slashes: bool = True
    agent_list_status: str = "Offline"
    agent_list_vault_size_null: bool = False
    activity_lag: float = 0.0
    activity_window: Optional[float] = None
    catalog_global_entry: bool = True
    # One endpoint per region, each showing only its region's agents (README "Regional endpoints").
    regional_endpoints: bool = False
    report_before_terminal: Union[int, str] = 404
    report_for_unrun: Union[int, str] = "report"
    second_start: Union[int, str] = "skipped"
    stop_terminal_status: int = 204
    list_deleted_configurations: bool = False
    completed_states: Tuple[str, ...] = ("Completed", "CompletedWithErrors")
    completed_order: str = "newest_first"
    unavailable_start_status: int = 403
    tenant_mismatch_status: int = 403
    duplicate_names: Union[int, str] = 409
    start_time_echo: str = "utc"
    token_lifetime: float = 86400.0
    rbac: bool = True
    size_base: int = 1024
    # Restores (api-notes: Restores, Restore states): read when a restore is created or started.
    first_restore_id: int = 500001
    restore_bad_reference_status: int = 400
    restore_second_start_status: int = 400
    restore_delete_status: int = 204
    restore_delete_started: Union[int, str] = 400
    restore_activity_backup_id: bool = True
    restore_activity_creating: bool = True
    restore_outcome: Optional[str] = None
    restore_durations: Durations = Durations()
    # The front end and soak tests (README "Rate limits and random faults"): off by default.
    rate_limits: Tuple[RateLimit, ...] = ()
    random_faults: Optional[RandomFaults] = None
    first_backup_id: int = 368785
    wake_delay: float = 15.0
    awake_window: float = 70.0
    durations: Durations = Durations()


@dataclass(frozen=True)
class ErrorEntry:
    """One ErrorList item of a report; defaults describe a file locked by another process."""

    path: str
    description: str = "Unable to back up the file"
    exception: str = "The process cannot access the file because it is being used by another process."
    details: str = ""
    code: int = 313
    type: int = 101


# Defaults of a restore report's error entries: a destination file held open.
RESTORE_ERROR = ErrorEntry(path="", description="Unable to restore the file")


@dataclass(frozen=True)
class RestoreScript:
    """How restores of a configuration's backups go (scenario key ``restore``)."""

    outcomes: Tuple[str, ...] = ("Completed",)  # one per started restore; the last one repeats
    durations: Tuple[Tuple[str, float], ...] = ()  # phase overrides of settings.restore_durations
    files_restored: Optional[int] = None  # None: the backup's FilesBackedUp
    bytes_restored: Optional[int] = None  # None: the backup's BytesBackedUp
    errors: Tuple[ErrorEntry, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    id: Optional[int]
    ago: float
    outcome: str
    durations: Durations
    errors: Tuple[ErrorEntry, ...]


@dataclass(frozen=True)
class ConfigurationSpec:
    id: int
    name: str
    schedule: Schedule
    time_zone: str
    active: bool
    deleted: bool
    retention: int
    missed_backup_action: int
    inclusions: Tuple[Tuple[str, str], ...]  # (path, "File"/"Folder")
    exclusions: Tuple[Tuple[str, str], ...]
    notify_recipients: str
    notify_success: bool
    notify_failure: bool
    outcomes: Tuple[str, ...]  # successive manual runs; the last one repeats
    durations: Durations
    totals: Totals
    errors: Tuple[ErrorEntry, ...]
    history: Tuple[HistoryEntry, ...]
    restore: RestoreScript = RestoreScript()


@dataclass(frozen=True)
class AgentSpec:
    id: int
    name: str
    server_id: str
    datacenter: str
    backup_datacenter: str
    os: str
    os_version: str
    architecture: str
    version: str
    ip: str
    flavor: str
    disabled: bool
    encrypted: bool
    vault_size: Optional[int]
    use_servicenet: bool
    wake_delay: float
    awake_window: float
    always_online: bool
    forbid_first_starts: int
    configurations: Tuple[ConfigurationSpec, ...]


@dataclass(frozen=True)
class UserSpec:
    id: str
    username: str
    api_key: Optional[str]
    password: Optional[str]
    roles: Tuple[str, ...]
    token: Optional[str]
    default_region: str


@dataclass(frozen=True)
class TenantSpec:
    id: str
    default_region: str
    users: Tuple[UserSpec, ...]
    agents: Tuple[AgentSpec, ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    settings: Settings
    tenants: Tuple[TenantSpec, ...]
    faults: Tuple[Fault, ...] = field(default=())

    @property
    def first_user(self) -> Tuple[TenantSpec, UserSpec]:
        return self.tenants[0], self.tenants[0].users[0]


def load_scenario(source: Union[str, "os.PathLike[str]", Dict[str, Any]]) -> Scenario:
    """Load a scenario from a dict, a YAML file path, or a packaged name such as "demo"."""
    if isinstance(source, dict):
        return parse_scenario(source, "<dict>")
    path = resolve_path(os.fspath(source))
    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except yaml.YAMLError as error:
        raise ScenarioError("%s: not valid YAML: %s" % (path, error)) from None
    return parse_scenario(data, os.path.basename(path))


def packaged_names() -> List[str]:
    return sorted(name[:-4] for name in os.listdir(_SCENARIO_DIR) if name.endswith(".yml"))


def resolve_path(source: str) -> str:
    """A file path as given, else the packaged scenario of that name."""
    if os.path.isfile(source):
        return source
    packaged = os.path.join(_SCENARIO_DIR, source + ".yml")
    if os.sep not in source and os.path.isfile(packaged):
        return packaged
    raise ScenarioError(
        "scenario %r: no such file, and no packaged scenario of that name (packaged: %s)"
        % (source, ", ".join(packaged_names()))
    )


def parse_scenario(data: Any, name: str) -> Scenario:
    try:
        return _scenario(data, name)
    except ScenarioError as error:
        raise ScenarioError("scenario %s: %s" % (name, error)) from None


def _scenario(data: Any, name: str) -> Scenario:
    root = Fields(data, "")
    settings = _settings(Fields(root.raw("settings", {}), "settings"))
    tenants = tuple(_tenant(fields, settings) for fields in root.children("tenants"))
    faults = tuple(fault_from_fields(fields) for fields in root.children("faults"))
    root.done()
    if not tenants or not tenants[0].users:
        raise root.fail("tenants", "at least one tenant with at least one user is required")
    _check_unique(tenants)
    return Scenario(name, settings, tenants, faults)


def settings_update(base: Settings, changes: Dict[str, Any]) -> Settings:
    """Settings changed at run time, validated like the scenario's. The ones read only while
    the scenario loads are refused: changing them later would silently do nothing."""
    for key in LOAD_TIME_SETTINGS:
        if key in changes:
            raise ScenarioError("settings.%s: only read when the scenario loads; set it in the scenario" % key)
    return _settings(Fields(changes, "settings"), base)


def _settings(fields: Fields, defaults: Settings = Settings()) -> Settings:
    """The scenario's settings; keys left out keep the values of ``defaults``."""
    settings = Settings(
        error_format=fields.choice("error_format", ("json", "text"), defaults.error_format),
        escape_slashes=fields.boolean("escape_slashes", defaults.escape_slashes),
        agent_list_status=fields.choice(
            "agent_list_status", ("Offline", "Online", "Unknown", "actual"), defaults.agent_list_status
        ),
        agent_list_vault_size_null=fields.boolean("agent_list_vault_size_null", defaults.agent_list_vault_size_null),
        activity_lag=fields.seconds("activity_lag", defaults.activity_lag),
        activity_window=None if fields.is_null("activity_window") else fields.seconds("activity_window",
                                                                                      defaults.activity_window),
        catalog_global_entry=fields.boolean("catalog_global_entry", defaults.catalog_global_entry),
        regional_endpoints=fields.boolean("regional_endpoints", defaults.regional_endpoints),
        report_before_terminal=fields.choice(
            "report_before_terminal", (404, "partial"), defaults.report_before_terminal
        ),
        report_for_unrun=fields.choice("report_for_unrun", ("report", 404), defaults.report_for_unrun),
        second_start=_word_or_status(fields, "second_start", "skipped", defaults.second_start),
        stop_terminal_status=fields.status("stop_terminal_status", defaults.stop_terminal_status),
        list_deleted_configurations=fields.boolean("list_deleted_configurations", defaults.list_deleted_configurations),
        completed_states=tuple(
            fields.one_or_many("completed_states", TERMINAL_STATES, list(defaults.completed_states))
        ),
        completed_order=fields.choice("completed_order", ("newest_first", "oldest_first"), defaults.completed_order),
        unavailable_start_status=fields.status("unavailable_start_status", defaults.unavailable_start_status),
        tenant_mismatch_status=fields.status("tenant_mismatch_status", defaults.tenant_mismatch_status),
        duplicate_names=_word_or_status(fields, "duplicate_names", "allow", defaults.duplicate_names),
        start_time_echo=fields.choice("start_time_echo", ("utc", "as_sent"), defaults.start_time_echo),
        token_lifetime=fields.seconds("token_lifetime", defaults.token_lifetime),
        rbac=fields.boolean("rbac", defaults.rbac),
        size_base=fields.choice("size_base", (1024, 1000), defaults.size_base),
        first_restore_id=fields.integer("first_restore_id", defaults.first_restore_id, minimum=1),
        restore_bad_reference_status=fields.status(
            "restore_bad_reference_status", defaults.restore_bad_reference_status
        ),
        restore_second_start_status=fields.status("restore_second_start_status", defaults.restore_second_start_status),
        restore_delete_status=fields.choice("restore_delete_status", (204, 200), defaults.restore_delete_status),
        restore_delete_started=_word_or_status(
            fields, "restore_delete_started", "allow", defaults.restore_delete_started
        ),
        restore_activity_backup_id=fields.boolean("restore_activity_backup_id", defaults.restore_activity_backup_id),
        restore_activity_creating=fields.boolean("restore_activity_creating", defaults.restore_activity_creating),
        restore_outcome=_optional_choice(fields, "restore_outcome", RUN_OUTCOMES, defaults.restore_outcome),
        restore_durations=_durations(fields, "restore_durations", defaults.restore_durations),
        rate_limits=rate_limits_setting(fields, "rate_limits", defaults.rate_limits),
        random_faults=random_faults_setting(fields, "random_faults", defaults.random_faults),
        first_backup_id=fields.integer("first_backup_id", defaults.first_backup_id, minimum=1000),
        wake_delay=fields.seconds("wake_delay", defaults.wake_delay),
        awake_window=fields.seconds("awake_window", defaults.awake_window),
        durations=_durations(fields, "durations", defaults.durations),
    )
    fields.done()
    return settings


def _word_or_status(fields: Fields, key: str, word: str, default: Any) -> Union[int, str]:
    """Settings that take either a keyword (e.g. "skipped") or an HTTP status code."""
    return word if fields.raw(key, default) == word else fields.status(key, default)


def _optional_choice(fields: Fields, key: str, options: Sequence[str], default: Optional[str]) -> Optional[str]:
    """A choice where an explicit null means "none" (so configure(key=None) can clear it)."""
    return None if fields.is_null(key) else fields.choice(key, tuple(options) + (None,), default)


def _durations(parent: Fields, key: str, base: Durations) -> Durations:
    return replace(base, **dict(_duration_overrides(parent, key)))


def _duration_overrides(parent: Fields, key: str) -> Tuple[Tuple[str, float], ...]:
    """The phases given under ``key`` (others keep their defaults wherever they are applied)."""
    fields = Fields(parent.raw(key, {}), parent.path(key))
    names = ("start_requested", "queued", "preparing", "in_progress", "stop")
    overrides = tuple((name, fields.seconds(name, None)) for name in names)
    fields.done()
    return tuple((name, seconds) for name, seconds in overrides if seconds is not None)


def _tenant(fields: Fields, settings: Settings) -> TenantSpec:
    tenant_id = fields.text("id", allow_int=True)
    region = fields.choice("default_region", REGIONS, "DFW")
    users = tuple(_user(user, tenant_id, index, region) for index, user in enumerate(fields.children("users")))
    agents = tuple(_agent(agent, settings, region, index) for index, agent in enumerate(fields.children("agents")))
    fields.done()
    return TenantSpec(tenant_id, region, users, agents)


def _user(fields: Fields, tenant_id: str, index: int, region: str) -> UserSpec:
    user = UserSpec(
        id=fields.text("id", "%s%02d" % (tenant_id, index), allow_int=True),
        username=fields.text("username"),
        api_key=fields.text("api_key", None),
        password=fields.text("password", None),
        roles=tuple(_strings(fields, "roles", ["identity:user-admin"])),
        token=fields.text("token", None),
        default_region=fields.choice("default_region", REGIONS, region),
    )
    if user.api_key is None and user.password is None:
        raise fields.fail("api_key", "a user needs an api_key, a password or both")
    fields.done()
    return user


def _agent(fields: Fields, settings: Settings, region: str, index: int) -> AgentSpec:
    agent_id = fields.integer("id", minimum=1)
    datacenter = fields.choice("datacenter", REGIONS, region)
    agent = AgentSpec(
        id=agent_id,
        name=fields.text("name"),
        server_id=fields.text("server_id"),
        datacenter=datacenter,
        backup_datacenter=fields.choice("backup_datacenter", REGIONS, datacenter),
        os=fields.text("os", "Ubuntu"),
        os_version=fields.text("os_version", "22.04"),
        architecture=fields.choice("architecture", ("64-bit", "32-bit"), "64-bit"),
        version=fields.text("version", "1.10.006176"),
        ip=fields.text("ip", "192.0.2.%d" % (10 + index)),
        flavor=fields.text("flavor", "RaxCloudServer"),
        disabled=fields.boolean("disabled", False),
        encrypted=fields.boolean("encrypted", False),
        vault_size=_size(fields, "vault_size", None, settings.size_base),
        use_servicenet=fields.boolean("use_servicenet", False),
        wake_delay=fields.seconds("wake_delay", settings.wake_delay),
        awake_window=fields.seconds("awake_window", settings.awake_window),
        always_online=fields.boolean("always_online", False),
        forbid_first_starts=fields.integer("forbid_first_starts", 0, minimum=0),
        configurations=tuple(_configuration(config, settings) for config in fields.children("configurations")),
    )
    fields.done()
    return agent


def _configuration(fields: Fields, settings: Settings) -> ConfigurationSpec:
    durations = _durations(fields, "durations", settings.durations)
    errors = _errors(fields)
    config = ConfigurationSpec(
        id=fields.integer("id", minimum=1),
        name=fields.text("name"),
        schedule=_schedule(fields),
        time_zone=fields.text("time_zone", "Eastern Standard Time"),
        active=fields.boolean("active", True),
        deleted=fields.boolean("deleted", False),
        retention=fields.choice("retention", (0, 30, 60), 30),
        missed_backup_action=fields.choice("missed_backup_action", (1, 2), 1),
        inclusions=_paths(fields, "inclusions"),
        exclusions=_paths(fields, "exclusions"),
        notify_recipients=fields.text("notify_recipients", ""),
        notify_success=fields.boolean("notify_success", False),
        notify_failure=fields.boolean("notify_failure", True),
        outcomes=tuple(fields.one_or_many("outcome", RUN_OUTCOMES, "Completed")),
        durations=durations,
        totals=_totals(fields, settings.size_base),
        errors=errors,
        history=tuple(_history(entry, durations, errors) for entry in fields.children("history")),
        restore=_restore_script(Fields(fields.raw("restore", {}), fields.path("restore")), settings.size_base),
    )
    _check_errors_scripted(fields, config.outcomes, errors)
    fields.done()
    return config


def _restore_script(fields: Fields, base: int) -> RestoreScript:
    script = RestoreScript(
        outcomes=tuple(fields.one_or_many("outcome", RUN_OUTCOMES, "Completed")),
        durations=_duration_overrides(fields, "durations"),
        files_restored=fields.integer("files_restored", None, minimum=0),
        bytes_restored=_size(fields, "bytes_restored", None, base),
        errors=_errors(fields, RESTORE_ERROR),
    )
    _check_errors_scripted(fields, script.outcomes, script.errors)
    fields.done()
    return script


def _schedule(fields: Fields) -> Schedule:
    schedule = Schedule(
        frequency=fields.choice("frequency", FREQUENCIES, "Manually"),
        start_hour=fields.integer("start_hour", None),
        start_minute=fields.integer("start_minute", None),
        am_pm=fields.text("am_pm", None),
        day_of_week=fields.integer("day_of_week", None),
        hour_interval=fields.integer("hour_interval", None),
    )
    problem = schedule.problem()
    if problem:
        raise fields.fail("frequency", problem)
    return schedule


def _totals(fields: Fields, base: int) -> Totals:
    return Totals(
        files_searched=fields.integer("files_searched", 1200, minimum=0),
        bytes_searched=_size(fields, "bytes_searched", 350 * 1024**2, base),
        files_backed_up=fields.integer("files_backed_up", 12, minimum=0),
        bytes_backed_up=_size(fields, "bytes_backed_up", 4 * 1024**2, base),
    )


def _size(fields: Fields, key: str, default: Optional[int], base: int) -> Optional[int]:
    value = fields.raw(key, default)
    try:
        return None if value is None else parse_size(value, base)
    except ValueError as error:
        raise fields.fail(key, str(error)) from None


def _paths(fields: Fields, key: str) -> Tuple[Tuple[str, str], ...]:
    """Each item is a folder path ("/var/www") or a mapping {path: /etc/hosts, type: File}."""
    paths = []
    for index, item in enumerate(fields.items(key)):
        entry = Fields({"path": item} if isinstance(item, str) else item, "%s[%d]" % (fields.path(key), index))
        paths.append((entry.text("path"), entry.choice("type", ("File", "Folder"), "Folder")))
        entry.done()
    return tuple(paths)


def _check_errors_scripted(fields: Fields, outcomes: Tuple[str, ...], errors: Tuple[ErrorEntry, ...]) -> None:
    if "CompletedWithErrors" in outcomes and not errors:
        raise fields.fail("errors", "outcome CompletedWithErrors needs at least one entry in errors")


def _errors(fields: Fields, defaults: ErrorEntry = ErrorEntry(path="")) -> Tuple[ErrorEntry, ...]:
    return tuple(_error(entry, defaults) for entry in fields.children("errors"))


def _error(fields: Fields, defaults: ErrorEntry) -> ErrorEntry:
    entry = ErrorEntry(
        path=fields.text("path"),
        description=fields.text("description", defaults.description),
        exception=fields.text("exception", defaults.exception),
        details=fields.text("details", defaults.details),
        code=fields.integer("code", defaults.code),
        type=fields.integer("type", defaults.type),
    )
    fields.done()
    return entry


def _history(fields: Fields, durations: Durations, errors: Tuple[ErrorEntry, ...]) -> HistoryEntry:
    entry = HistoryEntry(
        id=fields.integer("id", None, minimum=1),
        ago=fields.seconds("ago"),
        outcome=fields.choice("outcome", HISTORY_OUTCOMES, "Completed"),
        durations=_durations(fields, "durations", durations),
        errors=_errors(fields) if fields.has("errors") else errors,
    )
    _check_errors_scripted(fields, (entry.outcome,), entry.errors)
    fields.done()
    return entry


def _strings(fields: Fields, key: str, default: List[str]) -> List[str]:
    values = fields.raw(key, default)
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise fields.fail(key, "expected a list of strings, got %r" % (values,))
    return values


def _check_unique(tenants: Tuple[TenantSpec, ...]) -> None:
    """Ids are global in the real service; duplicates would make lookups ambiguous."""
    agents = [agent for tenant in tenants for agent in tenant.agents]
    configurations = [config for agent in agents for config in agent.configurations]
    history = [entry.id for config in configurations for entry in config.history if entry.id is not None]
    tokens = [user.token for tenant in tenants for user in tenant.users if user.token]
    for label, values in (
        ("tenant id", [tenant.id for tenant in tenants]),
        ("username", [user.username for tenant in tenants for user in tenant.users]),
        ("agent id", [agent.id for agent in agents]),
        ("agent server_id", [agent.server_id for agent in agents]),
        ("configuration id", [config.id for config in configurations]),
        ("history backup id", history),
        ("user token", tokens),
    ):
        duplicates = sorted({value for value in values if values.count(value) > 1}, key=str)
        if duplicates:
            raise ScenarioError("duplicate %s: %s" % (label, ", ".join(map(str, duplicates))))
