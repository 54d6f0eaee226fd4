#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudbackup_auth
short_description: Log in to Rackspace Identity once and return a token for the other Cloud Backup modules
version_added: 0.1.0
description:
  - Logs in to Rackspace Identity with O(username) and O(api_key) (or O(password)) and returns the token,
    the account number and the Cloud Backup endpoint, so that later tasks of a play can use them through
    C(module_defaults) instead of each logging in again.
  - Keep the credentials at hand for those later tasks too (in C(module_defaults) or in the environment)
    - the modules then use the token first and log in again only if Cloud Backup rejects it, for example
    because it expired during a long play.
  - The token is a secret, valid for about a day - set C(no_log) on the task (see the examples).
  - Makes no change, so it runs in check mode too and always returns C(changed=false).
options: {}
extends_documentation_fragment:
  - rackspace.cloudbackup.connection
  - rackspace.cloudbackup.attributes
  - rackspace.cloudbackup.attributes.action_group
attributes:
  check_mode:
    support: full
    details:
      - Logging in changes nothing, so it also happens in check mode.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - Each run returns a new token, but changes nothing.
requirements:
  - requests
notes:
  - It needs credentials - with only O(auth_token) there is nothing to log in with, and the task fails.
  - Use it on one host (C(run_once)) on the controller (C(delegate_to=localhost)); a registered result of a
    C(run_once) task is set for every host of the play.
seealso:
  - module: rackspace.cloudbackup.cloudbackup_action
  - module: rackspace.cloudbackup.cloudbackup_info
  - module: rackspace.cloudbackup.cloudbackup_report
author:
  - rackspace.cloudbackup maintainers (@rackspace)
"""

EXAMPLES = r"""
# Credentials come from RAX_USERNAME and RAX_API_KEY in the environment of the controller.
- name: Log in to Rackspace once for the whole play
  rackspace.cloudbackup.cloudbackup_auth:
    region: DFW
  delegate_to: localhost
  run_once: true
  no_log: true
  register: cloudbackup_login

- name: Use the token in every Cloud Backup task below
  module_defaults:
    group/rackspace.cloudbackup.cloudbackup:
      auth_token: "{{ cloudbackup_login.auth_token }}"
      tenant_id: "{{ cloudbackup_login.tenant_id }}"
      endpoint: "{{ cloudbackup_login.endpoint }}"
  block:
    - name: List the agents without logging in again
      rackspace.cloudbackup.cloudbackup_info:
        resource: agents
      delegate_to: localhost
      register: cloudbackup_agents

    - name: Report on a backup, still without logging in again
      rackspace.cloudbackup.cloudbackup_report:
        backup_id: 100001
      delegate_to: localhost

- name: Say until when the token is valid (the token itself stays hidden)
  ansible.builtin.debug:
    msg: "Logged in to account {{ cloudbackup_login.tenant_id }} until {{ cloudbackup_login.expires }}"
"""

RETURN = r"""
auth_token:
  description:
    - The Identity token, to pass as O(auth_token) to the other modules.
    - A secret - set C(no_log) on the task that registers it.
  returned: success
  type: str
  sample: 95b1788906f74d279d03001c6a14f3fe
tenant_id:
  description: The account number the token belongs to, to pass as O(tenant_id).
  returned: success
  type: str
  sample: "123456"
endpoint:
  description:
    - The Cloud Backup base URL the modules use, to pass as O(endpoint) - the one given as O(endpoint),
      or else the one the service catalog lists for the region.
  returned: success
  type: str
  sample: https://dfw.backup.api.rackspacecloud.com/v1.0/123456
expires:
  description: When the token expires, in ISO 8601 UTC (Identity's fractions of a second and offset are dropped).
  returned: success
  type: str
  sample: "2026-01-19T17:28:17Z"
region:
  description: The region - O(region), or else the user's default region as Identity names it.
  returned: success
  type: str
  sample: DFW
endpoints:
  description:
    - The Cloud Backup v1.0 endpoint of every region in the service catalog, by region, to pass as the
      C(endpoint) of the batch elements of another region (the token serves every region of the account).
  returned: success
  type: dict
  version_added: 0.3.0
  sample:
    DFW: https://dfw.backup.api.rackspacecloud.com/v1.0/123456
    ORD: https://ord.backup.api.rackspacecloud.com/v1.0/123456
"""

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import ConfigurationError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import CloudBackupModule


def main() -> None:
    module = CloudBackupModule(argument_spec={}, returns_token=True, supports_check_mode=True)
    module.run(log_in)


def log_in(module: CloudBackupModule) -> dict:
    """Log in now (even if a token was given as well) and return what later tasks need."""
    params = module.params
    if not (params["username"] and (params["api_key"] or params["password"])):
        raise ConfigurationError("cloudbackup_auth logs in, so it needs username with api_key (or password); "
                                 "with only auth_token there is nothing to log in with")
    client = module.client
    client.authenticate()
    return dict(changed=False, auth_token=client.token, tenant_id=client.tenant_id, endpoint=client.endpoint,
                expires=client.token_expires, region=client.region, endpoints=client.regional_endpoints)


if __name__ == "__main__":
    main()
