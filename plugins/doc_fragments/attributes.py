# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Documentation of the attributes that every module declares.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.
A module extends the standard fragment and states its own support for each attribute;
the ACTION_GROUP and INFO_MODULE fragments already state it where they apply.
"""

from __future__ import annotations


class ModuleDocFragment:

    # The standard attributes; each module says how far it supports them.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the change it would make without making it.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode) when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second run reports no change.
      - This assumes that the backups and agents have not changed in a relevant way in between.
"""

    # Every module of the collection belongs to the action group.
    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/rackspace.cloudbackup.cloudbackup) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - rackspace.cloudbackup.cloudbackup
"""

    # For modules that only read: use together with the standard fragment.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
"""
