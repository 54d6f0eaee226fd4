#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudbackup_configuration
short_description: Declare Rackspace Cloud Backup configurations, one or a whole fleet's
version_added: 0.3.0
description:
  - Makes a backup configuration of an agent what the task declares - what to back up, when, for how long, who
    to tell - creating, updating, enabling, disabling or deleting it as needed.
  - A configuration is known by its agent and name (O(agent_id) and O(name)), or by its id (O(configuration_id)),
    which also allows a rename.
  - Settings left out stay as the API holds them; those given are compared with what the API holds, not with
    what was last sent, so a second run with the same options makes no request but the read, and says no change.
  - With O(configurations), many configurations in one task - one read of the account's configurations, then only
    the writes that differ; one that fails does not fail the others.
options:
  name:
    description:
      - The configuration's name (C(BackupConfigurationName)), unique among the live configurations of the agent.
      - Required unless O(configuration_id) is given; with it, a new name renames the configuration.
    type: str
  agent_id:
    description:
      - The id of the agent (C(machine_agent_id)) the configuration backs up. Required unless O(configuration_id)
        is given. At least V(1).
    type: int
  configuration_id:
    description:
      - The id of an existing configuration, to declare it by id rather than by agent and name. At least V(1).
      - A deleted configuration cannot be changed or brought back; declared by name, a new one is created.
    type: int
  state:
    description:
      - V(present) makes the configuration exist with the settings given; V(absent) deletes it (the API keeps it,
        marked deleted, and never runs it again). Deleting one that is not there changes nothing.
      - With V(absent) no setting may be given.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the configuration runs on its schedule and can be started (C(IsActive)).
      - Left out, a new configuration is enabled and an existing one keeps its state.
    type: bool
  schedule:
    description:
      - When the configuration runs. Left out, a new configuration runs only when started (V(manual)) and an
        existing one keeps its schedule.
      - The API keeps the start time converted to UTC; it is compared converted the same way (see the notes).
    type: dict
    suboptions:
      frequency:
        description: V(manual) (only when started), V(hourly), V(daily) or V(weekly).
        type: str
        required: true
        choices: [manual, hourly, daily, weekly]
      every_hours:
        description: With V(hourly) (and only with it), the hours between two runs, from V(1) to V(23).
        type: int
      time:
        description: With V(daily) and V(weekly) (and only with them), the start time, 24-hour C(HH:MM), in O(schedule.time_zone).
        type: str
      day:
        description: With V(weekly) (and only with it), the day of the week.
        type: str
        choices: [sunday, monday, tuesday, wednesday, thursday, friday, saturday]
      time_zone:
        description:
          - The Windows name of the time zone of O(schedule.time), for example V(Eastern Standard Time) or V(UTC)
            (C(TimeZoneId)). Required with V(daily) and V(weekly).
        type: str
  include:
    description:
      - The folders to back up. Given, they are all of them (see O(purge_paths)); left out, the held ones stay.
      - The API keeps its own order of paths, so order does not matter.
    type: list
    elements: str
  include_files:
    description: The single files to back up, as O(include) for folders.
    type: list
    elements: str
  exclude:
    description: The folders not to back up (within the included ones), as O(include).
    type: list
    elements: str
  exclude_files:
    description: The single files not to back up, as O(include).
    type: list
    elements: str
  purge_paths:
    description:
      - With V(true), each of O(include), O(include_files), O(exclude) and O(exclude_files) that is given is the
        whole list. With V(false), the paths given are added to the held ones and none is removed.
    type: bool
    default: true
  retention_days:
    description:
      - How many days the versions of a backed-up file are kept (C(VersionRetention)); V(0) keeps them forever.
      - Left out, a new configuration takes the API's default.
    type: int
    choices: [0, 30, 60]
  missed_backup:
    description:
      - What the agent does about a scheduled run it missed (C(MissedBackupActionId)) - run it as soon as it can,
        or wait for the next scheduled time.
    type: str
    choices: [run_as_soon_as_possible, wait_for_next_schedule]
  notify_recipients:
    description: The email address told about runs (C(NotifyRecipients)). It must not be blank.
    type: str
  notify_on_success:
    description: Whether O(notify_recipients) hears of runs that succeeded (C(NotifySuccess)).
    type: bool
  notify_on_failure:
    description: Whether O(notify_recipients) hears of runs that failed (C(NotifyFailure)).
    type: bool
  configurations:
    description:
      - Many configurations in one task instead of the options above (mutually exclusive with them, but for
        O(purge_paths), the default of the elements'). Each element takes the options above, worded the same.
      - The account's configurations are read once for all; each element is then written only where it differs.
        RV(configurations) says what became of each; one that fails does not fail the task, nor does an element
        whose options are bad (nothing is read or written for it), unless every element's are.
    type: list
    elements: dict
    suboptions:
      name:
        description: As O(name).
        type: str
      agent_id:
        description: As O(agent_id).
        type: int
      configuration_id:
        description: As O(configuration_id).
        type: int
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
      enabled:
        description: As O(enabled).
        type: bool
      schedule:
        description: As O(schedule).
        type: dict
        suboptions:
          frequency:
            description: As O(schedule.frequency).
            type: str
            required: true
            choices: [manual, hourly, daily, weekly]
          every_hours:
            description: As O(schedule.every_hours).
            type: int
          time:
            description: As O(schedule.time).
            type: str
          day:
            description: As O(schedule.day).
            type: str
            choices: [sunday, monday, tuesday, wednesday, thursday, friday, saturday]
          time_zone:
            description: As O(schedule.time_zone).
            type: str
      include:
        description: As O(include).
        type: list
        elements: str
      include_files:
        description: As O(include_files).
        type: list
        elements: str
      exclude:
        description: As O(exclude).
        type: list
        elements: str
      exclude_files:
        description: As O(exclude_files).
        type: list
        elements: str
      purge_paths:
        description: As O(purge_paths); by default the task's.
        type: bool
      retention_days:
        description: As O(retention_days).
        type: int
        choices: [0, 30, 60]
      missed_backup:
        description: As O(missed_backup).
        type: str
        choices: [run_as_soon_as_possible, wait_for_next_schedule]
      notify_recipients:
        description: As O(notify_recipients).
        type: str
      notify_on_success:
        description: As O(notify_on_success).
        type: bool
      notify_on_failure:
        description: As O(notify_on_failure).
        type: bool
extends_documentation_fragment:
  - rackspace.cloudbackup.connection
  - rackspace.cloudbackup.attributes
  - rackspace.cloudbackup.attributes.action_group
attributes:
  check_mode:
    support: full
    details:
      - The account's configurations are read and compared; nothing is written. C(changed) is the prediction and
        RV(declared) the configuration as it would be.
  diff_mode:
    support: full
    details:
      - Shows the configuration before and after in the words of the options (empty when it is not there); with
        O(configurations), one before and after for each element that changes.
  idempotent:
    support: full
    details:
      - A second run with the same options writes nothing and reports no change, whatever order the API keeps
        the paths in, and with the start time the API keeps in UTC (see the notes for an API that would keep it
        as sent).
notes:
  - Every option is checked before any API call (with O(configurations), each element's; see there).
  - What no option sets - pre and post scripts, paths of another kind than files and folders, a missed-backup
    action other than the two of O(missed_backup) - stays as held through an update.
  - A new configuration is created once even when the API's answer to its creation is unclear (a 5xx, a lost
    or garbled reply) - the account's configurations are read again for it before it is sent again - and a
    second one the API made all the same is deleted. Two live configurations of the declared name on the agent
    fail the task (with their ids) unless O(configuration_id) says which one is meant.
  - An update replaces the whole configuration (the API's PUT), so every held setting the task leaves out is
    sent back as held.
  - The API keeps a daily or weekly start time converted to UTC. The module converts O(schedule.time) by the
    offset the zone has on the day it runs (a Windows zone it does not know, as given). So a configuration
    written in winter reads as changed in summer in a zone with daylight-saving time, and is written once again
    (never the reverse - a moved start time is always a change); an API that kept the time as sent would make
    every run an update. An update that leaves O(schedule) out sends the held start time back converted the same
    way, with the held weekday.
  - An agent's configurations must stay under 1 MB of JSON; a declaration that would pass it fails before it
    is sent.
  - Deleting a configuration needs the account's admin role.
  - A configuration of an agent whose vault is encrypted is declared like any other, with a warning when it
    changes - M(rackspace.cloudbackup.cloudbackup_restore) cannot restore its backups (it sends no encryption
    password).
requirements:
  - requests
seealso:
  - module: rackspace.cloudbackup.cloudbackup_info
  - module: rackspace.cloudbackup.cloudbackup_action
author:
  - rackspace.cloudbackup maintainers (@rackspace)
"""

EXAMPLES = r"""
- name: Back up the web root nightly at 02:30 New York time, keeping versions 30 days
  rackspace.cloudbackup.cloudbackup_configuration:
    agent_id: 202743
    name: web1 nightly
    schedule:
      frequency: daily
      time: "02:30"
      time_zone: Eastern Standard Time
    include: [/var/www, /etc]
    exclude: [/var/www/cache]
    retention_days: 30
    notify_recipients: ops@example.com
    notify_on_failure: true
  delegate_to: localhost

- name: Declare every server's configuration in one task (one read for all)
  rackspace.cloudbackup.cloudbackup_configuration:
    configurations: >-
      {{ ansible_play_hosts | map('extract', hostvars) | selectattr('backup_configuration', 'defined')
         | map(attribute='backup_configuration') | list }}
  delegate_to: localhost
  run_once: true
  register: declared

- name: Stop backing up a server
  rackspace.cloudbackup.cloudbackup_configuration:
    agent_id: 202743
    name: web1 nightly
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
outcome:
  description:
    - Without O(configurations), what the task did - V(created), V(updated), V(enabled), V(disabled),
      V(deleted), V(unchanged) or V(absent) (nothing to delete). In check mode, what it would do.
    - V(batch) with O(configurations).
  returned: always
  type: str
  sample: created
configuration_id:
  description: The configuration's id; null when it is absent, or before it is created in check mode.
  returned: always
  type: int
  sample: 174084
changed_settings:
  description: The options whose value the task changed (V(created) for a new configuration); none when it failed
    without changing anything.
  returned: always
  type: list
  elements: str
  sample: [retention_days, include]
configuration:
  description:
    - The configuration as the API holds it after the task, normalized as M(rackspace.cloudbackup.cloudbackup_info)
      returns it (without RV(rackspace.cloudbackup.cloudbackup_info#module:configurations[].declared)); null when it
      is absent. In check mode, as held before.
  returned: always
  type: dict
declared:
  description:
    - The configuration after the task in the words of the options (null when absent), ready to be given back
      to this module; M(rackspace.cloudbackup.cloudbackup_info) returns the same as C(declared) of each
      configuration. In check mode, what it would be.
    - Its O(schedule.time) is the UTC time the API holds in the zone's time of the day the task runs; a setting
      the API holds no value for is left out.
  returned: always
  type: dict
  sample:
    name: web1 nightly
    agent_id: 202743
    configuration_id: 174084
    enabled: true
    schedule: {frequency: daily, time: "02:30", time_zone: Eastern Standard Time}
    include: [/etc, /var/www]
    include_files: []
    exclude: [/var/www/cache]
    exclude_files: []
    retention_days: 30
    missed_backup: run_as_soon_as_possible
    notify_recipients: ops@example.com
    notify_on_success: false
    notify_on_failure: true
configurations:
  description: With O(configurations), one element per element, in the same order; null without.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The element's name (or the held one, by id).
      type: str
    agent_id:
      description: The element's agent.
      type: int
    configuration_id:
      description: As RV(configuration_id), for this element.
      type: int
    outcome:
      description: As RV(outcome), for this element, or V(failed).
      type: str
    changed:
      description: Whether this element changed (or may have, when it failed after a write without a clear answer).
      type: bool
    failed:
      description: Whether this element failed; RV(configurations[].msg) says why.
      type: bool
    msg:
      description: Why the element failed; null when it did not.
      type: str
    changed_settings:
      description: As RV(changed_settings), for this element.
      type: list
      elements: str
    configuration:
      description: As RV(configuration), for this element.
      type: dict
    declared:
      description: As RV(declared), for this element.
      type: dict
"""

import time
from typing import Any, Dict, List

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._configuration_spec import (
    MISSED_BACKUP,
    RETENTIONS,
    spec_problems,
)
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError, ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._fleet_configure import apply_configurations
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._schedules import DAYS, FREQUENCIES

SCHEDULE = dict(
    frequency=dict(type="str", required=True, choices=list(FREQUENCIES)),
    every_hours=dict(type="int"),
    time=dict(type="str"),
    day=dict(type="str", choices=list(DAYS)),
    time_zone=dict(type="str"),
)


def declaration_spec(purge_default: Any) -> Dict[str, dict]:
    """The options of one configuration, at the top or as an element of ``configurations``."""
    return dict(
        name=dict(type="str"),
        agent_id=dict(type="int"),
        configuration_id=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        enabled=dict(type="bool"),
        schedule=dict(type="dict", options=SCHEDULE),
        include=dict(type="list", elements="str"),
        include_files=dict(type="list", elements="str"),
        exclude=dict(type="list", elements="str"),
        exclude_files=dict(type="list", elements="str"),
        purge_paths=dict(type="bool", default=purge_default),
        retention_days=dict(type="int", choices=RETENTIONS),
        missed_backup=dict(type="str", choices=list(MISSED_BACKUP)),
        notify_recipients=dict(type="str"),
        notify_on_success=dict(type="bool"),
        notify_on_failure=dict(type="bool"),
    )


SINGLE_OPTIONS = tuple(option for option in declaration_spec(True) if option not in ("state", "purge_paths"))


def argument_spec() -> dict:
    spec = declaration_spec(True)
    spec["configurations"] = dict(type="list", elements="dict", options=declaration_spec(None))
    return spec


def main() -> None:
    module = CloudBackupModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("configurations", option) for option in SINGLE_OPTIONS],
    )
    module.run(declare)


def declare(module: CloudBackupModule) -> dict:
    params = module.params
    if params["configurations"] is not None and params["state"] != "present":
        raise ConfigurationError("with configurations, state goes in each element (configurations[].state)")
    specs = batch_specs(params) if params["configurations"] is not None else [single_spec(params)]
    refused = ["; ".join(spec_problems(spec, label)) for spec, label in zip(specs, labels(params, specs))]
    if all(refused):  # nothing to declare: fail before any request
        raise ConfigurationError("; ".join(refused))
    declarations = apply_configurations(module.client, specs, module.check_mode, sleep=time.sleep,
                                        clock=time.monotonic, now=time.time, refused=refused)
    for one in declarations:
        if one.encrypted and one.changed:
            module.warn("%s on agent %s backs up to an encrypted vault: its backups can be restored from the Cloud "
                        "Control Panel only (cloudbackup_restore sends no encryption password)"
                        % (one.label, one.spec.get("agent_id") or one.held.get("machine_agent_id")))
    if params["configurations"] is not None:
        results = [one.as_result() for one in declarations]
        return dict(changed=any(result["changed"] for result in results), outcome="batch", configuration_id=None,
                    changed_settings=[], configuration=None, declared=None, configurations=results,
                    **module.diffs([one.diff() for one in declarations if one.changed]))
    one = declarations[0]
    if one.error is not None:
        raise CloudBackupError(one.msg, **dict(one.error.details, changed=one.changed))
    result = one.as_result()
    return dict(changed=result["changed"], outcome=result["outcome"], configuration_id=result["configuration_id"],
                changed_settings=result["changed_settings"], configuration=result["configuration"],
                declared=result["declared"], configurations=None, **module.diffs(one.diff()))


def single_spec(params: dict) -> Dict[str, Any]:
    return {option: params[option] for option in declaration_spec(True)}


def batch_specs(params: dict) -> List[Dict[str, Any]]:
    """The elements, each with the task's purge_paths where it gives none."""
    return [dict(element, purge_paths=params["purge_paths"] if element.get("purge_paths") is None
                 else element["purge_paths"]) for element in params["configurations"]]


def labels(params: dict, specs: List[dict]) -> List[str]:
    """How each declaration's options are named in a message: ``name``, or ``configurations[2].name``."""
    if params["configurations"] is None:
        return ["%s"]
    return ["configurations[%d].%%s" % index for index in range(len(specs))]


if __name__ == "__main__":
    main()
