"""Two more ways production breaks (issue 17), on real processes:

- PostgreSQL restarts during a run (every connection cut): no image is lost, no job is stuck past a
  sweeper period once it is back. A private cluster is restarted, never the machine's shared one.
- The spool's disk fills up: the images wait with a reason, nothing already stored is lost, and the
  work resumes when space returns. The spool is a small tmpfs mounted for the test (root only).

Each test prints one line of figures, like tests/faults/test_pipeline_faults.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from studio.gallery.models import Image
from studio.generation.models import Job
from studio.ops import archive
from studio.standin.testing import REPO_ROOT

from .conftest import database_url, wait_until
from .private_postgres import PrivatePostgres
from .test_pipeline_faults import figures, submit, unfinished, wait_finished

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

FINISHED = tuple(Job.FINISHED)


# --- PostgreSQL restarted -----------------------------------------------------------------------------


@pytest.fixture
def private_postgres():
    reason = PrivatePostgres.unavailable()
    if reason:
        pytest.skip(f"a private PostgreSQL cannot be started here: {reason}")
    if not database_url().startswith("postgres"):
        pytest.skip("the test database is SQLite; its schema cannot be copied into PostgreSQL")
    pg = PrivatePostgres()
    try:
        pg.start()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        pg.cleanup()
        pytest.skip(f"a private PostgreSQL did not start: {exc}")
    try:
        pg.create_database_like(database_url())
        yield pg
    finally:
        pg.cleanup()


def _rows(url: str, sql: str, *params):
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3) as conn:
        return conn.execute(sql, params).fetchall()


def test_postgres_restarted_during_a_run(stack, private_postgres, tmp_path):
    pg = private_postgres
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    s = stack(standin={"latency_ms": 3000},
              env={"DATABASE_URL": pg.url, "LOG_FORMAT": "json", "STUDIO_TEST_METRICS_DIR": str(metrics_dir),
                   "STUDIO_IMAGES_PER_MINUTE": "6000"})
    driver = subprocess.run([sys.executable, "-m", "tests.faults.driver", "24", "2"], cwd=REPO_ROOT, env=s.env,
                            capture_output=True, text=True, timeout=120)
    assert driver.returncode == 0, driver.stderr
    jobs = json.loads(driver.stdout.strip().splitlines()[-1])
    started = time.monotonic()  # the jobs wait in the queue; the worker starts now
    s.start_worker(concurrency=12)

    def count(status):
        return _rows(pg.url, "SELECT count(*) FROM generation_job WHERE id = ANY(%s) AND status = %s", jobs, status)[0][0]

    try:
        wait_until(lambda: count("calling") >= 4, 30, "calls in flight")
    except TimeoutError:
        print(pg.log.read_text()[-3000:], s.log_tail(20))
        raise
    at_restart = dict(_rows(pg.url, "SELECT status, count(*) FROM generation_job WHERE id = ANY(%s) GROUP BY status", jobs))
    pg.stop("fast")  # every connection is cut
    down_at = time.monotonic()
    wait_until(lambda: time.monotonic() - down_at >= 3, 10, "3 s with the database down", every=0.5)
    pg.start()
    back_at = time.monotonic()

    def left():
        return _rows(pg.url, "SELECT count(*) FROM generation_job WHERE id = ANY(%s) AND NOT status = ANY(%s)",
                     jobs, list(FINISHED))[0][0]

    sweep_period = float(s.env["STUDIO_SWEEP_SECONDS"]) + float(s.env["STUDIO_REENQUEUE_AFTER"])
    try:
        wait_until(lambda: left() == 0, 90, "every job to finish", every=0.5)
    except TimeoutError:
        print(s.log_tail(60))
    recovered = time.monotonic() - back_at

    images = dict(_rows(pg.url, "SELECT status, count(*) FROM gallery_image WHERE job_id = ANY(%s) GROUP BY status", jobs))
    stored = images.get("stored", 0)
    by_job = s.standin.stats()["by_job"]
    calls = sum(by_job.get(str(pk), 0) for pk in jobs)
    returned = (s.standin.stats()["requests"]["generations"]) * 2
    lost = max(0, returned - sum(images.values())) + sum(v for k, v in images.items() if k not in ("stored", "pending"))
    stuck = left() + images.get("pending", 0)
    out = {"jobs": len(jobs), "images": sum(images.values()), "stored": stored, "api_calls": calls, "lost": lost,
           "stuck": stuck, "seconds": round(time.monotonic() - started, 1)}
    print("\n[faults] postgres restarted: " + " ".join(f"{k}={v}" for k, v in out.items()))
    print(f"[faults]   at-restart={at_restart} down=3.0s recovered-in={recovered:.1f}s "
          f"max-calls-per-job={max(by_job.get(str(pk), 0) for pk in jobs)}")
    assert at_restart.get("calling", 0) >= 4
    assert lost == 0 and stuck == 0
    assert stored == 2 * len(jobs)
    assert recovered <= sweep_period + 30  # nothing waited past a sweeper period beyond the work itself

    # The workers' own figures and logs came through: /metrics' sum over their processes, JSON lines.
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))
    assert f"studio_images_stored_total {float(stored)}" in generate_latest(registry).decode()
    lines = [json.loads(line) for log in s.logs if log.exists() for line in log.read_text().splitlines()
             if line.startswith("{")]
    waited = sum(1 for line in lines if "the database is not answering" in line["message"])
    print(f"[faults]   answers kept by waiting for the database: {waited} waits logged")
    fetch_lines = [line for line in lines if line.get("task") == "studio.generation.tasks.fetch_image"]
    assert fetch_lines and all(line["job_id"] and line["image_id"] for line in fetch_lines)
    assert any(line.get("request_id") == "req-fault-pg" for line in fetch_lines)  # from the submitting "request"


# --- the spool's disk fills up ------------------------------------------------------------------------


@pytest.fixture
def small_spool(tmp_path):
    """A 3 MB tmpfs as the workers' spool."""
    mount = tmp_path / "spool"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem for the spool needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0777", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    return filler


