"""The pipeline's rules, one at a time, in this process against the stand-in (messages are recorded,
not sent: tests/faults runs the same rules on real workers and a real broker)."""
from __future__ import annotations

import base64
import http.server
import io
import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as PILImage

from studio.gallery.models import Image
from studio.generation import selectors, services, tasks
from studio.generation.models import Job
from studio.generation.services import pacing, sweeping
from studio.models_registry.models import Provider
from studio.models_registry.providers import config_from_row, get_provider
from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread

pytestmark = pytest.mark.django_db


def submit(user, *, model="dall-e-2", n=1, provider="", **params):
    params = {"size": "256x256", "n": n, **params} if model.startswith("dall-e") else {"n": n, **params}
    return services.submit_job(user=user, model=model, prompt="a harbour at noon", params=params, provider=provider)


def png_bytes(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


# --- upstream failures -----------------------------------------------------------------------------


def test_429_waits_for_retry_after_and_stays_queued(owner, settings, sent):
    with standin_in_thread(StandinConfig(fail_rate=1.0, fail_status=429, retry_after=7)) as s:
        settings.STANDIN_URL = s.base_url
        job = submit(owner)
        services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.failure_code == "rate_limited"
    wait = (job.not_before - timezone.now()).total_seconds()
    assert 6 < wait <= 7.5
    assert sent["run"][-1][0] == job.pk and 7 <= sent["run"][-1][1] <= 7.5


def test_5xx_retries_with_backoff_up_to_the_limit_then_fails(owner, settings, sent):
    settings.STUDIO_API_RETRY_LIMIT = 2
    with standin_in_thread(StandinConfig(fail_rate=1.0, fail_status=503)) as s:
        settings.STANDIN_URL = s.base_url
        job = submit(owner)
        for _ in range(3):
            Job.objects.filter(pk=job.pk).update(not_before=None)
            services.run_job(job.pk, paced=True)
        job.refresh_from_db()
        assert s.stats()["by_job"][str(job.pk)] == 3  # 1 + limit
    assert job.status == Job.Status.FAILED and job.failure_code == "upstream_outage"
    assert "gave up after 3 tries" in job.failure_message
    assert len(sent["run"]) == 2 and all(c is None or c <= settings.STUDIO_API_BACKOFF_CAP for _, c, _ in sent["run"])


def test_a_bad_parameter_is_never_retried(owner, sent, standin):
    job = services.submit_job(user=owner, model="dall-e-2", prompt="x" * 1001, params={"size": "256x256", "n": 1})
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.api_calls == 1 and sent["run"] == []


# --- interrupted calls -----------------------------------------------------------------------------


def _calling(job, *, seconds_ago=0):
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CALLING, attempts=1, api_calls=1,
                                         called_at=timezone.now() - timedelta(seconds=seconds_ago))
    job.refresh_from_db()
    return job


def test_a_redelivered_message_for_a_call_in_flight_marks_it_interrupted(owner, sent):
    job = _calling(submit(owner))
    services.run_job(job.pk, redelivered=False)  # a duplicate, not a redelivery: leave the call alone
    job.refresh_from_db()
    assert job.status == Job.Status.CALLING
    services.run_job(job.pk, redelivered=True)
    job.refresh_from_db()
    assert job.status == Job.Status.INTERRUPTED and job.interruptions == 1 and job.failure_message


def test_the_sweeper_retries_an_interrupted_call_once_then_fails_it_with_a_reason(owner, settings, sent):
    settings.STUDIO_INTERRUPTED_RETRY_LIMIT = 1
    job = _calling(submit(owner), seconds_ago=settings.STUDIO_PROVIDER_TIMEOUT + settings.STUDIO_CALL_GRACE_SECONDS + 5)
    fresh = _calling(submit(owner), seconds_ago=1)  # still within its timeout: not touched

    report = sweeping.sweep(force=True)
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert report.interrupted == [job.pk] and report.retried == [job.pk]
    assert job.status == Job.Status.QUEUED and job.interruptions == 1
    assert fresh.status == Job.Status.CALLING
    assert [m[0] for m in sent["run"]] == [job.pk]

    Job.objects.filter(pk=job.pk).update(status=Job.Status.CALLING, attempts=2,
                                         called_at=timezone.now() - timedelta(hours=1))
    report = sweeping.sweep(force=True)
    job.refresh_from_db()
    assert report.given_up == [job.pk]
    assert job.status == Job.Status.FAILED and job.failure_code == "interrupted"
    assert "not to pay" in job.failure_message


def test_the_sweeper_resends_queued_jobs_whose_message_was_lost_once_per_grace(owner, settings, sent):
    job = submit(owner)
    Job.objects.filter(pk=job.pk).update(status_changed_at=timezone.now() - timedelta(minutes=10))
    waiting = submit(owner)
    Job.objects.filter(pk=waiting.pk).update(not_before=timezone.now() + timedelta(minutes=5))
    assert sweeping.sweep(force=True).resent_runs == [job.pk]
    assert sweeping.sweep(force=True).resent_runs == []  # not again until the grace has passed


