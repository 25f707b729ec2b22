"""Serve the stand-in until interrupted; shared by `python -m studio.standin` and `manage.py standin`."""

from __future__ import annotations

import sys
from typing import TextIO

from .config import StandinConfig, build_parser, config_from_options
from .server import make_server


def serve(host: str, port: int, config: StandinConfig, out: TextIO | None = None, verbose: bool = False,
          control_token: str = "") -> None:
    out = out or sys.stdout
    server = make_server(host, port, config, verbose=verbose, control_token=control_token)
    bound_host, bound_port = server.server_address[:2]
    out.write(f"standin listening on http://{bound_host}:{bound_port}/v1\n")
    out.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    host, port, config = config_from_options(args)
    serve(host, port, config, verbose=args.verbose, control_token=args.control_token)
