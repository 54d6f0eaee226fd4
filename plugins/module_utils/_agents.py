# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Is an agent ready to run a job: enabled, and online within a while.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: the check that both a backup start and a restore make before they write
anything, worded the same way, so that an asleep or disabled agent fails the task with what
to do about it rather than with the API's 403; and the account's agents, listed once for a
batch (AccountAgents).
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._api import get_agent, is_online, list_agents
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._errors import CloudBackupError
from ansible_collections.rackspace.cloudbackup.plugins.module_utils._waiter import Waiter

# An agent woken a moment ago comes online within seconds (api-notes: Agents and waking): it is
# read this often, whatever the task's poll_interval for the job itself.
ONLINE_POLL_INTERVAL = 2.0
# The longest wait for a first agent of a batch to come Online before its starts begin anyway:
# the docs give a wake-up 10 to 20 s, the cookbook sleeps 30 s (api-notes: Agents and waking).
PROBE_WINDOW = 30.0


class AccountAgents:
    """The account's agents by id, read with one GET user/agents when first asked for, for a whole batch.

    The list's Status is not to be trusted (api-notes: Agents and waking); what an agent is
    (its vault's encryption, disabled or not) is.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._by_id: Optional[Dict[Any, dict]] = None

    def __call__(self) -> Dict[Any, dict]:
        if self._by_id is None:
            self._by_id = {agent.get("machine_agent_id"): agent for agent in list_agents(self.client)}
        return self._by_id


def ready_agent(client: Any, agent_id: int, timeout: float, check_mode: bool, warn: Callable[[str], Any],
                label: str, work: str, hint: str, clock: Callable[[], float] = time.monotonic,
                sleep: Callable[[float], Any] = time.sleep) -> dict:
    """The agent, once online within ``timeout`` seconds; fails if it is disabled or stays offline.

    In check mode an offline agent is only a warning: the wake-up that would come first did
    not happen either. ``label`` names the agent's part ("agent", "destination agent"),
    ``work`` what a disabled one does not do, ``hint`` (with a %s for the id) what to run.
    """
    waiter = Waiter(timeout, ONLINE_POLL_INTERVAL, clock=clock, sleep=sleep, within=client.retrying_within)
    seen = waiter.until(lambda: get_agent(client, agent_id), lambda agent: is_online(agent) or agent.get("is_disabled"))
    agent = seen.value
    name = "%s %s (%s)" % (label, agent_id, agent.get("machine_name"))
    if agent.get("is_disabled"):
        raise CloudBackupError("%s is disabled: it %s until it is enabled again" % (name, work), agent_id=agent_id)
    if not is_online(agent):
        waited = " after waiting %d seconds" % seen.elapsed if timeout else ""
        msg = "%s is %s%s: %s" % (name, agent.get("status"), waited, hint % agent_id)
        if not check_mode:
            raise CloudBackupError(msg, agent_id=agent_id, status=agent.get("status"))
        warn(msg)
    return agent


def wait_for_an_agent(client: Any, agent_ids: List[int], window: float, clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], Any] = time.sleep, before_read: Callable[[], Any] = lambda: None) -> None:
    """Read a batch's agents in turn, one per poll, until one is Online or ``window`` ends.

    All were woken together, so the first one up says the fleet is awake: this keeps the
    first round of starts from meeting a fleet of agents still connecting (a refused POST per
    server and second). The window is bounded, so one dead agent cannot hold the others
    back; agents still asleep after it are tried again round by round. ``before_read`` runs
    before each read (a batch that may re-post the wake-up does it there).
    """
    waiter = Waiter(window, ONLINE_POLL_INTERVAL, clock=clock, sleep=sleep, within=client.retrying_within)
    turn = itertools.cycle(agent_ids)

    def read() -> dict:
        before_read()
        return get_agent(client, next(turn))

    waiter.until(read, is_online)
