# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Documentation of the options of modules that can wait for a backup or a restore to finish.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.
The argument spec that matches it is ``wait_argument_spec()`` in module_utils/_module.py.
"""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait until the backup (with M(rackspace.cloudbackup.cloudbackup_restore), the restore) reaches a
        final state (success or failure) before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most when O(wait=true). A finite number, at least V(0) (one look, no waiting).
      - The wait polls through transient failures (HTTP 429 and 5xx replies, dropped connections, replies that
        are not the JSON expected) until this deadline; retries never take its last poll past the deadline
        plus one O(timeout).
    type: float
    default: 3600
  poll_interval:
    description:
      - Seconds between two reads of the backup's (or restore's) state while waiting. A finite number, at least V(1).
    type: float
    default: 15
  on_timeout:
    description:
      - What to do when O(wait_timeout) passes before the backup (or restore) reaches a final state.
      - V(fail) fails the task; the result still says the last state, elapsed time and polls.
      - V(continue) returns normally with RV(timed_out=true), so a playbook can wait in
        short chunks and log progress between them (as the P(rackspace.cloudbackup.run_backup#role) role does).
      - The backup (or restore) itself keeps running either way.
    type: str
    choices: [fail, continue]
    default: fail
"""