def test_spool_disk_full(stack, people_one, small_spool):
    s = stack(env={"STUDIO_SPOOL_DIR": str(small_spool)})
    s.start_worker(concurrency=6)
    started = time.monotonic()
    before = submit(people_one, 4, n=2)
    wait_finished(s, before, 40)
    assert Image.objects.filter(job_id__in=before, status=Image.Status.STORED).count() == 8

    filler = fill(small_spool)
    full_at = time.monotonic()
    during = submit(people_one, 6, n=2) + submit(people_one, 2, n=1, model="gpt-image-2", size="1024x1024")
    urls = Image.objects.filter(job_id__in=during[:6])
    wait_until(lambda: urls.filter(failure_reason__contains="disk is full").count() >= 8, 40,
               "downloads waiting for space")
    waiting = urls.filter(status=Image.Status.PENDING).count()
    assert Image.objects.filter(job_id__in=during, status=Image.Status.STORED).count() == 0
    check = archive.run_check(archive.start_check(), per_second=0)  # what was stored before is whole
    assert check.problem_count == 0 and check.checked >= 8
    wait_until(lambda: time.monotonic() - full_at >= 6, 10, "6 s with the disk full", every=0.5)

    filler.unlink()  # space returns
    freed_at = time.monotonic()
    wait_finished(s, during, 60)
    resumed = time.monotonic() - freed_at
    f = figures("spool disk full", s, before + during, started=started)
    print(f"[faults]   waiting-when-full={waiting} b64-jobs={len(during) - 6} resumed-in={resumed:.1f}s "
          f"spool-files-left={len(list(small_spool.iterdir()))}")
    assert f["lost"] == 0 and f["stuck"] == 0
    assert Job.objects.filter(pk__in=before + during, status=Job.Status.DONE).count() == len(before + during)
    assert not list(small_spool.glob("*.part"))  # no half-written download left behind
    assert unfinished(before + during) == 0
