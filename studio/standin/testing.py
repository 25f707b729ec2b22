"""Helpers for tests: the stand-in as a subprocess or a thread, and pytest fixtures.

    from studio.standin.testing import standin  # noqa: F401  (in tests/conftest.py)

    def test_something(standin):
        client = openai.OpenAI(base_url=standin.base_url, api_key="test-key", max_retries=0)
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

from .config import StandinConfig
from .server import make_server

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _Control:
    """The /_standin/ control endpoints, shared by the process and the thread flavours."""

    root_url: str

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.root_url + path, data=data, method=method)
        if getattr(self, "control_token", ""):  # needed when the stand-in listens beyond loopback
            req.add_header("Authorization", f"Bearer {self.control_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict:
        return self._call("GET", "/_standin/stats")

    def reset(self) -> None:
        self._call("POST", "/_standin/reset", {})

    def configure(self, **flags: Any) -> dict:
        """Change fault flags at runtime, e.g. configure(fail_rate=1, fail_status=429)."""
        return self._call("POST", "/_standin/config", flags)

    def config(self) -> dict:
        return self._call("GET", "/_standin/config")

    def requests(self, endpoint: str | None = None, last: int | None = None) -> list[dict]:
        query = []
        if endpoint:
            query.append(f"endpoint={endpoint}")
        if last:
            query.append(f"last={last}")
        return self._call("GET", "/_standin/requests" + ("?" + "&".join(query) if query else ""))


def _flag_args(flags: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for key, value in flags.items():
        if value is None or value is False:
            continue
        opt = "--" + key.replace("_", "-")
        if value is True:
            args.append(opt)
        elif isinstance(value, (list, tuple)):
            args += [opt, ",".join(str(v) for v in value)]
        else:
            args += [opt, str(value)]
    return args


class StandinProcess(_Control):
    """`python -m studio.standin` on a free port, for tests that want a real separate process.

        with StandinProcess(fail_rate=0.2, seed=7) as s:
            client = OpenAI(base_url=s.base_url, api_key="test-key", max_retries=0)
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, startup_timeout: float = 20,
                 python: str | None = None, **flags: Any) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.root_url = f"http://{host}:{self.port}"
        self.flags = flags
        self.startup_timeout = startup_timeout
        self.python = python or sys.executable
        self.proc: subprocess.Popen | None = None

    def start(self) -> "StandinProcess":
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        cmd = [self.python, "-m", "studio.standin", "--addr", f"{self.host}:{self.port}", *_flag_args(self.flags)]
        self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"stand-in exited with {self.proc.returncode}: {err}")
            try:
                req = urllib.request.Request(self.base_url + "/models", headers={"Authorization": "Bearer probe"})
                with urllib.request.urlopen(req, timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"stand-in did not answer on {self.base_url} within {self.startup_timeout}s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> "StandinProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class StandinThread(_Control):
    """The server in a daemon thread of this process: fast, and good enough for most tests."""

    def __init__(self, config: StandinConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = make_server(host, port, config or StandinConfig())
        self.root_url = self.server.root_url
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="standin", daemon=True)

    @property
    def state(self):
        return self.server.state

    def start(self) -> "StandinThread":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextlib.contextmanager
def standin_in_thread(config: StandinConfig | None = None, host: str = "127.0.0.1",
                      port: int = 0) -> Iterator[StandinThread]:
    """with standin_in_thread(StandinConfig(url_ttl=2)) as s: ... s.base_url ..."""
    runner = StandinThread(config, host, port).start()
    try:
        yield runner
    finally:
        runner.stop()


try:  # fixtures, for test suites that import them; pytest is a dev dependency only
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(scope="session")
    def standin() -> Iterator[StandinThread]:
        """A session-wide stand-in with default flags, in a thread. Don't change its config in tests;
        use `standin_in_thread(...)` or `StandinProcess(...)` for faults."""
        with standin_in_thread(StandinConfig()) as runner:
            yield runner

    @pytest.fixture
    def standin_process() -> Iterator[StandinProcess]:
        """A fresh stand-in process with default flags, for tests that break or reconfigure it."""
        with StandinProcess() as proc:
            yield proc