def test_two_sweeps_in_one_period_run_once(owner, settings):
    settings.STUDIO_SWEEP_SECONDS = 30
    from studio.generation.services import mailbox

    mailbox.client().delete(mailbox.PREFIX + "lock:sweep")
    assert sweeping.sweep() is not None
    assert sweeping.sweep() is None


# --- downloads and storage -------------------------------------------------------------------------


def test_a_store_failure_keeps_the_spool_and_never_expires(owner, run_inline, monkeypatch, sent):
    job = submit(owner)
    services.run_job(job.pk)
    image = job.images.get()
    real_save = services.fetching.storage.save_file

    def storage_down(key, path):
        raise ConnectionError("storage is down")

    monkeypatch.setattr(services.fetching.storage, "save_file", storage_down)
    services.fetch_image(image.pk)
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING and image.spool_path
    assert "safe on the worker's disk" in image.failure_reason
    assert sent["fetch"][-1][0] == image.pk

    # The URL dies while storage is down: the spooled copy is all we need.
    Image.objects.filter(pk=image.pk).update(url_expires_at=timezone.now() - timedelta(minutes=1))
    sweeping.sweep(force=True)
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING

    monkeypatch.setattr(services.fetching.storage, "save_file", real_save)
    services.fetch_image(image.pk)
    image.refresh_from_db()
    job.refresh_from_db()
    assert image.status == Image.Status.STORED and default_storage.exists(image.storage_key)
    assert job.status == Job.Status.DONE


def test_a_download_the_sweeper_sends_again_names_its_job_for_the_logs(owner, sent, monkeypatch):
    from studio.audit.context import current
    from studio.generation.services import mailbox

    job = submit(owner)
    services.run_job(job.pk)
    image = job.images.get()
    mailbox.clear_sent(f"fetch:{image.pk}")  # the first message was lost
    carried = []
    monkeypatch.setattr(tasks.fetch_image, "apply_async", lambda args=(), **options: carried.append(current().job_id))
    assert sweeping.sweep(force=True).resent_fetches == [image.pk]
    assert carried == [job.pk]  # what the message header takes along (studio.ops.task_context)
    assert current().job_id is None  # and the sweep's own context is as it was


def test_the_sweeper_expires_unspooled_images_past_their_deadline_nearest_first(owner, sent):
    jobs = [submit(owner) for _ in range(3)]
    for job in jobs:
        services.run_job(job.pk)
    images = [job.images.get() for job in jobs]
    now = timezone.now()
    Image.objects.filter(pk=images[0].pk).update(url_expires_at=now - timedelta(seconds=1))
    Image.objects.filter(pk=images[1].pk).update(url_expires_at=now + timedelta(minutes=1))
    Image.objects.filter(pk=images[2].pk).update(url_expires_at=now + timedelta(minutes=30))
    from studio.generation.services import mailbox

    for image in images:
        mailbox.clear_sent(f"fetch:{image.pk}")
    report = sweeping.sweep(force=True)
    assert report.expired == [images[0].pk]
    assert report.resent_fetches == [images[1].pk, images[2].pk]  # nearest deadline first
    expired = Image.objects.get(pk=images[0].pk)
    assert expired.status == Image.Status.EXPIRED and "expired" in expired.failure_reason
    assert Job.objects.get(pk=jobs[0].pk).status == Job.Status.FAILED


