# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Documentation of the options of modules that can wait for a backup to finish.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.
The argument spec that matches it is ``wait_argument_spec()`` in module_utils/_module.py.
"""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait until the backup reaches a final state (success or failure) before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most when O(wait=true).
    type: float
    default: 3600
  poll_interval:
    description:
      - Seconds between two reads of the backup's state while waiting.
    type: float
    default: 15
"""
