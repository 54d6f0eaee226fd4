# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The states of backups and restores: their names and what they mean.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: ``canonical_state`` turns the API's loosely spelled state names into one
spelling, and ``is_terminal`` tells a finished job from one in flight (api-notes: Backup
states). Whether a finished job passed is _verdict's.
"""

from __future__ import annotations

from typing import Optional

# The two sets (api-notes: Backup states). StartScheduled is documented but in neither public
# client's list; Creating comes from restores shown in activity feeds. Both are clearly "not finished yet".
IN_FLIGHT_STATES = frozenset((
    "StartRequested", "StartScheduled", "Queued", "Preparing", "InProgress", "StopRequested", "Creating",
))
TERMINAL_STATES = frozenset((
    "Completed", "CompletedWithErrors", "Failed", "Stopped", "Skipped", "Missed",
))

# The docs also write "startRequested", "Stoprequested" and "Completed WithErrors", so the
# lookup key ignores case and whitespace.
_CANONICAL_BY_KEY = {name.lower(): name for name in IN_FLIGHT_STATES | TERMINAL_STATES}


def canonical_state(name: Optional[str]) -> Optional[str]:
    """Return the PascalCase spelling of a known state; unknown names (and None) unchanged."""
    if not isinstance(name, str):
        return name
    key = "".join(name.split()).lower()
    return _CANONICAL_BY_KEY.get(key, name)


def is_terminal(state: Optional[str]) -> bool:
    """True for a finished backup; unknown states count as in flight until a timeout."""
    return canonical_state(state) in TERMINAL_STATES
