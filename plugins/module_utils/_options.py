# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the argument specs cannot say about the options: checked before any HTTP call.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: bad input fails with a message that names the option. Each rule is a row
of a table: ``(check, option, keyword arguments)``. A check returns the problem (a
sentence that starts with the option's label) or None; ``check(params, RULES)`` raises the
first problem as a ConfigurationError, ``problems(params, RULES)`` lists them all (the
run_backup role reports every bad variable of a host at once). A value of None is "not
given" and passes every check but ``required``.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlsplit

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError, redact_url
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import TERMINAL_STATES, canonical_state

# The smallest poll_interval: faster polling only loads the API (a run once made 1318
# requests in 3 seconds with 0.000001).
MIN_POLL_INTERVAL = 1
# The longest duration an option may give, about 31 years: far more than any wait needs,
# and within what a sleep or a socket timeout accepts (1e10 seconds overflows them).
MAX_SECONDS = 1e9
# The keys of a backups[].result that the module reads (what the progress line needs of an
# ended backup's verdict); the run_backup_carry filter keeps exactly these.
RESULT_KEYS = ("ended", "timed_out", "gate_passed", "healthy")

Problem = Optional[str]
Rule = Tuple[Callable[..., Problem], str, dict]


def rule(check_function: Callable[..., Problem], name: str, **kwargs: Any) -> Rule:
    """One row of a rules table."""
    return (check_function, name, kwargs)


def problems(params: dict, rules: Iterable[Rule], label: str = "%s") -> List[str]:
    """Every problem of ``params`` under ``rules``; ``label % option`` names an option in the messages."""
    found = []
    for check_function, name, kwargs in rules:
        problem = check_function(params, name, label=label % name, **kwargs)
        if problem:
            found.append(problem)
    return found


def check(params: dict, rules: Iterable[Rule], label: str = "%s") -> None:
    """Raise the first problem of ``params`` under ``rules`` as a ConfigurationError."""
    found = problems(params, rules, label)
    if found:
        raise ConfigurationError(found[0])


def check_unused(params: dict, unused: Dict[str, Tuple[str, ...]], selector: str = "action") -> None:
    """Raise a ConfigurationError for an option given that ``params[selector]`` does not use (``unused[value]``)."""
    for option in unused[params[selector]]:
        if params[option] is not None:
            raise ConfigurationError("%s is not used with %s=%s" % (option, selector, params[selector]))


def check_elements(params: dict, name: str, rules: Iterable[Rule]) -> None:
    """Check each element of the list option ``name`` (its suboptions), labelled ``name[index].option``."""
    for index, element in enumerate(params.get(name) or []):
        check(element, rules, "%s[%d].%%s" % (name, index))


# --- the checks ------------------------------------------------------------------------

def number(params: dict, name: str, label: str, minimum: Optional[float] = None, above: Optional[float] = None,
           unit: str = "", maximum: Optional[float] = None) -> Problem:
    """A finite number, at least ``minimum`` (or greater than ``above``) and at most ``maximum``;
    a numeric string counts (role variables).

    ``unit`` ("seconds") is named in the message.
    """
    value = params.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number_value = float(value)
    except (TypeError, ValueError, OverflowError):
        return "%s must be a number%s, got %r" % (label, " of " + unit if unit else "", value)
    if not math.isfinite(number_value):
        return "%s must be a finite number%s, got %s" % (label, " of " + unit if unit else "", value)
    if above == 0 and number_value <= 0:
        return "%s must be a positive number%s, got %s" % (label, " of " + unit if unit else "", value)
    if above is not None and number_value <= above:
        return "%s must be greater than %s%s, got %s" % (label, _plain(above), " " + unit if unit else "", value)
    if minimum == 0 and number_value < 0:
        return "%s must not be negative, got %s" % (label, value)
    if minimum is not None and number_value < minimum:
        unit = unit[:-1] if unit.endswith("s") and minimum == 1 else unit
        return "%s must be at least %s%s, got %s" % (label, _plain(minimum), " " + unit if unit else "", value)
    if maximum is not None and number_value > maximum:
        return "%s must be at most %s%s, got %s" % (label, _plain(maximum), " " + unit if unit else "", value)
    return None


def seconds(params: dict, name: str, label: str, minimum: Optional[float] = None,
            above: Optional[float] = None) -> Problem:
    """A finite duration in seconds, at most MAX_SECONDS (see ``number``)."""
    return number(params, name, label, minimum=minimum, above=above, unit="seconds", maximum=MAX_SECONDS)


def moment(params: dict, name: str, label: str) -> Problem:
    """A time in seconds since the epoch (finite, not negative)."""
    return number(params, name, label, minimum=0)


def identifier(params: dict, name: str, label: str) -> Problem:
    """An API id: an integer of at least 1."""
    value = params.get(name)
    if value is None:
        return None
    problem = number(params, name, label)
    if problem:
        return problem
    if float(value) != int(float(value)) or int(float(value)) < 1:
        return "%s must be an id (an integer of at least 1), got %s" % (label, value)
    return None


def non_empty(params: dict, name: str, label: str, empty_is_unset: bool = False, secret: bool = False) -> Problem:
    """A string with something else than whitespace in it.

    ``empty_is_unset`` keeps "" as "not given", for the connection options: AWX injects every
    variable of a credential type, blank ones as "". Whitespace alone is still an error.
    """
    value = params.get(name)
    if not isinstance(value, str) or value.strip() or (empty_is_unset and value == ""):
        return None
    if secret or not value:
        return "%s must not be empty or blank" % label
    return "%s must not be empty or blank, got %r" % (label, value)


def header_value(params: dict, name: str, label: str) -> Problem:
    """A value sent in an HTTP header: no whitespace or control character (requests would quote it in an error)."""
    value = params.get(name)
    if isinstance(value, str) and any(character.isspace() or not character.isprintable() for character in value):
        return "%s must not contain spaces or control characters" % label
    return None


def required(params: dict, name: str, label: str) -> Problem:
    return "%s is required" % label if params.get(name) is None else None


def non_empty_list(params: dict, name: str, label: str) -> Problem:
    value = params.get(name)
    return "%s must not be an empty list" % label if value is not None and len(value) == 0 else None


def non_empty_elements(params: dict, name: str, label: str) -> Problem:
    """A list whose elements all have something else than whitespace in them."""
    blank = [index for index, value in enumerate(params.get(name) or []) if not str(value).strip()]
    return "%s[%d] must not be empty or blank" % (label, blank[0]) if blank else None


def final_states(params: dict, name: str, label: str) -> Problem:
    """A non-empty list of final backup states, in any case."""
    value = params.get(name)
    empty = non_empty_list(params, name, label)
    if value is None or empty:
        return empty
    unknown = [str(state) for state in value if canonical_state(state) not in TERMINAL_STATES]
    if unknown:
        shown = ", ".join(state if state.strip() else repr(state) for state in unknown)
        return "%s must be final backup states (%s), got %s" % (label, ", ".join(sorted(TERMINAL_STATES)), shown)
    return None


def url(params: dict, name: str, label: str) -> Problem:
    """An http:// or https:// URL with a host ("" is "not given", as for every connection option)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        parts = urlsplit(value)
        parts.port  # pylint: disable=pointless-statement  # raises ValueError for a port that is not a number
    except (TypeError, ValueError):
        parts = None
    if (parts is None or any(character.isspace() for character in value)
            or parts.scheme.lower() not in ("http", "https") or not parts.hostname):
        return "%s must be an http:// or https:// URL with a host, got %r" % (label, _without_userinfo(value))
    return None


def _without_userinfo(value: str) -> str:
    """The URL without a user:password@ part, even when it does not parse."""
    try:
        return redact_url(value)
    except ValueError:
        scheme, separator, rest = value.partition("://")
        authority, slash, path = rest.partition("/")
        return scheme + separator + authority.rpartition("@")[2] + slash + path


# The regions Cloud Backup has ever served (api-notes: URLs and headers).
REGIONS = ("DFW", "HKG", "IAD", "LON", "ORD", "SYD")


def region_name(params: dict, name: str, label: str) -> Problem:
    """A Rackspace region with a Cloud Backup endpoint, in any case."""
    value = params.get(name)
    if not value or str(value).upper() in REGIONS:
        return None
    return "%s must be one of %s (in any case), got %s" % (label, ", ".join(REGIONS), value)


def existing_path(params: dict, name: str, label: str) -> Problem:
    """A file or directory that exists where the module runs."""
    value = params.get(name)
    if not value or os.path.exists(value):
        return None
    return "%s must be an existing file or directory, got %s (not found)" % (label, value)


def exclusive(params: dict, name: str, label: str, other: str) -> Problem:
    """Not both ``name`` and ``other``."""
    if params.get(name) is None or params.get(other) is None:
        return None
    return "%s and %s are mutually exclusive: give one" % (label, _sibling(label, name, other))


def one_of(params: dict, name: str, label: str, others: Tuple[str, ...] = (), what: str = "",
           when: Optional[Tuple[str, Any]] = None) -> Problem:
    """At least one of ``name`` and ``others`` has a value (only ``when`` option == value, if given).

    AnsibleModule's required_one_of and required_if count an option given as null as given.
    """
    if when is not None and params.get(when[0]) != when[1]:
        return None
    names = (name,) + others
    if any(params.get(option) is not None for option in names):
        return None
    where = _sibling(label, name, "").rstrip(".") or ("%s=%s" % when if when else "the task")
    labels = [_sibling(label, name, option) for option in names]
    return "%s names no %s: give %s" % (where, what, " or ".join(filter(None, (", ".join(labels[:-1]), labels[-1]))))


def previous_result(params: dict, name: str, label: str) -> Problem:
    """A backups[].result, as a previous task returned it: a dict with the keys the module reads."""
    value = params.get(name)
    if not value:
        return None
    missing = [key for key in RESULT_KEYS if key not in value]
    if missing:
        return "%s must be a result of a previous task (with %s), it lacks %s" % (
            label, ", ".join(RESULT_KEYS), ", ".join(missing))
    return None


def _sibling(label: str, name: str, other: str) -> str:
    """The label of option ``other`` beside option ``name`` (``targets[0].agent_id`` -> ``targets[0].server_id``)."""
    return (label[:-len(name)] if label.endswith(name) else "") + other


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- the tables ------------------------------------------------------------------------

# The connection options of every module. ca_path is checked apart (CONNECTION_PATH_RULES):
# the client is also built in tests with paths that only have to look like one.
CONNECTION_RULES = (
    rule(non_empty, "username", empty_is_unset=True),
    rule(non_empty, "api_key", empty_is_unset=True, secret=True),
    rule(non_empty, "password", empty_is_unset=True, secret=True),
    rule(non_empty, "auth_token", empty_is_unset=True, secret=True),
    rule(header_value, "auth_token"),
    rule(non_empty, "tenant_id", empty_is_unset=True),
    rule(url, "identity_url"),
    rule(url, "endpoint"),
    rule(seconds, "timeout", above=0),
)
CONNECTION_PATH_RULES = (
    rule(existing_path, "ca_path"),
)
WAIT_RULES = (
    rule(seconds, "wait_timeout", minimum=0),
    rule(seconds, "poll_interval", minimum=MIN_POLL_INTERVAL),
)

# cloudbackup_action, and its targets' suboptions (also the run_backup role's host settings).
ACTION_RULES = (
    rule(one_of, "configuration_id", others=("configuration_name", "targets"), what="backup configuration",
         when=("action", "start")),
    rule(one_of, "backup_id", others=("configuration_id", "configuration_name"), what="backup", when=("action", "stop")),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(identifier, "agent_id"),
    rule(identifier, "backup_id"),
    rule(seconds, "skip_if_completed_within", minimum=1),
    rule(seconds, "online_timeout", minimum=0),
)
TARGET_RULES = (
    rule(required, "name"),
    rule(non_empty, "name"),
    rule(identifier, "agent_id"),
    rule(non_empty, "server_id"),
    rule(non_empty, "machine_name"),
    rule(one_of, "agent_id", others=("server_id", "machine_name"), what="agent"),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(exclusive, "configuration_id", other="configuration_name"),
    rule(seconds, "skip_if_completed_within", minimum=1),
    rule(region_name, "region"),
    rule(url, "endpoint"),
)

# cloudbackup_info.
INFO_RULES = (
    rule(one_of, "backup_id", what="backup", when=("resource", "backup")),
    rule(one_of, "configuration_id", others=("configuration_name",), what="backup configuration",
         when=("resource", "completed_backups")),
    rule(identifier, "agent_id"),
    rule(non_empty, "machine_name"),
    rule(non_empty, "server_id"),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(identifier, "backup_id"),
    rule(one_of, "restore_id", what="restore", when=("resource", "restore")),
    rule(identifier, "restore_id"),
    rule(non_empty, "query"),
)

# cloudbackup_report, and its backups' suboptions.
REPORT_RULES = (
    rule(one_of, "backup_id", others=("configuration_id", "configuration_name", "backups"), what="backup"),
    rule(identifier, "backup_id"),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(identifier, "agent_id"),
    rule(final_states, "acceptable_states"),
    rule(number, "max_errors", minimum=0),
)
REPORT_ENTRY_RULES = (
    rule(identifier, "backup_id"),
    rule(identifier, "configuration_id"),
    rule(one_of, "backup_id", others=("configuration_id",), what="backup"),
    rule(non_empty, "configuration_name"),
    rule(non_empty, "name"),
    rule(final_states, "acceptable_states"),
    rule(number, "max_errors", minimum=0),
    rule(moment, "started_at"),
    rule(moment, "deadline"),
    rule(previous_result, "result"),
    rule(region_name, "region"),
    rule(url, "endpoint"),
)

# cloudbackup_restore.
RESTORE_RULES = (
    rule(one_of, "backup_id", others=("configuration_id", "configuration_name", "restores"),
         what="backup to restore", when=("action", "start")),
    rule(one_of, "destination_path", others=("restores",), what="destination path", when=("action", "start")),
    rule(one_of, "restore_id", what="restore", when=("action", "stop")),
    rule(one_of, "restore_id", others=("restores",), what="restore", when=("action", "wait")),
    rule(non_empty_list, "restores"),
    rule(identifier, "backup_id"),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(identifier, "agent_id"),
    rule(identifier, "restore_id"),
    rule(identifier, "destination_agent_id"),
    rule(non_empty, "destination_path"),
    rule(non_empty_elements, "include"),
    rule(non_empty_elements, "exclude"),
    rule(seconds, "online_timeout", minimum=0),
    rule(final_states, "acceptable_states"),
    rule(number, "max_errors", minimum=0),
)

# An element of cloudbackup_restore's restores: the restore to start, or the one to wait for.
RESTORE_ELEMENT_RULES = (
    rule(required, "name"),
    rule(non_empty, "name"),
    rule(one_of, "backup_id", others=("configuration_id",), what="backup to restore", when=("action", "start")),
    rule(exclusive, "backup_id", other="configuration_id"),
    rule(one_of, "destination_path", what="destination path", when=("action", "start")),
    rule(one_of, "restore_id", what="restore", when=("action", "wait")),
    rule(identifier, "backup_id"),
    rule(identifier, "configuration_id"),
    rule(identifier, "restore_id"),
    rule(identifier, "destination_agent_id"),
    rule(non_empty, "destination_path"),
    rule(non_empty_elements, "include"),
    rule(non_empty_elements, "exclude"),
    rule(number, "max_errors", minimum=0),
    rule(region_name, "region"),
    rule(url, "endpoint"),
)

# The run_backup role's settings of a host (its run_backup__target), named run_backup_<key>.
# Their types are checked by the role's meta/argument_specs.yml.
ROLE_TARGET_RULES = (
    rule(identifier, "agent_id"),
    rule(non_empty, "server_id"),
    rule(non_empty, "machine_name"),
    rule(identifier, "configuration_id"),
    rule(non_empty, "configuration_name"),
    rule(exclusive, "configuration_id", other="configuration_name"),
    rule(seconds, "skip_if_completed_within", minimum=1),
    rule(number, "max_errors", minimum=0),
    rule(seconds, "timeout", minimum=1),
    rule(seconds, "progress_interval", minimum=1),
    rule(seconds, "poll_interval", minimum=MIN_POLL_INTERVAL),
    rule(seconds, "online_timeout", minimum=1),
    rule(region_name, "region"),
)


# --- what the modules call -------------------------------------------------------------

def check_connection_params(params: dict) -> None:
    """Raise ConfigurationError for bad, missing or conflicting connection options, before any HTTP call."""
    check(params, CONNECTION_RULES)
    problem = _credentials_problem(params)
    if problem:
        raise ConfigurationError(problem)


def _credentials_problem(params: dict) -> Optional[str]:
    username, api_key, password = params.get("username"), params.get("api_key"), params.get("password")
    if api_key and password:
        return "api_key and password are mutually exclusive: give one (api_key is preferred)"
    if username and not (api_key or password):
        return "username needs api_key (preferred) or password"
    if (api_key or password) and not username:
        return "%s needs username" % ("api_key" if api_key else "password")
    if params.get("auth_token") and not params.get("tenant_id"):
        return "auth_token needs tenant_id (the account number the token belongs to)"
    if not (username or params.get("auth_token")):
        return ("no credentials: give username with api_key (or password), or auth_token with tenant_id; "
                "or set RAX_USERNAME and RAX_API_KEY")
    if not username and not params.get("endpoint"):
        return ("auth_token without username and api_key needs endpoint: only a login returns the service "
                "catalog that the endpoint is read from")
    return None


# The connection settings that name an account (never a secret). A fleet play's batch runs
# on the settings of its first host, so a host that gives other values for these would be
# reached through the wrong account.
ACCOUNT_KEYS = ("username", "tenant_id", "identity_url", "endpoint")


def account_problems(mine: dict, batch: dict, batch_host: str, job: str) -> List[str]:
    """A message for each run_backup_<ACCOUNT_KEYS> setting of a host that differs from ``batch_host``'s.

    ``mine`` and ``batch`` map ACCOUNT_KEYS to values (unset: missing, None or ""); ``job``
    is what the play does to a server ("back up", "restore").
    """
    return ["run_backup_%s is %s here but %s on %s, whose connection settings this play's batch uses: %s each "
            "account in a play of its own (one hosts: pattern or --limit each)"
            % (key, _shown(mine.get(key)), _shown(batch.get(key)), batch_host, job)
            for key in ACCOUNT_KEYS if (mine.get(key) or None) != (batch.get(key) or None)]


def _shown(value: Any) -> str:
    # An endpoint or Identity URL given with user:password@ must not show it.
    return '"%s"' % redact_url(str(value)) if value else "not set"
