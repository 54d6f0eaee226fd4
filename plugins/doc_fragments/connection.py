# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Documentation of the connection options that every module takes.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.
The argument spec that matches it is ``connection_argument_spec()`` in module_utils/_module.py.
"""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  username:
    description:
      - Rackspace cloud user name to log in to Identity with, together with O(api_key) or O(password).
      - If not set, the value of the E(RAX_USERNAME) environment variable is used.
    type: str
  api_key:
    description:
      - API key of O(username). Preferred over O(password) (multi-factor authentication never applies to it).
      - If not set, the value of the E(RAX_API_KEY) environment variable is used.
      - Never logged or shown in results.
      - Mutually exclusive with O(password).
    type: str
  password:
    description:
      - Password of O(username). Users with multi-factor authentication must use O(api_key) instead.
      - If not set, the value of the E(RAX_PASSWORD) environment variable is used.
      - Never logged or shown in results.
      - Mutually exclusive with O(api_key).
    type: str
  auth_token:
    description:
      - An Identity token to use instead of logging in. Requires O(tenant_id).
      - Without O(username) and O(api_key) (or O(password)) it also requires O(endpoint), and an expired
        token fails the task. With them, the token is used first and the credentials only renew it
        when Cloud Backup rejects it, so a play can log in once and hand the token to later tasks.
      - If not set, the value of the E(RAX_AUTH_TOKEN) environment variable is used.
      - Never logged or shown in results.
    type: str
  tenant_id:
    description:
      - Account number (tenant id) that O(auth_token) belongs to. With credentials, Identity returns it.
      - If not set, the value of the E(RAX_TENANT_ID) environment variable is used.
    type: str
  region:
    description:
      - Region whose Cloud Backup endpoint to use, one of V(DFW), V(HKG), V(IAD), V(LON), V(ORD) or V(SYD),
        in any case.
      - If not set, the value of the E(RAX_REGION) environment variable is used; if that is not set either,
        the default region of the user, as Identity reports it.
      - Ignored when O(endpoint) is set.
    type: str
  identity_url:
    description:
      - Identity v2.0 URL to log in to. The host alone, the V(/v2.0/) URL or the full V(/v2.0/tokens) URL
        are all accepted.
      - It must be an C(http://) or C(https://) URL with a host.
      - If not set, the value of the E(RAX_IDENTITY_URL) environment variable is used.
    type: str
    default: https://identity.api.rackspacecloud.com/v2.0/
  endpoint:
    description:
      - Cloud Backup base URL to use instead of the one in the service catalog, used as given, for example
        V(https://dfw.backup.api.rackspacecloud.com/v1.0/123456) or the URL of a local simulator.
      - It must be an C(http://) or C(https://) URL with a host.
      - If not set, the value of the E(RAX_CLOUDBACKUP_ENDPOINT) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of Identity and Cloud Backup.
      - Only set to V(false) against a test endpoint you control.
      - If not set, the value of the E(RAX_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the certificate authorities to verify TLS certificates with, instead of the
        system's or certifi's bundle.
      - It must exist where the module runs (a directory of certificates is accepted too).
      - If not set, the value of the E(RAX_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each connection and each reply before giving up on that attempt.
        A finite number greater than V(0).
      - Reads are retried a few times with backoff after a timeout, a connection error,
        an HTTP 429, 500, 502, 503 or 504 reply, or a reply whose body is not the JSON expected,
        honouring C(Retry-After). Writes that may have been acted on are never repeated blindly
        (see each module); a write refused with HTTP 429 is sent again, as nothing was done.
      - If not set, the value of the E(RAX_API_TIMEOUT) environment variable is used.
    type: float
    default: 30
requirements:
  - requests
notes:
  - Every option has an environment variable fallback, so credentials can also come from the
    environment of the controller. With O(username) and O(api_key) set in C(module_defaults) for
    C(group/rackspace.cloudbackup.cloudbackup), tasks need no connection options at all.
  - All API calls are made from where the module runs, normally the controller (with C(delegate_to) set to C(localhost)).
  - Every option is checked before any API call. An empty string counts as not set (AWX sets the blank
    fields of a credential to one), but a value of only whitespace fails the task.
"""
