# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of playbooks/configure_backups.yml: each host's own result, from the batch's.

The playbook declares every host's configuration in one module run; each host then shows
its own result. Reading the whole batch result from every host costs each host a template
of every element, so its elements are handed out here, once for the play, as small per-host
results. Each filter is documented in the .yml file of its name.
"""

from __future__ import annotations

from typing import Any, Dict, List


def configure_backups_results(declared: Dict[str, Any], hosts: List[str]) -> Dict[str, Dict[str, Any]]:
    """Each host's element of the batch, keyed by host name: the words it shows, changed, failed."""
    elements = declared.get("configurations") or []
    if len(elements) != len(hosts):
        raise ValueError("the batch answered %d configurations for %d hosts" % (len(elements), len(hosts)))
    return {host: {"msg": _line(element), "changed": element["changed"], "failed": element["failed"]}
            for host, element in zip(hosts, elements)}


def _line(element: Dict[str, Any]) -> str:
    """What became of one configuration: its outcome, the failure's message or the settings an update changed."""
    if element["failed"]:
        return "failed: %s" % element["msg"]
    if element["outcome"] == "updated":
        return "updated (%s)" % ", ".join(element["changed_settings"])
    return element["outcome"]


class FilterModule:
    """The configure_backups playbook's filters."""

    def filters(self) -> Dict[str, Any]:
        return {"configure_backups_results": configure_backups_results}
