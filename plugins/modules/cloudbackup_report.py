#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudbackup_report
short_description: Get, judge and gate on the report of a Rackspace Cloud Backup backup
version_added: 0.1.0
description:
  - Returns the report of a finished backup, given by O(backup_id), or of the latest backup of a configuration,
    given by O(configuration_id) or O(configuration_name).
  - Adds a RV(healthy) flag, a one-line RV(summary) for logs and chat messages, and the report's error list.
  - Can wait until the backup has finished, with success or failure, and then get its report (O(wait=true)).
  - Can gate a pipeline (O(gate=true)) - fail unless the backup ended in one of O(acceptable_states) with at
    most O(max_errors) errors. Without a gate, the module never fails because of how the backup went.
  - Reads only, so it runs in check mode too.
options:
  backup_id:
    description:
      - The backup whose report to get. At least V(1).
      - Mutually exclusive with O(configuration_id) and O(configuration_name); one of the three is required.
    type: int
  configuration_id:
    description:
      - Get the report of the latest backup of this configuration - its newest finished run in the
        activity feed, a V(Failed), V(Missed) or V(Stopped) one included, or else its last run or newest
        restorable backup (for runs older than the feed's history).
      - V(Skipped) runs are left out - they only mean that another run of the configuration was already queued.
      - At least V(1).
    type: int
  configuration_name:
    description:
      - Like O(configuration_id), with the configuration given by its name, which must match exactly one
        live (not deleted) configuration of the account, or of O(agent_id). It must not be empty or blank.
    type: str
  agent_id:
    description:
      - The agent whose configuration O(configuration_name) names (names are only unique per agent). At least V(1).
    type: int
  wait:
    description:
      - Whether to wait until the backup reaches a final state (success or failure), then get its report.
      - A backup that ended without running (V(Skipped), V(Missed)) may have no report - the wait still ends
        then, with RV(report=null) and the backup's final RV(state).
      - Unlike in other modules of the collection, the default is V(false) - without waiting, a backup that is
        still running gives RV(report=null) and its current RV(state), and the task does not fail
        (unless O(gate=true)).
    type: bool
    default: false
  gate:
    description:
      - Whether to fail the task unless the backup ended in one of O(acceptable_states) with at most
        O(max_errors) errors. The failure message is the RV(summary) followed by the reason, and the failed
        result still carries the report, summary and errors.
      - A backup without a report never passes the gate (a running backup, or a configuration without backups).
      - When the wait times out with O(on_timeout=continue), the gate is not applied and RV(gate_passed) is
        null - the backup has not finished yet; run the task again to wait longer.
    type: bool
    default: false
  acceptable_states:
    description:
      - With O(gate=true), the final states that pass the gate, in any case.
      - For example V([Completed, CompletedWithErrors]) to accept backups that skipped some files
        (a locked database file, a file deleted during the backup), together with O(max_errors).
      - It must not be empty, and each element must be a final state (V(Completed), V(CompletedWithErrors),
        V(Failed), V(Missed), V(Skipped), V(Stopped)).
    type: list
    elements: str
    default: [Completed]
  max_errors:
    description:
      - With O(gate=true), the most errors (files not backed up) that still pass the gate. No limit when not set.
        When set, at least V(0).
      - Ignored, with a warning, when O(gate=false).
    type: int
  backups:
    description:
      - Follow many backups in one task instead of the one given by O(backup_id), O(configuration_id) or
        O(configuration_name); the C(rackspace.cloudbackup.run_backup) role waits for a whole play's backups this way.
      - Each poll reads the account's activity feed once, whatever the number of backups, and a backup that the
        feed shows ended is confirmed once, by its own id, through its report. A backup the feed does not show
        is read on its own. A backup whose own read keeps failing for now stays pending (its summary says why if the
        wait ends first); one that can no longer be read (HTTP 404 or 403) gets a result that fails its gate, and the
        others are followed on.
      - Each element is judged by its own gate (O(backups[].acceptable_states), O(backups[].max_errors)); its verdict
        is RV(backups[].result). Elements that already have a C(result) are passed through untouched, so the
        RV(backups) of one task can be given to the next one to wait in chunks, with a progress line
        (RV(progress)) per chunk.
      - With O(wait=true), the task waits until every backup has a result or O(wait_timeout) passes; it does not
        poll at its deadline (the next chunk's first poll would follow at once). With O(gate=true) it fails when a
        backup fails its gate; a timeout fails it only with O(on_timeout=fail).
      - Mutually exclusive with O(backup_id), O(configuration_id), O(configuration_name) and O(agent_id).
    type: list
    elements: dict
    version_added: 0.2.0
    suboptions:
      backup_id:
        description:
          - Id of the backup. At least V(1).
          - If not set, the latest backup of O(backups[].configuration_id), chosen as O(configuration_id) chooses it
            (one read of the account's feed serves every such element). A configuration without any backup gets a
            result that fails its gate (C(no backup to check)).
        type: int
      configuration_id:
        description:
          - Id of its configuration, to find it in the activity feed by. Without it the backup is read on its own
            at every poll. At least V(1).
          - One of O(backups[].backup_id) and O(backups[].configuration_id) is required.
        type: int
      configuration_name:
        description: Name of its configuration, for messages. It must not be empty or blank.
        type: str
      name:
        description: A label for the backup in the progress line (the role uses the inventory host name). It must not be empty or blank.
        type: str
      acceptable_states:
        description: As O(acceptable_states), for this backup; not empty, final states only.
        type: list
        elements: str
        default: [Completed]
      max_errors:
        description: As O(max_errors), for this backup. When set, at least V(0).
        type: int
      started_at:
        description: When the backup was started or joined, in seconds since the epoch (finite, at least V(0)), to measure its elapsed time.
        type: float
      deadline:
        description:
          - When to stop waiting for this backup, in seconds since the epoch (finite, at least V(0)). It then gets a
            result with C(timed_out=true) and is no longer polled.
        type: float
      state:
        description: Its last known state, as a previous task returned it.
        type: str
      result:
        description:
          - Its verdict, as a previous task returned it (RV(backups[].result)); set, the backup is not polled.
          - It must have the keys C(ended), C(timed_out), C(gate_passed) and C(healthy), and with O(gate=true) a
            failed one also C(summary).
        type: dict
      region:
        description:
          - The region of this backup's agent (V(DFW), V(ORD), ... in any case), when it is not the task's O(region).
            Each region's backups are followed through one read of that region's feed per poll.
        type: str
        version_added: 0.3.0
      endpoint:
        description:
          - The Cloud Backup endpoint of O(backups[].region), when known (the C(endpoint) of a
            M(rackspace.cloudbackup.cloudbackup_action) batch start's RV(rackspace.cloudbackup.cloudbackup_action#module:backups[].endpoint)).
            Without it, the task logs in once more to read that region's endpoint from the service catalog.
        type: str
        version_added: 0.3.0
extends_documentation_fragment:
  - rackspace.cloudbackup.connection
  - rackspace.cloudbackup.wait
  - rackspace.cloudbackup.attributes
  - rackspace.cloudbackup.attributes.action_group
  - rackspace.cloudbackup.attributes.info_module
requirements:
  - requests
notes:
  - While waiting, the module follows the backup as a batch of one, the way it follows the elements of
    O(backups). Every O(poll_interval) seconds it reads the account's activity feed (for a backup given by
    O(backup_id) alone, its own details); once the state is final it fetches the report, looking again for a few
    seconds should it not exist yet, then reads the backup's details for RV(backup); a backup that they show
    ended after the last poll has not run out of time.
  - Healthy follows the rule of Rackspace's own monitoring plugin - state V(Completed), reason V(Success),
    diagnostics V(No errors) and no errors.
seealso:
  - module: rackspace.cloudbackup.cloudbackup_action
  - module: rackspace.cloudbackup.cloudbackup_info
author:
  - rackspace.cloudbackup maintainers (@rackspace)
"""

EXAMPLES = r"""
- name: Get the report of a backup
  rackspace.cloudbackup.cloudbackup_report:
    backup_id: 100002
  delegate_to: localhost
  register: backup_report

- name: Show it in one line
  ansible.builtin.debug:
    msg: "{{ backup_report.summary }}"

- name: Wait for the backup started earlier to finish, and fail unless it is clean
  rackspace.cloudbackup.cloudbackup_report:
    backup_id: "{{ started.backup_id }}"
    wait: true
    wait_timeout: 7200
    poll_interval: 30
    gate: true
  delegate_to: localhost

- name: Gate on the latest backup of a configuration, accepting a few skipped files
  rackspace.cloudbackup.cloudbackup_report:
    configuration_name: nightly
    agent_id: 300001
    gate: true
    acceptable_states: [Completed, CompletedWithErrors]
    max_errors: 5
  delegate_to: localhost

- name: Wait in chunks of ten minutes, logging progress between them
  rackspace.cloudbackup.cloudbackup_report:
    backup_id: "{{ started.backup_id }}"
    wait: true
    wait_timeout: 600
    on_timeout: continue
  delegate_to: localhost
  register: chunk
  until: chunk is failed or not chunk.timed_out
  retries: 12
  delay: 0
"""

RETURN = r"""
backup_id:
  description: The backup the report is about; null when the configuration has no backup at all.
  returned: always
  type: int
  sample: 368785
state:
  description:
    - The report's state when there is a report, else the backup's current state (null without a backup).
  returned: always
  type: str
  sample: CompletedWithErrors
backup:
  description: The backup's details, as last read (null without a backup).
  returned: always
  type: dict
  contains:
    current_state:
      description: The backup's state.
      type: str
      sample: Completed
    backup_configuration_name:
      description: The name of its configuration.
      type: str
      sample: nightly
    state_change_time:
      description: When it entered that state (ISO 8601 UTC).
      type: str
      sample: "2026-01-18T17:32:50Z"
  sample:
    backup_id: 368785
    backup_configuration_id: 400001
    backup_configuration_name: nightly
    machine_agent_id: 300001
    machine_name: alpha
    current_state: CompletedWithErrors
    state_change_time: "2026-01-18T17:32:50Z"
report:
  description:
    - The normalized report; null until the backup has finished, when there is no backup, or when the backup
      ended without one (a V(Skipped) or V(Missed) run may have none).
  returned: always
  type: dict
  contains:
    state:
      description: The final state.
      type: str
      sample: CompletedWithErrors
    reason:
      description: The API's reason, V(Success) even for C(CompletedWithErrors).
      type: str
      sample: Success
    diagnostics:
      description: The API's diagnostics, V(No errors) for a clean backup.
      type: str
      sample: Completed With Errors
    num_errors:
      description: Files that could not be backed up.
      type: int
      sample: 2
    files_searched:
      description: Files the agent looked at.
      type: int
      sample: 11936
    files_backed_up:
      description: Files uploaded.
      type: int
      sample: 6
    bytes_searched:
      description: Bytes the agent looked at; C(bytes_searched_text) has the API's text.
      type: int
      sample: 3972844748
    bytes_backed_up:
      description: Bytes uploaded; C(bytes_backed_up_text) has the API's text.
      type: int
      sample: 186751385
    duration_seconds:
      description: How long the backup took; C(duration) has the API's text.
      type: int
      sample: 273
    start_time:
      description: When it started (ISO 8601 UTC).
      type: str
      sample: "2026-01-18T17:28:17Z"
    completed_time:
      description: When it finished (ISO 8601 UTC).
      type: str
      sample: "2026-01-18T17:32:50Z"
    error_list:
      description: The errors, as in RV(errors).
      type: list
      elements: dict
  sample:
    backup_id: 368785
    backup_configuration_id: 400001
    backup_configuration_name: nightly
    computer_name: alpha
    machine_agent_id: 300001
    state: CompletedWithErrors
    can_restore: true
    start_time: "2026-01-18T17:28:17Z"
    completed_time: "2026-01-18T17:32:50Z"
    duration: "00:04:33"
    duration_seconds: 273
    files_searched: 11936
    files_backed_up: 6
    bytes_searched: 3972844748
    bytes_searched_text: 3.7 GB
    bytes_backed_up: 186751385
    bytes_backed_up_text: 178.1 MB
    num_errors: 2
    reason: Success
    diagnostics: Completed With Errors
    error_list: []
errors:
  description: The report's error list, the files that could not be backed up (empty without a report).
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
      sample: /var/lib/app/locked.db
    error_desc:
      description: What went wrong.
      type: str
      sample: Unable to back up file
    exception_desc:
      description: The agent's exception text.
      type: str
      sample: The process cannot access the file because it is being used by another process.
    exception_code:
      description: The agent's exception code.
      type: int
      sample: 313
  sample:
    - backup_report_id: 368785
      list_index: 0
      error_type: 101
      error_desc: Unable to back up file
      exception_desc: The process cannot access the file because it is being used by another process.
      exception_code: 313
      path: /var/lib/app/locked.db
healthy:
  description: Whether the backup is clean - state C(Completed), reason C(Success), diagnostics C(No errors),
    no errors. False without a report.
  returned: always
  type: bool
  sample: false
summary:
  description: One line for humans - configuration, backup id, state, files and bytes backed up of those searched,
    errors and duration; or the current state when there is no report yet.
  returned: always
  type: str
  sample: "nightly (backup 368785): CompletedWithErrors, 6 of 11936 files and 178.1 MB of 3.7 GB backed up, 2 errors, 4m33s"
gate_passed:
  description: With O(gate=true), whether the backup passed the gate; null without a gate or when the wait timed
    out with O(on_timeout=continue).
  returned: always
  type: bool
  sample: true
elapsed:
  description: Seconds spent waiting (0 without O(wait=true)).
  returned: always
  type: float
  sample: 12.5
polls:
  description: How many times the wait looked at the backup's state (one read of the activity feed, or of the backup, each).
  returned: always
  type: int
  sample: 4
timed_out:
  description: Whether O(wait_timeout) passed before the backup reached a final state (with O(backups), before every
    backup had a result).
  returned: always
  type: bool
  sample: false
backups:
  description:
    - The elements of O(backups), each with its last known C(state) and, once known, its C(result).
    - Give them as O(backups) to the next task to go on waiting.
  returned: with O(backups)
  type: list
  version_added: 0.2.0
  elements: dict
  contains:
    backup_id:
      description: Id of the backup.
      type: int
    state:
      description: Its last known state.
      type: str
    result:
      description:
        - Its verdict, null while it runs. C(ended) (bool), C(timed_out) (bool, its O(backups[].deadline) passed),
          C(state), C(report) (as RV(report)), C(errors), C(error_count), C(healthy), C(gate_passed) (null when timed
          out), C(gate_failure) (why it failed its gate, or null), C(summary) (as RV(summary)), C(elapsed) (seconds
          since O(backups[].started_at)), and C(error) only for a backup that could no longer be read (why).
      type: dict
progress:
  description: One line on the whole batch - how many ended (ok, with accepted errors, failed), ran out of time or run,
    the one running longest, and how many requests the account's rate limit refused during the task, if any.
  returned: with O(backups)
  type: str
  version_added: 0.2.0
  sample: "backups: 180 ended (178 ok, 2 with accepted errors), 20 running; longest: srv042 InProgress 4m10s"
running:
  description: How many backups of O(backups) have no result yet.
  returned: with O(backups)
  type: int
  version_added: 0.2.0
  sample: 20
"""

import time
from typing import Any, NamedTuple, Optional, Tuple

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import backup_and_report, latest_backup_id
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configurations import resolve_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError, ReportFailed
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import progress_line
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_watch import (
    find_latest_backups,
    poll_fleet,
    watch_fleet,
    watch_one,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule, wait_argument_spec
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    REPORT_ENTRY_RULES,
    REPORT_RULES,
    check,
    check_elements,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _verdict
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import healthy, summary
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import (
    DEFAULT_ACCEPTABLE_STATES,
    Gate,
    acceptable_states,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import canonical_state
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import NOT_WAITED, WaitResult, pending

TARGETS = ["backup_id", "configuration_id", "configuration_name"]


class Look(NamedTuple):
    """One look at a backup: its details, and its report once it has finished."""

    backup: dict
    report: Optional[dict]


def argument_spec() -> dict:
    spec = dict(
        backup_id=dict(type="int"),
        configuration_id=dict(type="int"),
        configuration_name=dict(type="str"),
        agent_id=dict(type="int"),
        gate=dict(type="bool", default=False),
        acceptable_states=dict(type="list", elements="str", default=list(DEFAULT_ACCEPTABLE_STATES)),
        max_errors=dict(type="int"),
        backups=dict(type="list", elements="dict", options=dict(
            backup_id=dict(type="int"),
            configuration_id=dict(type="int"),
            configuration_name=dict(type="str"),
            name=dict(type="str"),
            acceptable_states=dict(type="list", elements="str", default=list(DEFAULT_ACCEPTABLE_STATES)),
            max_errors=dict(type="int"),
            started_at=dict(type="float"),
            deadline=dict(type="float"),
            state=dict(type="str"),
            result=dict(type="dict"),
            region=dict(type="str"),
            endpoint=dict(type="str"),
        )),
    )
    spec.update(wait_argument_spec())
    # A report is usually fetched for a backup known to be finished: waiting is the exception.
    spec["wait"]["default"] = False
    return spec


def main() -> None:
    module = CloudBackupModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[TARGETS, *[("backups", option) for option in TARGETS + ["agent_id"]]],
        required_one_of=[TARGETS + ["backups"]],
        required_by={"agent_id": "configuration_name"},
        supports_check_mode=True,
    )
    module.run(report_task)


def report_task(module: CloudBackupModule) -> dict:
    """Find the backup, look at it (waiting if asked), judge it; fail on a timeout or a closed gate."""
    params = module.params
    accepted = checked_options(module)
    if params["backups"] is not None:
        return fleet_task(module)
    configuration, backup_id = backup_to_report(module.client, params)
    watched = watch(module.client, configuration, backup_id, params) if backup_id is not None else NOT_WAITED
    result = describe(configuration, backup_id, watched)
    failure = judge(result, params, accepted)
    if failure:
        raise ReportFailed(failure, result)
    return result


def fleet_task(module: CloudBackupModule) -> dict:
    """Follow every backup of ``backups`` (polling each region's feed once per poll), judge each by its own gate."""
    params, client = module.params, module.client
    entries = params["backups"]
    find_latest_backups(client, entries, module.client_for)
    if params["wait"]:
        watched = watch_fleet(client, entries, params["wait_timeout"], params["poll_interval"], sleep=time.sleep,
                              clock=time.monotonic, now=time.time, client_for=module.client_for)
    else:
        watched = WaitResult(poll_fleet(client, entries, time.sleep, time.time, module.client_for), 0.0, 1,
                             bool(pending(entries)))
    running = len(pending(entries))
    progress = progress_line(entries, time.time())
    if module.rate_limited:
        progress += "; the API throttled %d requests (account rate limit)" % module.rate_limited
    result = dict(changed=False, backup_id=None, state=None, backup=None, report=None, errors=[], healthy=False,
                  summary=progress, gate_passed=None, elapsed=round(watched.elapsed, 1), polls=watched.polls,
                  timed_out=running > 0, backups=entries, running=running, progress=progress)
    failed = [entry for entry in entries if (entry.get("result") or {}).get("gate_passed") is False]
    if params["gate"] and failed:
        raise ReportFailed("%d of %d backups failed the gate: %s" % (len(failed), len(entries), "; ".join(
            "%s (%s)" % (entry["result"]["summary"], entry["result"].get("gate_failure") or "gate failed")
            for entry in failed)), result)
    if running and params["wait"] and params["on_timeout"] == "fail":
        raise ReportFailed("%s; gave up waiting after %d seconds" % (result["progress"], result["elapsed"]), result)
    return result


def checked_options(module: CloudBackupModule) -> list:
    """The canonical acceptable states; bad gate options fail before any API call."""
    params = module.params
    check(params, REPORT_RULES)
    check_elements(params, "backups", REPORT_ENTRY_RULES)
    for index, entry in enumerate(params["backups"] or []):
        entry["acceptable_states"] = acceptable_states(entry["acceptable_states"])
        if params["gate"] and (entry["result"] or {}).get("gate_passed") is False and not entry["result"].get("summary"):
            raise ConfigurationError("backups[%d].result failed its gate but has no summary to say why: with gate=true, "
                                     "give the result as the task that judged it returned it" % index)
    if params["max_errors"] is not None and not params["gate"]:
        module.warn("max_errors is ignored without gate=true")
    return acceptable_states(params["acceptable_states"])


def backup_to_report(client: Any, params: dict) -> Tuple[Optional[dict], Optional[int]]:
    """(configuration or None, backup id or None when the configuration has no backup)."""
    if params["backup_id"] is not None:
        return None, params["backup_id"]
    configuration = resolve_configuration(client, params["configuration_id"], params["configuration_name"],
                                          params["agent_id"])
    return configuration, latest_backup_id(client, configuration)


def watch(client: Any, configuration: Optional[dict], backup_id: int, params: dict) -> WaitResult:
    """One look, or looks until the backup ends or wait_timeout passes, then its report.

    The wait follows it as a batch of one (_fleet_watch.watch_one) and ends with the backup,
    not with its report: a run that never started (Skipped, Missed) may have no report at
    all, and waiting for one would last until the timeout.
    """
    if not params["wait"]:
        return WaitResult(Look(*backup_and_report(client, backup_id)), 0.0, 1, False)
    seen = watch_one(client, backup_id, (configuration or {}).get("backup_configuration_id"), params["wait_timeout"],
                     params["poll_interval"], sleep=time.sleep, clock=time.monotonic, now=time.time)
    entry = seen.value
    return seen._replace(value=Look(entry["backup"], (entry["result"] or {}).get("report")))


def describe(configuration: Optional[dict], backup_id: Optional[int], watched: WaitResult) -> dict:
    backup, report = watched.value if watched.value is not None else (None, None)
    state = canonical_state(report.get("state")) if report else (backup or {}).get("current_state")
    return dict(
        changed=False, backup_id=backup_id, state=state, backup=backup, report=report,
        errors=list((report or {}).get("error_list") or []), healthy=healthy(report),
        summary=summary(report, backup, configuration), gate_passed=None,
        elapsed=round(watched.elapsed, 1), polls=watched.polls, timed_out=watched.timed_out,
    )


def judge(result: dict, params: dict, accepted: list) -> Optional[str]:
    """Set gate_passed; return why the task fails (a timeout to fail on, a closed gate), or None."""
    verdict = _verdict.judge(
        result["summary"], result["state"], result["report"], timed_out=result["timed_out"],
        gave_up="gave up waiting for the report after %d seconds and %d polls" % (
            result["elapsed"], result["polls"]) if params["on_timeout"] == "fail" else None,
        gate=Gate(accepted, params["max_errors"]) if params["gate"] else None)
    result["gate_passed"] = verdict.gate_passed
    return verdict.failure


if __name__ == "__main__":
    main()
