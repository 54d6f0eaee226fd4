# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Making backup configurations what the task declares, one or a whole fleet's at once.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: many declarations at the cost of one read and the writes that differ. One
read of the account's configurations (deleted ones included where the API lists them)
finds each declared one, by id or by agent and name; only a declaration whose settings the
held configuration lacks (_configuration_spec.changes) writes: a create, a full-replacement
PUT, the enable switch, a soft DELETE. A create must not happen twice: the creates go in
rounds by the rules of every such write (_jobs.Rounds), an unclear one looked for in one
read of the account's configurations per round. A declaration that fails (two live
configurations of its name, an API refusal) fails alone; a single one is a batch of one.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Set

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    create_configuration,
    delete_configuration,
    enable_configuration,
    get_configuration,
    list_configurations,
    update_configuration,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import configurations_meant, not_one_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError, ConfigurationError, NotFound
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configuration_spec import (
    changes,
    check_size,
    declared,
    request_body,
    wanted,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import (
    START_FORBIDDEN_WINDOW,
    UNCLEAR,
    Rounds,
    Write,
    gave_up,
)


class Declaration:
    """One declared configuration: what was asked, what became of it."""

    def __init__(self, spec: Dict[str, Any], now: float) -> None:
        self.spec = spec
        self.now = now  # when its schedule's start time is read (_schedules.zone_offsets)
        self.held: Optional[dict] = None  # the live configuration it means, as read first
        self.want: Optional[Dict[str, Any]] = None  # what it is to be, in the options' words (None: absent)
        self.body: Optional[Dict[str, Any]] = None  # the full body of its create or update
        self.record: Optional[dict] = None  # the configuration the API holds after the task (None: absent)
        self.written = False  # whether a write was sent (not in check mode)
        self.done = False  # whether a write of it went through (a failure after it still changed something)
        self.outcome: Optional[str] = None
        self.changed_settings: List[str] = []
        self.changed = False
        self.msg: Optional[str] = None
        self.error: Optional[CloudBackupError] = None

    @property
    def present(self) -> bool:
        return self.spec.get("state", "present") == "present"

    @property
    def encrypted(self) -> bool:
        """Whether the configuration backs up to an encrypted vault (IsEncrypted mirrors its agent's)."""
        return self.present and bool((self.record or self.held or {}).get("is_encrypted"))

    @property
    def label(self) -> str:
        """How a message names the declaration: its name, else its id."""
        return repr(self.spec["name"]) if self.spec.get("name") else "configuration %s" % self.spec.get(
            "configuration_id")

    def fail(self, err: CloudBackupError, maybe_done: bool = False) -> None:
        self.outcome, self.msg, self.error = "failed", err.msg, err
        # Changed only by a write that went through, or one without a clear answer (it may have).
        self.changed = self.done or maybe_done
        if not self.changed:
            self.changed_settings = []

    @property
    def after(self) -> Optional[Dict[str, Any]]:
        """The configuration after the task in the options' words: as check mode predicts it, or as ``record`` is."""
        if self.changed and not self.written and self.outcome != "failed":
            return self.want
        return declared(self.record, self.now) if self.record else None

    def as_result(self) -> Dict[str, Any]:
        known = self.record or self.held or {}
        after = self.after
        # record: the API's configuration after the writes; in check mode, or when they failed, the held one.
        return dict(name=self.spec.get("name") or known.get("backup_configuration_name"),
                    agent_id=self.spec.get("agent_id") or known.get("machine_agent_id"),
                    configuration_id=known.get("backup_configuration_id") if after else None,
                    outcome=self.outcome, changed=self.changed, failed=self.outcome == "failed", msg=self.msg,
                    changed_settings=self.changed_settings, configuration=self.record if after else None,
                    declared=after)

    def diff(self) -> Dict[str, Any]:
        """before and after in the options' words (empty for a configuration that is not there)."""
        header = "%s on agent %s" % (self.label, self.spec.get("agent_id") or (self.held or {}).get("machine_agent_id"))
        return {"before": declared(self.held, self.now) if self.held else {}, "after": self.after or {},
                "before_header": header, "after_header": header}


def apply_configurations(client: Any, specs: List[Dict[str, Any]], check_mode: bool,
                         sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic,
                         now: Callable[[], float] = time.time, refused: Sequence[str] = ()) -> List[Declaration]:
    """Make every declaration of ``specs`` (cloudbackup_configuration's options) true; each says what it did.

    ``refused`` says why each spec's options are bad ("" when they are not): such a declaration
    fails alone, with nothing read or written for it. In check mode nothing is written:
    ``record`` stays the held configuration, ``after`` is what it would be.
    """
    held = list_configurations(client, include_deleted=True)
    declarations = [Declaration(spec, now()) for spec in specs]
    for one, why in zip(declarations, refused):
        if why:
            one.fail(ConfigurationError(why))
    claimed: Dict[Any, Declaration] = {}
    planned: Dict[Any, List[dict]] = {}  # agent -> the bodies the batch means to write for it
    for one in declarations:
        if one.outcome == "failed":
            continue
        try:
            one.held = _find(client, one.spec, held)
            _plan(one)
            _claim(one, claimed, held)
            if one.body is not None:
                check_size(one.body, _others_of_agent(one, held, planned))
                planned.setdefault(one.body["MachineAgentId"], []).append(one.body)
        except CloudBackupError as err:
            one.fail(err)
    if check_mode:
        return declarations
    for one in declarations:
        if one.outcome in ("updated", "enabled", "disabled", "deleted"):
            _write(client, one)
    creates = [one for one in declarations if one.outcome == "created"]
    if creates:
        _create(client, creates, {record.get("backup_configuration_id") for record in held}, sleep, clock)
    return declarations


def _find(client: Any, spec: Dict[str, Any], held: List[dict]) -> Optional[dict]:
    """The live configuration a declaration means (None: there is none), read from ``held``.

    By id: a deleted one is none (a declaration never brings one back); by agent and name:
    two live ones fail, with their ids.
    """
    if spec.get("configuration_id") is not None:
        record = next((one for one in held if one.get("backup_configuration_id") == spec["configuration_id"]), None)
        if record is None:  # an API that leaves deleted configurations out of its list
            try:
                record = get_configuration(client, spec["configuration_id"])
            except NotFound:
                if spec.get("state", "present") == "present":
                    raise
                return None
        if spec.get("agent_id") is not None and record.get("machine_agent_id") != spec["agent_id"]:
            raise CloudBackupError("backup configuration %s belongs to agent %s, not %s: a configuration cannot move"
                                   % (spec["configuration_id"], record.get("machine_agent_id"), spec["agent_id"]),
                                   configuration_id=spec["configuration_id"])
        if record.get("is_deleted") and spec.get("state", "present") == "present":
            raise CloudBackupError("backup configuration %s was deleted: it cannot be changed, declare it by name to "
                                   "create a new one" % spec["configuration_id"], configuration_id=spec["configuration_id"])
        return None if record.get("is_deleted") else record
    agents = configurations_meant(_live(held), spec["agent_id"])
    named = configurations_meant(agents, name=spec["name"])
    if len(named) > 1:  # the one rule for a name that two configurations share (_choose)
        raise CloudBackupError(not_one_configuration(spec["name"], named, agents, spec["agent_id"]),
                               agent_id=spec["agent_id"],
                               configuration_ids=sorted(one.get("backup_configuration_id") for one in named))
    return named[0] if named else None


def _live(configurations: List[dict]) -> List[dict]:
    """The configurations not (soft) deleted: a deleted one is never present."""
    return [configuration for configuration in configurations if not configuration.get("is_deleted")]


def _claim(one: Declaration, claimed: Dict[Any, Declaration], held: List[dict]) -> None:
    """Two declarations of one configuration, or of one name on an agent, would fight: the second fails.

    So does a rename to the name of another live configuration of the agent (the API would
    refuse it, or keep two of one name).
    """
    keys = [("id", one.held["backup_configuration_id"])] if one.held else []
    if one.want is not None:
        agent, name = one.want["agent_id"], one.want["name"]
        keys.append(("name", agent, name))
        if one.held and name != one.held.get("backup_configuration_name"):
            taken = [other["backup_configuration_id"] for other in configurations_meant(_live(held), agent, name)]
            if taken:
                raise CloudBackupError("configuration %s cannot be renamed %r: agent %s has a live configuration of "
                                       "that name (id %s)" % (one.held["backup_configuration_id"], name, agent,
                                                              taken[0]), configuration_ids=taken)
    for key in keys:
        first = claimed.setdefault(key, one)
        if first is not one:
            raise CloudBackupError("%s declares the same configuration as an earlier element (%s)"
                                   % (one.label, first.label))


def _others_of_agent(one: Declaration, held: List[dict], planned: Dict[Any, List[dict]]) -> List[dict]:
    """What else the agent of ``one`` holds or is about to hold: its other live configurations and planned bodies."""
    agent = one.body["MachineAgentId"]
    return [other for other in configurations_meant(_live(held), agent) if other is not one.held] + planned.get(agent, [])


def _plan(one: Declaration) -> None:
    """What the declaration needs: its outcome word, the settings it changes, the record it leads to."""
    spec, current = one.spec, one.held
    if not one.present:
        one.outcome, one.changed = ("deleted", True) if current else ("absent", False)
        return
    if current is None:
        one.outcome, one.changed, one.changed_settings = "created", True, ["created"]
    else:
        one.changed_settings = changes(spec, current, one.now)
        rest = [setting for setting in one.changed_settings if setting != "enabled"]
        one.changed = bool(one.changed_settings)
        one.outcome = ("updated" if rest else ("enabled" if spec["enabled"] else "disabled")) if one.changed \
            else "unchanged"
    one.want = wanted(spec, current, one.now)
    if one.outcome in ("created", "updated"):  # a switch alone sends {"Enable": ...}, no body
        one.body = request_body(one.want, current, spec.get("schedule"), one.now)
    one.record = current


def _write(client: Any, one: Declaration) -> None:
    """The one update, switch or delete the declaration needs; the configuration after it, read back."""
    configuration_id = one.held["backup_configuration_id"]
    one.written = True
    try:
        if one.outcome == "deleted":
            try:
                delete_configuration(client, configuration_id)
            except NotFound:  # listed a moment ago: gone since, or by a retried DELETE whose first went through
                pass
            one.record, one.done = None, True
            return
        if one.outcome == "updated":
            # A PUT may or may not switch IsActive (undocumented): the held value goes, the switch after.
            update_configuration(client, configuration_id, dict(one.body, IsActive=one.held.get("is_active")))
            one.done = True
        enable = one.want.get("enabled")
        if enable is not None and enable != one.held.get("is_active"):
            enable_configuration(client, configuration_id, enable)
            one.done = True
        one.record = get_configuration(client, configuration_id)
    except CloudBackupError as err:
        one.fail(err, maybe_done=isinstance(err, UNCLEAR))


def _create(client: Any, creates: List[Declaration], known_ids: Set[Any], sleep: Callable[[float], Any],
            clock: Callable[[], float]) -> None:
    """POST every new configuration in rounds (_jobs.Rounds): an unclear one is looked for, never sent blind.

    A 403 is no agent race (a create needs no agent online): it fails at once. Should a
    create sent again have made a second configuration after all, the others are deleted.
    """
    rounds = Rounds(client, START_FORBIDDEN_WINDOW, sleep, clock)
    writes = [Write(one) for one in creates]
    try:
        rounds.run(writes, lambda write: create_configuration(client, write.subject.body),
                   lambda unclear: _find_created(client, unclear, known_ids),
                   lambda write: gave_up(write, "The creation of backup configuration %r" % write.subject.spec["name"],
                                         rounds.patience),
                   races=False)
    except CloudBackupError as err:  # the look itself failed for good: the creates not settled fail with it
        for write in writes:
            if not write.settled:
                write.failure = err
    for write in writes:
        one = write.subject
        one.written = True
        if write.made is not None:
            one.record, one.done = write.made, True
        else:
            one.fail(_why_not_created(write), maybe_done=bool(write.unclear))
    sent_again = [write for write in writes if write.unclear and write.made is not None]
    if sent_again:
        _delete_extras(client, sent_again, known_ids)


def _new_ones(configurations: List[dict], spec: Dict[str, Any], known_ids: Set[Any]) -> List[dict]:
    """The live configurations of the spec's agent and name that were not there before the task, oldest first."""
    return sorted((record for record in configurations_meant(_live(configurations), spec["agent_id"], spec["name"])
                   if record.get("backup_configuration_id") not in known_ids),
                  key=lambda record: record["backup_configuration_id"])


def _find_created(client: Any, unclear: List[Write], known_ids: Set[Any]) -> None:
    """One read of the account's configurations for every unclear create: the first new one of its name is it."""
    configurations = list_configurations(client)
    for write in unclear:
        made = _new_ones(configurations, write.subject.spec, known_ids)
        if made:
            write.find(made[0])


def _delete_extras(client: Any, writes: List[Write], known_ids: Set[Any]) -> None:
    """Delete any second new configuration an unclear create sent again left beside the one kept."""
    try:
        configurations = list_configurations(client)
        for write in writes:
            for extra in _new_ones(configurations, write.subject.spec, known_ids):
                if extra["backup_configuration_id"] != write.made["backup_configuration_id"]:
                    delete_configuration(client, extra["backup_configuration_id"])
    except CloudBackupError as err:
        for write in writes:
            write.subject.fail(CloudBackupError(
                "configuration %s was created, but whether an earlier create without a clear answer left a second "
                "one could not be made sure of (%s): list agent %s's configurations"
                % (write.made["backup_configuration_id"], err.msg, write.subject.spec["agent_id"])), maybe_done=True)


def _why_not_created(write: Write) -> CloudBackupError:
    err = write.failure
    if getattr(err, "status", None) == 409:
        return CloudBackupError("the API refused to create backup configuration %r on agent %s with 409 Conflict: "
                                "the agent may have a configuration of that name already (%s)"
                                % (write.subject.spec["name"], write.subject.spec["agent_id"], err.msg))
    if write.unclear:
        return CloudBackupError("%s; a configuration %r may have been created on agent %s all the same: list the "
                                "agent's configurations before running again"
                                % (err.msg, write.subject.spec["name"], write.subject.spec["agent_id"]))
    return err
