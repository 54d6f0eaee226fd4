# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of playbooks/restore.yml: which backup each server gets, what became of it, the table.

The playbook's YAML only runs the modules and moves their results; the decisions (which
source of a backup id wins, when a server failed, how the table reads) are made here, once,
and unit-tested. Each filter is documented in the .yml file of its name.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import (
    agent_wanted,
    agents_meant,
    configurations_meant,
    not_one_agent,
    not_one_configuration,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import CARRIED_KEYS, cell
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    RESTORE_ELEMENT_RULES,
    ROLE_TARGET_RULES,
    account_problems,
    check,
    region_name,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import human_duration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import server_failure

# Where a server's backup id came from, besides the record file (named by its path).
GIVEN = "restore_backup_id"
RECORDED = "pre_upgrade_backups"
NEWEST = "newest"
SKIP = "skip"  # restore_unrecorded's default: a server a given record leaves out is left alone
NOT_RECORDED = "not recorded"
NOTHING_TO_RESTORE = ("nothing to restore: no restore_backup_id, no recorded backup, and no single configuration "
                      "found for its agent")
TABLE_COLUMNS = "%-10s %-8s %-8s %-20s %7s %6s %8s  %s"
# The keys pre_upgrade_backup.yml records under: RECORDED, and RECORDED_<id of its hosts>. AWX
# merges the artifacts of a sliced job's slices with dict.update, so each slice's own key
# survives where RECORDED holds only the last slice's servers.
RECORD_KEY = re.compile(r"^%s(_[0-9a-f]+)?$" % RECORDED)
# When a record was written (ISO 8601 UTC): of two records that name one server, the newer wins.
RECORDED_AT = "%s_recorded_at" % RECORDED
RECORD_KEY_DIGITS = 12


def restore_choice(host: str, given: Any, recorded: Optional[Dict[str, Any]], record_file: str,
                   from_file: Optional[Dict[str, Any]], unrecorded: str = SKIP) -> dict:
    """The backup to restore on ``host`` and where its id came from: ``{backup_id, source}``.

    The first of: the host's own ``given`` id; the ``recorded`` mapping (pre_upgrade_backups,
    an extra variable); ``from_file``, the mapping read from ``record_file``. Without an id,
    the server's newest restorable backup (backup_id None, source "newest") - unless a record
    was given and the server is not in it, or is in it with null: its backup did not pass, so
    it was not upgraded, and it is left alone (source "not recorded") unless ``unrecorded`` is
    "newest". The first record that names the server decides: a null in a newer one is not
    filled in from an older one.
    """
    if given not in (None, ""):
        return {"backup_id": given, "source": GIVEN}  # the module checks that it is an id
    for record, source in ((recorded, RECORDED), (from_file, record_file)):
        if host in (record or {}):
            if record[host] not in (None, ""):
                return {"backup_id": record[host], "source": source}
            break
    a_record_was_given = recorded is not None or bool(record_file)
    return {"backup_id": None, "source": NOT_RECORDED if a_record_was_given and unrecorded != NEWEST else NEWEST}


def restore_choices(requests: List[dict], recorded: Optional[Dict[str, Any]], record_file: str,
                    from_file: Optional[Dict[str, Any]]) -> List[dict]:
    """Each server's request with its ``choice`` (restore_choice), by its own ``restore_backup_id`` and ``unrecorded``.

    One call for the play (run_once): a filter that each server's task called would be
    loaded by every forked worker.
    """
    return [dict(request, choice=restore_choice(request["name"], request.get("restore_backup_id"), recorded,
                                                record_file, from_file, request.get("unrecorded") or SKIP))
            for request in requests]


def restore_record_backups(hosts: List[str], results: List[Any]) -> Dict[str, Any]:
    """What one run of pre_upgrade_backup.yml records: each host's backup id, null for one whose backup did not pass.

    ``results`` are the hosts' run_backup_result (None for a host without one). A host
    recorded with null was not upgraded: a newer record's null keeps an older record's id
    of that host from being restored (restore_recorded, restore_choices).
    """
    return {host: (result or {}).get("backup_id") if (result or {}).get("gate_passed") else None
            for host, result in zip(hosts, results)}


def restore_record_key(hosts: Iterable[str]) -> str:
    """The key one run of pre_upgrade_backup.yml records its backups under, beside ``pre_upgrade_backups``.

    The same hosts always give the same key, so a run again of one slice replaces its own
    record, and slices (which share no host) never replace each other's.
    """
    digest = hashlib.sha1(",".join(sorted(hosts)).encode("utf-8")).hexdigest()
    return "%s_%s" % (RECORDED, digest[:RECORD_KEY_DIGITS])


def restore_recorded(sources: Iterable[Optional[Dict[str, Any]]]) -> Optional[Dict[str, Any]]:
    """Every server's recorded backup id, merged from the record keys of ``sources``; None when none has one.

    A source is a mapping of variables (the play's extra variables) or a record file's
    content. Keys other than the record keys are ignored. A server recorded twice keeps the
    id of the newer record, or its null (RECORDED_AT; a folder may hold the files of several runs), and
    within one record the id of its slice's own key over the plain ``pre_upgrade_backups``
    (the last slice's).
    """
    merged: Optional[Dict[str, Any]] = None
    for source in sorted(sources, key=lambda source: str((source or {}).get(RECORDED_AT) or "")):
        for key in sorted(source or {}, key=len):  # the plain key first, each slice's own over it
            if RECORD_KEY.match(key) and isinstance(source[key], dict):
                merged = dict(merged or {}, **source[key])
    return merged


def restore_regions(items: List[dict], login: Optional[dict] = None) -> List[dict]:
    """The regions of ``items`` (each with a ``region``), once each: ``{region, endpoint}``, in order.

    ``login`` is cloudbackup_auth's result (the play's login): its own region comes with its
    endpoint, and another region with the endpoint its catalog names (null when unknown: the
    module reads it). Both are given to the tasks as they are: a task argument, even an
    omitted one, takes the place of the play's module_defaults. A region that is not one
    (run_backup_region "mars") is left out: its server fails alone.
    """
    login = login or {}
    regions: Dict[Optional[str], dict] = {}
    for item in items:
        if not region_name(item, "region", "region"):
            region = _region_of(item, login)
            regions.setdefault(region, dict(
                region=region or login.get("region"),
                endpoint=_endpoint_of(region, login) if region else login.get("endpoint")))
    return list(regions.values())


def restore_batch(requests: List[dict], agents: List[dict], configurations: List[dict],
                  login: Optional[dict] = None) -> Dict[str, Any]:
    """The play's restores: ``restores``, the module's elements, ``plans``, each server's decision by name,
    and ``regions``, those of the restores (restore_regions).

    ``requests`` are the servers' requests with their choice (restore.yml's restore__requests:
    restore_choices). A server without a backup id gets the newest
    restorable backup of its configuration, picked as the run_backup role picks it
    (_choose): its agent by run_backup_agent_id, server id or machine name among the
    ``agents`` listed in its region, then run_backup_configuration_id, else _name, else the
    agent's only configuration. ``agents`` and ``configurations`` are the results of
    cloudbackup_info's loop over restore_regions (each with its ``item``). A server that is
    not in a given record is left alone; one whose configuration cannot be told, or whose
    run_backup_* settings name another account than the first server's (the batch's), gets a
    ``failure`` and fails on its own host.
    """
    listed = dict(agents=_by_region(agents, login), configurations=_by_region(configurations, login))
    plans, restores = {}, []
    for request in requests:
        plan = dict(choice=request["choice"], settings=request, failure=None)
        plans[request["name"]] = plan
        element = _element(request, listed, login, plan, requests[0])
        if element is not None:
            restores.append(element)
    return {"restores": restores, "plans": plans, "regions": restore_regions(restores, login)}


def _element(request: dict, listed: Dict[str, dict], login: Optional[dict], plan: dict,
             batch_request: dict) -> Optional[dict]:
    """The module's element for one server, or None (left alone, or ``plan`` says why it fails).

    ``batch_request`` is the play's first server's, whose account the batch uses.
    """
    choice = request["choice"]
    if choice["source"] == NOT_RECORDED:
        return None
    other_account = account_problems(request.get("connection") or {}, batch_request.get("connection") or {},
                                     batch_request["name"], "restore")
    if other_account:
        plan["failure"] = "; ".join(other_account)
        return None
    element = dict(name=request["name"], destination_agent_id=_given(request.get("destination_agent_id")),
                   destination_path=request["destination_path"], overwrite=bool(request["overwrite"]),
                   include=request.get("include") or None, exclude=request.get("exclude") or None)
    try:  # the module's checks, worded by the server's variables: a bad one fails this server alone
        check(dict(element, backup_id=choice["backup_id"], max_errors=_given(request.get("max_errors"))),
              RESTORE_ELEMENT_RULES, "restore_%s")
        check(dict(request["agent"], configuration_id=_given(request.get("configuration_id")),
                   configuration_name=_given(request.get("configuration_name")), region=_given(request.get("region"))),
              ROLE_TARGET_RULES, "run_backup_%s")
    except ConfigurationError as err:
        plan["failure"] = err.msg
        return None
    region = _region_of(request, login)
    element.update(region=region, endpoint=_endpoint_of(region, login))
    if choice["backup_id"] is not None:
        return dict(element, backup_id=choice["backup_id"])
    try:
        configuration_id = _newest_of(request, *(_listed_in(listed[kind], region, kind)
                                                 for kind in ("agents", "configurations")))
    except ValueError as err:
        plan["failure"] = str(err)
        return None
    if configuration_id is None:
        plan["failure"] = NOTHING_TO_RESTORE
        return None
    return dict(element, configuration_id=configuration_id)


def _newest_of(request: dict, agents: List[dict], configurations: List[dict]) -> Any:
    """The configuration whose newest backup the server gets, or None when its agent has none.

    ValueError when its settings name no agent or several, or no configuration or several
    (the words of _choose, as the run_backup role says them).
    """
    if _given(request.get("configuration_id")) is not None:
        return request["configuration_id"]
    agents_named = agents_meant(agents, **request["agent"])
    if len(agents_named) != 1:
        raise ValueError(not_one_agent(agent_wanted(**request["agent"]), agents_named))
    agent_id = agents_named[0]["machine_agent_id"]
    own = configurations_meant(configurations, agent_id)
    name = _given(request.get("configuration_name"))
    matches = configurations_meant(own, name=name)
    if len(matches) == 1:
        return matches[0]["backup_configuration_id"]
    if name is None and not matches:
        return None
    raise ValueError(not_one_configuration(name, matches, own, str(agent_id)))


def _region_of(item: dict, login: Optional[dict]) -> Optional[str]:
    """The item's region in upper case, or None for the login's own (or none given)."""
    region = str(_given(item.get("region")) or "").upper() or None
    return None if region == str((login or {}).get("region") or "").upper() else region


def _endpoint_of(region: Optional[str], login: Optional[dict]) -> Optional[str]:
    return ((login or {}).get("endpoints") or {}).get(region) if region else None


def _by_region(results: List[dict], login: Optional[dict]) -> Dict[Optional[str], dict]:
    """cloudbackup_info's loop ``results`` by the region of their item (_region_of); a failed one keeps its message."""
    return {_region_of(result.get("item") or {}, login): result for result in results or [] if not result.get("skipped")}


def _listed_in(results: Dict[Optional[str], dict], region: Optional[str], kind: str) -> List[dict]:
    """The ``kind`` listed in ``region``; ValueError when their listing failed (the server fails alone)."""
    result = results.get(region) or {}
    if kind not in result:  # a listing that failed (its task ignores the error) or never ran
        raise ValueError("the %s of %s could not be listed: %s" % (
            kind, "region %s" % region if region else "the login's region", result.get("msg") or "no listing"))
    return result[kind] or []


def restore_watch_list(started: dict, batch: Dict[str, Any]) -> List[dict]:
    """The wait's elements: each restore started or joined, with its server's own deadline and rules."""
    watched = []
    for element in started.get("restores") or []:
        if element.get("restore_id") is None or element.get("failed"):
            continue  # nothing was started (a draft that did not start was deleted again)
        settings = batch["plans"][element["name"]]["settings"]
        watched.append(dict(
            name=element["name"], restore_id=element["restore_id"], started_at=element["started_at"],
            destination_path=element["destination_path"], deadline=element["started_at"] + float(settings["timeout"]),
            allow_completed_with_errors=bool(settings["allow_errors"]), max_errors=_given(settings.get("max_errors")),
            region=element.get("region"), endpoint=element.get("endpoint")))
    return watched


def restore_carry(chunk: dict, watch_list: List[dict]) -> List[dict]:
    """The next chunk's elements: ``watch_list``'s, each with what ``chunk`` said of it when it is no longer running.

    The module follows the running ones and only counts the others in its progress line.
    """
    done = {element["name"]: {key: element.get(key) for key in CARRIED_KEYS}
            for element in chunk.get("restores") or [] if not element.get("running")}
    return [dict(element, result=done.get(element["name"])) for element in watch_list]


def restore_results(batch: Dict[str, Any], started: dict, chunks: List[dict], check_mode: bool) -> Dict[str, dict]:
    """Each server's restore_result, by name: what its restore (started, then followed in chunks) came to.

    ``started`` is the batch start's registered result, ``chunks`` the wait loop's items; a
    server's last word is the last chunk that followed it. ``failure`` says why the server
    fails, or is None; ``verdict`` is the table's last column.
    """
    starts = {element["name"]: element for element in started.get("restores") or []}
    last = {}
    for chunk in chunks:
        last.update((element["name"], element) for element in chunk.get("restores") or [] if not element.get("carried"))
    return {name: _result(plan, starts.get(name) or {}, last.get(name), check_mode)
            for name, plan in batch["plans"].items()}


def restore_table(results: Dict[str, dict]) -> List[str]:
    """One row per server (``results``: restore_results), then each failure."""
    lines = [TABLE_COLUMNS % ("server", "backup", "restore", "state", "files", "errors", "duration", "verdict")]
    for name, result in results.items():
        report = result.get("report") or {}
        lines.append(TABLE_COLUMNS % (
            name, cell(result.get("backup_id")), cell(result.get("restore_id")), cell(result.get("state")),
            cell(report.get("num_files_restored")), cell(report.get("num_errors")),
            cell(human_duration(report.get("duration_seconds"))), result.get("verdict")))
    lines += ["%s: %s" % (name, result["failure"]) for name, result in results.items() if result.get("failure")]
    return lines


def _result(plan: dict, start: dict, last: Optional[dict], check_mode: bool) -> dict:
    choice = plan["choice"]
    seen = last or start
    failure = _failure(plan, start, last, check_mode)
    timed_out = bool((last or {}).get("timed_out"))
    return {
        "backup_id": seen.get("backup_id") or start.get("backup_id") or choice.get("backup_id"),
        "backup_source": choice.get("source"),
        "restore_id": seen.get("restore_id"),
        "outcome": start.get("outcome"),
        "state": seen.get("state"),
        "summary": seen.get("summary"),
        "report": seen.get("report"),
        "gate_passed": seen.get("gate_passed"),
        "timed_out": timed_out,
        "check_mode": check_mode,
        "failure": failure,
        "verdict": _verdict(failure, choice, check_mode, timed_out),
    }


def _failure(plan: dict, start: dict, last: Optional[dict], check_mode: bool) -> Optional[str]:
    if plan["choice"].get("source") == NOT_RECORDED:
        return None
    if plan["failure"] or start.get("failed"):
        return plan["failure"] or start.get("msg")
    if check_mode:
        return None
    last = last or {}
    summary = last.get("summary") or "restore %s" % start.get("restore_id")
    if last.get("timed_out"):
        summary += " (restore_timeout is %s s)" % plan["settings"]["timeout"]
    # The playbook never stops a restore: any restore_on_timeout but "continue" fails.
    on_timeout = "continue" if plan["settings"]["on_timeout"] == "continue" else "fail"
    return server_failure(summary, bool(last), bool(last.get("timed_out")), on_timeout,
                          last.get("msg") if last.get("failed") else None, "restore")


def _given(value: Any) -> Any:
    """None for a setting left empty."""
    return None if value in (None, "") else value


def _verdict(failure: Optional[str], choice: dict, check_mode: bool, timed_out: bool) -> str:
    if failure:
        return "FAILED"
    if choice.get("source") == NOT_RECORDED:
        return "skipped: not in the record"
    if check_mode:
        return "check mode: would restore"
    return "still running" if timed_out else "ok"


class FilterModule:
    """The restore playbook's filters."""

    def filters(self) -> Dict[str, Any]:
        return {
            "restore_batch": restore_batch,
            "restore_carry": restore_carry,
            "restore_choices": restore_choices,
            "restore_record_backups": restore_record_backups,
            "restore_record_key": restore_record_key,
            "restore_recorded": restore_recorded,
            "restore_regions": restore_regions,
            "restore_results": restore_results,
            "restore_table": restore_table,
            "restore_watch_list": restore_watch_list,
        }
