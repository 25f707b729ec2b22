"""Never pay twice: streaming fallbacks, the per-job cap on upstream calls, per-provider retry limits,
and one message per failure. Real compatible servers (tests/providers/relay.py) in front of the stand-in;
every count is what reached the upstream."""
from __future__ import annotations

import base64
import http.server
import io
import json
import threading

import pytest
from PIL import Image as PILImage

from studio.generation import services
from studio.generation.models import Job
from studio.models_registry import learning
from studio.models_registry.models import Provider
from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread

from .conftest import run_again, submit
from .relay import relay

pytestmark = pytest.mark.django_db


def facts(row):
    return learning.facts_for(row.name)


# --- servers that do not stream ---------------------------------------------------------------------


def test_a_server_that_ignores_stream_is_used_as_it_answers_and_marked(owner, quirky, run_inline, sent):
    row, server = quirky("ignores_stream")
    first = run_inline(submit(owner, row.name))
    # A compatible server is asked plainly first: nothing is paid for twice while Studio finds out.
    assert first.status == Job.Status.DONE and first.api_calls == 1 and server.upstream_calls == 1
    assert "stream" not in server.bodies[-1]
    second = run_inline(submit(owner, row.name))  # it answered and named no gateway: now it is asked to stream
    assert second.status == Job.Status.DONE and second.api_calls == 1 and server.upstream_calls == 2
    assert facts(row).streams is False and "plain JSON" in facts(row).streams_why
    third = run_inline(submit(owner, row.name))
    assert third.status == Job.Status.DONE and third.api_calls == 1 and server.upstream_calls == 3


def test_a_server_that_fails_streaming_is_asked_once_more_plainly_and_marked(owner, quirky, run_inline, sent):
    row, server = quirky("fails_streaming", streaming=Provider.Streaming.ON)
    job = run_inline(submit(owner, row.name))
    # The 500 to the stream reached nothing upstream; the plain request is the one paid call.
    assert job.status == Job.Status.DONE and job.api_calls == 2 and server.upstream_calls == 1
    assert facts(row) is None or facts(row).streams is not False  # "on": the operator decided, nothing learned

    # In "auto" (it has answered before, so Studio asks it to stream): the 500 is learned from.
    Provider.objects.filter(pk=row.pk).update(streaming=Provider.Streaming.AUTO)
    job = run_inline(submit(owner, row.name))
    assert job.status == Job.Status.DONE and job.api_calls == 2 and server.upstream_calls == 2
    learned = facts(row)
    assert learned.streams is False and "HTTP 500" in learned.streams_why and learned.streams_learned_at
    job = run_inline(submit(owner, row.name))  # learned: straight to the plain request
    assert job.status == Job.Status.DONE and job.api_calls == 1 and server.upstream_calls == 3


def test_the_fallback_counts_against_the_cap(owner, quirky, settings, sent):
    settings.STUDIO_MAX_UPSTREAM_CALLS = 1
    row, server = quirky("fails_streaming", streaming=Provider.Streaming.ON)
    job = submit(owner, row.name)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.api_calls == 1 and server.upstream_calls == 0
    assert job.failure_code == "upstream_outage" and sent["run"] == []
    assert job.failure_message == "The image service is having trouble (HTTP 500)."  # no promise of a retry


def test_streaming_off_never_streams(owner, quirky, run_inline, sent):
    row, server = quirky("fails_streaming", streaming=Provider.Streaming.OFF)
    for _ in range(2):
        assert run_inline(submit(owner, row.name)).api_calls == 1
    assert server.upstream_calls == 2 and all("stream" not in body for body in server.bodies)


# --- a 200 whose stream then broke -----------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (1024, 1024), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


