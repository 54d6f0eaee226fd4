# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding backup configurations by name, through the API.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: turn the ``configuration_id`` / ``configuration_name`` (+ ``agent_id``)
options into configurations, reading the API; which configuration a name means is
_choose's rule, so a name that must pick one configuration fails on none or several as
everywhere else.
"""

from __future__ import annotations

from typing import Any, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import get_configuration, list_configurations
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._choose import configurations_meant, not_one_configuration
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError


def configurations_named(client: Any, name: str, agent_id: Optional[int] = None,
                         include_deleted: bool = False) -> List[dict]:
    """The configurations called ``name`` (exactly), of the account or of one agent."""
    return configurations_meant(list_configurations(client, agent_id, include_deleted), name=name)


def resolve_configuration(client: Any, configuration_id: Optional[int] = None,
                          configuration_name: Optional[str] = None, agent_id: Optional[int] = None) -> dict:
    """The one configuration meant: by id, or the only live one with that name (of ``agent_id``)."""
    if configuration_id is not None:
        return get_configuration(client, configuration_id)
    candidates = list_configurations(client, agent_id)
    matches = configurations_meant(candidates, name=configuration_name)
    if len(matches) == 1:
        return matches[0]
    raise CloudBackupError(not_one_configuration(configuration_name, matches, candidates, agent_id),
                           configuration_name=configuration_name, agent_id=agent_id,
                           configuration_ids=[match.get("backup_configuration_id") for match in matches] or None)
