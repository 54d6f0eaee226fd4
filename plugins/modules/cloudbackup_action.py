#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudbackup_action
short_description: Start or stop a Rackspace Cloud Backup, or wake the backup agents
version_added: 0.1.0
description:
  - Starts a backup of one backup configuration and waits until it ends. A backup of that configuration
    that is already running is joined instead of starting a second one.
  - Stops a running backup.
  - Wakes the backup agents of the account, and can wait until one of them is online.
  - Waiting ends at the first final state, success or failure. C(Failed), C(Skipped), C(Missed) and an
    unexpected C(Stopped) fail the task with the backup report attached.
options:
  action:
    description:
      - V(start) starts a backup of the configuration given by O(configuration_id) or O(configuration_name),
        unless one is already running (then it is joined, RV(outcome=attached)) or O(skip_if_completed_within)
        finds a recent good one (RV(outcome=fresh)). The configuration's agent must be enabled and online;
        see O(online_timeout).
      - V(stop) stops the backup given by O(backup_id), or the running backup of the configuration given by
        O(configuration_id) or O(configuration_name). A backup that has already ended is left alone.
      - V(wake_agents) wakes every agent of the account (the API has no per-agent call). With O(agent_id),
        it then waits until that agent is online, and does nothing when it already is.
    type: str
    required: true
    choices: [start, stop, wake_agents]
  configuration_id:
    description:
      - Id (C(BackupConfigurationId)) of the backup configuration to back up or whose running backup to stop.
        At least V(1).
      - Mutually exclusive with O(configuration_name) and O(backup_id).
    type: int
  configuration_name:
    description:
      - Name of the backup configuration, instead of O(configuration_id). Only configurations that are not
        deleted count, and the name is compared exactly (case included). It must not be empty or blank.
      - The name must match exactly one configuration of the account, or of O(agent_id) when it is set;
        otherwise the task fails and lists the candidates.
      - Mutually exclusive with O(configuration_id) and O(backup_id).
    type: str
  agent_id:
    description:
      - Id (C(MachineAgentId)) of a backup agent. At least V(1).
      - With O(action=start) or O(action=stop), the agent whose configurations O(configuration_name) is looked
        up among; with O(configuration_id), the configuration must belong to it.
      - With O(action=wake_agents), the agent to wait for until it reports itself online (unless O(wait=false)).
    type: int
  backup_id:
    description:
      - Id of the backup to stop, as returned in RV(backup_id) by O(action=start). Only with O(action=stop).
        At least V(1).
      - Mutually exclusive with O(configuration_id) and O(configuration_name).
    type: int
  skip_if_completed_within:
    description:
      - With O(action=start), seconds. When a good backup of the configuration completed that recently, start
        nothing and return that backup (RV(outcome=fresh)).
      - A good backup is one that ended C(Completed), or C(CompletedWithErrors) when
        O(allow_completed_with_errors=true).
      - The window is measured with the clock of the machine the module runs on against the completion time
        the API reports.
      - If not set, a backup is always started (or joined). When set, at least V(1).
    type: int
  allow_completed_with_errors:
    description:
      - Whether a backup that ends C(CompletedWithErrors) (some files could not be read) counts as a success,
        when waiting and when looking for a recent good backup.
      - If V(false), such a backup fails the task like a C(Failed) one.
    type: bool
    default: true
  online_timeout:
    description:
      - Seconds to wait for an agent to report itself online, polling every O(poll_interval) seconds.
      - With O(action=wake_agents) and O(agent_id), how long to wait after the wake-up. The wake-up is sent
        again every 20 seconds while the agent stays offline (an agent that is not online 20 seconds after a
        wake-up did not get it), which also keeps it awake, as agents fall asleep again after about 70 seconds.
        When the time runs out, O(on_timeout) says whether the task fails.
      - With O(action=start), how long to wait for the configuration's agent to come online before starting,
        for an agent woken a moment ago. This does not wake it (run O(action=wake_agents) first). Set V(0) to
        fail at once when the agent is offline.
      - At least V(0).
    type: int
    default: 120
  targets:
    description:
      - With O(action=start), back up many servers in one task instead of the one configuration given by
        O(configuration_id) or O(configuration_name) - one element per server, each with its own agent and
        configuration. This is how the C(rackspace.cloudbackup.run_backup) role backs up a whole play's hosts
        with one module run.
      - The API work is shared. One agent list, one configuration list and one read of the account's activity
        feed find every agent, configuration and backup already running; one wake-up wakes every agent (see
        O(wake_agents)); each new backup costs one StartManual request. An agent that refuses its start
        (asleep, or just woken) is tried again every 2 seconds until it has been refused for O(online_timeout)
        seconds (at least 30) and no start of the batch went through for as long, and the wake-up is sent again,
        at most every 20 seconds, while some agent still refuses. A start refused for the account's rate limit is sent again after the C(Retry-After)
        the API asks for, and the whole batch waits with it.
      - A start without a clear answer (a 5xx, a lost or garbled reply) is looked for in the account's activity
        feed before it is sent again, while the other servers go on being started.
      - A server whose agent or configuration cannot be found, or whose start fails, gets RV(backups[].outcome=failed)
        and a message; the task itself still succeeds, so one bad server never stops the others. The task
        fails only for what affects every server (credentials, the endpoint, an unreadable list).
      - With O(wait=true) the task then follows every backup started, joined or found fresh through the account's
        activity feed (one read per O(poll_interval) for the whole batch, and each backup's report once it ends)
        until all have ended or O(wait_timeout) passes, and judges each by its target's
        O(targets[].allow_completed_with_errors). RV(backups[].result) holds the verdict, and a backup that ended
        badly (or is still running when the wait gives up with O(on_timeout=fail)) fails its element, not the task.
        To fail the play on any of them, test RV(backups[].failed).
      - With O(wait=false) (as the C(rackspace.cloudbackup.run_backup) role runs it, to wait in chunks with a
        progress line) wait for them with O(rackspace.cloudbackup.cloudbackup_report#module:backups).
      - Mutually exclusive with O(configuration_id), O(configuration_name), O(agent_id) and O(backup_id).
    type: list
    elements: dict
    version_added: 0.2.0
    suboptions:
      name:
        description:
          - A label for the server (the role uses its inventory host name), repeated in its result. It must not be
            empty or blank.
        type: str
        required: true
      agent_id:
        description:
          - Id of the server's agent. Takes precedence over O(targets[].server_id) and O(targets[].machine_name).
            At least V(1).
        type: int
      server_id:
        description:
          - Cloud Server UUID of the server, to find its agent by. Takes precedence over O(targets[].machine_name).
            It must not be empty or blank.
        type: str
      machine_name:
        description:
          - Machine name the server's agent registered with. Exactly one agent of the account must have it.
            It must not be empty or blank.
          - One of O(targets[].agent_id), O(targets[].server_id) and O(targets[].machine_name) must be set.
        type: str
      configuration_id:
        description:
          - Id of the configuration to back up; it must belong to the server's agent. At least V(1).
          - Mutually exclusive with O(targets[].configuration_name).
        type: int
      configuration_name:
        description:
          - Name of the configuration to back up, among the live configurations of the server's agent.
            It must not be empty or blank.
          - With neither this nor O(targets[].configuration_id), the agent must have exactly one live configuration.
        type: str
      skip_if_completed_within:
        description:
          - As O(skip_if_completed_within), for this server. When set, at least V(1).
        type: int
      allow_completed_with_errors:
        description:
          - As O(allow_completed_with_errors), for this server's O(targets[].skip_if_completed_within) and, with
            O(wait=true), for the verdict on its backup.
        type: bool
        default: true
      region:
        description:
          - The region of this server's agent (V(DFW), V(ORD), ... in any case), when it is not the task's O(region).
          - The targets of each region are one batch, sent to that region's Cloud Backup endpoint, with its own
            reads and wake-up; the token serves every region of the account.
        type: str
        version_added: 0.3.0
      endpoint:
        description:
          - The Cloud Backup endpoint of O(targets[].region), when known (RV(backups[].endpoint) of an earlier task,
            or the C(endpoints) that M(rackspace.cloudbackup.cloudbackup_auth) returns). Without it, the task logs in
            once more to read that region's endpoint from the service catalog.
        type: str
        version_added: 0.3.0
  wake_agents:
    description:
      - With O(targets), whether to wake the account's agents before starting (one request for all of them),
        then wait up to 30 seconds for one of them to be online.
      - Set V(false) when something else keeps the agents awake. A start that an agent refuses with HTTP 403
        still posts the wake-up again.
    type: bool
    default: true
    version_added: 0.2.0
extends_documentation_fragment:
  - rackspace.cloudbackup.connection
  - rackspace.cloudbackup.wait
  - rackspace.cloudbackup.attributes
  - rackspace.cloudbackup.attributes.action_group
attributes:
  check_mode:
    support: full
    details:
      - Every read is made, so credentials, ids, names and the agent's state are checked; no write is sent and
        nothing is waited for. C(changed) is the prediction, and RV(backup_id) is null when a backup would be
        started.
      - With O(action=start), an offline agent is reported as a warning rather than a failure, as the wake-up
        before it did not happen in check mode either.
  diff_mode:
    support: full
    details:
      - Shows the state of the configuration's last backup (or the backup to stop) before and after, and an
        agent's status before and after a wake-up. With O(targets), RV(backups) says what happened to each target
        and no diff is shown.
  idempotent:
    support: full
    details:
      - O(action=start) joins a backup of the configuration that is already running instead of starting a
        second one (the API would queue it and mark it C(Skipped)). Once that backup has ended, running the
        task again starts a new backup, unless O(skip_if_completed_within) covers the last one.
      - O(action=stop) reports no change for a backup that has already ended.
      - O(action=wake_agents) without O(agent_id) always reports a change, as the API cannot show whether the
        agents were asleep. With O(agent_id), an agent that is already online is not woken again.
notes:
  - Right after a wake-up the API refuses starts with HTTP 403 until the agent is connected. A refused start
    is sent again every 2 seconds for O(online_timeout) seconds (at least 30), and the wake-up is posted again
    when the refusals go on (at most every 20 seconds); a 403 that outlasts that is reported as a refusal (a
    missing role, or an agent that is not online, with its status). A refused start creates nothing, so this
    never starts two backups.
  - A start that fails with a server error (5xx), a garbled reply or a lost connection may have been accepted
    anyway. Before sending it again (at most 5 sends in all) the module looks for the new backup in the
    account's activity feed for 30 seconds after the last moment the start could have been acted on, and takes
    it as its own if it is there, so a fault never starts two backups. When every send fails and the feed
    shows no new backup, the task (with O(targets), that target) fails. With O(targets) each target's start
    is judged on its own, and the others' starts go on meanwhile.
  - Once the starts are done, one more read of the feed looks for a second new backup of a started
    configuration (a scheduled run that fired just before, or a start acted on late); the first one created
    goes on, the other is stopped, and a warning says so.
  - With O(wait=true) a single start or stop is followed as a batch of one, the way the backups of O(targets)
    are. The task reads the account's activity feed every O(poll_interval) seconds and the report once the
    backup ends, then the backup's details for RV(backup); a backup that they show ended after the last poll
    has not run out of time. Should the API skip a backup the task started because a run of the configuration
    had just begun (a scheduled run), the task follows that run instead and warns; without a wait, it looks at
    the start once that way before it returns.
  - To wait for a long backup in short chunks (so that a job log shows progress), start it with O(wait=false)
    and then wait by its RV(backup_id) with M(rackspace.cloudbackup.cloudbackup_report), rather than
    repeating O(action=start), which would start a new backup if the first one ended between two attempts.
  - With O(action=stop), C(Stopped) is the expected end, but a backup that ends before the agent acts on the
    stop ends C(Completed) (or C(CompletedWithErrors)); RV(state) says which.
seealso:
  - module: rackspace.cloudbackup.cloudbackup_info
    description: List agents and configurations to find their ids, and read backup details and activity.
  - module: rackspace.cloudbackup.cloudbackup_report
    description: Read a finished backup's report, wait for it by backup id and gate a pipeline on it.
  - module: rackspace.cloudbackup.cloudbackup_auth
    description: Log in once and hand the token to later tasks.
author:
  - rackspace.cloudbackup maintainers (@rackspace)
requirements:
  - requests
"""

EXAMPLES = r"""
- name: Back up a server before an upgrade
  hosts: localhost
  gather_facts: false
  vars:
    web_agent_id: 300001  # MachineAgentId of the server's agent (see cloudbackup_info)
    db_agent_id: 300002
  module_defaults:
    group/rackspace.cloudbackup.cloudbackup:
      username: "{{ rax_username }}"
      api_key: "{{ rax_api_key }}"
      region: DFW
  tasks:
    - name: Wake the agents and wait until the web server's agent is online
      rackspace.cloudbackup.cloudbackup_action:
        action: wake_agents
        agent_id: "{{ web_agent_id }}"

    - name: Back up the web server's nightly configuration and wait until the backup ends
      rackspace.cloudbackup.cloudbackup_action:
        action: start
        configuration_name: nightly
        agent_id: "{{ web_agent_id }}"  # several agents have a configuration of that name
        wait_timeout: 7200
      register: backup

    - name: Show what was backed up
      ansible.builtin.debug:
        msg: "Backup {{ backup.backup_id }} ended {{ backup.state }}: {{ backup.report.files_backed_up }} files"

    - name: Start another backup without waiting for it
      rackspace.cloudbackup.cloudbackup_action:
        action: start
        configuration_id: "{{ backup.backup.backup_configuration_id }}"
        wait: false
      register: started

    - name: Wait for it (joins the backup started above, reports no change)
      rackspace.cloudbackup.cloudbackup_action:
        action: start
        configuration_id: "{{ backup.backup.backup_configuration_id }}"
      register: joined

    - name: Back up unless a good backup completed in the last 6 hours
      rackspace.cloudbackup.cloudbackup_action:
        action: start
        configuration_name: nightly
        agent_id: "{{ web_agent_id }}"
        skip_if_completed_within: 21600
        allow_completed_with_errors: false

    - name: Back up the web and database servers in one task, wait for both, and fail if either is not good
      rackspace.cloudbackup.cloudbackup_action:
        action: start
        targets:
          - {name: web1, agent_id: "{{ web_agent_id }}", configuration_name: nightly}
          - {name: db1, agent_id: "{{ db_agent_id }}", configuration_name: nightly}
        wait_timeout: 7200
      register: fleet
      failed_when: fleet is failed or fleet.backups | selectattr('failed') | list | length > 0

    - name: Stop the backup started above if it is still running
      rackspace.cloudbackup.cloudbackup_action:
        action: stop
        backup_id: "{{ started.backup_id }}"

    - name: Stop whatever backup of the nightly configuration is running, without waiting
      rackspace.cloudbackup.cloudbackup_action:
        action: stop
        configuration_name: nightly
        agent_id: "{{ web_agent_id }}"
        wait: false

    - name: Wake every agent of the account and move on
      rackspace.cloudbackup.cloudbackup_action:
        action: wake_agents
"""

RETURN = r"""
outcome:
  description:
    - What the task did, in one word.
    - V(started) a new backup (or would have, in check mode); V(attached) joined a backup of the configuration
      that was already running; V(fresh) found a good backup within O(skip_if_completed_within);
      V(stop_requested) asked a running backup to stop; V(already_finished) found nothing running to stop;
      V(woken) sent the wake-up; V(already_online) found the agent online; V(batch) handled the O(targets)
      (each one's outcome is in RV(backups)).
  returned: always
  type: str
  sample: started
backup_id:
  description:
    - Id of the backup started, joined, found fresh or stopped.
    - Null when check mode predicts a start, for O(action=wake_agents), and for O(action=stop) by configuration
      when no backup of it was running.
  returned: always
  type: int
  sample: 368785
backup:
  description:
    - The backup's details (C(GET /backup/{id})), as last read.
    - Null when RV(backup_id) is null.
  returned: always
  type: dict
  sample:
    backup_id: 368785
    backup_configuration_id: 400001
    backup_configuration_name: nightly
    current_state: Completed
    machine_agent_id: 300001
    machine_name: alpha
    state_change_time: "2026-03-02T10:15:07Z"
    is_encrypted: false
    datacenter: DFW
    backup_datacenter: DFW
  contains:
    backup_id:
      description: Id of the backup.
      type: int
    backup_configuration_id:
      description: Id of its configuration.
      type: int
    backup_configuration_name:
      description: Name of its configuration.
      type: str
    current_state:
      description: Its state, for example C(Queued), C(InProgress), C(Completed) or C(Failed).
      type: str
    machine_agent_id:
      description: Id of the agent that runs it.
      type: int
    machine_name:
      description: Name of the agent's machine.
      type: str
    state_change_time:
      description: When it entered its current state, ISO 8601 UTC.
      type: str
state:
  description:
    - The backup's last known state - after a wait that saw it end, the final state of its report, spelled as
      the documentation spells states (C(CompletedWithErrors)); else RV(backup.current_state).
    - Null when there is no backup (see RV(backup_id)).
  returned: always
  type: str
  sample: Completed
report:
  description:
    - The backup's report (C(GET /backup/report/{id})), normalized, once the backup has ended.
    - Null while it is running, and when there is no backup.
  returned: always
  type: dict
  sample:
    backup_id: 368785
    state: Completed
    reason: Success
    diagnostics: No errors
    start_time: "2026-03-02T10:15:02Z"
    completed_time: "2026-03-02T10:15:07Z"
    duration: "00:00:05"
    duration_seconds: 5
    files_searched: 11936
    files_backed_up: 6
    bytes_searched: 3972844748
    bytes_searched_text: 3.7 GB
    bytes_backed_up: 186750156
    bytes_backed_up_text: 178.1 MB
    num_errors: 0
    error_list: []
agent:
  description:
    - With O(action=wake_agents) and O(agent_id), the agent's details (C(GET /agent/{id})) as last read,
      with C(status) C(Online) or C(Offline).
    - Null otherwise.
  returned: always
  type: dict
  sample:
    machine_agent_id: 300001
    machine_name: alpha
    status: Online
    is_disabled: false
    agent_version: 1.10.006176
elapsed:
  description: Seconds spent waiting for the backup to end, or for the agent to come online with O(action=wake_agents).
  returned: always
  type: float
  sample: 42.5
polls:
  description: How many times the backup's state (or the agent's status) was read while waiting.
  returned: always
  type: int
  sample: 4
timed_out:
  description:
    - Whether the wait ended because O(wait_timeout) (or O(online_timeout)) passed; the backup keeps running.
      For one backup, only ever true with O(on_timeout=continue). For O(targets), the backups still running
      are in RV(backups) (failed with O(on_timeout=fail)).
  returned: always
  type: bool
  sample: false
backups:
  description:
    - With O(targets), one element per target, in the same order.
    - Null without O(targets).
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - name: web1
      outcome: started
      changed: true
      failed: false
      msg: null
      backup_id: 368785
      state: null
      requested_at: 1767225600.5
      agent_id: 202743
      machine_name: web1
      configuration_id: 174084
      configuration_name: web1 daily files
      throttled: false
  contains:
    name:
      description: The target's O(targets[].name).
      type: str
    outcome:
      description:
        - V(started), V(attached), V(fresh) as RV(outcome) says for one backup, or V(failed) when this server
          could not be backed up (RV(backups[].msg) says why).
        - In check mode V(started) is the prediction and RV(backups[].backup_id) is null.
      type: str
    changed:
      description: Whether a backup was started for this target.
      type: bool
    failed:
      description:
        - Whether this target failed - its start (then RV(backups[].outcome) is V(failed)), or with O(wait=true)
          its backup, which ended badly or was still running when the wait gave up with O(on_timeout=fail).
      type: bool
    msg:
      description: Why this target failed; null when it did not.
      type: str
    backup_id:
      description: Id of the backup started, joined or found fresh.
      type: int
    state:
      description: The backup's state as last seen (null right after a start).
      type: str
    requested_at:
      description: When the start or attach happened, in seconds since the epoch on the machine the module runs on.
      type: float
    agent_id:
      description: Id of the target's agent.
      type: int
    machine_name:
      description: Machine name of the target's agent.
      type: str
    configuration_id:
      description: Id of the configuration backed up.
      type: int
    configuration_name:
      description: Name of the configuration backed up.
      type: str
    result:
      description:
        - With O(wait=true), the verdict on this target's backup, as
          RV(rackspace.cloudbackup.cloudbackup_report#module:backups[].result) gives it for a C(backups) element
          (C(ended), C(timed_out), C(state), C(report), C(errors), C(error_count), C(healthy), C(gate_passed),
          C(gate_failure), C(summary), C(elapsed), and C(error) for a backup that could no longer be read); its gate
          is the good states of O(targets[].allow_completed_with_errors).
        - Null without O(wait), in check mode, for a target that failed before its backup started, and for a
          backup still running when the wait ended.
      type: dict
      version_added: 0.3.0
    throttled:
      description:
        - Whether the account's rate limit refused this target's start (HTTP 413 C(overLimit) or 429) at least once;
          it was sent again after the C(Retry-After). (After a refusal every start of the batch waits, refused or not.)
        - The task warns with how many starts were refused.
      type: bool
      version_added: 0.3.0
    region:
      description: The target's O(targets[].region), or null.
      type: str
      version_added: 0.3.0
    endpoint:
      description:
        - With O(targets[].region) and a backup, the endpoint of that region, to give as O(targets[].endpoint) (or
          the C(endpoint) of a M(rackspace.cloudbackup.cloudbackup_report) O(rackspace.cloudbackup.cloudbackup_report#module:backups)
          element) to later tasks; else null.
      type: str
      version_added: 0.3.0
diff:
  description: The state before and after, in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      backup_id: 100001
      state: Completed
    after:
      backup_id: 368785
      state: StartRequested
"""

import time
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._agents import ready_agent
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import (
    WAKE_TAKES,
    get_agent,
    get_backup,
    is_online,
    wake_agents,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._backups import (
    backup_and_report,
    backup_runs,
    in_flight_backup_for,
    in_flight_run,
    newest_run,
    recent_good_backup,
    stop_backup_confirmed,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configurations import resolve_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import BackupFailed, CloudBackupError, WaitTimeout
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import watch_entry
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_start import start_fleet, start_one
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_watch import watch_fleet, watch_one
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule, wait_argument_spec
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    ACTION_RULES,
    TARGET_RULES,
    check,
    check_elements,
    check_unused,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import end_failure, good_states, judge
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import (
    NOT_WAITED,
    Waiter,
    WaitResult,
    last_read_failure,
)

# Options that an action does not use: passing one is a mistake worth a clear message.
UNUSED_OPTIONS = {
    "start": (),  # backup_id: the argument spec already excludes it
    "stop": ("skip_if_completed_within", "targets"),
    "wake_agents": ("configuration_id", "configuration_name", "backup_id", "skip_if_completed_within", "targets"),
}


def main() -> None:
    module = CloudBackupModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("configuration_id", "configuration_name"), ("backup_id", "configuration_id"),
                            ("backup_id", "configuration_name"),
                            *[("targets", option) for option in ("configuration_id", "configuration_name", "agent_id",
                                                                 "backup_id")]],
        required_if=[("action", "start", ("configuration_id", "configuration_name", "targets"), True),
                     ("action", "stop", ("backup_id", "configuration_id", "configuration_name"), True)],
    )
    module.run(perform_action)


def argument_spec() -> dict:
    spec = dict(
        action=dict(type="str", required=True, choices=["start", "stop", "wake_agents"]),
        configuration_id=dict(type="int"),
        configuration_name=dict(type="str"),
        agent_id=dict(type="int"),
        backup_id=dict(type="int"),
        skip_if_completed_within=dict(type="int"),
        allow_completed_with_errors=dict(type="bool", default=True),
        online_timeout=dict(type="int", default=120),
        targets=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            agent_id=dict(type="int"),
            server_id=dict(type="str"),
            machine_name=dict(type="str"),
            configuration_id=dict(type="int"),
            configuration_name=dict(type="str"),
            skip_if_completed_within=dict(type="int"),
            allow_completed_with_errors=dict(type="bool", default=True),
            region=dict(type="str"),
            endpoint=dict(type="str"),
        )),
        wake_agents=dict(type="bool", default=True),
    )
    spec.update(wait_argument_spec())
    return spec


def perform_action(module: CloudBackupModule) -> dict:
    check_options(module.params)
    action = {"start": start_backup, "stop": stop_backup, "wake_agents": wake_up_agents}[module.params["action"]]
    return action(module)


def check_options(params: dict) -> None:
    """Catch what the argument spec cannot express, before any HTTP call."""
    check_unused(params, UNUSED_OPTIONS)
    check(params, ACTION_RULES)
    check_elements(params, "targets", TARGET_RULES)


# --- start -------------------------------------------------------------------------------

def start_backup(module: CloudBackupModule) -> dict:
    if module.params["targets"] is not None:
        return start_batch(module)
    configuration = configuration_to_back_up(module)
    runs = backup_runs(module.client, configuration)
    running = in_flight_run(runs)
    if running is not None:
        return follow_backup(module, running["id"], "attached", False, configuration["backup_configuration_id"])
    fresh = recent_good_backup_of(module, configuration)
    if fresh is not None:
        return follow_backup(module, fresh["backup_id"], "fresh", False)
    before = last_run(module, configuration)
    agent = agent_ready_to_back_up(module, configuration["machine_agent_id"])
    if module.check_mode:
        return dict(result_of("started", True), **module.diff(before, {"backup_id": None, "state": "StartRequested"}))
    # A single start is a batch of one: the same rounds, looks and rules as the targets'.
    started_at = time.time()
    backup_id = start_one(module.client, agent, configuration, runs, module.params["online_timeout"],
                          sleep=time.sleep, clock=time.monotonic, warn=module.warn)
    return follow_backup(module, backup_id, "started", True, configuration["backup_configuration_id"], before,
                         started_at=started_at)


def start_batch(module: CloudBackupModule) -> dict:
    """Start or attach to a backup for every target, and follow them with wait; a target that fails does not fail the task."""
    params = module.params
    backups = start_fleet(module.client, params["targets"], params["wake_agents"], params["online_timeout"],
                          module.check_mode, sleep=time.sleep, clock=time.monotonic, client_for=module.client_for,
                          warn=module.warn)
    waited = NOT_WAITED
    if params["wait"] and not module.check_mode:
        waited = wait_for_batch(module, backups)
    for backup in backups:
        backup.setdefault("result", None)
    if module.rate_limited:
        module.warn("the account's rate limit refused %d requests of this task, among them the starts of %d of the %d "
                    "servers: each was sent again after the Retry-After the API asked for, and the batch waited with it"
                    % (module.rate_limited, sum(backup["throttled"] for backup in backups), len(backups)))
    return dict(result_of("batch", any(backup["changed"] for backup in backups), waited=waited), backups=backups)


def wait_for_batch(module: CloudBackupModule, backups: List[dict]) -> WaitResult:
    """Follow the batch's backups through each region's feed until all end or wait_timeout passes.

    Each element gets ``result``, what cloudbackup_report says of a ``backups`` element, and
    the one verdict (_verdict.judge) by its target's good states: one that ended badly, or
    that is still running when the wait gives up with on_timeout=fail, fails on its own.
    """
    params = module.params
    # The wait reaches each region with the client the start used (the target's own endpoint).
    watched = [(backup, spec, dict(watch_entry(backup, good_states(spec.get("allow_completed_with_errors"))),
                                   endpoint=spec.get("endpoint")))
               for backup, spec in zip(backups, params["targets"]) if backup["backup_id"] is not None]
    # This module's time, passed on explicitly (see waiter()).
    waited = watch_fleet(module.client, [entry for backup, spec, entry in watched], params["wait_timeout"],
                         params["poll_interval"], sleep=time.sleep, clock=time.monotonic, now=time.time,
                         client_for=module.client_for)
    for backup, spec, entry in watched:
        result = entry["result"]
        backup.update(state=entry["state"], backup_id=entry["backup_id"], result=result)
        verdict = judge(
            result["summary"] if result else "backup %s is still %s after %d seconds" % (
                entry["backup_id"], entry["state"], waited.elapsed),
            entry["state"], (result or {}).get("report"), timed_out=result is None,
            gave_up="it keeps running" if params["on_timeout"] == "fail" else None,
            good=good_states(spec.get("allow_completed_with_errors")), unreadable=(result or {}).get("error"))
        if verdict.failure is not None:
            backup.update(failed=True, msg=verdict.failure)
    return waited


def configuration_to_back_up(module: CloudBackupModule) -> dict:
    configuration = configuration_given(module)
    if configuration.get("is_deleted"):
        raise CloudBackupError("backup configuration %s (%s) is deleted and cannot be backed up"
                               % (configuration["backup_configuration_id"], configuration.get("backup_configuration_name")))
    return configuration


def configuration_given(module: CloudBackupModule) -> dict:
    """The configuration named by configuration_id, or by configuration_name (within agent_id)."""
    params = module.params
    configuration = resolve_configuration(module.client, params["configuration_id"], params["configuration_name"],
                                          params["agent_id"])
    if params["agent_id"] is not None and configuration["machine_agent_id"] != params["agent_id"]:
        raise CloudBackupError("backup configuration %s belongs to agent %s, not to agent_id %s"
                               % (params["configuration_id"], configuration["machine_agent_id"], params["agent_id"]))
    return configuration


def recent_good_backup_of(module: CloudBackupModule, configuration: dict) -> Optional[dict]:
    """The newest good backup that completed within skip_if_completed_within seconds, or None."""
    window = module.params["skip_if_completed_within"]
    if window is None:
        return None
    return recent_good_backup(module.client, configuration["backup_configuration_id"], window,
                              good_states(module.params["allow_completed_with_errors"]), now=time.time)


def last_run(module: CloudBackupModule, configuration: dict) -> Optional[dict]:
    """The configuration's newest run as {backup_id, state}, read only for a diff."""
    if not module._diff:
        return None
    newest = newest_run(backup_runs(module.client, configuration))
    return {"backup_id": newest["id"], "state": newest.get("current_state")} if newest else {"backup_id": None, "state": None}


def agent_ready_to_back_up(module: CloudBackupModule, agent_id: int) -> dict:
    """The agent, once it is online; fails if it is disabled or stays offline (warns in check mode)."""
    timeout = 0 if module.check_mode else module.params["online_timeout"]
    return ready_agent(module.client, agent_id, timeout, module.check_mode, module.warn,
                       "agent", "runs no backups", "run this module with action=wake_agents and agent_id=%s first",
                       clock=time.monotonic, sleep=time.sleep)


# --- stop --------------------------------------------------------------------------------

def stop_backup(module: CloudBackupModule) -> dict:
    backup = backup_to_stop(module)
    if backup is None:
        nothing = {"backup_id": None, "state": None}
        return dict(result_of("already_finished", False), **module.diff(nothing, nothing))
    before = {"backup_id": backup["backup_id"], "state": backup.get("current_state")}
    if is_terminal(backup.get("current_state")):
        return follow_backup(module, backup["backup_id"], "already_finished", False, before=before)
    if module.check_mode:
        return dict(result_of("stop_requested", True, backup=backup),
                    **module.diff(before, dict(before, state="StopRequested")))
    if not stop_backup_confirmed(module.client, backup["backup_id"], sleep=time.sleep):
        return follow_backup(module, backup["backup_id"], "already_finished", False, before=before)
    return follow_backup(module, backup["backup_id"], "stop_requested", True, backup.get("backup_configuration_id"),
                         before, stopping=True)


def backup_to_stop(module: CloudBackupModule) -> Optional[dict]:
    """The backup given by backup_id, or the running one of the configuration (None if none runs)."""
    if module.params["backup_id"] is not None:
        return get_backup(module.client, module.params["backup_id"])
    running = in_flight_backup_for(module.client, configuration_given(module))
    return None if running is None else get_backup(module.client, running["id"])


# --- wake_agents -------------------------------------------------------------------------

def wake_up_agents(module: CloudBackupModule) -> dict:
    agent_id = module.params["agent_id"]
    if agent_id is None:
        if not module.check_mode:
            wake_agents(module.client)
        return dict(result_of("woken", True), **module.diff({"wake_requested": False}, {"wake_requested": True}))
    agent = get_agent(module.client, agent_id)
    before = {"agent_id": agent_id, "status": agent.get("status")}
    if is_online(agent):
        return dict(result_of("already_online", False, agent=agent), **module.diff(before, before))
    seen = agent_woken(module, agent)
    after = dict(before, status="Online" if module.check_mode else seen.value.get("status"))
    return dict(result_of("woken", True, agent=seen.value, waited=seen), **module.diff(before, after))


def agent_woken(module: CloudBackupModule, agent: dict) -> WaitResult:
    """Wake the agents (not in check mode) and wait for this one if asked; a timeout fails unless told to continue."""
    agent_id = agent["machine_agent_id"]
    if agent.get("is_disabled"):
        module.warn("agent %s (%s) is disabled: it runs no backups even when online" % (agent_id, agent.get("machine_name")))
    if module.check_mode:
        return WaitResult(agent, 0.0, 0, False)
    wake_agents(module.client)
    if not module.params["wait"]:
        return WaitResult(agent, 0.0, 0, False)
    seen = wait_for_agent(module, agent_id, module.params["online_timeout"], is_online, rewake=True)
    if seen.timed_out and module.params["on_timeout"] == "fail":
        raise timeout_error("agent %s is still %s after %d seconds and %d polls"
                            % (agent_id, seen.value.get("status"), seen.elapsed, seen.polls),
                            None, seen, agent_id=agent_id, agent=seen.value, changed=True)
    return seen


def wait_for_agent(module: CloudBackupModule, agent_id: int, timeout: float,
                   done: Callable[[dict], Any], rewake: bool = False) -> WaitResult:
    """Read the agent until done(agent) or the timeout, re-posting the wake-up if asked to."""
    last_wake = time.monotonic()

    def read_agent() -> dict:
        nonlocal last_wake
        if rewake and time.monotonic() - last_wake >= WAKE_TAKES:
            wake_agents(module.client)
            last_wake = time.monotonic()
        return get_agent(module.client, agent_id)

    return waiter(module, timeout).until(read_agent, done)


# --- following a backup ------------------------------------------------------------------

def follow_backup(module: CloudBackupModule, backup_id: int, outcome: str, changed: bool,
                  configuration_id: Optional[int] = None, before: Optional[dict] = None, stopping: bool = False,
                  started_at: Optional[float] = None) -> dict:
    """Wait for the backup if the task asks to and it was just started, joined or stopped; judge its end.

    The wait follows it as a batch of one (_fleet_watch.watch_one), by its configuration's
    runs in the account's feed; ``started_at`` is given for a backup this task started, which
    is looked at that way even without a wait, so that a run the API went on with instead of
    it is the one followed and returned. A task that started or stopped something says
    ``changed`` even when it fails.
    """
    waiting = module.params["wait"] and not module.check_mode and outcome in ("started", "attached", "stop_requested")
    try:
        if waiting or started_at is not None:
            looked = wait_for_end(module, backup_id, configuration_id, started_at, waiting)
            seen, entry = looked if waiting else NOT_WAITED, looked.value
            backup_id = run_followed(module, backup_id, entry)
            backup, ended = entry["backup"], entry["result"] or {}
            # An end is judged by the state the wait saw end: the report's.
            state, report = ended.get("state") or backup.get("current_state"), ended.get("report")
        else:
            seen, (backup, report) = NOT_WAITED, backup_and_report(module.client, backup_id)
            state = backup.get("current_state")
        if waiting:
            judge_end(module, backup, outcome, seen, state, report, stopping)
    except CloudBackupError as err:
        err.details["changed"] = changed
        raise
    after = {"backup_id": backup_id, "state": state}
    return dict(result_of(outcome, changed, backup=backup, state=state, report=report, waited=seen),
                **module.diff(after if before is None else before, after))


def wait_for_end(module: CloudBackupModule, backup_id: int, configuration_id: Optional[int],
                 started_at: Optional[float], waiting: bool) -> WaitResult:
    """Follow the backup until its first final state, good or bad, or until wait_timeout (one look when not
    ``waiting``); the value is its entry."""
    params = module.params
    # This module's time, passed on explicitly (see waiter()).
    return watch_one(module.client, backup_id, configuration_id, params["wait_timeout"] if waiting else None,
                     params["poll_interval"], started_at, sleep=time.sleep, clock=time.monotonic, now=time.time)


def run_followed(module: CloudBackupModule, backup_id: int, entry: dict) -> int:
    """The id of the run the wait followed: ``backup_id``, or the run the API went on with, with a warning."""
    if entry["backup_id"] != backup_id:
        module.warn("backup %s was skipped because backup %s of the configuration had started just before (a "
                    "scheduled run?): the task followed backup %s" % (backup_id, entry["backup_id"], entry["backup_id"]))
    return entry["backup_id"]


def judge_end(module: CloudBackupModule, backup: dict, outcome: str, seen: WaitResult, state: Optional[str],
              report: Optional[dict], stopping: bool) -> None:
    """Fail on a timeout (unless on_timeout=continue) and on a final state that is not a success."""
    backup_id = backup["backup_id"]
    if seen.timed_out:
        if module.params["on_timeout"] == "fail":
            raise timeout_error("backup %s is still %s after %d seconds and %d polls; it keeps running%s"
                                % (backup_id, state, seen.elapsed, seen.polls, last_read_failure(seen.value)),
                                state, seen, backup_id=backup_id, backup=backup, outcome=outcome)
        return
    why = end_failure(state, report, good_states(module.params["allow_completed_with_errors"], stopping))
    if why is not None:
        raise backup_failed(backup, state, why, report, seen)


def waiter(module: CloudBackupModule, timeout: float) -> Waiter:
    # This module's time is passed on explicitly, here and to start_one, rather than
    # left to the defaults (bound when _waiter was imported): the unit tests swap it for a fake clock.
    return Waiter(timeout, module.params["poll_interval"], clock=time.monotonic, sleep=time.sleep,
                  within=module.client.retrying_within)


def backup_failed(backup: dict, state: Optional[str], why: str, report: Optional[dict], seen: WaitResult) -> BackupFailed:
    backup_id = backup["backup_id"]
    error = BackupFailed(backup_id, state, report, msg="backup %s %s" % (backup_id, why))
    error.details.update(backup=backup, elapsed=round(seen.elapsed, 1), polls=seen.polls, timed_out=False)
    return error


def timeout_error(msg: str, state: Optional[str], seen: WaitResult, **details: Any) -> WaitTimeout:
    """A WaitTimeout that also carries what the task knows, for the failed result."""
    error = WaitTimeout(state, round(seen.elapsed, 1), seen.polls, msg=msg)
    error.details.update(details, timed_out=True)
    return error


def result_of(outcome: str, changed: bool, backup: Optional[dict] = None, report: Optional[dict] = None,
              agent: Optional[dict] = None, waited: WaitResult = NOT_WAITED, state: Optional[str] = None) -> Dict[str, Any]:
    """The module's result; every key is always present so playbooks can rely on it.

    ``state`` is the backup's as the task saw it last (default: as its details say).
    """
    return dict(
        changed=changed,
        outcome=outcome,
        backup_id=backup["backup_id"] if backup else None,
        backup=backup,
        state=state or (backup.get("current_state") if backup else None),
        report=report,
        agent=agent,
        elapsed=round(waited.elapsed, 1),
        polls=waited.polls,
        timed_out=waited.timed_out,
        backups=None,
    )


if __name__ == "__main__":
    main()