class _Host(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        status, headers, body = self.routes[self.path.split("?")[0]]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_host(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # A loopback address is internal: downloads from it need its exact host:port on the list.
    settings.STUDIO_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{server.server_address[1]}"]
    yield f"http://127.0.0.1:{server.server_address[1]}", _Host.routes
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("route, reason", [
    ((302, {"Location": "http://evil.example/x.png"}, b""), "redirected to another host"),
    ((200, {"Content-Length": str(10**9)}, b""), "larger than Studio accepts"),
    ((200, {}, b"<html>not a picture</html>"), "not a complete image"),
])
def test_downloads_refuse_redirects_oversize_and_non_images(image_host, route, reason):
    base, routes = image_host
    routes["/img.png"] = route
    with pytest.raises(services.FetchError) as err:
        services.download_to_spool(base + "/img.png")
    assert reason in str(err.value)


def test_downloads_only_from_allowed_hosts(settings):
    settings.STUDIO_FETCH_ALLOWED_HOSTS = ["*.blob.core.windows.net"]
    settings.STANDIN_URL = "http://127.0.0.1:8100/v1"
    policy = services.download_policy()
    assert policy.internal == {"127.0.0.1:8100"}  # the stand-in's own address, that port only
    for url in ("https://blob.core.windows.net.evil.example/x.png", "file:///etc/passwd", "http://10.0.0.1/x.png",
                "http://127.0.0.1:9/x.png"):
        with pytest.raises(services.FetchError, match="Studio does not connect to") as err:
            services.download_to_spool(url)
        assert not err.value.retryable


# --- pacing ----------------------------------------------------------------------------------------


@pytest.fixture
def slow_provider(standin):
    row = Provider.objects.create(name=f"paced-{uuid.uuid4().hex[:8]}", kind=Provider.Kind.COMPATIBLE,
                                  base_url=standin.base_url, api_key="k", images_per_minute=6)
    pacing.reset(config_from_row(row))
    yield row
    pacing.reset(config_from_row(row))


def test_pacing_queues_jobs_over_the_providers_rate_and_shows_their_place(owner, slow_provider, sent):
    first, second, third = (submit(owner, provider=slow_provider.name) for _ in range(3))
    for job in (first, second, third):
        services.run_job(job.pk)
    for job in (first, second, third):
        job.refresh_from_db()
    assert first.status == Job.Status.FETCHING
    assert second.status == third.status == Job.Status.QUEUED and second.api_calls == third.api_calls == 0
    wait2 = (second.not_before - timezone.now()).total_seconds()
    wait3 = (third.not_before - timezone.now()).total_seconds()
    assert 8 < wait2 <= 10.5 and 18 < wait3 <= 20.5  # 6 a minute: one every 10 s, in order
    assert [(m[0], m[2]) for m in sent["run"]] == [(second.pk, {"paced": True}), (third.pk, {"paced": True})]
    assert selectors.queue_position(second) == 1 and selectors.queue_position(third) == 2
    assert selectors.queue_position(first) is None and second.is_waiting

    services.run_job(second.pk, paced=True)  # the paced message arriving early does not call
    second.refresh_from_db()
    assert second.status == Job.Status.QUEUED and second.api_calls == 0


def test_the_bucket_is_shared_and_refills(slow_provider):
    config = config_from_row(slow_provider)
    assert pacing.take(config, 1) == 0
    assert 9 < pacing.take(config, 1) <= 10
    pacing.give_back(config, 1)
    assert 9 < pacing.take(config, 1) <= 10.5


# --- streaming previews ----------------------------------------------------------------------------


def test_streamed_partial_images_become_previews_newest_last(owner, run_inline):
    job = submit(owner, model="gpt-image-2", size="1024x1024", quality="low", output_format="webp")
    services.run_job(job.pk)  # the call streams; the download has not happened yet
    job.refresh_from_db()
    assert job.previews == [f"previews/job-{job.pk}/0.webp", f"previews/job-{job.pk}/1.webp"]
    assert all(default_storage.exists(key) for key in job.previews)
    run_inline(job)
    assert job.status == Job.Status.DONE
    assert job.images.get().status == Image.Status.STORED
    # Settled: the preview files are gone, their keys remain as the record of what streamed.
    assert job.previews == [f"previews/job-{job.pk}/0.webp", f"previews/job-{job.pk}/1.webp"]
    assert not any(default_storage.exists(key) for key in job.previews)


def test_previews_can_be_turned_off(owner, run_inline, settings):
    settings.STUDIO_STREAM_PREVIEWS = False
    job = run_inline(submit(owner, model="gpt-image-2", size="1024x1024", quality="low"))
    assert job.status == Job.Status.DONE and job.previews == []


class _CutStream(http.server.BaseHTTPRequestHandler):
    """A provider whose event stream breaks after the first partial image."""

    protocol_version = "HTTP/1.1"
    hits = 0

    def do_POST(self):  # noqa: N802
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        event = {"type": "image_generation.partial_image", "b64_json": base64.b64encode(png_bytes()).decode(),
                 "partial_image_index": 0, "output_format": "png", "background": "auto", "quality": "low",
                 "size": "1024x1024", "created_at": 1}
        payload = f"event: image_generation.partial_image\ndata: {json.dumps(event)}\n\n".encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()
        self.connection.shutdown(2)  # cut: no terminating chunk, no completed event

    def log_message(self, *args):
        pass


def test_a_stream_cut_halfway_is_retried_like_any_connection_failure(owner, settings, sent):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CutStream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.STANDIN_URL = f"http://127.0.0.1:{server.server_address[1]}/v1"
        assert get_provider().base_url == settings.STANDIN_URL
        job = submit(owner, model="gpt-image-2", size="1024x1024", quality="low")
        services.run_job(job.pk)
    finally:
        server.shutdown()
        server.server_close()
    job.refresh_from_db()
    assert _CutStream.hits == 1
    assert job.status == Job.Status.QUEUED and job.failure_code == "connection_error"
    assert job.previews == [f"previews/job-{job.pk}/0.png"]  # what arrived before the cut is shown
    assert sent["run"][-1][0] == job.pk
