"""Local simulator of Rackspace Identity v2.0 and Cloud Backup API v1.0.

    from cloudbackup_simulator import Simulator
    with Simulator("demo", speed=10) as sim:
        print(sim.info["identity_url"])

See simulator/README.md for the scenario format, the settings and the control path.
"""

from .routes import ROUTE_NAMES
from .server import Simulator
from .validation import ScenarioError

__all__ = ["ROUTE_NAMES", "ScenarioError", "Simulator"]
