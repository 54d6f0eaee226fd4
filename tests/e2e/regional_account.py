"""An account whose regions each have their own Cloud Backup endpoint, for the tests of a fleet over regions."""
from typing import Any, Callable, Dict


def regional_account(servers: Dict[str, str], first_agent_id: int, wake_delay: float,
                     configuration: Callable[[int], Dict[str, Any]]) -> Dict[str, Any]:
    """A simulator scenario: one account (DFW by default) with an agent per server, in its region.

    ``servers`` maps a machine name to its region; the n-th agent has the id
    ``first_agent_id + n`` and the one configuration ``configuration(n)``. Each region's
    endpoint knows only its own agents, as Rackspace's do (simulator setting regional_endpoints).
    """
    agents = [dict(id=first_agent_id + index, name=name, datacenter=region, wake_delay=wake_delay,
                   server_id="5e7e0000-0000-4000-8000-%012d" % index, configurations=[configuration(index)])
              for index, (name, region) in enumerate(servers.items())]
    return dict(settings=dict(regional_endpoints=True),
                tenants=[dict(id="123456", default_region="DFW", agents=agents,
                              users=[dict(username="admin", api_key="admin-key", roles=["identity:user-admin"])])])
