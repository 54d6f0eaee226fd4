"""Helpers shared by the simulator tests (a test client and small scenario builders)."""

from __future__ import annotations

from typing import Any, Dict, Optional

import requests

from cloudbackup_simulator import Simulator

TIMEOUT = 5


class Api:
    """A tiny test client: authenticates once, then calls Cloud Backup paths."""

    def __init__(self, sim: Simulator, username: str = "admin", api_key: str = "admin-key") -> None:
        self.sim = sim
        token = login(sim, username, api_key).json()["access"]["token"]
        self.token = token["id"]
        self.endpoint = "%s/v1.0/%s" % (sim.base_url, token["tenant"]["id"])

    def headers(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        return dict({"X-Auth-Token": self.token}, **(extra or {}))

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.endpoint + path

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(
            self.url(path), headers=self.headers(kwargs.pop("headers", None)), timeout=TIMEOUT, **kwargs
        )

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.post(self.url(path), json=json, headers=headers, timeout=TIMEOUT, **kwargs)

    def put(self, path: str, json: Any = None) -> requests.Response:
        return requests.put(self.url(path), json=json, headers=self.headers(), timeout=TIMEOUT)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(self.url(path), headers=self.headers(), timeout=TIMEOUT)

    def wake(self, seconds: float = 2) -> None:
        """Wake every agent and let the simulated wake delay pass."""
        assert self.post("/user/wakeupagents").status_code == 200
        self.sim.advance(seconds)

    def start(self, config_id: int) -> requests.Response:
        return self.post("/backup/action-requested", {"Action": "StartManual", "Id": config_id})

    def stop(self, backup_id: int) -> requests.Response:
        return self.post("/backup/action-requested", {"Action": "StopManual", "Id": backup_id})

    def state(self, backup_id: int) -> str:
        return self.get("/backup/%d" % backup_id).json()["CurrentState"]


def login(sim: Simulator, username: str, api_key: str) -> requests.Response:
    body = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": username, "apiKey": api_key}}}
    return requests.post(sim.info["identity_url"] + "tokens", json=body, timeout=TIMEOUT)


def scenario_with(settings: Optional[Dict[str, Any]] = None, **agent: Any) -> Dict[str, Any]:
    """A one-agent, one-configuration scenario dict; the agent is always online."""
    agent_spec = dict(
        {
            "id": 1001,
            "name": "solo",
            "server_id": "00000000-0000-4000-8000-000000000001",
            "always_online": True,
            "configurations": [{"id": 2001, "name": "solo files"}],
        },
        **agent,
    )
    return {
        "settings": settings or {},
        "tenants": [{"id": "777", "users": [{"username": "admin", "api_key": "admin-key"}], "agents": [agent_spec]}],
    }
