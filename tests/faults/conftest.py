"""Real processes for fault tests: a stand-in, a private Redis, Celery workers and a beat.

Every process started here is stopped in a `finally`, whatever the test did. Tests poll with deadlines.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from studio.devtools.processes import free_port, start_redis, stop
from studio.standin.testing import REPO_ROOT, StandinProcess

pytestmark = pytest.mark.faults

# Fast clocks for tests; each scenario may override some.
FAST = {
    "STUDIO_SWEEP_SECONDS": "2",
    "STUDIO_REENQUEUE_AFTER": "4",
    "STUDIO_PROVIDER_TIMEOUT": "20",
    "STUDIO_CALL_GRACE_SECONDS": "1",
    "STUDIO_API_BACKOFF_BASE": "0.2",
    "STUDIO_API_BACKOFF_CAP": "1",
    "STUDIO_FETCH_BACKOFF_BASE": "0.2",
    "STUDIO_FETCH_BACKOFF_CAP": "1",
    "STUDIO_FETCH_TIMEOUT": "5",
    "STUDIO_FETCH_LEASE_SECONDS": "10",
    "STUDIO_STORE_BACKOFF_CAP": "2",
    "LOG_LEVEL": "INFO",
}


def database_url() -> str:
    """The test database (created by pytest-django) as a URL a worker process can use."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return "sqlite:///" + str(Path(s["NAME"]).resolve())
    auth = s["USER"] + (":" + s["PASSWORD"] if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Stack:
    """What one fault test runs: a Redis of its own, a stand-in, workers, maybe a beat."""

    tmp: Path
    settings: object
    env: dict = field(default_factory=dict)
    redis_port: int = 0
    redis: subprocess.Popen | None = None
    standin: StandinProcess | None = None
    workers: list = field(default_factory=list)
    beat: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    # --- Redis ----------------------------------------------------------------------------------
    def start_redis(self) -> None:
        self.redis = start_redis(self.redis_port, workdir=self.tmp / "redis")

    def kill_redis(self) -> None:
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(timeout=10)

    # --- Celery ---------------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs.append(log)
        fh = open(log, "ab")
        proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "studio", *args], cwd=REPO_ROOT,
                                env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        fh.close()
        return proc

    def start_worker(self, *, queues: str = "api,fetch", concurrency: int = 8, name: str | None = None):
        name = name or f"w{len(self.workers) + 1}"
        proc = self._spawn(name, ["worker", "-Q", queues, "--pool", "threads", "-c", str(concurrency),
                                  "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
                                  "-l", "INFO"])
        self.workers.append(proc)
        # A deadline, not a wait: a loaded 2-core machine has been seen to take 40 s to start a worker.
        wait_until(lambda: "ready." in (self.tmp / f"{name}.log").read_text(errors="replace"), 90,
                   f"worker {name} to start", proc=proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def start_beat(self) -> None:
        self.beat = self._spawn("beat", ["beat", "-s", str(self.tmp / "beat-schedule"), "--max-interval", "1",
                                         "-l", "INFO"])

    def stop_all(self) -> None:
        for proc in [*self.workers, self.beat]:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        if self.standin is not None:
            self.standin.stop()
        stop(self.redis)

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for log in self.logs:
            if log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


def wait_until(predicate, timeout: float, what: str, *, proc: subprocess.Popen | None = None, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} while waiting for {what}")
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def point_celery_at(url: str) -> None:
    """Make this process publish to the test's Redis (the app caches its producer pool)."""
    from studio.celery import app

    from kombu import pools

    app.conf.broker_url = url
    # kombu keeps its connection and producer pools in process-wide groups keyed by broker URL: closing
    # only the app's pool leaves a closed one there, which the next publish to that URL would get back
    # ("Acquire on closed pool"). reset() closes every pool and empties the groups.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def stack(transactional_db, settings, tmp_path, request):
    """A factory: `s = stack(standin=dict(fail_rate=0.3), env=dict(...))`, everything stopped afterwards."""
    made: list[Stack] = []
    old_broker = None

    def make(*, standin: dict | None = None, env: dict | None = None, beat: bool = True) -> Stack:
        nonlocal old_broker
        from studio.celery import app

        s = Stack(tmp=tmp_path, settings=settings, redis_port=free_port())
        made.append(s)
        s.start_redis()
        s.standin = StandinProcess(**(standin or {})).start()
        url = f"redis://127.0.0.1:{s.redis_port}/0"
        settings.REDIS_URL = url
        settings.STANDIN_URL = s.standin.base_url
        old_broker = old_broker or app.conf.broker_url
        point_celery_at(url)
        s.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": url,
            "STANDIN_URL": s.standin.base_url,
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "AZURE_OPENAI_ENDPOINT": "",
            "PYTHONPATH": str(REPO_ROOT),
            **FAST,
            **(env or {}),
        }
        for key, value in (env or {}).items():  # the same clocks in this process (it submits, may sweep)
            name = key
            if hasattr(settings, name):
                current = getattr(settings, name)
                setattr(settings, name, type(current)(value) if not isinstance(current, list) else value.split(","))
        if beat:
            s.start_beat()
        return s

    try:
        yield make
    finally:
        for s in made:
            if request.node.rep_call_failed if hasattr(request.node, "rep_call_failed") else False:
                print(s.log_tail())
            s.stop_all()
        if old_broker:
            point_celery_at(old_broker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed


@pytest.fixture
def people_one(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="faulty", password="pw")
