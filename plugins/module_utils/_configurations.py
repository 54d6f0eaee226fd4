# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding backup configurations by name.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: turn the ``configuration_id`` / ``configuration_name`` (+ ``agent_id``)
options into configurations. Names are not unique in the API (every agent may have its own
"nightly"), so a name that must pick one configuration fails clearly on none or several.
"""

from __future__ import annotations

from typing import Any, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import get_configuration, list_configurations
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError

# Enough names to spot a typo in the message, few enough to keep it one line.
NAMES_SHOWN = 10


def configurations_named(client: Any, name: str, agent_id: Optional[int] = None,
                         include_deleted: bool = False) -> List[dict]:
    """The configurations called ``name`` (exactly), of the account or of one agent."""
    return _named(list_configurations(client, agent_id, include_deleted), name)


def resolve_configuration(client: Any, configuration_id: Optional[int] = None,
                          configuration_name: Optional[str] = None, agent_id: Optional[int] = None) -> dict:
    """The one configuration meant: by id, or the only live one with that name (of ``agent_id``)."""
    if configuration_id is not None:
        return get_configuration(client, configuration_id)
    candidates = list_configurations(client, agent_id)
    matches = _named(candidates, configuration_name)
    if len(matches) == 1:
        return matches[0]
    raise _ambiguous(configuration_name, agent_id, matches, candidates)


def _named(configurations: List[dict], name: Optional[str]) -> List[dict]:
    return [configuration for configuration in configurations if configuration.get("backup_configuration_name") == name]


def _ambiguous(name: str, agent_id: Optional[int], matches: List[dict], candidates: List[dict]) -> CloudBackupError:
    where = " of agent %s" % agent_id if agent_id is not None else ""
    if not matches:
        return CloudBackupError('no live backup configuration%s is named "%s" (names in use: %s)'
                                % (where, name, _names_in_use(candidates)), configuration_name=name, agent_id=agent_id)
    found = ", ".join(_describe(match) for match in matches)
    return CloudBackupError('%d live backup configurations%s are named "%s": %s; give configuration_id, or agent_id '
                            "to choose" % (len(matches), where, name, found),
                            configuration_name=name, agent_id=agent_id,
                            configuration_ids=[match.get("backup_configuration_id") for match in matches])


def _names_in_use(candidates: List[dict]) -> str:
    names = sorted({candidate.get("backup_configuration_name") or "" for candidate in candidates})
    shown = ", ".join('"%s"' % known for known in names[:NAMES_SHOWN])
    return (shown + (", ..." if len(names) > NAMES_SHOWN else "")) or "none"


def _describe(configuration: dict) -> str:
    return "%s (agent %s, %s)" % (configuration.get("backup_configuration_id"), configuration.get("machine_agent_id"),
                                  configuration.get("machine_name"))
