"""Log lines carry the request id, person, job and image from the web request through the task to the
worker (contextvars, Celery headers), in text or JSON; never keys or signed URLs."""
from __future__ import annotations

import io
import json
import logging

import pytest
from celery import current_app
from celery.signals import before_task_publish
from django.conf import settings

from studio.audit.context import bind, current
from studio.env import ConfigurationError, env_choice
from studio.ops.logging import JsonFormatter, RequestContextFilter, TextFormatter, redact
from studio.ops.task_context import HEADER, attach_context
from tests.faults.conftest import point_celery_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured():
    """The console handler of settings.LOGGING, both formats, on the root logger for one test."""
    streams = {}
    handlers = []
    for name, formatter in (("json", JsonFormatter()), ("text", TextFormatter())):
        streams[name] = io.StringIO()
        handler = logging.StreamHandler(streams[name])
        handler.addFilter(RequestContextFilter())
        handler.setFormatter(formatter)
        handlers.append(handler)
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        root.addHandler(handler)
    yield streams
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(old_level)


def json_lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_line_names_the_request_and_the_person(captured, client, people):
    client.force_login(people["owner"])
    client.get("/images/999999/", HTTP_X_REQUEST_ID="req-404-test")  # Django logs the 404 as a warning
    lines = [line for line in json_lines(captured["json"]) if line["logger"] == "django.request"]
    assert lines and lines[0]["request_id"] == "req-404-test" and lines[0]["username"] == "owner"
    assert lines[0]["level"] == "WARNING" and "time" in lines[0]
    assert "[req=req-404-test user=owner]" in captured["text"].getvalue()


def test_the_context_travels_in_the_message_and_is_bound_in_the_task(captured, people):
    headers = {}
    with bind(request_id="req-submit", user_id=people["owner"].pk, username="owner", ip="203.0.113.1"):
        attach_context(headers=headers)
    assert headers[HEADER] == {"request_id": "req-submit", "user_id": people["owner"].pk, "username": "owner"}

    seen = {}

    @current_app.task(name="tests.ops.log_probe")
    def probe(image_id):
        logging.getLogger("studio.test").info("working on it")
        seen.update(vars(current()))

    probe.apply((42,), headers=headers)  # as a worker runs it: prerun binds, postrun restores
    assert current().request_id == ""
    assert seen["request_id"] == "req-submit" and seen["username"] == "owner" and seen["ip"] == ""
    line = [entry for entry in json_lines(captured["json"]) if entry["message"] == "working on it"][0]
    assert (line["request_id"], line["username"], line["task"]) == ("req-submit", "owner", "tests.ops.log_probe")


@pytest.mark.django_db(transaction=True)  # on_commit runs inside the task, as in a worker
def test_pipeline_tasks_name_their_job_and_image(captured, people):
    from studio.generation import services, tasks
    from studio.generation.models import Job

    # Earlier tests point the app at other brokers (and stop them) and run workers in-process: publish to the
    # test broker through fresh connections.
    point_celery_at(settings.CELERY_BROKER_URL)
    job = services.submit_job(user=people["owner"], model="dall-e-2", prompt="a harbour",
                              params={"size": "256x256", "n": 1})
    with bind(request_id="req-pipeline", user_id=people["owner"].pk, username="owner"):
        headers = {}
        attach_context(headers=headers)  # what the web request's on_commit sends with run_job
    sent = {}

    def keep_headers(sender=None, headers=None, **kwargs):
        sent[sender] = dict(headers)

    before_task_publish.connect(keep_headers)
    try:
        tasks.run_job.apply((job.pk,), headers=headers)  # sends fetch_image, as a worker would
    finally:
        before_task_publish.disconnect(keep_headers)
    image = Job.objects.get(pk=job.pk).images.get()
    assert "studio.generation.tasks.fetch_image" in sent, captured["text"].getvalue()[-3000:]
    fetch_headers = sent["studio.generation.tasks.fetch_image"]
    assert fetch_headers[HEADER] == {"request_id": "req-pipeline", "user_id": people["owner"].pk,
                                     "username": "owner", "job_id": job.pk}
    tasks.fetch_image.apply((image.pk,), headers=fetch_headers)
    image.refresh_from_db()
    assert image.status == "stored"
    lines = json_lines(captured["json"])
    fetch_lines = [entry for entry in lines if entry["task"] == "studio.generation.tasks.fetch_image"]
    assert fetch_lines, lines
    assert all(entry["image_id"] == image.pk and entry["job_id"] == job.pk for entry in fetch_lines)
    assert all(entry["request_id"] == "req-pipeline" for entry in fetch_lines)


def test_a_fetch_of_a_signed_url_logs_no_signature(captured, people):
    """Even with urllib3 talking at DEBUG, which prints each request line, the signature never shows."""
    from studio.gallery.models import Image
    from studio.generation import services

    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    try:
        job = services.submit_job(user=people["owner"], model="dall-e-2", prompt="a lantern",
                                  params={"size": "256x256", "n": 1})
        services.run_job(job.pk)
        image = Image.objects.get(job=job)
        signature = image.source_url.split("sig=")[1]
        assert len(signature) > 10
        services.fetch_image(image.pk)
    finally:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    for stream in captured.values():
        text = stream.getvalue()
        assert "/blob/private/images/" in text  # the download was logged...
        assert signature not in text and "sig=" not in text  # ...without its signature


# Made-up secrets are built from parts (and the cases named), so secret scanners find nothing to flag here or
# in pytest's cache of test ids.
_KEY = "abcdefgh" + "ijklmnop"
_PASSWORD = "hunter2" + "secret"


@pytest.mark.parametrize("raw, secret", [
    pytest.param("GET https://acct.blob.core.windows.net/private/img.png?se=1&sp=r&sig=abcDEF123%3D HTTP/1.1",
                 "abcDEF123", id="blob-signature"),
    pytest.param('"GET /blob/private/images/7.png?se=17&sp=r&sig=0a1b2c3d HTTP/1.1" 200 1234', "0a1b2c3d",
                 id="local-signature"),
    pytest.param("Authorization: Bearer " + "sk-" + "proj-" + _KEY, _KEY, id="bearer-key"),
    pytest.param(f"connecting to redis://:{_PASSWORD}@redis:6379/0", _PASSWORD, id="url-password"),
    pytest.param("api_" + "key=" + "zzzzyyyy" + "xxxx1234", "zzzzyyyy" + "xxxx1234", id="key-parameter"),
    pytest.param("token stu_ab12cd34_" + "secret" * 2, "secret" * 2, id="studio-token"),
])
def test_redaction(raw, secret):
    assert secret not in redact(raw)


def test_redaction_keeps_ordinary_lines():
    line = "image 12: storage failed (ConnectionError); retrying in 2.0s. Is it ok? Yes."
    assert redact(line) == line


def test_log_format_is_checked():
    import os

    os.environ["STUDIO_TEST_LOG_FORMAT"] = "yaml"
    try:
        with pytest.raises(ConfigurationError, match="STUDIO_TEST_LOG_FORMAT must be one of text, json"):
            env_choice("STUDIO_TEST_LOG_FORMAT", "text", ("text", "json"))
    finally:
        del os.environ["STUDIO_TEST_LOG_FORMAT"]
