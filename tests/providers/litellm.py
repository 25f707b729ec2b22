"""LiteLLM's proxy as a real process in front of the stand-in, once per test session.

LiteLLM lives in a venv of its own under the cache (its dependency set would fight Studio's), created
the first time like the browser tests' chromium: `make test` runs `python -m tests.providers.litellm`
first, and the fixture tries once more itself. When it cannot be installed the LiteLLM tests are
skipped, saying why.

    stand-in (127.0.0.2, a host of its own) <- pass-through relay (counts upstream calls) <- LiteLLM <- Studio

The stand-in answers on a loopback address of its own, so the dall-e links LiteLLM passes through
point at the upstream's host:port, not the gateway's, as they do in production.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from studio.devtools.processes import free_port, stop
from studio.standin.config import StandinConfig
from studio.standin.testing import StandinThread

from .relay import Relay, relay

# The newest release whose [proxy] extra installs from the registry here: 1.108.8 and later pin
# litellm-enterprise / litellm-proxy-extras / litellm-proxy releases that are not published.
LITELLM_VERSION = "1.108.7"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "studio-tests"
VENV = CACHE / "litellm-venv"
MASTER_KEY = "sk-studio-test-master"  # made up: the proxy's own key, checked by nothing else
GATEWAY_MODELS = ("dall-e-2", "dall-e-3", "gpt-image-2")
UPSTREAM_HOST = "127.0.0.2"


def litellm_binary() -> Path:
    return VENV / "bin" / "litellm"


def installed_version() -> str:
    meta = list((VENV / "lib").glob("python*/site-packages/litellm-*.dist-info"))
    return meta[0].name[len("litellm-"):-len(".dist-info")] if meta else ""


def ensure_installed(timeout: float | None = None) -> str:
    """Create the venv and install litellm[proxy] when missing; "" when ready, else why not."""
    if litellm_binary().exists() and installed_version() == LITELLM_VERSION:
        return ""
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        if not (VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=120,
                           capture_output=True)
        done = subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                               f"litellm[proxy]=={LITELLM_VERSION}"], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not install litellm[proxy]=={LITELLM_VERSION} into {VENV}: {exc}"
    if done.returncode != 0 or not litellm_binary().exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"could not install litellm[proxy]=={LITELLM_VERSION} into {VENV}: {tail[0]}"
    return ""


@dataclass
class Gateway:
    base_url: str
    master_key: str
    relay: Relay  # between LiteLLM and the stand-in: what reached the upstream
    standin: StandinThread
    version: str

    @property
    def upstream_host(self) -> str:
        return f"{UPSTREAM_HOST}:{self.standin.server.server_address[1]}"


def _config(upstream: str) -> str:
    models = [{"model_name": name, "litellm_params": {"model": f"openai/{name}", "api_base": upstream,
                                                      "api_key": "upstream-key"}} for name in GATEWAY_MODELS]
    # JSON is YAML: no YAML writer needed.
    return json.dumps({"model_list": models, "general_settings": {"master_key": MASTER_KEY}})


def _wait_until_live(url: str, proc: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"LiteLLM exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/health/liveliness", timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"LiteLLM did not answer within its start-up time: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def litellm():
    """A LiteLLM proxy routing dall-e-2, dall-e-3 and gpt-image-2 as openai/<model> to the stand-in."""
    why = ensure_installed(timeout=120)  # `make test` installed it already; a second try must stay short
    if why:
        pytest.skip(f"LiteLLM is not available: {why}")
    workdir = Path(tempfile.mkdtemp(prefix="studio-litellm-"))
    standin = StandinThread(StandinConfig(), host=UPSTREAM_HOST).start()
    with relay(standin.root_url) as counter:
        (workdir / "config.yaml").write_text(_config(counter.base_url))
        port = free_port()
        # Nothing of Studio's environment: LiteLLM would take DATABASE_URL or REDIS_* as its own.
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(workdir), "LITELLM_LOG": "ERROR",
               "NO_DOCS": "True", "PYTHONUNBUFFERED": "1"}
        log = workdir / "litellm.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([str(litellm_binary()), "--config", str(workdir / "config.yaml"),
                                     "--host", "127.0.0.1", "--port", str(port)],
                                    cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_live(url, proc, log, time.monotonic() + 180)
            yield Gateway(url + "/v1", MASTER_KEY, counter, standin, installed_version())
        finally:
            stop(proc, timeout=10)
            standin.stop()


if __name__ == "__main__":  # `make test` prepares the venv before pytest runs (no per-test timeout then)
    reason = ensure_installed()
    print(f"LiteLLM {LITELLM_VERSION}: " + (reason or f"ready in {VENV}"))
