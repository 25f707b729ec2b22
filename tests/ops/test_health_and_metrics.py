"""/healthz, /readyz and /metrics (issue 17)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.core.files.storage import default_storage

from studio import metrics
from studio.standin.testing import REPO_ROOT

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token"


def test_healthz_answers_without_a_session(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.content == b"ok\n"


def test_readyz_names_each_part_and_its_state(client):
    resp = client.get("/readyz")
    body = resp.json()
    assert resp.status_code == 200 and body["status"] == "ready"
    assert {body[name]["state"] for name in ("database", "redis", "storage")} == {"ok"}
    assert not any(key.startswith("ops/readyz") for key in _all_keys())  # the probe object is gone


def _all_keys():
    try:
        return default_storage.listdir("ops/readyz")[1]
    except FileNotFoundError:
        return []


def test_readyz_is_503_when_redis_does_not_answer(client, settings):
    from studio.devtools.processes import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    resp = client.get("/readyz")
    body = resp.json()
    assert resp.status_code == 503 and body["status"] == "not ready"
    assert body["redis"]["state"] == "error" and "Connection" in body["redis"]["detail"]
    assert body["database"]["state"] == "ok" and body["storage"]["state"] == "ok"


def test_readyz_is_503_when_storage_refuses_writes(client, settings, tmp_path):
    blocked = tmp_path / "media"
    blocked.write_text("a file where the storage folder should be")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocked)}}}
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.json()["storage"]["state"] == "error"


def test_readyz_checks_s3_storage(client, s3_storage):
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json()["storage"]["state"] == "ok"


def test_metrics_is_404_without_a_token_setting(client, settings):
    settings.STUDIO_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_wants_the_bearer_token(client, settings, header):
    settings.STUDIO_METRICS_TOKEN = TOKEN
    resp = client.get("/metrics", **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert resp.status_code == 401 and b"studio_" not in resp.content


def test_metrics_names_what_the_issue_asks_for(client, settings, people, run_inline):
    from studio.generation import services

    settings.STUDIO_METRICS_TOKEN = TOKEN
    before = metrics.IMAGES_STORED._value.get()
    job = services.submit_job(user=people["owner"], model="dall-e-2", prompt="a lighthouse",
                              params={"size": "256x256", "n": 2})
    run_inline(job)
    resp = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    text = resp.content.decode()
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/plain")
    for name in ("studio_jobs_total", "studio_images_stored_total", "studio_image_bytes_stored_total",
                 "studio_upstream_seconds_bucket", "studio_fetch_seconds_bucket", "studio_store_seconds_bucket",
                 "studio_failures_total", "studio_queue_depth", "studio_budget_refusals_total"):
        assert f"# TYPE {name.removesuffix('_bucket')}" in text or name in text, name
    assert 'studio_jobs_total{model="dall-e-2",provider="default",status="done"}' in text
    assert 'studio_queue_depth{queue="api"}' in text and 'studio_queue_depth{queue="fetch"}' in text
    assert metrics.IMAGES_STORED._value.get() == before + 2


def test_failures_are_counted_by_code(people, run_inline, standin):
    from studio.generation import services

    before = metrics.FAILURES.labels(code="moderation_blocked")._value.get()
    job = services.submit_job(user=people["owner"], model="dall-e-2", prompt="a forbidden-word scene",
                              params={"size": "256x256", "n": 1})
    run_inline(job)
    assert job.status == "failed"
    assert metrics.FAILURES.labels(code="moderation_blocked")._value.get() == before + 1


def test_multiprocess_mode_adds_up_every_process(client, settings, tmp_path):
    """Two processes count into PROMETHEUS_MULTIPROC_DIR; /metrics in a third shows their sum."""
    settings.STUDIO_METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    script = textwrap.dedent("""
        from studio import metrics
        metrics.image_stored(1000)
        metrics.job_reached("done", model="gpt-image-2", provider="default")
        metrics.FETCH_SECONDS.observe(0.3)
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO_ROOT, check=True, timeout=60)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process, named by host and pid
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "studio_images_stored_total 2.0" in text
    assert "studio_image_bytes_stored_total 2000.0" in text
    assert 'studio_jobs_total{model="gpt-image-2",provider="default",status="done"} 2.0' in text
    assert 'studio_fetch_seconds_bucket{le="0.5"} 2.0' in text


def test_queue_depth_counts_waiting_messages(settings):
    from celery import current_app

    from studio.ops import queues

    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("fetch")
    before = queues.depths()
    for image_id in (1, 2, 3):
        current_app.tasks["studio.generation.tasks.fetch_image"].apply_async((image_id + 10_000_000,), priority=6)
    after = queues.depths()
    assert after["fetch"] == before["fetch"] + 3
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("fetch")
