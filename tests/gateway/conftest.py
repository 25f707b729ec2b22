"""A real Studio for the /v1 tests: uvicorn serving studio.asgi, a Celery worker and a stand-in process,
one set per test module (starting them is most of the cost), on a private Redis.

The processes read the test database (tests/faults' `database_url`) and the test settings; each test
makes its own people and tokens (transactional_db), which the processes see once committed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openai
import pytest

from studio.devtools.processes import free_port, start_redis, stop, wait_for_port
from studio.standin.testing import REPO_ROOT, StandinProcess
from tests.faults.conftest import FAST, database_url, point_celery_at, wait_until

GATEWAY_ENV = {
    **FAST,
    "STUDIO_LIVE_CHECK_SECONDS": "1",
    "STUDIO_IMAGES_PER_MINUTE": "100000",
    "STUDIO_API_RETRY_LIMIT": "1",
    "STUDIO_GATEWAY_WAIT_SECONDS": "60",
}


@dataclass
class Studio:
    url: str
    standin: StandinProcess
    redis_url: str
    tmp: Path
    procs: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def client(self, token: str, **kwargs) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=token, **{"max_retries": 0, "timeout": 60, **kwargs})

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-4000:] for p in self.tmp.glob("*.log"))


def _spawn(tmp: Path, name: str, args: list[str], env: dict) -> subprocess.Popen:
    with open(tmp / f"{name}.log", "ab") as log:
        return subprocess.Popen([sys.executable, *args], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_studio(tmp: Path, *, standin_flags: dict | None = None, env: dict | None = None,
                 worker_concurrency: int = 8) -> Studio:
    """Everything started; the caller stops it with `stop_studio` (also when this raises)."""
    redis_port = free_port()
    procs = {"redis": start_redis(redis_port, workdir=tmp / "redis")}
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    standin = StandinProcess(**(standin_flags or {})).start()
    web_port = free_port()
    studio = Studio(url=f"http://127.0.0.1:{web_port}", standin=standin, redis_url=redis_url, tmp=tmp, procs=procs)
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "STANDIN_URL": standin.base_url,
        "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "AZURE_OPENAI_ENDPOINT": "",
        "PYTHONPATH": str(REPO_ROOT),
        **GATEWAY_ENV,
        **(env or {}),
    }
    try:
        procs["worker"] = _spawn(tmp, "worker", [
            "-m", "celery", "-A", "studio", "worker", "-Q", "api,fetch", "--pool", "threads",
            "-c", str(worker_concurrency), "-n", f"gw{web_port}@%h", "--without-gossip", "--without-mingle",
            "-l", "INFO"], full_env)
        procs["web"] = _spawn(tmp, "web", ["-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1",
                                           "--port", str(web_port), "--no-access-log"], full_env)
        wait_for_port("127.0.0.1", web_port, timeout=60, process=procs["web"])
        wait_until(lambda: "ready." in (tmp / "worker.log").read_text(errors="replace"), 90,
                   "the worker to start", proc=procs["worker"])
    except Exception:
        print(studio.logs())
        stop_studio(studio)
        raise
    return studio


def stop_studio(studio: Studio) -> None:
    for name in ("web", "worker"):
        stop(studio.procs.get(name), timeout=10)
    studio.standin.stop()
    stop(studio.procs.get("redis"))


@pytest.fixture(scope="module")
def studio(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    from studio.celery import app

    tmp = tmp_path_factory.mktemp("studio")
    running = start_studio(tmp)
    old_broker, old_redis = app.conf.broker_url, settings.REDIS_URL
    settings.REDIS_URL = running.redis_url
    point_celery_at(running.redis_url)
    try:
        yield running
    finally:
        settings.REDIS_URL = old_redis
        point_celery_at(old_broker)
        stop_studio(running)


@pytest.fixture
def quiet_worker_afterwards(studio, transactional_db):
    """After the test, wait for the worker to finish what the answers left it (stored images' provenance
    reads) before the test database is flushed: a TRUNCATE racing a worker's row locks deadlocks in PostgreSQL."""
    yield
    from studio.gallery.models import Image
    from studio.generation.models import Job

    def quiet() -> bool:
        return not (Job.objects.unfinished().exists()
                    or Image.objects.filter(status="stored", provenance_read_at__isnull=True).exists())

    try:
        wait_until(quiet, 30, "the worker to finish its jobs and provenance reads")
    except TimeoutError:
        pass  # a test that left work on purpose (a disconnect, an outage): the flush still tries


@pytest.fixture
def api(studio, transactional_db, quiet_worker_afterwards, team):
    """A person with a private token and a team token, and SDK clients for both."""
    from django.contrib.auth import get_user_model

    from studio.accounts.models import Membership
    from studio.accounts.token_services import create_token

    studio.standin.reset()
    person = get_user_model().objects.create_user(username="scripter", password="pw-scripter")
    Membership.objects.create(team=team, user=person, role=Membership.Role.MEMBER)
    token, raw = create_token(user=person, name="nightly renders")
    team_token, team_raw = create_token(user=person, name="team script", team=team)

    @dataclass
    class Api:
        person: object
        token: object
        raw: str
        team_token: object
        team_raw: str
        client: openai.OpenAI
        team_client: openai.OpenAI

    return Api(person, token, raw, team_token, team_raw, studio.client(raw), studio.client(team_raw))


def png(size: int = 256, *, transparent: bool = False) -> bytes:
    """A square picture, with a transparent hole when asked (what an edit without a mask repaints)."""
    import io

    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (size, size), (40, 120, 200, 255))
    if transparent:
        ImageDraw.Draw(im).rectangle([size // 4, size // 4, size // 2, size // 2], fill=(0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
