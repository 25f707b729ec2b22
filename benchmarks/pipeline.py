"""The pipeline's cost over a bare loop, and how it holds 200 slow calls at once.

    .venv/bin/python benchmarks/pipeline.py                      # throughput: pipeline vs direct loop
    .venv/bin/python benchmarks/pipeline.py --mode latency       # 200 jobs at --latency-ms 20000

Throughput: the same N jobs x n images go (a) through the real stack: `submit_job` (the web form's
service call) -> Redis -> a Celery worker process (thread pool) -> stand-in -> download -> spool ->
storage + WebP thumbnail + sha256 -> rows, and (b) through a direct loop with the same concurrency:
the official SDK call, a download with requests, a file write. Both against one stand-in process.
Prints per-image times and, as its last line, `pipeline/direct throughput ratio: X.XX`.

Latency: 200 jobs against a stand-in that takes --latency-ms per call; prints the time until all
are done and the worker's peak RSS. Uses its own database (DATABASE_URL, default PostgreSQL
`studio_pipeline_bench` when PostgreSQL answers, else SQLite), its own Redis and a temporary var dir.
Never asserts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.devtools.processes import free_port, port_is_open, start_redis, stop  # noqa: E402


def _database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    if port_is_open("127.0.0.1", 5432):
        return "postgres://postgres@127.0.0.1:5432/studio_pipeline_bench"
    return ""


def _fresh_postgres(url: str) -> None:
    import psycopg
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _rss_mb(pid: int) -> float:
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except Exception:  # noqa: BLE001 - the process ended
        return 0.0
    return 0.0


class Stack:
    def __init__(self, args):
        self.args = args
        self.var = Path(tempfile.mkdtemp(prefix="studio-bench-"))
        self.redis_port = free_port()
        self.redis = None
        self.standin = None
        self.worker = None
        self.peak_rss = 0.0
        self._watch = threading.Event()

    def start(self):
        from studio.standin.testing import StandinProcess

        self.redis = start_redis(self.redis_port, workdir=self.var / "redis")
        self.standin = StandinProcess(latency_ms=self.args.latency_ms).start()
        db = _database_url()
        if db.startswith("postgres"):
            _fresh_postgres(db)
        else:
            db = f"sqlite:///{self.var / 'bench.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": db,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "STUDIO_VAR_DIR": str(self.var),
            "STANDIN_URL": self.standin.base_url,
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return self

    def start_worker(self, concurrency: int):
        log = open(self.var / "worker.log", "ab")
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", "worker", "-Q", "api,fetch", "--pool", "threads",
             "-c", str(concurrency), "-n", "bench@%h", "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        # Ready when it consumes: a ping task round trip is overkill; watch the Redis queue drain instead.
        time.sleep(0.5)
        threading.Thread(target=self._watch_rss, daemon=True).start()

    def _watch_rss(self):
        while not self._watch.is_set() and self.worker and self.worker.poll() is None:
            self.peak_rss = max(self.peak_rss, _rss_mb(self.worker.pid))
            time.sleep(0.1)

    def wait_worker_ready(self, timeout=30):
        import redis

        client = redis.Redis(port=self.redis_port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(k.startswith(b"_kombu.binding") for k in client.keys("_kombu*")):
                return
            time.sleep(0.1)

    def stop(self):
        self._watch.set()
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(10)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        if self.standin:
            self.standin.stop()
        stop(self.redis)
        shutil.rmtree(self.var, ignore_errors=True)


def run_pipeline(stack: Stack, jobs: int, n: int, size: str, timeout: float) -> tuple[float, int, int]:
    from django.contrib.auth import get_user_model

    from studio.gallery.models import Image
    from studio.generation import services
    from studio.generation.models import Job

    user, _ = get_user_model().objects.get_or_create(username="bench")
    started = time.monotonic()
    ids = [services.submit_job(user=user, model="dall-e-2", prompt=f"benchmark harbour {i}",
                               params={"size": size, "n": n}).pk for i in range(jobs)]
    deadline = started + timeout
    while time.monotonic() < deadline:
        if not Job.objects.filter(pk__in=ids).exclude(status__in=Job.FINISHED).exists():
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    stored = Image.objects.filter(job_id__in=ids, status=Image.Status.STORED).count()
    unfinished = Job.objects.filter(pk__in=ids).exclude(status__in=Job.FINISHED).count()
    return elapsed, stored, unfinished


def run_direct(stack: Stack, jobs: int, n: int, size: str, concurrency: int) -> tuple[float, int]:
    import openai
    import requests

    out = stack.var / "direct"
    out.mkdir(exist_ok=True)
    client = openai.OpenAI(base_url=stack.standin.base_url, api_key="bench", max_retries=0, timeout=600)
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=concurrency)
    session.mount("http://", adapter)

    def one(i: int) -> int:
        response = client.images.generate(model="dall-e-2", prompt=f"benchmark harbour {i}", n=n, size=size)
        for k, item in enumerate(response.data):
            body = session.get(item.url, timeout=60).content
            (out / f"{i}-{k}.png").write_bytes(body)
        return len(response.data)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        images = sum(pool.map(one, range(jobs)))
    return time.monotonic() - started, images


def throughput(args) -> None:
    stack = Stack(args).start()
    try:
        stack.start_worker(args.concurrency)
        stack.wait_worker_ready()
        run_pipeline(stack, 2, args.n, args.size, 60)  # warm up the worker (imports, connections)
        direct_s, direct_images = run_direct(stack, args.jobs, args.n, args.size, args.concurrency)
        pipe_s, stored, unfinished = run_pipeline(stack, args.jobs, args.n, args.size, 600)
    finally:
        stack.stop()
    images = args.jobs * args.n
    print(f"jobs={args.jobs} n={args.n} size={args.size} concurrency={args.concurrency} "
          f"stand-in latency={args.latency_ms:.0f} ms")
    print(f"direct:   {direct_s:7.2f} s  {direct_images} images  {1000 * direct_s / images:7.1f} ms/image")
    print(f"pipeline: {pipe_s:7.2f} s  {stored} stored ({unfinished} jobs unfinished)  "
          f"{1000 * pipe_s / images:7.1f} ms/image")
    print(f"per-image overhead: {1000 * (pipe_s - direct_s) / images:.1f} ms")
    print(f"worker peak RSS: {stack.peak_rss:.0f} MB")
    print(f"pipeline/direct throughput ratio: {direct_s / pipe_s:.2f}")


def latency(args) -> None:
    stack = Stack(args).start()
    try:
        stack.start_worker(args.concurrency)
        stack.wait_worker_ready()
        stack.standin.configure(latency_ms=0)
        run_pipeline(stack, 2, 1, args.size, 60)
        stack.standin.configure(latency_ms=args.latency_ms)
        elapsed, stored, unfinished = run_pipeline(stack, args.jobs, 1, args.size, args.latency_ms / 1000 + 120)
        stats = stack.standin.stats()
    finally:
        stack.stop()
    print(f"jobs={args.jobs} n=1 size={args.size} worker threads={args.concurrency} "
          f"stand-in latency={args.latency_ms / 1000:.0f} s  (max calls in flight at the stand-in: "
          f"{stats['max_in_flight']})")
    print(f"all {args.jobs} finished in {elapsed:.2f} s = latency + {elapsed - args.latency_ms / 1000:.2f} s; "
          f"{stored} images stored, {unfinished} jobs unfinished")
    print(f"worker peak RSS: {stack.peak_rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["throughput", "latency"], default="throughput")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--size", default="256x256")
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--latency-ms", type=float)
    args = parser.parse_args()
    if args.mode == "latency":
        args.jobs = args.jobs or 200
        args.concurrency = args.concurrency or 220
        args.latency_ms = 20000 if args.latency_ms is None else args.latency_ms
        latency(args)
    else:
        args.jobs = args.jobs or 60
        args.concurrency = args.concurrency or 8
        args.latency_ms = 1000 if args.latency_ms is None else args.latency_ms
        throughput(args)


if __name__ == "__main__":
    main()
