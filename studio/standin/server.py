"""The stand-in's HTTP server: stdlib only (no Django), one thread per connection, each answered
by handler.Handler (the routes are listed there)."""

from __future__ import annotations

from http.server import ThreadingHTTPServer

from .config import StandinConfig
from .handler import Handler
from .state import State


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], config: StandinConfig, verbose: bool = False,
                 control_token: str = "") -> None:
        self.state = State(config)
        self.verbose = verbose
        # /_standin/* (recent prompts and uploads, fault switches) answer anyone only on loopback; on any
        # other address they need this token, and without one they are closed (handler._control_allowed).
        self.control_token = control_token
        super().__init__(address, Handler)

    @property
    def on_loopback(self) -> bool:
        host = str(self.server_address[0])
        return host == "localhost" or host.startswith("127.") or host == "::1"

    @property
    def root_url(self) -> str:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"


def make_server(host: str = "127.0.0.1", port: int = 8100, config: StandinConfig | None = None,
                verbose: bool = False, control_token: str = "") -> StandinServer:
    """A ready-to-serve stand-in (port 0 picks a free port); call serve_forever() on it."""
    return StandinServer((host, port), config or StandinConfig(), verbose=verbose, control_token=control_token)
