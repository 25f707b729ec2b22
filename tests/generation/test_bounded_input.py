"""Issue 12, items 10 and 11: request bodies are bounded before they are read, and pictures are counted and
measured from their headers before any is decoded (decodes are counted, never timed)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageFile

from studio.devtools.processes import free_port, python, stop, wait_for_port
from studio.generation import uploads
from studio.generation.models import Job
from tests.bounded_pictures import sparse_png

REPO = Path(__file__).resolve().parents[2]
from tests.ui.factories import picture, stored_image


@pytest.fixture
def make_image(db):
    return stored_image


@pytest.fixture
def owner_client(client, people):
    client.force_login(people["owner"])
    return client


@pytest.fixture
def decodes(monkeypatch):
    """How many times Pillow decodes a file's pixels (every decode goes through ImageFile.load); calls pass
    through to Pillow."""
    calls = []

    def counting(real):
        def counted(self, *args, **kwargs):
            if getattr(self, "tile", None):  # pixels still to decode: this call decodes them
                calls.append(self.size)
            return real(self, *args, **kwargs)
        return counted

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting(ImageFile.ImageFile.load))
    return calls


# --- item 10: the body ----------------------------------------------------------------------------


def _raw_post(url: str, path: str, declared: int, sent: bytes = b"x" * 1024) -> bytes:
    """POST declaring `declared` bytes but sending only `sent`: an answer means nobody waited for the body."""
    where = urlparse(url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {where.hostname}\r\nContent-Type: multipart/form-data; "
                     f"boundary=x\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n".encode() + sent)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def gunicorn_web(tmp_path):
    """Studio's web under gunicorn with gunicorn.conf.py, as the Procfile and compose run it."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PORT": str(port), "WEB_CONCURRENCY": "1",
           "PYTHONPATH": str(REPO)}
    log = open(tmp_path / "gunicorn.log", "wb")
    proc = subprocess.Popen([python(), "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                             "studio.wsgi"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", port, timeout=60, process=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


def test_a_body_declared_over_the_limit_gets_413_before_it_is_read(gunicorn_web):
    answer = _raw_post(gunicorn_web, "/upload", declared=51 * 1024 * 1024)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"Studio takes up to 50 MB in one request" in body and b"51.0 MB" in body
    api = _raw_post(gunicorn_web, "/v1/images/edits", declared=60 * 1024 * 1024)
    assert api.startswith(b"HTTP/1.1 413") and b'"code": "request_too_large"' in api


def test_a_chunked_body_under_asgi_stops_at_the_limit(settings):
    """uvicorn hands Django a chunked body with no length; Django's ASGI handler would spool all of it."""
    from studio.asgi import application

    settings.STUDIO_MAX_UPLOAD_MB = 2
    reads, sent = [], []

    async def receive():
        reads.append(1)
        return {"type": "http.request", "body": b"x" * (512 * 1024), "more_body": True}  # never ends

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/upload", "raw_path": b"/upload", "query_string": b"",
             "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")], "http_version": "1.1",
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 5000), "root_path": "",
             "asgi": {"version": "3.0"}}
    asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=30))
    assert sent[0]["status"] == 413 and b"up to 2 MB" in sent[1]["body"]
    assert len(reads) == 5  # 2 MB in 512 KB pieces, and the one that passed the limit: nothing more was read


def test_djangos_own_limits_are_set(settings):
    from django.conf import settings as live

    assert live.DATA_UPLOAD_MAX_MEMORY_SIZE == live.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert live.DATA_UPLOAD_MAX_NUMBER_FIELDS == 500 and live.DATA_UPLOAD_MAX_NUMBER_FILES == 50
    assert live.MIDDLEWARE[0] == "studio.request_limits.refuse_large_bodies"
    conf = (REPO / "gunicorn.conf.py").read_text()
    for limit in ("limit_request_line", "limit_request_fields", "limit_request_field_size"):
        assert f"{limit} = " in conf
    assert "worker_class" not in conf  # the ASGI switch passes -k; this file stays neutral


# --- item 11: the pictures ------------------------------------------------------------------------


def test_an_8000_by_8000_png_is_measured_from_its_header(decodes):
    data = sparse_png(8000, 8000)
    assert len(data) < 300_000
    measured = uploads.measure(data)
    assert (measured.info.width, measured.info.height, measured.info.has_alpha) == (8000, 8000, False)
    assert uploads.measure(sparse_png(8000, 8000, "RGBA")).info.width == 8000  # too big to scan: the mode answers
    assert decodes == []


def test_alpha_is_looked_for_only_when_the_mode_has_some(decodes):
    assert not uploads.measure(picture((64, 64), "JPEG")).info.has_alpha and decodes == []
    mask = uploads.measure(sparse_png(64, 48, "RGBA"), role="mask")  # all zero: fully transparent
    assert mask.info.has_alpha and decodes == [(64, 48)]  # one decode, no converted copy


def _edit_with_references(client, image, refs, decodes) -> str:
    """POST an edit of `image` with uploaded `refs`; it must be refused with nothing decoded and no job made."""
    decodes.clear()
    jobs = Job.objects.count()
    resp = client.post(reverse("generation:edit"), {"source": image.pk, "prompt": "x", "model": "gpt-image-2",
                                                    "references": refs})
    assert resp.status_code == 422
    assert decodes == [] and Job.objects.count() == jobs
    return " ".join(resp.content.decode().split())


@pytest.mark.django_db
def test_forty_references_are_counted_before_any_is_read(owner_client, people, make_image, decodes):
    image = make_image(people["owner"], model="gpt-image-2")
    refs = [SimpleUploadedFile(f"r{i}.png", sparse_png(64, 64, "RGBA"), "image/png") for i in range(40)]
    page = _edit_with_references(owner_client, image, refs, decodes)
    assert "41 images were given; gpt-image-2 takes at most 16 for edits." in page


@pytest.mark.django_db
def test_pictures_over_the_pixel_budget_are_refused_before_decoding(owner_client, people, make_image, decodes,
                                                                   settings):
    settings.STUDIO_MAX_UPLOAD_PIXELS = 3_000_000
    image = make_image(people["owner"], model="gpt-image-2")
    refs = [SimpleUploadedFile(f"r{i}.png", sparse_png(1000, 1000, "RGBA"), "image/png") for i in range(4)]
    page = _edit_with_references(owner_client, image, refs, decodes)
    assert "Studio takes up to 3 million in one request" in page
