"""Scenario files shipped with the simulator (``--scenario demo`` loads ``demo.yml``)."""
