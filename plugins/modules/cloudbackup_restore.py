#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudbackup_restore
short_description: Restore a Rackspace Cloud Backup to a server, and wait until the files are back
version_added: 0.3.0
description:
  - Restores a backup, given by its id or as the newest restorable backup of a backup configuration, to a
    destination agent (by default the backup's own) and a path, then waits until the restore ends.
  - A restore of the same backup to the same agent and path that is already running is joined instead of
    starting a second one.
  - Stops a running restore, or follows one (waits for it and reads its report) without starting anything.
  - Waiting ends at the first final state. C(Failed) and an unexpected C(Stopped) fail the task with the
    restore report attached; C(CompletedWithErrors) fails it only with O(allow_completed_with_errors=false).
options:
  action:
    description:
      - V(start) restores the backup given by O(backup_id), O(configuration_id) or O(configuration_name) to
        O(destination_path) on O(destination_agent_id), unless a restore of it to that agent and path is
        already running (then it is joined, RV(outcome=attached)).
      - V(stop) stops the restore given by O(restore_id). A restore that has already ended is left alone.
      - V(wait) follows the restore given by O(restore_id) - it waits for its end (with O(wait=true)) or reads
        it once, and returns its report - without starting anything. Use it to wait for a long restore in
        chunks; repeating O(action=start) would start a new restore once the first one has ended. A restore
        read once (O(wait=false)) never fails the task by its state; O(gate) still applies.
    type: str
    choices: [start, stop, wait]
    default: start
  backup_id:
    description:
      - Id of the backup to restore (see RV(rackspace.cloudbackup.cloudbackup_action#module:backup_id) and
        O(rackspace.cloudbackup.cloudbackup_info#module:resource=completed_backups)). It must have ended
        C(Completed) or C(CompletedWithErrors). At least V(1).
      - Mutually exclusive with O(configuration_id) and O(configuration_name).
    type: int
  configuration_id:
    description:
      - Id of a backup configuration, to restore its newest backup that can still be restored. At least V(1).
      - Mutually exclusive with O(backup_id) and O(configuration_name).
    type: int
  configuration_name:
    description:
      - Name of a backup configuration, instead of O(configuration_id). It must match exactly one live
        configuration of the account, or of O(agent_id) when that is set. It must not be empty or blank.
      - Mutually exclusive with O(backup_id) and O(configuration_id).
    type: str
  agent_id:
    description:
      - The agent whose configurations O(configuration_name) is looked up among. At least V(1).
      - This is not where the files go; see O(destination_agent_id).
    type: int
  restore_id:
    description:
      - With O(action=stop) and O(action=wait), the restore, as returned in RV(restore_id). At least V(1).
    type: int
  destination_agent_id:
    description:
      - Id of the agent to restore the files to. At least V(1).
      - By default the agent that made the backup. Another agent of the account restores a server's files
        onto another server (for example a replacement one).
    type: int
  destination_path:
    description:
      - Where to restore the files on the destination, for example V(/) to put them back where they were, or
        V(/srv/restored/) to restore them beside the live files. Required with O(action=start).
      - It must not be empty or blank. A trailing separator makes no difference when restores are compared.
    type: str
  overwrite:
    description:
      - Whether files that exist at the destination are overwritten by the backup's copies.
    type: bool
    default: false
  include:
    description:
      - Restore only these paths of the backup. A path that ends with V(/) (or V(\\), on Windows) is a folder,
        any other a file.
      - By default the whole backup is restored. No element may be empty or blank.
    type: list
    elements: str
  exclude:
    description:
      - Leave these paths of the backup out. A path that ends with V(/) (or V(\\)) is a folder, any other a file.
        No element may be empty or blank.
    type: list
    elements: str
  restores:
    description:
      - Many restores in one task, one element per server, instead of O(backup_id), O(configuration_id),
        O(configuration_name), O(agent_id), O(restore_id), O(destination_agent_id), O(destination_path),
        O(include) and O(exclude). An element that fails (a bad backup, a refused start, a bad end) fails on its
        own - RV(restores[].failed) says so - and the task goes on with the others.
      - With O(action=start), each element is started, or joined when a restore of the same backup to the same
        agent and path is already running; two elements that ask for the same restore make one, and the second
        fails. The account's activity feed is read once for all of them (once per O(restores[].region)). The
        destination agents are not woken - wake them first; the starts wait for one of them to be online (at
        most O(online_timeout), and 30 seconds), then go in rounds, so an agent that refuses (HTTP 403) holds no
        other one back. With
        O(wait=true) they are then followed as with O(action=wait); a long wait is best made in chunks, with
        O(wait=false) here and O(action=wait) after.
      - With O(action=wait), each element is followed by its O(restores[].restore_id), with one read of the
        activity feed per poll for all of them and each restore's report once it has ended. Each element is judged as
        a single restore with O(wait=true) is, by its own O(restores[].allow_completed_with_errors) and
        O(restores[].max_errors).
      - Not with O(action=stop).
    type: list
    elements: dict
    version_added: 0.3.0
    suboptions:
      name:
        description: What the element stands for, for example the server's inventory name; returned as is.
        type: str
        required: true
      backup_id:
        description: With O(action=start), as O(backup_id). One of it and O(restores[].configuration_id) is required.
        type: int
      configuration_id:
        description: With O(action=start), as O(configuration_id).
        type: int
      destination_agent_id:
        description: With O(action=start), as O(destination_agent_id).
        type: int
      destination_path:
        description:
          - With O(action=start), as O(destination_path); required.
          - With O(action=wait), only used to name the restore in its summary until the restore is read.
        type: str
      overwrite:
        description: With O(action=start), as O(overwrite); by default the task's O(overwrite).
        type: bool
      include:
        description: With O(action=start), as O(include).
        type: list
        elements: str
      exclude:
        description: With O(action=start), as O(exclude).
        type: list
        elements: str
      restore_id:
        description: With O(action=wait), the restore to follow (RV(restores[].restore_id) of the start); required.
        type: int
      started_at:
        description:
          - With O(action=wait), when the restore was started (RV(restores[].started_at) of the start), for the
            progress line's longest-running restore.
        type: float
      deadline:
        description:
          - With O(action=wait), when this restore is out of time (seconds since the epoch). A restore still
            running then gets RV(restores[].timed_out=true) and is not followed any further.
        type: float
      allow_completed_with_errors:
        description: With O(action=wait), as O(allow_completed_with_errors); by default the task's.
        type: bool
      max_errors:
        description: With O(action=wait) and O(gate=true), as O(max_errors); by default the task's.
        type: int
      region:
        description:
          - The region of this restore's agents (V(DFW), V(ORD), ... in any case), when it is not the task's
            O(region) - the backup's and the destination agent's, which are in one region.
          - With O(action=start), the elements of each region are one batch, sent to that region's Cloud Backup
            endpoint with its own feed read and agent list; when the elements span several regions, one whose batch
            cannot run (its endpoint, its list) fails its own elements only. With O(action=wait), each region's feed
            is read once per poll.
            The token serves every region of the account.
        type: str
      endpoint:
        description:
          - The Cloud Backup endpoint of O(restores[].region), when known (RV(restores[].endpoint) of the start, or
            the C(endpoints) that M(rackspace.cloudbackup.cloudbackup_auth) returns). Without it, the task logs in
            once more to read that region's endpoint from the service catalog.
        type: str
      result:
        description:
          - With O(action=wait), the element as an earlier chunk of the same wait returned it (RV(restores)), for a
            restore that has ended or run out of time there. It is not followed again, only counted in
            RV(progress), and returned in short (RV(restores[].carried=true)).
        type: dict
  online_timeout:
    description:
      - With O(action=start), seconds to wait for the destination agent to report itself online before the
        restore is created, for an agent woken a moment ago. It does not wake it - run
        M(rackspace.cloudbackup.cloudbackup_action) with O(rackspace.cloudbackup.cloudbackup_action#module:action=wake_agents)
        first. Set V(0) to fail at once when the agent is offline. At least V(0).
      - With O(restores), the longest wait (and at most 30 seconds) for one of the destination agents, woken
        together a moment ago, to be online before the first starts; an agent still offline then is tried
        again by the rounds of starts.
      - Should an agent refuse the start (HTTP 403) all the same, having dozed off while the restore was
        created, the start is sent again every 2 seconds for O(online_timeout) seconds (at least 30), and the
        wake-up is posted again when the refusals go on (at most every 20 seconds).
    type: int
    default: 120
  allow_completed_with_errors:
    description:
      - Whether a restore that ends C(CompletedWithErrors) (some files could not be written) counts as a success.
    type: bool
    default: true
  gate:
    description:
      - Whether to fail the task unless the restore ended in one of O(acceptable_states) with at most
        O(max_errors) errors, as O(rackspace.cloudbackup.cloudbackup_report#module:gate) does for backups. The
        failed result still carries the restore, its report and the summary.
      - A restore without a report (still running) never passes the gate; with O(on_timeout=continue) a timed
        out wait leaves RV(gate_passed) null.
    type: bool
    default: false
  acceptable_states:
    description:
      - With O(gate=true), the final states that pass the gate, in any case; not empty.
    type: list
    elements: str
    default: [Completed]
  max_errors:
    description:
      - With O(gate=true), the most errors (files not restored) that still pass the gate. At least V(0).
    type: int
  completed_reports:
    description:
      - With O(restores) and a wait, whether the report of a restore that ended C(Completed) is read as well.
      - V(false) saves one request per restore, for a fleet on an account close to its rate limits. The state
        C(Completed) already says that the restore ended without errors, so such a restore's
        RV(restores[].report) stays null, its RV(restores[].healthy) is true and it passes O(gate) when
        O(acceptable_states) holds C(Completed); its summary says C(report not read). The report of any other
        end is read all the same, for its error count and its reason.
    type: bool
    default: true
    version_added: 0.3.0
extends_documentation_fragment:
  - rackspace.cloudbackup.connection
  - rackspace.cloudbackup.wait
  - rackspace.cloudbackup.attributes
  - rackspace.cloudbackup.attributes.action_group
attributes:
  check_mode:
    support: full
    details:
      - Every read is made, so credentials, ids, the backup and the destination agent are checked; nothing is
        created, started or stopped and nothing is waited for. C(changed) is the prediction, and RV(restore_id)
        is null when a restore would be started.
  diff_mode:
    support: full
    details:
      - Shows what would be restored where (backup, destination agent and path, overwrite, paths), and a
        restore's state before and after a stop.
  idempotent:
    support: full
    details:
      - O(action=start) joins a running restore of the same backup to the same destination agent and path
        instead of starting a second one (a restore asked to stop is not joined). Once it has ended, running the
        task again restores again.
      - Running restores are found in the account's activity feed, whose delay is undocumented - two tasks
        started within moments of each other can both start a restore.
      - O(action=stop) reports no change for a restore that has already ended or is already stopping;
        O(action=wait) never changes anything.
notes:
  - A restore is made of several requests - create a restore configuration, add its O(include) and
    O(exclude) paths, start it. When a step after the creation fails, the restore configuration is deleted
    again, and the failure says so; C(changed) is then false. Should that deletion fail too, the message
    names the restore configuration left behind, and C(changed) is true.
  - A creation answered with a server error (5xx), a garbled reply or a lost reply may have been done anyway.
    Before sending it again (at most 5 sends in all) the module looks for the new restore configuration in the
    account's activity feed for 30 seconds after the last moment the creation could have been acted on, takes
    it if it is there, and deletes any other one that such a creation made. With O(restores) the creations go
    in rounds, so one server's unclear creation holds no other server back.
    Whether the API shows restore configurations that were never started in that feed is undocumented; where
    it does not, such a creation may leave one, and the warning or failure says so. A start answered that way
    is checked by reading the restore, so a fault never starts two restores.
  - Right after a wake-up the API refuses starts with HTTP 403 until the agent is connected; the module sends
    the start again every 2 seconds for O(online_timeout) seconds (at least 30). Starts and creations follow
    the same rules as M(rackspace.cloudbackup.cloudbackup_action)'s backup starts.
  - Restoring from an encrypted vault needs the vault's password, which this module does not send; such a
    backup fails the task before anything is created.
seealso:
  - module: rackspace.cloudbackup.cloudbackup_info
    description: Find backups to restore, read a restore and the account's restore activity.
  - module: rackspace.cloudbackup.cloudbackup_action
    description: Wake the agents before a restore, and start backups.
author:
  - rackspace.cloudbackup maintainers (@rackspace)
requirements:
  - requests
"""

EXAMPLES = r"""
- name: Roll a server back to the backup taken before its upgrade
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/rackspace.cloudbackup.cloudbackup:
      username: "{{ rax_username }}"
      api_key: "{{ rax_api_key }}"
      region: DFW
  tasks:
    - name: Wake the agents and wait until the web server's agent is online
      rackspace.cloudbackup.cloudbackup_action:
        action: wake_agents
        agent_id: 300001

    - name: Put the files of backup 368785 back where they were, and wait until they are
      rackspace.cloudbackup.cloudbackup_restore:
        backup_id: 368785
        destination_path: /
        overwrite: true
        wait_timeout: 7200
      register: restored

    - name: Show what was restored
      ansible.builtin.debug:
        msg: "{{ restored.summary }}"

    - name: Restore the newest backup of the nightly configuration of agent 300001 beside the live files
      rackspace.cloudbackup.cloudbackup_restore:
        configuration_name: nightly
        agent_id: 300001
        destination_path: /srv/restored/
        include: [/etc/nginx/, /var/www/index.html]
        exclude: [/var/www/cache/]
        wait: false
      register: started

    - name: Wait for it in chunks of 10 minutes, with a line of progress after each
      rackspace.cloudbackup.cloudbackup_restore:
        action: wait
        restore_id: "{{ started.restore_id }}"
        wait_timeout: 600
        on_timeout: continue
      register: chunk
      until: chunk is failed or not chunk.timed_out
      retries: 12
      delay: 0

    - name: Restore a server's backup onto its replacement, and fail unless it is clean
      rackspace.cloudbackup.cloudbackup_restore:
        backup_id: 368785
        destination_agent_id: 300009
        destination_path: /
        gate: true
        max_errors: 0

    - name: Stop the restore started above if it is still running
      rackspace.cloudbackup.cloudbackup_restore:
        action: stop
        restore_id: "{{ started.restore_id }}"
"""

RETURN = r"""
outcome:
  description:
    - What the task did, in one word.
    - V(started) a new restore (or would have, in check mode); V(attached) joined a restore of the same backup
      to the same destination that was already running; V(stop_requested) asked a running restore to stop;
      V(already_finished) found the restore to stop already ended; V(followed) read or waited for the restore
      given with O(action=wait); V(batch) started the O(restores), each element's own outcome being
      RV(restores[].outcome).
  returned: always
  type: str
  sample: started
restore_id:
  description: Id of the restore. Null when check mode predicts a start.
  returned: always
  type: int
  sample: 500001
backup_id:
  description: Id of the backup restored.
  returned: always
  type: int
  sample: 368785
restore:
  description:
    - The restore's details (C(GET /restore/{id})), as last read, normalized. Null when check mode predicts a start.
  returned: always
  type: dict
  sample:
    restore_id: 500001
    backup_id: 368785
    backup_configuration_id: 174084
    backup_configuration_name: web1 daily files
    backup_restore_point: "2026-03-02T10:15:07Z"
    backup_machine_id: 202743
    backup_machine_name: web1
    destination_machine_id: 202743
    destination_machine_name: web1
    destination_path: /
    overwrite_files: true
    backup_datacenter: DFW
    is_encrypted: false
    restore_state_id: 3
    state: Completed
  contains:
    restore_id:
      description: Id of the restore.
      type: int
    backup_id:
      description: Id of the backup restored.
      type: int
    backup_configuration_id:
      description: Id of the backup's configuration.
      type: int
    backup_configuration_name:
      description: Name of the backup's configuration.
      type: str
    backup_restore_point:
      description: When the backup restored was taken (ISO 8601 UTC).
      type: str
    backup_machine_id:
      description: Id of the agent that made the backup.
      type: int
    backup_machine_name:
      description: Machine name of that agent.
      type: str
    destination_machine_id:
      description: Id of the agent the files are restored to.
      type: int
    destination_machine_name:
      description: Machine name of that agent.
      type: str
    destination_path:
      description: Where the files are restored.
      type: str
    overwrite_files:
      description: Whether existing files are overwritten.
      type: bool
    restore_state_id:
      description: The API's number for the state (C(RestoreStateId)).
      type: int
    state:
      description:
        - The state's name - V(Creating) (not started), V(StartRequested), V(Queued), V(Preparing),
          V(InProgress), V(StopRequested), V(Completed), V(CompletedWithErrors), V(Failed) or V(Stopped).
      type: str
state:
  description: The restore's last known state (the same as RV(restore.state)); null when check mode predicts a start.
  returned: always
  type: str
  sample: Completed
report:
  description:
    - The restore's report (C(GET /restore/report/{id})), normalized, once the restore has ended; null before.
  returned: always
  type: dict
  sample:
    backup_report_id: 368785
    backup_configuration_id: 174084
    backup_configuration_name: web1 daily files
    restore_point: "2026-03-02T10:15:07Z"
    start_time: "2026-03-03T08:00:02Z"
    completed_time: "2026-03-03T08:00:14Z"
    duration: "00:00:12"
    duration_seconds: 12
    originating_computer_name: web1
    restore_destination: web1
    restore_destination_machine_id: 202743
    state: Completed
    num_files_restored: 1200
    num_bytes_restored: 367001600
    num_bytes_restored_text: 350 MB
    num_errors: 0
    reason: Success
    diagnostics: No errors
    error_list: []
  contains:
    state:
      description: The final state's name.
      type: str
    num_files_restored:
      description: Files restored.
      type: int
    num_bytes_restored:
      description: Bytes restored; C(num_bytes_restored_text) has the API's own text.
      type: int
    num_errors:
      description: Files that could not be restored.
      type: int
    error_list:
      description: One element per file that could not be restored, as the API describes it.
      type: list
      elements: dict
    duration_seconds:
      description: How long the restore ran.
      type: int
    reason:
      description: The API's reason, for example V(Success) or V(UnableToProcessSomeFiles).
      type: str
healthy:
  description: Whether the report says C(Completed), reason C(Success) and no errors. False without a report.
  returned: always
  type: bool
  sample: true
summary:
  description: One line for humans about the restore, or about the restore check mode predicts.
  returned: always
  type: str
  sample: "restore 500001 of backup 368785 (web1 daily files) to web1:/: Completed, 1200 files and 350 MB restored, 0 errors, 12s"
gate_passed:
  description: With O(gate=true), whether the restore passed the gate; null without a gate or when the wait timed
    out with O(on_timeout=continue).
  returned: always
  type: bool
  sample: true
elapsed:
  description: Seconds spent waiting for the restore to end.
  returned: always
  type: float
  sample: 42.5
polls:
  description: How many times the restore's state was read while waiting.
  returned: always
  type: int
  sample: 4
timed_out:
  description:
    - Whether the wait ended because O(wait_timeout) passed. Only ever true in a successful result with
      O(on_timeout=continue); the restore keeps running.
  returned: always
  type: bool
  sample: false
restores:
  description:
    - With O(restores), one element per element of it, in the same order. Null without O(restores).
  returned: always
  type: list
  elements: dict
  version_added: 0.3.0
  sample:
    - name: web1
      outcome: started
      changed: true
      failed: false
      msg: null
      restore_id: 500001
      backup_id: 368785
      destination_agent_id: 202743
      destination_path: /
      state: StartRequested
      summary: "restore 500001 of backup 368785 (web1 daily files) to web1:/: StartRequested, no report yet"
      started_at: 1772532002.5
  contains:
    name:
      description: The element's O(restores[].name).
      type: str
    region:
      description: The element's O(restores[].region), or null.
      type: str
    endpoint:
      description:
        - With O(restores[].region) and a restore, the endpoint of that region, to give as
          O(restores[].endpoint) to a later wait. Null otherwise.
      type: str
    outcome:
      description:
        - With O(action=start), V(started), V(attached) or V(failed) (see RV(outcome)); with O(action=wait), null.
      type: str
    changed:
      description:
        - Whether a restore was started for this element (or would be, in check mode), or a restore
          configuration it created could not be deleted again after its start failed.
      type: bool
    failed:
      description:
        - Whether this element failed - its start, or its end (as a single restore's wait would fail the task);
          RV(restores[].msg) says why.
      type: bool
    msg:
      description: Why the element failed, or null.
      type: str
    restore_id:
      description: Id of the restore; null when check mode predicts a start or the start failed.
      type: int
    backup_id:
      description: Id of the backup restored.
      type: int
    destination_agent_id:
      description: With O(action=start), the agent the files go to.
      type: int
    destination_path:
      description: Where the files go.
      type: str
    state:
      description: The restore's last known state.
      type: str
    summary:
      description: One line for humans about the restore.
      type: str
    started_at:
      description: With O(action=start), when the restore was started or joined (seconds since the epoch).
      type: float
    report:
      description:
        - With O(action=wait), the restore's report (as RV(report)) once it has ended; null before, and for a
          restore that ended C(Completed) with O(completed_reports=false).
      type: dict
    healthy:
      description:
        - With O(action=wait), as RV(healthy); with O(completed_reports=false), true for a restore that ended
          C(Completed).
      type: bool
    ended:
      description: With O(action=wait), whether the restore has ended.
      type: bool
    timed_out:
      description:
        - With O(action=wait), whether the restore was still running when the wait (or its own
          O(restores[].deadline)) ended.
      type: bool
    running:
      description:
        - With O(action=wait), whether the restore is still running within its own deadline - the elements to
          follow in the next chunk of waiting.
      type: bool
    carried:
      description:
        - With O(action=wait), whether the element came with O(restores[].result), having ended in an earlier
          chunk; it then holds only its name, ids and RV(restores[].ended), RV(restores[].timed_out),
          RV(restores[].failed) and RV(restores[].healthy).
      type: bool
    gate_passed:
      description: With O(action=wait) and O(gate=true), as RV(gate_passed).
      type: bool
progress:
  description:
    - >-
      With O(restores) and O(action=wait), one line about them all, for example
      C(restores: 180 ended (178 ok, 2 failed), 20 running; longest: web7 InProgress 4m10s). Null otherwise.
  returned: always
  type: str
  version_added: 0.3.0
running:
  description: With O(restores) and O(action=wait), how many restores are still running within their own deadline.
  returned: always
  type: int
  version_added: 0.3.0
diff:
  description: What would be (or was) restored where, or the restore's state before and after a stop, in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      restore: null
    after:
      restore:
        backup_id: 368785
        destination_agent_id: 202743
        destination_path: /
        overwrite: true
        include: []
        exclude: []
"""

import time
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._agents import ready_agent
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import get_restore, get_restore_report
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configurations import resolve_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import (
    CloudBackupError,
    ConfigurationError,
    ReportFailed,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._jobs import report_after_end
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule, wait_argument_spec
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._options import (
    RESTORE_ELEMENT_RULES,
    RESTORE_RULES,
    check,
    check_unused,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_results import CARRIED_KEYS, progress_line
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_restore import (
    judged,
    poll_restores,
    start_restores,
    watch_restores,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils import _verdict
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._report import restore_healthy, restore_summary
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._restores import (
    DRAFT_STATE,
    RestoreRequest,
    stop_restore_confirmed,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._verdict import Gate, acceptable_states, good_states
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._states import is_terminal
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import NOT_WAITED, WaitResult

START_OPTIONS = ("backup_id", "configuration_id", "configuration_name", "agent_id", "destination_agent_id",
                 "destination_path", "include", "exclude")
# Options that an action does not use: passing one is a mistake worth a clear message.
UNUSED_OPTIONS = {
    "start": ("restore_id",),
    "stop": START_OPTIONS + ("restores",),
    "wait": START_OPTIONS,
}
# What the elements of restores stand in for.
SINGLE_OPTIONS = START_OPTIONS + ("restore_id",)


def main() -> None:
    module = CloudBackupModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("backup_id", "configuration_id", "configuration_name"),
                            *[("restores", option) for option in SINGLE_OPTIONS]],
    )
    module.run(perform_action)


def argument_spec() -> dict:
    spec = dict(
        action=dict(type="str", choices=["start", "stop", "wait"], default="start"),
        backup_id=dict(type="int"),
        configuration_id=dict(type="int"),
        configuration_name=dict(type="str"),
        agent_id=dict(type="int"),
        restore_id=dict(type="int"),
        destination_agent_id=dict(type="int"),
        destination_path=dict(type="str"),
        overwrite=dict(type="bool", default=False),
        include=dict(type="list", elements="str"),
        exclude=dict(type="list", elements="str"),
        online_timeout=dict(type="int", default=120),
        allow_completed_with_errors=dict(type="bool", default=True),
        gate=dict(type="bool", default=False),
        acceptable_states=dict(type="list", elements="str", default=["Completed"]),
        max_errors=dict(type="int"),
        completed_reports=dict(type="bool", default=True),
        restores=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            backup_id=dict(type="int"),
            configuration_id=dict(type="int"),
            destination_agent_id=dict(type="int"),
            destination_path=dict(type="str"),
            overwrite=dict(type="bool"),
            include=dict(type="list", elements="str"),
            exclude=dict(type="list", elements="str"),
            restore_id=dict(type="int"),
            started_at=dict(type="float"),
            deadline=dict(type="float"),
            allow_completed_with_errors=dict(type="bool"),
            max_errors=dict(type="int"),
            region=dict(type="str"),
            endpoint=dict(type="str"),
            result=dict(type="dict"),
        )),
    )
    spec.update(wait_argument_spec())
    return spec


def perform_action(module: CloudBackupModule) -> dict:
    check_options(module.params)
    if module.params["restores"] is not None:
        return {"start": start_batch, "wait": follow_batch}[module.params["action"]](module)
    action = {"start": start_restore, "stop": stop_restore, "wait": follow_given_restore}[module.params["action"]]
    return action(module)


def check_options(params: dict) -> None:
    """Catch what the argument spec cannot express, before any HTTP call."""
    check_unused(params, UNUSED_OPTIONS)
    check(params, RESTORE_RULES)
    names = set()
    for index, element in enumerate(params["restores"] or []):
        check(dict(element, action=params["action"]), RESTORE_ELEMENT_RULES, "restores[%d].%%s" % index)
        if element["name"] in names:
            raise ConfigurationError("restores[%d].name %r is the name of another element: each names one restore"
                                     % (index, element["name"]))
        names.add(element["name"])
    if params["agent_id"] is not None and params["configuration_name"] is None:
        raise ConfigurationError("agent_id only says whose configuration configuration_name is; the agent to "
                                 "restore to is destination_agent_id")


# --- start -------------------------------------------------------------------------------

def start_restore(module: CloudBackupModule) -> dict:
    """Start (or join) one restore: a batch of one, whose destination agent is waited for until it is online."""
    params = module.params
    spec = dict(name="restore", backup_id=params["backup_id"], destination_agent_id=params["destination_agent_id"],
                destination_path=params["destination_path"], overwrite=params["overwrite"],
                include=params["include"], exclude=params["exclude"])
    if params["backup_id"] is None:
        spec["configuration"] = resolve_configuration(module.client, params["configuration_id"],
                                                      params["configuration_name"], params["agent_id"])
    one = start_restores(module.client, [spec], module.check_mode, sleep=time.sleep, clock=time.monotonic,
                         warn=module.warn, ready=lambda agent_id: agent_ready_to_restore(module, agent_id),
                         online_timeout=module.params["online_timeout"])[0]
    if one.error is not None:
        raise one.error
    request = one.request
    plan = {"restore": {key: value for key, value in planned(one).items() if key != "name"}}
    if one.outcome == "attached":
        return follow_restore(module, one.restore["restore_id"], "attached", changed=False, restore=one.restore)
    if module.check_mode:
        return dict(result_of("started", True, backup_id=request.backup_id, summary=planned_summary(request)),
                    **module.diff({"restore": None}, plan))
    return follow_restore(module, one.restore["restore_id"], "started", changed=True, diff=({"restore": None}, plan))


def agent_ready_to_restore(module: CloudBackupModule, agent_id: int) -> dict:
    """The destination agent, once online; fails if it is disabled or stays offline (warns in check mode)."""
    timeout = 0 if module.check_mode else module.params["online_timeout"]
    return ready_agent(module.client, agent_id, timeout, module.check_mode, module.warn,
                       "destination agent", "restores nothing", "wake it first with rackspace.cloudbackup."
                       "cloudbackup_action, action=wake_agents and agent_id=%s", clock=time.monotonic, sleep=time.sleep)


def planned_summary(request: RestoreRequest) -> str:
    backup = request.backup
    return "would restore backup %s (%s) to agent %s:%s" % (
        request.backup_id, backup.get("backup_configuration_name"), request.destination_agent_id,
        request.destination_path)


# --- many restores ----------------------------------------------------------------------

def start_batch(module: CloudBackupModule) -> dict:
    """Start or join every element's restore, and follow them with wait; one that fails does not fail the task."""
    params = module.params
    specs = [dict(spec, overwrite=params["overwrite"] if spec["overwrite"] is None else spec["overwrite"])
             for spec in params["restores"]]
    started = start_restores(module.client, specs, module.check_mode, sleep=time.sleep, clock=time.monotonic,
                             warn=module.warn, online_timeout=params["online_timeout"],
                             client_for=module.client_for)
    restores = [one.as_result() for one in started]
    result = dict(result_of("batch", any(restore["changed"] for restore in restores)), restores=restores,
                  **module.diff({"restores": None}, {"restores": [planned(one) for one in started if one.request]}))
    if params["wait"] and not module.check_mode:
        entries = [dict(spec, restore_id=restore["restore_id"], started_at=restore["started_at"],
                        endpoint=restore["endpoint"], result=None)
                   for spec, restore in zip(params["restores"], restores) if not restore["failed"]]
        result.update(follow_entries(module, entries))
        followed = {element["name"]: element for element in result["restores"]}
        result["restores"] = [dict(restore, **{key: value for key, value in followed[restore["name"]].items()
                                               if key not in ("outcome", "changed", "started_at")})
                              if restore["name"] in followed else restore for restore in restores]
    return result


def follow_batch(module: CloudBackupModule) -> dict:
    """Wait for every element's restore (one feed read per poll), and judge each by the one verdict."""
    entries = [dict(spec, result=carried_result(spec["result"])) for spec in module.params["restores"]]
    return dict(result_of("followed", False), **follow_entries(module, entries))


def follow_entries(module: CloudBackupModule, entries: List[dict]) -> dict:
    """The wait's keys of the result: ``restores`` (each judged alone), ``running``, ``progress`` and the wait's own."""
    params = module.params
    for entry in entries:
        for key in ("allow_completed_with_errors", "max_errors"):
            if entry.get(key) is None:
                entry[key] = params[key]
        entry["completed_report"] = params["completed_reports"]
    waiting = params["wait"] and not module.check_mode
    waited = NOT_WAITED
    if waiting:
        waited = watch_restores(module.client, entries, params["wait_timeout"], params["poll_interval"],
                                sleep=time.sleep, clock=time.monotonic, now=time.time, client_for=module.client_for)
    else:
        poll_restores(module.client, entries, sleep=time.sleep, now=time.time, client_for=module.client_for)
    gave_up = ("gave up waiting after %d seconds, the restore keeps running" % waited.elapsed
               if waiting and params["on_timeout"] == "fail" else None)
    gate = Gate(acceptable_states(params["acceptable_states"]), params["max_errors"]) if params["gate"] else None
    restores = [dict(name=entry["name"], restore_id=entry["restore_id"], carried=True, running=False,
                     **{key: entry["result"][key] for key in CARRIED_KEYS}) if (entry["result"] or {}).get("carried")
                else dict(judged(entry, gave_up, gate), outcome=None, changed=False, carried=False,
                          running=not entry.get("result"), started_at=entry.get("started_at"),
                          destination_path=entry.get("destination_path"), region=entry.get("region"),
                          endpoint=entry.get("endpoint"))
                for entry in entries]
    return dict(restores=restores, running=sum(1 for entry in entries if not entry.get("result")),
                progress=progress_line(entries, time.time(), noun="restores"), elapsed=round(waited.elapsed, 1),
                polls=waited.polls, timed_out=waited.timed_out)


def planned(one: Any) -> dict:
    """What an element would restore where, for the diff."""
    request = one.request
    return {"name": one.spec["name"], "backup_id": request.backup_id,
            "destination_agent_id": request.destination_agent_id, "destination_path": request.destination_path,
            "overwrite": request.overwrite, "include": request.include, "exclude": request.exclude}


def carried_result(given: Optional[dict]) -> Optional[dict]:
    """An element's result from an earlier chunk, as the progress line counts it; None for one still followed."""
    if not given:
        return None
    carried = {key: given.get(key) for key in CARRIED_KEYS}
    return dict(carried, carried=True, report=None, gate_passed=not carried["failed"])


# --- stop and wait -----------------------------------------------------------------------

def stop_restore(module: CloudBackupModule) -> dict:
    restore = restore_given(module)
    restore_id, state = restore["restore_id"], restore.get("state")
    before = {"restore_id": restore_id, "state": state}
    if is_terminal(state):
        return follow_restore(module, restore_id, "already_finished", changed=False, restore=restore,
                              diff=(before, before))
    if state == "StopRequested":  # asked to stop already: follow it to its end
        return follow_restore(module, restore_id, "stop_requested", changed=False, restore=restore,
                              diff=(before, before), stopping=True)
    if module.check_mode:
        after = dict(before, state="StopRequested")
        return dict(result_of("stop_requested", True, restore=restore), **module.diff(before, after))
    if not stop_restore_confirmed(module.client, restore_id, sleep=time.sleep):
        return follow_restore(module, restore_id, "already_finished", changed=False, diff=(before, None))
    return follow_restore(module, restore_id, "stop_requested", changed=True, diff=(before, None), stopping=True)


def follow_given_restore(module: CloudBackupModule) -> dict:
    restore = restore_given(module)
    return follow_restore(module, restore["restore_id"], "followed", changed=False, restore=restore)


def restore_given(module: CloudBackupModule) -> dict:
    """The restore given by restore_id; a draft (never started) has nothing to stop or wait for."""
    restore = get_restore(module.client, module.params["restore_id"])
    if restore.get("state") == DRAFT_STATE:
        raise CloudBackupError("restore %s has not been started (state %s): there is nothing to %s"
                               % (restore["restore_id"], DRAFT_STATE, module.params["action"]),
                               restore_id=restore["restore_id"], state=DRAFT_STATE)
    return restore


# --- following a restore -----------------------------------------------------------------

def follow_restore(module: CloudBackupModule, restore_id: int, outcome: str, changed: bool,
                   restore: Optional[dict] = None, diff: Optional[tuple] = None, stopping: bool = False) -> dict:
    """Wait for the restore when asked to, read its report once it has ended, and judge its end.

    ``restore`` is the restore as just read, if it was (else it is read here). ``diff`` is
    (before, after); an ``after`` of None means the state as last read. A task that started
    or stopped the restore says ``changed`` even when it fails.
    """
    params = module.params
    waiting = params["wait"] and not module.check_mode and outcome != "already_finished"
    try:
        report = None
        if waiting:
            seen, report = wait_for_end(module, restore_id, params["wait_timeout"])
        else:
            seen = WaitResult(restore or get_restore(module.client, restore_id), 0.0, 0, False)
        restore = seen.value
        if report is None and is_terminal(restore.get("state")):
            report = report_after_end(lambda: get_restore_report(module.client, restore["restore_id"]), time.sleep)
    except CloudBackupError as err:
        err.details["changed"] = changed
        raise
    result = result_of(outcome, changed, restore=restore, report=report, waited=seen)
    if diff is not None:
        before, after = diff
        result.update(module.diff(before, after or {"restore_id": restore["restore_id"], "state": restore.get("state")}))
    failure = judge(params, result, waiting, stopping)
    if failure is not None:
        raise ReportFailed(failure, result)
    return result


def wait_for_end(module: CloudBackupModule, restore_id: int, timeout: float) -> Tuple[WaitResult, Optional[dict]]:
    """Follow the restore as a batch of one until its first final state, good or bad, or until ``timeout``.

    The value waited for is the restore as read at the end (its details are not in the
    feed), beside its report when it has ended.
    """
    entry = {"restore_id": restore_id}
    # This module's time is passed on explicitly rather than left to the defaults (bound when
    # _fleet_restore was imported): the unit tests swap it for a fake clock.
    seen = watch_restores(module.client, [entry], timeout, module.params["poll_interval"], sleep=time.sleep,
                          clock=time.monotonic, now=time.time, poll_at_deadline=True)
    report = (entry.get("result") or {}).get("report")
    restore = get_restore(module.client, restore_id)
    # A restore that ended since the last poll has not run out of the wait's time.
    return WaitResult(restore, seen.elapsed, seen.polls, seen.timed_out and not is_terminal(restore.get("state"))), report


def judge(params: dict, result: dict, waiting: bool, stopping: bool) -> Optional[str]:
    """Set gate_passed; return why the task fails (a timeout, a bad end, a closed gate), or None."""
    verdict = _verdict.judge(
        result["summary"], result["state"], result["report"], timed_out=result["timed_out"],
        gave_up="gave up waiting after %d seconds and %d polls, the restore keeps running" % (
            result["elapsed"], result["polls"]) if params["on_timeout"] == "fail" else None,
        good=good_states(params["allow_completed_with_errors"], stopping) if waiting else None,
        gate=Gate(acceptable_states(params["acceptable_states"]), params["max_errors"]) if params["gate"] else None)
    result["gate_passed"] = verdict.gate_passed
    return verdict.failure


def result_of(outcome: str, changed: bool, restore: Optional[dict] = None, report: Optional[dict] = None,
              waited: WaitResult = NOT_WAITED, backup_id: Optional[int] = None,
              summary: Optional[str] = None) -> Dict[str, Any]:
    """The module's result; every key is always present so playbooks can rely on it."""
    return dict(
        changed=changed,
        outcome=outcome,
        restore_id=restore["restore_id"] if restore else None,
        backup_id=restore.get("backup_id") if restore else backup_id,
        restore=restore,
        state=restore.get("state") if restore else None,
        report=report,
        healthy=restore_healthy(report),
        summary=restore_summary(restore, report) if restore else summary,
        gate_passed=None,
        elapsed=round(waited.elapsed, 1),
        polls=waited.polls,
        timed_out=waited.timed_out,
        restores=None,
        progress=None,
        running=None,
    )


if __name__ == "__main__":
    main()
