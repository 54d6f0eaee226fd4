"""``Simulator``: the threaded HTTP server plus a thin Python API over ``Core``."""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Union

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import SimulatorApp
from .core import Core
from .scenario import Scenario, load_scenario


class _RequestHandler(WSGIRequestHandler):
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """Silent: the simulator's own request log replaces access lines."""

    def connection_dropped(self, error: BaseException, environ: Optional[dict] = None) -> None:
        # A drop fault wrote nothing; closing (instead of waiting for the next request
        # on this keep-alive connection) makes the client see the connection end.
        self.close_connection = True


class Simulator:
    """Identity v2.0 + Cloud Backup v1.0 on a local port, driven by a scenario.

    ``with Simulator("demo", speed=10) as sim:`` starts on a free port and stops at exit.
    """

    def __init__(self, scenario: Union[str, Dict[str, Any], Scenario] = "demo", speed: float = 1.0) -> None:
        self.core = Core(scenario if isinstance(scenario, Scenario) else load_scenario(scenario), speed)
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> "Simulator":
        if self._server is not None:
            raise RuntimeError("the simulator is already running at %s" % self.base_url)
        self._server = make_server(host, port, SimulatorApp(self.core), threaded=True, request_handler=_RequestHandler)
        # A short poll interval makes stop() quick (serve_forever checks for shutdown
        # only between polls); tests start and stop many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="cloudbackup-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread (which also closes the socket)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._thread.join()
        self._server, self._thread = None, None

    def __enter__(self) -> "Simulator":
        return self if self._server is not None else self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running; call start() first")
        host, port = self._server.server_address[:2]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        return "http://%s:%d" % ("[%s]" % host if ":" in host else host, port)

    @property
    def info(self) -> Dict[str, Any]:
        """identity_url, endpoint, tenant_id, username, api_key, control_url."""
        return self.core.info(self.base_url)

    # Thin wrappers: the control path calls the same Core methods.

    def requests(self, route: Optional[str] = None) -> List[Dict[str, Any]]:
        return self.core.requests(route)

    def clear_requests(self) -> None:
        self.core.clear_requests()

    def reset(self) -> None:
        self.core.reset()

    def expire_tokens(self) -> int:
        return self.core.expire_tokens()

    def configure(self, **settings: Any) -> Dict[str, Any]:
        """Change scenario settings until the next reset(); returns them all."""
        return self.core.configure(**settings)

    def advance(self, seconds: float) -> float:
        return self.core.advance(seconds)

    def now(self) -> float:
        return self.core.now()

    def add_fault(
        self,
        route: Optional[str] = None,
        status: Optional[int] = None,
        count: Optional[int] = 1,
        retry_after: Optional[float] = None,
        drop: bool = False,
        delay: float = 0.0,
        apply: bool = False,
        method: Optional[str] = None,
        expire_tokens: bool = False,
        body: Optional[str] = None,
        echo_token: bool = False,
        scheduled_first: bool = False,
    ) -> Dict[str, Any]:
        return self.core.add_fault(
            route=route,
            status=status,
            count=count,
            retry_after=retry_after,
            drop=drop,
            delay=delay,
            apply=apply,
            method=method,
            expire_tokens=expire_tokens,
            body=body,
            echo_token=echo_token,
            scheduled_first=scheduled_first,
        )

    def clear_faults(self) -> None:
        self.core.clear_faults()

    def state(self) -> Dict[str, Any]:
        return self.core.state()