class _BreaksStreams(http.server.BaseHTTPRequestHandler):
    """Streams break after the first partial image (paid for, never complete); plain requests work."""

    protocol_version = "HTTP/1.1"
    bodies: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        type(self).bodies.append(body)
        picture = base64.b64encode(_png()).decode()
        if not body.get("stream"):
            payload = json.dumps({"created": 1, "data": [{"b64_json": picture}],
                                  "usage": {"input_tokens": 10, "output_tokens": 272, "total_tokens": 282}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        event = {"type": "image_generation.partial_image", "b64_json": picture, "partial_image_index": 0,
                 "output_format": "png", "background": "auto", "quality": "low", "size": "1024x1024",
                 "created_at": 1}
        data = f"event: image_generation.partial_image\ndata: {json.dumps(event)}\n\n".encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
        self.connection.shutdown(2)  # no completed event, no terminating chunk

    def log_message(self, *args):
        pass


@pytest.fixture
def breaks_streams(db):
    _BreaksStreams.bodies = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BreaksStreams)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    row = Provider.objects.create(name="breaks-streams", kind=Provider.Kind.COMPATIBLE, api_key="k",
                                  base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
                                  streaming=Provider.Streaming.ON, images_per_minute=10_000)
    yield row
    server.shutdown()
    server.server_close()


def test_a_broken_stream_counts_as_paid_and_is_retried_once_without_streaming(owner, breaks_streams, sent,
                                                                               run_inline):
    job = submit(owner, breaks_streams.name)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.failure_code == "connection_error"
    assert job.paid_lost_calls == 1 and job.cost_actual == job.cost_estimate > 0  # its cost is on the job
    assert "charged" in job.failure_message and job.failure_message.endswith("Studio will try again shortly.")
    lost = job.cost_actual

    job = run_again(job)
    assert [bool(body.get("stream")) for body in _BreaksStreams.bodies] == [True, False]
    for pk in job.images.values_list("pk", flat=True):
        services.fetch_image(pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.api_calls == 2
    assert job.cost_actual > lost  # the lost answer plus the one that arrived


# --- retries: only transient, within the provider's limit and the cap ------------------------------


@pytest.fixture
def failing():
    with standin_in_thread(StandinConfig(fail_rate=1.0, fail_status=503)) as upstream:
        with relay(upstream.root_url) as server:
            yield server


def _provider(server, **fields):
    return Provider.objects.create(name=f"fails-{Provider.objects.count()}", kind=Provider.Kind.COMPATIBLE,
                                   base_url=server.base_url, api_key="k", images_per_minute=10_000,
                                   streaming=Provider.Streaming.OFF, **fields)


def test_a_provider_with_retry_limit_zero_is_called_once(owner, failing, sent):
    row = _provider(failing, retry_limit=0)
    job = submit(owner, row.name, model="dall-e-2")
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.api_calls == 1 and failing.upstream_calls == 1
    assert job.failure_message == "The image service is having trouble (HTTP 503)."


def test_the_cap_stops_retries_before_the_retry_limit(owner, failing, settings, sent):
    settings.STUDIO_MAX_UPSTREAM_CALLS = 3
    row = _provider(failing, retry_limit=5)
    job = submit(owner, row.name, model="dall-e-2")
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.failure_message == "The image service is having trouble (HTTP 503). Studio will try again shortly."
    while job.status == Job.Status.QUEUED:
        job = run_again(job)
    assert job.status == Job.Status.FAILED and job.api_calls == 3 and failing.upstream_calls == 3
    assert job.failure_message == ("The image service is having trouble (HTTP 503). Studio stopped after 3 "
                                   "requests, the most it sends for one job.")
    services.run_job(job.pk, paced=True)  # a stray message changes nothing
    assert failing.upstream_calls == 3


def test_giving_up_says_the_number_of_tries_once_and_promises_nothing(owner, failing, settings, sent):
    settings.STUDIO_API_RETRY_LIMIT = 1
    row = _provider(failing)
    job = submit(owner, row.name, model="dall-e-2")
    services.run_job(job.pk)
    job = run_again(Job.objects.get(pk=job.pk))
    assert job.status == Job.Status.FAILED and failing.upstream_calls == 2
    assert job.failure_message == "The image service is having trouble (HTTP 503). Studio gave up after 2 tries."
    assert "will try" not in job.failure_message and job.failure_message.count("tries") == 1


def test_a_job_back_after_its_last_allowed_call_is_not_sent_again(owner, failing, settings, sent):
    settings.STUDIO_MAX_UPSTREAM_CALLS = 2
    row = _provider(failing)
    job = submit(owner, row.name, model="dall-e-2")
    Job.objects.filter(pk=job.pk).update(api_calls=2, failure_code="interrupted",
                                         failure_message=services.calling.INTERRUPTED_MESSAGE)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and failing.upstream_calls == 0
    assert job.failure_message == ("The worker stopped while the image service was working on this request. "
                                   "Studio has sent 2 requests for this job, the most it sends for one job "
                                   "(STUDIO_MAX_UPSTREAM_CALLS).")


def test_a_429_without_retry_after_waits_with_backoff_and_says_so_once(owner, settings, sent):
    with standin_in_thread(StandinConfig(fail_rate=1.0, fail_status=429, retry_after=0)) as upstream:
        row = Provider.objects.create(name="limited", kind=Provider.Kind.COMPATIBLE, base_url=upstream.base_url,
                                      api_key="k", images_per_minute=10_000, streaming=Provider.Streaming.OFF)
        job = submit(owner, row.name, model="dall-e-2")
        services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.failure_code == "rate_limited"
    assert job.failure_message.count("try again") == 1


# --- servers without an endpoint, and gateways that relay moderation as "400" -----------------------


def test_a_server_without_variations_is_told_apart_from_no_access_and_learned(owner, quirky, sent):
    from studio.generation.forms import VariationForm
    from tests.gallery.factories import make_image

    row, server = quirky("no_variations", is_default=True)
    source = make_image(owner)
    job = services.submit_job(user=owner, model="dall-e-2", prompt="", params={"size": "256x256", "n": 1},
                              kind=Job.Kind.VARIATION, source_image=source, input_keys=[source.storage_key],
                              provider=row.name)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "endpoint_missing" and sent["run"] == []
    assert "does not offer variations" in job.failure_message and "access" not in job.failure_message
    assert server.upstream_calls == 0 and not job.retry_can_help
    assert list(facts(row).missing_endpoints) == ["variations"]
    assert "dall-e-2" not in [spec.name for spec in VariationForm(user=owner, source=source).models]


def test_a_moderation_refusal_relayed_with_code_400_is_not_a_parameter_error(owner, quirky, sent):
    row, server = quirky("moderation_400", streaming=Provider.Streaming.OFF)
    job = services.submit_job(user=owner, model="gpt-image-2", prompt="a forbidden-word harbour",
                              params={"n": 1, "quality": "low"}, provider=row.name)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "moderation_blocked"
    assert "safety system" in job.failure_message and "parameter" not in job.failure_message
    assert job.api_calls == 1 and server.upstream_calls == 1 and sent["run"] == []
