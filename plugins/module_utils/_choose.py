# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which agent and which backup configuration a server's settings mean.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the rules that turn a server's settings (agent id, server id or machine
name; configuration id or name) into its agent and its configuration, among lists already
read, and the message when they do not name exactly one. Every road uses them: the
modules, the batch start, and the filters of the playbooks. It makes no request, so the
filters can use it on the controller without the HTTP client.

Names are not unique in the API (every agent may have its own "nightly"): a name that
names several configurations never picks one of them; the message gives their ids.
"""

from __future__ import annotations

from typing import Any, List, Optional

# Enough names to spot a typo in a message, few enough to keep it one line.
NAMES_SHOWN = 10


# --- the agent ------------------------------------------------------------------------------

def agents_meant(agents: List[dict], agent_id: Any = None, server_id: Optional[str] = None,
                 machine_name: Optional[str] = None) -> List[dict]:
    """The agents that a server's settings name: by ``agent_id``, else ``server_id``, else ``machine_name``.

    A machine name is compared without case: names are typed by people, and Windows agents
    register in upper case. An agent listed without its server id (the list may leave
    HostServerId out) is for the caller to ask the API about.
    """
    if agent_id not in (None, ""):
        return [agent for agent in agents if agent.get("machine_agent_id") == int(agent_id)]
    if server_id:
        return [agent for agent in agents if agent.get("host_server_id") == server_id]
    name = str(machine_name or "").lower()
    return [agent for agent in agents if str(agent.get("machine_name") or "").lower() == name]


def agent_wanted(agent_id: Any = None, server_id: Optional[str] = None, machine_name: Optional[str] = None) -> str:
    """The setting that names the agent, as messages say it."""
    if agent_id not in (None, ""):
        return "agent id %s" % agent_id
    if server_id:
        return "server id %s" % server_id
    return 'machine name "%s"' % machine_name


def not_one_agent(wanted: str, matches: List[dict]) -> str:
    """Why ``matches`` (not exactly one agent) cannot be the agent ``wanted`` names."""
    if not matches:
        return "%s matches no agent in the account of these credentials" % wanted
    return "%s matches %d agents in the account of these credentials (%s): give agent_id" % (
        wanted, len(matches), ", ".join(str(agent.get("machine_agent_id")) for agent in matches))


def agent_label(agent: dict) -> str:
    return "%s (%s)" % (agent.get("machine_agent_id"), agent.get("machine_name"))


# --- the configuration ------------------------------------------------------------------------

def configurations_meant(configurations: List[dict], agent_id: Optional[int] = None,
                         name: Optional[str] = None) -> List[dict]:
    """The configurations named ``name`` (exactly) among ``agent_id``'s (the account's without it).

    Without a name, all of them: a server that names no configuration means its agent's
    only one, so anything but one match is for the caller to refuse.
    """
    own = configurations if agent_id is None else [
        configuration for configuration in configurations if configuration.get("machine_agent_id") == agent_id]
    if name is None:
        return list(own)
    return [configuration for configuration in own if configuration.get("backup_configuration_name") == name]


def not_one_configuration(name: Optional[str], matches: List[dict], candidates: List[dict],
                          agent: Optional[str] = None) -> str:
    """Why ``matches`` (not exactly one) cannot be the configuration meant.

    ``name`` is the name given (None: the agent's only one was meant), ``candidates`` the
    live configurations it was looked for among, ``agent`` how to name their agent (None:
    the whole account).
    """
    where = " of agent %s" % agent if agent is not None else ""
    if name is None:
        return ("agent %s has %d live backup configurations%s: give configuration_id or configuration_name"
                % (agent, len(matches), _names_in_use(candidates, " (%s)")))
    if not matches:
        return 'no live backup configuration%s is named "%s" (names in use: %s)' % (
            where, name, _names_in_use(candidates) or "none")
    return '%d live backup configurations%s are named "%s": %s; give configuration_id%s' % (
        len(matches), where, name, ", ".join(_described(match) for match in matches),
        "" if agent is not None else ", or agent_id to choose")


def _names_in_use(candidates: List[dict], shape: str = "%s") -> str:
    names = sorted({candidate.get("backup_configuration_name") or "" for candidate in candidates})
    if not names:
        return ""
    return shape % (", ".join('"%s"' % known for known in names[:NAMES_SHOWN]) + (", ..." if len(names) > NAMES_SHOWN else ""))


def _described(configuration: dict) -> str:
    return "%s (agent %s, %s)" % (configuration.get("backup_configuration_id"), configuration.get("machine_agent_id"),
                                  configuration.get("machine_name"))
